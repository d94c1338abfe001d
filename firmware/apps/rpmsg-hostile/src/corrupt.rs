// SPDX-License-Identifier: MIT OR Apache-2.0
//! The corruptions of vring0's used ring (the ring that carries messages to
//! Linux): each sends the command's answer, then writes what no correct
//! remote writes, once, through `rpmsg-remote`'s `unchecked` operations.
//! Exact values are in the crate documentation's command table.

use rpmsg_remote::header::HDR_LEN;
use rpmsg_remote::{Config, Device, Endpoint, Error, Header, Platform, SharedMemory, UsedEntry};

use crate::{CTL_ADDR, TTY_ADDR};

/// Payload of the messages whose used length lies (4 bytes).
pub const LONG: &[u8] = b"LONG";
/// Used length of `used-short`: below the 16-byte header.
pub const SHORT_USED: u32 = 8;
/// Used length of `used-long`: above the 512-byte buffer.
pub const LONG_USED: u32 = 4096;
/// Header length of `hdr-long`: above its used length, within the buffer.
pub const HDR_LONG: u16 = 400;
/// Used length of `hdr-long`, `id-range` and `id-stale`: a header and
/// [`LONG`].
pub const ENTRY_LEN: u32 = HDR_LEN + LONG.len() as u32;
/// How far `idx-ahead` moves the used index.
pub const AHEAD: i16 = 1000;
/// The id `id-range` publishes: beyond every 256-descriptor ring.
pub const BAD_ID: u32 = 4660;
/// Longest wait (ticks) of `idx-back` and `idx-ahead` for Linux to take
/// the answer (1 s on the M4).
pub const SETTLE: u32 = 1000;

/// A corruption of vring0's used ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corruption {
    /// `used-short`: a message with used length [`SHORT_USED`].
    UsedShort,
    /// `used-long`: a message with used length [`LONG_USED`].
    UsedLong,
    /// `hdr-long`: a message whose header length exceeds its used length.
    HdrLong,
    /// `idx-back`: the used index moved back by one.
    IdxBack,
    /// `idx-ahead`: the used index moved ahead by [`AHEAD`].
    IdxAhead,
    /// `id-range`: a used entry with id [`BAD_ID`].
    IdRange,
    /// `id-stale`: a used entry naming the buffer just returned.
    IdStale,
}

impl Corruption {
    /// Sends `answer` from `ctl` to `dst`, then corrupts (whether or not
    /// the answer got out). Returns how the answer went and how the
    /// corruption went.
    pub(crate) fn run<S: SharedMemory, P: Platform, C: Config, const E: usize>(
        self,
        dev: &mut Device<S, P, C, E>,
        ctl: &Endpoint,
        dst: u32,
        answer: &[u8],
        timeout: u32,
    ) -> (Result<(), Error>, Result<(), Error>) {
        if self == Corruption::IdStale {
            let r = answer_and_repeat(dev, dst, answer, timeout);
            return (r, r);
        }
        // Read before the answer: Linux moves it once it has taken the answer.
        let avail = dev.unchecked_avail_idx();
        let sent = dev.send(ctl, dst, answer, timeout);
        let done = match self {
            Corruption::UsedShort => lying(dev, dst, (u16::MAX, SHORT_USED), &[], timeout),
            Corruption::UsedLong => lying(dev, dst, (LONG.len() as u16, LONG_USED), LONG, timeout),
            Corruption::HdrLong => lying(dev, dst, (HDR_LONG, ENTRY_LEN), LONG, timeout),
            Corruption::IdxBack | Corruption::IdxAhead => {
                // Linux must have taken the answer: a used index moved
                // back behind what Linux has not seen yet is no fault, and
                // one far ahead would keep the answer from it.
                settle(dev, avail, timeout.min(SETTLE));
                let delta = if self == Corruption::IdxBack {
                    -1
                } else {
                    AHEAD
                };
                dev.unchecked_move_used(delta);
                Ok(())
            }
            Corruption::IdRange => dev
                .alloc_tx(timeout)
                .and_then(|tx| dev.unchecked_return([tx], [entry(BAD_ID, ENTRY_LEN)])),
            // Sent with its answer above.
            Corruption::IdStale => Ok(()),
        };
        (sent, done)
    }
}

/// A used entry.
fn entry(id: u32, len: u32) -> UsedEntry {
    UsedEntry { id, len }
}

/// Takes the next vring0 buffer, writes a header from the loopback address
/// to `dst` with length `len` and then `payload`, and returns the buffer
/// under its own id with used length `used`.
fn lying<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &mut Device<S, P, C, E>,
    dst: u32,
    (len, used): (u16, u32),
    payload: &[u8],
    timeout: u32,
) -> Result<(), Error> {
    let tx = dev.alloc_tx(timeout)?;
    let header = Header {
        src: TTY_ADDR,
        dst,
        len,
        flags: 0,
    };
    if dev.tx_write(&tx, 0, payload) < payload.len() || !dev.unchecked_write_header(&tx, &header) {
        // Stale, or no room for the payload.
        return dev.release_tx(tx).and(Err(Error::TooLong));
    }
    let id = u32::from(tx.id());
    dev.unchecked_return([tx], [entry(id, used)])
}

/// `id-stale`: the answer goes in buffer A, then an entry with id A and
/// used length [`ENTRY_LEN`] follows it, both published by one used-index
/// update, so Linux takes A back before it meets the second entry and
/// cannot have given A to the remote again in between. A second buffer is
/// taken and withheld in exchange.
fn answer_and_repeat<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &mut Device<S, P, C, E>,
    dst: u32,
    answer: &[u8],
    timeout: u32,
) -> Result<(), Error> {
    let tx = dev.alloc_tx(timeout)?;
    let withheld = match dev.alloc_tx(timeout) {
        Ok(w) => w,
        Err(e) => return dev.release_tx(tx).and(Err(e)),
    };
    let header = Header {
        src: CTL_ADDR,
        dst,
        len: answer.len() as u16,
        flags: 0,
    };
    let a = u32::from(tx.id());
    let used = HDR_LEN + answer.len() as u32;
    if dev.tx_write(&tx, 0, answer) < answer.len() || !dev.unchecked_write_header(&tx, &header) {
        let r = dev.release_tx(tx).and(dev.release_tx(withheld));
        return r.and(Err(Error::TooLong));
    }
    dev.unchecked_return([tx, withheld], [entry(a, used), entry(a, ENTRY_LEN)])
}

/// Waits up to `limit` ticks for vring0's available index to move away
/// from `before`: Linux gives a buffer back to the remote once it has taken
/// a message.
fn settle<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &mut Device<S, P, C, E>,
    before: u16,
    limit: u32,
) {
    let start = dev.platform_mut().now();
    while dev.unchecked_avail_idx() == before {
        let spent = dev.platform_mut().now().wrapping_sub(start);
        match limit.checked_sub(spent) {
            Some(left) if left > 0 => dev.platform_mut().wait(left),
            _ => return,
        }
    }
}
