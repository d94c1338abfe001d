// SPDX-License-Identifier: GPL-2.0
//! A remote that behaves like stock rpmsg-lite (issue 13), the
//! `rpmsg-lite-like` firmware: it keeps its ring indices across a Linux
//! reload and announces its channels only once.
//!
//! * With `fsl,src` (the board's tree) the transport restarts the M4 at
//!   every load: 50 reload cycles pass as with our own firmware, no
//!   message reaches the bus without a recipient, and the M4 booted once
//!   per load. A 256 KiB stream needs the transport's
//!   polling of the transmit ring (the remote never kicks for buffers it
//!   consumed). After `virtio_rpmsg_bus` is unbound through sysfs the M4
//!   is held in reset (that the hold comes before the bus frees the
//!   buffers follows from the bus resetting the device first; it is not
//!   observed), binding the bus again restarts it.
//! * Without it (`imx7s-warp-qemu-rpmsgpool.dts`) the remote cannot follow a
//!   reload: a message sent to it afterwards makes it walk its stale
//!   indices, and the transport refuses what it returns as one remote
//!   fault; no old or duplicate message reaches anyone (at most the answer
//!   to that message); and a load over rings that hold the indices a
//!   Linux stopped without unloading leaves says in one line that the
//!   remote must be restarted.
//! * With neither `fsl,src` nor a buffer pool (`imx7s-warp-qemu-nosrc.dts`,
//!   our own firmware) the transport refuses to unload and says why once,
//!   and sysfs offers no `unbind` for it.

use crate::cli::{Options, RUST_MODULES_GUEST_DIR as GUEST_DIR};
use crate::machine::Machine;
use crate::report::Report;
use crate::suites;
use crate::suites_rpmsg::{
    board_config_with, bring_up, FIRMWARE_OPTION, POOL_DTB, RPMSG_ECHO_READY,
};
use crate::suites_rpmsg_lifecycle::within;
use std::time::{Duration, Instant};

/// The option naming the rpmsg-lite-like firmware ELF.
pub const LITE_OPTION: &str = "lite-firmware";
/// Its UART line once it waits for Linux.
pub const LITE_READY: &str = "rpmsg-lite-like: waiting for the link";
/// Reload cycles with the M4 restarted each time.
const CYCLES: u32 = 50;
/// Unbind/bind cycles of `virtio_rpmsg_bus`, the M4 restarted each time.
const REBINDS: u32 = 5;
/// Bound of one guest step.
const BOUND: Duration = Duration::from_secs(300);

/// The line of a probe that finds the rings of an earlier session.
const LEFTOVER: &str = "the shared rings hold indices of an earlier session";
/// The lines the boot without `fsl,src` provokes on purpose.
const PROVOKED: [&str; 2] = ["remote fault on ring", LEFTOVER];

/// The tree with neither `fsl,src` nor a buffer pool, next to `--dtb`.
const NOSRC_DTB: &str = "imx7s-warp-qemu-nosrc.dtb";
/// The line of a transport that stays loaded.
const HOLD: &str = "so this module stays loaded";
/// The line of a held transport that goes anyway.
const GONE: &str = "unbound while the M4 may still write into its RPMsg buffers";

/// Runs the three boots.
pub fn run(opts: &Options, report: &mut Report) -> Result<(), String> {
    let cfg = board_config_with(opts, "rpmsg-lite", None, LITE_OPTION)?;
    let mut m = Machine::start(&cfg, "rpmsg-lite").map_err(|e| e.to_string())?;
    with_src(&mut m, report);
    report.record("rpmsg_lite::power_off", suites::power_off(&mut m));

    let cfg = board_config_with(opts, "rpmsg-lite-nosrc", Some(POOL_DTB), LITE_OPTION)?;
    let mut m = Machine::start(&cfg, "rpmsg-lite-nosrc").map_err(|e| e.to_string())?;
    without_src(&mut m, report);
    report.record("rpmsg_lite_nosrc::power_off", suites::power_off(&mut m));
    run_refusal(opts, report)
}

/// The boot with neither `fsl,src` nor a buffer pool.
pub fn run_refusal(opts: &Options, report: &mut Report) -> Result<(), String> {
    let cfg = board_config_with(opts, "rpmsg-nosrc", Some(NOSRC_DTB), FIRMWARE_OPTION)?;
    let mut m = Machine::start(&cfg, "rpmsg-nosrc").map_err(|e| e.to_string())?;
    refusal(&mut m, report);
    report.record("rpmsg_nosrc::power_off", suites::power_off(&mut m));
    Ok(())
}

/// Neither `fsl,src` nor a buffer pool (our firmware): the transport says
/// once why it stays loaded, `rmmod` is refused and sysfs has no `unbind`
/// for it, the channels keep working, and power-off still finishes.
fn refusal(m: &mut Machine, report: &mut Report) {
    let suite = "rpmsg_nosrc";
    if !bring_up(m, report, suite, Some(RPMSG_ECHO_READY)) {
        return;
    }
    report.record(
        &format!("{suite}::unload_refused_with_one_line"),
        within(
            &mut m.console,
            &format!(
                "n=$(dmesg | grep -c '{HOLD}'); [ \"$n\" = 1 ] || {{ echo \"FAIL: $n lines with '{HOLD}'\"; exit 1; }}; \
                 rmmod imx_rpmsg_rs 2>/dev/null && {{ echo 'FAIL: rmmod imx_rpmsg_rs succeeded'; exit 1; }}; \
                 grep -q '^imx_rpmsg_rs ' /proc/modules || {{ echo 'FAIL: the module is gone'; exit 1; }}; \
                 [ -d /sys/bus/platform/drivers/imx_rpmsg_rs ] || {{ echo 'FAIL: no driver in sysfs'; exit 1; }}; \
                 [ -e /sys/bus/platform/drivers/imx_rpmsg_rs/unbind ] && {{ echo 'FAIL: sysfs can unbind the transport'; exit 1; }}; \
                 rpmsg-echo-check $(rpmsg-tty-of rpmsg-openamp-demo-channel) 5 200 3 >/dev/null \
                 || {{ echo 'FAIL: no echo after the refused rmmod'; exit 1; }}; \
                 dmesg | grep -F '{HOLD}'"
            ),
            BOUND,
        ),
    );
    report.record(
        &format!("{suite}::no_leaks_kmemleak"),
        crate::suites_rpmsg_lifecycle::no_leaks(&mut m.console),
    );
    report.record(
        &format!("{suite}::kernel_log_clean"),
        suites::kernel_log_clean_but(&mut m.console, &[HOLD]),
    );
    // Last, as it leaves the M4 beside freed buffers: unbinding the MU
    // driver unbinds the transport first (the device link from `mboxes`),
    // which the hold cannot refuse; one line names it, and the module can
    // go then.
    report.record(
        &format!("{suite}::mu_unbind_takes_the_transport_with_one_line"),
        within(
            &mut m.console,
            &format!(
                "mu=$(ls /sys/bus/platform/drivers/imx_mu_rs | grep -F .); \
                 echo \"$mu\" >/sys/bus/platform/drivers/imx_mu_rs/unbind || {{ echo \"FAIL: unbind $mu\"; exit 1; }}; \
                 ls /sys/bus/platform/drivers/imx_rpmsg_rs | grep -qF . && {{ echo 'FAIL: the transport is still bound'; exit 1; }}; \
                 n=$(dmesg | grep -c '{GONE}'); [ \"$n\" = 1 ] || {{ echo \"FAIL: $n lines with '{GONE}'\"; exit 1; }}; \
                 rpmsg-unload imx_rpmsg_rs || exit 1; \
                 dmesg | grep -F '{GONE}'"
            ),
            BOUND,
        ),
    );
}

/// Waits until the M4's UART shows `banner` at least `n` times.
fn banners(m: &Machine, banner: &str, n: usize) -> Result<String, String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let seen = m.m4_output().matches(banner).count();
        if seen >= n {
            return Ok(format!("the M4 booted {seen} times"));
        }
        if Instant::now() > deadline {
            return Err(format!("the M4 booted {seen} times, expected {n}"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn with_src(m: &mut Machine, report: &mut Report) {
    let suite = "rpmsg_lite";
    if !bring_up(m, report, suite, Some(LITE_READY)) {
        return;
    }
    // Once by the loader at reset, once by the transport's probe.
    report.record(
        &format!("{suite}::probe_restarts_the_m4"),
        banners(m, LITE_READY, 2),
    );
    let con = &mut m.console;
    report.record(
        &format!("{suite}::echo"),
        within(
            con,
            "rpmsg-echo-check $(rpmsg-tty-of rpmsg-openamp-demo-channel) 20 488 5",
            BOUND,
        ),
    );
    // More messages than the 256 transmit buffers: the remote never kicks
    // for the ones it consumed, so only the transport's look at the
    // transmit ring every 20 ms gives them back.
    report.record(
        &format!("{suite}::stream_beyond_256_buffers_without_kicks"),
        within(
            con,
            "rpmsg-stream-check $(rpmsg-tty-of rpmsg-tty) 262144",
            BOUND,
        ),
    );
    report.record(
        &format!("{suite}::reload_{CYCLES}_cycles"),
        within(
            con,
            &format!(
                "rpmsg-reload-cycles {CYCLES} {GUEST_DIR}/imx_rpmsg_rs.ko {GUEST_DIR}/rpmsg_tty_rs.ko"
            ),
            BOUND,
        ),
    );
    report.record(
        &format!("{suite}::rebind_{REBINDS}_cycles_restart_the_m4"),
        within(con, &format!("rpmsg-rebind-cycles {REBINDS}"), BOUND),
    );
    // A duplicate or an answer to a stale message would reach no
    // endpoint (each cycle's channels are new): the bus would say so.
    report.record(
        &format!("{suite}::no_message_without_recipient"),
        within(
            &mut m.console,
            "n=$(dmesg | grep -c 'msg received with no recipient'); \
             [ \"$n\" = 0 ] || { echo \"FAIL: $n messages without recipient\"; exit 1; }; \
             echo 'no message without recipient'",
            BOUND,
        ),
    );
    report.record(
        &format!("{suite}::each_load_restarts_the_m4"),
        banners(m, LITE_READY, 2 + (CYCLES + REBINDS) as usize)
            .and_then(|_| suites::m4_boots(m, LITE_READY, 2 + (CYCLES + REBINDS) as usize)),
    );
    report.record(
        &format!("{suite}::no_leaks_kmemleak"),
        crate::suites_rpmsg_lifecycle::no_leaks(&mut m.console),
    );
    report.record(
        &format!("{suite}::kernel_log_clean"),
        suites::kernel_log_clean_but(&mut m.console, &[]),
    );
}

fn without_src(m: &mut Machine, report: &mut Report) {
    let suite = "rpmsg_lite_nosrc";
    if !bring_up(m, report, suite, Some(LITE_READY)) {
        return;
    }
    let con = &mut m.console;
    report.record(
        &format!("{suite}::echo"),
        within(
            con,
            "rpmsg-echo-check $(rpmsg-tty-of rpmsg-openamp-demo-channel) 20 488 5",
            BOUND,
        ),
    );
    report.record(
        &format!("{suite}::stale_remote_contained"),
        within(con, &format!("rpmsg-stale-remote-check {GUEST_DIR}"), BOUND),
    );
    report.record(
        &format!("{suite}::no_leaks_kmemleak"),
        crate::suites_rpmsg_lifecycle::no_leaks(&mut m.console),
    );
    report.record(
        &format!("{suite}::kernel_log_clean"),
        suites::kernel_log_clean_but(&mut m.console, &PROVOKED),
    );
    report.record(
        &format!("{suite}::m4_never_restarted"),
        suites::m4_boots(m, LITE_READY, 1),
    );
}
