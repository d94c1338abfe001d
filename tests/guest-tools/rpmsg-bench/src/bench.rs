// SPDX-License-Identifier: GPL-2.0
//! The measurements: round trips with one message in flight, and streams
//! with a writer and a reader running at once.

use crate::stats::{self, Summary};
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

/// What kind of device the messages go through.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// An RPMsg tty: a byte stream, writes may be split or merged.
    Tty,
    /// An `rpmsg_char` endpoint: each write is one message, each read one.
    Char,
}

impl Kind {
    /// The name in the output.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Tty => "tty",
            Kind::Char => "rpmsg_char",
        }
    }

    /// The default stream write size: 4 KiB on a tty (as `dd bs=4096`), a
    /// full message on `rpmsg_char`.
    pub fn default_write(self) -> usize {
        match self {
            Kind::Tty => 4096,
            Kind::Char => crate::args::MAX_PAYLOAD,
        }
    }
}

/// The stream's bytes repeat with this period, a prime: a loss, a
/// duplicate or a reordering of whole messages or writes shows unless its
/// length is a multiple of it (no message or write size here is).
pub const PERIOD: usize = 509;

/// The stream's bytes from position `at` on, for up to `len` bytes, are
/// `table[at % PERIOD..][..len]`: the table, made once, is reused for
/// every write and every check, so that user space spends little per byte
/// next to the kernel.
pub fn pattern_table(len: usize) -> Vec<u8> {
    (0..PERIOD + len)
        .map(|i| {
            let i = (i % PERIOD) as u32;
            (i.wrapping_mul(0x9E37_79B1) >> 24) as u8 ^ i as u8
        })
        .collect()
}

/// Whether `a` and `b` hold the same bytes, compared eight at a time
/// (musl's `memcmp` goes byte by byte).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tails = ca.remainder() == cb.remainder();
    tails
        && ca.zip(cb).all(|(x, y)| {
            u64::from_ne_bytes(x.try_into().unwrap()) == u64::from_ne_bytes(y.try_into().unwrap())
        })
}

/// System-wide counts from `/proc/stat`: context switches and interrupts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SysCounts {
    /// Context switches (`ctxt`).
    pub ctxt: u64,
    /// Interrupts (`intr`, the total).
    pub intr: u64,
}

impl SysCounts {
    /// The counts in the text of `/proc/stat`.
    pub fn parse(text: &str) -> Option<Self> {
        let field = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
        };
        Some(Self {
            ctxt: field("ctxt ")?,
            intr: field("intr ")?,
        })
    }

    /// The counts now (`None` without `/proc`).
    pub fn now() -> Option<Self> {
        Self::parse(&std::fs::read_to_string("/proc/stat").ok()?)
    }

    /// What happened between `before` and `after`, if both were read.
    pub fn between(before: Option<Self>, after: Option<Self>) -> Option<Self> {
        let (b, a) = (before?, after?);
        Some(Self {
            ctxt: a.ctxt.saturating_sub(b.ctxt),
            intr: a.intr.saturating_sub(b.intr),
        })
    }
}

/// How long a failing writer waits before it tries again.
const RETRY_PAUSE: Duration = Duration::from_millis(1);

/// Whether a write error means "no buffer now, try again": the kernel's C
/// `rpmsg_tty` returns ENOMEM when the transport has no free buffer.
fn retryable(e: &std::io::Error) -> bool {
    matches!(
        e.raw_os_error(),
        Some(libc::ENOMEM) | Some(libc::EAGAIN) | Some(libc::ENOBUFS)
    )
}

/// Writes all of `buf`, counting the retryable failures in `errors`.
/// Returns the number of `write` calls that succeeded.
pub fn write_all(f: &mut File, mut buf: &[u8], errors: &mut u64) -> Result<u64, String> {
    let mut calls = 0;
    while !buf.is_empty() {
        match f.write(buf) {
            Ok(0) => return Err("write returned 0".into()),
            Ok(n) => {
                buf = &buf[n..];
                calls += 1;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if retryable(&e) => {
                *errors += 1;
                std::thread::sleep(RETRY_PAUSE);
            }
            Err(e) => return Err(format!("write: {e}")),
        }
    }
    Ok(calls)
}

/// The round trips of one size.
#[derive(Debug, Clone)]
pub struct RoundTrips {
    /// Payload bytes sent.
    pub size: usize,
    /// Bytes of each answer.
    pub reply: usize,
    /// Durations of the timed round trips.
    pub summary: Summary,
    /// Total time of the timed round trips (ns).
    pub total_ns: u64,
    /// Retryable write failures the writer saw.
    pub write_errors: u64,
    /// Context switches and interrupts, system-wide, during the timed
    /// round trips.
    pub sys: Option<SysCounts>,
}

impl RoundTrips {
    /// Round trips per second, one in flight.
    pub fn per_second(&self) -> f64 {
        stats::per_second(self.summary.n as u64, self.total_ns)
    }

    /// Payload bytes per second each way, one message in flight.
    pub fn bytes_per_second(&self) -> f64 {
        stats::per_second((self.summary.n * self.size) as u64, self.total_ns)
    }
}

/// The message of `size` bytes and the answer expected to it.
pub fn message(size: usize, echo: bool) -> (Vec<u8>, Vec<u8>) {
    let msg: Vec<u8> = (0..size).map(|i| b'a' + (i % 26) as u8).collect();
    let want = if echo {
        [&b"echo: "[..], &msg, b"\r\n"].concat()
    } else {
        msg.clone()
    };
    (msg, want)
}

/// `warmup` untimed then `count` timed round trips of `size` bytes.
pub fn round_trips(
    f: &mut File,
    size: usize,
    echo: bool,
    warmup: u32,
    count: u32,
) -> Result<RoundTrips, String> {
    let (msg, want) = message(size, echo);
    let mut buf = vec![0u8; want.len()];
    let mut errors = 0;
    let mut times = Vec::with_capacity(count as usize);
    let mut sys0 = None;
    for i in 0..warmup + count {
        if i == warmup {
            sys0 = SysCounts::now();
        }
        let t = Instant::now();
        write_all(f, &msg, &mut errors).map_err(|e| format!("round trip {i}: {e}"))?;
        let mut got = 0;
        while got < buf.len() {
            match f.read(&mut buf[got..]) {
                Ok(0) => return Err(format!("end of file after {i} round trips")),
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("read {i}: {e}")),
            }
        }
        if i >= warmup {
            times.push(t.elapsed().as_nanos() as u64);
        }
        if buf != want {
            return Err(format!(
                "round trip {i} of {size} bytes: the answer differs"
            ));
        }
    }
    let sys = SysCounts::between(sys0, SysCounts::now());
    let total_ns = times.iter().sum();
    Ok(RoundTrips {
        size,
        reply: want.len(),
        summary: stats::summarise(&times).ok_or("no round trips")?,
        total_ns,
        write_errors: errors,
        sys,
    })
}

/// One stream through the loopback.
#[derive(Debug, Clone)]
pub struct Stream {
    /// Bytes per `write` call asked for.
    pub write: usize,
    /// Bytes streamed (and checked on the way back).
    pub bytes: u64,
    /// From the first write to the last byte read (ns).
    pub ns: u64,
    /// `write` calls that succeeded.
    pub writes: u64,
    /// Retryable write failures the writer saw.
    pub write_errors: u64,
    /// Context switches and interrupts, system-wide, during the stream.
    pub sys: Option<SysCounts>,
}

impl Stream {
    /// Bytes per second through the loopback.
    pub fn bytes_per_second(&self) -> f64 {
        stats::per_second(self.bytes, self.ns)
    }
}

/// Streams `bytes` in writes of `write` bytes while a reader thread checks
/// that every byte comes back, in order.
pub fn stream(f: &mut File, kind: Kind, bytes: u64, write: usize) -> Result<Stream, String> {
    let mut reader = f.try_clone().map_err(|e| format!("dup: {e}"))?;
    let read_size = match kind {
        Kind::Tty => 4096,
        Kind::Char => crate::args::MAX_PAYLOAD,
    };
    let table = std::sync::Arc::new(pattern_table(write.max(read_size)));
    let expected = table.clone();
    let sys0 = SysCounts::now();
    let t = Instant::now();
    let check = std::thread::spawn(move || -> Result<Instant, String> {
        let mut buf = vec![0u8; read_size];
        let mut at = 0u64;
        while at < bytes {
            let n = match reader.read(&mut buf) {
                Ok(0) => return Err(format!("end of file after {at} bytes")),
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(format!("read at {at}: {e}")),
            };
            let off = (at % PERIOD as u64) as usize;
            if !same(&buf[..n], &expected[off..off + n]) {
                return Err(format!("the {n} bytes read at {at} differ from those sent"));
            }
            at += n as u64;
        }
        Ok(Instant::now())
    });
    let mut at = 0u64;
    let (mut writes, mut errors) = (0, 0);
    // On an error the reader is left waiting for bytes that never come:
    // the error is reported at once, the process ends it.
    while at < bytes {
        let n = (bytes - at).min(write as u64) as usize;
        let off = (at % PERIOD as u64) as usize;
        let buf = &table[off..off + n];
        // On rpmsg_char each write must be one whole message.
        if kind == Kind::Char {
            loop {
                match f.write(buf) {
                    Ok(k) if k == n => break,
                    Ok(k) => return Err(format!("wrote {k} of {n} bytes at {at}")),
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) if retryable(&e) => {
                        errors += 1;
                        std::thread::sleep(RETRY_PAUSE);
                    }
                    Err(e) => return Err(format!("write at {at}: {e}")),
                }
            }
            writes += 1;
        } else {
            writes += write_all(f, buf, &mut errors).map_err(|e| format!("at {at}: {e}"))?;
        }
        at += n as u64;
    }
    let end = check
        .join()
        .map_err(|_| "the reader panicked".to_string())??;
    Ok(Stream {
        write,
        bytes,
        ns: end.duration_since(t).as_nanos() as u64,
        writes,
        write_errors: errors,
        sys: SysCounts::between(sys0, SysCounts::now()),
    })
}

/// Whether `f` is a terminal.
pub fn is_tty(f: &File) -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(f.as_raw_fd()) == 1 }
}

/// A terminal switched to raw mode; the old settings come back on drop.
pub struct RawTty {
    fd: i32,
    old: libc::termios,
}

impl RawTty {
    /// Raw mode on `f` (as `stty raw -echo`): no line discipline, no echo,
    /// reads return as soon as one byte is there.
    pub fn new(f: &File) -> Result<Self, String> {
        let fd = f.as_raw_fd();
        // SAFETY: termios is plain data; tcgetattr fills it in.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: `t` is a valid termios for the call.
        if unsafe { libc::tcgetattr(fd, &mut t) } != 0 {
            return Err(format!("tcgetattr: {}", std::io::Error::last_os_error()));
        }
        let old = t;
        // SAFETY: `t` is a valid termios.
        unsafe { libc::cfmakeraw(&mut t) };
        t.c_cc[libc::VMIN] = 1;
        t.c_cc[libc::VTIME] = 0;
        // SAFETY: `t` is a valid termios for the call.
        if unsafe { libc::tcsetattr(fd, libc::TCSANOW, &t) } != 0 {
            return Err(format!("tcsetattr: {}", std::io::Error::last_os_error()));
        }
        Ok(Self { fd, old })
    }
}

impl Drop for RawTty {
    fn drop(&mut self) {
        // SAFETY: restores the settings read in `new` on the same descriptor.
        unsafe { libc::tcsetattr(self.fd, libc::TCSANOW, &self.old) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_answers() {
        let (m, w) = message(3, false);
        assert_eq!((m.as_slice(), w.as_slice()), (&b"abc"[..], &b"abc"[..]));
        let (m, w) = message(28, true);
        assert_eq!(m[26..], *b"ab");
        assert_eq!(w.len(), 36);
        assert!(w.starts_with(b"echo: abc") && w.ends_with(b"ab\r\n"));
    }

    #[test]
    fn the_pattern_shows_lost_and_repeated_messages() {
        let t = pattern_table(4096);
        assert_eq!(t[..PERIOD], t[PERIOD..2 * PERIOD]);
        assert_eq!(t.len(), PERIOD + 4096);
        // Bytes of a message read where the next one was expected differ.
        for len in [496usize, 4096, 1, 64] {
            assert!(!same(&t[0..len], &t[len % PERIOD..len % PERIOD + len]));
        }
        assert!(same(&t[3..20], &t[3 + PERIOD..20 + PERIOD]));
        let mut u = t[..17].to_vec();
        u[16] ^= 1;
        assert!(!same(&t[..17], &u) && !same(&t[..16], &t[..17]));
    }

    #[test]
    fn proc_stat_counts() {
        let text = "cpu  1 2 3\nintr 1234 0 5 6\nctxt 987\nbtime 1\n";
        let c = SysCounts::parse(text).unwrap();
        assert_eq!(
            c,
            SysCounts {
                ctxt: 987,
                intr: 1234
            }
        );
        let later = SysCounts {
            ctxt: 1000,
            intr: 1300,
        };
        assert_eq!(
            SysCounts::between(Some(c), Some(later)),
            Some(SysCounts { ctxt: 13, intr: 66 })
        );
        assert_eq!(SysCounts::between(None, Some(later)), None);
        assert_eq!(SysCounts::parse("cpu 1\n"), None);
    }

    #[test]
    fn only_buffer_shortages_are_retried() {
        let e = |n| std::io::Error::from_raw_os_error(n);
        assert!(retryable(&e(libc::ENOMEM)) && retryable(&e(libc::EAGAIN)));
        assert!(!retryable(&e(libc::EIO)) && !retryable(&e(libc::EPIPE)));
    }

    #[test]
    fn a_stream_through_a_pipe_pair_comes_back_checked() {
        // A socket pair's other end echoes: the loopback of a test.
        use std::os::unix::net::UnixStream;
        let (a, mut b) = UnixStream::pair().unwrap();
        let echo = std::thread::spawn(move || {
            let mut buf = [0u8; 1000];
            let mut n = 0u64;
            while n < 100_000 {
                let k = b.read(&mut buf).unwrap();
                b.write_all(&buf[..k]).unwrap();
                n += k as u64;
            }
        });
        let mut f = File::from(std::os::fd::OwnedFd::from(a));
        let s = stream(&mut f, Kind::Tty, 100_000, 4096).unwrap();
        echo.join().unwrap();
        assert_eq!((s.bytes, s.writes, s.write_errors), (100_000, 25, 0));
        let r = round_trips(&mut f, 16, false, 0, 1);
        assert!(r.is_err(), "nobody answers any more: end of file");
    }
}
