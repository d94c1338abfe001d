// SPDX-License-Identifier: MIT OR Apache-2.0
//! Where the rings and buffers are, how big they are, with compile-time
//! checks.
//!
//! Two ranges of physical (Linux-side) addresses matter:
//!
//! * the vdev's **ring region** at [`Config::BASE`]: vring0 at `BASE`,
//!   vring1 at `BASE + VRING1_OFFSET` (the 64 KiB reserved in the device
//!   tree);
//! * the **window**, `WINDOW_PHYS .. WINDOW_PHYS + WINDOW_SIZE`, which must
//!   contain the rings and every buffer Linux puts in them. Linux's
//!   `virtio_rpmsg_bus` allocates its buffers with `dma_alloc_coherent`, so
//!   on i.MX7 they can be anywhere in DDR: the default window is the WaRP7's
//!   512 MiB of DDR. A descriptor pointing outside the window (or into a
//!   ring) is rejected.
//!
//! The [`SharedMemory`](crate::SharedMemory) implementation maps window
//! offsets to local addresses (on i.MX7 the M4 sees DDR at the same
//! addresses, so the map is the identity: `VolatileShm::<C>::new(WINDOW_PHYS
//! as *mut u8)`, a window of `WINDOW_SIZE` bytes).

/// Layout parameters of one virtio device (vdev). Every item has a default
/// matching rpmsg-lite's `imx7d_m4` port and NXP's `imx_rpmsg` on WaRP7:
/// override only what differs. [`check`] runs at compile time when a
/// [`Device`](crate::Device) is instantiated.
pub trait Config {
    /// Physical address of the start of the window as Linux sees it.
    const WINDOW_PHYS: u64 = 0x8000_0000;
    /// Size of the window in bytes.
    const WINDOW_SIZE: u32 = 0x2000_0000;
    /// Physical address of vring0 (remote -> Linux, Linux's "input" ring).
    /// vdev `i` conventionally sits at `0x8FFF_0000 + i * 0x1_0000`.
    const BASE: u64 = 0x8FFF_0000;
    /// Offset of vring1 (Linux -> remote, Linux's "output" ring) from BASE.
    const VRING1_OFFSET: u32 = 0x8000;
    /// Descriptors per ring (a power of two, at most 32768).
    const NUM: u16 = 256;
    /// Alignment of the used ring inside a vring (legacy `vring_init` align).
    const ALIGN: u32 = 0x1000;
    /// Size of one message buffer: 16-byte header plus payload.
    const BUF_SIZE: u32 = 512;
    /// Index of this vdev; queue ids are `2 * VDEV + ring`.
    const VDEV: u32 = 0;
    /// Not layout but behaviour: when buffers consumed from vring1 go back
    /// to Linux, queue 1 is kicked only if the entries with the remote
    /// (made available by Linux, not yet returned) just before, as read
    /// after the return was published, plus the entries returned since
    /// the last kick of queue 1, reach this many.
    ///
    /// A Linux sender waits for a kick only when it has no buffer left.
    /// `virtio_rpmsg_bus` has as many TX buffers as vring1 has entries
    /// (`NUM`); a buffer it has not got back is either with the remote or
    /// returned but not yet seen by Linux. A transport whose driver reads
    /// the shared used ring sees returns at its next send; ours (Linux's
    /// `rust/virtio`, which copies checked used entries into a private
    /// ring) sees them only at a kick of either queue or its 20 ms poll.
    /// Counting the returns not kicked yet covers both: a sender can only
    /// be out of buffers when the two counts add up to `NUM`. The default,
    /// half the ring, kicks before a Linux with at least `NUM / 2` TX
    /// buffers can run out, once per `NUM / 2` returns of a one-way stream,
    /// and about once per `NUM / 2` exchanges of a request/response one,
    /// where one or two entries are with the remote (rpmsg-lite never
    /// kicks for consumed buffers). Must not exceed the number of TX
    /// buffers Linux has, or a Linux sender that ran out waits for
    /// whatever else wakes it; `1` kicks for every return.
    const CONSUMED_KICK_AT: u16 = Self::NUM / 2;
    /// Not layout but behaviour: `true` makes the device behave like stock
    /// rpmsg-lite where rpmsg-lite differs from this stack (feature
    /// `lite-like`; see [`crate::lite`]). Test firmware only.
    #[cfg(feature = "lite-like")]
    const LITE_LIKE: bool = false;
}

/// Whether `C` asks for stock rpmsg-lite's behaviour (never without the
/// feature `lite-like`, where `C` is then unused).
#[cfg_attr(
    not(feature = "lite-like"),
    allow(clippy::extra_unused_type_parameters)
)]
pub(crate) const fn lite_like<C: Config>() -> bool {
    #[cfg(feature = "lite-like")]
    {
        C::LITE_LIKE
    }
    #[cfg(not(feature = "lite-like"))]
    {
        false
    }
}

/// The default layout: WaRP7 / i.MX7 with rpmsg-lite's and NXP's numbers
/// (rings at 0x8FFF_0000 and 0x8FFF_8000, 256 descriptors, align 0x1000,
/// 512-byte buffers anywhere in the 512 MiB of DDR from 0x8000_0000).
#[derive(Clone, Copy, Debug, Default)]
pub struct Imx7;

impl Config for Imx7 {}

/// Window offsets of vring0 and vring1 (valid once [`check`] passed).
pub const fn ring_offsets<C: Config>() -> [u32; 2] {
    let r0 = C::BASE.wrapping_sub(C::WINDOW_PHYS) as u32;
    [r0, r0.wrapping_add(C::VRING1_OFFSET)]
}

/// Size of the RPMsg header in bytes.
pub const HDR_LEN: u32 = 16;

/// Offset of the available ring from the start of a vring.
pub const fn avail_offset(num: u16) -> u32 {
    num as u32 * 16
}

/// Offset of the used ring from the start of a vring: after the available
/// ring (`flags, idx, ring[num], used_event`), rounded up to `align`.
pub const fn used_offset(num: u16, align: u32) -> u32 {
    let end = avail_offset(num) + 6 + 2 * num as u32;
    (end + align - 1) & !(align - 1)
}

/// Total size of a vring in the legacy layout (what Linux's `vring_size`
/// returns).
pub const fn vring_size(num: u16, align: u32) -> u32 {
    used_offset(num, align) + 6 + 8 * num as u32
}

/// Compile-time validation of a [`Config`]: fails the build with a message
/// when a parameter is out of range or the rings do not fit the window.
/// [`Device::new`](crate::Device::new) evaluates it for its `C`:
///
/// ```
/// # use rpmsg_remote::{CellShm, Config, Device, Platform};
/// # struct P;
/// # impl Platform for P {
/// #     fn notify(&mut self, _: u32) {}
/// #     fn now(&mut self) -> u32 { 0 }
/// #     fn wait(&mut self, _: u32) {}
/// # }
/// # let mem: Vec<core::cell::Cell<u8>> = (0..0x4000).map(|_| Default::default()).collect();
/// /// 64 descriptors per ring, rings and buffers in 16 KiB at 0x9000_0000.
/// struct Small;
/// impl Config for Small {
///     const WINDOW_PHYS: u64 = 0x9000_0000;
///     const WINDOW_SIZE: u32 = 0x4000;
///     const BASE: u64 = 0x9000_0000;
///     const VRING1_OFFSET: u32 = 0x2000;
///     const NUM: u16 = 64;
/// }
/// let dev: Device<_, _, Small> = Device::new(CellShm::new(&mem), P);
/// ```
///
/// A descriptor count that is not a power of two does not compile:
///
/// ```compile_fail,E0080
/// # use rpmsg_remote::{CellShm, Config, Device, Platform};
/// # struct P;
/// # impl Platform for P {
/// #     fn notify(&mut self, _: u32) {}
/// #     fn now(&mut self) -> u32 { 0 }
/// #     fn wait(&mut self, _: u32) {}
/// # }
/// # let mem: Vec<core::cell::Cell<u8>> = (0..0x1_0000).map(|_| Default::default()).collect();
/// struct Bad;
/// impl Config for Bad {
///     const WINDOW_PHYS: u64 = 0x8FFF_0000;
///     const WINDOW_SIZE: u32 = 0x1_0000;
///     const NUM: u16 = 100;
/// }
/// let dev: Device<_, _, Bad> = Device::new(CellShm::new(&mem), P);
/// ```
pub const fn check<C: Config>() {
    assert!(C::NUM.is_power_of_two(), "NUM must be a power of two");
    assert!(C::NUM <= 0x8000, "NUM must be at most 32768");
    assert!(C::ALIGN.is_power_of_two(), "ALIGN must be a power of two");
    assert!(C::ALIGN >= 16, "ALIGN must be at least 16");
    assert!(
        C::WINDOW_PHYS % 16 == 0,
        "WINDOW_PHYS must be 16-byte aligned"
    );
    assert!(
        C::WINDOW_SIZE <= u32::MAX - C::ALIGN,
        "WINDOW_SIZE is too large"
    );
    assert!(
        (C::WINDOW_PHYS & 0xFFFF_FFFF) + C::WINDOW_SIZE as u64 <= 1 << 32,
        "the window must not cross a 4 GiB boundary"
    );
    assert!(C::BASE % C::ALIGN as u64 == 0, "BASE must be ALIGN-aligned");
    assert!(
        C::VRING1_OFFSET % C::ALIGN == 0,
        "VRING1_OFFSET must be ALIGN-aligned"
    );
    let size = vring_size(C::NUM, C::ALIGN);
    assert!(C::VRING1_OFFSET >= size, "vring1 overlaps vring0");
    assert!(
        C::BASE >= C::WINDOW_PHYS
            && C::BASE - C::WINDOW_PHYS <= C::WINDOW_SIZE as u64
            && (C::VRING1_OFFSET + size) as u64
                <= (C::WINDOW_SIZE as u64) - (C::BASE - C::WINDOW_PHYS),
        "the rings do not fit the window"
    );
    assert!(
        C::BUF_SIZE >= HDR_LEN + crate::ns::NS_MSG_LEN as u32,
        "BUF_SIZE must hold a name-service message"
    );
    assert!(
        C::BUF_SIZE <= C::WINDOW_SIZE,
        "BUF_SIZE must fit the window"
    );
    assert!(
        C::BUF_SIZE <= HDR_LEN + u16::MAX as u32,
        "BUF_SIZE must fit the 16-bit length field"
    );
    assert!(C::VDEV < 0x8000, "VDEV is too large");
    assert!(
        C::CONSUMED_KICK_AT >= 1 && C::CONSUMED_KICK_AT <= C::NUM,
        "CONSUMED_KICK_AT must be 1 to NUM"
    );
    assert!(
        !lite_like::<C>() || C::VDEV < 16,
        "a LITE_LIKE device's queue ids must be below 32"
    );
}

// The default layout is valid.
const _: () = check::<Imx7>();

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_layout_matches_linux_vring_size() {
        // 256 descriptors, align 0x1000: desc 4096, avail 518 -> used at
        // 0x2000, used 2054 bytes.
        assert_eq!(avail_offset(256), 0x1000);
        assert_eq!(used_offset(256, 0x1000), 0x2000);
        assert_eq!(vring_size(256, 0x1000), 0x2806);
        // Small ring: 16 * 16 + 6 + 32 = 294 -> 0x200 with align 0x100.
        assert_eq!(used_offset(16, 0x100), 0x200);
        assert_eq!(ring_offsets::<Imx7>(), [0x0FFF_0000, 0x0FFF_8000]);
    }
}
