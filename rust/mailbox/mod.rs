// SPDX-License-Identifier: GPL-2.0
//! Rust glue for the Linux mailbox framework, which the `kernel` crate of
//! Linux 7.3 does not wrap: [`controller`] for providers (ops as one trait),
//! [`client`] for consumers (request by name, send, receive callbacks), on
//! top of [`ffi`], bindings generated for the target kernel at build time.
//!
//! Out-of-tree modules cannot share a Rust crate, so this directory is
//! compiled into every module that uses it:
//! `#[path = "<relative path>/rust/mailbox/mod.rs"] mod mailbox;`, with the
//! module's Kbuild running the bindgen step (see `rust/bindgen.mk` and
//! `drivers/mailbox/Kbuild`). A module uses only part of the glue.

pub(crate) mod client;
pub(crate) mod controller;
pub(crate) mod ffi;
