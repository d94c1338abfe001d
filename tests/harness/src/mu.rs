// SPDX-License-Identifier: GPL-2.0
//! i.MX7 Messaging Unit facts the system tests need: side A's registers as
//! Linux sees them and the answer the `mu-echo` firmware computes.

/// Physical base of MU side A (the Cortex-A7's side).
pub const SIDE_A_BASE: u32 = 0x30AA_0000;
/// Number of TR/RR channel pairs.
pub const CHANNELS: u32 = 4;

/// Address of transmit register TRn on side A.
pub fn tr(n: u32) -> u32 {
    SIDE_A_BASE + 4 * n
}

/// Address of receive register RRn on side A.
pub fn rr(n: u32) -> u32 {
    SIDE_A_BASE + 0x10 + 4 * n
}

/// SR bit saying RRn holds an unread word (RFn: bit 24 + 3 - n).
pub fn rf_bit(n: u32) -> u32 {
    1 << (24 + 3 - n)
}

/// The `mu-echo` firmware's answer to `word` received on channel `n`:
/// the bitwise complement with the channel number XORed into bits 24..31,
/// so that a stuck register, a loop-back in QEMU or a wrong channel all show.
pub fn echo_reply(word: u32, n: u32) -> u32 {
    !word ^ (n << 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_map() {
        assert_eq!(tr(0), 0x30AA_0000);
        assert_eq!(tr(3), 0x30AA_000C);
        assert_eq!(rr(0), 0x30AA_0010);
        assert_eq!(rr(3), 0x30AA_001C);
        assert_eq!(rf_bit(0), 1 << 27);
        assert_eq!(rf_bit(3), 1 << 24);
    }

    #[test]
    fn reply_is_never_the_word_and_differs_per_channel() {
        for w in [0, 1, 0xFFFF_FFFF, 0x8000_0000, 0x1234_5678] {
            let replies: Vec<u32> = (0..CHANNELS).map(|n| echo_reply(w, n)).collect();
            assert!(replies.iter().all(|&r| r != w));
            for (i, a) in replies.iter().enumerate() {
                assert!(replies[i + 1..].iter().all(|b| b != a));
            }
        }
        assert_eq!(echo_reply(0x1234_5678, 2), 0xEFCB_A987);
    }
}
