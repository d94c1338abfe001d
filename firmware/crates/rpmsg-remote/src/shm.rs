// SPDX-License-Identifier: MIT OR Apache-2.0
//! The only way the stack touches shared memory.
//!
//! Everything in the window is written by Linux at any time, so the stack
//! never forms Rust references into it: it goes through [`SharedMemory`],
//! whose target implementation ([`VolatileShm`]) uses volatile raw-pointer
//! accesses and whose host implementation ([`CellShm`]) is a plain slice of
//! `Cell<u8>`. Offsets are relative to the start of the window. Both
//! implementations ignore writes and return 0 for reads that fall outside the
//! window or are misaligned, so a bug in a caller can never reach other
//! memory; the stack itself validates every offset before using it.

use crate::config::{Config, Imx7};
use core::cell::Cell;
use core::marker::PhantomData;
use core::sync::atomic::{fence, Ordering};

/// Access to the shared window, little-endian, by byte offset.
///
/// Multi-byte accesses must be naturally aligned; implementations return 0
/// for (and ignore writes to) out-of-range or misaligned offsets, and treat
/// a byte range that does not fit the window as a whole the same way.
pub trait SharedMemory {
    /// Reads a little-endian `u16` at `off`.
    fn read_u16(&self, off: u32) -> u16;
    /// Reads a little-endian `u32` at `off`.
    fn read_u32(&self, off: u32) -> u32;
    /// Writes a little-endian `u16` at `off`.
    fn write_u16(&self, off: u32, val: u16);
    /// Writes a little-endian `u32` at `off`.
    fn write_u32(&self, off: u32, val: u32);
    /// Copies `out.len()` bytes starting at `off` into `out`.
    fn read_bytes(&self, off: u32, out: &mut [u8]);
    /// Copies `data` into the window starting at `off`.
    fn write_bytes(&self, off: u32, data: &[u8]);

    /// Copies `len` bytes inside the window from `from` to `to`. Ranges
    /// that overlap (offsets from a lying Linux) leave `to`'s bytes
    /// unspecified but touch nothing else; out-of-range parts behave as in
    /// [`read_bytes`](Self::read_bytes) and
    /// [`write_bytes`](Self::write_bytes). The default goes through a small
    /// buffer on the stack.
    fn copy_within(&self, from: u32, to: u32, len: u32) {
        bounce_copy(self, from, to, len);
    }

    /// Reads the four little-endian `u32`s at `off` (4-byte aligned), e.g.
    /// a message header, as [`read_u32`](Self::read_u32) would one by one;
    /// an implementation may instead check the 16 bytes' range once and
    /// refuse them as a whole ([`VolatileShm`] does).
    fn read_u32x4(&self, off: u32) -> [u32; 4] {
        [0, 4, 8, 12].map(|i| self.read_u32(off.wrapping_add(i)))
    }

    /// Writes `words` as four little-endian `u32`s at `off` (4-byte
    /// aligned), as [`write_u32`](Self::write_u32) would one by one; an
    /// implementation may instead check the 16 bytes' range once and
    /// refuse them as a whole ([`VolatileShm`] does).
    fn write_u32x4(&self, off: u32, words: [u32; 4]) {
        for (i, w) in (0..).step_by(4).zip(words) {
            self.write_u32(off.wrapping_add(i), w);
        }
    }

    /// Reads a little-endian `u64` (two aligned `u32` halves) at `off`.
    fn read_u64(&self, off: u32) -> u64 {
        u64::from(self.read_u32(off)) | u64::from(self.read_u32(off.wrapping_add(4))) << 32
    }

    /// Orders shared-memory accesses before and after it (a full memory
    /// barrier, `dmb` on Cortex-M) so that ring indices are published after
    /// the data they cover and read before it.
    fn barrier(&self) {
        fence(Ordering::SeqCst);
    }
}

/// [`SharedMemory::copy_within`] through a 64-byte buffer.
fn bounce_copy<S: SharedMemory + ?Sized>(shm: &S, from: u32, to: u32, len: u32) {
    let mut bounce = [0u8; 64];
    let mut done = 0;
    while done < len {
        let n = (len - done).min(64);
        let b = &mut bounce[..n as usize];
        shm.read_bytes(from.wrapping_add(done), b);
        shm.write_bytes(to.wrapping_add(done), b);
        done += n;
    }
}

/// Shared memory reached through volatile raw-pointer accesses (the target):
/// the window of layout `C`, [`C::WINDOW_SIZE`](Config::WINDOW_SIZE) bytes.
///
/// The window's size is a constant of the type, so the range checks of
/// accesses at constant offsets (every ring index and entry) are decided
/// when the firmware is built, and the others compare with a constant.
pub struct VolatileShm<C = Imx7> {
    base: *mut u8,
    _c: PhantomData<C>,
}

impl<C> core::fmt::Debug for VolatileShm<C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VolatileShm")
            .field("base", &self.base)
            .finish()
    }
}

impl<C: Config> VolatileShm<C> {
    /// Creates an accessor for the window of layout `C`, whose first byte
    /// is at the local address `base`.
    ///
    /// # Safety
    ///
    /// `base .. base + C::WINDOW_SIZE` must be memory that is valid to read
    /// and write with volatile accesses for the lifetime of the value (on
    /// the M4: device or non-cacheable normal memory shared with Linux),
    /// that no Rust reference points into, and `base` must be 8-byte
    /// aligned.
    pub const unsafe fn new(base: *mut u8) -> Self {
        Self {
            base,
            _c: PhantomData,
        }
    }

    /// A pointer to the `size` bytes at `off` if they are inside the window.
    #[inline(always)]
    fn at(&self, off: u32, size: u32) -> Option<*mut u8> {
        if off > C::WINDOW_SIZE || size > C::WINDOW_SIZE - off {
            return None;
        }
        // SAFETY: `off + size <= WINDOW_SIZE`, so the result stays inside
        // the allocation described in `new`'s contract.
        Some(unsafe { self.base.add(off as usize) })
    }

    /// Like [`at`](Self::at) for a 2- or 4-byte value, which must also be
    /// naturally aligned: `off` is (`base` is 8-byte aligned, see `new`),
    /// which the compiler decides at build time for constant offsets.
    #[inline(always)]
    fn at_aligned(&self, off: u32, size: u32) -> Option<*mut u8> {
        if off.is_multiple_of(size) {
            self.at(off, size)
        } else {
            None
        }
    }
}

// Always inlined, also at opt-level `z` (the firmware's): at a constant
// offset an access is then one load or store, its checks decided at build
// time; called, it is a dozen instructions and a call.
macro_rules! volatile_rw {
    ($read:ident, $write:ident, $t:ty) => {
        #[inline(always)]
        fn $read(&self, off: u32) -> $t {
            match self.at_aligned(off, core::mem::size_of::<$t>() as u32) {
                // SAFETY: `at_aligned` checked bounds and alignment; the window is
                // valid for volatile reads (contract of `new`).
                Some(p) => <$t>::from_le(unsafe { p.cast::<$t>().read_volatile() }),
                None => 0,
            }
        }
        #[inline(always)]
        fn $write(&self, off: u32, val: $t) {
            if let Some(p) = self.at_aligned(off, core::mem::size_of::<$t>() as u32) {
                // SAFETY: as above, for volatile writes.
                unsafe { p.cast::<$t>().write_volatile(val.to_le()) }
            }
        }
    };
}

impl<C: Config> SharedMemory for VolatileShm<C> {
    volatile_rw!(read_u16, write_u16, u16);
    volatile_rw!(read_u32, write_u32, u32);

    #[inline(always)]
    fn read_u32x4(&self, off: u32) -> [u32; 4] {
        match self.at(off, 16) {
            // SAFETY: `at` checked that the 16 bytes are in the window;
            // `off` and so `p` are 4-byte aligned (`base` is 8-aligned).
            Some(p) if off.is_multiple_of(4) => {
                let p = p.cast::<u32>();
                // Spelled out: at opt-level `z` a loop here stays a loop
                // (through the stack), a dozen instructions more per header.
                unsafe {
                    [
                        u32::from_le(p.read_volatile()),
                        u32::from_le(p.add(1).read_volatile()),
                        u32::from_le(p.add(2).read_volatile()),
                        u32::from_le(p.add(3).read_volatile()),
                    ]
                }
            }
            _ => [0; 4],
        }
    }

    #[inline(always)]
    fn write_u32x4(&self, off: u32, words: [u32; 4]) {
        if let Some(p) = self.at(off, 16).filter(|_| off.is_multiple_of(4)) {
            let p = p.cast::<u32>();
            let [w0, w1, w2, w3] = words;
            // SAFETY: as in `read_u32x4`, for volatile writes; spelled out
            // for the same reason.
            unsafe {
                p.write_volatile(w0.to_le());
                p.add(1).write_volatile(w1.to_le());
                p.add(2).write_volatile(w2.to_le());
                p.add(3).write_volatile(w3.to_le());
            }
        }
    }

    #[inline(never)]
    fn read_bytes(&self, off: u32, out: &mut [u8]) {
        match self.at(off, out.len() as u32) {
            // SAFETY: `at` checked that all `out.len()` bytes from `p` are
            // inside the window; `out` is that long.
            Some(p) => unsafe { transfer::<READ>(p, out.as_mut_ptr(), out.len()) },
            None => out.fill(0),
        }
    }

    #[inline(never)]
    fn write_bytes(&self, off: u32, data: &[u8]) {
        if let Some(p) = self.at(off, data.len() as u32) {
            // SAFETY: as in `read_bytes`; with `WRITE` the local side is
            // only read, so the pointer from a shared slice is never written.
            unsafe { transfer::<WRITE>(p, data.as_ptr().cast_mut(), data.len()) }
        }
    }

    #[inline(never)]
    fn copy_within(&self, from: u32, to: u32, len: u32) {
        // Same offset modulo 4 (the base is 8-byte aligned): both sides
        // reach their word boundaries together. The ranges are tested one
        // after the other: at opt-level `z`, a match on the pair of their
        // results builds the pair before testing it.
        if (from ^ to).is_multiple_of(4) {
            if let Some(s) = self.at(from, len) {
                if let Some(d) = self.at(to, len) {
                    // SAFETY: `at` checked both ranges, which are window
                    // memory, accessed only through raw pointers (they may
                    // overlap when Linux lies: the bytes are then
                    // unspecified, the accesses still in range).
                    #[cfg(all(target_arch = "arm", target_os = "none"))]
                    unsafe {
                        within(s, d, len as usize)
                    }
                    // SAFETY: as above.
                    #[cfg(not(all(target_arch = "arm", target_os = "none")))]
                    unsafe {
                        transfer::<WITHIN>(s, d, len as usize)
                    }
                    return;
                }
            }
        }
        bounce_copy(self, from, to, len);
    }
}

/// [`transfer`] modes: window to local, local to window, window to window.
const READ: u8 = 0;
const WRITE: u8 = 1;
const WITHIN: u8 = 2;

/// Moves `len` bytes between the window at `shm` and `local`: with
/// [`READ`] from the window to local memory, with [`WRITE`] from local
/// memory into the window, with [`WITHIN`] from the window at `shm` to the
/// window at `local`. The window side is accessed with volatile byte
/// accesses up to its first 4-byte boundary, then with aligned volatile
/// words, then bytes again for the rest; local memory may have any
/// alignment (the M4 handles unaligned word accesses to normal memory).
///
/// # Safety
///
/// `shm .. shm + len` must lie in a [`VolatileShm`]'s window. `local ..
/// local + len` must lie in one local allocation, valid for reads, and for
/// writes with `READ`; with `WITHIN` it must lie in the window, not overlap
/// the source and have the source's alignment modulo 4.
#[inline(always)]
unsafe fn transfer<const MODE: u8>(shm: *mut u8, local: *mut u8, len: usize) {
    let mut i = 0;
    // One step of `size` bytes at `i` (1 or 4; words only at aligned `shm`).
    macro_rules! step {
        ($t:ty) => {{
            // SAFETY: `i + size_of::<$t>() <= len` at every use below, so
            // both sides stay inside the ranges of the contract; window
            // words are aligned (loop conditions, and for `WITHIN` the
            // equal alignment of both sides), local ones unaligned.
            unsafe {
                let (s, l) = (shm.add(i).cast::<$t>(), local.add(i).cast::<$t>());
                match MODE {
                    READ => l.write_unaligned(s.read_volatile()),
                    WRITE => s.write_volatile(l.read_unaligned()),
                    _ => l.write_volatile(s.read_volatile()),
                }
            }
            i += core::mem::size_of::<$t>();
        }};
    }
    while i < len && !(shm as usize + i).is_multiple_of(4) {
        step!(u8);
    }
    if MODE == WITHIN {
        // Four words a turn (on the M4, `within` copies instead).
        while len - i >= 16 {
            step!(u32);
            step!(u32);
            step!(u32);
            step!(u32);
        }
    }
    while len - i >= 4 {
        step!(u32);
    }
    while i < len {
        step!(u8);
    }
}

/// [`transfer`] with [`WITHIN`] on the M4, where a copy within the window
/// (the zero-copy echo) spends its time: bytes up to the first word
/// boundary, then four words a turn with one `ldm`/`stm` pair (four
/// instructions with the loop's own), then words, then bytes, with
/// pointers and a count of bytes left (no offsets to recompute).
///
/// # Safety
///
/// As [`transfer`] with [`WITHIN`]: `s .. s + n` and `d .. d + n` lie in
/// the window and have the same alignment modulo 4 (they may overlap:
/// every access is a raw one within them).
#[cfg(all(target_arch = "arm", target_os = "none"))]
#[inline(always)]
unsafe fn within(mut s: *mut u8, mut d: *mut u8, mut n: usize) {
    // SAFETY (every block below): each access stays in the first `n`
    // bytes left of both ranges, as the loop conditions check; words are
    // accessed only from a 4-byte aligned `s`, and `d` has its alignment.
    while !(s as usize).is_multiple_of(4) && n != 0 {
        unsafe {
            d.write_volatile(s.read_volatile());
            (s, d) = (s.add(1), d.add(1));
        }
        n -= 1;
    }
    // `n` goes 16 below the bytes left, so that the loop ends when the
    // subtraction borrows; the last add brings it back (below 16).
    // r0-r3 are declared clobbered; the pointers advance by 16 bytes a
    // turn, only over bytes of the ranges.
    unsafe {
        core::arch::asm!(
            "subs {n}, #16",
            "blo 3f",
            "2:",
            "ldm {s}!, {{r0, r1, r2, r3}}",
            "stm {d}!, {{r0, r1, r2, r3}}",
            "subs {n}, #16",
            "bhs 2b",
            "3:",
            "adds {n}, #16",
            s = inout(reg) s,
            d = inout(reg) d,
            n = inout(reg) n,
            out("r0") _,
            out("r1") _,
            out("r2") _,
            out("r3") _,
            options(nostack),
        );
    }
    while n >= 4 {
        unsafe {
            d.cast::<u32>()
                .write_volatile(s.cast::<u32>().read_volatile());
            (s, d) = (s.add(4), d.add(4));
        }
        n -= 4;
    }
    while n != 0 {
        unsafe {
            d.write_volatile(s.read_volatile());
            (s, d) = (s.add(1), d.add(1));
        }
        n -= 1;
    }
}

/// Shared memory as a slice of cells: host tests, simulations and fuzzing.
///
/// Build one from a buffer with
/// `CellShm::new(Cell::from_mut(&mut buf[..]).as_slice_of_cells())`; the
/// Linux model of a test can hold the same slice.
#[derive(Clone, Copy, Debug)]
pub struct CellShm<'a> {
    mem: &'a [Cell<u8>],
}

impl<'a> CellShm<'a> {
    /// Wraps `mem`; offset 0 is the window's first byte.
    pub fn new(mem: &'a [Cell<u8>]) -> Self {
        Self { mem }
    }

    /// The cells at `off .. off + N`, if in range and aligned to `N`.
    fn get<const N: usize>(&self, off: u32) -> Option<&'a [Cell<u8>]> {
        let off = off as usize;
        if !off.is_multiple_of(N) {
            return None;
        }
        self.mem.get(off..off.checked_add(N)?)
    }

    fn load<const N: usize>(&self, off: u32) -> [u8; N] {
        let mut v = [0; N];
        if let Some(cells) = self.get::<N>(off) {
            for (b, c) in v.iter_mut().zip(cells) {
                *b = c.get();
            }
        }
        v
    }

    fn store(&self, off: u32, v: &[u8]) {
        let cells = match v.len() {
            2 => self.get::<2>(off),
            _ => self.get::<4>(off),
        };
        for (c, &b) in cells.into_iter().flatten().zip(v) {
            c.set(b);
        }
    }
}

impl SharedMemory for CellShm<'_> {
    fn read_u16(&self, off: u32) -> u16 {
        u16::from_le_bytes(self.load(off))
    }
    fn read_u32(&self, off: u32) -> u32 {
        u32::from_le_bytes(self.load(off))
    }
    fn write_u16(&self, off: u32, val: u16) {
        self.store(off, &val.to_le_bytes());
    }
    fn write_u32(&self, off: u32, val: u32) {
        self.store(off, &val.to_le_bytes());
    }
    fn read_bytes(&self, off: u32, out: &mut [u8]) {
        let cells = (off as usize)
            .checked_add(out.len())
            .and_then(|end| self.mem.get(off as usize..end));
        match cells {
            Some(cells) => {
                for (b, c) in out.iter_mut().zip(cells) {
                    *b = c.get();
                }
            }
            None => out.fill(0),
        }
    }
    fn write_bytes(&self, off: u32, data: &[u8]) {
        let cells = (off as usize)
            .checked_add(data.len())
            .and_then(|end| self.mem.get(off as usize..end));
        for (c, &b) in cells.into_iter().flatten().zip(data) {
            c.set(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A window of `N` bytes (only its size matters here).
    struct Window<const N: u32>;
    impl<const N: u32> Config for Window<N> {
        const WINDOW_SIZE: u32 = N;
    }

    #[test]
    fn cell_shm_is_little_endian_and_bounded() {
        let mut buf = [0u8; 16];
        let cells = Cell::from_mut(&mut buf[..]).as_slice_of_cells();
        let shm = CellShm::new(cells);
        shm.write_u32(4, 0x1122_3344);
        shm.write_u16(8, 0xAABB);
        assert_eq!(cells[4].get(), 0x44);
        assert_eq!(cells[7].get(), 0x11);
        assert_eq!(shm.read_u32(4), 0x1122_3344);
        assert_eq!(shm.read_u16(8), 0xAABB);
        assert_eq!(shm.read_u64(0), 0x1122_3344_0000_0000);
        // Out of range or misaligned: ignored / zero.
        shm.write_u32(16, 1);
        shm.write_u32(14, 1);
        shm.write_u32(2, 1);
        assert_eq!(shm.read_u32(16), 0);
        assert_eq!(shm.read_u32(6), 0);
        assert_eq!(shm.read_u16(3), 0);
        let mut out = [9u8; 4];
        shm.read_bytes(14, &mut out);
        assert_eq!(out, [0, 0, 0, 0]);
        shm.write_bytes(14, &[1, 2, 3]);
        assert_eq!((cells[14].get(), cells[15].get()), (0, 0), "refused whole");
        shm.write_bytes(13, &[1, 2, 3]);
        shm.read_bytes(13, &mut out[..3]);
        assert_eq!(out[..3], [1, 2, 3]);
    }

    #[test]
    fn volatile_shm_round_trip_and_bounds() {
        let mut buf = [0u64; 4];
        // SAFETY: `buf` outlives `shm`, is 8-aligned and only accessed
        // through `shm` while it exists.
        let shm = unsafe { VolatileShm::<Window<32>>::new(buf.as_mut_ptr().cast()) };
        shm.write_u32(8, 0xDEAD_BEEF);
        shm.write_u16(12, 0x1234);
        shm.write_bytes(30, &[7, 8, 9]);
        assert_eq!(shm.read_u32(8), 0xDEAD_BEEF);
        assert_eq!(shm.read_u16(12), 0x1234);
        assert_eq!(shm.read_u32(9), 0);
        assert_eq!(shm.read_u32(32), 0);
        let mut out = [0u8; 3];
        shm.read_bytes(29, &mut out);
        assert_eq!(out, [0, 0, 0], "write past the end was refused whole");
        shm.write_bytes(29, &[7, 8, 9]);
        shm.read_bytes(29, &mut out);
        assert_eq!(out, [7, 8, 9]);
        let mut out = [1u8; 3];
        shm.read_bytes(30, &mut out);
        assert_eq!(out, [0, 0, 0], "read past the end gives zeros");
        // Byte copies of any length at any offset (2 and 4 bytes included).
        shm.write_bytes(17, &[0xA1, 0xA2]);
        shm.write_bytes(19, &[1, 2, 3, 4]);
        let mut two = [0u8; 2];
        shm.read_bytes(17, &mut two);
        assert_eq!(two, [0xA1, 0xA2]);
        let mut four = [0u8; 4];
        shm.read_bytes(19, &mut four);
        assert_eq!(four, [1, 2, 3, 4]);
        shm.write_u32(u32::MAX - 1, 5);
        assert_eq!(buf[1], 0x1234_DEAD_BEEF);
        assert_eq!(buf[3] >> 40, 0x09_0807);
    }

    #[test]
    fn copies_within_the_window_at_every_alignment() {
        let mut buf = [0u64; 16];
        // SAFETY: as above.
        let shm = unsafe { VolatileShm::<Window<128>>::new(buf.as_mut_ptr().cast()) };
        let mut cells = [0u8; 128];
        let cell = CellShm::new(Cell::from_mut(&mut cells[..]).as_slice_of_cells());
        let data: [u8; 40] = core::array::from_fn(|i| i as u8 + 1);
        for from in 0..4u32 {
            for to in 64..68u32 {
                for len in [0u32, 1, 3, 4, 7, 8, 33, 40] {
                    for m in [&shm as &dyn SharedMemory, &cell] {
                        m.write_bytes(to, &[0xEE; 48]);
                        m.write_bytes(from, &data);
                        m.copy_within(from, to, len);
                        let mut out = [0u8; 41];
                        m.read_bytes(to, &mut out);
                        assert_eq!(&out[..len as usize], &data[..len as usize]);
                        assert_eq!(out[len as usize], 0xEE, "{from} -> {to}, {len}");
                    }
                }
            }
        }
        // Out of range: nothing written.
        shm.write_bytes(64, &[1; 8]);
        shm.copy_within(124, 64, 8);
        let mut out = [0u8; 8];
        shm.read_bytes(64, &mut out);
        assert_eq!(out, [0; 8], "read past the end gives zeros, as read_bytes");
    }

    #[test]
    fn four_words_at_once_are_checked_as_one_range() {
        let mut buf = [0u64; 4];
        // SAFETY: as above.
        let shm = unsafe { VolatileShm::<Window<32>>::new(buf.as_mut_ptr().cast()) };
        let mut cells = [0u8; 32];
        let cell = CellShm::new(Cell::from_mut(&mut cells[..]).as_slice_of_cells());
        for m in [&shm as &dyn SharedMemory, &cell] {
            m.write_u32x4(12, [1, 2, 3, 0x0403_0201]);
            assert_eq!(m.read_u32x4(12), [1, 2, 3, 0x0403_0201]);
            assert_eq!(m.read_u32(24), 0x0403_0201);
            let mut b = [0u8; 4];
            m.read_bytes(24, &mut b);
            assert_eq!(b, [1, 2, 3, 4], "little-endian");
        }
        // Past the end or misaligned: refused as a whole.
        shm.write_u32x4(20, [9; 4]);
        shm.write_u32x4(2, [9; 4]);
        assert_eq!(shm.read_u32x4(20), [0; 4]);
        assert_eq!(shm.read_u32x4(2), [0; 4]);
        assert_eq!(shm.read_u32x4(12), [1, 2, 3, 0x0403_0201]);
        assert_eq!(buf[0], 0);
    }

    #[test]
    fn volatile_copies_every_length_at_every_alignment() {
        let mut buf = [0u64; 8];
        // SAFETY: as above.
        let shm = unsafe { VolatileShm::<Window<64>>::new(buf.as_mut_ptr().cast()) };
        let data: [u8; 24] = core::array::from_fn(|i| i as u8 + 1);
        for off in 0..5u32 {
            for len in 0..=20usize {
                // Local side misaligned too: start at `len % 3`.
                let src = &data[len % 3..len % 3 + len];
                shm.write_bytes(off, &[0xEE; 24]);
                shm.write_bytes(off, src);
                let mut out = [0u8; 24];
                shm.read_bytes(off, &mut out[1..1 + len]);
                assert_eq!(&out[1..1 + len], src, "off {off} len {len}");
                let mut after = [0u8; 1];
                shm.read_bytes(off + len as u32, &mut after);
                assert_eq!(after, [0xEE], "nothing past the end, off {off} len {len}");
            }
        }
    }
}
