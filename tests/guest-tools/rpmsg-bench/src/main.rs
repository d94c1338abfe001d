// SPDX-License-Identifier: GPL-2.0
//! `rpmsg-bench`: RPMsg round-trip latency and throughput, per message
//! size, through an RPMsg tty (`/dev/ttyRPMSGn`) or an `rpmsg_char`
//! endpoint (`/dev/rpmsgN`, or one it creates through
//! `/dev/rpmsg_ctrlN`), against a remote that sends each message back
//! (a loopback) or answers as the echo channel does. Runs on the emulated
//! board and on a WaRP7 alike; `rpmsg-bench --help` says how.
//!
//! Round trips: one message in flight, each timed on the guest's
//! monotonic clock: minimum, median, 99th percentile, maximum, and the
//! throughput that gives. Streams: BYTES written in writes of a given size
//! while a reader thread checks every byte on its way back. Output: a
//! plain-text table or JSON (`--json`).
//!
//! The firmware benchmark's form `rpmsg-bench TTY SIZE COUNT REPLY`
//! (COUNT round trips of SIZE bytes through a tty already in raw mode,
//! REPLY = SIZE for the loopback, SIZE + 8 for the echo channel) prints
//! `ok COUNT round trips of SIZE bytes` as before. Which memory the
//! buffers come from (DMA memory or the reserved-memory pool) is the
//! device tree's choice, not this tool's.

mod args;
mod bench;
mod report;
mod stats;

// Shared with the `rpmsg-ept` guest tool: the rpmsg_ctrl UAPI, finding the
// new /dev/rpmsgN, and the stream's byte pattern.
#[allow(dead_code)]
#[path = "../../rpmsg-ept/src/stream.rs"]
mod stream_pattern;
#[path = "../../rpmsg-ept/src/sysfs.rs"]
mod sysfs;
#[path = "../../rpmsg-ept/src/uapi.rs"]
mod uapi;

use args::{Config, Target};
use bench::Kind;
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match args::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("rpmsg-bench: {e}");
            return ExitCode::from(2);
        }
    };
    match run(&cfg) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rpmsg-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

fn open(path: &str) -> Result<File, String> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| format!("open {path}: {e}"))
}

/// An endpoint made through `rpmsg_ctrl`, destroyed on drop.
struct Endpoint {
    file: File,
    node: String,
}

impl Endpoint {
    fn create(ctrl: &str, name: &str, dst: u32) -> Result<Self, String> {
        let info = uapi::EndpointInfo::new(name, uapi::ADDR_ANY, dst)
            .ok_or_else(|| format!("name {name:?} must be under {} bytes", uapi::NAME_SIZE))?;
        let ctrl_file = open(ctrl)?;
        let before = sysfs::endpoints().map_err(|e| format!("/sys/class/rpmsg: {e}"))?;
        // SAFETY: `info` is a valid EndpointInfo for the whole call and the
        // request encodes its size (checked in `uapi`); the kernel only reads.
        let r = unsafe {
            libc::ioctl(
                ctrl_file.as_raw_fd(),
                uapi::CREATE_EPT as libc::Ioctl,
                &info as *const uapi::EndpointInfo,
            )
        };
        if r < 0 {
            return Err(format!(
                "RPMSG_CREATE_EPT_IOCTL on {ctrl}: {}",
                std::io::Error::last_os_error()
            ));
        }
        let n = sysfs::new_endpoint(&before, name, dst)
            .map_err(|e| format!("/sys/class/rpmsg: {e}"))?
            .ok_or_else(|| format!("no new /sys/class/rpmsg/rpmsg<N> named {name:?}"))?;
        let node = format!("/dev/rpmsg{n}");
        Ok(Self {
            file: open(&node)?,
            node,
        })
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        // SAFETY: a request without argument on our own descriptor.
        unsafe {
            libc::ioctl(self.file.as_raw_fd(), uapi::DESTROY_EPT as libc::Ioctl);
        }
    }
}

fn run(cfg: &Config) -> Result<String, String> {
    let mut endpoint = None;
    let (mut file, device) = match &cfg.target {
        Target::Device(d) => (open(d)?, d.clone()),
        Target::Ctrl { ctrl, name, dst } => {
            let e = Endpoint::create(ctrl, name, *dst)?;
            let pair = (
                e.file.try_clone().map_err(|e| format!("dup: {e}"))?,
                e.node.clone(),
            );
            endpoint = Some(e);
            pair
        }
    };
    let kind = if bench::is_tty(&file) {
        Kind::Tty
    } else {
        Kind::Char
    };
    let _raw = match kind {
        Kind::Tty => Some(bench::RawTty::new(&file).map_err(|e| format!("{device}: {e}"))?),
        Kind::Char => None,
    };
    let mut results = report::Results {
        device: device.clone(),
        kind,
        echo: cfg.echo,
        round_trips: Vec::new(),
        streams: Vec::new(),
    };
    for &size in &cfg.sizes {
        let rt = bench::round_trips(&mut file, size, cfg.echo, cfg.warmup, cfg.count)
            .map_err(|e| format!("{device}: {e}"))?;
        results.round_trips.push(rt);
    }
    if cfg.stream > 0 {
        if cfg.echo {
            return Err("streams need a loopback, not the echo channel".into());
        }
        let writes = cfg
            .writes
            .clone()
            .unwrap_or_else(|| vec![kind.default_write()]);
        for w in writes {
            if kind == Kind::Char && w > args::MAX_PAYLOAD {
                return Err(format!(
                    "rpmsg_char writes are messages: at most {}",
                    args::MAX_PAYLOAD
                ));
            }
            let s = bench::stream(&mut file, kind, cfg.stream, w)
                .map_err(|e| format!("{device}: stream: {e}"))?;
            results.streams.push(s);
        }
    }
    drop(endpoint);
    Ok(if cfg.legacy {
        format!("ok {} round trips of {} bytes\n", cfg.count, cfg.sizes[0])
    } else if cfg.json {
        report::json(&results)
    } else {
        report::table(&results)
    })
}
