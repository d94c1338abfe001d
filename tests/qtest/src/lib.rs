// SPDX-License-Identifier: GPL-2.0-or-later
//! Test support for the emulated i.MX7 board (`mcimx7d-sabre` with our
//! patches): a client for QEMU's qtest protocol, the board's Messaging Unit
//! register map, and a tiny Cortex-M4 test image.
//!
//! The tests in `tests/` start `$QEMU_SYSTEM_ARM` themselves; they fail
//! (never skip) when that variable is not set.

pub mod board;
pub mod m4_image;
pub mod qtest;

pub use board::{Reg, Side};
pub use qtest::{Accel, Qtest};
