// SPDX-License-Identifier: GPL-2.0
//! Summaries of measured durations: minimum, median, 99th percentile,
//! maximum and mean, in nanoseconds.

/// The summary of a set of durations (nanoseconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Number of samples.
    pub n: usize,
    /// Smallest sample.
    pub min: u64,
    /// Median (the mean of the two middle samples for an even count).
    pub median: f64,
    /// 99th percentile, nearest rank: the smallest sample that at least
    /// 99 % of the samples do not exceed.
    pub p99: u64,
    /// Largest sample.
    pub max: u64,
    /// Arithmetic mean.
    pub mean: f64,
}

/// The sample of nearest rank `p` percent of the sorted `s` (not empty).
fn nearest_rank(s: &[u64], p: u64) -> u64 {
    // rank = ceil(p / 100 * n), 1-based.
    let n = s.len() as u64;
    let rank = (p * n).div_ceil(100).max(1);
    s[(rank - 1) as usize]
}

/// Summarises `samples`; `None` when there are none.
pub fn summarise(samples: &[u64]) -> Option<Summary> {
    if samples.is_empty() {
        return None;
    }
    let mut s = samples.to_vec();
    s.sort_unstable();
    let n = s.len();
    let median = if n % 2 == 1 {
        s[n / 2] as f64
    } else {
        (s[n / 2 - 1] as f64 + s[n / 2] as f64) / 2.0
    };
    let sum: u128 = s.iter().map(|&v| u128::from(v)).sum();
    Some(Summary {
        n,
        min: s[0],
        median,
        p99: nearest_rank(&s, 99),
        max: s[n - 1],
        mean: sum as f64 / n as f64,
    })
}

/// `bytes` moved in `ns` nanoseconds, in bytes per second (0 for no time).
pub fn per_second(bytes: u64, ns: u64) -> f64 {
    if ns == 0 {
        0.0
    } else {
        bytes as f64 * 1e9 / ns as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_a_known_set() {
        let v: Vec<u64> = (1..=100).rev().collect();
        let s = summarise(&v).unwrap();
        assert_eq!((s.n, s.min, s.max, s.p99), (100, 1, 100, 99));
        assert_eq!(s.median, 50.5);
        assert_eq!(s.mean, 50.5);
    }

    #[test]
    fn small_and_odd_sets() {
        let s = summarise(&[7]).unwrap();
        assert_eq!((s.min, s.median, s.p99, s.max), (7, 7.0, 7, 7));
        let s = summarise(&[3, 1, 2]).unwrap();
        assert_eq!((s.median, s.p99), (2.0, 3));
        // One outlier in 1,000 stays above the 99th percentile.
        let mut v = vec![10u64; 999];
        v.push(1_000_000);
        let s = summarise(&v).unwrap();
        assert_eq!((s.p99, s.max), (10, 1_000_000));
        assert!(summarise(&[]).is_none());
    }

    #[test]
    fn rates() {
        assert_eq!(per_second(1000, 1_000_000_000), 1000.0);
        assert_eq!(per_second(1 << 20, 500_000_000), 2.0 * (1 << 20) as f64);
        assert_eq!(per_second(5, 0), 0.0);
    }
}
