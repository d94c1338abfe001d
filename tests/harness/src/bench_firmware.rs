// SPDX-License-Identifier: GPL-2.0
//! The firmware benchmark (`make bench-firmware`): boots the board with
//! our `m4count` TCG plugin (qemu/plugins/m4count.c) counting the
//! Cortex-M4's instructions, loads our modules, and measures with the
//! `rpmsg-echo` firmware:
//!
//! * M4 instructions per echo round trip, per payload size and channel:
//!   the count before and after COUNT round trips (`rpmsg-bench`, one
//!   message in flight), divided by COUNT; the median of the runs;
//! * M4 instructions per second while nothing happens;
//! * a per-function profile of one workload (the plugin's per-address
//!   counts, symbolised with the firmware ELF through `llvm-nm`).
//!
//! Never part of `make test`: it prints figures, it asserts nothing.

use crate::cli::{BoardVariant, Options};
use crate::console::Console;
use crate::machine::Machine;
use crate::suites;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Payload sizes measured.
pub const SIZES: [usize; 5] = [1, 16, 64, 256, 496];
/// The two channels: name, bytes the reply adds.
pub const CHANNELS: [(&str, usize); 2] = [("rpmsg-openamp-demo-channel", 8), ("rpmsg-tty", 0)];
/// Our modules, in load order.
const MODULES: [&str; 3] = ["imx_mu_rs.ko", "imx_rpmsg_rs.ko", "rpmsg_tty_rs.ko"];
/// The guest tool that drives the round trips.
const TOOL: &str = "rpmsg-bench";
/// Deadline of one workload (bounds a hung board only).
const WORKLOAD_TIMEOUT: Duration = Duration::from_secs(1200);

/// One measured configuration.
#[derive(Debug, Clone)]
pub struct RoundTrip {
    /// Channel name.
    pub channel: &'static str,
    /// Payload bytes sent.
    pub size: usize,
    /// Instructions per round trip of each run.
    pub runs: Vec<f64>,
}

impl RoundTrip {
    /// The median of the runs.
    pub fn median(&self) -> f64 {
        median(&self.runs)
    }
}

/// The median of `v` (0 when empty).
pub fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    match s.len() {
        0 => 0.0,
        n if n % 2 == 1 => s[n / 2],
        n => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

/// What the board run measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Per channel and size.
    pub round_trips: Vec<RoundTrip>,
    /// M4 instructions per second with no traffic.
    pub idle_per_second: f64,
    /// Functions of the profiled workload: (name, instructions per round trip).
    pub profile: Vec<(String, f64)>,
    /// The profiled workload, e.g. `rpmsg-tty, 64 bytes`.
    pub profile_workload: String,
}

/// The running M4 instruction count the plugin publishes.
pub struct Counter {
    prefix: PathBuf,
}

impl Counter {
    /// The plugin's files start with `prefix` (its `out=` argument).
    pub fn new(prefix: &Path) -> Self {
        Self {
            prefix: prefix.to_path_buf(),
        }
    }

    fn file(&self, suffix: &str) -> PathBuf {
        let mut p = self.prefix.clone().into_os_string();
        p.push(suffix);
        PathBuf::from(p)
    }

    /// The count now.
    pub fn read(&self) -> Result<u64, String> {
        let f = self.file(".count");
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        text.trim()
            .parse()
            .map_err(|_| format!("{}: not a count: {text:?}", f.display()))
    }

    /// The count once the M4 has been quiet for 300 ms (it finishes its
    /// last kicks after Linux has the last reply).
    pub fn settled(&self) -> Result<u64, String> {
        let mut last = self.read()?;
        for _ in 0..100 {
            std::thread::sleep(Duration::from_millis(300));
            let now = self.read()?;
            if now == last {
                return Ok(now);
            }
            last = now;
        }
        Err("the M4 never went quiet".into())
    }

    /// Asks the plugin for `trigger` (`.reset` or `.dump`) and waits until
    /// it was served.
    fn trigger(&self, trigger: &str) -> Result<(), String> {
        let f = self.file(trigger);
        std::fs::write(&f, b"").map_err(|e| format!("{}: {e}", f.display()))?;
        for _ in 0..200 {
            if !f.exists() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Err(format!("the plugin did not serve {}", f.display()))
    }

    /// Zeroes the per-address counts.
    pub fn reset_profile(&self) -> Result<(), String> {
        self.trigger(".reset")
    }

    /// The per-address counts since the last reset: (address, count).
    pub fn profile(&self) -> Result<Vec<(u64, u64)>, String> {
        self.trigger(".dump")?;
        let f = self.file(".profile");
        let text = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        Ok(text
            .lines()
            .filter_map(|l| {
                let (a, n) = l.split_once(' ')?;
                Some((
                    u64::from_str_radix(a.trim_start_matches("0x"), 16).ok()?,
                    n.trim().parse().ok()?,
                ))
            })
            .collect())
    }
}

/// Code symbols of `elf` as (start address without the Thumb bit, name),
/// sorted, from `llvm-nm`.
pub fn symbols(nm: &Path, elf: &Path) -> Result<Vec<(u64, String)>, String> {
    let out = Command::new(nm)
        .args(["-n", "-C", "--defined-only"])
        .arg(elf)
        .output()
        .map_err(|e| format!("{}: {e}", nm.display()))?;
    let mut syms: Vec<(u64, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut f = l.splitn(3, ' ');
            let addr = u64::from_str_radix(f.next()?, 16).ok()?;
            let kind = f.next()?;
            let name = f.next()?;
            matches!(kind, "t" | "T").then(|| (addr & !1, short_name(name)))
        })
        .collect();
    syms.sort();
    Ok(syms)
}

/// A symbol name without its hash, with the escapes of Rust's legacy
/// mangling that `llvm-nm -C` leaves in local symbols undone, e.g.
/// `rpmsg_remote::device::Device<S,P,C,_>::poll`.
fn short_name(name: &str) -> String {
    let name = match name.rfind("::h") {
        Some(i) if name[i + 3..].chars().all(|c| c.is_ascii_hexdigit()) => &name[..i],
        _ => name,
    };
    let mut s = name.to_string();
    for (from, to) in [
        ("_$LT$", "<"),
        ("$LT$", "<"),
        ("$GT$", ">"),
        ("$u20$", " "),
        ("$C$", ","),
        ("$RF$", "&"),
        ("..", "::"),
    ] {
        s = s.replace(from, to);
    }
    s
}

/// Sums per-address counts per function: (name, count), largest first.
pub fn by_function(syms: &[(u64, String)], counts: &[(u64, u64)]) -> Vec<(String, u64)> {
    let mut sums: Vec<(String, u64)> = Vec::new();
    for &(pc, n) in counts {
        let i = syms.partition_point(|(a, _)| *a <= pc);
        let name = match i.checked_sub(1).and_then(|i| syms.get(i)) {
            Some((_, name)) => name.clone(),
            None => format!("{pc:#x}"),
        };
        match sums.iter_mut().find(|(s, _)| *s == name) {
            Some((_, sum)) => *sum += n,
            None => sums.push((name, n)),
        }
    }
    sums.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    sums
}

/// Runs `cmd` in the guest with the long deadline; `Err` unless it exits 0.
pub(crate) fn guest(con: &mut Console, cmd: &str) -> Result<String, String> {
    let out = con
        .run(cmd, WORKLOAD_TIMEOUT)
        .map_err(|e| format!("`{cmd}`: {e}"))?;
    let text = suites::clean(&out.output);
    if out.status != 0 {
        return Err(format!("`{cmd}` exited {}:\n{text}", out.status));
    }
    Ok(text)
}

/// Boots the board, loads the modules, returns each channel's tty (raw).
fn bring_up(m: &mut Machine) -> Result<Vec<String>, String> {
    suites::boot(m)?;
    suites::m4_running(m, "rpmsg-echo: waiting for the link")?;
    suites::run_ok(&mut m.console, "dmesg -n 4")?;
    for ko in MODULES {
        suites::run_ok(
            &mut m.console,
            &format!("insmod {}/{ko}", crate::cli::RUST_MODULES_GUEST_DIR),
        )?;
    }
    let mut ttys = Vec::new();
    for (name, _) in CHANNELS {
        let out = guest(&mut m.console, &format!("rpmsg-tty-of {name}"))?;
        let tty = suites::last_line(&out).to_string();
        guest(&mut m.console, &format!("stty -F {tty} raw -echo"))?;
        ttys.push(tty);
    }
    Ok(ttys)
}

/// `count` round trips of `size` bytes on `tty` (reply `extra` longer).
fn workload(
    con: &mut Console,
    tty: &str,
    size: usize,
    extra: usize,
    count: u32,
) -> Result<(), String> {
    guest(
        con,
        &format!("{TOOL} {tty} {size} {count} {}", size + extra),
    )
    .map(|_| ())
}

/// The whole board run: `count` round trips per configuration, `runs`
/// runs each, `idle` of quiet time measured, and the profile of the
/// `rpmsg-tty` 64-byte echo.
pub fn measure(
    opts: &Options,
    counter: &Counter,
    nm: &Path,
    count: u32,
    runs: usize,
    idle: Duration,
) -> Result<Measured, String> {
    let tool = opts.sibling("guest-tools", TOOL, "scripts/guest-tools.sh")?;
    let cfg = opts.board_variant(&BoardVariant {
        name: "bench",
        firmware: Some("rpmsg-firmware"),
        rust_modules: &MODULES,
        bins: vec![(format!("bin/{TOOL}"), tool)],
        ..BoardVariant::default()
    })?;
    let mut m = Machine::start(&cfg, "bench").map_err(|e| e.to_string())?;
    let ttys = bring_up(&mut m)?;
    // Warm up both channels (first-use paths stay out of the figures).
    for (tty, (_, extra)) in ttys.iter().zip(CHANNELS) {
        workload(&mut m.console, tty, 16, extra, 50)?;
    }

    eprintln!("bench-firmware: idle for {} s", idle.as_secs());
    let c0 = counter.settled()?;
    let t0 = Instant::now();
    std::thread::sleep(idle);
    let c1 = counter.read()?;
    let idle_per_second = (c1 - c0) as f64 / t0.elapsed().as_secs_f64();

    let mut round_trips = Vec::new();
    for (tty, (channel, extra)) in ttys.iter().zip(CHANNELS) {
        for size in SIZES {
            let mut rt = RoundTrip {
                channel,
                size,
                runs: Vec::new(),
            };
            for _ in 0..runs {
                let before = counter.settled()?;
                workload(&mut m.console, tty, size, extra, count)?;
                let after = counter.settled()?;
                rt.runs.push((after - before) as f64 / f64::from(count));
            }
            eprintln!(
                "bench-firmware: {channel} {size} bytes: {:.0} instructions per round trip",
                rt.median()
            );
            round_trips.push(rt);
        }
    }

    let (channel, extra) = CHANNELS[1];
    counter.settled()?;
    counter.reset_profile()?;
    workload(&mut m.console, &ttys[1], 64, extra, count)?;
    counter.settled()?;
    let syms = symbols(nm, &opts.path("rpmsg-firmware")?)?;
    let profile = by_function(&syms, &counter.profile()?)
        .into_iter()
        .map(|(name, n)| (name, n as f64 / f64::from(count)))
        .collect();
    suites::power_off(&mut m)?;
    Ok(Measured {
        round_trips,
        idle_per_second,
        profile,
        profile_workload: format!("{channel}, 64 bytes"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_runs() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn counts_go_to_the_function_that_holds_them() {
        let syms = vec![(0x100, "a".to_string()), (0x180, "b".to_string())];
        let counts = [(0x100, 5), (0x17e, 1), (0x180, 7), (0x80, 2)];
        assert_eq!(
            by_function(&syms, &counts),
            vec![
                ("b".to_string(), 7),
                ("a".to_string(), 6),
                ("0x80".to_string(), 2)
            ]
        );
        assert_eq!(short_name("x::y::h0123456789abcdef"), "x::y");
        assert_eq!(
            short_name("_$LT$a..B$u20$as$u20$c..D$GT$::f::h0123456789abcdef"),
            "<a::B as c::D>::f"
        );
        assert_eq!(short_name("x::h_not"), "x::h_not");
    }
}
