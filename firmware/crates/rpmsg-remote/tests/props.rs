// SPDX-License-Identifier: MIT OR Apache-2.0
//! Property tests against the Linux model: ring indices wrapping at 65535,
//! and random interleavings of messages in both directions over several
//! endpoints with few buffers.

mod common;

use common::guard::Guard;
use common::linux::{memory, Linux};
use common::sim::Sim;
use common::{payload, Dev, DEMO};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use rpmsg_remote::{Device, Error, Fault};
use std::cell::RefCell;
use std::collections::VecDeque;

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x7772_6170),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Operations of a random sequence.
#[derive(Clone, Debug)]
enum Op {
    /// Linux sends `size` bytes to endpoint `e`.
    LinuxSends(usize, usize),
    /// The remote receives the next message (zero-copy or copying).
    RemoteReceives(bool),
    /// The remote sends `size` bytes from endpoint `e`.
    RemoteSends(usize, usize),
    /// Linux runs its interrupt handlers.
    LinuxRuns,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize, 1..=496usize).prop_map(|(e, n)| Op::LinuxSends(e, n)),
        any::<bool>().prop_map(Op::RemoteReceives),
        (0..3usize, 1..=496usize).prop_map(|(e, n)| Op::RemoteSends(e, n)),
        Just(Op::LinuxRuns),
    ]
}

proptest! {
    #![proptest_config(config(48))]

    /// Echo across the u16 wrap of avail/used indices, from any start.
    #[test]
    fn echo_across_index_wrap(
        start in prop_oneof![65_300u16..=u16::MAX, any::<u16>()],
        sizes in proptest::collection::vec(1usize..=496, 1..300),
    ) {
        let mem = memory();
        let linux = RefCell::new(Linux::new(&mem, start, 40, 40));
        let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
        let ept = dev.create_endpoint(Some(30), Some(DEMO.as_bytes())).unwrap();
        linux.borrow_mut().step();
        let local = linux.borrow().channel(DEMO).local;
        let mut buf = [0u8; 496];
        for (i, &n) in sizes.iter().enumerate() {
            let data = payload(n, i as u32);
            linux.borrow_mut().send(local, 30, &data);
            let m = dev.recv_into(&mut buf, 10).unwrap();
            dev.send(&ept, m.src, &buf[..m.len], 10).unwrap();
            linux.borrow_mut().step();
            prop_assert_eq!(linux.borrow_mut().take(DEMO).map(|m| m.data), Some(data));
        }
        prop_assert!(linux.borrow().errors.is_empty(), "{:?}", linux.borrow().errors);
        prop_assert!(dev.platform().errors().is_empty());
    }

    /// Random traffic: every message arrives once, in order per endpoint,
    /// whatever the interleaving and however few buffers Linux has.
    #[test]
    fn random_message_sequences(
        start in any::<u16>(),
        n_rx in 1usize..=40,
        n_tx in 1usize..=40,
        ops in proptest::collection::vec(op(), 1..200),
    ) {
        let mem = memory();
        let linux = RefCell::new(Linux::new(&mem, start, n_rx, n_tx));
        let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
        let epts = [
            dev.create_endpoint(Some(30), Some(DEMO.as_bytes())).unwrap(),
            dev.create_endpoint(None, Some(b"rpmsg-tty")).unwrap(),
            dev.create_endpoint(Some(40), None).unwrap(),
        ];
        // Announcements need buffers: let Linux run until both are in.
        for _ in 0..4 {
            linux.borrow_mut().step();
            dev.poll();
        }
        let names = [Some(DEMO), Some("rpmsg-tty"), None];
        let linux_addr: Vec<u32> = names
            .iter()
            .map(|n| n.map_or(5000, |n| linux.borrow().channel(n).local))
            .collect();
        let mut to_remote: [VecDeque<Vec<u8>>; 3] = Default::default();
        let mut to_linux: [VecDeque<Vec<u8>>; 3] = Default::default();
        let mut seq = 0u32;
        let mut buf = [0u8; 496];
        // Receives one message (any endpoint) and checks it is the next one
        // expected for its endpoint.
        let check_rx = |dev: &mut Dev, zc: bool, exp: &mut [VecDeque<Vec<u8>>; 3], buf: &mut [u8; 496]| {
            let got = if zc {
                dev.try_recv().map(|rx| {
                    let n = dev.read(&rx, 0, buf);
                    let r = (rx.src(), rx.dst(), buf[..n].to_vec());
                    dev.release(rx).unwrap();
                    r
                })
            } else {
                dev.recv_into(buf, 0).map(|m| (m.src, m.dst, buf[..m.len].to_vec()))
            };
            match got {
                Ok((src, dst, data)) => {
                    let e = epts.iter().position(|p| p.addr() == dst).expect("known endpoint");
                    assert_eq!(src, linux_addr[e]);
                    assert_eq!(Some(data), exp[e].pop_front(), "endpoint {}", e);
                    true
                }
                Err(err) => {
                    assert_eq!(err, Error::WouldBlock);
                    false
                }
            }
        };
        for op in ops {
            match op {
                Op::LinuxSends(e, n) => {
                    seq += 1;
                    let data = payload(n, seq);
                    linux.borrow_mut().send(linux_addr[e], epts[e].addr(), &data);
                    to_remote[e].push_back(data);
                }
                Op::RemoteReceives(zc) => {
                    check_rx(&mut dev, zc, &mut to_remote, &mut buf);
                }
                Op::RemoteSends(e, n) => {
                    seq += 1;
                    let data = payload(n, seq);
                    match dev.try_send(&epts[e], linux_addr[e], &data) {
                        Ok(()) => to_linux[e].push_back(data),
                        Err(err) => prop_assert_eq!(err, Error::WouldBlock),
                    }
                }
                Op::LinuxRuns => linux.borrow_mut().step(),
            }
        }
        // Drain everything.
        for _ in 0..1000 {
            if to_remote.iter().all(|q| q.is_empty()) {
                break;
            }
            linux.borrow_mut().step();
            while check_rx(&mut dev, false, &mut to_remote, &mut buf) {}
        }
        prop_assert!(to_remote.iter().all(|q| q.is_empty()), "messages lost on the way to the remote");
        linux.borrow_mut().step();
        let mut l = linux.borrow_mut();
        for (e, name) in names.iter().enumerate() {
            let got: Vec<Vec<u8>> = match name {
                Some(n) => std::iter::from_fn(|| l.take(n)).map(|m| m.data).collect(),
                None => l.unrouted.drain(..).map(|m| m.data).collect(),
            };
            prop_assert_eq!(&got, &Vec::from(to_linux[e].clone()), "endpoint {}", e);
        }
        prop_assert!(l.errors.is_empty(), "{:?}", l.errors);
        let faults: Vec<Fault> = dev.platform().errors();
        prop_assert!(faults.is_empty(), "{:?}", faults);
    }
}
