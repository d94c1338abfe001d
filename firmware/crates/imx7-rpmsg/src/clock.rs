// SPDX-License-Identifier: MIT OR Apache-2.0
//! The tick counter behind [`Platform::now`](rpmsg_remote::Platform::now):
//! SysTick on the processor clock, one interrupt per tick.

use core::sync::atomic::{AtomicU32, Ordering};
use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;

/// Ticks per second: one tick is a millisecond when `core_hz` given to
/// [`start`] is the M4's real clock.
pub const TICK_HZ: u32 = 1000;

static TICKS: AtomicU32 = AtomicU32::new(0);

/// Starts SysTick: reload `core_hz / TICK_HZ` cycles of the processor clock,
/// interrupt on every wrap.
pub(crate) fn start(mut syst: SYST, core_hz: u32) {
    // SysTick's counter has 24 bits.
    let reload = (core_hz / TICK_HZ).clamp(2, 1 << 24) - 1;
    syst.disable_counter();
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(reload);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

/// Ticks since [`start`] (wraps after 49 days at 1 kHz).
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
