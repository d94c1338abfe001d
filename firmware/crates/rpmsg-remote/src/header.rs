// SPDX-License-Identifier: MIT OR Apache-2.0
//! The 16-byte RPMsg message header, packed little-endian:
//! `u32 src, u32 dst, u32 reserved, u16 len, u16 flags`.

use crate::shm::SharedMemory;

pub use crate::config::HDR_LEN;

/// An RPMsg header as read from or written to a buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// Source address (the sender's endpoint).
    pub src: u32,
    /// Destination address (the receiver's endpoint).
    pub dst: u32,
    /// Payload length in bytes.
    pub len: u16,
    /// Message flags (0 in practice).
    pub flags: u16,
}

impl Header {
    /// Reads the header at window offset `off` (4-byte aligned).
    pub fn read<S: SharedMemory>(shm: &S, off: u32) -> Self {
        let [src, dst, _, len_flags] = shm.read_u32x4(off);
        Self {
            src,
            dst,
            len: len_flags as u16,
            flags: (len_flags >> 16) as u16,
        }
    }

    /// Writes the header at window offset `off` (4-byte aligned), with the
    /// reserved word zeroed.
    pub fn write<S: SharedMemory>(&self, shm: &S, off: u32) {
        let len_flags = u32::from(self.len) | u32::from(self.flags) << 16;
        shm.write_u32x4(off, [self.src, self.dst, 0, len_flags]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shm::CellShm;
    use core::cell::Cell;

    #[test]
    fn wire_format() {
        let mut mem = [0xFFu8; 20];
        let shm = CellShm::new(Cell::from_mut(&mut mem[..]).as_slice_of_cells());
        let h = Header {
            src: 30,
            dst: 0x400,
            len: 0x1F0,
            flags: 0,
        };
        h.write(&shm, 4);
        assert_eq!(Header::read(&shm, 4), h);
        assert_eq!(
            mem,
            [0xFF, 0xFF, 0xFF, 0xFF, 30, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0xF0, 1, 0, 0]
        );
    }
}
