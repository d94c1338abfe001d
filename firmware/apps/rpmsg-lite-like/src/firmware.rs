// SPDX-License-Identifier: MIT OR Apache-2.0
//! The M4 entry point: rpmsg-echo's program with the rpmsg-lite-like
//! layout.

use cortex_m_rt::entry;
use rpmsg_echo::m4::{run, Lines};
use rpmsg_lite_like::Imx7Lite;

#[entry]
fn main() -> ! {
    run::<Imx7Lite>(&Lines {
        hello: b"rpmsg-lite-like: imx-rpmsg-rs M4 test firmware behaving like stock rpmsg-lite, vrings at ",
        waiting: b"rpmsg-lite-like: waiting for the link\n",
        link_up: b"rpmsg-lite-like: link up, announced ",
    })
}
