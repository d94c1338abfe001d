// SPDX-License-Identifier: GPL-2.0
//! Validated rings: the virtio core's `virtio_ring` works on a private copy
//! of each ring, and the glue moves entries between the copy and the ring
//! the remote shares.
//!
//! * **Out** ([`Shadow::publish`], at every notification): the descriptor
//!   chains and available entries the driver added since the last one,
//!   then the available index; the available flags stay 0 (see
//!   [`Shadow::publish`]). The remote's writes to the shared
//!   descriptor table or available ring therefore reach nothing Linux
//!   reads. The one value read back is the remote's used-ring flag
//!   `VRING_USED_F_NO_NOTIFY`, which decides only whether the remote is
//!   kicked.
//! * **In** ([`Shadow::take_used`], before every run of the ring): the
//!   used entries the remote published, each read once from shared memory,
//!   checked ([`Tracker`]) and only then written to the private used ring.
//!   The first bad value stops the taking and is returned as a [`Fault`];
//!   the entries before it were sound and are delivered.
//!
//! Both run under the ring's [`Shadow`] lock, which is the only way to
//! reach one.

use super::{
    device::RingMemory,
    track::{Fault, MinUsed, Tracker},
};
use core::{alloc::Layout, ffi::c_void, ptr::NonNull};
use kernel::{
    alloc::{allocator::Vmalloc, flags, Allocator, NumaNode},
    bindings,
    prelude::*,
};

/// Descriptor flag: the chain continues in `next` (`VRING_DESC_F_NEXT`).
const DESC_F_NEXT: u16 = 1;

/// Used-ring flag: the remote does not need to be notified of new
/// available entries (`VRING_USED_F_NO_NOTIFY`).
const USED_F_NO_NOTIFY: u16 = 1;

/// Byte offsets of the parts of a legacy split ring of `num` descriptors,
/// laid out as `vring_init()` does for a base aligned to `align`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Geometry {
    num: u16,
    avail: usize,
    used: usize,
    size: usize,
}

impl Geometry {
    /// The layout of `num` (a power of two ≤ 32768) descriptors with the
    /// used ring aligned to `align` (a power of two), or `None`.
    pub(crate) fn new(num: u32, align: u32) -> Option<Self> {
        if !num.is_power_of_two() || num > 32768 || !align.is_power_of_two() {
            return None;
        }
        let n = num as usize;
        let avail = 16 * n;
        let used = (avail + 2 * (3 + n)).next_multiple_of(align as usize);
        Some(Self {
            num: num as u16,
            avail,
            used,
            size: used + 6 + 8 * n,
        })
    }

    /// Bytes of the whole ring (the `vring_size()` of the layout).
    pub(crate) fn size(&self) -> usize {
        self.size
    }

    /// Descriptors in the ring.
    pub(crate) fn num(&self) -> u16 {
        self.num
    }

    /// The available and used indices found in `mem` (a ring of this
    /// layout): both 0 in a ring nobody has used since it was zeroed.
    pub(crate) fn indices(&self, mem: &RingMemory) -> (u16, u16) {
        (
            mem.read_u16(self.avail_idx()),
            mem.read_u16(self.used_idx()),
        )
    }

    fn desc(&self, i: u16) -> usize {
        16 * usize::from(i)
    }

    fn avail_flags(&self) -> usize {
        self.avail
    }

    fn avail_idx(&self) -> usize {
        self.avail + 2
    }

    fn avail_entry(&self, idx: u16) -> usize {
        self.avail + 4 + 2 * usize::from(idx & (self.num - 1))
    }

    fn used_flags(&self) -> usize {
        self.used
    }

    fn used_idx(&self) -> usize {
        self.used + 2
    }

    fn used_entry(&self, idx: u16) -> usize {
        self.used + 4 + 8 * usize::from(idx & (self.num - 1))
    }
}

/// Zeroed, page-aligned kernel memory the virtio core keeps its private
/// ring in; freed when dropped.
struct PrivateRing {
    mem: RingMemory,
    layout: Layout,
}

impl PrivateRing {
    fn new(size: usize) -> Result<Self> {
        let layout = Layout::from_size_align(size, kernel::page::PAGE_SIZE).map_err(|_| EINVAL)?;
        let ptr = Vmalloc::alloc(layout, GFP_KERNEL | flags::__GFP_ZERO, NumaNode::NO_NODE)?;
        let ptr = ptr.cast::<u8>();
        Ok(Self {
            // SAFETY: Freshly allocated, `size` bytes, used by no Rust code
            // but through `mem`, and freed only in `drop`, after the virtio
            // core is done with it (`Shadow`'s contract).
            mem: unsafe { RingMemory::new(ptr, size) },
            layout,
        })
    }

    fn as_ptr(&self) -> NonNull<u8> {
        self.mem.ptr()
    }
}

impl Drop for PrivateRing {
    fn drop(&mut self) {
        // SAFETY: Allocated by `Vmalloc` with `layout` in `new`.
        unsafe { Vmalloc::free(self.mem.ptr(), self.layout) };
    }
}

/// One ring's private copy, its shared ring, and what the remote holds.
///
/// The private memory must outlive the virtqueue made in it: drop a
/// `Shadow` only after `vring_del_virtqueue`.
pub(crate) struct Shadow {
    shared: RingMemory,
    private: PrivateRing,
    geo: Geometry,
    track: Tracker,
    /// The private `avail.idx` published up to.
    avail: u16,
    /// The remote was notified at least once since the ring was made.
    notified: bool,
}

impl Shadow {
    /// A private ring of geometry `geo` for the remote's ring in `shared`
    /// (which must hold `geo.size()` bytes), whose used entries must be at
    /// least `min` long.
    pub(crate) fn new(shared: RingMemory, geo: Geometry, min: MinUsed) -> Result<Self> {
        if shared.len() < geo.size() {
            return Err(EINVAL);
        }
        Ok(Self {
            shared,
            private: PrivateRing::new(geo.size())?,
            geo,
            track: Tracker::new(geo.num(), min)?,
            avail: 0,
            notified: false,
        })
    }

    /// The private ring, for `vring_new_virtqueue`.
    pub(crate) fn private_ring(&self) -> *mut c_void {
        self.private.as_ptr().as_ptr().cast()
    }

    /// Buffers the remote holds (published, not yet returned).
    pub(crate) fn held(&self) -> u16 {
        self.track.held()
    }

    /// The remote's ring.
    pub(crate) fn shared(&self) -> &RingMemory {
        &self.shared
    }

    /// Copies what the driver made available since the last call to the
    /// shared ring, then publishes the index. Returns whether the remote
    /// wants to be notified: it may say no with `VRING_USED_F_NO_NOTIFY`
    /// (virtio's notification suppression), read after the index is
    /// published, as `virtio_ring` does; the first notification of a new
    /// ring is always wanted (a running remote may set the flag of the old
    /// ring into the new one as it is made, and learns of the new ring by
    /// that notification). A remote that lies about it only goes without
    /// its own notifications. Any context.
    pub(crate) fn publish(&mut self) -> bool {
        let (p, s, g) = (&self.private.mem, &self.shared, self.geo);
        let to = p.read_u16(g.avail_idx());
        // SAFETY: A barrier has no precondition. The entries are read after
        // the index, in case the driver notifies from another CPU than the
        // one that added them.
        unsafe { bindings::rmb() };
        // The driver owns `num` descriptors, so at most `num` are new.
        for _ in 0..g.num {
            if self.avail == to {
                break;
            }
            let head = p.read_u16(g.avail_entry(self.avail));
            let size = self.copy_chain(head);
            self.track.give(head, size);
            s.write_u16(g.avail_entry(self.avail), head);
            self.avail = self.avail.wrapping_add(1);
        }
        // SAFETY: A barrier has no precondition. The remote must see the
        // entries before the index that publishes them.
        unsafe { bindings::wmb() };
        // The driver's "no interrupt" hint is not forwarded: it changes its
        // flags without notifying (`virtqueue_enable_cb` before a sender
        // sleeps), so a copy could still say "no interrupt" exactly when a
        // sender waits for the remote to consume. The remote may always
        // interrupt us.
        s.write_u16(g.avail_flags(), 0);
        s.write_u16(g.avail_idx(), self.avail);
        // SAFETY: A barrier has no precondition. The index must be
        // published before the remote's flag is read: a remote that clears
        // the flag, then looks at the index, either finds the new entries
        // or is notified.
        unsafe { bindings::mb() };
        let first = !self.notified;
        self.notified = true;
        first || s.read_u16(g.used_flags()) & USED_F_NO_NOTIFY == 0
    }

    /// Copies the descriptor chain headed by `head` (the driver's own, so
    /// trusted) to the shared table; returns its size in bytes.
    fn copy_chain(&self, head: u16) -> u32 {
        let (p, s, g) = (&self.private.mem, &self.shared, self.geo);
        let mut size = 0u32;
        let mut i = head;
        for _ in 0..g.num {
            if i >= g.num {
                break;
            }
            let d = g.desc(i);
            for word in (0..16).step_by(4) {
                s.write_u32(d + word, p.read_u32(d + word));
            }
            size = size.saturating_add(p.read_u32(d + 8));
            if p.read_u16(d + 12) & DESC_F_NEXT == 0 {
                break;
            }
            i = p.read_u16(d + 14);
        }
        size
    }

    /// Whether no used entry was taken since the ring was made (its used
    /// index is still 0; after 65,536 entries it may read so again).
    pub(crate) fn took_none(&self) -> bool {
        self.track.used() == 0
    }

    /// Takes the used entries the remote published since the last call
    /// into the private ring, checking each. Returns whether there were
    /// any, or the first fault (the sound entries before it are taken).
    pub(crate) fn take_used(&mut self) -> Result<bool, Fault> {
        let (p, s, g) = (&self.private.mem, &self.shared, self.geo);
        let new = self.track.new_entries(s.read_u16(g.used_idx()))?;
        if new == 0 {
            return Ok(false);
        }
        // SAFETY: A barrier has no precondition. Entries are read after the
        // index that published them.
        unsafe { bindings::rmb() };
        let mut result = Ok(true);
        for _ in 0..new {
            let e = g.used_entry(self.track.used());
            let (id, len) = (s.read_u32(e), s.read_u32(e + 4));
            if let Err(fault) = self.track.take(id, len) {
                result = Err(fault);
                break;
            }
            p.write_u32(e, id);
            p.write_u32(e + 4, len);
        }
        // SAFETY: As above; the driver must see the entries before the
        // index.
        unsafe { bindings::wmb() };
        p.write_u16(g.used_idx(), self.track.used());
        result
    }
}
