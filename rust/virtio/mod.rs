// SPDX-License-Identifier: GPL-2.0
//! Rust glue for writing a virtio **transport** (the kernel's `struct
//! virtio_device` and `virtio_config_ops`), which the `kernel` crate of
//! Linux 7.3 does not wrap: [`device`] registers a device whose ops are one
//! trait, [`device::Transport`]; [`queues`] holds its live virtqueues and
//! runs them when the transport's interrupt arrives. The virtio core works
//! on a private copy of each ring ([`shadow`]), and every used entry the
//! remote writes is checked ([`track`]) before the core sees it: nothing
//! the remote writes later can change what Linux acts on.
//!
//! Out-of-tree modules cannot share a Rust crate, so this directory is
//! compiled into every module that uses it:
//! `#[path = "<relative path>/rust/virtio/mod.rs"] mod virtio;`, with the
//! module's Kbuild running the bindgen step (see `rust/bindgen.mk` and
//! `drivers/rpmsg/Kbuild`).

pub(crate) mod device;
pub(crate) mod ffi;
pub(crate) mod queues;
pub(crate) mod shadow;
pub(crate) mod track;

/// The virtio device id of RPMsg (`VIRTIO_ID_RPMSG`).
pub(crate) const ID_RPMSG: u32 = ffi::VIRTIO_ID_RPMSG;

/// Device status bit: the driver is ready (`VIRTIO_CONFIG_S_DRIVER_OK`).
pub(crate) const STATUS_DRIVER_OK: u8 = ffi::VIRTIO_CONFIG_S_DRIVER_OK as u8;

/// Device status bit: the driver gave up on the device
/// (`VIRTIO_CONFIG_S_FAILED`, set by the core when its probe fails).
pub(crate) const STATUS_FAILED: u8 = ffi::VIRTIO_CONFIG_S_FAILED as u8;
