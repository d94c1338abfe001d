// SPDX-License-Identifier: GPL-2.0-or-later
//! Addresses, bits and QOM paths of the emulated i.MX7 board that the
//! tests use.

/// Number of transmit/receive channels per Messaging Unit side.
pub const CHANNELS: u32 = 4;

/// SR/CR value of a side after reset: all TEn set, everything else clear.
pub const SR_RESET: u32 = 0x00F0_0000;

/// Side A CR bit that resets the whole Messaging Unit (MUR).
pub const CR_MUR: u32 = 1 << 5;
/// Mask of the CR flag bits Fn that show in the peer's SR.
pub const CR_F_MASK: u32 = 0x7;
/// Mask of all GIPn bits in SR.
pub const SR_GIP_MASK: u32 = 0xF000_0000;

/// GIC shared peripheral interrupt of MU side A (the A7's line).
pub const GIC_SPI_MU_A: u32 = 88;
/// NVIC external interrupt of MU side B (the M4's line).
pub const NVIC_IRQ_MU_B: u32 = 97;

/// QOM path of the A7 interrupt controller block (its gpio-in are the SPIs).
pub const QOM_GIC: &str = "/machine/soc/a7mpcore";
/// QOM path of the M4 (armv7m container; its gpio-in are the NVIC lines).
pub const QOM_M4: &str = "/machine/soc/m4-cluster/m4";
/// QOM path of the Messaging Unit; its sysbus IRQ 0 is side A, 1 side B.
pub const QOM_MU: &str = "/machine/soc/mu";
/// Name of the MU's out-GPIO list (sysbus IRQs).
pub const MU_IRQ_LIST: &str = "sysbus-irq";

/// CPU index of the M4 with `-smp 1` (the loader's `cpu-num`).
pub const M4_CPU_INDEX: u32 = 1;

/// TCML as the A7 sees it.
pub const TCML_A7: u64 = 0x007F_8000;
/// TCMU as the A7 sees it.
pub const TCMU_A7: u64 = 0x0080_0000;
/// TCML as the M4 sees it (its vector table is at the start).
pub const TCML_M4: u32 = 0x1FFF_8000;
/// TCMU as the M4 sees it.
pub const TCMU_M4: u32 = 0x2000_0000;
/// Size of each TCM.
pub const TCM_SIZE: u32 = 0x8000;

/// SRC_M4RCR, the System Reset Controller's M4 control register (Linux
/// `imx_rproc`'s `IMX7D_SRC_SCR`, SRC base 0x30390000 + 0x0C).
pub const SRC_M4RCR: u64 = 0x3039_000C;
/// SRC_M4RCR: the M4 is enabled.
pub const M4RCR_ENABLE_M4: u32 = 1 << 3;
/// SRC_M4RCR: M4 platform reset, self-clearing.
pub const M4RCR_SW_M4P_RST: u32 = 1 << 2;
/// SRC_M4RCR: M4 core reset, self-clearing.
pub const M4RCR_SW_M4C_RST: u32 = 1 << 1;
/// SRC_M4RCR: the M4 core is held in reset while this bit is set.
pub const M4RCR_SW_M4C_NON_SCLR_RST: u32 = 1 << 0;
/// The M4 control bits of SRC_M4RCR (`imx_rproc`'s mask).
pub const M4RCR_MASK: u32 = 0xF;
/// What `imx_rproc` writes under [`M4RCR_MASK`] to start the M4.
pub const M4RCR_START: u32 = M4RCR_ENABLE_M4 | M4RCR_SW_M4P_RST | M4RCR_SW_M4C_RST;
/// What `imx_rproc` writes under [`M4RCR_MASK`] to stop the M4; also what
/// it reads back, and what it takes for "stopped" at probe.
pub const M4RCR_STOP: u32 = M4RCR_ENABLE_M4 | M4RCR_SW_M4C_RST | M4RCR_SW_M4C_NON_SCLR_RST;
/// What SRC_M4RCR reads under [`M4RCR_MASK`] while the M4 runs.
pub const M4RCR_RUNNING: u32 = M4RCR_ENABLE_M4;

/// WDOG1's control register WCR (16 bits): writing 0 (software reset,
/// no WDOG_B assertion) resets the machine.
pub const WDOG1_WCR: u64 = 0x3028_0000;

/// One side of the Messaging Unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Side A, used by the Cortex-A7 (0x30AA0000).
    A,
    /// Side B, used by the Cortex-M4 (0x30AB0000).
    B,
}

impl Side {
    /// Both sides, A first.
    pub const BOTH: [Side; 2] = [Side::A, Side::B];

    /// Base address of this side's register window.
    pub fn base(self) -> u64 {
        match self {
            Side::A => 0x30AA_0000,
            Side::B => 0x30AB_0000,
        }
    }

    /// The other side.
    pub fn peer(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }

    /// Address of a register of this side.
    pub fn addr(self, reg: Reg) -> u64 {
        self.base() + reg.offset()
    }

    /// Index of this side's line among the MU's out-GPIOs.
    pub fn mu_irq_index(self) -> u32 {
        match self {
            Side::A => 0,
            Side::B => 1,
        }
    }
}

/// A Messaging Unit register, the same on both sides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reg {
    /// Transmit register n (0..4).
    Tr(u32),
    /// Receive register n (0..4).
    Rr(u32),
    /// Status register.
    Sr,
    /// Control register.
    Cr,
}

impl Reg {
    /// Offset of the register in a side's window.
    pub fn offset(self) -> u64 {
        match self {
            Reg::Tr(n) => 4 * u64::from(checked(n)),
            Reg::Rr(n) => 0x10 + 4 * u64::from(checked(n)),
            Reg::Sr => 0x20,
            Reg::Cr => 0x24,
        }
    }
}

fn checked(n: u32) -> u32 {
    assert!(n < CHANNELS, "MU channel {n} does not exist");
    n
}

/// Bit of channel `n` in a per-channel field starting at bit `base`:
/// channel 0 is the most significant bit of the nibble.
fn channel_bit(base: u32, n: u32) -> u32 {
    1 << (base + 3 - checked(n))
}

/// SR: general purpose interrupt n pending.
pub fn sr_gip(n: u32) -> u32 {
    channel_bit(28, n)
}

/// SR: receive register n full.
pub fn sr_rf(n: u32) -> u32 {
    channel_bit(24, n)
}

/// SR: transmit register n empty.
pub fn sr_te(n: u32) -> u32 {
    channel_bit(20, n)
}

/// CR: general purpose interrupt n enable.
pub fn cr_gie(n: u32) -> u32 {
    channel_bit(28, n)
}

/// CR: receive interrupt n enable.
pub fn cr_rie(n: u32) -> u32 {
    channel_bit(24, n)
}

/// CR: transmit interrupt n enable.
pub fn cr_tie(n: u32) -> u32 {
    channel_bit(20, n)
}

/// CR: general purpose interrupt n request.
pub fn cr_gir(n: u32) -> u32 {
    channel_bit(16, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_bits_match_the_reference_layout() {
        assert_eq!(sr_te(0), 1 << 23);
        assert_eq!(sr_te(3), 1 << 20);
        assert_eq!(sr_rf(0), 1 << 27);
        assert_eq!(sr_gip(3), 1 << 28);
        assert_eq!(cr_gir(0), 1 << 19);
        assert_eq!((0..CHANNELS).map(sr_te).fold(0, |a, b| a | b), SR_RESET);
    }

    #[test]
    fn imx_rproc_values() {
        assert_eq!(M4RCR_START, 0xE);
        assert_eq!(M4RCR_STOP, 0xB);
        assert_eq!(M4RCR_RUNNING, 0x8);
    }

    #[test]
    fn register_offsets() {
        assert_eq!(Side::A.addr(Reg::Tr(3)), 0x30AA_000C);
        assert_eq!(Side::B.addr(Reg::Rr(0)), 0x30AB_0010);
        assert_eq!(Side::B.addr(Reg::Cr), 0x30AB_0024);
    }
}
