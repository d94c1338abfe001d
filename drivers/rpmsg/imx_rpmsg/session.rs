// SPDX-License-Identifier: GPL-2.0
//! When the M4 runs, with `fsl,src`: only while every vdev's rings belong
//! to the driver that set them up since the M4 was last held in reset.
//!
//! The M4 is released only when every vdev has reached `DRIVER_OK` since
//! the M4 was last held (its driver has set up the rings and buffers), and
//! a vdev's reset withdraws it: `virtio_rpmsg_bus` resets the device before
//! it deletes the rings and frees the buffers (unbind, unload), and the
//! virtio core resets it at registration. So a reset holds the M4 in reset
//! if it runs, and the remote boots into rings and buffers of the current
//! session only, whichever driver is unbound and bound again through
//! sysfs. A driver whose probe fails frees what it set up without a reset,
//! but that vdev never reached `DRIVER_OK`, so the M4 was never released;
//! it stays in reset, and a line says why. A reset while the M4 runs also
//! ends the other vdevs' sessions (the restarted remote knows nothing of
//! their rings): the M4 then stays in reset until each of them is set up
//! again, and a line says so.

use crate::m4::M4;
use kernel::{device::Device, new_mutex, prelude::*, sync::aref::ARef, sync::Arc, sync::Mutex};

/// What the M4 should do after an event ([`Readiness`]).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Nothing changes.
    None,
    /// Release it: every vdev is ready.
    Start,
    /// Hold it in reset; `orphaned` other vdevs were ready and must now be
    /// set up again.
    Stop {
        /// Vdevs (bit per index) whose session the stop ended, besides the
        /// one being reset.
        orphaned: u32,
    },
}

/// The bookkeeping of [`M4Session`], without the hardware.
#[derive(Debug)]
pub(crate) struct Readiness {
    /// One bit per vdev of the node.
    all: u32,
    /// Vdevs that reached `DRIVER_OK` since the M4 was last held.
    ready: u32,
    running: bool,
    closed: bool,
}

impl Readiness {
    /// `vdevs` vdevs (1 to 32), none ready, the M4 held in reset.
    pub(crate) fn new(vdevs: u32) -> Self {
        Self {
            all: u32::MAX >> (32 - vdevs.clamp(1, 32)),
            ready: 0,
            running: false,
            closed: false,
        }
    }

    /// Vdev `index` was reset. An index beyond the node's vdevs changes
    /// nothing.
    pub(crate) fn reset(&mut self, index: u32) -> Action {
        let bit = 1u32.checked_shl(index).unwrap_or(0) & self.all;
        if bit == 0 {
            return Action::None;
        }
        if self.running {
            self.running = false;
            let orphaned = self.ready & !bit;
            self.ready = 0;
            Action::Stop { orphaned }
        } else {
            self.ready &= !bit;
            Action::None
        }
    }

    /// Vdev `index` reached `DRIVER_OK`.
    pub(crate) fn driver_ok(&mut self, index: u32) -> Action {
        self.ready |= 1u32.checked_shl(index).unwrap_or(0) & self.all;
        if self.ready == self.all && !self.running && !self.closed {
            self.running = true;
            Action::Start
        } else {
            Action::None
        }
    }

    /// The transport goes away: the M4 is held from now on.
    pub(crate) fn close(&mut self) {
        self.closed = true;
        self.running = false;
    }
}

/// The M4 of a transport with `fsl,src`, shared by its vdevs. Its calls
/// sleep (a mutex serialises them): process context only, as the virtio
/// core's `reset` and `set_status` are.
#[pin_data]
pub(crate) struct M4Session {
    m4: M4,
    #[pin]
    readiness: Mutex<Readiness>,
    dev: ARef<Device>,
}

impl M4Session {
    /// The session of `m4` (held in reset) for a node of `vdevs` vdevs.
    pub(crate) fn new(dev: &Device, m4: M4, vdevs: u32) -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                m4,
                readiness <- new_mutex!(Readiness::new(vdevs), "imx_rpmsg_m4"),
                dev: dev.into(),
            }),
            GFP_KERNEL,
        )
    }

    /// Vdev `index` was reset: its driver is about to free or set up its
    /// rings and buffers.
    pub(crate) fn vdev_reset(&self, index: u32) {
        let mut t = self.readiness.lock();
        if let Action::Stop { orphaned } = t.reset(index) {
            self.m4.hold();
            if orphaned != 0 {
                dev_warn!(
                    self.dev,
                    "vdev{} was reset: the M4 is held in reset until the other vdevs (mask {:#x}) are set up again\n",
                    index,
                    orphaned
                );
            }
        }
    }

    /// Vdev `index` reached `DRIVER_OK`: its rings are ready.
    pub(crate) fn vdev_ready(&self, index: u32) {
        let mut t = self.readiness.lock();
        if t.driver_ok(index) == Action::Start {
            // On failure (logged) nothing runs and the next reset simply
            // holds it again.
            let _ = self.m4.start();
        }
    }

    /// Vdev `index`'s driver failed to probe: says why the M4 stays in
    /// reset.
    pub(crate) fn vdev_failed(&self, index: u32) {
        dev_warn!(
            self.dev,
            "vdev{}: its driver failed to set it up; the M4 stays in reset until a driver has set up every vdev\n",
            index
        );
    }

    /// Holds the M4 in reset for good: the transport is being torn down.
    pub(crate) fn close(&self) {
        let mut t = self.readiness.lock();
        t.close();
        self.m4.hold();
    }
}

/// Closes the session when dropped: the first field of the transport's
/// data, so the M4 is held before anything else is torn down.
pub(crate) struct CloseOnDrop(pub(crate) Arc<M4Session>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        self.0.close();
    }
}
