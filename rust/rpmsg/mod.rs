// SPDX-License-Identifier: GPL-2.0
//! Rust glue for RPMsg **drivers** (the kernel's `struct rpmsg_driver` and
//! endpoint sending), which the `kernel` crate of Linux 7.3 does not wrap:
//! [`driver`] registers a driver whose callbacks are one trait,
//! [`driver::Driver`]; [`endpoint`] sends on a channel, non-blocking or
//! waiting for a free buffer without the bus's 15-second limit, and stays
//! safe after the channel is gone.
//!
//! Out-of-tree modules cannot share a Rust crate, so this directory is
//! compiled into every module that uses it:
//! `#[path = "<relative path>/rust/rpmsg/mod.rs"] mod rpmsg;`, with the
//! module's Kbuild running the bindgen step (see `rust/bindgen.mk` and
//! `drivers/tty/Kbuild`).

pub(crate) mod driver;
pub(crate) mod endpoint;
pub(crate) mod ffi;
