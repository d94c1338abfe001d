// SPDX-License-Identifier: MIT OR Apache-2.0
//! The raw vring0 writes of the feature `unchecked`: they write exactly
//! what they are given, and the stack stays coherent with it (no
//! re-creation seen where there was none, every real one still seen).

mod common;

use common::linux::{memory, Linux, USED, VRING};
use common::{up, Dev, DEMO};
use rpmsg_remote::{kick_word, Error, Fault, Header, UsedEntry};
use std::cell::RefCell;

const USED_IDX: u32 = VRING[0] + USED + 2;

/// vring0's used entry at index `i`: (id, len).
fn entry(l: &Linux, i: u16) -> (u32, u32) {
    let e = VRING[0] + USED + 4 + 8 * u32::from(i % 256);
    (l.r32(e), l.r32(e + 4))
}

fn resets(dev: &Dev) -> usize {
    let f = &dev.platform().faults;
    f.iter().filter(|f| **f == Fault::RingReset(0)).count()
}

#[test]
fn entries_and_header_are_written_as_given_in_one_publication() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, ept) = up(&linux, &mem);
    assert_eq!(dev.unchecked_avail_idx(), linux.borrow().avail_idx(0));
    let u0 = linux.borrow().r16(USED_IDX);
    let kicks = dev.platform().kicks.len();
    let a = dev.alloc_tx(10).unwrap();
    let b = dev.alloc_tx(10).unwrap();
    let ia = a.id();
    let h = Header {
        src: 7,
        dst: 9,
        len: 65535,
        flags: 0x8001,
    };
    assert!(dev.unchecked_write_header(&a, &h));
    let entries = [
        UsedEntry { id: 4660, len: 0 },
        UsedEntry {
            id: u32::from(ia),
            len: 4096,
        },
    ];
    dev.unchecked_return([a, b], entries).unwrap();
    {
        let l = linux.borrow();
        assert_eq!(l.r16(USED_IDX), u0.wrapping_add(2));
        assert_eq!(entry(&l, u0), (4660, 0));
        assert_eq!(entry(&l, u0 + 1), (u32::from(ia), 4096));
        let off = (u64::from(l.r32(u32::from(ia) * 16)) - common::linux::PHYS) as u32;
        assert_eq!(
            l.bytes(off, 16),
            [7, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 255, 255, 1, 128]
        );
    }
    assert_eq!(dev.platform().kicks[kicks..], [kick_word(0)]);
    // Linux objects and refills; the stack carries on from what it wrote.
    linux.borrow_mut().step();
    assert!(!linux.borrow().errors.is_empty());
    linux.borrow_mut().errors.clear();
    for i in 0..20u8 {
        dev.send(&ept, 1024, &[i; 3], 10).unwrap();
        linux.borrow_mut().step();
    }
    assert_eq!(resets(&dev), 0);
    assert_eq!(linux.borrow().channel(DEMO).inbox.len(), 20);
    assert!(linux.borrow().errors.is_empty());
}

#[test]
fn a_stale_buffer_writes_nothing_and_current_ones_are_kept() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, _ept) = up(&linux, &mem);
    let old = dev.alloc_tx(10).unwrap();
    let gen = dev.unchecked_generation();
    linux.borrow_mut().init(0, 8, 8);
    assert_eq!(dev.unchecked_generation(), gen, "not seen before a look");
    dev.poll();
    assert_eq!(resets(&dev), 1);
    assert_eq!(dev.unchecked_generation(), gen.wrapping_add(1));
    linux.borrow_mut().step();
    let new = dev.alloc_tx(10).unwrap();
    let id = new.id();
    let u = linux.borrow().r16(USED_IDX);
    let h = Header::default();
    assert!(!dev.unchecked_write_header(&old, &h));
    let e = UsedEntry { id: 1, len: 16 };
    assert_eq!(dev.unchecked_return([old, new], [e, e]), Err(Error::Stale));
    assert_eq!(linux.borrow().r16(USED_IDX), u, "nothing published");
    // The current buffer serves the next send.
    assert_eq!(dev.alloc_tx(10).unwrap().id(), id);
}

#[test]
fn the_used_index_moves_on_the_ring_linux_has_now() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, ept) = up(&linux, &mem);
    for i in 0..5u8 {
        dev.send(&ept, 1024, &[i], 10).unwrap();
        linux.borrow_mut().step();
    }
    let u = linux.borrow().r16(USED_IDX);
    dev.unchecked_move_used(-1);
    assert_eq!(linux.borrow().r16(USED_IDX), u.wrapping_sub(1));
    dev.unchecked_move_used(1000);
    assert_eq!(linux.borrow().r16(USED_IDX), u.wrapping_add(999));
    let gen = dev.unchecked_generation();
    linux.borrow_mut().step();
    dev.poll();
    assert_eq!(resets(&dev), 0, "its own moves are no re-creation");
    assert_eq!(dev.unchecked_generation(), gen);

    // Linux re-creates the ring before the stack looks: the stack sees it,
    // announces the endpoint again (index 1), and the move applies to the
    // new ring; the re-creation after that is seen too.
    linux.borrow_mut().init(0, 8, 8);
    dev.unchecked_move_used(1000);
    assert_eq!(resets(&dev), 1);
    assert_eq!(linux.borrow().r16(USED_IDX), 1001);
    linux.borrow_mut().init(0, 8, 8);
    dev.poll();
    assert_eq!(resets(&dev), 2);
    linux.borrow_mut().step();
    linux.borrow_mut().errors.clear();
    dev.send(&ept, 1024, b"again", 10).unwrap();
    linux.borrow_mut().step();
    assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, b"again");
    assert!(linux.borrow().errors.is_empty());
}
