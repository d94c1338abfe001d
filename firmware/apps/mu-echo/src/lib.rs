// SPDX-License-Identifier: MIT OR Apache-2.0
//! `mu-echo`: the M4 loopback peer for the MU mailbox tests.
//!
//! # Transform
//!
//! Every 32-bit word `w` that side A (Linux) writes to TRn of MU channel `n`
//! is answered on the **same** channel `n` with
//!
//! ```text
//! reply = !w ^ (n << 24)
//! ```
//!
//! i.e. the bitwise NOT of the word with the channel number XORed into bits
//! 24..31. The reply differs from the word in every bit and tells which
//! channel carried it, so a test can tell a real answer from a stale
//! register, an echo on the wrong channel, or QEMU reflecting the word.
//! Examples: channel 0, `0x12345678` → `0xEDCBA987`; channel 3,
//! `0x00000000` → `0xFCFFFFFF`.
//!
//! A doorbell (general interrupt) `n` rung by side A is answered by ringing
//! doorbell `n` back. Doorbells coalesce: if our previous ring on `n` is
//! still pending on side A, the new one merges into it.
//!
//! # No word is lost
//!
//! At most one reply per channel waits for side A to read the previous one.
//! While a reply waits, the firmware does not read the next word from RRn, so
//! side A's TEn stays clear: the back-pressure reaches the sender instead of
//! a word being dropped or overwritten. The RX interrupt of that channel is
//! turned off and its TX-empty interrupt on until the reply is written.
//!
//! This library part is portable and unit-tested on the host against a model
//! of the MU; the firmware binary (`src/main.rs`) runs it on the M4 from the
//! MU interrupt.
#![no_std]
#![deny(missing_docs)]

use imx7_m4::mu::{Busy, Channel, ChannelSet};

/// The answer to `word` received on `channel`: `!word ^ (channel << 24)`.
pub const fn reply(channel: Channel, word: u32) -> u32 {
    !word ^ ((channel.index() as u32) << 24)
}

/// The MU operations the echo service needs (side B's view).
pub trait Mailbox {
    /// Reads channel `ch`'s receive register if it holds an unread word.
    fn try_recv(&mut self, ch: Channel) -> Option<u32>;
    /// Writes `word` to channel `ch` unless the previous word is unread.
    fn try_send(&mut self, ch: Channel, word: u32) -> Result<(), Busy>;
    /// Turns the receive-full interrupt of `set` on or off.
    fn set_rx_interrupt(&mut self, set: ChannelSet, on: bool);
    /// Turns the transmit-empty interrupt of `set` on or off.
    fn set_tx_interrupt(&mut self, set: ChannelSet, on: bool);
    /// Turns the doorbell interrupt of `set` on or off.
    fn set_doorbell_interrupt(&mut self, set: ChannelSet, on: bool);
    /// Returns and clears the doorbells rung by the other side.
    fn take_doorbells(&mut self) -> ChannelSet;
    /// Rings doorbell `ch` on the other side.
    fn ring_doorbell(&mut self, ch: Channel);
}

/// Counters of what the service did (for diagnostics).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Words received and answered (or queued), per channel.
    pub words: [u32; 4],
    /// Replies that had to wait for side A to read the previous one.
    pub deferred: u32,
    /// Doorbells answered.
    pub doorbells: u32,
}

/// The echo service's state: at most one queued reply per channel.
#[derive(Debug, Default)]
pub struct Echo {
    /// Reply to write on each channel, not yet accepted by TRn.
    pending: [Option<u32>; 4],
    /// Channels switched from RX to TX-empty interrupts.
    waiting: ChannelSet,
    stats: Stats,
}

impl Echo {
    /// A service with nothing queued.
    pub const fn new() -> Echo {
        Echo {
            pending: [None; 4],
            waiting: ChannelSet::EMPTY,
            stats: Stats {
                words: [0; 4],
                deferred: 0,
                doorbells: 0,
            },
        }
    }

    /// Enables the interrupts the service runs on: RX on all four channels
    /// and all four doorbells.
    pub fn start(&mut self, mb: &mut impl Mailbox) {
        mb.set_tx_interrupt(ChannelSet::ALL, false);
        mb.set_rx_interrupt(ChannelSet::ALL, true);
        mb.set_doorbell_interrupt(ChannelSet::ALL, true);
    }

    /// Handles everything the MU has for us: doorbells, then each channel.
    /// Call it from the MU interrupt (or whenever the MU may have changed).
    pub fn service(&mut self, mb: &mut impl Mailbox) {
        let rung = mb.take_doorbells();
        for ch in rung.iter() {
            mb.ring_doorbell(ch);
            self.stats.doorbells = self.stats.doorbells.wrapping_add(1);
        }
        for ch in Channel::ALL {
            self.service_channel(mb, ch);
        }
    }

    fn service_channel(&mut self, mb: &mut impl Mailbox, ch: Channel) {
        let i = ch.index();
        loop {
            if let Some(word) = self.pending[i] {
                if mb.try_send(ch, word).is_err() {
                    // Side A has not read our previous reply: keep this one,
                    // take no new word, and wake up when TRn empties.
                    if !self.waiting.contains(ch) {
                        self.waiting = self.waiting.with(ch);
                        self.stats.deferred = self.stats.deferred.wrapping_add(1);
                        mb.set_rx_interrupt(ChannelSet::only(ch), false);
                        mb.set_tx_interrupt(ChannelSet::only(ch), true);
                    }
                    return;
                }
                self.pending[i] = None;
                if self.waiting.contains(ch) {
                    self.waiting = self.waiting.without(ch);
                    mb.set_tx_interrupt(ChannelSet::only(ch), false);
                    mb.set_rx_interrupt(ChannelSet::only(ch), true);
                }
            }
            let Some(word) = mb.try_recv(ch) else {
                return;
            };
            self.stats.words[i] = self.stats.words[i].wrapping_add(1);
            self.pending[i] = Some(reply(ch, word));
        }
    }

    /// What the service has done so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The reply still waiting on `ch`, if any.
    pub fn pending(&self, ch: Channel) -> Option<u32> {
        self.pending[ch.index()]
    }
}

/// The board's MU driver is the mailbox on the M4.
#[cfg(all(target_arch = "arm", target_os = "none"))]
impl Mailbox for imx7_m4::mu::Mu {
    fn try_recv(&mut self, ch: Channel) -> Option<u32> {
        imx7_m4::mu::Mu::try_recv(self, ch)
    }

    fn try_send(&mut self, ch: Channel, word: u32) -> Result<(), Busy> {
        imx7_m4::mu::Mu::try_send(self, ch, word)
    }

    fn set_rx_interrupt(&mut self, set: ChannelSet, on: bool) {
        imx7_m4::mu::Mu::set_rx_interrupt(self, set, on)
    }

    fn set_tx_interrupt(&mut self, set: ChannelSet, on: bool) {
        imx7_m4::mu::Mu::set_tx_interrupt(self, set, on)
    }

    fn set_doorbell_interrupt(&mut self, set: ChannelSet, on: bool) {
        imx7_m4::mu::Mu::set_doorbell_interrupt(self, set, on)
    }

    fn take_doorbells(&mut self) -> ChannelSet {
        imx7_m4::mu::Mu::take_doorbells(self)
    }

    fn ring_doorbell(&mut self, ch: Channel) {
        // Doorbells coalesce; an already pending ring is the answer too.
        let _ = imx7_m4::mu::Mu::ring_doorbell(self, ch);
    }
}

#[cfg(test)]
mod tests;
