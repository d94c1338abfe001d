// SPDX-License-Identifier: GPL-2.0-or-later
//! Interrupt lines of the emulated i.MX7 Messaging Unit: side A at the
//! A7's GIC (SPI 88), side B at the M4's NVIC (line 97), and both at the
//! MU's own outputs.  qtest can intercept one device per QEMU run, so each
//! view gets its own run.

use mu_qtest::board::{
    cr_gie, cr_gir, cr_rie, cr_tie, sr_gip, CHANNELS, CR_MUR, GIC_SPI_MU_A, MU_IRQ_LIST,
    NVIC_IRQ_MU_B, QOM_GIC, QOM_M4, QOM_MU,
};
use mu_qtest::{Accel, Qtest, Reg, Side};

/// Runs the flag/enable sequence for `side`, checking the level of the
/// intercepted line `irq` after every step.
fn check_line_follows_flags_and_enables(q: &mut Qtest, side: Side, irq: u32) {
    let peer = side.peer();
    let cr = side.addr(Reg::Cr);
    let expect = |q: &mut Qtest, level: bool, step: &str| {
        assert_eq!(q.irq_level(irq), level, "{side:?} line {irq}: {step}");
    };
    expect(q, false, "low after reset");

    for n in 0..CHANNELS {
        // Receive: RFn & RIEn.
        q.writel(peer.addr(Reg::Tr(n)), 0x1000 + n);
        expect(q, false, "RF set but RIE clear");
        q.writel(cr, cr_rie(n));
        expect(q, true, "RF & RIE");
        q.readl(side.addr(Reg::Rr(n)));
        expect(q, false, "RR read clears RF");
        q.writel(peer.addr(Reg::Tr(n)), 0x2000 + n);
        expect(q, true, "RF again");
        q.writel(cr, 0);
        expect(q, false, "RIE cleared");
        q.readl(side.addr(Reg::Rr(n)));

        // Transmit: TEn & TIEn (TE is set after reset).
        q.writel(cr, cr_tie(n));
        expect(q, true, "TE & TIE");
        q.writel(side.addr(Reg::Tr(n)), 0x3000 + n);
        expect(q, false, "TR write clears TE");
        q.readl(peer.addr(Reg::Rr(n)));
        expect(q, true, "peer read sets TE");
        q.writel(cr, 0);
        expect(q, false, "TIE cleared");

        // General purpose: GIPn & GIEn.
        q.writel(cr, cr_gie(n));
        expect(q, false, "GIE without GIP");
        q.writel(peer.addr(Reg::Cr), cr_gir(n));
        expect(q, true, "peer GIR sets GIP");
        q.writel(side.addr(Reg::Sr), sr_gip(n));
        expect(q, false, "GIP acknowledged");
        q.writel(cr, 0);
    }

    // Enables of the other channels do not pass channel 2's flag.
    q.writel(peer.addr(Reg::Tr(2)), 0x4000);
    let others = cr_rie(0) | cr_rie(1) | cr_rie(3) | (0..CHANNELS).map(cr_gie).sum::<u32>();
    q.writel(cr, others);
    expect(q, false, "RF2 without RIE2");
    q.writel(cr, others | cr_rie(2));
    expect(q, true, "RF2 & RIE2");
    q.readl(side.addr(Reg::Rr(2)));
    expect(q, false, "RR2 read");
    q.writel(cr, 0);
}

#[test]
fn side_a_interrupt_reaches_gic_spi_88() {
    let mut q = Qtest::start(Accel::Qtest, &[]);
    q.irq_intercept_in(QOM_GIC);
    check_line_follows_flags_and_enables(&mut q, Side::A, GIC_SPI_MU_A);
}

#[test]
fn side_b_interrupt_reaches_m4_nvic_97() {
    let mut q = Qtest::start(Accel::Qtest, &[]);
    q.irq_intercept_in(QOM_M4);
    check_line_follows_flags_and_enables(&mut q, Side::B, NVIC_IRQ_MU_B);
}

#[test]
fn mu_outputs_are_independent_and_reset_by_mur() {
    let mut q = Qtest::start(Accel::Qtest, &[]);
    q.irq_intercept_out(QOM_MU, MU_IRQ_LIST);
    let (a, b) = (Side::A.mu_irq_index(), Side::B.mu_irq_index());

    check_line_follows_flags_and_enables(&mut q, Side::A, a);
    assert!(!q.irq_level(b), "side B line stayed low");

    // Raise both: A by a pending receive, B by a transmit-empty enable.
    q.writel(Side::A.addr(Reg::Cr), cr_rie(3));
    q.writel(Side::B.addr(Reg::Tr(3)), 7);
    q.writel(Side::B.addr(Reg::Cr), cr_tie(1));
    assert!(q.irq_level(a) && q.irq_level(b), "both lines up");

    q.writel(Side::A.addr(Reg::Cr), CR_MUR);
    assert!(!q.irq_level(a) && !q.irq_level(b), "MUR lowers both lines");
}
