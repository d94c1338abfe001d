// SPDX-License-Identifier: MIT OR Apache-2.0
//! The echo service on the real stack, driven by rpmsg-remote's model of
//! the Linux master (`virtio_rpmsg_bus` behaviour over the i.MX7 layout,
//! kicks through a simulated MU): announcements, byte-exact echoes of every
//! size with splitting, the loopback, back-pressure with a single buffer,
//! and Linux re-creating the rings, also in the middle of a reply.

extern crate std;

use std::cell::RefCell;
use std::vec::Vec;

use rpmsg_remote::testing::guard::{Guard, Sim64k};
use rpmsg_remote::testing::linux::{memory, Linux, Message};
use rpmsg_remote::testing::sim::Sim;
use rpmsg_remote::{Device, Fault, Platform};

use super::*;

type Dev<'l, 'm, P = Sim<'l, 'm>> = Device<Guard<'m>, P, Sim64k, 2>;

/// Generous timeout: the simulated clock only moves while nothing happens.
const T: u32 = 10_000;

fn demo() -> &'static str {
    core::str::from_utf8(DEMO_NAME).unwrap()
}

fn tty() -> &'static str {
    core::str::from_utf8(TTY_NAME).unwrap()
}

/// `n` bytes with NULs and every byte value in them.
fn payload(n: usize, seed: usize) -> Vec<u8> {
    (0..n)
        .map(|i| {
            if i % 5 == 0 {
                0
            } else {
                (i * 31 + seed * 7) as u8
            }
        })
        .collect()
}

fn echo_of(data: &[u8]) -> Vec<u8> {
    [ECHO_PREFIX, data, ECHO_SUFFIX].concat()
}

/// Every message Linux received on channel `name`, oldest first.
fn drain(linux: &RefCell<Linux>, name: &str) -> Vec<Message> {
    let mut l = linux.borrow_mut();
    l.step();
    core::iter::from_fn(|| l.take(name)).collect()
}

/// Checks the parts of one reply and returns their concatenation.
fn joined(parts: &[Message], src: u32, dst: u32) -> Vec<u8> {
    for m in parts {
        assert_eq!((m.src, m.dst), (src, dst));
        assert!(m.data.len() <= 496, "part of {} bytes", m.data.len());
    }
    parts.iter().flat_map(|m| m.data.iter().copied()).collect()
}

/// Both channels announced and created on the Linux side; returns Linux's
/// local addresses of (echo channel, tty channel).
fn linked<P: Platform>(dev: &mut Dev<'_, '_, P>, linux: &RefCell<Linux>) -> (u32, u32) {
    dev.wait_link(T).unwrap();
    for _ in 0..4 {
        linux.borrow_mut().step();
        dev.poll();
    }
    let l = linux.borrow();
    (l.channel(demo()).local, l.channel(tty()).local)
}

/// Serves until nothing comes for a while; returns how many were served.
fn serve_all<P: Platform>(echo: &mut Echo, dev: &mut Dev<'_, '_, P>) -> usize {
    for n in 0..1000 {
        match echo.serve(dev, 50) {
            Err(Error::Timeout) => return n,
            r => assert!(
                matches!(r, Ok(Served::Echo { .. } | Served::Loopback { .. })),
                "{r:?}"
            ),
        }
    }
    panic!("more messages than were sent");
}

fn assert_clean(linux: &RefCell<Linux>, faults: &[Fault]) {
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "Linux saw: {:?}", l.errors);
    assert!(l.unrouted.is_empty(), "unrouted: {:?}", l.unrouted);
    let errors: Vec<_> = faults
        .iter()
        .filter(|f| !matches!(f, Fault::RingReset(_)))
        .collect();
    assert!(errors.is_empty(), "faults: {errors:?}");
}

#[test]
fn default_channel_name_is_the_seed_demos() {
    if option_env!("RPMSG_ECHO_NAME").is_none()
        && !cfg!(any(feature = "tty-channel", feature = "tty-channel-1"))
    {
        assert_eq!(DEMO_NAME, b"rpmsg-openamp-demo-channel");
    }
}

#[test]
fn both_channels_are_announced_when_linux_fills_its_ring() {
    let mem = memory();
    let linux = RefCell::new(Linux::unprobed(&mem));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let mut echo = Echo::new(&mut dev).unwrap();
    assert_eq!((echo.demo().addr(), echo.tty().addr()), (30, 31));
    assert_eq!(dev.wait_link(20), Err(Error::Timeout));
    assert_eq!(echo.serve(&mut dev, 20), Err(Error::Timeout));
    assert!(linux.borrow().announcements.is_empty());

    linux.borrow_mut().init(0, 8, 8);
    let (d, t) = linked(&mut dev, &linux);
    assert_eq!((d, t), (1024, 1025));
    assert_eq!(
        linux.borrow().announcements,
        [(demo().into(), 30, 0), (tty().into(), 31, 0)]
    );
    // Nothing to answer: the service waits and times out.
    assert_eq!(echo.serve(&mut dev, 20), Err(Error::Timeout));
    assert_clean(&linux, &dev.platform().faults);
}

#[test]
fn echo_of_every_size_is_byte_exact_and_never_cut() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let mut echo = Echo::new(&mut dev).unwrap();
    let (local, _) = linked(&mut dev, &linux);
    for n in 0..=496 {
        let data = payload(n, n);
        linux.borrow_mut().send(local, DEMO_ADDR, &data);
        let parts = if n + 8 <= 496 { 1 } else { 2 };
        assert_eq!(
            echo.serve(&mut dev, T),
            Ok(Served::Echo { parts }),
            "size {n}"
        );
        let got = drain(&linux, demo());
        assert_eq!(got.len(), usize::from(parts), "size {n}");
        if parts == 2 {
            assert_eq!(got[0].data.len(), 496, "the first part is full");
        }
        assert_eq!(joined(&got, DEMO_ADDR, local), echo_of(&data), "size {n}");
    }
    let st = echo.stats();
    assert_eq!((st.echoed, st.parts, st.dropped), (497, 497 + 8, 0));
    assert_clean(&linux, &dev.platform().faults);
}

#[test]
fn loopback_returns_every_size_unchanged() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let mut echo = Echo::new(&mut dev).unwrap();
    let (_, local) = linked(&mut dev, &linux);
    for n in (0..=496).rev() {
        let data = payload(n, 3 * n);
        linux.borrow_mut().send(local, TTY_ADDR, &data);
        assert_eq!(echo.serve(&mut dev, T), Ok(Served::Loopback { parts: 1 }));
        let got = drain(&linux, tty());
        assert_eq!(got.len(), 1);
        assert_eq!(joined(&got, TTY_ADDR, local), data, "size {n}");
    }
    assert_eq!(echo.stats().looped, 497);
    assert_clean(&linux, &dev.platform().faults);
}

#[test]
fn mixed_traffic_through_a_single_buffer_keeps_order() {
    let mem = memory();
    // One input buffer: every part of every reply waits for Linux to take
    // the previous one. Two output buffers: Linux's senders sleep until
    // the remote hands buffers back.
    let linux = RefCell::new(Linux::new(&mem, 0, 1, 2));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let mut echo = Echo::new(&mut dev).unwrap();
    let (ld, lt) = linked(&mut dev, &linux);
    let mut want_demo = Vec::new();
    let mut want_tty = Vec::new();
    let mut x = 12345u32;
    for round in 0..200usize {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let n = match x >> 28 {
            0..=3 => 496 - (x as usize >> 8) % 12, // two-part echoes
            _ => (x as usize >> 8) % 497,
        };
        let data = payload(n, round);
        if x & 0x100 == 0 {
            linux.borrow_mut().send(ld, DEMO_ADDR, &data);
            want_demo.extend(echo_of(&data));
        } else {
            linux.borrow_mut().send(lt, TTY_ADDR, &data);
            want_tty.extend(&data);
        }
        if round % 7 == 6 {
            // Serve a burst: Linux queued several messages meanwhile.
            serve_all(&mut echo, &mut dev);
        }
    }
    serve_all(&mut echo, &mut dev);
    let st = echo.stats();
    assert_eq!(st.echoed + st.looped, 200);
    assert_eq!(st.dropped, 0);
    assert_eq!(joined(&drain(&linux, demo()), DEMO_ADDR, ld), want_demo);
    assert_eq!(joined(&drain(&linux, tty()), TTY_ADDR, lt), want_tty);
    assert!(
        linux.borrow().sleeps > 0,
        "Linux's senders were back-pressured"
    );
    assert_clean(&linux, &dev.platform().faults);
}

#[test]
fn linux_module_reload_re_announces_and_serving_goes_on() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let mut echo = Echo::new(&mut dev).unwrap();
    let (ld, _) = linked(&mut dev, &linux);
    linux.borrow_mut().send(ld, DEMO_ADDR, b"before");
    echo.serve(&mut dev, T).unwrap();
    assert_eq!(drain(&linux, demo())[0].data, b"echo: before\r\n");

    // Reload with a message in flight: it is gone with the old rings.
    linux.borrow_mut().send(ld, DEMO_ADDR, b"lost");
    linux.borrow_mut().init(0, 8, 8);
    let (ld, lt) = linked(&mut dev, &linux);
    linux.borrow_mut().send(lt, TTY_ADDR, b"after\0reload");
    assert_eq!(echo.serve(&mut dev, T), Ok(Served::Loopback { parts: 1 }));
    linux.borrow_mut().send(ld, DEMO_ADDR, b"again");
    assert_eq!(echo.serve(&mut dev, T), Ok(Served::Echo { parts: 1 }));
    assert_eq!(drain(&linux, tty())[0].data, b"after\0reload");
    assert_eq!(drain(&linux, demo())[0].data, b"echo: again\r\n");
    assert_eq!(linux.borrow().announcements.len(), 4, "announced twice");
    let faults = &dev.platform().faults;
    assert!(faults.contains(&Fault::RingReset(0)) && faults.contains(&Fault::RingReset(1)));
    assert_clean(&linux, faults);
}

/// The simulated platform, plus a Linux module reload at a chosen `wait`.
struct Reloading<'l, 'm> {
    sim: Sim<'l, 'm>,
    reload_at: u64,
}

impl Platform for Reloading<'_, '_> {
    fn notify(&mut self, queue_id: u32) {
        self.sim.notify(queue_id)
    }
    fn now(&mut self) -> u32 {
        self.sim.now()
    }
    fn wait(&mut self, ticks: u32) {
        if self.sim.waits + 1 == self.reload_at {
            let mut l = self.sim.linux.borrow_mut();
            l.paused = false;
            l.init(0, 8, 8);
        }
        self.sim.wait(ticks)
    }
    fn take_kicked(&mut self) -> bool {
        self.sim.take_kicked()
    }
    fn take_kick_summary(&mut self) -> u32 {
        self.sim.take_kick_summary()
    }
    fn fault(&mut self, fault: Fault) {
        self.sim.fault(fault)
    }
}

/// After a reload: the new session got the announcements and nothing else
/// (no rest of an old reply), and a new message is echoed.
fn new_session_serves_only_new_messages(
    dev: &mut Dev<'_, '_, Reloading<'_, '_>>,
    linux: &RefCell<Linux>,
    echo: &mut Echo,
) {
    let (ld, _) = linked(dev, linux);
    assert!(drain(linux, demo()).is_empty());
    linux.borrow_mut().send(ld, DEMO_ADDR, b"new");
    assert_eq!(echo.serve(dev, T), Ok(Served::Echo { parts: 1 }));
    assert_eq!(drain(linux, demo())[0].data, b"echo: new\r\n");
    assert_clean(linux, &dev.platform().sim.faults);
}

#[test]
fn a_reply_waiting_across_a_reload_is_dropped_not_replayed() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 1, 4));
    let platform = Reloading {
        sim: Sim::new(&linux),
        reload_at: u64::MAX,
    };
    let mut dev: Dev<Reloading> = Device::new(Guard::new(&mem), platform);
    let mut echo = Echo::new(&mut dev).unwrap();
    let (ld, _) = linked(&mut dev, &linux);
    // A two-part echo with one input buffer that Linux stops recycling:
    // part 1 goes out, part 2 waits, and Linux reloads meanwhile. With 489
    // bytes part 2 is the final "\n" alone, which reads nothing from the
    // (stale) received buffer: only the session check can stop it.
    linux.borrow_mut().send(ld, DEMO_ADDR, &payload(489, 1));
    linux.borrow_mut().paused = true;
    dev.platform_mut().reload_at = dev.platform().sim.waits + 1;
    assert_eq!(echo.serve(&mut dev, T), Ok(Served::Dropped));
    assert_eq!(echo.stats().dropped, 1);

    // No second half of an old reply reaches the address 1024 names now.
    new_session_serves_only_new_messages(&mut dev, &linux, &mut echo);
}

#[test]
fn a_one_part_reply_waiting_across_a_reload_is_dropped_not_replayed() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 1, 4));
    let platform = Reloading {
        sim: Sim::new(&linux),
        reload_at: u64::MAX,
    };
    let mut dev: Dev<Reloading> = Device::new(Guard::new(&mem), platform);
    let mut echo = Echo::new(&mut dev).unwrap();
    let (ld, _) = linked(&mut dev, &linux);
    // Linux stops recycling its one input buffer: the first echo takes
    // it, the second waits for a buffer (`Device::reply`), and Linux
    // reloads meanwhile.
    linux.borrow_mut().paused = true;
    linux.borrow_mut().send(ld, DEMO_ADDR, b"first");
    assert_eq!(echo.serve(&mut dev, T), Ok(Served::Echo { parts: 1 }));
    linux.borrow_mut().send(ld, DEMO_ADDR, b"second");
    dev.platform_mut().reload_at = dev.platform().sim.waits + 1;
    assert_eq!(echo.serve(&mut dev, T), Ok(Served::Dropped));
    assert_eq!(echo.stats().dropped, 1);
    new_session_serves_only_new_messages(&mut dev, &linux, &mut echo);
}

#[test]
fn replies_longer_than_linux_s_buffers_are_split_at_their_size() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let mut dev: Dev = Device::new(Guard::new(&mem), Sim::new(&linux));
    let mut echo = Echo::new(&mut dev).unwrap();
    let (ld, lt) = linked(&mut dev, &linux);
    // Linux's input buffers shrink to 64 payload bytes.
    for id in 0..8u16 {
        let addr = rpmsg_remote::testing::linux::PHYS
            + u64::from(rpmsg_remote::testing::linux::BUF_AREA[0])
            + u64::from(id) * 512;
        linux.borrow_mut().corrupt_rx_desc(id, addr, 16 + 64, 2);
    }
    for n in [1usize, 56, 57, 64, 65, 100, 300] {
        let data = payload(n, n);
        linux.borrow_mut().send(ld, DEMO_ADDR, &data);
        let parts = (n + 8).div_ceil(64) as u16;
        assert_eq!(echo.serve(&mut dev, T), Ok(Served::Echo { parts }), "{n}");
        linux.borrow_mut().send(lt, TTY_ADDR, &data);
        let parts = n.div_ceil(64) as u16;
        assert_eq!(
            echo.serve(&mut dev, T),
            Ok(Served::Loopback { parts }),
            "{n}"
        );
        for _ in 0..4 {
            linux.borrow_mut().step();
            dev.poll();
        }
        let got = drain(&linux, demo());
        assert!(got.iter().all(|m| m.data.len() <= 64));
        assert_eq!(joined(&got, DEMO_ADDR, ld), echo_of(&data), "{n}");
        let got = drain(&linux, tty());
        assert_eq!(joined(&got, TTY_ADDR, lt), data, "{n}");
    }
    assert_clean(&linux, &dev.platform().faults);
}
