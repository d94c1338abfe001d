// SPDX-License-Identifier: MIT OR Apache-2.0
//! Test support: the Linux master model, the simulated platform and the
//! write guard, plus a setup helper.
#![allow(dead_code)]

pub mod fuzz;
pub mod guard;
pub mod linux;
pub mod sim;

use guard::{Guard, Sim64k};
use rpmsg_remote::Device;
use sim::Sim;

/// The device type the tests drive: i.MX7 rings in a 64 KiB window, 4
/// endpoints.
pub type Dev<'l, 'm> = Device<Guard<'m>, Sim<'l, 'm>, Sim64k, 4>;

/// Name the demo channel is announced under.
pub const DEMO: &str = "rpmsg-openamp-demo-channel";

/// Deterministic test payload of `n` bytes, different per `seed`.
pub fn payload(n: usize, seed: u32) -> Vec<u8> {
    (0..n)
        .map(|i| {
            (i as u32)
                .wrapping_mul(31)
                .wrapping_add(seed.wrapping_mul(7)) as u8
        })
        .collect()
}
