// SPDX-License-Identifier: MIT OR Apache-2.0
//! The corruptions of vring0's used ring (the ring that carries messages to
//! Linux): a command arms one; the next message on the loopback channel
//! triggers it, and it writes what no correct remote writes, once, through
//! `rpmsg-remote`'s `unchecked` operations. Exact values are in the crate
//! documentation's command table.

use rpmsg_remote::header::HDR_LEN;
use rpmsg_remote::{Config, Device, Error, Header, Platform, SharedMemory, TxBuf, UsedEntry};

use crate::TTY_ADDR;

/// Payload of the messages whose used length lies (4 bytes).
pub const LONG: &[u8] = b"LONG";
/// Used length of `used-short`: below the 16-byte header.
pub const SHORT_USED: u32 = 8;
/// Used length of `used-long`: above the 512-byte buffer.
pub const LONG_USED: u32 = 4096;
/// Header length of `hdr-long`: above its used length, within the buffer.
pub const HDR_LONG: u16 = 400;
/// Used length of `hdr-long` and `id-range`: a header and [`LONG`].
pub const ENTRY_LEN: u32 = HDR_LEN + LONG.len() as u32;
/// Used length of both entries of `id-twice`: a header and no payload.
pub const TWICE_LEN: u32 = HDR_LEN;
/// How far `idx-ahead` moves the used index.
pub const AHEAD: i16 = 1000;
/// The id `id-range` publishes: beyond every 256-descriptor ring.
pub const BAD_ID: u32 = 4660;

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
    /// `id-twice`: an empty message whose buffer is named by two used
    /// entries of one publication.
    IdTwice,
}

impl Corruption {
    /// Carries the corruption out once, its messages addressed to `dst`
    /// (the sender of the loopback message that triggered it).
    pub(crate) fn strike<S: SharedMemory, P: Platform, C: Config, const E: usize>(
        self,
        dev: &mut Device<S, P, C, E>,
        dst: u32,
        timeout: u32,
    ) -> Result<(), Error> {
        match self {
            Corruption::UsedShort => lying(dev, dst, (u16::MAX, SHORT_USED), &[], timeout),
            Corruption::UsedLong => lying(dev, dst, (LONG.len() as u16, LONG_USED), LONG, timeout),
            Corruption::HdrLong => lying(dev, dst, (HDR_LONG, ENTRY_LEN), LONG, timeout),
            Corruption::IdxBack => {
                dev.unchecked_move_used(-1);
                Ok(())
            }
            Corruption::IdxAhead => {
                dev.unchecked_move_used(AHEAD);
                Ok(())
            }
            Corruption::IdRange => dev
                .alloc_tx(timeout)
                .and_then(|tx| dev.unchecked_return([tx], [entry(BAD_ID, ENTRY_LEN)])),
            Corruption::IdTwice => twice(dev, dst, timeout),
        }
    }
}

/// A used entry.
fn entry(id: u32, len: u32) -> UsedEntry {
    UsedEntry { id, len }
}

/// Writes `payload` and then a header from the loopback address to `dst`
/// with length `len` into `tx`; gives `tx` back unused if it is stale or
/// too small.
fn fill<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &mut Device<S, P, C, E>,
    tx: TxBuf,
    dst: u32,
    len: u16,
    payload: &[u8],
) -> Result<TxBuf, Error> {
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
    Ok(tx)
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
    let tx = fill(dev, tx, dst, len, payload)?;
    let id = u32::from(tx.id());
    dev.unchecked_return([tx], [entry(id, used)])
}

/// `id-twice`: an empty message from the loopback address to `dst` in
/// buffer A, named by two entries `{A, TWICE_LEN}` published by one
/// used-index update, so Linux takes A back with the first and meets the
/// second before it could have given A to the remote again. A second
/// buffer is taken and withheld in exchange, so the stack returns one
/// entry per buffer it took.
fn twice<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &mut Device<S, P, C, E>,
    dst: u32,
    timeout: u32,
) -> Result<(), Error> {
    let tx = dev.alloc_tx(timeout)?;
    let withheld = match dev.alloc_tx(timeout) {
        Ok(w) => w,
        Err(e) => return dev.release_tx(tx).and(Err(e)),
    };
    let tx = match fill(dev, tx, dst, 0, &[]) {
        Ok(tx) => tx,
        Err(e) => return dev.release_tx(withheld).and(Err(e)),
    };
    let a = u32::from(tx.id());
    dev.unchecked_return([tx, withheld], [entry(a, TWICE_LEN); 2])
}
