// SPDX-License-Identifier: GPL-2.0
//! Command-line options shared by the harness programs: `--key value` pairs
//! naming the built artefacts, turned into a bootable [`BoardConfig`].

use crate::initramfs::{self, InitramfsSpec};
use crate::machine::BoardConfig;
use std::collections::HashMap;
use std::path::PathBuf;

/// The options every harness program takes.
pub const USAGE: &str = "options: --qemu QEMU --kernel ZIMAGE --dtb DTB --busybox BUSYBOX \
--modules MODULES_INSTALL_DIR --rust-modules DIR --firmware ELF --rpmsg-firmware ELF --guest-tools DIR --m4-cpu N --scripts DIR --log-dir DIR";

/// Parsed `--key value` options.
pub struct Options(HashMap<String, String>);

impl Options {
    /// Parses the process arguments.
    pub fn from_env() -> Result<Self, String> {
        let mut opts = HashMap::new();
        let mut args = std::env::args().skip(1);
        while let Some(a) = args.next() {
            let key = a
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {a}\n{USAGE}"))?;
            let value = args
                .next()
                .ok_or_else(|| format!("--{key} needs a value"))?;
            opts.insert(key.to_string(), value);
        }
        Ok(Self(opts))
    }

    /// The value of `--key`, required.
    pub fn get(&self, key: &str) -> Result<&str, String> {
        self.0
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| format!("missing --{key}\n{USAGE}"))
    }

    /// The value of `--key` as a path that must exist.
    pub fn path(&self, key: &str) -> Result<PathBuf, String> {
        let p = PathBuf::from(self.get(key)?);
        if !p.exists() {
            return Err(format!("--{key} {}: no such file", p.display()));
        }
        Ok(p)
    }

    /// Builds the initramfs into the log directory and returns the board.
    pub fn board(&self) -> Result<BoardConfig, String> {
        let log_dir = PathBuf::from(self.get("log-dir")?);
        std::fs::create_dir_all(&log_dir).map_err(|e| format!("{}: {e}", log_dir.display()))?;
        let initrd = log_dir.join("initramfs.cpio");
        let spec = InitramfsSpec {
            busybox: self.path("busybox")?,
            kernel_modules: Some(self.path("modules")?),
            files: vec![],
            bins: vec![],
            scripts: Some(self.path("scripts")?),
        };
        initramfs::build(&spec, &initrd).map_err(|e| format!("building the initramfs: {e}"))?;
        Ok(BoardConfig {
            qemu: self.path("qemu")?,
            kernel: self.path("kernel")?,
            dtb: self.path("dtb")?,
            initrd,
            firmware: Some(self.path("firmware")?),
            m4_cpu: self
                .get("m4-cpu")?
                .parse()
                .map_err(|_| "--m4-cpu takes a number")?,
            log_dir,
            extra_append: String::new(),
        })
    }
}
