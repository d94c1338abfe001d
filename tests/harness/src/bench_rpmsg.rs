// SPDX-License-Identifier: GPL-2.0
//! The RPMsg benchmark (`make bench`): our Rust drivers against the
//! kernel's C drivers on the emulated board, with the `rpmsg-echo`
//! firmware and our transport (`imx_rpmsg_rs`) under all of them.
//!
//! Every combination of MU driver (ours `imx_mu_rs`, the kernel's C
//! `imx-mailbox`) and path (our `rpmsg_tty_rs`, the kernel's C
//! `rpmsg_tty`, both on the `rpmsg-tty` loopback channel, and
//! `rpmsg_char` on an endpoint made through `rpmsg_ctrl` towards the same
//! loopback) gets, from the guest tool `rpmsg-bench`:
//!
//! * A7 and M4 instructions per round trip, per payload size: the
//!   instruction counts of vCPU 0 (the A7) and of the M4, read before and
//!   after a run of B and a run of B + N round trips; (long - short) / N,
//!   so that starting the tool, the shell and the console cancel out;
//! * A7 and M4 instructions per MiB streamed, the same way (a stream of
//!   256 KiB and one of 1.25 MiB), with the writes that failed;
//! * round-trip latency and throughput by the guest's clock.
//!
//! Then our MU driver against `imx-mailbox` per MU word with our test
//! client (`imx_mu_test_client`, the mailbox test tree, `mu-echo`).
//! One boot per MU driver, so that neither driver's figures come from a
//! board the other ran on (and the M4 starts afresh for each), one for the
//! mailbox clients. Never part of `make test`.

use crate::bench_firmware::{guest, median, Counter};
use crate::bench_json;
use crate::cli::{BoardVariant, Options, RUST_MODULES_GUEST_DIR as GUEST_DIR};
use crate::console::Console;
use crate::machine::Machine;
use crate::suites;
use std::path::Path;
use std::time::Duration;

/// Payload sizes measured.
pub const SIZES: [usize; 5] = [1, 16, 64, 256, 496];
/// Bytes of the short stream and what the long one adds (1 MiB).
const STREAM_BASE: u64 = 256 << 10;
/// One MiB.
pub const MIB: u64 = 1 << 20;
/// Stream runs per figure at least, whatever the runs of the round
/// trips: one stream figure moves by up to 30 % from run to run (how many
/// writes meet a full ring depends on timing), the median of five much
/// less, and five streams take well under a minute.
pub const STREAM_RUNS: usize = 5;
/// The loopback channel and its address in the firmware.
const CHANNEL: &str = "rpmsg-tty";
const LOOPBACK_ADDR: u32 = 31;
/// The guest tool.
const TOOL: &str = "rpmsg-bench";
/// Below this address the A7 runs user space (ARM32: modules at
/// PAGE_OFFSET - 16 MiB).
const KERNEL_START: u64 = 0xbf00_0000;

/// An MU driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mu {
    /// Ours, `imx_mu_rs`.
    Ours,
    /// The kernel's C `imx-mailbox`.
    C,
}

impl Mu {
    /// The name in the output.
    pub fn name(self) -> &'static str {
        match self {
            Mu::Ours => "imx_mu_rs",
            Mu::C => "imx-mailbox",
        }
    }
}

/// What user space talks through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Our `rpmsg_tty_rs`.
    OurTty,
    /// The kernel's C `rpmsg_tty`.
    CTty,
    /// The kernel's `rpmsg_char`, an endpoint through `rpmsg_ctrl`.
    Char,
}

impl Route {
    /// The name in the output.
    pub fn name(self) -> &'static str {
        match self {
            Route::OurTty => "rpmsg_tty_rs",
            Route::CTty => "rpmsg_tty",
            Route::Char => "rpmsg_char",
        }
    }

    /// Every path, in the order measured.
    pub const ALL: [Route; 3] = [Route::OurTty, Route::CTty, Route::Char];
}

/// One combination's label, e.g. `imx_mu_rs + rpmsg_tty`.
pub fn combo_name(mu: Mu, path: Route) -> String {
    format!("{} + {}", mu.name(), path.name())
}

/// The round trips of one size.
#[derive(Debug, Clone, Default)]
pub struct SizeResult {
    /// Payload bytes.
    pub size: usize,
    /// A7 instructions per round trip, each run.
    pub a7: Vec<f64>,
    /// M4 instructions per round trip, each run.
    pub m4: Vec<f64>,
    /// Latency of the last long run, guest clock (ns): min, median, p99, max.
    pub latency_ns: [f64; 4],
    /// Round trips per second (one in flight), last long run.
    pub per_second: f64,
    /// Write failures seen in all runs.
    pub write_errors: u64,
    /// System-wide context switches per round trip, last long run (none
    /// when the tool could not read `/proc/stat`).
    pub ctxt_per_rt: Option<f64>,
}

/// A stream's figures.
#[derive(Debug, Clone, Default)]
pub struct StreamResult {
    /// Bytes per write.
    pub write: usize,
    /// A7 instructions per MiB, each run.
    pub a7: Vec<f64>,
    /// M4 instructions per MiB, each run.
    pub m4: Vec<f64>,
    /// Throughput of the long stream, MiB/s by the guest's clock.
    pub mib_per_s: f64,
    /// Write failures per MiB streamed (all runs, long and short).
    pub write_errors_per_mib: f64,
    /// Write failures in total, and the bytes they were seen over.
    pub write_errors: u64,
    /// Bytes streamed in all runs.
    pub bytes: u64,
    /// System-wide context switches per MiB, long stream of the last run.
    pub ctxt_per_mib: Option<f64>,
}

/// One combination's results.
#[derive(Debug, Clone)]
pub struct Combo {
    /// MU driver.
    pub mu: Mu,
    /// Path.
    pub route: Route,
    /// Per size.
    pub sizes: Vec<SizeResult>,
    /// The stream.
    pub stream: StreamResult,
}

impl Combo {
    /// The label.
    pub fn name(&self) -> String {
        combo_name(self.mu, self.route)
    }

    /// The figures of `size`, if measured.
    pub fn size(&self, size: usize) -> Option<&SizeResult> {
        self.sizes.iter().find(|s| s.size == size)
    }
}

/// An MU driver's cost per word with the test client.
#[derive(Debug, Clone)]
pub struct MuWords {
    /// Which driver.
    pub mu: Mu,
    /// A7 instructions per word round trip, each run.
    pub a7: Vec<f64>,
    /// M4 instructions per word round trip, each run.
    pub m4: Vec<f64>,
}

/// A per-function profile: (function, A7 instructions per round trip).
pub type Profile = Vec<(String, f64)>;
/// Profiles of combinations: (combination, profile).
pub type Profiles = Vec<(String, Profile)>;

/// Kernel functions whose calls the stream profiles count (the
/// per-address count at a function's first instruction): what the tty
/// offers the bus, how often our sender found no free buffer, how often
/// the M4 handed buffers back, kicks to the M4, writer wake-ups and the
/// scheduler. These move with timing from run to run; they say why a
/// stream figure moved.
pub const CALLS: [(&str, &str); 12] = [
    (
        "rpmsg_trysend",
        "messages offered to the bus (ours: and retries)",
    ),
    (
        "rpmsg_poll",
        "ours: sends that found no free buffer and armed a wake-up",
    ),
    (
        "rpmsg_xmit_done",
        "consumed-buffer kicks from the M4 (bus callback)",
    ),
    (
        "rpmsg_recv_done",
        "receive kicks from the M4 (bus callback)",
    ),
    ("mbox_send_message", "kicks to the M4"),
    ("tty_port_tty_wakeup", "writer wake-ups through the port"),
    ("n_tty_write", "write() calls reaching the line discipline"),
    (
        "queue_work_on",
        "work items queued (ours: the transmit work too)",
    ),
    (
        "flush_to_ldisc",
        "flip buffer work runs (received data to the reader)",
    ),
    ("try_to_wake_up", "task wake-ups"),
    ("__schedule", "scheduler entries"),
    ("mmiocpy", "memcpy calls (ARM's memcpy, by its T symbol)"),
];

/// The A7 profile of a stream, per MiB: the per-function instructions and
/// the calls of [`CALLS`], each (long stream - short stream) / 1 MiB.
#[derive(Debug, Clone)]
pub struct StreamProfile {
    /// The combination.
    pub name: String,
    /// (function, A7 instructions per MiB), largest first.
    pub functions: Profile,
    /// (function of [`CALLS`], calls per MiB).
    pub calls: Vec<(String, f64)>,
}

/// Everything measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Per combination.
    pub combos: Vec<Combo>,
    /// Per MU driver.
    pub words: Vec<MuWords>,
    /// A7 profiles of 64-byte round trips: (combination, profile).
    pub profiles: Profiles,
    /// A7 profiles of the tty streams, per MiB.
    pub stream_profiles: Vec<StreamProfile>,
    /// Round trips per run (N), and the base run (B).
    pub count: u32,
    /// The short run's round trips.
    pub base: u32,
    /// Runs per figure (streams: at least [`STREAM_RUNS`]).
    pub runs: usize,
    /// Words per channel in a mailbox run (N).
    pub words_count: u32,
    /// The tree's buffers came from the reserved-memory pool.
    pub pool: bool,
}

/// How the benchmark runs.
pub struct Plan<'a> {
    /// The A7's running count (m4count on vCPU 0).
    pub a7: &'a Counter,
    /// The M4's running count.
    pub m4: &'a Counter,
    /// Round trips per run.
    pub count: u32,
    /// Runs per figure.
    pub runs: usize,
    /// Boot the reserved-memory pool tree instead of the default one.
    pub pool: bool,
    /// `System.map` of the kernel, for the profiles (none: no profiles).
    pub system_map: Option<&'a Path>,
    /// `llvm-cxxfilt`, to demangle our modules' Rust symbols (none: kept
    /// mangled).
    pub demangler: Option<&'a Path>,
}

/// The count of `c` once it stopped moving for 200 ms, or after 3 s the
/// latest (a core that never idles).
fn quiet(c: &Counter) -> Result<u64, String> {
    let mut last = c.read()?;
    for _ in 0..15 {
        std::thread::sleep(Duration::from_millis(200));
        let now = c.read()?;
        if now == last {
            return Ok(now);
        }
        last = now;
    }
    Ok(last)
}

/// Runs `cmd` and returns its output and the A7's and the M4's
/// instructions meanwhile.
fn counted(con: &mut Console, plan: &Plan<'_>, cmd: &str) -> Result<(String, u64, u64), String> {
    let m0 = quiet(plan.m4)?;
    // The plugin rewrites the count every 5 ms.
    std::thread::sleep(Duration::from_millis(20));
    let a0 = plan.a7.read()?;
    let out = guest(con, cmd)?;
    std::thread::sleep(Duration::from_millis(20));
    let a1 = plan.a7.read()?;
    let m1 = quiet(plan.m4)?;
    Ok((out, a1.saturating_sub(a0), m1.saturating_sub(m0)))
}

/// The JSON document `rpmsg-bench --json` printed in `out`.
fn tool_json(out: &str) -> Result<bench_json::Value, String> {
    let start = out.find('{').ok_or_else(|| format!("no JSON in {out:?}"))?;
    bench_json::parse(&out[start..])
}

/// `rpmsg-bench` with `args` towards `dev` (a device or `--ctrl ...`).
fn tool(dev: &str, args: &str) -> String {
    format!("{TOOL} --json {args} {dev}")
}

/// Round trips of every size on `dev`: per size and run, a short and a
/// long run.
fn sizes(
    con: &mut Console,
    plan: &Plan<'_>,
    dev: &str,
    base: u32,
) -> Result<Vec<SizeResult>, String> {
    let mut all = Vec::new();
    for size in SIZES {
        let mut r = SizeResult {
            size,
            ..SizeResult::default()
        };
        for _ in 0..plan.runs {
            let (short, a_s, m_s) = counted(
                con,
                plan,
                &tool(dev, &format!("--sizes {size} --count {base}")),
            )?;
            let (long, a_l, m_l) = counted(
                con,
                plan,
                &tool(
                    dev,
                    &format!("--sizes {size} --count {}", base + plan.count),
                ),
            )?;
            let n = f64::from(plan.count);
            r.a7.push((a_l as f64 - a_s as f64) / n);
            r.m4.push((m_l as f64 - m_s as f64) / n);
            for (text, last) in [(&short, false), (&long, true)] {
                let v = tool_json(text)?;
                let rt = v
                    .get("round_trips")
                    .and_then(|a| a.arr().first())
                    .ok_or("no round trips in the tool's JSON")?;
                r.write_errors += rt.field("write_errors")? as u64;
                if last {
                    r.latency_ns = [
                        rt.field("min_ns")?,
                        rt.field("median_ns")?,
                        rt.field("p99_ns")?,
                        rt.field("max_ns")?,
                    ];
                    r.per_second = rt.field("round_trips_per_s")?;
                    r.ctxt_per_rt = rt
                        .get("context_switches")
                        .and_then(bench_json::Value::num)
                        .map(|c| c / rt.field("count").unwrap_or(1.0).max(1.0));
                }
            }
        }
        eprintln!(
            "bench: {dev}: {size} B: {:.0} A7, {:.0} M4 instructions per round trip, median {:.1} us",
            median(&r.a7),
            median(&r.m4),
            r.latency_ns[1] / 1000.0
        );
        all.push(r);
    }
    Ok(all)
}

/// The stream figures on `dev` with writes of `write` bytes.
fn stream(
    con: &mut Console,
    plan: &Plan<'_>,
    dev: &str,
    write: usize,
) -> Result<StreamResult, String> {
    let mut r = StreamResult {
        write,
        ..StreamResult::default()
    };
    for _ in 0..plan.runs.max(STREAM_RUNS) {
        let args = |bytes: u64| format!("--count 0 --stream {bytes} --writes {write}");
        let (short, a_s, m_s) = counted(con, plan, &tool(dev, &args(STREAM_BASE)))?;
        let (long, a_l, m_l) = counted(con, plan, &tool(dev, &args(STREAM_BASE + MIB)))?;
        r.a7.push(a_l as f64 - a_s as f64);
        r.m4.push(m_l as f64 - m_s as f64);
        for (text, last) in [(&short, false), (&long, true)] {
            let v = tool_json(text)?;
            let s = v
                .get("streams")
                .and_then(|a| a.arr().first())
                .ok_or("no stream in the tool's JSON")?;
            r.write_errors += s.field("write_errors")? as u64;
            r.bytes += s.field("bytes")? as u64;
            if last {
                r.mib_per_s = s.field("bytes_per_s")? / MIB as f64;
                r.ctxt_per_mib = s
                    .get("context_switches")
                    .and_then(bench_json::Value::num)
                    .map(|c| c * MIB as f64 / s.field("bytes").unwrap_or(1.0).max(1.0));
            }
        }
    }
    r.write_errors_per_mib = r.write_errors as f64 * MIB as f64 / r.bytes.max(1) as f64;
    eprintln!(
        "bench: {dev}: stream of {write}-byte writes: {:.0} A7 instructions per MiB, {} write errors",
        median(&r.a7),
        r.write_errors
    );
    Ok(r)
}

/// Kernel code symbols: `kernel` (from `System.map`: the kernel itself,
/// no KASLR on ARM32) and the loaded modules' from the guest's
/// `/proc/kallsyms`; sorted (address, name).
fn kernel_symbols(
    con: &mut Console,
    kernel: &[(u64, String)],
    demangler: Option<&Path>,
) -> Result<Vec<(u64, String)>, String> {
    let modules = guest(con, "grep ' [tT] .*\\[' /proc/kallsyms")?;
    let mut modules = parse_symbols(&modules);
    if let Some(d) = demangler {
        demangle(d, &mut modules)?;
    }
    let mut syms = kernel.to_vec();
    syms.extend(modules);
    syms.sort();
    Ok(syms)
}

/// Demangles the names of `syms` (`name [module]`) with `llvm-cxxfilt`.
fn demangle(tool: &Path, syms: &mut [(u64, String)]) -> Result<(), String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let split: Vec<(String, String)> = syms
        .iter()
        .map(|(_, n)| match n.split_once(' ') {
            Some((name, module)) => (name.to_string(), format!(" {module}")),
            None => (n.clone(), String::new()),
        })
        .collect();
    let mut child = Command::new(tool)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{}: {e}", tool.display()))?;
    let input: String = split.iter().map(|(n, _)| format!("{n}\n")).collect();
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{}: {e}", tool.display()))?;
    let _ = writer.join();
    let names: Vec<&str> = std::str::from_utf8(&out.stdout)
        .map_err(|_| "llvm-cxxfilt printed no text")?
        .lines()
        .collect();
    if names.len() == syms.len() {
        for ((sym, (_, module)), name) in syms.iter_mut().zip(&split).zip(names) {
            sym.1 = format!("{name}{module}");
        }
    }
    Ok(())
}

/// A profile summed per component: each module (`[name]`), the rest of
/// the kernel, user space; largest first.
pub fn by_component(profile: &[(String, f64)]) -> Vec<(String, f64)> {
    let mut sums: Vec<(String, f64)> = Vec::new();
    for (f, n) in profile {
        let part = if f == "(user space)" {
            "user space".to_string()
        } else if let (Some(a), true) = (f.rfind(" ["), f.ends_with(']')) {
            f[a + 2..f.len() - 1].to_string()
        } else {
            "kernel (the rest)".to_string()
        };
        match sums.iter_mut().find(|(p, _)| *p == part) {
            Some((_, s)) => *s += n,
            None => sums.push((part, *n)),
        }
    }
    sums.sort_by(|a, b| b.1.total_cmp(&a.1));
    sums
}

/// `address type name [module]` lines: the code (t/T) ones.
pub fn parse_symbols(text: &str) -> Vec<(u64, String)> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let addr = u64::from_str_radix(f.next()?, 16).ok()?;
            let kind = f.next()?;
            let name = f.next()?;
            let module = f.next().map(|m| m.trim_matches(['[', ']']));
            let name = match module {
                Some(m) => format!("{name} [{m}]"),
                None => name.to_string(),
            };
            matches!(kind, "t" | "T").then_some((addr, name))
        })
        .collect()
}

/// Per-address A7 counts summed per kernel function; user space in one
/// line. Largest first.
pub fn a7_by_function(syms: &[(u64, String)], counts: &[(u64, u64)]) -> Vec<(String, u64)> {
    let mut sums: std::collections::HashMap<String, u64> = Default::default();
    for &(pc, n) in counts {
        let name = if pc < KERNEL_START {
            "(user space)".to_string()
        } else {
            let i = syms.partition_point(|(a, _)| *a <= pc);
            match i.checked_sub(1).and_then(|i| syms.get(i)) {
                Some((_, name)) => name.clone(),
                None => "(unknown)".to_string(),
            }
        };
        *sums.entry(name).or_default() += n;
    }
    let mut v: Vec<(String, u64)> = sums.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// Calls of each function named in `names` (kernel symbols): the counts
/// at its first instruction (a loop that branches back to a function's
/// first instruction would count too; none of [`CALLS`] does).
pub fn a7_calls(syms: &[(u64, String)], counts: &[(u64, u64)], names: &[&str]) -> Vec<u64> {
    let at: std::collections::HashMap<u64, u64> = counts.iter().copied().collect();
    names
        .iter()
        .map(|n| {
            syms.iter()
                .filter(|(_, s)| s == n)
                .map(|(a, _)| at.get(a).copied().unwrap_or(0))
                .sum()
        })
        .collect()
}

/// `long` minus `short` per function, each divided by `per`; largest
/// first.
pub fn profile_minus(long: &[(String, u64)], short: &[(String, u64)], per: f64) -> Profile {
    let mut d: std::collections::HashMap<&str, f64> = Default::default();
    for (f, n) in long {
        *d.entry(f).or_default() += *n as f64;
    }
    for (f, n) in short {
        *d.entry(f).or_default() -= *n as f64;
    }
    let mut v: Profile = d
        .into_iter()
        .map(|(f, n)| (f.to_string(), n / per))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// The A7 profile of a stream on `dev` with writes of `write` bytes, per
/// MiB: a stream of 1.25 MiB less one of 256 KiB, as the figures are
/// taken, so that starting the tool cancels out.
fn stream_profile(
    con: &mut Console,
    plan: &Plan<'_>,
    syms: &[(u64, String)],
    dev: &str,
    write: usize,
) -> Result<(Profile, Vec<(String, f64)>), String> {
    let mut run = |bytes: u64| -> Result<Vec<(u64, u64)>, String> {
        quiet(plan.m4)?;
        plan.a7.reset_profile()?;
        guest(
            con,
            &tool(dev, &format!("--count 0 --stream {bytes} --writes {write}")),
        )?;
        quiet(plan.m4)?;
        plan.a7.profile()
    };
    let short = run(STREAM_BASE)?;
    let long = run(STREAM_BASE + MIB)?;
    let functions = profile_minus(
        &a7_by_function(syms, &long),
        &a7_by_function(syms, &short),
        1.0,
    );
    let names: Vec<&str> = CALLS.iter().map(|(n, _)| *n).collect();
    let calls = a7_calls(syms, &long, &names)
        .into_iter()
        .zip(a7_calls(syms, &short, &names))
        .zip(names)
        .map(|((l, s), n)| (n.to_string(), l as f64 - s as f64))
        .collect();
    Ok((functions, calls))
}

/// The A7 profile of `count` 64-byte round trips on `dev`.
fn profile(
    con: &mut Console,
    plan: &Plan<'_>,
    syms: &[(u64, String)],
    dev: &str,
) -> Result<Profile, String> {
    quiet(plan.m4)?;
    plan.a7.reset_profile()?;
    guest(
        con,
        &tool(dev, &format!("--sizes 64 --count {}", plan.count)),
    )?;
    let counts = plan.a7.profile()?;
    let n = f64::from(plan.count);
    Ok(a7_by_function(syms, &counts)
        .into_iter()
        .map(|(name, c)| (name, c as f64 / n))
        .collect())
}

/// Our modules the RPMsg boots install.
const RPMSG_MODULES: [&str; 3] = ["imx_mu_rs.ko", "imx_rpmsg_rs.ko", "rpmsg_tty_rs.ko"];

/// One boot: `mu` under our transport, then each path.
fn rpmsg_boot(
    opts: &Options,
    plan: &Plan<'_>,
    mu: Mu,
    base: u32,
) -> Result<(Vec<Combo>, Profiles, Vec<StreamProfile>), String> {
    let tool_host = opts.sibling("guest-tools", TOOL, "scripts/guest-tools.sh")?;
    let name = match mu {
        Mu::Ours => "bench-imx_mu_rs",
        Mu::C => "bench-imx-mailbox",
    };
    let cfg = opts.board_variant(&BoardVariant {
        name,
        dtb: plan.pool.then_some(crate::suites_rpmsg::POOL_DTB),
        firmware: Some("rpmsg-firmware"),
        rust_modules: &RPMSG_MODULES,
        bins: vec![(format!("bin/{TOOL}"), tool_host)],
        ..BoardVariant::default()
    })?;
    eprintln!("bench: booting with {} ({name})", mu.name());
    let mut m = Machine::start(&cfg, name).map_err(|e| e.to_string())?;
    suites::boot(&mut m)?;
    suites::m4_running(&m, crate::suites_rpmsg::RPMSG_ECHO_READY)?;
    let con = &mut m.console;
    guest(con, "dmesg -n 4")?;
    match mu {
        Mu::Ours => guest(con, &format!("insmod {GUEST_DIR}/imx_mu_rs.ko"))?,
        Mu::C => guest(con, "modprobe imx-mailbox")?,
    };
    guest(con, &format!("insmod {GUEST_DIR}/imx_rpmsg_rs.ko"))?;
    let kernel = match plan.system_map {
        Some(map) => Some(parse_symbols(
            &std::fs::read_to_string(map).map_err(|e| format!("{}: {e}", map.display()))?,
        )),
        None => None,
    };
    let mut combos = Vec::new();
    let mut profiles = Vec::new();
    let mut stream_profiles = Vec::new();
    for path in Route::ALL {
        let dev = match path {
            Route::OurTty => {
                guest(con, &format!("insmod {GUEST_DIR}/rpmsg_tty_rs.ko"))?;
                suites::last_line(&guest(con, &format!("rpmsg-tty-of {CHANNEL}"))?).to_string()
            }
            Route::CTty => {
                guest(con, "rpmsg-unload rpmsg_tty_rs")?;
                guest(con, "modprobe rpmsg_tty")?;
                suites::last_line(&guest(con, &format!("rpmsg-tty-of {CHANNEL}"))?).to_string()
            }
            Route::Char => {
                guest(con, "rpmsg-unload rpmsg_tty")?;
                let ctrl = guest(con, "ls /dev/rpmsg_ctrl* | head -n 1")?;
                format!(
                    "--ctrl {} --dst {LOOPBACK_ADDR} --name bench",
                    suites::last_line(&ctrl)
                )
            }
        };
        eprintln!("bench: {} on {dev}", combo_name(mu, path));
        // Warm up (first-use paths stay out of the figures).
        guest(con, &tool(&dev, "--sizes 16 --count 50"))?;
        let sizes = sizes(con, plan, &dev, base)?;
        let write = if path == Route::Char { 496 } else { 4096 };
        let stream = stream(con, plan, &dev, write)?;
        if let (Some(kernel), true) = (&kernel, path != Route::Char) {
            let syms = kernel_symbols(con, kernel, plan.demangler)?;
            profiles.push((combo_name(mu, path), profile(con, plan, &syms, &dev)?));
            let (functions, calls) = stream_profile(con, plan, &syms, &dev, write)?;
            stream_profiles.push(StreamProfile {
                name: combo_name(mu, path),
                functions,
                calls,
            });
        }
        combos.push(Combo {
            mu,
            route: path,
            sizes,
            stream,
        });
    }
    suites::power_off(&mut m)?;
    Ok((combos, profiles, stream_profiles))
}

/// Our MU driver and `imx-mailbox` per word, with the test client.
fn mailbox_boot(opts: &Options, plan: &Plan<'_>, words: u32) -> Result<Vec<MuWords>, String> {
    let cfg = opts.board_variant(&BoardVariant {
        name: "bench-mailbox",
        dtb: Some(crate::suites_mailbox::MUTEST_DTB),
        rust_modules: &["imx_mu_rs.ko", "imx_mu_test_client.ko"],
        ..BoardVariant::default()
    })?;
    eprintln!("bench: booting the mailbox test tree");
    let mut m = Machine::start(&cfg, "bench-mailbox").map_err(|e| e.to_string())?;
    suites::boot(&mut m)?;
    let con = &mut m.console;
    guest(con, "dmesg -n 4")?;
    let base = (words / 10).max(10);
    let client = |n: u32| {
        format!(
            "insmod {GUEST_DIR}/imx_mu_test_client.ko words={n} doorbells=0 busy_test=0 && \
             rmmod imx_mu_test_client && dmesg | grep 'imx-mu-test:' | tail -n 1 | grep -q PASS"
        )
    };
    let mut out = Vec::new();
    for mu in [Mu::C, Mu::Ours] {
        match mu {
            Mu::C => guest(con, "modprobe imx-mailbox")?,
            Mu::Ours => guest(con, &format!("insmod {GUEST_DIR}/imx_mu_rs.ko"))?,
        };
        guest(con, &client(10))?;
        let mut r = MuWords {
            mu,
            a7: Vec::new(),
            m4: Vec::new(),
        };
        for _ in 0..plan.runs {
            let (_, a_s, m_s) = counted(con, plan, &client(base))?;
            let (_, a_l, m_l) = counted(con, plan, &client(base + words))?;
            // Four channels at once: 4 x words word round trips.
            let n = 4.0 * f64::from(words);
            r.a7.push((a_l as f64 - a_s as f64) / n);
            r.m4.push((m_l as f64 - m_s as f64) / n);
        }
        eprintln!(
            "bench: {}: {:.0} A7, {:.0} M4 instructions per MU word round trip",
            mu.name(),
            median(&r.a7),
            median(&r.m4)
        );
        match mu {
            Mu::C => guest(con, "rmmod imx_mailbox")?,
            Mu::Ours => guest(con, "rmmod imx_mu_rs")?,
        };
        out.push(r);
    }
    suites::power_off(&mut m)?;
    Ok(out)
}

/// The whole benchmark: both RPMsg boots and the mailbox boot.
pub fn measure(opts: &Options, plan: &Plan<'_>) -> Result<Measured, String> {
    let base = (plan.count / 10).max(10);
    let mut combos = Vec::new();
    let mut profiles = Vec::new();
    let mut stream_profiles = Vec::new();
    for mu in [Mu::Ours, Mu::C] {
        let (c, p, s) = rpmsg_boot(opts, plan, mu, base)?;
        combos.extend(c);
        profiles.extend(p);
        stream_profiles.extend(s);
    }
    let words_count = plan.count * 5;
    let words = mailbox_boot(opts, plan, words_count)?;
    Ok(Measured {
        combos,
        words,
        profiles,
        stream_profiles,
        count: plan.count,
        base,
        runs: plan.runs,
        words_count,
        pool: plan.pool,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_from_system_map_and_kallsyms() {
        let text = "c0100000 T _stext\nc0100040 t helper\nc0200000 D data\n\
                    bf000100 t rpmsg_tty_write\t[rpmsg_tty]\nbf000200 T other [imx_mu_rs]\n";
        let syms = parse_symbols(text);
        assert_eq!(
            syms,
            vec![
                (0xc010_0000, "_stext".to_string()),
                (0xc010_0040, "helper".to_string()),
                (0xbf00_0100, "rpmsg_tty_write [rpmsg_tty]".to_string()),
                (0xbf00_0200, "other [imx_mu_rs]".to_string()),
            ]
        );
    }

    #[test]
    fn a7_counts_go_to_functions_and_user_space() {
        let mut syms = parse_symbols("c0100000 T a\nc0100100 T b\nbf000000 t m [x]\n");
        syms.sort();
        let counts = [
            (0x0001_0000, 5),
            (0x0002_0000, 6),
            (0xc010_0004, 7),
            (0xc010_0104, 1),
            (0xbf00_0010, 2),
            (0xbe00_0000, 1),
        ];
        assert_eq!(
            a7_by_function(&syms, &counts),
            vec![
                ("(user space)".to_string(), 12),
                ("a".to_string(), 7),
                ("m [x]".to_string(), 2),
                ("b".to_string(), 1),
            ]
        );
    }

    #[test]
    fn calls_are_counts_at_the_first_instruction() {
        let syms = parse_symbols("c0100000 T a\nc0100100 T b\nbf000000 t m [x]\n");
        let counts = [(0xc010_0000, 3), (0xc010_0004, 9), (0xc010_0100, 0)];
        assert_eq!(a7_calls(&syms, &counts, &["a", "b", "c"]), vec![3, 0, 0]);
    }

    #[test]
    fn stream_profiles_are_long_minus_short() {
        let long = vec![("a".to_string(), 30), ("b".to_string(), 5)];
        let short = vec![("a".to_string(), 10), ("c".to_string(), 2)];
        assert_eq!(
            profile_minus(&long, &short, 2.0),
            vec![
                ("a".to_string(), 10.0),
                ("b".to_string(), 2.5),
                ("c".to_string(), -1.0)
            ]
        );
    }

    #[test]
    fn profiles_per_component() {
        let p = vec![
            ("(user space)".to_string(), 100.0),
            ("<imx_rpmsg_rs::Q>::f [imx_rpmsg_rs]".to_string(), 30.0),
            ("g [imx_rpmsg_rs]".to_string(), 5.0),
            ("__schedule".to_string(), 50.0),
            ("h [rpmsg_tty]".to_string(), 7.0),
        ];
        assert_eq!(
            by_component(&p),
            vec![
                ("user space".to_string(), 100.0),
                ("kernel (the rest)".to_string(), 50.0),
                ("imx_rpmsg_rs".to_string(), 35.0),
                ("rpmsg_tty".to_string(), 7.0),
            ]
        );
    }

    #[test]
    fn names() {
        assert_eq!(
            combo_name(Mu::C, Route::OurTty),
            "imx-mailbox + rpmsg_tty_rs"
        );
        assert_eq!(combo_name(Mu::Ours, Route::Char), "imx_mu_rs + rpmsg_char");
    }
}
