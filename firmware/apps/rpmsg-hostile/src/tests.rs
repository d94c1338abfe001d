// SPDX-License-Identifier: MIT OR Apache-2.0
//! The hostile service on the real stack, driven by rpmsg-remote's model of
//! the Linux master: announcements, the byte-exact loopback (also split
//! over small buffers), the control protocol, and a stall after which the
//! remote touches neither the shared memory nor the mailbox again; and the
//! corruptions of vring0's used ring: each armed by its command with
//! nothing corrupt yet, then triggered by the next loopback message (not
//! looped back) and checked byte for byte in the shared memory, addressed
//! to the trigger's sender, each followed by Linux re-creating the rings
//! and the loopback working again; and garbage over both rings' driver
//! areas, checked byte for byte, after which the remote serves on with
//! what Linux gives back, bounded, until Linux re-creates the rings.

extern crate std;

use std::cell::{Cell, RefCell};
use std::vec::Vec;

use rpmsg_remote::testing::guard::{Guard, Sim64k};
use rpmsg_remote::testing::linux::{
    memory, Linux, Message, AVAIL, BUF, BUF_AREA, NUM, PHYS, SIZE, USED, VRING,
};
use rpmsg_remote::testing::sim::Sim;
use rpmsg_remote::{kick_word, CellShm, Device, Fault, SharedMemory};

use super::*;

/// Shared memory that counts every access the remote makes. Writes into a
/// descriptor table or an available ring fail the test (the guard), unless
/// a `ring-garbage` test lets them through ([`scribbling`]).
#[derive(Clone, Copy)]
struct Counted<'a> {
    inner: Guard<'a>,
    /// The same window without the guard.
    raw: CellShm<'a>,
    touches: &'a Cell<u64>,
}

impl Counted<'_> {
    fn touch(&self) {
        self.touches.set(self.touches.get() + 1);
    }

    /// Notes a write of `n` bytes at `off`; whether it goes past the guard.
    fn scribbles(&self, off: u32, n: usize) -> bool {
        if !SCRIBBLING.get() {
            return false;
        }
        WRITES.with(|w| w.borrow_mut().push(off));
        (off..off + n as u32).any(in_driver_area)
    }
}

std::thread_local! {
    /// Every value the remote wrote to vring0's used index (per test).
    static PUBLISHED: RefCell<Vec<u16>> = const { RefCell::new(Vec::new()) };
    /// The remote may write into the driver areas (per test).
    static SCRIBBLING: Cell<bool> = const { Cell::new(false) };
    /// Where the remote wrote while [`SCRIBBLING`], in order.
    static WRITES: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// Takes the used-index values written since the last call.
fn published() -> Vec<u16> {
    PUBLISHED.with(|p| core::mem::take(&mut *p.borrow_mut()))
}

/// Lets the remote write into the driver areas, recording where it writes
/// (`true`), or makes such a write fail the test again (`false`). Returns
/// the offsets written while it was let.
fn scribbling(on: bool) -> Vec<u32> {
    SCRIBBLING.set(on);
    WRITES.with(|w| core::mem::take(&mut *w.borrow_mut()))
}

/// Whether window offset `off` is in a descriptor table or an available
/// ring (up to the used ring's page).
fn in_driver_area(off: u32) -> bool {
    VRING.iter().any(|&r| (r..r + USED).contains(&off))
}

impl SharedMemory for Counted<'_> {
    fn read_u16(&self, off: u32) -> u16 {
        self.touch();
        self.inner.read_u16(off)
    }
    fn read_u32(&self, off: u32) -> u32 {
        self.touch();
        self.inner.read_u32(off)
    }
    fn write_u16(&self, off: u32, val: u16) {
        self.touch();
        if off == USED_IDX {
            PUBLISHED.with(|p| p.borrow_mut().push(val));
        }
        if self.scribbles(off, 2) {
            return self.raw.write_u16(off, val);
        }
        self.inner.write_u16(off, val)
    }
    fn write_u32(&self, off: u32, val: u32) {
        self.touch();
        if self.scribbles(off, 4) {
            return self.raw.write_u32(off, val);
        }
        self.inner.write_u32(off, val)
    }
    fn read_bytes(&self, off: u32, out: &mut [u8]) {
        self.touch();
        self.inner.read_bytes(off, out)
    }
    fn write_bytes(&self, off: u32, data: &[u8]) {
        self.touch();
        if self.scribbles(off, data.len()) {
            return self.raw.write_bytes(off, data);
        }
        self.inner.write_bytes(off, data)
    }
}

type Dev<'l, 'm> = Device<Counted<'m>, Sim<'l, 'm>, Sim64k, 2>;

/// Generous timeout: the simulated clock only moves while nothing happens.
const T: u32 = 10_000;
const TTY: &str = "rpmsg-tty";
const CTL: &str = "rpmsg-hostile-ctl";
/// An address Linux's `rpmsg_ctrl` might give a test's endpoint: no
/// channel of the model has it, so answers to it land in `unrouted`.
const CTRL_EPT: u32 = 1100;

/// A device over `mem` whose accesses are counted in `touches`.
fn device<'l, 'm>(
    mem: &'m [Cell<u8>],
    touches: &'m Cell<u64>,
    linux: &'l RefCell<Linux<'m>>,
) -> Dev<'l, 'm> {
    let shm = Counted {
        inner: Guard::new(mem),
        raw: CellShm::new(mem),
        touches,
    };
    Device::new(shm, Sim::new(linux))
}

/// `n` bytes with NULs and every byte value in them.
fn payload(n: usize, seed: usize) -> Vec<u8> {
    (0..n)
        .map(|i| if i % 7 == 3 { 0 } else { (i * 13 + seed) as u8 })
        .collect()
}

/// Every message Linux received on channel `name`, oldest first.
fn drain(linux: &RefCell<Linux>, name: &str) -> Vec<Message> {
    let mut l = linux.borrow_mut();
    l.step();
    core::iter::from_fn(|| l.take(name)).collect()
}

/// Both channels announced and created on the Linux side; returns Linux's
/// local addresses of (tty channel, control channel).
fn linked(dev: &mut Dev, linux: &RefCell<Linux>) -> (u32, u32) {
    dev.wait_link(T).unwrap();
    for _ in 0..4 {
        linux.borrow_mut().step();
        dev.poll();
    }
    let l = linux.borrow();
    (l.channel(TTY).local, l.channel(CTL).local)
}

/// Sends `cmd` to the control address from `src`, serves it, and returns
/// what was served and the answer Linux got.
fn command(
    h: &mut Hostile,
    dev: &mut Dev,
    linux: &RefCell<Linux>,
    src: u32,
    cmd: &[u8],
) -> (Served, Vec<u8>) {
    linux.borrow_mut().send(src, CTL_ADDR, cmd);
    let served = h.serve(dev, T).unwrap();
    let mut l = linux.borrow_mut();
    l.step();
    let m = match l.channels.iter_mut().find(|c| c.local == src) {
        Some(c) => c.inbox.pop_front(),
        None => l.unrouted.pop(),
    };
    let m = m.expect("an answer");
    assert_eq!((m.src, m.dst), (CTL_ADDR, src));
    (served, m.data)
}

fn assert_clean(linux: &RefCell<Linux>, dev: &Dev) {
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "Linux saw: {:?}", l.errors);
    assert!(l.unrouted.is_empty(), "unrouted: {:?}", l.unrouted);
    assert!(
        dev.platform().errors().is_empty(),
        "faults: {:?}",
        dev.platform().errors()
    );
}

#[test]
fn both_channels_are_announced_when_linux_fills_its_ring() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::unprobed(&mem));
    let mut dev = device(&mem, &touches, &linux);
    let mut h = Hostile::new(&mut dev).unwrap();
    assert_eq!((h.tty().addr(), h.ctl().addr()), (31, 40));
    assert_eq!(h.serve(&mut dev, 20), Err(Error::Timeout));
    assert!(linux.borrow().announcements.is_empty());

    linux.borrow_mut().init(0, 8, 8);
    let (t, c) = linked(&mut dev, &linux);
    assert_eq!((t, c), (1024, 1025));
    assert_eq!(
        linux.borrow().announcements,
        [(TTY.into(), 31, 0), (CTL.into(), 40, 0)]
    );
    assert_eq!(h.serve(&mut dev, 20), Err(Error::Timeout));
    assert!(!h.is_stalled());
    assert_clean(&linux, &dev);
}

#[test]
fn loopback_returns_every_size_unchanged() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev = device(&mem, &touches, &linux);
    let mut h = Hostile::new(&mut dev).unwrap();
    let (local, _) = linked(&mut dev, &linux);
    for n in 0..=496 {
        let data = payload(n, n);
        linux.borrow_mut().send(local, TTY_ADDR, &data);
        assert_eq!(h.serve(&mut dev, T), Ok(Served::Loopback { parts: 1 }));
        let got = drain(&linux, TTY);
        assert_eq!(got.len(), 1, "size {n}");
        assert_eq!((got[0].src, got[0].dst), (TTY_ADDR, local));
        assert_eq!(got[0].data, data, "size {n}");
    }
    let st = h.stats();
    assert_eq!((st.looped, st.parts, st.dropped), (497, 497, 0));
    assert_clean(&linux, &dev);
}

#[test]
fn loopback_splits_over_small_buffers_in_order() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    // Linux's input buffers offer 100 payload bytes instead of 496.
    for id in 0..8u16 {
        let addr = PHYS + u64::from(BUF_AREA[0] + u32::from(id) * BUF);
        linux.borrow_mut().corrupt_rx_desc(id, addr, 16 + 100, 2);
    }
    let mut dev = device(&mem, &touches, &linux);
    let mut h = Hostile::new(&mut dev).unwrap();
    let (local, _) = linked(&mut dev, &linux);
    for n in [0, 1, 99, 100, 101, 250, 496] {
        let data = payload(n, 5);
        linux.borrow_mut().send(local, TTY_ADDR, &data);
        let parts = n.div_ceil(100).max(1);
        assert_eq!(
            h.serve(&mut dev, T),
            Ok(Served::Loopback {
                parts: parts as u16
            }),
            "size {n}"
        );
        let got = drain(&linux, TTY);
        assert_eq!(got.len(), parts, "size {n}");
        assert!(got.iter().all(|m| m.data.len() <= 100 && m.dst == local));
        let joined: Vec<u8> = got.into_iter().flat_map(|m| m.data).collect();
        assert_eq!(joined, data, "size {n}");
    }
    assert_clean(&linux, &dev);
}

#[test]
fn commands_are_answered_to_their_sender() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let mut dev = device(&mem, &touches, &linux);
    let mut h = Hostile::new(&mut dev).unwrap();
    let (_, ctl) = linked(&mut dev, &linux);
    let pong = (Served::Command(Some(Command::Ping)), b"pong".to_vec());
    for cmd in [&b"ping"[..], b"ping\n", b"ping\0", b"  ping extra args"] {
        assert_eq!(command(&mut h, &mut dev, &linux, ctl, cmd), pong, "{cmd:?}");
        // From an endpoint made with rpmsg_ctrl, not the announced channel.
        assert_eq!(command(&mut h, &mut dev, &linux, CTRL_EPT, cmd), pong);
    }
    let unknown = |w: &str| {
        (
            Served::Command(None),
            std::format!("unknown {w}").into_bytes(),
        )
    };
    for (cmd, word) in [
        (&b"hello"[..], "hello"),
        (b"PING", "PING"),
        (b"pingpong\r\n", "pingpong"),
        (b"stal", "stal"),
        (b"", ""),
        (b" \n\0", ""),
    ] {
        assert_eq!(
            command(&mut h, &mut dev, &linux, CTRL_EPT, cmd),
            unknown(word),
            "{cmd:?}"
        );
    }
    // A long word is cut in the answer; only COMMAND_MAX bytes are read.
    let long = [b'x'; 300];
    assert_eq!(
        command(&mut h, &mut dev, &linux, ctl, &long),
        unknown(&"x".repeat(WORD_MAX))
    );
    // Loopback and control traffic interleave.
    let tty = linux.borrow().channel(TTY).local;
    linux.borrow_mut().send(tty, TTY_ADDR, b"between");
    assert_eq!(h.serve(&mut dev, T), Ok(Served::Loopback { parts: 1 }));
    assert_eq!(drain(&linux, TTY)[0].data, b"between");
    assert_eq!(h.stats().commands, 15);
    assert!(!h.is_stalled());
    assert_clean(&linux, &dev);
}

#[test]
fn command_words_and_parsing() {
    for c in Command::ALL {
        assert_eq!(Command::parse(c.word()), Ok(c));
    }
    assert_eq!(Command::Ping.after(), After::Serve);
    assert_eq!(Command::Stall.after(), After::Stall);
    for (word, c) in [
        (&b"used-short"[..], Corruption::UsedShort),
        (b"used-long", Corruption::UsedLong),
        (b"hdr-long", Corruption::HdrLong),
        (b"idx-back", Corruption::IdxBack),
        (b"idx-ahead", Corruption::IdxAhead),
        (b"id-range", Corruption::IdRange),
        (b"id-twice", Corruption::IdTwice),
    ] {
        assert_eq!(Command::parse(word).map(Command::after), Ok(After::Arm(c)));
    }
    assert_eq!(Command::parse(b"id-stale"), Err(&b"id-stale"[..]));
    assert_eq!(
        Command::parse(b"ns-nonul").map(Command::after),
        Ok(After::Ns(NsFault::NoNul))
    );
    assert_eq!(
        Command::parse(b"ns-ctrl").map(Command::after),
        Ok(After::Ns(NsFault::Ctrl))
    );
    assert_eq!(
        Command::parse(b"ns-flags").map(Command::after),
        Ok(After::Ns(NsFault::Flags))
    );
    assert_eq!(
        Command::parse(b"ns-flood").map(Command::after),
        Ok(After::Ns(NsFault::Flood))
    );
    assert_eq!(
        Command::parse(b"ring-garbage").map(Command::after),
        Ok(After::RingGarbage)
    );
    assert_eq!(Command::parse(b"kick-storm"), Ok(Command::KickStorm));
    assert_eq!(Command::KickStorm.after(), After::KickStorm);
    let words: Vec<u32> = (0..4).map(storm_word).collect();
    assert_eq!(words, [0, 0x1_0000, 0, 0x1_0000]);
    assert_eq!((STORM_WORDS, STORM_PATIENCE), (10_000, 100));
    assert_eq!(Command::parse(b"\tstall now"), Ok(Command::Stall));
    assert_eq!(Command::parse(b"stall!"), Err(&b"stall!"[..]));
    assert_eq!(Command::parse(b"\0\0"), Err(&b""[..]));
}

#[test]
fn stall_answers_then_never_touches_the_rings_or_kicks_again() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 4));
    let mut dev = device(&mem, &touches, &linux);
    let mut h = Hostile::new(&mut dev).unwrap();
    let (tty, ctl) = linked(&mut dev, &linux);
    linux.borrow_mut().send(tty, TTY_ADDR, b"before");
    assert_eq!(h.serve(&mut dev, T), Ok(Served::Loopback { parts: 1 }));
    assert_eq!(drain(&linux, TTY)[0].data, b"before");

    let answer = command(&mut h, &mut dev, &linux, CTRL_EPT, b"stall\n");
    assert_eq!(
        answer,
        (Served::Command(Some(Command::Stall)), b"ok stall".to_vec())
    );
    assert!(h.is_stalled());
    let (seen, kicks) = (touches.get(), dev.platform().kicks.len());
    let delivered = linux.borrow().delivered;

    // Linux goes on sending: a stream on the tty, commands, more than it
    // has buffers for. Nothing is consumed, answered or kicked.
    for i in 0..6u8 {
        linux.borrow_mut().send(tty, TTY_ADDR, &[i; 40]);
    }
    linux.borrow_mut().send(ctl, CTL_ADDR, b"ping");
    for _ in 0..50 {
        assert_eq!(h.serve(&mut dev, T), Ok(Served::Stalled));
        linux.borrow_mut().step();
    }
    {
        let l = linux.borrow();
        assert_eq!(
            l.tx_outstanding(),
            4,
            "every Linux buffer stays with the remote"
        );
        assert_eq!(l.tx_free(), 0);
        assert_eq!(l.blocked.len(), 3, "the other senders wait");
        assert!(l.sleeping);
        assert_eq!(l.delivered, delivered);
    }
    assert!(drain(&linux, TTY).is_empty() && drain(&linux, CTL).is_empty());

    // Not even re-created rings bring it back.
    linux.borrow_mut().init(0, 8, 4);
    for _ in 0..10 {
        assert_eq!(h.serve(&mut dev, T), Ok(Served::Stalled));
    }
    assert_eq!(touches.get(), seen, "the remote touched the window");
    assert_eq!(dev.platform().kicks.len(), kicks, "the remote kicked");
    let st = h.stats();
    assert_eq!((st.looped, st.commands, st.dropped), (1, 1, 0));
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "Linux saw: {:?}", l.errors);
    assert!(l.channels.is_empty(), "nothing announced after the reload");
}

// ---- corruptions of vring0's used ring ----

/// Window offset of vring0's used index.
const USED_IDX: u32 = VRING[0] + USED + 2;

/// What a test's trigger message carries (never seen back).
const TRIGGER: &[u8] = b"trigger\n";

/// vring0's used entry at index `i`: (id, len).
fn used_entry(l: &Linux, i: u16) -> (u32, u32) {
    let e = VRING[0] + USED + 4 + 8 * u32::from(i % NUM);
    (l.r32(e), l.r32(e + 4))
}

/// Every used entry of vring0, in ring order.
fn used_entries(l: &Linux) -> Vec<(u32, u32)> {
    (0..NUM).map(|i| used_entry(l, i)).collect()
}

/// vring0's available entry at index `i`.
fn avail_entry(l: &Linux, i: u16) -> u16 {
    l.r16(VRING[0] + AVAIL + 4 + 2 * u32::from(i % NUM))
}

/// The raw header of vring0 buffer `id`: (src, dst, reserved, len, flags),
/// and the first `n` payload bytes.
fn buffer(l: &Linux, id: u32, n: usize) -> ((u32, u32, u32, u16, u16), Vec<u8>) {
    let b = (u64::from(l.r32(VRING[0] + id * 16)) - PHYS) as u32;
    let h = (
        l.r32(b),
        l.r32(b + 4),
        l.r32(b + 8),
        l.r16(b + 12),
        l.r16(b + 14),
    );
    (h, l.bytes(b + 16, n))
}

/// What a message the remote served left in vring0.
#[derive(Debug)]
struct Shot {
    served: Served,
    /// Used index before the message.
    before: u16,
    /// Every used index the remote published while serving it, in order.
    published: Vec<u16>,
    /// The next two available entries when the message was sent: the
    /// buffers the remote takes next.
    next: [u16; 2],
    /// Kicks of queue 0 while serving it.
    kicks: usize,
    /// Every used entry before the message.
    entries: Vec<(u32, u32)>,
}

/// Kicks of queue 0 so far.
fn kicks0(dev: &Dev) -> usize {
    let k = kick_word(0);
    dev.platform().kicks.iter().filter(|&&w| w == k).count()
}

/// Sends `data` from `src` to `dst` and serves it, Linux not running
/// meanwhile.
fn shoot(h: &mut Hostile, dev: &mut Dev, linux: &RefCell<Linux>, msg: (u32, u32, &[u8])) -> Shot {
    let (before, next, entries) = {
        let l = linux.borrow();
        let u = l.r16(USED_IDX);
        // Everything taken was returned: the remote takes from `u` on.
        let next = [avail_entry(&l, u), avail_entry(&l, u.wrapping_add(1))];
        (u, next, used_entries(&l))
    };
    let kicks = kicks0(dev);
    published();
    linux.borrow_mut().send(msg.0, msg.1, msg.2);
    let served = h.serve(dev, T).unwrap();
    let published = published();
    assert_eq!(published.last(), Some(&linux.borrow().r16(USED_IDX)));
    Shot {
        served,
        before,
        published,
        next,
        kicks: kicks0(dev) - kicks,
        entries,
    }
}

/// Sends `cmd` from `CTRL_EPT` and serves it (a misbehaviour that starts
/// at once).
fn immediate(h: &mut Hostile, dev: &mut Dev, linux: &RefCell<Linux>, cmd: &[u8]) -> Shot {
    shoot(h, dev, linux, (CTRL_EPT, CTL_ADDR, cmd))
}

/// The corruption a corruption word arms.
fn armed_by(word: &str) -> Corruption {
    match Command::parse(word.as_bytes()).map(Command::after) {
        Ok(After::Arm(c)) => c,
        other => panic!("{word} arms nothing: {other:?}"),
    }
}

/// Arms `word` from `CTRL_EPT`: the answer `ok <word>` is the only thing
/// published (one index update, one kick), nothing corrupt happens yet,
/// and Linux takes the answer cleanly.
fn arm(h: &mut Hostile, dev: &mut Dev, linux: &RefCell<Linux>, word: &str) {
    let u = linux.borrow().r16(USED_IDX);
    let (kicks, misbehaved) = (kicks0(dev), h.stats().misbehaved);
    published();
    let got = command(h, dev, linux, CTRL_EPT, word.as_bytes());
    let ok = std::format!("ok {word}").into_bytes();
    let c = Command::parse(word.as_bytes()).ok();
    assert_eq!(got, (Served::Command(c), ok), "{word}");
    assert_eq!(published(), [u.wrapping_add(1)], "{word}: only the answer");
    assert_eq!(kicks0(dev) - kicks, 1, "{word}");
    assert_eq!(h.armed(), Some(armed_by(word)));
    assert_eq!(h.stats().misbehaved, misbehaved, "{word}: nothing done yet");
    assert!(linux.borrow().errors.is_empty(), "{word}");
}

/// Sends [`TRIGGER`] on the loopback channel and serves it, Linux not
/// running meanwhile; checks the trigger was taken and disarmed, and not
/// counted as looped back. Returns the shot and the trigger's sender.
fn trigger(h: &mut Hostile, dev: &mut Dev, linux: &RefCell<Linux>, word: &str) -> (Shot, u32) {
    let tty = linux.borrow().channel(TTY).local;
    let looped = h.stats().looped;
    let s = shoot(h, dev, linux, (tty, TTY_ADDR, TRIGGER));
    assert_eq!(s.served, Served::Corrupted(armed_by(word)));
    assert_eq!(h.armed(), None, "{word}: disarmed");
    assert_eq!(h.stats().looped, looped);
    (s, tty)
}

/// Linux runs: returns the messages its loopback channel got and what it
/// reported. Checks that the trigger's buffer came back (none is left
/// with the remote) and that nothing went to an unknown address.
fn linux_sees(linux: &RefCell<Linux>) -> (Vec<Message>, Vec<std::string::String>) {
    let got = drain(linux, TTY);
    let mut l = linux.borrow_mut();
    l.reclaim();
    assert_eq!(l.tx_outstanding(), 0, "the trigger was released");
    assert!(l.unrouted.is_empty(), "unrouted: {:?}", l.unrouted);
    assert!(
        got.iter().all(|m| m.data != TRIGGER),
        "the trigger came back"
    );
    (got, core::mem::take(&mut l.errors))
}

/// Checks that the entry at `at` is the answer `ok <word>` to `CTRL_EPT`,
/// in buffer `id`.
fn assert_answer(l: &Linux, at: u16, id: u16, word: &str) {
    let text = std::format!("ok {word}").into_bytes();
    assert_eq!(used_entry(l, at), (u32::from(id), 16 + text.len() as u32));
    let (hdr, data) = buffer(l, u32::from(id), text.len());
    assert_eq!(hdr, (CTL_ADDR, CTRL_EPT, 0, text.len() as u16, 0));
    assert_eq!(data, text);
}

/// Linux runs; returns what it reported and checks it got the answer.
fn linux_takes(linux: &RefCell<Linux>, word: &str) -> Vec<std::string::String> {
    let mut l = linux.borrow_mut();
    l.step();
    let answer = std::format!("ok {word}").into_bytes();
    let got = l.unrouted.drain(..).collect::<Vec<_>>();
    assert_eq!(
        got,
        [Message {
            src: CTL_ADDR,
            dst: CTRL_EPT,
            data: answer
        }]
    );
    core::mem::take(&mut l.errors)
}

/// A device linked to a fresh Linux with 8 buffers per ring.
fn setup<'l, 'm>(
    mem: &'m [Cell<u8>],
    touches: &'m Cell<u64>,
    linux: &'l RefCell<Linux<'m>>,
) -> (Dev<'l, 'm>, Hostile) {
    let mut dev = device(mem, touches, linux);
    let h = Hostile::new(&mut dev).unwrap();
    linked(&mut dev, linux);
    (dev, h)
}

/// One loopback message of `n` bytes goes round.
fn loops(h: &mut Hostile, dev: &mut Dev, linux: &RefCell<Linux>, n: usize) {
    let tty = linux.borrow().channel(TTY).local;
    let data = payload(n, n);
    linux.borrow_mut().send(tty, TTY_ADDR, &data);
    assert_eq!(h.serve(dev, T), Ok(Served::Loopback { parts: 1 }));
    let got = drain(linux, TTY);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].data, data);
}

/// The remote did not take its own corruption for re-created rings: it
/// did not resynchronise and announced nothing again.
fn assert_coherent(linux: &RefCell<Linux>, dev: &mut Dev) {
    dev.poll();
    let resets = dev.platform().faults.iter();
    assert!(
        !resets.clone().any(|f| matches!(f, Fault::RingReset(_))),
        "the remote resynchronised: {:?}",
        dev.platform().faults
    );
    assert_eq!(linux.borrow().announcements.len(), 2, "announced again");
}

/// Linux re-creates the rings (a transport reload): the remote notices,
/// announces both channels again and serves the loopback and commands.
fn recovers(h: &mut Hostile, dev: &mut Dev, linux: &RefCell<Linux>) {
    linux.borrow_mut().init(0, 8, 8);
    linux.borrow_mut().announcements.clear();
    dev.platform_mut().faults.clear();
    linked(dev, linux);
    assert_eq!(
        linux.borrow().announcements,
        [(TTY.into(), 31, 0), (CTL.into(), 40, 0)]
    );
    assert!(dev.platform().faults.contains(&Fault::RingReset(0)));
    for n in [0, 7, 496] {
        loops(h, dev, linux, n);
    }
    let pong = (Served::Command(Some(Command::Ping)), b"pong".to_vec());
    assert_eq!(command(h, dev, linux, CTRL_EPT, b"ping"), pong);
    assert_eq!(h.armed(), None);
    assert_clean(linux, dev);
}

/// The three lying messages: armed by the command, then at the trigger
/// the next buffer returned under its own id with the given used length
/// and header, addressed to the trigger's sender.
fn lying_message(word: &str, used: u32, hdr_len: u16, payload: &[u8]) {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = setup(&mem, &touches, &linux);
    loops(&mut h, &mut dev, &linux, 5);
    arm(&mut h, &mut dev, &linux, word);
    let (s, tty) = trigger(&mut h, &mut dev, &linux, word);
    assert_eq!(s.published, [s.before.wrapping_add(1)], "one index update");
    assert_eq!(s.kicks, 1, "one kick for the lie");
    {
        let l = linux.borrow();
        let b = s.next[0];
        assert_eq!(used_entry(&l, s.before), (u32::from(b), used));
        let (hdr, data) = buffer(&l, u32::from(b), payload.len());
        assert_eq!(
            hdr,
            (TTY_ADDR, tty, 0, hdr_len, 0),
            "to the trigger's sender"
        );
        assert_eq!(data, payload);
    }
    assert_eq!(h.stats().misbehaved, 1);
    let (got, seen) = linux_sees(&linux);
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(
        seen,
        [std::format!("bad used len {used} for payload {hdr_len}")]
    );
    // The remote serves on with the ring as it is, then after a reload.
    loops(&mut h, &mut dev, &linux, 100);
    assert_clean(&linux, &dev);
    assert_coherent(&linux, &mut dev);
    recovers(&mut h, &mut dev, &linux);
}

#[test]
fn used_short_returns_a_buffer_with_used_length_8() {
    lying_message("used-short", 8, 65535, b"");
}

#[test]
fn used_long_returns_a_buffer_with_used_length_4096() {
    lying_message("used-long", 4096, 4, b"LONG");
}

#[test]
fn hdr_long_returns_a_header_length_beyond_the_used_length() {
    lying_message("hdr-long", 20, 400, b"LONG");
}

/// Buffer `id` is not named by a used entry in the next `n` messages.
fn withheld(h: &mut Hostile, dev: &mut Dev, linux: &RefCell<Linux>, id: u16) {
    for n in 0..24 {
        let at = linux.borrow().r16(USED_IDX);
        loops(h, dev, linux, n);
        let (got, _) = used_entry(&linux.borrow(), at);
        assert_ne!(got, u32::from(id), "withheld buffer {id} came back");
    }
}

#[test]
fn id_range_publishes_id_4660_and_withholds_the_buffer() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = setup(&mem, &touches, &linux);
    arm(&mut h, &mut dev, &linux, "id-range");
    let (s, _) = trigger(&mut h, &mut dev, &linux, "id-range");
    assert_eq!(s.published, [s.before.wrapping_add(1)], "one index update");
    assert_eq!(s.kicks, 1);
    assert_eq!(used_entry(&linux.borrow(), s.before), (4660, 20));
    assert_eq!(h.stats().misbehaved, 1);
    let (got, seen) = linux_sees(&linux);
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(seen, ["vring0 used id 4660 not outstanding"]);
    withheld(&mut h, &mut dev, &linux, s.next[0]);
    assert_clean(&linux, &dev);
    assert_coherent(&linux, &mut dev);
    recovers(&mut h, &mut dev, &linux);
}

#[test]
fn id_twice_names_an_empty_message_buffer_twice_in_one_publication() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = setup(&mem, &touches, &linux);
    loops(&mut h, &mut dev, &linux, 3);
    arm(&mut h, &mut dev, &linux, "id-twice");
    let (s, tty) = trigger(&mut h, &mut dev, &linux, "id-twice");
    assert_eq!(s.published, [s.before.wrapping_add(2)], "one index update");
    assert_eq!(s.kicks, 1, "both entries share one kick");
    {
        let l = linux.borrow();
        let a = u32::from(s.next[0]);
        assert_eq!(used_entry(&l, s.before), (a, 16));
        assert_eq!(used_entry(&l, s.before + 1), (a, 16));
        let (hdr, _) = buffer(&l, a, 0);
        assert_eq!(hdr, (TTY_ADDR, tty, 0, 0, 0), "a valid, empty message");
    }
    assert_eq!(h.stats().misbehaved, 1);
    // The model gives a buffer back to the remote as soon as it takes it,
    // so it cannot tell the second entry from a sound one (Linux's
    // transport checks a whole publication first): it reads the empty
    // message twice. A reader gets no bytes from either.
    let (got, seen) = linux_sees(&linux);
    let empty = Message {
        src: TTY_ADDR,
        dst: tty,
        data: std::vec![],
    };
    assert_eq!(got, [empty.clone(), empty]);
    assert!(seen.is_empty(), "{seen:?}");
    assert_coherent(&linux, &mut dev);
    recovers(&mut h, &mut dev, &linux);
}

#[test]
fn idx_back_moves_the_used_index_back_by_one() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = setup(&mem, &touches, &linux);
    loops(&mut h, &mut dev, &linux, 9);
    arm(&mut h, &mut dev, &linux, "idx-back");
    let (s, _) = trigger(&mut h, &mut dev, &linux, "idx-back");
    assert_eq!(s.published, [s.before.wrapping_sub(1)]);
    assert_eq!(s.kicks, 1);
    {
        let l = linux.borrow();
        assert_eq!(used_entries(&l), s.entries, "no entry written");
        assert_eq!(l.avail_idx(0), l.r16(VRING[0] + AVAIL + 2));
    }
    assert_eq!(h.stats().misbehaved, 1);
    let (got, seen) = linux_sees(&linux);
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(seen, ["vring0 used idx jumped by 65535"]);
    // The model follows the index back, so the remote serves on.
    loops(&mut h, &mut dev, &linux, 40);
    assert_clean(&linux, &dev);
    assert_coherent(&linux, &mut dev);
    recovers(&mut h, &mut dev, &linux);
}

#[test]
fn idx_ahead_moves_the_used_index_1000_ahead_without_entries() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = setup(&mem, &touches, &linux);
    loops(&mut h, &mut dev, &linux, 11);
    arm(&mut h, &mut dev, &linux, "idx-ahead");
    let (s, _) = trigger(&mut h, &mut dev, &linux, "idx-ahead");
    assert_eq!(s.published, [s.before.wrapping_add(1000)]);
    assert_eq!(s.kicks, 1);
    assert_eq!(used_entries(&linux.borrow()), s.entries, "no entry written");
    assert_eq!(h.stats().misbehaved, 1);
    let (got, seen) = linux_sees(&linux);
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(seen, ["vring0 used idx jumped by 1000"]);
    // Until Linux re-creates the ring, the remote cannot send: Linux's
    // buffers look implausible next to the index it published.
    let tty = linux.borrow().channel(TTY).local;
    linux.borrow_mut().send(tty, TTY_ADDR, b"lost");
    assert_eq!(h.serve(&mut dev, 50), Err(Error::Timeout));
    let errors = dev.platform().errors();
    assert!(!errors.is_empty() && errors.iter().all(|f| *f == Fault::AvailJump));
    assert_coherent(&linux, &mut dev);
    recovers(&mut h, &mut dev, &linux);
}

#[test]
fn an_armed_corruption_waits_for_the_loopback_and_the_last_command_wins() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = setup(&mem, &touches, &linux);
    arm(&mut h, &mut dev, &linux, "used-short");
    // Other commands neither trigger nor disarm it.
    let pong = (Served::Command(Some(Command::Ping)), b"pong".to_vec());
    assert_eq!(command(&mut h, &mut dev, &linux, CTRL_EPT, b"ping"), pong);
    let unknown = command(&mut h, &mut dev, &linux, CTRL_EPT, b"nope");
    assert_eq!(unknown, (Served::Command(None), b"unknown nope".to_vec()));
    let s = immediate(&mut h, &mut dev, &linux, b"ns-nonul");
    assert_eq!(s.served, Served::Command(Some(Command::NsNoNul)));
    assert_eq!(s.published.len(), 2, "the answer and the announcement");
    assert!(linux_takes(&linux, "ns-nonul").is_empty());
    assert_eq!(h.armed(), Some(Corruption::UsedShort));
    assert_eq!(h.stats().misbehaved, 1, "the announcement only");
    // A new corruption command replaces the armed one.
    arm(&mut h, &mut dev, &linux, "idx-ahead");
    arm(&mut h, &mut dev, &linux, "id-range");
    let (s, _) = trigger(&mut h, &mut dev, &linux, "id-range");
    assert_eq!(used_entry(&linux.borrow(), s.before), (4660, 20));
    assert_eq!(h.stats().misbehaved, 2);
    let (got, seen) = linux_sees(&linux);
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(seen, ["vring0 used id 4660 not outstanding"]);
    // Struck once: the next messages go round again.
    for n in [1, 60] {
        loops(&mut h, &mut dev, &linux, n);
    }
    assert_eq!(h.stats().misbehaved, 2);
    assert_clean(&linux, &dev);
    recovers(&mut h, &mut dev, &linux);
}

#[test]
fn re_created_rings_drop_an_armed_corruption() {
    for word in ["used-short", "idx-ahead", "id-twice"] {
        let (mem, touches) = (memory(), Cell::new(0));
        let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
        let (mut dev, mut h) = setup(&mem, &touches, &linux);
        arm(&mut h, &mut dev, &linux, word);
        // The reload's first loopback message goes round unharmed.
        recovers(&mut h, &mut dev, &linux);
        assert_eq!(h.stats().misbehaved, 0, "{word}");
    }
}

// ---- bad name-service messages ----

/// Checks that vring0's used entry at `at` is the name-service message
/// `name`, `addr`, `flags` from `addr` to 53, and returns its buffer id.
fn assert_ns(l: &Linux, at: u16, name: &[u8; 32], addr: u32, flags: u32) -> u32 {
    let (id, len) = used_entry(l, at);
    assert_eq!(len, 56, "header and 40 bytes");
    let (hdr, data) = buffer(l, id, 40);
    assert_eq!(hdr, (addr, 53, 0, 40, 0));
    let mut msg = name.to_vec();
    msg.extend_from_slice(&addr.to_le_bytes());
    msg.extend_from_slice(&flags.to_le_bytes());
    assert_eq!(data, msg);
    id
}

/// A 32-byte name field: `name` and NULs.
fn field(name: &[u8]) -> [u8; 32] {
    let mut f = [0; 32];
    f[..name.len()].copy_from_slice(name);
    f
}

/// Sends an `ns-*` command; checks the answer and that one name-service
/// message `name`, `addr`, `flags` followed it; Linux then takes both.
/// Returns the name Linux read and what Linux reported.
fn one_ns_message(
    word: &str,
    name: &[u8; 32],
    addr: u32,
    flags: u32,
) -> (std::string::String, Vec<std::string::String>) {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = setup(&mem, &touches, &linux);
    let s = immediate(&mut h, &mut dev, &linux, word.as_bytes());
    assert_eq!(
        s.served,
        Served::Command(Command::parse(word.as_bytes()).ok())
    );
    let (u1, u2) = (s.before.wrapping_add(1), s.before.wrapping_add(2));
    assert_eq!(s.published, [u1, u2], "the answer is published first");
    assert_eq!(s.kicks, 2);
    {
        let l = linux.borrow();
        assert_answer(&l, s.before, s.next[0], word);
        let id = assert_ns(&l, u1, name, addr, flags);
        assert_eq!(id, u32::from(s.next[1]));
    }
    assert_eq!(h.stats().misbehaved, 1);
    let seen = linux_takes(&linux, word);
    let (got, a, f) = linux.borrow_mut().announcements.pop().unwrap();
    assert_eq!((a, f), (addr, flags));
    // The remote serves on, and after a reload.
    loops(&mut h, &mut dev, &linux, 33);
    assert_clean(&linux, &dev);
    recovers(&mut h, &mut dev, &linux);
    (got, seen)
}

#[test]
fn ns_nonul_announces_a_name_of_32_bytes_without_nul() {
    let name = b"rpmsg-hostile-nonul-0123456789ab";
    let got = one_ns_message("ns-nonul", name, 41, 0);
    assert_eq!(
        got,
        ("rpmsg-hostile-nonul-0123456789ab".into(), std::vec![])
    );
}

#[test]
fn ns_ctrl_announces_a_name_with_a_line_feed_and_an_ansi_escape() {
    let name = field(b"rpmsg-hostile\n\x1b[31mctrl");
    let got = one_ns_message("ns-ctrl", &name, 42, 0);
    assert_eq!(got, ("rpmsg-hostile\n\u{1b}[31mctrl".into(), std::vec![]));
}

#[test]
fn ns_flags_announces_with_flags_0x80000000() {
    let name = field(b"rpmsg-hostile-flags");
    let got = one_ns_message("ns-flags", &name, 43, 0x8000_0000);
    let seen = std::vec!["ns flags 2147483648".into()];
    assert_eq!(got, ("rpmsg-hostile-flags".into(), seen));
}

#[test]
fn ns_flood_announces_500_channels_then_destroys_them() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = setup(&mem, &touches, &linux);
    linux.borrow_mut().announcements.clear();
    let s = immediate(&mut h, &mut dev, &linux, b"ns-flood");
    assert_eq!(s.served, Served::Command(Some(Command::NsFlood)));
    let every: Vec<u16> = (1..=1001).map(|i| s.before.wrapping_add(i)).collect();
    assert_eq!(s.published, every, "the answer, then one update a message");
    assert_eq!(s.kicks, 1001);
    // The last message is still in the ring.
    let last = s.before.wrapping_add(1000);
    assert_ns(&linux.borrow(), last, &field(b"flood-499"), 2499, 1);
    assert_eq!(h.stats().misbehaved, 1);
    assert!(linux_takes(&linux, "ns-flood").is_empty());
    let want: Vec<_> = [0, 1]
        .into_iter()
        .flat_map(|f| (0..500).map(move |n| (std::format!("flood-{n}"), 2000 + n, f)))
        .collect();
    assert_eq!(linux.borrow().announcements, want);
    assert_eq!(linux.borrow().channels.len(), 2, "every flood channel gone");
    loops(&mut h, &mut dev, &linux, 60);
    assert_clean(&linux, &dev);
    recovers(&mut h, &mut dev, &linux);
}

#[test]
fn kick_storm_answers_and_leaves_the_storm_to_the_m4_program() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = setup(&mem, &touches, &linux);
    let kicks = dev.platform().kicks.len();
    let got = command(&mut h, &mut dev, &linux, CTRL_EPT, b"kick-storm");
    let want = (
        Served::Command(Some(Command::KickStorm)),
        b"ok kick-storm".to_vec(),
    );
    assert_eq!(got, want);
    // One kick per queue: the command's buffer back, the answer.
    assert_eq!(dev.platform().kicks.len() - kicks, 2);
    assert_eq!(h.stats().misbehaved, 0);
    loops(&mut h, &mut dev, &linux, 8);
    assert_clean(&linux, &dev);
}

// ---- garbage over the rings' driver areas ----

/// Bytes `ring-garbage` writes per vring: 256 descriptors of 5 fields, the
/// available flags and 256 available entries.
const GARBAGE_WRITES: usize = 256 * 5 + 1 + 256;

/// Garbage descriptor `i`, as bytes in the window.
fn garbage_desc(i: u16) -> Vec<u8> {
    let mut d = std::vec![i as u8, (i >> 8) as u8, 0, 0, 0xef, 0xbe, 0xad, 0xde];
    d.extend_from_slice(&[0xff; 8]);
    d
}

/// A little-endian `u16` or `u32` at `off` of a copy of the window.
fn le(bytes: &[u8], off: u32, n: usize) -> u32 {
    let b = &bytes[off as usize..off as usize + n];
    b.iter().rev().fold(0, |v, &x| v << 8 | u32::from(x))
}

/// A device linked to a Linux with private rings (our transport) and 8
/// buffers per ring, after a few loopback messages.
fn garbage_setup<'l, 'm>(
    mem: &'m [Cell<u8>],
    touches: &'m Cell<u64>,
    linux: &'l RefCell<Linux<'m>>,
) -> (Dev<'l, 'm>, Hostile) {
    linux.borrow_mut().private_rings = true;
    let (mut dev, mut h) = setup(mem, touches, linux);
    for n in [12, 0, 496] {
        loops(&mut h, &mut dev, linux, n);
    }
    (dev, h)
}

/// Serves `ring-garbage`, sent from `CTRL_EPT`, with the remote let into
/// the driver areas; checks that the answer went out first and only the
/// garbage after it. Linux does not run.
fn garbage(h: &mut Hostile, dev: &mut Dev, linux: &RefCell<Linux>) {
    let u = linux.borrow().r16(USED_IDX);
    let kicks = dev.platform().kicks.len();
    published();
    scribbling(true);
    assert_eq!(
        h.serve(dev, T),
        Ok(Served::Command(Some(Command::RingGarbage)))
    );
    let writes = scribbling(false);
    assert_eq!(published(), [u.wrapping_add(1)], "only the answer");
    assert_eq!(
        dev.platform().kicks[kicks..],
        [kick_word(1), kick_word(0)],
        "the command's buffer back, the answer; nothing for the garbage"
    );
    let first = writes.iter().position(|&o| in_driver_area(o)).unwrap();
    assert_eq!(writes[first - 1], USED_IDX, "the answer is published first");
    assert!(writes[first..].iter().all(|&o| in_driver_area(o)));
    assert_eq!(writes.len() - first, 2 * GARBAGE_WRITES);
}

#[test]
fn ring_garbage_answers_then_overwrites_both_driver_areas_and_nothing_else() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = garbage_setup(&mem, &touches, &linux);
    let cmd = linux
        .borrow_mut()
        .send_tweaked(CTRL_EPT, CTL_ADDR, b"ring-garbage", |_| {})
        .unwrap();
    let before = linux.borrow().bytes(0, SIZE);
    let used1 = VRING[1] + USED + 2;
    let (u0, u1) = (
        le(&before, USED_IDX, 2) as u16,
        le(&before, used1, 2) as u16,
    );
    let avail = VRING.map(|r| le(&before, r + AVAIL + 2, 2));
    // Everything taken was returned: the answer takes the entry at `u0`.
    let answer = le(&before, AVAIL + 4 + 2 * u32::from(u0 % NUM), 2);
    let answer_at = le(&before, answer * 16, 4) - PHYS as u32;
    garbage(&mut h, &mut dev, &linux);
    assert_eq!(h.stats().misbehaved, 1);

    let l = linux.borrow();
    let now = l.bytes(0, SIZE);
    for r in VRING {
        for i in 0..NUM {
            assert_eq!(l.bytes(r + 16 * u32::from(i), 16), garbage_desc(i));
        }
        assert_eq!(l.r16(r + AVAIL), 0xffff, "available flags");
        for slot in 0..u32::from(NUM) {
            assert_eq!(l.r16(r + AVAIL + 4 + 2 * slot), 0xffff);
        }
    }
    // Spot checks, byte for byte: descriptors 0 and 255 of vring0, 0xa5 of
    // vring1; the start of both available rings (flags, index, entries).
    let tail = [0xff; 8];
    assert_eq!(l.bytes(0, 8), [0, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde]);
    assert_eq!(l.bytes(8, 8), tail);
    assert_eq!(l.bytes(0xff0, 8), [0xff, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde]);
    assert_eq!(l.bytes(0x8a50, 8), [0xa5, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde]);
    assert_eq!(l.bytes(0x8a58, 8), tail);
    for (r, a) in VRING.into_iter().zip(avail) {
        let [lo, hi] = (a as u16).to_le_bytes();
        assert_eq!(
            l.bytes(r + AVAIL, 8),
            [0xff, 0xff, lo, hi, 0xff, 0xff, 0xff, 0xff]
        );
    }
    // Both available indices (and used_event) as Linux left them.
    for (r, a) in VRING.into_iter().zip(avail) {
        assert_eq!(l.r16(r + AVAIL + 2), a as u16);
        let event = r + AVAIL + 4 + 2 * u32::from(NUM);
        assert_eq!(
            l.bytes(event, 2),
            before[event as usize..event as usize + 2]
        );
    }
    assert_eq!(avail, [0, 1].map(|r| u32::from(l.avail_idx(r))));
    // The used rings: only the command's release and the answer, one entry
    // and one index update each.
    assert_eq!((l.r16(used1), l.r16(USED_IDX)), (u1 + 1, u0 + 1));
    let e1 = VRING[1] + USED + 4 + 8 * u32::from(u1 % NUM);
    assert_eq!((l.r32(e1), l.r32(e1 + 4)), (u32::from(cmd), 0));
    let text = b"ok ring-garbage";
    assert_eq!(used_entry(&l, u0), (answer, 16 + text.len() as u32));
    let b = answer_at;
    assert_eq!(
        (
            l.r32(b),
            l.r32(b + 4),
            l.r32(b + 8),
            l.r16(b + 12),
            l.r16(b + 14)
        ),
        (CTL_ADDR, CTRL_EPT, 0, text.len() as u16, 0)
    );
    assert_eq!(l.bytes(b + 16, text.len()), text);
    // Nothing else in the window changed.
    let e0 = VRING[0] + USED + 4 + 8 * u32::from(u0 % NUM);
    let expected = |o: u32| {
        in_driver_area(o)
            || (USED_IDX..USED_IDX + 2).contains(&o)
            || (used1..used1 + 2).contains(&o)
            || (e0..e0 + 8).contains(&o)
            || (e1..e1 + 8).contains(&o)
            || (b..b + 16 + text.len() as u32).contains(&o)
    };
    let changed = (0..SIZE as u32).filter(|&o| before[o as usize] != now[o as usize]);
    assert_eq!(changed.filter(|&o| !expected(o)).collect::<Vec<_>>(), []);
    drop(l);

    // Linux (its own copy of the rings) takes the answer as always and
    // gives its buffer back: descriptor, entry and flags as its own again.
    assert!(linux_takes(&linux, "ring-garbage").is_empty());
    {
        let l = linux.borrow();
        let a = avail[0] as u16;
        assert_eq!(l.r16(AVAIL + 2), a.wrapping_add(1));
        assert_eq!(u32::from(avail_entry(&l, a)), answer);
        assert_eq!(l.r16(AVAIL), 0, "available flags");
        let d = (answer * 16) as usize;
        assert_eq!(l.bytes(d as u32, 16), before[d..d + 16]);
        assert_eq!(avail_entry(&l, a.wrapping_add(1)), 0xffff);
        assert_eq!(avail_entry(&l, a.wrapping_sub(1)), 0xffff);
    }
    assert_coherent(&linux, &mut dev);
    assert_clean(&linux, &dev);
    recovers(&mut h, &mut dev, &linux);
}

#[test]
fn after_ring_garbage_the_remote_skips_what_it_finds_and_serves_with_what_comes_back() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = garbage_setup(&mem, &touches, &linux);
    let tty = linux.borrow().channel(TTY).local;
    // A loopback message waits in vring1 behind the command.
    linux.borrow_mut().send(CTRL_EPT, CTL_ADDR, b"ring-garbage");
    linux.borrow_mut().send(tty, TTY_ADDR, b"lost");
    garbage(&mut h, &mut dev, &linux);
    assert_eq!(linux.borrow().rx_outstanding(), 8, "7 available, 1 answer");
    assert!(linux_takes(&linux, "ring-garbage").is_empty());

    // The next message: the lost one's entry and the 7 empty buffers
    // Linux had made available read 65535, each reported once and skipped;
    // the answer's buffer, given back after the garbage, carries it.
    loops(&mut h, &mut dev, &linux, 30);
    assert_eq!(dev.platform().errors(), [Fault::DescIndex; 8]);
    {
        let mut l = linux.borrow_mut();
        l.reclaim();
        assert_eq!(l.tx_outstanding(), 1, "the lost message's buffer");
        assert_eq!(l.rx_outstanding(), 8, "7 lost, 1 given back again");
        assert!(l.errors.is_empty(), "Linux saw: {:?}", l.errors);
    }
    // One buffer goes round: the loopback and the commands work on.
    for n in [496, 0, 77] {
        loops(&mut h, &mut dev, &linux, n);
    }
    let pong = (Served::Command(Some(Command::Ping)), b"pong".to_vec());
    assert_eq!(command(&mut h, &mut dev, &linux, CTRL_EPT, b"ping"), pong);
    assert_eq!(dev.platform().errors().len(), 8, "nothing more to skip");
    let st = h.stats();
    assert_eq!((st.misbehaved, st.dropped), (1, 0));
    assert_coherent(&linux, &mut dev);
    recovers(&mut h, &mut dev, &linux);
}

#[test]
fn after_ring_garbage_with_no_buffer_back_the_remote_waits_bounded_until_one_comes() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, mut h) = garbage_setup(&mem, &touches, &linux);
    let tty = linux.borrow().channel(TTY).local;
    // Linux does not take the answer yet: no sound buffer is left to the
    // remote (on the board, Linux took the answer before the garbage hit).
    linux.borrow_mut().paused = true;
    linux.borrow_mut().send(CTRL_EPT, CTL_ADDR, b"ring-garbage");
    garbage(&mut h, &mut dev, &linux);
    for round in 0..3 {
        linux.borrow_mut().send(tty, TTY_ADDR, b"no buffer");
        let waits = dev.platform().waits;
        assert_eq!(h.serve(&mut dev, 50), Err(Error::Timeout), "round {round}");
        assert!(
            dev.platform().waits - waits <= 2,
            "it sleeps, round {round}"
        );
        // The 7 garbage entries are skipped at the first look only.
        assert_eq!(dev.platform().errors(), [Fault::DescIndex; 7]);
    }
    assert_eq!(h.stats().dropped, 3);
    {
        let mut l = linux.borrow_mut();
        l.reclaim();
        assert_eq!(l.tx_outstanding(), 0, "every message was released");
    }
    assert!(drain(&linux, TTY).is_empty());
    // Linux takes the answer and gives its buffer back: serving resumes.
    linux.borrow_mut().paused = false;
    assert!(linux_takes(&linux, "ring-garbage").is_empty());
    for n in [1, 496] {
        loops(&mut h, &mut dev, &linux, n);
    }
    assert_eq!(dev.platform().errors().len(), 7);
    assert_coherent(&linux, &mut dev);
    recovers(&mut h, &mut dev, &linux);
}
