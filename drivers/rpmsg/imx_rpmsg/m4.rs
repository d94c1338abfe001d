// SPDX-License-Identifier: GPL-2.0
//! Stopping and starting the Cortex-M core through the System Reset
//! Controller, when the node points to it in `fsl,src`
//! (Documentation/rpmsg.md, "The M4's lifecycle").
//!
//! A remote that outlives the transport keeps reading and writing the
//! rings and the buffers it took: after an unload those are memory Linux
//! may have given back, and a remote that does not resynchronise (stock
//! rpmsg-lite) never talks to a reloaded transport again. With the SRC the
//! transport holds the core in reset before it frees anything and releases
//! it, booting from its vector table, once the new rings are ready: every
//! session starts with a fresh remote and fresh rings.

use crate::syscon::Syscon;
use kernel::{device::Device, prelude::*, sync::aref::ARef};

/// Where a SoC's SRC holds and releases its Cortex-M core: the register
/// and the values under `mask` that hold it in reset and let it run (those
/// the kernel's `imx_rproc` writes).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct M4Control {
    /// Byte offset of the register in the SRC.
    pub(crate) reg: u32,
    /// The bits this control owns.
    pub(crate) mask: u32,
    /// Core enabled, held in reset (non-self-clearing core reset set).
    pub(crate) stop: u32,
    /// Core enabled, platform and core reset pulsed, not held.
    pub(crate) start: u32,
}

/// i.MX7D/S: `SRC_M4RCR`, ENABLE_M4 (bit 3), SW_M4P_RST (2), SW_M4C_RST
/// (1), SW_M4C_NON_SCLR_RST (0).
pub(crate) const IMX7D: M4Control = M4Control {
    reg: 0x0c,
    mask: 0xf,
    stop: 0xb,
    start: 0xe,
};

/// i.MX6SX: `SRC_SCR`, ENABLE_M4 (bit 22), SW_M4P_RST (12),
/// SW_M4C_NON_SCLR_RST (4), SW_M4C_RST (3).
pub(crate) const IMX6SX: M4Control = M4Control {
    reg: 0x00,
    mask: 1 << 22 | 1 << 12 | 1 << 4 | 1 << 3,
    stop: 1 << 22 | 1 << 4 | 1 << 3,
    start: 1 << 22 | 1 << 12 | 1 << 3,
};

/// The node's property naming the SRC.
pub(crate) const SRC_PROPERTY: &CStr = c"fsl,src";

/// The core behind the SRC, held in reset from [`M4::stop`] until
/// [`M4::start`] (`session` decides when); held in reset again when
/// dropped.
pub(crate) struct M4 {
    src: Syscon,
    ctl: &'static M4Control,
    dev: ARef<Device>,
}

impl M4 {
    /// Holds the core of `dev`'s node in reset if the node has
    /// `fsl,src`; `ctl` says how on this SoC (`None`: the SoC gives Linux
    /// no control of the core, and the property is an error). Logs one line
    /// on failure.
    pub(crate) fn stop(dev: &Device, ctl: Option<&'static M4Control>) -> Result<Option<Self>> {
        let src = Syscon::by_phandle(dev, SRC_PROPERTY).inspect_err(|e| {
            // A node that is not a syscon yet may become one when its
            // driver probes: wait quietly, as `dev_err_probe` would.
            if *e != EPROBE_DEFER {
                dev_err!(dev, "'fsl,src' does not point to a syscon ({:?})\n", e);
            }
        })?;
        let Some(src) = src else {
            return Ok(None);
        };
        let Some(ctl) = ctl else {
            dev_err!(
                dev,
                "'fsl,src': Linux does not control this SoC's Cortex-M core\n"
            );
            return Err(EINVAL);
        };
        src.update_bits(ctl.reg, ctl.mask, ctl.stop)
            .inspect_err(|e| {
                dev_err!(dev, "cannot stop the M4 through the SRC ({:?})\n", e);
            })?;
        Ok(Some(Self {
            src,
            ctl,
            dev: dev.into(),
        }))
    }

    /// Releases the core: it boots from its vector table. Logs one line on
    /// failure.
    pub(crate) fn start(&self) -> Result {
        self.src
            .update_bits(self.ctl.reg, self.ctl.mask, self.ctl.start)
            .inspect_err(|e| {
                dev_err!(self.dev, "cannot start the M4 through the SRC ({:?})\n", e);
            })
    }

    /// Holds the core in reset (again). Logs one line on failure.
    pub(crate) fn hold(&self) {
        if let Err(e) = self
            .src
            .update_bits(self.ctl.reg, self.ctl.mask, self.ctl.stop)
        {
            dev_err!(
                self.dev,
                "cannot stop the M4 through the SRC ({:?}); it may still use the buffers being freed\n",
                e
            );
        }
    }
}

impl Drop for M4 {
    fn drop(&mut self) {
        // Normally held already (the session's `close`, or a reset); an M4
        // dropped on any other path must not be left running either.
        self.hold();
    }
}
