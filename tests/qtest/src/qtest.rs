// SPDX-License-Identifier: GPL-2.0-or-later
//! A small client for QEMU's qtest protocol.
//!
//! QEMU is started with `-qtest unix:PATH` and connects to a socket this
//! client listens on.  Each command is one text line; QEMU answers with a
//! line starting with `OK` or `FAIL`.  Interrupt lines that were intercepted
//! with `irq_intercept_in`/`irq_intercept_out` are reported as asynchronous
//! `IRQ raise N` / `IRQ lower N` lines, which QEMU sends before the answer
//! to the command that changed them; the client keeps their levels.
//!
//! Protocol errors, a QEMU that exits, or one that does not answer within
//! [`ANSWER_TIMEOUT`] make the calling test panic with QEMU's stderr.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// Longest wait for QEMU to connect or to answer one command.  A safety net
/// against a hung QEMU, not a timing assertion.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(60);

/// Environment variable naming the `qemu-system-arm` to test.
pub const QEMU_ENV: &str = "QEMU_SYSTEM_ARM";

/// How the guest CPUs are run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accel {
    /// No CPU runs: only the test drives the devices (QEMU's qtest accel).
    Qtest,
    /// The CPUs run under TCG next to the test, e.g. firmware on the M4,
    /// all in one TCG thread (the board's default).
    Tcg,
    /// Like [`Accel::Tcg`], but each vCPU in its own host thread, as the
    /// system tests run the board: `-smp 1,maxcpus=2 -accel
    /// tcg,thread=multi`.  The M4 runs truly concurrently with the test.
    TcgMulti,
}

/// Path of the QEMU binary under test, from `$QEMU_SYSTEM_ARM`.
///
/// Panics with a clear message when the variable is unset or names no file:
/// these tests must fail, not skip, without a QEMU to test.
pub fn qemu_binary() -> PathBuf {
    let path = match env::var_os(QEMU_ENV) {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => panic!(
            "{QEMU_ENV} is not set: point it at the qemu-system-arm printed by \
             scripts/qemu.sh, e.g. {QEMU_ENV}=$(scripts/qemu.sh) cargo test"
        ),
    };
    assert!(
        path.is_file(),
        "{QEMU_ENV}={} does not name a file",
        path.display()
    );
    path
}

/// A running `mcimx7d-sabre` board driven over qtest.
pub struct Qtest {
    child: Child,
    reader: BufReader<UnixStream>,
    writer: UnixStream,
    dir: PathBuf,
    irq_levels: BTreeMap<u32, bool>,
}

impl Qtest {
    /// Starts the board with one A7 (`-smp 1`, plus a slot for the M4 with
    /// [`Accel::TcgMulti`]), 512 MiB, no display and no default devices,
    /// plus `extra` arguments.
    pub fn start(accel: Accel, extra: &[&str]) -> Qtest {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        Qtest::spawn(accel, scratch_dir(), &extra)
    }

    /// Starts the board like [`Qtest::start`] with `elf` loaded for the M4
    /// the way the harness does it: `-device loader,file=…,cpu-num=1`.
    pub fn start_with_m4_image(accel: Accel, elf: &[u8]) -> Qtest {
        let dir = scratch_dir();
        let image = dir.join("m4.elf");
        fs::write(&image, elf).unwrap_or_else(|e| panic!("cannot write {}: {e}", image.display()));
        let loader = format!(
            "loader,file={},cpu-num={}",
            image.display(),
            crate::board::M4_CPU_INDEX
        );
        Qtest::spawn(accel, dir, &["-device".to_string(), loader])
    }

    fn spawn(accel: Accel, dir: PathBuf, extra: &[String]) -> Qtest {
        let socket = dir.join("qtest.sock");
        let listener = UnixListener::bind(&socket)
            .unwrap_or_else(|e| panic!("cannot listen on {}: {e}", socket.display()));
        let stderr = fs::File::create(dir.join("stderr"))
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));

        let (smp, accel) = match accel {
            Accel::Qtest => ("1", "qtest"),
            Accel::Tcg => ("1", "tcg"),
            Accel::TcgMulti => ("1,maxcpus=2", "tcg,thread=multi"),
        };
        let mut cmd = Command::new(qemu_binary());
        cmd.args(["-M", "mcimx7d-sabre", "-smp", smp, "-m", "512M"])
            .args(["-accel", accel, "-display", "none", "-nodefaults"])
            .arg("-qtest")
            .arg(format!("unix:{}", socket.display()))
            .args(["-qtest-log", "/dev/null"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", cmd.get_program()));

        let qtest = Qtest::accept(listener, child, dir);
        qtest
            .writer
            .set_read_timeout(Some(ANSWER_TIMEOUT))
            .expect("set socket timeout");
        qtest
    }

    fn accept(listener: UnixListener, mut child: Child, dir: PathBuf) -> Qtest {
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        let stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => panic!("accepting the qtest connection failed: {e}"),
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "QEMU exited ({status}) before connecting:\n{}",
                    read_stderr(&dir)
                );
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("QEMU did not connect within {ANSWER_TIMEOUT:?}");
            }
            thread::sleep(Duration::from_millis(5));
        };
        stream.set_nonblocking(false).expect("blocking stream");
        let writer = stream.try_clone().expect("clone qtest stream");
        Qtest {
            child,
            reader: BufReader::new(stream),
            writer,
            dir,
            irq_levels: BTreeMap::new(),
        }
    }

    /// Sends one command line and returns the words after `OK`.
    pub fn command(&mut self, line: &str) -> Vec<String> {
        if let Err(e) = writeln!(self.writer, "{line}") {
            self.fail(&format!("sending `{line}` failed: {e}"));
        }
        loop {
            let mut answer = String::new();
            match self.reader.read_line(&mut answer) {
                Ok(0) => self.fail(&format!("QEMU closed the connection after `{line}`")),
                Ok(_) => {}
                Err(e) => self.fail(&format!("no answer to `{line}`: {e}")),
            }
            let words: Vec<String> = answer.split_whitespace().map(String::from).collect();
            match words.first().map(String::as_str) {
                Some("IRQ") => self.note_irq(&words),
                Some("OK") => return words[1..].to_vec(),
                Some("FAIL") => self.fail(&format!("`{line}` failed: {}", answer.trim())),
                _ => self.fail(&format!("unexpected answer to `{line}`: {answer:?}")),
            }
        }
    }

    fn note_irq(&mut self, words: &[String]) {
        let level = match words.get(1).map(String::as_str) {
            Some("raise") => true,
            Some("lower") => false,
            _ => self.fail(&format!("malformed IRQ line {words:?}")),
        };
        let Some(n) = words.get(2).and_then(|n| n.parse::<u32>().ok()) else {
            self.fail(&format!("malformed IRQ line {words:?}"))
        };
        self.irq_levels.insert(n, level);
    }

    /// Writes a 32-bit value to a guest physical address (A7 view).
    pub fn writel(&mut self, addr: u64, value: u32) {
        self.command(&format!("writel {addr:#x} {value:#x}"));
    }

    /// Writes a 16-bit value to a guest physical address (A7 view).
    pub fn writew(&mut self, addr: u64, value: u16) {
        self.command(&format!("writew {addr:#x} {value:#x}"));
    }

    /// Reads a 32-bit value from a guest physical address (A7 view).
    pub fn readl(&mut self, addr: u64) -> u32 {
        let words = self.command(&format!("readl {addr:#x}"));
        let Some(value) = words.first() else {
            self.fail(&format!("readl {addr:#x} returned no value"))
        };
        let digits = value.trim_start_matches("0x");
        match u64::from_str_radix(digits, 16) {
            Ok(v) => match u32::try_from(v) {
                Ok(v) => v,
                Err(_) => self.fail(&format!("readl {addr:#x} returned {value}")),
            },
            Err(_) => self.fail(&format!("readl {addr:#x} returned {value:?}")),
        }
    }

    /// Intercepts the gpio-in lines of the device at `qom_path`: their
    /// levels are reported by line number.  Only one device can be
    /// intercepted per QEMU run.
    pub fn irq_intercept_in(&mut self, qom_path: &str) {
        self.command(&format!("irq_intercept_in {qom_path}"));
    }

    /// Intercepts the out-GPIO list `list` of the device at `qom_path`.
    /// Only one device can be intercepted per QEMU run.
    pub fn irq_intercept_out(&mut self, qom_path: &str, list: &str) {
        self.command(&format!("irq_intercept_out {qom_path} {list}"));
    }

    /// Last reported level of intercepted line `n` (low until reported).
    pub fn irq_level(&self, n: u32) -> bool {
        self.irq_levels.get(&n).copied().unwrap_or(false)
    }

    /// Whether the QEMU process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Reads `addr` until `done(value)` holds, giving the guest CPUs time to
    /// run between reads; panics after [`ANSWER_TIMEOUT`].
    pub fn poll_readl(&mut self, addr: u64, what: &str, done: impl Fn(u32) -> bool) -> u32 {
        let deadline = Instant::now() + ANSWER_TIMEOUT;
        loop {
            let value = self.readl(addr);
            if done(value) {
                return value;
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "{what}: {addr:#x} still reads {value:#010x} after {ANSWER_TIMEOUT:?}"
                ));
            }
            thread::sleep(Duration::from_millis(1));
        }
    }

    fn fail(&mut self, msg: &str) -> ! {
        let _ = self.child.kill();
        let _ = self.child.wait();
        panic!("{msg}\nQEMU stderr:\n{}", read_stderr(&self.dir));
    }
}

impl Drop for Qtest {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn read_stderr(dir: &Path) -> String {
    fs::read_to_string(dir.join("stderr")).unwrap_or_default()
}

/// A fresh directory for one QEMU run (socket, stderr, images).
pub fn scratch_dir() -> PathBuf {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let dir = env::temp_dir().join(format!(
        "mu-qtest-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}
