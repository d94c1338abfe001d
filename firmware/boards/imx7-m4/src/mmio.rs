// SPDX-License-Identifier: MIT OR Apache-2.0
//! Volatile access to memory-mapped device registers. All raw register
//! access of the board crate goes through [`Block`].

use core::ptr::{read_volatile, write_volatile};

/// A block of 32-bit device registers starting at a fixed physical address.
#[derive(Debug)]
pub struct Block {
    base: usize,
}

impl Block {
    /// Describes the register block at `base`.
    ///
    /// # Safety
    /// `base` must be the 4-byte aligned address of a device register block
    /// that is mapped for the whole life of the program, and every offset
    /// later passed to [`Block::read`] / [`Block::write`] must name a
    /// register of it whose access has no effect beyond that device.
    pub const unsafe fn new(base: usize) -> Self {
        Self { base }
    }

    /// Reads the 32-bit register at byte offset `offset`.
    #[inline(always)]
    pub fn read(&self, offset: usize) -> u32 {
        // SAFETY: `new`'s contract makes `base + offset` an aligned, mapped
        // device register; a volatile read is how such a register is read.
        unsafe { read_volatile((self.base + offset) as *const u32) }
    }

    /// Writes `value` to the 32-bit register at byte offset `offset`.
    #[inline(always)]
    pub fn write(&self, offset: usize, value: u32) {
        // SAFETY: as in `read`; the write only affects the device itself.
        unsafe { write_volatile((self.base + offset) as *mut u32, value) }
    }
}
