// SPDX-License-Identifier: GPL-2.0-or-later
//! Register semantics of the emulated i.MX7 Messaging Unit, driven from
//! both sides with no CPU running (qtest accelerator).

use mu_qtest::board::{
    cr_gie, cr_gir, cr_rie, cr_tie, sr_gip, sr_rf, sr_te, CHANNELS, CR_F_MASK, CR_MUR, SR_GIP_MASK,
    SR_RESET, TCML_A7, TCMU_A7, TCM_SIZE,
};
use mu_qtest::{Accel, Qtest, Reg, Side};

fn board() -> Qtest {
    Qtest::start(Accel::Qtest, &[])
}

fn read(q: &mut Qtest, side: Side, reg: Reg) -> u32 {
    q.readl(side.addr(reg))
}

fn write(q: &mut Qtest, side: Side, reg: Reg, value: u32) {
    q.writel(side.addr(reg), value)
}

/// A word that differs per side and channel.
fn word(side: Side, n: u32) -> u32 {
    0xA5A5_0000 ^ (n << 8) ^ if side == Side::A { 0x11 } else { 0x22 }
}

fn assert_reset_state(q: &mut Qtest) {
    for side in Side::BOTH {
        assert_eq!(read(q, side, Reg::Sr), SR_RESET, "{side:?} SR after reset");
        assert_eq!(read(q, side, Reg::Cr), 0, "{side:?} CR after reset");
        for n in 0..CHANNELS {
            assert_eq!(read(q, side, Reg::Tr(n)), 0, "{side:?} TR{n} after reset");
            assert_eq!(read(q, side, Reg::Rr(n)), 0, "{side:?} RR{n} after reset");
        }
    }
}

#[test]
fn reset_values() {
    let mut q = board();
    assert_reset_state(&mut q);
}

#[test]
fn transmit_sets_receive_full_on_the_other_side() {
    let mut q = board();
    for side in Side::BOTH {
        let peer = side.peer();
        for n in 0..CHANNELS {
            write(&mut q, side, Reg::Tr(n), word(side, n));
            let sr = read(&mut q, side, Reg::Sr);
            assert_eq!(sr & sr_te(n), 0, "{side:?} TE{n} clears on write");
            assert_eq!(
                sr & sr_rf(n),
                0,
                "{side:?} RF{n} unaffected by its own write"
            );
            let peer_sr = read(&mut q, peer, Reg::Sr);
            assert_ne!(
                peer_sr & sr_rf(n),
                0,
                "{peer:?} RF{n} set by {side:?} TR{n}"
            );
            assert_ne!(peer_sr & sr_te(n), 0, "{peer:?} TE{n} untouched");
            // Channels above n are still idle.
            for m in n + 1..CHANNELS {
                assert_ne!(sr & sr_te(m), 0, "{side:?} TE{m} untouched");
                assert_eq!(peer_sr & sr_rf(m), 0, "{peer:?} RF{m} untouched");
            }
        }
        for n in 0..CHANNELS {
            assert_eq!(read(&mut q, peer, Reg::Rr(n)), word(side, n));
        }
    }
}

#[test]
fn reading_receive_clears_full_and_sets_empty_on_the_writer() {
    let mut q = board();
    for side in Side::BOTH {
        let peer = side.peer();
        for n in 0..CHANNELS {
            write(&mut q, side, Reg::Tr(n), word(side, n));
        }
        for n in 0..CHANNELS {
            assert_eq!(read(&mut q, peer, Reg::Rr(n)), word(side, n));
            assert_eq!(read(&mut q, peer, Reg::Sr) & sr_rf(n), 0, "RF{n} cleared");
            assert_ne!(read(&mut q, side, Reg::Sr) & sr_te(n), 0, "TE{n} set again");
            // A second read returns the same word and changes nothing.
            assert_eq!(read(&mut q, peer, Reg::Rr(n)), word(side, n));
            assert_eq!(
                read(&mut q, side, Reg::Tr(n)),
                word(side, n),
                "TR reads back"
            );
        }
        assert_eq!(read(&mut q, side, Reg::Sr), SR_RESET);
        assert_eq!(read(&mut q, peer, Reg::Sr), SR_RESET);
    }
}

#[test]
fn writing_a_full_channel_overwrites_the_unread_word() {
    let mut q = board();
    for side in Side::BOTH {
        let peer = side.peer();
        for n in 0..CHANNELS {
            write(&mut q, side, Reg::Tr(n), 1);
            write(&mut q, side, Reg::Tr(n), word(side, n));
            assert_eq!(read(&mut q, side, Reg::Sr) & sr_te(n), 0);
            assert_ne!(read(&mut q, peer, Reg::Sr) & sr_rf(n), 0);
            assert_eq!(
                read(&mut q, peer, Reg::Rr(n)),
                word(side, n),
                "latest word wins"
            );
            assert_eq!(read(&mut q, peer, Reg::Sr) & sr_rf(n), 0);
            assert_ne!(read(&mut q, side, Reg::Sr) & sr_te(n), 0);
        }
    }
}

#[test]
fn receive_registers_are_read_only() {
    let mut q = board();
    for side in Side::BOTH {
        for n in 0..CHANNELS {
            write(&mut q, side, Reg::Rr(n), 0xDEAD_BEEF);
            assert_eq!(read(&mut q, side, Reg::Rr(n)), 0);
        }
        assert_eq!(read(&mut q, side.peer(), Reg::Sr), SR_RESET);
    }
}

#[test]
fn general_purpose_interrupt_request_and_acknowledge() {
    let mut q = board();
    for side in Side::BOTH {
        let peer = side.peer();
        for n in 0..CHANNELS {
            write(&mut q, side, Reg::Cr, cr_gir(n));
            assert_eq!(read(&mut q, peer, Reg::Sr) & SR_GIP_MASK, sr_gip(n));
            assert_eq!(read(&mut q, side, Reg::Cr), cr_gir(n), "GIR{n} pending");
            assert_eq!(
                read(&mut q, side, Reg::Sr) & SR_GIP_MASK,
                0,
                "own GIP clear"
            );

            // Writing 0 to a pending GIRn does not cancel it.
            write(&mut q, side, Reg::Cr, 0);
            assert_eq!(read(&mut q, side, Reg::Cr), cr_gir(n));

            // Only a 1 in GIPn clears it; other SR bits are read-only.
            write(&mut q, peer, Reg::Sr, !sr_gip(n));
            assert_eq!(read(&mut q, peer, Reg::Sr), SR_RESET | sr_gip(n));
            write(&mut q, peer, Reg::Sr, sr_gip(n));
            assert_eq!(read(&mut q, peer, Reg::Sr), SR_RESET, "GIP{n} is W1C");
            assert_eq!(read(&mut q, side, Reg::Cr), 0, "acknowledge retires GIR{n}");
        }
    }
}

#[test]
fn all_general_purpose_requests_at_once() {
    let mut q = board();
    let all_gir: u32 = (0..CHANNELS).map(cr_gir).sum();
    write(&mut q, Side::B, Reg::Cr, all_gir);
    assert_eq!(read(&mut q, Side::A, Reg::Sr), SR_RESET | SR_GIP_MASK);
    write(&mut q, Side::A, Reg::Sr, sr_gip(1) | sr_gip(2));
    assert_eq!(
        read(&mut q, Side::A, Reg::Sr),
        SR_RESET | sr_gip(0) | sr_gip(3)
    );
    assert_eq!(read(&mut q, Side::B, Reg::Cr), cr_gir(0) | cr_gir(3));
}

#[test]
fn control_enables_and_flags_read_back_and_flags_show_on_the_peer() {
    let mut q = board();
    let enables: u32 = (0..CHANNELS)
        .map(|n| cr_gie(n) | cr_rie(n) | cr_tie(n))
        .sum();
    for (side, flags) in [(Side::A, 0x5), (Side::B, 0x2)] {
        write(&mut q, side, Reg::Cr, enables | flags);
        assert_eq!(read(&mut q, side, Reg::Cr), enables | flags);
        assert_eq!(read(&mut q, side.peer(), Reg::Sr) & CR_F_MASK, flags);
    }
    assert_eq!(read(&mut q, Side::A, Reg::Sr) & CR_F_MASK, 0x2);
    assert_eq!(read(&mut q, Side::B, Reg::Sr) & CR_F_MASK, 0x5);
}

#[test]
fn side_a_mur_resets_both_sides() {
    let mut q = board();
    let enables = cr_rie(0) | cr_tie(1) | cr_gie(2) | 0x3;
    for side in Side::BOTH {
        write(&mut q, side, Reg::Cr, enables);
        for n in 0..CHANNELS {
            write(&mut q, side, Reg::Tr(n), word(side, n));
        }
        write(&mut q, side, Reg::Cr, enables | cr_gir(2));
    }
    assert_ne!(read(&mut q, Side::A, Reg::Sr), SR_RESET);

    // MUR on side B is not a reset bit: nothing happens.
    write(&mut q, Side::B, Reg::Cr, enables | CR_MUR);
    assert_eq!(read(&mut q, Side::B, Reg::Cr), enables | cr_gir(2));
    assert_ne!(read(&mut q, Side::A, Reg::Sr) & sr_rf(0), 0);

    write(&mut q, Side::A, Reg::Cr, CR_MUR);
    assert_reset_state(&mut q);
}

#[test]
fn unknown_offsets_read_zero_and_ignore_writes() {
    let mut q = board();
    for side in Side::BOTH {
        for offset in [0x28, 0x2C, 0x100, 0xFFFC] {
            q.writel(side.base() + offset, 0xFFFF_FFFF);
            assert_eq!(q.readl(side.base() + offset), 0, "{side:?} +{offset:#x}");
        }
    }
    assert_reset_state(&mut q);
}

#[test]
fn tcms_are_ram_visible_to_the_a7() {
    let mut q = board();
    for (base, tag) in [(TCML_A7, 0x7C31_0000), (TCMU_A7, 0x7C37_0000)] {
        for offset in [0, 4, u64::from(TCM_SIZE) - 4] {
            q.writel(base + offset, tag | offset as u32);
        }
        for offset in [0, 4, u64::from(TCM_SIZE) - 4] {
            assert_eq!(q.readl(base + offset), tag | offset as u32);
        }
    }
}
