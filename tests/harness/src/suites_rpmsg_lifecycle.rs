// SPDX-License-Identifier: GPL-2.0
//! Receive path and lifecycle under a hostile user and a stopped remote
//! (issue 10), on the RPMsg boards of `suites_rpmsg`:
//!
//! * a writer floods the echo channel's tty and nobody reads it: the
//!   loopback channel still answers 1,000 messages byte-exact and
//!   `rpmsg_char` still works; then the transport, tty and MU drivers
//!   unload, the blocked writer getting an error;
//! * a process holds the echo tty open across a transport reload: the new
//!   channel gets its own tty, never the dead one;
//! * a tty stream and an `rpmsg_char` stream share one vdev;
//! * `poweroff -f` with a flood writer blocked (a separate boot);
//! * with the `rpmsg-hostile` firmware: the remote stops mid-stream; the
//!   kernel reports it once, `SIGTERM` ends the blocked writer, and every
//!   module unloads (its own boot).

use crate::cli::{Options, RUST_MODULES_GUEST_DIR as GUEST_DIR};
use crate::console::Console;
use crate::machine::Machine;
use crate::report::Report;
use crate::suites;
use crate::suites_rpmsg_ctrl::TOOL_GUEST_PATH;
use std::time::{Duration, Instant};

/// Option naming the hostile-remote test firmware ELF.
pub const HOSTILE_OPTION: &str = "hostile-firmware";
/// What the hostile firmware prints on its UART when it starts.
pub const HOSTILE_READY: &str = "rpmsg-hostile: waiting for the link";
/// The hostile firmware's control address (rpmsg-hostile's README).
const HOSTILE_CTL_ADDR: u32 = 40;
/// The channels of the echo firmware.
const DEMO: &str = "rpmsg-openamp-demo-channel";
const RAW: &str = "rpmsg-tty";
/// Host-side deadline for an unload or a check that must finish promptly
/// whatever user space does.
const BOUND: Duration = Duration::from_secs(120);
/// Host-side deadline for the long checks (1,000 messages take about a
/// minute on a loaded 2-core host; a stalled channel fails here).
const LONG: Duration = Duration::from_secs(600);
/// Bound of the shared-vdev test's slow-down (see `shared_vdev_streams`).
const SHARED_VDEV_MAX_RATIO: f64 = 5.0;
/// The kernel's report of a remote that takes nothing (rust/rpmsg/endpoint.rs).
const STALL_LINE: &str = "the remote has taken no message for";

/// Runs `cmd` in a subshell (its `exit` ends only the subshell) within
/// `deadline` (host time); fails on a non-zero exit or a missed deadline and
/// returns the last line.
pub(crate) fn within(con: &mut Console, cmd: &str, deadline: Duration) -> Result<String, String> {
    let t = Instant::now();
    let out = con
        .run(&format!("( {cmd} )"), deadline)
        .map_err(|e| format!("`{cmd}` did not finish within {deadline:?}: {e}"))?;
    let text = suites::clean(&out.output);
    if out.status != 0 {
        return Err(format!("`{cmd}` exited {}:\n{text}", out.status));
    }
    Ok(format!(
        "{} ({:.1} s)",
        suites::last_line(&text),
        t.elapsed().as_secs_f64()
    ))
}

/// The echo tty flooded by a writer nobody reads; the loopback channel and
/// `rpmsg_char` keep working; then every module unloads.
pub fn flood(con: &mut Console, report: &mut Report, suite: &str) {
    let started = within(
        con,
        &format!("rpmsg-flood-start $(rpmsg-tty-of {DEMO})"),
        BOUND,
    );
    let ok = started.is_ok();
    report.record(
        &format!("{suite}::flood_writer_blocked_nobody_reading"),
        started,
    );
    if !ok {
        return;
    }
    report.record(
        &format!("{suite}::flood_loopback_1000_exact"),
        within(
            con,
            &format!("rpmsg-echo-check $(rpmsg-tty-of {RAW}) 1000 496 21 loopback"),
            LONG,
        ),
    );
    report.record(
        &format!("{suite}::flood_rpmsg_char_works"),
        within(con, &format!("rpmsg-char-check {RAW}"), BOUND),
    );
    report.record(
        &format!("{suite}::flood_ctrl_endpoint_works"),
        within(
            con,
            &format!("{TOOL_GUEST_PATH} /dev/rpmsg_ctrl0 flood-probe 0xffffffff 31 ping"),
            BOUND,
        ),
    );
    report.record(
        &format!("{suite}::flood_still_blocked"),
        within(
            con,
            "kill -0 $(cat /tmp/flood.pid) && [ ! -e /tmp/flood.status ] && echo writer still blocked",
            BOUND,
        ),
    );
    let unloaded = within(con, "rpmsg-unload-all", BOUND);
    let ok = unloaded.is_ok();
    report.record(
        &format!("{suite}::unload_all_with_blocked_writer"),
        unloaded,
    );
    if ok {
        report.record(&format!("{suite}::no_leaks_kmemleak"), no_leaks(con));
    }
}

/// A 1 MiB tty stream alone, then again while an `rpmsg_char` endpoint
/// streams 1 MiB through the same loopback: both complete byte-exact. The
/// ratio of the tty's host times is reported (about 1.7 on an otherwise
/// idle 2-core host: the M4 serves both streams) and must stay below
/// [`SHARED_VDEV_MAX_RATIO`]: lost transmit wake-ups (senders falling back
/// to one look per second) make it tens of times slower, while a host
/// loaded by other jobs was seen at 3.3.
pub fn shared_vdev_streams(con: &mut Console) -> Result<String, String> {
    const MIB: u32 = 1 << 20;
    let tty_stream = format!("rpmsg-stream-check $(rpmsg-tty-of {RAW}) {MIB}");
    let t = Instant::now();
    within(con, &tty_stream, LONG)?;
    let alone = t.elapsed();
    let t = Instant::now();
    let both = within(
        con,
        &format!(
            "({TOOL_GUEST_PATH} --stream {MIB} /dev/rpmsg_ctrl0 char-stream 0xffffffff 31              >/tmp/char-stream.out 2>&1; echo \"exit $?\" >>/tmp/char-stream.out) &              c=$!; {tty_stream} && wait $c && cat /tmp/char-stream.out &&              grep -q 'exit 0' /tmp/char-stream.out"
        ),
        LONG,
    )?;
    let shared = t.elapsed();
    let ratio = shared.as_secs_f64() / alone.as_secs_f64().max(0.001);
    let detail = format!(
        "tty 1 MiB alone {:.1} s, beside an rpmsg_char 1 MiB stream {:.1} s (x{ratio:.2}); {both}",
        alone.as_secs_f64(),
        shared.as_secs_f64()
    );
    if ratio > SHARED_VDEV_MAX_RATIO {
        return Err(format!(
            "the tty stream slowed more than {SHARED_VDEV_MAX_RATIO}x: {detail}"
        ));
    }
    Ok(detail)
}

/// A process holds the echo tty across a transport reload.
pub fn stale_tty(con: &mut Console) -> Result<String, String> {
    within(
        con,
        &format!("rpmsg-stale-tty-check {GUEST_DIR}/imx_rpmsg_rs.ko"),
        LONG,
    )
}

/// Starts a flood nobody reads, kills its writer and checks that the tty
/// echoes again for the next user; floods it again and powers off (host
/// deadline inside).
pub fn power_off_flooded(m: &mut Machine, report: &mut Report, suite: &str) {
    let flood = format!("rpmsg-flood-start $(rpmsg-tty-of {DEMO})");
    let started = within(&mut m.console, &flood, BOUND);
    report.record(
        &format!("{suite}::flood_writer_blocked_nobody_reading"),
        started,
    );
    report.record(
        &format!("{suite}::tty_echoes_again_after_the_flood_writer_dies"),
        within(
            &mut m.console,
            &format!(
                "kill -KILL $(cat /tmp/flood.pid); i=0; while [ ! -e /tmp/flood.status ]; do \
                 i=$((i+1)); [ $i -ge 1000 ] && {{ echo 'FAIL: writer still there'; exit 1; }}; \
                 usleep 10000; done; rpmsg-echo-check $(rpmsg-tty-of {DEMO}) 5 488 31"
            ),
            BOUND,
        ),
    );
    let started = within(&mut m.console, &flood, BOUND);
    report.record(&format!("{suite}::flood_again_before_power_off"), started);
    report.record(
        &format!("{suite}::power_off_with_blocked_writer"),
        suites::power_off(m),
    );
}

/// The remote stops mid-stream: a writer streams into the loopback tty
/// (a reader drains it), the firmware is told to stall, the kernel says
/// so, SIGTERM ends the blocked writer, and the modules unload.
pub fn stalled_remote(con: &mut Console, report: &mut Report, suite: &str) {
    let streaming = within(
        con,
        &format!(
            "t=$(rpmsg-tty-of {RAW}) && stty -F $t raw -echo && \
             (cat $t >/dev/null &) && \
             (head -c 8000000 /dev/zero >$t & echo $! >/tmp/writer.pid) && \
             usleep 200000 && echo streaming"
        ),
        BOUND,
    );
    let ok = streaming.is_ok();
    report.record(&format!("{suite}::stream_running"), streaming);
    if !ok {
        return;
    }
    report.record(
        &format!("{suite}::remote_told_to_stall"),
        within(
            con,
            &format!(
                "{TOOL_GUEST_PATH} /dev/rpmsg_ctrl0 hostile-ctl 0xffffffff {HOSTILE_CTL_ADDR} stall \
                 | grep 'reply: ok stall'"
            ),
            BOUND,
        ),
    );
    report.record(
        &format!("{suite}::stall_reported_once"),
        within(
            con,
            &format!(
                "i=0; until dmesg | grep -q '{STALL_LINE}'; do i=$((i+1)); \
                 [ $i -ge 3000 ] && {{ echo 'FAIL: no report'; exit 1; }}; usleep 10000; done; \
                 n=$(dmesg | grep -c '{STALL_LINE}'); [ $n = 1 ] || {{ echo \"FAIL: $n reports\"; exit 1; }}; \
                 dmesg | grep '{STALL_LINE}' | sed 's/^\\[[^]]*\\] //'"
            ),
            BOUND,
        ),
    );
    report.record(
        &format!("{suite}::sigterm_ends_blocked_writer"),
        within(
            con,
            "p=$(cat /tmp/writer.pid); kill -0 $p || { echo 'FAIL: writer not running'; exit 1; }; \
             kill -TERM $p; i=0; while kill -0 $p 2>/dev/null; do i=$((i+1)); \
             [ $i -ge 1000 ] && { echo 'FAIL: writer still there'; exit 1; }; usleep 10000; done; \
             echo writer ended",
            BOUND,
        ),
    );
    report.record(
        &format!("{suite}::unload_with_stalled_remote"),
        within(
            con,
            "rmmod imx_rpmsg_rs && killall cat; rpmsg-unload rpmsg_tty_rs && rmmod imx_mu_rs && \
             echo all unloaded",
            BOUND,
        ),
    );
}

/// No leaked object after everything was unloaded: kmemleak (switched on
/// for the RPMsg boards; writing `scan` fails when it is off) scans twice
/// once the last objects are 6 s old (guest uptime) and reports nothing.
pub fn no_leaks(con: &mut Console) -> Result<String, String> {
    within(
        con,
        "t=$(cut -d. -f1 /proc/uptime); \
         while [ \"$(cut -d. -f1 /proc/uptime)\" -lt $((t + 6)) ]; do usleep 100000; done; \
         echo scan >/sys/kernel/debug/kmemleak && echo scan >/sys/kernel/debug/kmemleak || \
         { echo 'FAIL: kmemleak is not running'; exit 1; }; \
         n=$(grep -c unreferenced /sys/kernel/debug/kmemleak); \
         [ \"$n\" = 0 ] || { head -40 /sys/kernel/debug/kmemleak; echo \"FAIL: $n leaks\"; exit 1; }; \
         echo 'kmemleak: no unreferenced objects'",
        LONG,
    )
}

/// The boot with the hostile firmware: a remote that corrupts its used
/// ring (`suites_rpmsg_faults`), then one that stops mid-stream.
pub fn run_hostile(opts: &Options, report: &mut Report) -> Result<(), String> {
    let cfg = crate::suites_rpmsg::board_config_with(opts, "rpmsg-hostile", None, HOSTILE_OPTION)?;
    let mut m = Machine::start(&cfg, "rpmsg-hostile").map_err(|e| e.to_string())?;
    if crate::suites_rpmsg::bring_up(&mut m, report, "rpmsg_hostile", Some(HOSTILE_READY)) {
        let con = &mut m.console;
        let raw = within(con, &format!("rpmsg-tty-of {RAW}"), BOUND);
        let ok = raw.is_ok();
        report.record("rpmsg_hostile::channel_gets_tty", raw);
        if ok {
            crate::suites_rpmsg_faults::used_ring_faults(con, report, "rpmsg_hostile");
            crate::suites_rpmsg_faults::ring_garbage(con, report, "rpmsg_hostile");
            crate::suites_rpmsg_faults::name_service_faults(con, report, "rpmsg_hostile");
            crate::suites_rpmsg_faults::kick_storm(con, report, "rpmsg_hostile");
            stalled_remote(con, report, "rpmsg_hostile");
            report.record("rpmsg_hostile::no_leaks_kmemleak", no_leaks(con));
        }
        report.record(
            "rpmsg_hostile::kernel_log_clean",
            suites::kernel_log_clean_but(con, &crate::suites_rpmsg_faults::PROVOKED),
        );
    }
    report.record("rpmsg_hostile::power_off", suites::power_off(&mut m));
    Ok(())
}

/// The hostile firmware against the kernel built without our kernel
/// patches: the transport alone keeps the reader safe
/// (`suites_rpmsg_faults::stock_kernel_faults`).
pub fn run_hostile_stock(opts: &Options, report: &mut Report) -> Result<(), String> {
    let cfg = crate::suites_rpmsg::board_config_stock(opts, "rpmsg-hostile-stock", HOSTILE_OPTION)?;
    let mut m = Machine::start(&cfg, "rpmsg-hostile-stock").map_err(|e| e.to_string())?;
    let suite = "rpmsg_hostile_stock";
    if crate::suites_rpmsg::bring_up(&mut m, report, suite, Some(HOSTILE_READY)) {
        let con = &mut m.console;
        let raw = within(con, &format!("rpmsg-tty-of {RAW}"), BOUND);
        let ok = raw.is_ok();
        report.record(&format!("{suite}::channel_gets_tty"), raw);
        if ok {
            crate::suites_rpmsg_faults::stock_kernel_faults(con, report, suite);
            report.record(&format!("{suite}::no_leaks_kmemleak"), no_leaks(con));
        }
        report.record(
            &format!("{suite}::kernel_log_clean"),
            suites::kernel_log_clean_but(con, &crate::suites_rpmsg_faults::PROVOKED_STOCK),
        );
    }
    report.record(&format!("{suite}::power_off"), suites::power_off(&mut m));
    Ok(())
}
