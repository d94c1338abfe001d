// SPDX-License-Identifier: MIT OR Apache-2.0
//! `rpmsg-lite-like`: test firmware for the i.MX7 Cortex-M4 that stands in
//! for NXP's stock rpmsg-lite (v5.4, bare metal, its i.MX7 platform layer),
//! so that Linux's side can be tested against the remote most users run,
//! including what rpmsg-lite cannot do.
//!
//! It is `rpmsg-echo`, the same program ([`rpmsg_echo::Echo`], its M4 loop),
//! with one difference: the device's layout is [`Imx7Lite`], the default
//! i.MX7 layout with rpmsg-remote's `LITE_LIKE` set, and the platform is
//! built with `imx7-rpmsg`'s feature `lite-like`. The channels are
//! rpmsg-echo's:
//!
//! | channel | M4 address | answer |
//! |---|---|---|
//! | [`DEMO_NAME`](rpmsg_echo::DEMO_NAME) (`rpmsg-openamp-demo-channel` by default, same build choices as rpmsg-echo) | 30 | `echo: ` + the message + `\r\n` |
//! | `rpmsg-tty` | 31 | the message, unchanged |
//!
//! Where stock rpmsg-lite differs from our normal firmware, it does as
//! rpmsg-lite does (rpmsg-remote's module `lite` has the details):
//!
//! 1. **It keeps its ring indices across a Linux reload**: it never
//!    notices that Linux re-created the rings, so it consumes from its old
//!    positions in the zeroed rings (stale entries, all naming descriptor
//!    0, hence duplicate answers), and, when the old and the new session
//!    carried equally many messages, sees no new message at all. Only a
//!    restart of the M4 recovers it.
//! 2. **It announces its channels after its first link-up, and never
//!    again**: the link comes up at Linux's first kick of queue 0; after a
//!    Linux reload the channels do not come back.
//! 3. **It never signals consumed buffers**: no kick of queue 1 when it
//!    gives Linux's messages back, so a Linux sender waiting for a buffer
//!    is not woken (it finds one at its next send, or after its 15-second
//!    timeout). Each message it sends is kicked (queue 0) on its own.
//! 4. **It dispatches kicks per queue**: the MU word carries the queue in
//!    its upper 16 bits; only a kick of queue 1 makes it read the ring of
//!    Linux's messages.
//! 5. **It busy-waits until Linux has read its previous kick** (MU TE1)
//!    before writing the next, however long that takes.
//!
//! What it validates is what rpmsg-echo validates. The UART lines:
//!
//! ```text
//! rpmsg-lite-like: imx-rpmsg-rs M4 test firmware behaving like stock rpmsg-lite, vrings at 0x8fff0000
//! rpmsg-lite-like: waiting for the link
//! rpmsg-lite-like: link up, announced rpmsg-openamp-demo-channel (30), rpmsg-tty (31)
//! ```
#![no_std]
#![deny(missing_docs)]

use rpmsg_remote::Config;

/// The default i.MX7 layout (rings at 0x8FFF_0000 and 0x8FFF_8000, 256
/// descriptors, align 0x1000, 512-byte buffers anywhere in the WaRP7's
/// DDR) for a device that behaves like stock rpmsg-lite.
#[derive(Clone, Copy, Debug, Default)]
pub struct Imx7Lite;

impl Config for Imx7Lite {
    const LITE_LIKE: bool = true;
}

#[cfg(test)]
mod tests;
