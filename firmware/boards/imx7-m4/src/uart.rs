// SPDX-License-Identifier: MIT OR Apache-2.0
//! Polled debug output on the i.MX7's UART2 (`0x30890000`).
//!
//! Transmit only. Every wait is bounded: when the UART does not drain (no
//! clock, no model in an emulator, nobody listening with flow control), bytes
//! are dropped and the UART is marked stalled so later writes do not wait at
//! all. The program never hangs on its debug output.
//!
//! If the UART is not enabled yet (`UCR1.UARTEN` clear) it is set up for
//! 115200 8N1 from a 24 MHz UART clock root; pin muxing and the clock gate
//! are left to the boot loader / Linux.

use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::mmio::Block;
use crate::UART2_BASE;

/// Transmit data register.
const UTXD: usize = 0x40;
/// Control register 1; bit 0 UARTEN enables the UART.
const UCR1: usize = 0x80;
/// Control register 2: SRST (bit 0, active low), RXEN 1, TXEN 2, WS 5 (8 bits), IRTS 14.
const UCR2: usize = 0x84;
/// Control register 3; RXDMUXSEL (bit 2) must be set on i.MX6/7.
const UCR3: usize = 0x88;
/// FIFO control: RXTL 0..5, RFDIV 7..9, TXTL 10..15.
const UFCR: usize = 0x90;
/// Binary rate incremental register.
const UBIR: usize = 0xA4;
/// Binary rate modulator register.
const UBMR: usize = 0xA8;
/// Test register; bit 4 TXFULL: the transmit FIFO is full.
const UTS: usize = 0xB4;

const UCR1_UARTEN: u32 = 1 << 0;
const UCR2_SRST: u32 = 1 << 0;
const UCR2_TXEN: u32 = 1 << 2;
const UCR2_WS: u32 = 1 << 5;
const UCR2_IRTS: u32 = 1 << 14;
const UCR3_RXDMUXSEL: u32 = 1 << 2;
const UTS_TXFULL: u32 = 1 << 4;
/// RFDIV = 0b101: reference clock = UART clock / 1.
const UFCR_RFDIV_1: u32 = 0b101 << 7;
/// Transmit FIFO interrupt threshold (unused, but 0 and 1 are reserved).
const UFCR_TXTL_2: u32 = 2 << 10;
/// Receive FIFO threshold 1.
const UFCR_RXTL_1: u32 = 1;
/// 115200 Bd from 24 MHz: 24e6 / (16 * (UBMR + 1) / (UBIR + 1)) with
/// UBIR + 1 = 16, UBMR + 1 = 208 gives 115385 Bd (+0.16 %).
const UBIR_115200: u32 = 15;
const UBMR_115200: u32 = 207;

/// Polls of a full transmit FIFO before a byte is dropped (far longer than
/// one character time at 115200 Bd on a 240 MHz M4).
const MAX_POLLS: u32 = 100_000;

/// Set once the UART has been handed out.
static TAKEN: AtomicBool = AtomicBool::new(false);

/// The debug UART's transmitter.
#[derive(Debug)]
pub struct DebugUart {
    regs: Block,
    stalled: bool,
    dropped: u32,
}

impl DebugUart {
    /// Returns the UART (enabled and set up if it was off) the first time
    /// it is called, `None` afterwards.
    pub fn take() -> Option<DebugUart> {
        if TAKEN.swap(true, Ordering::AcqRel) {
            return None;
        }
        // SAFETY: we are the only user (guarded by TAKEN).
        let mut uart = unsafe { Self::steal() };
        uart.enable();
        Some(uart)
    }

    /// Creates the UART handle regardless of [`DebugUart::take`].
    ///
    /// # Safety
    /// No other `DebugUart` may be used at the same time (intended for the
    /// panic and fault handlers, after normal execution has stopped).
    pub unsafe fn steal() -> DebugUart {
        DebugUart {
            // SAFETY: UART2_BASE is UART2's register block on the i.MX7;
            // only the registers named above are accessed.
            regs: unsafe { Block::new(UART2_BASE) },
            stalled: false,
            dropped: 0,
        }
    }

    /// Makes sure the transmitter is on; configures 115200 8N1 if the UART
    /// was disabled, keeps the existing set-up otherwise.
    pub(crate) fn enable(&mut self) {
        if self.regs.read(UCR1) & UCR1_UARTEN == 0 {
            self.regs
                .write(UFCR, UFCR_RFDIV_1 | UFCR_TXTL_2 | UFCR_RXTL_1);
            self.regs.write(UBIR, UBIR_115200);
            self.regs.write(UBMR, UBMR_115200);
            self.regs.write(UCR3, self.regs.read(UCR3) | UCR3_RXDMUXSEL);
            self.regs.write(UCR1, UCR1_UARTEN);
        }
        let ucr2 = self.regs.read(UCR2);
        if ucr2 & UCR2_TXEN == 0 {
            self.regs
                .write(UCR2, ucr2 | UCR2_SRST | UCR2_TXEN | UCR2_WS | UCR2_IRTS);
        }
    }

    /// Queues one byte, waiting a bounded time for room in the FIFO.
    /// Returns `false` if the byte was dropped.
    pub fn write_byte(&mut self, byte: u8) -> bool {
        let mut polls = if self.stalled { 0 } else { MAX_POLLS };
        while self.regs.read(UTS) & UTS_TXFULL != 0 {
            if polls == 0 {
                self.stalled = true;
                self.dropped = self.dropped.wrapping_add(1);
                return false;
            }
            polls -= 1;
            core::hint::spin_loop();
        }
        self.stalled = false;
        self.regs.write(UTXD, u32::from(byte));
        true
    }

    /// Writes `bytes`, translating `\n` into `\r\n`.
    pub fn write_bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.write_byte(b'\r');
            }
            self.write_byte(b);
        }
    }

    /// Number of bytes dropped because the transmitter did not drain.
    pub fn dropped(&self) -> u32 {
        self.dropped
    }
}

impl fmt::Write for DebugUart {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}
