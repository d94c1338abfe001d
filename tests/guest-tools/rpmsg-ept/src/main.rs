// SPDX-License-Identifier: GPL-2.0
//! `rpmsg-ept CTRL_DEV NAME SRC DST MESSAGE`: creates an RPMsg endpoint
//! through the kernel's `rpmsg_ctrl` interface (`RPMSG_CREATE_EPT_IOCTL` on
//! `/dev/rpmsg_ctrl<N>`), sends MESSAGE through the `/dev/rpmsg<N>` that
//! appears, prints the reply as `reply: <text>` (control characters
//! escaped) and destroys the endpoint. Exits 0 when a reply was read, 1
//! otherwise with the reason on stderr.
//!
//! `rpmsg-ept --stream BYTES CTRL_DEV NAME SRC DST`: the same endpoint, but
//! streams BYTES through a loopback at DST (full-size messages, a reader
//! thread checking every byte in order) instead of one exchange; prints
//! `stream ok: ...`.
//!
//! A guest tool for the system tests: busybox cannot issue the ioctl.

mod stream;
mod sysfs;
mod uapi;

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::process::ExitCode;

/// How long to wait for the reply. Bounds a silent remote; the reply
/// normally comes within milliseconds.
const REPLY_TIMEOUT_MS: i32 = 5000;
/// Largest RPMsg payload with 512-byte buffers.
const MAX_PAYLOAD: usize = 496;

const USAGE: &str = "usage: rpmsg-ept CTRL_DEV NAME SRC DST MESSAGE\n\
       rpmsg-ept --stream BYTES CTRL_DEV NAME SRC DST\n\
  e.g. rpmsg-ept /dev/rpmsg_ctrl0 ept-test 0xffffffff 30 hello";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rpmsg-ept: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What to do on the endpoint.
enum Job<'a> {
    /// Send one message, read one reply.
    Exchange(&'a str),
    /// Stream this many bytes through a loopback.
    Stream(u64),
}

/// Parses the arguments and runs one exchange or stream.
fn run(args: &[String]) -> Result<(), String> {
    let (job, rest) = match args {
        [flag, bytes, rest @ ..] if flag == "--stream" => {
            let n = bytes
                .parse()
                .map_err(|_| format!("BYTES {bytes:?} is not a number"))?;
            (Job::Stream(n), rest)
        }
        [rest @ .., message] => (Job::Exchange(message.as_str()), rest),
        [] => return Err(USAGE.to_string()),
    };
    let [ctrl, name, src, dst] = rest else {
        return Err(format!("wrong number of arguments\n{USAGE}"));
    };
    let number = |what: &str, s: &str| {
        sysfs::parse_u32(s).ok_or_else(|| format!("{what} {s:?} is not a 32-bit number"))
    };
    let info = uapi::EndpointInfo::new(name, number("SRC", src)?, number("DST", dst)?)
        .ok_or_else(|| format!("NAME {name:?} must be under {} bytes", uapi::NAME_SIZE))?;
    if let Job::Exchange(message) = job {
        if message.is_empty() || message.len() > MAX_PAYLOAD {
            return Err(format!("MESSAGE must be 1 to {MAX_PAYLOAD} bytes"));
        }
    }

    let ctrl_file = OpenOptions::new()
        .read(true)
        .write(true)
        .open(ctrl)
        .map_err(|e| format!("open {ctrl}: {e}"))?;
    let before = sysfs::endpoints().map_err(|e| format!("listing /sys/class/rpmsg: {e}"))?;
    ioctl(&ctrl_file, uapi::CREATE_EPT, &info)
        .map_err(|e| format!("RPMSG_CREATE_EPT_IOCTL on {ctrl}: {e}"))?;
    let n = sysfs::new_endpoint(&before, name, info.dst)
        .map_err(|e| format!("listing /sys/class/rpmsg: {e}"))?
        .ok_or_else(|| format!("no new /sys/class/rpmsg/rpmsg<N> named {name:?}"))?;
    let node = format!("/dev/rpmsg{n}");
    let mut ept = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&node)
        .map_err(|e| format!("open {node}: {e}"))?;
    println!("endpoint {node} ({name}, dst {})", info.dst);

    let exchanged = match job {
        Job::Exchange(message) => exchange(&mut ept, message.as_bytes()).map(|reply| {
            println!("reply: {}", escape(&reply));
        }),
        Job::Stream(bytes) => stream::run(&mut ept, bytes, MAX_PAYLOAD).map(|s| println!("{s}")),
    };
    // Destroy the endpoint either way; report the exchange's error first.
    let destroyed = ioctl_none(&ept, uapi::DESTROY_EPT)
        .map_err(|e| format!("RPMSG_DESTROY_EPT_IOCTL on {node}: {e}"));
    exchanged.map_err(|e| format!("{node}: {e}"))?;
    destroyed?;
    println!("destroyed {node}");
    Ok(())
}

/// Writes `message` as one RPMsg message and reads one reply, waiting at
/// most [`REPLY_TIMEOUT_MS`].
fn exchange(ept: &mut File, message: &[u8]) -> Result<Vec<u8>, String> {
    let sent = ept.write(message).map_err(|e| format!("write: {e}"))?;
    if sent != message.len() {
        return Err(format!("wrote {sent} of {} bytes", message.len()));
    }
    let mut pfd = libc::pollfd {
        fd: ept.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `pfd` is one valid, initialised pollfd that outlives the call.
    let ready = unsafe { libc::poll(&mut pfd, 1, REPLY_TIMEOUT_MS) };
    match ready {
        r if r < 0 => return Err(format!("poll: {}", std::io::Error::last_os_error())),
        0 => return Err(format!("no reply within {REPLY_TIMEOUT_MS} ms")),
        _ => {}
    }
    if pfd.revents & libc::POLLIN == 0 {
        return Err(format!("poll: revents {:#x}, no data", pfd.revents));
    }
    let mut buf = vec![0u8; MAX_PAYLOAD];
    let got = ept.read(&mut buf).map_err(|e| format!("read: {e}"))?;
    if got == 0 {
        return Err("read: end of file, no reply".into());
    }
    buf.truncate(got);
    Ok(buf)
}

/// `ioctl(fd, request, arg)` with a pointer argument the kernel reads.
fn ioctl<T>(file: &File, request: u32, arg: &T) -> std::io::Result<()> {
    // SAFETY: `arg` is a valid `T` for the whole call and `request` encodes
    // `size_of::<T>()` (checked in `uapi`); the kernel only reads it.
    let r = unsafe { libc::ioctl(file.as_raw_fd(), request as libc::Ioctl, arg as *const T) };
    if r < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// `ioctl(fd, request)` without an argument.
fn ioctl_none(file: &File, request: u32) -> std::io::Result<()> {
    // SAFETY: a request without argument; the kernel reads no memory.
    let r = unsafe { libc::ioctl(file.as_raw_fd(), request as libc::Ioctl) };
    if r < 0 {
        Err(std::io::Error::last_os_error())
    } else {
        Ok(())
    }
}

/// The reply as one printable line: `\r`, `\n`, `\t`, `\\` and other
/// control or non-ASCII bytes escaped.
fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn replies_print_on_one_line() {
        assert_eq!(escape(b"echo: hi\r\n"), "echo: hi\\r\\n");
        assert_eq!(escape(b"a\\b\x00\xff"), "a\\\\b\\x00\\xff");
    }
}
