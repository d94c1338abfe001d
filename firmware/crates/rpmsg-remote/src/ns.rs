// SPDX-License-Identifier: MIT OR Apache-2.0
//! Name service: announcing endpoints to Linux and reading announcements
//! from it. Messages go to address 53 and are exactly 40 bytes:
//! `name[32] ; u32 addr ; u32 flags` (flags 0 create, 1 destroy).

use crate::platform::Fault;
use crate::shm::SharedMemory;

/// The name-service address on both sides.
pub const NS_ADDR: u32 = 53;
/// Length of a name-service message.
pub const NS_MSG_LEN: u16 = 40;
/// Length of the name field (NUL-padded; Linux keeps at most 31 bytes).
pub const NAME_LEN: usize = 32;
/// Flags value: the endpoint was created.
pub const NS_CREATE: u32 = 0;
/// Flags value: the endpoint was destroyed.
pub const NS_DESTROY: u32 = 1;

/// Writes a name-service message as the payload at window offset `off`:
/// `name` (at most 31 bytes used) NUL-padded to 32 bytes, then address and
/// flags.
pub(crate) fn write<S: SharedMemory>(shm: &S, off: u32, name: &[u8], addr: u32, flags: u32) {
    let mut msg = [0u8; NS_MSG_LEN as usize];
    for (m, &c) in msg.iter_mut().zip(name.iter().take(NAME_LEN - 1)) {
        *m = c;
    }
    msg[32..36].copy_from_slice(&addr.to_le_bytes());
    msg[36..].copy_from_slice(&flags.to_le_bytes());
    shm.write_bytes(off, &msg);
}

/// Reads and checks a name-service payload of `len` bytes at `off`.
pub(crate) fn read<S: SharedMemory>(
    shm: &S,
    off: u32,
    len: u16,
) -> Result<([u8; NAME_LEN], u32, u32), Fault> {
    if len != NS_MSG_LEN {
        return Err(Fault::NsLength);
    }
    let flags = shm.read_u32(off + 36);
    if flags > NS_DESTROY {
        return Err(Fault::NsFlags);
    }
    let mut name = [0; NAME_LEN];
    shm.read_bytes(off, &mut name);
    Ok((name, shm.read_u32(off + 32), flags))
}
