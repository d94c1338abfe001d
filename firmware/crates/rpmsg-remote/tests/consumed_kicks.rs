// SPDX-License-Identifier: MIT OR Apache-2.0
//! Kicks for consumed buffers (queue 1) only when a Linux sender may be
//! waiting for one (`Config::CONSUMED_KICK_AT`), against the Linux model
//! with 40 TX buffers and the rule scaled to them (`Sim64kHalf`: a kick
//! when the entries with the remote and the returns not kicked yet add up
//! to 20): about one per 20 request/response exchanges, with either Linux
//! transport; a one-way stream from Linux still flows when only a kick of
//! queue 1 wakes its sender (a Linux that keeps the ring full needs a kick
//! per buffer: it runs out each time), and when the remote keeps up with
//! it while Linux sees returned buffers only at kicks (our transport); and
//! a sender that ran out between the remote's look at the ring and its
//! return of a buffer is woken.

mod common;

use common::guard::{Guard, Sim64kHalf};
use common::linux::{memory, Linux, Message, MAX_BUFS, Q_TX};
use common::payload;
use common::sim::Sim;
use rpmsg_remote::{Device, Endpoint, FOREVER};
use std::cell::{Cell, RefCell};

type Dev<'l, 'm> = Device<Guard<'m>, Sim<'l, 'm>, Sim64kHalf, 2>;

/// A device with endpoint 30 announced to a Linux with 40 buffers each
/// way; with `ours`, Linux behaves as our transport (a kick of queue 0
/// wakes a sender too, returns are seen only at kicks).
fn setup<'l, 'm>(
    linux: &'l RefCell<Linux<'m>>,
    mem: &'m [Cell<u8>],
    ours: bool,
) -> (Dev<'l, 'm>, Endpoint, u32) {
    linux.borrow_mut().rx_kick_wakes_sender = ours;
    linux.borrow_mut().returns_seen_at_kicks = ours;
    let mut dev: Dev = Device::new(Guard::new(mem), Sim::new(linux));
    let ept = dev.create_endpoint(Some(30), Some(b"demo")).unwrap();
    linux.borrow_mut().step();
    let local = linux.borrow().channel("demo").local;
    (dev, ept, local)
}

#[test]
fn request_response_kicks_once_per_20_exchanges() {
    for ours in [false, true] {
        let mem = memory();
        let linux = RefCell::new(Linux::new(&mem, 0, MAX_BUFS, MAX_BUFS));
        let (mut dev, ept, local) = setup(&linux, &mem, ours);
        let mut buf = [0u8; 496];
        for i in 0..500u32 {
            let data = payload(1 + (i as usize * 7) % 496, i);
            linux.borrow_mut().send(local, 30, &data);
            let m = dev.recv_into(&mut buf, FOREVER).unwrap();
            dev.send(&ept, m.src, &buf[..m.len], FOREVER).unwrap();
            linux.borrow_mut().step();
            let got = linux.borrow_mut().take("demo");
            assert_eq!(
                got,
                Some(Message {
                    src: 30,
                    dst: local,
                    data
                }),
                "message {i}"
            );
        }
        let l = linux.borrow();
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        assert_eq!(l.sleeps, 0, "the sender never ran out");
        // One entry is with the remote at each return, so the returns
        // not kicked yet reach 20 after 19 or 20 exchanges.
        let kicks = l.kicks_from_remote[Q_TX as usize];
        assert!(
            (25..=27).contains(&kicks),
            "{kicks} kicks, transport {ours}"
        );
        assert!(dev.platform().errors().is_empty());
    }
}

#[test]
fn a_one_way_stream_flows_when_only_a_queue_1_kick_wakes_the_sender() {
    for ours in [false, true] {
        let mem = memory();
        let linux = RefCell::new(Linux::new(&mem, 0, MAX_BUFS, MAX_BUFS));
        let (mut dev, _ept, local) = setup(&linux, &mem, ours);
        // Linux sends 1,000 messages at once: its sender runs out after 40
        // and sleeps; the remote only consumes, never replies, so no kick
        // of queue 0 can wake it.
        let sent: Vec<Vec<u8>> = (0..1000u32).map(|i| payload(64, i)).collect();
        for d in &sent {
            linux.borrow_mut().send(local, 30, d);
        }
        assert!(linux.borrow().sleeping);
        let mut buf = [0u8; 496];
        for (i, d) in sent.iter().enumerate() {
            // Sim's wait fails the test when both sides wait for good.
            let m = dev.recv_into(&mut buf, FOREVER).unwrap();
            assert_eq!(&buf[..m.len], &d[..], "message {i}");
        }
        linux.borrow_mut().step();
        let l = linux.borrow();
        assert!(l.errors.is_empty(), "{:?}", l.errors);
        assert!(!l.sleeping && l.blocked.is_empty(), "transport {ours}");
        let kicks = l.kicks_from_remote[Q_TX as usize];
        assert!(l.sleeps >= 1);
        // Linux refills the ring as soon as a buffer comes back, so it
        // keeps running out: every sleep needs its kick.
        assert!(
            kicks >= l.sleeps && kicks <= 1000,
            "{kicks} kicks, {} sleeps",
            l.sleeps
        );
    }
}

#[test]
fn a_one_way_stream_the_remote_keeps_up_with_flows_when_returns_are_seen_at_kicks() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, MAX_BUFS, MAX_BUFS));
    let (mut dev, _ept, local) = setup(&linux, &mem, true);
    // One message at a time, each consumed before the next: one entry is
    // with the remote at every return, and Linux sees the returns only
    // when a kick takes them in. Counting the entries with the remote
    // alone would never kick, and Linux would run out after 40.
    let mut buf = [0u8; 496];
    for i in 0..400u32 {
        let d = payload(64, i);
        linux.borrow_mut().send(local, 30, &d);
        // Sim's wait fails the test when both sides wait for good.
        let m = dev.recv_into(&mut buf, FOREVER).unwrap();
        assert_eq!(&buf[..m.len], &d[..], "message {i}");
        linux.borrow_mut().step();
    }
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.sleeps, 0, "the sender never ran out");
    let kicks = l.kicks_from_remote[Q_TX as usize];
    assert!((19..=21).contains(&kicks), "{kicks} kicks");
}

#[test]
fn a_sender_that_ran_out_after_the_look_is_woken() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, MAX_BUFS, MAX_BUFS));
    let (mut dev, _ept, local) = setup(&linux, &mem, false);
    linux.borrow_mut().send(local, 30, b"first");
    // The remote looks at the ring (one entry outstanding: no kick owed)
    // and takes the message...
    let rx = dev.try_recv().unwrap();
    // ...while Linux sends on: every other buffer, then one more, for which
    // it has none left and sleeps.
    for i in 0..MAX_BUFS as u32 {
        linux.borrow_mut().send(local, 30, &payload(8, i));
    }
    assert!(linux.borrow().sleeping);
    assert_eq!(linux.borrow().tx_outstanding(), MAX_BUFS);
    // The return reads the available index after publishing: 40 were out.
    dev.release(rx).unwrap();
    assert_eq!(linux.borrow().kicks_from_remote[Q_TX as usize], 0);
    linux.borrow_mut().step();
    let l = linux.borrow();
    assert_eq!(l.kicks_from_remote[Q_TX as usize], 1);
    assert!(
        !l.sleeping && l.blocked.is_empty(),
        "woken, and sent the last"
    );
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}
