// SPDX-License-Identifier: MIT OR Apache-2.0
//! `rpmsg-lite-like` firmware for the i.MX7 Cortex-M4: rpmsg-echo's two
//! channels, served by a device that behaves like stock rpmsg-lite (see the
//! library documentation).
#![cfg_attr(all(target_arch = "arm", target_os = "none"), no_std, no_main)]

#[cfg(all(target_arch = "arm", target_os = "none"))]
mod firmware;

/// On other targets there is nothing to run: the logic is tested with
/// `cargo test -p rpmsg-lite-like`.
#[cfg(not(all(target_arch = "arm", target_os = "none")))]
fn main() {
    eprintln!(
        "rpmsg-lite-like runs on the i.MX7 Cortex-M4; build it with --target thumbv7em-none-eabihf"
    );
    std::process::exit(1);
}
