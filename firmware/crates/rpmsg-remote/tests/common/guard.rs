// SPDX-License-Identifier: MIT OR Apache-2.0
//! The simulated layout, and a `SharedMemory` wrapper that fails the test
//! (panics) when the remote writes where a virtio device never may: the
//! descriptor tables and the available rings of both vrings. Also used by
//! the cargo-fuzz target, so it depends on nothing but the crate.

use rpmsg_remote::{CellShm, Config, SharedMemory};
use std::cell::Cell;

/// The i.MX7 ring layout with a 64 KiB window at 0x8FFF_0000 holding the
/// rings and, in the space after each, the buffers (the real default
/// window is all of DDR, which a test cannot allocate).
pub struct Sim64k;

impl Config for Sim64k {
    const WINDOW_PHYS: u64 = 0x8FFF_0000;
    const WINDOW_SIZE: u32 = 0x1_0000;
    // The model's Linux has 1 to 40 TX buffers (each test's choice), far
    // fewer than the ring's 256 entries that `virtio_rpmsg_bus` has: only
    // a kick for every consumed buffer is right for all of them.
    const CONSUMED_KICK_AT: u16 = 1;
}

/// [`Sim64k`] with a consumed-buffer kick only when at least half of 40
/// TX buffers are with the remote: the default rule
/// ([`Config::CONSUMED_KICK_AT`]) scaled to a model Linux with
/// [`MAX_BUFS`](super::linux::MAX_BUFS) TX buffers, which a test using it
/// must give Linux.
pub struct Sim64kHalf;

impl Config for Sim64kHalf {
    const WINDOW_PHYS: u64 = 0x8FFF_0000;
    const WINDOW_SIZE: u32 = 0x1_0000;
    const CONSUMED_KICK_AT: u16 = super::linux::MAX_BUFS as u16 / 2;
}

/// Window offsets of the two vrings and the end of their driver-owned part
/// (descriptor table + available ring) in the default layout.
const DRIVER_AREAS: [(u32, u32); 2] = [(0, 0x2000), (0x8000, 0xA000)];

/// Checked shared memory over a cell slice.
#[derive(Clone, Copy)]
pub struct Guard<'a> {
    inner: CellShm<'a>,
    len: u32,
}

impl<'a> Guard<'a> {
    /// Wraps `mem` (the whole window).
    pub fn new(mem: &'a [Cell<u8>]) -> Self {
        Self {
            inner: CellShm::new(mem),
            len: mem.len() as u32,
        }
    }

    fn check(&self, off: u32, n: usize) {
        let end = u64::from(off) + n as u64;
        assert!(
            end <= u64::from(self.len),
            "remote wrote past the window: {off:#x}+{n}"
        );
        for (lo, hi) in DRIVER_AREAS {
            assert!(
                end <= u64::from(lo) || u64::from(off) >= u64::from(hi),
                "remote wrote into a descriptor table or available ring: {off:#x}+{n}"
            );
        }
    }
}

impl SharedMemory for Guard<'_> {
    fn read_u16(&self, off: u32) -> u16 {
        self.inner.read_u16(off)
    }
    fn read_u32(&self, off: u32) -> u32 {
        self.inner.read_u32(off)
    }
    fn write_u16(&self, off: u32, val: u16) {
        self.check(off, 2);
        self.inner.write_u16(off, val)
    }
    fn write_u32(&self, off: u32, val: u32) {
        self.check(off, 4);
        self.inner.write_u32(off, val)
    }
    fn read_bytes(&self, off: u32, out: &mut [u8]) {
        self.inner.read_bytes(off, out)
    }
    fn write_bytes(&self, off: u32, data: &[u8]) {
        if !data.is_empty() {
            self.check(off, data.len());
        }
        self.inner.write_bytes(off, data)
    }
}
