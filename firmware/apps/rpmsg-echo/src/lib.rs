// SPDX-License-Identifier: MIT OR Apache-2.0
//! `rpmsg-echo`: the RPMsg demo firmware for the i.MX7 Cortex-M4.
//!
//! Two channels, announced to Linux when the link comes up (and again
//! after Linux re-creates the rings):
//!
//! | channel | local address | answer |
//! |---|---|---|
//! | [`DEMO_NAME`] (`rpmsg-openamp-demo-channel` by default) | [`DEMO_ADDR`] = 30 | `echo: ` + the message + `\r\n` |
//! | [`TTY_NAME`] = `rpmsg-tty` | [`TTY_ADDR`] = 31 | the message, unchanged |
//!
//! * **Byte-exact**: the message is copied as bytes, NULs included (the
//!   seed demo printed it as a C string and cut it at the first NUL).
//! * **Never cut**: a reply longer than one Linux buffer's payload (496
//!   bytes with Linux's 512-byte buffers; an echo of a message longer than
//!   488 bytes) goes out as consecutive messages of at most one buffer
//!   each — two for the longest echo — in order, to the sender.
//! * **Zero-copy**: the reply is copied straight from the received buffer
//!   into buffers taken from Linux, within shared memory
//!   ([`Device::reply`] when it fits one buffer, [`Device::tx_copy`] for
//!   each part otherwise); the received buffer goes back to Linux after
//!   the last part is sent.
//! * **No replay into a new session**: if Linux re-creates the rings while
//!   a reply waits for a buffer, the rest of the reply is dropped (the
//!   sender is gone; its address may now name someone else).
//!
//! The echo channel's name is chosen at build time: feature `tty-channel`
//! (`rpmsg-virtual-tty-channel`), feature `tty-channel-1`
//! (`rpmsg-virtual-tty-channel-1`), or any name of 1 to 31 bytes in the
//! environment variable `RPMSG_ECHO_NAME`, which takes precedence.
//!
//! This library is portable and tested on the host against the Linux
//! master model of `rpmsg-remote` (feature `testing`); the binary runs it
//! on the M4 with the `imx7-rpmsg` platform ([`m4::run`], built for the M4
//! only, which `rpmsg-lite-like` runs too).
#![no_std]
#![deny(missing_docs)]

#[cfg(all(target_arch = "arm", target_os = "none"))]
pub mod m4;

use rpmsg_remote::{Config, Device, Endpoint, Error, Platform, RxBuf, SharedMemory, TxBuf};

/// Name the echo channel is announced under (see the crate documentation).
pub const DEMO_NAME: &[u8] = match option_env!("RPMSG_ECHO_NAME") {
    Some(name) => name.as_bytes(),
    None if cfg!(feature = "tty-channel-1") => b"rpmsg-virtual-tty-channel-1",
    None if cfg!(feature = "tty-channel") => b"rpmsg-virtual-tty-channel",
    None => b"rpmsg-openamp-demo-channel",
};
const _: () = assert!(
    !DEMO_NAME.is_empty() && DEMO_NAME.len() < 32,
    "RPMSG_ECHO_NAME must be 1 to 31 bytes"
);

/// Local address of the echo channel (the seed demo's).
pub const DEMO_ADDR: u32 = 30;
/// Name of the loopback channel (upstream Linux's `rpmsg_tty` binds it).
pub const TTY_NAME: &[u8] = b"rpmsg-tty";
/// Local address of the loopback channel.
pub const TTY_ADDR: u32 = 31;
/// What an echo starts with.
pub const ECHO_PREFIX: &[u8] = b"echo: ";
/// What an echo ends with.
pub const ECHO_SUFFIX: &[u8] = b"\r\n";

/// What [`Echo::serve`] did with one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    /// Echoed on the echo channel, in `parts` messages.
    Echo {
        /// Messages the reply took.
        parts: u16,
    },
    /// Returned unchanged on the loopback channel, in `parts` messages.
    Loopback {
        /// Messages the reply took (1 unless Linux's buffers are small).
        parts: u16,
    },
    /// The reply was dropped: Linux re-created the rings meanwhile, or its
    /// buffer has no payload room (the buffer was handed back).
    Dropped,
}

/// Counters of the service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages echoed.
    pub echoed: u32,
    /// Messages looped back.
    pub looped: u32,
    /// Reply messages sent (more than the two above when replies split).
    pub parts: u32,
    /// Replies dropped (see [`Served::Dropped`]) or abandoned on a timeout.
    pub dropped: u32,
}

/// The two channels and what was done on them.
#[derive(Debug)]
pub struct Echo {
    demo: Endpoint,
    tty: Endpoint,
    stats: Stats,
}

/// The byte ranges a reply is made of: a constant prefix, the received
/// message, a constant suffix.
#[derive(Clone, Copy)]
struct Reply {
    prefix: &'static [u8],
    body: usize,
    suffix: &'static [u8],
}

impl Reply {
    fn len(&self) -> usize {
        self.prefix.len() + self.body + self.suffix.len()
    }
}

impl Echo {
    /// Creates both endpoints on `dev` (announced as soon as the link is
    /// up). Fails if the device has fewer than two free endpoint slots or
    /// an address is taken.
    pub fn new<S: SharedMemory, P: Platform, C: Config, const E: usize>(
        dev: &mut Device<S, P, C, E>,
    ) -> Result<Self, Error> {
        let demo = dev.create_endpoint(Some(DEMO_ADDR), Some(DEMO_NAME))?;
        let tty = dev.create_endpoint(Some(TTY_ADDR), Some(TTY_NAME))?;
        Ok(Self {
            demo,
            tty,
            stats: Stats::default(),
        })
    }

    /// The echo channel's endpoint.
    pub fn demo(&self) -> &Endpoint {
        &self.demo
    }

    /// The loopback channel's endpoint.
    pub fn tty(&self) -> &Endpoint {
        &self.tty
    }

    /// What was done so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Waits up to `timeout` ticks for a message and answers it. Each reply
    /// buffer is waited for up to `timeout` too; with a finite timeout a
    /// reply whose buffers do not come in time is abandoned (`Timeout`,
    /// counted as dropped), so the firmware passes
    /// [`FOREVER`](rpmsg_remote::FOREVER).
    pub fn serve<S: SharedMemory, P: Platform, C: Config, const E: usize>(
        &mut self,
        dev: &mut Device<S, P, C, E>,
        timeout: u32,
    ) -> Result<Served, Error> {
        let rx = dev.recv(timeout)?;
        let echo = rx.is_for(&self.demo);
        let (ept, reply) = if echo {
            let r = Reply {
                prefix: ECHO_PREFIX,
                body: rx.len(),
                suffix: ECHO_SUFFIX,
            };
            (self.demo, r)
        } else {
            // The stack hands out messages for our endpoints only.
            let r = Reply {
                prefix: b"",
                body: rx.len(),
                suffix: b"",
            };
            (self.tty, r)
        };
        // The common case in one operation (`Device::reply`); in parts
        // when it does not fit one of Linux's buffers.
        let sent = if reply.len() > Device::<S, P, C, E>::MAX_PAYLOAD {
            send_reply(dev, &ept, &rx, reply, timeout)
        } else {
            match dev.reply(&ept, &rx, reply.prefix, reply.suffix, timeout) {
                Ok(()) => Ok(Some(1)),
                // Linux's buffer is smaller than usual.
                Err(Error::TooLong) => send_reply(dev, &ept, &rx, reply, timeout),
                Err(Error::Stale) => Ok(None),
                Err(e) => Err(e),
            }
        };
        // Stale (Linux re-created the ring) is already counted below.
        let _ = dev.release(rx);
        match sent {
            Ok(Some(parts)) => {
                self.stats.parts = self.stats.parts.wrapping_add(u32::from(parts));
                if echo {
                    self.stats.echoed = self.stats.echoed.wrapping_add(1);
                    Ok(Served::Echo { parts })
                } else {
                    self.stats.looped = self.stats.looped.wrapping_add(1);
                    Ok(Served::Loopback { parts })
                }
            }
            Ok(None) => {
                self.stats.dropped = self.stats.dropped.wrapping_add(1);
                Ok(Served::Dropped)
            }
            Err(e) => {
                self.stats.dropped = self.stats.dropped.wrapping_add(1);
                Err(e)
            }
        }
    }
}

/// Sends `reply` (about `rx`) from `ept` back to `rx`'s sender in as many
/// messages as Linux's buffers need. `Ok(None)`: dropped.
fn send_reply<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &mut Device<S, P, C, E>,
    ept: &Endpoint,
    rx: &RxBuf,
    reply: Reply,
    timeout: u32,
) -> Result<Option<u16>, Error> {
    let total = reply.len();
    let mut done = 0;
    let mut parts = 0u16;
    loop {
        let tx = dev.alloc_tx(timeout)?;
        let room = tx.capacity();
        // Allocating may have noticed a re-created ring: the sender is gone.
        if !dev.is_current(rx) || (room == 0 && total > 0) {
            let _ = dev.release_tx(tx);
            return Ok(None);
        }
        let n = (total - done).min(room);
        if fill(dev, &tx, rx, reply, done, n) != n || dev.send_tx(ept, rx.src(), tx, n).is_err() {
            // The buffers went stale while we worked: drop the rest.
            return Ok(None);
        }
        parts = parts.saturating_add(1);
        done += n;
        if done >= total {
            return Ok(Some(parts));
        }
    }
}

/// Writes bytes `from .. from + n` of `reply` into `tx`'s payload; returns
/// how many were written (fewer only if a buffer went stale).
fn fill<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &Device<S, P, C, E>,
    tx: &TxBuf,
    rx: &RxBuf,
    reply: Reply,
    from: usize,
    n: usize,
) -> usize {
    let (pre, body) = (reply.prefix.len(), reply.body);
    let end = from + n;
    let mut pos = from;
    while pos < end {
        let wrote = if pos < pre {
            dev.tx_write(tx, pos - from, &reply.prefix[pos..end.min(pre)])
        } else if pos < pre + body {
            dev.tx_copy(tx, pos - from, rx, pos - pre, end.min(pre + body) - pos)
        } else {
            let s = pos - pre - body;
            let e = end - pre - body;
            dev.tx_write(tx, pos - from, &reply.suffix[s..e])
        };
        if wrote == 0 {
            break;
        }
        pos += wrote;
    }
    pos - from
}

#[cfg(test)]
mod tests;
