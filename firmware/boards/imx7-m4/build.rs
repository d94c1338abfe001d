// SPDX-License-Identifier: MIT OR Apache-2.0
//! Puts `memory.x` and `device.x` on the linker search path, where
//! cortex-m-rt's `link.x` (`INCLUDE memory.x`, `INCLUDE device.x`) finds them.

use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for script in ["memory.x", "device.x"] {
        fs::copy(script, out.join(script)).unwrap_or_else(|e| panic!("copying {script}: {e}"));
        println!("cargo:rerun-if-changed={script}");
    }
    println!("cargo:rustc-link-search={}", out.display());
    println!("cargo:rerun-if-changed=build.rs");
}
