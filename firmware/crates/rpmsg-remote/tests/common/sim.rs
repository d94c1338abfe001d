// SPDX-License-Identifier: MIT OR Apache-2.0
//! The simulated platform: kicks go into the Linux model's mailbox (MU
//! channel 1), `wait` lets Linux run once, `take_kicked` reports whether
//! Linux kicked since it was last asked, and time is a counter that only
//! moves when nothing happens (deterministic, no real time). Linux's kicks
//! are told apart by queue for a device that asks (feature `lite-like`);
//! the mailbox holds any number of words, so waiting for Linux to read one
//! is not modelled.

use super::linux::Linux;
use rpmsg_remote::{kick_word, Fault, Platform, ANY_KICK, FOREVER};
use std::cell::RefCell;

/// Platform for a device driven by a [`Linux`] model.
pub struct Sim<'l, 'm> {
    /// The Linux side.
    pub linux: &'l RefCell<Linux<'m>>,
    /// Simulated ticks.
    pub now: u32,
    /// Every fault the stack reported.
    pub faults: Vec<Fault>,
    /// Name-service messages from Linux: (name, addr, flags).
    pub ns: Vec<([u8; 32], u32, u32)>,
    /// Kick words the remote sent.
    pub kicks: Vec<u32>,
    /// Calls to `wait`.
    pub waits: u64,
    /// Looks at the rings the remote skipped because Linux had not kicked
    /// since the previous one ([`Platform::take_kicked`] said no).
    pub skipped_looks: u64,
    /// Linux's kick count as of the latest `take_kicked`.
    kicks_taken: u64,
    idle: u32,
}

impl<'l, 'm> Sim<'l, 'm> {
    /// A platform talking to `linux`.
    pub fn new(linux: &'l RefCell<Linux<'m>>) -> Self {
        Self {
            linux,
            now: 0,
            faults: Vec::new(),
            ns: Vec::new(),
            kicks: Vec::new(),
            waits: 0,
            skipped_looks: 0,
            kicks_taken: 0,
            idle: 0,
        }
    }

    /// Faults other than ring resets.
    pub fn errors(&self) -> Vec<Fault> {
        self.faults
            .iter()
            .copied()
            .filter(|f| !matches!(f, Fault::RingReset(_)))
            .collect()
    }
}

impl Platform for Sim<'_, '_> {
    fn notify(&mut self, queue_id: u32) {
        self.kicks.push(kick_word(queue_id));
        self.linux.borrow_mut().inbox.push_back(kick_word(queue_id));
    }

    fn now(&mut self) -> u32 {
        self.now
    }

    fn wait(&mut self, ticks: u32) {
        self.waits += 1;
        let mut l = self.linux.borrow_mut();
        let before = l.kicks_to_remote;
        l.step();
        if l.kicks_to_remote != before {
            // Linux kicked us: the interrupt ends the wait.
            self.idle = 0;
            self.now = self.now.wrapping_add(1);
            return;
        }
        self.idle += 1;
        assert!(
            ticks != FOREVER || self.idle < 100,
            "the remote waits forever and Linux has nothing to do: deadlock"
        );
        self.now = self.now.wrapping_add(ticks.clamp(1, 1000));
    }

    fn take_kicked(&mut self) -> bool {
        // Every kick Linux made, from `wait` or directly from a test.
        let n = self.linux.borrow().kicks_to_remote;
        let kicked = n != self.kicks_taken;
        self.kicks_taken = n;
        if !kicked {
            self.skipped_looks += 1;
        }
        kicked
    }

    fn take_kick_summary(&mut self) -> u32 {
        let summary = std::mem::take(&mut self.linux.borrow_mut().kick_summary);
        match (self.take_kicked(), summary) {
            (false, _) => 0,
            // Kicked, the summary rewritten to nothing by a test.
            (true, 0) => ANY_KICK,
            (true, s) => s,
        }
    }

    fn fault(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    fn name_service(&mut self, name: &[u8; 32], addr: u32, flags: u32) {
        self.ns.push((*name, addr, flags));
    }

    #[cfg(feature = "lite-like")]
    fn take_kicks(&mut self) -> u32 {
        std::mem::take(&mut self.linux.borrow_mut().kicked_queues)
    }
}
