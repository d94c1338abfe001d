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
//!
//! Messages can arrive as soon as the bus has made the channel's endpoint,
//! before [`Driver::probe`] returns: the glue queues them (up to
//! [`EARLY_MESSAGES`]) and delivers them, in order, before any later one.
//! What does not fit, or arrives while no probe runs, is counted and
//! reported.

use super::{endpoint::Endpoint, ffi};
use core::{
    ptr::{self, NonNull},
    sync::atomic::{AtomicU32, Ordering},
};
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

    /// A message arrived from `src`. Process context, under the endpoint's
    /// `cb_lock`, inside the transport's ring work: while it runs no other
    /// message of the same virtio device is delivered, on any endpoint. So
    /// it must return promptly and **never wait for user space** (a reader,
    /// a writer, a file held open): a driver that cannot take the message
    /// now keeps or drops it by its own policy, it does not block.
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

/// Messages kept per channel between the endpoint's creation and the end
/// of [`Driver::probe`].
pub(crate) const EARLY_MESSAGES: usize = 16;

/// What the glue keeps per bound channel.
struct Bound<T: Driver> {
    ept: Endpoint,
    data: Arc<T::Data>,
}

/// One message that arrived before the driver's data existed.
struct Early {
    src: u32,
    msg: KVec<u8>,
}

/// The device's drvdata from the start of `probe_cb` until `remove_cb`;
/// changed only under the default endpoint's `cb_lock`.
struct Record<T: Driver> {
    /// Set when [`Driver::probe`] succeeded.
    bound: Option<Bound<T>>,
    /// Messages that arrived before `bound` was set, oldest first.
    early: KVec<Early>,
    /// Early messages that did not fit.
    early_dropped: u32,
}

impl<T: Driver> Record<T> {
    /// Keeps a copy of `msg` for delivery after probe, if there is room.
    fn keep(&mut self, msg: &[u8], src: u32) {
        if self.early.len() < EARLY_MESSAGES {
            let mut copy = KVec::new();
            if copy.extend_from_slice(msg, GFP_KERNEL).is_ok()
                && self
                    .early
                    .push(Early { src, msg: copy }, GFP_KERNEL)
                    .is_ok()
            {
                return;
            }
        }
        self.early_dropped = self.early_dropped.saturating_add(1);
    }
}

/// Messages that reached a channel with no record (before `probe_cb` ran
/// or after `remove_cb`), for the report.
static UNBOUND_DROPS: AtomicU32 = AtomicU32::new(0);

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
        // Publish an empty record first: from now on early messages are
        // kept for the driver.
        let record = Record::<T> {
            bound: None,
            early: KVec::new(),
            early_dropped: 0,
        };
        let record = match KBox::new(record, GFP_KERNEL) {
            Ok(r) => KBox::into_raw(r),
            Err(_) => return ENOMEM.to_errno(),
        };
        {
            // SAFETY: The default endpoint lives until after `remove_cb`.
            let _cb = unsafe { CbLock::lock(ept.as_ptr()) };
            // SAFETY: Changed only under `cb_lock`, which `rx_cb` runs under.
            unsafe { (*rpdev).dev.driver_data = record.cast::<c_void>() };
        }
        // SAFETY: The default endpoint lives until after `remove_cb`, which
        // revokes our handle first (or `unpublish`, on failure, does).
        let endpoint = match unsafe { Endpoint::new(ept) } {
            Ok(e) => e,
            Err(e) => {
                // SAFETY: Our record is published, the device valid.
                unsafe { Self::unpublish(rpdev, dev) };
                return e.to_errno();
            }
        };
        let data = match T::probe(&inner.ctx, dev, endpoint.clone()) {
            Ok(d) => d,
            Err(e) => {
                endpoint.revoke();
                // SAFETY: As above.
                unsafe { Self::unpublish(rpdev, dev) };
                return e.to_errno();
            }
        };
        // Bind, then deliver what came early, in order and before any later
        // message: `rx_cb` waits for `cb_lock`, which we hold throughout.
        // SAFETY: As above.
        let _cb = unsafe { CbLock::lock(ept.as_ptr()) };
        // SAFETY: Our record; `rx_cb` changes it only under `cb_lock`.
        let rec = unsafe { &mut *record };
        rec.bound = Some(Bound {
            ept: endpoint,
            data: data.clone(),
        });
        let early = core::mem::replace(&mut rec.early, KVec::new());
        for e in early.iter() {
            T::received(&data, &e.msg, e.src);
        }
        if rec.early_dropped > 0 {
            dev_warn!(
                dev.as_dev(),
                "{} message(s) arrived while the channel was being set up and did not fit \
                 the queue of {}: dropped\n",
                rec.early_dropped,
                EARLY_MESSAGES
            );
        }
        0
    }

    /// Takes back the record of a probe that failed, reporting messages that
    /// were kept for it.
    ///
    /// # Safety
    ///
    /// `rpdev` must be a valid device whose drvdata `probe_cb` published and
    /// whose default endpoint still exists.
    unsafe fn unpublish(rpdev: *mut ffi::rpmsg_device, dev: &Device) {
        let raw = {
            // SAFETY: The endpoint exists (function contract).
            let _cb = unsafe { CbLock::lock((*rpdev).ept) };
            // SAFETY: Changed only under `cb_lock`.
            unsafe { core::mem::replace(&mut (*rpdev).dev.driver_data, ptr::null_mut()) }
        };
        // SAFETY: Published by `probe_cb` from `KBox::into_raw`; hidden from
        // `rx_cb` above.
        let rec = unsafe { KBox::from_raw(raw.cast::<Record<T>>()) };
        let lost = rec.early.len() as u32 + rec.early_dropped;
        if lost > 0 {
            dev_warn!(
                dev.as_dev(),
                "probe failed: {} early message(s) dropped\n",
                lost
            );
        }
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
        let raw = unsafe { (*rpdev).dev.driver_data }.cast::<Record<T>>();
        if raw.is_null() {
            return;
        }
        // SAFETY: `raw` is our record until we take it back below. After a
        // successful probe `rx_cb` only reads it.
        if let Some(bound) = unsafe { &(*raw).bound } {
            bound.ept.revoke();
            T::remove(dev, &bound.data);
        }
        {
            // SAFETY: Wait for a receive callback in progress (it holds
            // `cb_lock`) and hide the record from later ones; the default
            // endpoint still exists (the bus destroys it after we return).
            let _cb = unsafe { CbLock::lock((*rpdev).ept) };
            // SAFETY: Changed only under `cb_lock`.
            unsafe { (*rpdev).dev.driver_data = ptr::null_mut() };
        }
        // SAFETY: The record came from `KBox::into_raw` in `probe_cb` and no
        // callback can see it any more.
        drop(unsafe { KBox::from_raw(raw) });
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
        let raw = unsafe { (*rpdev).dev.driver_data }.cast::<Record<T>>();
        let Ok(len) = usize::try_from(len) else {
            return EINVAL.to_errno();
        };
        if data.is_null() {
            return 0;
        }
        if raw.is_null() {
            // Before `probe_cb` started, or after `remove_cb`.
            if UNBOUND_DROPS.fetch_add(1, Ordering::Relaxed) == 0 {
                // SAFETY: The bus passes a valid device.
                let dev = unsafe { Device::from_raw(rpdev) };
                dev_warn!(
                    dev.as_dev(),
                    "a message from {:#x} arrived while the channel had no driver: dropped \
                     (reported once)\n",
                    src
                );
            }
            return 0;
        }
        // SAFETY: The bus passes `len` readable bytes.
        let msg = unsafe { core::slice::from_raw_parts(data.cast::<u8>(), len) };
        // SAFETY: See above; we hold `cb_lock`, under which alone the record
        // changes, and `remove_cb` reads it only once `bound` is set.
        match unsafe { &(*raw).bound } {
            Some(bound) => T::received(&bound.data, msg, src),
            // SAFETY: Not bound yet: nobody else looks at the record now.
            None => unsafe { (*raw).keep(msg, src) },
        }
        0
    }
}

/// Holds the `cb_lock` of an endpoint, under which the bus runs receive
/// callbacks; released when dropped.
struct CbLock(*mut ffi::rpmsg_endpoint);

impl CbLock {
    /// Takes `ept`'s `cb_lock` (nothing if `ept` is null). Sleeps.
    ///
    /// # Safety
    ///
    /// `ept` must be null or a valid endpoint that outlives the guard, and
    /// the caller must not hold its `cb_lock` already.
    unsafe fn lock(ept: *mut ffi::rpmsg_endpoint) -> Self {
        if !ept.is_null() {
            // SAFETY: A valid endpoint (function contract).
            unsafe { bindings::mutex_lock(&raw mut (*ept).cb_lock) };
        }
        Self(ept)
    }
}

impl Drop for CbLock {
    fn drop(&mut self) {
        if !self.0.is_null() {
            // SAFETY: Locked in `lock`; the endpoint is still valid.
            unsafe { bindings::mutex_unlock(&raw mut (*self.0).cb_lock) };
        }
    }
}

impl<T: Driver> Drop for Registration<T> {
    fn drop(&mut self) {
        // SAFETY: Registered in `new`; unregistering removes every channel
        // (through `remove_cb`) before it returns.
        unsafe { ffi::unregister_rpmsg_driver(self.inner.drv.get()) };
    }
}
