// SPDX-License-Identifier: GPL-2.0
//! The MU interrupt: one shared line for every channel of one side.

use super::hw::MuHw;
use super::regs::{self, ChanId, ChanType, Events};
use crate::mailbox::controller::Controller;
use kernel::{
    irq::{Handler, IrqReturn},
    sync::Arc,
};

/// The controller type of one MU side.
pub(crate) type MuController<'bound> = Controller<MuHw<'bound>, { regs::NUM_CHANS }>;

/// The interrupt handler: finds the enabled events in SR and reports them.
pub(crate) struct MuIrq<'bound> {
    ctrl: Arc<MuController<'bound>>,
}

impl<'bound> MuIrq<'bound> {
    /// A handler reporting to `ctrl`.
    pub(crate) fn new(ctrl: Arc<MuController<'bound>>) -> Self {
        Self { ctrl }
    }
}

impl Handler for MuIrq<'_> {
    fn handle(&self) -> IrqReturn {
        let hw = self.ctrl.data();
        let ev = Events::of(hw.status(), hw.control());
        if ev.is_empty() {
            // Shared line: another device's interrupt.
            return IrqReturn::None;
        }
        // Completions first, so that a client answering a reply from its
        // receive callback finds the previous word already accounted for.
        if ev.tx_empty != 0 {
            hw.update_control(0, regs::mask_bits(ev.tx_empty, regs::cr_tie));
            for idx in set_bits(ev.tx_empty) {
                let id = ChanId {
                    ty: ChanType::Tx,
                    idx,
                };
                self.ctrl.tx_done(id.number(), Ok(()));
            }
        }
        for idx in set_bits(ev.rx_full) {
            // Reading RRn clears RFn. The word is untrusted data for the
            // client; we only pass it on.
            let mut word = hw.receive(idx);
            let id = ChanId {
                ty: ChanType::Rx,
                idx,
            };
            self.ctrl.received(id.number(), Some(&mut word));
        }
        if ev.doorbell != 0 {
            hw.clear_doorbells(regs::mask_bits(ev.doorbell, regs::sr_gip));
            for idx in set_bits(ev.doorbell) {
                let id = ChanId {
                    ty: ChanType::RxDb,
                    idx,
                };
                self.ctrl.received::<u32>(id.number(), None);
            }
        }
        IrqReturn::Handled
    }
}

/// The channel numbers set in a 4-bit mask, lowest first.
fn set_bits(mask: u8) -> impl Iterator<Item = u8> {
    (0..regs::CHANNELS_PER_TYPE as u8).filter(move |n| mask & (1 << n) != 0)
}
