// SPDX-License-Identifier: MIT OR Apache-2.0
//! The fuzz body shared by the cargo-fuzz target (`firmware/fuzz`) and the
//! bounded proptest run in `tests/fuzzlike.rs`: arbitrary shared-memory
//! contents and arbitrary interleavings of Linux scribbling over the window
//! with every remote operation. The remote must not panic, hang, or write
//! into the descriptor tables / available rings ([`Guard`]) or outside the
//! window. Depends only on the crate and `guard.rs`.

use super::guard::{Guard, Sim64k};
use rpmsg_remote::{Device, Endpoint, Platform, RxBuf, TxBuf};
use std::cell::Cell;

const PHYS: u64 = 0x8FFF_0000;
const SIZE: usize = 0x1_0000;
const VRING: [u32; 2] = [0, 0x8000];
const AVAIL: u32 = 0x1000;
const USED: u32 = 0x2000;
const BUF_AREA: [u32; 2] = [0x3000, 0xB000];

/// A platform that never blocks: waiting only moves the clock.
#[derive(Default)]
pub struct Null {
    now: u32,
    /// Faults reported.
    pub faults: u64,
}

impl Platform for Null {
    fn notify(&mut self, queue_id: u32) {
        assert!(queue_id < 2, "kick for a queue that does not exist");
    }
    fn now(&mut self) -> u32 {
        self.now
    }
    fn wait(&mut self, ticks: u32) {
        self.now = self.now.wrapping_add(ticks.clamp(1, 1000));
    }
    fn fault(&mut self, _: rpmsg_remote::Fault) {
        self.faults += 1;
    }
}

/// Reads bytes off the fuzz input; zeros when it runs out.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
}

fn w16(mem: &[Cell<u8>], off: u32, v: u16) {
    for (i, b) in v.to_le_bytes().into_iter().enumerate() {
        mem[off as usize + i].set(b);
    }
}

fn w32(mem: &[Cell<u8>], off: u32, v: u32) {
    for (i, b) in v.to_le_bytes().into_iter().enumerate() {
        mem[off as usize + i].set(b);
    }
}

/// A plausible Linux state: both rings set up at index `start`, `n_rx`
/// empty buffers in vring0 and `n_tx` messages in vring1 with headers
/// addressed to `dst`.
fn linux_like(mem: &[Cell<u8>], start: u16, n_rx: u16, n_tx: u16, dst: u32) {
    for (r, n) in [(0usize, n_rx), (1, n_tx)] {
        w16(mem, VRING[r] + USED + 2, start);
        w16(mem, VRING[r] + AVAIL + 2, start.wrapping_add(n));
        for i in 0..n {
            let buf = BUF_AREA[r] + u32::from(i) * 512;
            let d = VRING[r] + u32::from(i) * 16;
            w32(mem, d, (PHYS + u64::from(buf)) as u32);
            w32(mem, d + 8, if r == 0 { 512 } else { 16 + u32::from(i) * 8 });
            w16(mem, d + 12, if r == 0 { 2 } else { 0 });
            w16(
                mem,
                VRING[r] + AVAIL + 4 + 2 * u32::from(start.wrapping_add(i) % 256),
                i,
            );
            if r == 1 {
                w32(mem, buf, 1024);
                w32(mem, buf + 4, dst);
                w16(mem, buf + 12, i * 8);
            }
        }
    }
}

/// What a fuzz case reached (to check the cases are not all shallow).
#[derive(Debug, Default)]
pub struct Stats {
    /// Messages received.
    pub received: u32,
    /// Messages sent.
    pub sent: u32,
    /// Faults reported.
    pub faults: u64,
}

/// Runs one fuzz case. `data[0]` picks the start state (random memory or a
/// plausible Linux state), the rest is a script of operations.
pub fn run(data: &[u8]) -> Stats {
    let mut st = Stats::default();
    let mem: Vec<Cell<u8>> = (0..SIZE).map(|_| Cell::new(0)).collect();
    let mut inp = Input(data);
    let mode = inp.u8();
    if mode & 1 == 1 {
        // Random memory from a seed (xorshift64*).
        let mut x = u64::from(inp.u32()) << 32 | u64::from(inp.u32()) | 1;
        for c in &mem {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            c.set((x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8);
        }
    } else {
        let start = inp.u16();
        let (n_rx, n_tx) = (u16::from(inp.u8() % 41), u16::from(inp.u8() % 41));
        linux_like(&mem, start, n_rx, n_tx, if mode & 2 == 0 { 30 } else { 53 });
    }
    let mut dev: Device<Guard, Null, Sim64k, 3> = Device::new(Guard::new(&mem), Null::default());
    let mut epts: Vec<Endpoint> = Vec::new();
    if let Ok(e) = dev.create_endpoint(Some(30), Some(b"rpmsg-openamp-demo-channel")) {
        epts.push(e);
    }
    let mut held_rx: Vec<RxBuf> = Vec::new();
    let mut held_tx: Vec<TxBuf> = Vec::new();
    let mut out = [0u8; 600];
    for _ in 0..200 {
        if inp.0.is_empty() {
            break;
        }
        let ept = epts.get(usize::from(inp.u8()) % epts.len().max(1)).copied();
        match inp.u8() % 13 {
            0 => {
                // Linux scribbles a byte anywhere.
                let off = usize::from(inp.u16());
                mem[off].set(inp.u8());
            }
            1 => {
                // ... or a word into ring metadata (indices, entries).
                let ring = VRING[usize::from(inp.u8() & 1)];
                let off = ring + [AVAIL + 2, USED + 2, AVAIL + 4, 0][usize::from(inp.u8() % 4)];
                w16(&mem, off + u32::from(inp.u8() & 0x1E), inp.u16());
            }
            2 => {
                dev.poll();
            }
            12 => {
                // ... or a descriptor address anywhere in the window,
                // including the rings themselves.
                let d = VRING[usize::from(inp.u8() & 1)] + u32::from(inp.u8() % 41) * 16;
                let base = [0, USED, VRING[1], VRING[1] + USED][usize::from(inp.u8() % 4)];
                let off = base.wrapping_add(u32::from(inp.u16() % 0x2000)) & !3;
                w32(&mem, d, (PHYS as u32).wrapping_add(off));
            }
            3 => {
                if let Ok(rx) = dev.try_recv() {
                    st.received += 1;
                    let n = dev.read(&rx, usize::from(inp.u8()), &mut out);
                    assert!(n <= rx.len() && rx.len() <= 496);
                    held_rx.push(rx);
                }
            }
            4 => {
                if !held_rx.is_empty() {
                    let rx = held_rx.remove(usize::from(inp.u8()) % held_rx.len());
                    let _ = dev.release(rx);
                }
            }
            5 => {
                if let Some(e) = ept {
                    let n = usize::from(inp.u16()) % 600;
                    st.sent += u32::from(dev.try_send(&e, inp.u32(), &out[..n]).is_ok());
                }
            }
            6 => {
                if let Ok(tx) = dev.try_alloc_tx() {
                    assert!(tx.capacity() <= 496);
                    let off = usize::from(inp.u16() % 600);
                    let _ = dev.tx_write(&tx, off, &out[..usize::from(inp.u8())]);
                    held_tx.push(tx);
                }
            }
            7 => {
                if !held_tx.is_empty() {
                    let tx = held_tx.remove(usize::from(inp.u8()) % held_tx.len());
                    match (ept, inp.u8() & 1) {
                        (Some(e), 0) => {
                            let r = dev.send_tx(&e, 1024, tx, usize::from(inp.u16()) % 600);
                            st.sent += u32::from(r.is_ok());
                        }
                        _ => {
                            let _ = dev.release_tx(tx);
                        }
                    }
                }
            }
            8 => {
                let addr = match inp.u8() {
                    0 => None,
                    a => Some(u32::from(a)),
                };
                const NAMES: [&[u8]; 4] = [b"a", b"rpmsg-tty", b"", &[b'x'; 32]];
                let name = NAMES.get(usize::from(inp.u8() % 5)).copied();
                if let Ok(e) = dev.create_endpoint(addr, name) {
                    epts.push(e);
                }
            }
            9 => {
                if let Some(e) = ept {
                    if dev.destroy_endpoint(e).is_ok() {
                        epts.retain(|x| *x != e);
                    }
                }
            }
            10 => {
                // Blocking calls with short timeouts must return.
                let r = dev.recv_into(&mut out, u32::from(inp.u8() % 4));
                st.received += u32::from(r.is_ok());
            }
            _ => {
                if let Some(e) = ept {
                    let r = dev.send(
                        &e,
                        1024,
                        &out[..usize::from(inp.u8())],
                        u32::from(inp.u8() % 4),
                    );
                    st.sent += u32::from(r.is_ok());
                }
            }
        }
    }
    for rx in held_rx {
        let _ = dev.release(rx);
    }
    st.faults = dev.platform().faults;
    st
}
