// SPDX-License-Identifier: MIT OR Apache-2.0
//! `Device::reply`: an answer to a received message in one operation
//! (prefix, the message copied within shared memory, suffix) from an
//! endpoint to the message's sender: every size that fits one buffer,
//! `TooLong` (nothing sent, the buffer kept) when it does not, `Stale`
//! after Linux re-created the rings, waiting for a buffer, and a dead
//! endpoint.

mod common;

use common::linux::{memory, Linux, BUF_AREA, PHYS};
use common::{payload, up, DEMO};
use rpmsg_remote::{Error, FOREVER};
use std::cell::RefCell;

#[test]
fn replies_of_every_size_that_fits() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(DEMO).local;
    for n in 0..=496usize {
        let data = payload(n, n as u32);
        linux.borrow_mut().send(local, 30, &data);
        let rx = dev.recv(FOREVER).unwrap();
        let (prefix, suffix): (&[u8], &[u8]) = match n % 3 {
            0 => (b"", b""),
            1 => (b"echo: ", b"\r\n"),
            _ => (b"a", b"bcd"),
        };
        let r = dev.reply(&ept, &rx, prefix, suffix, FOREVER);
        let fits = prefix.len() + n + suffix.len() <= 496;
        if fits {
            r.unwrap();
        } else {
            assert_eq!(r, Err(Error::TooLong), "size {n}");
        }
        dev.release(rx).unwrap();
        linux.borrow_mut().step();
        let got = linux.borrow_mut().take(DEMO);
        if fits {
            let got = got.unwrap();
            assert_eq!((got.src, got.dst), (30, local));
            assert_eq!(got.data, [prefix, &data[..], suffix].concat(), "size {n}");
        } else {
            assert_eq!(got, None, "nothing sent for size {n}");
        }
    }
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.rx_outstanding(), 40, "every buffer back with the remote");
    assert!(dev.platform().errors().is_empty());
}

#[test]
fn a_reply_longer_than_linux_s_buffer_keeps_it_for_the_next_send() {
    let mem = memory();
    // One input buffer of 8 payload bytes.
    let linux = RefCell::new(Linux::new(&mem, 0, 1, 8));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(DEMO).local;
    linux
        .borrow_mut()
        .corrupt_rx_desc(0, PHYS + u64::from(BUF_AREA[0]), 16 + 8, 2);
    for i in 0..20u32 {
        linux.borrow_mut().send(local, 30, &payload(6, i));
        let rx = dev.recv(FOREVER).unwrap();
        assert_eq!(
            dev.reply(&ept, &rx, b"echo: ", b"", FOREVER),
            Err(Error::TooLong)
        );
        // The buffer serves the next reply, which fits.
        dev.reply(&ept, &rx, b"", b"!!", FOREVER).unwrap();
        dev.release(rx).unwrap();
        linux.borrow_mut().step();
        let got = linux.borrow_mut().take(DEMO).unwrap();
        assert_eq!(got.data, [&payload(6, i)[..], b"!!"].concat());
        assert_eq!(linux.borrow_mut().take(DEMO), None);
    }
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert!(dev.platform().errors().is_empty());
}

#[test]
fn no_reply_into_a_new_session() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(DEMO).local;
    linux.borrow_mut().send(local, 30, b"old session");
    let rx = dev.recv(FOREVER).unwrap();
    // Linux reloads (and kicks): the reply's look notices.
    linux.borrow_mut().init(0, 8, 8);
    assert_eq!(
        dev.reply(&ept, &rx, b"echo: ", b"", FOREVER),
        Err(Error::Stale)
    );
    assert_eq!(dev.release(rx), Err(Error::Stale));
    linux.borrow_mut().step();
    // Only the new announcement reached the new session.
    let l = linux.borrow();
    assert_eq!(l.channels.len(), 1);
    assert!(l.channels[0].inbox.is_empty());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}

#[test]
fn a_reply_waits_for_a_buffer() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 2, 8));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(DEMO).local;
    linux.borrow_mut().paused = true;
    dev.send(&ept, local, b"1", FOREVER).unwrap();
    dev.send(&ept, local, b"2", FOREVER).unwrap();
    linux.borrow_mut().send(local, 30, b"ping");
    let rx = dev.recv(FOREVER).unwrap();
    assert_eq!(dev.try_reply(&ept, &rx, b"", b""), Err(Error::WouldBlock));
    assert_eq!(dev.reply(&ept, &rx, b"", b"", 5), Err(Error::Timeout));
    // Linux gets to its input ring while the remote waits.
    linux.borrow_mut().paused = false;
    linux.borrow_mut().busy_steps = 2;
    dev.reply(&ept, &rx, b"re: ", b"", FOREVER).unwrap();
    dev.release(rx).unwrap();
    linux.borrow_mut().step();
    let mut l = linux.borrow_mut();
    let got: Vec<Vec<u8>> = std::iter::from_fn(|| l.take(DEMO))
        .map(|m| m.data)
        .collect();
    assert_eq!(got, [&b"1"[..], b"2", b"re: ping"]);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}

#[test]
fn no_reply_from_a_destroyed_endpoint() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(DEMO).local;
    linux.borrow_mut().send(local, 30, b"x");
    let rx = dev.recv(FOREVER).unwrap();
    let gone = dev.create_endpoint(Some(40), None).unwrap();
    dev.destroy_endpoint(gone).unwrap();
    assert_eq!(
        dev.reply(&gone, &rx, b"", b"", FOREVER),
        Err(Error::NoEndpoint)
    );
    dev.reply(&ept, &rx, b"", b"", FOREVER).unwrap();
    dev.release(rx).unwrap();
    linux.borrow_mut().step();
    assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, b"x");
    assert_eq!(linux.borrow_mut().take(DEMO), None);
    assert!(linux.borrow().errors.is_empty());
}
