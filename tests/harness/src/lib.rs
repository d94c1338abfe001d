// SPDX-License-Identifier: GPL-2.0
//! Boot harness for the imx-rpmsg-rs QEMU i.MX7 board: builds the test
//! initramfs, boots the board with the M4 firmware, drives the serial
//! console and checks the results of the system tests.

pub mod bench_firmware;
pub mod bench_json;
pub mod bench_report;
pub mod bench_rpmsg;
pub mod bench_rpmsg_report;
pub mod bench_svg;
pub mod cli;
pub mod console;
pub mod cpio;
pub mod initramfs;
pub mod machine;
pub mod mu;
pub mod report;
pub mod suites;
pub mod suites_mailbox;
pub mod suites_remoteproc;
pub mod suites_rpmsg;
pub mod suites_rpmsg_ctrl;
pub mod suites_rpmsg_faults;
pub mod suites_rpmsg_lifecycle;
pub mod suites_rpmsg_lite;
