// SPDX-License-Identifier: GPL-2.0
//! The shared-memory layout and kick encoding of the i.MX RPMsg wire
//! contract (design.md §5), as pure functions: what the transport checks
//! the device tree against and how it numbers and signals its rings.
//!
//! * Each vdev owns 64 KiB at `base + vdev * 0x10000`: vring0 (messages to
//!   Linux, Linux's "input" ring) at +0, vring1 (messages to the remote) at
//!   +0x8000; 256 descriptors each, used ring aligned to 0x1000.
//! * Queue id `2 * vdev + ring`; a kick in either direction is the MU word
//!   `queue_id << 16` on channel 1.

use crate::virtio::device::vring_size;
use crate::Window;

/// Bytes of shared memory per vdev.
pub(crate) const VDEV_SIZE: u64 = 0x1_0000;
/// Offset of ring `n` in a vdev's window.
pub(crate) const RING_OFFSET: [usize; 2] = [0, 0x8000];
/// Bytes available to one ring.
pub(crate) const RING_SPAN: usize = 0x8000;
/// Descriptors per ring.
pub(crate) const RING_NUM: u32 = 256;
/// Alignment of the used ring (and of the window).
pub(crate) const RING_ALIGN: u32 = 0x1000;
/// Rings per vdev.
pub(crate) const RINGS_PER_VDEV: u32 = 2;
/// Most vdevs one node may declare: every queue id must fit the 16 bits of
/// a kick word, and we keep the dispatch table small. NXP's largest trees
/// use two.
pub(crate) const MAX_VDEVS: u32 = 16;

// A ring of this geometry fits its half of the vdev window.
const _: () = assert!(match vring_size(RING_NUM, RING_ALIGN) {
    Some(size) => size <= RING_SPAN,
    None => false,
});

/// Why a window and vdev count do not make a valid layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LayoutError {
    /// `vdev-nums` is 0.
    NoVdevs,
    /// `vdev-nums` exceeds [`MAX_VDEVS`].
    TooManyVdevs(u32),
    /// The window is smaller than `vdevs * VDEV_SIZE` (carries the need).
    TooSmall(u64),
    /// The window does not start on a [`RING_ALIGN`] boundary.
    Misaligned,
    /// The window ends above 4 GiB, out of the remote's reach.
    OutOfReach,
}

/// A checked layout: where every vdev's rings are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    window: Window,
    vdevs: u32,
}

impl Layout {
    /// Checks `vdevs` vdevs against `window`.
    pub(crate) fn new(window: Window, vdevs: u32) -> Result<Self, LayoutError> {
        if vdevs == 0 {
            return Err(LayoutError::NoVdevs);
        }
        if vdevs > MAX_VDEVS {
            return Err(LayoutError::TooManyVdevs(vdevs));
        }
        let need = u64::from(vdevs) * VDEV_SIZE;
        if window.size < need {
            return Err(LayoutError::TooSmall(need));
        }
        if window.start % u64::from(RING_ALIGN) != 0 {
            return Err(LayoutError::Misaligned);
        }
        match window.start.checked_add(need) {
            Some(end) if end <= 1 << 32 => {}
            _ => return Err(LayoutError::OutOfReach),
        }
        Ok(Self { window, vdevs })
    }

    /// The window that holds the rings.
    pub(crate) fn window(&self) -> Window {
        self.window
    }

    /// Number of vdevs.
    pub(crate) fn vdevs(&self) -> u32 {
        self.vdevs
    }

    /// Number of queue ids (two per vdev).
    pub(crate) fn queues(&self) -> u32 {
        self.vdevs * RINGS_PER_VDEV
    }

    /// Offset in the window of `ring` (0 or 1) of `vdev`, if both exist.
    pub(crate) fn ring_offset(&self, vdev: u32, ring: usize) -> Option<usize> {
        if vdev >= self.vdevs {
            return None;
        }
        let base = usize::try_from(u64::from(vdev) * VDEV_SIZE).ok()?;
        Some(base + *RING_OFFSET.get(ring)?)
    }

    /// Physical (= remote) address of `ring` of `vdev`.
    pub(crate) fn ring_address(&self, vdev: u32, ring: usize) -> Option<u64> {
        let off = self.ring_offset(vdev, ring)?;
        Some(self.window.start + off as u64)
    }
}

/// Queue id of `ring` of `vdev`.
pub(crate) const fn queue_id(vdev: u32, ring: u32) -> u32 {
    vdev * RINGS_PER_VDEV + ring
}

/// The vdev and ring of queue id `qid`.
pub(crate) const fn split_queue_id(qid: u32) -> (u32, u32) {
    (qid / RINGS_PER_VDEV, qid % RINGS_PER_VDEV)
}

/// The MU word that kicks queue `qid`.
pub(crate) const fn kick_word(qid: u32) -> u32 {
    qid << 16
}

/// The queue id a received MU word kicks, if it is one of the `queues`
/// queue ids in use. The low half of the word is not part of the contract
/// and is ignored.
pub(crate) const fn decode_kick(word: u32, queues: u32) -> Option<u32> {
    let qid = word >> 16;
    if qid < queues {
        Some(qid)
    } else {
        None
    }
}
