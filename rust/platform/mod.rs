// SPDX-License-Identifier: GPL-2.0
//! Platform drivers whose devices sysfs cannot unbind.
//!
//! Every driver gets `bind` and `unbind` files in sysfs unless it sets the
//! driver core's `suppress_bind_attrs`, which the `kernel` crate's
//! platform adapter of Linux 7.3 leaves clear. A driver whose removal
//! would free memory that something outside Linux may still write (an
//! RPMsg transport that cannot stop its remote) must only go away the
//! way it decides, at module unload, where it can refuse. [`NoSysfsBind`]
//! is the kernel's platform adapter with that flag set; everything else
//! (probe, remove, device data) is the adapter's own.
//!
//! Compiled into the modules that use it, like the other glue directories:
//! `#[path = "<relative path>/rust/platform/mod.rs"] mod platform_glue;`,
//! then `kernel::module_driver!(<T>, platform_glue::NoSysfsBind<T>, {...})`
//! in place of `module_platform_driver!`.

use core::marker::PhantomData;
use kernel::{
    bindings,
    driver::{DriverLayout, RegistrationOps},
    platform::{self, Adapter},
    prelude::*,
    types::Opaque,
    ThisModule,
};

/// The registration of platform driver `T` without sysfs `bind`/`unbind`.
pub(crate) struct NoSysfsBind<T: platform::Driver>(PhantomData<T>);

// SAFETY: The same layout and device data as the kernel's platform
// adapter: `struct platform_driver` (a C type), whose `driver` field is
// the embedded `struct device_driver`, and `T::Data` as device data.
unsafe impl<T: platform::Driver> DriverLayout for NoSysfsBind<T> {
    type DriverType = bindings::platform_driver;
    type DriverData<'bound> = T::Data<'bound>;
    const DEVICE_DRIVER_OFFSET: usize = core::mem::offset_of!(bindings::platform_driver, driver);
}

// SAFETY: Both calls are the platform adapter's, whose `unregister` is
// valid after its successful `register`.
unsafe impl<T: platform::Driver> RegistrationOps for NoSysfsBind<T> {
    unsafe fn register(
        pdrv: &Opaque<Self::DriverType>,
        name: &'static CStr,
        module: &'static ThisModule,
    ) -> Result {
        // SAFETY: `pdrv` is valid and not registered yet (our caller's
        // contract), so nothing else reads it; the driver core reads the
        // flag when the adapter registers the driver below.
        unsafe { (*pdrv.get()).driver.suppress_bind_attrs = true };
        // SAFETY: Our caller's contract is the adapter's.
        unsafe { <Adapter<T> as RegistrationOps>::register(pdrv, name, module) }
    }

    unsafe fn unregister(pdrv: &Opaque<Self::DriverType>) {
        // SAFETY: Registered by the adapter (our caller's contract).
        unsafe { <Adapter<T> as RegistrationOps>::unregister(pdrv) }
    }
}
