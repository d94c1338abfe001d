// SPDX-License-Identifier: GPL-2.0-or-later
//! A tiny Cortex-M4 test image, assembled here and wrapped in an ELF file,
//! so the tests need no cross toolchain.
//!
//! Two images, each living in TCML (M4 0x1FFF8000): a vector table with
//! the initial stack pointer at the top of TCMU, then the code.
//!
//! - The echo image enables the MU side B receive interrupts (BCR
//!   RIE0..3) and NVIC line 97 and sleeps in `wfi`.  Its MU interrupt
//!   handler answers every word `w` received on channel `n` with
//!   [`echo_answer`]`(n, w)` on the same channel.  It proves that the M4
//!   starts from the vector table of a loaded image, reaches the MU at its
//!   A7 address and takes NVIC interrupt 97.
//! - The counter image ([`counter`]) counts its boots and records the
//!   state it was started in, then spins incrementing a counter: it shows
//!   whether the M4 runs, and that a restart re-runs it from its reset
//!   vector with fresh CPU state.

use crate::board::{NVIC_IRQ_MU_B, TCML_M4, TCMU_A7, TCMU_M4, TCM_SIZE};

/// The answer of the test image to word `word` on channel `channel`.
pub fn echo_answer(channel: u32, word: u32) -> u32 {
    (!word).wrapping_add(channel)
}

const MU_B: u32 = 0x30AB_0000;
const NVIC_ISER0: u32 = 0xE000_E100;
/// Exception numbers below the first external interrupt.
const SYSTEM_VECTORS: u32 = 16;

/// The ELF file of the echo image.
pub fn echo_image_elf() -> Vec<u8> {
    let image = echo_image();
    elf32_arm(TCML_M4, image.entry, &image.bytes)
}

/// The bytes of the echo image as they sit in TCML from its start.
pub fn echo_image_bytes() -> Vec<u8> {
    echo_image().bytes
}

/// The counter image's data block at the start of TCMU, one word each.
/// Offsets are from [`counter::DATA_A7`].
pub mod counter {
    use super::TCMU_A7;

    /// The data block as the A7 sees it.
    pub const DATA_A7: u64 = TCMU_A7;
    /// Incremented in a loop while the image runs, from 1 after each boot.
    pub const COUNT: u64 = 0x0;
    /// Incremented once at each boot, after the records below are written
    /// (TCMU is not cleared by a restart).
    pub const BOOTS: u64 = 0x4;
    /// The stack pointer at boot: the vector table's initial SP.
    pub const SP_AT_BOOT: u64 = 0x8;
    /// PRIMASK at boot: 0 after a reset.
    pub const PRIMASK_AT_BOOT: u64 = 0xC;
    /// NVIC ISER3 (lines 96..127) at boot: 0 after a reset.
    pub const NVIC_ISER3_AT_BOOT: u64 = 0x10;
    /// What the image changes after recording, so that a restart without
    /// a reset would show: it moves SP down by this many bytes, sets
    /// PRIMASK and enables NVIC line 97.
    pub const SP_MOVED_BY: u32 = 16;

    /// Address of a word of the data block, A7 view.
    pub fn addr(offset: u64) -> u64 {
        DATA_A7 + offset
    }
}

/// The ELF file of the counter image (see [`counter`]).
pub fn counter_image_elf() -> Vec<u8> {
    let image = counter_image();
    elf32_arm(TCML_M4, image.entry, &image.bytes)
}

/// Machine code plus its Thumb entry address.
struct Image {
    bytes: Vec<u8>,
    entry: u32,
}

/// Literal pool entries used by the code.
#[derive(Clone, Copy)]
enum Lit {
    MuB,
    RieAll,
    NvicIser,
    TcmuData,
}

impl Lit {
    fn value(self) -> u32 {
        match self {
            Lit::MuB => MU_B,
            // BCR RIE0..3
            Lit::RieAll => 0x0F00_0000,
            Lit::NvicIser => NVIC_ISER0 + 4 * (NVIC_IRQ_MU_B / 32),
            Lit::TcmuData => TCMU_M4,
        }
    }
}

/// A minimal Thumb assembler for the few 16-bit encodings the image uses.
struct Thumb {
    code: Vec<u16>,
    /// (instruction index, destination register, literal) to patch.
    loads: Vec<(usize, u16, Lit)>,
}

impl Thumb {
    fn emit(&mut self, insn: u16) -> usize {
        self.code.push(insn);
        self.code.len() - 1
    }
    fn here(&self) -> usize {
        self.code.len()
    }
    /// LDR Rt, [PC, #lit] (T1); the offset is filled in by `finish`.
    fn ldr_lit(&mut self, rt: u16, lit: Lit) {
        let at = self.emit(0x4800 | rt << 8);
        self.loads.push((at, rt, lit));
    }
    /// LDR Rt, [Rn, #imm] (T1).
    fn ldr(&mut self, rt: u16, rn: u16, imm: u16) {
        self.emit(0x6800 | (imm / 4) << 6 | rn << 3 | rt);
    }
    /// STR Rt, [Rn, #imm] (T1).
    fn str(&mut self, rt: u16, rn: u16, imm: u16) {
        self.emit(0x6000 | (imm / 4) << 6 | rn << 3 | rt);
    }
    /// MOVS Rd, #imm8 (T1).
    fn movs(&mut self, rd: u16, imm: u16) {
        self.emit(0x2000 | rd << 8 | imm);
    }
    /// LSLS Rd, Rm, #imm5 (T1).
    fn lsls(&mut self, rd: u16, rm: u16, imm: u16) {
        self.emit(imm << 6 | rm << 3 | rd);
    }
    /// MVNS Rd, Rm (T1).
    fn mvns(&mut self, rd: u16, rm: u16) {
        self.emit(0x43C0 | rm << 3 | rd);
    }
    /// ADDS Rd, Rn, #imm3 (T1).
    fn adds(&mut self, rd: u16, rn: u16, imm: u16) {
        self.emit(0x1C00 | imm << 6 | rn << 3 | rd);
    }
    /// MOV Rd, SP (T1, Rd a low register).
    fn mov_from_sp(&mut self, rd: u16) {
        self.emit(0x4600 | 13 << 3 | rd);
    }
    /// SUB SP, SP, #imm7 * 4 (T1).
    fn sub_sp(&mut self, imm: u16) {
        self.emit(0xB080 | (imm / 4));
    }
    /// MRS Rd, PRIMASK (T1, 32 bits).
    fn mrs_primask(&mut self, rd: u16) {
        const SYSM_PRIMASK: u16 = 16;
        self.emit(0xF3EF);
        self.emit(0x8000 | rd << 8 | SYSM_PRIMASK);
    }
    /// B<cond> forward over `skip` instructions (T1).
    fn b_cond_skip(&mut self, cond: u16, skip: u16) {
        // The branch target is PC (this instruction + 4) + 2 * imm8.
        self.emit(0xD000 | cond << 8 | (skip - 1));
    }
    /// B to an earlier instruction index (T2).
    fn b_back(&mut self, target: usize) {
        let offset = 2 * (target as i32 - self.here() as i32) - 4;
        self.emit(0xE000 | ((offset / 2) as u16 & 0x7FF));
    }

    /// Appends the literal pool and resolves the literal loads.
    fn finish(mut self) -> Vec<u8> {
        if !self.code.len().is_multiple_of(2) {
            self.emit(0xBF00); // NOP, to align the pool
        }
        let pool = 2 * self.code.len();
        // One slot per distinct value, in order of first use.
        let mut literals: Vec<u32> = Vec::new();
        for (_, _, lit) in &self.loads {
            if !literals.contains(&lit.value()) {
                literals.push(lit.value());
            }
        }
        for (at, rt, lit) in &self.loads {
            let slot = literals.iter().position(|&l| l == lit.value()).unwrap();
            let pc = (2 * at + 4) & !3;
            let offset = pool + 4 * slot - pc;
            assert!(
                offset.is_multiple_of(4) && offset < 1024,
                "literal out of reach"
            );
            self.code[*at] = 0x4800 | rt << 8 | (offset / 4) as u16;
        }
        let mut bytes: Vec<u8> = self.code.iter().flat_map(|h| h.to_le_bytes()).collect();
        for lit in literals {
            bytes.extend_from_slice(&lit.to_le_bytes());
        }
        bytes
    }
}

const COND_PL: u16 = 0x5;
const WFI: u16 = 0xBF30;
const CPSIE_I: u16 = 0xB662;
const CPSID_I: u16 = 0xB672;
const BX_LR: u16 = 0x4770;

fn echo_image() -> Image {
    let vectors = SYSTEM_VECTORS + NVIC_IRQ_MU_B + 1;
    let code_base = TCML_M4 + 4 * vectors;
    let mut t = Thumb {
        code: Vec::new(),
        loads: Vec::new(),
    };

    // reset: enable RIE0..3 and NVIC line 97, then sleep.
    let reset = t.here();
    t.ldr_lit(0, Lit::MuB);
    t.ldr_lit(1, Lit::RieAll);
    t.str(1, 0, 0x24); // BCR
    t.ldr_lit(2, Lit::NvicIser);
    t.movs(1, 1 << (NVIC_IRQ_MU_B % 32));
    t.str(1, 2, 0);
    t.emit(CPSIE_I);
    let idle = t.emit(WFI);
    t.b_back(idle);

    // MU interrupt: answer each channel whose RFn is set.
    let isr = t.here();
    t.ldr_lit(0, Lit::MuB);
    for n in 0..4u16 {
        t.ldr(1, 0, 0x20); // BSR
        t.lsls(2, 1, 4 + n); // RFn (bit 27 - n) into the N flag
        t.b_cond_skip(COND_PL, 4);
        t.ldr(1, 0, 0x10 + 4 * n); // RRn
        t.mvns(1, 1);
        t.adds(1, 1, n);
        t.str(1, 0, 4 * n); // TRn
    }
    t.emit(BX_LR);

    // Any other exception: spin.
    let fault = t.here();
    t.b_back(fault);

    let thumb = |index: usize| (code_base + 2 * index as u32) | 1;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&(TCMU_M4 + TCM_SIZE).to_le_bytes());
    bytes.extend_from_slice(&thumb(reset).to_le_bytes());
    for _ in 2..vectors - 1 {
        bytes.extend_from_slice(&thumb(fault).to_le_bytes());
    }
    bytes.extend_from_slice(&thumb(isr).to_le_bytes());
    bytes.extend(t.finish());
    assert!(bytes.len() <= TCM_SIZE as usize);
    Image {
        bytes,
        entry: thumb(reset),
    }
}

fn counter_image() -> Image {
    // Vectors up to NVIC line 97, like the echo image: all but reset spin.
    let vectors = SYSTEM_VECTORS + NVIC_IRQ_MU_B + 1;
    let code_base = TCML_M4 + 4 * vectors;
    let mut t = Thumb {
        code: Vec::new(),
        loads: Vec::new(),
    };
    let (count, boots, sp_at_boot, primask_at_boot, iser_at_boot) = (
        counter::COUNT as u16,
        counter::BOOTS as u16,
        counter::SP_AT_BOOT as u16,
        counter::PRIMASK_AT_BOOT as u16,
        counter::NVIC_ISER3_AT_BOOT as u16,
    );

    // Any exception: spin.  First, so that the reset vector differs from
    // the echo image's.
    let fault = t.here();
    t.b_back(fault);

    let reset = t.here();
    t.ldr_lit(0, Lit::TcmuData);
    // Record the state the core was started in.
    t.mov_from_sp(2);
    t.str(2, 0, sp_at_boot);
    t.mrs_primask(2);
    t.str(2, 0, primask_at_boot);
    t.ldr_lit(3, Lit::NvicIser);
    t.ldr(2, 3, 0);
    t.str(2, 0, iser_at_boot);
    // Count the boot, once the records are written.
    t.ldr(1, 0, boots);
    t.adds(1, 1, 1);
    t.str(1, 0, boots);
    // Change that state: a restart without a reset would show it.
    t.movs(2, 1 << (NVIC_IRQ_MU_B % 32));
    t.str(2, 3, 0);
    t.emit(CPSID_I);
    t.sub_sp(counter::SP_MOVED_BY as u16);
    // Count forever.
    t.movs(1, 0);
    let count_loop = t.here();
    t.adds(1, 1, 1);
    t.str(1, 0, count);
    t.b_back(count_loop);

    let thumb = |index: usize| (code_base + 2 * index as u32) | 1;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&(TCMU_M4 + TCM_SIZE).to_le_bytes());
    bytes.extend_from_slice(&thumb(reset).to_le_bytes());
    for _ in 2..vectors {
        bytes.extend_from_slice(&thumb(fault).to_le_bytes());
    }
    bytes.extend(t.finish());
    assert!(bytes.len() <= TCM_SIZE as usize);
    Image {
        bytes,
        entry: thumb(reset),
    }
}

/// An ELF32 little-endian ARM executable with one loadable segment.
fn elf32_arm(addr: u32, entry: u32, data: &[u8]) -> Vec<u8> {
    const EHSIZE: u16 = 52;
    const PHENTSIZE: u16 = 32;
    const EM_ARM: u16 = 40;
    const ET_EXEC: u16 = 2;
    const PT_LOAD: u32 = 1;
    const PF_R_X: u32 = 5;
    const EF_ARM_EABI_VER5: u32 = 0x0500_0000;
    let offset = u32::from(EHSIZE + PHENTSIZE);
    let size = u32::try_from(data.len()).expect("image size");

    let mut elf = vec![0x7F, b'E', b'L', b'F', 1, 1, 1, 0];
    elf.resize(16, 0);
    for half in [ET_EXEC, EM_ARM] {
        elf.extend_from_slice(&half.to_le_bytes());
    }
    // e_version, e_entry, e_phoff, e_shoff, e_flags
    for word in [1, entry, u32::from(EHSIZE), 0, EF_ARM_EABI_VER5] {
        elf.extend_from_slice(&word.to_le_bytes());
    }
    // e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx
    for half in [EHSIZE, PHENTSIZE, 1, 40, 0, 0] {
        elf.extend_from_slice(&half.to_le_bytes());
    }
    // p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align
    for word in [PT_LOAD, offset, addr, addr, size, size, PF_R_X, 4] {
        elf.extend_from_slice(&word.to_le_bytes());
    }
    elf.extend_from_slice(data);
    elf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_table_points_into_the_image() {
        let image = echo_image();
        let word = |i: usize| u32::from_le_bytes(image.bytes[4 * i..4 * i + 4].try_into().unwrap());
        assert_eq!(word(0), 0x2000_8000, "initial SP at the top of TCMU");
        assert_eq!(word(1), image.entry);
        assert_eq!(word(1) & 1, 1, "Thumb reset vector");
        let isr = word((SYSTEM_VECTORS + NVIC_IRQ_MU_B) as usize);
        assert_eq!(isr & 1, 1);
        let end = TCML_M4 + image.bytes.len() as u32;
        for i in 1..=(SYSTEM_VECTORS + NVIC_IRQ_MU_B) as usize {
            assert!((TCML_M4..end).contains(&(word(i) & !1)));
        }
    }

    #[test]
    fn branch_encodings() {
        let mut t = Thumb {
            code: Vec::new(),
            loads: Vec::new(),
        };
        let target = t.emit(WFI);
        t.b_back(target);
        t.b_back(t.here());
        t.b_cond_skip(COND_PL, 4);
        assert_eq!(t.code, [WFI, 0xE7FD, 0xE7FE, 0xD503]);
    }

    #[test]
    fn counter_image_starts_at_its_reset_vector() {
        let image = counter_image();
        let word = |i: usize| u32::from_le_bytes(image.bytes[4 * i..4 * i + 4].try_into().unwrap());
        assert_eq!(word(0), 0x2000_8000, "initial SP at the top of TCMU");
        assert_eq!(word(1), image.entry);
        assert_eq!(word(1) & 1, 1, "Thumb reset vector");
        let code = (word(1) & !1) - TCML_M4;
        let half =
            |at: u32| u16::from_le_bytes([image.bytes[at as usize], image.bytes[at as usize + 1]]);
        // LDR r0, [PC, #imm]: the data block's address from the pool.
        assert_eq!(half(code) & 0xFF00, 0x4800);
        let pool = ((code + 4) & !3) + 4 * u32::from(half(code) & 0xFF);
        assert_eq!(word(pool as usize / 4), TCMU_M4);
    }

    #[test]
    fn the_two_images_have_different_reset_vectors() {
        // A start that took the vector table of the image loaded at machine
        // start, not of the one now in TCML, must not go unnoticed.
        assert_ne!(counter_image().entry, echo_image().entry);
    }

    #[test]
    fn system_instruction_encodings() {
        let mut t = Thumb {
            code: Vec::new(),
            loads: Vec::new(),
        };
        t.mov_from_sp(2);
        t.sub_sp(16);
        t.mrs_primask(2);
        assert_eq!(t.code, [0x466A, 0xB084, 0xF3EF, 0x8210]);
    }

    #[test]
    fn elf_header_is_arm_exec() {
        let elf = echo_image_elf();
        assert_eq!(&elf[..4], b"\x7fELF");
        assert_eq!(u16::from_le_bytes([elf[18], elf[19]]), 40);
        assert_eq!(
            u32::from_le_bytes(elf[60..64].try_into().unwrap()),
            TCML_M4,
            "segment at TCML"
        );
    }
}
