// SPDX-License-Identifier: MIT OR Apache-2.0
//! Name-service messages no correct remote sends: each sends the command's
//! answer, then announces to Linux's name service (address 53) what its
//! command asks for. Every message is a well-formed 40-byte name-service
//! message (`name[32], addr, flags`) in a header from `addr` to 53, as a
//! real announcement from an endpoint at `addr`; only its content is bad.

use rpmsg_remote::header::HDR_LEN;
use rpmsg_remote::ns::{NAME_LEN, NS_ADDR, NS_CREATE, NS_DESTROY, NS_MSG_LEN};
use rpmsg_remote::{Config, Device, Endpoint, Error, Header, Platform, SharedMemory, UsedEntry};

/// `ns-nonul`: a name of 32 bytes without a NUL.
pub const NONUL_NAME: &[u8; NAME_LEN] = b"rpmsg-hostile-nonul-0123456789ab";
/// `ns-nonul`: the address announced.
pub const NONUL_ADDR: u32 = 41;

/// `ns-ctrl`: a name with a line feed and an ANSI colour escape.
pub const CTRL_NAME: &[u8] = b"rpmsg-hostile\n\x1b[31mctrl";
/// `ns-ctrl`: the address announced.
pub const CTRL_ADDR: u32 = 42;

/// `ns-flags`: the name announced.
pub const FLAGS_NAME: &[u8] = b"rpmsg-hostile-flags";
/// `ns-flags`: the address announced.
pub const FLAGS_ADDR: u32 = 43;
/// `ns-flags`: the flags, neither create (0) nor destroy (1).
pub const FLAGS: u32 = 0x8000_0000;

/// `ns-flood`: how many channels are announced, then destroyed.
pub const FLOOD: u32 = 500;
/// `ns-flood`: the address of channel `flood-0`; `flood-N` is at
/// `FLOOD_ADDR + N`.
pub const FLOOD_ADDR: u32 = 2000;
/// `ns-flood`: what every name starts with (then `N` in decimal).
pub const FLOOD_NAME: &[u8] = b"flood-";

/// A name-service fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NsFault {
    /// `ns-nonul`: creates [`NONUL_NAME`] at [`NONUL_ADDR`].
    NoNul,
    /// `ns-ctrl`: creates [`CTRL_NAME`] at [`CTRL_ADDR`].
    Ctrl,
    /// `ns-flags`: announces [`FLAGS_NAME`] at [`FLAGS_ADDR`] with
    /// [`FLAGS`].
    Flags,
    /// `ns-flood`: creates `flood-N` at `FLOOD_ADDR + N` for N from 0 to
    /// [`FLOOD`] - 1, then destroys them in the same order.
    Flood,
}

impl NsFault {
    /// Sends `answer` from `ctl` to `dst`, then the name-service messages
    /// (whether or not the answer got out). Returns how the answer went
    /// and how the messages went.
    pub(crate) fn run<S: SharedMemory, P: Platform, C: Config, const E: usize>(
        self,
        dev: &mut Device<S, P, C, E>,
        ctl: &Endpoint,
        dst: u32,
        answer: &[u8],
        timeout: u32,
    ) -> (Result<(), Error>, Result<(), Error>) {
        let sent = dev.send(ctl, dst, answer, timeout);
        let done = match self {
            NsFault::NoNul => announce(dev, NONUL_NAME, NONUL_ADDR, NS_CREATE, timeout),
            NsFault::Ctrl => announce(dev, CTRL_NAME, CTRL_ADDR, NS_CREATE, timeout),
            NsFault::Flags => announce(dev, FLAGS_NAME, FLAGS_ADDR, FLAGS, timeout),
            NsFault::Flood => flood(dev, timeout),
        };
        (sent, done)
    }
}

/// `ns-flood`: every create, then every destroy; stops at the first
/// message that cannot be sent.
fn flood<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &mut Device<S, P, C, E>,
    timeout: u32,
) -> Result<(), Error> {
    for flags in [NS_CREATE, NS_DESTROY] {
        for n in 0..FLOOD {
            let (name, len) = flood_name(n);
            announce(dev, &name[..len], FLOOD_ADDR + n, flags, timeout)?;
        }
    }
    Ok(())
}

/// `flood-<n>` and its length.
fn flood_name(n: u32) -> ([u8; NAME_LEN], usize) {
    let mut name = [0; NAME_LEN];
    name[..FLOOD_NAME.len()].copy_from_slice(FLOOD_NAME);
    let mut digits = [0; 10];
    let mut len = 0;
    let mut rest = n;
    loop {
        digits[len] = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for (i, d) in digits[..len].iter().rev().enumerate() {
        name[FLOOD_NAME.len() + i] = *d;
    }
    (name, FLOOD_NAME.len() + len)
}

/// Sends the name-service message `name` (NUL-padded to 32 bytes, cut
/// beyond), `addr`, `flags` from `addr` to 53.
fn announce<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &mut Device<S, P, C, E>,
    name: &[u8],
    addr: u32,
    flags: u32,
    timeout: u32,
) -> Result<(), Error> {
    let mut msg = [0u8; NS_MSG_LEN as usize];
    let n = name.len().min(NAME_LEN);
    msg[..n].copy_from_slice(&name[..n]);
    msg[NAME_LEN..NAME_LEN + 4].copy_from_slice(&addr.to_le_bytes());
    msg[NAME_LEN + 4..].copy_from_slice(&flags.to_le_bytes());
    let tx = dev.alloc_tx(timeout)?;
    let header = Header {
        src: addr,
        dst: NS_ADDR,
        len: NS_MSG_LEN,
        flags: 0,
    };
    if dev.tx_write(&tx, 0, &msg) < msg.len() || !dev.unchecked_write_header(&tx, &header) {
        // Stale, or no room for the message.
        return dev.release_tx(tx).and(Err(Error::TooLong));
    }
    let entry = UsedEntry {
        id: u32::from(tx.id()),
        len: HDR_LEN + u32::from(NS_MSG_LEN),
    };
    dev.unchecked_return([tx], [entry])
}
