// SPDX-License-Identifier: MIT OR Apache-2.0
//! Receiving: messages from Linux's "output" ring (vring1), in the order
//! Linux sent them, for whichever local endpoint they are addressed to; the
//! application dispatches on [`RxBuf::dst`] (or [`RxBuf::is_for`]). A
//! message stays in the ring until it is received, so a remote that is busy
//! makes Linux's senders wait (back-pressure) instead of losing anything, and
//! no queue can fill up with messages for an endpoint nobody serves.
//!
//! A received buffer is read in place (zero-copy) and goes back to Linux
//! as soon as it is released, with a kick when a Linux sender may be
//! waiting for it ([`Config::CONSUMED_KICK_AT`]); [`Device::recv_into`] does both
//! for you. Invalid messages, name-service messages and messages for no
//! local endpoint are handed back (and reported) as they are met.

use crate::config::{Config, HDR_LEN};
use crate::device::Device;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::header::Header;
use crate::ns::{self, NS_ADDR};
use crate::platform::{Fault, Platform};
use crate::shm::SharedMemory;

/// A received message held in its Linux buffer (zero-copy): read it with
/// [`Device::read`], then give the buffer back with [`Device::release`].
/// Linux cannot reuse the buffer until then.
#[derive(Debug)]
#[must_use = "release the buffer so Linux can reuse it"]
pub struct RxBuf {
    id: u16,
    len: u16,
    /// Window offset of the payload.
    pub(crate) off: u32,
    src: u32,
    dst: u32,
    /// Generation of vring1 it was taken from.
    pub(crate) gen: u8,
}

impl RxBuf {
    /// Payload length in bytes.
    pub fn len(&self) -> usize {
        self.len as usize
    }
    /// Whether the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    /// The sender's address.
    pub fn src(&self) -> u32 {
        self.src
    }
    /// The local endpoint address it was sent to.
    pub fn dst(&self) -> u32 {
        self.dst
    }
    /// Whether it was sent to `ept`.
    pub fn is_for(&self, ept: &Endpoint) -> bool {
        self.dst == ept.addr
    }
}

/// Where a copied message came from, and its full length (more than was
/// copied if the output buffer was shorter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Received {
    /// The sender's address.
    pub src: u32,
    /// The local endpoint address it was sent to.
    pub dst: u32,
    /// Payload length of the message.
    pub len: usize,
}

impl<S: SharedMemory, P: Platform, C: Config, const E: usize> Device<S, P, C, E> {
    /// Takes the next message from Linux, for any local endpoint, without
    /// waiting; `WouldBlock` if there is none.
    pub fn try_recv(&mut self) -> Result<RxBuf, Error> {
        self.look();
        let r = self.take_rx();
        // Entries handed back on the way (invalid, name service) in one kick.
        self.kick();
        r
    }

    /// The next message for a local endpoint among the entries the latest
    /// look at vring1 saw; hands back the others.
    fn take_rx(&mut self) -> Result<RxBuf, Error> {
        // Bounded even if Linux keeps adding invalid entries.
        for _ in 0..C::NUM {
            let id = match self.rx.pop(&self.shm) {
                Ok(Some(id)) => id,
                Ok(None) => break,
                Err(f) => {
                    self.platform.fault(f);
                    break;
                }
            };
            match self.accept(id) {
                Ok(Some(rx)) => return Ok(rx),
                Ok(None) => {}
                Err(f) => {
                    self.platform.fault(f);
                    if id >= C::NUM {
                        // Not a descriptor we could name in the used ring.
                        continue;
                    }
                }
            }
            self.give_back(id);
        }
        Err(Error::WouldBlock)
    }

    /// Like [`try_recv`](Self::try_recv), waiting up to `timeout` ticks.
    pub fn recv(&mut self, timeout: u32) -> Result<RxBuf, Error> {
        let mut start = None;
        loop {
            match self.try_recv() {
                Err(e) => self.retry(e, &mut start, timeout)?,
                ok => return ok,
            }
        }
    }

    /// Receives into `out` (waiting up to `timeout` ticks) and releases the
    /// buffer. Copies `min(len, out.len())` bytes.
    pub fn recv_into(&mut self, out: &mut [u8], timeout: u32) -> Result<Received, Error> {
        let rx = self.recv(timeout)?;
        self.read(&rx, 0, out);
        // Cannot be stale (`recv` just looked at the rings): `release`
        // without its generation check.
        self.give_back(rx.id);
        self.kick();
        Ok(Received {
            src: rx.src,
            dst: rx.dst,
            len: rx.len(),
        })
    }

    /// Copies payload bytes of `rx` from `offset` into `out`; returns how
    /// many (0 for a stale buffer).
    pub fn read(&self, rx: &RxBuf, offset: usize, out: &mut [u8]) -> usize {
        if rx.gen != self.rx.gen {
            return 0;
        }
        let n = rx.len().saturating_sub(offset).min(out.len());
        if let Some(o) = out.get_mut(..n) {
            self.shm.read_bytes(rx.off + offset as u32, o);
        }
        n
    }

    /// Whether `rx` belongs to the current ring: `false` once Linux has
    /// re-created the ring (as noticed by the latest operation), i.e. the
    /// sender's session is gone and a reply would reach a new one.
    pub fn is_current(&self, rx: &RxBuf) -> bool {
        rx.gen == self.rx.gen
    }

    /// Gives a received buffer back to Linux, with a kick if a Linux sender
    /// may be waiting for a buffer (see [`Config::CONSUMED_KICK_AT`]): such
    /// a sender is woken at once. `Stale` if the latest
    /// operation that looked at the rings saw that Linux re-created them
    /// since (nothing is written then).
    pub fn release(&mut self, rx: RxBuf) -> Result<(), Error> {
        if rx.gen != self.rx.gen {
            return Err(Error::Stale);
        }
        self.give_back(rx.id);
        self.kick();
        Ok(())
    }

    /// Returns descriptor `id` of vring1 to Linux, kicked by the caller's
    /// [`kick`](Device::kick) when a Linux sender may be waiting for a
    /// buffer (see [`Config::CONSUMED_KICK_AT`]).
    fn give_back(&mut self, id: u16) {
        if self.rx.push_used_wakes(&self.shm, id, 0) {
            self.returned(1);
        }
    }

    /// Checks the message in descriptor `id`: a buffer for a local
    /// endpoint, `None` for a name-service message (handled here).
    fn accept(&mut self, id: u16) -> Result<Option<RxBuf>, Fault> {
        let b = self.rx.buffer(&self.shm, id)?;
        let h = Header::read(&self.shm, b.off);
        if h.len > b.room {
            return Err(Fault::HeaderLen);
        }
        let off = b.off + HDR_LEN;
        if h.dst == NS_ADDR {
            let (name, addr, flags) = ns::read(&self.shm, off, h.len)?;
            self.platform.name_service(&name, addr, flags);
            return Ok(None);
        }
        if self.epts.find(h.dst).is_none() {
            return Err(Fault::UnknownDst);
        }
        Ok(Some(RxBuf {
            id,
            len: h.len,
            off,
            src: h.src,
            dst: h.dst,
            gen: self.rx.gen,
        }))
    }
}
