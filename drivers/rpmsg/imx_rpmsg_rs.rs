// SPDX-License-Identifier: GPL-2.0
//! `imx_rpmsg_rs`: the RPMsg transport between Linux on the Cortex-A7 and
//! the Cortex-M4 of i.MX7 (and i.MX6SX, i.MX7ULP), for NXP's
//! `fsl,imx7d-rpmsg` device-tree binding.
//!
//! For each vdev of the node it registers a virtio device
//! (`VIRTIO_ID_RPMSG`, feature `VIRTIO_RPMSG_F_NS`) whose two rings live in
//! the shared window, so that the kernel's own `virtio_rpmsg_bus` runs on
//! top unchanged; notifications go through the Messaging Unit, requested
//! from the node's `mboxes` by name ("tx", "rx"). RPMsg buffers come from
//! the device's DMA memory, or from a `shared-dma-pool` in
//! `memory-region`. With `fsl,src` the transport holds the M4 in reset
//! whenever a driver sets up or lets go of a vdev's rings, and starts it
//! once every vdev is ready.
//! See Documentation/rpmsg.md.

use kernel::{
    debugfs::{Dir, File},
    device::{Bound, Core, Device},
    of, platform,
    prelude::*,
    str::CString,
    sync::Arc,
};

/// The mailbox glue (rust/mailbox/), compiled into this module; we use its
/// client half.
#[allow(dead_code)]
#[path = "../../rust/mailbox/mod.rs"]
mod mailbox;
/// Platform drivers sysfs cannot unbind (rust/platform/).
#[path = "../../rust/platform/mod.rs"]
mod platform_glue;
/// Shared-memory glue (rust/shmem/).
#[allow(dead_code)]
#[path = "../../rust/shmem/mod.rs"]
mod shmem;
/// System-controller registers (rust/syscon/).
#[allow(dead_code)]
#[path = "../../rust/syscon/mod.rs"]
mod syscon;
/// Virtio transport glue (rust/virtio/).
#[allow(dead_code)]
#[path = "../../rust/virtio/mod.rs"]
mod virtio;

#[path = "imx_rpmsg/config.rs"]
mod config;
#[path = "imx_rpmsg/hold.rs"]
mod hold;
#[path = "imx_rpmsg/kick.rs"]
mod kick;
#[path = "imx_rpmsg/layout.rs"]
mod layout;
#[path = "imx_rpmsg/m4.rs"]
mod m4;
#[path = "imx_rpmsg/session.rs"]
mod session;
#[path = "imx_rpmsg/tests.rs"]
mod tests;
#[path = "imx_rpmsg/vdev.rs"]
mod vdev;

use hold::ModuleHold;
use kick::{FlushOnDrop, RxClient, RxKicks, TxKicks};
use m4::{M4Control, M4};
use mailbox::client::Channel;
use session::{CloseOnDrop, M4Session};
use shmem::{DmaPool, Mapping, Window};
use vdev::Vdev;
use virtio::{
    device::Registration,
    queues::{Queues, RemoteFaults},
};

/// The platform driver.
struct ImxRpmsgDriver;

/// What a compatible says about the SoC.
struct Soc {
    /// How its SRC controls the Cortex-M core, if Linux may.
    m4: Option<&'static M4Control>,
}

/// A bound transport node. Fields drop in declaration order, which is the
/// teardown order: hold the M4 in reset for good (with `fsl,src`; from
/// then on nothing but us reads or writes the shared memory), unregister the
/// virtio devices (the RPMsg bus and its channels go away, the rings are
/// deleted and zeroed), free the "rx" channel (no more kicks arrive), wait
/// for ring work in progress, free the "tx" channel, give the buffer pool
/// back, unmap the window, remove the debugfs files.
#[pin_data]
struct ImxRpmsg<'bound> {
    _m4: Option<CloseOnDrop>,
    _vdevs: KVec<Registration<'bound, Vdev<'bound>>>,
    _rx: Arc<Channel<'bound, RxClient>>,
    _flush: FlushOnDrop,
    _tx: Arc<Channel<'bound, TxKicks>>,
    _pool: Option<DmaPool<'bound>>,
    _shm: Arc<Mapping>,
    /// `remote_faults` of each vdev, in `imx_rpmsg_rs-<device>/vdev<N>/`.
    _faults: KVec<Pin<KBox<File<Arc<RemoteFaults>>>>>,
    _debugfs: Dir,
    /// Without `fsl,src` and a buffer pool that is not reusable: the
    /// module stays loaded.
    _hold: Option<ModuleHold>,
}

kernel::of_device_table!(
    OF_TABLE,
    <ImxRpmsgDriver as platform::Driver>::IdInfo,
    [
        (
            of::DeviceId::new(c"fsl,imx7d-rpmsg"),
            Soc {
                m4: Some(&m4::IMX7D)
            }
        ),
        (
            of::DeviceId::new(c"fsl,imx6sx-rpmsg"),
            Soc {
                m4: Some(&m4::IMX6SX)
            }
        ),
        // The i.MX7ULP's Cortex-M4 boots first and runs the SoC.
        (of::DeviceId::new(c"fsl,imx7ulp-rpmsg"), Soc { m4: None }),
    ]
);

/// Logs a failed channel request, except a deferral (the MU driver is not
/// there yet; probe runs again when it is).
fn channel_error(dev: &Device, name: &str, e: Error) -> Error {
    if e != EPROBE_DEFER {
        dev_err!(
            dev,
            "cannot get the \"{}\" MU channel from 'mboxes' ({:?})\n",
            name,
            e
        );
    }
    e
}

/// The debugfs directory of `dev` with a `vdev<N>/remote_faults` file per
/// vdev: how many remote faults stopped the vdev, and the last one.
/// Without debugfs the files are simply absent.
#[allow(clippy::type_complexity)]
fn fault_files(
    dev: &Device,
    queues: &[Arc<Queues>],
) -> Result<(Dir, KVec<Pin<KBox<File<Arc<RemoteFaults>>>>>)> {
    let root = Dir::new(&CString::try_from_fmt(fmt!("imx_rpmsg_rs-{}", dev.name()))?);
    let mut files = KVec::with_capacity(queues.len(), GFP_KERNEL)?;
    for (i, q) in queues.iter().enumerate() {
        let sub = root.subdir(&CString::try_from_fmt(fmt!("vdev{}", i))?);
        let file = KBox::pin_init(
            sub.read_only_file(c"remote_faults", Ok::<_, Error>(q.faults())),
            GFP_KERNEL,
        )?;
        files.push(file, GFP_KERNEL)?;
    }
    Ok((root, files))
}

impl platform::Driver for ImxRpmsgDriver {
    type IdInfo = Soc;
    type Data<'bound> = ImxRpmsg<'bound>;
    const OF_ID_TABLE: Option<of::IdTable<Self::IdInfo>> = Some(&OF_TABLE);

    fn probe<'bound>(
        pdev: &'bound platform::Device<Core<'_>>,
        info: Option<&'bound Self::IdInfo>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        pin_init::pin_init_scope(move || {
            let dev: &'bound Device<Bound> = pdev.as_ref();
            let cfg = config::read(pdev)?;
            // First of all: a remote left running by an earlier session
            // must not see the rings being set up.
            let m4 = M4::stop(dev, info.and_then(|soc| soc.m4))?;
            let layout = cfg.layout;
            let Window { start, size } = layout.window();
            let m4 = m4
                .map(|m4| M4Session::new(dev, m4, layout.vdevs()))
                .transpose()?;

            let shm = Mapping::new(layout.window()).inspect_err(|e| {
                dev_err!(
                    dev,
                    "cannot map shared memory {:#x}+{:#x} ({:?})\n",
                    start,
                    size,
                    e
                );
            })?;
            let shm = Arc::new(shm, GFP_KERNEL)?;
            let pool = match cfg.pool {
                None => None,
                Some(i) => Some(DmaPool::assign(dev, i).inspect_err(|e| {
                    dev_err!(
                        dev,
                        "'memory-region' entry {} is not a usable shared-dma-pool ({:?})\n",
                        i,
                        e
                    );
                })?),
            };

            // What the RPMsg bus frees into a reusable (CMA) pool is
            // ordinary memory again, as DMA memory would be: only a pool
            // that is not reusable keeps a remote that outlives us away
            // from the rest of the kernel.
            let confined = cfg.pool.is_some_and(|i| !shmem::region_reusable(dev, i));
            let mut queues = KVec::with_capacity(layout.vdevs() as usize, GFP_KERNEL)?;
            for _ in 0..layout.vdevs() {
                queues.push(Queues::new()?, GFP_KERNEL)?;
            }
            let (debugfs, faults) = fault_files(dev, &queues)?;
            let rx_kicks = RxKicks::new(&queues)?;
            let tx = Arc::pin_init(
                Channel::request_by_name(dev, c"tx", TxKicks::new()),
                GFP_KERNEL,
            )
            .map_err(|e| channel_error(dev, "tx", e))?;

            dev_info!(
                dev,
                "{} vdev(s) at {:#x}, buffers from {}\n",
                layout.vdevs(),
                start,
                match (&pool, confined) {
                    (None, _) => "DMA memory",
                    (Some(_), true) => "the memory-region pool",
                    (Some(_), false) => "the memory-region pool (reusable)",
                }
            );

            // Before any virtio device: kicks must reach us from the moment
            // the first one probes.
            let rx = Arc::pin_init(
                Channel::request_by_name(
                    dev,
                    c"rx",
                    Ok::<_, Error>(RxClient::new(rx_kicks.clone())),
                ),
                GFP_KERNEL,
            )
            .map_err(|e| channel_error(dev, "rx", e))?;

            // A failed initializer drops what it made in reverse order,
            // so fields are made here in the reverse of the teardown order
            // (the declaration order): a failure after the virtio devices
            // were registered unregisters them (their buffers freed into
            // the pool) before the pool goes, and frees the "rx" channel
            // (no more kicks) before the queued kick work is flushed.
            Ok(try_pin_init!(ImxRpmsg {
                _pool: pool,
                _shm: shm.clone(),
                _tx: tx.clone(),
                _faults: faults,
                _debugfs: debugfs,
                _hold: if m4.is_none() && !confined {
                    Some(ModuleHold::take(dev)?)
                } else {
                    None
                },
                _flush: FlushOnDrop(rx_kicks.clone()),
                _rx: rx,
                _vdevs: {
                    let mut regs = KVec::with_capacity(queues.len(), GFP_KERNEL)?;
                    for (i, q) in queues.iter().enumerate() {
                        let vdev = Vdev::new(
                            i as u32,
                            layout,
                            shm.clone(),
                            tx.clone(),
                            rx_kicks.clone(),
                            m4.clone(),
                        );
                        let reg = Registration::register(dev, Ok::<_, Error>(vdev), q.clone())
                            .inspect_err(|e| {
                                dev_err!(dev, "cannot register virtio device {} ({:?})\n", i, e);
                            })?;
                        regs.push(reg, GFP_KERNEL)?;
                    }
                    regs
                },
                // The M4 starts when every vdev's driver has made it ready
                // (`session`): during the registrations above if the RPMsg
                // bus is there, else when it binds.
                _m4: m4.map(CloseOnDrop),
            }))
        })
    }
}

// No sysfs `unbind`: only an unload removes the transport, and an unload
// is refused while the M4 could still write into buffers a removal frees
// (`hold`).
kernel::module_driver!(<T>, platform_glue::NoSysfsBind<T>, {
    type: ImxRpmsgDriver,
    name: "imx_rpmsg_rs",
    authors: ["imx-rpmsg-rs contributors"],
    description: "i.MX RPMsg transport: virtio devices in shared memory, kicks through the MU (Rust)",
    license: "GPL",
});
