// SPDX-License-Identifier: MIT OR Apache-2.0
//! Rate limiting of the diagnostic lines on the debug UART.
//!
//! A Linux that keeps feeding the M4 bad descriptors must not make it spend
//! its time printing at 115200 Bd (a line takes about 4 ms): at most
//! `burst` lines per window of `window` ticks are printed; the rest are
//! counted and the count is reported with the next line that is printed.

/// What to do with one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Print it; `suppressed` lines were dropped since the last one printed
    /// (say so first when not 0).
    Print {
        /// Lines dropped before this one.
        suppressed: u32,
    },
    /// Drop it (it is counted).
    Drop,
}

/// A fixed-window limiter over a wrapping tick counter.
#[derive(Clone, Copy, Debug)]
pub struct RateLimit {
    window: u32,
    burst: u32,
    start: u32,
    used: u32,
    suppressed: u32,
}

impl RateLimit {
    /// At most `burst` lines per `window` ticks.
    pub const fn new(window: u32, burst: u32) -> Self {
        Self {
            window,
            burst,
            start: 0,
            used: 0,
            suppressed: 0,
        }
    }

    /// Whether a window that counts lines is still open at tick `now`: the
    /// clock must keep running until it closes, or the limit would never
    /// let a line through again.
    pub fn needs_time(&self, now: u32) -> bool {
        self.used != 0 && now.wrapping_sub(self.start) < self.window
    }

    /// Decides about a line at tick `now`.
    pub fn check(&mut self, now: u32) -> Verdict {
        if self.used == 0 || now.wrapping_sub(self.start) >= self.window {
            self.start = now;
            self.used = 0;
        }
        if self.used < self.burst {
            self.used += 1;
            let suppressed = core::mem::take(&mut self.suppressed);
            Verdict::Print { suppressed }
        } else {
            self.suppressed = self.suppressed.saturating_add(1);
            Verdict::Drop
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_drops_then_reports_the_count() {
        let mut r = RateLimit::new(1000, 3);
        for t in 0..3 {
            assert_eq!(r.check(10 + t), Verdict::Print { suppressed: 0 });
        }
        for t in 0..50 {
            assert_eq!(r.check(20 + t), Verdict::Drop);
        }
        // The window started at tick 10.
        assert_eq!(r.check(1009), Verdict::Drop);
        assert_eq!(r.check(1010), Verdict::Print { suppressed: 51 });
        assert_eq!(r.check(1011), Verdict::Print { suppressed: 0 });
    }

    #[test]
    fn needs_time_only_while_a_window_is_open() {
        let mut r = RateLimit::new(1000, 3);
        assert!(!r.needs_time(0), "no line yet");
        let _ = r.check(u32::MAX - 10);
        assert!(r.needs_time(u32::MAX));
        assert!(r.needs_time(988));
        assert!(!r.needs_time(989), "window over");
    }

    #[test]
    fn survives_tick_wrap_around() {
        let mut r = RateLimit::new(100, 1);
        assert_eq!(r.check(u32::MAX - 10), Verdict::Print { suppressed: 0 });
        assert_eq!(r.check(u32::MAX), Verdict::Drop);
        assert_eq!(r.check(50), Verdict::Drop);
        assert_eq!(r.check(89), Verdict::Print { suppressed: 2 });
    }
}
