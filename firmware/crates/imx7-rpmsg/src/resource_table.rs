// SPDX-License-Identifier: MIT OR Apache-2.0
//! The resource table: what Linux's remoteproc core needs to drive this
//! firmware with the kernel's stock stack (`imx_rproc`, `virtio_rpmsg_bus`),
//! in the layout it parses (`include/linux/rsc_table.h` in Linux 7.3,
//! `remoteproc.h` before) and that rpmsg-lite's and OpenAMP's tables have:
//!
//! ```text
//! off  size  field
//!   0     4  ver = 1
//!   4     4  num = 1                  one resource
//!   8     8  reserved[2] = 0
//!  16     4  offset[0] = 20           where the resource starts
//!  20     4  type = RSC_VDEV (3)      fw_rsc_hdr
//!  24     4  id = VIRTIO_ID_RPMSG (7) fw_rsc_vdev
//!  28     4  notifyid = 0             (Linux does not use it)
//!  32     4  dfeatures = 1            1 << VIRTIO_RPMSG_F_NS: we announce
//!  36     4  gfeatures = 0            written by Linux: what it acked
//!  40     4  config_len = 0           rpmsg has no config space
//!  44     1  status = 0               written by Linux (virtio status)
//!  45     1  num_of_vrings = 2
//!  46     2  reserved[2] = 0
//!  48    20  vring[0]: da, align, num, notifyid, pa   Linux's input ring
//!  68    20  vring[1]: da, align, num, notifyid, pa   Linux's output ring
//!  88        end
//! ```
//!
//! The vrings are the layout's ([`ResourceTable::new`]); for the default
//! [`Imx7`](rpmsg_remote::Imx7) layout: vring0 at 0x8FFF_0000 (the ring
//! Linux receives on, its `rvq`; the remote fills it), vring1 at
//! 0x8FFF_8000 (Linux sends on it), align 0x1000, 256 descriptors, notify
//! ids 0 and 1, `pa` 0 (Linux does not read it). The notify ids are our
//! queue ids, `2 * vdev + ring`; remoteproc assigns its own anyway, from 0
//! in table order, which are the same for vdev 0, and `imx_rproc` kicks
//! with `notifyid << 16` on MU channel 1, as our transport does.
//! The device addresses are the M4's, which for DDR are the physical ones.
//! Linux's remoteproc allocates the rings from the carveouts the device
//! tree names `vdev0vring0` and `vdev0vring1`, which must hold these
//! addresses, and zeroes them.
//!
//! On the M4 the table is the static [`RESOURCE_TABLE`] in the ELF section
//! `.resource_table` (feature `resource-table`, on by default), which the
//! board's `memory.x` places at a fixed address right after the vector
//! table, TCML + 0x200: M4 0x1FFF_8200, 0x007F_8200 for the A7. When
//! remoteproc starts the firmware it finds the section in the ELF, loads
//! it with the rest and then works on the loaded copy: it writes the
//! notify ids, the features it acked and the virtio status, which reaches
//! `DRIVER_OK` once `virtio_rpmsg_bus` has filled its input ring
//! ([`vdev_status`]). Attaching to an M4 that is already running, it reads
//! the table where the device tree's `rsc-table` region says (that
//! address, 1 KiB).
//!
//! Our own transport does not use the table: the firmware works the same
//! with either (see [`Imx7Platform::wait_for_linux`](crate::Imx7Platform)).

use rpmsg_remote::Config;

/// The table format version remoteproc accepts.
pub const VERSION: u32 = 1;
/// Resource type of a virtio device (`RSC_VDEV`).
pub const RSC_VDEV: u32 = 3;
/// Virtio device id of rpmsg (`VIRTIO_ID_RPMSG`).
pub const VIRTIO_ID_RPMSG: u32 = 7;
/// Feature bit: the remote sends name-service announcements
/// (`VIRTIO_RPMSG_F_NS`).
pub const VIRTIO_RPMSG_F_NS: u32 = 0;
/// Virtio status bit: the driver is ready (`VIRTIO_CONFIG_S_DRIVER_OK`).
pub const VIRTIO_CONFIG_S_DRIVER_OK: u8 = 4;

/// One vring of the vdev (`struct fw_rsc_vdev_vring`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vring {
    /// Device (M4) address of the ring.
    pub da: u32,
    /// Alignment of the used ring.
    pub align: u32,
    /// Descriptors.
    pub num: u32,
    /// The id a kick of this ring carries (remoteproc assigns it).
    pub notifyid: u32,
    /// Physical address (reserved before Linux 5.x; Linux does not read it).
    pub pa: u32,
}

/// The virtio device (`struct fw_rsc_vdev`) and its two vrings.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vdev {
    /// Virtio device id.
    pub id: u32,
    /// Not used by Linux.
    pub notifyid: u32,
    /// Features the device offers.
    pub dfeatures: u32,
    /// Features Linux acked (written by Linux).
    pub gfeatures: u32,
    /// Bytes of config space after the vrings.
    pub config_len: u32,
    /// Virtio status (written by Linux).
    pub status: u8,
    /// Vrings that follow.
    pub num_of_vrings: u8,
    /// Must be zero.
    pub reserved: [u8; 2],
    /// The vrings.
    pub vring: [Vring; 2],
}

/// The whole table: header with one offset, then the vdev resource.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResourceTable {
    /// Format version.
    pub ver: u32,
    /// Number of resources.
    pub num: u32,
    /// Must be zero.
    pub reserved: [u32; 2],
    /// Offset of each resource from the start of the table.
    pub offset: [u32; 1],
    /// The resource's type (`struct fw_rsc_hdr`).
    pub vdev_type: u32,
    /// The resource.
    pub vdev: Vdev,
}

// The board's memory.x places .text this far after the table's start.
const _: () = assert!(
    core::mem::size_of::<LinuxWritable>() == 0x58,
    "boards/imx7-m4/memory.x reserves 0x58 bytes for the resource table"
);

/// Offset of the vdev resource (its type word) in the table.
pub const VDEV_OFFSET: usize = core::mem::offset_of!(ResourceTable, vdev_type);
/// Offset of the virtio status byte in the table.
pub const STATUS_OFFSET: usize = core::mem::offset_of!(ResourceTable, vdev.status);

impl ResourceTable {
    /// The table for layout `C`: one rpmsg vdev with the name-service
    /// feature, its two vrings where `C` puts them. Fails to compile if the
    /// rings are not in the 32-bit address space.
    pub const fn new<C: Config>() -> Self {
        const {
            rpmsg_remote::config::check::<C>();
            assert!(
                C::BASE + C::VRING1_OFFSET as u64 <= u32::MAX as u64,
                "the vrings must have 32-bit addresses"
            );
        };
        let q0 = 2 * C::VDEV;
        Self {
            ver: VERSION,
            num: 1,
            reserved: [0; 2],
            offset: [VDEV_OFFSET as u32],
            vdev_type: RSC_VDEV,
            vdev: Vdev {
                id: VIRTIO_ID_RPMSG,
                notifyid: 0,
                dfeatures: 1 << VIRTIO_RPMSG_F_NS,
                gfeatures: 0,
                config_len: 0,
                status: 0,
                num_of_vrings: 2,
                reserved: [0; 2],
                vring: [
                    Vring::new::<C>(C::BASE, q0),
                    Vring::new::<C>(C::BASE + C::VRING1_OFFSET as u64, q0 + 1),
                ],
            },
        }
    }
}

impl Vring {
    /// A vring of layout `C` at `da` kicked with `notifyid`.
    const fn new<C: Config>(da: u64, notifyid: u32) -> Self {
        Self {
            da: da as u32,
            align: C::ALIGN,
            num: C::NUM as u32,
            notifyid,
            pa: 0,
        }
    }
}

/// The table Linux may write into: the status byte, the acked features and
/// the notify ids change under the program's feet.
#[repr(transparent)]
pub struct LinuxWritable(core::cell::UnsafeCell<ResourceTable>);

// SAFETY: the program only ever reads the table, with volatile reads of
// single bytes; the writer is Linux, outside the program.
unsafe impl Sync for LinuxWritable {}

impl LinuxWritable {
    /// Wraps `table`.
    pub const fn new(table: ResourceTable) -> Self {
        Self(core::cell::UnsafeCell::new(table))
    }

    /// The virtio status byte as Linux last wrote it (0 until remoteproc
    /// set the device up, and under our own transport, which never does).
    pub fn status(&self) -> u8 {
        // SAFETY: in bounds of the table, aligned (a byte), and valid for
        // reads for the program's life; volatile because Linux writes it.
        unsafe { self.0.get().cast::<u8>().add(STATUS_OFFSET).read_volatile() }
    }
}

/// This firmware's resource table, in the section `.resource_table` that
/// remoteproc looks for, describing the default layout.
#[cfg(all(target_arch = "arm", target_os = "none", feature = "resource-table"))]
#[used]
#[no_mangle]
#[link_section = ".resource_table"]
pub static RESOURCE_TABLE: LinuxWritable =
    LinuxWritable::new(ResourceTable::new::<rpmsg_remote::Imx7>());

/// The virtio status Linux's remoteproc wrote into [`RESOURCE_TABLE`]
/// (bits `VIRTIO_CONFIG_S_*`): 0 unless remoteproc drives this firmware.
#[cfg(all(target_arch = "arm", target_os = "none", feature = "resource-table"))]
pub fn vdev_status() -> u8 {
    RESOURCE_TABLE.status()
}

/// Whether remoteproc's virtio device is ready: `virtio_rpmsg_bus` has
/// set its rings up ([`VIRTIO_CONFIG_S_DRIVER_OK`] in [`vdev_status`]).
#[cfg(all(target_arch = "arm", target_os = "none", feature = "resource-table"))]
pub fn driver_ok() -> bool {
    vdev_status() & VIRTIO_CONFIG_S_DRIVER_OK != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};
    use rpmsg_remote::Imx7;
    use std::vec::Vec;

    /// The table's bytes as Linux reads them (little-endian target and host).
    fn bytes(t: &ResourceTable) -> Vec<u8> {
        // SAFETY: repr(C), no padding (checked below), any byte readable.
        unsafe {
            core::slice::from_raw_parts(
                (t as *const ResourceTable).cast::<u8>(),
                size_of::<ResourceTable>(),
            )
        }
        .to_vec()
    }

    #[test]
    fn layout_is_the_kernels() {
        // struct resource_table: ver, num, reserved[2], offset[].
        assert_eq!(offset_of!(ResourceTable, ver), 0);
        assert_eq!(offset_of!(ResourceTable, num), 4);
        assert_eq!(offset_of!(ResourceTable, reserved), 8);
        assert_eq!(offset_of!(ResourceTable, offset), 16);
        // struct fw_rsc_hdr, then struct fw_rsc_vdev (24 bytes before its
        // vrings), then two struct fw_rsc_vdev_vring of 20 bytes.
        assert_eq!(VDEV_OFFSET, 20);
        assert_eq!(offset_of!(ResourceTable, vdev), 24);
        assert_eq!(offset_of!(Vdev, id), 0);
        assert_eq!(offset_of!(Vdev, notifyid), 4);
        assert_eq!(offset_of!(Vdev, dfeatures), 8);
        assert_eq!(offset_of!(Vdev, gfeatures), 12);
        assert_eq!(offset_of!(Vdev, config_len), 16);
        assert_eq!(offset_of!(Vdev, status), 20);
        assert_eq!(offset_of!(Vdev, num_of_vrings), 21);
        assert_eq!(offset_of!(Vdev, reserved), 22);
        assert_eq!(offset_of!(Vdev, vring), 24);
        assert_eq!(size_of::<Vring>(), 20);
        assert_eq!(offset_of!(Vring, da), 0);
        assert_eq!(offset_of!(Vring, align), 4);
        assert_eq!(offset_of!(Vring, num), 8);
        assert_eq!(offset_of!(Vring, notifyid), 12);
        assert_eq!(offset_of!(Vring, pa), 16);
        assert_eq!(size_of::<Vdev>(), 24 + 2 * 20);
        assert_eq!(STATUS_OFFSET, 44);
        // No padding anywhere: the sizes add up.
        assert_eq!(size_of::<ResourceTable>(), 16 + 4 + 4 + 64);
        assert_eq!(size_of::<LinuxWritable>(), 88);
        // Within the 1 KiB imx_rproc maps for an attached M4.
        assert!(size_of::<ResourceTable>() <= 1024);
    }

    #[test]
    fn bytes_of_the_default_table() {
        let le = |v: u32| v.to_le_bytes();
        let mut want = Vec::new();
        // Header: version 1, one resource, reserved, offset 20.
        for v in [1, 1, 0, 0, 20] {
            want.extend(le(v));
        }
        // RSC_VDEV, VIRTIO_ID_RPMSG, notifyid 0, dfeatures NS, gfeatures 0,
        // config_len 0.
        for v in [3, 7, 0, 1, 0, 0] {
            want.extend(le(v));
        }
        // status 0, two vrings, reserved.
        want.extend([0, 2, 0, 0]);
        // vring0 (Linux's input ring) and vring1: da, align, num,
        // notifyid, pa.
        for v in [
            0x8FFF_0000,
            0x1000,
            256,
            0,
            0,
            0x8FFF_8000,
            0x1000,
            256,
            1,
            0,
        ] {
            want.extend(le(v));
        }
        let t = ResourceTable::new::<Imx7>();
        assert_eq!(bytes(&t), want);
        assert_eq!(want.len(), 88);
    }

    #[test]
    fn vrings_follow_the_layout() {
        struct Vdev1;
        impl Config for Vdev1 {
            const BASE: u64 = 0x8FFE_0000;
            const NUM: u16 = 64;
            const ALIGN: u32 = 0x100;
            const VRING1_OFFSET: u32 = 0x1000;
            const VDEV: u32 = 1;
        }
        let t = ResourceTable::new::<Vdev1>();
        let v = t.vdev.vring;
        assert_eq!(
            (v[0].da, v[0].align, v[0].num, v[0].notifyid),
            (0x8FFE_0000, 0x100, 64, 2)
        );
        assert_eq!((v[1].da, v[1].notifyid), (0x8FFE_1000, 3));
    }

    #[test]
    fn status_is_read_where_linux_writes_it() {
        let t = LinuxWritable::new(ResourceTable::new::<Imx7>());
        assert_eq!(t.status(), 0);
        // What remoteproc's rproc_virtio_set_status does to the loaded
        // table: ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK.
        // SAFETY: nothing else reads or writes `t` meanwhile.
        unsafe { (*t.0.get()).vdev.status = 0x0F };
        assert_eq!(t.status(), 0x0F);
        assert_ne!(t.status() & VIRTIO_CONFIG_S_DRIVER_OK, 0);
    }
}
