// SPDX-License-Identifier: GPL-2.0
//! `demo` (the main job, `make demo`): boots the emulated i.MX7 with the
//! rpmsg-echo firmware on the Cortex-M4, loads our three Rust modules and
//! shows an echo session over `/dev/ttyRPMSG0`, step by step.

use boot_harness::cli::Options;
use boot_harness::suites_rpmsg;
use std::process::ExitCode;

fn main() -> ExitCode {
    match Options::from_env().and_then(|opts| suites_rpmsg::demo(&opts)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}
