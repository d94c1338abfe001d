// SPDX-License-Identifier: MIT OR Apache-2.0
//! Sending: with a copy, or zero-copy into a buffer taken from Linux.
//!
//! Linux provides every buffer (its "input" ring, vring0). Sending takes the
//! next one, fills it, and returns it through the used ring with the message
//! length, then kicks queue 0. No buffer is free when Linux has not yet
//! consumed earlier messages; sending then reports [`Error::WouldBlock`] (or
//! waits, with a timeout) instead of dropping anything.

use crate::config::{lite_like, Config, HDR_LEN};
use crate::device::Device;
use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::header::Header;
use crate::ns::{self, NS_ADDR, NS_MSG_LEN};
use crate::platform::{Fault, Platform};
use crate::rx::RxBuf;
use crate::shm::SharedMemory;
use crate::vring::Buf;

/// How many zero-copy TX buffers the application may hold at once.
pub const MAX_HELD_TX: usize = 4;

/// A TX buffer taken from Linux for zero-copy sending: fill it with
/// [`Device::tx_write`], then [`Device::send_tx`] it or give it back with
/// [`Device::release_tx`]. At most [`MAX_HELD_TX`] are held at once; a
/// buffer that is neither sent nor released is lost to Linux until it
/// re-creates the rings.
#[derive(Debug)]
#[must_use = "send or release the buffer"]
pub struct TxBuf {
    pub(crate) buf: Buf,
    pub(crate) gen: u8,
}

impl TxBuf {
    /// Payload capacity in bytes (the buffer minus the 16-byte header).
    pub fn capacity(&self) -> usize {
        self.buf.room as usize
    }
}

impl<S: SharedMemory, P: Platform, C: Config, const E: usize> Device<S, P, C, E> {
    /// Largest payload of one message.
    pub const MAX_PAYLOAD: usize = (C::BUF_SIZE - HDR_LEN) as usize;

    /// Sends `data` from `ept` to remote address `dst` without waiting:
    /// `WouldBlock` when Linux has no free buffer, `TooLong` beyond
    /// [`MAX_PAYLOAD`](Self::MAX_PAYLOAD) (or the buffer Linux gave).
    pub fn try_send(&mut self, ept: &Endpoint, dst: u32, data: &[u8]) -> Result<(), Error> {
        self.live(ept)?;
        if data.len() > Self::MAX_PAYLOAD {
            return Err(Error::TooLong);
        }
        self.look();
        let b = self.take_tx()?;
        if data.len() > usize::from(b.room) {
            // Shorter than Linux's buffers usually are: kept for the
            // next send, as `try_reply` does.
            self.put_spare(b.id);
            return Err(Error::TooLong);
        }
        self.write_payload(b.off, 0, data);
        self.commit(b, ept.addr, dst, data.len() as u16);
        self.kick();
        Ok(())
    }

    /// Like [`try_send`](Self::try_send), waiting up to `timeout` ticks for
    /// the link and for a free buffer.
    pub fn send(
        &mut self,
        ept: &Endpoint,
        dst: u32,
        data: &[u8],
        timeout: u32,
    ) -> Result<(), Error> {
        let mut start = None;
        loop {
            match self.try_send(ept, dst, data) {
                Err(e) => self.retry(e, &mut start, timeout)?,
                ok => return ok,
            }
        }
    }

    /// Takes a TX buffer for zero-copy sending, without waiting.
    pub fn try_alloc_tx(&mut self) -> Result<TxBuf, Error> {
        self.look();
        if self.held >= MAX_HELD_TX {
            return Err(Error::NoSlot);
        }
        self.take_held()
    }

    /// Like [`try_alloc_tx`](Self::try_alloc_tx), waiting up to `timeout`.
    pub fn alloc_tx(&mut self, timeout: u32) -> Result<TxBuf, Error> {
        let mut start = None;
        loop {
            match self.try_alloc_tx() {
                Err(e) => self.retry(e, &mut start, timeout)?,
                ok => return ok,
            }
        }
    }

    /// Copies `data` into `tx`'s payload at `offset`; returns how many bytes
    /// fitted (0 for a stale buffer).
    pub fn tx_write(&self, tx: &TxBuf, offset: usize, data: &[u8]) -> usize {
        if tx.gen != self.tx.gen {
            return 0;
        }
        let n = tx.capacity().saturating_sub(offset).min(data.len());
        if let Some(d) = data.get(..n) {
            self.write_payload(tx.buf.off, offset, d);
        }
        n
    }

    /// Copies up to `len` payload bytes of the received `rx`, from
    /// `rx_offset`, into `tx`'s payload at `offset`, within shared memory
    /// (zero-copy echo without a detour through the M4's RAM); returns how
    /// many bytes were copied (0 when either buffer is stale).
    pub fn tx_copy(
        &self,
        tx: &TxBuf,
        offset: usize,
        rx: &RxBuf,
        rx_offset: usize,
        len: usize,
    ) -> usize {
        if tx.gen != self.tx.gen || rx.gen != self.rx.gen {
            return 0;
        }
        let n = len
            .min(rx.len().saturating_sub(rx_offset))
            .min(tx.capacity().saturating_sub(offset));
        self.shm.copy_within(
            rx.off + rx_offset as u32,
            tx.buf.off + HDR_LEN + offset as u32,
            n as u32,
        );
        n
    }

    /// Answers `rx` in one message from `ept` to its sender: `prefix`,
    /// `rx`'s payload, then `suffix`, in a buffer taken from Linux, the
    /// payload copied within shared memory. What an echo does with
    /// [`alloc_tx`](Self::alloc_tx), [`tx_write`](Self::tx_write),
    /// [`tx_copy`](Self::tx_copy) and [`send_tx`](Self::send_tx), in one
    /// operation without a [`TxBuf`]. `rx` stays held: release it after.
    /// Waits up to `timeout` ticks for the link and a free buffer.
    ///
    /// `Stale` (nothing sent) when Linux re-created vring1 since `rx` was
    /// received: its sender is gone. `TooLong` (nothing sent, the buffer
    /// kept for the next send) when the reply does not fit the buffer
    /// Linux gave: send it in parts with [`alloc_tx`](Self::alloc_tx).
    pub fn reply(
        &mut self,
        ept: &Endpoint,
        rx: &RxBuf,
        prefix: &[u8],
        suffix: &[u8],
        timeout: u32,
    ) -> Result<(), Error> {
        let mut start = None;
        loop {
            match self.try_reply(ept, rx, prefix, suffix) {
                Err(e) => self.retry(e, &mut start, timeout)?,
                ok => return ok,
            }
        }
    }

    /// [`reply`](Self::reply) without waiting (`WouldBlock` when Linux has
    /// no free buffer).
    pub fn try_reply(
        &mut self,
        ept: &Endpoint,
        rx: &RxBuf,
        prefix: &[u8],
        suffix: &[u8],
    ) -> Result<(), Error> {
        self.live(ept)?;
        self.look();
        // After the look: a re-creation it saw makes `rx` stale.
        if rx.gen != self.rx.gen {
            return Err(Error::Stale);
        }
        let b = self.take_tx()?;
        let body = rx.len() as u32;
        let len = prefix.len() as u32 + body + suffix.len() as u32;
        if len > u32::from(b.room) {
            self.put_spare(b.id);
            return Err(Error::TooLong);
        }
        let mut at = b.off + HDR_LEN;
        if !prefix.is_empty() {
            self.shm.write_bytes(at, prefix);
            at += prefix.len() as u32;
        }
        self.shm.copy_within(rx.off, at, body);
        if !suffix.is_empty() {
            self.shm.write_bytes(at + body, suffix);
        }
        self.commit(b, ept.addr, rx.src(), len as u16);
        self.kick();
        Ok(())
    }

    /// Copies `data` to payload `offset` of the buffer at window offset
    /// `off` (validated: the caller checked that it fits).
    fn write_payload(&self, off: u32, offset: usize, data: &[u8]) {
        self.shm.write_bytes(off + HDR_LEN + offset as u32, data);
    }

    /// Sends the first `len` payload bytes of `tx` from `ept` to `dst`. On
    /// an error other than `Stale` the buffer is kept for a later send.
    /// `Stale` when the latest operation that looked at the rings saw that
    /// Linux re-created them since `tx` was taken.
    pub fn send_tx(
        &mut self,
        ept: &Endpoint,
        dst: u32,
        tx: TxBuf,
        len: usize,
    ) -> Result<(), Error> {
        self.hand_back(&tx)?;
        let r = self.live(ept);
        if r.is_err() || len > tx.capacity() {
            self.put_spare(tx.buf.id);
            return r.and(Err(Error::TooLong));
        }
        self.commit(tx.buf, ept.addr, dst, len as u16);
        self.kick();
        Ok(())
    }

    /// Gives an unsent TX buffer back (it serves the next send).
    pub fn release_tx(&mut self, tx: TxBuf) -> Result<(), Error> {
        self.hand_back(&tx)?;
        self.put_spare(tx.buf.id);
        Ok(())
    }

    /// Ends the application's hold on `tx`; `Stale` if the ring was
    /// re-created since (the buffer then no longer exists), as seen by the
    /// latest look at the rings.
    pub(crate) fn hand_back(&mut self, tx: &TxBuf) -> Result<(), Error> {
        if tx.gen != self.tx.gen {
            return Err(Error::Stale);
        }
        self.held = self.held.saturating_sub(1);
        Ok(())
    }

    /// Takes a TX buffer and counts it as held.
    fn take_held(&mut self) -> Result<TxBuf, Error> {
        let buf = self.take_tx()?;
        self.held += 1;
        Ok(TxBuf {
            buf,
            gen: self.tx.gen,
        })
    }

    /// Takes a TX buffer: a spare one first, else the next valid entry of
    /// vring0 (invalid entries are reported and skipped).
    ///
    /// Notification suppression: while we have buffers, vring0's used
    /// flags carry `VRING_USED_F_NO_NOTIFY`, so Linux refills vring0
    /// without kicking us (one wake-up per echo instead of two). The
    /// latest look may then have missed buffers, so before this reports
    /// none it clears the flag, issues a full barrier and reads vring0's
    /// indices again. Linux publishes its available index, issues a full
    /// barrier and then reads the flag: of the two, at least one sees the
    /// other's write, so either this finds the buffer or Linux kicks for
    /// it and the caller's wait ends. The flag is set again with the next
    /// buffer taken.
    fn take_tx(&mut self) -> Result<Buf, Error> {
        if !self.is_link_up() {
            return Err(Error::LinkDown);
        }
        let mut relooked = lite_like::<C>();
        // Bounded even if Linux keeps adding invalid entries (NUM + 1
        // turns: one may be the look again; a half-open range, which
        // compiles to a counter where `0..=NUM` keeps an end flag).
        for _ in 0..u32::from(C::NUM) + 1 {
            let id = if let Some(i) = self.spare_len.checked_sub(1) {
                self.spare_len = i;
                self.spare.get(i).copied().unwrap_or(u16::MAX)
            } else {
                match self.tx.pop(&self.shm) {
                    Ok(Some(id)) => id,
                    Ok(None) if !relooked => {
                        relooked = true;
                        self.relook_tx();
                        if !self.link {
                            // Re-created: the next look announces again.
                            break;
                        }
                        continue;
                    }
                    Ok(None) => break,
                    Err(f) => {
                        self.platform.fault(f);
                        break;
                    }
                }
            };
            match self.tx.buffer(&self.shm, id) {
                Ok(b) => {
                    if !self.tx_quiet && !lite_like::<C>() {
                        self.tx_quiet = true;
                        self.tx.set_no_notify(&self.shm, true);
                    }
                    return Ok(b);
                }
                Err(f) => self.platform.fault(f),
            }
        }
        Err(Error::WouldBlock)
    }

    /// Clears vring0's `VRING_USED_F_NO_NOTIFY` and looks at vring0 again
    /// (see [`take_tx`](Self::take_tx)); also the look at vring0 while the
    /// link is down. Not inlined: it runs only when the buffers the latest
    /// look saw are used up, or before the link is up.
    #[inline(never)]
    pub(crate) fn relook_tx(&mut self) {
        // Unconditionally: after our own restart the flag may be set by
        // the firmware that ran before.
        self.tx_quiet = false;
        self.tx.set_no_notify(&self.shm, false);
        // The flag's clearing before the index read (a full barrier: a
        // store before a load).
        self.shm.barrier();
        self.resync_tx();
    }

    /// Keeps an unused TX descriptor for the next send. Room is guaranteed:
    /// spare plus held buffers never exceed [`MAX_HELD_TX`].
    pub(crate) fn put_spare(&mut self, id: u16) {
        if let Some(s) = self.spare.get_mut(self.spare_len) {
            *s = id;
            self.spare_len += 1;
        }
    }

    /// Writes the header and returns the buffer to Linux through vring0's
    /// used ring with its length; queue 0 is kicked by the caller's
    /// [`kick`](Device::kick).
    fn commit(&mut self, b: Buf, src: u32, dst: u32, len: u16) {
        Header {
            src,
            dst,
            len,
            flags: 0,
        }
        .write(&self.shm, b.off);
        self.tx.push_used(&self.shm, b.id, HDR_LEN + u32::from(len));
        self.returned(0);
    }

    /// Sends a name-service message about the endpoint in `slot`. A buffer
    /// from Linux too short for it is reported ([`Fault::BufferLen`]) and
    /// kept for the next send; the message is then not sent (`TooLong`).
    pub(crate) fn send_ns(&mut self, slot: usize, flags: u32) -> Result<(), Error> {
        let b = self.take_tx()?;
        if b.room < NS_MSG_LEN {
            self.put_spare(b.id);
            self.platform.fault(Fault::BufferLen);
            return Err(Error::TooLong);
        }
        let (addr, name) = self.epts.entry(slot);
        ns::write(&self.shm, b.off + HDR_LEN, name, addr, flags);
        self.commit(b, addr, NS_ADDR, NS_MSG_LEN);
        Ok(())
    }
}
