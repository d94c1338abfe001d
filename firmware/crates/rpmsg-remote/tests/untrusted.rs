// SPDX-License-Identifier: MIT OR Apache-2.0
//! Untrusted input from Linux is rejected without a panic, an overrun or a
//! hang, reported through the fault hook, and the link keeps working.

mod common;

use common::linux::{memory, Linux, Tweak, NUM, PHYS};
use common::{payload, up, Dev, DEMO};
use rpmsg_remote::{Endpoint, Error, Fault};
use std::cell::RefCell;

/// Linux sends one message with `tweak` applied, the remote polls; returns
/// what the remote received and the faults reported meanwhile.
fn inject(
    dev: &mut Dev,
    linux: &RefCell<Linux>,
    ept: &Endpoint,
    tweak: impl FnOnce(&mut Tweak),
) -> (Option<Vec<u8>>, Vec<Fault>) {
    let before = dev.platform().faults.len();
    linux
        .borrow_mut()
        .send_tweaked(1024, ept.addr(), b"payload", tweak);
    let mut buf = [0u8; 496];
    let got = dev.recv_into(&mut buf, 0).ok().map(|m| {
        assert_eq!(m.dst, ept.addr());
        buf[..m.len].to_vec()
    });
    (got, dev.platform().faults[before..].to_vec())
}

/// The link still echoes correctly and neither side saw a protocol error.
fn still_works(dev: &mut Dev, linux: &RefCell<Linux>, ept: &Endpoint) {
    for i in 0..3 {
        let data = payload(20 + i, i as u32);
        linux.borrow_mut().send(1024, ept.addr(), &data);
        let mut buf = [0u8; 496];
        let m = dev.recv_into(&mut buf, 10).unwrap();
        dev.send(ept, m.src, &buf[..m.len], 10).unwrap();
        linux.borrow_mut().step();
        assert_eq!(linux.borrow_mut().take(DEMO).unwrap().data, data);
    }
    linux.borrow_mut().step();
    linux.borrow_mut().reclaim();
    let l = linux.borrow();
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}

fn setup(mem: &[std::cell::Cell<u8>]) -> RefCell<Linux<'_>> {
    RefCell::new(Linux::new(mem, 0, 40, 40))
}

#[test]
fn header_length_beyond_descriptor_or_buffer_is_dropped() {
    let mem = memory();
    let linux = setup(&mem);
    let (mut dev, ept) = up(&linux, &mem);
    // Longer than the descriptor (16 + 7 bytes).
    let (got, f) = inject(&mut dev, &linux, &ept, |t| t.hdr_len = 8);
    assert_eq!((got, f), (None, vec![Fault::HeaderLen]));
    // Descriptor claims 4 KiB, header claims more than a 512-byte buffer.
    let (got, f) = inject(&mut dev, &linux, &ept, |t| {
        t.len = 4096;
        t.hdr_len = 497;
    });
    assert_eq!((got, f), (None, vec![Fault::HeaderLen]));
    // Exactly the buffer is fine.
    let (got, f) = inject(&mut dev, &linux, &ept, |t| {
        t.len = 4096;
        t.hdr_len = 496;
    });
    assert_eq!((got.map(|g| g.len()), f), (Some(496), vec![]));
    // Every rejected buffer went back to Linux.
    linux.borrow_mut().reclaim();
    assert_eq!(linux.borrow().tx_outstanding(), 0);
    still_works(&mut dev, &linux, &ept);
}

#[test]
fn descriptor_index_out_of_range_is_skipped() {
    let mem = memory();
    let linux = setup(&mem);
    let (mut dev, ept) = up(&linux, &mem);
    for bad in [NUM, NUM + 1, u16::MAX] {
        let (got, f) = inject(&mut dev, &linux, &ept, |t| t.avail_entry = bad);
        assert_eq!((got, f), (None, vec![Fault::DescIndex]));
    }
    still_works(&mut dev, &linux, &ept);
}

#[test]
fn buffer_outside_the_window_is_rejected_in_both_rings() {
    let mem = memory();
    let linux = setup(&mem);
    let (mut dev, ept) = up(&linux, &mem);
    for addr in [
        0,
        PHYS - 512,
        PHYS + 0x1_0000 - 20,
        PHYS + 0x1_0000,
        0x1_8FFF_0000,
        PHYS + 2,
        u64::MAX,
        // Inside the window but overlapping a vring.
        PHYS,
        PHYS + 0x1FF0,
        PHYS + 0x8000 + 0x2800,
    ] {
        let (got, f) = inject(&mut dev, &linux, &ept, |t| t.addr = addr);
        assert_eq!((got, f), (None, vec![Fault::BufferAddress]), "{addr:#x}");
    }
    // Shorter than a header.
    let (got, f) = inject(&mut dev, &linux, &ept, |t| {
        t.len = 15;
        t.hdr_len = 0;
    });
    assert_eq!((got, f), (None, vec![Fault::BufferLen]));
    still_works(&mut dev, &linux, &ept);

    // vring0: Linux's next empty buffers point outside the window; the
    // remote skips them (writing nothing) and uses the next good one.
    linux.borrow_mut().corrupt_rx_desc(0, 0x1000, 512, 2);
    linux.borrow_mut().corrupt_rx_desc(1, PHYS + 0xFFF0, 512, 2);
    // Pointing at vring0's own used ring.
    linux.borrow_mut().corrupt_rx_desc(2, PHYS + 0x2000, 512, 2);
    let before = dev.platform().faults.len();
    for i in 0..40u8 {
        dev.send(&ept, 1024, &[i], 10).unwrap();
        linux.borrow_mut().step();
    }
    let faults = &dev.platform().faults[before..];
    assert_eq!(faults, [Fault::BufferAddress; 3]);
    let mut l = linux.borrow_mut();
    let got: Vec<u8> = std::iter::from_fn(|| l.take(DEMO))
        .map(|m| m.data[0])
        .collect();
    assert_eq!(got, (0..40).collect::<Vec<u8>>());
    assert!(l.errors.is_empty(), "{:?}", l.errors);
}

#[test]
fn available_index_jumping_more_than_num_is_ignored_until_sane() {
    let mem = memory();
    let linux = setup(&mem);
    let (mut dev, ept) = up(&linux, &mem);
    for ring in [1, 0] {
        let idx = linux.borrow().avail_idx(ring);
        linux
            .borrow_mut()
            .set_avail_idx(ring, idx.wrapping_add(NUM + 1));
        let before = dev.platform().faults.len();
        dev.poll();
        if ring == 0 {
            assert_eq!(dev.try_send(&ept, 1024, b"x"), Err(Error::WouldBlock));
        } else {
            assert_eq!(dev.try_recv().map(|_| ()), Err(Error::WouldBlock));
        }
        assert!(dev.platform().faults[before..]
            .iter()
            .all(|f| *f == Fault::AvailJump));
        assert!(dev.platform().faults.len() > before);
        linux.borrow_mut().set_avail_idx(ring, idx);
    }
    still_works(&mut dev, &linux, &ept);
}

#[test]
fn chained_or_indirect_descriptors_are_rejected() {
    let mem = memory();
    let linux = setup(&mem);
    let (mut dev, ept) = up(&linux, &mem);
    // NEXT pointing at itself (a loop), NEXT to another, INDIRECT.
    let (got, f) = inject(&mut dev, &linux, &ept, |t| {
        t.flags = 1;
        t.next = t.avail_entry;
    });
    assert_eq!((got, f), (None, vec![Fault::DescFlags]));
    let (got, f) = inject(&mut dev, &linux, &ept, |t| {
        t.flags = 1;
        t.next = 3;
    });
    assert_eq!((got, f), (None, vec![Fault::DescFlags]));
    let (got, f) = inject(&mut dev, &linux, &ept, |t| t.flags = 4);
    assert_eq!((got, f), (None, vec![Fault::DescFlags]));
    // The WRITE flag alone is harmless.
    let (got, f) = inject(&mut dev, &linux, &ept, |t| t.flags = 2);
    assert_eq!((got, f), (Some(b"payload".to_vec()), vec![]));
    still_works(&mut dev, &linux, &ept);
}

#[test]
fn name_service_messages_from_linux_are_checked() {
    let mem = memory();
    let linux = setup(&mem);
    let (mut dev, ept) = up(&linux, &mem);
    let mut ns = [0u8; 40];
    ns[..9].copy_from_slice(b"linux-svc");
    ns[32..36].copy_from_slice(&1030u32.to_le_bytes());
    for len in [0, 39, 41, 496] {
        let mut data = vec![0u8; len];
        data[..len.min(40)].copy_from_slice(&ns[..len.min(40)]);
        linux.borrow_mut().send(1030, 53, &data);
        assert!(dev.try_recv().is_err());
        assert_eq!(
            dev.platform().faults.last(),
            Some(&Fault::NsLength),
            "len {len}"
        );
    }
    ns[36] = 2;
    linux.borrow_mut().send(1030, 53, &ns);
    assert!(dev.try_recv().is_err());
    assert_eq!(dev.platform().faults.last(), Some(&Fault::NsFlags));
    assert!(dev.platform().ns.is_empty());
    for flags in [0u8, 1] {
        ns[36] = flags;
        linux.borrow_mut().send(1030, 53, &ns);
        assert!(dev.try_recv().is_err());
    }
    let seen: Vec<_> = dev
        .platform()
        .ns
        .iter()
        .map(|(n, a, f)| (n[..10].to_vec(), *a, *f))
        .collect();
    assert_eq!(
        seen,
        vec![
            (b"linux-svc\0".to_vec(), 1030, 0),
            (b"linux-svc\0".to_vec(), 1030, 1)
        ]
    );
    linux.borrow_mut().reclaim();
    assert_eq!(linux.borrow().tx_outstanding(), 0);
    still_works(&mut dev, &linux, &ept);
}

#[test]
fn message_for_no_endpoint_is_returned() {
    let mem = memory();
    let linux = setup(&mem);
    let (mut dev, ept) = up(&linux, &mem);
    let (got, f) = inject(&mut dev, &linux, &ept, |t| t.dst = 31);
    assert_eq!((got, f), (None, vec![Fault::UnknownDst]));
    linux.borrow_mut().reclaim();
    assert_eq!(linux.borrow().tx_outstanding(), 0);
    still_works(&mut dev, &linux, &ept);
}

#[test]
fn header_rewritten_while_held_cannot_widen_the_read() {
    let mem = memory();
    let linux = setup(&mem);
    let (mut dev, ept) = up(&linux, &mem);
    let id = linux
        .borrow_mut()
        .send_tweaked(1024, 30, b"ok", |_| {})
        .unwrap();
    let rx = dev.try_recv().unwrap();
    // Linux scribbles a huge length over the held message's header.
    let hdr = common::linux::BUF_AREA[1] + u32::from(id) * common::linux::BUF;
    linux.borrow().w16(hdr + 12, 0xFFFF);
    let mut out = [0u8; 600];
    assert_eq!(dev.read(&rx, 0, &mut out), 2, "the checked length holds");
    assert_eq!(&out[..2], b"ok");
    dev.release(rx).unwrap();
    still_works(&mut dev, &linux, &ept);
}
