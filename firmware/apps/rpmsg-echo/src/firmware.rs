// SPDX-License-Identifier: MIT OR Apache-2.0
//! The M4 side: set-up, banner, and the serving loop.

use core::fmt::Write;

use cortex_m_rt::entry;
use imx7_m4::uart::DebugUart;
use imx7_rpmsg::{take_shared_memory, Imx7Platform, DEFAULT_CORE_HZ};
use rpmsg_echo::{Echo, DEMO_ADDR, DEMO_NAME, TTY_ADDR, TTY_NAME};
use rpmsg_remote::{Config, Device, Imx7, FOREVER};

#[entry]
fn main() -> ! {
    let mut uart = DebugUart::take().expect("debug UART taken once");
    let _ = writeln!(
        uart,
        "rpmsg-echo: imx-rpmsg-rs M4 firmware, vrings at {:#x}",
        Imx7::BASE
    );
    let _ = writeln!(uart, "rpmsg-echo: waiting for the link");

    let cp = cortex_m::Peripherals::take().expect("core peripherals taken once");
    let mut platform = Imx7Platform::new(uart, cp.SYST, DEFAULT_CORE_HZ).expect("MU taken once");
    // Touch the window only once Linux has set the rings up (see there).
    platform.wait_for_linux();
    let shm = take_shared_memory::<Imx7>().expect("shared window taken once");
    let mut dev: Device<_, _, Imx7, 2> = Device::new(shm, platform);
    let mut echo = Echo::new(&mut dev).expect("two endpoints fit the table");

    // Cannot time out; endpoints are announced as soon as the link is up.
    let _ = dev.wait_link(FOREVER);
    let uart = dev.platform_mut().uart();
    let _ = write!(uart, "rpmsg-echo: link up, announced ");
    uart.write_bytes(DEMO_NAME);
    let _ = write!(uart, " ({DEMO_ADDR}), ");
    uart.write_bytes(TTY_NAME);
    let _ = writeln!(uart, " ({TTY_ADDR})");

    loop {
        // Errors are transient (a ring re-created by Linux is reported by
        // the platform); keep serving.
        let _ = echo.serve(&mut dev, FOREVER);
    }
}
