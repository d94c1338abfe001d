// SPDX-License-Identifier: MIT OR Apache-2.0
//! The rpmsg-lite-like firmware's service on the real stack, driven by
//! rpmsg-remote's model of the Linux master, next to the same service with
//! the normal layout wherever the two must differ: one test per behaviour
//! of stock rpmsg-lite the firmware imitates (the fifth, waiting for Linux
//! to read each kick, is the platform's: `imx7-rpmsg`'s kick tests), and
//! one for what must not differ (the channels and their answers).

extern crate std;

use std::cell::RefCell;
use std::vec::Vec;

use rpmsg_echo::{Echo, Served, DEMO_ADDR, DEMO_NAME, TTY_ADDR, TTY_NAME};
use rpmsg_remote::testing::guard::{Guard, Sim64k};
use rpmsg_remote::testing::linux::{memory, Linux, Message, Q_RX, Q_TX, USED, VRING};
use rpmsg_remote::testing::sim::Sim;
use rpmsg_remote::{kick_word, Config, Device, Error, Fault};

/// The simulated 64 KiB window (as [`Sim64k`]) for a device that behaves
/// like stock rpmsg-lite (as [`super::Imx7Lite`]).
struct Sim64kLite;

impl Config for Sim64kLite {
    const WINDOW_PHYS: u64 = Sim64k::WINDOW_PHYS;
    const WINDOW_SIZE: u32 = Sim64k::WINDOW_SIZE;
    const LITE_LIKE: bool = true;
}

type Dev<'l, 'm, C> = Device<Guard<'m>, Sim<'l, 'm>, C, 2>;

/// Generous timeout: the simulated clock only moves while nothing happens.
const T: u32 = 10_000;
/// A short one, for what never comes.
const SHORT: u32 = 50;
/// An address of Linux's, as an `rpmsg_ctrl` endpoint has, that names no
/// channel of the model in either session.
const CTRL: u32 = 2000;

fn demo() -> &'static str {
    core::str::from_utf8(DEMO_NAME).unwrap()
}

fn tty() -> &'static str {
    core::str::from_utf8(TTY_NAME).unwrap()
}

fn device<'l, 'm, C: Config>(
    linux: &'l RefCell<Linux<'m>>,
    mem: &'m [core::cell::Cell<u8>],
) -> Dev<'l, 'm, C> {
    Device::new(Guard::new(mem), Sim::new(linux))
}

/// Lets Linux and the device look at the rings a few times; returns the
/// channels' local addresses on the Linux side (echo, tty) if they exist.
fn settle<C: Config>(dev: &mut Dev<'_, '_, C>, linux: &RefCell<Linux>) -> Option<(u32, u32)> {
    for _ in 0..4 {
        linux.borrow_mut().step();
        dev.poll();
    }
    let l = linux.borrow();
    let find = |name: &str| l.channels.iter().find(|c| c.name == name).map(|c| c.local);
    Some((find(demo())?, find(tty())?))
}

/// Every message Linux received on channel `name`, oldest first.
fn drain(linux: &RefCell<Linux>, name: &str) -> Vec<Message> {
    let mut l = linux.borrow_mut();
    l.step();
    core::iter::from_fn(|| l.take(name)).collect()
}

/// Messages Linux received for no channel of its own ("msg received with no
/// recipient") carrying `data`.
fn unrouted(linux: &RefCell<Linux>, data: &[u8]) -> usize {
    let mut l = linux.borrow_mut();
    l.step();
    l.unrouted.iter().filter(|m| m.data == data).count()
}

fn ring_resets(dev: &Dev<'_, '_, impl Config>) -> usize {
    dev.platform()
        .faults
        .iter()
        .filter(|f| matches!(f, Fault::RingReset(_)))
        .count()
}

#[test]
fn answers_on_rpmsg_echos_channels_as_rpmsg_echo_does() {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let mut dev: Dev<Sim64kLite> = device(&linux, &mem);
    let mut echo = Echo::new(&mut dev).unwrap();
    assert_eq!((echo.demo().addr(), echo.tty().addr()), (30, 31));
    let (ld, lt) = settle(&mut dev, &linux).expect("both channels announced");
    assert_eq!(
        linux.borrow().announcements,
        [(demo().into(), 30, 0), (tty().into(), 31, 0)]
    );
    for round in 0..20u8 {
        let data = [round, 0, b'x', round];
        linux.borrow_mut().send(ld, DEMO_ADDR, &data);
        assert_eq!(echo.serve(&mut dev, T), Ok(Served::Echo { parts: 1 }));
        linux.borrow_mut().send(lt, TTY_ADDR, &data);
        assert_eq!(echo.serve(&mut dev, T), Ok(Served::Loopback { parts: 1 }));
        let e = drain(&linux, demo());
        let t = drain(&linux, tty());
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].data, [b"echo: ", &data[..], b"\r\n"].concat());
        assert_eq!((e[0].src, e[0].dst), (DEMO_ADDR, ld));
        assert_eq!(t.len(), 1);
        assert_eq!(
            (t[0].src, t[0].dst, &t[0].data[..]),
            (TTY_ADDR, lt, &data[..])
        );
    }
    // The longest echo is split as rpmsg-echo splits it.
    linux.borrow_mut().send(ld, DEMO_ADDR, &[7; 496]);
    assert_eq!(echo.serve(&mut dev, T), Ok(Served::Echo { parts: 2 }));
    assert_eq!(drain(&linux, demo()).len(), 2);
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "Linux saw: {:?}", l.errors);
    assert!(dev.platform().faults.is_empty());
}

/// What a Linux module reload did to a device of layout `C`: Linux's
/// transport zeroed and re-created the rings after `old` loopback
/// messages, then `new` messages went from an `rpmsg_ctrl` endpoint to the
/// loopback channel, one at a time.
struct Reload {
    /// Name-service announcements Linux received in all.
    announcements: usize,
    /// Whether Linux has its channels again.
    channels_back: bool,
    /// Answers to each new message (Linux has no channel for `CTRL`).
    answers: Vec<usize>,
    /// Ring re-creations the device noticed.
    ring_resets: usize,
    /// vring1's used index at the end: Linux's messages the device says it
    /// consumed in the new session.
    consumed: u16,
    /// What Linux's virtio rings reported of the device.
    linux_errors: Vec<std::string::String>,
}

fn reload<C: Config>(old: u8, new: u8) -> Reload {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let mut dev: Dev<C> = device(&linux, &mem);
    let mut echo = Echo::new(&mut dev).unwrap();
    let (_, lt) = settle(&mut dev, &linux).expect("both channels announced");
    for i in 0..old {
        linux.borrow_mut().send(lt, TTY_ADDR, &[b'o', i]);
        assert_eq!(echo.serve(&mut dev, T), Ok(Served::Loopback { parts: 1 }));
        assert_eq!(drain(&linux, tty())[0].data, [b'o', i]);
    }

    // rmmod + insmod of the transport while the remote keeps running.
    linux.borrow_mut().init(0, 8, 8);
    let channels_back = settle(&mut dev, &linux).is_some();
    let mut answers = Vec::new();
    for i in 0..new {
        let data = [b'n', i];
        linux.borrow_mut().send(CTRL, TTY_ADDR, &data);
        // Serve what comes, up to a bound: a remote that walks stale
        // entries answers without end.
        for _ in 0..12 {
            if echo.serve(&mut dev, SHORT).is_err() {
                break;
            }
        }
        answers.push(unrouted(&linux, &data));
    }
    let l = linux.borrow();
    Reload {
        announcements: l.announcements.len(),
        channels_back,
        answers,
        ring_resets: ring_resets(&dev),
        consumed: l.r16(VRING[1] + USED + 2),
        linux_errors: l.errors.clone(),
    }
}

#[test]
fn across_a_linux_reload_it_keeps_its_indices_where_we_resynchronise() {
    // Our firmware: notices the new rings, announces again, answers each
    // message of the new session once.
    let ours = reload::<Sim64k>(3, 2);
    assert_eq!(ours.ring_resets, 2, "both rings resynchronised");
    assert_eq!(ours.announcements, 4);
    assert!(ours.channels_back);
    assert_eq!(ours.answers, [1, 1]);
    assert_eq!(ours.consumed, 2);
    assert!(ours.linux_errors.is_empty(), "{:?}", ours.linux_errors);

    // rpmsg-lite-like: never notices; the channels do not come back, and
    // it goes on consuming vring1 from its old position (3): stale entries
    // of the zeroed ring, all naming descriptor 0, i.e. the new message,
    // over and over: duplicate answers.
    let lite = reload::<Sim64kLite>(3, 1);
    assert_eq!(lite.ring_resets, 0);
    assert_eq!(lite.announcements, 2, "announced once, never again");
    assert!(!lite.channels_back);
    // Served as long as the test lets it: 12 answers to one message.
    assert_eq!(lite.answers, [12]);
    // Linux's output ring gets one used entry per stale entry, each naming
    // the one buffer Linux sent; with rpmsg-lite the walk goes on for
    // about 65,500 entries (65,536 - 3 + 1).
    assert_eq!(lite.consumed, 12);
}

#[test]
fn when_both_sessions_carried_equally_many_a_new_message_is_never_seen() {
    // One message before the reload, then the first of the new session:
    // the kept position (1) equals the new available index, so it looks
    // consumed and is never seen; the next one is answered.
    let lite = reload::<Sim64kLite>(1, 2);
    assert_eq!(lite.answers, [0, 1]);
    assert_eq!((lite.ring_resets, lite.consumed), (0, 1));
    let ours = reload::<Sim64k>(1, 2);
    assert_eq!(ours.answers, [1, 1]);
    assert_eq!(ours.consumed, 2);
}

/// A device of layout `C` whose Linux filled its input ring but whose kick
/// of queue 0 never came (it named another queue): whether the channels
/// were announced before that kick, once it came, and after a reload.
fn announcements<C: Config>() -> [usize; 3] {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    linux.borrow_mut().kicked_queues = 1 << Q_TX;
    let mut dev: Dev<C> = device(&linux, &mem);
    let _echo = Echo::new(&mut dev).unwrap();
    settle(&mut dev, &linux);
    let before = linux.borrow().announcements.len();
    linux.borrow_mut().kick_remote(Q_RX);
    settle(&mut dev, &linux);
    let kicked = linux.borrow().announcements.len();
    linux.borrow_mut().init(0, 8, 8);
    settle(&mut dev, &linux);
    let reloaded = linux.borrow().announcements.len();
    [before, kicked, reloaded]
}

#[test]
fn it_announces_after_the_first_kick_of_queue_0_and_never_again() {
    // Ours: the link is up once buffers are in the input ring; again
    // after a reload.
    assert_eq!(announcements::<Sim64k>(), [2, 2, 4]);
    // rpmsg-lite-like: up at the first kick of queue 0 (rpmsg-lite's
    // transmit-ring callback), once.
    assert_eq!(announcements::<Sim64kLite>(), [0, 2, 2]);
}

/// A device of layout `C` behind a Linux with a single output buffer, to
/// which Linux sends two messages: the second sender finds no buffer and
/// sleeps until the remote kicks queue 1. Returns the answers, whether the
/// sender still sleeps, and the remote's kicks of queue 1.
fn one_output_buffer<C: Config>() -> (usize, bool, u64) {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 1));
    let mut dev: Dev<C> = device(&linux, &mem);
    let mut echo = Echo::new(&mut dev).unwrap();
    let (_, lt) = settle(&mut dev, &linux).expect("both channels announced");
    linux.borrow_mut().send(lt, TTY_ADDR, b"first");
    linux.borrow_mut().send(lt, TTY_ADDR, b"second");
    assert!(linux.borrow().sleeping, "no buffer for the second message");
    let mut served = 0;
    while echo.serve(&mut dev, SHORT).is_ok() {
        served += 1;
    }
    assert_eq!(drain(&linux, tty()).len(), served);
    let l = linux.borrow();
    (served, l.sleeping, l.kicks_from_remote[Q_TX as usize])
}

#[test]
fn it_never_kicks_for_consumed_buffers_so_a_waiting_sender_sleeps_on() {
    // Ours: the first buffer comes back with a kick of queue 1, which wakes
    // the sender; both messages are answered.
    let (served, sleeping, kicks) = one_output_buffer::<Sim64k>();
    assert_eq!((served, sleeping), (2, false));
    assert!(kicks > 0);
    // rpmsg-lite-like: the buffer comes back silently; the sender sleeps
    // on (with Linux, until its 15-second timeout).
    let (served, sleeping, kicks) = one_output_buffer::<Sim64kLite>();
    assert_eq!((served, sleeping, kicks), (1, true, 0));
}

/// A device of layout `C` to which Linux sends a message whose kick names
/// queue 0 instead of queue 1: what serving does then, and once the kick of
/// queue 1 came (if still needed).
fn wrong_queue<C: Config>() -> (Result<Served, Error>, Option<Result<Served, Error>>) {
    let mem = memory();
    let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
    let mut dev: Dev<C> = device(&linux, &mem);
    let mut echo = Echo::new(&mut dev).unwrap();
    let (_, lt) = settle(&mut dev, &linux).expect("both channels announced");
    linux.borrow_mut().send(lt, TTY_ADDR, b"wrong queue");
    linux.borrow_mut().kicked_queues = 1 << Q_RX;
    let first = echo.serve(&mut dev, SHORT);
    if first.is_ok() {
        return (first, None);
    }
    linux.borrow_mut().kick_remote(Q_TX);
    (first, Some(echo.serve(&mut dev, T)))
}

#[test]
fn kicks_are_dispatched_per_queue() {
    // Ours looks at both rings at every kick, whichever queue it names.
    assert_eq!(
        wrong_queue::<Sim64k>(),
        (Ok(Served::Loopback { parts: 1 }), None)
    );
    // rpmsg-lite-like reads vring1 only when queue 1 is kicked.
    assert_eq!(
        wrong_queue::<Sim64kLite>(),
        (Err(Error::Timeout), Some(Ok(Served::Loopback { parts: 1 })))
    );
}

/// The remote's kick words after both channels were created before Linux
/// probed and Linux then filled its input ring and kicked queue 0, and
/// after one message to each channel.
fn kick_words<C: Config>() -> (Vec<u32>, Vec<u32>) {
    let mem = memory();
    let linux = RefCell::new(Linux::unprobed(&mem));
    let mut dev: Dev<C> = device(&linux, &mem);
    let mut echo = Echo::new(&mut dev).unwrap();
    linux.borrow_mut().init(0, 8, 8);
    let (ld, lt) = settle(&mut dev, &linux).expect("both channels announced");
    let announced = core::mem::take(&mut dev.platform_mut().kicks);
    // A message for no endpoint first: handed back unanswered.
    linux.borrow_mut().send(lt, 99, b"nobody");
    linux.borrow_mut().send(ld, DEMO_ADDR, b"a");
    linux.borrow_mut().send(lt, TTY_ADDR, b"b");
    assert_eq!(echo.serve(&mut dev, T), Ok(Served::Echo { parts: 1 }));
    assert_eq!(echo.serve(&mut dev, T), Ok(Served::Loopback { parts: 1 }));
    (announced, core::mem::take(&mut dev.platform_mut().kicks))
}

#[test]
fn every_message_it_sends_is_kicked_on_its_own_and_queue_1_never() {
    let (q0, q1) = (kick_word(0), kick_word(1));
    // Ours: one kick for both announcements (one look at the rings); each
    // answer kicks queue 0, each buffer handed back queue 1.
    let (announced, serving) = kick_words::<Sim64k>();
    assert_eq!(announced, [q0]);
    assert_eq!(serving, [q1, q0, q1, q0, q1]);
    // rpmsg-lite-like: a kick per announcement, a kick per answer, and
    // never queue 1 (the MU word waits each time for Linux to have read the
    // previous one: imx7-rpmsg's kick tests).
    let (announced, serving) = kick_words::<Sim64kLite>();
    assert_eq!(announced, [q0, q0]);
    assert_eq!(serving, [q0, q0]);
}
