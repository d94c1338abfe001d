// SPDX-License-Identifier: MIT OR Apache-2.0
//! Messaging Unit, side B (the M4's side, `0x30AB0000`, NVIC IRQ 97).
//!
//! Side A belongs to the Cortex-A7 (Linux). A word written to TRn on one side
//! appears in RRn on the other and sets RFn there; the writer's TEn stays
//! clear until the reader has read RRn. Doorbells (general interrupts) are
//! single bits: GIRn on one side sets GIPn on the other.
//!
//! `Mu` is the owned driver (one instance, from `Mu::take`; M4 builds
//! only); the register layout and bit mapping are in [`bits`].

pub mod bits;

#[cfg(all(target_arch = "arm", target_os = "none"))]
mod driver;

pub use bits::{Channel, ChannelSet, Events, Status};
#[cfg(all(target_arch = "arm", target_os = "none"))]
pub use driver::Mu;

/// The transmit register is still full: the other side has not read the
/// previous word yet (TEn clear). Nothing was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Busy;

/// Result of ringing a doorbell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ring {
    /// The request was raised on the other side.
    Rung,
    /// The previous request on this doorbell is still pending (the other
    /// side has not cleared its GIPn); doorbells coalesce, so this ring
    /// is merged into it.
    AlreadyPending,
}
