// SPDX-License-Identifier: GPL-2.0
//! The kernel's RPMsg character-device UAPI (`include/uapi/linux/rpmsg.h`):
//! the endpoint description and the two ioctl numbers this tool issues.

/// Length of an endpoint name, terminating NUL included.
pub const NAME_SIZE: usize = 32;

/// "Any address": the kernel picks the local address.
#[allow(dead_code)] // documents the UAPI; callers pass it as 0xffffffff
pub const ADDR_ANY: u32 = 0xffff_ffff;

/// `struct rpmsg_endpoint_info`: what `RPMSG_CREATE_EPT_IOCTL` creates.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct EndpointInfo {
    /// Service name, NUL-terminated.
    pub name: [u8; NAME_SIZE],
    /// Local address, or [`ADDR_ANY`].
    pub src: u32,
    /// Remote address, or [`ADDR_ANY`].
    pub dst: u32,
}

impl EndpointInfo {
    /// An endpoint description; `None` if `name` does not fit with its NUL
    /// or holds a NUL.
    pub fn new(name: &str, src: u32, dst: u32) -> Option<Self> {
        let bytes = name.as_bytes();
        if bytes.len() >= NAME_SIZE || bytes.contains(&0) {
            return None;
        }
        let mut info = Self {
            name: [0; NAME_SIZE],
            src,
            dst,
        };
        info.name[..bytes.len()].copy_from_slice(bytes);
        Some(info)
    }
}

// The ioctl number encodes the argument size: keep the layout exact.
const _: () = assert!(core::mem::size_of::<EndpointInfo>() == 40);

/// Linux's generic ioctl number layout (ARM uses it): number in bits 0-7,
/// type in 8-15, argument size in 16-29, direction in 30-31.
const fn ioc(dir: u32, ty: u32, nr: u32, size: usize) -> u32 {
    (dir << 30) | ((size as u32) << 16) | (ty << 8) | nr
}

/// Direction "user space writes" (`_IOW`).
const IOC_WRITE: u32 = 1;
/// The RPMsg ioctl type byte.
const RPMSG_IOC_TYPE: u32 = 0xb5;

/// `RPMSG_CREATE_EPT_IOCTL`: `_IOW(0xb5, 0x1, struct rpmsg_endpoint_info)`.
pub const CREATE_EPT: u32 = ioc(
    IOC_WRITE,
    RPMSG_IOC_TYPE,
    1,
    core::mem::size_of::<EndpointInfo>(),
);
/// `RPMSG_DESTROY_EPT_IOCTL`: `_IO(0xb5, 0x2)`.
pub const DESTROY_EPT: u32 = ioc(0, RPMSG_IOC_TYPE, 2, 0);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ioctl_numbers_match_the_kernel_encoding() {
        assert_eq!(CREATE_EPT, 0x4028_b501);
        assert_eq!(DESTROY_EPT, 0xb502);
    }

    #[test]
    fn names_must_fit_with_their_nul() {
        assert!(EndpointInfo::new(&"a".repeat(31), 0, 0).is_some());
        assert!(EndpointInfo::new(&"a".repeat(32), 0, 0).is_none());
        assert!(EndpointInfo::new("a\0b", 0, 0).is_none());
        let info = EndpointInfo::new("ept", ADDR_ANY, 30).unwrap();
        assert_eq!(&info.name[..4], b"ept\0");
    }
}
