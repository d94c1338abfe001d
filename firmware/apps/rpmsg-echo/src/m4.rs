// SPDX-License-Identifier: MIT OR Apache-2.0
//! The M4 program (target only): set-up, UART lines, and the serving loop,
//! for the layout `C`. `rpmsg-echo` runs it with the default layout;
//! `rpmsg-lite-like` with a layout that makes the device behave like stock
//! rpmsg-lite.

use core::fmt::Write;

use imx7_m4::uart::DebugUart;
use imx7_rpmsg::{take_shared_memory, Imx7Platform, DEFAULT_CORE_HZ};
use rpmsg_remote::{Config, Device, FOREVER};

use crate::{Echo, DEMO_ADDR, DEMO_NAME, TTY_ADDR, TTY_NAME};

/// The program's own words on the debug UART.
pub struct Lines {
    /// The first line, up to the address of the rings (`rpmsg-echo:
    /// imx-rpmsg-rs M4 firmware, vrings at `).
    pub hello: &'static [u8],
    /// The second, whole (`rpmsg-echo: waiting for the link\n`).
    pub waiting: &'static [u8],
    /// The third, up to the channels (`rpmsg-echo: link up, announced `).
    pub link_up: &'static [u8],
}

/// Serves both channels for good.
#[inline(always)]
pub fn run<C: Config>(lines: &Lines) -> ! {
    let mut uart = DebugUart::take().expect("debug UART taken once");
    uart.write_bytes(lines.hello);
    let _ = writeln!(uart, "{:#x}", C::BASE);
    uart.write_bytes(lines.waiting);

    let cp = cortex_m::Peripherals::take().expect("core peripherals taken once");
    let mut platform = Imx7Platform::new(uart, cp.SYST, DEFAULT_CORE_HZ).expect("MU taken once");
    // Touch the window only once Linux has set the rings up (see there).
    platform.wait_for_linux();
    let shm = take_shared_memory::<C>().expect("shared window taken once");
    let mut dev: Device<_, _, C, 2> = Device::new(shm, platform);
    let mut echo = Echo::new(&mut dev).expect("two endpoints fit the table");

    // Cannot time out; endpoints are announced as soon as the link is up.
    let _ = dev.wait_link(FOREVER);
    let uart = dev.platform_mut().uart();
    uart.write_bytes(lines.link_up);
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
