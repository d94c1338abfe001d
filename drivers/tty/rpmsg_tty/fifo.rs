// SPDX-License-Identifier: GPL-2.0
//! The transmit FIFO of one tty: bytes written by the tty layer, kept as
//! *records* of at most one message each, so that every `write()` becomes
//! its own message(s) — the boundaries the remote sees are the writer's,
//! split at the MTU, never merged — and a record is removed only after it
//! was sent. Pure logic; the port puts it behind a spinlock, except the
//! bytes of the record being sent.
//!
//! One sender at a time (the port's one transmit work item) sends the
//! oldest record straight from the ring, without the lock:
//! [`RecordFifo::front`] marks it as being sent, and from then until the
//! sender's [`RecordFifo::pop`] the FIFO neither writes its bytes nor gives
//! them away, [`RecordFifo::clear`] included (it keeps that one record,
//! which still counts as pending).

use core::ptr;
use kernel::prelude::*;

/// Bytes buffered per tty: a writer streaming into a full FIFO is woken
/// once half of it was sent, so the FIFO's size sets how often it sleeps
/// and wakes (at 64 KiB, 32 times per MiB streamed; at 16 KiB it was
/// 128, and the context switches cost more than the tty's own code).
pub(crate) const FIFO_BYTES: usize = 64 * 1024;
/// Records (messages) buffered per tty: a full FIFO of whole 496-byte
/// messages needs 133.
pub(crate) const FIFO_RECORDS: usize = 256;

/// `i` wrapped into a ring of `n`, for `i < 2 * n` (an index below `n`
/// plus a count of at most `n`): a subtraction where `%` would be a
/// library division on ARMv7-A.
fn wrap(i: usize, n: usize) -> usize {
    debug_assert!(i < 2 * n);
    if i >= n {
        i - n
    } else {
        i
    }
}

/// A ring of bytes cut into records.
pub(crate) struct RecordFifo {
    /// From `kvmalloc`: a 64 KiB piece of contiguous memory is not always
    /// free, and nothing but the CPU reads this.
    data: KVVec<u8>,
    lens: KVec<u16>,
    /// Index in `lens` of the oldest record.
    rec_head: usize,
    /// Records held.
    recs: usize,
    /// Index in `data` of the oldest byte.
    byte_head: usize,
    /// Bytes held.
    bytes: usize,
    /// Sequence number of the oldest record.
    head_seq: u64,
    /// The oldest record is being sent (see [`Self::front`]).
    sending: bool,
}

/// The oldest record, being sent: from [`RecordFifo::front`].
pub(crate) struct Front {
    /// Its sequence number, for [`RecordFifo::pop`].
    pub(crate) seq: u64,
    /// Its bytes in the ring, if they do not wrap around its end: valid
    /// until the record is popped, for as long as the FIFO lives (its
    /// buffer never moves or changes size after [`RecordFifo::new`]).
    pub(crate) bytes: Option<*const u8>,
    /// Its length.
    pub(crate) len: usize,
}

impl RecordFifo {
    /// An empty FIFO of `bytes` bytes and `records` records.
    pub(crate) fn new(bytes: usize, records: usize) -> Result<Self> {
        let mut data = KVVec::with_capacity(bytes, GFP_KERNEL)?;
        data.resize(bytes, 0, GFP_KERNEL)?;
        let mut lens = KVec::with_capacity(records, GFP_KERNEL)?;
        lens.resize(records, 0, GFP_KERNEL)?;
        Ok(Self {
            data,
            lens,
            rec_head: 0,
            recs: 0,
            byte_head: 0,
            bytes: 0,
            head_seq: 0,
            sending: false,
        })
    }

    /// Bytes held (written, not sent yet).
    pub(crate) fn pending(&self) -> usize {
        self.bytes
    }

    /// Bytes a write could add now, with records of at most `mtu` bytes.
    pub(crate) fn room(&self, mtu: usize) -> usize {
        let free_bytes = self.data.len() - self.bytes;
        let free_recs = self.lens.len() - self.recs;
        free_bytes.min(free_recs.saturating_mul(mtu))
    }

    /// Adds as much of `src` as fits, cut into records of at most `mtu`
    /// bytes; returns how many bytes it took.
    pub(crate) fn push(&mut self, src: &[u8], mtu: usize) -> usize {
        let mtu = mtu.min(u16::MAX as usize);
        let take = src.len().min(self.room(mtu));
        let mut done = 0;
        while done < take {
            let len = (take - done).min(mtu);
            self.copy_in(&src[done..done + len]);
            let slot = wrap(self.rec_head + self.recs, self.lens.len());
            // `len <= mtu <= u16::MAX`.
            self.lens[slot] = len as u16;
            self.recs += 1;
            done += len;
        }
        done
    }

    /// The oldest record, or `None` if the FIFO is empty; marks it as being
    /// sent until [`Self::pop`]: its bytes stay as they are and where they
    /// are, so the caller may read them through [`Front::bytes`] without
    /// holding the FIFO's lock. For the one sender only, which follows
    /// each call with `pop(seq)` once the record is sent (or given up).
    pub(crate) fn front(&mut self) -> Option<Front> {
        if self.recs == 0 {
            return None;
        }
        self.sending = true;
        let len = self.lens[self.rec_head] as usize;
        let bytes = (self.byte_head + len <= self.data.len())
            .then(|| self.data.as_ptr().wrapping_add(self.byte_head));
        Some(Front {
            seq: self.head_seq,
            bytes,
            len,
        })
    }

    /// Copies the oldest record into `out` (for one that wraps around the
    /// end of the ring); returns its length, or `None` if the FIFO is
    /// empty. `out` must hold a record (the `mtu` given to
    /// [`Self::push`]); a longer one is cut.
    pub(crate) fn copy_front(&self, out: &mut [u8]) -> Option<usize> {
        if self.recs == 0 {
            return None;
        }
        let len = (self.lens[self.rec_head] as usize).min(out.len());
        let first = len.min(self.data.len() - self.byte_head);
        out[..first].copy_from_slice(&self.data[self.byte_head..self.byte_head + first]);
        out[first..len].copy_from_slice(&self.data[..len - first]);
        Some(len)
    }

    /// Ends the sending of the record [`Self::front`] gave the sender and
    /// removes it if it is still the oldest record, `seq` ([`Self::clear`]
    /// keeps it). Returns whether it did.
    pub(crate) fn pop(&mut self, seq: u64) -> bool {
        self.sending = false;
        if self.recs == 0 || seq != self.head_seq {
            return false;
        }
        let len = self.lens[self.rec_head] as usize;
        self.byte_head = wrap(self.byte_head + len, self.data.len());
        self.bytes -= len;
        self.rec_head = wrap(self.rec_head + 1, self.lens.len());
        self.recs -= 1;
        self.head_seq = self.head_seq.wrapping_add(1);
        true
    }

    /// Discards everything held but a record being sent (which its
    /// sender pops when done).
    pub(crate) fn clear(&mut self) {
        if self.sending && self.recs > 0 {
            self.recs = 1;
            self.bytes = self.lens[self.rec_head] as usize;
        } else {
            // A stale sequence number pops nothing.
            self.head_seq = self.head_seq.wrapping_add(self.recs as u64);
            self.recs = 0;
            self.bytes = 0;
        }
    }

    /// Appends `src` (which fits) at the tail, wrapping at the end.
    fn copy_in(&mut self, src: &[u8]) {
        let cap = self.data.len();
        let tail = wrap(self.byte_head + self.bytes, cap);
        let first = src.len().min(cap - tail);
        let base = self.data.as_mut_ptr();
        // SAFETY: `src` fits in the free part of the ring (caller), which
        // starts at `tail` and wraps to 0: both ranges are inside the
        // buffer and hold no record, so no sender reads them, and `src`
        // (the tty layer's bytes) is not part of it. Written through the
        // raw pointer (`Vec::as_mut_ptr` returns the buffer's pointer and
        // makes no reference to its contents), never through a slice of
        // the whole buffer, which would alias the record a sender reads.
        unsafe {
            ptr::copy_nonoverlapping(src.as_ptr(), base.add(tail), first);
            ptr::copy_nonoverlapping(src.as_ptr().add(first), base, src.len() - first);
        }
        self.bytes += src.len();
    }
}
