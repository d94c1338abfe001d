// SPDX-License-Identifier: GPL-2.0
//! Rust glue for tty **drivers** (the kernel's `struct tty_driver`,
//! `tty_operations`, `tty_port` and `tty_port_operations`), which the
//! `kernel` crate of Linux 7.3 does not wrap: [`driver`] registers a driver
//! whose operations are one trait, [`driver::Operations`], with ports
//! added and removed at run time; [`port`] is a port with the driver's
//! data, its flip buffer (receive) and writer wake-ups.
//!
//! Out-of-tree modules cannot share a Rust crate, so this directory is
//! compiled into every module that uses it:
//! `#[path = "<relative path>/rust/tty/mod.rs"] mod tty;`, with the
//! module's Kbuild running the bindgen step (see `rust/bindgen.mk` and
//! `drivers/tty/Kbuild`).

pub(crate) mod driver;
pub(crate) mod ffi;
pub(crate) mod port;
