// SPDX-License-Identifier: MIT OR Apache-2.0
//! The fixed-capacity table of local endpoints: fixed or dynamic addresses,
//! and the name each is announced under.

use crate::error::Error;
use crate::ns::{NAME_LEN, NS_ADDR};

/// First dynamically allocated local address (as Linux does).
pub const ADDR_DYNAMIC_BASE: u32 = 1024;
/// `RPMSG_ADDR_ANY`: never a valid endpoint address.
pub const ADDR_ANY: u32 = u32::MAX;

/// Handle of a local endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Endpoint {
    pub(crate) slot: u8,
    pub(crate) addr: u32,
}

impl Endpoint {
    /// The endpoint's local address.
    pub fn addr(&self) -> u32 {
        self.addr
    }
}

/// Slot state bits.
const USED: u8 = 1;
const NAMED: u8 = 2;
const ANNOUNCED: u8 = 4;

#[derive(Clone, Copy, Debug)]
struct Slot {
    addr: u32,
    /// `None`, not an empty slice, so that an empty slot is all zeros.
    name: Option<&'static [u8]>,
    state: u8,
}

const EMPTY: Slot = Slot {
    addr: 0,
    name: None,
    state: 0,
};

/// The dynamic address after `a`, wrapping from `ADDR_ANY` to
/// [`ADDR_DYNAMIC_BASE`].
fn next_dynamic(a: u32) -> u32 {
    match a.wrapping_add(1) {
        ADDR_ANY => ADDR_DYNAMIC_BASE,
        n => n,
    }
}

/// Up to `E` endpoints.
#[derive(Debug)]
pub(crate) struct Table<const E: usize> {
    slots: [Slot; E],
    next_dyn: u32,
    /// Whether a named endpoint may still be unannounced (spares every
    /// look at the rings a scan of the table).
    to_announce: bool,
}

impl<const E: usize> Table<E> {
    /// `E` empty slots: a constant, all zeros (see `Slot::name`).
    const EMPTY_SLOTS: [Slot; E] = [EMPTY; E];

    /// An empty table.
    pub const fn new() -> Self {
        Self {
            slots: Self::EMPTY_SLOTS,
            next_dyn: ADDR_DYNAMIC_BASE,
            to_announce: false,
        }
    }

    /// The slot index of the live endpoint at `addr`.
    #[inline(always)]
    pub fn find(&self, addr: u32) -> Option<usize> {
        // A plain loop: at opt-level `z` an iterator adaptor stays a call.
        let mut i = 0;
        while let Some(s) = self.slots.get(i) {
            if s.state & USED != 0 && s.addr == addr {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// Adds an endpoint at `addr` (or a free dynamic address) with an
    /// optional name to announce.
    pub fn create(
        &mut self,
        addr: Option<u32>,
        name: Option<&'static [u8]>,
    ) -> Result<Endpoint, Error> {
        if name.is_some_and(|n| n.is_empty() || n.len() >= NAME_LEN) {
            return Err(Error::BadName);
        }
        let slot = self
            .slots
            .iter()
            .position(|s| s.state & USED == 0)
            .ok_or(Error::NoSlot)?;
        // One search for a fixed address and for a dynamic one (which is
        // never 53 or `ADDR_ANY`): at most `E` addresses are taken, so `E +
        // 1` dynamic candidates always contain a free one.
        let mut a = addr.unwrap_or(self.next_dyn);
        while a == NS_ADDR || a == ADDR_ANY || self.find(a).is_some() {
            if addr.is_some() {
                return Err(Error::AddressInUse);
            }
            a = next_dynamic(a);
        }
        if addr.is_none() {
            self.next_dyn = next_dynamic(a);
        }
        let addr = a;
        if let Some(s) = self.slots.get_mut(slot) {
            *s = Slot {
                addr,
                name,
                state: USED | if name.is_some() { NAMED } else { 0 },
            };
        }
        self.to_announce |= name.is_some();
        Ok(Endpoint {
            slot: slot as u8,
            addr,
        })
    }

    /// Whether `ept` still names a live slot.
    pub fn live(&self, ept: &Endpoint) -> bool {
        self.slots
            .get(ept.slot as usize)
            .is_some_and(|s| s.state & USED != 0 && s.addr == ept.addr)
    }

    /// Frees `ept`'s slot.
    pub fn remove(&mut self, ept: &Endpoint) {
        if let Some(s) = self.slots.get_mut(ept.slot as usize) {
            s.state = 0;
        }
    }

    /// Whether `ept` has been announced to Linux (so a destroy is owed).
    pub fn announced(&self, ept: &Endpoint) -> bool {
        self.slots
            .get(ept.slot as usize)
            .is_some_and(|s| s.state & ANNOUNCED != 0)
    }

    /// Whether [`unannounced`](Self::unannounced) may find an endpoint
    /// (`false`: it will not).
    pub fn may_need_announcing(&self) -> bool {
        self.to_announce
    }

    /// The slot of the next named endpoint not yet announced.
    pub fn unannounced(&mut self) -> Option<usize> {
        if !self.to_announce {
            return None;
        }
        let i = self
            .slots
            .iter()
            .position(|s| s.state & (USED | NAMED | ANNOUNCED) == USED | NAMED);
        self.to_announce = i.is_some();
        i
    }

    /// Address and name of slot `i` (an empty slot for an invalid index).
    pub fn entry(&self, i: usize) -> (u32, &'static [u8]) {
        let s = self.slots.get(i).unwrap_or(&EMPTY);
        (s.addr, s.name.unwrap_or(&[]))
    }

    /// Marks slot `i` announced.
    pub fn set_announced(&mut self, i: usize) {
        if let Some(s) = self.slots.get_mut(i) {
            s.state |= ANNOUNCED;
        }
    }

    /// Linux forgot everything: every named endpoint is announced again.
    pub fn forget_announcements(&mut self) {
        for s in &mut self.slots {
            s.state &= !ANNOUNCED;
        }
        self.to_announce = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_dynamic_and_names() {
        let mut t = Table::<3>::new();
        let a = t.create(Some(30), Some(b"rpmsg-tty")).unwrap();
        assert_eq!(a.addr(), 30);
        assert_eq!(t.create(Some(30), None), Err(Error::AddressInUse));
        assert_eq!(t.create(Some(NS_ADDR), None), Err(Error::AddressInUse));
        assert_eq!(t.create(Some(ADDR_ANY), None), Err(Error::AddressInUse));
        assert_eq!(t.create(None, Some(b"")), Err(Error::BadName));
        assert_eq!(t.create(None, Some(&[b'x'; 32])), Err(Error::BadName));
        let b = t.create(None, None).unwrap();
        assert_eq!(b.addr(), ADDR_DYNAMIC_BASE);
        let c = t.create(Some(ADDR_DYNAMIC_BASE + 1), None).unwrap();
        assert_eq!(t.create(None, None), Err(Error::NoSlot));
        t.remove(&b);
        assert!(!t.live(&b));
        // The cursor skips the taken 1025.
        assert_eq!(t.create(None, None).unwrap().addr(), ADDR_DYNAMIC_BASE + 2);
        assert!(t.live(&c));
        let i = t.unannounced().unwrap();
        let (addr, name) = t.entry(i);
        assert_eq!((addr, name), (30, &b"rpmsg-tty"[..]));
        t.set_announced(i);
        assert!(t.announced(&a));
        assert!(t.unannounced().is_none());
        t.forget_announcements();
        assert!(t.unannounced().is_some());
    }
}
