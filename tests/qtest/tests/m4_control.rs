// SPDX-License-Identifier: GPL-2.0-or-later
//! The SRC's M4 control register (SRC_M4RCR) as Linux's `imx_rproc` uses
//! it on the i.MX7D: read-modify-write of the low four bits, 0xB to stop,
//! 0xE to start, and "stopped" at probe when they read 0xB.
//!
//! The counter image shows what the M4 does: it counts while it runs,
//! counts its boots, and records the state it booted in.  Stop must hold
//! it (the count stands still), start must re-run it from its reset vector
//! with fresh CPU state (a new boot, SP from the vector table, PRIMASK and
//! the NVIC at their reset values), in one TCG thread and with the M4 in a
//! thread of its own.

use std::thread;
use std::time::{Duration, Instant};

use mu_qtest::board::{
    sr_rf, M4RCR_ENABLE_M4, M4RCR_MASK, M4RCR_RUNNING, M4RCR_START, M4RCR_STOP, M4RCR_SW_M4C_RST,
    M4RCR_SW_M4P_RST, SRC_M4RCR, TCML_A7, TCMU_M4, TCM_SIZE, WDOG1_WCR,
};
use mu_qtest::m4_image::{counter, counter_image_elf, echo_answer, echo_image_bytes};
use mu_qtest::{Accel, Qtest, Reg, Side};

/// How long the count must stand still to count as stopped.
const STILL_FOR: Duration = Duration::from_millis(300);
/// How soon after the write the M4 must have stopped: at once on silicon,
/// here at its next instruction boundary, with room for a busy host.
const STOPS_WITHIN: Duration = Duration::from_secs(5);

fn m4rcr(q: &mut Qtest) -> u32 {
    q.readl(SRC_M4RCR) & M4RCR_MASK
}

/// `regmap_update_bits(SRC_M4RCR, M4RCR_MASK, value)`, as `imx_rproc` does.
fn update_m4rcr(q: &mut Qtest, value: u32) {
    let old = q.readl(SRC_M4RCR);
    q.writel(SRC_M4RCR, (old & !M4RCR_MASK) | value);
}

fn read(q: &mut Qtest, offset: u64) -> u32 {
    q.readl(counter::addr(offset))
}

/// Waits until the count moves, i.e. the M4 runs the counter image.
fn assert_counting(q: &mut Qtest, what: &str) {
    let first = read(q, counter::COUNT);
    q.poll_readl(counter::addr(counter::COUNT), what, |c| c != first);
}

/// Waits until the count stands still for [`STILL_FOR`], i.e. the M4
/// executes nothing, which must begin within [`STOPS_WITHIN`]; returns the
/// count.
fn assert_still(q: &mut Qtest, what: &str) -> u32 {
    let deadline = Instant::now() + STOPS_WITHIN;
    loop {
        let before = read(q, counter::COUNT);
        thread::sleep(STILL_FOR);
        let after = read(q, counter::COUNT);
        if before == after {
            return after;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: the M4 still counts ({before} -> {after}) after {STOPS_WITHIN:?}"
        );
    }
}

/// Waits for boot number `n` of the counter image and checks the state it
/// booted in: the reset state of a Cortex-M4 starting from the image's
/// vector table.
fn assert_fresh_boot(q: &mut Qtest, n: u32) {
    q.poll_readl(counter::addr(counter::BOOTS), "boot count", |b| b == n);
    assert_eq!(
        read(q, counter::SP_AT_BOOT),
        TCMU_M4 + TCM_SIZE,
        "boot {n}: SP from the vector table"
    );
    assert_eq!(
        read(q, counter::PRIMASK_AT_BOOT),
        0,
        "boot {n}: PRIMASK at reset value"
    );
    assert_eq!(
        read(q, counter::NVIC_ISER3_AT_BOOT),
        0,
        "boot {n}: NVIC lines disabled"
    );
    assert_counting(q, "counting after boot");
}

/// Overwrites the records of the last boot, so that a boot that does not
/// happen cannot pass for one.
fn scribble_over_boot_records(q: &mut Qtest) {
    for offset in [
        counter::COUNT,
        counter::SP_AT_BOOT,
        counter::PRIMASK_AT_BOOT,
        counter::NVIC_ISER3_AT_BOOT,
    ] {
        q.writel(counter::addr(offset), 0xDEAD_BEEF);
    }
}

fn stop(q: &mut Qtest) -> u32 {
    update_m4rcr(q, M4RCR_STOP);
    assert_eq!(m4rcr(q), M4RCR_STOP, "M4RCR after stop");
    assert_still(q, "after stop")
}

fn start(q: &mut Qtest) {
    update_m4rcr(q, M4RCR_START);
    assert_eq!(m4rcr(q), M4RCR_RUNNING, "M4RCR after start");
}

fn stop_start_cycles(accel: Accel, cycles: u32) {
    let mut q = Qtest::start_with_m4_image(accel, &counter_image_elf());
    assert_eq!(m4rcr(&mut q), M4RCR_RUNNING, "released at reset");
    assert_fresh_boot(&mut q, 1);

    for cycle in 0..cycles {
        let boots = read(&mut q, counter::BOOTS);
        let count = stop(&mut q);
        thread::sleep(STILL_FOR);
        assert_eq!(read(&mut q, counter::COUNT), count, "cycle {cycle}: held");
        assert_eq!(
            read(&mut q, counter::BOOTS),
            boots,
            "cycle {cycle}: no boot while held"
        );
        assert_eq!(m4rcr(&mut q), M4RCR_STOP, "cycle {cycle}: still stopped");

        scribble_over_boot_records(&mut q);
        start(&mut q);
        assert_fresh_boot(&mut q, boots + 1);
    }
}

#[test]
fn without_an_image_m4rcr_reads_stopped() {
    let mut q = Qtest::start(Accel::Qtest, &[]);
    assert_eq!(m4rcr(&mut q), M4RCR_STOP);
    assert_eq!(q.readl(SRC_M4RCR), M4RCR_STOP, "bits 31:4 reset to 0");
}

#[test]
fn with_an_image_in_tcml_m4rcr_reads_running_and_the_m4_runs_it() {
    let mut q = Qtest::start_with_m4_image(Accel::Tcg, &counter_image_elf());
    assert_eq!(m4rcr(&mut q), M4RCR_RUNNING);
    assert_fresh_boot(&mut q, 1);
}

#[test]
fn stop_holds_the_m4_and_start_reruns_it_from_its_reset_vector() {
    stop_start_cycles(Accel::Tcg, 3);
}

#[test]
fn stop_and_start_with_the_m4_in_its_own_thread() {
    stop_start_cycles(Accel::TcgMulti, 10);
}

#[test]
fn writes_that_leave_enable_m4_clear_keep_the_m4_stopped() {
    let mut q = Qtest::start_with_m4_image(Accel::TcgMulti, &counter_image_elf());
    assert_fresh_boot(&mut q, 1);

    // Disabling the M4 stops it, whatever else is written.
    update_m4rcr(&mut q, M4RCR_SW_M4P_RST | M4RCR_SW_M4C_RST);
    let count = assert_still(&mut q, "after clearing ENABLE_M4");
    // The core reset cannot complete while the M4 is disabled.
    assert_eq!(m4rcr(&mut q), M4RCR_SW_M4C_RST);

    for value in [
        0,
        M4RCR_SW_M4P_RST,
        M4RCR_SW_M4C_RST,
        M4RCR_SW_M4P_RST | M4RCR_SW_M4C_RST,
    ] {
        update_m4rcr(&mut q, value);
        assert_eq!(m4rcr(&mut q) & M4RCR_ENABLE_M4, 0, "{value:#x}: disabled");
        assert_eq!(
            m4rcr(&mut q) & M4RCR_SW_M4P_RST,
            0,
            "{value:#x}: platform reset done"
        );
        thread::sleep(STILL_FOR);
        assert_eq!(
            read(&mut q, counter::COUNT),
            count,
            "{value:#x}: still held"
        );
        assert_eq!(read(&mut q, counter::BOOTS), 1, "{value:#x}: no boot");
    }

    start(&mut q);
    assert_fresh_boot(&mut q, 2);
}

#[test]
fn a_reset_pulse_restarts_a_running_m4() {
    let mut q = Qtest::start_with_m4_image(Accel::TcgMulti, &counter_image_elf());
    assert_fresh_boot(&mut q, 1);
    let mut boots = 1;
    for pulse in [
        M4RCR_SW_M4C_RST,
        M4RCR_SW_M4P_RST,
        M4RCR_START & !M4RCR_ENABLE_M4,
    ] {
        scribble_over_boot_records(&mut q);
        update_m4rcr(&mut q, M4RCR_ENABLE_M4 | pulse);
        assert_eq!(
            m4rcr(&mut q),
            M4RCR_RUNNING,
            "{pulse:#x}: reset done at once"
        );
        boots += 1;
        assert_fresh_boot(&mut q, boots);
    }
    // Writing ENABLE_M4 alone to a running M4 changes nothing.
    update_m4rcr(&mut q, M4RCR_ENABLE_M4);
    assert_counting(&mut q, "still running");
    thread::sleep(STILL_FOR);
    assert_eq!(
        read(&mut q, counter::BOOTS),
        boots,
        "no restart without a reset bit"
    );
}

#[test]
fn imx_rproc_updates_keep_the_other_bits() {
    let mut q = Qtest::start_with_m4_image(Accel::Tcg, &counter_image_elf());
    assert_fresh_boot(&mut q, 1);
    q.writel(SRC_M4RCR, 0xA0 | M4RCR_RUNNING);
    stop(&mut q);
    assert_eq!(q.readl(SRC_M4RCR), 0xA0 | M4RCR_STOP);
    start(&mut q);
    assert_eq!(q.readl(SRC_M4RCR), 0xA0 | M4RCR_RUNNING);
    assert_fresh_boot(&mut q, 2);
}

/// As Linux's remoteproc does: stop the M4, put another image into TCML,
/// start it.  The M4 must boot the new image, not the one loaded at
/// machine start.
#[test]
fn start_boots_the_image_now_in_tcml() {
    let mut q = Qtest::start_with_m4_image(Accel::Tcg, &counter_image_elf());
    assert_fresh_boot(&mut q, 1);
    stop(&mut q);

    let mut echo = echo_image_bytes();
    echo.resize(echo.len().next_multiple_of(4), 0);
    for (i, word) in echo.chunks_exact(4).enumerate() {
        let word = u32::from_le_bytes(word.try_into().unwrap());
        q.writel(TCML_A7 + 4 * i as u64, word);
    }
    start(&mut q);

    for n in 0..4 {
        let word = 0x600D_0000 + n;
        q.writel(Side::A.addr(Reg::Tr(n)), word);
        q.poll_readl(Side::A.addr(Reg::Sr), "answer of the new image", |sr| {
            sr & sr_rf(n) != 0
        });
        assert_eq!(q.readl(Side::A.addr(Reg::Rr(n))), echo_answer(n, word));
    }
    assert_eq!(
        read(&mut q, counter::BOOTS),
        1,
        "the counter image did not run again"
    );
}

/// A start with nothing bootable in TCML must not take the machine down
/// (an M4 fetching a bad vector locks up, which QEMU turns into an abort).
#[test]
fn start_with_an_empty_tcml_leaves_the_m4_in_reset() {
    let mut q = Qtest::start(Accel::Tcg, &[]);
    assert_eq!(m4rcr(&mut q), M4RCR_STOP);
    start(&mut q);
    q.writel(Side::A.addr(Reg::Tr(0)), 0xC0FF_EE01);
    for _ in 0..200 {
        assert_eq!(q.readl(Side::B.addr(Reg::Sr)) & sr_rf(0), sr_rf(0));
    }
    assert!(q.is_running(), "QEMU is still running");
}

/// A machine reset (here by WDOG1) runs the boot loader stand-in again:
/// the image loaded at machine start is released and M4RCR reads
/// running, even after the guest had stopped the M4.
#[test]
fn machine_reset_releases_the_m4_again() {
    let mut q = Qtest::start_with_m4_image(Accel::Tcg, &counter_image_elf());
    assert_fresh_boot(&mut q, 1);
    stop(&mut q);

    q.writew(WDOG1_WCR, 0);
    q.poll_readl(SRC_M4RCR, "M4RCR after the machine reset", |v| {
        v & M4RCR_MASK == M4RCR_RUNNING
    });
    // TCMU is RAM that the machine reset leaves alone: the boots go on.
    assert_fresh_boot(&mut q, 2);
}
