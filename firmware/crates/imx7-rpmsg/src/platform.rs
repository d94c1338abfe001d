// SPDX-License-Identifier: MIT OR Apache-2.0
//! [`Imx7Platform`]: the [`Platform`] of rpmsg-remote on the i.MX7 M4.

use core::fmt::Write;

use cortex_m::peripheral::SYST;
use imx7_m4::mu::Mu;
use imx7_m4::uart::DebugUart;
use rpmsg_remote::{Fault, Platform, FOREVER};

use crate::clock::{self, Clock};
use crate::irq::{self, MuStats};
use crate::ratelimit::{RateLimit, Verdict};
use crate::text::{fault_text, printable_name};
use crate::TICK_HZ;

/// Diagnostic lines: at most this many per second.
const LINES_PER_SECOND: u32 = 4;

/// What the platform has seen (see [`Imx7Platform::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// MU traffic.
    pub mu: MuStats,
    /// Rejected inputs reported by the stack (not counting ring resets).
    pub faults: u32,
    /// Ring re-creations by Linux (module reloads) the stack resynchronised
    /// to.
    pub ring_resets: u32,
    /// Name-service messages from Linux.
    pub ns_messages: u32,
}

/// The i.MX7 M4 platform: kicks on MU channel 1, the MU interrupt (97) and
/// `wfi` to wait, SysTick for time, the debug UART (UART2) for reports.
///
/// Tickless: SysTick runs only from a call that needs time ([`now`], a
/// wait with a deadline, a diagnostic line, whose rate limit needs its
/// window to close) until a wait without a deadline finds nobody needing
/// it; an idle M4 then sleeps in `wfi` until Linux kicks, executing
/// nothing. Time during which the clock is stopped is not counted.
///
/// [`now`]: Platform::now
#[derive(Debug)]
pub struct Imx7Platform {
    uart: DebugUart,
    clock: Clock,
    limit: RateLimit,
    faults: u32,
    ring_resets: u32,
    ns_messages: u32,
}

impl Imx7Platform {
    /// Sets the platform up: takes the MU (`None` if it was taken before),
    /// sets SysTick up for [`TICK_HZ`] from the processor clock `core_hz`
    /// (see [`crate::DEFAULT_CORE_HZ`]; it runs only when needed), enables
    /// the MU receive interrupt of channel 1 and unmasks IRQ 97. Reports go
    /// to `uart`.
    pub fn new(uart: DebugUart, syst: SYST, core_hz: u32) -> Option<Self> {
        let mu = Mu::take()?;
        let clock = Clock::new(syst, core_hz);
        irq::install(mu);
        Some(Self {
            uart,
            clock,
            limit: RateLimit::new(TICK_HZ, LINES_PER_SECOND),
            faults: 0,
            ring_resets: 0,
            ns_messages: 0,
        })
    }

    /// Sleeps until Linux has kicked at least once, or until Linux's
    /// remoteproc marked its virtio device ready (`DRIVER_OK` in the
    /// resource table's status, feature `resource-table`). Call it before
    /// the first operation on the [`Device`](rpmsg_remote::Device): until
    /// Linux's RPMsg driver has set up the rings (and kicked, which it does
    /// right after filling its input ring), the window may hold anything,
    /// e.g. the rings of a Linux that ran before a warm reboot, whose buffer
    /// addresses point into memory the new boot uses. The stack validates
    /// what it reads, but a plausible stale ring would still make it write
    /// announcements into those buffers.
    ///
    /// Either sign will do. Our transport does not use the resource table
    /// (the status stays 0): its first kick ends the wait. Under the
    /// kernel's remoteproc, `virtio_rpmsg_bus` sets `DRIVER_OK` and then
    /// kicks, so the kick usually ends the wait there too; the status is
    /// read at every wake-up and covers an M4 restarted (without reloading
    /// its image) while that virtio device is up. After an M4 restart under
    /// our transport, the next kick (Linux's next message to the M4, or a
    /// driver reload) brings the link back.
    pub fn wait_for_linux(&mut self) {
        loop {
            // Taken before the checks: a kick after them ends the wait.
            // The device's first operation looks at the rings anyway.
            irq::take_kicked();
            if irq::linux_seen() || remoteproc_ready() {
                return;
            }
            self.wait(FOREVER);
        }
    }

    /// Whether Linux has kicked at least once since start.
    pub fn linux_seen(&self) -> bool {
        irq::linux_seen()
    }

    /// The debug UART, for the application's own lines.
    pub fn uart(&mut self) -> &mut DebugUart {
        &mut self.uart
    }

    /// Counters of kicks, faults and resets.
    pub fn stats(&self) -> Stats {
        Stats {
            mu: irq::stats(),
            faults: self.faults,
            ring_resets: self.ring_resets,
            ns_messages: self.ns_messages,
        }
    }

    /// Floods MU side B (feature `unchecked`, test firmware only): writes
    /// `words` words `word(0)`, `word(1)`, ... to each of the four
    /// channels, each as soon as Linux has read the previous one of its
    /// channel, round-robin; gives a channel up when Linux leaves a word
    /// unread for more than `patience` ticks. Returns the words written
    /// per channel. Channel 1's words interleave with the stack's kicks
    /// and never overwrite one.
    #[cfg(feature = "unchecked")]
    pub fn kick_storm(
        &mut self,
        words: u32,
        patience: u32,
        word: impl Fn(u32) -> u32,
    ) -> [u32; crate::storm::CHANNELS] {
        crate::storm::storm(&mut StormMu(self), words, patience, word)
    }

    /// Stops the clock unless the rate limit of the diagnostic lines needs
    /// it: a wait without a deadline is about to sleep until an interrupt.
    /// Out of line: at most waits the clock is stopped already, and the
    /// wait then needs none of this.
    #[inline(never)]
    fn stop_clock_if_unneeded(&mut self) {
        if !self.limit.needs_time(clock::now()) {
            self.clock.stop();
        }
    }

    /// Whether a diagnostic line may be printed now (rate limit); prints
    /// the number of suppressed ones first.
    fn may_print(&mut self) -> bool {
        // The limit's window must be able to close.
        self.clock.run();
        match self.limit.check(clock::now()) {
            Verdict::Print { suppressed } => {
                if suppressed > 0 {
                    let _ = writeln!(self.uart, "rpmsg: ({suppressed} more lines not shown)");
                }
                true
            }
            Verdict::Drop => false,
        }
    }
}

/// Whether remoteproc set this firmware's virtio device up (its resource
/// table's status has `DRIVER_OK`); never without the resource table.
fn remoteproc_ready() -> bool {
    #[cfg(feature = "resource-table")]
    {
        crate::resource_table::driver_ok()
    }
    #[cfg(not(feature = "resource-table"))]
    {
        false
    }
}

/// MU side B and the platform's clock, for a kick storm.
#[cfg(feature = "unchecked")]
struct StormMu<'a>(&'a mut Imx7Platform);

#[cfg(feature = "unchecked")]
impl crate::storm::StormPort for StormMu<'_> {
    fn try_send(&mut self, channel: usize, word: u32) -> bool {
        imx7_m4::mu::Channel::from_index(channel).is_some_and(|c| irq::try_send(c, word))
    }
    fn now(&mut self) -> u32 {
        Platform::now(self.0)
    }
}

impl Platform for Imx7Platform {
    fn notify(&mut self, queue_id: u32) {
        // The ring updates must reach DDR before Linux can see the kick.
        cortex_m::asm::dsb();
        irq::kick(queue_id);
    }

    fn now(&mut self) -> u32 {
        self.clock.run();
        clock::now()
    }

    fn wait(&mut self, ticks: u32) {
        // The start tick only for a deadline: without one the clock may be
        // stopped, and reading it is wasted.
        let start = if ticks != FOREVER {
            self.clock.run();
            clock::now()
        } else {
            0
        };
        if !cortex_m::register::primask::read().is_active() {
            // Called with interrupts masked: no handler can run, so service
            // the MU by hand and let the caller retry.
            irq::on_mu_interrupt();
            return;
        }
        loop {
            // Check and sleep with interrupts masked: an interrupt that
            // comes after the check still ends `wfi` (a pending interrupt
            // wakes the core even while PRIMASK is set) and its handler
            // runs as soon as they are unmasked. No kick is missed. The
            // kick is checked first: after the sleep it is what ended it.
            cortex_m::interrupt::disable();
            let done = irq::kicked()
                || if ticks == FOREVER {
                    // Stopped already (the common case): nothing to decide.
                    if self.clock.is_running() {
                        self.stop_clock_if_unneeded();
                    }
                    false
                } else {
                    clock::now().wrapping_sub(start) >= ticks
                };
            if !done {
                cortex_m::asm::wfi();
            }
            // SAFETY: interrupts were enabled on entry (checked above) and
            // we are in no critical section of our own: this restores that.
            unsafe { cortex_m::interrupt::enable() };
            if done {
                return;
            }
        }
    }

    fn take_kicked(&mut self) -> bool {
        irq::take_kicked() != 0
    }

    fn take_kick_summary(&mut self) -> u32 {
        irq::take_kicked()
    }

    fn fault(&mut self, fault: Fault) {
        if let Fault::RingReset(_) = fault {
            self.ring_resets = self.ring_resets.wrapping_add(1);
        } else {
            self.faults = self.faults.wrapping_add(1);
        }
        if self.may_print() {
            let _ = writeln!(self.uart, "rpmsg: {}", fault_text(fault));
        }
    }

    #[cfg(feature = "lite-like")]
    fn notify_waiting(&mut self, queue_id: u32) {
        cortex_m::asm::dsb();
        irq::kick_spinning(queue_id);
    }

    #[cfg(feature = "lite-like")]
    fn take_kicks(&mut self) -> u32 {
        irq::take_kicked_queues()
    }

    fn name_service(&mut self, name: &[u8; 32], addr: u32, flags: u32) {
        self.ns_messages = self.ns_messages.wrapping_add(1);
        if self.may_print() {
            let mut shown = [0u8; 32];
            let n = printable_name(name, &mut shown);
            let what = if flags == 0 { "created" } else { "destroyed" };
            let _ = write!(self.uart, "rpmsg: Linux {what} endpoint ");
            self.uart.write_bytes(&shown[..n]);
            let _ = writeln!(self.uart, " at {addr}");
        }
    }
}
