// SPDX-License-Identifier: GPL-2.0
//! A virtio device whose transport is written in Rust: registration of a
//! `struct virtio_device` and its `virtio_config_ops`, as one trait,
//! [`Transport`].
//!
//! The glue owns everything the virtio core sees: the C device (freed by
//! its `release` callback, whenever the last reference goes), the rings it
//! creates in the transport's memory ([`RingSpec`]) and the table of live
//! virtqueues ([`Queues`]) through which the transport delivers its
//! interrupts. The transport itself only answers the questions of the ops
//! table and sends notifications.

use super::{
    ffi,
    queues::Queues,
    shadow::{Geometry, Shadow},
    track::MinUsed,
};
use core::{
    marker::PhantomData,
    ptr::{self, NonNull},
};
use kernel::{
    bindings,
    device::{Bound, Device},
    ffi::{c_char, c_int, c_uint, c_void},
    prelude::*,
    sync::Arc,
    types::Opaque,
};

/// Most virtqueues one device can have (rpmsg uses two).
pub(crate) const MAX_QUEUES: usize = 2;

/// Bytes of one legacy split ring of `num` descriptors whose used ring is
/// aligned to `align` (the `vring_size()` of `uapi/linux/virtio_ring.h`):
/// descriptor table (16 bytes each), available ring (`flags`, `idx`,
/// `num` entries, `used_event`), padding, used ring (`flags`, `idx`, `num`
/// 8-byte elements, `avail_event`). `None` on overflow or if `align` is not
/// a power of two.
pub(crate) const fn vring_size(num: u32, align: u32) -> Option<usize> {
    if !align.is_power_of_two() {
        return None;
    }
    let num = num as usize;
    let align = align as usize;
    let avail_end = 16 * num + 2 * (3 + num);
    let used_start = match avail_end.checked_add(align - 1) {
        Some(v) => v & !(align - 1),
        None => return None,
    };
    used_start.checked_add(2 * 3 + 8 * num)
}

/// Memory the transport lends to the virtio core for one ring.
pub(crate) struct RingMemory {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: The memory is plain shared memory, used by whichever thread holds
// the ring (`RingMemory::new`'s contract); the pointer is just an address.
unsafe impl Send for RingMemory {}

impl RingMemory {
    /// Describes `len` bytes at `ptr`.
    ///
    /// # Safety
    ///
    /// `ptr` must be valid for volatile and plain reads and writes of `len`
    /// bytes of normal (not device) memory, be used by no Rust code, and stay
    /// valid for as long as the [`Registration`] whose transport returns it
    /// from [`Transport::ring`] exists.
    pub(crate) unsafe fn new(ptr: NonNull<u8>, len: usize) -> Self {
        Self { ptr, len }
    }

    /// The first byte.
    pub(super) fn ptr(&self) -> NonNull<u8> {
        self.ptr
    }

    /// Bytes of memory.
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Reads the little-endian `u16` at byte `off` (2-aligned); 0 beyond
    /// the end.
    pub(super) fn read_u16(&self, off: usize) -> u16 {
        if off.checked_add(2).is_none_or(|end| end > self.len) {
            return 0;
        }
        // SAFETY: In bounds (checked) of the memory `new`'s contract lends
        // us, and aligned: ring offsets of 2-byte fields are even and the
        // memory is page-aligned. Volatile: another party writes it.
        u16::from_le(unsafe { self.ptr.as_ptr().add(off).cast::<u16>().read_volatile() })
    }

    /// Reads the little-endian `u32` at byte `off` (4-aligned); 0 beyond
    /// the end.
    pub(super) fn read_u32(&self, off: usize) -> u32 {
        if off.checked_add(4).is_none_or(|end| end > self.len) {
            return 0;
        }
        // SAFETY: As in `read_u16`, for a 4-byte field.
        u32::from_le(unsafe { self.ptr.as_ptr().add(off).cast::<u32>().read_volatile() })
    }

    /// Writes `v` little-endian at byte `off` (2-aligned); nothing beyond
    /// the end.
    pub(super) fn write_u16(&self, off: usize, v: u16) {
        if off.checked_add(2).is_none_or(|end| end > self.len) {
            return;
        }
        // SAFETY: As in `read_u16`.
        unsafe {
            self.ptr
                .as_ptr()
                .add(off)
                .cast::<u16>()
                .write_volatile(v.to_le())
        };
    }

    /// Writes `v` little-endian at byte `off` (4-aligned); nothing beyond
    /// the end.
    pub(super) fn write_u32(&self, off: usize, v: u32) {
        if off.checked_add(4).is_none_or(|end| end > self.len) {
            return;
        }
        // SAFETY: As in `read_u32`.
        unsafe {
            self.ptr
                .as_ptr()
                .add(off)
                .cast::<u32>()
                .write_volatile(v.to_le())
        };
    }

    /// Zeroes the memory.
    pub(super) fn zero(&self) {
        for i in 0..self.len {
            // SAFETY: In bounds of the memory `new`'s contract lends us;
            // volatile because the remote reads it.
            unsafe { self.ptr.as_ptr().add(i).write_volatile(0) };
        }
    }
}

/// Where and how the virtio core lays out one ring.
pub(crate) struct RingSpec {
    /// The memory; must hold [`vring_size`]`(num, align)` bytes.
    pub(crate) mem: RingMemory,
    /// Number of descriptors (a power of two).
    pub(crate) num: u32,
    /// Alignment of the used ring (a power of two).
    pub(crate) align: u32,
    /// The smallest length a used entry of the ring may carry.
    pub(crate) min_used: MinUsed,
    /// The transport restarts the remote with these rings, so indices left
    /// in them by an earlier session are no concern; otherwise they are
    /// reported (once, when ring 0 is created): the remote still runs on
    /// that session's state.
    pub(crate) remote_restarted: bool,
}

/// The operations of a virtio transport (`struct virtio_config_ops`). All
/// of them may be called concurrently with the transport's own work, so
/// state lives behind atomics or locks.
pub(crate) trait Transport: Send + Sync {
    /// The virtio device id (`VIRTIO_ID_*`).
    const DEVICE_ID: u32;

    /// Feature bits the device offers.
    fn features(&self) -> u64;

    /// The driver settled on `features` (already filtered by the ring's
    /// transport features). An error fails the probe.
    fn finalize_features(&self, _features: u64) -> Result {
        Ok(())
    }

    /// The device status byte.
    fn status(&self) -> u8;

    /// The driver wrote the status byte (never 0: that is [`Self::reset`]).
    fn set_status(&self, status: u8);

    /// The driver reset the device: status 0, queues stopped.
    fn reset(&self);

    /// Memory and geometry of ring `index`; called when the driver asks for
    /// its virtqueues. The glue zeroes the memory before and after use.
    fn ring(&self, index: usize) -> Result<RingSpec>;

    /// Ring `index` has new buffers for the device, which `wanted` them
    /// signalled (`false`: the remote suppressed notifications of this
    /// ring, `VRING_USED_F_NO_NOTIFY`). May be called in atomic context.
    /// Returns `false` only if the device is broken for good.
    fn notify(&self, index: usize, wanted: bool) -> bool;

    /// Name of the transport, shown in sysfs.
    fn bus_name(&self) -> &'static CStr;
}

/// What the C device points to: the transport and the queue table.
#[pin_data]
struct Inner<T: Transport> {
    #[pin]
    transport: T,
    queues: Arc<Queues>,
}

/// The C device, allocated by us and freed by its `release` callback, and
/// the glue data of its registration.
#[repr(C)]
struct VdevBox {
    vdev: Opaque<ffi::virtio_device>,
    /// The `Inner<T>` of the [`Registration`]; valid while it is registered.
    inner: *const c_void,
}

/// A registered virtio device; unregistered when dropped.
///
/// # Invariants
///
/// `vdev` was registered with the virtio core, its ops table is `Ops<T>`
/// and its `inner` points to `inner`.
pub(crate) struct Registration<'a, T: Transport> {
    vdev: NonNull<VdevBox>,
    inner: Pin<KBox<Inner<T>>>,
    _parent: PhantomData<&'a Device<Bound>>,
}

// SAFETY: The C device is used through the virtio core's own locking; the
// transport is `Send + Sync`.
unsafe impl<T: Transport> Send for Registration<'_, T> {}
// SAFETY: See `Send`.
unsafe impl<T: Transport> Sync for Registration<'_, T> {}

impl<'a, T: Transport> Registration<'a, T> {
    /// Registers a virtio device of `T::DEVICE_ID` under `parent` (whose DMA
    /// setup the device's driver uses, as virtio drivers use
    /// `vdev->dev.parent`), with its rings tracked in `queues`. A matching
    /// virtio driver that is already loaded probes before this returns.
    pub(crate) fn register(
        parent: &'a Device<Bound>,
        transport: impl PinInit<T, Error>,
        queues: Arc<Queues>,
    ) -> Result<Self> {
        let inner = KBox::pin_init(
            try_pin_init!(Inner {
                transport <- transport,
                queues,
            }),
            GFP_KERNEL,
        )?;
        let boxed = KBox::new(
            VdevBox {
                vdev: Opaque::zeroed(),
                inner: ptr::from_ref(&*inner).cast::<c_void>(),
            },
            GFP_KERNEL,
        )?;
        let raw = KBox::into_raw(boxed);
        let vdev = Opaque::cast_into(
            // SAFETY: `raw` is valid; this only computes a field address.
            unsafe { &raw const (*raw).vdev },
        );
        // SAFETY: `vdev` is a zeroed, unshared `virtio_device`; we fill the
        // fields a transport owns before handing it to the core.
        let ret = unsafe {
            (*vdev).dev.parent = raw_device(parent);
            (*vdev).dev.release = Some(release);
            (*vdev).id.device = T::DEVICE_ID;
            (*vdev).config = &Ops::<T>::VTABLE;
            ffi::register_virtio_device(vdev)
        };
        if ret < 0 {
            // SAFETY: The core initialised the device; on failure the caller
            // must drop its reference, which ends in `release`.
            unsafe { bindings::put_device(&raw mut (*vdev).dev) };
            return Err(Error::from_errno(ret));
        }
        Ok(Self {
            // SAFETY: `raw` came from `KBox::into_raw`, so it is non-null.
            vdev: unsafe { NonNull::new_unchecked(raw) },
            inner,
            _parent: PhantomData,
        })
    }

    /// The transport.
    pub(crate) fn transport(&self) -> &T {
        &self.inner.transport
    }
}

impl<T: Transport> Drop for Registration<'_, T> {
    fn drop(&mut self) {
        let vdev = Opaque::cast_into(
            // SAFETY: `vdev` is valid until we drop our reference below.
            unsafe { &raw const (*self.vdev.as_ptr()).vdev },
        );
        // SAFETY: Registered in `register`. Unregistering unbinds the driver
        // (which deletes its virtqueues) and removes the sysfs files, so no
        // ops call follows; `release` frees the device later.
        unsafe { ffi::unregister_virtio_device(vdev) };
        if self.inner.queues.clear() {
            pr_warn!("virtio: driver left virtqueues behind; leaked\n");
        }
    }
}

/// Returns the C `struct device` behind `dev` (`Device::as_raw` is
/// crate-private in Linux 7.3; `Device` is `repr(transparent)` over it).
fn raw_device<Ctx: kernel::device::DeviceContext>(dev: &Device<Ctx>) -> *mut bindings::device {
    ptr::from_ref(dev).cast::<bindings::device>().cast_mut()
}

/// `dev.release` of our devices: frees the `VdevBox`.
///
/// # Safety
///
/// `dev` must be the device of a `VdevBox` whose last reference is gone.
unsafe extern "C" fn release(dev: *mut bindings::device) {
    // SAFETY: Only our devices have this callback, and each is the `dev`
    // field of the `virtio_device` inside a `VdevBox` from `KBox::into_raw`;
    // the driver core calls it once, after the last reference is gone.
    unsafe {
        let vdev = kernel::container_of!(dev, ffi::virtio_device, dev);
        let boxed = vdev.cast::<VdevBox>();
        drop(KBox::from_raw(boxed));
    }
}

/// The ops table of transport `T` and its trampolines.
struct Ops<T: Transport>(PhantomData<T>);

impl<T: Transport> Ops<T> {
    const VTABLE: ffi::virtio_config_ops = ffi::virtio_config_ops {
        get: Some(Self::get),
        set: Some(Self::set),
        generation: None,
        get_status: Some(Self::get_status),
        set_status: Some(Self::set_status),
        reset: Some(Self::reset),
        find_vqs: Some(Self::find_vqs),
        del_vqs: Some(Self::del_vqs),
        synchronize_cbs: Some(Self::synchronize_cbs),
        get_features: Some(Self::get_features),
        get_extended_features: None,
        finalize_features: Some(Self::finalize_features),
        bus_name: Some(Self::bus_name),
        set_vq_affinity: None,
        get_vq_affinity: None,
        get_shm_region: None,
        disable_vq_and_reset: None,
        enable_vq_after_reset: None,
    };

    /// The glue data of `vdev`.
    ///
    /// # Safety
    ///
    /// `vdev` must be one of our devices with ops `Ops<T>`, registered by a
    /// live [`Registration`] (true in every callback of the core).
    unsafe fn inner<'b>(vdev: *mut ffi::virtio_device) -> &'b Inner<T> {
        // SAFETY: Our devices sit at the start of a `VdevBox` (`repr(C)`)
        // whose `inner` is the pinned `Inner<T>` of the live registration.
        unsafe { &*(*vdev.cast::<VdevBox>()).inner.cast::<Inner<T>>() }
    }

    /// `get` of `virtio_config_ops`.
    ///
    /// # Safety
    ///
    /// Only the virtio core calls this, on one of our registered devices,
    /// with the arguments its ops table documents.
    unsafe extern "C" fn get(
        _vdev: *mut ffi::virtio_device,
        _offset: c_uint,
        buf: *mut c_void,
        len: c_uint,
    ) {
        // No configuration space: reads return zeroes.
        // SAFETY: The core passes a buffer of `len` bytes.
        unsafe { buf.cast::<u8>().write_bytes(0, len as usize) };
    }

    /// `set` of `virtio_config_ops`.
    ///
    /// # Safety
    ///
    /// Only the virtio core calls this, on one of our registered devices,
    /// with the arguments its ops table documents.
    unsafe extern "C" fn set(
        _vdev: *mut ffi::virtio_device,
        _offset: c_uint,
        _buf: *const c_void,
        _len: c_uint,
    ) {
    }

    /// `get_status` of `virtio_config_ops`.
    ///
    /// # Safety
    ///
    /// Only the virtio core calls this, on one of our registered devices,
    /// with the arguments its ops table documents.
    unsafe extern "C" fn get_status(vdev: *mut ffi::virtio_device) -> u8 {
        // SAFETY: Called by the core on our device.
        unsafe { Self::inner(vdev) }.transport.status()
    }

    /// `set_status` of `virtio_config_ops`.
    ///
    /// # Safety
    ///
    /// Only the virtio core calls this, on one of our registered devices,
    /// with the arguments its ops table documents.
    unsafe extern "C" fn set_status(vdev: *mut ffi::virtio_device, status: u8) {
        // SAFETY: Called by the core on our device.
        let inner = unsafe { Self::inner(vdev) };
        if status & ffi::VIRTIO_CONFIG_S_DRIVER_OK as u8 != 0 {
            inner.queues.set_ready(true);
        }
        inner.transport.set_status(status);
    }

    /// `reset` of `virtio_config_ops`.
    ///
    /// # Safety
    ///
    /// Only the virtio core calls this, on one of our registered devices,
    /// with the arguments its ops table documents.
    unsafe extern "C" fn reset(vdev: *mut ffi::virtio_device) {
        // SAFETY: Called by the core on our device.
        let inner = unsafe { Self::inner(vdev) };
        inner.queues.set_ready(false);
        inner.transport.reset();
    }

    /// `synchronize_cbs` of `virtio_config_ops`.
    ///
    /// # Safety
    ///
    /// Only the virtio core calls this, on one of our registered devices,
    /// with the arguments its ops table documents.
    unsafe extern "C" fn synchronize_cbs(vdev: *mut ffi::virtio_device) {
        // SAFETY: Called by the core on our device.
        unsafe { Self::inner(vdev) }.queues.synchronize();
    }

    /// `get_features` of `virtio_config_ops`.
    ///
    /// # Safety
    ///
    /// Only the virtio core calls this, on one of our registered devices,
    /// with the arguments its ops table documents.
    unsafe extern "C" fn get_features(vdev: *mut ffi::virtio_device) -> u64 {
        // SAFETY: Called by the core on our device.
        unsafe { Self::inner(vdev) }.transport.features()
    }

    /// `finalize_features` of `virtio_config_ops`.
    ///
    /// # Safety
    ///
    /// Only the virtio core calls this, on one of our registered devices,
    /// with the arguments its ops table documents.
    unsafe extern "C" fn finalize_features(vdev: *mut ffi::virtio_device) -> c_int {
        // SAFETY: Called by the core on our device, which is not shared
        // with anyone else while features are negotiated.
        let features = unsafe {
            ffi::vring_transport_features(vdev);
            *(*vdev).__bindgen_anon_1.features.as_ref()
        };
        // SAFETY: Called by the core on our device.
        let inner = unsafe { Self::inner(vdev) };
        match inner.transport.finalize_features(features) {
            Ok(()) => 0,
            Err(e) => e.to_errno(),
        }
    }

    /// `bus_name` of `virtio_config_ops`.
    ///
    /// # Safety
    ///
    /// Only the virtio core calls this, on one of our registered devices,
    /// with the arguments its ops table documents.
    unsafe extern "C" fn bus_name(vdev: *mut ffi::virtio_device) -> *const c_char {
        // SAFETY: Called by the core on our device.
        unsafe { Self::inner(vdev) }
            .transport
            .bus_name()
            .as_char_ptr()
    }

    /// Notifier of our virtqueues.
    ///
    /// # Safety
    ///
    /// `vq` must be a live virtqueue of one of our devices.
    unsafe extern "C" fn notify(vq: *mut ffi::virtqueue) -> bool {
        // SAFETY: Only virtqueues of our devices have this notifier, and
        // the core calls it while the queue exists.
        let (vdev, index) = unsafe { ((*vq).vdev, (*vq).index as usize) };
        // SAFETY: As above, `vdev` is ours.
        let inner = unsafe { Self::inner(vdev) };
        let wanted = inner.queues.publish(index);
        inner.transport.notify(index, wanted)
    }

    /// `find_vqs` of `virtio_config_ops`.
    ///
    /// # Safety
    ///
    /// Only the virtio core calls this, on one of our registered devices,
    /// with the arguments its ops table documents.
    unsafe extern "C" fn find_vqs(
        vdev: *mut ffi::virtio_device,
        nvqs: c_uint,
        vqs: *mut *mut ffi::virtqueue,
        infos: *mut ffi::virtqueue_info,
        _desc: *mut bindings::irq_affinity,
    ) -> c_int {
        let nvqs = nvqs as usize;
        if nvqs > MAX_QUEUES {
            return EINVAL.to_errno();
        }
        // SAFETY: Called by the core on our device.
        let inner = unsafe { Self::inner(vdev) };
        for i in 0..nvqs {
            // SAFETY: The core passes `nvqs` entries in both arrays.
            let (info, slot) = unsafe { (&*infos.add(i), vqs.add(i)) };
            let vq = if info.name.is_null() {
                Ok(ptr::null_mut())
            } else {
                // SAFETY: `vdev` is ours and `info` is the core's request.
                unsafe { Self::create_vq(inner, vdev, i, info) }
            };
            match vq {
                // SAFETY: See above.
                Ok(vq) => unsafe { slot.write(vq) },
                Err(e) => {
                    // SAFETY: Rolls back the queues made so far.
                    unsafe { Self::del_vqs(vdev) };
                    return e.to_errno();
                }
            }
        }
        0
    }

    /// Creates ring `index` for `info` in the transport's memory.
    ///
    /// # Safety
    ///
    /// `vdev` must be our device and `inner` its data.
    unsafe fn create_vq(
        inner: &Inner<T>,
        vdev: *mut ffi::virtio_device,
        index: usize,
        info: &ffi::virtqueue_info,
    ) -> Result<*mut ffi::virtqueue> {
        let spec = inner.transport.ring(index)?;
        let Some(geo) = Geometry::new(spec.num, spec.align).filter(|g| g.size() <= spec.mem.len)
        else {
            pr_err!("virtio: ring {index} does not fit its memory\n");
            return Err(EINVAL);
        };
        if index == 0 && !spec.remote_restarted {
            // SAFETY: `vdev` is our registered device (our contract).
            unsafe { Self::report_leftover(inner, vdev, &spec, geo) };
        }
        // The remote must find an empty ring (all indices 0).
        spec.mem.zero();
        let shadow = Shadow::new(spec.mem, geo, spec.min_used)?;
        // SAFETY: The private ring holds a ring of this geometry and stays
        // valid until `del_vqs` deletes the queue (`Shadow`'s contract).
        // Strong barriers: the remote is another CPU that does not share
        // our cache domain's ordering guarantees.
        let vq = unsafe {
            ffi::vring_new_virtqueue(
                index as c_uint,
                spec.num,
                spec.align,
                vdev,
                false,
                info.ctx,
                shadow.private_ring(),
                Some(Self::notify),
                info.callback,
                info.name,
            )
        };
        if vq.is_null() {
            return Err(ENOMEM);
        }
        inner.queues.insert(index, vq, shadow);
        Ok(vq)
    }

    /// Logs one line if either ring of the device (ring 0's `spec` and
    /// geometry `geo`; ring 1 as the transport describes it) still holds indices from
    /// an earlier session: a remote that was not restarted and cannot
    /// resynchronise will not work with the new rings, and any entry it
    /// returns from the old ones is refused as a remote fault.
    ///
    /// # Safety
    ///
    /// `vdev` must be our registered device.
    unsafe fn report_leftover(
        inner: &Inner<T>,
        vdev: *mut ffi::virtio_device,
        spec: &RingSpec,
        geo: Geometry,
    ) {
        let (a0, u0) = geo.indices(&spec.mem);
        // Ring 1 has no queue yet, so nothing else uses its memory: reading
        // its two indices through a second description of it is sound.
        let (a1, u1) = match inner.transport.ring(1) {
            Ok(ring1) => Geometry::new(ring1.num, ring1.align)
                .filter(|g| g.size() <= ring1.mem.len())
                .map_or((0, 0), |g| g.indices(&ring1.mem)),
            Err(_) => (0, 0),
        };
        if (a0, u0, a1, u1) == (0, 0, 0, 0) {
            return;
        }
        // SAFETY: `vdev` is registered (the caller's contract), so it and
        // its parent, the transport's device, stay alive during this call.
        let (dev, parent): (&Device, &Device) = unsafe {
            (
                Device::from_raw(&raw mut (*vdev).dev),
                Device::from_raw((*vdev).dev.parent),
            )
        };
        dev_warn!(
            parent,
            "{}: the shared rings hold indices of an earlier session (ring 0: available {}, used {}; ring 1: available {}, used {}): the remote was not restarted; restart it to use the new rings\n",
            dev.name(),
            a0,
            u0,
            a1,
            u1
        );
    }

    /// `del_vqs` of `virtio_config_ops`.
    ///
    /// # Safety
    ///
    /// Only the virtio core calls this, on one of our registered devices,
    /// with the arguments its ops table documents.
    unsafe extern "C" fn del_vqs(vdev: *mut ffi::virtio_device) {
        // SAFETY: Called by the core on our device.
        let inner = unsafe { Self::inner(vdev) };
        inner.queues.delete_all();
    }
}
