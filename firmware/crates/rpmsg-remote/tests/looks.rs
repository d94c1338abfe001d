// SPDX-License-Identifier: MIT OR Apache-2.0
//! Looks at the rings only after a kick (`Platform::take_kicked`): an
//! operation that follows another with no kick from Linux in between uses
//! what the previous look saw; what Linux publishes is seen at the first
//! operation after its kick; a blocking call sleeps until that kick.

mod common;

use common::linux::{memory, Linux};
use common::{payload, up};
use rpmsg_remote::{Error, FOREVER};
use std::cell::RefCell;

#[test]
fn an_echo_looks_once_per_kick() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(common::DEMO).local;
    let mut buf = [0u8; 496];
    let skipped = dev.platform().skipped_looks;
    for i in 0..200u32 {
        let data = payload(1 + i as usize, i);
        linux.borrow_mut().send(local, 30, &data);
        let m = dev.recv_into(&mut buf, FOREVER).unwrap();
        // No kick since the receive's look: the send uses what it saw.
        dev.send(&ept, m.src, &buf[..m.len], FOREVER).unwrap();
        linux.borrow_mut().step();
        let got = linux.borrow_mut().take(common::DEMO).unwrap();
        assert_eq!(got.data, data, "message {i}");
    }
    assert!(dev.platform().skipped_looks - skipped >= 200);
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert!(dev.platform().errors().is_empty());
}

#[test]
fn a_publication_is_seen_at_the_first_look_after_its_kick() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let (mut dev, _ept) = up(&linux, &mem);
    let local = linux.borrow().channel(common::DEMO).local;
    linux.borrow_mut().send(local, 30, b"late kick");
    // As if the kick were still on its way: the flag is not set yet.
    assert!(rpmsg_remote::Platform::take_kicked(dev.platform_mut()));
    assert_eq!(dev.try_recv().err(), Some(Error::WouldBlock));
    // It arrives: the next operation looks and finds the message.
    linux.borrow_mut().kick_remote(1);
    let rx = dev.try_recv().unwrap();
    assert_eq!(rx.len(), 9);
    dev.release(rx).unwrap();
    // A blocking receive sleeps until a kick, then looks.
    linux.borrow_mut().send(local, 30, b"next");
    let mut buf = [0u8; 16];
    assert_eq!(dev.recv_into(&mut buf, FOREVER).unwrap().len, 4);
}

#[test]
fn a_reload_is_noticed_at_the_first_operation_after_its_kick() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(common::DEMO).local;
    linux.borrow_mut().send(local, 30, b"old session");
    let rx = dev.recv(FOREVER).unwrap();
    // Linux re-creates the rings (and kicks queue 0) while the message is
    // held: the next operation looks, resynchronises and re-announces.
    linux.borrow_mut().init(0, 40, 40);
    let tx = dev.try_alloc_tx().unwrap();
    assert!(!dev.is_current(&rx));
    assert_eq!(dev.release(rx), Err(Error::Stale));
    dev.release_tx(tx).unwrap();
    linux.borrow_mut().step();
    let local = linux.borrow().channel(common::DEMO).local;
    dev.send(&ept, local, b"new session", FOREVER).unwrap();
    linux.borrow_mut().step();
    assert_eq!(
        linux.borrow_mut().take(common::DEMO).unwrap().data,
        b"new session"
    );
    assert!(linux.borrow().errors.is_empty());
}
