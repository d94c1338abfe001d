// SPDX-License-Identifier: GPL-2.0
//! `--stream BYTES`: a loopback stream through an `rpmsg_char` endpoint.
//! The writer sends BYTES in full-size messages while a reader thread
//! checks that every byte comes back, in order; the pattern is a function
//! of the byte's position, so nothing is stored.

use std::fs::File;
use std::io::{Read, Write};
use std::time::Instant;

/// Byte `i` of the stream.
pub fn pattern(i: u64) -> u8 {
    // A position-dependent value that is not periodic in a message length.
    let x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56;
    x as u8 ^ (i as u8)
}

/// Fills `buf` with the stream's bytes from position `at`.
pub fn fill(buf: &mut [u8], at: u64) {
    for (k, b) in buf.iter_mut().enumerate() {
        *b = pattern(at + k as u64);
    }
}

/// Index of the first byte of `got` that is not the stream's at `at`.
pub fn first_mismatch(got: &[u8], at: u64) -> Option<usize> {
    got.iter()
        .enumerate()
        .position(|(k, &b)| b != pattern(at + k as u64))
}

/// Streams `bytes` through `ept` in messages of `mtu` bytes and checks the
/// loopback. Returns a one-line summary.
pub fn run(ept: &mut File, bytes: u64, mtu: usize) -> Result<String, String> {
    let mut reader = ept.try_clone().map_err(|e| format!("dup: {e}"))?;
    let t = Instant::now();
    let check = std::thread::spawn(move || -> Result<u64, String> {
        let mut buf = vec![0u8; mtu];
        let mut at = 0u64;
        while at < bytes {
            let n = reader
                .read(&mut buf)
                .map_err(|e| format!("read at {at}: {e}"))?;
            if n == 0 {
                return Err(format!("end of file after {at} bytes"));
            }
            if let Some(k) = first_mismatch(&buf[..n], at) {
                return Err(format!("byte {} differs", at + k as u64));
            }
            at += n as u64;
        }
        Ok(at)
    });
    let mut buf = vec![0u8; mtu];
    let mut at = 0u64;
    let mut messages = 0u64;
    while at < bytes {
        let n = (bytes - at).min(mtu as u64) as usize;
        fill(&mut buf[..n], at);
        let sent = ept
            .write(&buf[..n])
            .map_err(|e| format!("write at {at}: {e}"))?;
        if sent != n {
            return Err(format!("wrote {sent} of {n} bytes at {at}"));
        }
        at += n as u64;
        messages += 1;
    }
    let got = check
        .join()
        .map_err(|_| "the reader panicked".to_string())??;
    Ok(format!(
        "stream ok: {got} bytes in {messages} messages, {} ms guest time",
        t.elapsed().as_millis()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_finds_shifts_and_swaps() {
        let mut a = vec![0u8; 1000];
        fill(&mut a, 0);
        assert_eq!(first_mismatch(&a, 0), None);
        assert_eq!(first_mismatch(&a[496..], 496), None);
        // The same bytes at another position (a replay or a loss) differ.
        assert!(first_mismatch(&a[..496], 496).is_some());
        let mut b = a.clone();
        b.swap(10, 11);
        assert_eq!(first_mismatch(&b, 0), Some(10));
    }
}
