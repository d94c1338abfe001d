// SPDX-License-Identifier: MIT OR Apache-2.0
//! Device interrupts of the i.MX7 Cortex-M4 and its vector table.
//!
//! The M4's NVIC has interrupt lines 0..=127; the vector table here covers
//! 0..=[`Interrupt::MU`] (97), the highest line this firmware uses. Every
//! slot points at cortex-m-rt's `DefaultHandler` except the named ones,
//! which are weak aliases of it (`device.x`) that an application replaces
//! by defining a handler of the same name (`#[interrupt] fn MU()`).

/// Number of device interrupt vectors in the table (IRQ 0..=97).
pub const NUM_VECTORS: usize = 98;

/// A device interrupt line of the M4's NVIC, named as in the i.MX7 reference
/// manual's interrupt table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
#[allow(clippy::upper_case_acronyms)]
pub enum Interrupt {
    /// Messaging Unit, side B (the M4's side).
    MU = 97,
}

impl Interrupt {
    /// The NVIC line number.
    pub const fn number(self) -> u16 {
        self as u16
    }
}

// Every named interrupt must have a slot in the table.
const _: () = assert!((Interrupt::MU as usize) < NUM_VECTORS);

#[cfg(all(target_arch = "arm", target_os = "none"))]
mod device {
    use super::{Interrupt, NUM_VECTORS};

    // SAFETY: `number` returns the interrupt's NVIC line, which is below
    // the 128 lines of the i.MX7 M4's NVIC (checked against the table size).
    unsafe impl cortex_m::interrupt::InterruptNumber for Interrupt {
        #[inline]
        fn number(self) -> u16 {
            Interrupt::number(self)
        }
    }

    extern "C" {
        // Provided by cortex-m-rt's link.x (or the application).
        fn DefaultHandler();
        // Weak alias of DefaultHandler from device.x unless defined.
        fn MU();
    }

    /// One entry of the vector table: a handler address.
    #[derive(Clone, Copy)]
    #[repr(C)]
    pub struct Vector {
        handler: unsafe extern "C" fn(),
    }

    const fn table() -> [Vector; NUM_VECTORS] {
        let mut table = [Vector {
            handler: DefaultHandler,
        }; NUM_VECTORS];
        table[Interrupt::MU as usize] = Vector { handler: MU };
        table
    }

    /// The device part of the vector table, placed by cortex-m-rt's link.x
    /// right after the 16 system exception vectors.
    #[link_section = ".vector_table.interrupts"]
    #[no_mangle]
    #[used]
    pub static __INTERRUPTS: [Vector; NUM_VECTORS] = table();
}

/// Enables (unmasks) `irq` in the NVIC.
///
/// # Safety
/// Unmasking may break a critical section that relies on the interrupt being
/// masked; the caller must have set up everything its handler uses.
#[cfg(all(target_arch = "arm", target_os = "none"))]
pub unsafe fn unmask(irq: Interrupt) {
    // SAFETY: passed on to the caller, see above.
    unsafe { cortex_m::peripheral::NVIC::unmask(irq) }
}

/// Disables (masks) `irq` in the NVIC.
#[cfg(all(target_arch = "arm", target_os = "none"))]
pub fn mask(irq: Interrupt) {
    cortex_m::peripheral::NVIC::mask(irq)
}
