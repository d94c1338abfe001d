// SPDX-License-Identifier: MIT OR Apache-2.0
//! A model of the Linux master: what `virtio_rpmsg_bus` over a vring
//! transport does with the shared memory, written independently of the
//! crate (its own byte-level encoding) so the tests check the wire format.
//!
//! * vring0 ("input"): Linux makes `n_rx` empty 512-byte buffers available
//!   (`WRITE` flag), takes filled ones from the used ring, checks them as
//!   `rpmsg_recv_single` does, dispatches them, re-adds the buffer and kicks
//!   queue 0 (as after filling the ring at probe).
//! * vring1 ("output"): Linux fills one of `n_tx` buffers (descriptor length
//!   = header + payload), makes it available and kicks queue 1; it
//!   reclaims buffers from the used ring when it runs out, and a sender
//!   that finds none sleeps until the remote kicks queue 1 (the 15-second
//!   stall otherwise), or also queue 0 with [`Linux::rx_kick_wakes_sender`]
//!   (our transport).
//! * Each kick names its queue ([`Linux::kicked_queues`]). After making
//!   buffers available in a ring, Linux reads that ring's used flags and
//!   does not kick when the remote set `VRING_USED_F_NO_NOTIFY` (bit 0), as
//!   `virtio_ring` and our transport do ([`Linux::honours_no_notify`]).
//! * Name service at 53: announcements are recorded and create channels
//!   with local addresses from 1024.
//! * Anything the remote does wrong (bad used entries, wrong lengths,
//!   writes into the driver-owned areas) is recorded in `errors`.
//! * With [`Linux::private_rings`] it models our transport's validated
//!   rings instead: Linux keeps its own descriptors and reads only those,
//!   and each publication copies the descriptor and the available entry it
//!   adds, then the available flags and index, to the shared ring; what the
//!   remote writes into the driver-owned areas reaches nothing Linux reads
//!   (and is not recorded).

use rpmsg_remote::{kick_summary, kick_word};
use std::cell::Cell;
use std::collections::VecDeque;

/// Physical address of the window.
pub const PHYS: u64 = 0x8FFF_0000;
/// Window size.
pub const SIZE: usize = 0x1_0000;
/// Descriptors per ring.
pub const NUM: u16 = 256;
/// Window offsets of vring0 and vring1.
pub const VRING: [u32; 2] = [0, 0x8000];
/// Offset of the available ring inside a vring.
pub const AVAIL: u32 = 0x1000;
/// Offset of the used ring inside a vring (align 0x1000).
pub const USED: u32 = 0x2000;
/// Buffer size.
pub const BUF: u32 = 512;
/// Where the buffers of each ring live (after the ring, inside its half).
pub const BUF_AREA: [u32; 2] = [0x3000, 0xB000];
/// At most this many buffers per ring fit in the 64 KiB window.
pub const MAX_BUFS: usize = 40;
/// Queue ids.
pub const Q_RX: u32 = 0;
/// Queue id of vring1.
pub const Q_TX: u32 = 1;
const F_WRITE: u16 = 2;
/// `VRING_USED_F_NO_NOTIFY`: bit 0 of a used ring's flags.
const USED_F_NO_NOTIFY: u16 = 1;
const NS: u32 = 53;

/// A fresh zeroed window.
pub fn memory() -> Vec<Cell<u8>> {
    (0..SIZE).map(|_| Cell::new(0)).collect()
}

/// One message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Source address.
    pub src: u32,
    /// Destination address.
    pub dst: u32,
    /// Payload.
    pub data: Vec<u8>,
}

/// An rpmsg channel Linux created from an announcement.
#[derive(Debug)]
pub struct Channel {
    /// Announced name.
    pub name: String,
    /// Linux's local address (from 1024).
    pub local: u32,
    /// The remote's address.
    pub remote: u32,
    /// Messages received on it.
    pub inbox: VecDeque<Message>,
}

/// Fields of a Linux TX message that a test may corrupt before it is
/// published (see [`Linux::send_tweaked`]).
#[derive(Clone, Copy, Debug)]
pub struct Tweak {
    /// Descriptor address.
    pub addr: u64,
    /// Descriptor length.
    pub len: u32,
    /// Descriptor flags.
    pub flags: u16,
    /// Descriptor next.
    pub next: u16,
    /// Header length field.
    pub hdr_len: u16,
    /// Header destination.
    pub dst: u32,
    /// The value put in the available ring (normally the descriptor index).
    pub avail_entry: u16,
}

/// A descriptor as Linux wrote it: (addr, len, flags, next).
type Desc = (u64, u32, u16, u16);

/// The Linux side.
pub struct Linux<'a> {
    mem: &'a [Cell<u8>],
    /// Linux's own copy of each descriptor table.
    descs: [Vec<Desc>; 2],
    n_rx: usize,
    n_tx: usize,
    rx_avail: u16,
    rx_last_used: u16,
    rx_out: Vec<bool>,
    tx_avail: u16,
    tx_last_used: u16,
    tx_out: Vec<bool>,
    tx_free: Vec<u16>,
    next_addr: u32,
    snapshot: Vec<u8>,
    /// Kick words from the remote not yet handled (MU channel 1, side A).
    pub inbox: VecDeque<u32>,
    /// Kicks received from the remote, per queue.
    pub kicks_from_remote: [u64; 2],
    /// Kicks sent to the remote (any queue).
    pub kicks_to_remote: u64,
    /// Queues kicked and not yet taken by the remote, bit `q` for queue
    /// `q` (what a remote that dispatches kicks per queue reads; see
    /// [`Sim`](super::sim::Sim)). A test may rewrite it, e.g. to model a
    /// kick that named the wrong queue.
    pub kicked_queues: u32,
    /// The OR of [`kick_summary`] over the kicks not yet taken by the
    /// remote (what `Platform::take_kick_summary` reports; see
    /// [`Sim`](super::sim::Sim)). A test may rewrite it, e.g. to model a
    /// kick of vring0 whose bits were lost.
    pub kick_summary: u32,
    /// Every name-service message received: (name, addr, flags).
    pub announcements: Vec<(String, u32, u32)>,
    /// Live channels.
    pub channels: Vec<Channel>,
    /// Messages for no channel.
    pub unrouted: Vec<Message>,
    /// Protocol violations by the remote.
    pub errors: Vec<String>,
    /// Messages waiting for a TX buffer (the sender sleeps).
    pub blocked: VecDeque<Message>,
    /// A sender sleeps until the remote kicks queue 1.
    pub sleeping: bool,
    /// How often a sender went to sleep.
    pub sleeps: u64,
    /// Linux does not process its input ring (busy), to test back-pressure.
    pub paused: bool,
    /// Linux processes its input ring only after this many more steps
    /// (each step counts one down): busy for a while, within one wait of
    /// the remote.
    pub busy_steps: u32,
    /// Messages Linux delivered, in order.
    pub delivered: u64,
    /// Linux reads its own descriptors, not the shared tables, and copies
    /// what it adds to the shared ring at each publication (our
    /// transport's validated rings; see the module documentation). Off:
    /// the shared tables are Linux's only copy, as with `virtio_ring` on
    /// shared memory.
    pub private_rings: bool,
    /// A kick of queue 0 also takes vring1's used entries and wakes a
    /// sleeping sender, as our transport does (`rust/virtio`). Off: only a
    /// kick of queue 1 wakes it, as with `virtio_ring` and remoteproc.
    pub rx_kick_wakes_sender: bool,
    /// Returned TX buffers reach the sender only when a kick of either
    /// queue takes them in, as with our transport (`rust/virtio` copies
    /// checked used entries into its private ring then, or at a 20 ms poll
    /// this model leaves out). Off: the sender takes them from the shared
    /// used ring when it runs out, as `virtio_ring` on shared memory does.
    pub returns_seen_at_kicks: bool,
    /// Linux skips its kick after making buffers available in a ring whose
    /// used flags have `VRING_USED_F_NO_NOTIFY` (on by default: stock
    /// `virtio_ring` and our transport do). Off: it always kicks, as our
    /// transport did before it honoured the flag.
    pub honours_no_notify: bool,
    /// Kicks Linux skipped because the remote had set
    /// `VRING_USED_F_NO_NOTIFY`, per queue.
    pub suppressed_kicks: [u64; 2],
}

impl<'a> Linux<'a> {
    /// Probes the device: initialises both rings at `start` (0 on real
    /// Linux; other values exercise index wrap-around) with `n_rx` input
    /// and `n_tx` output buffers.
    pub fn new(mem: &'a [Cell<u8>], start: u16, n_rx: usize, n_tx: usize) -> Self {
        let mut l = Self::unprobed(mem);
        l.init(start, n_rx, n_tx);
        l
    }

    /// Linux before the driver probed: the window is left as it is.
    pub fn unprobed(mem: &'a [Cell<u8>]) -> Self {
        let mut l = Self {
            mem,
            descs: [0, 1].map(|_| vec![(0, 0, 0, 0); NUM as usize]),
            n_rx: 0,
            n_tx: 0,
            rx_avail: 0,
            rx_last_used: 0,
            rx_out: vec![false; NUM as usize],
            tx_avail: 0,
            tx_last_used: 0,
            tx_out: vec![false; NUM as usize],
            tx_free: Vec::new(),
            next_addr: 1024,
            snapshot: Vec::new(),
            inbox: VecDeque::new(),
            kicks_from_remote: [0; 2],
            kicks_to_remote: 0,
            kicked_queues: 0,
            kick_summary: 0,
            announcements: Vec::new(),
            channels: Vec::new(),
            unrouted: Vec::new(),
            errors: Vec::new(),
            blocked: VecDeque::new(),
            sleeping: false,
            sleeps: 0,
            paused: false,
            busy_steps: 0,
            delivered: 0,
            private_rings: false,
            rx_kick_wakes_sender: false,
            returns_seen_at_kicks: false,
            honours_no_notify: true,
            suppressed_kicks: [0; 2],
        };
        l.take_snapshot();
        l
    }

    /// (Re-)creates the rings as a module (re)load does: zeroes the whole
    /// window, forgets channels and in-flight messages.
    pub fn init(&mut self, start: u16, n_rx: usize, n_tx: usize) {
        assert!(n_rx <= MAX_BUFS && n_tx <= MAX_BUFS);
        for c in self.mem {
            c.set(0);
        }
        for d in self.descs.iter_mut().flatten() {
            *d = (0, 0, 0, 0);
        }
        self.n_rx = n_rx;
        self.n_tx = n_tx;
        self.rx_out.iter_mut().for_each(|o| *o = false);
        self.tx_out.iter_mut().for_each(|o| *o = false);
        self.channels.clear();
        self.blocked.clear();
        self.inbox.clear();
        self.sleeping = false;
        self.next_addr = 1024;
        // Only the device writes used.idx; a start other than 0 models a
        // ring whose indices are already far along.
        for v in VRING {
            self.w16(v + USED + 2, start);
            self.w16(v + AVAIL + 2, start);
        }
        self.rx_avail = start;
        self.rx_last_used = start;
        self.tx_avail = start;
        self.tx_last_used = start;
        for i in 0..n_rx as u16 {
            self.write_desc(0, i, self.buf_phys(0, i), BUF, F_WRITE, 0);
            self.publish(0, i);
        }
        self.tx_free = (0..n_tx as u16).rev().collect();
        self.take_snapshot();
        // virtio_rpmsg_bus kicks its input ring once it is filled.
        self.kick_remote(Q_RX);
    }

    // ---- raw little-endian access (independent of the crate) ----

    /// Reads a `u16`.
    pub fn r16(&self, off: u32) -> u16 {
        u16::from_le_bytes(self.bytes(off, 2).try_into().unwrap())
    }
    /// Reads a `u32`.
    pub fn r32(&self, off: u32) -> u32 {
        u32::from_le_bytes(self.bytes(off, 4).try_into().unwrap())
    }
    /// Writes a `u16`.
    pub fn w16(&self, off: u32, v: u16) {
        self.put(off, &v.to_le_bytes());
    }
    /// Writes a `u32`.
    pub fn w32(&self, off: u32, v: u32) {
        self.put(off, &v.to_le_bytes());
    }
    /// Reads `n` bytes.
    pub fn bytes(&self, off: u32, n: usize) -> Vec<u8> {
        (0..n).map(|i| self.mem[off as usize + i].get()).collect()
    }
    /// Writes bytes.
    pub fn put(&self, off: u32, data: &[u8]) {
        for (i, b) in data.iter().enumerate() {
            self.mem[off as usize + i].set(*b);
        }
    }

    fn buf_phys(&self, ring: usize, i: u16) -> u64 {
        PHYS + u64::from(BUF_AREA[ring] + u32::from(i) * BUF)
    }

    fn write_desc(&mut self, ring: usize, id: u16, addr: u64, len: u32, flags: u16, next: u16) {
        if let Some(d) = self.descs[ring].get_mut(usize::from(id)) {
            *d = (addr, len, flags, next);
        }
        self.share_desc(ring, id, (addr, len, flags, next));
    }

    /// Writes descriptor `id` of `ring` to the shared table.
    fn share_desc(&self, ring: usize, id: u16, (addr, len, flags, next): Desc) {
        let d = VRING[ring] + u32::from(id) * 16;
        self.w32(d, addr as u32);
        self.w32(d + 4, (addr >> 32) as u32);
        self.w32(d + 8, len);
        self.w16(d + 12, flags);
        self.w16(d + 14, next);
    }

    fn desc_addr(&self, ring: usize, id: u16) -> u64 {
        if self.private_rings {
            return self.descs[ring][usize::from(id)].0;
        }
        let d = VRING[ring] + u32::from(id) * 16;
        u64::from(self.r32(d)) | u64::from(self.r32(d + 4)) << 32
    }

    /// Puts `entry` in the next available slot of `ring` and bumps the index.
    fn publish(&mut self, ring: usize, entry: u16) {
        let idx = if ring == 0 {
            &mut self.rx_avail
        } else {
            &mut self.tx_avail
        };
        let slot = u32::from(*idx % NUM);
        *idx = idx.wrapping_add(1);
        let new = *idx;
        if let Some(o) = [&mut self.rx_out, &mut self.tx_out][ring].get_mut(entry as usize) {
            *o = true;
        }
        if self.private_rings {
            // The transport copies the chain it publishes, then the flags.
            if let Some(&d) = self.descs[ring].get(usize::from(entry)) {
                self.share_desc(ring, entry, d);
            }
            self.w16(VRING[ring] + AVAIL, 0);
        }
        self.w16(VRING[ring] + AVAIL + 4 + 2 * slot, entry);
        self.w16(VRING[ring] + AVAIL + 2, new);
    }

    fn take_snapshot(&mut self) {
        self.snapshot = VRING
            .iter()
            .flat_map(|&v| self.bytes(v, USED as usize))
            .collect();
    }

    /// Records an error if the remote changed a descriptor table or an
    /// available ring.
    fn check_snapshot(&mut self) {
        if self.private_rings {
            // Nothing Linux reads is there.
            return;
        }
        let now: Vec<u8> = VRING
            .iter()
            .flat_map(|&v| self.bytes(v, USED as usize))
            .collect();
        if now != self.snapshot {
            self.errors
                .push("remote wrote into driver-owned ring memory".into());
            self.snapshot = now;
        }
    }

    /// Kicks the remote for queue `q` (the word `q << 16` on MU channel 1).
    pub fn kick_remote(&mut self, q: u32) {
        self.kicks_to_remote += 1;
        self.kicked_queues |= 1 << q;
        self.kick_summary |= kick_summary(kick_word(q));
    }

    /// The kick after making buffers available in vring `q`: skipped
    /// when the remote asked for none (`VRING_USED_F_NO_NOTIFY`, read after
    /// the available index was published).
    fn notify_remote(&mut self, q: u32) {
        let flags = self.r16(VRING[q as usize] + USED);
        if self.honours_no_notify && flags & USED_F_NO_NOTIFY != 0 {
            self.suppressed_kicks[q as usize] += 1;
            return;
        }
        self.kick_remote(q);
    }

    // ---- sending (vring1) ----

    /// Sends a message, or queues it behind a sleeping sender.
    pub fn send(&mut self, src: u32, dst: u32, data: &[u8]) {
        self.send_tweaked(src, dst, data, |_| {});
    }

    /// Sends a message after letting `tweak` corrupt its descriptor, header
    /// or available entry. Returns the descriptor used (None: queued).
    pub fn send_tweaked(
        &mut self,
        src: u32,
        dst: u32,
        data: &[u8],
        tweak: impl FnOnce(&mut Tweak),
    ) -> Option<u16> {
        assert!(data.len() <= (BUF - 16) as usize);
        let msg = Message {
            src,
            dst,
            data: data.to_vec(),
        };
        if self.sleeping || !self.blocked.is_empty() {
            self.blocked.push_back(msg);
            return None;
        }
        match self.transmit(&msg, tweak) {
            Some(id) => Some(id),
            None => {
                self.blocked.push_back(msg);
                self.sleeping = true;
                self.sleeps += 1;
                None
            }
        }
    }

    fn transmit(&mut self, m: &Message, tweak: impl FnOnce(&mut Tweak)) -> Option<u16> {
        if self.tx_free.is_empty() && !self.returns_seen_at_kicks {
            self.reclaim();
        }
        let id = self.tx_free.pop()?;
        let mut t = Tweak {
            addr: self.buf_phys(1, id),
            len: 16 + m.data.len() as u32,
            flags: 0,
            next: 0,
            hdr_len: m.data.len() as u16,
            dst: m.dst,
            avail_entry: id,
        };
        tweak(&mut t);
        let b = BUF_AREA[1] + u32::from(id) * BUF;
        self.w32(b, m.src);
        self.w32(b + 4, t.dst);
        self.w32(b + 8, 0);
        self.w16(b + 12, t.hdr_len);
        self.w16(b + 14, 0);
        self.put(b + 16, &m.data);
        self.write_desc(1, id, t.addr, t.len, t.flags, t.next);
        self.publish(1, t.avail_entry);
        self.take_snapshot();
        self.notify_remote(Q_TX);
        Some(id)
    }

    /// Takes back TX buffers the remote returned (virtqueue_get_buf).
    pub fn reclaim(&mut self) {
        let used = self.r16(VRING[1] + USED + 2);
        let n = used.wrapping_sub(self.tx_last_used);
        if n > NUM {
            self.errors.push(format!("vring1 used idx jumped by {n}"));
            return;
        }
        for _ in 0..n {
            let e = VRING[1] + USED + 4 + 8 * u32::from(self.tx_last_used % NUM);
            let id = self.r32(e);
            self.tx_last_used = self.tx_last_used.wrapping_add(1);
            match self.tx_out.get_mut(id as usize) {
                Some(o) if *o => {
                    *o = false;
                    self.tx_free.push(id as u16);
                }
                _ => self
                    .errors
                    .push(format!("vring1 used id {id} not outstanding")),
            }
        }
    }

    // ---- running ----

    /// Handles the remote's kicks and rings: what Linux's interrupt
    /// handlers and waiting senders do.
    pub fn step(&mut self) {
        self.check_snapshot();
        let mut kicked = [false; 2];
        while let Some(w) = self.inbox.pop_front() {
            let q = (w >> 16) as usize;
            if w & 0xFFFF != 0 || q > 1 {
                self.errors.push(format!("bad kick word {w:#x}"));
                continue;
            }
            self.kicks_from_remote[q] += 1;
            kicked[q] = true;
        }
        self.receive();
        if self.returns_seen_at_kicks && (kicked[0] || kicked[1]) {
            self.reclaim();
        }
        let wakes = kicked[1] || (kicked[0] && self.rx_kick_wakes_sender);
        if wakes && self.sleeping {
            // rpmsg_xmit_done wakes the sender, which retries.
            self.sleeping = false;
        }
        while !self.sleeping {
            let Some(m) = self.blocked.pop_front() else {
                break;
            };
            if self.transmit(&m, |_| {}).is_none() {
                self.blocked.push_front(m);
                self.sleeping = true;
                self.sleeps += 1;
            }
        }
    }

    /// rpmsg_recv_done: consumes the input ring's used entries.
    fn receive(&mut self) {
        if self.paused {
            return;
        }
        if self.busy_steps > 0 {
            self.busy_steps -= 1;
            return;
        }
        let used = self.r16(VRING[0] + USED + 2);
        let n = used.wrapping_sub(self.rx_last_used);
        if usize::from(n) > self.n_rx {
            self.errors.push(format!("vring0 used idx jumped by {n}"));
            self.rx_last_used = used;
            return;
        }
        for _ in 0..n {
            let e = VRING[0] + USED + 4 + 8 * u32::from(self.rx_last_used % NUM);
            let id = self.r32(e);
            let len = self.r32(e + 4);
            self.rx_last_used = self.rx_last_used.wrapping_add(1);
            match self.rx_out.get_mut(id as usize) {
                Some(o) if *o => *o = false,
                _ => {
                    self.errors
                        .push(format!("vring0 used id {id} not outstanding"));
                    continue;
                }
            }
            let b = (self.desc_addr(0, id as u16) - PHYS) as u32;
            let hlen = u32::from(self.r16(b + 12));
            if !(16..=BUF).contains(&len) || hlen != len - 16 {
                self.errors
                    .push(format!("bad used len {len} for payload {hlen}"));
            } else {
                let m = Message {
                    src: self.r32(b),
                    dst: self.r32(b + 4),
                    data: self.bytes(b + 16, hlen as usize),
                };
                if self.r32(b + 8) != 0 {
                    self.errors.push("reserved header word not zero".into());
                }
                self.dispatch(m);
            }
            self.publish(0, id as u16);
        }
        if n > 0 {
            self.take_snapshot();
            self.notify_remote(Q_RX);
        }
    }

    fn dispatch(&mut self, m: Message) {
        self.delivered += 1;
        if m.dst == NS {
            if m.data.len() != 40 {
                self.errors
                    .push(format!("malformed ns msg of {} bytes", m.data.len()));
                return;
            }
            let raw = &m.data[..32];
            let name =
                String::from_utf8_lossy(&raw[..raw.iter().position(|&c| c == 0).unwrap_or(32)])
                    .into_owned();
            let addr = u32::from_le_bytes(m.data[32..36].try_into().unwrap());
            let flags = u32::from_le_bytes(m.data[36..40].try_into().unwrap());
            if m.src != addr {
                self.errors.push("ns message src differs from addr".into());
            }
            self.announcements.push((name.clone(), addr, flags));
            match flags {
                0 if !self
                    .channels
                    .iter()
                    .any(|c| c.name == name && c.remote == addr) =>
                {
                    let local = self.next_addr;
                    self.next_addr += 1;
                    self.channels.push(Channel {
                        name,
                        local,
                        remote: addr,
                        inbox: VecDeque::new(),
                    });
                }
                0 => {}
                1 => self
                    .channels
                    .retain(|c| !(c.name == name && c.remote == addr)),
                f => self.errors.push(format!("ns flags {f}")),
            }
            return;
        }
        match self.channels.iter_mut().find(|c| c.local == m.dst) {
            Some(c) => c.inbox.push_back(m),
            None => self.unrouted.push(m),
        }
    }

    // ---- helpers for tests ----

    /// The channel created for `name`.
    pub fn channel(&self, name: &str) -> &Channel {
        self.channels
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no channel {name}"))
    }

    /// Pops the oldest message received on channel `name`.
    pub fn take(&mut self, name: &str) -> Option<Message> {
        self.channels
            .iter_mut()
            .find(|c| c.name == name)?
            .inbox
            .pop_front()
    }

    /// Overwrites input-ring descriptor `id` (a corrupt Linux).
    pub fn corrupt_rx_desc(&mut self, id: u16, addr: u64, len: u32, flags: u16) {
        self.write_desc(0, id, addr, len, flags, 0);
        self.take_snapshot();
    }

    /// Overwrites the available index of `ring` (a corrupt Linux).
    pub fn set_avail_idx(&mut self, ring: usize, idx: u16) {
        self.w16(VRING[ring] + AVAIL + 2, idx);
        self.take_snapshot();
        self.kick_remote(ring as u32);
    }

    /// The available index of `ring` as Linux last published it.
    pub fn avail_idx(&self, ring: usize) -> u16 {
        if ring == 0 {
            self.rx_avail
        } else {
            self.tx_avail
        }
    }

    /// Free TX buffers (not counting ones the remote returned but Linux
    /// has not reclaimed).
    pub fn tx_free(&self) -> usize {
        self.tx_free.len()
    }

    /// Input-ring buffers currently with the remote.
    pub fn rx_outstanding(&self) -> usize {
        self.rx_out.iter().filter(|o| **o).count()
    }

    /// Output-ring buffers currently with the remote.
    pub fn tx_outstanding(&self) -> usize {
        self.tx_out.iter().filter(|o| **o).count()
    }

    /// Number of TX buffers this model was set up with.
    pub fn n_tx(&self) -> usize {
        self.n_tx
    }
}
