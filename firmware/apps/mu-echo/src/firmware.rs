// SPDX-License-Identifier: MIT OR Apache-2.0
//! The M4 side: start-up, the MU interrupt handler and the glue between the
//! board's MU driver and the portable echo service.

use core::cell::RefCell;
use core::fmt::Write;

use cortex_m_rt::entry;
use critical_section::Mutex;
use imx7_m4::interrupt;
use imx7_m4::mu::Mu;
use imx7_m4::uart::DebugUart;
use imx7_m4::Interrupt;
use mu_echo::Echo;

/// Everything the MU interrupt works on, handed over by `main` once set up.
struct Service {
    mu: Mu,
    echo: Echo,
}

static SERVICE: Mutex<RefCell<Option<Service>>> = Mutex::new(RefCell::new(None));

#[entry]
fn main() -> ! {
    let mut uart = DebugUart::take().expect("debug UART taken once");
    let _ = writeln!(uart, "mu-echo: imx-rpmsg-rs M4 firmware running");

    let mut mu = Mu::take().expect("MU taken once");
    let status = mu.status();
    let _ = writeln!(
        uart,
        "mu-echo: MU side B SR={:#010x} CR={:#010x}; reply = !w ^ (n << 24) on channel n",
        status.0,
        mu.control().0
    );
    let mut echo = Echo::new();
    echo.start(&mut mu);
    critical_section::with(|cs| {
        SERVICE.borrow_ref_mut(cs).replace(Service { mu, echo });
    });
    // SAFETY: the handler's state is in SERVICE and no critical section
    // relies on the MU interrupt being masked.
    unsafe { imx7_m4::irq::unmask(Interrupt::MU) };
    let _ = writeln!(uart, "mu-echo: ready");

    loop {
        cortex_m::asm::wfi();
    }
}

#[interrupt]
fn MU() {
    critical_section::with(|cs| {
        if let Some(service) = SERVICE.borrow_ref_mut(cs).as_mut() {
            service.echo.service(&mut service.mu);
        }
    });
}
