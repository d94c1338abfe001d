// SPDX-License-Identifier: MIT OR Apache-2.0
//! Kicks to Linux on MU channel 1, coalesced, never blocking.
//!
//! A kick for virtqueue `q` is the word `q << 16` in TR1. The MU holds one
//! word per direction: TE1 stays clear until Linux has read RR1. The rules:
//!
//! 1. **Never overwrite an unread word.** TR1 is written only while TE1 is
//!    set, so no kick is ever lost by overwriting.
//! 2. **Never wait for Linux.** When TE1 is clear the kick is recorded as
//!    pending (one bit per queue id) and the TE1 interrupt is enabled; the
//!    MU interrupt handler writes the next pending kick as soon as Linux
//!    reads the previous one, and turns the TE1 interrupt off again when
//!    nothing is pending. A dead or not yet started Linux costs one pending
//!    bit per queue, never a stuck M4 (users of a blocking MU write report
//!    the opposite).
//! 3. **Redundant kicks are merged.** A kick means "look at ring `q`": a
//!    second request for a queue that is already pending, or whose word is
//!    still unread in TR1, adds nothing, because Linux reads the ring only
//!    after it has read the word, and the ring was updated before the
//!    request. Kicks for *different* queues are never merged: Linux's
//!    transport processes only the queue a word names.
//! 4. Pending queues are sent round-robin, so a busy queue cannot starve
//!    the other one.
//!
//! Stock rpmsg-lite's i.MX platform does otherwise, and test firmware that
//! stands in for it does the same through [`KickQueue::try_send`]: every
//! kick is its own word, written once TE1 is set, the caller spinning on
//! TE1 until then however long Linux takes (forever for a dead Linux).
//!
//! This module is the portable logic; [`KickPort`] is the MU (side B,
//! channel 1) it drives, implemented on the M4 by the board's MU driver.

use rpmsg_remote::kick_word;

/// Queue ids this queue can hold (`2 * vdev + ring` for vdevs 0..=15).
pub const MAX_QUEUES: u32 = 32;

/// MU channel 1 as the kick queue needs it.
pub trait KickPort {
    /// Whether TR1 is empty: Linux has read the previous word (TE1 set).
    fn tx_empty(&mut self) -> bool;
    /// Writes `word` to TR1. Only called right after `tx_empty` said yes,
    /// with nothing else writing TR1 in between (TE1 then stays set until
    /// this write), so it need not read the status again.
    fn write(&mut self, word: u32);
    /// Enables or disables the TE1 (transmit empty) interrupt.
    fn set_tx_irq(&mut self, on: bool);
}

/// Counters of the kick traffic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KickStats {
    /// Words written to TR1.
    pub sent: u32,
    /// Requests merged into a pending or unread kick of the same queue.
    pub merged: u32,
    /// Times a kick had to wait for Linux to read the previous word.
    pub deferred: u32,
    /// Requests for a queue id of [`MAX_QUEUES`] or more (dropped).
    pub unsupported: u32,
    /// [`KickQueue::try_send`] calls that found TR1 still full (a caller
    /// spinning until Linux reads).
    pub spins: u32,
}

/// Pending kicks of all queues and the state of TR1.
#[derive(Debug, Default)]
pub struct KickQueue {
    /// Bit `q`: queue `q` must be kicked.
    pending: u32,
    /// Queue named by the last word written, while Linux may not have read
    /// it yet.
    in_flight: Option<u32>,
    /// Where the round-robin search for the next pending queue starts.
    next: u32,
    /// Whether the TE1 interrupt is on.
    tx_irq: bool,
    stats: KickStats,
}

impl KickQueue {
    /// Nothing pending, TE1 interrupt assumed off.
    pub const fn new() -> Self {
        Self {
            pending: 0,
            in_flight: None,
            next: 0,
            tx_irq: false,
            stats: KickStats {
                sent: 0,
                merged: 0,
                deferred: 0,
                unsupported: 0,
                spins: 0,
            },
        }
    }

    /// Kicks queue `qid` now if TR1 is free, else records it (see the
    /// module rules). Never waits.
    pub fn request(&mut self, qid: u32, port: &mut impl KickPort) {
        if qid >= MAX_QUEUES {
            self.stats.unsupported = self.stats.unsupported.wrapping_add(1);
            return;
        }
        let bit = 1 << qid;
        let empty = self.pending & bit == 0 && port.tx_empty();
        if self.pending & bit != 0 || (self.in_flight == Some(qid) && !empty) {
            self.stats.merged = self.stats.merged.wrapping_add(1);
            return;
        }
        if empty && self.pending == 0 {
            // Nothing waits and TR1 is free: the common case, one status read.
            self.send(qid, port);
            return;
        }
        self.pending |= bit;
        self.flush(port);
    }

    /// [`request`](Self::request) for a queue with nothing pending and the
    /// TE1 interrupt off (not [`is_armed`](Self::is_armed)), in the cases
    /// that leave it so: sends the kick if TR1 is free, merges it if the
    /// unread word names the same queue, drops an unsupported queue id.
    /// Returns `false`, having changed nothing, when the kick would have to
    /// wait for TR1: then call [`request`](Self::request), which arms the
    /// TE1 interrupt. Never arms it, so the caller may run this outside the
    /// critical section that the interrupt takes to enter an armed queue.
    pub fn request_unarmed(&mut self, qid: u32, port: &mut impl KickPort) -> bool {
        debug_assert!(!self.is_armed());
        if qid >= MAX_QUEUES {
            self.stats.unsupported = self.stats.unsupported.wrapping_add(1);
        } else if port.tx_empty() {
            self.send(qid, port);
        } else if self.in_flight == Some(qid) {
            self.stats.merged = self.stats.merged.wrapping_add(1);
        } else {
            return false;
        }
        true
    }

    /// Writes the kick of `qid` to TR1 if Linux has read the previous
    /// word, and says whether it did; nothing is merged, recorded or
    /// deferred. The way of stock rpmsg-lite: its caller spins (with
    /// interrupts open) until this returns `true`. Not to be mixed with
    /// [`request`](Self::request), whose pending kicks it does not see. A
    /// queue id of [`MAX_QUEUES`] or more is dropped (`true`).
    pub fn try_send(&mut self, qid: u32, port: &mut impl KickPort) -> bool {
        if qid >= MAX_QUEUES {
            self.stats.unsupported = self.stats.unsupported.wrapping_add(1);
            return true;
        }
        if !port.tx_empty() {
            self.stats.spins = self.stats.spins.wrapping_add(1);
            return false;
        }
        self.send(qid, port);
        true
    }

    /// Writes the kick of `qid` to TR1 (free: the caller checked); the
    /// round-robin search goes on after it.
    fn send(&mut self, qid: u32, port: &mut impl KickPort) {
        port.write(kick_word(qid));
        self.in_flight = Some(qid);
        self.next = (qid + 1) % MAX_QUEUES;
        self.stats.sent = self.stats.sent.wrapping_add(1);
    }

    /// Writes pending kicks while TR1 is free; arms the TE1 interrupt when
    /// some remain, disarms it when none do. Call it from the MU interrupt.
    #[inline]
    pub fn flush(&mut self, port: &mut impl KickPort) {
        // Most interrupts bring a kick from Linux and find nothing to send.
        if self.is_armed() {
            self.write_pending(port);
        }
    }

    /// [`flush`](Self::flush) when a kick is pending or the TE1 interrupt
    /// is on.
    #[inline(never)]
    fn write_pending(&mut self, port: &mut impl KickPort) {
        while self.pending != 0 {
            if !port.tx_empty() {
                if !self.tx_irq {
                    self.tx_irq = true;
                    self.stats.deferred = self.stats.deferred.wrapping_add(1);
                    port.set_tx_irq(true);
                }
                return;
            }
            let qid = self.take_next();
            self.send(qid, port);
        }
        if self.tx_irq {
            self.tx_irq = false;
            port.set_tx_irq(false);
        }
    }

    /// Removes and returns the first pending queue at or after `next`
    /// (which [`send`](Self::send) then moves past it).
    fn take_next(&mut self) -> u32 {
        let qid = (self.pending.rotate_right(self.next).trailing_zeros() + self.next) % MAX_QUEUES;
        self.pending &= !(1 << qid);
        qid
    }

    /// Whether [`flush`](Self::flush) has work: a kick waits for TR1 or
    /// the TE1 interrupt is on. After [`request`](Self::request) and
    /// [`flush`](Self::flush) a kick waits only with the interrupt on, so
    /// this is the interrupt's state, which the port is told of
    /// ([`KickPort::set_tx_irq`]).
    pub fn is_armed(&self) -> bool {
        self.pending != 0 || self.tx_irq
    }

    /// Whether a kick waits for TR1.
    pub fn is_pending(&self) -> bool {
        self.pending != 0
    }

    /// The counters.
    pub fn stats(&self) -> KickStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rpmsg_remote::kick_queue;
    use std::vec::Vec;

    /// MU channel 1 seen from both sides: the word in flight from the M4
    /// (TE1 clear while it is unread) and side A reading it.
    #[derive(Default)]
    struct Mu {
        unread: Option<u32>,
        /// Words side A has read, in order.
        read_by_linux: Vec<u32>,
        tx_irq: bool,
        overwrites: u32,
    }

    impl Mu {
        /// Side A reads RR1 (if full); the MU raises TE1 on side B.
        fn linux_reads(&mut self) -> bool {
            match self.unread.take() {
                Some(w) => {
                    self.read_by_linux.push(w);
                    true
                }
                None => false,
            }
        }
        fn queues(&self) -> Vec<u32> {
            self.read_by_linux.iter().map(|&w| kick_queue(w)).collect()
        }
        /// Whether the side-B interrupt line is high through TE1.
        fn te_irq(&self) -> bool {
            self.tx_irq && self.unread.is_none()
        }
    }

    impl KickPort for Mu {
        fn tx_empty(&mut self) -> bool {
            self.unread.is_none()
        }
        fn write(&mut self, word: u32) {
            if self.unread.is_some() {
                self.overwrites += 1;
            }
            self.unread = Some(word);
        }
        fn set_tx_irq(&mut self, on: bool) {
            self.tx_irq = on;
        }
    }

    #[test]
    fn unarmed_requests_do_what_request_does_or_nothing() {
        // Random traffic through two queues side by side: one always by
        // `request`, one by `request_unarmed` whenever it is not armed,
        // falling back to `request` when that declines. Same words, same
        // counters, same TE1 interrupt state, and a declined request
        // changes nothing.
        let (mut a, mut mu_a) = (KickQueue::new(), Mu::default());
        let (mut b, mut mu_b) = (KickQueue::new(), Mu::default());
        let mut x = 0x2545_F491u32;
        let mut declined = 0;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            match x % 4 {
                0 => {
                    assert_eq!(mu_a.linux_reads(), mu_b.linux_reads());
                }
                1 => {
                    if mu_a.te_irq() {
                        a.flush(&mut mu_a);
                    }
                    if mu_b.te_irq() {
                        b.flush(&mut mu_b);
                    }
                }
                _ => {
                    let qid = (x >> 8) % 3 + if x & 0x8000_0000 != 0 { 40 } else { 0 };
                    a.request(qid, &mut mu_a);
                    if b.is_armed() {
                        b.request(qid, &mut mu_b);
                    } else {
                        let (st, unread, next) = (b.stats(), mu_b.unread, b.next);
                        if !b.request_unarmed(qid, &mut mu_b) {
                            declined += 1;
                            assert_eq!((b.stats(), mu_b.unread, b.next), (st, unread, next));
                            assert!(!b.is_armed() && !mu_b.tx_irq);
                            b.request(qid, &mut mu_b);
                        }
                    }
                }
            }
            assert_eq!(a.stats(), b.stats());
            assert_eq!(mu_a.unread, mu_b.unread);
            assert_eq!(mu_a.read_by_linux, mu_b.read_by_linux);
            assert_eq!((mu_a.tx_irq, a.is_armed()), (mu_b.tx_irq, b.is_armed()));
            assert_eq!(mu_a.overwrites + mu_b.overwrites, 0);
        }
        assert!(declined > 100, "the fallback was exercised: {declined}");
        assert!(a.stats().merged > 100 && a.stats().unsupported > 100);
    }

    #[test]
    fn free_channel_sends_at_once() {
        let (mut q, mut mu) = (KickQueue::new(), Mu::default());
        q.request(0, &mut mu);
        assert_eq!(mu.unread, Some(0));
        assert!(mu.linux_reads());
        q.request(1, &mut mu);
        assert_eq!(mu.unread, Some(1 << 16));
        assert!(!q.is_pending() && !mu.tx_irq);
        assert_eq!(q.stats().sent, 2);
    }

    #[test]
    fn busy_channel_defers_merges_and_never_overwrites() {
        let (mut q, mut mu) = (KickQueue::new(), Mu::default());
        q.request(0, &mut mu); // in flight, unread
        q.request(0, &mut mu); // redundant: Linux has not read the word yet
        q.request(1, &mut mu); // different queue: pending, TE1 irq armed
        q.request(1, &mut mu); // redundant: already pending
        q.request(0, &mut mu); // still unread
        assert_eq!(mu.overwrites, 0);
        assert!(q.is_pending() && mu.tx_irq);
        let st = q.stats();
        assert_eq!((st.sent, st.merged, st.deferred), (1, 3, 1));
        // Linux reads; the TE1 interrupt runs the flush.
        assert!(mu.linux_reads());
        assert!(mu.te_irq());
        q.flush(&mut mu);
        assert_eq!(mu.unread, Some(1 << 16));
        assert!(!q.is_pending() && !mu.tx_irq, "TE1 irq off when done");
        assert!(mu.linux_reads());
        assert_eq!(mu.queues(), [0, 1]);
    }

    #[test]
    fn work_for_the_interrupt_is_told_to_the_port() {
        // The MU interrupt enters the queue only when the port's TE1
        // interrupt is on: that must be exactly when a flush has work.
        let (mut q, mut mu) = (KickQueue::new(), Mu::default());
        let mut x = 12345u32;
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            match x % 4 {
                0 | 1 => q.request(x >> 8 & 3, &mut mu),
                2 => {
                    mu.linux_reads();
                }
                _ => {
                    if mu.te_irq() {
                        q.flush(&mut mu);
                    }
                }
            }
            assert_eq!(q.is_armed(), mu.tx_irq);
            assert_eq!(mu.overwrites, 0);
        }
    }

    #[test]
    fn kick_after_linux_read_is_not_merged() {
        let (mut q, mut mu) = (KickQueue::new(), Mu::default());
        q.request(0, &mut mu);
        assert!(mu.linux_reads());
        // The previous word was read: this one tells Linux about new work.
        q.request(0, &mut mu);
        assert!(mu.linux_reads());
        assert_eq!(mu.queues(), [0, 0]);
        assert_eq!(q.stats().merged, 0);
    }

    #[test]
    fn round_robin_does_not_starve_a_queue() {
        let (mut q, mut mu) = (KickQueue::new(), Mu::default());
        q.request(0, &mut mu);
        q.request(1, &mut mu);
        // Queue 0 is requested again before every flush: queue 1 still
        // gets its turn.
        for _ in 0..4 {
            assert!(mu.linux_reads());
            q.request(0, &mut mu); // word 0 was read: pending again
            q.flush(&mut mu);
            q.request(1, &mut mu);
        }
        assert!(mu.linux_reads());
        let qs = mu.queues();
        assert!(qs.windows(2).all(|w| w[0] != w[1]), "alternates: {qs:?}");
        assert_eq!(mu.overwrites, 0);
    }

    #[test]
    fn dead_linux_costs_one_bit_per_queue() {
        let (mut q, mut mu) = (KickQueue::new(), Mu::default());
        for i in 0..1000 {
            q.request(i % 2, &mut mu);
            q.flush(&mut mu);
        }
        assert_eq!(mu.overwrites, 0);
        assert_eq!(q.stats().sent, 1);
        assert_eq!(q.stats().merged, 998);
        // Linux comes alive and reads: both queues get their kick.
        while mu.linux_reads() {
            q.flush(&mut mu);
        }
        assert_eq!(mu.queues(), [0, 1]);
        assert!(!mu.tx_irq);
    }

    #[test]
    fn spinning_kicks_wait_for_linux_to_read_each_word() {
        let (mut q, mut mu) = (KickQueue::new(), Mu::default());
        // rpmsg-lite kicks queue 0 after every message; the same queue
        // twice in a row is two words.
        for qid in [0, 0, 1, 0] {
            let mut polls = 0;
            while !q.try_send(qid, &mut mu) {
                polls += 1;
                assert!(polls <= 3, "written as soon as Linux read");
                if polls == 3 {
                    // Linux's interrupt reads RR1: TE1 set again.
                    assert!(mu.linux_reads());
                }
            }
            // The first word found TR1 empty; every later one waited.
            assert_eq!(polls, if q.stats().sent == 1 { 0 } else { 3 });
        }
        assert!(mu.linux_reads());
        assert_eq!(mu.queues(), [0, 0, 1, 0]);
        assert_eq!(mu.overwrites, 0);
        assert!(!mu.tx_irq, "the TE1 interrupt is never used");
        assert!(!q.is_pending());
        let st = q.stats();
        assert_eq!((st.sent, st.merged, st.deferred, st.spins), (4, 0, 0, 9));
    }

    #[test]
    fn a_spinning_kick_waits_as_long_as_linux_does_not_read() {
        let (mut q, mut mu) = (KickQueue::new(), Mu::default());
        assert!(q.try_send(1, &mut mu));
        // A dead Linux: the caller would spin for good; nothing is
        // overwritten meanwhile.
        for _ in 0..1000 {
            assert!(!q.try_send(0, &mut mu));
        }
        assert_eq!((mu.overwrites, q.stats().spins), (0, 1000));
        assert!(mu.linux_reads());
        assert!(q.try_send(0, &mut mu));
        assert!(mu.linux_reads());
        assert_eq!(mu.queues(), [1, 0]);
        // Out-of-range queue ids are dropped, not waited for.
        assert!(q.try_send(MAX_QUEUES, &mut mu));
        assert_eq!(q.stats().unsupported, 1);
    }

    #[test]
    fn high_queue_ids() {
        let (mut q, mut mu) = (KickQueue::new(), Mu::default());
        q.request(31, &mut mu);
        q.request(MAX_QUEUES, &mut mu);
        assert_eq!(mu.unread, Some(31 << 16));
        assert_eq!(q.stats().unsupported, 1);
        q.request(30, &mut mu);
        q.request(2, &mut mu);
        // Round robin continues after 31: wraps to 2, then 30.
        assert!(mu.linux_reads());
        q.flush(&mut mu);
        assert!(mu.linux_reads());
        q.flush(&mut mu);
        assert!(mu.linux_reads());
        assert_eq!(mu.queues(), [31, 2, 30]);
    }
}
