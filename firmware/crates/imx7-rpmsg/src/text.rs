// SPDX-License-Identifier: MIT OR Apache-2.0
//! Texts of the diagnostic lines (portable, so they are tested on the host).

use rpmsg_remote::Fault;

/// One line describing `fault` (without the `rpmsg: ` prefix).
pub const fn fault_text(fault: Fault) -> &'static str {
    match fault {
        Fault::DescIndex => "dropped input: descriptor index out of range",
        Fault::DescFlags => "dropped input: chained or indirect descriptor",
        Fault::BufferAddress => "dropped input: buffer outside the shared window",
        Fault::BufferLen => "dropped input: buffer shorter than a header",
        Fault::HeaderLen => "dropped input: message longer than its buffer",
        Fault::AvailJump => "ignored ring: available index jumped too far",
        Fault::NsLength => "dropped name-service message: wrong length",
        Fault::NsFlags => "dropped name-service message: bad flags",
        Fault::UnknownDst => "dropped message for no local endpoint",
        Fault::RingReset(0) => "Linux re-created vring0: resynchronised, re-announcing",
        Fault::RingReset(_) => "Linux re-created vring1: resynchronised",
    }
}

/// Copies the NUL-terminated name in `raw` into `out`, replacing bytes that
/// are not printable ASCII by `?`; returns its length.
pub fn printable_name(raw: &[u8; 32], out: &mut [u8; 32]) -> usize {
    let n = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
    for (o, &b) in out.iter_mut().zip(&raw[..n]) {
        *o = if b.is_ascii_graphic() { b } else { b'?' };
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_cut_at_nul_and_sanitised() {
        let mut raw = [0u8; 32];
        raw[..9].copy_from_slice(b"rpmsg-tty");
        let mut out = [0u8; 32];
        let n = printable_name(&raw, &mut out);
        assert_eq!(&out[..n], b"rpmsg-tty");
        raw[3] = b'\n';
        raw[9..].fill(0xFF);
        let n = printable_name(&raw, &mut out);
        assert_eq!(n, 32);
        assert_eq!(&out[..11], b"rpm?g-tty??");
    }

    #[test]
    fn every_fault_has_a_text() {
        for f in [
            Fault::DescIndex,
            Fault::AvailJump,
            Fault::RingReset(0),
            Fault::RingReset(1),
        ] {
            assert!(!fault_text(f).is_empty());
        }
        assert_ne!(
            fault_text(Fault::RingReset(0)),
            fault_text(Fault::RingReset(1))
        );
    }
}
