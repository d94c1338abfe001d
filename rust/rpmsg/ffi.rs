// SPDX-License-Identifier: GPL-2.0
//! Raw bindings of the rpmsg layer, generated at build time by the
//! module-local bindgen run of `rust/bindgen.mk` against the kernel we
//! build for. Only the glue in this directory uses these.
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
    unsafe_op_in_unsafe_fn,
    unused_imports
)]

// The consumer's Kbuild exports the path of the generated file (see
// rust/bindgen.mk and drivers/tty/Kbuild).
include!(env!("IMX_RPMSG_RPMSG_BINDINGS"));
