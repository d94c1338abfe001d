// SPDX-License-Identifier: GPL-2.0
//! KUnit tests of the transmit FIFO (record boundaries, MTU splitting,
//! wrap-around, records read in place, clearing while a record is being
//! sent) and of the escaping of
//! remote names in log lines; they run when the module is loaded and print
//! `# rpmsg_tty_rs: pass:N fail:0 ...`.

#[kernel::macros::kunit_tests(rpmsg_tty_rs)]
mod suite {
    use crate::fifo::{RecordFifo, FIFO_BYTES, FIFO_RECORDS};
    use crate::report::Escaped;
    use kernel::{prelude::fmt, str::CString};

    /// A copy of the `len` bytes at `p`, a record being sent, read in
    /// place.
    fn in_place(p: *const u8, len: usize) -> kernel::alloc::KVec<u8> {
        // SAFETY: Callers pass a record that `front` marked as being sent
        // and that was not popped: its bytes stay where they are.
        let s = unsafe { core::slice::from_raw_parts(p, len) };
        let mut v = kernel::alloc::KVec::new();
        v.extend_from_slice(s, kernel::alloc::flags::GFP_KERNEL)
            .unwrap();
        v
    }

    /// Pops every record, returning their lengths and bytes.
    fn drain(f: &mut RecordFifo) -> (kernel::alloc::KVec<usize>, kernel::alloc::KVec<u8>) {
        let mut lens = kernel::alloc::KVec::new();
        let mut bytes = kernel::alloc::KVec::new();
        let mut buf = [0u8; 64];
        while let Some(front) = f.front() {
            let len = f.copy_front(&mut buf).unwrap();
            assert_eq!(len, front.len);
            if let Some(p) = front.bytes {
                assert_eq!(&in_place(p, len)[..], &buf[..len]);
            }
            lens.push(len, kernel::alloc::flags::GFP_KERNEL).unwrap();
            bytes
                .extend_from_slice(&buf[..len], kernel::alloc::flags::GFP_KERNEL)
                .unwrap();
            assert!(f.pop(front.seq));
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
            let front = f.front().unwrap();
            let len = f.copy_front(&mut buf).unwrap();
            for b in &buf[..len] {
                assert_eq!(*b, expect);
                expect = expect.wrapping_add(1);
            }
            assert!(f.pop(front.seq));
        }
        let (_, rest) = drain(&mut f);
        for b in rest.iter() {
            assert_eq!(*b, expect);
            expect = expect.wrapping_add(1);
        }
        assert_eq!(expect, next);
    }

    #[test]
    fn the_tty_fifo_fills_with_whole_messages() {
        // Records are no limit for a writer of messages of 496 bytes (the
        // MTU of virtio_rpmsg_bus) or of 256: only the bytes are.
        let mut f = RecordFifo::new(FIFO_BYTES, FIFO_RECORDS).unwrap();
        assert_eq!(f.room(496), FIFO_BYTES);
        assert_eq!(f.room(256), FIFO_BYTES);
        let chunk = [0x5au8; 4096];
        let mut held = 0;
        while f.room(496) > 0 {
            held += f.push(&chunk, 496);
        }
        assert_eq!(held, FIFO_BYTES);
    }

    #[test]
    fn a_full_ring_wraps_at_its_ends() {
        let mut f = RecordFifo::new(8, 2).unwrap();
        assert_eq!(f.push(b"abcdefgh", 4), 8);
        assert_eq!(f.room(4), 0);
        let front = f.front().unwrap();
        assert!(f.pop(front.seq));
        // Byte and record tails both at the end of their rings: wrap to 0.
        assert_eq!(f.push(b"wxyz", 4), 4);
        assert_eq!(f.room(4), 0);
        let (lens, bytes) = drain(&mut f);
        assert_eq!(&lens[..], &[4, 4]);
        assert_eq!(&bytes[..], b"efghwxyz");
        assert_eq!(f.push(b"12", 4), 2);
        let (_, bytes) = drain(&mut f);
        assert_eq!(&bytes[..], b"12");
    }

    #[test]
    fn records_are_read_in_place_unless_they_wrap() {
        let mut f = RecordFifo::new(10, 4).unwrap();
        assert_eq!(f.push(b"abcdefg", 8), 7);
        let front = f.front().unwrap();
        let p = front.bytes.unwrap();
        assert_eq!(&in_place(p, front.len)[..], b"abcdefg");
        assert_eq!(f.push(b"xy", 8), 2);
        assert_eq!(&in_place(p, 7)[..], b"abcdefg");
        assert!(f.pop(front.seq));
        let front = f.front().unwrap();
        assert_eq!(&in_place(front.bytes.unwrap(), 2)[..], b"xy");
        assert!(f.pop(front.seq));
        // The next record wraps around the end of the ring: copied, not
        // read in place.
        assert_eq!(f.push(b"wrap", 8), 4);
        let front = f.front().unwrap();
        assert!(front.bytes.is_none());
        let mut buf = [0u8; 8];
        assert_eq!(f.copy_front(&mut buf), Some(4));
        assert_eq!(&buf[..4], b"wrap");
        assert!(f.pop(front.seq));
        assert!(f.front().is_none());
        assert_eq!(f.copy_front(&mut buf), None);
    }

    #[test]
    fn clear_keeps_the_record_being_sent() {
        let mut f = RecordFifo::new(16, 4).unwrap();
        f.push(b"abc", 8);
        f.push(b"def", 8);
        let front = f.front().unwrap();
        f.clear();
        // Only the record being sent is left, and its bytes stay put.
        assert_eq!(f.pending(), 3);
        assert_eq!(f.push(b"0123456789abcdef", 8), 13);
        let p = front.bytes.unwrap();
        assert_eq!(&in_place(p, 3)[..], b"abc");
        // The sender finishes it; what was written after the clear stays.
        assert!(f.pop(front.seq));
        let (lens, bytes) = drain(&mut f);
        assert_eq!(&lens[..], &[8, 5]);
        assert_eq!(&bytes[..], b"0123456789abc");
    }

    #[test]
    fn clear_drops_everything_when_nothing_is_being_sent() {
        let mut f = RecordFifo::new(32, 4).unwrap();
        f.push(b"abc", 8);
        let front = f.front().unwrap();
        assert!(f.pop(front.seq));
        f.push(b"def", 8);
        f.push(b"ghi", 8);
        f.clear();
        assert_eq!(f.pending(), 0);
        assert!(f.front().is_none());
        // A stale sequence number pops nothing: neither the record popped
        // before the clear nor one dropped by it.
        f.push(b"xyz", 8);
        assert!(!f.pop(front.seq));
        assert!(!f.pop(front.seq + 1));
        let (_, bytes) = drain(&mut f);
        assert_eq!(&bytes[..], b"xyz");
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
