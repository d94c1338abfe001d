// SPDX-License-Identifier: MIT OR Apache-2.0
//! The real stack driven by the Linux master model: link-up, announcements,
//! echo of every size, several endpoints, zero-copy, back-pressure and
//! master re-initialisation.

mod common;

use common::guard::Guard;
use common::linux::{memory, Linux, Message};
use common::sim::Sim;
use common::{payload, Dev, DEMO};
use rpmsg_remote::{Device, Endpoint, Error, Fault, FOREVER, MAX_HELD_TX, NO_WAIT};
use std::cell::RefCell;

/// The remote echoes one message on `ept` back to its sender.
fn echo_once(dev: &mut Dev, ept: &Endpoint) {
    let mut buf = [0u8; 496];
    let m = dev.recv_into(&mut buf, 100).unwrap();
    assert_eq!(m.dst, ept.addr());
    dev.send(ept, m.src, &buf[..m.len], 100).unwrap();
}

fn msg(src: u32, dst: u32, data: &[u8]) -> Message {
    Message {
        src,
        dst,
        data: data.to_vec(),
    }
}

#[test]
fn link_comes_up_when_linux_fills_its_input_ring_and_endpoints_are_announced() {
    let mem = memory();
    let linux = RefCell::new(Linux::unprobed(&mem));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let ept = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    assert!(!dev.poll());
    assert_eq!(dev.try_send(&ept, 1024, b"x"), Err(Error::LinkDown));
    assert_eq!(dev.wait_link(50), Err(Error::Timeout));
    assert!(linux.borrow().announcements.is_empty());

    linux.borrow_mut().init(0, 40, 40);
    assert_eq!(dev.wait_link(FOREVER), Ok(()));
    assert!(dev.is_link_up());
    linux.borrow_mut().step();
    let l = linux.borrow();
    assert_eq!(l.announcements, vec![(DEMO.to_string(), 30, 0)]);
    assert_eq!(l.channel(DEMO).local, 1024);
    assert_eq!(l.channel(DEMO).remote, 30);
    assert_eq!(l.kicks_from_remote[0], 1, "one kick for the announcement");
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    drop(l);
    assert!(dev.platform().errors().is_empty());
    // A second endpoint created while the link is up is announced at once.
    dev.create_endpoint(None, Some(b"rpmsg-tty")).unwrap();
    linux.borrow_mut().step();
    assert_eq!(linux.borrow().channel("rpmsg-tty").remote, 1024);
    assert_eq!(linux.borrow().channel("rpmsg-tty").local, 1025);
}

#[test]
fn echo_of_every_size_from_1_to_496() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let ept = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    linux.borrow_mut().step();
    let local = linux.borrow().channel(DEMO).local;
    for n in 1..=496 {
        let data = payload(n, n as u32);
        linux.borrow_mut().send(local, 30, &data);
        echo_once(&mut dev, &ept);
        linux.borrow_mut().step();
        assert_eq!(
            linux.borrow_mut().take(DEMO),
            Some(msg(30, local, &data)),
            "size {n}"
        );
    }
    assert_eq!(dev.try_send(&ept, local, &[0; 497]), Err(Error::TooLong));
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert_eq!(l.sleeps, 0);
    assert_eq!(l.kicks_from_remote[0], 497);
    assert!(
        l.kicks_from_remote[1] >= 496,
        "a kick for every consumed buffer"
    );
    assert!(dev.platform().errors().is_empty());
}

#[test]
fn several_endpoints_get_their_own_messages() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let demo = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    let tty = dev.create_endpoint(None, Some(b"rpmsg-tty")).unwrap();
    let raw = dev.create_endpoint(Some(40), None).unwrap();
    assert_eq!(tty.addr(), 1024);
    linux.borrow_mut().step();
    let (l_demo, l_tty) = {
        let l = linux.borrow();
        (l.channel(DEMO).local, l.channel("rpmsg-tty").local)
    };
    assert_eq!((l_demo, l_tty), (1024, 1025));
    {
        let mut l = linux.borrow_mut();
        l.send(l_demo, 30, b"a1");
        l.send(l_tty, 1024, b"b1");
        l.send(5000, 40, b"c1");
        l.send(l_demo, 30, b"a2");
        l.send(l_tty, 1024, b"b2");
        l.send(l_demo, 77, b"nobody");
    }
    // Arrival order, each tagged with its endpoint; the stray one is
    // handed back and reported.
    let mut buf = [0u8; 16];
    let mut got = Vec::new();
    while let Ok(m) = dev.recv_into(&mut buf, 0) {
        got.push((m.src, m.dst, buf[..m.len].to_vec()));
    }
    assert_eq!(
        got,
        vec![
            (l_demo, 30, b"a1".to_vec()),
            (l_tty, 1024, b"b1".to_vec()),
            (5000, 40, b"c1".to_vec()),
            (l_demo, 30, b"a2".to_vec()),
            (l_tty, 1024, b"b2".to_vec()),
        ]
    );
    let rx = dev.try_recv();
    assert_eq!(rx.map(|_| ()), Err(Error::WouldBlock));
    assert_eq!(dev.platform().errors(), vec![Fault::UnknownDst]);

    dev.send(&demo, l_demo, b"from demo", 10).unwrap();
    dev.send(&tty, l_tty, b"from tty", 10).unwrap();
    dev.send(&raw, 5000, b"from raw", 10).unwrap();
    linux.borrow_mut().step();
    {
        let mut l = linux.borrow_mut();
        assert_eq!(l.take(DEMO), Some(msg(30, l_demo, b"from demo")));
        assert_eq!(l.take("rpmsg-tty"), Some(msg(1024, l_tty, b"from tty")));
        assert_eq!(l.unrouted, vec![msg(40, 5000, b"from raw")]);
    }

    // Destroying an endpoint announces it; later messages for it go back.
    dev.destroy_endpoint(tty).unwrap();
    assert_eq!(dev.destroy_endpoint(tty), Err(Error::NoEndpoint));
    assert_eq!(dev.try_send(&tty, l_tty, b"x"), Err(Error::NoEndpoint));
    linux.borrow_mut().send(l_tty, 1024, b"late");
    assert_eq!(dev.try_recv().map(|_| ()), Err(Error::WouldBlock));
    assert_eq!(dev.platform().errors().last(), Some(&Fault::UnknownDst));
    let mut l = linux.borrow_mut();
    l.step();
    l.reclaim();
    assert_eq!(
        l.announcements.last(),
        Some(&("rpmsg-tty".to_string(), 1024, 1))
    );
    assert!(l.channels.iter().all(|c| c.name != "rpmsg-tty"));
    assert_eq!(l.tx_outstanding(), 0, "queued buffers went back to Linux");
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}

#[test]
fn zero_copy_receive_and_send() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let ept = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    linux.borrow_mut().step();
    let local = linux.borrow().channel(DEMO).local;
    let data = payload(300, 9);
    linux.borrow_mut().send(local, 30, &data);

    // Hold the received buffer and read it in pieces.
    let rx = dev.recv(10).unwrap();
    assert!(rx.is_for(&ept));
    assert_eq!(
        (rx.len(), rx.src(), rx.dst(), rx.is_empty()),
        (300, local, 30, false)
    );
    let mut a = [0u8; 100];
    let mut b = [0u8; 400];
    assert_eq!(dev.read(&rx, 0, &mut a), 100);
    assert_eq!(dev.read(&rx, 100, &mut b), 200);
    assert_eq!(dev.read(&rx, 400, &mut b), 0);
    assert_eq!([&a[..], &b[..200]].concat(), data);
    linux.borrow_mut().reclaim();
    assert_eq!(
        linux.borrow().tx_outstanding(),
        1,
        "held buffer stays with the remote"
    );

    // Echo without a staging buffer: copy piecewise into a TX buffer.
    let tx = dev.try_alloc_tx().unwrap();
    assert_eq!(tx.capacity(), 496);
    let mut off = 0;
    while off < rx.len() {
        let mut chunk = [0u8; 64];
        let n = dev.read(&rx, off, &mut chunk);
        assert_eq!(dev.tx_write(&tx, off, &chunk[..n]), n);
        off += n;
    }
    assert_eq!(dev.tx_write(&tx, 490, &[1; 10]), 6, "clamped to capacity");
    let kicks = linux.borrow().kicks_from_remote[1];
    dev.release(rx).unwrap();
    linux.borrow_mut().step();
    assert_eq!(
        linux.borrow().kicks_from_remote[1],
        kicks + 1,
        "release kicks Linux"
    );
    linux.borrow_mut().reclaim();
    assert_eq!(linux.borrow().tx_outstanding(), 0);
    dev.send_tx(&ept, local, tx, 300).unwrap();
    linux.borrow_mut().step();
    assert_eq!(linux.borrow_mut().take(DEMO), Some(msg(30, local, &data)));

    // Too long: error, and the buffer serves the next send.
    let rx_before = linux.borrow().rx_outstanding();
    let tx = dev.try_alloc_tx().unwrap();
    assert_eq!(linux.borrow().rx_outstanding(), rx_before);
    assert_eq!(dev.send_tx(&ept, local, tx, 497), Err(Error::TooLong));
    let tx = dev.try_alloc_tx().unwrap();
    assert_eq!(dev.send_tx(&Endpoint::clone(&ept), local, tx, 0), Ok(()));
    // Release: unsent buffers are reused, nothing reaches Linux.
    let held: Vec<_> = (0..MAX_HELD_TX)
        .map(|_| dev.try_alloc_tx().unwrap())
        .collect();
    assert_eq!(dev.try_alloc_tx().map(|_| ()), Err(Error::NoSlot));
    for t in held {
        dev.release_tx(t).unwrap();
    }
    dev.try_send(&ept, local, b"after release").unwrap();
    linux.borrow_mut().step();
    let mut l = linux.borrow_mut();
    assert_eq!(l.take(DEMO), Some(msg(30, local, b"")));
    assert_eq!(l.take(DEMO), Some(msg(30, local, b"after release")));
    assert_eq!(l.take(DEMO), None);
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    drop(l);

    // Echo within shared memory: tx_copy from the received buffer.
    let data = payload(300, 4);
    linux.borrow_mut().send(local, 30, &data);
    let rx = dev.recv(10).unwrap();
    let tx = dev.try_alloc_tx().unwrap();
    // Head at an odd offset, the rest after it; clamped to what is left.
    assert_eq!(dev.tx_write(&tx, 0, b"x"), 1);
    assert_eq!(dev.tx_copy(&tx, 1, &rx, 0, 7), 7);
    assert_eq!(dev.tx_copy(&tx, 8, &rx, 7, 1000), 293);
    assert_eq!(dev.tx_copy(&tx, 495, &rx, 0, 10), 1, "clamped to capacity");
    dev.send_tx(&ept, local, tx, 301).unwrap();
    dev.release(rx).unwrap();
    linux.borrow_mut().step();
    let want = [&b"x"[..], &data].concat();
    assert_eq!(linux.borrow_mut().take(DEMO), Some(msg(30, local, &want)));
    // Stale buffers copy nothing.
    linux.borrow_mut().send(local, 30, b"old");
    let rx = dev.recv(10).unwrap();
    let tx = dev.try_alloc_tx().unwrap();
    linux.borrow_mut().init(0, 40, 40);
    dev.poll();
    assert_eq!(dev.tx_copy(&tx, 0, &rx, 0, 3), 0);
    assert_eq!(dev.release(rx), Err(Error::Stale));
    assert_eq!(dev.release_tx(tx), Err(Error::Stale));
}

#[test]
fn no_linux_buffer_means_would_block_then_waiting_without_loss() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 4, 40));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let ept = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    linux.borrow_mut().step();
    let local = linux.borrow().channel(DEMO).local;
    linux.borrow_mut().paused = true;
    for i in 0..4u8 {
        dev.try_send(&ept, local, &[i]).unwrap();
    }
    assert_eq!(dev.try_send(&ept, local, &[9]), Err(Error::WouldBlock));
    assert_eq!(dev.send(&ept, local, &[9], NO_WAIT), Err(Error::WouldBlock));
    assert_eq!(dev.send(&ept, local, &[9], 50), Err(Error::Timeout));
    assert_eq!(dev.alloc_tx(50).map(|_| ()), Err(Error::Timeout));
    linux.borrow_mut().paused = false;
    dev.send(&ept, local, &[4], FOREVER).unwrap();
    for i in 5..20u8 {
        dev.send(&ept, local, &[i], FOREVER).unwrap();
    }
    linux.borrow_mut().step();
    let mut l = linux.borrow_mut();
    let got: Vec<u8> = std::iter::from_fn(|| l.take(DEMO))
        .map(|m| m.data[0])
        .collect();
    assert_eq!(got, (0..20).collect::<Vec<u8>>());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}

#[test]
fn messages_wait_in_the_ring_until_received_and_none_is_lost() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let ept = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    linux.borrow_mut().step();
    let local = linux.borrow().channel(DEMO).local;
    for i in 0..20u8 {
        linux.borrow_mut().send(local, 30, &[i]);
    }
    dev.poll();
    linux.borrow_mut().reclaim();
    assert_eq!(
        linux.borrow().tx_outstanding(),
        20,
        "queue of 8 full, 12 still in the ring"
    );
    let mut buf = [0u8; 4];
    for i in 0..20u8 {
        let m = dev.recv_into(&mut buf, 10).unwrap();
        assert_eq!(m.dst, ept.addr());
        assert_eq!((m.len, buf[0]), (1, i));
    }
    linux.borrow_mut().reclaim();
    assert_eq!(linux.borrow().tx_outstanding(), 0);
}

#[test]
fn linux_sender_out_of_buffers_is_woken_by_the_remote_kick() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 4));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let ept = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    linux.borrow_mut().step();
    let local = linux.borrow().channel(DEMO).local;
    for i in 0..30u8 {
        linux.borrow_mut().send(local, 30, &[i]);
    }
    assert!(
        linux.borrow().sleeping,
        "4 buffers: the Linux sender sleeps"
    );
    let mut buf = [0u8; 4];
    for i in 0..30u8 {
        // FOREVER: the simulation fails on a deadlock, i.e. if the sender
        // were never woken.
        let m = dev.recv_into(&mut buf, FOREVER).unwrap();
        assert_eq!(m.dst, ept.addr());
        assert_eq!(buf[..m.len], [i]);
    }
    let l = linux.borrow();
    assert!(l.sleeps >= 1);
    assert!(!l.sleeping && l.blocked.is_empty());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}

#[test]
fn master_reinitialisation_mid_stream_replays_nothing_and_reannounces() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let ept = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    linux.borrow_mut().step();
    let local = linux.borrow().channel(DEMO).local;
    for i in 0..5 {
        linux.borrow_mut().send(local, 30, &payload(10, i));
        echo_once(&mut dev, &ept);
    }
    // Old messages: one held zero-copy, three still in the ring; one TX
    // buffer held.
    for i in 0..4u8 {
        linux.borrow_mut().send(local, 30, &[b'o', i]);
    }
    let old_rx = dev.try_recv().unwrap();
    let old_tx = dev.try_alloc_tx().unwrap();

    // Module reload: rings re-created, zeroed, refilled; a new message
    // arrives before the remote looks.
    linux.borrow_mut().init(0, 40, 40);
    linux.borrow_mut().send(local, 30, b"new-1");
    dev.poll();
    linux.borrow_mut().step();
    assert!(dev.platform().faults.contains(&Fault::RingReset(0)));
    assert!(dev.platform().faults.contains(&Fault::RingReset(1)));
    assert_eq!(
        linux.borrow().announcements,
        vec![(DEMO.to_string(), 30, 0), (DEMO.to_string(), 30, 0)],
        "re-announced after the reload"
    );
    assert_eq!(dev.release(old_rx), Err(Error::Stale));
    assert_eq!(dev.send_tx(&ept, local, old_tx, 1), Err(Error::Stale));
    let mut buf = [0u8; 496];
    let m = dev.recv_into(&mut buf, 10).unwrap();
    assert_eq!(&buf[..m.len], b"new-1");
    assert_eq!(
        dev.try_recv().map(|_| ()),
        Err(Error::WouldBlock),
        "no stale replay"
    );

    // The link works as before.
    let local = linux.borrow().channel(DEMO).local;
    for i in 0..50 {
        let data = payload(1 + i * 9, i as u32);
        linux.borrow_mut().send(local, 30, &data);
        echo_once(&mut dev, &ept);
        linux.borrow_mut().step();
        assert_eq!(linux.borrow_mut().take(DEMO).map(|m| m.data), Some(data));
    }
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
    assert!(
        dev.platform().errors().is_empty(),
        "{:?}",
        dev.platform().errors()
    );
}

#[test]
fn reinitialisation_while_every_buffer_is_still_held_is_detected() {
    // The remote holds messages but returned none (used.idx still 0): the
    // re-created ring's available index falls behind what we consumed.
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let ept = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    linux.borrow_mut().step();
    for i in 0..3u8 {
        linux.borrow_mut().send(1024, 30, &[b'o', i]);
    }
    let held: Vec<_> = (0..3).map(|_| dev.try_recv().unwrap()).collect();
    linux.borrow_mut().init(0, 40, 40);
    dev.poll();
    assert!(dev.platform().faults.contains(&Fault::RingReset(1)));
    for rx in held {
        assert_eq!(dev.release(rx), Err(Error::Stale));
    }
    linux.borrow_mut().send(1024, 30, b"new");
    let mut buf = [0u8; 8];
    let m = dev.recv_into(&mut buf, 10).unwrap();
    assert_eq!(m.dst, ept.addr());
    assert_eq!(&buf[..m.len], b"new");
    assert_eq!(dev.try_recv().map(|_| ()), Err(Error::WouldBlock));
    linux.borrow_mut().step();
    assert!(
        linux.borrow().errors.is_empty(),
        "{:?}",
        linux.borrow().errors
    );
}

#[test]
fn remote_restart_resumes_from_the_indices_in_memory() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let ept = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    linux.borrow_mut().step();
    for i in 0..7 {
        linux.borrow_mut().send(1024, 30, &payload(5, i));
        echo_once(&mut dev, &ept);
        linux.borrow_mut().step();
    }
    linux.borrow_mut().send(1024, 30, b"undelivered");
    drop(dev);
    // A new firmware instance over the same memory.
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let ept = dev
        .create_endpoint(Some(30), Some(DEMO.as_bytes()))
        .unwrap();
    let mut buf = [0u8; 32];
    let m = dev.recv_into(&mut buf, 10).unwrap();
    assert_eq!(m.dst, ept.addr());
    assert_eq!(&buf[..m.len], b"undelivered");
    dev.send(&ept, 1024, b"back", 10).unwrap();
    linux.borrow_mut().step();
    let mut l = linux.borrow_mut();
    while l.take(DEMO).is_some_and(|m| m.data != b"back") {}
    assert_eq!(l.announcements.len(), 2, "announced again");
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}
