// SPDX-License-Identifier: MIT OR Apache-2.0
//! `mu-echo` firmware for the i.MX7 Cortex-M4: answers every word side A
//! writes on MU channel `n` with `!w ^ (n << 24)` on channel `n`, and every
//! doorbell `n` with doorbell `n` (see the library documentation).
//!
//! Start-up prints a banner on the debug UART (UART2), enables the MU
//! interrupts and sleeps; all work happens in the MU interrupt handler.
#![cfg_attr(all(target_arch = "arm", target_os = "none"), no_std, no_main)]

#[cfg(all(target_arch = "arm", target_os = "none"))]
mod firmware;

/// On other targets there is nothing to run: the logic is tested with
/// `cargo test -p mu-echo --lib`.
#[cfg(not(all(target_arch = "arm", target_os = "none")))]
fn main() {
    eprintln!("mu-echo runs on the i.MX7 Cortex-M4; build it with --target thumbv7em-none-eabihf");
    std::process::exit(1);
}
