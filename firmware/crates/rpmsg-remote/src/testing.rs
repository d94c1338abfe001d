// SPDX-License-Identifier: MIT OR Apache-2.0
//! Test support for other crates (feature `testing`, host only): the same
//! files this crate's integration tests use (`tests/common/`), so the model
//! that checks the stack also checks the applications built on it.
//!
//! ```
//! use rpmsg_remote::testing::{guard::Guard, linux::{memory, Linux}, sim::Sim};
//! use rpmsg_remote::Device;
//! use std::cell::RefCell;
//!
//! let mem = memory();
//! let linux = RefCell::new(Linux::new(&mem, 0, 8, 8));
//! let mut dev: Device<_, _, rpmsg_remote::testing::guard::Sim64k, 2> =
//!     Device::new(Guard::new(&mem), Sim::new(&linux));
//! let ept = dev.create_endpoint(Some(30), Some(b"demo")).unwrap();
//! linux.borrow_mut().step();
//! let local = linux.borrow().channel("demo").local;
//! linux.borrow_mut().send(local, 30, b"hi");
//! let mut buf = [0u8; 496];
//! let m = dev.recv_into(&mut buf, 100).unwrap();
//! assert_eq!((m.src, m.dst, &buf[..m.len]), (local, ept.addr(), &b"hi"[..]));
//! ```

#[path = "../tests/common/guard.rs"]
pub mod guard;
#[path = "../tests/common/linux.rs"]
pub mod linux;
#[path = "../tests/common/sim.rs"]
pub mod sim;
