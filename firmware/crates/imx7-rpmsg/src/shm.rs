// SPDX-License-Identifier: MIT OR Apache-2.0
//! The shared window as the M4 sees it.

use core::sync::atomic::{AtomicBool, Ordering};
use rpmsg_remote::{Config, VolatileShm};

/// Start of DDR, at the same address for the M4 and the A7.
pub const DDR_BASE: u64 = 0x8000_0000;

static TAKEN: AtomicBool = AtomicBool::new(false);

/// The window of layout `C` (rings and buffers in DDR), the first time it
/// is called; `None` afterwards. The M4 sees DDR at the addresses Linux
/// uses, so the window is accessed at `C::WINDOW_PHYS`. Fails to compile
/// if the window is not inside the 32-bit DDR range.
///
/// Caches: this firmware leaves the M4's caches (LMEM code-bus and
/// system-bus caches) off, as they are after reset, so every access goes to
/// DDR. An application that enables the system-bus cache must make the
/// window non-cacheable first (see `Documentation/firmware.md`).
pub fn take_shared_memory<C: Config>() -> Option<VolatileShm<C>> {
    const {
        rpmsg_remote::config::check::<C>();
        assert!(
            C::WINDOW_PHYS >= DDR_BASE && C::WINDOW_PHYS + C::WINDOW_SIZE as u64 <= 1 << 32,
            "the shared window must be in the M4's view of DDR"
        )
    };
    if TAKEN.swap(true, Ordering::AcqRel) {
        return None;
    }
    // SAFETY: the window is DDR (checked above), mapped for the M4 at these
    // addresses and valid for volatile reads and writes for the whole
    // program; the image, its data and stack live in the TCMs, so no Rust
    // reference points into it; WINDOW_PHYS is 16-byte aligned (`check`
    // above); and only one accessor exists (TAKEN).
    Some(unsafe { VolatileShm::new(C::WINDOW_PHYS as usize as *mut u8) })
}
