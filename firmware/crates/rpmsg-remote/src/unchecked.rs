// SPDX-License-Identifier: MIT OR Apache-2.0
//! Raw writes to vring0, and to what only the driver writes in both
//! vrings, for test firmware that must misbehave towards Linux (feature
//! `unchecked`). **Never enable it in a product.**
//!
//! The rest of the API never writes a used entry, a header or a used index
//! that a correct device would not, and never writes a descriptor table or
//! an available ring at all. These operations do, on purpose, so a
//! test firmware (`apps/rpmsg-hostile`) can check how Linux copes with a
//! remote it cannot trust. They go through the stack's own ring state, so
//! the stack stays coherent with what it wrote: it does not mistake its own
//! corruption for Linux re-creating the rings, and it still notices when
//! Linux does.
//!
//! Buffers are taken with the ordinary [`Device::alloc_tx`] and filled with
//! [`Device::tx_write`]; [`TxBuf::id`] names one.

use crate::config::{avail_offset, ring_offsets, Config};
use crate::device::Device;
use crate::error::Error;
use crate::header::Header;
use crate::platform::Platform;
use crate::shm::SharedMemory;
use crate::tx::TxBuf;

/// A used-ring entry, written exactly as given.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsedEntry {
    /// Descriptor id (a correct entry names a buffer the device holds).
    pub id: u32,
    /// Used length (a correct entry: header plus payload bytes written).
    pub len: u32,
}

/// A descriptor-table entry, written exactly as given (legacy split ring:
/// `addr` as two little-endian words, low first, then `len`, `flags`,
/// `next`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Descriptor {
    /// Buffer address as Linux sees it.
    pub addr: u64,
    /// Buffer length.
    pub len: u32,
    /// `NEXT` (1), `WRITE` (2), `INDIRECT` (4), ...
    pub flags: u16,
    /// The next descriptor of a chain.
    pub next: u16,
}

impl TxBuf {
    /// The buffer's descriptor index: the id a correct used entry for it
    /// carries.
    pub fn id(&self) -> u16 {
        self.buf.id
    }
}

impl<S: SharedMemory, P: Platform, C: Config, const E: usize> Device<S, P, C, E> {
    /// Writes `header` into `tx` as given (any `len` and `flags`); `false`,
    /// and nothing written, for a stale buffer.
    pub fn unchecked_write_header(&self, tx: &TxBuf, header: &Header) -> bool {
        if tx.gen != self.tx.gen {
            return false;
        }
        header.write(&self.shm, tx.buf.off);
        true
    }

    /// Gives `bufs` back to Linux as `entries` (any id, any length) in
    /// vring0's used ring, in order, published by a single used-index
    /// update, then kicks queue 0.
    ///
    /// One entry per buffer taken, so the stack's used index never runs
    /// ahead of the buffers it consumed (its re-creation check relies on
    /// that). A buffer that no entry names stays lost to Linux until it
    /// re-creates the rings. `Stale` if Linux re-created vring0 since one
    /// of `bufs` was taken (as the latest look at the rings saw): nothing
    /// is written, the current buffers are kept for later sends.
    pub fn unchecked_return<const N: usize>(
        &mut self,
        bufs: [TxBuf; N],
        entries: [UsedEntry; N],
    ) -> Result<(), Error> {
        let stale = bufs.iter().any(|b| b.gen != self.tx.gen);
        for b in &bufs {
            if self.hand_back(b).is_ok() && stale {
                self.put_spare(b.buf.id);
            }
        }
        if stale {
            return Err(Error::Stale);
        }
        for e in entries {
            self.tx.write_used(&self.shm, e.id, e.len);
        }
        self.tx.publish_used(&self.shm);
        self.returned(0);
        self.kick();
        Ok(())
    }

    /// Moves vring0's used index by `delta` (wrapping) without writing
    /// entries, and kicks queue 0. Looks at the rings first, as every
    /// operation does, so the move applies to the ring Linux has now.
    ///
    /// The stack's own copy of the index moves too: the stack goes on from
    /// the moved index and does not take it for a re-created ring. A later
    /// re-creation by Linux (used index 0) is noticed unless the moved
    /// index is 0 itself. With the index moved back, Linux seems to have
    /// made more buffers available than it owns, so sending may find
    /// [`Fault::AvailJump`](crate::Fault::AvailJump) until Linux re-creates
    /// the ring.
    pub fn unchecked_move_used(&mut self, delta: i16) {
        self.poll();
        self.tx.move_used(&self.shm, delta);
        self.returned(0);
        self.kick();
    }

    /// vring0's generation: a counter (wrapping at 256) that moves each
    /// time the stack notices that Linux re-created vring0, as of the
    /// latest look at the rings. A test firmware compares it to tell
    /// whether what it planned belongs to a session that is gone.
    pub fn unchecked_generation(&self) -> u8 {
        self.tx.gen
    }

    /// vring0's available index as Linux last wrote it, read now (not
    /// validated): it moves when Linux gives buffers to the remote.
    pub fn unchecked_avail_idx(&self) -> u16 {
        self.tx.read_avail_idx(&self.shm)
    }

    /// Overwrites, in both vrings, what only Linux writes: descriptor `i`
    /// of each descriptor table with `desc(i)` for every `i` below `NUM`,
    /// every entry of each available ring's `ring[]` with `entry`, and each
    /// available ring's `flags` with `flags`. The available indices,
    /// `used_event`, the used rings and the stack's own state are left
    /// alone; nothing is kicked.
    ///
    /// The stack reads the rings afterwards as it always does: every
    /// available entry Linux published before the overwrite and the stack
    /// had not taken yet now reads `entry`, and a spare buffer (taken and
    /// given back unused) reads `desc` when it is validated again for its
    /// next use. What fails validation is reported through
    /// [`Platform::fault`] and skipped as any invalid input is (bounded, no
    /// panic). An entry naming no descriptor (`entry >= NUM`) is never
    /// named in a used entry, so the buffer Linux had published there stays
    /// lost to Linux until it re-creates the rings (as does, on vring0,
    /// every buffer that fails validation). What Linux publishes later is
    /// read as Linux writes it. Since no index moves, the stack does not
    /// take this for re-created rings, and still notices when Linux
    /// re-creates them.
    pub fn unchecked_overwrite_driver_areas(
        &mut self,
        desc: impl Fn(u16) -> Descriptor,
        entry: u16,
        flags: u16,
    ) {
        for ring in ring_offsets::<C>() {
            for i in 0..C::NUM {
                let d = desc(i);
                let off = ring + 16 * u32::from(i);
                self.shm.write_u32(off, d.addr as u32);
                self.shm.write_u32(off + 4, (d.addr >> 32) as u32);
                self.shm.write_u32(off + 8, d.len);
                self.shm.write_u16(off + 12, d.flags);
                self.shm.write_u16(off + 14, d.next);
            }
            let avail = ring + avail_offset(C::NUM);
            self.shm.write_u16(avail, flags);
            for slot in 0..u32::from(C::NUM) {
                self.shm.write_u16(avail + 4 + 2 * slot, entry);
            }
        }
        self.shm.barrier();
    }
}
