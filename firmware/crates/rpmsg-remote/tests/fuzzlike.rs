// SPDX-License-Identifier: MIT OR Apache-2.0
//! The cargo-fuzz body run on stable as a bounded, deterministic proptest
//! (fixed seed): random shared memory and random operation scripts must not
//! make the remote panic, hang or write where it must not.

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x7270_6d73_6721),
        failure_persistence: None,
        ..Config::default()
    }
}

use std::cell::Cell;

thread_local! {
    static REACHED: Cell<(u32, u32, u64)> = const { Cell::new((0, 0, 0)) };
}

fn record(s: common::fuzz::Stats) {
    REACHED.with(|r| {
        let (a, b, c) = r.get();
        r.set((a + s.received, b + s.sent, c + s.faults));
    });
}

proptest! {
    #![proptest_config(config(600))]

    #[test]
    fn random_memory_and_scripts_are_survived(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        record(common::fuzz::run(&data));
    }

    #[test]
    fn plausible_linux_state_with_scribbles(
        start in any::<u16>(),
        n in (0u8..41, 0u8..41),
        ns in any::<bool>(),
        script in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut data = vec![if ns { 2 } else { 0 }];
        data.extend_from_slice(&start.to_le_bytes());
        data.extend_from_slice(&[n.0, n.1]);
        data.extend_from_slice(&script);
        record(common::fuzz::run(&data));
    }
}

#[test]
fn corpus_of_hand_picked_cases() {
    // Empty input, random-memory mode with no script, and a script that
    // only polls and receives over a full plausible state.
    common::fuzz::run(&[]);
    assert!(common::fuzz::run(&[1, 1, 2, 3, 4, 5, 6, 7, 8]).faults > 0);
    let mut d = vec![0, 0xF0, 0xFF, 40, 40];
    for _ in 0..60 {
        // Receive (offset 0), release it, send 16 bytes to 1024.
        d.extend_from_slice(&[0, 3, 0, 0, 4, 0, 0, 5, 16, 0, 0, 4, 0, 0]);
    }
    let st = common::fuzz::run(&d);
    assert!(st.received > 10 && st.sent > 10, "{st:?}");
}
