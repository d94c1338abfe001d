// SPDX-License-Identifier: MIT OR Apache-2.0
//! The M4 side: set-up, UART lines, the serving loop, and the stall.

use core::fmt::Write;

use cortex_m_rt::entry;
use imx7_m4::uart::DebugUart;
use imx7_rpmsg::{take_shared_memory, Imx7Platform, DEFAULT_CORE_HZ};
use rpmsg_hostile::{
    storm_word, Command, Hostile, Served, CTL_ADDR, CTL_NAME, STORM_PATIENCE, STORM_WORDS,
    TTY_ADDR, TTY_NAME,
};
use rpmsg_remote::{Device, Imx7, Platform, FOREVER};

#[entry]
fn main() -> ! {
    let mut uart = DebugUart::take().expect("debug UART taken once");
    // The test harness waits for this exact line.
    let _ = writeln!(uart, "rpmsg-hostile: waiting for the link");

    let cp = cortex_m::Peripherals::take().expect("core peripherals taken once");
    let mut platform = Imx7Platform::new(uart, cp.SYST, DEFAULT_CORE_HZ).expect("MU taken once");
    // Touch the window only once Linux has set the rings up (see there).
    platform.wait_for_linux();
    let shm = take_shared_memory::<Imx7>().expect("shared window taken once");
    let mut dev: Device<_, _, Imx7, 2> = Device::new(shm, platform);
    let mut hostile = Hostile::new(&mut dev).expect("two endpoints fit the table");

    // Cannot time out; endpoints are announced as soon as the link is up.
    let _ = dev.wait_link(FOREVER);
    let uart = dev.platform_mut().uart();
    let _ = write!(uart, "rpmsg-hostile: link up, announced ");
    uart.write_bytes(TTY_NAME);
    let _ = write!(uart, " ({TTY_ADDR}), ");
    uart.write_bytes(CTL_NAME);
    let _ = writeln!(uart, " ({CTL_ADDR})");

    while !hostile.is_stalled() {
        // Errors are transient (a ring re-created by Linux is reported by
        // the platform); keep serving.
        let served = hostile.serve(&mut dev, FOREVER);
        if served == Ok(Served::Command(Some(Command::KickStorm))) {
            let platform = dev.platform_mut();
            let [a, b, c, d] = platform.kick_storm(STORM_WORDS, STORM_PATIENCE, storm_word);
            let _ = writeln!(
                platform.uart(),
                "rpmsg-hostile: kick-storm sent {a} {b} {c} {d}"
            );
        }
    }

    // Stalled for good. `wait` sleeps in `wfi`; the MU interrupt still
    // hands Linux the kicks of the `ok stall` answer, queued before, and
    // takes Linux's kicks out of the mailbox, but nothing reads or writes
    // the rings again and no new kick is made.
    let platform = dev.platform_mut();
    let _ = writeln!(platform.uart(), "rpmsg-hostile: stalled");
    loop {
        // Nobody looks at the rings: take the kick flag so `wait` sleeps.
        platform.take_kicked();
        platform.wait(FOREVER);
    }
}
