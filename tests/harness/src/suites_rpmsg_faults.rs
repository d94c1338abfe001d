// SPDX-License-Identifier: GPL-2.0
//! An untrusted remote (issue 11), on the boot with the `rpmsg-hostile`
//! firmware:
//!
//! * for each misbehaviour of the remote's used ring, the kernel names it
//!   in one line, the reader of the channel gets nothing but valid
//!   messages, and the transport reloads and works again
//!   (tests/guest/rpmsg-fault-check runs each in the guest);
//! * garbage over the shared descriptors and available rings changes
//!   nothing Linux reads;
//! * bad name-service messages are cut or refused without a raw control
//!   character in the log, and 500 channels come and go;
//! * a kick storm leaves Linux responsive and quiet;
//! * on the kernel built without our kernel patches, the transport alone
//!   keeps the used-length faults of issue 11 (the bus's unsigned
//!   underflow) away from the reader.

use crate::cli::RUST_MODULES_GUEST_DIR as GUEST_DIR;
use crate::console::Console;
use crate::report::Report;
use crate::suites_rpmsg_lifecycle::within;
use std::time::Duration;

/// Who catches a fault.
#[derive(Clone, Copy)]
enum Catcher {
    /// Our transport, before the virtio core sees the entry.
    Transport,
    /// The kernel's RPMsg bus (a header the transport does not read).
    Bus,
}

/// Each misbehaviour: the firmware's command word, the words of the line
/// the kernel must log, and who logs it.
const FAULTS: [(&str, &str, Catcher); 7] = [
    (
        "used-short",
        "remote fault on ring 0: used length 8 below the RPMsg header (16 bytes)",
        Catcher::Transport,
    ),
    (
        "used-long",
        "remote fault on ring 0: used length 4096 above the buffer size (512 bytes)",
        Catcher::Transport,
    ),
    // The transport does not read message headers; the bus, with our
    // patch (kernel/patches/), drops the message and recycles its buffer.
    (
        "hdr-long",
        "inbound msg too big: (20, 400), dropped",
        Catcher::Bus,
    ),
    (
        "idx-back",
        "remote fault on ring 0: used index moved back from",
        Catcher::Transport,
    ),
    (
        "idx-ahead",
        "remote fault on ring 0: used index jumped from",
        Catcher::Transport,
    ),
    (
        "id-range",
        "remote fault on ring 0: used id 4660 out of range (256 descriptors)",
        Catcher::Transport,
    ),
    (
        "id-twice",
        "is not a buffer the remote holds (returned twice, or never given)",
        Catcher::Transport,
    ),
];

/// The log lines the faults provoke on purpose (each checked by its test):
/// not trouble in the boot's final log check.
pub const PROVOKED: [&str; 2] = [
    "remote fault on ring",
    "inbound msg too big: (20, 400), dropped",
];

/// The faults run on the stock kernel: the used lengths that made the
/// unpatched bus read past a buffer, and a replay; then a header longer
/// than its message, which the unpatched bus refuses with its own line
/// (no ", dropped": that the line ends there shows the bus is unpatched).
const STOCK_FAULTS: [(&str, &str, Catcher); 4] = [
    FAULTS[0],
    FAULTS[1],
    FAULTS[3],
    ("hdr-long", "inbound msg too big: (20, 400)", Catcher::Bus),
];

/// The lines provoked on the stock kernel.
pub const PROVOKED_STOCK: [&str; 2] = ["remote fault on ring", "inbound msg too big: (20, 400)"];

/// Host-side deadline of one fault's check, reload included.
const DEADLINE: Duration = Duration::from_secs(180);

/// Runs every misbehaviour in turn; each leaves the channel working.
pub fn used_ring_faults(con: &mut Console, report: &mut Report, suite: &str) {
    run_faults(con, report, suite, &FAULTS);
}

/// On the kernel without our patches: the reader gets nothing but valid
/// messages, and the kernel is shown to be the unpatched one.
pub fn stock_kernel_faults(con: &mut Console, report: &mut Report, suite: &str) {
    run_faults(con, report, suite, &STOCK_FAULTS);
    let unpatched = within(
        con,
        "dmesg | grep -q 'inbound msg too big: (20, 400)$' \
         || { echo 'FAIL: the RPMsg bus has our patch: not the stock kernel'; exit 1; }; \
         echo 'the RPMsg bus is the unpatched one'",
        Duration::from_secs(30),
    );
    report.record(&format!("{suite}::bus_is_unpatched"), unpatched);
}

fn run_faults(
    con: &mut Console,
    report: &mut Report,
    suite: &str,
    faults: &[(&str, &str, Catcher)],
) {
    for &(word, line, catcher) in faults {
        let catcher = match catcher {
            Catcher::Transport => "",
            Catcher::Bus => " bus",
        };
        let cmd = format!("rpmsg-fault-check {word} '{line}' {GUEST_DIR}{catcher}");
        let result = within(con, &cmd, DEADLINE);
        report.record(
            &format!("{suite}::fault_{}", word.replace('-', "_")),
            result,
        );
    }
}

/// Tells the hostile firmware `word` and checks its answer (guest shell).
fn command(word: &str) -> String {
    format!(
        "rpmsg-ept /dev/rpmsg_ctrl0 hostile-ctl 0xffffffff 40 {word} | grep -qx 'reply: ok {word}' \
         || {{ echo 'FAIL: no answer to {word}'; exit 1; }}"
    )
}

/// Waits (up to 10 s) until `cond` holds (guest shell), else fails with `what`.
fn wait_for(cond: &str, what: &str) -> String {
    format!(
        "i=0; until {cond}; do i=$((i+1)); [ $i -ge 1000 ] && {{ echo 'FAIL: {what}'; exit 1; }}; \
         usleep 10000; done"
    )
}

/// Fails unless the loopback tty still answers.
const LOOPBACK_WORKS: &str =
    "rpmsg-echo-check $(rpmsg-tty-of rpmsg-tty) 5 200 11 loopback >/dev/null \
     || { echo 'FAIL: the loopback no longer answers'; exit 1; }";

/// Bad name-service messages: a name without NUL is cut, names with
/// control characters and unknown flags are refused with one line that
/// shows no raw control character, 500 announcements and destroys leave
/// no channel behind; the loopback answers after each.
pub fn name_service_faults(con: &mut Console, report: &mut Report, suite: &str) {
    let cut = "rpmsg-hostile-nonul-0123456789a";
    let checks = [
        (
            "ns_name_without_nul_is_cut",
            format!(
                "{}; {}; {LOOPBACK_WORKS}; echo 'channel {cut} (cut to 31 bytes)'",
                command("ns-nonul"),
                wait_for(
                    &format!("grep -qx '{cut}' /sys/bus/rpmsg/devices/*/name"),
                    "no channel with the cut name"
                )
            ),
        ),
        (
            "ns_name_with_control_characters_refused",
            format!(
                "{}; {}; esc=$(printf '\\033'); dmesg | grep -qF \"$esc\" && {{ echo 'FAIL: raw escape in the log'; exit 1; }}; \
                 grep -l 'mctrl' /sys/bus/rpmsg/devices/*/name && {{ echo 'FAIL: channel created'; exit 1; }}; \
                 {LOOPBACK_WORKS}; dmesg | grep 'refusing channel rpmsg-hostile' | tail -n 1 | sed 's/^\\[[^]]*\\] //'",
                command("ns-ctrl"),
                wait_for(
                    "dmesg | grep -q 'refusing channel rpmsg-hostile.*: control character in its name'",
                    "no refusal in the log"
                )
            ),
        ),
        (
            "ns_unknown_flags_refused",
            format!(
                "{}; {}; grep -qx 'rpmsg-hostile-flags' /sys/bus/rpmsg/devices/*/name && \
                 {{ echo 'FAIL: channel created'; exit 1; }}; {LOOPBACK_WORKS}; \
                 dmesg | grep 'unknown flags' | tail -n 1 | sed 's/^\\[[^]]*\\] //'",
                command("ns-flags"),
                wait_for(
                    "dmesg | grep -q 'refusing an announcement with unknown flags 0x80000000'",
                    "no refusal in the log"
                )
            ),
        ),
        (
            "ns_500_announcements_then_destroys",
            format!(
                "{}; {}; {}; {LOOPBACK_WORKS}; echo '500 channels came and went'",
                command("ns-flood"),
                wait_for(
                    "dmesg | grep -q 'destroying channel flood-499 '",
                    "the last destroy never came"
                ),
                wait_for(
                    "! grep -q '^flood-' /sys/bus/rpmsg/devices/*/name",
                    "flood channels left behind"
                )
            ),
        ),
    ];
    for (name, cmd) in checks {
        report.record(&format!("{suite}::{name}"), within(con, &cmd, DEADLINE));
    }
}

/// A kick storm: 10,000 words on each of the four MU channels as fast as
/// Linux reads them. Linux stays responsive, the loopback answers, and the
/// kernel says little about it (fewer than 20 new log lines).
pub fn kick_storm(con: &mut Console, report: &mut Report, suite: &str) {
    let cmd = format!(
        "before=$(dmesg | wc -l); {}; sleep 3; {LOOPBACK_WORKS}; n=$(($(dmesg | wc -l) - before)); \
         [ \"$n\" -lt 20 ] || {{ dmesg | tail -n 5; echo \"FAIL: $n new log lines\"; exit 1; }}; \
         echo \"responsive after the storm, $n new log lines\"",
        command("kick-storm")
    );
    report.record(
        &format!("{suite}::kick_storm_on_every_mu_channel"),
        within(con, &cmd, DEADLINE),
    );
}

/// The remote overwrites both rings' descriptor tables and available
/// rings with garbage: Linux reads neither (it works on its private copy),
/// so it logs nothing about them; whatever the remote still manages to
/// serve, a reload of the transport brings the channel back.
pub fn ring_garbage(con: &mut Console, report: &mut Report, suite: &str) {
    let cmd = format!(
        "{}; before=$(dmesg | wc -l); sleep 1; n=$(($(dmesg | wc -l) - before)); \\
         [ \"$n\" = 0 ] || {{ dmesg | tail -n \"$n\"; echo \"FAIL: $n new log lines\"; exit 1; }}; \\
         rpmsg-unload rpmsg_tty_rs && rpmsg-unload imx_rpmsg_rs && insmod {GUEST_DIR}/imx_rpmsg_rs.ko && \\
         insmod {GUEST_DIR}/rpmsg_tty_rs.ko && {LOOPBACK_WORKS}; \\
         echo 'nothing logged; the channel works after a reload'",
        command("ring-garbage")
    );
    report.record(
        &format!("{suite}::descriptors_and_available_rings_overwritten"),
        within(con, &cmd, DEADLINE),
    );
}
