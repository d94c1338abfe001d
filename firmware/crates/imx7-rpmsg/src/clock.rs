// SPDX-License-Identifier: MIT OR Apache-2.0
//! The tick counter behind [`Platform::now`](rpmsg_remote::Platform::now):
//! SysTick on the processor clock, one interrupt per tick, running only
//! while someone needs time (tickless idle).

use core::sync::atomic::{AtomicU32, Ordering};
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;

/// Ticks per second: one tick is a millisecond when `core_hz` given to
/// [`Clock::new`] is the M4's real clock.
pub const TICK_HZ: u32 = 1000;

static TICKS: AtomicU32 = AtomicU32::new(0);

/// SysTick, started on demand and stopped when nobody needs time: while it
/// is stopped the M4 sleeps until an interrupt and [`now`] stands still.
pub(crate) struct Clock {
    syst: SYST,
    running: bool,
}

impl core::fmt::Debug for Clock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Clock")
            .field("running", &self.running)
            .finish_non_exhaustive()
    }
}

impl Clock {
    /// Sets SysTick up (reload `core_hz / TICK_HZ` cycles of the processor
    /// clock, interrupt on every wrap), stopped.
    pub(crate) fn new(mut syst: SYST, core_hz: u32) -> Self {
        // SysTick's counter has 24 bits.
        let reload = (core_hz / TICK_HZ).clamp(2, 1 << 24) - 1;
        syst.disable_counter();
        syst.disable_interrupt();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(reload);
        Self {
            syst,
            running: false,
        }
    }

    /// Starts ticking if stopped: someone measures time or has a deadline.
    pub(crate) fn run(&mut self) {
        if !self.running {
            self.running = true;
            self.syst.clear_current();
            self.syst.enable_interrupt();
            self.syst.enable_counter();
        }
    }

    /// Whether it ticks.
    pub(crate) fn is_running(&self) -> bool {
        self.running
    }

    /// Stops ticking: nobody waits with a deadline.
    pub(crate) fn stop(&mut self) {
        if self.running {
            self.running = false;
            self.syst.disable_interrupt();
            self.syst.disable_counter();
        }
    }
}

/// Ticks counted so far (wraps after 49 days of running at 1 kHz). Only
/// time during which the clock ran is counted.
pub fn now() -> u32 {
    TICKS.load(Ordering::Relaxed)
}

/// Advances the counter: the body of the SysTick handler.
pub fn on_tick() {
    TICKS.fetch_add(1, Ordering::Relaxed);
}

#[cfg(feature = "irq-handlers")]
#[cortex_m_rt::exception]
fn SysTick() {
    on_tick();
}
