// SPDX-License-Identifier: GPL-2.0
//! Our firmware under the kernel's stock M4 management (issue 13): the C
//! `imx_rproc`, `virtio_rpmsg_bus` and `rpmsg_tty`, no module of ours, on
//! `imx7s-warp-qemu-rproc.dts`. The loader starts `rpmsg-echo` as U-Boot's
//! bootaux does; `imx_rproc` attaches to it through its resource table,
//! then stops it and starts the same ELF from `/lib/firmware` again and
//! again (`tests/guest/rproc-check`).

use crate::cli::{BoardVariant, Options};
use crate::machine::Machine;
use crate::report::Report;
use crate::suites;
use crate::suites_rpmsg_lifecycle::within;
use std::time::Duration;

/// The tree, next to `--dtb`.
const RPROC_DTB: &str = "imx7s-warp-qemu-rproc.dtb";
/// The firmware's file name in the guest's `/lib/firmware`.
const FW_NAME: &str = "rpmsg-echo.elf";
/// Its UART line once it waits for Linux.
const READY: &str = "rpmsg-echo: waiting for the link";
/// Stop/start cycles.
const CYCLES: usize = 20;

/// Boots the board, runs the check and powers off.
pub fn run(opts: &Options, report: &mut Report) -> Result<(), String> {
    let suite = "remoteproc";
    let cfg = opts.board_variant(&BoardVariant {
        name: "remoteproc",
        dtb: Some(RPROC_DTB),
        firmware: Some("rpmsg-firmware"),
        bins: vec![(
            format!("lib/firmware/{FW_NAME}"),
            opts.path("rpmsg-firmware")?,
        )],
        extra_append: "kmemleak=on",
        ..BoardVariant::default()
    })?;
    let mut m = Machine::start(&cfg, "remoteproc").map_err(|e| e.to_string())?;
    let booted = suites::boot(&mut m);
    let ok = booted.is_ok();
    report.record(&format!("{suite}::boot"), booted);
    if ok {
        report.record(
            &format!("{suite}::m4_firmware_running"),
            suites::m4_running(&m, READY),
        );
        let con = &mut m.console;
        let quiet = suites::run_ok(con, "dmesg -n 4");
        report.record(
            &format!("{suite}::attach_echo_stop_start_{CYCLES}_cycles"),
            quiet.and_then(|_| {
                within(
                    con,
                    &format!("rproc-check {FW_NAME} {CYCLES}"),
                    Duration::from_secs(600),
                )
            }),
        );
        report.record(
            &format!("{suite}::each_start_boots_the_m4"),
            suites::m4_boots(&m, READY, 1 + CYCLES),
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
    report.record(&format!("{suite}::power_off"), suites::power_off(&mut m));
    Ok(())
}
