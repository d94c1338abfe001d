// SPDX-License-Identifier: GPL-2.0
//! Which buffers the remote holds, and the checks every used entry the
//! remote writes must pass before the virtio core sees it.
//!
//! Pure bookkeeping, no memory access: [`super::shadow`] reads each value
//! from the shared ring once and hands it here. A buffer is *given* when
//! the glue publishes its descriptor chain to the remote and *taken back*
//! when a used entry returns it; an entry that returns a buffer the remote
//! does not hold, or with a length the buffer cannot have, is a [`Fault`].

use kernel::{fmt, prelude::*};

/// The smallest used length a ring accepts, and what it is called in the
/// fault message ("used length 8 below the RPMsg header (16 bytes)").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MinUsed {
    /// Bytes.
    pub(crate) len: u32,
    /// What needs them.
    pub(crate) what: &'static str,
}

impl MinUsed {
    /// No minimum (device-readable buffers, whose used length is a hint).
    pub(crate) const NONE: Self = Self { len: 0, what: "" };
}

/// A used-ring value the remote wrote that no correct device writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fault {
    /// `used.idx` moved from `from` to `to`: more entries than the remote
    /// holds buffers (`held`), which includes moving backwards.
    Index {
        /// The index the glue had taken entries up to.
        from: u16,
        /// The index the remote wrote.
        to: u16,
        /// Buffers the remote held.
        held: u16,
    },
    /// A used id beyond the descriptor table of `num` entries.
    IdRange {
        /// The id.
        id: u32,
        /// Descriptors in the ring.
        num: u16,
    },
    /// A used id naming a descriptor the remote does not hold.
    NotHeld {
        /// The id.
        id: u32,
    },
    /// A used length below the ring's minimum.
    Short {
        /// The length.
        len: u32,
        /// The minimum.
        min: MinUsed,
    },
    /// A used length above the size of the buffer it returns.
    Long {
        /// The length.
        len: u32,
        /// Bytes of the buffer.
        size: u32,
    },
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Fault::Index { from, to, .. } if to.wrapping_sub(from) > 0x8000 => {
                write!(f, "used index moved back from {from} to {to}")
            }
            Fault::Index { from, to, held } => write!(
                f,
                "used index jumped from {from} to {to} ({} entries), but the remote holds {held} buffers",
                to.wrapping_sub(from)
            ),
            Fault::IdRange { id, num } => {
                write!(f, "used id {id} out of range ({num} descriptors)")
            }
            Fault::NotHeld { id } => write!(
                f,
                "used id {id} is not a buffer the remote holds (returned twice, or never given)"
            ),
            Fault::Short { len, min } => {
                write!(f, "used length {len} below {} ({} bytes)", min.what, min.len)
            }
            Fault::Long { len, size } => {
                write!(f, "used length {len} above the buffer size ({size} bytes)")
            }
        }
    }
}

/// The buffers one ring's remote holds, and the used index taken up to.
pub(crate) struct Tracker {
    /// Per descriptor: the byte size of the chain it heads while the remote
    /// holds it.
    held: KVec<Option<u32>>,
    /// Buffers the remote holds.
    count: u16,
    /// Shared `used.idx` taken up to (= the private ring's `used.idx`).
    used: u16,
    min: MinUsed,
}

impl Tracker {
    /// Nothing given yet, for a ring of `num` (≤ 32768) descriptors.
    pub(crate) fn new(num: u16, min: MinUsed) -> Result<Self> {
        let mut held = KVec::with_capacity(usize::from(num), GFP_KERNEL)?;
        held.resize(usize::from(num), None, GFP_KERNEL)?;
        Ok(Self {
            held,
            count: 0,
            used: 0,
            min,
        })
    }

    /// Descriptors in the ring.
    fn num(&self) -> u16 {
        // `new` made `held` `num` ≤ 32768 entries long.
        self.held.len() as u16
    }

    /// The used index taken up to.
    pub(crate) fn used(&self) -> u16 {
        self.used
    }

    /// Buffers the remote holds.
    pub(crate) fn held(&self) -> u16 {
        self.count
    }

    /// The chain headed by `head` (`size` bytes) goes to the remote. The
    /// virtio core never gives a buffer twice; should it, the call is a
    /// no-op so the count stays right.
    pub(crate) fn give(&mut self, head: u16, size: u32) {
        if let Some(slot @ None) = self.held.get_mut(usize::from(head)) {
            *slot = Some(size);
            self.count += 1;
        }
    }

    /// How many new used entries the remote's `used.idx` of `to` publishes.
    pub(crate) fn new_entries(&self, to: u16) -> Result<u16, Fault> {
        let n = to.wrapping_sub(self.used);
        if n > self.count {
            return Err(Fault::Index {
                from: self.used,
                to,
                held: self.count,
            });
        }
        Ok(n)
    }

    /// Checks the next used entry (`id`, `len`, each read once) and, if it
    /// is sound, takes its buffer back and advances the used index.
    pub(crate) fn take(&mut self, id: u32, len: u32) -> Result<(), Fault> {
        let num = self.num();
        let slot = usize::try_from(id)
            .ok()
            .and_then(|i| self.held.get_mut(i))
            .ok_or(Fault::IdRange { id, num })?;
        let size = slot.ok_or(Fault::NotHeld { id })?;
        if len < self.min.len {
            return Err(Fault::Short { len, min: self.min });
        }
        if len > size {
            return Err(Fault::Long { len, size });
        }
        *slot = None;
        self.count -= 1;
        self.used = self.used.wrapping_add(1);
        Ok(())
    }
}
