// SPDX-License-Identifier: GPL-2.0
//! One RPMsg virtio device: its status and features, its two rings in the
//! shared window, and its notifications as MU kicks.

use crate::kick::{self, RxKicks, TxKicks};
use crate::layout::{queue_id, Layout, RING_ALIGN, RING_NUM, RING_SPAN};
use crate::mailbox::client::Channel;
use crate::session::M4Session;
use crate::shmem::Mapping;
use crate::virtio::{
    self,
    device::{RingMemory, RingSpec, Transport},
    track::MinUsed,
};
use core::sync::atomic::{AtomicU8, Ordering};
use kernel::{prelude::*, sync::Arc};

/// `VIRTIO_RPMSG_F_NS`: the remote announces its channels through the
/// name service (bit 0, `drivers/rpmsg/virtio_rpmsg_bus.c`).
pub(crate) const VIRTIO_RPMSG_F_NS: u32 = 0;

/// Bytes of the header of every RPMsg message (`struct rpmsg_hdr`).
pub(crate) const RPMSG_HDR_LEN: u32 = 16;

/// The transport of vdev `index`.
pub(crate) struct Vdev<'a> {
    index: u32,
    layout: Layout,
    shm: Arc<Mapping>,
    status: AtomicU8,
    tx: Arc<Channel<'a, TxKicks>>,
    rx: Arc<RxKicks>,
    /// With `fsl,src`: the M4, which runs only while every vdev is ready.
    m4: Option<Arc<M4Session>>,
}

impl<'a> Vdev<'a> {
    /// Vdev `index` of `layout`, its rings in `shm`, kicking through `tx`
    /// and scheduling its rings through `rx`; with `m4`, resets and
    /// readiness of the vdev hold and release the M4.
    pub(crate) fn new(
        index: u32,
        layout: Layout,
        shm: Arc<Mapping>,
        tx: Arc<Channel<'a, TxKicks>>,
        rx: Arc<RxKicks>,
        m4: Option<Arc<M4Session>>,
    ) -> Self {
        Self {
            index,
            layout,
            shm,
            status: AtomicU8::new(0),
            tx,
            rx,
            m4,
        }
    }
}

impl Transport for Vdev<'_> {
    const DEVICE_ID: u32 = virtio::ID_RPMSG;

    fn features(&self) -> u64 {
        1 << VIRTIO_RPMSG_F_NS
    }

    fn status(&self) -> u8 {
        self.status.load(Ordering::Acquire)
    }

    fn set_status(&self, status: u8) {
        let old = self.status.swap(status, Ordering::AcqRel);
        if status & virtio::STATUS_DRIVER_OK != 0 && old & virtio::STATUS_DRIVER_OK == 0 {
            // Kicks that came while the driver was not ready were dropped:
            // look at both rings once now.
            for ring in 0..2 {
                self.rx.schedule(queue_id(self.index, ring));
            }
            if let Some(m4) = &self.m4 {
                m4.vdev_ready(self.index);
            }
        }
        if status & virtio::STATUS_FAILED != 0 && old & virtio::STATUS_FAILED == 0 {
            if let Some(m4) = &self.m4 {
                m4.vdev_failed(self.index);
            }
        }
    }

    fn reset(&self) {
        // Before the driver frees or sets up anything the remote could
        // reach.
        if let Some(m4) = &self.m4 {
            m4.vdev_reset(self.index);
        }
        self.status.store(0, Ordering::Release);
    }

    fn ring(&self, index: usize) -> Result<RingSpec> {
        let off = self.layout.ring_offset(self.index, index).ok_or(EINVAL)?;
        let ptr = self.shm.ptr_at(off, RING_SPAN).ok_or(EINVAL)?;
        Ok(RingSpec {
            // SAFETY: `ptr` is in our write-combined mapping of the shared
            // window (normal memory), which we hold a reference to for as
            // long as the registration owning us exists; each ring span
            // belongs to exactly one ring of one vdev, and Rust code reads
            // the window nowhere else (the glue reads a not yet created
            // ring's indices through a second description, with no queue
            // using that memory).
            mem: unsafe { RingMemory::new(ptr, RING_SPAN) },
            num: RING_NUM,
            align: RING_ALIGN,
            // Ring 0 carries messages to Linux: each used entry is a whole
            // message, at least its header.
            min_used: if index == 0 {
                MinUsed {
                    len: RPMSG_HDR_LEN,
                    what: "the RPMsg header",
                }
            } else {
                MinUsed::NONE
            },
            remote_restarted: self.m4.is_some(),
        })
    }

    fn notify(&self, index: usize, wanted: bool) -> bool {
        if wanted {
            kick::kick(&self.tx, queue_id(self.index, index as u32));
        }
        if index == 1 {
            // The remote may consume without kicking (see `kick::TxPoll`).
            self.rx.poll_tx(self.index);
        }
        true
    }

    fn bus_name(&self) -> &'static CStr {
        c"imx-rpmsg"
    }
}
