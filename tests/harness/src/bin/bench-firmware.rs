// SPDX-License-Identifier: GPL-2.0
//! `bench-firmware`: the firmware benchmark (`make bench-firmware`, see
//! `boot_harness::bench_firmware`). Takes the harness's board options plus
//! `--counter PREFIX` (the m4count plugin's `out=`), `--nm LLVM_NM`,
//! `--core-text-whole N --core-text-echo N --image-text N` (bytes),
//! `--count N --runs N --idle-seconds N`, `--stamp TEXT` and `--json FILE`.
//! Prints the table; writes the JSON file.

use boot_harness::bench_firmware::{measure, Counter};
use boot_harness::bench_report::{json, table, Sizes};
use boot_harness::cli::Options;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench-firmware: {e}");
            ExitCode::FAILURE
        }
    }
}

fn number(opts: &Options, key: &str) -> Result<u64, String> {
    opts.get(key)?
        .parse()
        .map_err(|_| format!("--{key} takes a number"))
}

fn run() -> Result<(), String> {
    let opts = Options::from_env()?;
    let count = number(&opts, "count")? as u32;
    let runs = number(&opts, "runs")? as usize;
    let idle = Duration::from_secs(number(&opts, "idle-seconds")?);
    let sizes = Sizes {
        core_whole: number(&opts, "core-text-whole")?,
        core_echo: number(&opts, "core-text-echo")?,
        image: number(&opts, "image-text")?,
    };
    let counter = Counter::new(&PathBuf::from(opts.get("counter")?));
    let measured = measure(&opts, &counter, &opts.path("nm")?, count, runs, idle)?;
    let stamp = opts.get("stamp")?;
    print!("{}", table(&measured, &sizes, count, runs, stamp));
    let out = PathBuf::from(opts.get("json")?);
    std::fs::write(&out, json(&measured, &sizes, count, runs, stamp))
        .map_err(|e| format!("{}: {e}", out.display()))?;
    println!("results: {}", out.display());
    Ok(())
}
