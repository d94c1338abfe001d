// SPDX-License-Identifier: MIT OR Apache-2.0
//! Board support for the Cortex-M4 of the NXP i.MX7 (WaRP7, i.MX7D/S).
//!
//! - start-up through `cortex-m-rt`, with `memory.x` placing the image in the
//!   tightly coupled memories (TCML code at `0x1FFF8000`, TCMU data and stack
//!   at `0x20000000`, 32 KiB each);
//! - the device interrupt vector table (IRQs 0..=97, [`Interrupt::MU`] = 97);
//! - [`mu`]: a driver for side B of the Messaging Unit (`0x30AB0000`);
//! - `uart`: polled debug output on UART2 (`0x30890000`);
//! - panic, HardFault and default handlers that report on the debug UART
//!   (feature `handlers`, on by default).
//!
//! Only the pure logic (MU register bit mapping, [`mu::bits`]) is built on
//! other targets, so that it can be unit-tested on the host; everything that
//! touches hardware exists only for `target_os = "none"` Arm builds.
#![no_std]
#![deny(missing_docs)]

#[cfg(all(target_arch = "arm", target_os = "none"))]
mod mmio;

pub mod irq;
pub mod mu;

#[cfg(all(target_arch = "arm", target_os = "none"))]
pub mod uart;

#[cfg(all(target_arch = "arm", target_os = "none", feature = "handlers"))]
mod handlers;

pub use irq::Interrupt;

/// `use imx7_m4::interrupt;` brings both this enum alias and cortex-m-rt's
/// `#[interrupt]` attribute into scope, as with a generated device crate,
/// so that `#[interrupt] fn MU() { .. }` is checked against [`Interrupt`].
pub use irq::Interrupt as interrupt;

#[cfg(all(target_arch = "arm", target_os = "none"))]
#[doc(no_inline)]
pub use cortex_m_rt::interrupt;

/// Base address of side B (the M4 side) of the Messaging Unit.
pub const MU_B_BASE: usize = 0x30AB_0000;
/// Base address of UART2, the M4's debug UART.
pub const UART2_BASE: usize = 0x3089_0000;
