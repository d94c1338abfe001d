// SPDX-License-Identifier: MIT OR Apache-2.0
//! The RPMsg remote device: ring bookkeeping, link state, endpoints and the
//! blocking helper. Sending is in [`crate::tx`], receiving in [`crate::rx`].

use crate::config::{check, lite_like, Config, Imx7};
use crate::endpoint::{Endpoint, Table};
use crate::error::Error;
use crate::ns::{NS_CREATE, NS_DESTROY};
use crate::platform::{kick_summary, kick_word, Fault, Platform, ANY_KICK, FOREVER, NO_WAIT};
use crate::shm::SharedMemory;
use crate::tx::MAX_HELD_TX;
use crate::vring::Vq;

/// The device (remote) end of one RPMsg virtio device.
///
/// * `S`: shared-memory access ([`VolatileShm`](crate::VolatileShm) on the
///   target, [`CellShm`](crate::CellShm) on the host);
/// * `P`: the [`Platform`] (kicks, clock, wait, hooks);
/// * `C`: the [`Config`] layout, checked at compile time;
/// * `E`: endpoint capacity.
///
/// Every operation that takes from a ring first looks at the rings
/// ([`poll`](Self::poll)): it notices Linux re-creating them, brings the
/// link up and sends pending name-service announcements. The look is
/// skipped when the platform says Linux has not kicked since the previous
/// one ([`Platform::take_kick_summary`]): it would see nothing new; after
/// kicks of vring1 alone it reads only vring0's used index. Giving a
/// buffer back checks it against what the latest look saw. Linux is kicked once
/// per queue at the end of an operation, however many buffers it returned.
#[derive(Debug)]
pub struct Device<S, P, C = Imx7, const E: usize = 4> {
    pub(crate) shm: S,
    pub(crate) platform: P,
    /// vring0: buffers Linux gave us to send in.
    pub(crate) tx: Vq<C, 0>,
    /// vring1: messages from Linux.
    pub(crate) rx: Vq<C, 1>,
    pub(crate) link: bool,
    pub(crate) epts: Table<E>,
    /// TX descriptors taken from vring0 and given back unused.
    pub(crate) spare: [u16; MAX_HELD_TX],
    pub(crate) spare_len: usize,
    /// Zero-copy TX buffers the application holds.
    pub(crate) held: usize,
    /// Rings with buffers returned and not yet kicked (bit = ring).
    kicks: u8,
    /// Whether the rings were looked at since the device was made.
    looked: bool,
    /// Whether we set `VRING_USED_F_NO_NOTIFY` in vring0 (see
    /// [`take_tx`](Self::take_tx)): Linux then makes buffers available
    /// there without kicking.
    pub(crate) tx_quiet: bool,
}

impl<S: SharedMemory, P: Platform, C: Config, const E: usize> Device<S, P, C, E> {
    /// Queue id of vring0 (kicked after sending).
    pub const TX_QUEUE: u32 = 2 * C::VDEV;
    /// Queue id of vring1 (kicked after consuming).
    pub const RX_QUEUE: u32 = 2 * C::VDEV + 1;

    /// A device over `shm` using `platform`. Nothing is read or written
    /// until the first operation. Fails to compile if `C` is inconsistent.
    /// Not inlined: called once, it then fills its result in place (the
    /// endpoint table with one clear) instead of through a copy.
    #[inline(never)]
    pub fn new(shm: S, platform: P) -> Self {
        const { check::<C>() };
        Self {
            shm,
            platform,
            tx: Vq::new(),
            rx: Vq::new(),
            link: false,
            epts: Table::new(),
            spare: [0; MAX_HELD_TX],
            spare_len: 0,
            held: 0,
            kicks: 0,
            looked: false,
            tx_quiet: false,
        }
    }

    /// The platform.
    pub fn platform(&self) -> &P {
        &self.platform
    }

    /// The platform, mutably.
    pub fn platform_mut(&mut self) -> &mut P {
        &mut self.platform
    }

    /// Whether Linux has made buffers available (see [`poll`](Self::poll)).
    pub fn is_link_up(&self) -> bool {
        self.link
    }

    /// Processes both rings; returns whether the link is up.
    ///
    /// The link comes up when vring0 has a buffer available that we have
    /// not consumed: Linux's `virtio_rpmsg_bus` fills its input ring before
    /// anything else, so this is the first sign of a live master (there is
    /// no status byte in this layout). It goes down when Linux re-creates
    /// vring0; every named endpoint is then announced again as soon as
    /// buffers are back, so a Linux module reload, or a restart of this
    /// firmware while Linux runs, re-establishes the channels.
    pub fn poll(&mut self) -> bool {
        // This look covers every kick so far.
        let _ = self.platform.take_kick_summary();
        self.look_now(ANY_KICK)
    }

    /// The look of an operation: [`poll`](Self::poll) unless Linux has not
    /// kicked since the previous look (see
    /// [`Platform::take_kick_summary`]), in which case the rings are as
    /// that look saw them; returns whether the link is up.
    #[inline(always)]
    pub(crate) fn look(&mut self) -> bool {
        // A LITE_LIKE device looks at vring0 whenever it needs a buffer,
        // as rpmsg-lite's allocation does.
        let kicks = self.platform.take_kick_summary();
        if kicks != 0 || !self.looked || lite_like::<C>() {
            self.look_now(kicks);
        }
        self.link
    }

    /// [`poll`](Self::poll) after the kicks were taken, with their
    /// summary ([`Platform::take_kick_summary`]). After kicks of vring1
    /// alone, vring0's available index is not read: Linux did not kick
    /// for it, and it is read again before a lack of buffers is reported
    /// ([`take_tx`](Self::take_tx)); only its used index is, to notice a
    /// re-created vring0 (see [`Vq::may_be_recreated`]).
    fn look_now(&mut self, kicks: u32) -> bool {
        self.looked = true;
        #[cfg(feature = "lite-like")]
        if C::LITE_LIKE {
            return self.poll_lite();
        }
        // vring1 first: Linux re-creates both rings at once, so a
        // re-created vring1 makes the look read all of vring0 too.
        let rx_reset = self.rx.resync(&self.shm);
        if rx_reset {
            self.platform.fault(Fault::RingReset(1));
        }
        if self.link {
            if rx_reset
                || kicks != kick_summary(kick_word(Self::RX_QUEUE))
                || self.tx.may_be_recreated(&self.shm)
            {
                self.resync_tx();
            }
        } else {
            // Waiting for buffers: Linux must kick when it makes some
            // available (a firmware that ran before us may have left the
            // flag set), so the flag is cleared before the indices are
            // read, as in `take_tx`.
            self.relook_tx();
        }
        if !self.link {
            match self.tx.pending() {
                Ok(n) => self.link = n > 0,
                Err(f) => self.platform.fault(f),
            }
        }
        self.announce();
        self.kick();
        self.link
    }

    /// Reads vring0's indices; when Linux re-created it, forgets what was
    /// taken from the old ring and takes the link down until buffers are
    /// back (the endpoints are announced again then).
    pub(crate) fn resync_tx(&mut self) {
        if self.tx.resync(&self.shm) {
            self.platform.fault(Fault::RingReset(0));
            self.link = false;
            self.spare_len = 0;
            self.held = 0;
            self.epts.forget_announcements();
            // Linux zeroed the ring, our flag with it.
            self.tx_quiet = false;
        }
    }

    /// Announces the named endpoints not yet announced, as far as buffers
    /// allow (the rest at a later look).
    #[inline(always)]
    pub(crate) fn announce(&mut self) {
        if self.epts.may_need_announcing() {
            self.announce_now();
        }
    }

    /// [`announce`](Self::announce) when an endpoint may need it (out of
    /// line: rare).
    #[inline(never)]
    fn announce_now(&mut self) {
        while let Some(i) = self.epts.unannounced() {
            if self.send_ns(i, NS_CREATE).is_err() {
                break;
            }
            self.epts.set_announced(i);
        }
    }

    /// Notes that a buffer of `ring` (0 or 1) went back to Linux: its queue
    /// is kicked by the next [`kick`](Self::kick). A `LITE_LIKE` device
    /// kicks queue 0 at once for each message, and never kicks queue 1
    /// (feature `lite-like`, module `lite`).
    pub(crate) fn returned(&mut self, ring: u8) {
        #[cfg(feature = "lite-like")]
        if C::LITE_LIKE {
            if ring == 0 {
                self.platform.notify_waiting(Self::TX_QUEUE);
            }
            return;
        }
        self.kicks |= 1 << ring;
    }

    /// Kicks Linux once for each ring that had buffers returned since the
    /// last kick: the end of every operation that returns buffers.
    #[inline(always)]
    pub(crate) fn kick(&mut self) {
        if self.kicks != 0 {
            self.kick_now();
        }
    }

    /// The kicks [`kick`](Self::kick) found owed.
    #[inline(never)]
    fn kick_now(&mut self) {
        if self.kicks & 1 != 0 {
            self.platform.notify(Self::TX_QUEUE);
        }
        if self.kicks & 2 != 0 {
            self.platform.notify(Self::RX_QUEUE);
        }
        self.kicks = 0;
    }

    /// Waits up to `timeout` ticks for the link to come up.
    pub fn wait_link(&mut self, timeout: u32) -> Result<(), Error> {
        let mut start = None;
        while !self.poll() {
            self.retry(Error::LinkDown, &mut start, timeout)?;
        }
        Ok(())
    }

    /// Creates an endpoint at local address `addr` (`None`: the next free
    /// address from 1024). With a `name` (1 to 31 bytes) it is announced to
    /// Linux now or when the link comes up, and again after every ring
    /// re-creation.
    pub fn create_endpoint(
        &mut self,
        addr: Option<u32>,
        name: Option<&'static [u8]>,
    ) -> Result<Endpoint, Error> {
        let ept = self.epts.create(addr, name)?;
        self.poll();
        Ok(ept)
    }

    /// Destroys an endpoint, announcing the destruction if it was announced
    /// (`WouldBlock` if no buffer is free for that: the endpoint stays).
    /// Messages that arrive for it later are handed back to Linux and
    /// reported as [`Fault::UnknownDst`].
    pub fn destroy_endpoint(&mut self, ept: Endpoint) -> Result<(), Error> {
        self.live(&ept)?;
        self.poll();
        if self.epts.announced(&ept) {
            self.send_ns(ept.slot as usize, NS_DESTROY)?;
            self.kick();
        }
        self.epts.remove(&ept);
        Ok(())
    }

    /// `Ok` if `ept` is a live endpoint.
    pub(crate) fn live(&self, ept: &Endpoint) -> Result<(), Error> {
        if self.epts.live(ept) {
            Ok(())
        } else {
            Err(Error::NoEndpoint)
        }
    }

    /// The retry step of every blocking call: `Err` to stop with (the
    /// operation's error, or `Timeout`), `Ok` after sleeping in
    /// [`Platform::wait`] when the call should try again. `start` is the
    /// tick of the call's first retry, `None` before it: the clock is read
    /// only when a call with a finite timeout has to wait, so that waiting
    /// without a deadline needs no running clock (a platform may then
    /// sleep without a tick).
    pub(crate) fn retry(
        &mut self,
        err: Error,
        start: &mut Option<u32>,
        timeout: u32,
    ) -> Result<(), Error> {
        if !matches!(err, Error::WouldBlock | Error::LinkDown) || timeout == NO_WAIT {
            return Err(err);
        }
        let mut left = FOREVER;
        if timeout != FOREVER {
            let now = self.platform.now();
            let spent = now.wrapping_sub(*start.get_or_insert(now));
            left = timeout
                .checked_sub(spent)
                .filter(|&l| l > 0)
                .ok_or(Error::Timeout)?;
        }
        self.platform.wait(left);
        Ok(())
    }
}
