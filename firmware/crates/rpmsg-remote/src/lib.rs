// SPDX-License-Identifier: MIT OR Apache-2.0
//! # rpmsg-remote
//!
//! The remote (virtio device) side of RPMsg, `no_std`, without heap or
//! `alloc`, wire-compatible with rpmsg-lite's i.MX7 port and Linux's
//! `virtio_rpmsg_bus` (through NXP's `imx_rpmsg` or our own transport).
//!
//! ## Wire contract
//!
//! * Per vdev a 64 KiB ring region (default at 0x8FFF_0000, see [`Config`]
//!   / [`Imx7`]): vring0 at +0 carries messages to Linux (Linux's "input"
//!   ring: Linux makes empty buffers available, we fill them and put them in
//!   the used ring), vring1 at +0x8000 carries messages from Linux (we
//!   consume available buffers and return them through the used ring).
//!   Legacy split-ring layout, 256 descriptors, used ring aligned to 0x1000.
//! * Linux allocates every buffer (512 bytes: a 16-byte [`Header`] and up to
//!   496 payload bytes) wherever its DMA allocator puts them; the remote
//!   allocates none and accepts buffers inside a configured window (default:
//!   the WaRP7's DDR, 0x8000_0000 + 512 MiB) that do not overlap a ring.
//! * Kicks: queue id `2 * vdev + ring`; on i.MX7 the word
//!   [`kick_word`]`(queue_id)` (= `queue_id << 16`) goes through MU
//!   channel 1. The stack calls [`Platform::notify`] at the end of every
//!   operation that sent messages (queue 0) or handed back buffers a Linux
//!   sender may be waiting for (queue 1), once per queue however many
//!   buffers the operation returned. A consumed buffer is kicked only when
//!   the entries with the remote and the returns not kicked yet reach
//!   [`Config::CONSUMED_KICK_AT`] (default: half the ring): a Linux sender
//!   waits only when it has no buffer left, so a request/response exchange
//!   needs such a kick about once per half ring (the rule and why it
//!   cannot leave a sender asleep: `Config`).
//! * Notification suppression: while the remote has buffers to send in, it
//!   sets `VRING_USED_F_NO_NOTIFY` in vring0's used ring, so that Linux
//!   (`virtio_ring`, or our transport) refills vring0 without kicking;
//!   before it waits for a buffer it clears the flag and reads vring0
//!   again. An echo then costs one kick from Linux, not two.
//! * Name service at address 53: 40-byte messages `name[32], addr, flags`.
//!
//! ## Behaviour worth knowing
//!
//! * **Link-up**: the link is up once vring0 has a buffer available (Linux
//!   fills its input ring first). Named endpoints are announced then.
//! * **Re-created rings**: only the device writes `used.idx`, and Linux
//!   zeroes a ring when it creates it. A `used.idx` that is not the one we
//!   wrote, or an available index that went back behind what we consumed,
//!   means Linux re-created the ring (module reload) or this firmware
//!   restarted: the stack restarts from the indices in memory, drops the
//!   messages and buffers it took from the old ring (no stale replay; held
//!   handles become [`Error::Stale`]) and announces its endpoints again.
//! * **Untrusted input**: descriptor index `>= NUM`, chained or indirect
//!   descriptors, buffers outside the window, overlapping a vring,
//!   misaligned or shorter than a header, a header length beyond the buffer
//!   or descriptor, an available index more than `NUM` ahead, a malformed
//!   name-service message, and
//!   messages for unknown endpoints are dropped and reported through
//!   [`Platform::fault`]; nothing panics, every loop is bounded, and all
//!   shared-memory access goes through [`SharedMemory`], which itself
//!   refuses out-of-window access.
//! * **Zero-copy**: [`Device::try_alloc_tx`] takes a Linux buffer that you
//!   fill with [`Device::tx_write`] and send with [`Device::send_tx`] (or
//!   give back with [`Device::release_tx`]); [`Device::recv`] hands out an
//!   [`RxBuf`] you read in place with [`Device::read`] and return with
//!   [`Device::release`]. Linux cannot reuse a held RX buffer, so release
//!   promptly.
//! * **Back-pressure**: with no free Linux buffer, sending returns
//!   [`Error::WouldBlock`] or, for the blocking calls, sleeps in
//!   [`Platform::wait`] until Linux kicks; nothing is dropped. Messages from
//!   Linux stay in its ring until received, which makes Linux's senders wait
//!   while the remote is busy.
//! * **Receiving** is in Linux's order for all endpoints: dispatch on
//!   [`RxBuf::dst`] / [`Received::dst`]. A single-threaded firmware cannot
//!   block on two endpoints at once anyway, and no per-endpoint queue can
//!   fill up with messages for an endpoint that is not being served.
//! * **Endpoint names** are `&'static [u8]` (kept, not copied, for
//!   re-announcing).
//! * **Caches**: the stack issues a barrier around every index update but
//!   does no cache maintenance: the platform maps the window non-cacheable
//!   for the M4 (or wraps [`SharedMemory`] with cache operations).
//! * **Limits**: a re-creation is invisible when the new ring's indices
//!   happen to equal ours (nothing ever sent on vring0, and exactly as many
//!   buffers consumed as Linux refilled); garbage in the window before Linux
//!   first initialises it is validated like any input and superseded by the
//!   re-creation rule once Linux zeroes the rings.
//!
//! ## Example
//!
//! ```no_run
//! use rpmsg_remote::{Config, Device, Imx7, Platform, VolatileShm, FOREVER};
//!
//! struct M4;
//! impl Platform for M4 {
//!     fn notify(&mut self, queue_id: u32) {
//!         // write rpmsg_remote::kick_word(queue_id) to MU TR1
//!         # let _ = queue_id;
//!     }
//!     fn now(&mut self) -> u32 { 0 /* a timer */ }
//!     fn wait(&mut self, _ticks: u32) { /* wfi until the MU interrupt */ }
//! }
//!
//! // SAFETY: the window (DDR, where the M4 sees it at the same addresses as
//! // Linux) is mapped non-cacheable for the M4, and this program keeps no
//! // data of its own there.
//! let shm = unsafe {
//!     VolatileShm::<Imx7>::new(Imx7::WINDOW_PHYS as *mut u8)
//! };
//! let mut dev: Device<_, _, Imx7, 2> = Device::new(shm, M4);
//! let demo = dev
//!     .create_endpoint(Some(30), Some(b"rpmsg-openamp-demo-channel"))
//!     .unwrap();
//! let tty = dev.create_endpoint(None, Some(b"rpmsg-tty")).unwrap();
//! let mut buf = [0u8; 496];
//! loop {
//!     // Messages arrive in Linux's order; dispatch on the destination.
//!     let Ok(m) = dev.recv_into(&mut buf, FOREVER) else { continue };
//!     let n = m.len.min(buf.len());
//!     let ept = if m.dst == demo.addr() { &demo } else { &tty };
//!     let _ = dev.send(ept, m.src, &buf[..n], FOREVER);
//! }
//! ```
//!
//! ## Fuzzing
//!
//! `firmware/fuzz` is a cargo-fuzz project (its own workspace) with the
//! target `rx`, which runs the receive and send paths over arbitrary
//! shared-memory contents. It needs a nightly toolchain and cargo-fuzz:
//!
//! ```text
//! rustup toolchain install nightly
//! cargo install cargo-fuzz
//! cd firmware/fuzz && cargo +nightly fuzz run rx -- -max_total_time=60
//! ```
//!
//! The same body runs on stable in the ordinary test suite
//! (`tests/fuzzlike.rs`: proptest with a fixed seed over random memory and
//! operation scripts), bounded and deterministic. Both check, through a
//! guarding [`SharedMemory`], that the remote never writes into a
//! descriptor table or an available ring.
//!
//! ## Testing other crates against the Linux model
//!
//! The feature `testing` (host only; it makes the crate use `std`) exposes
//! the test support of this crate's own suite as the module `testing`: a
//! model of the Linux master, a simulated platform whose `wait` runs that
//! model, and a shared memory that fails the test when the remote writes
//! where a virtio device never may. Applications enable it as a dev-dependency
//! feature to test their RPMsg logic against the real stack.
//!
//! ## Misbehaving on purpose
//!
//! The feature `unchecked` adds raw writes to vring0 for test firmware
//! that must misbehave towards Linux: used entries with any id and length
//! (`Device::unchecked_return`), headers with any length, and the used
//! index moved at will, kept coherent with the stack's own bookkeeping;
//! garbage over what only Linux writes in both vrings, the descriptor
//! tables and the available rings' entries and flags
//! (`Device::unchecked_overwrite_driver_areas`); and vring0's generation,
//! which moves with every re-creation the stack notices. Never enable it
//! in a product.
//!
//! ## Behaving like stock rpmsg-lite
//!
//! The feature `lite-like` adds `Config::LITE_LIKE`: a device whose
//! layout sets it behaves like NXP's rpmsg-lite where rpmsg-lite differs
//! from this stack (keeps its ring indices across a Linux reload, announces
//! once, never kicks for consumed buffers, dispatches kicks per queue,
//! waits for Linux to read each kick; see the module `lite`), for test
//! firmware that stands in for rpmsg-lite. Never enable it in a product.
//!
//! ## Size
//!
//! `size-probe/measure.sh` links the stack for `thumbv7em-none-eabihf`
//! (opt-level `z` as the firmware, LTO) and prints its code size for the
//! whole API and for the subset an echo app uses.

#![cfg_attr(not(any(test, feature = "testing")), no_std)]
#![deny(unsafe_code)]
#![warn(missing_docs)]

// The shared test files name the crate by its path, as integration tests do.
#[cfg(feature = "testing")]
extern crate self as rpmsg_remote;

pub mod config;
mod device;
mod endpoint;
mod error;
pub mod header;
#[cfg(feature = "lite-like")]
pub mod lite;
pub mod ns;
mod platform;
mod rx;
#[allow(unsafe_code)]
mod shm;
#[cfg(feature = "testing")]
pub mod testing;
mod tx;
#[cfg(feature = "unchecked")]
mod unchecked;
mod vring;

pub use config::{Config, Imx7};
pub use device::Device;
pub use endpoint::{Endpoint, ADDR_ANY, ADDR_DYNAMIC_BASE};
pub use error::Error;
pub use header::Header;
pub use platform::{
    kick_queue, kick_summary, kick_word, Fault, Platform, ANY_KICK, FOREVER, NO_WAIT,
};
pub use rx::{Received, RxBuf};
pub use shm::{CellShm, SharedMemory, VolatileShm};
pub use tx::{TxBuf, MAX_HELD_TX};
#[cfg(feature = "unchecked")]
pub use unchecked::{Descriptor, UsedEntry};
