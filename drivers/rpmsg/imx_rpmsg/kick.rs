// SPDX-License-Identifier: GPL-2.0
//! Kicks through the MU, both ways.
//!
//! **Out** ([`TxKicks`]): a notification of queue `q` becomes the MU word
//! `q << 16` on the "tx" channel. One word is in flight at a time; kicks
//! that arrive meanwhile are merged per queue into a pending set and sent
//! when the remote has read the previous word. A kick means "look at this
//! ring", so merging loses nothing, the mailbox queue can never overflow,
//! and a remote that never reads its MU (not started yet, or dead) leaves
//! us with at most one pending bit per queue, not a stuck sender.
//!
//! **In** ([`RxKicks`]): a word on the "rx" channel names a queue; the
//! queue's work item runs the ring's callback in process context (the
//! RPMsg bus takes mutexes and registers devices there). A work item
//! already queued absorbs further kicks. Words naming no queue of ours are
//! reported once and dropped. A kick of the receive ring (ring 0) also
//! looks at the vdev's transmit ring, between reading the new messages and
//! delivering them (a remote's lie on the transmit ring stops the device
//! before any message it wrote later is delivered) and again after: a
//! remote that answers without signalling the buffers it consumed
//! (rpmsg-lite by default) still wakes every sender waiting for a buffer.
//!
//! **Polling** ([`TxPoll`]): the virtio core sees the buffers the remote
//! consumed only once the transport has taken its used entries in (see
//! `virtio::shadow`), which happens on a kick. A remote that consumes
//! without kicking and sends nothing back would leave senders waiting for
//! good, so while it holds transmit buffers, the transmit ring is looked
//! at again every [`POLL_MS`] ms.

use crate::layout::{decode_kick, kick_word, split_queue_id};
use crate::mailbox::client::{Channel, MboxClient, MuWord};
use crate::virtio::queues::Queues;
use core::{
    ptr,
    sync::atomic::{AtomicBool, Ordering},
};
use kernel::{
    bindings, impl_has_delayed_work, impl_has_work, new_delayed_work, new_spinlock_irq, new_work,
    prelude::*,
    sync::{Arc, SpinLockIrq},
    time::msecs_to_jiffies,
    workqueue::{self, DelayedWork, Work, WorkItem},
};

/// How often a transmit ring whose buffers the remote holds is looked at
/// without a kick, in milliseconds.
pub(crate) const POLL_MS: u32 = 20;

/// Pending outgoing kicks: one bit per queue id, served round-robin.
pub(crate) struct TxState {
    pending: u32,
    in_flight: bool,
    /// The queue kicked last; the next kick goes to the first pending queue
    /// after it, so that a queue kicked again and again (sustained receive
    /// traffic) cannot defer the others round after round.
    last: u32,
}

impl TxState {
    /// Nothing pending, nothing in flight.
    pub(crate) const fn new() -> Self {
        Self {
            pending: 0,
            in_flight: false,
            last: 31,
        }
    }

    /// Marks queue `qid` (< 32) as needing a kick.
    pub(crate) fn add(&mut self, qid: u32) {
        self.pending |= 1 << qid;
    }

    /// The word in flight was read (or could not be sent, `retry`: its
    /// queue stays pending).
    pub(crate) fn done(&mut self, retry: Option<u32>) {
        if let Some(q) = retry {
            self.add(q);
        }
        self.in_flight = false;
    }

    /// Takes the next queue to kick if no word is in flight: the first
    /// pending queue after the one kicked last, wrapping around.
    pub(crate) fn next(&mut self) -> Option<u32> {
        if self.in_flight || self.pending == 0 {
            return None;
        }
        let start = (self.last + 1) % 32;
        let qid = (self.pending.rotate_right(start).trailing_zeros() + start) % 32;
        self.pending &= !(1 << qid);
        self.in_flight = true;
        self.last = qid;
        Some(qid)
    }
}

/// The callbacks of the "tx" channel: the merged pending kicks.
#[pin_data]
pub(crate) struct TxKicks {
    #[pin]
    state: SpinLockIrq<TxState>,
    failed: AtomicBool,
}

impl TxKicks {
    /// No kick pending.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            state <- new_spinlock_irq!(TxState::new(), "imx_rpmsg_tx"),
            failed: AtomicBool::new(false),
        }? Error)
    }
}

/// Kicks queue `qid` (< 32) on `chan`; any context.
pub(crate) fn kick(chan: &Channel<'_, TxKicks>, qid: u32) {
    let next = {
        let mut s = chan.handler().state.lock();
        s.add(qid);
        s.next()
    };
    if let Some(q) = next {
        send(chan, q);
    }
}

/// Sends the word for `qid`, which the caller took from the pending set.
fn send(chan: &Channel<'_, TxKicks>, qid: u32) {
    let kicks = chan.handler();
    if let Err(e) = chan.send(kick_word(qid)) {
        // Keep the kick for the next attempt; report the first failure.
        {
            kicks.state.lock().done(Some(qid));
        }
        if !kicks.failed.swap(true, Ordering::Relaxed) {
            pr_err!("cannot send a kick on the MU ({:?})\n", e);
        }
    }
}

impl MboxClient for TxKicks {
    type Format = MuWord;

    fn tx_done(chan: &Channel<'_, Self>, _result: Result) {
        let next = {
            let mut s = chan.handler().state.lock();
            s.done(None);
            s.next()
        };
        if let Some(q) = next {
            send(chan, q);
        }
    }
}

/// The work item of one queue: runs the ring's callback.
#[pin_data]
pub(crate) struct QueueWork {
    queues: Arc<Queues>,
    ring: usize,
    #[pin]
    work: Work<QueueWork>,
}

impl_has_work! {
    impl HasWork<Self> for QueueWork { self.work }
}

impl WorkItem for QueueWork {
    type Pointer = Arc<QueueWork>;

    fn run(this: Arc<QueueWork>) {
        if this.ring == 0 {
            // Messages are delivered only once the transmit ring's returns
            // written before them were checked; the look after catches the
            // buffers the remote gave back while answering.
            this.queues.interrupt_checked(0, Some(1));
            this.queues.interrupt(1);
        } else {
            this.queues.interrupt(this.ring);
        }
    }
}

/// The transmit-ring poll of one vdev (see the module documentation).
#[pin_data]
pub(crate) struct TxPoll {
    queues: Arc<Queues>,
    #[pin]
    work: DelayedWork<TxPoll>,
}

impl_has_delayed_work! {
    impl HasDelayedWork<Self> for TxPoll { self.work }
}

impl WorkItem for TxPoll {
    type Pointer = Arc<TxPoll>;

    fn run(this: Arc<TxPoll>) {
        this.queues.interrupt(1);
        if this.queues.remote_holds(1) {
            arm(this);
        }
    }
}

/// Looks at `poll`'s transmit ring in [`POLL_MS`] ms, unless a look is
/// already pending; any context.
fn arm(poll: Arc<TxPoll>) {
    // Already pending: that look comes soon enough.
    let _ = queue().enqueue_delayed(poll, msecs_to_jiffies(POLL_MS));
}

/// The workqueue ring work runs on: unbound (any CPU). Ring callbacks do
/// not wait for user space (see `rpmsg::driver::Driver::received`), but a
/// name-service message registers devices, which may take a while.
fn queue() -> &'static workqueue::Queue {
    // SAFETY: `system_dfl_long_wq` is a C global set up at boot and never
    // freed.
    unsafe { workqueue::Queue::from_raw(bindings::system_dfl_long_wq) }
}

/// All queues' work items, indexed by queue id.
pub(crate) struct RxKicks {
    works: KVec<Arc<QueueWork>>,
    /// One transmit-ring poll per vdev.
    polls: KVec<Arc<TxPoll>>,
    reported: AtomicBool,
}

impl RxKicks {
    /// Work items for every ring of every vdev in `queues` (one entry per
    /// vdev, two rings each).
    pub(crate) fn new(queues: &[Arc<Queues>]) -> Result<Arc<Self>> {
        let mut works = KVec::with_capacity(queues.len() * 2, GFP_KERNEL)?;
        let mut polls = KVec::with_capacity(queues.len(), GFP_KERNEL)?;
        for q in queues {
            let p = Arc::pin_init(
                pin_init!(TxPoll {
                    queues: q.clone(),
                    work <- new_delayed_work!("imx_rpmsg_tx_poll"),
                }),
                GFP_KERNEL,
            )?;
            polls.push(p, GFP_KERNEL)?;
            for ring in 0..2 {
                let w = Arc::pin_init(
                    pin_init!(QueueWork {
                        queues: q.clone(),
                        ring,
                        work <- new_work!("imx_rpmsg_queue"),
                    }),
                    GFP_KERNEL,
                )?;
                works.push(w, GFP_KERNEL)?;
            }
        }
        Ok(Arc::new(
            Self {
                works,
                polls,
                reported: AtomicBool::new(false),
            },
            GFP_KERNEL,
        )?)
    }

    /// Runs queue `qid`'s callback soon (any context).
    pub(crate) fn schedule(&self, qid: u32) {
        if let Some(w) = self.works.get(qid as usize) {
            // Already queued: that run will see the new buffers too.
            let _ = queue().enqueue(w.clone());
        }
    }

    /// Starts polling vdev `vdev`'s transmit ring (after it published
    /// buffers to the remote); any context.
    pub(crate) fn poll_tx(&self, vdev: u32) {
        if let Some(p) = self.polls.get(vdev as usize) {
            arm(p.clone());
        }
    }

    /// Handles a word received on the "rx" channel.
    pub(crate) fn received(&self, word: u32) {
        let queues = self.works.len() as u32;
        match decode_kick(word, queues) {
            Some(qid) => self.schedule(qid),
            None => {
                if !self.reported.swap(true, Ordering::Relaxed) {
                    let (vdev, ring) = split_queue_id(word >> 16);
                    pr_warn!(
                        "MU word {:#010x} kicks vdev {} ring {}, which does not \
                         exist ({} queues); dropped (reported once)\n",
                        word,
                        vdev,
                        ring,
                        queues
                    );
                }
            }
        }
    }

    /// Waits until no work item is queued or running. Call after the "rx"
    /// channel and the virtio devices are gone, so that none is queued
    /// again: a poll then finds no ring and does not re-arm.
    pub(crate) fn flush(&self) {
        for w in self.works.iter() {
            // SAFETY: `w.work` is a live, initialised work item (we hold a
            // reference to its owner); flushing only waits for it.
            unsafe { bindings::flush_work(Work::raw_get(&w.work)) };
        }
        for p in self.polls.iter() {
            let dwork = ptr::from_ref(&p.work)
                .cast::<bindings::delayed_work>()
                .cast_mut();
            // SAFETY: `DelayedWork` is a transparent wrapper of an
            // initialised `delayed_work`, live while we hold its owner.
            // Flushing runs a pending poll at once (so its reference to the
            // owner is dropped, not leaked as a cancel would) and waits.
            unsafe { bindings::flush_delayed_work(dwork) };
        }
    }
}

/// The callbacks of the "rx" channel.
pub(crate) struct RxClient {
    kicks: Arc<RxKicks>,
}

impl RxClient {
    /// Delivers kicks to `kicks`.
    pub(crate) fn new(kicks: Arc<RxKicks>) -> Self {
        Self { kicks }
    }
}

impl MboxClient for RxClient {
    type Format = MuWord;

    fn received(chan: &Channel<'_, Self>, msg: Option<u32>) {
        if let Some(word) = msg {
            chan.handler().kicks.received(word);
        }
    }
}

/// Flushes the queue work items when dropped: the last step of teardown
/// before the module's code may go away.
pub(crate) struct FlushOnDrop(pub(crate) Arc<RxKicks>);

impl Drop for FlushOnDrop {
    fn drop(&mut self) {
        self.0.flush();
    }
}
