// SPDX-License-Identifier: MIT OR Apache-2.0
//! Fuzz target over the receive (and send) path: the input chooses the
//! shared-memory contents (random or a plausible Linux state) and a script
//! of Linux scribbles and remote operations. The body is shared with the
//! stable, bounded run in `crates/rpmsg-remote/tests/fuzzlike.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[allow(dead_code)]
#[path = "../../crates/rpmsg-remote/tests/common/fuzz.rs"]
mod fuzz;
#[allow(dead_code)]
#[path = "../../crates/rpmsg-remote/tests/common/guard.rs"]
mod guard;

fuzz_target!(|data: &[u8]| {
    fuzz::run(data);
});
