// SPDX-License-Identifier: GPL-2.0
//! `imx_mu_rs`: mailbox controller for the NXP i.MX Messaging Unit (MU),
//! a Rust drop-in for the generic channels of the kernel's `imx-mailbox`
//! driver, binding the same device-tree nodes (`fsl,mu.yaml`).
//!
//! `#mbox-cells = <2>`: `<type index>` with type 0 TX (32-bit word, done
//! when the remote reads it), 1 RX (32-bit word), 2 TX doorbell, 3 RX
//! doorbell, and index 0..=3: 16 channels. See Documentation/mailbox.md.

use kernel::{
    clk::{Clk, OptionalClk},
    device::{Bound, Core, Device},
    irq::{self, Flags},
    of, platform,
    prelude::*,
    sync::Arc,
};

/// The mailbox glue (rust/mailbox/), compiled into this module. The driver
/// uses its controller half only.
#[allow(dead_code)]
#[path = "../../rust/mailbox/mod.rs"]
mod mailbox;

#[path = "imx_mu/hw.rs"]
mod hw;
#[path = "imx_mu/irq.rs"]
mod mu_irq;
#[path = "imx_mu/regs.rs"]
mod regs;
#[path = "imx_mu/tests.rs"]
mod tests;

use hw::{EnabledClk, MuClock, MuHw};
use mailbox::controller::{Registration, TxDoneMode};
use mu_irq::{MuController, MuIrq};
use regs::{Layout, LAYOUT_IMX6SX, LAYOUT_IMX7ULP};

/// The platform driver.
struct ImxMuDriver;

/// A bound MU side. Fields are dropped in declaration order, which is the
/// teardown order: unregister the controller (every client's channel is
/// shut down), free the interrupt, then the last reference to the unit
/// silences it and stops its clock ([`MuHw`]'s drop).
#[pin_data]
struct ImxMu<'bound> {
    _mbox: Registration<'bound, MuHw<'bound>, { regs::NUM_CHANS }>,
    #[pin]
    _irq: irq::Registration<'bound, MuIrq<'bound>>,
}

kernel::of_device_table!(
    OF_TABLE,
    <ImxMuDriver as platform::Driver>::IdInfo,
    [
        (of::DeviceId::new(c"fsl,imx6sx-mu"), LAYOUT_IMX6SX),
        (of::DeviceId::new(c"fsl,imx7s-mu"), LAYOUT_IMX6SX),
        (of::DeviceId::new(c"fsl,imx8mq-mu"), LAYOUT_IMX6SX),
        (of::DeviceId::new(c"fsl,imx8mm-mu"), LAYOUT_IMX6SX),
        (of::DeviceId::new(c"fsl,imx8mn-mu"), LAYOUT_IMX6SX),
        (of::DeviceId::new(c"fsl,imx8mp-mu"), LAYOUT_IMX6SX),
        (of::DeviceId::new(c"fsl,imx8qm-mu"), LAYOUT_IMX6SX),
        (of::DeviceId::new(c"fsl,imx8qxp-mu"), LAYOUT_IMX6SX),
        (of::DeviceId::new(c"fsl,imx7ulp-mu"), LAYOUT_IMX7ULP),
    ]
);

/// Compatibles of MU nodes whose protocol this driver does not implement
/// even though they list `fsl,imx6sx-mu` (SCU fast IPC on i.MX8QM/QXP).
const UNSUPPORTED: [&CStr; 2] = [c"fsl,imx8-mu-scu", c"fsl,imx8-mu-seco"];

impl platform::Driver for ImxMuDriver {
    type IdInfo = Layout;
    type Data<'bound> = ImxMu<'bound>;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        pin_init::pin_init_scope(move || {
            let dev: &'bound Device<Bound> = pdev.as_ref();
            let layout = *info.ok_or(ENODEV)?;
            if let Some(node) = dev.fwnode() {
                if let Some(c) = UNSUPPORTED
                    .iter()
                    .find(|c| node.property_match_string(c"compatible", c).is_ok())
                {
                    dev_err!(
                        dev,
                        "{} is not supported by imx_mu_rs (use imx-mailbox)\n",
                        c.to_str().unwrap_or("?")
                    );
                    return Err(ENODEV);
                }
            }

            // Look up every resource before touching the hardware. For
            // whatever is missing: one readable line from us, and ENODEV so
            // that the driver core adds no second, generic one.
            let Some(request) = pdev.io_request_by_index(0) else {
                dev_err!(dev, "no registers: the node has no 'reg'\n");
                return Err(ENODEV);
            };
            let irq = pdev.optional_irq_by_index(0).map_err(|e| {
                if e == EPROBE_DEFER {
                    return e;
                }
                dev_err!(
                    dev,
                    "no interrupt: the node has no usable 'interrupts' (error {})\n",
                    e.to_errno()
                );
                ENODEV
            })?;
            let irq_number = irq.irq();
            // `clocks` is optional in the binding; but a node that names a
            // clock we cannot get is broken (the C driver runs without it).
            let has_clock = dev
                .fwnode()
                .is_some_and(|node| node.property_present(c"clocks"));
            let clk = if has_clock {
                Clk::get(dev, None).map(MuClock::Named)
            } else {
                OptionalClk::get(dev, None).map(MuClock::Absent)
            }
            .map_err(|e| {
                if e == EPROBE_DEFER {
                    return e;
                }
                dev_err!(
                    dev,
                    "cannot get the clock named in 'clocks' (error {})\n",
                    e.to_errno()
                );
                ENODEV
            })?;
            let clk = EnabledClk::new(clk).inspect_err(|e| {
                dev_err!(dev, "cannot enable the clock (error {})\n", e.to_errno());
            })?;
            // Not `iomap_exclusive()`: in Linux 7.3 it requests the region
            // under the device's own resource but releases it from the global
            // tree, so for device-tree devices the reservation outlives the
            // driver and the next probe (after rmmod/insmod) fails with EBUSY.
            let io = request.iomap().map_err(|e| {
                dev_err!(
                    dev,
                    "cannot map the registers of 'reg' (error {})\n",
                    e.to_errno()
                );
                ENODEV
            })?;
            let side_b = dev
                .fwnode()
                .is_some_and(|node| node.property_read_bool(c"fsl,mu-side-b"));

            let hw = MuHw::new(dev, io, layout, side_b, clk)?;
            let ctrl = Arc::pin_init(MuController::new(dev, TxDoneMode::Irq, hw), GFP_KERNEL)?;
            ctrl.data().init();

            dev_info!(
                dev,
                "i.MX MU side {}, {} layout, irq {}, {} channels\n",
                if side_b { 'B' } else { 'A' },
                layout.name,
                irq_number,
                regs::NUM_CHANS
            );
            let handler = MuIrq::new(ctrl.clone());
            Ok(try_pin_init!(ImxMu {
                // SAFETY: The registration is a pinned field of the driver
                // data, dropped (never forgotten) when the device unbinds.
                _irq <- unsafe {
                    irq::Registration::new(irq, Flags::SHARED, c"imx_mu_rs", Ok::<_, Error>(handler))
                },
                _mbox: Registration::register(dev, ctrl)?,
            }))
        })
    }
}

kernel::module_platform_driver! {
    type: ImxMuDriver,
    name: "imx_mu_rs",
    authors: ["imx-rpmsg-rs contributors"],
    description: "i.MX Messaging Unit mailbox controller (Rust)",
    license: "GPL",
}
