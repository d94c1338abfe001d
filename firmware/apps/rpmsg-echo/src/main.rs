// SPDX-License-Identifier: MIT OR Apache-2.0
//! `rpmsg-echo` firmware for the i.MX7 Cortex-M4: announces the echo channel
//! (address 30) and `rpmsg-tty` (address 31) to Linux and serves both (see
//! the library documentation).
#![cfg_attr(all(target_arch = "arm", target_os = "none"), no_std, no_main)]

#[cfg(all(target_arch = "arm", target_os = "none"))]
mod firmware;

/// On other targets there is nothing to run: the logic is tested with
/// `cargo test -p rpmsg-echo`.
#[cfg(not(all(target_arch = "arm", target_os = "none")))]
fn main() {
    eprintln!(
        "rpmsg-echo runs on the i.MX7 Cortex-M4; build it with --target thumbv7em-none-eabihf"
    );
    std::process::exit(1);
}
