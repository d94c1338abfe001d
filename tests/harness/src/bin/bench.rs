// SPDX-License-Identifier: GPL-2.0
//! `bench`: the RPMsg benchmark (`make bench`, see
//! `boot_harness::bench_rpmsg`). Takes the harness's board options plus
//! `--a7-counter PREFIX` and `--m4-counter PREFIX` (the `out=` of the two
//! m4count plugins, on vCPU 0 and on the M4), `--count N --runs N`,
//! `--pool yes|no` (the reserved-memory pool tree), optionally
//! `--system-map FILE` (A7 profiles of the 64-byte tty round trips and of
//! the tty streams) and
//! `--demangler LLVM_CXXFILT` (their Rust names readable),
//! `--stamp TEXT` and `--out DIR` (results.json and the SVG plots).
//! Prints the table.

use boot_harness::bench_firmware::Counter;
use boot_harness::bench_rpmsg::{measure, Plan};
use boot_harness::bench_rpmsg_report::{json, plot, table};
use boot_harness::cli::Options;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn number(opts: &Options, key: &str) -> Result<u64, String> {
    opts.get(key)?
        .parse()
        .map_err(|_| format!("--{key} takes a number"))
}

fn write(path: PathBuf, text: &str) -> Result<(), String> {
    std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run() -> Result<(), String> {
    let opts = Options::from_env()?;
    let a7 = Counter::new(&PathBuf::from(opts.get("a7-counter")?));
    let m4 = Counter::new(&PathBuf::from(opts.get("m4-counter")?));
    let optional = |key: &str| match opts.get(key) {
        Ok(_) => opts.path(key).map(Some),
        Err(_) => Ok(None),
    };
    let system_map = optional("system-map")?;
    let demangler = optional("demangler")?;
    let plan = Plan {
        a7: &a7,
        m4: &m4,
        count: u32::try_from(number(&opts, "count")?).map_err(|_| "--count is too large")?,
        runs: number(&opts, "runs")?.max(1) as usize,
        pool: opts.get("pool")? == "yes",
        system_map: system_map.as_deref(),
        demangler: demangler.as_deref(),
    };
    let measured = measure(&opts, &plan)?;
    let stamp = opts.get("stamp")?;
    print!("{}", table(&measured, stamp));
    let out = PathBuf::from(opts.get("out")?);
    write(out.join("results.json"), &json(&measured, stamp))?;
    write(out.join("a7-round-trip.svg"), &plot(&measured, true, stamp))?;
    write(
        out.join("m4-round-trip.svg"),
        &plot(&measured, false, stamp),
    )?;
    println!(
        "results: {}/results.json, a7-round-trip.svg, m4-round-trip.svg",
        out.display()
    );
    Ok(())
}
