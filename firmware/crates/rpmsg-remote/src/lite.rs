// SPDX-License-Identifier: MIT OR Apache-2.0
//! A device that behaves like stock rpmsg-lite (feature `lite-like`,
//! [`Config::LITE_LIKE`]), for test firmware that stands in for NXP's
//! rpmsg-lite v5.4 (bare metal, its i.MX7 platform layer) so that Linux's
//! side can be tested against the remote most users run. Everything else, the wire format, the validation of what Linux
//! wrote, the API, is this stack's.
//!
//! Where rpmsg-lite differs from this stack, and what such a device does:
//!
//! 1. **It keeps its ring indices across a Linux reload.** rpmsg-lite
//!    keeps the next position to consume in each ring for its whole life
//!    and has no way to notice that Linux re-created the rings; the used
//!    index it increments is the one in the ring, which Linux zeroed. So
//!    the device never resynchronises (`Vq::follow`): after
//!    a reload it consumes from its old positions, which in a zeroed ring
//!    are entries naming descriptor 0, over and over until its position
//!    wraps round to the available index (about 65,500 entries), and when
//!    the old and the new session carried the same number of messages it
//!    sees no new one at all. Nothing of the old session becomes stale.
//! 2. **It announces its endpoints after its first link-up, and never
//!    again.** The link comes up when Linux first kicks queue 0
//!    (rpmsg-lite's transmit-ring callback; Linux's `virtio_rpmsg_bus`
//!    kicks it after filling its input ring) and never goes down; named
//!    endpoints are announced then, once.
//! 3. **It never signals consumed buffers.** Messages taken from vring1 go
//!    back to Linux through its used ring without a kick of queue 1 (as
//!    without `RL_ALLOW_CONSUMED_BUFFERS_NOTIFICATION`): a Linux sender
//!    waiting for a buffer is not woken. Each message it places in vring0
//!    is kicked on its own, at once (queue 0), as rpmsg-lite's send does.
//! 4. **It dispatches kicks per queue.** A kick for queue 1 makes it read
//!    vring1's available index (once per kick); a kick for queue 0 brings
//!    the link up. Messages published with no kick of queue 1 after them
//!    are not seen until the next one. vring0 is looked at whenever a
//!    buffer is needed, as rpmsg-lite's allocation polls it.
//!    ([`Platform::take_kicks`].)
//! 5. **It busy-waits until Linux has read its previous kick** before
//!    writing the next ([`Platform::notify_waiting`]).
//!
//! What stays this stack's: descriptors and message headers are validated
//! as always (rpmsg-lite trusts them; a device that writes wherever a
//! zeroed descriptor points would test nothing), a used entry for a
//! received message carries length 0, a sent one header plus payload
//! (rpmsg-lite writes the descriptor's length for both), and the available
//! index is not checked against the used index (rpmsg-lite does not check
//! it either), so the walk of point 1 happens as it does with rpmsg-lite.

use crate::config::Config;
use crate::device::Device;
use crate::platform::Platform;
use crate::shm::SharedMemory;

impl<S: SharedMemory, P: Platform, C: Config, const E: usize> Device<S, P, C, E> {
    /// [`poll`](Device::poll) of a [`LITE_LIKE`](crate::Config::LITE_LIKE)
    /// device: takes the kicks, brings the link up on a kick of queue 0,
    /// looks at vring1 only after a kick of queue 1, at vring0 always,
    /// never resynchronises, and announces what was never announced.
    pub(crate) fn poll_lite(&mut self) -> bool {
        let kicked = self.platform.take_kicks();
        let was = |q: u32| kicked.checked_shr(q).is_some_and(|b| b & 1 != 0);
        if was(Self::TX_QUEUE) {
            self.link = true;
        }
        self.tx.follow(&self.shm);
        if was(Self::RX_QUEUE) {
            self.rx.follow(&self.shm);
        }
        if self.link {
            self.announce();
        }
        self.link
    }
}
