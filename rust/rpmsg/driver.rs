// SPDX-License-Identifier: GPL-2.0
//! An RPMsg driver (`struct rpmsg_driver`) whose callbacks are one trait,
//! [`Driver`]: it binds channels by name, gets an [`Endpoint`] to send on
//! and receives every message of the channel's default endpoint.
//!
//! Lifetimes are the glue's job: per channel it keeps the driver's data
//! (`Arc<T::Data>`) and the endpoint; on removal it first revokes the
//! endpoint (senders, even blocked ones, get `ENODEV`), then calls
//! [`Driver::remove`], then waits for a receive callback in progress (the
//! bus runs them under the endpoint's `cb_lock`) before it lets go of the
//! data, so no callback ever sees freed data.

use super::{endpoint::Endpoint, ffi};
use core::ptr::NonNull;
use kernel::{
    bindings,
    device::Device as KDevice,
    ffi::{c_char, c_int, c_void},
    prelude::*,
    sync::Arc,
    types::Opaque,
    ThisModule,
};

/// The callbacks of an RPMsg driver.
pub(crate) trait Driver: Send + Sync + Sized + 'static {
    /// Shared state given to every probe (for example a tty driver).
    type Context: Send + Sync;
    /// What the driver keeps per channel.
    type Data: Send + Sync;
    /// Channel names the driver binds.
    const NAMES: &'static [&'static CStr];

    /// A channel appeared. `ept` sends on it until the channel goes away.
    fn probe(ctx: &Self::Context, dev: &Device, ept: Endpoint) -> Result<Arc<Self::Data>>;

    /// A message arrived from `src`. Process context; may sleep, but while
    /// it does no other message of the same virtio device is delivered.
    fn received(data: &Self::Data, msg: &[u8], src: u32);

    /// The channel is going away; its endpoint is already revoked. Wake and
    /// stop whatever waits in [`Driver::received`] or uses the endpoint.
    fn remove(dev: &Device, data: &Self::Data);
}

/// An RPMsg channel device, valid during a callback.
#[repr(transparent)]
pub(crate) struct Device(Opaque<ffi::rpmsg_device>);

impl Device {
    /// Wraps a pointer the bus passed to a callback.
    ///
    /// # Safety
    ///
    /// `ptr` must be a valid `rpmsg_device` for `'a`.
    unsafe fn from_raw<'a>(ptr: *mut ffi::rpmsg_device) -> &'a Self {
        // SAFETY: `Device` is `repr(transparent)` over the C struct.
        unsafe { &*ptr.cast::<Self>() }
    }

    fn raw(&self) -> *mut ffi::rpmsg_device {
        self.0.get()
    }

    /// The generic device, for logging and as a parent.
    pub(crate) fn as_dev(&self) -> &KDevice {
        // SAFETY: The embedded `struct device` is valid as long as `self`.
        unsafe { KDevice::from_raw(&raw mut (*self.raw()).dev) }
    }

    /// The channel name.
    pub(crate) fn name(&self) -> &CStr {
        // SAFETY: The bus keeps `id.name` NUL-terminated (`strscpy`).
        unsafe { CStr::from_char_ptr((*self.raw()).id.name.as_ptr()) }
    }

    /// Our address (the default endpoint's).
    pub(crate) fn src(&self) -> u32 {
        // SAFETY: Plain field read of a valid device.
        unsafe { (*self.raw()).src }
    }

    /// The remote's address.
    pub(crate) fn dst(&self) -> u32 {
        // SAFETY: Plain field read of a valid device.
        unsafe { (*self.raw()).dst }
    }
}

/// What the glue keeps per bound channel (the device's drvdata).
struct Bound<T: Driver> {
    ept: Endpoint,
    data: Arc<T::Data>,
}

/// The C driver, its id table and the context, pinned together.
#[pin_data]
struct Inner<T: Driver> {
    #[pin]
    drv: Opaque<ffi::rpmsg_driver>,
    ids: KVec<ffi::rpmsg_device_id>,
    ctx: T::Context,
}

/// A registered RPMsg driver; unregistered (every channel removed) when
/// dropped.
pub(crate) struct Registration<T: Driver> {
    inner: Pin<KBox<Inner<T>>>,
}

// SAFETY: The C driver is used by the bus under its own locking; the
// context is `Send + Sync`.
unsafe impl<T: Driver> Send for Registration<T> {}
// SAFETY: See `Send`.
unsafe impl<T: Driver> Sync for Registration<T> {}

impl<T: Driver> Registration<T> {
    /// Registers driver `name` of `module`, binding `T::NAMES`.
    pub(crate) fn new(
        name: &'static CStr,
        module: &'static ThisModule,
        ctx: T::Context,
    ) -> Result<Self> {
        let mut ids = KVec::with_capacity(T::NAMES.len() + 1, GFP_KERNEL)?;
        for n in T::NAMES {
            let mut id = ffi::rpmsg_device_id::default();
            let bytes = n.to_bytes();
            if bytes.len() >= id.name.len() {
                return Err(EINVAL);
            }
            for (d, s) in id.name.iter_mut().zip(bytes) {
                *d = *s as c_char;
            }
            ids.push(id, GFP_KERNEL)?;
        }
        // The table ends with an empty entry.
        ids.push(ffi::rpmsg_device_id::default(), GFP_KERNEL)?;
        let inner = KBox::pin_init(
            pin_init!(Inner::<T> {
                drv: Opaque::zeroed(),
                ids,
                ctx,
            }),
            GFP_KERNEL,
        )?;
        let drv = inner.drv.get();
        // SAFETY: `drv` is zeroed and not registered yet; the id table and
        // the driver stay pinned in `inner` until it is unregistered.
        let ret = unsafe {
            (*drv).drv.name = name.as_char_ptr();
            (*drv).id_table = inner.ids.as_ptr();
            (*drv).probe = Some(Self::probe_cb);
            (*drv).remove = Some(Self::remove_cb);
            (*drv).callback = Some(Self::rx_cb);
            ffi::__register_rpmsg_driver(drv, module.as_ptr())
        };
        if ret < 0 {
            return Err(Error::from_errno(ret));
        }
        Ok(Self { inner })
    }

    /// The `Inner` of the driver `rpdev` is bound to.
    ///
    /// # Safety
    ///
    /// `rpdev` must be bound (or being bound) to one of our drivers.
    unsafe fn inner_of<'a>(rpdev: *mut ffi::rpmsg_device) -> &'a Inner<T> {
        // SAFETY: The bound driver is the `drv.drv` of an `Inner<T>` pinned
        // in a live registration (function contract).
        unsafe {
            let drv = (*rpdev).dev.driver;
            let rp = kernel::container_of!(drv, ffi::rpmsg_driver, drv);
            &*kernel::container_of!(Opaque::cast_from(rp), Inner<T>, drv)
        }
    }

    /// `probe` of `struct rpmsg_driver`.
    ///
    /// # Safety
    ///
    /// Only the RPMsg bus calls this, with a device matched to our driver.
    unsafe extern "C" fn probe_cb(rpdev: *mut ffi::rpmsg_device) -> c_int {
        // SAFETY: The bus passes a valid device for the callback.
        let dev = unsafe { Device::from_raw(rpdev) };
        // SAFETY: The device is being bound to our driver.
        let inner = unsafe { Self::inner_of(rpdev) };
        // SAFETY: Plain field read; the bus made the default endpoint first.
        let Some(ept) = NonNull::new(unsafe { (*rpdev).ept }) else {
            return ENODEV.to_errno();
        };
        // SAFETY: The default endpoint lives until after `remove_cb`, which
        // revokes our handle first.
        let ept = match unsafe { Endpoint::new(ept) } {
            Ok(e) => e,
            Err(e) => return e.to_errno(),
        };
        let data = match T::probe(&inner.ctx, dev, ept.clone()) {
            Ok(d) => d,
            Err(e) => {
                ept.revoke();
                return e.to_errno();
            }
        };
        let bound = match KBox::new(
            Bound::<T> {
                ept: ept.clone(),
                data: data.clone(),
            },
            GFP_KERNEL,
        ) {
            Ok(b) => b,
            Err(_) => {
                ept.revoke();
                T::remove(dev, &data);
                return ENOMEM.to_errno();
            }
        };
        // SAFETY: Publish under `cb_lock`, so that `rx_cb` (which runs under
        // it) sees either nothing or the finished record.
        unsafe {
            let ept = (*rpdev).ept;
            bindings::mutex_lock(&raw mut (*ept).cb_lock);
            (*rpdev).dev.driver_data = KBox::into_raw(bound).cast::<c_void>();
            bindings::mutex_unlock(&raw mut (*ept).cb_lock);
        }
        0
    }

    /// `remove` of `struct rpmsg_driver`.
    ///
    /// # Safety
    ///
    /// Only the RPMsg bus calls this, for a device our probe bound.
    unsafe extern "C" fn remove_cb(rpdev: *mut ffi::rpmsg_device) {
        // SAFETY: The bus passes a valid device for the callback.
        let dev = unsafe { Device::from_raw(rpdev) };
        // SAFETY: Set by a successful `probe_cb`; only we change it.
        let raw = unsafe { (*rpdev).dev.driver_data }.cast::<Bound<T>>();
        if raw.is_null() {
            return;
        }
        // SAFETY: `raw` is our record until we take it back below.
        let bound = unsafe { &*raw };
        bound.ept.revoke();
        T::remove(dev, &bound.data);
        // SAFETY: Wait for a receive callback in progress (it holds
        // `cb_lock`) and hide the record from later ones; the default
        // endpoint still exists (the bus destroys it after we return). The
        // record came from `KBox::into_raw` in `probe_cb`.
        unsafe {
            let ept = (*rpdev).ept;
            if !ept.is_null() {
                bindings::mutex_lock(&raw mut (*ept).cb_lock);
            }
            (*rpdev).dev.driver_data = core::ptr::null_mut();
            if !ept.is_null() {
                bindings::mutex_unlock(&raw mut (*ept).cb_lock);
            }
            drop(KBox::from_raw(raw));
        }
    }

    /// `callback` of `struct rpmsg_driver`: a message on the default
    /// endpoint.
    ///
    /// # Safety
    ///
    /// Only the RPMsg bus calls this, under the endpoint's `cb_lock`, with
    /// `len` readable bytes at `data`.
    unsafe extern "C" fn rx_cb(
        rpdev: *mut ffi::rpmsg_device,
        data: *mut c_void,
        len: c_int,
        _priv: *mut c_void,
        src: u32,
    ) -> c_int {
        // SAFETY: Read under `cb_lock`, which probe and remove take to
        // change it, so the record is alive for this call.
        let raw = unsafe { (*rpdev).dev.driver_data }.cast::<Bound<T>>();
        let Ok(len) = usize::try_from(len) else {
            return EINVAL.to_errno();
        };
        if raw.is_null() || data.is_null() {
            return 0;
        }
        // SAFETY: See above; the bus passes `len` readable bytes.
        let (bound, msg) = unsafe { (&*raw, core::slice::from_raw_parts(data.cast::<u8>(), len)) };
        T::received(&bound.data, msg, src);
        0
    }
}

impl<T: Driver> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: Registered in `new`; unregistering removes every channel
        // (through `remove_cb`) before it returns.
        unsafe { ffi::unregister_rpmsg_driver(self.inner.drv.get()) };
    }
}
