// SPDX-License-Identifier: GPL-2.0
//! A tty port (`struct tty_port`) with the driver's data next to it.
//!
//! A [`Port`] lives in an [`Arc`]. The C port's own reference count (its
//! `kref`, which the tty core and our driver glue take while a tty uses
//! the port) owns one extra `Arc` reference; when that count drops to
//! zero, the port's `destruct` operation gives the reference back. So the
//! memory stays valid as long as either side uses it.

use super::ffi;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{prelude::*, sync::Arc, types::Opaque};

/// A tty port and its driver data.
#[pin_data]
pub(crate) struct Port<D> {
    #[pin]
    port: Opaque<ffi::tty_port>,
    /// The driver data; public only so that a driver can name fields
    /// inside it (for example a work item's offset). Use [`Port::data`].
    #[pin]
    pub(crate) data: D,
    /// The line index (`/dev/<name><index>`).
    index: usize,
    /// The C count reached zero: no tty uses the port any more.
    destroyed: AtomicBool,
}

// SAFETY: The C port is used by the tty core under its own locking and by
// us only through thread-safe tty functions; `D` is `Send + Sync` wherever
// a port is shared (see `Driver`).
unsafe impl<D: Send> Send for Port<D> {}
// SAFETY: See `Send`.
unsafe impl<D: Sync> Sync for Port<D> {}

impl<D> Port<D> {
    /// Creates a port with `ops` and the C reference count at one, owned
    /// by an extra `Arc` reference (given back by `destruct`).
    ///
    /// # Safety
    ///
    /// `ops` must be a `tty_port_operations` table whose `destruct` calls
    /// [`Port::destruct`] for `Port<D>`.
    pub(super) unsafe fn new(
        data: impl PinInit<D, Error>,
        ops: &'static ffi::tty_port_operations,
        index: usize,
    ) -> Result<Arc<Self>> {
        let this = Arc::pin_init(
            try_pin_init!(Self {
                port <- Opaque::ffi_init(|p: *mut ffi::tty_port| {
                    // SAFETY: `p` is valid for writes and pinned; the port
                    // is initialised before anyone can see it.
                    unsafe {
                        ffi::tty_port_init(p);
                        (*p).ops = ops;
                    }
                }),
                data <- data,
                index,
                destroyed: AtomicBool::new(false),
            }? Error),
            GFP_KERNEL,
        )?;
        // The C reference count's reference.
        let _ = Arc::into_raw(this.clone());
        Ok(this)
    }

    /// The C port.
    pub(super) fn raw(&self) -> *mut ffi::tty_port {
        self.port.get()
    }

    /// The port that contains `port`.
    ///
    /// # Safety
    ///
    /// `port` must be the C port of a live `Port<D>`.
    pub(super) unsafe fn from_raw<'a>(port: *mut ffi::tty_port) -> &'a Self {
        // SAFETY: By the function's contract.
        unsafe { &*kernel::container_of!(Opaque::cast_from(port), Self, port) }
    }

    /// Gives back the reference of the C reference count.
    ///
    /// # Safety
    ///
    /// Only the port's `destruct` operation may call this, once.
    pub(super) unsafe fn destruct(port: *mut ffi::tty_port) {
        // SAFETY: `port` belongs to a `Port<D>` from `new`, whose extra
        // reference this gives back (function contract).
        unsafe {
            let this = kernel::container_of!(Opaque::cast_from(port), Self, port);
            (*this).destroyed.store(true, Ordering::Release);
            drop(Arc::from_raw(this));
        }
    }

    /// Whether the C count reached zero: no tty can use the port again.
    pub(super) fn is_destroyed(&self) -> bool {
        self.destroyed.load(Ordering::Acquire)
    }

    /// The line index (`/dev/<name><index>`).
    pub(crate) fn index(&self) -> usize {
        self.index
    }

    /// The driver data.
    pub(crate) fn data(&self) -> &D {
        &self.data
    }

    /// Wakes writers and the line discipline after output drained.
    pub(crate) fn wakeup_writers(&self) {
        // SAFETY: The port is initialised; the function handles no tty.
        unsafe { ffi::tty_port_tty_wakeup(self.raw()) };
    }

    /// Hangs up the tty on the port, if one is open (asynchronously).
    pub(crate) fn hangup_tty(&self) {
        // SAFETY: The port is initialised; the function handles no tty.
        unsafe { ffi::tty_port_tty_hangup(self.raw(), false) };
    }

    /// Free space in the receive (flip) buffer, in bytes.
    pub(crate) fn rx_space(&self) -> usize {
        // SAFETY: The port is initialised.
        unsafe { ffi::tty_buffer_space_avail(self.raw()) as usize }
    }

    /// Queues received bytes; returns how many fitted.
    pub(crate) fn rx_insert(&self, chars: &[u8]) -> usize {
        let flag = ffi::TTY_NORMAL as u8;
        // SAFETY: The port is initialised; `chars` is readable and `flag`
        // is one flag byte, used for every character (`mutable_flags`
        // false).
        unsafe {
            ffi::__tty_insert_flip_string_flags(
                self.raw(),
                chars.as_ptr(),
                &flag,
                false,
                chars.len(),
            )
        }
    }

    /// Hands the queued received bytes to the line discipline.
    pub(crate) fn rx_push(&self) {
        // SAFETY: The port is initialised.
        unsafe { ffi::tty_flip_buffer_push(self.raw()) };
    }
}
