// SPDX-License-Identifier: GPL-2.0
//! The guest's serial console: a reader thread collects everything QEMU
//! prints into a transcript (and a log file); tests wait for patterns with
//! deadlines and run shell commands whose exit status comes back in a marker.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// What a wait on the console can end in, other than success.
#[derive(Debug)]
pub enum ConsoleError {
    /// The deadline passed; carries what was awaited.
    Timeout(String),
    /// QEMU closed the console (the machine stopped) before the pattern.
    Closed(String),
    /// Writing to the console failed.
    Io(io::Error),
}

impl std::fmt::Display for ConsoleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Timeout(what) => write!(f, "timed out waiting for {what:?}"),
            Self::Closed(what) => write!(f, "console closed while waiting for {what:?}"),
            Self::Io(e) => write!(f, "console write failed: {e}"),
        }
    }
}

impl std::error::Error for ConsoleError {}

#[derive(Default)]
struct Transcript {
    bytes: Vec<u8>,
    closed: bool,
}

/// A serial console attached to a running guest.
pub struct Console {
    shared: Arc<(Mutex<Transcript>, Condvar)>,
    input: Box<dyn Write + Send>,
    /// Offset in the transcript up to which output has been consumed.
    cursor: usize,
    /// Counter making each command's end marker unique.
    serial: u32,
}

/// Output of one shell command run on the guest.
#[derive(Debug, Clone)]
pub struct CommandOutput {
    /// The shell's `$?` after the command.
    pub status: i32,
    /// Everything the command printed, with `\r` removed.
    pub output: String,
}

impl Console {
    /// Starts collecting `output` (also copied to `log`) and sends to `input`.
    pub fn new(
        output: impl Read + Send + 'static,
        input: impl Write + Send + 'static,
        log: File,
    ) -> Self {
        let shared = Arc::new((Mutex::new(Transcript::default()), Condvar::new()));
        let reader_shared = Arc::clone(&shared);
        thread::spawn(move || pump(output, log, &reader_shared));
        Self {
            shared,
            input: Box::new(input),
            cursor: 0,
            serial: 0,
        }
    }

    /// Everything the guest printed so far, lossily decoded.
    pub fn transcript(&self) -> String {
        let t = self.shared.0.lock().unwrap();
        String::from_utf8_lossy(&t.bytes).into_owned()
    }

    /// Waits until `needle` appears after the cursor, moves the cursor past it
    /// and returns the text before it.
    pub fn expect(&mut self, needle: &str, timeout: Duration) -> Result<String, ConsoleError> {
        let deadline = Instant::now() + timeout;
        let (lock, cvar) = &*self.shared;
        let mut t = lock.lock().unwrap();
        loop {
            if let Some(pos) = find(&t.bytes[self.cursor..], needle.as_bytes()) {
                let before = String::from_utf8_lossy(&t.bytes[self.cursor..self.cursor + pos]);
                let before = before.into_owned();
                self.cursor += pos + needle.len();
                return Ok(before);
            }
            if t.closed {
                return Err(ConsoleError::Closed(needle.into()));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(ConsoleError::Timeout(needle.into()));
            }
            t = cvar.wait_timeout(t, deadline - now).unwrap().0;
        }
    }

    /// Waits until the console is closed (QEMU exited).
    pub fn expect_closed(&mut self, timeout: Duration) -> Result<(), ConsoleError> {
        let deadline = Instant::now() + timeout;
        let (lock, cvar) = &*self.shared;
        let mut t = lock.lock().unwrap();
        while !t.closed {
            let now = Instant::now();
            if now >= deadline {
                return Err(ConsoleError::Timeout("the machine to stop".into()));
            }
            t = cvar.wait_timeout(t, deadline - now).unwrap().0;
        }
        Ok(())
    }

    /// Sends raw text to the guest.
    pub fn send(&mut self, text: &str) -> Result<(), ConsoleError> {
        self.input
            .write_all(text.as_bytes())
            .map_err(ConsoleError::Io)?;
        self.input.flush().map_err(ConsoleError::Io)
    }

    /// Runs `cmd` in the guest shell and returns its output and exit status.
    ///
    /// The shell must have echo off (the guest's init does `stty -echo`). The
    /// end marker is split by quotes in the command so that an echo of the
    /// command line itself could never match it.
    pub fn run(&mut self, cmd: &str, timeout: Duration) -> Result<CommandOutput, ConsoleError> {
        self.serial += 1;
        let id = self.serial;
        let start = format!("@@S{id}@@");
        let end = format!("@@E{id}=");
        self.send(&format!(
            "echo '@@S''{id}@@'; {cmd}\necho \"@@E\"\"{id}=$?@@\"\n"
        ))?;
        self.expect(&start, timeout)?;
        let output = self.expect(&end, timeout)?;
        let status = self.expect("@@", timeout)?;
        let status = status.trim().parse().unwrap_or(-1);
        let output = output.replace('\r', "");
        let output = output.strip_prefix('\n').unwrap_or(&output).to_string();
        Ok(CommandOutput { status, output })
    }
}

/// Copies console output into the transcript and the log until EOF.
fn pump(mut output: impl Read, mut log: File, shared: &(Mutex<Transcript>, Condvar)) {
    let mut buf = [0u8; 4096];
    loop {
        let n = match output.read(&mut buf) {
            Ok(0) | Err(_) => 0,
            Ok(n) => n,
        };
        let (lock, cvar) = shared;
        let mut t = lock.lock().unwrap();
        if n == 0 {
            t.closed = true;
            cvar.notify_all();
            return;
        }
        t.bytes.extend_from_slice(&buf[..n]);
        // The log is best effort: a full disk must not hide the test result.
        let _ = log.write_all(&buf[..n]);
        cvar.notify_all();
    }
}

/// Position of `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn console(text: &'static str) -> Console {
        let log = tempfile();
        Console::new(Cursor::new(text.as_bytes()), io::sink(), log)
    }

    fn tempfile() -> File {
        let path = std::env::temp_dir().join(format!("harness-test-{}", std::process::id()));
        File::create(path).unwrap()
    }

    #[test]
    fn expect_consumes_in_order() {
        let mut c = console("boot\nlogin: ok\nsecond ok\n");
        assert_eq!(
            c.expect("ok", Duration::from_secs(5)).unwrap(),
            "boot\nlogin: "
        );
        assert_eq!(c.expect("ok", Duration::from_secs(5)).unwrap(), "\nsecond ");
        assert!(matches!(
            c.expect("ok", Duration::from_secs(5)),
            Err(ConsoleError::Closed(_))
        ));
    }

    #[test]
    fn run_parses_status_and_output() {
        // What the guest prints for `run("ls /x")` (echo off, serial 1).
        let mut c = console("@@S1@@\r\nls: /x: No such file\r\n@@E1=1@@\r\n");
        let out = c.run("ls /x", Duration::from_secs(5)).unwrap();
        assert_eq!(out.status, 1);
        assert_eq!(out.output, "ls: /x: No such file\n");
    }

    #[test]
    fn expect_times_out_on_open_console() {
        let (reader, _writer) = std::os::unix::net::UnixStream::pair().unwrap();
        let mut c = Console::new(reader, io::sink(), tempfile());
        let r = c.expect("never", Duration::from_millis(50));
        assert!(matches!(r, Err(ConsoleError::Timeout(_))));
    }
}
