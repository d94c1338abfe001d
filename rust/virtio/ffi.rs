// SPDX-License-Identifier: GPL-2.0
//! Raw bindings of the virtio core (`linux/virtio.h`,
//! `linux/virtio_config.h`, `linux/virtio_ring.h`), generated at build time
//! by the module-local bindgen run of `rust/bindgen.mk` against the kernel we
//! build for.
//!
//! Only [`super::device`] and [`super::queues`] use these.
#![allow(
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    clippy::ptr_as_ptr,
    clippy::ref_as_ptr,
    clippy::cast_lossless,
    clippy::as_underscore,
    dead_code,
    improper_ctypes,
    missing_docs,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    unreachable_pub,
    unsafe_op_in_unsafe_fn
)]

// The consumer's Kbuild exports the path of the generated file (see
// rust/bindgen.mk and drivers/rpmsg/Kbuild).
include!(env!("IMX_RPMSG_VIRTIO_BINDINGS"));
