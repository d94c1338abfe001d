// SPDX-License-Identifier: MIT OR Apache-2.0
//! Kick storms, for test firmware that must misbehave towards Linux: many
//! words on every MU channel, each written as soon as Linux has read the
//! previous one of its channel. Never an unread word is overwritten, and a
//! channel Linux stops reading is given up after a patience, so a storm
//! always ends.
//!
//! This module is the portable logic; on the M4 the feature `unchecked`
//! adds `Imx7Platform::kick_storm`, which runs it on MU side B (never
//! enable that feature in a product).

/// Channels of the MU.
pub const CHANNELS: usize = 4;

/// The MU's transmit side and a clock, as a storm needs them.
pub trait StormPort {
    /// Writes `word` to TRn of `channel` (0 to 3) if Linux has read the
    /// previous word (TEn set); whether it wrote.
    fn try_send(&mut self, channel: usize, word: u32) -> bool;
    /// A tick counter (wraps).
    fn now(&mut self) -> u32;
}

/// Writes `words` words to each channel, round-robin, the `n`-th word of
/// every channel being `word(n)`. A channel whose previous word stays
/// unread for more than `patience` ticks is given up. Returns the words
/// written per channel.
pub fn storm(
    port: &mut impl StormPort,
    words: u32,
    patience: u32,
    word: impl Fn(u32) -> u32,
) -> [u32; CHANNELS] {
    let mut sent = [0; CHANNELS];
    let start = port.now();
    // Per channel: when its last word went out; `None`: done or given up.
    let mut since = [Some(start); CHANNELS];
    if words == 0 {
        return sent;
    }
    while since.iter().any(Option::is_some) {
        for ch in 0..CHANNELS {
            let Some(t) = since[ch] else {
                continue;
            };
            if port.try_send(ch, word(sent[ch])) {
                sent[ch] += 1;
                since[ch] = (sent[ch] < words).then(|| port.now());
            } else if port.now().wrapping_sub(t) > patience {
                since[ch] = None;
            }
        }
    }
    sent
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    /// Four channels, each read by "Linux" every `every[ch]` attempts
    /// (0: never read); time moves one tick per attempt.
    struct Mu {
        every: [u32; CHANNELS],
        attempts: [u32; CHANNELS],
        unread: [Option<u32>; CHANNELS],
        read: [Vec<u32>; CHANNELS],
        order: Vec<usize>,
        ticks: u32,
    }

    impl Mu {
        fn new(every: [u32; CHANNELS]) -> Self {
            Self {
                every,
                attempts: [0; CHANNELS],
                unread: [None; CHANNELS],
                read: Default::default(),
                order: Vec::new(),
                ticks: 0,
            }
        }
    }

    impl StormPort for Mu {
        fn try_send(&mut self, ch: usize, word: u32) -> bool {
            self.ticks += 1;
            self.attempts[ch] += 1;
            let e = self.every[ch];
            if e != 0 && self.attempts[ch].is_multiple_of(e) {
                if let Some(w) = self.unread[ch].take() {
                    self.read[ch].push(w);
                }
            }
            if self.unread[ch].is_some() {
                return false;
            }
            self.unread[ch] = Some(word);
            self.order.push(ch);
            true
        }
        fn now(&mut self) -> u32 {
            self.ticks
        }
    }

    #[test]
    fn every_channel_gets_every_word_in_turn_never_overwritten() {
        let mut mu = Mu::new([1, 1, 1, 1]);
        let sent = storm(&mut mu, 1000, 10, |n| n * 3);
        assert_eq!(sent, [1000; CHANNELS]);
        for ch in 0..CHANNELS {
            let mut got = mu.read[ch].clone();
            got.extend(mu.unread[ch]);
            let want: Vec<u32> = (0..1000).map(|n| n * 3).collect();
            assert_eq!(got, want, "channel {ch}");
        }
        // Round-robin: the channels take turns.
        assert_eq!(mu.order[..8], [0, 1, 2, 3, 0, 1, 2, 3]);
    }

    #[test]
    fn a_slow_channel_still_gets_everything_a_dead_one_is_given_up() {
        // Channel 0 is read every 5th attempt, channel 2 never.
        let mut mu = Mu::new([5, 1, 0, 1]);
        let sent = storm(&mut mu, 200, 100, |n| n);
        assert_eq!(sent, [200, 200, 1, 200]);
        assert_eq!(mu.read[2], [] as [u32; 0]);
        assert_eq!(mu.unread[2], Some(0), "the one word stays, not overwritten");
    }

    #[test]
    fn patience_counts_from_the_last_word_written() {
        let mut mu = Mu::new([0; CHANNELS]);
        let sent = storm(&mut mu, 10, 50, |n| n);
        assert_eq!(sent, [1; CHANNELS]);
        // About 50 ticks after the first words, not more.
        assert!((50..=60).contains(&mu.ticks), "{}", mu.ticks);
        assert_eq!(storm(&mut Mu::new([1; CHANNELS]), 0, 50, |n| n), [0; 4]);
    }
}
