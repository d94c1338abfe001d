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

use super::{device::RingMemory, device::MAX_QUEUES, ffi};
use core::{
    ptr,
    sync::atomic::{AtomicBool, Ordering},
};
use kernel::{bindings, new_mutex, prelude::*, sync::Arc, sync::Mutex};

/// One ring: the virtqueue and the memory it lives in.
struct Slot {
    vq: *mut ffi::virtqueue,
    mem: Option<RingMemory>,
}

// SAFETY: The virtqueue is used only under the mutex that holds it (or by
// the virtio core, with its own locking); the memory is `Send`.
unsafe impl Send for Slot {}

impl Slot {
    const EMPTY: Self = Self {
        vq: ptr::null_mut(),
        mem: None,
    };
}

/// The virtqueue table of one device; see the module documentation.
#[pin_data]
pub(crate) struct Queues {
    ready: AtomicBool,
    #[pin]
    ring0: Mutex<Slot>,
    #[pin]
    ring1: Mutex<Slot>,
}

const _: () = assert!(MAX_QUEUES == 2);

impl Queues {
    /// An empty table, not ready.
    pub(crate) fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                ready: AtomicBool::new(false),
                ring0 <- new_mutex!(Slot::EMPTY),
                ring1 <- new_mutex!(Slot::EMPTY),
            }),
            GFP_KERNEL,
        )
    }

    /// The slot of ring `index`.
    fn slot(&self, index: usize) -> Option<&Mutex<Slot>> {
        match index {
            0 => Some(&self.ring0),
            1 => Some(&self.ring1),
            _ => None,
        }
    }

    /// Runs the callback of ring `index` if it has used buffers (the
    /// virtio core's `vring_interrupt`). Sleeps; process context only.
    /// Returns whether the ring had work; `false` also when the ring does
    /// not exist or the driver is not ready.
    pub(crate) fn interrupt(&self, index: usize) -> bool {
        let Some(slot) = self.slot(index) else {
            return false;
        };
        let slot = slot.lock();
        if !self.ready.load(Ordering::Acquire) || slot.vq.is_null() {
            return false;
        }
        // SAFETY: A live queue stays in its slot until `delete_all`, which
        // needs the mutex we hold.
        let ret = unsafe { ffi::vring_interrupt(0, slot.vq.cast()) };
        ret == bindings::irqreturn::IRQ_HANDLED
    }

    /// Called by the glue when the driver sets or clears `DRIVER_OK`.
    pub(super) fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Release);
    }

    /// Waits for runs in progress to finish.
    pub(super) fn synchronize(&self) {
        drop(self.ring0.lock());
        drop(self.ring1.lock());
    }

    /// Records a queue the glue created in `mem`.
    pub(super) fn insert(&self, index: usize, vq: *mut ffi::virtqueue, mem: RingMemory) {
        if let Some(slot) = self.slot(index) {
            let mut slot = slot.lock();
            slot.vq = vq;
            slot.mem = Some(mem);
        }
    }

    /// Deletes every queue and zeroes its memory, so that the remote finds
    /// no buffer of ours there any more.
    pub(super) fn delete_all(&self) {
        for slot in [&self.ring0, &self.ring1] {
            let mut slot = slot.lock();
            let vq = core::mem::replace(&mut slot.vq, ptr::null_mut());
            if !vq.is_null() {
                // SAFETY: Created by `vring_new_virtqueue` and not deleted
                // yet; no run can use it (we hold the mutex).
                unsafe { ffi::vring_del_virtqueue(vq) };
            }
            if let Some(mem) = slot.mem.take() {
                mem.zero();
            }
        }
    }

    /// Forgets every queue after the device is gone; returns whether the
    /// driver had left any (they are leaked, not touched).
    pub(super) fn clear(&self) -> bool {
        self.set_ready(false);
        let mut left = false;
        for slot in [&self.ring0, &self.ring1] {
            let mut slot = slot.lock();
            left |= !slot.vq.is_null();
            slot.vq = ptr::null_mut();
            slot.mem = None;
        }
        left
    }
}
