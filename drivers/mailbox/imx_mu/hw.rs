// SPDX-License-Identifier: GPL-2.0
//! One side of a Messaging Unit: its registers, the lock that serialises
//! read-modify-writes of CR, and the mailbox channel operations.

use super::regs::{self, ChanId, ChanType, InitPlan, Layout};
use crate::mailbox::controller::{MboxControllerOps, Sent, TxMessage};
use kernel::{
    clk::{Clk, OptionalClk},
    device::Device,
    io::{mem::IoMem, Io},
    new_spinlock_irq,
    prelude::*,
    sync::{aref::ARef, SpinLockIrq},
};

/// The unit's clock: named by the node, or absent (`clocks` is optional).
pub(crate) enum MuClock {
    /// The node's `clocks` entry.
    Named(Clk),
    /// No `clocks` property: a null clock, every operation a no-op.
    Absent(OptionalClk),
}

impl MuClock {
    fn clk(&self) -> &Clk {
        match self {
            Self::Named(c) => c,
            Self::Absent(c) => c,
        }
    }
}

/// The unit's clock, enabled for as long as this lives.
pub(crate) struct EnabledClk(MuClock);

impl EnabledClk {
    /// Prepares and enables `clk`.
    pub(crate) fn new(clk: MuClock) -> Result<Self> {
        clk.clk().prepare_enable()?;
        Ok(Self(clk))
    }
}

impl Drop for EnabledClk {
    fn drop(&mut self) {
        self.0.clk().disable_unprepare();
    }
}

/// One side of a Messaging Unit.
///
/// # Invariants
///
/// `io` covers at least `layout.span()` bytes, so every register access of
/// the layout is in bounds.
#[pin_data(PinnedDrop)]
pub(crate) struct MuHw<'bound> {
    io: IoMem<'bound>,
    layout: Layout,
    side_b: bool,
    /// Serialises read-modify-writes of CR (the IRQ handler does them too).
    #[pin]
    cr_lock: SpinLockIrq<()>,
    dev: ARef<Device>,
    /// Declared last: dropped after `PinnedDrop` has silenced the unit.
    _clk: EnabledClk,
}

impl<'bound> MuHw<'bound> {
    /// Takes over the unit mapped at `io`, whose clock is running.
    pub(crate) fn new(
        dev: &Device,
        io: IoMem<'bound>,
        layout: Layout,
        side_b: bool,
        clk: EnabledClk,
    ) -> Result<impl PinInit<Self, Error> + 'bound> {
        let size = (&io).size();
        if size < layout.span() {
            dev_err!(
                dev,
                "'reg' is {:#x} bytes, the {} layout needs {:#x}\n",
                size,
                layout.name,
                layout.span()
            );
            return Err(EINVAL);
        }
        let dev: ARef<Device> = dev.into();
        Ok(try_pin_init!(Self {
            io,
            layout,
            side_b,
            cr_lock <- new_spinlock_irq!((), "imx_mu_cr"),
            dev,
            _clk: clk,
        }? Error))
    }

    fn read(&self, offset: usize) -> u32 {
        // Bounds: every offset comes from `layout`, within `io` (invariant).
        (&self.io).try_read32(offset).unwrap_or(0)
    }

    fn write(&self, value: u32, offset: usize) {
        // Bounds as in `read`; an error cannot happen.
        let _ = (&self.io).try_write32(value, offset);
    }

    /// Reads SR.
    pub(crate) fn status(&self) -> u32 {
        self.read(self.layout.sr)
    }

    /// Reads CR.
    pub(crate) fn control(&self) -> u32 {
        self.read(self.layout.cr)
    }

    /// Sets and clears CR bits atomically with respect to other updates.
    pub(crate) fn update_control(&self, set: u32, clear: u32) {
        let _guard = self.cr_lock.lock();
        self.write(regs::cr_update(self.control(), set, clear), self.layout.cr);
    }

    /// Reads RRn (clears RFn, and lets the remote send the next word).
    pub(crate) fn receive(&self, n: u8) -> u32 {
        self.read(self.layout.rr(n))
    }

    /// Acknowledges the doorbells in `sr_bits` (GIPn is write-1-to-clear;
    /// the other SR bits ignore writes).
    pub(crate) fn clear_doorbells(&self, sr_bits: u32) {
        self.write(sr_bits & regs::SR_GIP_ALL, self.layout.sr);
    }

    /// Brings the unit to a known state at probe (see [`InitPlan`]).
    pub(crate) fn init(&self) {
        let plan = InitPlan::for_side(self.side_b);
        if plan.clear_control {
            let _guard = self.cr_lock.lock();
            self.write(0, self.layout.cr);
        }
        if plan.clear_doorbells {
            self.clear_doorbells(self.status());
        }
        if plan.drain_receive {
            for n in 0..regs::CHANNELS_PER_TYPE as u8 {
                if self.status() & regs::sr_rf(n) != 0 {
                    let _ = self.receive(n);
                }
            }
        }
    }

    fn send_word(&self, n: u8, word: u32) -> Result<Sent> {
        let _guard = self.cr_lock.lock();
        let cr = self.control();
        if self.status() & regs::sr_te(n) == 0 {
            // The remote has not read our previous word: never overwrite it.
            // Ask for the TE interrupt so that the framework retries then.
            self.write(regs::cr_update(cr, regs::cr_tie(n), 0), self.layout.cr);
            return Err(EBUSY);
        }
        self.write(word, self.layout.tr(n));
        self.write(regs::cr_update(cr, regs::cr_tie(n), 0), self.layout.cr);
        Ok(Sent::Pending)
    }
}

#[pinned_drop]
impl PinnedDrop for MuHw<'_> {
    fn drop(self: Pin<&mut Self>) {
        // Every client is gone and the interrupt is freed: switch off all
        // our interrupt sources so that nothing stays enabled or pending
        // for a later driver, then the clock goes.
        self.update_control(0, regs::CR_IE_ALL);
        if !self.side_b {
            self.clear_doorbells(self.status());
        }
    }
}

#[vtable]
impl MboxControllerOps for MuHw<'_> {
    fn send_data(&self, chan: usize, msg: TxMessage) -> Result<Sent> {
        let id = ChanId::from_number(chan).ok_or(EINVAL)?;
        match id.ty {
            ChanType::Tx => {
                // SAFETY: The fsl,mu binding defines messages of TX channels
                // as pointers to the 32-bit word to send (as the C driver
                // reads them); null is rejected by `read_u32`.
                let word = unsafe { msg.read_u32() }.ok_or(EINVAL)?;
                self.send_word(id.idx, word)
            }
            ChanType::TxDb => {
                // A doorbell carries no data and has no acknowledge: ring it
                // and let the glue complete the message.
                self.update_control(regs::cr_gir(id.idx), 0);
                Ok(Sent::Done)
            }
            ChanType::Rx | ChanType::RxDb => {
                dev_warn!(self.dev, "send on receive-only channel {}\n", chan);
                Err(EINVAL)
            }
        }
    }

    fn startup(&self, chan: usize) -> Result {
        let id = ChanId::from_number(chan).ok_or(EINVAL)?;
        // Receiving channels report from now on; TX enables TIEn per send.
        if matches!(id.ty, ChanType::Rx | ChanType::RxDb) {
            if let Some((enable, _)) = id.irq_bits() {
                self.update_control(enable, 0);
            }
        }
        Ok(())
    }

    fn shutdown(&self, chan: usize) {
        if let Some((enable, _)) = ChanId::from_number(chan).and_then(ChanId::irq_bits) {
            self.update_control(0, enable);
        }
    }

    fn last_tx_done(&self, chan: usize) -> bool {
        match ChanId::from_number(chan) {
            Some(ChanId {
                ty: ChanType::Tx,
                idx,
            }) => self.status() & regs::sr_te(idx) != 0,
            _ => true,
        }
    }

    fn peek_data(&self, chan: usize) -> bool {
        match ChanId::from_number(chan) {
            Some(ChanId {
                ty: ChanType::Rx,
                idx,
            }) => self.status() & regs::sr_rf(idx) != 0,
            _ => false,
        }
    }

    fn of_xlate(&self, cells: &[u32]) -> Result<usize> {
        match ChanId::from_cells(cells) {
            Ok(id) => Ok(id.number()),
            Err(e) => {
                dev_err!(self.dev, "invalid mboxes specifier {:?}: {:?}\n", cells, e);
                Err(EINVAL)
            }
        }
    }
}
