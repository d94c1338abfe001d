// SPDX-License-Identifier: GPL-2.0
//! A tty driver (`struct tty_driver`) whose operations — the
//! `tty_operations` and `tty_port_operations` tables — are one trait,
//! [`Operations`], and whose lines are [`Port`]s registered at run time
//! (`TTY_DRIVER_DYNAMIC_DEV`), each creating `/dev/<name><index>`.
//!
//! The glue keeps the index → port table, installs a port into a tty when
//! it is opened (holding references on it until the tty is cleaned up) and
//! hands the driver's callbacks the port.
//!
//! An index stays taken until its port is destroyed, not merely
//! unregistered: the tty core keeps a tty (in `tty_driver.ttys`) until its
//! last file is closed, and an open of the same index would re-open that
//! dead tty. So a channel that comes back while a process still holds the
//! old tty open gets another index; the old one is reused after the last
//! close. (The C `rpmsg_tty` and USB serial do the same.)

use super::{ffi, port::Port};
use core::ptr::{self, NonNull};
use kernel::{
    bindings,
    device::Device,
    error::from_err_ptr,
    ffi::{c_int, c_uint, c_ulong},
    new_mutex,
    prelude::*,
    sync::{Arc, ArcBorrow, Mutex},
    ThisModule,
};

/// The operations of a tty driver. Unless noted otherwise they run in
/// process context but must not sleep long (the tty core holds locks).
pub(crate) trait Operations: Send + Sync + Sized + 'static {
    /// What each port carries.
    type Data: Send + Sync;

    /// First open of the port (`tty_port_operations.activate`).
    fn activate(_port: &Port<Self::Data>) -> Result {
        Ok(())
    }

    /// Last close of the port (`tty_port_operations.shutdown`).
    fn shutdown(_port: &Port<Self::Data>) {}

    /// Takes bytes for sending; returns how many. Must not sleep.
    fn write(port: ArcBorrow<'_, Port<Self::Data>>, buf: &[u8]) -> Result<usize>;

    /// How many bytes [`Operations::write`] would take now.
    fn write_room(port: &Port<Self::Data>) -> usize;

    /// Bytes taken but not sent yet.
    fn chars_in_buffer(_port: &Port<Self::Data>) -> usize {
        0
    }

    /// Discard bytes taken but not sent yet.
    fn flush_buffer(_port: &Port<Self::Data>) {}

    /// The line discipline's input buffer is nearly full.
    fn throttle(_port: ArcBorrow<'_, Port<Self::Data>>) {}

    /// The line discipline has room again.
    fn unthrottle(_port: ArcBorrow<'_, Port<Self::Data>>) {}

    /// The tty is being hung up.
    fn hangup(_port: &Port<Self::Data>) {}
}

/// Names and flags of a driver.
pub(crate) struct Config {
    /// Driver name (`/proc/tty/drivers`).
    pub(crate) driver_name: &'static CStr,
    /// Device node prefix (`/dev/<name><index>`).
    pub(crate) name: &'static CStr,
    /// Number of lines.
    pub(crate) lines: u32,
}

/// One line of the index → port table.
enum Slot<D> {
    /// No port: the index is free.
    Free,
    /// A registered port: opens reach it.
    Live(Arc<Port<D>>),
    /// An unregistered port that a tty may still use: the index is taken
    /// until the port is destroyed, but opens fail.
    Gone(Arc<Port<D>>),
}

impl<D> Slot<D> {
    /// Whether a new port may take this index.
    fn is_free(&self) -> bool {
        match self {
            Slot::Free => true,
            Slot::Live(_) => false,
            Slot::Gone(port) => port.is_destroyed(),
        }
    }
}

/// Index → port.
type PortTable<D> = KVec<Slot<D>>;

/// The registered C driver and its port table.
#[pin_data(PinnedDrop)]
struct Inner<T: Operations> {
    raw: NonNull<ffi::tty_driver>,
    #[pin]
    table: Mutex<PortTable<T::Data>>,
}

// SAFETY: The C driver is used by the tty core under its own locking; the
// table is behind a mutex; port data is `Send + Sync`.
unsafe impl<T: Operations> Send for Inner<T> {}
// SAFETY: See `Send`.
unsafe impl<T: Operations> Sync for Inner<T> {}

/// A registered tty driver; unregistered when the last reference (the
/// driver's owner and every [`PortRegistration`]) is dropped.
pub(crate) struct Driver<T: Operations> {
    inner: Arc<Inner<T>>,
}

impl<T: Operations> Clone for Driver<T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T: Operations> Driver<T> {
    /// Allocates and registers the driver for `module`. Ports start raw:
    /// no echo, no line editing, no signals, no character translation, so
    /// that binary data passes unchanged (`stty` can change that).
    pub(crate) fn register(cfg: &Config, module: &'static ThisModule) -> Result<Self> {
        let flags = (ffi::tty_driver_flag_TTY_DRIVER_REAL_RAW
            | ffi::tty_driver_flag_TTY_DRIVER_DYNAMIC_DEV) as c_ulong;
        // SAFETY: Plain allocation; returns an error pointer on failure.
        let raw =
            from_err_ptr(unsafe { ffi::__tty_alloc_driver(cfg.lines, module.as_ptr(), flags) })?;
        let raw = NonNull::new(raw).ok_or(ENOMEM)?;
        let mut table = KVec::with_capacity(cfg.lines as usize, GFP_KERNEL)?;
        for _ in 0..cfg.lines {
            table.push(Slot::Free, GFP_KERNEL)?;
        }
        let inner = Arc::pin_init(
            pin_init!(Inner::<T> {
                raw,
                table <- new_mutex!(table),
            }),
            GFP_KERNEL,
        );
        let inner = match inner {
            Ok(i) => i,
            Err(e) => {
                // SAFETY: Allocated above and not registered.
                unsafe { ffi::tty_driver_kref_put(raw.as_ptr()) };
                return Err(e);
            }
        };
        let d = raw.as_ptr();
        // SAFETY: The driver is allocated and not registered yet; we fill
        // the fields a driver owns. `driver_state` points to `inner`,
        // which outlives the registration (it unregisters in its drop).
        let ret = unsafe {
            (*d).driver_name = cfg.driver_name.as_char_ptr();
            (*d).name = cfg.name.as_char_ptr();
            (*d).major = 0;
            (*d).type_ = ffi::tty_driver_type_TTY_DRIVER_TYPE_SERIAL;
            (*d).subtype = ffi::tty_driver_subtype_SERIAL_TYPE_NORMAL;
            let mut t = ffi::tty_std_termios;
            t.c_iflag = 0;
            t.c_oflag = 0;
            t.c_lflag = 0;
            (*d).init_termios = t;
            (*d).ops = &Ops::<T>::TTY_OPS;
            (*d).driver_state = ptr::from_ref(&*inner).cast_mut().cast();
            ffi::tty_register_driver(d)
        };
        if ret < 0 {
            // Not registered: the drop of `inner` must not unregister.
            // SAFETY: Same driver; clear the state pointer first.
            unsafe { (*d).driver_state = ptr::null_mut() };
            drop(inner);
            return Err(Error::from_errno(ret));
        }
        Ok(Self { inner })
    }

    /// Creates a port with `data` and registers it under index `preferred`
    /// if that is free, else under the first free index, with `parent` as
    /// the tty device's parent.
    pub(crate) fn register_port(
        &self,
        data: impl PinInit<T::Data, Error>,
        parent: &Device,
        preferred: Option<usize>,
    ) -> Result<PortRegistration<T>> {
        let (port, index) = {
            let mut table = self.inner.table.lock();
            let wanted = preferred.filter(|&i| table.get(i).is_some_and(Slot::is_free));
            let index = wanted
                .or_else(|| table.iter().position(Slot::is_free))
                .ok_or(ENOSPC)?;
            // SAFETY: `PORT_OPS.destruct` is `Ops::<T>::destruct`, which
            // calls `Port::destruct` for `Port<T::Data>`.
            let port = unsafe { Port::new(data, &Ops::<T>::PORT_OPS, index) }?;
            table[index] = Slot::Live(port.clone());
            (port, index)
        };
        // SAFETY: The port is initialised and its index free; the driver is
        // registered.
        let dev = unsafe {
            ffi::tty_port_register_device(
                port.raw(),
                self.inner.raw.as_ptr(),
                index as c_uint,
                ptr::from_ref(parent).cast::<bindings::device>().cast_mut(),
            )
        };
        if let Err(e) = from_err_ptr(dev) {
            self.inner.table.lock()[index] = Slot::Free;
            // SAFETY: As above.
            unsafe { ffi::tty_port_put(port.raw()) };
            return Err(e);
        }
        Ok(PortRegistration {
            driver: self.clone(),
            port,
            index,
        })
    }
}

#[pinned_drop]
impl<T: Operations> PinnedDrop for Inner<T> {
    fn drop(self: Pin<&mut Self>) {
        let d = self.raw.as_ptr();
        // SAFETY: We own the driver reference from `__tty_alloc_driver`;
        // it was registered iff `driver_state` is set. Open ttys keep their
        // own references (and a module reference, so our code stays).
        unsafe {
            if !(*d).driver_state.is_null() {
                ffi::tty_unregister_driver(d);
            }
            ffi::tty_driver_kref_put(d);
        }
    }
}

/// A port registered under an index; unregistered (device node removed)
/// when dropped. A tty still open on it stays usable until it is closed;
/// the owner should hang it up first.
pub(crate) struct PortRegistration<T: Operations> {
    driver: Driver<T>,
    port: Arc<Port<T::Data>>,
    index: usize,
}

impl<T: Operations> PortRegistration<T> {
    /// The port.
    pub(crate) fn port(&self) -> &Arc<Port<T::Data>> {
        &self.port
    }

    /// The line index (`/dev/<name><index>`).
    pub(crate) fn index(&self) -> usize {
        self.index
    }
}

impl<T: Operations> Drop for PortRegistration<T> {
    fn drop(&mut self) {
        let inner = &self.driver.inner;
        // SAFETY: Registered by `register_port` under this index.
        unsafe { ffi::tty_unregister_device(inner.raw.as_ptr(), self.index as c_uint) };
        // Opens fail from now on; the index is free once no tty uses the
        // port (see the module documentation).
        inner.table.lock()[self.index] = Slot::Gone(self.port.clone());
        // SAFETY: Drops the C count's initial reference.
        unsafe { ffi::tty_port_put(self.port.raw()) };
    }
}

/// The ops tables of `T` and their trampolines.
struct Ops<T: Operations>(core::marker::PhantomData<T>);

impl<T: Operations> Ops<T> {
    const TTY_OPS: ffi::tty_operations = {
        // SAFETY: All-zero is a valid table (every operation absent).
        let mut ops: ffi::tty_operations = unsafe { core::mem::zeroed() };
        ops.install = Some(Self::install);
        ops.open = Some(Self::open);
        ops.close = Some(Self::close);
        ops.cleanup = Some(Self::cleanup);
        ops.write = Some(Self::write);
        ops.write_room = Some(Self::write_room);
        ops.chars_in_buffer = Some(Self::chars_in_buffer);
        ops.flush_buffer = Some(Self::flush_buffer);
        ops.throttle = Some(Self::throttle);
        ops.unthrottle = Some(Self::unthrottle);
        ops.hangup = Some(Self::hangup);
        ops
    };

    const PORT_OPS: ffi::tty_port_operations = ffi::tty_port_operations {
        carrier_raised: None,
        dtr_rts: None,
        shutdown: Some(Self::port_shutdown),
        activate: Some(Self::port_activate),
        destruct: Some(Self::destruct),
    };

    /// The port a tty was installed with.
    ///
    /// # Safety
    ///
    /// `tty` must be a tty of our driver between `install` and `cleanup`.
    unsafe fn port<'a>(tty: *mut ffi::tty_struct) -> ArcBorrow<'a, Port<T::Data>> {
        // SAFETY: `install` stored an `Arc` reference in `driver_data`,
        // given back in `cleanup` (function contract).
        unsafe { ArcBorrow::from_raw((*tty).driver_data.cast::<Port<T::Data>>()) }
    }

    /// `install` of `tty_operations`: binds the port of the tty's index.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, for a tty of our driver.
    unsafe extern "C" fn install(driver: *mut ffi::tty_driver, tty: *mut ffi::tty_struct) -> c_int {
        // SAFETY: `driver_state` is our `Inner<T>` while registered, and
        // ttys are only installed on a registered driver.
        let inner = unsafe { &*(*driver).driver_state.cast::<Inner<T>>() };
        // SAFETY: Plain field read.
        let index = unsafe { (*tty).index } as usize;
        let port = {
            let table = inner.table.lock();
            let Some(Slot::Live(port)) = table.get(index) else {
                return ENODEV.to_errno();
            };
            let port = port.clone();
            // SAFETY: While the port is in the table its registration holds
            // a C reference, so the count is above zero: a plain increment
            // is what `tty_port_get` (a `static inline`) would do. Dropped
            // in `cleanup` or right below.
            unsafe { bindings::refcount_inc(&raw mut (*port.raw()).kref.refcount) };
            port
        };
        let raw = port.raw();
        // SAFETY: A live port; the references taken (the C count above and
        // an `Arc` here) are dropped in `cleanup` or right below.
        unsafe {
            (*tty).driver_data = Arc::into_raw(port).cast_mut().cast();
            let ret = ffi::tty_port_install(raw, driver, tty);
            if ret < 0 {
                drop(Arc::from_raw((*tty).driver_data.cast::<Port<T::Data>>()));
                (*tty).driver_data = ptr::null_mut();
                ffi::tty_port_put(raw);
            }
            ret
        }
    }

    /// `cleanup` of `tty_operations`: drops the references of `install`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, once per installed tty.
    unsafe extern "C" fn cleanup(tty: *mut ffi::tty_struct) {
        // SAFETY: See `install`.
        unsafe {
            let data = (*tty).driver_data.cast::<Port<T::Data>>();
            if data.is_null() {
                return;
            }
            (*tty).driver_data = ptr::null_mut();
            let port = Arc::from_raw(data);
            ffi::tty_port_put(port.raw());
        }
    }

    /// `open` of `tty_operations`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, on an installed tty.
    unsafe extern "C" fn open(tty: *mut ffi::tty_struct, filp: *mut bindings::file) -> c_int {
        // SAFETY: Installed tty; `tty_port_open` does the port accounting.
        unsafe { ffi::tty_port_open((*tty).port, tty, filp.cast()) }
    }

    /// `close` of `tty_operations`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, on an installed tty.
    unsafe extern "C" fn close(tty: *mut ffi::tty_struct, filp: *mut bindings::file) {
        // SAFETY: Installed tty.
        unsafe { ffi::tty_port_close((*tty).port, tty, filp.cast()) };
    }

    /// `hangup` of `tty_operations`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, on an installed tty.
    unsafe extern "C" fn hangup(tty: *mut ffi::tty_struct) {
        // SAFETY: Installed tty.
        let port = unsafe { Self::port(tty) };
        T::hangup(&port);
        // SAFETY: Installed tty.
        unsafe { ffi::tty_port_hangup((*tty).port) };
    }

    /// `write` of `tty_operations`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, on an installed tty, with `count`
    /// readable bytes at `buf`.
    unsafe extern "C" fn write(tty: *mut ffi::tty_struct, buf: *const u8, count: usize) -> isize {
        // SAFETY: Installed tty.
        let port = unsafe { Self::port(tty) };
        let data = if count == 0 || buf.is_null() {
            &[][..]
        } else {
            // SAFETY: The core passes `count` readable bytes.
            unsafe { core::slice::from_raw_parts(buf, count) }
        };
        match T::write(port, data) {
            Ok(n) => isize::try_from(n).unwrap_or(isize::MAX),
            Err(e) => e.to_errno() as isize,
        }
    }

    /// `write_room` of `tty_operations`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, on an installed tty.
    unsafe extern "C" fn write_room(tty: *mut ffi::tty_struct) -> c_uint {
        // SAFETY: Installed tty.
        let port = unsafe { Self::port(tty) };
        let n = T::write_room(&port);
        c_uint::try_from(n).unwrap_or(c_uint::MAX)
    }

    /// `chars_in_buffer` of `tty_operations`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, on an installed tty.
    unsafe extern "C" fn chars_in_buffer(tty: *mut ffi::tty_struct) -> c_uint {
        // SAFETY: Installed tty.
        let port = unsafe { Self::port(tty) };
        let n = T::chars_in_buffer(&port);
        c_uint::try_from(n).unwrap_or(c_uint::MAX)
    }

    /// `flush_buffer` of `tty_operations`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, on an installed tty.
    unsafe extern "C" fn flush_buffer(tty: *mut ffi::tty_struct) {
        // SAFETY: Installed tty.
        let port = unsafe { Self::port(tty) };
        T::flush_buffer(&port);
    }

    /// `throttle` of `tty_operations`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, on an installed tty.
    unsafe extern "C" fn throttle(tty: *mut ffi::tty_struct) {
        // SAFETY: Installed tty.
        let port = unsafe { Self::port(tty) };
        T::throttle(port);
    }

    /// `unthrottle` of `tty_operations`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, on an installed tty.
    unsafe extern "C" fn unthrottle(tty: *mut ffi::tty_struct) {
        // SAFETY: Installed tty.
        let port = unsafe { Self::port(tty) };
        T::unthrottle(port);
    }

    /// `activate` of `tty_port_operations`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, on one of our ports.
    unsafe extern "C" fn port_activate(
        port: *mut ffi::tty_port,
        _tty: *mut ffi::tty_struct,
    ) -> c_int {
        // SAFETY: Our ports carry this table.
        match T::activate(unsafe { Port::from_raw(port) }) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// `shutdown` of `tty_port_operations`.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, on one of our ports.
    unsafe extern "C" fn port_shutdown(port: *mut ffi::tty_port) {
        // SAFETY: Our ports carry this table.
        T::shutdown(unsafe { Port::from_raw(port) });
    }

    /// `destruct` of `tty_port_operations`: the C count reached zero.
    ///
    /// # Safety
    ///
    /// Only the tty core calls this, once, on one of our ports.
    unsafe extern "C" fn destruct(port: *mut ffi::tty_port) {
        // SAFETY: Our ports carry this table; called once.
        unsafe { Port::<T::Data>::destruct(port) };
    }
}
