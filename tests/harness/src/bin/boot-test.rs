// SPDX-License-Identifier: GPL-2.0
//! `boot-test`: builds the initramfs, boots the emulated i.MX7 board with the
//! M4 firmware and runs the system tests. Paths come from options (see
//! `scripts/test.sh`); exits non-zero on any failure and keeps the console
//! logs in `--log-dir`.

use boot_harness::cli::Options;
use boot_harness::machine::Machine;
use boot_harness::report::Report;
use boot_harness::{suites, suites_mailbox, suites_rpmsg};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("boot-test: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<bool, String> {
    let opts = Options::from_env()?;
    let cfg = opts.board()?;
    let mut report = Report::default();
    {
        let mut m = Machine::start(&cfg, "board").map_err(|e| e.to_string())?;
        suites::board(&mut m, &mut report, suites::MU_ECHO_READY);
        report.record("board::power_off", suites::power_off(&mut m));
        if !report.success() {
            print_tail(&m);
        }
    }
    suites_mailbox::run(&opts, &mut report, suites::MU_ECHO_READY)?;
    suites_rpmsg::run(&opts, &mut report)?;
    report.summary("system tests (QEMU board)");
    if !report.success() {
        println!("console and M4 UART logs: {}", cfg.log_dir.display());
    }
    Ok(report.success())
}

/// Prints the last console lines of a board whose tests failed.
fn print_tail(m: &Machine) {
    let log = m.console.transcript();
    let tail: Vec<&str> = log.lines().rev().take(40).collect();
    println!("--- last console lines of {} ---", m.console_log.display());
    for l in tail.iter().rev() {
        println!("{l}");
    }
}
