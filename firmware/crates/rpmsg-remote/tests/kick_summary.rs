// SPDX-License-Identifier: MIT OR Apache-2.0
//! Looks after kicks of vring1 alone (`Platform::take_kick_summary`): they
//! read only vring0's used index, and still notice a re-created vring0,
//! also when Linux's kick of the new vring0 was not seen.

mod common;

use common::guard::{Guard, Sim64k};
use common::linux::{memory, Linux};
use common::sim::Sim;
use common::{payload, up, DEMO};
use rpmsg_remote::{Device, Error, Fault, FOREVER};
use std::cell::RefCell;

#[test]
fn a_reload_is_noticed_at_a_kick_of_vring1_alone() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(DEMO).local;
    let mut buf = [0u8; 496];
    // Echoes: each message's kick names vring1 alone.
    for i in 0..5u32 {
        let data = payload(8, i);
        linux.borrow_mut().send(local, 30, &data);
        let m = dev.recv_into(&mut buf, FOREVER).unwrap();
        dev.send(&ept, m.src, &buf[..m.len], FOREVER).unwrap();
        linux.borrow_mut().step();
        assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, data);
    }
    // Module reload, whose kick of vring0 the remote does not see (as
    // with stock virtio_ring when our NO_NOTIFY flag landed in the new
    // ring): the first kick it sees is a message's, of vring1.
    linux.borrow_mut().init(0, 40, 40);
    linux.borrow_mut().kick_summary = 0;
    linux.borrow_mut().send(local, 30, b"new");
    assert_eq!(linux.borrow().kick_summary, 2, "vring1 alone");
    let m = dev.recv_into(&mut buf, 10).unwrap();
    assert_eq!(&buf[..m.len], b"new");
    let faults = &dev.platform().faults;
    assert!(faults.contains(&Fault::RingReset(0)), "{faults:?}");
    assert!(faults.contains(&Fault::RingReset(1)), "{faults:?}");
    linux.borrow_mut().step();
    assert_eq!(
        linux.borrow().announcements,
        vec![(DEMO.to_string(), 30, 0), (DEMO.to_string(), 30, 0)],
        "re-announced after the reload"
    );
    // And the link works as before.
    let local = linux.borrow().channel(DEMO).local;
    for i in 0..20u32 {
        let data = payload(1 + i as usize * 20, i);
        linux.borrow_mut().send(local, 30, &data);
        let m = dev.recv_into(&mut buf, FOREVER).unwrap();
        dev.send(&ept, m.src, &buf[..m.len], FOREVER).unwrap();
        linux.borrow_mut().step();
        assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, data);
    }
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}

#[test]
fn with_nothing_returned_to_vring0_a_kick_of_vring1_reads_its_available_index() {
    // No name, so no announcement: vring0's used index stays 0, as in a
    // re-created ring, and only its available index falling behind the
    // buffers we took tells the reload.
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev: Device<_, _, Sim64k, 4> = Device::new(Guard::new(&mem), Sim::new(&linux));
    let ept = dev.create_endpoint(Some(30), None).unwrap();
    assert!(dev.poll());
    let held: Vec<_> = (0..3).map(|_| dev.try_alloc_tx().unwrap()).collect();
    linux.borrow_mut().init(0, 1, 40);
    linux.borrow_mut().kick_summary = 0;
    linux.borrow_mut().send(1024, 30, b"new");
    assert_eq!(linux.borrow().kick_summary, 2, "vring1 alone");
    let rx = dev.try_recv().unwrap();
    assert!(dev.platform().faults.contains(&Fault::RingReset(0)));
    for tx in held {
        assert_eq!(dev.send_tx(&ept, 1024, tx, 1), Err(Error::Stale));
    }
    dev.release(rx).unwrap();
    linux.borrow_mut().step();
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}
