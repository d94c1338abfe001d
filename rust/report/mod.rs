// SPDX-License-Identifier: GPL-2.0
//! Reporting helpers shared by our modules: a lock-free ratelimit for log
//! lines about things a remote or a user can repeat at will, and a safe
//! display of bytes a remote chose.
//!
//! Out-of-tree modules cannot share a Rust crate, so this directory is
//! compiled into every module that uses it:
//! `#[path = "<relative path>/rust/report/mod.rs"] mod report;`.

use core::sync::atomic::{AtomicI64, Ordering};
use kernel::{bindings, fmt, fmt::Write};

/// Shortest time between two lines of one [`RateLimit`], in nanoseconds.
pub(crate) const INTERVAL_NS: i64 = 5_000_000_000;

/// Allows one log line per [`INTERVAL_NS`]: the first at once, later ones
/// only once the interval has passed since the last allowed line. Any
/// context but NMI.
pub(crate) struct RateLimit {
    /// Monotonic time (ns) from which the next line is allowed.
    next: AtomicI64,
}

impl RateLimit {
    /// A ratelimit that allows its first line.
    pub(crate) const fn new() -> Self {
        Self {
            next: AtomicI64::new(i64::MIN),
        }
    }

    /// Whether a line may be printed now; if so, the next one waits.
    pub(crate) fn allow(&self) -> bool {
        // SAFETY: `ktime_get` may be called from any context but NMI.
        let now = unsafe { bindings::ktime_get() };
        let next = self.next.load(Ordering::Relaxed);
        now >= next
            && self
                .next
                .compare_exchange(
                    next,
                    now.saturating_add(INTERVAL_NS),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
    }
}

/// Shows bytes a remote chose (a channel name) safely in a log line:
/// printable ASCII as is, everything else (newlines, escape sequences,
/// non-ASCII) as `\xNN`, so it cannot forge or garble log lines.
pub(crate) struct Escaped<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.0 {
            match b {
                b'\\' => f.write_str("\\\\")?,
                0x20..=0x7e => f.write_char(char::from(b))?,
                _ => write!(f, "\\x{b:02x}")?,
            }
        }
        Ok(())
    }
}
