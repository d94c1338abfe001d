// SPDX-License-Identifier: MIT OR Apache-2.0
//! Register layout of one side of the i.MX7 Messaging Unit, as pure values.
//!
//! Each side has four transmit registers TR0–3 (`0x00`–`0x0C`), four receive
//! registers RR0–3 (`0x10`–`0x1C`), a status register SR (`0x20`) and a
//! control register CR (`0x24`). The per-channel flags and enables come in
//! groups of four bits where channel `n` uses bit `base + (3 - n)`:
//!
//! | register | group | base | meaning |
//! |---|---|---|---|
//! | SR | TEn  | 20 | TRn empty: the other side has read our last word |
//! | SR | RFn  | 24 | RRn full: the other side wrote a word we have not read |
//! | SR | GIPn | 28 | general interrupt (doorbell) n pending, write 1 to clear |
//! | CR | GIRn | 16 | request doorbell n on the other side (cleared by hardware) |
//! | CR | TIEn | 20 | interrupt while TEn is set |
//! | CR | RIEn | 24 | interrupt while RFn is set |
//! | CR | GIEn | 28 | interrupt while GIPn is set |
//!
//! The MU interrupt line is the OR of every enabled flag: `(SR & CR)` over
//! the TE/RF/GIP groups. Everything here is host-testable.

/// Byte offset of transmit register TR0; TRn is at `TR0 + 4n`.
pub const TR0: usize = 0x00;
/// Byte offset of receive register RR0; RRn is at `RR0 + 4n`.
pub const RR0: usize = 0x10;
/// Byte offset of the status register.
pub const SR: usize = 0x20;
/// Byte offset of the control register.
pub const CR: usize = 0x24;
/// CR bit MUR: resets both sides of the MU (side A only); never set by us.
pub const CR_MUR: u32 = 1 << 5;
/// SR bit RS: the MU is in reset.
pub const SR_RS: u32 = 1 << 7;

/// One of the four MU channels (register pairs TRn/RRn, doorbell n).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Channel {
    /// Channel 0.
    C0 = 0,
    /// Channel 1 (the RPMsg kick channel).
    C1 = 1,
    /// Channel 2.
    C2 = 2,
    /// Channel 3.
    C3 = 3,
}

impl Channel {
    /// All channels, in order.
    pub const ALL: [Channel; 4] = [Channel::C0, Channel::C1, Channel::C2, Channel::C3];

    /// The channel number, 0..=3.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The channel with number `index`, if it is 0..=3.
    pub const fn from_index(index: usize) -> Option<Channel> {
        match index {
            0 => Some(Channel::C0),
            1 => Some(Channel::C1),
            2 => Some(Channel::C2),
            3 => Some(Channel::C3),
            _ => None,
        }
    }

    /// Byte offset of this channel's transmit register TRn.
    pub const fn tr(self) -> usize {
        TR0 + 4 * self.index()
    }

    /// Byte offset of this channel's receive register RRn.
    pub const fn rr(self) -> usize {
        RR0 + 4 * self.index()
    }
}

/// A group of four per-channel bits in SR or CR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// SR TEn: transmit register empty.
    TxEmpty,
    /// SR RFn: receive register full.
    RxFull,
    /// SR GIPn: general interrupt (doorbell) pending, write 1 to clear.
    GeneralPending,
    /// CR GIRn: general interrupt request to the other side.
    GeneralRequest,
    /// CR TIEn: transmit-empty interrupt enable.
    TxIrq,
    /// CR RIEn: receive-full interrupt enable.
    RxIrq,
    /// CR GIEn: general interrupt enable.
    GeneralIrq,
}

impl Group {
    /// Bit number of the group's channel-3 bit (channel 0 is `base + 3`).
    pub const fn base(self) -> u32 {
        match self {
            Group::TxEmpty => 20,
            Group::RxFull => 24,
            Group::GeneralPending => 28,
            Group::GeneralRequest => 16,
            Group::TxIrq => 20,
            Group::RxIrq => 24,
            Group::GeneralIrq => 28,
        }
    }

    /// The register holding the group ([`SR`] or [`CR`]).
    pub const fn register(self) -> usize {
        match self {
            Group::TxEmpty | Group::RxFull | Group::GeneralPending => SR,
            _ => CR,
        }
    }

    /// The register bit of `channel` in this group.
    pub const fn bit(self, channel: Channel) -> u32 {
        1 << (self.base() + 3 - channel.index() as u32)
    }

    /// All four bits of the group.
    pub const fn mask(self) -> u32 {
        0xF << self.base()
    }

    /// The channels whose bit is set in register value `reg`.
    pub const fn extract(self, reg: u32) -> ChannelSet {
        let field = (reg >> self.base()) & 0xF;
        // Bit base+3 is channel 0: reverse the four bits.
        let set = ((field & 0b1000) >> 3)
            | ((field & 0b0100) >> 1)
            | ((field & 0b0010) << 1)
            | ((field & 0b0001) << 3);
        ChannelSet(set as u8)
    }

    /// The register bits of the channels in `set`.
    pub const fn bits(self, set: ChannelSet) -> u32 {
        let mut bits = 0;
        let mut i = 0;
        while i < 4 {
            if set.0 & (1 << i) != 0 {
                bits |= 1 << (self.base() + 3 - i);
            }
            i += 1;
        }
        bits
    }
}

/// A set of channels (bit `n` = channel `n`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChannelSet(u8);

impl ChannelSet {
    /// No channel.
    pub const EMPTY: ChannelSet = ChannelSet(0);
    /// All four channels.
    pub const ALL: ChannelSet = ChannelSet(0xF);

    /// The set holding only `channel`.
    pub const fn only(channel: Channel) -> ChannelSet {
        ChannelSet(1 << channel.index())
    }

    /// Whether `channel` is in the set.
    pub const fn contains(self, channel: Channel) -> bool {
        self.0 & (1 << channel.index()) != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// This set plus `channel`.
    pub const fn with(self, channel: Channel) -> ChannelSet {
        ChannelSet(self.0 | (1 << channel.index()))
    }

    /// This set without `channel`.
    pub const fn without(self, channel: Channel) -> ChannelSet {
        ChannelSet(self.0 & !(1 << channel.index()))
    }

    /// The channels in both sets.
    pub const fn and(self, other: ChannelSet) -> ChannelSet {
        ChannelSet(self.0 & other.0)
    }

    /// The bitmask (bit `n` = channel `n`).
    pub const fn mask(self) -> u8 {
        self.0
    }

    /// The channels of the set, in increasing order.
    pub fn iter(self) -> impl Iterator<Item = Channel> {
        Channel::ALL.into_iter().filter(move |&c| self.contains(c))
    }
}

/// A snapshot of the status register SR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Status(pub u32);

impl Status {
    /// Channels whose TRn the other side has read (we may write again).
    pub const fn tx_empty(self) -> ChannelSet {
        Group::TxEmpty.extract(self.0)
    }

    /// Channels whose RRn holds an unread word.
    pub const fn rx_full(self) -> ChannelSet {
        Group::RxFull.extract(self.0)
    }

    /// Doorbells rung by the other side and not yet cleared.
    pub const fn doorbells(self) -> ChannelSet {
        Group::GeneralPending.extract(self.0)
    }

    /// Whether the MU is held in reset.
    pub const fn in_reset(self) -> bool {
        self.0 & SR_RS != 0
    }
}

/// A snapshot of the control register CR.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Control(pub u32);

impl Control {
    /// The value with the bits of `set` in `group` turned on or off.
    pub const fn with(self, group: Group, set: ChannelSet, on: bool) -> Control {
        let bits = group.bits(set);
        Control(if on { self.0 | bits } else { self.0 & !bits })
    }

    /// The channels enabled (or requested) in `group`.
    pub const fn get(self, group: Group) -> ChannelSet {
        group.extract(self.0)
    }

    /// The value to write back after a read-modify-write: GIRn bits and MUR
    /// cleared (writing 0 to them has no effect) so that an update of the
    /// enables never re-rings a doorbell the other side has already taken,
    /// nor resets the MU.
    pub const fn for_write(self) -> u32 {
        self.0 & !(Group::GeneralRequest.mask() | CR_MUR)
    }
}

/// What drives the MU interrupt line: flags that are set and enabled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Events {
    /// Channels with an unread word and RIEn set.
    pub rx: ChannelSet,
    /// Channels whose TRn is empty and TIEn set.
    pub tx: ChannelSet,
    /// Doorbells pending with GIEn set.
    pub doorbells: ChannelSet,
}

impl Events {
    /// The events raised by status `sr` under control `cr`.
    pub const fn of(sr: Status, cr: Control) -> Events {
        Events {
            rx: sr.rx_full().and(cr.get(Group::RxIrq)),
            tx: sr.tx_empty().and(cr.get(Group::TxIrq)),
            doorbells: sr.doorbells().and(cr.get(Group::GeneralIrq)),
        }
    }

    /// Whether nothing is raised (the interrupt line is low).
    pub const fn is_empty(self) -> bool {
        self.rx.is_empty() && self.tx.is_empty() && self.doorbells.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_bits_follow_the_reference_manual() {
        // Channel 0 is the highest bit of each group.
        assert_eq!(Group::TxEmpty.bit(Channel::C0), 1 << 23);
        assert_eq!(Group::TxEmpty.bit(Channel::C3), 1 << 20);
        assert_eq!(Group::RxFull.bit(Channel::C0), 1 << 27);
        assert_eq!(Group::RxFull.bit(Channel::C1), 1 << 26);
        assert_eq!(Group::GeneralPending.bit(Channel::C0), 1 << 31);
        assert_eq!(Group::GeneralPending.bit(Channel::C3), 1 << 28);
        assert_eq!(Group::GeneralRequest.bit(Channel::C0), 1 << 19);
        assert_eq!(Group::GeneralRequest.bit(Channel::C3), 1 << 16);
        assert_eq!(Group::TxIrq.bit(Channel::C2), 1 << 21);
        assert_eq!(Group::RxIrq.bit(Channel::C1), 1 << 26);
        assert_eq!(Group::GeneralIrq.bit(Channel::C3), 1 << 28);
    }

    #[test]
    fn register_offsets() {
        let tr: [usize; 4] = Channel::ALL.map(Channel::tr);
        let rr: [usize; 4] = Channel::ALL.map(Channel::rr);
        assert_eq!(tr, [0x00, 0x04, 0x08, 0x0C]);
        assert_eq!(rr, [0x10, 0x14, 0x18, 0x1C]);
        assert_eq!(Group::RxFull.register(), 0x20);
        assert_eq!(Group::RxIrq.register(), 0x24);
        assert_eq!(Group::GeneralRequest.register(), 0x24);
    }

    #[test]
    fn extract_and_bits_are_inverse_for_every_set_and_group() {
        let groups = [
            Group::TxEmpty,
            Group::RxFull,
            Group::GeneralPending,
            Group::GeneralRequest,
            Group::TxIrq,
            Group::RxIrq,
            Group::GeneralIrq,
        ];
        for g in groups {
            for m in 0..16u8 {
                let set = ChannelSet(m);
                let bits = g.bits(set);
                assert_eq!(bits & !g.mask(), 0);
                assert_eq!(g.extract(bits), set);
                // Other bits of the register do not leak in.
                assert_eq!(g.extract(bits | !g.mask()), set);
                for c in Channel::ALL {
                    assert_eq!(bits & g.bit(c) != 0, set.contains(c));
                }
            }
        }
    }

    #[test]
    fn status_decoding() {
        // TE0, TE3, RF1, GIP2 and RS.
        let sr = Status((1 << 23) | (1 << 20) | (1 << 26) | (1 << 29) | SR_RS);
        assert_eq!(
            sr.tx_empty(),
            ChannelSet::only(Channel::C0).with(Channel::C3)
        );
        assert_eq!(sr.rx_full(), ChannelSet::only(Channel::C1));
        assert_eq!(sr.doorbells(), ChannelSet::only(Channel::C2));
        assert!(sr.in_reset());
        assert!(!Status(0x00F0_0000).in_reset());
    }

    #[test]
    fn control_update_never_writes_gir_or_mur() {
        // Two doorbell requests still pending, MUR read back set, RIE0 on.
        let cr = Control(Group::GeneralRequest.bits(ChannelSet::ALL) | CR_MUR | (1 << 27));
        let updated = cr.with(Group::RxIrq, ChannelSet::only(Channel::C3), true);
        assert_eq!(
            updated.get(Group::RxIrq),
            ChannelSet::only(Channel::C0).with(Channel::C3)
        );
        assert_eq!(updated.for_write(), (1 << 27) | (1 << 24));
        let off = updated.with(Group::RxIrq, ChannelSet::only(Channel::C0), false);
        assert_eq!(off.for_write(), 1 << 24);
    }

    #[test]
    fn events_are_flags_and_enables() {
        let sr = Status(Group::RxFull.bits(ChannelSet::ALL) | Group::TxEmpty.bits(ChannelSet::ALL));
        let none = Events::of(sr, Control(0));
        assert!(none.is_empty());
        let cr = Control(0)
            .with(Group::RxIrq, ChannelSet::only(Channel::C1), true)
            .with(Group::TxIrq, ChannelSet::only(Channel::C2), true)
            .with(Group::GeneralIrq, ChannelSet::ALL, true);
        let ev = Events::of(sr, cr);
        assert_eq!(ev.rx, ChannelSet::only(Channel::C1));
        assert_eq!(ev.tx, ChannelSet::only(Channel::C2));
        assert!(ev.doorbells.is_empty());
        let ev = Events::of(Status(Group::GeneralPending.bit(Channel::C3)), cr);
        assert_eq!(ev.doorbells, ChannelSet::only(Channel::C3));
    }

    #[test]
    fn channel_set_basics() {
        assert_eq!(Channel::from_index(4), None);
        for c in Channel::ALL {
            assert_eq!(Channel::from_index(c.index()), Some(c));
        }
        let s = ChannelSet::EMPTY.with(Channel::C3).with(Channel::C1);
        let v: [Option<Channel>; 3] = {
            let mut it = s.iter();
            [it.next(), it.next(), it.next()]
        };
        assert_eq!(v, [Some(Channel::C1), Some(Channel::C3), None]);
        assert_eq!(s.mask(), 0b1010);
        assert_eq!(s.without(Channel::C3), ChannelSet::only(Channel::C1));
        assert_eq!(s.without(Channel::C0), s);
        assert!(ChannelSet::EMPTY.is_empty());
        assert_eq!(ChannelSet::ALL.iter().count(), 4);
    }
}
