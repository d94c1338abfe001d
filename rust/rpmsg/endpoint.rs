// SPDX-License-Identifier: GPL-2.0
//! Sending on an RPMsg channel: an [`Endpoint`] handle that stays safe to
//! use after the channel is gone (it is *revoked*: sends fail with
//! `ENODEV`) and a blocking [`Endpoint::send`] that waits for a free
//! transmit buffer as long as it takes, without the bus's 15-second limit,
//! and wakes up the moment the remote hands a buffer back. It sleeps
//! interruptibly, one bounded step ([`SEND_STEP_MS`]) at a time, looking
//! again after each, and gives up with `ERESTARTSYS` when a signal is
//! pending.
//!
//! How the wake-up works: the bus's `poll` operation (`rpmsg_poll`, which
//! `virtio_rpmsg_bus` implements on the wait queue its own blocking senders
//! sleep on) is called with a poll table of ours. Its `_qproc` callback
//! puts one wait entry of ours on that queue, whose wake function bumps a
//! counter and wakes our own waiters. The entry stays there until the
//! endpoint is revoked. `rpmsg_poll` also asks the remote to signal
//! consumed buffers, which is what wakes that queue.
//!
//! A send that has waited [`STALL_REPORT_S`] seconds for a buffer reports, once
//! per stall and ratelimited per endpoint, that the remote takes nothing
//! (naming the channel, and so its virtio device), and says when it takes
//! messages again.

use super::ffi;
use crate::report::RateLimit;
use core::{
    ptr::{self, NonNull},
    sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, Ordering},
};
use kernel::{
    bindings,
    device::Device,
    ffi::{c_int, c_uint, c_void},
    new_condvar, new_mutex, new_spinlock_irq,
    prelude::*,
    sync::aref::ARef,
    sync::{Arc, CondVar, CondVarTimeoutResult, Mutex, SpinLockIrq},
    time::msecs_to_jiffies,
    types::Opaque,
};

/// Longest single sleep of [`Endpoint::send`] before it looks again
/// (with the bus's wake-up hooked; without, it polls every 100 ms).
pub(crate) const SEND_STEP_MS: u32 = 1000;

/// How long a send waits for a buffer before it reports a stalled remote.
pub(crate) const STALL_REPORT_S: i64 = 10;

/// The C endpoint while the channel exists.
struct Ept(Option<NonNull<ffi::rpmsg_endpoint>>);

// SAFETY: The endpoint is used only under the mutex that holds it, and the
// RPMsg core allows any thread to send on it.
unsafe impl Send for Ept {}

/// The shared state behind an [`Endpoint`].
#[pin_data(PinnedDrop)]
struct Inner {
    #[pin]
    ept: Mutex<Ept>,
    /// Orders wake-ups against waiters: `count` and `revoked` change only
    /// under it, and a waiter looks at them under it before it sleeps on
    /// `cv`. A send that needs no wait reads them without it.
    #[pin]
    wake: SpinLockIrq<()>,
    /// Wake-ups seen so far (wraps; only compared for a change).
    count: AtomicU32,
    /// No more sending: the channel is gone.
    revoked: AtomicBool,
    #[pin]
    cv: CondVar,
    /// The bus wait queue our entry is on (null: none); changed only under
    /// `ept`.
    head: AtomicPtr<bindings::wait_queue_head>,
    #[pin]
    table: Opaque<bindings::poll_table_struct>,
    #[pin]
    entry: Opaque<bindings::wait_queue_entry>,
    mtu: usize,
    /// The channel's device, for reports.
    dev: ARef<Device>,
    /// Ratelimit of the stall report.
    stall_report: RateLimit,
}

// SAFETY: The C structures are shared with the wait-queue code under its
// lock (`entry`) or used only while `ept` is held (`table`); everything else
// is locks and atomics.
unsafe impl Send for Inner {}
// SAFETY: See `Send`.
unsafe impl Sync for Inner {}

/// A handle for sending on one RPMsg channel; cheap to clone.
#[derive(Clone)]
pub(crate) struct Endpoint(Arc<Inner>);

impl Endpoint {
    /// Wraps `ept`, the default endpoint of a channel being probed.
    ///
    /// # Safety
    ///
    /// `ept` must stay valid until [`Endpoint::revoke`] returns, which the
    /// caller must do before the endpoint is destroyed.
    pub(super) unsafe fn new(ept: NonNull<ffi::rpmsg_endpoint>) -> Result<Self> {
        // SAFETY: `ept` is valid (function contract).
        let mtu = unsafe { ffi::rpmsg_get_mtu(ept.as_ptr()) };
        let mtu = usize::try_from(mtu).map_err(|_| EINVAL)?;
        // SAFETY: A valid endpoint's `rpdev` is its channel's device, which
        // outlives it; the reference taken here keeps it for our reports.
        let dev: &Device = unsafe { Device::from_raw(&raw mut (*(*ept.as_ptr()).rpdev).dev) };
        let dev = ARef::from(dev);
        let inner = Arc::pin_init(
            pin_init!(Inner {
                ept <- new_mutex!(Ept(Some(ept))),
                wake <- new_spinlock_irq!(()),
                count: AtomicU32::new(0),
                revoked: AtomicBool::new(false),
                cv <- new_condvar!(),
                head: AtomicPtr::new(ptr::null_mut()),
                table <- Opaque::ffi_init(|t: *mut bindings::poll_table_struct| {
                    // SAFETY: `t` is valid for writes and not shared yet.
                    unsafe {
                        t.write(bindings::poll_table_struct {
                            _qproc: Some(Inner::qproc),
                            _key: bindings::POLLOUT,
                        })
                    };
                }),
                entry <- Opaque::ffi_init(|e: *mut bindings::wait_queue_entry| {
                    // SAFETY: `e` is valid for writes and not shared yet; an
                    // entry is put on a queue only by `qproc`, which links
                    // it (`add_wait_queue` initialises the list node).
                    unsafe {
                        e.write(bindings::wait_queue_entry {
                            flags: 0,
                            private: ptr::null_mut(),
                            func: Some(Inner::wake_fn),
                            entry: bindings::list_head {
                                next: ptr::null_mut(),
                                prev: ptr::null_mut(),
                            },
                        })
                    };
                }),
                mtu,
                dev,
                stall_report: RateLimit::new(),
            }),
            GFP_KERNEL,
        )?;
        Ok(Self(inner))
    }

    /// Largest payload of one message.
    pub(crate) fn mtu(&self) -> usize {
        self.0.mtu
    }

    /// Sends `data` as one message if a transmit buffer is free now.
    /// `ENOMEM` if none is, `ENODEV` once revoked, `EMSGSIZE` if `data` is
    /// larger than [`Self::mtu`]. Sleeps (briefly, on the bus's lock).
    pub(crate) fn try_send(&self, data: &[u8]) -> Result {
        let ept = self.0.ept.lock();
        self.0.try_send_locked(&ept, data)
    }

    /// Sends `data` as one message, waiting as long as it takes for a free
    /// transmit buffer. Fails with `ENODEV` (revoked, including while
    /// waiting), `EMSGSIZE`, `ERESTARTSYS` (a signal is pending: the
    /// caller is a user process, or a kernel thread that allows signals;
    /// workqueue workers never get one), or another error of the bus's
    /// send (e.g. `EIO` once the device is stopped). The wait is interruptible, in
    /// steps of at most [`SEND_STEP_MS`] ms, so a stuck remote never
    /// leaves a task in uninterruptible sleep.
    pub(crate) fn send(&self, data: &[u8]) -> Result {
        let inner = &*self.0;
        let mut stall = Stall::new();
        loop {
            // Read before trying: a buffer handed back after the try
            // changes it, so the wait below cannot miss that wake-up.
            let seen = inner.count.load(Ordering::Acquire);
            if inner.revoked.load(Ordering::Acquire) {
                return Err(ENODEV);
            }
            let hooked = {
                let ept = inner.ept.lock();
                match inner.try_send_locked(&ept, data) {
                    Err(e) if e == ENOMEM => {}
                    Ok(()) => {
                        stall.end(inner);
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                }
                if inner.arm(&ept) {
                    // A buffer came back meanwhile.
                    continue;
                }
                !inner.head.load(Ordering::Relaxed).is_null()
            };
            stall.check(inner);
            // A bus without a poll operation never wakes us: look again
            // every 100 ms. With one, a wake-up can only be missed if the
            // remote misbehaves: look again every step.
            let step = if hooked { SEND_STEP_MS } else { 100 };
            let mut w = inner.wake.lock();
            while inner.count.load(Ordering::Relaxed) == seen
                && !inner.revoked.load(Ordering::Relaxed)
            {
                match inner
                    .cv
                    .wait_interruptible_timeout(&mut w, msecs_to_jiffies(step))
                {
                    // Waiting again would return at once: a busy loop.
                    CondVarTimeoutResult::Signal { .. } => return Err(ERESTARTSYS),
                    CondVarTimeoutResult::Timeout => break,
                    CondVarTimeoutResult::Woken { .. } => {}
                }
            }
        }
    }

    /// Ends sending: pending and future sends fail with `ENODEV`, our wait
    /// entry leaves the bus's queue. Returns after any send in progress.
    pub(super) fn revoke(&self) {
        let inner = &*self.0;
        {
            let _w = inner.wake.lock();
            inner.revoked.store(true, Ordering::Release);
        }
        inner.cv.notify_all();
        let mut ept = inner.ept.lock();
        inner.unhook();
        ept.0 = None;
    }
}

/// How long one send has waited for a buffer, and whether it said so.
struct Stall {
    /// Monotonic time (s) the wait began: read when the send first finds
    /// no free buffer, not for every send.
    since: Option<i64>,
    reported: bool,
}

impl Stall {
    fn new() -> Self {
        Self {
            since: None,
            reported: false,
        }
    }

    /// Seconds waited so far (printable without 64-bit division).
    fn waited_s(&self) -> u32 {
        self.since.map_or(0, |since| {
            u32::try_from(now_s() - since).unwrap_or(u32::MAX)
        })
    }

    /// Reports a remote that has taken nothing for [`STALL_REPORT_S`];
    /// the first call starts the clock.
    fn check(&mut self, inner: &Inner) {
        if self.since.is_none() {
            self.since = Some(now_s());
        }
        let s = self.waited_s();
        if !self.reported && i64::from(s) >= STALL_REPORT_S && inner.stall_report.allow() {
            self.reported = true;
            let dev: &Device = &inner.dev;
            dev_warn!(
                dev,
                "the remote has taken no message for {} s: sending waits (is it stopped?)\n",
                s
            );
        }
    }

    /// The send went through: say so if the stall was reported.
    fn end(&self, inner: &Inner) {
        if self.reported {
            let dev: &Device = &inner.dev;
            dev_info!(
                dev,
                "the remote takes messages again, after {} s\n",
                self.waited_s()
            );
        }
    }
}

/// The monotonic clock in seconds.
fn now_s() -> i64 {
    // SAFETY: `ktime_get_seconds` may be called from any context but NMI.
    unsafe { bindings::ktime_get_seconds() }
}

impl Inner {
    /// `rpmsg_trysend` on the endpoint held by `ept`.
    fn try_send_locked(&self, ept: &Ept, data: &[u8]) -> Result {
        let ept = ept.0.ok_or(ENODEV)?;
        if data.len() > self.mtu {
            return Err(EMSGSIZE);
        }
        let len = c_int::try_from(data.len()).map_err(|_| EMSGSIZE)?;
        // SAFETY: The endpoint is valid while it is in `ept` (see `new`);
        // the bus copies `data` before returning.
        let ret = unsafe { ffi::rpmsg_trysend(ept.as_ptr(), data.as_ptr().cast::<c_void>(), len) };
        if ret < 0 {
            Err(Error::from_errno(ret))
        } else {
            Ok(())
        }
    }

    /// Hooks our wait entry onto the bus's send queue (once) and asks the
    /// remote to signal consumed buffers. Returns whether a buffer is free.
    fn arm(&self, ept: &Ept) -> bool {
        let Some(e) = ept.0 else {
            return false;
        };
        // SAFETY: The endpoint is valid while in `ept`; the bus calls our
        // `qproc` with our table before returning, while we hold `ept`
        // (which serialises every access to `head`). No file is involved.
        let mask = unsafe { ffi::rpmsg_poll(e.as_ptr(), ptr::null_mut(), self.table.get()) };
        mask & bindings::POLLOUT != 0
    }

    /// Takes our entry off the bus's queue. Called with `ept` held.
    fn unhook(&self) {
        let head = self.head.swap(ptr::null_mut(), Ordering::Relaxed);
        if !head.is_null() {
            // SAFETY: `qproc` added the entry to `head`, which belongs to the
            // bus and outlives the endpoint; after this the wake function is
            // not running and will not run.
            unsafe { bindings::remove_wait_queue(head, self.entry.get()) };
        }
    }

    /// The poll table's callback: puts our entry on `head`.
    ///
    /// # Safety
    ///
    /// Only `rpmsg_poll` calls this, with our table (inside a live `Inner`)
    /// and a wait queue that outlives the endpoint, while `send` holds the
    /// `ept` lock.
    unsafe extern "C" fn qproc(
        _file: *mut bindings::file,
        head: *mut bindings::wait_queue_head,
        table: *mut bindings::poll_table_struct,
    ) {
        // SAFETY: `table` is the `table` field of a live `Inner`.
        let this = unsafe { &*kernel::container_of!(Opaque::cast_from(table), Inner, table) };
        if head.is_null() || !this.head.load(Ordering::Relaxed).is_null() {
            return;
        }
        this.head.store(head, Ordering::Relaxed);
        // SAFETY: The entry is ours, initialised and on no queue.
        unsafe { bindings::add_wait_queue(head, this.entry.get()) };
    }

    /// The wait entry's wake function: counts the wake-up and wakes our
    /// waiters. Atomic context (under the bus queue's lock).
    ///
    /// # Safety
    ///
    /// Only the wait queue code calls this, with our entry, which is inside
    /// a live `Inner` while it is on a queue.
    unsafe extern "C" fn wake_fn(
        entry: *mut bindings::wait_queue_entry,
        _mode: c_uint,
        _flags: c_int,
        _key: *mut c_void,
    ) -> c_int {
        // SAFETY: `entry` is the `entry` field of a live `Inner`.
        let this = unsafe { &*kernel::container_of!(Opaque::cast_from(entry), Inner, entry) };
        {
            let _w = this.wake.lock();
            this.count.fetch_add(1, Ordering::Release);
        }
        this.cv.notify_all();
        0
    }
}

#[pinned_drop]
impl PinnedDrop for Inner {
    fn drop(self: Pin<&mut Self>) {
        // Normally revoked already; never leave the entry on a queue.
        let _ept = self.ept.lock();
        self.unhook();
    }
}
