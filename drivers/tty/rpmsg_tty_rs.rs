// SPDX-License-Identifier: GPL-2.0
//! `rpmsg_tty_rs`: RPMsg channels as ttys, `/dev/ttyRPMSG<N>`.
//!
//! Binds the channels NXP's and the upstream drivers use —
//! `rpmsg-openamp-demo-channel`, `rpmsg-virtual-tty-channel`,
//! `rpmsg-virtual-tty-channel-1` and `rpmsg-tty` — and gives each a tty
//! line, numbered in order of appearance from 0 (or, with `nxp_names=1`,
//! after the remote address as NXP's kernels do). Every `write()` becomes
//! its own message(s), split at the MTU; writers are throttled through
//! `write_room` when the remote is slow, never failed; received messages go
//! to the tty unchanged (the line starts raw). See Documentation/rpmsg.md.
//!
//! Replaces the kernel's C `rpmsg_tty` (which also binds `rpmsg-tty` and
//! uses the same node names): do not load both.

use kernel::{prelude::*, sync::Arc, sync::ArcBorrow};

/// Ratelimited reports (rust/report/).
#[path = "../../rust/report/mod.rs"]
mod report;
/// RPMsg driver glue (rust/rpmsg/).
#[allow(dead_code)]
#[path = "../../rust/rpmsg/mod.rs"]
mod rpmsg;
/// Tty driver glue (rust/tty/).
#[allow(dead_code)]
#[path = "../../rust/tty/mod.rs"]
mod tty;

#[path = "rpmsg_tty/chan.rs"]
mod chan;
#[path = "rpmsg_tty/fifo.rs"]
mod fifo;
#[path = "rpmsg_tty/tests.rs"]
mod tests;

use chan::Chan;
use rpmsg::{
    driver::{Device, Driver as RpmsgDriver, Registration},
    endpoint::Endpoint,
};
use tty::{
    driver::{Config, Driver as TtyDriver, Operations, PortRegistration},
    port::Port,
};

/// Channel names we bind: NXP's demo and tty channels, upstream's.
const NAMES: [&CStr; 4] = [
    c"rpmsg-openamp-demo-channel",
    c"rpmsg-virtual-tty-channel",
    c"rpmsg-virtual-tty-channel-1",
    c"rpmsg-tty",
];

/// Tty lines (channels served at once; with `nxp_names`, remote addresses
/// below this keep their number).
const LINES: u32 = 64;

/// Ratelimit of the "no free tty line" report.
static TABLE_FULL: report::RateLimit = report::RateLimit::new();

/// The driver: RPMsg callbacks and tty operations.
struct RpmsgTty;

/// A bound channel: its registered tty port.
struct Bound {
    reg: PortRegistration<RpmsgTty>,
}

impl RpmsgDriver for RpmsgTty {
    type Context = TtyDriver<RpmsgTty>;
    type Data = Bound;
    const NAMES: &'static [&'static CStr] = &NAMES;

    fn probe(tty: &Self::Context, dev: &Device, ept: Endpoint) -> Result<Arc<Bound>> {
        if ept.mtu() == 0 {
            return Err(EINVAL);
        }
        // NXP's kernels name the node after the remote address
        // (/dev/ttyRPMSG30); upstream's number them in order.
        let preferred = if module_parameters::nxp_names.value() {
            usize::try_from(dev.dst()).ok()
        } else {
            None
        };
        let reg = tty
            .register_port(Chan::new(ept), dev.as_dev(), preferred)
            .inspect_err(|e| {
                if *e == ENOSPC && TABLE_FULL.allow() {
                    dev_err!(
                        dev.as_dev(),
                        "all {} tty lines are in use (or held open by a process): channel not served\n",
                        LINES
                    );
                }
            })?;
        dev_info!(
            dev.as_dev(),
            "{}: /dev/ttyRPMSG{} (local {:#x}, remote {:#x}, {} bytes per message)\n",
            report::Escaped(dev.name().to_bytes()),
            reg.index(),
            dev.src(),
            dev.dst(),
            reg.port().data().mtu()
        );
        Ok(Arc::new(Bound { reg }, GFP_KERNEL)?)
    }

    fn received(data: &Bound, msg: &[u8], _src: u32) {
        let port = data.reg.port();
        port.data().receive(port, msg);
    }

    fn remove(dev: &Device, data: &Bound) {
        let port = data.reg.port();
        port.data().kill(port);
        let dropped = port.data().rx_dropped();
        dev_info!(
            dev.as_dev(),
            "{}: /dev/ttyRPMSG{} removed ({} received bytes dropped, nobody reading)\n",
            report::Escaped(dev.name().to_bytes()),
            data.reg.index(),
            dropped
        );
    }
}

impl Operations for RpmsgTty {
    type Data = Chan;

    fn activate(port: &Port<Chan>) -> Result {
        port.data().reset_throttle();
        Ok(())
    }

    fn shutdown(port: &Port<Chan>) {
        port.data().closed();
    }

    fn write(port: ArcBorrow<'_, Port<Chan>>, buf: &[u8]) -> Result<usize> {
        Chan::write(port, buf)
    }

    fn write_room(port: &Port<Chan>) -> usize {
        port.data().write_room()
    }

    fn chars_in_buffer(port: &Port<Chan>) -> usize {
        port.data().pending()
    }

    fn flush_buffer(port: &Port<Chan>) {
        port.data().flush(port);
    }

    fn throttle(port: ArcBorrow<'_, Port<Chan>>) {
        Chan::set_throttled(port, true);
    }

    fn unthrottle(port: ArcBorrow<'_, Port<Chan>>) {
        Chan::set_throttled(port, false);
    }
}

/// The module: the RPMsg driver (dropped first: every channel goes, which
/// hangs up and unregisters its tty) and the tty driver.
struct RpmsgTtyModule {
    _rpmsg: Registration<RpmsgTty>,
    _tty: TtyDriver<RpmsgTty>,
}

impl kernel::Module for RpmsgTtyModule {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let cfg = Config {
            driver_name: c"rpmsg_tty_rs",
            name: c"ttyRPMSG",
            lines: LINES,
        };
        let tty = TtyDriver::<RpmsgTty>::register(&cfg, module)?;
        let rpmsg = Registration::<RpmsgTty>::new(c"rpmsg_tty_rs", module, tty.clone())?;
        Ok(Self {
            _rpmsg: rpmsg,
            _tty: tty,
        })
    }
}

module! {
    type: RpmsgTtyModule,
    name: "rpmsg_tty_rs",
    authors: ["imx-rpmsg-rs contributors"],
    description: "RPMsg tty: /dev/ttyRPMSG<N> for NXP and upstream tty channels (Rust)",
    license: "GPL",
    params: {
        nxp_names: bool {
            default: false,
            description: "Number each tty after the channel's remote address, as NXP's \
                          imx_rpmsg_tty does (/dev/ttyRPMSG30 for address 30), when free \
                          and below 64; otherwise in order of appearance from 0",
        },
    },
}
