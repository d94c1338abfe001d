// SPDX-License-Identifier: MIT OR Apache-2.0
//! MU side B, channel 1: kicks in (RF1 interrupt) and out (the kick queue,
//! TE1 interrupt), shared between the program and the MU interrupt.
//!
//! The MU driver and the kick queue live in a critical-section mutex; the
//! interrupt handler ([`on_mu_interrupt`]) reads RR1, which frees Linux's
//! TR1 at once, raises the sticky "kicked" flag that ends a
//! [`wait`](rpmsg_remote::Platform::wait), and writes pending kicks. The
//! receiving part takes no lock: RR1 is read by the handler only (the
//! program's side of the MU never receives on channel 1), its counters
//! have the handler as their only writer, and the kick queue is entered
//! only while it has kicks waiting for TR1 (`TX_ARMED`).
//! Only RIE1 (and TIE1 while a kick waits) is enabled: the other channels
//! and the doorbells stay free for the application.

use core::cell::RefCell;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use critical_section::Mutex;
#[cfg(feature = "irq-handlers")]
use imx7_m4::interrupt;
use imx7_m4::mu::{Channel, ChannelSet, Mu};
use imx7_m4::Interrupt;
use rpmsg_remote::{kick_summary, ANY_KICK};

use crate::kick::{KickPort, KickQueue, KickStats};

/// The MU channel RPMsg kicks travel on, both ways.
pub const KICK_CHANNEL: Channel = Channel::C1;

/// Counters of MU traffic.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MuStats {
    /// Words received on RR1 (kicks from Linux).
    pub kicks_in: u32,
    /// Received words that are not of the form `queue << 16` (still
    /// treated as a wake-up: the stack looks at both rings anyway).
    pub odd_words: u32,
    /// Outgoing kick traffic.
    pub out: KickStats,
}

struct Shared {
    mu: Mu,
    kicks: KickQueue,
}

static SHARED: Mutex<RefCell<Option<Shared>>> = Mutex::new(RefCell::new(None));
/// Set by the interrupt when Linux kicked, to the OR of
/// [`kick_summary`] over the words received (never 0 then); taken by the
/// stack's look at the rings (`Platform::take_kick_summary`), which `wait`
/// returns for.
static KICKED: AtomicU32 = AtomicU32::new(0);
/// Set by the interrupt on the first word from Linux, never cleared.
static LINUX_SEEN: AtomicBool = AtomicBool::new(false);
/// Whether the kick queue has the TE1 interrupt on, which it has whenever
/// a kick waits for TR1 ([`KickQueue::is_armed`]): only then does the
/// interrupt enter the queue. Written with the enable, in the critical
/// sections that change the queue.
static TX_ARMED: AtomicBool = AtomicBool::new(false);
/// Words received on RR1, and those not of the form `q << 16`; written by
/// the interrupt only (a load and a store, no read-modify-write needed).
static KICKS_IN: AtomicU32 = AtomicU32::new(0);
static ODD_WORDS: AtomicU32 = AtomicU32::new(0);
/// Queues Linux kicked (bit `q` for the word `q << 16`, `q` < 32), set by
/// the interrupt, taken by a device that dispatches kicks per queue.
#[cfg(feature = "lite-like")]
static KICKED_QUEUES: AtomicU32 = AtomicU32::new(0);

impl KickPort for Mu {
    #[inline]
    fn tx_empty(&mut self) -> bool {
        self.status().tx_empty().contains(KICK_CHANNEL)
    }
    #[inline]
    fn write(&mut self, word: u32) {
        // Only called right after `tx_empty` found TE1 set, and TE1 stays
        // set until this write: no second status read.
        self.write_unchecked(KICK_CHANNEL, word);
    }
    fn set_tx_irq(&mut self, on: bool) {
        self.set_tx_interrupt(ChannelSet::only(KICK_CHANNEL), on);
        TX_ARMED.store(on, Ordering::Relaxed);
    }
}

/// Takes over the MU: all its interrupt enables off except RIE1, then the
/// MU interrupt unmasked. A kick that arrived before is in RR1 already and
/// fires at once.
pub(crate) fn install(mut mu: Mu) {
    mu.disable_interrupts();
    mu.set_rx_interrupt(ChannelSet::only(KICK_CHANNEL), true);
    critical_section::with(|cs| {
        SHARED.borrow_ref_mut(cs).replace(Shared {
            mu,
            kicks: KickQueue::new(),
        });
    });
    // Look at the rings once at start: Linux may have set them up and
    // kicked before we ran.
    KICKED.store(ANY_KICK, Ordering::Release);
    // SAFETY: the handler's state is installed above, and this crate never
    // relies on the MU interrupt being masked (it uses critical sections).
    unsafe { imx7_m4::irq::unmask(Interrupt::MU) };
}

/// Requests a kick of `qid` (see [`crate::kick`] for the rules). Without
/// a critical section or a borrow when the queue is not armed and the kick
/// can be sent or merged at once (the common case): the interrupt enters
/// the queue only while it is armed, and only the program arms it.
pub(crate) fn kick(qid: u32) {
    if !TX_ARMED.load(Ordering::Relaxed) {
        // SAFETY: the token is used for this one access only, which needs
        // no mutual exclusion: the MU interrupt touches `SHARED` only while
        // `TX_ARMED` is set, which the program alone sets (in `request`,
        // not in `request_unarmed`), and no other access to `SHARED` runs
        // meanwhile (this function is called by the program only, and
        // none of the program's accesses is interrupted by another).
        let cs = unsafe { critical_section::CriticalSection::new() };
        // SAFETY: as above, nothing else holds or takes a reference to
        // the cell's contents while this one lives.
        let shared = unsafe { &mut *SHARED.borrow(cs).as_ptr() };
        if let Some(s) = shared.as_mut() {
            if s.kicks.request_unarmed(qid, &mut s.mu) {
                return;
            }
        }
    }
    critical_section::with(|cs| {
        if let Some(s) = SHARED.borrow_ref_mut(cs).as_mut() {
            s.kicks.request(qid, &mut s.mu);
        }
    });
}

/// Kicks `qid` as stock rpmsg-lite does: spins, with interrupts open
/// between looks (Linux's kicks are still taken), until Linux has read the
/// previous word, then writes. Never returns while Linux does not read.
#[cfg(feature = "lite-like")]
pub(crate) fn kick_spinning(qid: u32) {
    loop {
        let sent = critical_section::with(|cs| match SHARED.borrow_ref_mut(cs).as_mut() {
            Some(s) => s.kicks.try_send(qid, &mut s.mu),
            None => true,
        });
        if sent {
            return;
        }
        core::hint::spin_loop();
    }
}

/// Takes the queues Linux kicked since the last call (bit `q`: queue `q`).
#[cfg(feature = "lite-like")]
pub(crate) fn take_kicked_queues() -> u32 {
    KICKED_QUEUES.swap(0, Ordering::AcqRel)
}

/// Writes `word` to TRn of `channel` if Linux has read the previous word;
/// whether it wrote (a kick storm's step).
#[cfg(feature = "unchecked")]
pub(crate) fn try_send(channel: Channel, word: u32) -> bool {
    critical_section::with(|cs| match SHARED.borrow_ref_mut(cs).as_mut() {
        Some(s) => s.mu.try_send(channel, word).is_ok(),
        None => false,
    })
}

/// Whether Linux has kicked at least once since start.
pub(crate) fn linux_seen() -> bool {
    LINUX_SEEN.load(Ordering::Acquire)
}

/// Takes the sticky "Linux kicked" summary (0: no kick). A load and a
/// store, not an atomic swap: a kick whose interrupt adds to the summary
/// between the two is lost as a summary but not as a kick, since Linux
/// published before kicking and the caller's look at the rings comes
/// after the store (what its bits would add, a full look at vring0, the
/// stack does not need for what a kick published: see
/// `Platform::take_kick_summary`).
pub(crate) fn take_kicked() -> u32 {
    let kicks = KICKED.load(Ordering::Acquire);
    if kicks != 0 {
        KICKED.store(0, Ordering::Relaxed);
    }
    kicks
}

/// Whether the sticky "Linux kicked" summary is set (it stays set).
pub(crate) fn kicked() -> bool {
    KICKED.load(Ordering::Acquire) != 0
}

/// The counters.
pub(crate) fn stats() -> MuStats {
    MuStats {
        kicks_in: KICKS_IN.load(Ordering::Relaxed),
        odd_words: ODD_WORDS.load(Ordering::Relaxed),
        out: critical_section::with(|cs| match SHARED.borrow_ref(cs).as_ref() {
            Some(s) => s.kicks.stats(),
            None => KickStats::default(),
        }),
    }
}

/// The body of the MU interrupt handler: takes a kick from RR1, writes
/// pending kicks to TR1. Bounded: one word in, at most one word out.
pub fn on_mu_interrupt() {
    // SAFETY: no other `Mu` is in use meanwhile: the one in `SHARED` is
    // used only in critical sections, which this handler does not
    // interrupt, and this function does not run twice at once (it is the
    // MU handler, and `wait` calls it only with interrupts masked). It
    // reads SR and RR1 only; RR1 is read nowhere else.
    let mut rx = unsafe { Mu::steal() };
    if let Some(word) = rx.try_recv(KICK_CHANNEL) {
        KICKS_IN.store(
            KICKS_IN.load(Ordering::Relaxed).wrapping_add(1),
            Ordering::Relaxed,
        );
        if word & 0xFFFF != 0 {
            ODD_WORDS.store(
                ODD_WORDS.load(Ordering::Relaxed).wrapping_add(1),
                Ordering::Relaxed,
            );
        }
        // As rpmsg-lite's handler: the queue is the upper half.
        #[cfg(feature = "lite-like")]
        if let Some(bit) = 1u32.checked_shl(rpmsg_remote::kick_queue(word)) {
            KICKED_QUEUES.fetch_or(bit, Ordering::AcqRel);
        }
        LINUX_SEEN.store(true, Ordering::Relaxed);
        KICKED.store(
            KICKED.load(Ordering::Relaxed) | kick_summary(word),
            Ordering::Release,
        );
    }
    // Most interrupts bring a kick from Linux and find nothing to send.
    if TX_ARMED.load(Ordering::Relaxed) {
        critical_section::with(|cs| {
            if let Some(s) = SHARED.borrow_ref_mut(cs).as_mut() {
                s.kicks.flush(&mut s.mu);
            }
        });
    }
}

#[cfg(feature = "irq-handlers")]
#[interrupt]
fn MU() {
    on_mu_interrupt();
}
