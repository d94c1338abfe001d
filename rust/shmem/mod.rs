// SPDX-License-Identifier: GPL-2.0
//! Memory shared with a remote processor: physical windows described in the
//! device tree (a `reg` entry or a `memory-region` reserved region), mapped
//! write-combined (uncached normal memory: the remote does not snoop our
//! caches), and a reserved DMA pool (`shared-dma-pool`) assigned to a
//! device so that its `dma_alloc_coherent` allocations come from there.
//!
//! Compiled into the modules that use it, like the other glue directories:
//! `#[path = "<relative path>/rust/shmem/mod.rs"] mod shmem;`, with the
//! bindgen step in the module's Kbuild (`drivers/rpmsg/Kbuild`).

pub(crate) mod ffi;

use core::ptr::{self, NonNull};
use kernel::{
    bindings,
    device::{property::NArgs, Bound, Device},
    ffi::{c_ulong, c_void},
    prelude::*,
};

/// A physical address range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    /// First byte.
    pub(crate) start: u64,
    /// Length in bytes.
    pub(crate) size: u64,
}

/// Returns the C `struct device` behind `dev` (`Device::as_raw` is
/// crate-private in Linux 7.3; `Device` is `repr(transparent)` over it).
fn raw_device<Ctx: kernel::device::DeviceContext>(dev: &Device<Ctx>) -> *mut bindings::device {
    ptr::from_ref(dev).cast::<bindings::device>().cast_mut()
}

/// The device-tree node of `dev` (null without one).
fn of_node<Ctx: kernel::device::DeviceContext>(dev: &Device<Ctx>) -> *mut bindings::device_node {
    // SAFETY: `dev` is a valid device; reading a field.
    unsafe { (*raw_device(dev)).of_node }
}

/// Number of entries in the `memory-region` property of `dev`.
pub(crate) fn region_count(dev: &Device) -> usize {
    let np = of_node(dev);
    if np.is_null() {
        return 0;
    }
    // SAFETY: `np` is the live node of a live device.
    let n = unsafe { ffi::of_reserved_mem_region_count(np) };
    usize::try_from(n).unwrap_or(0)
}

/// The reserved region that entry `index` of `memory-region` points to.
pub(crate) fn region(dev: &Device, index: usize) -> Result<Window> {
    let np = of_node(dev);
    if np.is_null() {
        return Err(ENODEV);
    }
    let index = u32::try_from(index).map_err(|_| EINVAL)?;
    let mut res = bindings::resource::default();
    // SAFETY: `np` is a live node; `res` is a valid resource to fill.
    let ret = unsafe { ffi::of_reserved_mem_region_to_resource(np, index, &mut res) };
    if ret < 0 {
        return Err(Error::from_errno(ret));
    }
    Ok(Window {
        start: res.start.into(),
        size: u64::from(res.end) - u64::from(res.start) + 1,
    })
}

/// Index of the `memory-region` entry called `name` in
/// `memory-region-names`, if there is one.
pub(crate) fn region_index(dev: &Device, name: &CStr) -> Option<usize> {
    dev.fwnode()?
        .property_match_string(c"memory-region-names", name)
        .ok()
}

/// Whether the reserved region that entry `index` of `memory-region`
/// points to is `reusable` (a CMA pool: while no driver holds its pages,
/// the page allocator lends them to the rest of the kernel, so memory
/// freed into it is ordinary memory again). `true` if the entry cannot be
/// looked up: a caller deciding whether memory is confined must not
/// assume it is.
pub(crate) fn region_reusable(dev: &Device, index: usize) -> bool {
    let (Some(node), Ok(index)) = (dev.fwnode(), u32::try_from(index)) else {
        return true;
    };
    let Ok(target) = node.property_get_reference_args(c"memory-region", NArgs::N(0), index) else {
        return true;
    };
    // SAFETY: `FwNodeReferenceArgs` is `repr(transparent)` over the C
    // `struct fwnode_reference_args`, whose `fwnode` it holds a reference
    // to until `target` drops, after this block.
    unsafe {
        let raw = ptr::from_ref(&target).cast::<bindings::fwnode_reference_args>();
        bindings::fwnode_property_present((*raw).fwnode, c"reusable".as_char_ptr())
    }
}

/// A reserved `shared-dma-pool` region assigned to a device: its coherent
/// DMA allocations come from the pool until this is dropped.
pub(crate) struct DmaPool<'a> {
    dev: &'a Device<Bound>,
}

impl<'a> DmaPool<'a> {
    /// Assigns the region of `memory-region` entry `index` to `dev`.
    pub(crate) fn assign(dev: &'a Device<Bound>, index: usize) -> Result<Self> {
        let index = i32::try_from(index).map_err(|_| EINVAL)?;
        // SAFETY: `dev` is bound and its node is live.
        let ret = unsafe {
            ffi::of_reserved_mem_device_init_by_idx(raw_device(dev), of_node(dev), index)
        };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(Self { dev })
    }
}

impl Drop for DmaPool<'_> {
    fn drop(&mut self) {
        // SAFETY: The pool was assigned to this (still bound) device.
        unsafe { ffi::of_reserved_mem_device_release(raw_device(self.dev)) };
    }
}

/// A window mapped write-combined into the kernel; unmapped when dropped.
pub(crate) struct Mapping {
    ptr: NonNull<u8>,
    window: Window,
}

// SAFETY: The mapping is plain memory shared with the remote; users access
// it through raw pointers with their own synchronisation.
unsafe impl Send for Mapping {}
// SAFETY: See `Send`.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Maps `window`.
    pub(crate) fn new(window: Window) -> Result<Self> {
        let start = bindings::resource_size_t::try_from(window.start).map_err(|_| ERANGE)?;
        let size = usize::try_from(window.size).map_err(|_| ERANGE)?;
        // SAFETY: `memremap` accepts any range; it fails for ones it cannot
        // map with these attributes (for example ordinary kernel RAM).
        let va = unsafe { bindings::memremap(start, size, bindings::MEMREMAP_WC as c_ulong) };
        let ptr = NonNull::new(va.cast::<u8>()).ok_or(ENOMEM)?;
        Ok(Self { ptr, window })
    }

    /// The physical window.
    pub(crate) fn window(&self) -> Window {
        self.window
    }

    /// The kernel address of `len` bytes at `offset`, if in the window.
    pub(crate) fn ptr_at(&self, offset: usize, len: usize) -> Option<NonNull<u8>> {
        let end = offset.checked_add(len)?;
        if u64::try_from(end).ok()? > self.window.size {
            return None;
        }
        // SAFETY: In bounds of the mapping, checked above.
        Some(unsafe { self.ptr.add(offset) })
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: Mapped by `memremap` in `new`; nobody uses it any more.
        unsafe { bindings::memunmap(self.ptr.as_ptr().cast::<c_void>()) };
    }
}
