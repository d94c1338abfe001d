// SPDX-License-Identifier: GPL-2.0
//! KUnit tests of the transmit FIFO (record boundaries, MTU splitting,
//! wrap-around, clearing under a peeked record) and of the escaping of
//! remote names in log lines; they run when the module is loaded and print
//! `# rpmsg_tty_rs: pass:N fail:0 ...`.

#[kernel::macros::kunit_tests(rpmsg_tty_rs)]
mod suite {
    use crate::fifo::RecordFifo;
    use crate::report::Escaped;
    use kernel::{prelude::fmt, str::CString};

    /// Pops every record, returning their lengths and bytes.
    fn drain(f: &mut RecordFifo) -> (kernel::alloc::KVec<usize>, kernel::alloc::KVec<u8>) {
        let mut lens = kernel::alloc::KVec::new();
        let mut bytes = kernel::alloc::KVec::new();
        let mut buf = [0u8; 64];
        while let Some((seq, len)) = f.peek(&mut buf) {
            lens.push(len, kernel::alloc::flags::GFP_KERNEL).unwrap();
            bytes
                .extend_from_slice(&buf[..len], kernel::alloc::flags::GFP_KERNEL)
                .unwrap();
            assert!(f.pop(seq));
        }
        (lens, bytes)
    }

    #[test]
    fn writes_keep_their_boundaries() {
        let mut f = RecordFifo::new(64, 8).unwrap();
        assert_eq!(f.push(b"hello", 16), 5);
        assert_eq!(f.push(b"!", 16), 1);
        assert_eq!(f.pending(), 6);
        let (lens, bytes) = drain(&mut f);
        assert_eq!(&lens[..], &[5, 1]);
        assert_eq!(&bytes[..], b"hello!");
        assert_eq!(f.pending(), 0);
    }

    #[test]
    fn long_writes_split_at_the_mtu() {
        let mut f = RecordFifo::new(64, 8).unwrap();
        let data: [u8; 40] = core::array::from_fn(|i| i as u8);
        assert_eq!(f.push(&data, 16), 40);
        let (lens, bytes) = drain(&mut f);
        assert_eq!(&lens[..], &[16, 16, 8]);
        assert_eq!(&bytes[..], &data[..]);
    }

    #[test]
    fn room_counts_bytes_and_records() {
        let mut f = RecordFifo::new(64, 4).unwrap();
        assert_eq!(f.room(16), 64);
        assert_eq!(f.room(8), 32); // 4 records of 8
        assert_eq!(f.push(b"a", 8), 1);
        assert_eq!(f.room(8), 24);
        // A write larger than the room is cut, never dropped silently.
        let big = [7u8; 100];
        assert_eq!(f.push(&big, 8), 24);
        assert_eq!(f.room(8), 0);
        assert_eq!(f.push(b"x", 8), 0);
        assert_eq!(f.pending(), 25);
    }

    #[test]
    fn wraps_around_the_ring_in_order() {
        let mut f = RecordFifo::new(10, 4).unwrap();
        let mut next = 0u8;
        let mut expect = 0u8;
        let mut buf = [0u8; 8];
        for _ in 0..50 {
            let chunk: [u8; 7] = core::array::from_fn(|i| next.wrapping_add(i as u8));
            let n = f.push(&chunk, 4);
            next = next.wrapping_add(n as u8);
            let (seq, len) = f.peek(&mut buf).unwrap();
            for b in &buf[..len] {
                assert_eq!(*b, expect);
                expect = expect.wrapping_add(1);
            }
            assert!(f.pop(seq));
        }
        let (_, rest) = drain(&mut f);
        for b in rest.iter() {
            assert_eq!(*b, expect);
            expect = expect.wrapping_add(1);
        }
        assert_eq!(expect, next);
    }

    #[test]
    fn clear_invalidates_a_peeked_record() {
        let mut f = RecordFifo::new(32, 4).unwrap();
        f.push(b"abc", 8);
        let mut buf = [0u8; 8];
        let (seq, _) = f.peek(&mut buf).unwrap();
        f.clear();
        f.push(b"xyz", 8);
        // The sender finishes the old record: the new one must survive.
        assert!(!f.pop(seq));
        let (seq2, len) = f.peek(&mut buf).unwrap();
        assert_eq!(&buf[..len], b"xyz");
        assert!(f.pop(seq2));
        assert!(f.peek(&mut buf).is_none());
    }

    #[test]
    fn remote_names_are_escaped() {
        let name = b"tty\n[ 0.0] fake\x1b[31m\\\xff";
        let s = CString::try_from_fmt(fmt!("{}", Escaped(name))).unwrap();
        assert_eq!(s.to_bytes(), b"tty\\x0a[ 0.0] fake\\x1b[31m\\\\\\xff");
        let plain = CString::try_from_fmt(fmt!("{}", Escaped(b"rpmsg-tty"))).unwrap();
        assert_eq!(plain.to_bytes(), b"rpmsg-tty");
    }
}
