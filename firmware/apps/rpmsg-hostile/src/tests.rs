// SPDX-License-Identifier: MIT OR Apache-2.0
//! The hostile service on the real stack, driven by rpmsg-remote's model of
//! the Linux master: announcements, the byte-exact loopback (also split
//! over small buffers), the control protocol, and a stall after which the
//! remote touches neither the shared memory nor the mailbox again.

extern crate std;

use std::cell::{Cell, RefCell};
use std::vec::Vec;

use rpmsg_remote::testing::guard::{Guard, Sim64k};
use rpmsg_remote::testing::linux::{memory, Linux, Message, BUF, BUF_AREA, PHYS};
use rpmsg_remote::testing::sim::Sim;
use rpmsg_remote::{Device, SharedMemory};

use super::*;

/// Shared memory that counts every access the remote makes.
#[derive(Clone, Copy)]
struct Counted<'a> {
    inner: Guard<'a>,
    touches: &'a Cell<u64>,
}

impl Counted<'_> {
    fn touch(&self) {
        self.touches.set(self.touches.get() + 1);
    }
}

impl SharedMemory for Counted<'_> {
    fn read_u16(&self, off: u32) -> u16 {
        self.touch();
        self.inner.read_u16(off)
    }
    fn read_u32(&self, off: u32) -> u32 {
        self.touch();
        self.inner.read_u32(off)
    }
    fn write_u16(&self, off: u32, val: u16) {
        self.touch();
        self.inner.write_u16(off, val)
    }
    fn write_u32(&self, off: u32, val: u32) {
        self.touch();
        self.inner.write_u32(off, val)
    }
    fn read_bytes(&self, off: u32, out: &mut [u8]) {
        self.touch();
        self.inner.read_bytes(off, out)
    }
    fn write_bytes(&self, off: u32, data: &[u8]) {
        self.touch();
        self.inner.write_bytes(off, data)
    }
}

type Dev<'l, 'm> = Device<Counted<'m>, Sim<'l, 'm>, Sim64k, 2>;

/// Generous timeout: the simulated clock only moves while nothing happens.
const T: u32 = 10_000;
const TTY: &str = "rpmsg-tty";
const CTL: &str = "rpmsg-hostile-ctl";
/// An address Linux's `rpmsg_ctrl` might give a test's endpoint: no
/// channel of the model has it, so answers to it land in `unrouted`.
const CTRL_EPT: u32 = 1100;

/// A device over `mem` whose accesses are counted in `touches`.
fn device<'l, 'm>(
    mem: &'m [Cell<u8>],
    touches: &'m Cell<u64>,
    linux: &'l RefCell<Linux<'m>>,
) -> Dev<'l, 'm> {
    let shm = Counted {
        inner: Guard::new(mem),
        touches,
    };
    Device::new(shm, Sim::new(linux))
}

/// `n` bytes with NULs and every byte value in them.
fn payload(n: usize, seed: usize) -> Vec<u8> {
    (0..n)
        .map(|i| if i % 7 == 3 { 0 } else { (i * 13 + seed) as u8 })
        .collect()
}

/// Every message Linux received on channel `name`, oldest first.
fn drain(linux: &RefCell<Linux>, name: &str) -> Vec<Message> {
    let mut l = linux.borrow_mut();
    l.step();
    core::iter::from_fn(|| l.take(name)).collect()
}

/// Both channels announced and created on the Linux side; returns Linux's
/// local addresses of (tty channel, control channel).
fn linked(dev: &mut Dev, linux: &RefCell<Linux>) -> (u32, u32) {
    dev.wait_link(T).unwrap();
    for _ in 0..4 {
        linux.borrow_mut().step();
        dev.poll();
    }
    let l = linux.borrow();
    (l.channel(TTY).local, l.channel(CTL).local)
}

/// Sends `cmd` to the control address from `src`, serves it, and returns
/// what was served and the answer Linux got.
fn command(
    h: &mut Hostile,
    dev: &mut Dev,
    linux: &RefCell<Linux>,
    src: u32,
    cmd: &[u8],
) -> (Served, Vec<u8>) {
    linux.borrow_mut().send(src, CTL_ADDR, cmd);
    let served = h.serve(dev, T).unwrap();
    let mut l = linux.borrow_mut();
    l.step();
    let m = match l.channels.iter_mut().find(|c| c.local == src) {
        Some(c) => c.inbox.pop_front(),
        None => l.unrouted.pop(),
    };
    let m = m.expect("an answer");
    assert_eq!((m.src, m.dst), (CTL_ADDR, src));
    (served, m.data)
}

fn assert_clean(linux: &RefCell<Linux>, dev: &Dev) {
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "Linux saw: {:?}", l.errors);
    assert!(l.unrouted.is_empty(), "unrouted: {:?}", l.unrouted);
    assert!(
        dev.platform().errors().is_empty(),
        "faults: {:?}",
        dev.platform().errors()
    );
}

#[test]
fn both_channels_are_announced_when_linux_fills_its_ring() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::unprobed(&mem));
    let mut dev = device(&mem, &touches, &linux);
    let mut h = Hostile::new(&mut dev).unwrap();
    assert_eq!((h.tty().addr(), h.ctl().addr()), (31, 40));
    assert_eq!(h.serve(&mut dev, 20), Err(Error::Timeout));
    assert!(linux.borrow().announcements.is_empty());

    linux.borrow_mut().init(0, 8, 8);
    let (t, c) = linked(&mut dev, &linux);
    assert_eq!((t, c), (1024, 1025));
    assert_eq!(
        linux.borrow().announcements,
        [(TTY.into(), 31, 0), (CTL.into(), 40, 0)]
    );
    assert_eq!(h.serve(&mut dev, 20), Err(Error::Timeout));
    assert!(!h.is_stalled());
    assert_clean(&linux, &dev);
}

#[test]
fn loopback_returns_every_size_unchanged() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 40, 40));
    let mut dev = device(&mem, &touches, &linux);
    let mut h = Hostile::new(&mut dev).unwrap();
    let (local, _) = linked(&mut dev, &linux);
    for n in 0..=496 {
        let data = payload(n, n);
        linux.borrow_mut().send(local, TTY_ADDR, &data);
        assert_eq!(h.serve(&mut dev, T), Ok(Served::Loopback { parts: 1 }));
        let got = drain(&linux, TTY);
        assert_eq!(got.len(), 1, "size {n}");
        assert_eq!((got[0].src, got[0].dst), (TTY_ADDR, local));
        assert_eq!(got[0].data, data, "size {n}");
    }
    let st = h.stats();
    assert_eq!((st.looped, st.parts, st.dropped), (497, 497, 0));
    assert_clean(&linux, &dev);
}

#[test]
fn loopback_splits_over_small_buffers_in_order() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    // Linux's input buffers offer 100 payload bytes instead of 496.
    for id in 0..8u16 {
        let addr = PHYS + u64::from(BUF_AREA[0] + u32::from(id) * BUF);
        linux.borrow_mut().corrupt_rx_desc(id, addr, 16 + 100, 2);
    }
    let mut dev = device(&mem, &touches, &linux);
    let mut h = Hostile::new(&mut dev).unwrap();
    let (local, _) = linked(&mut dev, &linux);
    for n in [0, 1, 99, 100, 101, 250, 496] {
        let data = payload(n, 5);
        linux.borrow_mut().send(local, TTY_ADDR, &data);
        let parts = n.div_ceil(100).max(1);
        assert_eq!(
            h.serve(&mut dev, T),
            Ok(Served::Loopback {
                parts: parts as u16
            }),
            "size {n}"
        );
        let got = drain(&linux, TTY);
        assert_eq!(got.len(), parts, "size {n}");
        assert!(got.iter().all(|m| m.data.len() <= 100 && m.dst == local));
        let joined: Vec<u8> = got.into_iter().flat_map(|m| m.data).collect();
        assert_eq!(joined, data, "size {n}");
    }
    assert_clean(&linux, &dev);
}

#[test]
fn commands_are_answered_to_their_sender() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let mut dev = device(&mem, &touches, &linux);
    let mut h = Hostile::new(&mut dev).unwrap();
    let (_, ctl) = linked(&mut dev, &linux);
    let pong = (Served::Command(Some(Command::Ping)), b"pong".to_vec());
    for cmd in [&b"ping"[..], b"ping\n", b"ping\0", b"  ping extra args"] {
        assert_eq!(command(&mut h, &mut dev, &linux, ctl, cmd), pong, "{cmd:?}");
        // From an endpoint made with rpmsg_ctrl, not the announced channel.
        assert_eq!(command(&mut h, &mut dev, &linux, CTRL_EPT, cmd), pong);
    }
    let unknown = |w: &str| {
        (
            Served::Command(None),
            std::format!("unknown {w}").into_bytes(),
        )
    };
    for (cmd, word) in [
        (&b"hello"[..], "hello"),
        (b"PING", "PING"),
        (b"pingpong\r\n", "pingpong"),
        (b"stal", "stal"),
        (b"", ""),
        (b" \n\0", ""),
    ] {
        assert_eq!(
            command(&mut h, &mut dev, &linux, CTRL_EPT, cmd),
            unknown(word),
            "{cmd:?}"
        );
    }
    // A long word is cut in the answer; only COMMAND_MAX bytes are read.
    let long = [b'x'; 300];
    assert_eq!(
        command(&mut h, &mut dev, &linux, ctl, &long),
        unknown(&"x".repeat(WORD_MAX))
    );
    // Loopback and control traffic interleave.
    let tty = linux.borrow().channel(TTY).local;
    linux.borrow_mut().send(tty, TTY_ADDR, b"between");
    assert_eq!(h.serve(&mut dev, T), Ok(Served::Loopback { parts: 1 }));
    assert_eq!(drain(&linux, TTY)[0].data, b"between");
    assert_eq!(h.stats().commands, 15);
    assert!(!h.is_stalled());
    assert_clean(&linux, &dev);
}

#[test]
fn command_words_and_parsing() {
    for c in Command::ALL {
        assert_eq!(Command::parse(c.word()), Ok(c));
    }
    assert_eq!(Command::Ping.after(), After::Serve);
    assert_eq!(Command::Stall.after(), After::Stall);
    assert_eq!(Command::parse(b"\tstall now"), Ok(Command::Stall));
    assert_eq!(Command::parse(b"stall!"), Err(&b"stall!"[..]));
    assert_eq!(Command::parse(b"\0\0"), Err(&b""[..]));
}

#[test]
fn stall_answers_then_never_touches_the_rings_or_kicks_again() {
    let (mem, touches) = (memory(), Cell::new(0));
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 4));
    let mut dev = device(&mem, &touches, &linux);
    let mut h = Hostile::new(&mut dev).unwrap();
    let (tty, ctl) = linked(&mut dev, &linux);
    linux.borrow_mut().send(tty, TTY_ADDR, b"before");
    assert_eq!(h.serve(&mut dev, T), Ok(Served::Loopback { parts: 1 }));
    assert_eq!(drain(&linux, TTY)[0].data, b"before");

    let answer = command(&mut h, &mut dev, &linux, CTRL_EPT, b"stall\n");
    assert_eq!(
        answer,
        (Served::Command(Some(Command::Stall)), b"ok stall".to_vec())
    );
    assert!(h.is_stalled());
    let (seen, kicks) = (touches.get(), dev.platform().kicks.len());
    let delivered = linux.borrow().delivered;

    // Linux goes on sending: a stream on the tty, commands, more than it
    // has buffers for. Nothing is consumed, answered or kicked.
    for i in 0..6u8 {
        linux.borrow_mut().send(tty, TTY_ADDR, &[i; 40]);
    }
    linux.borrow_mut().send(ctl, CTL_ADDR, b"ping");
    for _ in 0..50 {
        assert_eq!(h.serve(&mut dev, T), Ok(Served::Stalled));
        linux.borrow_mut().step();
    }
    {
        let l = linux.borrow();
        assert_eq!(
            l.tx_outstanding(),
            4,
            "every Linux buffer stays with the remote"
        );
        assert_eq!(l.tx_free(), 0);
        assert_eq!(l.blocked.len(), 3, "the other senders wait");
        assert!(l.sleeping);
        assert_eq!(l.delivered, delivered);
    }
    assert!(drain(&linux, TTY).is_empty() && drain(&linux, CTL).is_empty());

    // Not even re-created rings bring it back.
    linux.borrow_mut().init(0, 8, 4);
    for _ in 0..10 {
        assert_eq!(h.serve(&mut dev, T), Ok(Served::Stalled));
    }
    assert_eq!(touches.get(), seen, "the remote touched the window");
    assert_eq!(dev.platform().kicks.len(), kicks, "the remote kicked");
    let st = h.stats();
    assert_eq!((st.looped, st.commands, st.dropped), (1, 1, 0));
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "Linux saw: {:?}", l.errors);
    assert!(l.channels.is_empty(), "nothing announced after the reload");
}
