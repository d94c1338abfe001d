// SPDX-License-Identifier: GPL-2.0
//! Starting the emulated i.MX7 board: QEMU with our kernel, device tree,
//! initramfs and (optionally) the Cortex-M4 firmware, its console on stdio.

use crate::console::Console;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Everything needed to boot the board.
#[derive(Debug, Clone)]
pub struct BoardConfig {
    /// The patched `qemu-system-arm` (scripts/qemu.sh).
    pub qemu: PathBuf,
    /// The kernel image (`zImage`).
    pub kernel: PathBuf,
    /// The device tree blob for the emulated board.
    pub dtb: PathBuf,
    /// The initramfs archive.
    pub initrd: PathBuf,
    /// M4 firmware ELF, loaded as U-Boot's `bootaux` would before Linux runs.
    pub firmware: Option<PathBuf>,
    /// QEMU CPU index of the Cortex-M4 (the loader's `cpu-num`).
    pub m4_cpu: u32,
    /// Directory for the console logs of this boot.
    pub log_dir: PathBuf,
    /// Extra kernel command-line arguments.
    pub extra_append: String,
}

/// A running board. Dropping it kills QEMU.
pub struct Machine {
    child: Child,
    /// The A7's serial console (UART1), where Linux runs.
    pub console: Console,
    /// Log file of the M4's debug UART (UART2).
    pub m4_log: PathBuf,
    /// Log file of the Linux console.
    pub console_log: PathBuf,
}

impl Machine {
    /// Boots the board; returns as soon as QEMU runs.
    pub fn start(cfg: &BoardConfig, name: &str) -> io::Result<Self> {
        std::fs::create_dir_all(&cfg.log_dir)?;
        let console_log = cfg.log_dir.join(format!("{name}-console.log"));
        let m4_log = cfg.log_dir.join(format!("{name}-m4-uart.log"));
        let qemu_log = cfg.log_dir.join(format!("{name}-qemu-stderr.log"));
        let mut cmd = Command::new(&cfg.qemu);
        // One A7, and the M4 in a host thread of its own (multi-threaded
        // TCG needs a `maxcpus` slot for it): the two cores run truly
        // concurrently, as on silicon, so races between them can show.
        cmd.args(["-M", "mcimx7d-sabre", "-smp", "1,maxcpus=2", "-m", "512M"])
            .args(["-accel", "tcg,thread=multi"])
            .args(["-display", "none", "-monitor", "none", "-no-reboot"])
            .arg("-kernel")
            .arg(&cfg.kernel)
            .arg("-dtb")
            .arg(&cfg.dtb)
            .arg("-initrd")
            .arg(&cfg.initrd)
            .arg("-append")
            .arg(format!(
                "console=ttymxc0,115200 rdinit=/init panic=-1 {}",
                cfg.extra_append
            ))
            // UART1: the Linux console; UART2: the M4's debug output.
            .args(["-serial", "stdio", "-serial"])
            .arg(format!("file:{}", m4_log.display()));
        if let Some(fw) = &cfg.firmware {
            cmd.arg("-device").arg(format!(
                "loader,file={},cpu-num={}",
                fw.display(),
                cfg.m4_cpu
            ));
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(File::create(&qemu_log)?)
            .spawn()
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("cannot start {}: {e}", cfg.qemu.display()),
                )
            })?;
        let output = child.stdout.take().expect("stdout is piped");
        let input = child.stdin.take().expect("stdin is piped");
        let console = Console::new(output, input, File::create(&console_log)?);
        Ok(Self {
            child,
            console,
            m4_log,
            console_log,
        })
    }

    /// What the M4 printed on its UART so far.
    pub fn m4_output(&self) -> String {
        read_lossy(&self.m4_log)
    }

    /// Waits for QEMU to exit and returns whether it exited successfully.
    pub fn wait(&mut self) -> io::Result<bool> {
        Ok(self.child.wait()?.success())
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Reads a file as text, empty if it does not exist.
pub fn read_lossy(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}
