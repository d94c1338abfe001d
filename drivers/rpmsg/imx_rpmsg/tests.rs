// SPDX-License-Identifier: GPL-2.0
//! KUnit tests of the layout, queue-id, DT-shape and used-entry checking
//! logic; they run when
//! the module is loaded and print `# imx_rpmsg_rs: pass:N fail:0 ...`.

#[kernel::macros::kunit_tests(imx_rpmsg_rs)]
mod suite {
    use crate::config::*;
    use crate::kick::TxState;
    use crate::layout::*;
    use crate::session::{Action, Readiness};
    use crate::shmem::Window;
    use crate::virtio::device::{vring_size, RingMemory};
    use crate::virtio::shadow::{Geometry, Shadow};
    use crate::virtio::track::{Fault, MinUsed, Tracker};
    use core::ptr::NonNull;
    use kernel::{prelude::*, str::CString};

    const SEED: Window = Window {
        start: 0x8fff_0000,
        size: 0x1_0000,
    };

    #[test]
    fn ring_geometry_fits_half_a_vdev() {
        // 256 descriptors (4 KiB) + available ring, padded to 0x1000, + used ring.
        assert_eq!(vring_size(256, 0x1000), Some(0x2000 + 6 + 8 * 256));
        assert!(vring_size(RING_NUM, RING_ALIGN).unwrap() <= RING_SPAN);
        assert_eq!(vring_size(256, 0x1001), None);
        assert_eq!(vring_size(1, 4), Some(16 + 8 + 6 + 8));
        for (num, align) in [(256, 0x1000), (1, 4), (64, 16), (32768, 0x1000)] {
            let g = Geometry::new(num, align).unwrap();
            assert_eq!(Some(g.size()), vring_size(num, align));
        }
        assert_eq!(Geometry::new(255, 0x1000), None);
        assert_eq!(Geometry::new(65536, 0x1000), None);
        assert_eq!(Geometry::new(256, 3), None);
    }

    const HDR: MinUsed = MinUsed {
        len: 16,
        what: "the RPMsg header",
    };

    /// A tracker of a 4-descriptor ring with descriptors 0..3 given, each a
    /// 512-byte buffer.
    fn four_given() -> Tracker {
        let mut t = Tracker::new(4, HDR).unwrap();
        for id in 0..4 {
            t.give(id, 512);
        }
        // Giving twice does not count twice.
        t.give(2, 512);
        assert_eq!(t.held(), 4);
        t
    }

    #[test]
    fn sound_used_entries_return_buffers() {
        let mut t = four_given();
        assert_eq!(t.new_entries(0), Ok(0));
        assert_eq!(t.new_entries(2), Ok(2));
        assert_eq!(t.take(3, 16), Ok(()));
        assert_eq!(t.take(0, 512), Ok(()));
        assert_eq!((t.used(), t.held()), (2, 2));
        // Returned buffers can come back once given again; the index wraps.
        t.give(3, 512);
        assert_eq!(t.new_entries(5), Ok(3));
        for id in [1, 2, 3] {
            assert_eq!(t.take(id, 100), Ok(()));
        }
        assert_eq!(t.held(), 0);
    }

    #[test]
    fn faulty_used_entries_are_named() {
        let mut t = four_given();
        // Backwards by one and far ahead: more entries than buffers held.
        assert_eq!(
            t.new_entries(u16::MAX),
            Err(Fault::Index {
                from: 0,
                to: u16::MAX,
                held: 4
            })
        );
        assert!(t.new_entries(1000).is_err());
        assert!(t.new_entries(5).is_err());
        assert_eq!(t.take(4660, 20), Err(Fault::IdRange { id: 4660, num: 4 }));
        assert_eq!(t.take(4, 20), Err(Fault::IdRange { id: 4, num: 4 }));
        assert_eq!(t.take(1, 8), Err(Fault::Short { len: 8, min: HDR }));
        assert_eq!(t.take(1, 15), Err(Fault::Short { len: 15, min: HDR }));
        assert_eq!(
            t.take(1, 4096),
            Err(Fault::Long {
                len: 4096,
                size: 512
            })
        );
        // Nothing was taken by the faults.
        assert_eq!((t.used(), t.held()), (0, 4));
        assert_eq!(t.take(1, 16), Ok(()));
        // Returned twice.
        assert_eq!(t.take(1, 16), Err(Fault::NotHeld { id: 1 }));
        assert_eq!(t.held(), 3);
        // The words of the one log line.
        let text = |f: Fault| CString::try_from_fmt(fmt!("{}", f)).unwrap();
        assert_eq!(
            text(Fault::Short { len: 8, min: HDR }).to_bytes(),
            b"used length 8 below the RPMsg header (16 bytes)"
        );
        assert_eq!(
            text(t.new_entries(0xffff).unwrap_err()).to_bytes(),
            b"used index moved back from 1 to 65535"
        );
        assert_eq!(
            text(t.new_entries(1001).unwrap_err()).to_bytes(),
            b"used index jumped from 1 to 1001 (1000 entries), but the remote holds 3 buffers"
        );
        // A ring without a minimum takes empty entries.
        let mut t = Tracker::new(4, MinUsed::NONE).unwrap();
        t.give(0, 512);
        assert_eq!(t.take(0, 0), Ok(()));
        assert_eq!(t.take(0, 0), Err(Fault::NotHeld { id: 0 }));
    }

    /// Writes the `u16` at byte `off` of ring memory at `base`.
    fn poke(base: *mut u8, off: usize, v: u16) {
        // SAFETY: The callers pass ring memory of a test with `off` even and
        // in bounds; nothing else accesses it meanwhile.
        unsafe { base.add(off).cast::<u16>().write_volatile(v) };
    }

    /// Reads the `u16` at byte `off` of ring memory at `base`.
    fn peek(base: *mut u8, off: usize) -> u16 {
        // SAFETY: As in `poke`.
        unsafe { base.add(off).cast::<u16>().read_volatile() }
    }

    #[test]
    fn notifications_follow_the_remotes_no_notify_flag() {
        // Four descriptors, 16-byte alignment: available ring at 64, used
        // ring at 80 (the layout `vring_init()` gives).
        let geo = Geometry::new(4, 16).unwrap();
        let (avail, used) = (64, 80);
        let mut words = KVec::<u64>::new();
        words.resize(geo.size().div_ceil(8), 0, GFP_KERNEL).unwrap();
        let shared = words.as_mut_ptr().cast::<u8>();
        // SAFETY: `words` is normal memory of `geo.size()` bytes or more,
        // reached from here on only through raw pointers, and outlives the
        // shadow (dropped first, declared later).
        let mem = unsafe { RingMemory::new(NonNull::new(shared).unwrap(), geo.size()) };
        let mut shadow = Shadow::new(mem, geo, HDR).unwrap();
        let private = shadow.private_ring().cast::<u8>();
        // The driver makes descriptor `id` (512 bytes) available as the
        // `n`th entry.
        let add = |id: u16, n: u16| {
            poke(private, 16 * usize::from(id) + 8, 512);
            poke(private, avail + 4 + 2 * usize::from(n), id);
            poke(private, avail + 2, n + 1);
        };
        // A flag left from an earlier ring: the first notification of a
        // new ring goes all the same.
        poke(shared, used, 1);
        assert!(shadow.publish());
        // The remote suppresses notifications: buffers are published all
        // the same, without one.
        add(0, 0);
        assert!(!shadow.publish());
        assert_eq!(peek(shared, avail + 2), 1);
        assert_eq!(peek(shared, avail + 4), 0);
        assert_eq!(peek(shared, 8), 512);
        assert_eq!(shadow.held(), 1);
        // Other flag bits do not suppress.
        poke(shared, used, 0xfffe);
        add(1, 1);
        assert!(shadow.publish());
        assert_eq!((peek(shared, avail + 2), shadow.held()), (2, 2));
        // Cleared: notified again.
        poke(shared, used, 0);
        add(2, 2);
        assert!(shadow.publish());
        assert_eq!(peek(shared, avail + 4 + 4), 2);
    }

    #[test]
    fn seed_layout_places_rings_like_rpmsg_lite() {
        let l = Layout::new(SEED, 1).unwrap();
        assert_eq!(l.queues(), 2);
        assert_eq!(l.ring_address(0, 0), Some(0x8fff_0000));
        assert_eq!(l.ring_address(0, 1), Some(0x8fff_8000));
        assert_eq!(l.ring_offset(1, 0), None);
        assert_eq!(l.ring_offset(0, 2), None);
        let big = Window {
            start: 0x8ffc_0000,
            size: 0x4_0000,
        };
        let l = Layout::new(big, 4).unwrap();
        assert_eq!(
            l.ring_address(3, 1),
            Some(0x8ffc_0000 + 3 * 0x1_0000 + 0x8000)
        );
    }

    #[test]
    fn bad_layouts_are_refused() {
        assert_eq!(Layout::new(SEED, 0), Err(LayoutError::NoVdevs));
        assert_eq!(Layout::new(SEED, 2), Err(LayoutError::TooSmall(0x2_0000)));
        assert_eq!(
            Layout::new(SEED, MAX_VDEVS + 1),
            Err(LayoutError::TooManyVdevs(MAX_VDEVS + 1))
        );
        let small = Window {
            start: 0x8fff_0000,
            size: 0x8000,
        };
        assert_eq!(Layout::new(small, 1), Err(LayoutError::TooSmall(0x1_0000)));
        let odd = Window {
            start: 0x8fff_0800,
            size: 0x1_0000,
        };
        assert_eq!(Layout::new(odd, 1), Err(LayoutError::Misaligned));
        let high = Window {
            start: 0xffff_0000,
            size: 0x2_0000,
        };
        assert_eq!(Layout::new(high, 2), Err(LayoutError::OutOfReach));
        let top = Window {
            start: 0xffff_0000,
            size: 0x1_0000,
        };
        assert!(Layout::new(top, 1).is_ok());
    }

    #[test]
    fn queue_ids_and_kick_words() {
        assert_eq!(queue_id(0, 0), 0);
        assert_eq!(queue_id(0, 1), 1);
        assert_eq!(queue_id(3, 1), 7);
        assert_eq!(split_queue_id(7), (3, 1));
        assert_eq!(kick_word(1), 0x0001_0000);
        assert_eq!(kick_word(queue_id(MAX_VDEVS - 1, 1)), 31 << 16);
        for qid in 0..2 * MAX_VDEVS {
            assert_eq!(decode_kick(kick_word(qid), 2 * MAX_VDEVS), Some(qid));
        }
        // The low half is not part of the contract.
        assert_eq!(decode_kick(0x0001_1234, 2), Some(1));
        // Unknown queues are refused.
        assert_eq!(decode_kick(0x0002_0000, 2), None);
        assert_eq!(decode_kick(0xffff_0000, 2), None);
    }

    #[test]
    fn memory_sources_follow_the_binding() {
        let seed = Shape {
            has_reg: true,
            ..Shape::default()
        };
        assert_eq!(
            choose(seed),
            Ok(Sources {
                rings: RingSource::Reg,
                pool: None
            })
        );
        // NXP style: reg for the rings, memory-region for the buffers.
        let nxp = Shape {
            has_reg: true,
            regions: 1,
            ..Shape::default()
        };
        assert_eq!(choose(nxp).unwrap().pool, Some(0));
        // No reg: entry 0 holds the rings, entry 1 (optional) the buffers.
        let one = Shape {
            regions: 1,
            ..Shape::default()
        };
        assert_eq!(
            choose(one),
            Ok(Sources {
                rings: RingSource::Region(0),
                pool: None
            })
        );
        let two = Shape {
            regions: 2,
            ..Shape::default()
        };
        assert_eq!(choose(two).unwrap().pool, Some(1));
        // Names decide the order.
        let named = Shape {
            regions: 2,
            named: true,
            vrings: Some(1),
            buffers: Some(0),
            ..Shape::default()
        };
        assert_eq!(
            choose(named),
            Ok(Sources {
                rings: RingSource::Region(1),
                pool: Some(0)
            })
        );
        // Nothing at all, or names past the end.
        assert_eq!(choose(Shape::default()), Err(ShapeError::NoMemory));
        let bad = Shape {
            regions: 1,
            named: true,
            vrings: Some(1),
            ..Shape::default()
        };
        assert_eq!(choose(bad), Err(ShapeError::BadName));
        let unnamed_rings = Shape {
            regions: 1,
            named: true,
            buffers: Some(0),
            ..Shape::default()
        };
        assert_eq!(choose(unnamed_rings), Err(ShapeError::NoMemory));
    }

    #[test]
    fn kicks_are_served_round_robin() {
        let mut s = TxState::new();
        s.add(0);
        assert_eq!(s.next(), Some(0));
        // One word in flight at a time; kicks meanwhile are merged.
        s.add(1);
        s.add(0);
        s.add(0);
        assert_eq!(s.next(), None);
        s.done(None);
        // Queue 0 was served last: queue 1 goes first even though queue 0
        // was kicked again meanwhile.
        assert_eq!(s.next(), Some(1));
        s.add(1);
        s.done(None);
        assert_eq!(s.next(), Some(0));
        s.done(None);
        assert_eq!(s.next(), Some(1));
        s.done(None);
        assert_eq!(s.next(), None);
        // Wrap-around from the highest queue, and a failed send is retried.
        s.add(31);
        assert_eq!(s.next(), Some(31));
        s.add(3);
        s.done(Some(31));
        assert_eq!(s.next(), Some(3));
        s.done(None);
        assert_eq!(s.next(), Some(31));
    }

    #[test]
    fn m4_runs_only_while_every_vdev_is_ready() {
        let mut t = Readiness::new(2);
        // Probe: the core resets each vdev before its driver binds.
        assert_eq!(t.reset(0), Action::None);
        assert_eq!(t.driver_ok(0), Action::None);
        assert_eq!(t.reset(1), Action::None);
        assert_eq!(t.driver_ok(1), Action::Start);
        assert_eq!(t.driver_ok(1), Action::None);
        // Unbinding vdev 1's driver ends vdev 0's session too.
        assert_eq!(t.reset(1), Action::Stop { orphaned: 0b01 });
        assert_eq!(t.reset(1), Action::None);
        assert_eq!(t.driver_ok(1), Action::None);
        assert_eq!(t.reset(0), Action::None);
        assert_eq!(t.driver_ok(0), Action::Start);
        // Teardown: never started again.
        t.close();
        assert_eq!(t.reset(0), Action::None);
        assert_eq!(t.driver_ok(0), Action::None);
    }

    #[test]
    fn m4_of_one_vdev_follows_its_driver() {
        let mut t = Readiness::new(1);
        // Indices beyond the node's vdevs change nothing.
        assert_eq!(t.driver_ok(5), Action::None);
        assert_eq!(t.driver_ok(40), Action::None);
        assert_eq!(t.driver_ok(0), Action::Start);
        assert_eq!(t.reset(5), Action::None);
        assert_eq!(t.reset(40), Action::None);
        assert_eq!(t.reset(0), Action::Stop { orphaned: 0 });
        assert_eq!(t.driver_ok(0), Action::Start);
        let mut all = Readiness::new(32);
        for i in 0..31 {
            assert_eq!(all.driver_ok(i), Action::None);
        }
        assert_eq!(all.driver_ok(31), Action::Start);
    }
}
