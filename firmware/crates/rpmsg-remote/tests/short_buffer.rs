// SPDX-License-Identifier: MIT OR Apache-2.0
//! A Linux input buffer shorter than the largest payload: a copying send
//! that does not fit it is `TooLong` and writes nothing, and the buffer
//! serves the next send, which fits.

mod common;

use common::linux::{memory, Linux, BUF_AREA, PHYS};
use common::{payload, up, DEMO};
use rpmsg_remote::{Error, Fault, FOREVER};
use std::cell::RefCell;

#[test]
fn a_send_longer_than_linux_s_buffer_is_too_long_and_keeps_it() {
    let mem = memory();
    // One input buffer of 8 payload bytes.
    let linux = RefCell::new(Linux::new(&mem, 0, 1, 8));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(DEMO).local;
    linux
        .borrow_mut()
        .corrupt_rx_desc(0, PHYS + u64::from(BUF_AREA[0]), 16 + 8, 2);
    // What follows the buffer, which a send must not reach.
    let after = BUF_AREA[0] + 16 + 8;
    let before = linux.borrow().bytes(after, 64);
    for i in 0..10u32 {
        assert_eq!(
            dev.try_send(&ept, local, &payload(9, i)),
            Err(Error::TooLong)
        );
        assert_eq!(
            dev.send(&ept, local, &payload(40, i), FOREVER),
            Err(Error::TooLong)
        );
        assert_eq!(linux.borrow().bytes(after, 64), before, "round {i}");
        dev.send(&ept, local, &payload(8, i), FOREVER).unwrap();
        linux.borrow_mut().step();
        let got = linux.borrow_mut().take(DEMO).unwrap();
        assert_eq!(got.data, payload(8, i));
        assert_eq!(linux.borrow_mut().take(DEMO), None);
    }
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert!(dev.platform().errors().is_empty());
}

#[test]
fn an_announcement_longer_than_linux_s_buffer_is_a_fault_and_writes_nothing() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 1, 8));
    let (mut dev, _ept) = up(&linux, &mem);
    // Linux's one input buffer now holds the header and 8 bytes, not the
    // 40 of a name-service message.
    linux
        .borrow_mut()
        .corrupt_rx_desc(0, PHYS + u64::from(BUF_AREA[0]), 16 + 8, 2);
    let after = BUF_AREA[0] + 16 + 8;
    let before = linux.borrow().bytes(after, 64);
    dev.create_endpoint(Some(31), Some(b"second"))
        .expect("the endpoint exists, unannounced");
    linux.borrow_mut().step();
    assert_eq!(linux.borrow().bytes(after, 64), before);
    assert!(linux.borrow().channels.iter().all(|c| c.name != "second"));
    assert!(dev.platform().errors().contains(&Fault::BufferLen));
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}
