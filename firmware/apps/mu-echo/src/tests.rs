// SPDX-License-Identifier: MIT OR Apache-2.0
//! Host tests of the echo service against a model of both MU sides.
//!
//! The model keeps the MU's semantics that matter here: one word per channel
//! and direction (TEn/RFn), write-1-to-clear doorbells, and an interrupt line
//! on side B that is the OR of set-and-enabled flags. The service is only run
//! while that line is high, as the MU interrupt would run it, so a wrong
//! interrupt enable shows up as a stuck test rather than being papered over.

extern crate std;
use std::vec::Vec;

use super::*;

/// Both sides of an MU.
#[derive(Default)]
struct Model {
    /// Word written by A, unread by B (B's RFn set, A's TEn clear).
    a_to_b: [Option<u32>; 4],
    /// Word written by B, unread by A.
    b_to_a: [Option<u32>; 4],
    /// Doorbells pending on B (B's GIPn) and on A.
    gip_b: ChannelSet,
    gip_a: ChannelSet,
    /// B's interrupt enables.
    rie: ChannelSet,
    tie: ChannelSet,
    gie: ChannelSet,
}

fn set_of(f: impl Fn(Channel) -> bool) -> ChannelSet {
    Channel::ALL
        .into_iter()
        .filter(|&c| f(c))
        .fold(ChannelSet::EMPTY, ChannelSet::with)
}

fn update(set: ChannelSet, changed: ChannelSet, on: bool) -> ChannelSet {
    changed
        .iter()
        .fold(set, |s, c| if on { s.with(c) } else { s.without(c) })
}

impl Model {
    /// Side A writes TRn; fails (as A's driver would see TEn clear) if B has
    /// not read the previous word.
    fn a_send(&mut self, ch: Channel, w: u32) -> Result<(), Busy> {
        let slot = &mut self.a_to_b[ch.index()];
        if slot.is_some() {
            return Err(Busy);
        }
        *slot = Some(w);
        Ok(())
    }

    /// Side A reads RRn if full.
    fn a_recv(&mut self, ch: Channel) -> Option<u32> {
        self.b_to_a[ch.index()].take()
    }

    /// Side B's interrupt line.
    fn irq(&self) -> bool {
        let rf = set_of(|c| self.a_to_b[c.index()].is_some());
        let te = set_of(|c| self.b_to_a[c.index()].is_none());
        !rf.and(self.rie).is_empty()
            || !te.and(self.tie).is_empty()
            || !self.gip_b.and(self.gie).is_empty()
    }

    /// Runs the service as the MU interrupt would: while the line is high.
    fn interrupt(&mut self, echo: &mut Echo) {
        let mut rounds = 0;
        while self.irq() {
            echo.service(self);
            rounds += 1;
            assert!(rounds < 10, "interrupt line stuck high");
        }
    }
}

impl Mailbox for Model {
    fn try_recv(&mut self, ch: Channel) -> Option<u32> {
        self.a_to_b[ch.index()].take()
    }

    fn try_send(&mut self, ch: Channel, word: u32) -> Result<(), Busy> {
        let slot = &mut self.b_to_a[ch.index()];
        if slot.is_some() {
            return Err(Busy);
        }
        *slot = Some(word);
        Ok(())
    }

    fn set_rx_interrupt(&mut self, set: ChannelSet, on: bool) {
        self.rie = update(self.rie, set, on);
    }

    fn set_tx_interrupt(&mut self, set: ChannelSet, on: bool) {
        self.tie = update(self.tie, set, on);
    }

    fn set_doorbell_interrupt(&mut self, set: ChannelSet, on: bool) {
        self.gie = update(self.gie, set, on);
    }

    fn take_doorbells(&mut self) -> ChannelSet {
        let rung = self.gip_b.and(self.gie);
        self.gip_b = ChannelSet::EMPTY;
        rung
    }

    fn ring_doorbell(&mut self, ch: Channel) {
        self.gip_a = self.gip_a.with(ch);
    }
}

fn started() -> (Model, Echo) {
    let mut mu = Model::default();
    let mut echo = Echo::new();
    echo.start(&mut mu);
    assert_eq!(mu.rie, ChannelSet::ALL);
    assert_eq!(mu.gie, ChannelSet::ALL);
    assert!(mu.tie.is_empty());
    assert!(!mu.irq());
    (mu, echo)
}

#[test]
fn transform_matches_the_documented_examples() {
    assert_eq!(reply(Channel::C0, 0x1234_5678), 0xEDCB_A987);
    assert_eq!(reply(Channel::C3, 0), 0xFCFF_FFFF);
    assert_eq!(reply(Channel::C1, 0xFFFF_FFFF), 0x0100_0000);
    for ch in Channel::ALL {
        for w in [0, 1, 0x8000_0000, 0xDEAD_BEEF, u32::MAX] {
            let r = reply(ch, w);
            assert_ne!(r, w);
            // Undo: NOT again after removing the channel tag.
            assert_eq!(!(r ^ ((ch.index() as u32) << 24)), w);
        }
    }
}

#[test]
fn answers_each_channel_on_the_same_channel() {
    let (mut mu, mut echo) = started();
    for ch in Channel::ALL {
        mu.a_send(ch, 0x1000_0000 + ch.index() as u32).unwrap();
    }
    mu.interrupt(&mut echo);
    for ch in Channel::ALL {
        let w = 0x1000_0000 + ch.index() as u32;
        assert_eq!(mu.a_recv(ch), Some(reply(ch, w)));
        assert_eq!(mu.a_recv(ch), None);
    }
    assert_eq!(echo.stats().words, [1; 4]);
    assert_eq!(echo.stats().deferred, 0);
    assert!(!mu.irq());
}

#[test]
fn a_slow_reader_gets_back_pressure_not_loss() {
    let (mut mu, mut echo) = started();
    let ch = Channel::C2;
    mu.a_send(ch, 1).unwrap();
    mu.interrupt(&mut echo);
    // A does not read the reply and sends again: B takes the word, queues
    // the reply and switches channel 2 to wait for TE.
    mu.a_send(ch, 2).unwrap();
    mu.interrupt(&mut echo);
    assert_eq!(echo.pending(ch), Some(reply(ch, 2)));
    assert!(!mu.rie.contains(ch) && mu.tie.contains(ch));
    // A third word stays in RR2 (no interrupt for it), a fourth is refused.
    mu.a_send(ch, 3).unwrap();
    assert!(!mu.irq());
    assert_eq!(mu.a_send(ch, 4), Err(Busy));
    // Other channels keep working meanwhile.
    mu.a_send(Channel::C0, 7).unwrap();
    mu.interrupt(&mut echo);
    assert_eq!(mu.a_recv(Channel::C0), Some(reply(Channel::C0, 7)));
    // A drains: every reply arrives, in order.
    let mut got = Vec::new();
    while let Some(r) = mu.a_recv(ch) {
        got.push(r);
        mu.interrupt(&mut echo);
    }
    assert_eq!(got, [1, 2, 3].map(|w| reply(ch, w)));
    assert_eq!(echo.pending(ch), None);
    assert!(mu.rie.contains(ch) && !mu.tie.contains(ch));
    assert!(!mu.irq());
    assert_eq!(echo.stats().words[ch.index()], 3);
}

#[test]
fn doorbells_are_rung_back() {
    let (mut mu, mut echo) = started();
    mu.gip_b = ChannelSet::only(Channel::C1).with(Channel::C3);
    assert!(mu.irq());
    mu.interrupt(&mut echo);
    assert_eq!(mu.gip_a, ChannelSet::only(Channel::C1).with(Channel::C3));
    assert!(mu.gip_b.is_empty());
    assert_eq!(echo.stats().doorbells, 2);
}

/// A long pseudo-random mix of A sending and reading on all channels: every
/// word is answered exactly once, in order, on its channel.
#[test]
fn random_traffic_loses_nothing() {
    let (mut mu, mut echo) = started();
    let mut seed: u32 = 0x1234_5678;
    // xorshift32: every bit is usable, unlike a power-of-two LCG's low bits.
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let mut sent: [Vec<u32>; 4] = Default::default();
    let mut got: [Vec<u32>; 4] = Default::default();
    for _ in 0..20_000 {
        let r = next();
        let ch = Channel::from_index((r >> 30) as usize).unwrap();
        if r & 0x100 == 0 {
            let w = next();
            if mu.a_send(ch, w).is_ok() {
                sent[ch.index()].push(w);
            }
        } else if let Some(v) = mu.a_recv(ch) {
            got[ch.index()].push(v);
        }
        mu.interrupt(&mut echo);
    }
    // Drain what is left.
    for _ in 0..4 {
        for ch in Channel::ALL {
            if let Some(v) = mu.a_recv(ch) {
                got[ch.index()].push(v);
            }
            mu.interrupt(&mut echo);
        }
    }
    for ch in Channel::ALL {
        let i = ch.index();
        assert!(sent[i].len() > 1000, "channel {i} saw little traffic");
        let want: Vec<u32> = sent[i].iter().map(|&w| reply(ch, w)).collect();
        assert_eq!(got[i], want, "channel {i}");
        assert_eq!(echo.stats().words[i] as usize, sent[i].len());
    }
    assert!(echo.stats().deferred > 0);
    assert!(!mu.irq());
}
