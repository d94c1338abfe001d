// SPDX-License-Identifier: GPL-2.0
//! The consumer side of the mailbox framework: a [`Channel`] requested by
//! name from the client device's `mboxes`/`mbox-names`, a non-blocking
//! [`Channel::send`], and callbacks ([`MboxClient`]) for received data and
//! completed sends.
//!
//! How a controller's messages look is up to its binding, so a channel is
//! typed by a [`MessageFormat`] that checks the controller when the channel
//! is requested. [`MuWord`] (32-bit words of the i.MX Messaging Unit) and
//! [`Signal`] (doorbells, no data) are provided; with them a client needs no
//! `unsafe` of its own.

use super::controller::raw_device;
use super::ffi;
use core::{
    marker::PhantomData,
    ptr,
    sync::atomic::{AtomicPtr, AtomicU32, Ordering},
};
use kernel::{
    device::{Bound, Device},
    error::from_err_ptr,
    ffi::c_void,
    new_spinlock_irq,
    prelude::*,
    str::CStr,
    sync::SpinLockIrq,
    types::Opaque,
};

/// Depth of the framework's per-channel transmit queue.
const QUEUE_LEN: usize = ffi::MBOX_TX_QUEUE_LEN as usize;

/// The format of the messages on a channel, checked against the controller
/// when the channel is requested.
///
/// # Safety
///
/// For every controller device [`MessageFormat::accepts`] returns `true`
/// for, the messages that controller delivers on the channels a client uses
/// with this format must be valid input for [`MessageFormat::read`], and it
/// must accept a pointer to a `u32` as a message to send.
pub(crate) unsafe trait MessageFormat {
    /// What a received message is turned into.
    type Rx;

    /// Whether channels of the controller `dev` use this format.
    fn accepts(dev: &Device) -> bool;

    /// Converts the controller's message.
    ///
    /// # Safety
    ///
    /// `msg` must come from a controller accepted by
    /// [`MessageFormat::accepts`], valid for the duration of the call.
    unsafe fn read(msg: *mut c_void) -> Self::Rx;
}

/// 32-bit words on the data channels of an i.MX Messaging Unit (our
/// `imx_mu_rs` and the kernel's `imx-mailbox`): a received message is a
/// pointer to the word, or null for a doorbell.
pub(crate) struct MuWord;

/// Compatibles of MU controllers whose channels carry single 32-bit words
/// (the generic register layouts of `fsl,mu.yaml`).
const MU_COMPATIBLES: [&CStr; 2] = [c"fsl,imx6sx-mu", c"fsl,imx7ulp-mu"];

// SAFETY: Both drivers of these compatibles deliver a pointer to a `u32` (or
// null, on doorbells) and read a `u32` from a sent message.
unsafe impl MessageFormat for MuWord {
    type Rx = Option<u32>;

    fn accepts(dev: &Device) -> bool {
        dev.fwnode().is_some_and(|node| {
            MU_COMPATIBLES
                .iter()
                .any(|c| node.property_match_string(c"compatible", c).is_ok())
        })
    }

    unsafe fn read(msg: *mut c_void) -> Option<u32> {
        if msg.is_null() {
            return None;
        }
        // SAFETY: Non-null messages of accepted controllers point to a `u32`
        // valid during the callback (the trait's contract).
        Some(unsafe { msg.cast::<u32>().read() })
    }
}

/// Doorbells: the message carries no data and is never read.
pub(crate) struct Signal;

// SAFETY: `read` never dereferences the message. Doorbell channels ignore
// what is sent on them.
unsafe impl MessageFormat for Signal {
    type Rx = ();

    fn accepts(_dev: &Device) -> bool {
        true
    }

    unsafe fn read(_msg: *mut c_void) {}
}

/// The callbacks of a mailbox client. Both run in atomic context (the
/// controller's interrupt handler or a bottom half) and may call
/// [`Channel::send`], on this channel or another.
pub(crate) trait MboxClient: Send + Sync + Sized {
    /// The message format of the channel.
    type Format: MessageFormat;

    /// The channel received `msg`.
    fn received(_chan: &Channel<'_, Self>, _msg: <Self::Format as MessageFormat>::Rx) {}

    /// The oldest message sent on the channel has been consumed by the
    /// remote (`Ok`) or failed.
    fn tx_done(_chan: &Channel<'_, Self>, _result: Result) {}
}

/// Positions in the transmit ring.
struct TxRing {
    /// Messages completed since the channel was requested.
    done: usize,
    /// Messages queued since the channel was requested.
    queued: usize,
}

/// A mailbox channel held by a client; freed when dropped. The client
/// device must stay bound for `'a`.
///
/// # Invariants
///
/// - `client` is a valid `mbox_client` for the client device with our
///   callbacks, and `chan`, once non-null, is a channel bound to it.
/// - A slot of `slots` is handed to the framework only while it is between
///   `done` and `queued` in `ring`, so the framework never reads a slot that
///   is being rewritten.
#[pin_data(PinnedDrop)]
pub(crate) struct Channel<'a, C: MboxClient> {
    #[pin]
    client: Opaque<ffi::mbox_client>,
    chan: AtomicPtr<ffi::mbox_chan>,
    slots: [AtomicU32; QUEUE_LEN],
    #[pin]
    ring: SpinLockIrq<TxRing>,
    #[pin]
    handler: C,
    _dev: PhantomData<&'a Device<Bound>>,
}

// SAFETY: The C structures are used by the framework under its locks and by
// us through atomics and `ring`; `C` is `Send + Sync`.
unsafe impl<C: MboxClient> Send for Channel<'_, C> {}
// SAFETY: See `Send`.
unsafe impl<C: MboxClient> Sync for Channel<'_, C> {}

impl<'a, C: MboxClient + 'a> Channel<'a, C> {
    /// Requests the channel called `name` in the `mbox-names` of `dev`,
    /// with callbacks `handler`. Fails with `EPROBE_DEFER` while the
    /// controller is not there yet, and with `EINVAL` if the controller does
    /// not use `C::Format`.
    pub(crate) fn request_by_name(
        dev: &'a Device<Bound>,
        name: &'a CStr,
        handler: impl PinInit<C, Error> + 'a,
    ) -> impl PinInit<Self, Error> + 'a {
        let raw_dev = raw_device(dev);
        try_pin_init!(&this in Self {
            client <- Opaque::ffi_init(move |slot: *mut ffi::mbox_client| {
                // SAFETY: `slot` is valid for writes and not shared yet; all
                // zeroes is a valid `mbox_client`.
                unsafe {
                    slot.write_bytes(0, 1);
                    (*slot).dev = raw_dev;
                    (*slot).tx_block = false;
                    (*slot).knows_txdone = false;
                    (*slot).rx_callback = Some(Self::rx_cb);
                    (*slot).tx_done = Some(Self::tx_done_cb);
                }
            }),
            chan: AtomicPtr::new(ptr::null_mut()),
            slots: [const { AtomicU32::new(0) }; QUEUE_LEN],
            ring <- new_spinlock_irq!(TxRing { done: 0, queued: 0 }, "mbox_client_ring"),
            handler <- handler,
            _dev: PhantomData,
            // Last, so that a failure leaves nothing to free.
            _: {
                // SAFETY: Every field is initialised, so the callbacks may
                // run as soon as the channel is bound; `client` is pinned at
                // its final address for as long as the channel is held.
                let chan = unsafe {
                    let client = Opaque::cast_into(&raw const (*this.as_ptr()).client);
                    from_err_ptr(ffi::mbox_request_channel_byname(client, name.as_char_ptr()))?
                };
                // SAFETY: A channel returned by the framework is bound to our
                // client and belongs to a registered controller, whose device
                // is alive while the channel is held.
                let ctrl_dev = unsafe { Device::from_raw((*(*chan).mbox).dev) };
                if !C::Format::accepts(ctrl_dev) {
                    dev_err!(
                        dev,
                        "mailbox channel '{}': controller {} does not use this message format\n",
                        name.to_str().unwrap_or("?"),
                        ctrl_dev.name().to_str().unwrap_or("?"),
                    );
                    // SAFETY: We own the channel and never use it again.
                    unsafe { ffi::mbox_free_channel(chan) };
                    return Err(EINVAL);
                }
                // SAFETY: `this` is being initialised; the field is an atomic.
                unsafe { (*this.as_ptr()).chan.store(chan, Ordering::Release) };
            },
        }? Error)
    }

    /// The callbacks' data.
    pub(crate) fn handler(&self) -> &C {
        &self.handler
    }

    /// Queues `word` for sending (non-blocking; atomic context is fine).
    /// `EBUSY` if the framework's queue of this channel is full,
    /// `ENODEV` while the channel is still being requested.
    pub(crate) fn send(&self, word: u32) -> Result {
        let chan = self.chan.load(Ordering::Acquire);
        if chan.is_null() {
            return Err(ENODEV);
        }
        let mut ring = self.ring.lock();
        if ring.queued - ring.done >= QUEUE_LEN {
            return Err(EBUSY);
        }
        let slot = &self.slots[ring.queued % QUEUE_LEN];
        slot.store(word, Ordering::Relaxed);
        // SAFETY: `chan` is bound to our client (type invariant). The slot
        // is ours until the framework reports this message done, which
        // `tx_done_cb` accounts under `ring` (type invariant).
        let token = unsafe { ffi::mbox_send_message(chan, slot.as_ptr().cast::<c_void>()) };
        if token < 0 {
            return Err(Error::from_errno(token));
        }
        ring.queued += 1;
        Ok(())
    }

    /// Returns the channel that owns `client`.
    ///
    /// # Safety
    ///
    /// `client` must be the `client` field of a live `Channel<'_, C>`.
    unsafe fn from_client<'b>(client: *mut ffi::mbox_client) -> &'b Self {
        // SAFETY: By the function's contract `client` is the `client` field
        // of a live `Self`.
        unsafe { &*kernel::container_of!(client.cast::<Opaque<ffi::mbox_client>>(), Self, client) }
    }

    /// `mbox_client.rx_callback`.
    ///
    /// # Safety
    ///
    /// Only the mailbox framework calls it, for a channel bound to our
    /// client, with the controller's message.
    unsafe extern "C" fn rx_cb(client: *mut ffi::mbox_client, msg: *mut c_void) {
        // SAFETY: Only our clients have this callback, and the framework
        // calls it while the channel is bound, i.e. before `drop` returns.
        let this = unsafe { Self::from_client(client) };
        // SAFETY: The controller was accepted for `C::Format` at request
        // time, and `msg` is valid during the callback.
        let msg = unsafe { <C::Format as MessageFormat>::read(msg) };
        C::received(this, msg);
    }

    /// `mbox_client.tx_done`.
    ///
    /// # Safety
    ///
    /// As for [`Self::rx_cb`].
    unsafe extern "C" fn tx_done_cb(client: *mut ffi::mbox_client, _msg: *mut c_void, r: i32) {
        // SAFETY: As in `rx_cb`.
        let this = unsafe { Self::from_client(client) };
        {
            let mut ring = this.ring.lock();
            if ring.done < ring.queued {
                ring.done += 1;
            }
        }
        let result = if r < 0 {
            Err(Error::from_errno(r))
        } else {
            Ok(())
        };
        C::tx_done(this, result);
    }
}

#[pinned_drop]
impl<C: MboxClient> PinnedDrop for Channel<'_, C> {
    fn drop(self: Pin<&mut Self>) {
        let chan = self.chan.swap(ptr::null_mut(), Ordering::AcqRel);
        if !chan.is_null() {
            // SAFETY: The channel is bound to our client; after this the
            // framework calls none of our callbacks and forgets the queue.
            unsafe { ffi::mbox_free_channel(chan) };
        }
    }
}
