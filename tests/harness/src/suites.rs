// SPDX-License-Identifier: GPL-2.0
//! The system tests run on the booted board. Each returns a short detail on
//! success or the reason it failed; the full console log is kept on disk.

use crate::console::Console;
use crate::machine::Machine;
use crate::mu;
use crate::report::Report;
use std::time::{Duration, Instant};

/// Deadline for Linux to boot to the shell (TCG on a loaded 2-core host).
pub const BOOT_TIMEOUT: Duration = Duration::from_secs(300);
/// Deadline for one ordinary guest command.
pub const CMD_TIMEOUT: Duration = Duration::from_secs(120);

/// The line `mu-echo` prints on the M4's UART once it serves the MU.
pub const MU_ECHO_READY: &str = "mu-echo: ready";

/// Words sent on every MU channel: edge values and a few patterns.
const MU_WORDS: [u32; 8] = [
    0,
    1,
    0xFFFF_FFFF,
    0x8000_0000,
    0x7FFF_FFFF,
    0x1234_5678,
    0xDEAD_BEEF,
    0x00FF_00FF,
];

/// Kernel log lines that mean something went wrong, in any suite: oopses,
/// warnings, panics, stuck interrupts, leaks (kmemleak) and the rpmsg bus's
/// own complaints about a transport.
const KERNEL_TROUBLE: [&str; 11] = [
    "Oops",
    "BUG:",
    "WARNING:",
    "Call trace",
    "Kernel panic",
    "general protection",
    "Unable to handle",
    "nobody cared",
    "unreferenced object",
    "timeout waiting for a tx buffer",
    "inbound msg too big",
];

/// Runs `cmd` on the guest and fails unless it exits 0.
pub fn run_ok(con: &mut Console, cmd: &str) -> Result<String, String> {
    let out = con
        .run(cmd, CMD_TIMEOUT)
        .map_err(|e| format!("`{cmd}`: {e}"))?;
    if out.status != 0 {
        return Err(format!(
            "`{cmd}` exited {}:\n{}",
            out.status,
            out.output.trim_end()
        ));
    }
    Ok(out.output)
}

/// Boot: Linux 7.3 reaches our init.
pub fn boot(m: &mut Machine) -> Result<String, String> {
    let t0 = Instant::now();
    m.console
        .expect("@@READY@@", BOOT_TIMEOUT)
        .map_err(|e| e.to_string())?;
    let log = m.console.transcript();
    let banner = log
        .lines()
        .find(|l| l.contains("Linux version"))
        .ok_or("no 'Linux version' banner on the console")?;
    if !banner.contains("Linux version 7.3") {
        return Err(format!("unexpected kernel: {banner}"));
    }
    let version = banner.split("Linux version ").nth(1).unwrap_or("");
    let version = version.split_whitespace().next().unwrap_or("");
    Ok(format!(
        "Linux {version} booted in {:.1} s",
        t0.elapsed().as_secs_f64()
    ))
}

/// Rust: the kernel has Rust support and runs a Rust module.
pub fn rust_module(con: &mut Console) -> Result<String, String> {
    run_ok(con, "modprobe rust_minimal")?;
    let dmesg = run_ok(con, "dmesg | grep -i 'rust minimal'")?;
    let line = dmesg.lines().next().unwrap_or("").trim();
    run_ok(con, "rmmod rust_minimal")?;
    Ok(format!("rust_minimal loaded: {line}"))
}

/// The M4 firmware runs on the emulated Cortex-M4 and printed its banner.
pub fn m4_running(m: &Machine, banner: &str) -> Result<String, String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = m.m4_output();
        if let Some(line) = out.lines().find(|l| l.contains(banner)) {
            return Ok(format!("M4 UART: {}", line.trim()));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "no '{banner}' on the M4's UART; it printed: {out:?}"
            ));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The M4 printed `banner` (once per boot of its firmware) exactly `n`
/// times on its UART.
pub fn m4_boots(m: &Machine, banner: &str, n: usize) -> Result<String, String> {
    match m.m4_output().matches(banner).count() {
        seen if seen == n => Ok(format!("the M4 booted {seen} time(s)")),
        seen => Err(format!("the M4 booted {seen} time(s), expected {n}")),
    }
}

/// MU loopback on channel `n`: words written on side A by Linux user space
/// come back from the M4 firmware with its documented transform.
pub fn mu_loopback(con: &mut Console, n: u32) -> Result<String, String> {
    let words: Vec<String> = MU_WORDS.iter().map(|w| format!("0x{w:08x}")).collect();
    let out = run_ok(con, &format!("mu-loopback {n} {}", words.join(" ")))?;
    let mut checked = 0;
    for (line, &word) in out.lines().zip(MU_WORDS.iter()) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [ch, sent, got] = fields[..] else {
            return Err(format!("unexpected line {line:?}"));
        };
        let got = parse_hex(got).ok_or_else(|| format!("bad answer {line:?}"))?;
        let want = mu::echo_reply(word, n);
        if ch != n.to_string() || parse_hex(sent) != Some(word) || got != want {
            return Err(format!(
                "channel {n}: sent 0x{word:08x}, want 0x{want:08x}, got {line:?}"
            ));
        }
        checked += 1;
    }
    if checked != MU_WORDS.len() {
        return Err(format!(
            "only {checked} of {} answers:\n{out}",
            MU_WORDS.len()
        ));
    }
    Ok(format!("{checked} words answered by the M4"))
}

/// The kernel log holds no oops, warning or panic.
pub fn kernel_log_clean(con: &mut Console) -> Result<String, String> {
    check_kernel_log(&run_ok(con, "dmesg")?, &[])
}

/// Like [`kernel_log_clean`], but lines holding one of `provoked` (what a
/// test made a remote do on purpose, checked by that test) are not trouble.
pub fn kernel_log_clean_but(con: &mut Console, provoked: &[&str]) -> Result<String, String> {
    let log = run_ok(con, "dmesg")?;
    let rest: Vec<&str> = log
        .lines()
        .filter(|l| !provoked.iter().any(|p| l.contains(p)))
        .collect();
    check_kernel_log(&rest.join("\n"), &[])
}

/// Fails with the offending lines if `log` holds any [`KERNEL_TROUBLE`] or
/// one of the suite's own `extra` markers.
pub fn check_kernel_log(log: &str, extra: &[&str]) -> Result<String, String> {
    let bad: Vec<&str> = log
        .lines()
        .filter(|l| KERNEL_TROUBLE.iter().chain(extra).any(|t| l.contains(t)))
        .collect();
    if bad.is_empty() {
        Ok(String::new())
    } else {
        Err(format!("kernel log has trouble:\n{}", bad.join("\n")))
    }
}

/// `out` without empty lines and shell prompts.
pub fn clean(out: &str) -> String {
    out.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("/ #"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The last line of `out` that is not empty or a prompt (a kernel message
/// may come before a single-value command's answer on the console).
pub fn last_line(out: &str) -> &str {
    out.lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty() && !l.starts_with("/ #"))
        .unwrap_or("")
}

/// Guest waits checked against the host clock: each command, its nominal
/// length in seconds. A wait that returns at once (the 32-bit-time system
/// calls missing from the kernel) or a guest clock running fast or slow shows
/// up on one side or the other.
const GUEST_WAITS: [(&str, f64); 2] = [("sleep 3", 3.0), ("usleep 2000000", 2.0)];

/// Guest time is real: `sleep` and `usleep` take their time by the guest's
/// own clock (`/proc/uptime`) and by the host's, within a generous
/// 0.5x-3x for a loaded host.
pub fn guest_time(con: &mut Console) -> Result<String, String> {
    let mut details = Vec::new();
    for (cmd, want) in GUEST_WAITS {
        let t0 = Instant::now();
        let out = run_ok(
            con,
            &format!(
                "a=$(cut -d' ' -f1 /proc/uptime); {cmd}; \
                 b=$(cut -d' ' -f1 /proc/uptime); echo \"uptime $a $b\""
            ),
        )?;
        let host = t0.elapsed().as_secs_f64();
        let guest = parse_uptimes(last_line(&out))
            .ok_or_else(|| format!("`{cmd}`: no uptimes in {out:?}"))?;
        details.push(check_wait(cmd, want, guest, host)?);
    }
    Ok(details.join("; "))
}

/// The guest seconds between the two uptimes of an `uptime A B` line.
fn parse_uptimes(line: &str) -> Option<f64> {
    let mut fields = line.strip_prefix("uptime ")?.split_whitespace();
    let a: f64 = fields.next()?.parse().ok()?;
    let b: f64 = fields.next()?.parse().ok()?;
    Some(b - a)
}

/// Accepts a wait of nominally `want` seconds that took `guest` seconds of
/// guest time and `host` seconds of host time when both are 0.5x-3x `want`.
fn check_wait(cmd: &str, want: f64, guest: f64, host: f64) -> Result<String, String> {
    let detail = format!("`{cmd}`: {guest:.2} s guest, {host:.2} s host");
    let ok = |t: f64| (0.5 * want..=3.0 * want).contains(&t);
    if ok(guest) && ok(host) {
        Ok(detail)
    } else {
        Err(format!(
            "{detail}; want {:.1}-{:.1} s on both clocks",
            0.5 * want,
            3.0 * want
        ))
    }
}

/// Powers the board off through SNVS and waits for QEMU to exit.
pub fn power_off(m: &mut Machine) -> Result<String, String> {
    m.console.send("poweroff -f\n").map_err(|e| e.to_string())?;
    m.console
        .expect_closed(Duration::from_secs(60))
        .map_err(|e| e.to_string())?;
    match m.wait() {
        Ok(true) => Ok("QEMU exited cleanly".into()),
        Ok(false) => Err("QEMU exited with an error status".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// The board suite: boot, Rust, M4 firmware, MU loopback on every channel,
/// guest time against the host clock.
pub fn board(m: &mut Machine, report: &mut Report, m4_banner: &str) {
    let booted = boot(m);
    let ok = booted.is_ok();
    report.record("board::boot_linux_7_3", booted);
    if !ok {
        return;
    }
    report.record("board::rust_module_runs", rust_module(&mut m.console));
    report.record("board::m4_firmware_running", m4_running(m, m4_banner));
    for n in 0..mu::CHANNELS {
        report.record(
            &format!("board::mu_loopback_channel_{n}"),
            mu_loopback(&mut m.console, n),
        );
    }
    report.record("board::guest_time_real", guest_time(&mut m.console));
    report.record("board::kernel_log_clean", kernel_log_clean(&mut m.console));
}

fn parse_hex(s: &str) -> Option<u32> {
    u32::from_str_radix(
        s.trim().trim_start_matches("0x").trim_start_matches("0X"),
        16,
    )
    .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_log_check_names_the_bad_lines() {
        let log = "[ 1.0] ok\n[ 2.0] WARNING: CPU: 0 at x\n[ 3.0] imx-mu-test: FAIL words\n";
        let err = check_kernel_log(log, &[]).unwrap_err();
        assert!(err.contains("WARNING: CPU") && !err.contains("imx-mu-test"));
        let err = check_kernel_log(log, &["imx-mu-test: FAIL"]).unwrap_err();
        assert!(err.contains("imx-mu-test: FAIL words"));
        assert_eq!(check_kernel_log("[ 1.0] fine\n", &[]), Ok(String::new()));
    }

    #[test]
    fn guest_waits_are_checked_on_both_clocks() {
        assert_eq!(parse_uptimes("uptime 12.34 15.40"), Some(15.40 - 12.34));
        assert_eq!(parse_uptimes("uptime 12.34"), None);
        assert_eq!(parse_uptimes("12.34 15.40"), None);
        assert!(check_wait("sleep 3", 3.0, 3.01, 3.4).is_ok());
        // The symptom of issue 15: the wait returns at once on both clocks.
        let err = check_wait("sleep 3", 3.0, 0.03, 0.1).unwrap_err();
        assert!(err.contains("0.03 s guest") && err.contains("1.5-9.0 s"));
        assert!(check_wait("sleep 3", 3.0, 3.0, 10.0).is_err());
        assert!(check_wait("usleep 2000000", 2.0, 0.9, 2.0).is_err());
    }

    #[test]
    fn prompts_and_blank_lines_are_not_output() {
        assert_eq!(clean("/ # \nfirst\n\n  second\n/ # "), "first\n  second");
        assert_eq!(last_line("a\nb\n/ # \n"), "b");
        assert_eq!(last_line(""), "");
    }
}
