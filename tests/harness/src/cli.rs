// SPDX-License-Identifier: GPL-2.0
//! Command-line options shared by the harness programs: `--key value` pairs
//! naming the built artefacts, turned into a bootable [`BoardConfig`].

use crate::initramfs::{self, InitramfsSpec};
use crate::machine::BoardConfig;
use std::collections::HashMap;
use std::path::PathBuf;

/// The options every harness program takes.
pub const USAGE: &str = "options: --qemu QEMU --kernel ZIMAGE --dtb DTB --busybox BUSYBOX \
--modules MODULES_INSTALL_DIR --rust-modules DIR --firmware ELF --rpmsg-firmware ELF --hostile-firmware ELF --lite-firmware ELF --guest-tools DIR --m4-cpu N --scripts DIR --log-dir DIR \
[--stock-kernel ZIMAGE --stock-modules MODULES_INSTALL_DIR --stock-rust-modules DIR]";

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

    /// A file named `name` next to the path given as `--key` (e.g. another
    /// device tree beside `--dtb`), which `builder` makes.
    pub fn sibling(&self, key: &str, name: &str, builder: &str) -> Result<PathBuf, String> {
        let dir = self.path(key)?;
        let dir = if dir.is_dir() {
            dir
        } else {
            dir.parent()
                .ok_or(format!("--{key} has no directory"))?
                .to_path_buf()
        };
        let p = dir.join(name);
        if !p.exists() {
            return Err(format!(
                "{}: no such file ({builder} builds it)",
                p.display()
            ));
        }
        Ok(p)
    }

    /// The plain board: `--dtb`, the `--firmware` ELF, no extra modules.
    pub fn board(&self) -> Result<BoardConfig, String> {
        self.board_variant(&BoardVariant::default())
    }

    /// Builds `variant`'s initramfs into the log directory and returns its
    /// board.
    pub fn board_variant(&self, variant: &BoardVariant<'_>) -> Result<BoardConfig, String> {
        let log_dir = PathBuf::from(self.get("log-dir")?);
        std::fs::create_dir_all(&log_dir).map_err(|e| format!("{}: {e}", log_dir.display()))?;
        let dtb = match variant.dtb {
            Some(name) => self.sibling("dtb", name, "scripts/dtbs.sh")?,
            None => self.path("dtb")?,
        };
        let (kernel, modules, rust_modules) = if variant.stock_kernel {
            ("stock-kernel", "stock-modules", STOCK_RUST_MODULES_OPTION)
        } else {
            ("kernel", "modules", RUST_MODULES_OPTION)
        };
        let mut files = Vec::new();
        for ko in variant.rust_modules {
            let host = self.sibling(rust_modules, ko, "scripts/modules.sh")?;
            files.push((format!("{RUST_MODULES_GUEST_DIR}/{ko}"), host));
        }
        let initrd = log_dir.join(match variant.name {
            "" => "initramfs.cpio".to_string(),
            name => format!("{name}-initramfs.cpio"),
        });
        let spec = InitramfsSpec {
            busybox: self.path("busybox")?,
            kernel_modules: Some(self.path(modules)?),
            files,
            bins: variant.bins.clone(),
            scripts: Some(self.path("scripts")?),
        };
        initramfs::build(&spec, &initrd).map_err(|e| format!("building the initramfs: {e}"))?;
        Ok(BoardConfig {
            qemu: self.path("qemu")?,
            kernel: self.path(kernel)?,
            dtb,
            initrd,
            firmware: variant.firmware.map(|key| self.path(key)).transpose()?,
            m4_cpu: self
                .get("m4-cpu")?
                .parse()
                .map_err(|_| "--m4-cpu takes a number")?,
            log_dir,
            extra_append: variant.extra_append.to_string(),
        })
    }
}

/// The option naming the directory of our built `.ko` files.
pub const RUST_MODULES_OPTION: &str = "rust-modules";
/// The option naming our `.ko` files built for the stock kernel.
pub const STOCK_RUST_MODULES_OPTION: &str = "stock-rust-modules";
/// Where our modules are installed in the guest (`insmod` from there).
pub const RUST_MODULES_GUEST_DIR: &str = "/lib/modules";

/// How a suite's board differs from the plain one.
#[derive(Debug, Clone)]
pub struct BoardVariant<'a> {
    /// Prefix of the initramfs file (empty for the plain board).
    pub name: &'a str,
    /// A device tree beside `--dtb` instead of `--dtb` itself.
    pub dtb: Option<&'a str>,
    /// The option naming the M4 firmware ELF, or `None` for no firmware.
    pub firmware: Option<&'a str>,
    /// Our `.ko` files to install, from `--rust-modules`.
    pub rust_modules: &'a [&'a str],
    /// Executables to install, as (path in the guest, file on the host).
    pub bins: Vec<(String, PathBuf)>,
    /// Extra kernel command-line arguments.
    pub extra_append: &'a str,
    /// Boot the kernel built without our kernel patches (`--stock-kernel`,
    /// its `--stock-modules` and our `--stock-rust-modules` built for it).
    pub stock_kernel: bool,
}

impl Default for BoardVariant<'_> {
    fn default() -> Self {
        Self {
            name: "",
            dtb: None,
            firmware: Some("firmware"),
            rust_modules: &[],
            bins: Vec::new(),
            extra_append: "",
            stock_kernel: false,
        }
    }
}
