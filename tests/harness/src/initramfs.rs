// SPDX-License-Identifier: GPL-2.0
//! The test initramfs: Debian's static armhf busybox, the kernel's modules,
//! our modules and the guest-side test scripts, packed as `newc` cpio.

use crate::cpio::CpioWriter;
use std::fs;
use std::io::{self, BufWriter};
use std::path::{Path, PathBuf};

/// Inputs of the initramfs.
#[derive(Debug, Clone, Default)]
pub struct InitramfsSpec {
    /// The static armhf `busybox` binary.
    pub busybox: PathBuf,
    /// A `modules_install` tree (holding `lib/modules/<version>`), if any.
    pub kernel_modules: Option<PathBuf>,
    /// Further files to install, as (path in the guest, file on the host).
    pub files: Vec<(String, PathBuf)>,
    /// Programs to install executable, as (path in the guest, file on the host).
    pub bins: Vec<(String, PathBuf)>,
    /// Directory of guest scripts, installed executable under `/test`.
    pub scripts: Option<PathBuf>,
}

/// The `/init` the guest runs: mounts the pseudo file systems, prints a
/// ready marker and hands the console to a shell with echo and prompts off.
pub const INIT: &str = r#"#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/test
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tmpfs tmpfs /tmp
echo "imx-rpmsg-rs guest ready: $(uname -sr) on $(uname -m)"
stty -echo -F /dev/console 2>/dev/null
echo '@@READY@@'
# No prompts: the harness reads command output between its own markers.
export PS1='' PS2=''
exec setsid cttyhack sh
"#;

/// Writes the archive for `spec` to `out`.
pub fn build(spec: &InitramfsSpec, out: &Path) -> io::Result<()> {
    let file = fs::File::create(out)?;
    let mut w = CpioWriter::new(BufWriter::new(file));
    for d in [
        "bin",
        "sbin",
        "dev",
        "proc",
        "sys",
        "tmp",
        "test",
        "lib",
        "lib/modules",
        "lib/firmware",
    ] {
        w.dir(d, 0o755)?;
    }
    w.char_dev("dev/console", 0o600, 5, 1)?;
    w.file("bin/busybox", 0o755, &read(&spec.busybox)?)?;
    w.file("init", 0o755, INIT.as_bytes())?;
    if let Some(tree) = &spec.kernel_modules {
        add_tree(&mut w, &tree.join("lib/modules"), "lib/modules")?;
    }
    if let Some(dir) = &spec.scripts {
        for entry in sorted_entries(dir)? {
            if entry.is_file() {
                let name = entry.file_name().unwrap().to_string_lossy();
                w.file(&format!("test/{name}"), 0o755, &read(&entry)?)?;
            }
        }
    }
    for (guest, host) in &spec.files {
        w.file(guest, 0o644, &read(host)?)?;
    }
    for (guest, host) in &spec.bins {
        w.file(guest, 0o755, &read(host)?)?;
    }
    use std::io::Write;
    w.finish()?.flush()
}

/// Adds a host directory tree under `prefix`, directories first, sorted.
fn add_tree<W: io::Write>(w: &mut CpioWriter<W>, root: &Path, prefix: &str) -> io::Result<()> {
    for entry in sorted_entries(root)? {
        let name = entry.file_name().unwrap().to_string_lossy().into_owned();
        let guest = format!("{prefix}/{name}");
        let meta = fs::symlink_metadata(&entry)?;
        if meta.is_dir() {
            w.dir(&guest, 0o755)?;
            add_tree(w, &entry, &guest)?;
        } else if meta.file_type().is_symlink() {
            // modules_install links `build`/`source` to the host tree: skip.
            continue;
        } else {
            w.file(&guest, 0o644, &read(&entry)?)?;
        }
    }
    Ok(())
}

fn sorted_entries(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut v = fs::read_dir(dir)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?
        .map(|e| e.map(|e| e.path()))
        .collect::<io::Result<Vec<_>>>()?;
    v.sort();
    Ok(v)
}

fn read(path: &Path) -> io::Result<Vec<u8>> {
    fs::read(path).map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))
}
