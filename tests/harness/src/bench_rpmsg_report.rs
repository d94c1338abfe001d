// SPDX-License-Identifier: GPL-2.0
//! The RPMsg benchmark's report: the terminal table with the ratios ours/C
//! per component, the JSON file and the SVG plots.

use crate::bench_firmware::median;
use crate::bench_json::quote;
use crate::bench_rpmsg::{
    by_component, combo_name, Combo, Measured, Mu, Route, StreamProfile, CALLS, MIB, SIZES,
    STREAM_RUNS,
};
use crate::bench_svg::{line_chart, Chart, Series};
use std::fmt::Write;

/// Issue 15's figures, measured from outside (the insn plugin's totals of
/// whole boots, a baseline boot subtracted, median of 3 runs of 10,000):
/// (what, ours, C).
pub const ISSUE_15: [(&str, f64, f64); 4] = [
    ("tty 64-B round trip, A7, with imx_mu_rs", 31631.0, 26448.0),
    (
        "tty 64-B round trip, A7, with imx-mailbox",
        37808.0,
        32900.0,
    ),
    ("MU word round trip, A7 (test client)", 972.0, 4815.0),
    ("tty 1 MiB stream, A7 per MiB (our MU)", 21.2e6, 16.8e6),
];

/// The size whose figures the ratios use.
const RATIO_SIZE: usize = 64;

fn find(m: &Measured, mu: Mu, route: Route) -> Option<&Combo> {
    m.combos.iter().find(|c| c.mu == mu && c.route == route)
}

/// Median A7 instructions per round trip of `size` for a combination.
fn a7_at(m: &Measured, mu: Mu, route: Route, size: usize) -> Option<f64> {
    find(m, mu, route)?.size(size).map(|s| median(&s.a7))
}

/// Median A7 instructions per MiB streamed for a combination.
fn a7_per_mib(m: &Measured, mu: Mu, route: Route) -> Option<f64> {
    find(m, mu, route).map(|c| median(&c.stream.a7))
}

/// (max - min) / median of `v` (0 for fewer than two values).
pub fn spread(v: &[f64]) -> f64 {
    let max = v.iter().copied().fold(f64::MIN, f64::max);
    let min = v.iter().copied().fold(f64::MAX, f64::min);
    let m = median(v);
    if v.len() < 2 || m == 0.0 {
        0.0
    } else {
        (max - min) / m
    }
}

/// `ours / theirs` as text.
fn ratio(ours: Option<f64>, theirs: Option<f64>) -> String {
    match (ours, theirs) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "n/a".into(),
    }
}

/// An optional figure with `digits` decimals, `-` when missing.
fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or("-".into(), |v| format!("{v:.digits$}"))
}

/// A count with thousands separators.
pub fn thousands(v: f64) -> String {
    let n = v.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The ratios ours / C per component: (what, ratio).
pub fn ratios(m: &Measured) -> Vec<(String, String)> {
    let mut v = Vec::new();
    let s = RATIO_SIZE;
    for mu in [Mu::Ours, Mu::C] {
        v.push((
            format!(
                "tty: rpmsg_tty_rs / rpmsg_tty, {s}-B round trip, A7, with {}",
                mu.name()
            ),
            ratio(a7_at(m, mu, Route::OurTty, s), a7_at(m, mu, Route::CTty, s)),
        ));
    }
    for mu in [Mu::Ours, Mu::C] {
        v.push((
            format!(
                "tty: rpmsg_tty_rs / rpmsg_tty, A7 per MiB streamed, with {}",
                mu.name()
            ),
            ratio(
                a7_per_mib(m, mu, Route::OurTty),
                a7_per_mib(m, mu, Route::CTty),
            ),
        ));
    }
    for route in Route::ALL {
        v.push((
            format!(
                "MU: imx_mu_rs / imx-mailbox, {s}-B round trip, A7, with {}",
                route.name()
            ),
            ratio(a7_at(m, Mu::Ours, route, s), a7_at(m, Mu::C, route, s)),
        ));
    }
    let word = |mu: Mu| m.words.iter().find(|w| w.mu == mu).map(|w| median(&w.a7));
    v.push((
        "MU: imx_mu_rs / imx-mailbox, per MU word round trip, A7 (test client)".into(),
        ratio(word(Mu::Ours), word(Mu::C)),
    ));
    v
}

fn size_header(t: &mut String, first: &str) {
    let _ = write!(t, "  {first:<30}");
    for s in SIZES {
        let _ = write!(t, " {s:>8}");
    }
    let _ = writeln!(t);
}

/// The terminal table.
pub fn table(m: &Measured, stamp: &str) -> String {
    let mut t = String::new();
    let tree = if m.pool {
        "buffers from the reserved-memory pool (imx7s-warp-qemu-rpmsgpool.dtb)"
    } else {
        "buffers from DMA memory (imx7s-warp-qemu.dtb)"
    };
    let _ = writeln!(t, "RPMsg benchmark ({stamp})");
    let _ = writeln!(
        t,
        "our transport imx_rpmsg_rs, rpmsg-echo firmware, channel rpmsg-tty (loopback); {tree}"
    );
    let _ = writeln!(
        t,
        "instructions: (run of {} - run of {}) / {}, median of {} run(s)",
        m.base + m.count,
        m.base,
        m.count,
        m.runs
    );
    for (what, pick) in [("A7", true), ("M4", false)] {
        let _ = writeln!(t);
        let _ = writeln!(t, "{what} instructions per round trip:");
        size_header(&mut t, "MU + path \\ payload bytes");
        for c in &m.combos {
            let _ = write!(t, "  {:<30}", c.name());
            for s in &c.sizes {
                let v = if pick { &s.a7 } else { &s.m4 };
                let _ = write!(t, " {:>8}", thousands(median(v)));
            }
            let _ = writeln!(t);
        }
    }
    let _ = writeln!(t);
    let _ = writeln!(t, "Median round-trip latency, guest clock (us):");
    size_header(&mut t, "MU + path \\ payload bytes");
    for c in &m.combos {
        let _ = write!(t, "  {:<30}", c.name());
        for s in &c.sizes {
            let _ = write!(t, " {:>8.1}", s.latency_ns[1] / 1000.0);
        }
        let _ = writeln!(t);
    }
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "{RATIO_SIZE}-byte round trips, guest clock (us), last long run:"
    );
    let _ = writeln!(
        t,
        "  {:<30} {:>8} {:>8} {:>8} {:>8} {:>9} {:>7} {:>8}",
        "MU + path", "min", "median", "p99", "max", "trips/s", "w.errs", "ctxt/rt"
    );
    for c in &m.combos {
        if let Some(s) = c.size(RATIO_SIZE) {
            let l = s.latency_ns.map(|v| v / 1000.0);
            let _ = writeln!(
                t,
                "  {:<30} {:>8.1} {:>8.1} {:>8.1} {:>8.1} {:>9.0} {:>7} {:>8}",
                c.name(),
                l[0],
                l[1],
                l[2],
                l[3],
                s.per_second,
                s.write_errors,
                opt(s.ctxt_per_rt, 2)
            );
        }
    }
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "Streams through the loopback (4 KiB writes on a tty, 496-byte messages on rpmsg_char), \
         median of {} runs, A7 spread (max - min) / median:",
        m.runs.max(STREAM_RUNS)
    );
    let _ = writeln!(
        t,
        "  {:<30} {:>13} {:>7} {:>11} {:>8} {:>14} {:>9}",
        "MU + path", "A7 insns/MiB", "spread", "M4 ins/MiB", "MiB/s", "w.errs per MiB", "ctxt/MiB"
    );
    for c in &m.combos {
        let _ = writeln!(
            t,
            "  {:<30} {:>13} {:>6.0}% {:>11} {:>8.3} {:>14.1} {:>9}",
            c.name(),
            thousands(median(&c.stream.a7)),
            100.0 * spread(&c.stream.a7),
            thousands(median(&c.stream.m4)),
            c.stream.mib_per_s,
            c.stream.write_errors_per_mib,
            opt(c.stream.ctxt_per_mib, 0)
        );
    }
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "MU word round trips (imx_mu_test_client, mailbox test tree, mu-echo; {} words on each of 4 channels):",
        m.words_count
    );
    for w in &m.words {
        let _ = writeln!(
            t,
            "  {:<30} A7 {:>7} M4 {:>5} instructions per word",
            w.mu.name(),
            thousands(median(&w.a7)),
            thousands(median(&w.m4))
        );
    }
    let _ = writeln!(t);
    let _ = writeln!(t, "Ratios ours / C:");
    for (what, r) in ratios(m) {
        let _ = writeln!(t, "  {what:<72} {r:>6}");
    }
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "Issue 15, measured from outside (whole boots, baseline subtracted), ours / C:"
    );
    for (what, ours, c) in ISSUE_15 {
        let _ = writeln!(
            t,
            "  {what:<46} {:>11} / {:>11} = {:.2}",
            thousands(ours),
            thousands(c),
            ours / c
        );
    }
    for (name, prof) in &m.profiles {
        let _ = writeln!(t);
        let total: f64 = prof.iter().map(|(_, n)| n).sum();
        let _ = writeln!(
            t,
            "A7 profile, {name}, {RATIO_SIZE}-byte round trips (instructions per round trip, run of {}):",
            m.count
        );
        let parts: Vec<String> = by_component(prof)
            .iter()
            .map(|(p, n)| format!("{p} {}", thousands(*n)))
            .collect();
        let _ = writeln!(t, "  by component: {}", parts.join(", "));
        for (f, n) in prof.iter().take(25) {
            let _ = writeln!(t, "  {n:>9.1} {:>5.1}%  {f}", 100.0 * n / total.max(1.0));
        }
        let _ = writeln!(t, "  {total:>9.1} total");
    }
    tty_difference(&mut t, m);
    stream_profiles(&mut t, m);
    t
}

/// The A7 profiles of the tty streams: per-module totals, the calls of
/// [`CALLS`] and the largest functions, then per MU driver what our tty
/// costs more or less than the C tty, per function and in calls.
fn stream_profiles(t: &mut String, m: &Measured) {
    for p in &m.stream_profiles {
        let total: f64 = p.functions.iter().map(|(_, n)| n).sum();
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "A7 profile, {}, stream of 4 KiB writes (instructions per MiB: run of 1.25 MiB - run of 256 KiB):",
            p.name
        );
        let parts: Vec<String> = by_component(&p.functions)
            .iter()
            .map(|(c, n)| format!("{c} {}", thousands(*n)))
            .collect();
        let _ = writeln!(t, "  by component: {}", parts.join(", "));
        let calls: Vec<String> = p
            .calls
            .iter()
            .map(|(f, n)| format!("{f} {}", thousands(*n)))
            .collect();
        let _ = writeln!(t, "  calls per MiB: {}", calls.join(", "));
        for (f, n) in p.functions.iter().take(25) {
            let _ = writeln!(t, "  {n:>11.0} {:>5.1}%  {f}", 100.0 * n / total.max(1.0));
        }
        let _ = writeln!(t, "  {:>11} total", thousands(total));
    }
    for mu in [Mu::Ours, Mu::C] {
        let get = |route| -> Option<&StreamProfile> {
            let name = combo_name(mu, route);
            m.stream_profiles.iter().find(|p| p.name == name)
        };
        let (Some(ours), Some(c)) = (get(Route::OurTty), get(Route::CTty)) else {
            continue;
        };
        let total = |p: &StreamProfile| p.functions.iter().map(|(_, n)| n).sum::<f64>();
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "rpmsg_tty_rs - rpmsg_tty with {}, A7 per MiB streamed (profiled runs): {} in all; calls per MiB, ours / C:",
            mu.name(),
            signed(total(ours) - total(c))
        );
        for (name, what) in CALLS {
            let of = |p: &StreamProfile| {
                p.calls
                    .iter()
                    .find(|(f, _)| f == name)
                    .map_or(0.0, |(_, n)| *n)
            };
            let _ = writeln!(
                t,
                "  {name:<22} {:>9} / {:>9}  {what}",
                thousands(of(ours)),
                thousands(of(c))
            );
        }
        let _ = writeln!(t, "  largest differences per function:");
        for (f, d) in profile_difference(&ours.functions, &c.functions, 25) {
            let _ = writeln!(t, "  {:>11}  {f}", signed(d));
        }
    }
}

/// A count with thousands separators and its sign.
fn signed(v: f64) -> String {
    if v >= 0.0 {
        format!("+{}", thousands(v))
    } else {
        thousands(v)
    }
}

/// Per function, `ours` minus `theirs` (instructions per round trip),
/// the `n` largest differences either way, largest first.
pub fn profile_difference(
    ours: &[(String, f64)],
    theirs: &[(String, f64)],
    n: usize,
) -> Vec<(String, f64)> {
    let mut d: Vec<(String, f64)> = ours.to_vec();
    for (f, v) in theirs {
        match d.iter_mut().find(|(g, _)| g == f) {
            Some((_, w)) => *w -= v,
            None => d.push((f.clone(), -v)),
        }
    }
    d.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0)));
    d.truncate(n);
    d
}

/// Where our tty's A7 instructions go next to the C tty's, with each MU
/// driver whose two profiles were taken.
fn tty_difference(t: &mut String, m: &Measured) {
    for mu in [Mu::Ours, Mu::C] {
        let get = |route| {
            let name = combo_name(mu, route);
            m.profiles.iter().find(|(n, _)| *n == name).map(|(_, p)| p)
        };
        let (Some(ours), Some(c)) = (get(Route::OurTty), get(Route::CTty)) else {
            continue;
        };
        let total = |p: &[(String, f64)]| p.iter().map(|(_, n)| n).sum::<f64>();
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "rpmsg_tty_rs - rpmsg_tty with {}, A7 per {RATIO_SIZE}-byte round trip: {:+.0} in all; largest differences:",
            mu.name(),
            total(ours) - total(c)
        );
        for (f, d) in profile_difference(ours, c, 20) {
            let _ = writeln!(t, "  {d:>+9.1}  {f}");
        }
    }
}

fn nums(v: &[f64]) -> String {
    let s: Vec<String> = v.iter().map(|x| format!("{x:.1}")).collect();
    format!("[{}]", s.join(", "))
}

/// The JSON results.
pub fn json(m: &Measured, stamp: &str) -> String {
    let mut j = String::from("{\n");
    let _ = writeln!(j, "  \"stamp\": {},", quote(stamp));
    let _ = writeln!(
        j,
        "  \"tree\": \"{}\",",
        if m.pool { "rpmsgpool" } else { "default" }
    );
    let _ = writeln!(
        j,
        "  \"round_trips_per_run\": {}, \"base_run\": {}, \"runs\": {}, \"words_per_channel\": {},",
        m.count, m.base, m.runs, m.words_count
    );
    j.push_str("  \"combinations\": [");
    let combos: Vec<String> = m
        .combos
        .iter()
        .map(|c| {
            let sizes: Vec<String> = c
                .sizes
                .iter()
                .map(|s| {
                    format!(
                        "\n      {{\"payload\": {}, \"a7_per_round_trip\": {:.1}, \"m4_per_round_trip\": {:.1}, \
                         \"a7_runs\": {}, \"m4_runs\": {}, \"latency_ns\": {{\"min\": {:.0}, \"median\": {:.0}, \
                         \"p99\": {:.0}, \"max\": {:.0}}}, \"round_trips_per_s\": {:.1}, \"write_errors\": {}, \
                         \"context_switches_per_round_trip\": {}}}",
                        s.size,
                        median(&s.a7),
                        median(&s.m4),
                        nums(&s.a7),
                        nums(&s.m4),
                        s.latency_ns[0],
                        s.latency_ns[1],
                        s.latency_ns[2],
                        s.latency_ns[3],
                        s.per_second,
                        s.write_errors,
                        s.ctxt_per_rt.map_or("null".into(), |v| format!("{v:.3}"))
                    )
                })
                .collect();
            format!(
                "\n    {{\"mu\": {}, \"path\": {}, \"name\": {}, \"sizes\": [{}],\n     \"stream\": {{\"write\": {}, \
                 \"a7_per_mib\": {:.0}, \"m4_per_mib\": {:.0}, \"a7_runs\": {}, \"m4_runs\": {}, \
                 \"mib_per_s\": {:.3}, \"write_errors\": {}, \
                 \"bytes\": {}, \"write_errors_per_mib\": {:.2}, \"context_switches_per_mib\": {}}}}}",
                quote(c.mu.name()),
                quote(c.route.name()),
                quote(&c.name()),
                sizes.join(","),
                c.stream.write,
                median(&c.stream.a7),
                median(&c.stream.m4),
                nums(&c.stream.a7),
                nums(&c.stream.m4),
                c.stream.mib_per_s,
                c.stream.write_errors,
                c.stream.bytes,
                c.stream.write_errors_per_mib,
                c.stream.ctxt_per_mib.map_or("null".into(), |v| format!("{v:.1}"))
            )
        })
        .collect();
    j.push_str(&combos.join(","));
    j.push_str("\n  ],\n  \"mu_words\": [");
    let words: Vec<String> = m
        .words
        .iter()
        .map(|w| {
            format!(
                "\n    {{\"mu\": {}, \"a7_per_word\": {:.1}, \"m4_per_word\": {:.1}, \"a7_runs\": {}, \"m4_runs\": {}}}",
                quote(w.mu.name()),
                median(&w.a7),
                median(&w.m4),
                nums(&w.a7),
                nums(&w.m4)
            )
        })
        .collect();
    j.push_str(&words.join(","));
    j.push_str("\n  ],\n  \"ratios_ours_over_c\": [");
    let r: Vec<String> = ratios(m)
        .iter()
        .map(|(w, r)| {
            format!(
                "\n    {{\"what\": {}, \"ratio\": {}}}",
                quote(w),
                r.replace("n/a", "null")
            )
        })
        .collect();
    j.push_str(&r.join(","));
    j.push_str("\n  ],\n  \"a7_profiles_64_bytes\": [");
    let p: Vec<String> = m
        .profiles
        .iter()
        .map(|(name, prof)| {
            let f: Vec<String> = prof
                .iter()
                .take(60)
                .map(|(f, n)| {
                    format!(
                        "\n      {{\"function\": {}, \"per_round_trip\": {n:.2}}}",
                        quote(f)
                    )
                })
                .collect();
            format!(
                "\n    {{\"combination\": {}, \"functions\": [{}]}}",
                quote(name),
                f.join(",")
            )
        })
        .collect();
    j.push_str(&p.join(","));
    j.push_str("\n  ],\n  \"a7_profiles_stream_per_mib\": [");
    let p: Vec<String> = m
        .stream_profiles
        .iter()
        .map(|p| {
            let f: Vec<String> = p
                .functions
                .iter()
                .take(80)
                .map(|(f, n)| {
                    format!(
                        "\n      {{\"function\": {}, \"per_mib\": {n:.0}}}",
                        quote(f)
                    )
                })
                .collect();
            let calls: Vec<String> = p
                .calls
                .iter()
                .map(|(f, n)| format!("{}: {n:.0}", quote(f)))
                .collect();
            format!(
                "\n    {{\"combination\": {}, \"calls_per_mib\": {{{}}}, \"functions\": [{}]}}",
                quote(&p.name),
                calls.join(", "),
                f.join(",")
            )
        })
        .collect();
    j.push_str(&p.join(","));
    j.push_str("\n  ]\n}\n");
    j
}

/// The plot of A7 (`a7`) or M4 instructions per round trip against the
/// payload size, one line per combination.
pub fn plot(m: &Measured, a7: bool, stamp: &str) -> String {
    let series: Vec<Series> = m
        .combos
        .iter()
        .map(|c| Series {
            name: combo_name(c.mu, c.route),
            points: c
                .sizes
                .iter()
                .map(|s| (s.size as f64, median(if a7 { &s.a7 } else { &s.m4 })))
                .collect(),
            // One colour per path, the C MU driver's lines dashed.
            dashed: c.mu == Mu::C,
            style: Route::ALL.iter().position(|r| *r == c.route).unwrap_or(0),
        })
        .collect();
    let title = format!(
        "{} instructions per RPMsg round trip",
        if a7 { "A7 (Linux)" } else { "M4 (firmware)" }
    );
    let subtitle = format!(
        "median of {} run(s) of {} round trips, our transport imx_rpmsg_rs; {stamp}",
        m.runs, m.count
    );
    line_chart(&Chart {
        title: &title,
        subtitle: &subtitle,
        x_label: "payload bytes",
        y_label: "instructions per round trip",
        series: &series,
    })
}

/// A MiB as a float, for callers.
pub fn mib() -> f64 {
    MIB as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench_rpmsg::{MuWords, SizeResult, StreamResult};

    fn combo(mu: Mu, route: Route, a7_64: f64) -> Combo {
        Combo {
            mu,
            route,
            sizes: SIZES
                .iter()
                .map(|&size| SizeResult {
                    size,
                    a7: vec![a7_64 + size as f64, a7_64 + size as f64 + 2.0],
                    m4: vec![1000.0],
                    latency_ns: [1000.0, 2000.0, 3000.0, 4000.0],
                    per_second: 500.0,
                    write_errors: 0,
                    ctxt_per_rt: Some(4.0),
                })
                .collect(),
            stream: StreamResult {
                write: 4096,
                a7: vec![2.0e7],
                m4: vec![1.0e6],
                mib_per_s: 1.5,
                write_errors_per_mib: 2.0,
                write_errors: 5,
                bytes: 5 * MIB / 2,
                ctxt_per_mib: None,
            },
        }
    }

    fn measured() -> Measured {
        Measured {
            combos: vec![
                combo(Mu::Ours, Route::OurTty, 1135.0),
                combo(Mu::Ours, Route::CTty, 935.0),
                combo(Mu::Ours, Route::Char, 735.0),
                combo(Mu::C, Route::OurTty, 2135.0),
                combo(Mu::C, Route::CTty, 1935.0),
                combo(Mu::C, Route::Char, 1735.0),
            ],
            words: vec![
                MuWords {
                    mu: Mu::C,
                    a7: vec![4000.0],
                    m4: vec![50.0],
                },
                MuWords {
                    mu: Mu::Ours,
                    a7: vec![1000.0],
                    m4: vec![50.0],
                },
            ],
            profiles: vec![("imx_mu_rs + rpmsg_tty_rs".into(), vec![("f".into(), 10.0)])],
            stream_profiles: Vec::new(),
            count: 1000,
            base: 100,
            runs: 2,
            words_count: 5000,
            pool: false,
        }
    }

    #[test]
    fn ratios_per_component() {
        let r = ratios(&measured());
        // 64 B: 1135 + 64 + 1 (median of x, x + 2) = 1200 over 1000.
        assert_eq!(r[0].1, "1.20");
        assert!(r[0].0.contains("with imx_mu_rs"));
        assert_eq!(r[2].1, "1.00");
        assert_eq!(r[4].1, "0.55"); // 1200 / 2200
        assert_eq!(r.last().unwrap().1, "0.25");
        assert_eq!(ratio(Some(1.0), None), "n/a");
        assert_eq!(ratio(Some(1.0), Some(0.0)), "n/a");
    }

    #[test]
    fn the_table_and_json_hold_every_combination() {
        let m = measured();
        let t = table(&m, "2026-11-28, commit abc1234");
        assert_eq!(t.matches("imx-mailbox + rpmsg_tty_rs").count(), 5, "{t}");
        assert!(t.contains("1,200"), "{t}");
        assert!(t.contains("(run of 1100 - run of 100) / 1000, median of 2 run(s)"));
        assert!(t.contains("31,631 /      26,448 = 1.20"), "{t}");
        let j = json(&m, "x");
        let v = crate::bench_json::parse(&j).expect("valid JSON");
        let combos = v.get("combinations").unwrap().arr();
        assert_eq!(combos.len(), 6);
        let s64 = &combos[0].get("sizes").unwrap().arr()[2];
        assert_eq!(s64.field("a7_per_round_trip"), Ok(1200.0));
        let stream = combos[0].get("stream").unwrap();
        assert_eq!(stream.field("write_errors"), Ok(5.0));
        assert_eq!(stream.get("a7_runs").unwrap().arr().len(), 1);
        let words = v.get("mu_words").unwrap().arr();
        assert_eq!(
            words[1].get("a7_runs").unwrap().arr()[0].num(),
            Some(1000.0)
        );
        assert_eq!(v.get("ratios_ours_over_c").unwrap().arr().len(), 8);
    }

    #[test]
    fn profile_differences_largest_first() {
        let ours = vec![
            ("__schedule".to_string(), 2000.0),
            ("f [rpmsg_tty_rs]".to_string(), 456.0),
            ("same".to_string(), 10.0),
        ];
        let c = vec![
            ("__schedule".to_string(), 1000.0),
            ("g [rpmsg_tty]".to_string(), 44.0),
            ("same".to_string(), 10.0),
        ];
        assert_eq!(
            profile_difference(&ours, &c, 3),
            vec![
                ("__schedule".to_string(), 1000.0),
                ("f [rpmsg_tty_rs]".to_string(), 456.0),
                ("g [rpmsg_tty]".to_string(), -44.0),
            ]
        );
        let mut m = measured();
        m.profiles = vec![
            ("imx_mu_rs + rpmsg_tty_rs".into(), ours),
            ("imx_mu_rs + rpmsg_tty".into(), c),
        ];
        let t = table(&m, "x");
        assert!(
            t.contains(
                "rpmsg_tty_rs - rpmsg_tty with imx_mu_rs, A7 per 64-byte round trip: +1412 in all"
            ),
            "{t}"
        );
        assert!(!t.contains("with imx-mailbox, A7 per"));
    }

    #[test]
    fn stream_profiles_side_by_side() {
        let mut m = measured();
        let prof = |name: &str, f: f64, trysend: f64| StreamProfile {
            name: name.into(),
            functions: vec![("f".into(), f), ("(user space)".into(), 100.0)],
            calls: vec![("rpmsg_trysend".into(), trysend)],
        };
        m.stream_profiles = vec![
            prof("imx_mu_rs + rpmsg_tty_rs", 3000.0, 2200.0),
            prof("imx_mu_rs + rpmsg_tty", 1000.0, 2114.0),
        ];
        let t = table(&m, "x");
        assert!(
            t.contains("A7 per MiB streamed (profiled runs): +2,000 in all"),
            "{t}"
        );
        assert!(
            t.contains("rpmsg_trysend              2,200 /     2,114"),
            "{t}"
        );
        assert!(
            t.contains("by component: kernel (the rest) 3,000, user space 100"),
            "{t}"
        );
        let v = crate::bench_json::parse(&json(&m, "x")).expect("valid JSON");
        let s = v.get("a7_profiles_stream_per_mib").unwrap().arr();
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[1].get("calls_per_mib").unwrap().field("rpmsg_trysend"),
            Ok(2114.0)
        );
    }

    #[test]
    fn numbers_and_plots() {
        assert_eq!(thousands(31631.4), "31,631");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(thousands(21_200_000.0), "21,200,000");
        assert_eq!(thousands(-1234.0), "-1,234");
        let svg = plot(&measured(), true, "x");
        assert_eq!(svg.matches("<polyline").count(), 6);
        assert!(svg.contains("imx_mu_rs + rpmsg_char"));
        assert!((mib() - 1048576.0).abs() < 1e-9);
        assert_eq!(spread(&[10.0, 12.0, 8.0]), 0.4);
        assert_eq!(spread(&[10.0]), 0.0);
    }
}
