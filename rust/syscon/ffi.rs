// SPDX-License-Identifier: GPL-2.0
//! Raw bindings of `linux/mfd/syscon.h` and the regmap calls we use,
//! generated at build time by the module-local bindgen run of
//! `rust/bindgen.mk` against the kernel we build for. Only [`super`] uses
//! these.
#![allow(
    clippy::all,
    clippy::undocumented_unsafe_blocks,
    dead_code,
    improper_ctypes,
    missing_docs,
    non_camel_case_types,
    non_upper_case_globals,
    non_snake_case,
    unreachable_pub,
    unused_imports,
    unsafe_op_in_unsafe_fn
)]

// The consumer's Kbuild exports the path of the generated file (see
// rust/bindgen.mk and drivers/rpmsg/Kbuild).
include!(env!("IMX_RPMSG_SYSCON_BINDINGS"));
