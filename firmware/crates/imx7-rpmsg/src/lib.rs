// SPDX-License-Identifier: MIT OR Apache-2.0
//! # imx7-rpmsg
//!
//! The i.MX7 Cortex-M4 platform for [`rpmsg_remote`]: the glue between the
//! portable RPMsg stack and the board crate [`imx7_m4`].
//!
//! ```text
//!   application (apps/rpmsg-echo, yours)
//!        |                      |
//!   imx7-rpmsg (this) ----> rpmsg-remote (portable core, no hardware)
//!        |
//!   imx7-m4 (board: start-up, MU driver, UART, vector table)
//! ```
//!
//! * **Kicks out**: `Platform::notify(q)` puts `q << 16` in MU TR1 (channel
//!   1), never overwriting a word Linux has not read and never waiting for
//!   it: see [`kick`] for the exact rule (pending bit per queue, TE1
//!   interrupt, merging of redundant kicks).
//! * **Kicks in**: the MU interrupt (NVIC 97, receive-full on channel 1)
//!   reads RR1 at once (so Linux's TR1 is free again) and sets a sticky
//!   flag; `Platform::wait` sleeps in `wfi` until that flag or the timeout,
//!   and the stack's next look at the rings takes it
//!   (`Platform::take_kick_summary`; no flag, no look).
//! * **Time**: SysTick from the processor clock, [`TICK_HZ`] ticks per
//!   second (milliseconds when the `core_hz` given is right); timeouts of
//!   the stack are in these ticks. Tickless: SysTick runs only while
//!   someone needs time (a timeout, `now`, the rate limit of the
//!   diagnostic lines); an idle M4 waiting without a deadline sleeps in
//!   `wfi` until Linux kicks and executes nothing meanwhile.
//! * **Shared memory**: [`take_shared_memory`] gives the stack volatile
//!   access to its window in DDR (rings at 0x8FFF_0000 by default), which
//!   the M4 sees at the same addresses as Linux.
//! * **Start-up**: [`Imx7Platform::wait_for_linux`] sleeps until Linux's
//!   first kick, so that nothing is read from or written to the window
//!   before Linux has set the rings up (stale rings of an earlier boot would
//!   otherwise look like a live link), or until Linux's remoteproc marked
//!   the virtio device ready in the resource table.
//! * **Resource table** ([`resource_table`], feature `resource-table`, on
//!   by default): the section `.resource_table` that lets the kernel's
//!   stock remoteproc (`imx_rproc`) start or attach to the firmware; one
//!   rpmsg vdev with the default layout's two vrings.
//! * **Reports**: rejected input, ring re-creations and Linux's
//!   name-service messages are printed on the debug UART (UART2), at most
//!   four lines a second, and counted ([`Imx7Platform::stats`]).
//! * **Behaving like stock rpmsg-lite** (feature `lite-like`, test firmware
//!   only): for a device whose layout sets rpmsg-remote's `LITE_LIKE`, the
//!   platform tells Linux's kicks apart by queue (the word's upper half, as
//!   rpmsg-lite's MU handler does) and kicks as rpmsg-lite's i.MX platform
//!   does, spinning until Linux has read the previous word
//!   ([`kick::KickQueue::try_send`]).
//!
//! ## Memory attributes and caches (what we assume)
//!
//! The M4 platform of the i.MX7 has a local memory controller with two
//! caches, one for the code bus (0x0000_0000–0x1FFF_FFFF) and one for the
//! system bus (0x2000_0000 and up, which includes DDR); both are off after
//! reset, and whether a region is cached follows its memory attributes
//! (default map or MPU). This crate enables neither cache and leaves the
//! MPU off, so every ring and buffer access reaches DDR, coherent with
//! Linux's uncached `dma_alloc_coherent` mappings; the stack's barriers
//! order the accesses. An application that turns the system-bus cache on
//! must first make the window non-cacheable (an MPU region), because the
//! stack does no cache maintenance.
//!
//! ## Use
//!
//! ```text
//! let cp = cortex_m::Peripherals::take().unwrap();
//! let uart = DebugUart::take().unwrap();
//! let mut platform = Imx7Platform::new(uart, cp.SYST, imx7_rpmsg::DEFAULT_CORE_HZ).unwrap();
//! platform.wait_for_linux(); // the window is Linux's to set up first
//! let shm = imx7_rpmsg::take_shared_memory::<Imx7>().unwrap();
//! let mut dev: Device<_, _, Imx7, 2> = Device::new(shm, platform);
//! ```
//!
//! With the default feature `irq-handlers` this crate defines the `MU` and
//! `SysTick` handlers; without it, the application defines them and calls
//! [`on_mu_interrupt`] and [`on_tick`].
//!
//! Only the portable parts ([`kick`], [`ratelimit`], [`resource_table`]'s
//! layout, [`storm`], [`text`]) are built on other targets, where they are
//! unit-tested.
#![no_std]
#![deny(missing_docs)]

#[cfg(test)]
extern crate std;

pub mod kick;
pub mod ratelimit;
pub mod resource_table;
pub mod storm;
pub mod text;

#[cfg(all(target_arch = "arm", target_os = "none"))]
mod clock;
#[cfg(all(target_arch = "arm", target_os = "none"))]
mod irq;
#[cfg(all(target_arch = "arm", target_os = "none"))]
mod platform;
#[cfg(all(target_arch = "arm", target_os = "none"))]
mod shm;

#[cfg(all(target_arch = "arm", target_os = "none"))]
pub use clock::{now, on_tick, TICK_HZ};
#[cfg(all(target_arch = "arm", target_os = "none"))]
pub use irq::{on_mu_interrupt, MuStats, KICK_CHANNEL};
#[cfg(all(target_arch = "arm", target_os = "none"))]
pub use platform::{Imx7Platform, Stats};
#[cfg(all(target_arch = "arm", target_os = "none"))]
pub use shm::{take_shared_memory, DDR_BASE};

/// The M4's clock assumed when the application has no better figure:
/// 200 MHz, the i.MX7's maximum for the M4 and the emulated board's clock.
/// The M4 runs at whatever its clock root was set to by the boot loader; a
/// different real clock scales every timeout by the ratio.
pub const DEFAULT_CORE_HZ: u32 = 200_000_000;
