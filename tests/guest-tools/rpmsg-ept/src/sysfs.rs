// SPDX-License-Identifier: GPL-2.0
//! Finding the `/dev/rpmsg<N>` the kernel made for a new endpoint, from the
//! `rpmsg` class in sysfs.

use std::fs;
use std::io;

/// Where the kernel lists its RPMsg character devices.
const CLASS: &str = "/sys/class/rpmsg";

/// The `rpmsg<N>` endpoint devices present now, as their numbers.
pub fn endpoints() -> io::Result<Vec<u32>> {
    let mut found = Vec::new();
    for entry in fs::read_dir(CLASS)? {
        let name = entry?.file_name();
        if let Some(n) = name
            .to_str()
            .and_then(|s| s.strip_prefix("rpmsg"))
            .and_then(|s| s.parse().ok())
        {
            found.push(n);
        }
    }
    found.sort_unstable();
    Ok(found)
}

/// One attribute of `rpmsg<n>`, trimmed.
fn attr(n: u32, what: &str) -> Option<String> {
    fs::read_to_string(format!("{CLASS}/rpmsg{n}/{what}"))
        .ok()
        .map(|s| s.trim().to_string())
}

/// Whether `rpmsg<n>` is the endpoint `name` towards `dst`.
fn matches(n: u32, name: &str, dst: u32) -> bool {
    attr(n, "name").as_deref() == Some(name)
        && attr(n, "dst").and_then(|d| parse_u32(&d)) == Some(dst)
}

/// The newest endpoint device not in `before` that is `name` towards `dst`.
pub fn new_endpoint(before: &[u32], name: &str, dst: u32) -> io::Result<Option<u32>> {
    Ok(endpoints()?
        .into_iter()
        .rev()
        .find(|n| !before.contains(n) && matches(*n, name, dst)))
}

/// A number in decimal, or in hexadecimal with `0x`; the kernel prints
/// addresses in decimal, users often give `0xffffffff`.
pub fn parse_u32(s: &str) -> Option<u32> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u32::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_u32;

    #[test]
    fn numbers_in_decimal_or_hex() {
        assert_eq!(parse_u32("30"), Some(30));
        assert_eq!(parse_u32("0xffffffff"), Some(u32::MAX));
        assert_eq!(parse_u32("4294967295\n"), Some(u32::MAX));
        assert_eq!(parse_u32("-1"), None);
        assert_eq!(parse_u32("0x1_0000_0000"), None);
    }
}
