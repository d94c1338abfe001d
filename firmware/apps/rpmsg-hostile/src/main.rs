// SPDX-License-Identifier: MIT OR Apache-2.0
//! `rpmsg-hostile` test firmware for the i.MX7 Cortex-M4: announces the
//! `rpmsg-tty` loopback (address 31) and the control channel
//! `rpmsg-hostile-ctl` (address 40) to Linux, serves both, and misbehaves
//! on command (see the library documentation).
#![cfg_attr(all(target_arch = "arm", target_os = "none"), no_std, no_main)]

#[cfg(all(target_arch = "arm", target_os = "none"))]
mod firmware;

/// On other targets there is nothing to run: the logic is tested with
/// `cargo test -p rpmsg-hostile`.
#[cfg(not(all(target_arch = "arm", target_os = "none")))]
fn main() {
    eprintln!(
        "rpmsg-hostile runs on the i.MX7 Cortex-M4; build it with --target thumbv7em-none-eabihf"
    );
    std::process::exit(1);
}
