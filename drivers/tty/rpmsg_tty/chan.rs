// SPDX-License-Identifier: GPL-2.0
//! One RPMsg channel seen as a tty line: what its port carries and how
//! bytes flow.
//!
//! **Transmit.** `write()` (which must not sleep) only copies into the
//! port's [`RecordFifo`] and queues the transmit work; `write_room` is the
//! FIFO's room, so a full FIFO makes writers wait in the line discipline
//! until the work has sent something and woken them. The work sends one
//! record per message with [`Endpoint::send`], which waits for a free
//! transmit buffer for as long as the remote needs — no data is dropped
//! and the bus's 15-second limit never reaches the writer.
//!
//! **Receive.** A message goes into the flip buffer. When it is full while
//! the tty is open, the callback waits (it runs in the transport's work,
//! so the remote's ring fills up and the remote stops): that is the flow
//! control towards the remote, and nothing is dropped. With no tty open,
//! whatever does not fit is dropped and reported once.
//!
//! **Removal.** When the channel goes (name-service destroy, transport
//! unload) the port is marked dead, waiters are released, the transmit
//! work finishes and an open tty is hung up.

use crate::fifo::{RecordFifo, FIFO_BYTES, FIFO_RECORDS};
use crate::rpmsg::endpoint::Endpoint;
use crate::tty::port::Port;
use core::sync::atomic::{AtomicBool, Ordering};
use kernel::{
    bindings, new_condvar, new_mutex, new_spinlock_irq, new_work,
    prelude::*,
    sync::{Arc, ArcBorrow, CondVar, Mutex, SpinLockIrq},
    time::msecs_to_jiffies,
    workqueue::{self, HasWork, Work, WorkItem},
};

/// Largest message we send (virtio_rpmsg_bus: 512-byte buffers, 496 bytes
/// of payload); also the size of the transmit work's stack buffer.
pub(crate) const MAX_MSG: usize = 512;

/// The transmit side, under one spinlock (`write()` may run in atomic
/// context).
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
    /// Receive waits: paired with `rx_cv`, holds nothing.
    #[pin]
    rx_lock: Mutex<()>,
    #[pin]
    rx_cv: CondVar,
    dead: AtomicBool,
    /// A tty has the port open.
    active: AtomicBool,
    /// A drop of received data was reported.
    drop_reported: AtomicBool,
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
            rx_lock <- new_mutex!(()),
            rx_cv <- new_condvar!(),
            dead: AtomicBool::new(false),
            active: AtomicBool::new(false),
            drop_reported: AtomicBool::new(false),
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
            if n > 0 {
                // Queued while `tx` is held, so `kill` cannot miss it.
                // Already queued: that run sends this too.
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

    /// Bytes written but not sent yet.
    pub(crate) fn pending(&self) -> usize {
        self.tx.lock().fifo.pending()
    }

    /// Discards bytes written but not sent yet.
    pub(crate) fn flush(&self, port: &Port<Chan>) {
        self.tx.lock().fifo.clear();
        port.wakeup_writers();
    }

    /// The transmit work: sends every record, waiting for buffers.
    fn transmit(&self, port: &Port<Chan>) {
        let mut buf = [0u8; MAX_MSG];
        loop {
            let Some((seq, len)) = self.tx.lock().fifo.peek(&mut buf) else {
                return;
            };
            match self.ept.send(&buf[..len]) {
                Ok(()) => {
                    self.tx.lock().fifo.pop(seq);
                }
                Err(e) if e == ENODEV => {
                    // The channel is gone; nothing can be sent any more.
                    self.tx.lock().fifo.clear();
                    port.wakeup_writers();
                    return;
                }
                Err(e) => {
                    pr_err!(
                        "dropping a {} byte message the bus refused ({:?})\n",
                        len,
                        e
                    );
                    self.tx.lock().fifo.pop(seq);
                }
            }
            port.wakeup_writers();
        }
    }

    /// A message arrived: hand it to the tty, waiting for room while a
    /// tty is open.
    pub(crate) fn receive(&self, port: &Port<Chan>, msg: &[u8]) {
        let mut rest = msg;
        while !rest.is_empty() {
            if self.dead.load(Ordering::Acquire) {
                return;
            }
            let n = port.rx_insert(rest);
            if n > 0 {
                port.rx_push();
                rest = &rest[n..];
                continue;
            }
            if !self.active.load(Ordering::Acquire) {
                if !self.drop_reported.swap(true, Ordering::Relaxed) {
                    pr_warn!(
                        "no reader and a full receive buffer: dropping {} bytes (reported once)\n",
                        rest.len()
                    );
                }
                return;
            }
            // Full: wait for the reader (unthrottle), a close or removal.
            // The timeout only bounds a missed notification.
            let mut g = self.rx_lock.lock();
            if !self.dead.load(Ordering::Acquire) {
                let _ = self
                    .rx_cv
                    .wait_interruptible_timeout(&mut g, msecs_to_jiffies(50));
            }
        }
    }

    /// Wakes a receive waiting for room.
    pub(crate) fn rx_kick(&self) {
        let _g = self.rx_lock.lock();
        self.rx_cv.notify_all();
    }

    /// The port was opened (`true`) or closed for the last time.
    pub(crate) fn set_active(&self, active: bool) {
        self.active.store(active, Ordering::Release);
        self.rx_kick();
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
        self.rx_kick();
        // No new transmit work can be queued now; wait for the last one.
        // SAFETY: `tx_work` is an initialised work item of this live port.
        unsafe { bindings::flush_work(Work::raw_get(&self.tx_work)) };
        port.wakeup_writers();
        port.hangup_tty();
    }
}
