// SPDX-License-Identifier: GPL-2.0
//! Keeping the transport loaded while a remote it cannot stop may still
//! use RPMsg buffers in ordinary DMA memory.
//!
//! Without `fsl,src` the M4 outlives an unload; the buffers the RPMsg bus
//! frees then go back to the page allocator while the remote may still
//! write into the ones it took. With a `shared-dma-pool` they stay in
//! reserved memory and that is harmless, unless the pool is `reusable`
//! (CMA lends its free pages to the rest of the kernel); without such a
//! pool, the module refuses to unload (it holds a reference to itself for
//! as long as the device is bound) and says why, once, at probe. Sysfs
//! cannot unbind the device either (`NoSysfsBind`). Two routes remain that
//! the transport cannot refuse: unbinding the MU driver in sysfs unbinds
//! the transport first (the device link from `mboxes`), and unbinding
//! `virtio_rpmsg_bus` frees the buffers without the transport going; the
//! first is named in one line when it happens.

use kernel::{bindings, device::Device, prelude::*, sync::aref::ARef, ModuleMetadata};

/// A reference to this module, dropped with the device's data.
pub(crate) struct ModuleHold {
    dev: ARef<Device>,
}

impl ModuleHold {
    /// Takes the reference and logs the one line saying why.
    pub(crate) fn take(dev: &Device) -> Result<Self> {
        let module = <crate::LocalModule as ModuleMetadata>::THIS_MODULE.as_ptr();
        // SAFETY: `module` is this module's `struct module` (or null when
        // built in, which the call accepts); we are in its probe, so it is
        // live.
        if !unsafe { bindings::try_module_get(module) } {
            return Err(ENODEV);
        }
        dev_warn!(
            dev,
            "RPMsg buffers in DMA memory and no 'fsl,src' to stop the M4: it could write into them after an unload, so this module stays loaded (give the node 'fsl,src' or a shared-dma-pool that is not reusable in 'memory-region')\n"
        );
        Ok(Self { dev: dev.into() })
    }
}

impl Drop for ModuleHold {
    fn drop(&mut self) {
        // The unload is refused, so the device is going some other way
        // (its MU unbound, a failed probe), and the buffers go with it.
        dev_warn!(
            self.dev,
            "unbound while the M4 may still write into its RPMsg buffers in DMA memory (no 'fsl,src' to stop it): they are freed now; restart the M4\n"
        );
        let module = <crate::LocalModule as ModuleMetadata>::THIS_MODULE.as_ptr();
        // SAFETY: Drops the reference `take` got.
        unsafe { bindings::module_put(module) };
    }
}
