// SPDX-License-Identifier: MIT OR Apache-2.0
//! The M4 entry point.

use cortex_m_rt::entry;
use rpmsg_echo::m4::{run, Lines};
use rpmsg_remote::Imx7;

#[entry]
fn main() -> ! {
    run::<Imx7>(&Lines {
        hello: b"rpmsg-echo: imx-rpmsg-rs M4 firmware, vrings at ",
        waiting: b"rpmsg-echo: waiting for the link\n",
        link_up: b"rpmsg-echo: link up, announced ",
    })
}
