// SPDX-License-Identifier: GPL-2.0
//! KUnit tests of the register and bit logic; they run when the module is
//! loaded and print `# imx_mu_rs: pass:N fail:0 ...` on the console.

#[kernel::macros::kunit_tests(imx_mu_rs)]
mod suite {
    use crate::regs::*;

    #[test]
    fn channel_bits_follow_the_reference_manual() {
        // Channel n uses bit base + 3 - n.
        assert_eq!(sr_te(0), 1 << 23);
        assert_eq!(sr_te(3), 1 << 20);
        assert_eq!(sr_rf(0), 1 << 27);
        assert_eq!(sr_rf(3), 1 << 24);
        assert_eq!(sr_gip(0), 1 << 31);
        assert_eq!(sr_gip(3), 1 << 28);
        assert_eq!(cr_gir(0), 1 << 19);
        assert_eq!(cr_gir(3), 1 << 16);
        assert_eq!(cr_tie(1), 1 << 22);
        assert_eq!(cr_rie(2), 1 << 25);
        assert_eq!(cr_gie(3), 1 << 28);
        assert_eq!(
            mask_bits(0xF, cr_tie) | mask_bits(0xF, cr_rie) | mask_bits(0xF, cr_gie),
            CR_IE_ALL
        );
        assert_eq!(mask_bits(0xF, cr_gir), CR_GIR_ALL);
        assert_eq!(mask_bits(0xF, sr_gip), SR_GIP_ALL);
        assert_eq!(mask_bits(0b0101, sr_rf), sr_rf(0) | sr_rf(2));
    }

    #[test]
    fn specifier_maps_type_and_index_to_16_channels() {
        let mut seen = 0u32;
        for ty in 0..4u32 {
            for idx in 0..4u32 {
                let id = ChanId::from_cells(&[ty, idx]).unwrap();
                assert_eq!(id.number(), (ty * 4 + idx) as usize);
                assert_eq!(ChanId::from_number(id.number()), Some(id));
                seen |= 1 << id.number();
            }
        }
        assert_eq!(seen, 0xFFFF);
        assert_eq!(NUM_CHANS, 16);
        assert_eq!(ChanId::from_cells(&[1, 3]).unwrap().ty, ChanType::Rx);
        assert_eq!(ChanId::from_cells(&[2, 0]).unwrap().ty, ChanType::TxDb);
        assert_eq!(ChanId::from_number(16), None);
    }

    #[test]
    fn bad_specifiers_are_rejected() {
        assert_eq!(ChanId::from_cells(&[0]), Err(SpecError::CellCount(1)));
        assert_eq!(ChanId::from_cells(&[0, 1, 2]), Err(SpecError::CellCount(3)));
        assert_eq!(
            ChanId::from_cells(&[4, 0]),
            Err(SpecError::UnsupportedType(4))
        );
        assert_eq!(
            ChanId::from_cells(&[5, 0]),
            Err(SpecError::UnsupportedType(5))
        );
        assert_eq!(ChanId::from_cells(&[6, 0]), Err(SpecError::BadType(6)));
        assert_eq!(ChanId::from_cells(&[0, 4]), Err(SpecError::BadIndex(4)));
        assert_eq!(
            ChanId::from_cells(&[1, u32::MAX]),
            Err(SpecError::BadIndex(u32::MAX))
        );
    }

    #[test]
    fn each_channel_type_has_its_interrupt_bits() {
        let tx = ChanId::from_cells(&[0, 2]).unwrap();
        assert_eq!(tx.irq_bits(), Some((cr_tie(2), sr_te(2))));
        let rx = ChanId::from_cells(&[1, 1]).unwrap();
        assert_eq!(rx.irq_bits(), Some((cr_rie(1), sr_rf(1))));
        let rxdb = ChanId::from_cells(&[3, 0]).unwrap();
        assert_eq!(rxdb.irq_bits(), Some((cr_gie(0), sr_gip(0))));
        let txdb = ChanId::from_cells(&[2, 3]).unwrap();
        assert_eq!(txdb.irq_bits(), None);
    }

    #[test]
    fn events_need_flag_and_enable() {
        // Everything pending, nothing enabled: not our interrupt.
        assert!(Events::of(0xFFF0_0000, 0).is_empty());
        // TE1 set with TIE1, RF3 with RIE3, GIP0 with GIE0; RF0 without RIE0.
        let sr = sr_te(1) | sr_rf(3) | sr_rf(0) | sr_gip(0);
        let cr = cr_tie(1) | cr_rie(3) | cr_gie(0) | cr_gir(2);
        let ev = Events::of(sr, cr);
        assert_eq!(ev.tx_empty, 0b0010);
        assert_eq!(ev.rx_full, 0b1000);
        assert_eq!(ev.doorbell, 0b0001);
        assert!(!ev.is_empty());
        // TE is set whenever TR is empty: without TIE it is no event.
        assert!(Events::of(0x00F0_0000, CR_GIR_ALL).is_empty());
    }

    #[test]
    fn control_updates_never_ring_or_reset() {
        let cr = cr_gir(1) | cr_rie(0) | 1 << 5;
        let new = cr_update(cr, cr_tie(2), cr_rie(0));
        assert_eq!(new, cr_tie(2));
        assert_eq!(cr_update(0, cr_gir(3), 0), cr_gir(3));
        assert_eq!(cr_update(CR_IE_ALL, 0, CR_IE_ALL), 0);
    }

    #[test]
    fn per_soc_layouts() {
        assert_eq!(LAYOUT_IMX6SX.tr(0), 0x00);
        assert_eq!(LAYOUT_IMX6SX.tr(3), 0x0C);
        assert_eq!(LAYOUT_IMX6SX.rr(0), 0x10);
        assert_eq!(LAYOUT_IMX6SX.rr(3), 0x1C);
        assert_eq!(LAYOUT_IMX6SX.sr, 0x20);
        assert_eq!(LAYOUT_IMX6SX.cr, 0x24);
        assert_eq!(LAYOUT_IMX6SX.span(), 0x28);
        assert_eq!(LAYOUT_IMX7ULP.tr(0), 0x20);
        assert_eq!(LAYOUT_IMX7ULP.tr(3), 0x2C);
        assert_eq!(LAYOUT_IMX7ULP.rr(0), 0x40);
        assert_eq!(LAYOUT_IMX7ULP.rr(3), 0x4C);
        assert_eq!(LAYOUT_IMX7ULP.sr, 0x60);
        assert_eq!(LAYOUT_IMX7ULP.cr, 0x64);
        assert_eq!(LAYOUT_IMX7ULP.span(), 0x68);
    }

    #[test]
    fn side_b_keeps_what_side_a_set_up() {
        let a = InitPlan::for_side(false);
        assert!(a.clear_control && a.clear_doorbells && a.drain_receive);
        let b = InitPlan::for_side(true);
        assert!(!b.clear_control && !b.clear_doorbells && !b.drain_receive);
    }
}
