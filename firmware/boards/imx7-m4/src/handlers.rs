// SPDX-License-Identifier: MIT OR Apache-2.0
//! Panic, HardFault and default exception handlers reporting on the debug
//! UART (feature `handlers`).

use core::fmt::Write;
use core::panic::PanicInfo;

use cortex_m_rt::{exception, ExceptionFrame};

use crate::uart::DebugUart;

/// Stops the M4 for good: interrupts off, sleep forever.
fn halt() -> ! {
    cortex_m::interrupt::disable();
    loop {
        cortex_m::asm::wfi();
    }
}

/// A UART handle for the last words of the program.
fn last_words() -> DebugUart {
    cortex_m::interrupt::disable();
    // SAFETY: interrupts are off and the caller never returns to the code
    // that owns the regular DebugUart, so no two handles are used at once.
    let mut uart = unsafe { DebugUart::steal() };
    // The fault may come before the program set the UART up.
    uart.enable();
    uart
}

#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    let mut uart = last_words();
    let _ = writeln!(uart, "\nm4: panic: {info}");
    halt()
}

#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    let mut uart = last_words();
    let _ = writeln!(
        uart,
        "\nm4: HardFault at pc={:#010x} lr={:#010x} xpsr={:#010x}",
        frame.pc(),
        frame.lr(),
        frame.xpsr()
    );
    halt()
}

#[exception]
unsafe fn DefaultHandler(irqn: i16) {
    let mut uart = last_words();
    let _ = writeln!(
        uart,
        "\nm4: unhandled exception or interrupt {irqn}, halting"
    );
    halt()
}
