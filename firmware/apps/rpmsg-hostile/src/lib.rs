// SPDX-License-Identifier: MIT OR Apache-2.0
//! `rpmsg-hostile`: a test firmware for the i.MX7 Cortex-M4 that misbehaves
//! towards Linux when Linux tells it to, one command at a time, so system
//! tests can check how Linux copes with a remote it cannot trust.
//!
//! Two channels, announced to Linux when the link comes up (and again after
//! Linux re-creates the rings, for as long as the firmware still serves):
//!
//! | channel | local address | what it does |
//! |---|---|---|
//! | [`TTY_NAME`] = `rpmsg-tty` | [`TTY_ADDR`] = 31 | returns every message unchanged to its sender, except one that triggers an armed corruption (below) |
//! | [`CTL_NAME`] = `rpmsg-hostile-ctl` | [`CTL_ADDR`] = 40 | takes commands and answers each |
//!
//! The loopback is byte-exact; a message longer than the payload of the
//! buffer Linux hands out for the answer goes back as consecutive messages
//! of at most one buffer each, in order.
//!
//! No Linux driver binds `rpmsg-hostile-ctl`: a test creates an endpoint
//! with `rpmsg_ctrl` and sends to address 40 from it. Answers go to the
//! address the command came from.
//!
//! # Control protocol
//!
//! A command is an ASCII word: the first run of bytes other than ASCII
//! white space and NUL in the message, so `stall`, `stall\n` and `stall\0`
//! are the same command. Whatever follows the word is reserved for the
//! arguments of later commands and ignored now. Only the first
//! [`COMMAND_MAX`] bytes of a message are looked at.
//!
//! | command | answer | then |
//! |---|---|---|
//! | `ping` | `pong` | serves on |
//! | `stall` | `ok stall` | stops serving for good (see below) |
//! | `used-short` | `ok used-short` | arms; at the trigger takes the next vring0 buffer B, writes the header `src 31, dst <trigger sender>, len 65535, flags 0` and returns B as used entry `{id B, len 8}` (below the 16-byte header); kicks queue 0 |
//! | `used-long` | `ok used-long` | arms; at the trigger the same with header `len 4`, payload `LONG`, used entry `{id B, len 4096}` (above the 512-byte buffer) |
//! | `hdr-long` | `ok hdr-long` | arms; at the trigger the same with header `len 400`, payload `LONG`, used entry `{id B, len 20}` (header length above the used length, within the buffer) |
//! | `idx-back` | `ok idx-back` | arms; at the trigger moves vring0's used index back by 1, writing no entry; kicks queue 0 |
//! | `idx-ahead` | `ok idx-ahead` | arms; at the trigger moves vring0's used index ahead by 1000, writing no entry; kicks queue 0 |
//! | `id-range` | `ok id-range` | arms; at the trigger takes the next vring0 buffer and withholds it; publishes the used entry `{id 4660, len 20}` in its place (4660 is beyond the 256 descriptors); kicks queue 0 |
//! | `id-twice` | `ok id-twice` | arms; at the trigger takes the next vring0 buffer A, writes the valid header `src 31, dst <trigger sender>, len 0, flags 0` (an empty message), and publishes the entries `{id A, len 16}` and `{id A, len 16}` by one used-index update (+2); a second buffer is taken and withheld; one kick of queue 0 |
//! | `ns-nonul` | `ok ns-nonul` | announces a 32-byte name without NUL, `rpmsg-hostile-nonul-0123456789ab`, at address 41 (flags 0, create) |
//! | `ns-ctrl` | `ok ns-ctrl` | announces the name `rpmsg-hostile\n\x1b[31mctrl` (a line feed and an ANSI colour escape, NUL-padded) at address 42 (create) |
//! | `ns-flags` | `ok ns-flags` | announces `rpmsg-hostile-flags` at address 43 with the unknown flags value `0x80000000` |
//! | `ns-flood` | `ok ns-flood` | announces 500 channels `flood-N` at address 2000 + N (N = 0 to 499, create), then destroys them in the same order: 1000 messages, each its own used-index update and kick |
//! | `ring-garbage` | `ok ring-garbage` | overwrites, in both vrings (vring0 at window offset 0, vring1 at 0x8000), every descriptor `i` (0 to 255) with `addr 0xdeadbeef_00000000 \| i, len 0xffffffff, flags 0xffff, next 0xffff`, every entry of the available ring's `ring[]` with 65535 and the available ring's `flags` with 0xffff; neither available index (nor `used_event`) and no used ring is written, nothing is kicked (see below) |
//! | `kick-storm` | `ok kick-storm` | the M4 program writes 10,000 words to each of the 4 MU channels, round-robin, each as soon as Linux has read the previous one of its channel (never overwriting one), giving a channel up after 100 ms unread; words alternate `0x0` and `0x10000` (kicks of queues 0 and 1); prints `rpmsg-hostile: kick-storm sent A B C D` (words per channel) on the UART |
//! | any other word | `unknown <word>`, the word cut to [`WORD_MAX`] bytes | serves on |
//!
//! **Stalled** (a remote that stops mid-stream): after the answer, the
//! firmware never reads or writes the rings again and never kicks Linux,
//! not even after Linux re-creates the rings. Messages Linux sends stay in
//! its ring, unconsumed, and Linux's senders run out of buffers.
//! [`Hostile::serve`] then returns [`Served::Stalled`] without touching the
//! device, and the M4 program sleeps for good.
//!
//! **Corrupting vring0's used ring** (the ring that carries messages to
//! Linux; [`corrupt`]) is arm-then-trigger, so a test can watch what a
//! reader of the loopback channel (Linux's `rpmsg_tty`) gets:
//!
//! 1. The command is answered `ok <word>` and only *arms* the corruption
//!    ([`Hostile::armed`]); nothing else happens. One corruption is armed
//!    at a time: a new corruption command replaces an armed one. Other
//!    commands (`ping`, `ns-*`, `kick-storm`, unknown words) leave it
//!    armed.
//! 2. The next message on the loopback channel *triggers* it: instead of
//!    looping that message back, the firmware releases it (returns the
//!    buffer to Linux as usual) and carries the corruption out once
//!    ([`Served::Corrupted`]); `<trigger sender>` is that message's sender.
//!    The corruption is then disarmed, also if it failed (`serve` returns
//!    the error, e.g. `Stale` for rings re-created meanwhile), and the
//!    firmware serves on.
//! 3. When Linux re-creates the rings before the trigger, the armed
//!    corruption is dropped (noticed at the next message the firmware
//!    takes); the next loopback message is then looped back as usual.
//!
//! The values, at the trigger:
//!
//! * `used-short`, `used-long`, `hdr-long`: B is the next buffer Linux
//!   made available, returned under its own, correct id; only lengths lie.
//!   One used-index update (+1) and one kick.
//! * `idx-back`, `idx-ahead`: the used index goes from U (Linux took the
//!   `ok` answer long before) to U - 1, or to U + 1000; no used entry is
//!   written.
//! * `id-range`: used length 20 is a header and 4 bytes. The withheld
//!   buffer is never returned: Linux loses it until it re-creates the
//!   rings.
//! * `id-twice`: since both entries are published together, Linux takes A
//!   back with the first one (a reader gets an empty message, no bytes)
//!   and cannot have given it to the remote again before it reads the
//!   second, so the second names a buffer the remote no longer holds. The
//!   second buffer taken is withheld as for `id-range`, so the firmware
//!   returns one entry per buffer it took.
//!
//! **Bad name-service messages** ([`ns`]): each is a 40-byte message
//! `name[32], addr, flags` (little-endian) to address 53, with a header
//! from `addr` to 53 as a real announcement from an endpoint at `addr`
//! has (used length 56); only the content is bad. The firmware has no
//! endpoint at those addresses: messages Linux sends to them are
//! dropped (and reported as `UnknownDst`).
//!
//! **Garbage in the rings' driver areas** ([`garbage`]): `ring-garbage`
//! writes right after its answer is published, in one go. This is what
//! only Linux may write; with Linux's validated rings (a private copy of
//! each ring, whose new descriptors and available entries are copied out
//! at each notification) it changes nothing Linux reads. What the firmware
//! then finds:
//!
//! * Every entry Linux had made available and the firmware had not taken
//!   yet reads 65535: on vring0 Linux's empty buffers (all but those on
//!   their way to Linux), on vring1 messages Linux had sent and the
//!   firmware had not received. Each is reported once (`DescIndex`) and
//!   skipped, at most a ring's worth per operation. No used entry can name
//!   them, so those buffers stay lost to Linux, and those messages unseen,
//!   until Linux re-creates the rings.
//! * A spare buffer of the stack (taken and given back unused; serving
//!   leaves none) fails its next validation on its garbage descriptor
//!   (`DescFlags`).
//! * What Linux publishes afterwards is sound: messages it sends, and the
//!   vring0 buffers it gives back once it took the messages in them, the
//!   `ok ring-garbage` answer's among them if Linux takes the answer after
//!   the overwrite (on the board a race between Linux's interrupt and the
//!   M4's writes). The firmware serves on with those: the loopback and the
//!   commands work with however few buffers came back. With none, an
//!   answer waits for a buffer in `Platform::wait` (woken by Linux's
//!   kicks; abandoned as `Timeout` with a finite timeout); a loopback
//!   answer holds the message it answers meanwhile.
//! * No index moves, so the firmware does not take the garbage for
//!   re-created rings. When Linux reloads its transport, zeroes and
//!   re-creates the rings, the firmware resynchronises, announces both
//!   channels again and serves as before.
//!
//! The firmware's own ring bookkeeping follows what it wrote
//! (`rpmsg-remote`'s feature `unchecked`): it does not take its corruption
//! for re-created rings, and when Linux reloads its transport and zeroes
//! the rings it resynchronises, announces both channels again and serves
//! as before. Until then, after `idx-ahead`, and after `idx-back` when all
//! of Linux's buffers are with the remote (256 on Linux), the firmware
//! sees more buffers available than Linux can own and cannot send (it
//! reports `AvailJump` and waits for the reload).
//!
//! # Adding a misbehaviour
//!
//! Each command is a [`Command`] with its word ([`Command::word`]), its
//! answer, and what the service does once the answer is sent
//! ([`Command::after`], an [`After`]). A new misbehaviour is a new
//! `Command` variant, an entry in [`Command::ALL`], and, when it does more
//! than answer, a new [`After`] (or [`Corruption`], armed and triggered as
//! above) that [`Hostile::serve`] (or the M4 program, for what needs the
//! hardware) carries out. Answers to misbehaviours are `ok <word>`, sent
//! before the misbehaviour starts (or is armed).
//!
//! This library is portable and tested on the host against the Linux
//! master model of `rpmsg-remote` (feature `testing`); the binary runs it on
//! the M4 with the `imx7-rpmsg` platform.
#![no_std]
#![deny(missing_docs)]

use rpmsg_remote::{Config, Device, Endpoint, Error, Platform, RxBuf, SharedMemory, TxBuf};

pub mod corrupt;
pub mod garbage;
pub mod ns;

pub use corrupt::Corruption;
pub use ns::NsFault;

/// Name of the loopback channel (upstream Linux's `rpmsg_tty` binds it).
pub const TTY_NAME: &[u8] = b"rpmsg-tty";
/// Local address of the loopback channel.
pub const TTY_ADDR: u32 = 31;
/// Name of the control channel (no Linux driver binds it).
pub const CTL_NAME: &[u8] = b"rpmsg-hostile-ctl";
/// Local address of the control channel.
pub const CTL_ADDR: u32 = 40;
/// Bytes of a command message that are looked at.
pub const COMMAND_MAX: usize = 64;
/// Bytes of an unknown word repeated in the `unknown <word>` answer.
pub const WORD_MAX: usize = 32;
/// Words a kick storm writes to each MU channel.
pub const STORM_WORDS: u32 = 10_000;
/// Ticks (1 ms on the M4) a kick storm waits for Linux to read a word
/// before it gives the channel up.
pub const STORM_PATIENCE: u32 = 100;

/// The `n`-th word of a kick storm on every channel: a kick of queue 0
/// for even `n`, of queue 1 for odd `n` (the words RPMsg kicks are made of).
pub const fn storm_word(n: u32) -> u32 {
    rpmsg_remote::kick_word(n % 2)
}

/// Bytes copied per step from a received buffer into an answer buffer.
const BOUNCE: usize = 64;
/// What every answer to an unknown word starts with.
const UNKNOWN: &[u8] = b"unknown ";
/// What every answer to a misbehaviour starts with.
const OK: &[u8] = b"ok ";
/// The longest answer.
const ANSWER_MAX: usize = UNKNOWN.len() + WORD_MAX;

/// A command of the control channel (see the crate documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `ping`: answers `pong`, nothing else.
    Ping,
    /// `stall`: answers `ok stall`, then stops serving for good.
    Stall,
    /// `used-short`: [`Corruption::UsedShort`].
    UsedShort,
    /// `used-long`: [`Corruption::UsedLong`].
    UsedLong,
    /// `hdr-long`: [`Corruption::HdrLong`].
    HdrLong,
    /// `idx-back`: [`Corruption::IdxBack`].
    IdxBack,
    /// `idx-ahead`: [`Corruption::IdxAhead`].
    IdxAhead,
    /// `id-range`: [`Corruption::IdRange`].
    IdRange,
    /// `id-twice`: [`Corruption::IdTwice`].
    IdTwice,
    /// `ns-nonul`: [`NsFault::NoNul`].
    NsNoNul,
    /// `ns-ctrl`: [`NsFault::Ctrl`].
    NsCtrl,
    /// `ns-flags`: [`NsFault::Flags`].
    NsFlags,
    /// `ns-flood`: [`NsFault::Flood`].
    NsFlood,
    /// `ring-garbage`: answers `ok ring-garbage`, then writes garbage over
    /// both vrings' descriptor tables and available entries and flags once
    /// ([`After::RingGarbage`]).
    RingGarbage,
    /// `kick-storm`: answers `ok kick-storm`; the M4 program then floods
    /// every MU channel ([`After::KickStorm`]).
    KickStorm,
}

/// What the service does once a command's answer is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum After {
    /// Goes on serving.
    Serve,
    /// Stops for good: no ring access and no kick ever again.
    Stall,
    /// Arms a corruption of vring0's used ring (replacing one already
    /// armed) and goes on serving; the next loopback message triggers it
    /// ([`Served::Corrupted`]).
    Arm(Corruption),
    /// Sends bad name-service messages once, then goes on serving.
    Ns(NsFault),
    /// Overwrites, once, every descriptor of both vrings with
    /// [`garbage::descriptor`], every available-ring entry with
    /// [`garbage::ENTRY`] and both available rings' flags with
    /// [`garbage::AVAIL_FLAGS`] (not the available indices, not the used
    /// rings), then goes on serving.
    RingGarbage,
    /// A kick storm, carried out by the M4 program (it needs the MU):
    /// [`STORM_WORDS`] words [`storm_word`]`(n)` on each of the four MU
    /// channels, each as soon as Linux has read the previous one of its
    /// channel; a channel whose word stays unread for [`STORM_PATIENCE`]
    /// ticks is given up. Then the service goes on serving.
    KickStorm,
}

impl Command {
    /// Every command.
    pub const ALL: [Command; 15] = [
        Command::Ping,
        Command::Stall,
        Command::UsedShort,
        Command::UsedLong,
        Command::HdrLong,
        Command::IdxBack,
        Command::IdxAhead,
        Command::IdRange,
        Command::IdTwice,
        Command::NsNoNul,
        Command::NsCtrl,
        Command::NsFlags,
        Command::NsFlood,
        Command::RingGarbage,
        Command::KickStorm,
    ];

    /// The word that selects the command.
    pub const fn word(self) -> &'static [u8] {
        match self {
            Command::Ping => b"ping",
            Command::Stall => b"stall",
            Command::UsedShort => b"used-short",
            Command::UsedLong => b"used-long",
            Command::HdrLong => b"hdr-long",
            Command::IdxBack => b"idx-back",
            Command::IdxAhead => b"idx-ahead",
            Command::IdRange => b"id-range",
            Command::IdTwice => b"id-twice",
            Command::NsNoNul => b"ns-nonul",
            Command::NsCtrl => b"ns-ctrl",
            Command::NsFlags => b"ns-flags",
            Command::NsFlood => b"ns-flood",
            Command::RingGarbage => b"ring-garbage",
            Command::KickStorm => b"kick-storm",
        }
    }

    /// What the service does once the answer is sent.
    pub const fn after(self) -> After {
        match self {
            Command::Ping => After::Serve,
            Command::Stall => After::Stall,
            Command::UsedShort => After::Arm(Corruption::UsedShort),
            Command::UsedLong => After::Arm(Corruption::UsedLong),
            Command::HdrLong => After::Arm(Corruption::HdrLong),
            Command::IdxBack => After::Arm(Corruption::IdxBack),
            Command::IdxAhead => After::Arm(Corruption::IdxAhead),
            Command::IdRange => After::Arm(Corruption::IdRange),
            Command::IdTwice => After::Arm(Corruption::IdTwice),
            Command::NsNoNul => After::Ns(NsFault::NoNul),
            Command::NsCtrl => After::Ns(NsFault::Ctrl),
            Command::NsFlags => After::Ns(NsFault::Flags),
            Command::NsFlood => After::Ns(NsFault::Flood),
            Command::RingGarbage => After::RingGarbage,
            Command::KickStorm => After::KickStorm,
        }
    }

    /// The command a message asks for: `Err` with the message's word if it
    /// names none.
    pub fn parse(msg: &[u8]) -> Result<Command, &[u8]> {
        let word = first_word(msg);
        Self::ALL.into_iter().find(|c| c.word() == word).ok_or(word)
    }

    /// Writes the answer into `out`.
    fn answer(self, out: &mut Answer) {
        match self {
            Command::Ping => out.push(b"pong"),
            _ => {
                out.push(OK);
                out.push(self.word());
            }
        }
    }
}

/// The first run of bytes in `msg` other than ASCII white space and NUL.
fn first_word(msg: &[u8]) -> &[u8] {
    let gap = |b: &u8| b.is_ascii_whitespace() || *b == 0;
    let start = msg.iter().position(|b| !gap(b)).unwrap_or(msg.len());
    let rest = &msg[start..];
    &rest[..rest.iter().position(gap).unwrap_or(rest.len())]
}

/// An answer being put together on the stack.
struct Answer {
    buf: [u8; ANSWER_MAX],
    len: usize,
}

impl Answer {
    fn new() -> Self {
        Self {
            buf: [0; ANSWER_MAX],
            len: 0,
        }
    }

    /// Appends as much of `bytes` as fits.
    fn push(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(ANSWER_MAX - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// What [`Hostile::serve`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Served {
    /// Returned a message on the loopback channel, in `parts` messages.
    Loopback {
        /// Messages the answer took (1 unless Linux's buffers are small).
        parts: u16,
    },
    /// Answered a command; `None`: an unknown word.
    Command(Option<Command>),
    /// A loopback message triggered the armed corruption: the message was
    /// released without being looped back, and the corruption carried
    /// out, addressed to the message's sender.
    Corrupted(Corruption),
    /// The answer was dropped: Linux re-created the rings meanwhile, or
    /// its buffer has no payload room (the buffer was handed back).
    Dropped,
    /// Stalled: nothing was done, and nothing ever will be.
    Stalled,
}

/// Counters of the service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages looped back.
    pub looped: u32,
    /// Loopback messages sent (more than `looped` when answers split).
    pub parts: u32,
    /// Commands answered, unknown words included.
    pub commands: u32,
    /// Answers dropped (see [`Served::Dropped`]) or abandoned on a timeout.
    pub dropped: u32,
    /// Misbehaviours carried out (corruptions when triggered, and
    /// name-service faults and ring garbage whether or not their answer
    /// got out; not `stall`, and not `kick-storm`, which the M4 program
    /// carries out).
    pub misbehaved: u32,
}

/// The two channels, the mode, and what was done.
#[derive(Debug)]
pub struct Hostile {
    tty: Endpoint,
    ctl: Endpoint,
    stalled: bool,
    armed: Option<Armed>,
    stats: Stats,
}

/// A corruption waiting for its trigger.
#[derive(Clone, Copy, Debug)]
struct Armed {
    corruption: Corruption,
    /// vring0's generation when it was armed: re-created rings drop it.
    gen: u8,
}

impl Hostile {
    /// Creates both endpoints on `dev` (announced as soon as the link is
    /// up). Fails if the device has fewer than two free endpoint slots or
    /// an address is taken.
    pub fn new<S: SharedMemory, P: Platform, C: Config, const E: usize>(
        dev: &mut Device<S, P, C, E>,
    ) -> Result<Self, Error> {
        let tty = dev.create_endpoint(Some(TTY_ADDR), Some(TTY_NAME))?;
        let ctl = dev.create_endpoint(Some(CTL_ADDR), Some(CTL_NAME))?;
        Ok(Self {
            tty,
            ctl,
            stalled: false,
            armed: None,
            stats: Stats::default(),
        })
    }

    /// The loopback channel's endpoint.
    pub fn tty(&self) -> &Endpoint {
        &self.tty
    }

    /// The control channel's endpoint.
    pub fn ctl(&self) -> &Endpoint {
        &self.ctl
    }

    /// What was done so far.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The corruption armed, waiting for the next loopback message, as of
    /// the latest [`serve`](Self::serve) (rings re-created since arming are
    /// noticed by the next one, which drops it).
    pub fn armed(&self) -> Option<Corruption> {
        self.armed.map(|a| a.corruption)
    }

    /// Whether a `stall` command stopped the service for good.
    pub fn is_stalled(&self) -> bool {
        self.stalled
    }

    /// Waits up to `timeout` ticks for a message and serves it: a loopback,
    /// the trigger of an armed corruption, or a command. Each answer buffer
    /// is waited for up to `timeout` too; with a finite timeout an answer
    /// whose buffers do not come in time is abandoned (`Timeout`, counted
    /// as dropped), so the firmware passes
    /// [`FOREVER`](rpmsg_remote::FOREVER). Once stalled, returns
    /// [`Served::Stalled`] at once without touching `dev`.
    pub fn serve<S: SharedMemory, P: Platform, C: Config, const E: usize>(
        &mut self,
        dev: &mut Device<S, P, C, E>,
        timeout: u32,
    ) -> Result<Served, Error> {
        if self.stalled {
            return Ok(Served::Stalled);
        }
        let rx = dev.recv(timeout)?;
        let gen = dev.unchecked_generation();
        if self.armed.is_some_and(|a| a.gen != gen) {
            // Linux re-created the rings: the session it was armed for is gone.
            self.armed = None;
        }
        if rx.is_for(&self.ctl) {
            return self.command(dev, rx, timeout);
        }
        if let Some(armed) = self.armed.take() {
            return self.strike(dev, rx, armed.corruption, timeout);
        }
        // The stack hands out messages for our endpoints only.
        let sent = loop_back(dev, &self.tty, &rx, timeout);
        // Stale (Linux re-created the ring) is already counted below.
        let _ = dev.release(rx);
        match sent {
            Ok(Some(parts)) => {
                self.stats.looped = self.stats.looped.wrapping_add(1);
                self.stats.parts = self.stats.parts.wrapping_add(u32::from(parts));
                Ok(Served::Loopback { parts })
            }
            Ok(None) => self.dropped(Ok(Served::Dropped)),
            Err(e) => self.dropped(Err(e)),
        }
    }

    /// Answers the command in `rx`, then does what it asks.
    fn command<S: SharedMemory, P: Platform, C: Config, const E: usize>(
        &mut self,
        dev: &mut Device<S, P, C, E>,
        rx: RxBuf,
        timeout: u32,
    ) -> Result<Served, Error> {
        let mut msg = [0u8; COMMAND_MAX];
        let n = dev.read(&rx, 0, &mut msg);
        let (current, src) = (dev.is_current(&rx), rx.src());
        let gen = dev.unchecked_generation();
        let _ = dev.release(rx);
        if !current {
            // Linux re-created the rings: the sender and its command are gone.
            return self.dropped(Ok(Served::Dropped));
        }
        let mut answer = Answer::new();
        let command = match Command::parse(&msg[..n]) {
            Ok(c) => {
                c.answer(&mut answer);
                Some(c)
            }
            Err(word) => {
                answer.push(UNKNOWN);
                answer.push(&word[..word.len().min(WORD_MAX)]);
                None
            }
        };
        // The misbehaviour starts, or is armed, whether or not its answer
        // got out.
        let sent = match command.map(Command::after) {
            Some(After::Arm(corruption)) => {
                self.armed = Some(Armed { corruption, gen });
                dev.send(&self.ctl, src, answer.bytes(), timeout)
            }
            Some(After::Ns(f)) => {
                let r = f.run(dev, &self.ctl, src, answer.bytes(), timeout);
                self.misbehaved(r)
            }
            Some(After::RingGarbage) => {
                let sent = dev.send(&self.ctl, src, answer.bytes(), timeout);
                garbage::strike(dev);
                self.misbehaved((sent, Ok(())))
            }
            Some(After::Stall) => {
                let sent = dev.send(&self.ctl, src, answer.bytes(), timeout);
                self.stalled = true;
                sent
            }
            // The M4 program storms once `serve` has returned.
            Some(After::Serve | After::KickStorm) | None => {
                dev.send(&self.ctl, src, answer.bytes(), timeout)
            }
        };
        match sent {
            Ok(()) => {
                self.stats.commands = self.stats.commands.wrapping_add(1);
                Ok(Served::Command(command))
            }
            Err(e) => self.dropped(Err(e)),
        }
    }

    /// Releases the loopback message `rx` without looping it back and
    /// carries out `corruption`, addressed to the message's sender.
    fn strike<S: SharedMemory, P: Platform, C: Config, const E: usize>(
        &mut self,
        dev: &mut Device<S, P, C, E>,
        rx: RxBuf,
        corruption: Corruption,
        timeout: u32,
    ) -> Result<Served, Error> {
        let src = rx.src();
        // Cannot be stale: `recv` just looked at the rings.
        let _ = dev.release(rx);
        corruption.strike(dev, src, timeout)?;
        self.stats.misbehaved = self.stats.misbehaved.wrapping_add(1);
        Ok(Served::Corrupted(corruption))
    }

    /// Counts a misbehaviour carried out; returns how its answer went.
    fn misbehaved(
        &mut self,
        (sent, done): (Result<(), Error>, Result<(), Error>),
    ) -> Result<(), Error> {
        if done.is_ok() {
            self.stats.misbehaved = self.stats.misbehaved.wrapping_add(1);
        }
        sent
    }

    /// Counts a dropped answer and returns `r`.
    fn dropped(&mut self, r: Result<Served, Error>) -> Result<Served, Error> {
        self.stats.dropped = self.stats.dropped.wrapping_add(1);
        r
    }
}

/// Sends the payload of `rx` back to its sender from `ept`, in as many
/// messages as Linux's buffers need. `Ok(None)`: dropped.
fn loop_back<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &mut Device<S, P, C, E>,
    ept: &Endpoint,
    rx: &RxBuf,
    timeout: u32,
) -> Result<Option<u16>, Error> {
    let mut sent = 0;
    let mut parts = 0u16;
    loop {
        let tx = dev.alloc_tx(timeout)?;
        let n = (rx.len() - sent).min(tx.capacity());
        // Allocating may have noticed a re-created ring: the sender is gone.
        // A buffer without room would never make progress.
        let usable = dev.is_current(rx) && (n > 0 || rx.is_empty());
        if !usable || copy(dev, rx, sent, &tx, n) < n {
            let _ = dev.release_tx(tx);
            return Ok(None);
        }
        if dev.send_tx(ept, rx.src(), tx, n).is_err() {
            // The buffer went stale while we worked: drop the rest.
            return Ok(None);
        }
        parts = parts.saturating_add(1);
        sent += n;
        if sent >= rx.len() {
            return Ok(Some(parts));
        }
    }
}

/// Copies `n` payload bytes of `rx`, from `from` on, to the start of `tx`'s
/// payload through a small bounce buffer; returns how many were copied
/// (fewer only if a buffer went stale).
fn copy<S: SharedMemory, P: Platform, C: Config, const E: usize>(
    dev: &Device<S, P, C, E>,
    rx: &RxBuf,
    from: usize,
    tx: &TxBuf,
    n: usize,
) -> usize {
    let mut bounce = [0u8; BOUNCE];
    let mut done = 0;
    while done < n {
        let want = (n - done).min(BOUNCE);
        let got = dev.read(rx, from + done, &mut bounce[..want]);
        if got == 0 || dev.tx_write(tx, done, &bounce[..got]) < got {
            break;
        }
        done += got;
    }
    done
}

#[cfg(test)]
mod tests;
