// SPDX-License-Identifier: GPL-2.0
//! One RPMsg channel seen as a tty line: what its port carries and how
//! bytes flow.
//!
//! **Transmit.** `write()` (which must not sleep) only copies into the
//! port's [`RecordFifo`] and queues the transmit work; `write_room` is the
//! FIFO's room, so a full FIFO makes writers wait in the line discipline
//! until the work has sent half of it and woken them. The work sends one
//! record per message with [`Endpoint::send`], which waits for a free
//! transmit buffer for as long as the remote needs — no data is dropped
//! and the bus's 15-second limit never reaches the writer.
//!
//! **Receive.** A message goes straight into the port's flip buffer, the
//! tty layer's own bounded staging (up to 640 KiB per port), which its own
//! work drains into the line discipline: the receive callback never waits,
//! so a reader that stops holds up only its own tty, never the transport's
//! ring work or another endpoint. Back-pressure reaches only this channel:
//! while the line discipline is throttled (its reader is behind) and the
//! flip buffer has less than [`RX_RESERVE`] bytes of room, the transmit
//! work sends nothing more, so a request/response remote (an echo) stops
//! answering into a full buffer and the writer waits (`write_room` drops
//! to 0). What a remote sends anyway into a full flip buffer is dropped,
//! counted and reported (ratelimited).
//!
//! **Removal.** When the channel goes (name-service destroy, transport
//! unload) the port is marked dead, waiters are released, the transmit
//! work finishes and an open tty is hung up.

use crate::fifo::{RecordFifo, FIFO_BYTES, FIFO_RECORDS};
use crate::report::RateLimit;
use crate::rpmsg::endpoint::Endpoint;
use crate::tty::port::Port;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use kernel::{
    bindings, new_spinlock_irq, new_work,
    prelude::*,
    sync::{Arc, ArcBorrow, SpinLockIrq},
    workqueue::{self, HasWork, Work, WorkItem},
};

/// Largest message we send (virtio_rpmsg_bus: 512-byte buffers, 496 bytes
/// of payload); also the size of the transmit work's stack buffer.
pub(crate) const MAX_MSG: usize = 512;

/// Flip-buffer room kept for answers to what was already sent: below it,
/// with the line discipline throttled, the transmit work pauses. Covers
/// every transmit buffer of a vdev (256 of 512 bytes) answered twice over.
pub(crate) const RX_RESERVE: usize = 256 * 1024;

/// Writers waiting for room are woken once fewer bytes than this wait to
/// be sent (and whenever a send fails for good), not after every message:
/// a writer streaming into a full FIFO then writes half of it per wake-up
/// instead of one message (serial drivers' `WAKEUP_CHARS`, scaled to the
/// FIFO).
pub(crate) const WAKEUP_BELOW: usize = FIFO_BYTES / 2;

/// The transmit side, under one spinlock (`write()` may run in atomic
/// context); the transmit work reads the bytes of the record it sends
/// without it (see [`RecordFifo::front`]).
struct Tx {
    fifo: RecordFifo,
    /// The channel is gone: no more sending, no more queued work.
    dead: bool,
}

/// What each tty port of ours carries.
#[pin_data]
pub(crate) struct Chan {
    ept: Endpoint,
    /// Payload bytes per message.
    mtu: usize,
    #[pin]
    tx: SpinLockIrq<Tx>,
    #[pin]
    tx_work: Work<Port<Chan>>,
    dead: AtomicBool,
    /// The line discipline asked us to stop (its reader is behind).
    throttled: AtomicBool,
    /// Received bytes dropped because the flip buffer was full (wraps).
    rx_dropped: AtomicU32,
    /// Ratelimit of the drop report.
    rx_report: RateLimit,
    /// Ratelimits the report of messages the bus refused (a stopped
    /// device refuses every one a writer sends).
    tx_report: RateLimit,
}

// SAFETY: `raw_get_work` and `work_container_of` use the same field,
// `data.tx_work`, of type `Work<Port<Chan>>`.
unsafe impl HasWork<Port<Chan>> for Port<Chan> {
    unsafe fn raw_get_work(ptr: *mut Self) -> *mut Work<Port<Chan>> {
        // SAFETY: The caller passes a valid `Port<Chan>`.
        unsafe { &raw mut (*ptr).data.tx_work }
    }

    unsafe fn work_container_of(ptr: *mut Work<Port<Chan>>) -> *mut Self {
        // SAFETY: The caller passes the `data.tx_work` field of a port.
        unsafe { kernel::container_of!(ptr, Self, data.tx_work) }
    }
}

impl WorkItem for Port<Chan> {
    type Pointer = Arc<Port<Chan>>;

    fn run(port: Arc<Port<Chan>>) {
        port.data().transmit(&port);
    }
}

impl Chan {
    /// The data of a new port sending on `ept`.
    pub(crate) fn new(ept: Endpoint) -> impl PinInit<Self, Error> {
        let mtu = ept.mtu().min(MAX_MSG);
        try_pin_init!(Self {
            ept,
            mtu,
            tx <- new_spinlock_irq!(Tx {
                fifo: RecordFifo::new(FIFO_BYTES, FIFO_RECORDS)?,
                dead: false,
            }),
            tx_work <- new_work!("rpmsg_tty_rs::tx"),
            dead: AtomicBool::new(false),
            throttled: AtomicBool::new(false),
            rx_dropped: AtomicU32::new(0),
            rx_report: RateLimit::new(),
            tx_report: RateLimit::new(),
        }? Error)
    }

    /// Payload bytes per message.
    pub(crate) fn mtu(&self) -> usize {
        self.mtu
    }

    /// `write()`: queues what fits. Atomic context.
    pub(crate) fn write(port: ArcBorrow<'_, Port<Chan>>, buf: &[u8]) -> Result<usize> {
        let this = port.data();
        let n = {
            let mut tx = this.tx.lock();
            if tx.dead {
                return Err(EIO);
            }
            let n = tx.fifo.push(buf, this.mtu);
            if tx.fifo.pending() > 0 {
                // Queued while `tx` is held, so `kill` cannot miss it.
                // Already queued: that run sends this too. Also when
                // nothing fitted: a paused work must not stay paused.
                let _ = workqueue::system_long().enqueue(Arc::<Port<Chan>>::from(port));
            }
            n
        };
        Ok(n)
    }

    /// Bytes `write()` would take now.
    pub(crate) fn write_room(&self) -> usize {
        let tx = self.tx.lock();
        if tx.dead {
            0
        } else {
            tx.fifo.room(self.mtu)
        }
    }

    /// Bytes written but not sent yet (a record being sent counts until
    /// its send returns).
    pub(crate) fn pending(&self) -> usize {
        self.tx.lock().fifo.pending()
    }

    /// Discards bytes written but not sent yet, except a record being
    /// sent.
    pub(crate) fn flush(&self, port: &Port<Chan>) {
        self.tx.lock().fifo.clear();
        port.wakeup_writers();
    }

    /// Whether sending must pause: the reader is behind and the flip
    /// buffer could not take the answers to more messages.
    fn rx_congested(&self, port: &Port<Chan>) -> bool {
        self.throttled.load(Ordering::Acquire) && port.rx_space() < RX_RESERVE
    }

    /// The transmit work: sends every record, waiting for buffers; pauses
    /// while the receive side is congested (`unthrottle` resumes it). A
    /// record goes to the bus straight from the FIFO (copied to the stack
    /// only when it wraps around the ring's end), and one lock round trip
    /// per message both removes the record sent and takes the next.
    fn transmit(&self, port: &Port<Chan>) {
        let mut buf = [0u8; MAX_MSG];
        // The record just sent, and whether to wake writers whatever is
        // left (a message was dropped).
        let mut sent: Option<(u64, bool)> = None;
        loop {
            let congested = self.rx_congested(port);
            let (front, wake) = {
                let mut tx = self.tx.lock();
                let wake = sent.take().is_some_and(|(seq, always)| {
                    tx.fifo.pop(seq);
                    always || tx.fifo.pending() < WAKEUP_BELOW
                });
                let front = if congested { None } else { tx.fifo.front() };
                let front = front.map(|f| match f.bytes {
                    Some(p) => (f.seq, p, f.len),
                    None => {
                        let len = tx.fifo.copy_front(&mut buf).unwrap_or(0);
                        (f.seq, buf.as_ptr(), len)
                    }
                });
                (front, wake)
            };
            if wake {
                port.wakeup_writers();
            }
            let Some((seq, p, len)) = front else {
                return;
            };
            // SAFETY: `p` points at `len` bytes: the record in the FIFO,
            // which `front` marked as being sent (the FIFO neither writes
            // nor moves it until the `pop` above, on the next turn or
            // below; the FIFO lives as long as `self`), or its copy in
            // `buf`, which nothing writes before the next turn.
            let msg = unsafe { core::slice::from_raw_parts(p, len) };
            match self.ept.send(msg) {
                Ok(()) => sent = Some((seq, false)),
                Err(e) if e == ENODEV => {
                    // The channel is gone; nothing can be sent any more.
                    {
                        let mut tx = self.tx.lock();
                        tx.fifo.pop(seq);
                        tx.fifo.clear();
                    }
                    port.wakeup_writers();
                    return;
                }
                Err(e) => {
                    if self.tx_report.allow() {
                        pr_err!(
                            "dropping a {} byte message the bus refused ({:?}; at most one such line per 5 s)\n",
                            len,
                            e
                        );
                    }
                    // Room is made: wake the writers whatever is left.
                    sent = Some((seq, true));
                }
            }
        }
    }

    /// A message arrived: into the flip buffer, never waiting (this runs
    /// in the transport's ring work). What does not fit is dropped,
    /// counted and reported.
    pub(crate) fn receive(&self, port: &Port<Chan>, msg: &[u8]) {
        if self.dead.load(Ordering::Acquire) {
            return;
        }
        let n = port.rx_insert(msg);
        if n > 0 {
            port.rx_push();
        }
        if n < msg.len() {
            // `msg` is one message: at most 64 KiB.
            let lost = (msg.len() - n) as u32;
            let total = self
                .rx_dropped
                .fetch_add(lost, Ordering::Relaxed)
                .wrapping_add(lost);
            if self.rx_report.allow() {
                pr_warn!(
                    "ttyRPMSG{}: receive buffer full, nobody reading: {} bytes dropped ({} in all)\n",
                    port.index(),
                    lost,
                    total
                );
            }
        }
    }

    /// The tty was opened for the first time: a throttle of an old line
    /// discipline no longer holds.
    pub(crate) fn reset_throttle(&self) {
        self.throttled.store(false, Ordering::Release);
    }

    /// The tty was closed for the last time (after the close waited for
    /// output to drain): what was not sent is discarded (except a record
    /// being sent), as serial drivers do, so a paused transmit work leaves
    /// nothing behind for the next open, and the throttle of the old line
    /// discipline no longer holds.
    pub(crate) fn closed(&self) {
        self.tx.lock().fifo.clear();
        self.reset_throttle();
    }

    /// Bytes received and dropped so far (flip buffer full).
    pub(crate) fn rx_dropped(&self) -> u32 {
        self.rx_dropped.load(Ordering::Relaxed)
    }

    /// The line discipline is nearly full (`true`) or has room again.
    pub(crate) fn set_throttled(port: ArcBorrow<'_, Port<Chan>>, throttled: bool) {
        let this = port.data();
        this.throttled.store(throttled, Ordering::Release);
        if !throttled {
            // Resume a paused transmit work.
            let tx = this.tx.lock();
            if !tx.dead && tx.fifo.pending() > 0 {
                let _ = workqueue::system_long().enqueue(Arc::<Port<Chan>>::from(port));
            }
        }
    }

    /// The channel is going away: stop everything, hang up the tty. The
    /// endpoint is already revoked.
    pub(crate) fn kill(&self, port: &Port<Chan>) {
        self.dead.store(true, Ordering::Release);
        {
            let mut tx = self.tx.lock();
            tx.dead = true;
            tx.fifo.clear();
        }
        // No new transmit work can be queued now; wait for the last one.
        // SAFETY: `tx_work` is an initialised work item of this live port.
        unsafe { bindings::flush_work(Work::raw_get(&self.tx_work)) };
        port.wakeup_writers();
        port.hangup_tty();
    }
}
