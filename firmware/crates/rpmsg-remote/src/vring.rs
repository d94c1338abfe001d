// SPDX-License-Identifier: MIT OR Apache-2.0
//! The device side of one legacy split virtqueue.
//!
//! Layout at the ring's offset (see [`crate::config`]): descriptor table
//! (`u64 addr, u32 len, u16 flags, u16 next` per entry), available ring
//! (`u16 flags, u16 idx, u16 ring[num], u16 used_event`), padding to `ALIGN`,
//! used ring (`u16 flags, u16 idx, {u32 id, u32 len}[num], u16 avail_event`).
//! Linux (the driver) writes the descriptors and the available ring; the
//! remote (the device) only reads them and writes the used ring.
//!
//! # Index rules
//!
//! Only the device writes `used.idx`, and Linux must find it at 0 when it
//! creates a ring, so it zeroes the ring memory first. Therefore:
//!
//! * `used.idx` differing from the value we last wrote means the ring was
//!   re-created (Linux module reload) or we restarted: take the index found
//!   in memory as the new start (`last_avail = used = used.idx`) and forget
//!   every buffer taken from the old ring (the generation changes);
//! * the available index going back behind what we consumed means the same;
//! * `avail.idx - used.idx > NUM` can never happen with a sane driver (it
//!   owns only `NUM` descriptors): the ring is treated as empty and reported.
//!
//! All index arithmetic wraps at 65536 as in virtio.

use crate::config::{
    avail_offset, lite_like, ring_offsets, used_offset, vring_size, Config, HDR_LEN,
};
use crate::platform::Fault;
use crate::shm::SharedMemory;
use core::marker::PhantomData;

/// Descriptor flag: the buffer continues in `next`.
const F_NEXT: u16 = 1;
/// Descriptor flag: the buffer is a table of descriptors.
const F_INDIRECT: u16 = 4;

/// A validated buffer: where it is in the window and how many bytes of it
/// (header included) the stack may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Buf {
    /// Window offset of the buffer (4-byte aligned).
    pub off: u32,
    /// Descriptor index (the id that goes back in the used ring).
    pub id: u16,
    /// Usable payload bytes: `min(descriptor len, BUF_SIZE) - HDR_LEN`.
    pub room: u16,
}

/// Whether `len` bytes at `off` overlap the vring at `ring` (a buffer
/// there would let Linux make us overwrite ring structures).
fn overlaps_ring<C: Config>(off: u32, len: u32, ring: u32) -> bool {
    off < ring + vring_size(C::NUM, C::ALIGN) && ring < off + len
}

/// Device-side state of one virtqueue: vring `R` (0 or 1) of layout `C`,
/// whose window offsets are therefore constants.
#[derive(Debug)]
pub(crate) struct Vq<C, const R: usize> {
    /// Next available-ring position to consume.
    last_avail: u16,
    /// Our copy of `used.idx` (the next used-ring position to fill).
    used: u16,
    /// `avail.idx` as read by the latest [`resync`](Self::resync): what
    /// [`pop`](Self::pop) consumes up to, so an operation reads it once.
    avail: u16,
    /// Changes whenever the ring is re-created; stamps buffer handles.
    pub gen: u8,
    /// Entries returned since a return last asked for a kick
    /// ([`push_used_wakes`](Self::push_used_wakes)).
    unkicked: u16,
    _c: PhantomData<C>,
}

impl<C: Config, const R: usize> Vq<C, R> {
    /// Window offset of the ring.
    const BASE: u32 = ring_offsets::<C>()[R];

    /// State for the ring, before any sync.
    pub const fn new() -> Self {
        Self {
            last_avail: 0,
            used: 0,
            avail: 0,
            gen: 0,
            unkicked: 0,
            _c: PhantomData,
        }
    }

    fn avail_idx_off(&self) -> u32 {
        Self::BASE + avail_offset(C::NUM) + 2
    }

    fn used_off(&self) -> u32 {
        Self::BASE + used_offset(C::NUM, C::ALIGN)
    }

    /// Reads the ring's indices: detects a re-created ring (module reload,
    /// or our own restart) and resynchronises to the indices found in
    /// memory, and notes the available index for [`pop`](Self::pop).
    /// Returns `true` if it resynchronised; buffers taken before are then
    /// stale.
    pub fn resync<S: SharedMemory>(&mut self, shm: &S) -> bool {
        let used = shm.read_u16(self.used_off() + 2);
        let avail = shm.read_u16(self.avail_idx_off());
        if used == self.used && avail == self.avail {
            // Nothing new (the last look was consistent): nothing to do.
            return false;
        }
        self.avail = avail;
        let behind = avail.wrapping_sub(used) < self.last_avail.wrapping_sub(used);
        if used == self.used && !behind {
            return false;
        }
        self.used = used;
        self.last_avail = used;
        self.gen = self.gen.wrapping_add(1);
        // A re-created ring: Linux has every buffer it has not made
        // available.
        self.unkicked = 0;
        true
    }

    /// Whether the ring may have been re-created since the latest
    /// [`resync`](Self::resync): its used index in memory is not the one
    /// we wrote (Linux zeroes a new ring's), or ours is 0, where only the
    /// available index falling behind what we consumed tells a new ring.
    /// Reads the used index only. (A used index we publish just as Linux
    /// zeroes the ring lands in the new one; then, as in `resync`, only
    /// an available index behind what we consumed tells.)
    #[inline(always)]
    pub fn may_be_recreated<S: SharedMemory>(&self, shm: &S) -> bool {
        self.used == 0 || shm.read_u16(self.used_off() + 2) != self.used
    }

    /// Reads the ring's indices as stock rpmsg-lite does (a
    /// [`LITE_LIKE`](crate::Config::LITE_LIKE) device): the used index is
    /// taken from memory, as rpmsg-lite increments the one in the ring at
    /// every return, and the next position to consume is kept whatever
    /// the ring says. Never resynchronises: after Linux zeroed and
    /// refilled the ring, consuming goes on from the old position.
    #[cfg(feature = "lite-like")]
    pub fn follow<S: SharedMemory>(&mut self, shm: &S) {
        self.used = shm.read_u16(self.used_off() + 2);
        self.avail = shm.read_u16(self.avail_idx_off());
    }

    /// Number of available entries not yet consumed as of the latest
    /// [`resync`](Self::resync), or the fault if the available index is
    /// implausible. For a `LITE_LIKE` device (after `follow`), the
    /// distance from the next position to consume to the available index,
    /// unchecked, as rpmsg-lite consumes while the two differ.
    #[inline(always)]
    pub fn pending(&self) -> Result<u16, Fault> {
        if lite_like::<C>() {
            return Ok(self.avail.wrapping_sub(self.last_avail));
        }
        if self.avail.wrapping_sub(self.used) > C::NUM {
            return Err(Fault::AvailJump);
        }
        // `last_avail` lies in `used ..= avail` (resync keeps it there).
        Ok(self.avail.wrapping_sub(self.last_avail))
    }

    /// Takes the next available entry seen by the latest
    /// [`resync`](Self::resync): its descriptor index (unchecked).
    pub fn pop<S: SharedMemory>(&mut self, shm: &S) -> Result<Option<u16>, Fault> {
        // Nothing to take first (the common case of a look that found
        // nothing): an available index equal to `last_avail` is never
        // more than NUM ahead of `used`, as every entry taken was checked
        // below and `used` only moves up to `last_avail` (except through
        // feature `unchecked`'s raw writes, in test firmware only).
        if self.avail == self.last_avail {
            return Ok(None);
        }
        // What `pending` checks, without building its result.
        if !lite_like::<C>() && self.avail.wrapping_sub(self.used) > C::NUM {
            return Err(Fault::AvailJump);
        }
        // In a local: the barrier would make the compiler read it again.
        let last_avail = self.last_avail;
        // Read the entry only after the index that published it.
        shm.barrier();
        let slot = u32::from(last_avail & (C::NUM - 1));
        let id = shm.read_u16(Self::BASE + avail_offset(C::NUM) + 4 + 2 * slot);
        self.last_avail = last_avail.wrapping_add(1);
        Ok(Some(id))
    }

    /// Validates descriptor `id` as a single buffer inside the window.
    pub fn buffer<S: SharedMemory>(&self, shm: &S, id: u16) -> Result<Buf, Fault> {
        if id >= C::NUM {
            return Err(Fault::DescIndex);
        }
        let d = Self::BASE + u32::from(id) * 16;
        let flags = shm.read_u16(d + 12);
        if flags & (F_NEXT | F_INDIRECT) != 0 {
            return Err(Fault::DescFlags);
        }
        let cap = shm.read_u32(d + 8).min(C::BUF_SIZE);
        if cap < HDR_LEN {
            return Err(Fault::BufferLen);
        }
        // The window does not cross a 4 GiB boundary (checked in `Config`).
        let off = shm.read_u32(d).wrapping_sub(C::WINDOW_PHYS as u32);
        let [r0, r1] = ring_offsets::<C>();
        if shm.read_u32(d + 4) != (C::WINDOW_PHYS >> 32) as u32
            || off > C::WINDOW_SIZE - cap
            || !off.is_multiple_of(4)
            || overlaps_ring::<C>(off, cap, r0)
            || overlaps_ring::<C>(off, cap, r1)
        {
            return Err(Fault::BufferAddress);
        }
        Ok(Buf {
            off,
            id,
            room: (cap - HDR_LEN) as u16,
        })
    }

    /// Returns descriptor `id` to Linux with `len` bytes written and
    /// publishes the new used index.
    pub fn push_used<S: SharedMemory>(&mut self, shm: &S, id: u16, len: u32) {
        self.write_used(shm, u32::from(id), len);
        self.publish_used(shm);
    }

    /// [`push_used`](Self::push_used), then whether Linux may be waiting
    /// for a buffer and needs a kick: the entries with us just before this
    /// return, counted with the available index read *after* the new used
    /// index was published, and the returns since the last one that asked
    /// for a kick (this one included) reach
    /// [`CONSUMED_KICK_AT`](Config::CONSUMED_KICK_AT).
    ///
    /// Why that order: a Linux sender that goes to sleep has made its
    /// buffers available and then read the used index (with a full barrier
    /// in between) and found nothing new. We publish the used index, then
    /// (full barrier) read the available index. Of two such sequences at
    /// least one sees the other's write: either the sender saw our entry
    /// and takes it without sleeping, or we see every buffer it made
    /// available and kick. A look taken earlier in the operation could miss
    /// a buffer made available since, and leave the sender asleep.
    pub fn push_used_wakes<S: SharedMemory>(&mut self, shm: &S, id: u16, len: u32) -> bool {
        let before = self.used;
        self.push_used(shm, id, len);
        // In a local: the barrier would make the compiler read it again.
        let unkicked = self.unkicked.saturating_add(1);
        self.unkicked = unkicked;
        shm.barrier();
        let with_us = shm.read_u16(self.avail_idx_off()).wrapping_sub(before);
        if with_us.saturating_add(unkicked) < C::CONSUMED_KICK_AT {
            return false;
        }
        self.unkicked = 0;
        true
    }

    /// Writes the used entry `{id, len}` at our used index and advances
    /// it, without publishing it: [`publish_used`](Self::publish_used)
    /// must follow before the next [`resync`](Self::resync).
    pub fn write_used<S: SharedMemory>(&mut self, shm: &S, id: u32, len: u32) {
        let e = self.used_off() + 4 + 8 * u32::from(self.used & (C::NUM - 1));
        shm.write_u32(e, id);
        shm.write_u32(e + 4, len);
        self.used = self.used.wrapping_add(1);
    }

    /// Publishes our used index, after the entries it covers.
    pub fn publish_used<S: SharedMemory>(&self, shm: &S) {
        // Read before the barrier, which would make the compiler read it
        // again after (it is ours, not shared).
        let used = self.used;
        // The entries must be visible before the index that publishes them.
        shm.barrier();
        shm.write_u16(self.used_off() + 2, used);
    }

    /// Sets or clears `VRING_USED_F_NO_NOTIFY` (bit 0 of the used ring's
    /// flags, which only the device writes): set, Linux need not kick
    /// after making buffers available in this ring.
    #[inline(always)]
    pub fn set_no_notify<S: SharedMemory>(&self, shm: &S, on: bool) {
        shm.write_u16(self.used_off(), u16::from(on));
    }

    /// Moves our used index by `delta` without writing entries and
    /// publishes it (a device that lies about what it returned).
    #[cfg(feature = "unchecked")]
    pub fn move_used<S: SharedMemory>(&mut self, shm: &S, delta: i16) {
        self.used = self.used.wrapping_add_signed(delta);
        self.publish_used(shm);
    }

    /// The available index in memory, read now (not validated, and not
    /// what [`pop`](Self::pop) consumes up to).
    #[cfg(feature = "unchecked")]
    pub fn read_avail_idx<S: SharedMemory>(&self, shm: &S) -> u16 {
        shm.read_u16(self.avail_idx_off())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shm::CellShm;
    use core::cell::Cell;

    struct Small;
    impl Config for Small {
        const WINDOW_PHYS: u64 = 0x1000;
        const WINDOW_SIZE: u32 = 0x1000;
        const BASE: u64 = 0x1000;
        const VRING1_OFFSET: u32 = 0x800;
        const NUM: u16 = 4;
        const ALIGN: u32 = 0x40;
        const BUF_SIZE: u32 = 64;
    }

    const AVAIL: u32 = 64; // 4 * 16
    const USED: u32 = 128; // 64 + 6 + 8 -> 78 -> 128

    fn desc(shm: &CellShm, i: u32, addr: u64, len: u32, flags: u16) {
        shm.write_u32(i * 16, addr as u32);
        shm.write_u32(i * 16 + 4, (addr >> 32) as u32);
        shm.write_u32(i * 16 + 8, len);
        shm.write_u16(i * 16 + 12, flags);
    }

    #[test]
    fn pops_validates_and_returns() {
        let mut mem = [0u8; 0x1000];
        let shm = CellShm::new(Cell::from_mut(&mut mem[..]).as_slice_of_cells());
        let mut vq = Vq::<Small, 0>::new();
        assert!(!vq.resync(&shm));
        desc(&shm, 0, 0x1400, 64, 2);
        desc(&shm, 1, 0x1400, 100, 0);
        shm.write_u16(AVAIL + 4, 0);
        shm.write_u16(AVAIL + 6, 1);
        shm.write_u16(AVAIL + 2, 2);
        assert_eq!(vq.pending(), Ok(0), "not looked yet");
        assert!(!vq.resync(&shm));
        assert_eq!(vq.pending(), Ok(2));
        let id = vq.pop(&shm).unwrap().unwrap();
        assert_eq!(
            vq.buffer(&shm, id),
            Ok(Buf {
                off: 0x400,
                id: 0,
                room: 48
            })
        );
        let id = vq.pop(&shm).unwrap().unwrap();
        assert_eq!(
            vq.buffer(&shm, id).unwrap().room,
            48,
            "len capped at BUF_SIZE"
        );
        assert_eq!(vq.pop(&shm), Ok(None));
        vq.push_used(&shm, 1, 20);
        assert_eq!(shm.read_u16(USED + 2), 1);
        assert_eq!(shm.read_u32(USED + 4), 1);
        assert_eq!(shm.read_u32(USED + 8), 20);
        assert!(!vq.resync(&shm));
    }

    #[test]
    fn rejects_bad_descriptors() {
        let mut mem = [0u8; 0x1000];
        let shm = CellShm::new(Cell::from_mut(&mut mem[..]).as_slice_of_cells());
        let vq = Vq::<Small, 0>::new();
        assert_eq!(vq.buffer(&shm, 4), Err(Fault::DescIndex));
        desc(&shm, 0, 0x1400, 64, 1);
        assert_eq!(vq.buffer(&shm, 0), Err(Fault::DescFlags));
        desc(&shm, 0, 0x1400, 64, 4);
        assert_eq!(vq.buffer(&shm, 0), Err(Fault::DescFlags));
        desc(&shm, 0, 0x1400, 8, 0);
        assert_eq!(vq.buffer(&shm, 0), Err(Fault::BufferLen));
        desc(&shm, 0, 0xFF0, 64, 0);
        assert_eq!(vq.buffer(&shm, 0), Err(Fault::BufferAddress));
        desc(&shm, 0, 0x1FC8, 64, 0);
        assert_eq!(vq.buffer(&shm, 0), Err(Fault::BufferAddress));
        desc(&shm, 0, 0x1FC0, 64, 0);
        assert!(vq.buffer(&shm, 0).is_ok());
        // Overlapping a vring (Small: vring0 at 0, vring1 at 0x800, 0xA6 long).
        desc(&shm, 0, 0x1000, 64, 0);
        assert_eq!(vq.buffer(&shm, 0), Err(Fault::BufferAddress));
        desc(&shm, 0, 0x1800 - 16, 64, 0);
        assert_eq!(vq.buffer(&shm, 0), Err(Fault::BufferAddress));
        desc(&shm, 0, 0x1800 + 0xA4, 64, 0);
        assert_eq!(vq.buffer(&shm, 0), Err(Fault::BufferAddress));
        desc(&shm, 0, 0x1800 + 0xA8, 64, 0);
        assert!(vq.buffer(&shm, 0).is_ok());
        desc(&shm, 0, 0x1402, 64, 0);
        assert_eq!(vq.buffer(&shm, 0), Err(Fault::BufferAddress));
        desc(&shm, 0, 0x1_0000_1400, 64, 0);
        assert_eq!(vq.buffer(&shm, 0), Err(Fault::BufferAddress));
    }

    #[test]
    fn detects_recreated_ring_and_jumps() {
        let mut mem = [0u8; 0x1000];
        let shm = CellShm::new(Cell::from_mut(&mut mem[..]).as_slice_of_cells());
        let mut vq = Vq::<Small, 0>::new();
        shm.write_u16(AVAIL + 2, 3);
        assert!(!vq.resync(&shm));
        for _ in 0..3 {
            vq.pop(&shm).unwrap().unwrap();
        }
        vq.push_used(&shm, 0, 0);
        // Linux zeroes the ring: used.idx no longer ours.
        shm.write_u16(AVAIL + 2, 0);
        shm.write_u16(USED + 2, 0);
        let gen = vq.gen;
        assert!(vq.resync(&shm));
        assert_ne!(vq.gen, gen);
        assert_eq!(vq.pending(), Ok(0));
        // Avail going back behind consumption with used still 0.
        shm.write_u16(AVAIL + 2, 2);
        assert!(!vq.resync(&shm));
        vq.pop(&shm).unwrap().unwrap();
        vq.pop(&shm).unwrap().unwrap();
        shm.write_u16(AVAIL + 2, 1);
        assert!(vq.resync(&shm));
        assert_eq!(vq.pending(), Ok(1));
        // A jump of more than NUM is rejected, not followed.
        shm.write_u16(AVAIL + 2, 5);
        assert!(!vq.resync(&shm));
        assert_eq!(vq.pending(), Err(Fault::AvailJump));
        assert_eq!(vq.pop(&shm), Err(Fault::AvailJump));
    }
}
