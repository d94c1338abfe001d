// SPDX-License-Identifier: GPL-2.0
//! `imx_mu_test_client`: a mailbox client that tests an i.MX MU controller
//! (ours or the kernel's `imx-mailbox`) against the `mu-echo` M4 firmware,
//! which answers a word `w` on channel `n` with `!w ^ (n << 24)` on the same
//! channel and rings doorbell `n` back when doorbell `n` rings.
//!
//! It binds an `imx-rpmsg-rs,mu-test-client` node whose `mbox-names` are
//! `tx0`..`tx3`, `rx0`..`rx3`, `txdb0`..`txdb3`, `rxdb0`..`rxdb3`, runs the
//! test in probe (so `insmod` returns when it is done) and prints one line:
//! `imx-mu-test: PASS ...` or `imx-mu-test: FAIL <reason>`. It uses the
//! client glue of rust/mailbox/ only, without `unsafe`.
//!
//! Phases: (0) if `busy_test`, a word left unread in TR3 by a released
//! channel must not be overwritten by the next client's word: all four
//! answers must come back in order; (1) `words` words on each of the four
//! channels at once, every answer checked; (2) `doorbells` rounds ringing
//! all four doorbells and waiting for the four answers (with
//! `overlap_doorbells` off, each doorbell's answer before the next ring).

use core::{
    fmt,
    sync::atomic::{AtomicU32, Ordering},
};
use kernel::{
    device::{Bound, Core, Device},
    of, platform,
    prelude::*,
    str::CString,
    sync::Arc,
    time::{delay::fsleep, Delta},
};

/// The mailbox glue (rust/mailbox/), compiled into this module. The test
/// client uses its client half only.
#[allow(dead_code)]
#[path = "../../rust/mailbox/mod.rs"]
mod mailbox;

use mailbox::client::{Channel, MboxClient, MuWord, Signal};

/// MU channels per type.
const CHANNELS: usize = 4;
/// Give up when nothing has moved for this long (the M4 or the controller
/// is dead); a liveness guard, not a timing assertion.
const STALL_MS: u32 = 20_000;
/// Poll interval while waiting for the callbacks.
const POLL: Delta = Delta::from_millis(2);

const TX: [&CStr; CHANNELS] = [c"tx0", c"tx1", c"tx2", c"tx3"];
const RX: [&CStr; CHANNELS] = [c"rx0", c"rx1", c"rx2", c"rx3"];
const TXDB: [&CStr; CHANNELS] = [c"txdb0", c"txdb1", c"txdb2", c"txdb3"];
const RXDB: [&CStr; CHANNELS] = [c"rxdb0", c"rxdb1", c"rxdb2", c"rxdb3"];

/// Channel used by the busy test.
const BUSY_CHAN: usize = 3;

/// The answer of `mu-echo` to `word` on channel `n`.
fn echo_reply(word: u32, n: usize) -> u32 {
    !word ^ ((n as u32) << 24)
}

/// The `i`-th word sent on channel `n`: edge values first, then a
/// deterministic pseudo-random sequence different per channel.
fn test_word(n: usize, i: u32) -> u32 {
    const EDGES: [u32; 8] = [
        0,
        1,
        0xFFFF_FFFF,
        0x8000_0000,
        0x7FFF_FFFF,
        0x1234_5678,
        0xDEAD_BEEF,
        0x00FF_00FF,
    ];
    if let Some(&w) = EDGES.get(i as usize) {
        return w;
    }
    // xorshift32 of a per-(channel, index) seed.
    let mut x = i.wrapping_mul(0x9E37_79B9) ^ ((n as u32 + 1) << 28) ^ 0x2545_F491;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    x
}

/// Callbacks of a TX word channel: count completions.
#[pin_data]
struct TxWord {
    done: AtomicU32,
}

impl MboxClient for TxWord {
    type Format = MuWord;

    fn tx_done(chan: &Channel<'_, Self>, result: Result) {
        if result.is_ok() {
            chan.handler().done.fetch_add(1, Ordering::AcqRel);
        }
    }
}

/// Callbacks of a TX doorbell channel (nothing to do).
struct TxBell;

impl MboxClient for TxBell {
    type Format = Signal;
}

/// Per-channel progress of the word exchange.
struct WordState {
    /// Index of the word whose answer is awaited; `u32::MAX` when idle.
    awaiting: AtomicU32,
    /// Answers received and checked.
    answered: AtomicU32,
    /// Answers that were wrong, or words nobody waited for.
    bad: AtomicU32,
    /// The first wrong answer: index, then the value.
    first_bad: [AtomicU32; 2],
}

impl WordState {
    const fn new() -> Self {
        Self {
            awaiting: AtomicU32::new(u32::MAX),
            answered: AtomicU32::new(0),
            bad: AtomicU32::new(0),
            first_bad: [AtomicU32::new(0), AtomicU32::new(0)],
        }
    }
}

/// State shared by all callbacks of one run.
struct Run<'a> {
    words: u32,
    tx: [Pin<KBox<Channel<'a, TxWord>>>; CHANNELS],
    txdb: [Pin<KBox<Channel<'a, TxBell>>>; CHANNELS],
    state: [WordState; CHANNELS],
    /// Doorbells rung back by the M4, per channel.
    bells: [AtomicU32; CHANNELS],
}

impl Run<'_> {
    /// Checks an answer on channel `n` and sends the next word.
    fn on_answer(&self, n: usize, got: Option<u32>) {
        let st = &self.state[n];
        let i = st.awaiting.load(Ordering::Acquire);
        let Some(got) = got else {
            st.bad.fetch_add(1, Ordering::AcqRel);
            return;
        };
        if i == u32::MAX {
            // Nothing outstanding: a stray word.
            self.note_bad(n, u32::MAX, got);
            return;
        }
        if got != echo_reply(test_word(n, i), n) {
            self.note_bad(n, i, got);
        }
        st.answered.fetch_add(1, Ordering::AcqRel);
        let next = i + 1;
        if next < self.words {
            st.awaiting.store(next, Ordering::Release);
            if self.tx[n].send(test_word(n, next)).is_err() {
                st.awaiting.store(u32::MAX, Ordering::Release);
                self.note_bad(n, next, 0);
            }
        } else {
            st.awaiting.store(u32::MAX, Ordering::Release);
        }
    }

    fn note_bad(&self, n: usize, index: u32, value: u32) {
        let st = &self.state[n];
        if st.bad.fetch_add(1, Ordering::AcqRel) == 0 {
            st.first_bad[0].store(index, Ordering::Relaxed);
            st.first_bad[1].store(value, Ordering::Relaxed);
        }
    }
}

/// Callbacks of an RX word channel.
struct RxWord<'a> {
    run: Arc<Run<'a>>,
    n: usize,
}

impl MboxClient for RxWord<'_> {
    type Format = MuWord;

    fn received(chan: &Channel<'_, Self>, msg: Option<u32>) {
        let this = chan.handler();
        this.run.on_answer(this.n, msg);
    }
}

/// Callbacks of an RX doorbell channel.
struct RxBell<'a> {
    run: Arc<Run<'a>>,
    n: usize,
}

impl MboxClient for RxBell<'_> {
    type Format = Signal;

    fn received(chan: &Channel<'_, Self>, _msg: ()) {
        let this = chan.handler();
        this.run.bells[this.n].fetch_add(1, Ordering::AcqRel);
    }
}

/// Requests channel `name` of `dev` with callbacks `handler`.
fn request<'a, C: MboxClient + 'a>(
    dev: &'a Device<Bound>,
    name: &'a CStr,
    handler: C,
) -> Result<Pin<KBox<Channel<'a, C>>>> {
    KBox::pin_init(
        Channel::request_by_name(dev, name, Ok::<_, Error>(handler)),
        GFP_KERNEL,
    )
    .inspect_err(|e| {
        if *e != EPROBE_DEFER {
            dev_err!(
                dev,
                "imx-mu-test: cannot get channel '{}' ({:?})\n",
                name.to_str().unwrap_or("?"),
                e
            );
        }
    })
}

/// Waits until `done()` holds, failing if `progress()` stops moving.
fn wait_for(mut done: impl FnMut() -> bool, progress: impl Fn() -> u32) -> Result {
    let mut last = progress();
    let mut still_ms = 0;
    while !done() {
        fsleep(POLL);
        let now = progress();
        if now != last {
            last = now;
            still_ms = 0;
        } else {
            still_ms += 2;
            if still_ms >= STALL_MS {
                return Err(ETIMEDOUT);
            }
        }
    }
    Ok(())
}

/// The bound test client: holds its channels until removed.
struct TestClient<'a> {
    _rx: [Pin<KBox<Channel<'a, RxWord<'a>>>>; CHANNELS],
    _rxdb: [Pin<KBox<Channel<'a, RxBell<'a>>>>; CHANNELS],
    _run: Arc<Run<'a>>,
}

struct TestClientDriver;

kernel::of_device_table!(
    OF_TABLE,
    <TestClientDriver as platform::Driver>::IdInfo,
    [(of::DeviceId::new(c"imx-rpmsg-rs,mu-test-client"), ())]
);

fn channels<'a, C: MboxClient + 'a>(
    dev: &'a Device<Bound>,
    names: &[&'a CStr; CHANNELS],
    mut make: impl FnMut(usize) -> C,
) -> Result<[Pin<KBox<Channel<'a, C>>>; CHANNELS]> {
    Ok([
        request(dev, names[0], make(0))?,
        request(dev, names[1], make(1))?,
        request(dev, names[2], make(2))?,
        request(dev, names[3], make(3))?,
    ])
}

/// Why a phase failed (the message, if it could be allocated).
struct Failure(Option<CString>);

/// Formats a [`Failure`].
fn fail(args: fmt::Arguments<'_>) -> Failure {
    Failure(CString::try_from_fmt(args).ok())
}

/// Phase 1: `words` words on every channel at once.
fn words_phase(dev: &Device<Bound>, run: &Run<'_>) -> Result<(), Failure> {
    if run.words == 0 {
        return Ok(());
    }
    for n in 0..CHANNELS {
        run.state[n].awaiting.store(0, Ordering::Release);
        run.tx[n]
            .send(test_word(n, 0))
            .map_err(|e| fail(fmt!("send on tx{n}: {e:?}")))?;
    }
    let answered = || {
        run.state
            .iter()
            .map(|s| s.answered.load(Ordering::Acquire))
            .sum::<u32>()
    };
    let all = run.words * CHANNELS as u32;
    let r = wait_for(|| answered() >= all, answered);
    for (n, st) in run.state.iter().enumerate() {
        let bad = st.bad.load(Ordering::Acquire);
        if bad != 0 {
            return Err(fail(fmt!(
                "channel {n}: {bad} bad answers, first at word {} = {:#010x}",
                st.first_bad[0].load(Ordering::Relaxed) as i32,
                st.first_bad[1].load(Ordering::Relaxed)
            )));
        }
    }
    let per = run
        .state
        .each_ref()
        .map(|s| s.answered.load(Ordering::Acquire));
    if r.is_err() {
        return Err(fail(fmt!(
            "word exchange stalled, answers per channel {per:?}"
        )));
    }
    let sent: u32 = run
        .tx
        .iter()
        .map(|c| c.handler().done.load(Ordering::Acquire))
        .sum();
    dev_info!(
        dev,
        "imx-mu-test: words: answers per channel {:?} checked, {} sends completed\n",
        per,
        sent
    );
    Ok(())
}

/// Phase 2: ring all four doorbells, wait for the four answers; repeat.
/// Unless `overlap`, each doorbell's answer is awaited before the next ring,
/// so no ring is ever pending while another is made.
fn doorbell_phase(run: &Run<'_>, rounds: u32, overlap: bool) -> Result<(), Failure> {
    let rung = || {
        run.bells
            .iter()
            .map(|b| b.load(Ordering::Acquire))
            .sum::<u32>()
    };
    for round in 1..=rounds {
        for (n, chan) in run.txdb.iter().enumerate() {
            chan.send(0)
                .map_err(|e| fail(fmt!("ring txdb{n}: {e:?}")))?;
            if !overlap {
                wait_for(|| run.bells[n].load(Ordering::Acquire) >= round, rung)
                    .map_err(|_| fail(fmt!("doorbell {n}, round {round}: no answer")))?;
            }
        }
        wait_for(
            || run.bells.iter().all(|b| b.load(Ordering::Acquire) >= round),
            rung,
        )
        .map_err(|_| {
            let got = run.bells.each_ref().map(|b| b.load(Ordering::Acquire));
            fail(fmt!("doorbell round {round}: answers so far {got:?}"))
        })?;
        for (n, b) in run.bells.iter().enumerate() {
            let got = b.load(Ordering::Acquire);
            if got != round {
                return Err(fail(fmt!(
                    "doorbell {n}: {got} answers after {round} rings"
                )));
            }
        }
    }
    Ok(())
}

/// Answers seen by the busy test's receive channel, in order.
struct BusyLog {
    words: [AtomicU32; 4],
    count: AtomicU32,
}

/// Callbacks of the busy test's receive channel: log the answers.
struct BusyRx {
    log: Arc<BusyLog>,
}

impl MboxClient for BusyRx {
    type Format = MuWord;

    fn received(chan: &Channel<'_, Self>, msg: Option<u32>) {
        let log = &chan.handler().log;
        let k = log.count.fetch_add(1, Ordering::AcqRel) as usize;
        if let Some(slot) = log.words.get(k) {
            slot.store(msg.unwrap_or(0), Ordering::Release);
        }
    }
}

/// Phase 0: a word left unread in TR3 by a released channel must survive
/// the next client's send (the driver must not overwrite it).
fn busy_phase(dev: &Device<Bound>) -> Result<(), Failure> {
    let ch = BUSY_CHAN;
    let words = [0x0B05_0001u32, 0x0B05_0002, 0x0B05_0003, 0x0B05_0004];
    let err = |what: &str, e: Error| fail(fmt!("busy: {what}: {e:?}"));
    let log = Arc::new(
        BusyLog {
            words: [const { AtomicU32::new(0) }; 4],
            count: AtomicU32::new(0),
        },
        GFP_KERNEL,
    )
    .map_err(|_| err("alloc", ENOMEM))?;
    let new_tx = || {
        request(
            dev,
            TX[ch],
            TxWord {
                done: AtomicU32::new(0),
            },
        )
    };
    let tx = new_tx().map_err(|e| err("request tx", e))?;
    // Nobody reads RR3: the M4 answers word 1, takes word 2 and then waits
    // for its answer to be read, so word 3 stays unread in TR3.
    for w in &words[..3] {
        tx.send(*w).map_err(|e| err("send", e))?;
    }
    let done = || tx.handler().done.load(Ordering::Acquire);
    wait_for(|| done() >= 2, done)
        .map_err(|_| fail(fmt!("busy: {} of 2 sends completed", done())))?;
    drop(tx);
    // A new client sends word 4 while word 3 is unread.
    let tx = new_tx().map_err(|e| err("request tx again", e))?;
    tx.send(words[3]).map_err(|e| err("send word 4", e))?;
    // Now read: the four answers must come back, in order.
    let rx = request(dev, RX[ch], BusyRx { log: log.clone() }).map_err(|e| err("request rx", e))?;
    let count = || log.count.load(Ordering::Acquire);
    let r = wait_for(|| count() >= 4, count);
    drop(rx);
    drop(tx);
    let got = log.words.each_ref().map(|w| w.load(Ordering::Acquire));
    let want = words.map(|w| echo_reply(w, ch));
    if r.is_err() || got != want || count() != 4 {
        return Err(fail(fmt!(
            "busy: answers {got:08x?} ({} received), want {want:08x?}",
            count()
        )));
    }
    Ok(())
}

impl platform::Driver for TestClientDriver {
    type IdInfo = ();
    type Data<'bound> = TestClient<'bound>;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        _info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        let dev: &'bound Device<Bound> = pdev.as_ref();
        let words = module_parameters::words.value();
        let rounds = module_parameters::doorbells.value();
        let busy = module_parameters::busy_test.value();
        let overlap = module_parameters::overlap_doorbells.value();

        // First, while TR3/RR3 are free: the busy test.
        let busy_result = if busy { busy_phase(dev) } else { Ok(()) };

        let run = Arc::new(
            Run {
                words,
                tx: channels(dev, &TX, |_| TxWord {
                    done: AtomicU32::new(0),
                })?,
                txdb: channels(dev, &TXDB, |_| TxBell)?,
                state: [const { WordState::new() }; CHANNELS],
                bells: [const { AtomicU32::new(0) }; CHANNELS],
            },
            GFP_KERNEL,
        )?;
        let rx = channels(dev, &RX, |n| RxWord {
            run: run.clone(),
            n,
        })?;
        let rxdb = channels(dev, &RXDB, |n| RxBell {
            run: run.clone(),
            n,
        })?;

        let result = busy_result
            .and_then(|()| words_phase(dev, &run))
            .and_then(|()| doorbell_phase(&run, rounds, overlap));
        match result {
            Ok(()) => dev_info!(
                dev,
                "imx-mu-test: PASS words={}x{} doorbells={}x{} busy_test={} overlap_doorbells={}\n",
                words,
                CHANNELS,
                rounds,
                CHANNELS,
                busy,
                overlap
            ),
            Err(Failure(why)) => dev_err!(
                dev,
                "imx-mu-test: FAIL {}\n",
                why.as_deref()
                    .and_then(|s| s.to_str().ok())
                    .unwrap_or("(out of memory)")
            ),
        }
        Ok(TestClient {
            _rx: rx,
            _rxdb: rxdb,
            _run: run,
        })
    }
}

kernel::module_platform_driver! {
    type: TestClientDriver,
    name: "imx_mu_test_client",
    authors: ["imx-rpmsg-rs contributors"],
    description: "Test client for i.MX MU mailboxes against the mu-echo firmware",
    license: "GPL",
    params: {
        words: u32 {
            default: 10000,
            description: "Words exchanged on each of the four channels",
        },
        doorbells: u32 {
            default: 100,
            description: "Doorbell rounds (all four doorbells each)",
        },
        busy_test: bool {
            default: true,
            description: "Check that an unread word is never overwritten (fails on imx-mailbox, which overwrites)",
        },
        overlap_doorbells: bool {
            default: true,
            description: "Ring all four doorbells before awaiting answers (imx-mailbox on i.MX7 can ring twice: its read-modify-write of CR rewrites a GIRn the M4 just acknowledged)",
        },
    },
}
