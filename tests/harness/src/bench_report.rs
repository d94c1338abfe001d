// SPDX-License-Identifier: GPL-2.0
//! The firmware benchmark's report: our figures next to the reference
//! figures of issue 14 (measured on the same emulated board with NXP's
//! rpmsg-lite v5.4.0, and our firmware before the leanness work), with
//! the ratios, as a table and as JSON.

use crate::bench_firmware::Measured;
use std::fmt::Write;

/// Code sizes measured on the host (scripts/bench-firmware.sh).
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// `.text` of the RPMsg core, whole remote API.
    pub core_whole: u64,
    /// `.text` of the RPMsg core, the echo subset.
    pub core_echo: u64,
    /// `.text` of the whole rpmsg-echo image.
    pub image: u64,
}

/// A reference figure: what, value, where it comes from.
pub struct Reference {
    /// Key in the JSON output.
    pub key: &'static str,
    /// rpmsg-lite's figure (clang-19 -Os where two are given).
    pub rpmsg_lite: f64,
    /// rpmsg-lite built with gcc 12 -Os, where known.
    pub rpmsg_lite_gcc: Option<f64>,
    /// Our firmware before this work (issue 14).
    pub before: f64,
}

/// The reference figures of issue 14 (Documentation/firmware.md says
/// where they come from).
pub const REFERENCES: [Reference; 4] = [
    Reference {
        key: "raw_64_round_trip",
        rpmsg_lite: 560.0,
        rpmsg_lite_gcc: None,
        before: 3180.0,
    },
    Reference {
        key: "idle_per_second",
        rpmsg_lite: 0.0,
        rpmsg_lite_gcc: None,
        before: 10400.0,
    },
    Reference {
        key: "core_text_whole_api",
        rpmsg_lite: 2274.0,
        rpmsg_lite_gcc: Some(1926.0),
        before: 3538.0,
    },
    Reference {
        key: "core_text_echo_subset",
        rpmsg_lite: 1936.0,
        rpmsg_lite_gcc: Some(1648.0),
        before: 2352.0,
    },
];

fn ratio(ours: f64, theirs: f64) -> String {
    if theirs == 0.0 {
        if ours == 0.0 {
            "=".into()
        } else {
            "n/a".into()
        }
    } else {
        format!("{:.2}x", ours / theirs)
    }
}

/// Our value for each reference, in [`REFERENCES`] order.
fn ours(m: &Measured, s: &Sizes) -> [f64; 4] {
    let raw64 = m
        .round_trips
        .iter()
        .find(|r| r.channel == "rpmsg-tty" && r.size == 64)
        .map_or(0.0, |r| r.median());
    [
        raw64,
        m.idle_per_second,
        s.core_whole as f64,
        s.core_echo as f64,
    ]
}

/// The table printed by `make bench-firmware`.
pub fn table(m: &Measured, s: &Sizes, count: u32, runs: usize, stamp: &str) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "M4 firmware benchmark ({stamp})");
    let _ = writeln!(
        t,
        "M4 instructions per echo round trip (median of {runs} runs of {count}):"
    );
    let _ = writeln!(
        t,
        "  {:<28} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "channel \\ payload bytes", 1, 16, 64, 256, 496
    );
    for (channel, _) in crate::bench_firmware::CHANNELS {
        let _ = write!(t, "  {channel:<28}");
        for r in m.round_trips.iter().filter(|r| r.channel == channel) {
            let _ = write!(t, " {:>7.0}", r.median());
        }
        let _ = writeln!(t);
    }
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "  {:<34} {:>9} {:>15} {:>9} {:>13} {:>13}",
        "figure", "ours", "rpmsg-lite", "before", "vs rpmsg-lite", "vs before"
    );
    let names = [
        "raw 64-byte round trip (insns)",
        "idle (insns per second)",
        "core .text, whole API (bytes)",
        "core .text, echo subset (bytes)",
    ];
    for ((r, name), v) in REFERENCES.iter().zip(names).zip(ours(m, s)) {
        let lite = match r.rpmsg_lite_gcc {
            Some(g) => format!("{:.0} / {g:.0} gcc", r.rpmsg_lite),
            None => format!("{:.0}", r.rpmsg_lite),
        };
        let _ = writeln!(
            t,
            "  {name:<34} {v:>9.0} {lite:>15} {:>9.0} {:>13} {:>13}",
            r.before,
            ratio(v, r.rpmsg_lite),
            ratio(v, r.before)
        );
    }
    let _ = writeln!(
        t,
        "  {:<34} {:>9}",
        "rpmsg-echo image .text (bytes)", s.image
    );
    let _ = writeln!(t);
    let _ = writeln!(
        t,
        "Profile, {} (M4 instructions per round trip):",
        m.profile_workload
    );
    let total: f64 = m.profile.iter().map(|(_, n)| n).sum();
    for (name, n) in m.profile.iter().take(20) {
        let _ = writeln!(t, "  {n:>8.1} {:>5.1}%  {name}", 100.0 * n / total.max(1.0));
    }
    let _ = writeln!(t, "  {total:>8.1} total");
    t
}

/// `s` as a JSON string literal.
fn json_str(s: &str) -> String {
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

/// The machine-readable results.
pub fn json(m: &Measured, s: &Sizes, count: u32, runs: usize, stamp: &str) -> String {
    let mut j = String::from("{\n");
    let _ = writeln!(j, "  \"stamp\": {},", json_str(stamp));
    let _ = writeln!(
        j,
        "  \"round_trips_per_run\": {count},\n  \"runs\": {runs},"
    );
    j.push_str("  \"round_trip_instructions\": [\n");
    let rows: Vec<String> = m
        .round_trips
        .iter()
        .map(|r| {
            let runs: Vec<String> = r.runs.iter().map(|v| format!("{v:.1}")).collect();
            format!(
                "    {{\"channel\": {}, \"payload\": {}, \"median\": {:.1}, \"runs\": [{}]}}",
                json_str(r.channel),
                r.size,
                r.median(),
                runs.join(", ")
            )
        })
        .collect();
    j.push_str(&rows.join(",\n"));
    j.push_str("\n  ],\n");
    let _ = writeln!(
        j,
        "  \"idle_instructions_per_second\": {:.1},",
        m.idle_per_second
    );
    let _ = writeln!(
        j,
        "  \"text_bytes\": {{\"core_whole_api\": {}, \"core_echo_subset\": {}, \"image\": {}}},",
        s.core_whole, s.core_echo, s.image
    );
    j.push_str("  \"references\": [\n");
    let refs: Vec<String> = REFERENCES
        .iter()
        .zip(ours(m, s))
        .map(|(r, v)| {
            format!(
                "    {{\"key\": {}, \"ours\": {v:.1}, \"rpmsg_lite\": {}, \"rpmsg_lite_gcc\": {}, \"before\": {}}}",
                json_str(r.key),
                r.rpmsg_lite,
                r.rpmsg_lite_gcc.map_or("null".into(), |g| g.to_string()),
                r.before
            )
        })
        .collect();
    j.push_str(&refs.join(",\n"));
    j.push_str("\n  ],\n");
    let _ = writeln!(
        j,
        "  \"profile_workload\": {},",
        json_str(&m.profile_workload)
    );
    j.push_str("  \"profile\": [\n");
    let prof: Vec<String> = m
        .profile
        .iter()
        .map(|(n, v)| {
            format!(
                "    {{\"function\": {}, \"per_round_trip\": {v:.2}}}",
                json_str(n)
            )
        })
        .collect();
    j.push_str(&prof.join(",\n"));
    j.push_str("\n  ]\n}\n");
    j
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_strings_are_escaped() {
        assert_eq!(json_str("a\"b\\c\n"), "\"a\\\"b\\\\c\\u000a\"");
        assert_eq!(ratio(0.0, 0.0), "=");
        assert_eq!(ratio(280.0, 560.0), "0.50x");
    }
}
