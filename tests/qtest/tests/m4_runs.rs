// SPDX-License-Identifier: GPL-2.0-or-later
//! The Cortex-M4 under TCG: an image loaded with `-device loader` starts
//! from its vector table in TCML and answers over the MU from its NVIC 97
//! interrupt handler; without an image the M4 stays in reset and the
//! machine keeps running.

use mu_qtest::board::{sr_rf, CHANNELS, SR_RESET};
use mu_qtest::m4_image::{echo_answer, echo_image_elf};
use mu_qtest::{Accel, Qtest, Reg, Side};

#[test]
fn loaded_image_answers_on_all_four_channels() {
    let mut q = Qtest::start_with_m4_image(Accel::Tcg, &echo_image_elf());
    for round in 0..3u32 {
        for n in 0..CHANNELS {
            let word = 0x1234_5678 ^ (round << 24) ^ (n * 0x0101_0101);
            q.writel(Side::A.addr(Reg::Tr(n)), word);
            q.poll_readl(Side::A.addr(Reg::Sr), "M4 answer", |sr| sr & sr_rf(n) != 0);
            let answer = q.readl(Side::A.addr(Reg::Rr(n)));
            assert_eq!(answer, echo_answer(n, word), "channel {n}, round {round}");
        }
    }
    // Every word was consumed by the M4 and every answer read.
    let sr = q.poll_readl(Side::A.addr(Reg::Sr), "M4 read all words", |sr| {
        sr == SR_RESET
    });
    assert_eq!(sr, SR_RESET);
}

#[test]
fn without_an_image_the_m4_stays_in_reset_and_the_machine_runs() {
    let mut q = Qtest::start(Accel::Tcg, &[]);
    q.writel(Side::A.addr(Reg::Tr(0)), 0xC0FF_EE00);
    // Give the vCPUs plenty of scheduling rounds.
    for _ in 0..200 {
        assert_eq!(q.readl(Side::B.addr(Reg::Sr)) & sr_rf(0), sr_rf(0));
    }
    assert!(q.is_running(), "QEMU is still running");
    assert_eq!(
        q.readl(Side::B.addr(Reg::Rr(0))),
        0xC0FF_EE00,
        "nobody consumed the word"
    );
}
