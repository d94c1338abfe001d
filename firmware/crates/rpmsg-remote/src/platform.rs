// SPDX-License-Identifier: MIT OR Apache-2.0
//! What the stack needs from the platform: kicking Linux, a clock, waiting
//! for an interrupt, and hooks for faults and name-service messages.

/// Timeout value: do not wait at all.
pub const NO_WAIT: u32 = 0;
/// Timeout value: wait without limit.
pub const FOREVER: u32 = u32::MAX;

/// The 32-bit word that carries a kick for `queue_id` on MU channel 1 (both
/// directions, as rpmsg-lite and NXP's imx_rpmsg do).
pub const fn kick_word(queue_id: u32) -> u32 {
    queue_id << 16
}

/// The queue id carried by a kick word read from MU channel 1.
pub const fn kick_queue(word: u32) -> u32 {
    word >> 16
}

/// What a kick word adds to [`Platform::take_kick_summary`]: its queue
/// id plus one for a word of the form `q << 16`, [`ANY_KICK`] for any
/// other word. An OR of these equals `kick_summary(kick_word(q))` for an
/// odd `q` (vring1 of vdev `q / 2`) only if every word had the form
/// `q << 16` and no queue id was even (a vring0): an even id plus one is
/// odd and would set bit 0, which `q + 1` has clear.
pub const fn kick_summary(word: u32) -> u32 {
    if word & 0xFFFF == 0 {
        kick_queue(word) + 1
    } else {
        ANY_KICK
    }
}

/// A [`Platform::take_kick_summary`] that says nothing about the queues.
pub const ANY_KICK: u32 = u32::MAX;

/// Untrusted input that was rejected (or an event worth logging). The stack
/// never panics on these; it drops the offending item and reports it through
/// [`Platform::fault`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// A descriptor index read from an available ring is `>= NUM`.
    DescIndex,
    /// A descriptor has `NEXT` or `INDIRECT` set (chains are not used by
    /// RPMsg; refusing them also rules out chain loops).
    DescFlags,
    /// A buffer lies (partly) outside the shared window or is misaligned.
    BufferAddress,
    /// A buffer is shorter than the 16-byte header, or than the
    /// name-service message the M4 has to send in it.
    BufferLen,
    /// A message header's `len` exceeds its buffer or descriptor length.
    HeaderLen,
    /// An available index is more than `NUM` ahead of the used index.
    AvailJump,
    /// A name-service message is not exactly 40 bytes long.
    NsLength,
    /// A name-service message has flags other than create (0) or destroy (1).
    NsFlags,
    /// A message for a local address with no endpoint (dropped).
    UnknownDst,
    /// Not an error: Linux re-created a ring (or we restarted); local indices
    /// were resynchronised and buffers taken from the old ring forgotten.
    /// Carries the ring (0 or 1).
    RingReset(u8),
}

/// Platform services. On the i.MX7 M4: `notify` writes
/// [`kick_word`]`(queue_id)` to MU channel 1, `wait` sleeps in `wfi` until
/// the MU interrupt (or a timer) fires.
pub trait Platform {
    /// Kicks Linux for virtqueue `queue_id` (`2 * vdev + ring`). Must not
    /// block forever: when the mailbox is still full, a platform may drop
    /// the kick, because Linux already has one pending and processes whole
    /// rings per kick.
    fn notify(&mut self, queue_id: u32);

    /// A free-running tick counter for timeouts (wraps).
    fn now(&mut self) -> u32;

    /// Sleeps until a kick from Linux may have arrived, or at most `ticks`
    /// ticks ([`FOREVER`]: no limit). Must return at once when a kick arrived
    /// that [`take_kicked`](Self::take_kicked) has not reported yet (the
    /// flag is sticky, and `wait` leaves it set), so none is lost between
    /// the stack's last look at the rings and the sleep. A platform that
    /// keeps the default `take_kicked` may clear the flag here instead.
    /// Returning early is always allowed.
    fn wait(&mut self, ticks: u32);

    /// Takes the sticky "Linux kicked" flag: whether a kick may have
    /// arrived since the previous call. The stack calls it at the start of
    /// each look at the rings, and an operation that finds it clear skips
    /// its look: Linux kicks after everything it publishes in a ring (and
    /// after re-creating them), so a look finds nothing the previous one
    /// did not, except what a kick still on its way will report; the
    /// blocking calls then sleep in [`wait`](Self::wait) until it comes.
    /// (One exception, handled by the stack: while it has set
    /// `VRING_USED_F_NO_NOTIFY` in vring0, Linux refills vring0 without a
    /// kick, and the stack reads vring0 again before it waits for a
    /// buffer.)
    /// The default says yes, always: every operation looks.
    fn take_kicked(&mut self) -> bool {
        true
    }

    /// [`take_kicked`](Self::take_kicked) with a summary of the kicks:
    /// 0 if Linux has not kicked since the previous call, else the
    /// bitwise OR of [`kick_summary`] over the words received since (or
    /// [`ANY_KICK`] when the platform does not know them). The stack calls
    /// it instead of `take_kicked` at the start of each look: a summary
    /// that is exactly `kick_summary(kick_word(q))`, `q` vring1's queue,
    /// says that no kick of vring0 came (see [`kick_summary`]), so the
    /// look reads only vring0's used index, to notice a re-created ring.
    /// A platform may lose a kick that arrives while the summary is taken
    /// (imx7-rpmsg takes it with a load and a store): the look after the
    /// call still finds what that kick published in vring1, and vring0's
    /// buffers are found because the stack reads vring0's available index
    /// again before it reports or waits for a lack of buffers (`take_tx`'s
    /// relook), which every send, reply and announcement goes through.
    /// The default asks `take_kicked` and does not know the queues.
    fn take_kick_summary(&mut self) -> u32 {
        if self.take_kicked() {
            ANY_KICK
        } else {
            0
        }
    }

    /// Called for every rejected input and for ring resets: count or log.
    fn fault(&mut self, fault: Fault) {
        let _ = fault;
    }

    /// Called for a well-formed name-service message from Linux (to local
    /// address 53): `flags` is 0 (create) or 1 (destroy).
    fn name_service(&mut self, name: &[u8; 32], addr: u32, flags: u32) {
        let _ = (name, addr, flags);
    }

    /// Kicks Linux for `queue_id` as stock rpmsg-lite's i.MX platform
    /// does: busy-waits until Linux has read the previous word (the MU's
    /// transmit-empty flag), then writes; nothing is merged or deferred, and
    /// a Linux that never reads stops the caller for good. Only a
    /// [`LITE_LIKE`](crate::Config::LITE_LIKE) device calls it (feature
    /// `lite-like`); the default is [`notify`](Self::notify).
    #[cfg(feature = "lite-like")]
    fn notify_waiting(&mut self, queue_id: u32) {
        self.notify(queue_id)
    }

    /// The queues Linux kicked since the previous call, bit `q` for queue
    /// `q` (the word `q << 16`; queues from 32 on are not reported), for a
    /// device that dispatches kicks per queue as stock rpmsg-lite does.
    /// Only a [`LITE_LIKE`](crate::Config::LITE_LIKE) device calls it
    /// (feature `lite-like`). The default reports every queue kicked, always.
    #[cfg(feature = "lite-like")]
    fn take_kicks(&mut self) -> u32 {
        u32::MAX
    }
}
