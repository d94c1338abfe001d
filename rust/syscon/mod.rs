// SPDX-License-Identifier: GPL-2.0
//! Registers of a system controller ("syscon") that other drivers share,
//! such as the i.MX System Reset Controller: reached through a phandle in
//! the device tree and accessed through the regmap the kernel keeps for
//! the controller, whose lock serialises our read-modify-writes with
//! theirs.
//!
//! Compiled into the modules that use it, like the other glue directories:
//! `#[path = "<relative path>/rust/syscon/mod.rs"] mod syscon;`, with the
//! bindgen step in the module's Kbuild (`drivers/rpmsg/Kbuild`).

pub(crate) mod ffi;

use core::ptr::{self, NonNull};
use kernel::{
    bindings,
    device::Device,
    error::{from_err_ptr, to_result},
    ffi::c_uint,
    prelude::*,
};

/// A syscon's registers. The regmap the syscon core creates for a
/// `"syscon"` node is never freed (`drivers/mfd/syscon.c` keeps every one
/// in its list for good), so the handle stays valid for as long as the
/// kernel runs. Regmaps another driver registers for its node
/// (`of_syscon_register_regmap`) belong to that driver: not for use here.
/// The i.MX SRC is a plain `"syscon"` node, whose regmap its reset driver
/// shares.
///
/// Calls take the regmap's lock: for the MMIO syscons of i.MX a spinlock,
/// so they neither sleep nor wait on anything but other register accesses.
pub(crate) struct Syscon(NonNull<bindings::regmap>);

// SAFETY: A regmap is shared by design: every access takes its own lock,
// from any thread.
unsafe impl Send for Syscon {}
// SAFETY: As above; `&Syscon` only reads and writes registers through the
// locked regmap calls.
unsafe impl Sync for Syscon {}

impl Syscon {
    /// The syscon that the phandle property `prop` of `dev`'s device-tree
    /// node points to, or `None` when the node has no such property.
    /// Fails when the property does not point to a syscon (with
    /// `EPROBE_DEFER` while the target may still become one).
    pub(crate) fn by_phandle(dev: &Device, prop: &CStr) -> Result<Option<Self>> {
        let Some(node) = dev.fwnode() else {
            return Ok(None);
        };
        if !node.property_present(prop) {
            return Ok(None);
        }
        // SAFETY: `dev` is a valid device; reading a field.
        let np = unsafe { (*ptr::from_ref(dev).cast::<bindings::device>()).of_node };
        if np.is_null() {
            return Ok(None);
        }
        // SAFETY: `np` is the live node of a live device and `prop` a
        // NUL-terminated string; the call returns a regmap or an error
        // pointer, never null.
        let map = from_err_ptr(unsafe {
            ffi::syscon_regmap_lookup_by_phandle(np.cast(), prop.as_char_ptr())
        })?;
        Ok(NonNull::new(map).map(Self))
    }

    /// Reads the register at byte offset `reg`.
    pub(crate) fn read(&self, reg: u32) -> Result<u32> {
        let mut val: c_uint = 0;
        // SAFETY: `self.0` is a live regmap (see the type's comment) and
        // `val` a valid place for the value.
        to_result(unsafe { ffi::regmap_read(self.0.as_ptr(), reg, &mut val) })?;
        Ok(val)
    }

    /// Sets the bits `mask` of the register at `reg` to those of `val`,
    /// atomically with respect to every other user of the regmap.
    pub(crate) fn update_bits(&self, reg: u32, mask: u32, val: u32) -> Result {
        // SAFETY: `self.0` is a live regmap; no "changed" output and no
        // async or forced write.
        to_result(unsafe {
            ffi::regmap_update_bits_base(
                self.0.as_ptr(),
                reg,
                mask,
                val,
                ptr::null_mut(),
                false,
                false,
            )
        })
    }
}
