// SPDX-License-Identifier: GPL-2.0
//! The live virtqueues of one device, shared between the virtio core's
//! callbacks (which create and delete them) and the transport's interrupt
//! path (which runs them).
//!
//! Runs happen under the ring's mutex, in process context, and only while
//! the driver has set `DRIVER_OK`: `virtio_rpmsg_bus` takes mutexes and
//! registers devices from its callbacks, and a remote can kick before the
//! driver is ready. Deleting a queue takes the same mutex, so a run in
//! progress always finishes first and none starts on a deleted queue. Each
//! ring has its own mutex. Callbacks must not wait for user space: reset
//! and shutdown (`synchronize`) wait for a run in progress.
//!
//! Each ring's [`Shadow`] (the private copy the virtio core works on) sits
//! behind an IRQ-safe spinlock of its own: a run takes the remote's used
//! entries in under it before calling the ring's callback, and a
//! notification, which may come from that callback or from any context,
//! publishes the driver's new buffers under it. A used entry that fails
//! its check stops the device ([`Queues::interrupt`]).

use super::{device::MAX_QUEUES, ffi, shadow::Shadow, track::Fault};
use core::{
    ptr,
    sync::atomic::{AtomicBool, AtomicU32, Ordering},
};
use kernel::{
    bindings, device::Device, fmt, new_spinlock, new_spinlock_irq, prelude::*, static_lock_class,
    sync::Arc, sync::LockClassKey, sync::Mutex, sync::SpinLock, sync::SpinLockIrq,
};

/// The virtqueue a ring runs (null when there is none).
struct Live(*mut ffi::virtqueue);

// SAFETY: The virtqueue is used only under the mutex that holds it (or by
// the virtio core, with its own locking).
unsafe impl Send for Live {}

/// One ring: its virtqueue and its private copy.
#[pin_data]
struct Ring {
    #[pin]
    run: Mutex<Live>,
    #[pin]
    shadow: SpinLockIrq<Option<Shadow>>,
}

impl Ring {
    /// A ring without a queue; `name` and `class` are its run mutex's
    /// (each ring has its own lock class: `interrupt_checked` holds ring
    /// 0's while it takes ring 1's).
    fn new(name: &'static CStr, class: Pin<&'static LockClassKey>) -> impl PinInit<Self> {
        pin_init!(Self {
            run <- Mutex::new(Live(ptr::null_mut()), name, class),
            shadow <- new_spinlock_irq!(None),
        })
    }
}

/// The remote faults one device has seen, for debugfs (its `Debug` output
/// is the file's text).
#[pin_data]
pub(crate) struct RemoteFaults {
    count: AtomicU32,
    #[pin]
    last: SpinLock<Option<(usize, Fault)>>,
}

impl RemoteFaults {
    fn record(&self, ring: usize, fault: Fault) {
        self.count.fetch_add(1, Ordering::Relaxed);
        *self.last.lock() = Some((ring, fault));
    }
}

impl fmt::Debug for RemoteFaults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "faults: {}", self.count.load(Ordering::Relaxed))?;
        match *self.last.lock() {
            Some((ring, fault)) => f.write_fmt(fmt!("last: ring {}: {}", ring, fault)),
            None => write!(f, "last: none"),
        }
    }
}

/// The virtqueue table of one device; see the module documentation.
#[pin_data]
pub(crate) struct Queues {
    ready: AtomicBool,
    /// A remote fault stopped the device; cleared when rings are created.
    stopped: AtomicBool,
    faults: Arc<RemoteFaults>,
    #[pin]
    ring0: Ring,
    #[pin]
    ring1: Ring,
}

const _: () = assert!(MAX_QUEUES == 2);

impl Queues {
    /// An empty table, not ready.
    pub(crate) fn new() -> Result<Arc<Self>> {
        let faults = Arc::pin_init(
            pin_init!(RemoteFaults {
                count: AtomicU32::new(0),
                last <- new_spinlock!(None),
            }),
            GFP_KERNEL,
        )?;
        Arc::pin_init(
            pin_init!(Self {
                ready: AtomicBool::new(false),
                stopped: AtomicBool::new(false),
                faults,
                ring0 <- Ring::new(c"virtio_ring0_run", static_lock_class!()),
                ring1 <- Ring::new(c"virtio_ring1_run", static_lock_class!()),
            }),
            GFP_KERNEL,
        )
    }

    /// The remote faults of this device (for a debugfs file).
    pub(crate) fn faults(&self) -> Arc<RemoteFaults> {
        self.faults.clone()
    }

    /// Ring `index`.
    fn ring(&self, index: usize) -> Option<&Ring> {
        match index {
            0 => Some(&self.ring0),
            1 => Some(&self.ring1),
            _ => None,
        }
    }

    /// Takes the remote's new used entries of ring `index` in, checked, and
    /// runs the ring's callback if it has used buffers (the virtio core's
    /// `vring_interrupt`). Sleeps; process context only. Returns whether
    /// the ring had work; `false` also when the ring does not exist, the
    /// driver is not ready, or the device is stopped.
    ///
    /// A used entry that fails its check stops the device once the sound
    /// entries before it were delivered: one line on the virtio device
    /// naming the fault, counted in [`RemoteFaults`], the
    /// device marked broken (its drivers' calls fail from then on) and no
    /// ring of it taken in or run again until its rings are re-created.
    pub(crate) fn interrupt(&self, index: usize) -> bool {
        self.interrupt_checked(index, None)
    }

    /// Like [`Self::interrupt`] for ring `index`, but the used entries of
    /// ring `other` are taken in and checked (and delivered) after those of
    /// `index` were read and before they are delivered: nothing of `index`
    /// reaches the driver if `other` shows a fault the remote committed
    /// before it wrote them. A remote that walks stale ring state answers
    /// on one ring before it returns the buffer it answered from on the
    /// other; checked this way, its first lie stops the device before any
    /// answer to a stale buffer is delivered (best effort: a remote that
    /// holds several buffers before returning them can answer from stale
    /// ones first). Takes ring `index`'s mutex, then `other`'s, which must
    /// be a higher ring (the only order in which two are held); does
    /// nothing otherwise.
    pub(crate) fn interrupt_checked(&self, index: usize, other: Option<usize>) -> bool {
        // The one lock order: a lower ring's mutex before a higher one's.
        if other.is_some_and(|other| other <= index) {
            return false;
        }
        let Some(ring) = self.ring(index) else {
            return false;
        };
        let run = ring.run.lock();
        if !self.ready.load(Ordering::Acquire)
            || self.stopped.load(Ordering::Acquire)
            || run.0.is_null()
        {
            return false;
        }
        let (taken, first) = match &mut *ring.shadow.lock() {
            Some(shadow) => (Some(shadow.take_used()), shadow.took_none()),
            None => (None, false),
        };
        if let Some(other) = other {
            // `take_used` read the used index with acquire ordering: what
            // the remote wrote to `other` before these entries is visible.
            self.interrupt(other);
            if self.stopped.load(Ordering::Acquire) {
                return false;
            }
        }
        // SAFETY: A live queue stays in its slot until `delete_all`, which
        // needs the mutex we hold.
        let ret = unsafe { ffi::vring_interrupt(0, run.0.cast()) };
        // The sound entries before a fault were delivered above.
        if let Some(Err(fault)) = taken {
            self.stop(index, run.0, fault, first);
        }
        ret == bindings::irqreturn::IRQ_HANDLED
    }

    /// Stops the device after `fault` on ring `index`, whose live queue is
    /// `vq` (the caller holds the ring's mutex); `first`: the ring had
    /// taken no sound used entry before.
    fn stop(&self, index: usize, vq: *mut ffi::virtqueue, fault: Fault, first: bool) {
        if self.stopped.swap(true, Ordering::AcqRel) {
            return;
        }
        self.faults.record(index, fault);
        // SAFETY: `vq` is live (the caller holds its mutex) and belongs to
        // our registered device, which outlives its queues.
        let vdev = unsafe { (*vq).vdev };
        // SAFETY: As above; the device is registered, so its reference
        // count, and that of its parent (the transport's device), cannot
        // drop to zero during this call.
        let (dev, parent): (&Device, &Device) = unsafe {
            (
                Device::from_raw(&raw mut (*vdev).dev),
                Device::from_raw((*vdev).dev.parent),
            )
        };
        // A fault before the ring's first sound entry is what a remote that
        // still runs on an earlier session's ring state commits: a reload
        // alone does not help it.
        let hint = if first {
            "; the remote may still run on an earlier session's rings: restart it"
        } else {
            ""
        };
        dev_err!(
            parent,
            "{}: remote fault on ring {}: {}; device stopped (reload the transport to recover{})\n",
            dev.name(),
            index,
            fault,
            hint
        );
        // SAFETY: `vdev` is a registered device; breaking it only marks its
        // queues so that the driver's calls on them fail.
        unsafe { ffi::virtio_break_device(vdev) };
    }

    /// Publishes ring `index`'s new buffers to the remote (at each
    /// notification); any context. Returns `false` only if the remote
    /// asked not to be notified of them ([`Shadow::publish`]).
    pub(crate) fn publish(&self, index: usize) -> bool {
        if self.stopped.load(Ordering::Acquire) {
            return true;
        }
        self.ring(index).is_none_or(|ring| {
            (*ring.shadow.lock())
                .as_mut()
                .is_none_or(|shadow| shadow.publish())
        })
    }

    /// Whether the remote holds buffers of ring `index` that it has not
    /// returned, on a live, ready device: the only case in which taking
    /// its used entries in again (a run without a kick) can find any.
    pub(crate) fn remote_holds(&self, index: usize) -> bool {
        if !self.ready.load(Ordering::Acquire) || self.stopped.load(Ordering::Acquire) {
            return false;
        }
        self.ring(index)
            .is_some_and(|ring| (*ring.shadow.lock()).as_ref().is_some_and(|s| s.held() > 0))
    }

    /// Called by the glue when the driver sets or clears `DRIVER_OK`.
    pub(super) fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Release);
    }

    /// Waits for runs in progress to finish.
    pub(super) fn synchronize(&self) {
        drop(self.ring0.run.lock());
        drop(self.ring1.run.lock());
    }

    /// Records a queue the glue created in `shadow`'s private ring.
    pub(super) fn insert(&self, index: usize, vq: *mut ffi::virtqueue, shadow: Shadow) {
        if let Some(ring) = self.ring(index) {
            let mut run = ring.run.lock();
            run.0 = vq;
            let old = (*ring.shadow.lock()).replace(shadow);
            if old.is_some() {
                // The core deletes queues before it creates new ones; a
                // replaced copy may still be a live queue's ring: leak it.
                pr_warn!("virtio: ring {index} created twice; old ring leaked\n");
                core::mem::forget(old);
            }
            self.stopped.store(false, Ordering::Release);
        }
    }

    /// Deletes every queue, then zeroes its shared ring, so that the remote
    /// finds no buffer of ours there any more, and frees its private one.
    pub(super) fn delete_all(&self) {
        for ring in [&self.ring0, &self.ring1] {
            let mut run = ring.run.lock();
            let vq = core::mem::replace(&mut run.0, ptr::null_mut());
            if !vq.is_null() {
                // SAFETY: Created by `vring_new_virtqueue` and not deleted
                // yet; no run can use it (we hold the mutex).
                unsafe { ffi::vring_del_virtqueue(vq) };
            }
            let shadow = ring.shadow.lock().take();
            if let Some(shadow) = shadow {
                shadow.shared().zero();
            }
        }
    }

    /// Forgets every queue after the device is gone; returns whether the
    /// driver had left any (they are leaked with their private rings, not
    /// touched).
    pub(super) fn clear(&self) -> bool {
        self.set_ready(false);
        let mut left = false;
        for ring in [&self.ring0, &self.ring1] {
            let mut run = ring.run.lock();
            let shadow = ring.shadow.lock().take();
            if !run.0.is_null() {
                left = true;
                core::mem::forget(shadow);
            }
            run.0 = ptr::null_mut();
        }
        left
    }
}
