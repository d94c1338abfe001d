// SPDX-License-Identifier: GPL-2.0
//! Register map and bit logic of the i.MX Messaging Unit (generic layout,
//! `fsl,mu.yaml`), as pure values so that KUnit can check them.
//!
//! Each side has four transmit registers TR0–3, four receive registers
//! RR0–3, a status register SR and a control register CR. Per-channel flags
//! come in groups of four bits, channel `n` at bit `base + 3 - n`:
//! SR TEn (20), RFn (24), GIPn (28); CR GIRn (16), TIEn (20), RIEn (24),
//! GIEn (28). The interrupt line is the OR of the enabled flags.

/// Channels per type (TR/RR pairs, doorbells).
pub(crate) const CHANNELS_PER_TYPE: usize = 4;
/// Channel types this driver offers (TX, RX, TXDB, RXDB).
pub(crate) const CHANNEL_TYPES: usize = 4;
/// Mailbox channels of the controller: type × index.
pub(crate) const NUM_CHANS: usize = CHANNEL_TYPES * CHANNELS_PER_TYPE;

/// The kind of a mailbox channel: the first cell of a `mboxes` specifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChanType {
    /// Sends a 32-bit word through TRn; done when the remote reads it.
    Tx = 0,
    /// Receives 32-bit words from RRn.
    Rx = 1,
    /// Rings doorbell n on the remote (GIRn).
    TxDb = 2,
    /// Doorbell n rung by the remote (GIPn).
    RxDb = 3,
}

/// Why a `mboxes` specifier does not name a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SpecError {
    /// Not exactly two cells (`#mbox-cells = <2>`).
    CellCount(usize),
    /// Types 4 (reset) and 5 (doorbell with acknowledge) exist in the binding
    /// for other MU variants; this driver does not offer them.
    UnsupportedType(u32),
    /// Not a channel type of the binding.
    BadType(u32),
    /// Index outside 0..=3.
    BadIndex(u32),
}

/// One mailbox channel: a type and a hardware index 0..=3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChanId {
    /// The channel type.
    pub(crate) ty: ChanType,
    /// The MU channel (register pair or doorbell) number.
    pub(crate) idx: u8,
}

impl ChanId {
    /// Parses the cells of a `mboxes` specifier: `<type index>`.
    pub(crate) fn from_cells(cells: &[u32]) -> Result<Self, SpecError> {
        let &[ty, idx] = cells else {
            return Err(SpecError::CellCount(cells.len()));
        };
        let ty = match ty {
            0 => ChanType::Tx,
            1 => ChanType::Rx,
            2 => ChanType::TxDb,
            3 => ChanType::RxDb,
            4 | 5 => return Err(SpecError::UnsupportedType(ty)),
            _ => return Err(SpecError::BadType(ty)),
        };
        if idx as usize >= CHANNELS_PER_TYPE {
            return Err(SpecError::BadIndex(idx));
        }
        Ok(Self { ty, idx: idx as u8 })
    }

    /// The channel with controller channel number `n` (`type * 4 + index`).
    pub(crate) fn from_number(n: usize) -> Option<Self> {
        let ty = match n / CHANNELS_PER_TYPE {
            0 => ChanType::Tx,
            1 => ChanType::Rx,
            2 => ChanType::TxDb,
            3 => ChanType::RxDb,
            _ => return None,
        };
        Some(Self {
            ty,
            idx: (n % CHANNELS_PER_TYPE) as u8,
        })
    }

    /// The controller channel number, `type * 4 + index`.
    pub(crate) fn number(self) -> usize {
        self.ty as usize * CHANNELS_PER_TYPE + self.idx as usize
    }

    /// The CR enable bit of the channel's interrupt and the SR flag that
    /// raises it; TX doorbells have no interrupt.
    pub(crate) fn irq_bits(self) -> Option<(u32, u32)> {
        let n = self.idx;
        match self.ty {
            ChanType::Tx => Some((cr_tie(n), sr_te(n))),
            ChanType::Rx => Some((cr_rie(n), sr_rf(n))),
            ChanType::RxDb => Some((cr_gie(n), sr_gip(n))),
            ChanType::TxDb => None,
        }
    }
}

/// Bit of channel `n` (0..=3) in a group whose channel-3 bit is `base`.
const fn group_bit(base: u32, n: u8) -> u32 {
    1 << (base + 3 - (n as u32 & 3))
}

/// SR TEn: TRn is empty (the remote has read our last word).
pub(crate) const fn sr_te(n: u8) -> u32 {
    group_bit(20, n)
}
/// SR RFn: RRn holds a word we have not read.
pub(crate) const fn sr_rf(n: u8) -> u32 {
    group_bit(24, n)
}
/// SR GIPn: doorbell n rung by the remote; write 1 to clear.
pub(crate) const fn sr_gip(n: u8) -> u32 {
    group_bit(28, n)
}
/// CR GIRn: ring doorbell n on the remote; cleared by the hardware.
pub(crate) const fn cr_gir(n: u8) -> u32 {
    group_bit(16, n)
}
/// CR TIEn: interrupt while TEn is set.
pub(crate) const fn cr_tie(n: u8) -> u32 {
    group_bit(20, n)
}
/// CR RIEn: interrupt while RFn is set.
pub(crate) const fn cr_rie(n: u8) -> u32 {
    group_bit(24, n)
}
/// CR GIEn: interrupt while GIPn is set.
pub(crate) const fn cr_gie(n: u8) -> u32 {
    group_bit(28, n)
}

/// All GIPn bits of SR.
pub(crate) const SR_GIP_ALL: u32 = 0xF000_0000;
/// All GIRn bits of CR: writing 0 leaves them alone, writing 1 rings.
pub(crate) const CR_GIR_ALL: u32 = 0x000F_0000;
/// All interrupt enables of CR (TIEn, RIEn, GIEn).
pub(crate) const CR_IE_ALL: u32 = 0xFFF0_0000;
/// CR bits that must never be written back as read: the doorbell requests
/// (a stale 1 would ring again) and MUR (bit 5, resets both sides).
pub(crate) const CR_WRITE_AS_ZERO: u32 = CR_GIR_ALL | 1 << 5;

/// The value to write to CR to set `set` and clear `clear`, from its current
/// value `cr`, without re-ringing doorbells or resetting the unit.
pub(crate) const fn cr_update(cr: u32, set: u32, clear: u32) -> u32 {
    (cr & !CR_WRITE_AS_ZERO & !clear) | set
}

/// Enabled events found in SR, one 4-bit mask (bit n = channel n) each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Events {
    /// TRn emptied while TIEn is on: the remote took our word.
    pub(crate) tx_empty: u8,
    /// RRn full while RIEn is on.
    pub(crate) rx_full: u8,
    /// GIPn pending while GIEn is on.
    pub(crate) doorbell: u8,
}

impl Events {
    /// The events an interrupt has to handle, from SR and CR.
    pub(crate) fn of(sr: u32, cr: u32) -> Self {
        let mut ev = Self::default();
        for n in 0..CHANNELS_PER_TYPE as u8 {
            if sr & sr_te(n) != 0 && cr & cr_tie(n) != 0 {
                ev.tx_empty |= 1 << n;
            }
            if sr & sr_rf(n) != 0 && cr & cr_rie(n) != 0 {
                ev.rx_full |= 1 << n;
            }
            if sr & sr_gip(n) != 0 && cr & cr_gie(n) != 0 {
                ev.doorbell |= 1 << n;
            }
        }
        ev
    }

    /// Whether there is nothing to do (the interrupt is not ours).
    pub(crate) fn is_empty(self) -> bool {
        self.tx_empty | self.rx_full | self.doorbell == 0
    }
}

/// CR bits for the channels in a 4-bit mask, using `bit` per channel.
pub(crate) fn mask_bits(mask: u8, bit: fn(u8) -> u32) -> u32 {
    (0..CHANNELS_PER_TYPE as u8)
        .filter(|n| mask & (1 << n) != 0)
        .fold(0, |acc, n| acc | bit(n))
}

/// Register offsets of one MU family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Name for log messages.
    pub(crate) name: &'static str,
    /// TR0; TRn is at `tr + 4n`.
    pub(crate) tr: usize,
    /// RR0; RRn is at `rr + 4n`.
    pub(crate) rr: usize,
    /// The status register.
    pub(crate) sr: usize,
    /// The control register.
    pub(crate) cr: usize,
}

/// i.MX6SX, i.MX7, i.MX8M, i.MX8QM/QXP (`fsl,imx6sx-mu`).
pub(crate) const LAYOUT_IMX6SX: Layout = Layout {
    name: "imx6sx",
    tr: 0x00,
    rr: 0x10,
    sr: 0x20,
    cr: 0x24,
};

/// i.MX7ULP (`fsl,imx7ulp-mu`): the same registers after a parameter
/// block.
pub(crate) const LAYOUT_IMX7ULP: Layout = Layout {
    name: "imx7ulp",
    tr: 0x20,
    rr: 0x40,
    sr: 0x60,
    cr: 0x64,
};

impl Layout {
    /// Offset of TRn.
    pub(crate) const fn tr(&self, n: u8) -> usize {
        self.tr + 4 * (n as usize & 3)
    }

    /// Offset of RRn.
    pub(crate) const fn rr(&self, n: u8) -> usize {
        self.rr + 4 * (n as usize & 3)
    }

    /// Bytes of register space the layout needs.
    pub(crate) const fn span(&self) -> usize {
        let mut end = self.cr;
        if self.sr > end {
            end = self.sr;
        }
        if self.rr + 12 > end {
            end = self.rr + 12;
        }
        if self.tr + 12 > end {
            end = self.tr + 12;
        }
        end + 4
    }
}

/// What probe does to the unit before offering channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InitPlan {
    /// Write CR to 0: all interrupts off (doorbell requests are unaffected).
    pub(crate) clear_control: bool,
    /// Acknowledge doorbells the remote rang before we were there.
    pub(crate) clear_doorbells: bool,
    /// Read RR0–3 to discard words sent before we were there.
    pub(crate) drain_receive: bool,
}

impl InitPlan {
    /// Side A owns the unit and starts clean. Side B (`fsl,mu-side-b`) comes
    /// up while side A may already talk to it: it changes nothing and
    /// discards nothing, only its own interrupt enables are switched later.
    pub(crate) const fn for_side(side_b: bool) -> Self {
        Self {
            clear_control: !side_b,
            clear_doorbells: !side_b,
            drain_receive: !side_b,
        }
    }
}
