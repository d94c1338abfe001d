// SPDX-License-Identifier: GPL-2.0
//! An untrusted remote (issue 11), on the boot with the `rpmsg-hostile`
//! firmware: for each misbehaviour of the remote's used ring, the kernel
//! names it in one line, the reader of the channel gets nothing but valid
//! messages, and the transport reloads and works again
//! (tests/guest/rpmsg-fault-check runs each in the guest).

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

/// Host-side deadline of one fault's check, reload included.
const DEADLINE: Duration = Duration::from_secs(180);

/// Runs every misbehaviour in turn; each leaves the channel working.
pub fn used_ring_faults(con: &mut Console, report: &mut Report, suite: &str) {
    for (word, line, catcher) in FAULTS {
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
