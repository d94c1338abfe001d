// SPDX-License-Identifier: MIT OR Apache-2.0
//! Notification suppression on vring0: while the remote has buffers to
//! send in, it sets `VRING_USED_F_NO_NOTIFY` in vring0's used ring, and a
//! Linux that honours it (`virtio_ring`, our transport, the model by
//! default) refills vring0 without kicking. An echo then costs Linux one
//! kick instead of two; a sender that runs out of buffers clears the flag
//! and looks again before it waits, so it gets Linux's refills whether
//! they came before the clearing (the look finds them) or after (Linux
//! kicks); rings re-created by Linux have the flag cleared and all goes on.

mod common;

use common::linux::{memory, Linux, Q_RX, USED, VRING};
use common::{payload, up, DEMO};
use rpmsg_remote::{Error, Fault, Platform, FOREVER};
use std::cell::RefCell;

/// vring0's used flags as the remote left them.
fn no_notify(linux: &RefCell<Linux>) -> bool {
    linux.borrow().r16(VRING[0] + USED) & 1 != 0
}

/// Linux's kicks to the remote over 100 echoes, with and without the flag
/// honoured.
fn kicks_per_100_echoes(honour: bool) -> (u64, u64) {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    linux.borrow_mut().honours_no_notify = honour;
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(DEMO).local;
    let mut buf = [0u8; 496];
    let (kicks, waits) = (linux.borrow().kicks_to_remote, dev.platform().waits);
    let suppressed = linux.borrow().suppressed_kicks[Q_RX as usize];
    for i in 0..100u32 {
        let data = payload(64, i);
        linux.borrow_mut().send(local, 30, &data);
        let m = dev.recv_into(&mut buf, FOREVER).unwrap();
        dev.send(&ept, m.src, &buf[..m.len], FOREVER).unwrap();
        linux.borrow_mut().step();
        assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, data);
        assert!(no_notify(&linux), "set while the remote has buffers");
    }
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert!(dev.platform().errors().is_empty());
    assert_eq!(dev.platform().waits, waits, "never waited");
    (
        l.kicks_to_remote - kicks,
        l.suppressed_kicks[Q_RX as usize] - suppressed,
    )
}

#[test]
fn an_echo_takes_one_kick_fewer_when_the_flag_is_honoured() {
    // The message's kick and the refill's.
    assert_eq!(kicks_per_100_echoes(false), (200, 0));
    // The message's kick only: every refill kick is skipped.
    assert_eq!(kicks_per_100_echoes(true), (100, 100));
}

#[test]
fn refills_made_without_a_kick_are_found_before_waiting() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 2, 8));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(DEMO).local;
    for round in 0..10u32 {
        // Both of vring0's buffers used; the flag is set.
        dev.send(&ept, local, &payload(8, 2 * round), FOREVER)
            .unwrap();
        dev.send(&ept, local, &payload(8, 2 * round + 1), FOREVER)
            .unwrap();
        assert!(no_notify(&linux));
        // Linux takes both and refills vring0, and does not kick.
        let suppressed = linux.borrow().suppressed_kicks[Q_RX as usize];
        linux.borrow_mut().step();
        assert_eq!(
            linux.borrow().suppressed_kicks[Q_RX as usize],
            suppressed + 1
        );
        // No kick since the last look: this send would wait for good
        // without looking at vring0 again (the model's deadlock check).
        let waits = dev.platform().waits;
        dev.send(&ept, local, b"after", FOREVER).unwrap();
        assert_eq!(dev.platform().waits, waits, "found without waiting");
        assert!(no_notify(&linux), "set again with the buffer");
        linux.borrow_mut().step();
        for i in [2 * round, 2 * round + 1] {
            assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, payload(8, i));
        }
        assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, b"after");
        // Use up the other buffer so that each round starts with two.
        dev.send(&ept, local, b"spare", FOREVER).unwrap();
        linux.borrow_mut().step();
        assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, b"spare");
    }
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert!(dev.platform().errors().is_empty());
}

#[test]
fn a_sender_out_of_buffers_clears_the_flag_and_is_woken_by_the_refill() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 2, 8));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(DEMO).local;
    for round in 0..10u32 {
        linux.borrow_mut().paused = true;
        dev.send(&ept, local, &payload(8, 3 * round), FOREVER)
            .unwrap();
        dev.send(&ept, local, &payload(8, 3 * round + 1), FOREVER)
            .unwrap();
        assert!(no_notify(&linux));
        // Out of buffers while Linux is busy: the flag goes before the wait.
        assert_eq!(dev.try_send(&ept, local, b"x"), Err(Error::WouldBlock));
        assert!(!no_notify(&linux), "cleared before waiting");
        // Linux gets to its input ring while the remote waits: its refill
        // kicks (a remote that kept the flag set would wait for good).
        linux.borrow_mut().paused = false;
        linux.borrow_mut().busy_steps = 3;
        let (kicks, waits) = (linux.borrow().kicks_to_remote, dev.platform().waits);
        dev.send(&ept, local, &payload(8, 3 * round + 2), FOREVER)
            .unwrap();
        assert!(dev.platform().waits > waits, "it waited");
        assert_eq!(
            linux.borrow().kicks_to_remote,
            kicks + 1,
            "the refill's kick"
        );
        assert!(no_notify(&linux), "set again with the buffer");
        linux.borrow_mut().step();
        for i in 3 * round..3 * round + 3 {
            assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, payload(8, i));
        }
        // Back to two buffers in vring0.
        dev.send(&ept, local, b"spare", FOREVER).unwrap();
        linux.borrow_mut().step();
        assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, b"spare");
    }
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert!(dev.platform().errors().is_empty());
}

/// An echo of `data` through `dev`, checked.
fn echo(linux: &RefCell<Linux>, dev: &mut common::Dev, ept: &rpmsg_remote::Endpoint, data: &[u8]) {
    let local = linux.borrow().channel(DEMO).local;
    linux.borrow_mut().send(local, 30, data);
    let mut buf = [0u8; 496];
    let m = dev.recv_into(&mut buf, FOREVER).unwrap();
    dev.send(ept, m.src, &buf[..m.len], FOREVER).unwrap();
    linux.borrow_mut().step();
    assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, data);
}

#[test]
fn re_created_rings_clear_the_flag_and_all_goes_on() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 4, 8));
    let (mut dev, ept) = up(&linux, &mem);
    for i in 0..5 {
        echo(&linux, &mut dev, &ept, &payload(64, i));
    }
    assert!(no_notify(&linux));
    for reload in 0..4u32 {
        // A module reload: Linux zeroes the rings (the flag with them),
        // fills vring0 and kicks, which the remote sees.
        linux.borrow_mut().init(0, 4, 8);
        assert!(!no_notify(&linux));
        dev.poll();
        linux.borrow_mut().step();
        assert_eq!(linux.borrow().channels.len(), 1, "announced again");
        assert!(no_notify(&linux), "set with the announcement's buffer");
        let suppressed = linux.borrow().suppressed_kicks[Q_RX as usize];
        for i in 0..10 {
            echo(&linux, &mut dev, &ept, &payload(64, 100 * reload + i));
        }
        // Ten echoes through four buffers: refills without kicks, and
        // buffers found by looking again.
        assert_eq!(
            linux.borrow().suppressed_kicks[Q_RX as usize],
            suppressed + 10
        );
    }
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert!(dev.platform().errors().is_empty());
}

#[test]
fn a_re_creation_found_by_looking_again_is_handled_as_at_a_look() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 2, 8));
    let (mut dev, ept) = up(&linux, &mem);
    let local = linux.borrow().channel(DEMO).local;
    dev.send(&ept, local, b"1", FOREVER).unwrap();
    dev.send(&ept, local, b"2", FOREVER).unwrap();
    let held = dev.try_alloc_tx();
    assert_eq!(held.as_ref().err(), Some(&Error::WouldBlock));
    // Linux re-creates the rings; its kick is still on its way, so the
    // next operation does not look, but runs out and looks at vring0
    // again: it sees the re-creation there.
    linux.borrow_mut().init(0, 2, 8);
    assert!(dev.platform_mut().take_kicked());
    let faults = dev.platform().faults.len();
    assert!(dev.try_send(&ept, local, b"old").is_err());
    assert_eq!(dev.platform().faults[faults..], [Fault::RingReset(0)]);
    assert!(!no_notify(&linux));
    // The kick arrives: the link comes up, the endpoint is announced
    // again, and sending goes on in the new session.
    linux.borrow_mut().kick_remote(0);
    assert!(dev.poll());
    linux.borrow_mut().step();
    let local = linux.borrow().channel(DEMO).local;
    dev.send(&ept, local, b"new", FOREVER).unwrap();
    linux.borrow_mut().step();
    assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, b"new");
    assert!(no_notify(&linux));
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(dev.platform().errors(), []);
}
