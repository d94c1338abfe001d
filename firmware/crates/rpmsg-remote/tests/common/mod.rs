// SPDX-License-Identifier: MIT OR Apache-2.0
//! Test support: the Linux master model, the simulated platform and the
//! write guard, plus a setup helper.
#![allow(dead_code)]

pub mod fuzz;
pub mod guard;
pub mod linux;
pub mod sim;

use guard::{Guard, Sim64k};
use linux::Linux;
use rpmsg_remote::{Device, Endpoint};
use sim::Sim;
use std::cell::{Cell, RefCell};

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

/// A device on `mem` with the demo endpoint (address 30) announced to
/// `linux`.
pub fn up<'l, 'm>(linux: &'l RefCell<Linux<'m>>, mem: &'m [Cell<u8>]) -> (Dev<'l, 'm>, Endpoint) {
    let mut dev: Dev = Device::new(Guard::new(mem), Sim::new(linux));
    let ept = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    linux.borrow_mut().step();
    (dev, ept)
}
