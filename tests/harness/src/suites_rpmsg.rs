// SPDX-License-Identifier: GPL-2.0
//! The RPMsg suite: our transport (`imx_rpmsg_rs.ko`) and tty
//! (`rpmsg_tty_rs.ko`) on top of our MU driver (`imx_mu_rs.ko`), against
//! the `rpmsg-echo` M4 firmware. Three boots:
//!
//! 1. the error-test tree (`imx7s-warp-qemu-rpmsgtest.dtb`: the board's
//!    node plus broken ones): KUnit, one message per broken node, both
//!    channels' ttys, `hello` echo, 1,000 random-size echoes, a 1 MiB
//!    loopback stream, `rpmsg_char`/`rpmsg_ctrl`, an endpoint made with
//!    `RPMSG_CREATE_EPT_IOCTL` (the `rpmsg-ept` guest tool), hang-up on unload,
//!    50 unload/load cycles, a clean kernel log;
//! 2. the pool tree (`imx7s-warp-qemu-rpmsgpool.dtb`: vrings and buffers
//!    from named reserved memory): echo and stream again;
//! 3. the board tree without M4 firmware: the driver loads and waits;
//! 4. the `rpmsg-hostile` firmware: a remote that stops mid-stream.
//!
//! The first two also run the lifecycle tests of `suites_rpmsg_lifecycle`
//! (a flood nobody reads, a tty held across a reload, power-off with a
//! blocked writer).
//!
//! Our modules come from `--rust-modules DIR` (scripts/modules.sh), the
//! firmware from `--rpmsg-firmware ELF` (scripts/firmware.sh rpmsg-echo),
//! the `rpmsg-ept` tool from `--guest-tools DIR` (scripts/guest-tools.sh);
//! the test trees sit next to `--dtb` (scripts/dtbs.sh).

use crate::cli::{BoardVariant, Options, RUST_MODULES_GUEST_DIR as GUEST_DIR};
use crate::console::Console;
use crate::machine::{BoardConfig, Machine};
use crate::report::Report;
use crate::suites;
use crate::suites_rpmsg_ctrl::{self, GUEST_TOOLS_OPTION, TOOL, TOOL_GUEST_PATH};
use crate::suites_rpmsg_lifecycle as lifecycle;
use std::time::Duration;

/// Option naming the RPMsg echo firmware ELF.
pub const FIRMWARE_OPTION: &str = "rpmsg-firmware";
/// What the echo firmware prints on its UART when it starts.
pub const RPMSG_ECHO_READY: &str = "rpmsg-echo: waiting for the link";
/// The error-test tree.
pub const TEST_DTB: &str = "imx7s-warp-qemu-rpmsgtest.dtb";
/// The reserved-memory pool tree.
pub const POOL_DTB: &str = "imx7s-warp-qemu-rpmsgpool.dtb";
/// Our modules, in load order, and where they go in the guest.
const MODULES: [&str; 3] = ["imx_mu_rs.ko", "imx_rpmsg_rs.ko", "rpmsg_tty_rs.ko"];
/// The channels the firmware announces.
const DEMO: &str = "rpmsg-openamp-demo-channel";
const RAW: &str = "rpmsg-tty";
/// Deadline for one long guest command. The guest scripts never wait on a
/// clock; this only bounds a hung machine.
const LONG: Duration = Duration::from_secs(1800);
/// The broken nodes of the test tree and the message each must log.
const BAD_NODES: [(&str, &str); 5] = [
    ("rpmsg-test-no-memory", "no shared memory for the vrings"),
    ("8ffe0000.rpmsg-test-small", "too small for 1 vdev(s)"),
    ("8ffd0000.rpmsg-test-vdevs", "too small for 2 vdev(s)"),
    ("8fe00000.rpmsg-test-too-many", "'vdev-nums' is 17"),
    ("8ffc0000.rpmsg-test-no-mboxes", "no MU channels"),
];

/// Builds a board from the harness options: `dtb` next to `--dtb`, with or
/// without the echo firmware.
pub fn board_config(
    opts: &Options,
    name: &str,
    dtb: &str,
    firmware: bool,
) -> Result<BoardConfig, String> {
    board_variant(
        opts,
        name,
        Some(dtb),
        firmware.then_some(FIRMWARE_OPTION),
        false,
    )
}

/// Builds a board running the firmware of option `firmware` on the tree
/// `dtb` next to `--dtb` (default: `--dtb` itself).
pub fn board_config_with(
    opts: &Options,
    name: &str,
    dtb: Option<&str>,
    firmware: &str,
) -> Result<BoardConfig, String> {
    board_variant(opts, name, dtb, Some(firmware), false)
}

/// Like [`board_config_with`] on `--dtb`, booting the kernel built without
/// our kernel patches (`--stock-kernel`) and our modules built for it.
pub fn board_config_stock(
    opts: &Options,
    name: &str,
    firmware: &str,
) -> Result<BoardConfig, String> {
    board_variant(opts, name, None, Some(firmware), true)
}

fn board_variant(
    opts: &Options,
    name: &str,
    dtb: Option<&str>,
    firmware: Option<&str>,
    stock_kernel: bool,
) -> Result<BoardConfig, String> {
    let tool = opts.sibling(GUEST_TOOLS_OPTION, TOOL, "scripts/guest-tools.sh")?;
    opts.board_variant(&BoardVariant {
        name,
        dtb,
        firmware,
        rust_modules: &MODULES,
        bins: vec![(TOOL_GUEST_PATH.trim_start_matches('/').to_string(), tool)],
        // KUnit must be enabled and run suites at module load (the kernel
        // config has KUNIT_DEFAULT_ENABLED and KUNIT_AUTORUN_ENABLED off);
        // kmemleak watches the lifecycle tests.
        extra_append: "kmemleak=on kunit.enable=1 kunit.autorun=1",
        stock_kernel,
    })
}

/// Runs the three boots of the suite.
pub fn run(opts: &Options, report: &mut Report) -> Result<(), String> {
    let cfg = board_config(opts, "rpmsg", TEST_DTB, true)?;
    let mut m = Machine::start(&cfg, "rpmsg").map_err(|e| e.to_string())?;
    main_board(&mut m, report);
    report.record("rpmsg::power_off", suites::power_off(&mut m));

    let cfg = board_config(opts, "rpmsg-pool", POOL_DTB, true)?;
    let mut m = Machine::start(&cfg, "rpmsg-pool").map_err(|e| e.to_string())?;
    if pool_board(&mut m, report) {
        lifecycle::power_off_flooded(&mut m, report, "rpmsg_pool");
    } else {
        report.record("rpmsg_pool::power_off", suites::power_off(&mut m));
    }

    let dtb = opts
        .path("dtb")?
        .file_name()
        .ok_or("--dtb names no file")?
        .to_string_lossy()
        .into_owned();
    let cfg = board_config(opts, "rpmsg-no-remote", &dtb, false)?;
    let mut m = Machine::start(&cfg, "rpmsg-no-remote").map_err(|e| e.to_string())?;
    no_remote_board(&mut m, report);
    report.record("rpmsg_no_remote::power_off", suites::power_off(&mut m));

    lifecycle::run_hostile(opts, report)?;
    lifecycle::run_hostile_stock(opts, report)?;
    crate::suites_rpmsg_lite::run(opts, report)?;
    crate::suites_remoteproc::run(opts, report)
}

/// Boots, checks the firmware, quiets the console and loads our modules.
/// Returns whether the tests can go on.
pub fn bring_up(m: &mut Machine, report: &mut Report, suite: &str, banner: Option<&str>) -> bool {
    let booted = suites::boot(m);
    let ok = booted.is_ok();
    report.record(&format!("{suite}::boot"), booted);
    if !ok {
        return false;
    }
    if let Some(banner) = banner {
        report.record(
            &format!("{suite}::m4_firmware_running"),
            suites::m4_running(m, banner),
        );
    }
    // Kernel messages below error level stay off the console, where they
    // would interleave with command output; tests read dmesg.
    let loaded = suites::run_ok(&mut m.console, "dmesg -n 4").and_then(|_| load(&mut m.console));
    let ok = loaded.is_ok();
    report.record(&format!("{suite}::load_modules"), loaded);
    ok
}

/// The main suite on the error-test tree.
pub fn main_board(m: &mut Machine, report: &mut Report) {
    if !bring_up(m, report, "rpmsg", Some(RPMSG_ECHO_READY)) {
        return;
    }
    let con = &mut m.console;
    report.record("rpmsg::kunit_transport", kunit(con, "imx_rpmsg_rs"));
    report.record("rpmsg::kunit_tty", kunit(con, "rpmsg_tty_rs"));
    report.record("rpmsg::bad_nodes_fail_with_one_message", bad_nodes(con));
    let ttys = channels(con);
    let ok = ttys.is_ok();
    report.record("rpmsg::channels_get_ttys", ttys);
    if !ok {
        return;
    }
    report.record("rpmsg::echo_hello", echo_hello(con));
    report.record(
        "rpmsg::echo_1000_random_sizes",
        guest_script(
            con,
            &format!("rpmsg-echo-check $(rpmsg-tty-of {DEMO}) 1000 488 7"),
        ),
    );
    report.record(
        "rpmsg::loopback_1mib_stream",
        guest_script(
            con,
            &format!("rpmsg-stream-check $(rpmsg-tty-of {RAW}) 1048576"),
        ),
    );
    report.record(
        "rpmsg::rpmsg_char_and_ctrl",
        guest_script(con, &format!("rpmsg-char-check {RAW}")),
    );
    report.record(
        "rpmsg::ctrl_create_endpoint_echo",
        suites_rpmsg_ctrl::ctrl_endpoint(con, TOOL_GUEST_PATH),
    );
    report.record("rpmsg::hangup_on_transport_unload", hangup(con));
    report.record("rpmsg::nxp_names_option", nxp_names(con));
    report.record(
        "rpmsg::reload_50_cycles",
        guest_script(
            con,
            &format!(
                "rpmsg-reload-cycles 50 {GUEST_DIR}/imx_rpmsg_rs.ko {GUEST_DIR}/rpmsg_tty_rs.ko"
            ),
        ),
    );
    report.record(
        "rpmsg::tty_and_rpmsg_char_streams_share_a_vdev",
        lifecycle::shared_vdev_streams(con),
    );
    report.record(
        "rpmsg::stale_tty_never_reached_after_reload",
        lifecycle::stale_tty(con),
    );
    lifecycle::flood(con, report, "rpmsg");
    report.record("rpmsg::kernel_log_clean", log_clean(con));
}

/// Echo and stream over the tree with reserved-memory vrings and pool.
/// Returns whether the modules are loaded (the board can go on).
pub fn pool_board(m: &mut Machine, report: &mut Report) -> bool {
    if !bring_up(m, report, "rpmsg_pool", Some(RPMSG_ECHO_READY)) {
        return false;
    }
    let con = &mut m.console;
    report.record("rpmsg_pool::buffers_from_pool", pool_used(con));
    report.record(
        "rpmsg_pool::echo_200_random_sizes",
        guest_script(
            con,
            &format!("rpmsg-echo-check $(rpmsg-tty-of {DEMO}) 200 488 11"),
        ),
    );
    report.record(
        "rpmsg_pool::loopback_256kib_stream",
        guest_script(
            con,
            &format!("rpmsg-stream-check $(rpmsg-tty-of {RAW}) 262144"),
        ),
    );
    // No fsl,src in this tree: the M4 keeps running across reloads and the
    // firmware must resynchronise with the new rings each time.
    report.record(
        "rpmsg_pool::reload_20_cycles_firmware_resyncs",
        guest_script(
            con,
            &format!(
                "rpmsg-reload-cycles 20 {GUEST_DIR}/imx_rpmsg_rs.ko {GUEST_DIR}/rpmsg_tty_rs.ko"
            ),
        ),
    );
    report.record(
        "rpmsg_pool::m4_never_restarted",
        suites::m4_boots(m, RPMSG_ECHO_READY, 1),
    );
    report.record("rpmsg_pool::kernel_log_clean", log_clean(&mut m.console));
    true
}

/// No firmware on the M4: the transport loads, its virtio device waits,
/// nothing fails or spins, and it unloads cleanly.
pub fn no_remote_board(m: &mut Machine, report: &mut Report) {
    if !bring_up(m, report, "rpmsg_no_remote", None) {
        return;
    }
    report.record("rpmsg_no_remote::driver_waits", waits(&mut m.console));
    report.record(
        "rpmsg_no_remote::kernel_log_clean",
        log_clean(&mut m.console),
    );
}

/// A guest command's output without shell prompts and blank lines.
fn guest(con: &mut Console, cmd: &str) -> Result<String, String> {
    suites::run_ok(con, cmd).map(|out| suites::clean(&out))
}

/// Runs a long guest test script and returns its last line.
fn guest_script(con: &mut Console, cmd: &str) -> Result<String, String> {
    let out = con.run(cmd, LONG).map_err(|e| format!("`{cmd}`: {e}"))?;
    let text = suites::clean(&out.output);
    if out.status != 0 {
        return Err(format!("`{cmd}` exited {}:\n{text}", out.status));
    }
    Ok(suites::last_line(&text).to_string())
}

/// Loads our three modules and reports the transport's probe line.
fn load(con: &mut Console) -> Result<String, String> {
    for ko in MODULES {
        suites::run_ok(con, &format!("insmod {GUEST_DIR}/{ko}"))?;
    }
    let out = guest(
        con,
        "dmesg | grep 'imx_rpmsg_rs 8fff0000.rpmsg: ' | tail -n 1; true",
    )?;
    let line = suites::last_line(&out);
    let line = line.split("8fff0000.rpmsg: ").nth(1).unwrap_or(line);
    let out = guest(con, "dmesg | grep 'imx_rpmsg_rs rpmsg: ' | tail -n 1; true")?;
    let pool_line = suites::last_line(&out);
    let pool_line = pool_line
        .split("imx_rpmsg_rs rpmsg: ")
        .nth(1)
        .unwrap_or(pool_line);
    let probe = if line.is_empty() { pool_line } else { line };
    if probe.is_empty() {
        return Err("no probe line from imx_rpmsg_rs".into());
    }
    Ok(probe.to_string())
}

/// The KUnit summary `module` printed when it was loaded.
fn kunit(con: &mut Console, module: &str) -> Result<String, String> {
    let out = guest(
        con,
        &format!("dmesg | grep -E '# {module}: (pass|fail)' | tail -n 1; true"),
    )?;
    kunit_summary(suites::last_line(&out), module)
}

/// Checks a KUnit summary line (`# <module>: pass:N fail:0 ...`): at least
/// one test passed and none failed.
fn kunit_summary(line: &str, module: &str) -> Result<String, String> {
    let summary = line
        .split(&format!("# {module}: "))
        .nth(1)
        .ok_or_else(|| format!("no KUnit summary for {module} (got {line:?})"))?;
    let field = |name: &str| -> Option<u32> {
        summary
            .split_whitespace()
            .find_map(|f| f.strip_prefix(name))
            .and_then(|v| v.parse().ok())
    };
    match (field("pass:"), field("fail:")) {
        (Some(pass), Some(0)) if pass > 0 => Ok(summary.to_string()),
        _ => Err(format!("KUnit {module}: {summary}")),
    }
}

/// The lines the driver logged for `dev`, without the driver core's own
/// summary ("probe with driver ... failed with error ...").
fn driver_lines(log: &str, dev: &str) -> Vec<String> {
    let prefix = format!("imx_rpmsg_rs {dev}: ");
    log.lines()
        .filter_map(|l| l.split_once(&prefix).map(|(_, msg)| msg.trim().to_string()))
        .filter(|msg| !msg.starts_with("probe with driver"))
        .collect()
}

/// Each broken node logs exactly one message naming the problem and stays
/// unbound; the good node is bound.
fn bad_nodes(con: &mut Console) -> Result<String, String> {
    let log = guest(con, "dmesg | grep 'imx_rpmsg_rs '; true")?;
    let mut seen = Vec::new();
    for (dev, what) in BAD_NODES {
        let lines = driver_lines(&log, dev);
        if lines.len() != 1 || !lines[0].contains(what) {
            return Err(format!(
                "{dev}: want one message with {what:?}, got {lines:?}"
            ));
        }
        let bound = guest(
            con,
            &format!("test -e /sys/bus/platform/devices/{dev}/driver && echo bound; true"),
        )?;
        if bound.contains("bound") {
            return Err(format!("{dev} is bound despite its error"));
        }
        seen.push(what);
    }
    let good = guest(
        con,
        "test -e /sys/bus/platform/devices/8fff0000.rpmsg/driver && echo bound; true",
    )?;
    if !good.contains("bound") {
        return Err("the board's own rpmsg node is not bound".into());
    }
    Ok(format!("{} broken nodes refused", seen.len()))
}

/// Both announced channels get a tty; reports which.
fn channels(con: &mut Console) -> Result<String, String> {
    let demo = guest(con, &format!("rpmsg-tty-of {DEMO}"))?;
    let raw = guest(con, &format!("rpmsg-tty-of {RAW}"))?;
    Ok(format!(
        "{DEMO}: {}, {RAW}: {}",
        suites::last_line(&demo),
        suites::last_line(&raw)
    ))
}

/// `hello` on the demo channel comes back as `echo: hello\r\n`.
fn echo_hello(con: &mut Console) -> Result<String, String> {
    let out = guest(
        con,
        &format!(
            "t=$(rpmsg-tty-of {DEMO}) && exec 3<>$t && printf hello >&3 && \
             head -c 13 <&3 | od -An -c; exec 3<&-"
        ),
    )?;
    let got: String = suites::last_line(&out)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if got == "e c h o : h e l l o \\r \\n" {
        Ok("hello -> echo: hello\\r\\n".into())
    } else {
        Err(format!("want \"echo: hello\\r\\n\", got {got:?}"))
    }
}

/// With a tty open, unloading the transport hangs it up: reads end, writes
/// fail; loading the transport again brings the channels back.
fn hangup(con: &mut Console) -> Result<String, String> {
    let out = guest(
        con,
        &format!(
            "t=$(rpmsg-tty-of {RAW}) && exec 3<>$t && rmmod imx_rpmsg_rs && \
             (cat <&3 >/dev/null; echo read-ended) && \
             (printf x >&3 2>/dev/null && echo write-ok || echo write-failed); exec 3<&-; \
             insmod {GUEST_DIR}/imx_rpmsg_rs.ko && rpmsg-tty-of {RAW} >/dev/null && echo back"
        ),
    )?;
    for want in ["read-ended", "write-failed", "back"] {
        if !out.contains(want) {
            return Err(format!(
                "want {want:?} after unloading the transport, got:\n{out}"
            ));
        }
    }
    Ok("open tty hung up; channels back after reload".into())
}

/// With `nxp_names=1` the ttys are named after the remote addresses (30 and
/// 31), as NXP's kernels name them, and work; then back to the default.
fn nxp_names(con: &mut Console) -> Result<String, String> {
    let out = guest(
        con,
        &format!(
            "rpmsg-unload rpmsg_tty_rs && insmod {GUEST_DIR}/rpmsg_tty_rs.ko nxp_names=1 && \
             rpmsg-tty-of {DEMO} && rpmsg-tty-of {RAW} && \
             rpmsg-echo-check $(rpmsg-tty-of {DEMO}) 3 488 5 && rpmsg-unload rpmsg_tty_rs && \
             insmod {GUEST_DIR}/rpmsg_tty_rs.ko && rpmsg-tty-of {DEMO} >/dev/null && echo back"
        ),
    )?;
    let lines: Vec<&str> = out.lines().map(str::trim).collect();
    let want = ["/dev/ttyRPMSG30", "/dev/ttyRPMSG31", "back"];
    if want.iter().all(|w| lines.contains(w)) {
        Ok(format!("{DEMO}: /dev/ttyRPMSG30, {RAW}: /dev/ttyRPMSG31"))
    } else {
        Err(format!("want {want:?} with nxp_names=1, got:\n{out}"))
    }
}

/// The transport says its buffers come from the pool.
fn pool_used(con: &mut Console) -> Result<String, String> {
    let out = guest(con, "dmesg | grep 'imx_rpmsg_rs rpmsg: '; true")?;
    if out.contains("assigned reserved memory node")
        && out.contains("buffers from the memory-region pool")
    {
        Ok("vrings and buffers from named reserved memory".into())
    } else {
        Err(format!("the transport did not use the pool:\n{out}"))
    }
}

/// Without a remote: module loaded and bound, virtio device ready, no
/// channel, and no MU interrupt storm while it waits.
fn waits(con: &mut Console) -> Result<String, String> {
    let out = guest(
        con,
        "i1=$(grep imx_mu_rs /proc/interrupts); sleep 2; i2=$(grep imx_mu_rs /proc/interrupts); \
         [ \"$i1\" = \"$i2\" ] && echo irqs-quiet; \
         lsmod | grep -q '^imx_rpmsg_rs' && echo loaded; \
         test -e /sys/bus/platform/devices/8fff0000.rpmsg/driver && echo bound; \
         cat /sys/bus/virtio/devices/virtio0/status; \
         ls /dev/ttyRPMSG* 2>/dev/null | wc -l",
    )?;
    let lines: Vec<&str> = out.lines().map(str::trim).collect();
    for want in ["irqs-quiet", "loaded", "bound"] {
        if !lines.contains(&want) {
            return Err(format!("want {want:?} with no remote, got:\n{out}"));
        }
    }
    if !lines.contains(&"0x00000007") || lines.last() != Some(&"0") {
        return Err(format!(
            "want virtio status 0x7 (driver ready) and no tty, got:\n{out}"
        ));
    }
    suites::run_ok(
        con,
        "rmmod rpmsg_tty_rs && rmmod imx_rpmsg_rs && rmmod imx_mu_rs",
    )?;
    Ok("loaded, status 0x7, no channel, MU quiet; unloads cleanly".into())
}

/// The kernel log holds no trouble.
fn log_clean(con: &mut Console) -> Result<String, String> {
    suites::check_kernel_log(&guest(con, "dmesg")?, &[])
}

/// `make demo`'s RPMsg part: boots the board tree with the echo firmware,
/// loads the three modules, shows the channels and an echo session over
/// the demo channel's tty, and powers off. Progress goes to stdout.
pub fn demo(opts: &Options) -> Result<(), String> {
    let step = |text: &str| println!("\n==> {text}");
    let dtb = opts
        .path("dtb")?
        .file_name()
        .ok_or("--dtb names no file")?
        .to_string_lossy()
        .into_owned();
    step("booting the emulated i.MX7 (Cortex-A7 + Cortex-M4) with the rpmsg-echo firmware");
    let cfg = board_config(opts, "demo-rpmsg", &dtb, true)?;
    let mut m = Machine::start(&cfg, "demo-rpmsg").map_err(|e| e.to_string())?;
    println!("{}", suites::boot(&mut m)?);
    println!("{}", suites::m4_running(&m, RPMSG_ECHO_READY)?);
    let con = &mut m.console;
    suites::run_ok(con, "dmesg -n 4")?;
    step("loading imx_mu_rs (MU mailbox), imx_rpmsg_rs (transport), rpmsg_tty_rs (tty)");
    println!("imx_rpmsg_rs: {}", load(con)?);
    step("the M4 announced its channels; each got a tty");
    println!("{}", channels(con)?);
    let tty = suites::last_line(&guest(con, &format!("rpmsg-tty-of {DEMO}"))?).to_string();
    step(&format!(
        "echo session over {tty}: Linux writes a line, the M4 answers"
    ));
    for line in [
        "hello",
        "Linux on the Cortex-A7 says hi",
        "RPMsg in Rust, on both sides",
    ] {
        let n = line.len() + 8;
        let out = guest(
            con,
            &format!(
                "exec 3<>{tty} && printf '%s' '{line}' >&3 && head -c {n} <&3 | tr -d '\\r'; \
                 exec 3<&-"
            ),
        )?;
        println!("  Linux -> M4: {line}");
        println!("  M4 -> Linux: {}", suites::last_line(&out));
    }
    step("a 64 KiB stream through the raw loopback channel, checked");
    println!(
        "{}",
        guest_script(
            con,
            &format!("rpmsg-stream-check $(rpmsg-tty-of {RAW}) 65536")
        )?
    );
    step("powering off");
    println!("{}", suites::power_off(&mut m)?);
    println!("console log: {}", m.console_log.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kunit_summary_needs_passes_and_no_failure() {
        let ok = "[ 1.0] # imx_rpmsg_rs: pass:5 fail:0 skip:0 total:5";
        assert_eq!(
            kunit_summary(ok, "imx_rpmsg_rs").unwrap(),
            "pass:5 fail:0 skip:0 total:5"
        );
        assert!(kunit_summary(
            "# imx_rpmsg_rs: pass:4 fail:1 skip:0 total:5",
            "imx_rpmsg_rs"
        )
        .is_err());
        assert!(kunit_summary(
            "# imx_rpmsg_rs: pass:0 fail:0 skip:0 total:0",
            "imx_rpmsg_rs"
        )
        .is_err());
        assert!(kunit_summary("nothing", "imx_rpmsg_rs").is_err());
    }

    #[test]
    fn driver_lines_skip_the_driver_core_summary() {
        let log = "[ 0.8] imx_rpmsg_rs 8ffe0000.rpmsg-test-small: shared memory 0x8ffe0000+0x8000 is too small for 1 vdev(s)\n\
                   [ 0.8] imx_rpmsg_rs 8ffe0000.rpmsg-test-small: probe with driver imx_rpmsg_rs failed with error -22\n\
                   [ 0.8] imx_rpmsg_rs 8ffd0000.rpmsg-test-vdevs: shared memory ... too small for 2 vdev(s)";
        let lines = driver_lines(log, "8ffe0000.rpmsg-test-small");
        assert_eq!(lines.len(), 1);
        assert!(lines[0].contains("too small for 1 vdev(s)"));
        assert_eq!(driver_lines(log, "rpmsg-test-no-memory").len(), 0);
    }

    #[test]
    fn prompts_and_blank_lines_are_dropped() {
        assert_eq!(suites::clean("/dev/ttyRPMSG0\n/ # \n\n"), "/dev/ttyRPMSG0");
        assert_eq!(suites::last_line("a\nb\n/ # "), "b");
    }
}
