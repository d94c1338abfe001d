// SPDX-License-Identifier: GPL-2.0
//! `demo`: boots the emulated i.MX7 board with the M4 firmware and shows,
//! step by step, Linux talking to the Cortex-M4 through the Messaging Unit.

use boot_harness::cli::Options;
use boot_harness::machine::Machine;
use boot_harness::{mu, suites};
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: {e}");
            ExitCode::FAILURE
        }
    }
}

fn step(text: &str) {
    println!("\n==> {text}");
}

fn run() -> Result<(), String> {
    let cfg = Options::from_env()?.board()?;
    step("booting the emulated i.MX7 (Cortex-A7 + Cortex-M4) with the M4 firmware loaded");
    let mut m = Machine::start(&cfg, "demo").map_err(|e| e.to_string())?;
    println!("{}", suites::boot(&mut m)?);
    println!("{}", suites::m4_running(&m, suites::MU_ECHO_READY)?);
    step("Linux user space writes words to MU side A; the M4 firmware answers each one");
    for n in 0..mu::CHANNELS {
        let word = 0x1234_5600 + n;
        let out = suites::run_ok(&mut m.console, &format!("mu-loopback {n} 0x{word:08x}"))?;
        println!(
            "channel {n}: Linux sent 0x{word:08x}, the M4 answered {}",
            out.split_whitespace().last().unwrap_or("?")
        );
        println!(
            "           (expected !word ^ (channel << 24) = 0x{:08x})",
            mu::echo_reply(word, n)
        );
    }
    step("powering off");
    println!("{}", suites::power_off(&mut m)?);
    println!("console log: {}", m.console_log.display());
    Ok(())
}
