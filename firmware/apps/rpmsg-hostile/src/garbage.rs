// SPDX-License-Identifier: MIT OR Apache-2.0
//! Garbage over what only Linux writes (`ring-garbage`): once its answer
//! is sent, every descriptor of both vrings and every entry and the flags
//! of both available rings are overwritten, through `rpmsg-remote`'s
//! `unchecked` operations. The available indices and the used rings are
//! left alone. What follows is in the crate documentation.

use rpmsg_remote::{Config, Descriptor, Device, Platform, SharedMemory};

/// What every garbage descriptor's address starts with; its low bits are
/// the descriptor's index.
pub const ADDR: u64 = 0xdead_beef_0000_0000;
/// Every garbage descriptor's length.
pub const LEN: u32 = 0xffff_ffff;
/// Every garbage descriptor's flags (`NEXT`, `WRITE`, `INDIRECT` and the
/// rest).
pub const FLAGS: u16 = 0xffff;
/// Every garbage descriptor's `next`.
pub const NEXT: u16 = 0xffff;
/// Every available-ring entry (beyond every descriptor table).
pub const ENTRY: u16 = 0xffff;
/// The available rings' flags.
pub const AVAIL_FLAGS: u16 = 0xffff;

/// Garbage descriptor `i`: address [`ADDR`]` | i`, [`LEN`], [`FLAGS`],
/// [`NEXT`].
pub const fn descriptor(i: u16) -> Descriptor {
    Descriptor {
        addr: ADDR | i as u64,
        len: LEN,
        flags: FLAGS,
        next: NEXT,
    }
}

/// Writes the garbage once into both vrings.
pub(crate) fn strike<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &mut Device<S, P, C, E>,
) {
    dev.unchecked_overwrite_driver_areas(descriptor, ENTRY, AVAIL_FLAGS);
}
