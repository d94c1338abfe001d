// SPDX-License-Identifier: GPL-2.0
//! The provider side of the mailbox framework: a controller with `N`
//! channels whose operations are one Rust trait, [`MboxControllerOps`].
//!
//! A driver builds a [`Controller`] (pinned, in an [`Arc`] so that its
//! interrupt handler can share it), registers it with [`Registration`] and
//! reports events with [`Controller::received`] and [`Controller::tx_done`].
//!
//! The glue keeps, under one lock, the set of channels that have a client
//! (from `startup` to `shutdown`). Events for any other channel are dropped,
//! so a driver can never call into the framework for a channel whose client
//! is gone, whatever its interrupt handler races with.

use super::ffi;
use core::{
    marker::PhantomData,
    mem::size_of,
    ptr,
    sync::atomic::{AtomicBool, AtomicU32, Ordering},
};
use kernel::{
    bindings,
    device::{Bound, Device},
    error::{to_result, VTABLE_DEFAULT_ERROR},
    ffi::{c_int, c_void},
    new_spinlock_irq,
    prelude::*,
    static_lock_class,
    sync::{aref::ARef, Arc, SpinLockIrq},
    types::Opaque,
};

/// What [`MboxControllerOps::send_data`] did with a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sent {
    /// The hardware took the message; the driver calls
    /// [`Controller::tx_done`] when the remote has consumed it (for example
    /// from a transmit-empty interrupt).
    Pending,
    /// The hardware has no completion signal for this channel (a doorbell):
    /// the glue reports completion on the driver's behalf, right after
    /// `send_data` returns, from a bottom-half work item.
    Done,
}

/// A message handed to [`MboxControllerOps::send_data`]: the client's
/// pointer, whose format the controller's binding defines.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TxMessage(*mut c_void);

impl TxMessage {
    /// Whether the client passed no data (legal for doorbells).
    pub(crate) fn is_null(self) -> bool {
        self.0.is_null()
    }

    /// Reads the message as one 32-bit word; `None` if it is null.
    ///
    /// # Safety
    ///
    /// The client must have passed a pointer to at least four readable
    /// bytes that stay valid until the message is completed, which is the
    /// documented message format of the controller's data channels. The
    /// framework cannot check this; C controller drivers rely on it too.
    pub(crate) unsafe fn read_u32(self) -> Option<u32> {
        if self.0.is_null() {
            return None;
        }
        // SAFETY: non-null, and by this function's contract valid for a
        // 4-byte read; unaligned because clients may pass byte buffers.
        Some(unsafe { self.0.cast::<u32>().read_unaligned() })
    }
}

/// The channel operations of a controller driver (`struct mbox_chan_ops`
/// and `of_xlate` of `struct mbox_controller`). Channels are numbered
/// `0..N`. Every method except `startup` and `shutdown` may be called in
/// atomic context.
#[vtable]
pub(crate) trait MboxControllerOps: Send + Sync {
    /// Starts transmitting `msg` on channel `chan`. Returns `EBUSY` if the
    /// hardware still holds an unread message: the framework keeps the
    /// message queued and retries after the next [`Controller::tx_done`].
    fn send_data(&self, chan: usize, msg: TxMessage) -> Result<Sent>;

    /// A client has taken channel `chan`; may sleep. From now on the driver
    /// reports what the channel receives.
    fn startup(&self, _chan: usize) -> Result {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// The client of channel `chan` is going away; may sleep. Events the
    /// driver reports for the channel afterwards are dropped by the glue.
    fn shutdown(&self, _chan: usize) {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Whether the last message on `chan` has been consumed (only used for
    /// [`TxDoneMode::Poll`] controllers).
    fn last_tx_done(&self, _chan: usize) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Whether `chan` has received data it is about to report.
    fn peek_data(&self, _chan: usize) -> bool {
        build_error!(VTABLE_DEFAULT_ERROR)
    }

    /// Maps the cells of a device-tree specifier (`mboxes = <&ctrl ...>`)
    /// to a channel number. Without it the first cell is the channel.
    fn of_xlate(&self, _cells: &[u32]) -> Result<usize> {
        build_error!(VTABLE_DEFAULT_ERROR)
    }
}

/// How the framework learns that a message has been consumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TxDoneMode {
    /// The driver reports it ([`Controller::tx_done`], or [`Sent::Done`]).
    Irq,
    /// The framework polls [`MboxControllerOps::last_tx_done`] every so
    /// many milliseconds.
    Poll(u32),
}

/// Channel bookkeeping shared by the framework callbacks and the driver.
struct ChanState {
    /// Bit `n`: channel `n` has a client (between startup and shutdown).
    bound: u32,
}

/// A mailbox controller with `N` channels (at most 32) and driver data `T`.
///
/// # Invariants
///
/// - `raw.chans` points to `chans` and `raw.num_chans` is `N`.
/// - `work` is initialised and runs [`Self::txdone_work`]; it is cancelled
///   before the controller's memory goes away.
/// - A channel's bit in `state.bound` is set only while the framework has a
///   client bound to it (`chan->cl` is valid).
#[pin_data(PinnedDrop)]
pub(crate) struct Controller<T: MboxControllerOps, const N: usize> {
    #[pin]
    raw: Opaque<ffi::mbox_controller>,
    #[pin]
    chans: Opaque<[ffi::mbox_chan; N]>,
    #[pin]
    state: SpinLockIrq<ChanState>,
    /// Channels whose completion the work item has to report.
    txdone_pending: AtomicU32,
    #[pin]
    work: Opaque<bindings::work_struct>,
    registered: AtomicBool,
    dev: ARef<Device>,
    #[pin]
    data: T,
}

// SAFETY: The C structures are only touched by the framework under its own
// locks and by this type under `state`; `T` is `Send + Sync`.
unsafe impl<T: MboxControllerOps, const N: usize> Send for Controller<T, N> {}
// SAFETY: See `Send`; all methods taking `&self` are safe to call
// concurrently.
unsafe impl<T: MboxControllerOps, const N: usize> Sync for Controller<T, N> {}

/// Returns the C `struct device` behind `dev`.
pub(crate) fn raw_device<Ctx: kernel::device::DeviceContext>(
    dev: &Device<Ctx>,
) -> *mut bindings::device {
    // `Device` is `#[repr(transparent)]` over `Opaque<bindings::device>`
    // (the inverse of `Device::from_raw`); its `as_raw` is crate-private in
    // Linux 7.3. The cast creates a pointer, it dereferences nothing.
    ptr::from_ref(dev).cast::<bindings::device>().cast_mut()
}

struct OpsTable<T: MboxControllerOps, const N: usize>(PhantomData<T>);

impl<T: MboxControllerOps, const N: usize> OpsTable<T, N> {
    const OPS: ffi::mbox_chan_ops = ffi::mbox_chan_ops {
        send_data: Some(Controller::<T, N>::send_data_cb),
        flush: None,
        startup: Some(Controller::<T, N>::startup_cb),
        shutdown: Some(Controller::<T, N>::shutdown_cb),
        last_tx_done: if T::HAS_LAST_TX_DONE {
            Some(Controller::<T, N>::last_tx_done_cb)
        } else {
            None
        },
        peek_data: if T::HAS_PEEK_DATA {
            Some(Controller::<T, N>::peek_data_cb)
        } else {
            None
        },
    };
}

impl<T: MboxControllerOps, const N: usize> Controller<T, N> {
    /// A controller for `dev` with driver data `data`, not yet registered.
    pub(crate) fn new(
        dev: &Device<Bound>,
        mode: TxDoneMode,
        data: impl PinInit<T, Error>,
    ) -> impl PinInit<Self, Error> {
        let dev_ref: ARef<Device> = dev.into();
        let raw_dev = raw_device(dev);
        try_pin_init!(&this in Self {
            _: {
                const { assert!(N > 0 && N <= 32, "a controller has 1 to 32 channels") };
                if matches!(mode, TxDoneMode::Poll(_)) && !T::HAS_LAST_TX_DONE {
                    return Err(EINVAL);
                }
            },
            chans: Opaque::zeroed(),
            raw <- Opaque::ffi_init(move |slot: *mut ffi::mbox_controller| {
                // SAFETY: `this` is the address the controller is being
                // initialised at; taking a field address reads nothing.
                let chans = unsafe { Opaque::cast_into(&raw const (*this.as_ptr()).chans) };
                let (txdone_irq, txdone_poll, period) = match mode {
                    TxDoneMode::Irq => (true, false, 0),
                    TxDoneMode::Poll(ms) => (false, true, ms),
                };
                // SAFETY: `slot` is valid for writes of a `mbox_controller`
                // and nothing else refers to it yet. All-zero is a valid
                // value for it (null pointers, `None` callbacks).
                unsafe {
                    slot.write(pin_init::zeroed());
                    (*slot).dev = raw_dev;
                    (*slot).ops = &OpsTable::<T, N>::OPS;
                    (*slot).chans = chans.cast::<ffi::mbox_chan>();
                    (*slot).num_chans = N as c_int;
                    (*slot).txdone_irq = txdone_irq;
                    (*slot).txdone_poll = txdone_poll;
                    (*slot).txpoll_period = period;
                    if T::HAS_OF_XLATE {
                        (*slot).of_xlate = Some(Self::of_xlate_cb);
                    }
                }
            }),
            state <- new_spinlock_irq!(ChanState { bound: 0 }, "mbox_chan_state"),
            txdone_pending: AtomicU32::new(0),
            work <- Opaque::ffi_init(|slot: *mut bindings::work_struct| {
                // SAFETY: `slot` is valid for writes; the callback matches
                // `work_func_t` and the lock class key is static.
                unsafe {
                    bindings::init_work_with_key(
                        slot,
                        Some(Self::txdone_work),
                        false,
                        c"mbox_txdone_work".as_char_ptr(),
                        static_lock_class!().as_ptr(),
                    )
                }
            }),
            registered: AtomicBool::new(false),
            dev: dev_ref,
            data <- data,
        }? Error)
    }

    /// The driver data.
    pub(crate) fn data(&self) -> &T {
        &self.data
    }

    /// The device that provides the controller.
    pub(crate) fn device(&self) -> &Device {
        &self.dev
    }

    /// Whether channel `chan` currently has a client.
    pub(crate) fn is_bound(&self, chan: usize) -> bool {
        chan < N && self.state.lock().bound & (1 << chan) != 0
    }

    /// Reports data received on `chan` to its client (`msg` is what the
    /// client's callback gets: a pointer to it, or null for `None`). Returns
    /// whether a client got it. Atomic context is fine; must not be called
    /// from `send_data`. The client's callback runs under the glue's lock,
    /// so events of one controller reach clients one at a time.
    pub(crate) fn received<M>(&self, chan: usize, msg: Option<&mut M>) -> bool {
        let raw = msg.map_or(ptr::null_mut(), |m| ptr::from_mut(m).cast::<c_void>());
        let state = self.state.lock();
        if chan >= N || state.bound & (1 << chan) == 0 {
            return false;
        }
        // SAFETY: The channel is bound, so the framework has a client for it
        // (type invariant), and it stays bound while we hold `state`: the
        // shutdown callback clears the bit under this lock before the
        // framework drops the client.
        unsafe { ffi::mbox_chan_received_data(self.chan_ptr(chan), raw) };
        drop(state);
        true
    }

    /// Reports that the last message sent on `chan` has been consumed (or
    /// failed with `result`). Returns whether the channel had a client.
    /// Atomic context is fine; must not be called from `send_data`.
    pub(crate) fn tx_done(&self, chan: usize, result: Result) -> bool {
        let r = match result {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        };
        let state = self.state.lock();
        if chan >= N || state.bound & (1 << chan) == 0 {
            return false;
        }
        // SAFETY: As in `received`: the channel has a client until the bit
        // is cleared under `state`, which we hold.
        unsafe { ffi::mbox_chan_txdone(self.chan_ptr(chan), r) };
        drop(state);
        true
    }

    fn chan_ptr(&self, chan: usize) -> *mut ffi::mbox_chan {
        // `chan < N` is checked by every caller.
        self.chans.get().cast::<ffi::mbox_chan>().wrapping_add(chan)
    }

    /// Returns the controller and channel number of a framework channel.
    ///
    /// # Safety
    ///
    /// `chan` must be a channel of a registered `Controller<T, N>`.
    unsafe fn from_chan<'a>(chan: *mut ffi::mbox_chan) -> (&'a Self, usize) {
        // SAFETY: By the function's contract `chan` is valid and its `mbox`
        // points to the `raw` field of a live `Self`.
        let this = unsafe {
            let mbox = (*chan).mbox.cast::<Opaque<ffi::mbox_controller>>();
            &*kernel::container_of!(mbox, Self, raw)
        };
        let base = this.chans.get().cast::<ffi::mbox_chan>();
        let index = (chan.addr() - base.addr()) / size_of::<ffi::mbox_chan>();
        (this, index)
    }

    /// `mbox_chan_ops.send_data`.
    ///
    /// # Safety
    ///
    /// Only the mailbox framework calls it, with a channel of a registered
    /// `Controller<T, N>` and the client's message.
    unsafe extern "C" fn send_data_cb(chan: *mut ffi::mbox_chan, data: *mut c_void) -> c_int {
        // SAFETY: The framework only passes channels of registered
        // controllers, and only ours use this callback table.
        let (this, index) = unsafe { Self::from_chan(chan) };
        match this.data.send_data(index, TxMessage(data)) {
            Ok(Sent::Pending) => 0,
            Ok(Sent::Done) => {
                this.txdone_pending.fetch_or(1 << index, Ordering::AcqRel);
                // SAFETY: `work` is initialised (type invariant) and stays
                // valid until `PinnedDrop` cancels it; `system_bh_wq` is a
                // workqueue that always exists.
                unsafe {
                    bindings::queue_work_on(
                        bindings::wq_misc_consts_WORK_CPU_UNBOUND as c_int,
                        bindings::system_bh_wq,
                        this.work.get(),
                    )
                };
                0
            }
            Err(e) => e.to_errno(),
        }
    }

    /// `mbox_chan_ops.startup`.
    ///
    /// # Safety
    ///
    /// As for [`Self::send_data_cb`]; `chan->cl` is set.
    unsafe extern "C" fn startup_cb(chan: *mut ffi::mbox_chan) -> c_int {
        // SAFETY: As in `send_data_cb`.
        let (this, index) = unsafe { Self::from_chan(chan) };
        // The framework has set `chan->cl` before calling us.
        this.state.lock().bound |= 1 << index;
        if T::HAS_STARTUP {
            if let Err(e) = this.data.startup(index) {
                this.state.lock().bound &= !(1 << index);
                return e.to_errno();
            }
        }
        0
    }

    /// `mbox_chan_ops.shutdown`.
    ///
    /// # Safety
    ///
    /// As for [`Self::send_data_cb`]; the client is still set.
    unsafe extern "C" fn shutdown_cb(chan: *mut ffi::mbox_chan) {
        // SAFETY: As in `send_data_cb`.
        let (this, index) = unsafe { Self::from_chan(chan) };
        if T::HAS_SHUTDOWN {
            this.data.shutdown(index);
        }
        // After this no event reaches the client the framework is dropping.
        this.state.lock().bound &= !(1 << index);
        this.txdone_pending
            .fetch_and(!(1 << index), Ordering::AcqRel);
    }

    /// `mbox_chan_ops.last_tx_done`.
    ///
    /// # Safety
    ///
    /// As for [`Self::send_data_cb`].
    unsafe extern "C" fn last_tx_done_cb(chan: *mut ffi::mbox_chan) -> bool {
        // SAFETY: As in `send_data_cb`.
        let (this, index) = unsafe { Self::from_chan(chan) };
        this.data.last_tx_done(index)
    }

    /// `mbox_chan_ops.peek_data`.
    ///
    /// # Safety
    ///
    /// As for [`Self::send_data_cb`].
    unsafe extern "C" fn peek_data_cb(chan: *mut ffi::mbox_chan) -> bool {
        // SAFETY: As in `send_data_cb`.
        let (this, index) = unsafe { Self::from_chan(chan) };
        this.data.peek_data(index)
    }

    /// `mbox_controller.of_xlate`.
    ///
    /// # Safety
    ///
    /// Only the mailbox framework calls it, with our registered controller
    /// and a specifier valid for the call.
    unsafe extern "C" fn of_xlate_cb(
        mbox: *mut ffi::mbox_controller,
        spec: *const bindings::of_phandle_args,
    ) -> *mut ffi::mbox_chan {
        // SAFETY: The framework passes our registered controller and a valid
        // specifier for the duration of the call.
        let (this, spec) = unsafe {
            let mbox = mbox.cast::<Opaque<ffi::mbox_controller>>();
            (&*kernel::container_of!(mbox, Self, raw), &*spec)
        };
        let count = usize::try_from(spec.args_count)
            .unwrap_or(0)
            .min(spec.args.len());
        match this.data.of_xlate(&spec.args[..count]) {
            Ok(index) if index < N => this.chan_ptr(index),
            Ok(_) => EINVAL.to_ptr(),
            Err(e) => e.to_ptr(),
        }
    }

    /// Reports completion for channels whose `send_data` returned
    /// [`Sent::Done`] (it cannot be done inside `send_data`: the framework
    /// holds the channel lock there and completion takes it again).
    ///
    /// # Safety
    ///
    /// Only the workqueue calls it, with the `work` of a live controller.
    unsafe extern "C" fn txdone_work(work: *mut bindings::work_struct) {
        // SAFETY: Only our `work` field is initialised with this function,
        // and the controller outlives it (cancelled in `PinnedDrop`).
        let this = unsafe {
            &*kernel::container_of!(work.cast::<Opaque<bindings::work_struct>>(), Self, work)
        };
        let mut pending = this.txdone_pending.swap(0, Ordering::AcqRel);
        while pending != 0 {
            let index = pending.trailing_zeros() as usize;
            pending &= pending - 1;
            this.tx_done(index, Ok(()));
        }
    }
}

#[pinned_drop]
impl<T: MboxControllerOps, const N: usize> PinnedDrop for Controller<T, N> {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: `work` was initialised in `new`; after this returns it is
        // neither queued nor running, so its memory may go.
        unsafe { bindings::cancel_work_sync(self.work.get()) };
    }
}

/// A registered controller: clients can find it from the device tree until
/// this is dropped, which unregisters it (shutting down every channel that
/// still has a client). The device must stay bound for `'a`.
pub(crate) struct Registration<'a, T: MboxControllerOps, const N: usize> {
    ctrl: Arc<Controller<T, N>>,
    _dev: PhantomData<&'a Device<Bound>>,
}

impl<'a, T: MboxControllerOps, const N: usize> Registration<'a, T, N> {
    /// Registers `ctrl`, which must have been created for `dev`.
    pub(crate) fn register(dev: &'a Device<Bound>, ctrl: Arc<Controller<T, N>>) -> Result<Self> {
        if raw_device(dev) != raw_device(&ctrl.dev) {
            return Err(EINVAL);
        }
        if ctrl.registered.swap(true, Ordering::AcqRel) {
            return Err(EBUSY);
        }
        // SAFETY: `raw` is fully initialised (type invariant), pinned inside
        // the `Arc` we keep until `drop` unregisters it, and not registered.
        if let Err(e) = to_result(unsafe { ffi::mbox_controller_register(ctrl.raw.get()) }) {
            ctrl.registered.store(false, Ordering::Release);
            return Err(e);
        }
        Ok(Self {
            ctrl,
            _dev: PhantomData,
        })
    }

    /// The registered controller.
    pub(crate) fn controller(&self) -> &Arc<Controller<T, N>> {
        &self.ctrl
    }
}

impl<T: MboxControllerOps, const N: usize> Drop for Registration<'_, T, N> {
    fn drop(&mut self) {
        // SAFETY: `register` registered `raw`; it is unregistered only here.
        unsafe { ffi::mbox_controller_unregister(self.ctrl.raw.get()) };
        self.ctrl.registered.store(false, Ordering::Release);
    }
}
