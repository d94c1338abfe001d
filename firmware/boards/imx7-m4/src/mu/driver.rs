// SPDX-License-Identifier: MIT OR Apache-2.0
//! The side-B MU driver on the hardware.

use core::sync::atomic::{AtomicBool, Ordering};

use super::bits::{Control, Group, CR, SR};
use super::{Busy, Channel, ChannelSet, Events, Ring, Status};
use crate::mmio::Block;
use crate::MU_B_BASE;

/// Set once the driver has been handed out.
static TAKEN: AtomicBool = AtomicBool::new(false);

/// Owned driver for side B of the Messaging Unit. There is at most one
/// (see [`Mu::take`]); methods that change state take `&mut self`.
#[derive(Debug)]
pub struct Mu {
    regs: Block,
}

impl Mu {
    /// Returns the driver the first time it is called, `None` afterwards.
    pub fn take() -> Option<Mu> {
        if TAKEN.swap(true, Ordering::AcqRel) {
            None
        } else {
            // SAFETY: we are the only user (guarded by TAKEN).
            Some(unsafe { Self::steal() })
        }
    }

    /// Creates the driver regardless of [`Mu::take`].
    ///
    /// # Safety
    /// The caller must make sure that no other `Mu` is used at the same time
    /// (for example in a fault handler after everything else has stopped).
    pub unsafe fn steal() -> Mu {
        Mu {
            // SAFETY: MU_B_BASE is side B's register block on the i.MX7,
            // mapped for the M4; only TR/RR/SR/CR offsets are used below.
            regs: unsafe { Block::new(MU_B_BASE) },
        }
    }

    /// Reads the status register.
    pub fn status(&self) -> Status {
        Status(self.regs.read(SR))
    }

    /// Reads the control register.
    pub fn control(&self) -> Control {
        Control(self.regs.read(CR))
    }

    /// The events currently driving the MU interrupt (flags that are set
    /// and enabled). An interrupt handler services these.
    pub fn events(&self) -> Events {
        Events::of(self.status(), self.control())
    }

    /// Writes `word` to TRn if the other side has read the previous one.
    /// Never overwrites an unread word.
    #[inline]
    pub fn try_send(&mut self, channel: Channel, word: u32) -> Result<(), Busy> {
        if self.status().tx_empty().contains(channel) {
            self.regs.write(channel.tr(), word);
            Ok(())
        } else {
            Err(Busy)
        }
    }

    /// Writes `word` to TRn without looking at TEn: for a caller that has
    /// just read the status and found TEn set (the other side has read the
    /// previous word). Called with TEn clear, it overwrites an unread word.
    #[inline]
    pub fn write_unchecked(&mut self, channel: Channel, word: u32) {
        self.regs.write(channel.tr(), word);
    }

    /// Like [`Mu::try_send`], polling up to `max_polls` more times while the
    /// transmit register is full. Never blocks forever on a dead peer.
    pub fn send(&mut self, channel: Channel, word: u32, max_polls: u32) -> Result<(), Busy> {
        for _ in 0..max_polls {
            if self.try_send(channel, word).is_ok() {
                return Ok(());
            }
            core::hint::spin_loop();
        }
        self.try_send(channel, word)
    }

    /// Reads RRn if it holds an unread word (which frees the other side's
    /// TRn), `None` otherwise.
    pub fn try_recv(&mut self, channel: Channel) -> Option<u32> {
        if self.status().rx_full().contains(channel) {
            Some(self.regs.read(channel.rr()))
        } else {
            None
        }
    }

    /// Like [`Mu::try_recv`], polling up to `max_polls` more times.
    pub fn recv(&mut self, channel: Channel, max_polls: u32) -> Option<u32> {
        for _ in 0..max_polls {
            if let Some(word) = self.try_recv(channel) {
                return Some(word);
            }
            core::hint::spin_loop();
        }
        self.try_recv(channel)
    }

    /// Turns the enables of `group` on or off for the channels in `set`
    /// (read-modify-write of CR that never re-rings a doorbell).
    fn set_enables(&mut self, group: Group, set: ChannelSet, on: bool) {
        let cr = self.control().with(group, set, on);
        self.regs.write(CR, cr.for_write());
    }

    /// Enables or disables the receive-full interrupt (RIEn) of `set`.
    pub fn set_rx_interrupt(&mut self, set: ChannelSet, on: bool) {
        self.set_enables(Group::RxIrq, set, on);
    }

    /// Enables or disables the transmit-empty interrupt (TIEn) of `set`.
    pub fn set_tx_interrupt(&mut self, set: ChannelSet, on: bool) {
        self.set_enables(Group::TxIrq, set, on);
    }

    /// Enables or disables the doorbell interrupt (GIEn) of `set`.
    pub fn set_doorbell_interrupt(&mut self, set: ChannelSet, on: bool) {
        self.set_enables(Group::GeneralIrq, set, on);
    }

    /// Disables every MU interrupt source of this side.
    pub fn disable_interrupts(&mut self) {
        for group in [Group::RxIrq, Group::TxIrq, Group::GeneralIrq] {
            self.set_enables(group, ChannelSet::ALL, false);
        }
    }

    /// Rings doorbell `channel` on side A (sets its GIPn through our GIRn).
    pub fn ring_doorbell(&mut self, channel: Channel) -> Ring {
        let cr = self.control();
        if cr.get(Group::GeneralRequest).contains(channel) {
            return Ring::AlreadyPending;
        }
        self.regs
            .write(CR, cr.for_write() | Group::GeneralRequest.bit(channel));
        Ring::Rung
    }

    /// Doorbells rung by side A and not yet cleared.
    pub fn pending_doorbells(&self) -> ChannelSet {
        self.status().doorbells()
    }

    /// Clears the doorbells in `set` (GIPn is write-1-to-clear; other SR
    /// bits are written as 0, which leaves them alone).
    pub fn clear_doorbells(&mut self, set: ChannelSet) {
        if !set.is_empty() {
            self.regs.write(SR, Group::GeneralPending.bits(set));
        }
    }

    /// Returns and clears the pending doorbells that are enabled.
    pub fn take_doorbells(&mut self) -> ChannelSet {
        let pending = self.events().doorbells;
        self.clear_doorbells(pending);
        pending
    }
}
