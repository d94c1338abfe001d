// SPDX-License-Identifier: GPL-2.0
//! The results as a plain-text table or as JSON.

use crate::bench::{Kind, RoundTrips, Stream, SysCounts};
use std::fmt::Write;

/// Everything one run measured.
pub struct Results {
    /// The device node used.
    pub device: String,
    /// Its kind.
    pub kind: Kind,
    /// The remote's answer is the echo channel's.
    pub echo: bool,
    /// Round trips, per size.
    pub round_trips: Vec<RoundTrips>,
    /// Streams, per write size.
    pub streams: Vec<Stream>,
}

fn us(ns: f64) -> f64 {
    ns / 1000.0
}

/// Context switches and interrupts as JSON members (null without /proc).
fn sys_json(s: Option<SysCounts>) -> String {
    match s {
        Some(s) => format!(
            "\"context_switches\": {}, \"interrupts\": {}",
            s.ctxt, s.intr
        ),
        None => "\"context_switches\": null, \"interrupts\": null".into(),
    }
}

/// Context switches per `n` things, as text (`-` without /proc).
fn per(s: Option<SysCounts>, n: f64) -> String {
    match s {
        Some(s) if n > 0.0 => format!("{:.2}", s.ctxt as f64 / n),
        _ => "-".into(),
    }
}

/// The table.
pub fn table(r: &Results) -> String {
    let mut t = String::new();
    let answer = if r.echo { "echo" } else { "loopback" };
    let _ = writeln!(
        t,
        "rpmsg-bench: {} ({}, {answer}), times by the guest's monotonic clock",
        r.device,
        r.kind.name()
    );
    if !r.round_trips.is_empty() {
        let _ = writeln!(
            t,
            "{:>6} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10} {:>7} {:>8}",
            "bytes",
            "count",
            "min us",
            "median us",
            "p99 us",
            "max us",
            "trips/s",
            "KiB/s each",
            "w.errs",
            "ctxt/rt"
        );
        for rt in &r.round_trips {
            let s = &rt.summary;
            let _ = writeln!(
                t,
                "{:>6} {:>7} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.0} {:>10.1} {:>7} {:>8}",
                rt.size,
                s.n,
                us(s.min as f64),
                us(s.median),
                us(s.p99 as f64),
                us(s.max as f64),
                rt.per_second(),
                rt.bytes_per_second() / 1024.0,
                rt.write_errors,
                per(rt.sys, s.n as f64)
            );
        }
    }
    if !r.streams.is_empty() {
        let _ = writeln!(
            t,
            "{:>6} {:>10} {:>9} {:>9} {:>8} {:>7} {:>9}",
            "write", "stream B", "ms", "MiB/s", "writes", "w.errs", "ctxt/KiB"
        );
        for s in &r.streams {
            let _ = writeln!(
                t,
                "{:>6} {:>10} {:>9.1} {:>9.3} {:>8} {:>7} {:>9}",
                s.write,
                s.bytes,
                s.ns as f64 / 1e6,
                s.bytes_per_second() / f64::from(1 << 20),
                s.writes,
                s.write_errors,
                per(s.sys, s.bytes as f64 / 1024.0)
            );
        }
    }
    t
}

/// `s` as a JSON string literal.
pub fn json_str(s: &str) -> String {
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// The JSON document (one object; times in nanoseconds).
pub fn json(r: &Results) -> String {
    let mut j = String::from("{");
    let _ = writeln!(
        j,
        "\"device\": {}, \"kind\": \"{}\", \"answer\": \"{}\", \"clock\": \"guest monotonic\",",
        json_str(&r.device),
        r.kind.name(),
        if r.echo { "echo" } else { "loopback" }
    );
    j.push_str(" \"round_trips\": [");
    let rows: Vec<String> = r
        .round_trips
        .iter()
        .map(|rt| {
            let s = &rt.summary;
            format!(
                "\n  {{\"size\": {}, \"reply\": {}, \"count\": {}, \"min_ns\": {}, \"median_ns\": {:.1}, \
                 \"p99_ns\": {}, \"max_ns\": {}, \"mean_ns\": {:.1}, \"total_ns\": {}, \
                 \"round_trips_per_s\": {:.1}, \"bytes_per_s\": {:.1}, \"write_errors\": {}, {}}}",
                rt.size,
                rt.reply,
                s.n,
                s.min,
                s.median,
                s.p99,
                s.max,
                s.mean,
                rt.total_ns,
                rt.per_second(),
                rt.bytes_per_second(),
                rt.write_errors,
                sys_json(rt.sys)
            )
        })
        .collect();
    j.push_str(&rows.join(","));
    j.push_str("],\n \"streams\": [");
    let rows: Vec<String> = r
        .streams
        .iter()
        .map(|s| {
            format!(
                "\n  {{\"write\": {}, \"bytes\": {}, \"ns\": {}, \"bytes_per_s\": {:.1}, \
                 \"writes\": {}, \"write_errors\": {}, {}}}",
                s.write,
                s.bytes,
                s.ns,
                s.bytes_per_second(),
                s.writes,
                s.write_errors,
                sys_json(s.sys)
            )
        })
        .collect();
    j.push_str(&rows.join(","));
    j.push_str("]}\n");
    j
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::summarise;

    fn results() -> Results {
        Results {
            device: "/dev/ttyRPMSG1".into(),
            kind: Kind::Tty,
            echo: false,
            round_trips: vec![RoundTrips {
                size: 64,
                reply: 64,
                summary: summarise(&[1000, 2000, 3000]).unwrap(),
                total_ns: 6000,
                write_errors: 0,
                sys: Some(SysCounts { ctxt: 12, intr: 9 }),
            }],
            streams: vec![Stream {
                write: 4096,
                bytes: 1 << 20,
                ns: 500_000_000,
                writes: 256,
                write_errors: 3,
                sys: None,
            }],
        }
    }

    #[test]
    fn the_table_shows_microseconds_and_rates() {
        let t = table(&results());
        assert!(t.contains("/dev/ttyRPMSG1 (tty, loopback)"), "{t}");
        let row = t
            .lines()
            .find(|l| l.trim_start().starts_with("64"))
            .unwrap();
        let f: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(
            f,
            ["64", "3", "1.0", "2.0", "3.0", "3.0", "500000", "31250.0", "0", "4.00"]
        );
        let row = t.lines().last().unwrap();
        assert!(row.contains("4096") && row.contains("2.000") && row.ends_with(" 3         -"));
    }

    #[test]
    fn json_has_every_figure() {
        let j = json(&results());
        for want in [
            "\"kind\": \"tty\"",
            "\"median_ns\": 2000.0",
            "\"p99_ns\": 3000",
            "\"round_trips_per_s\": 500000.0",
            "\"bytes_per_s\": 2097152.0",
            "\"write_errors\": 3",
            "\"context_switches\": 12, \"interrupts\": 9",
            "\"context_switches\": null",
        ] {
            assert!(j.contains(want), "{want} missing in {j}");
        }
        assert_eq!(json_str("a\"\\\n"), "\"a\\\"\\\\\\u000a\"");
    }
}
