// SPDX-License-Identifier: GPL-2.0
//! Reading the transport node (Documentation/rpmsg.md, "Device tree"):
//! where the rings live, how many vdevs there are, where RPMsg buffers come
//! from and whether the mailbox channels are described. Every way the node
//! can be wrong ends in exactly one `dev_err` naming the property.
//!
//! The rings' window is `reg` (NXP's binding) or, without `reg`, a
//! `memory-region` entry. A second kind of `memory-region` entry, a
//! `shared-dma-pool`, optionally holds the RPMsg buffers. With
//! `memory-region-names` the entries are called `vrings` and `buffers`;
//! without names, entry 0 is the rings' window when there is no `reg` (and
//! entry 1 the pool), and the pool when there is.

use crate::layout::{Layout, LayoutError, MAX_VDEVS, RING_ALIGN, VDEV_SIZE};
use crate::shmem::{self, Window};
use kernel::{device::Device, platform, prelude::*};

/// Where the rings' window comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RingSource {
    /// The node's first `reg` entry.
    Reg,
    /// This entry of `memory-region`.
    Region(usize),
}

/// Which memory each job uses, decided from the shape of the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sources {
    /// The rings.
    pub(crate) rings: RingSource,
    /// The `memory-region` entry of the buffer pool, if any.
    pub(crate) pool: Option<usize>,
}

/// What the node says about memory, as far as [`choose`] needs it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Shape {
    /// The node has a `reg` entry.
    pub(crate) has_reg: bool,
    /// Entries in `memory-region`.
    pub(crate) regions: usize,
    /// The node has `memory-region-names`.
    pub(crate) named: bool,
    /// Index of the entry named `vrings`.
    pub(crate) vrings: Option<usize>,
    /// Index of the entry named `buffers`.
    pub(crate) buffers: Option<usize>,
}

/// Why [`choose`] found no rings' window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ShapeError {
    /// Neither `reg` nor a usable `memory-region`.
    NoMemory,
    /// A named entry points past the end of `memory-region`.
    BadName,
}

/// Decides which memory holds the rings and the buffers.
pub(crate) fn choose(shape: Shape) -> Result<Sources, ShapeError> {
    let in_range = |i: Option<usize>| i.is_none_or(|i| i < shape.regions);
    if !in_range(shape.vrings) || !in_range(shape.buffers) {
        return Err(ShapeError::BadName);
    }
    if shape.named {
        let rings = match (shape.has_reg, shape.vrings) {
            (true, _) => RingSource::Reg,
            (false, Some(i)) => RingSource::Region(i),
            (false, None) => return Err(ShapeError::NoMemory),
        };
        return Ok(Sources {
            rings,
            pool: shape.buffers,
        });
    }
    let first = (shape.regions > 0).then_some(0);
    let second = (shape.regions > 1).then_some(1);
    if shape.has_reg {
        Ok(Sources {
            rings: RingSource::Reg,
            pool: first,
        })
    } else {
        let rings = first.ok_or(ShapeError::NoMemory)?;
        Ok(Sources {
            rings: RingSource::Region(rings),
            pool: second,
        })
    }
}

/// The checked configuration of one transport node.
pub(crate) struct Config {
    /// The rings' layout.
    pub(crate) layout: Layout,
    /// The `memory-region` entry of the buffer pool, if any.
    pub(crate) pool: Option<usize>,
}

/// Reads and checks the node of `pdev`; logs one error on failure.
pub(crate) fn read(pdev: &platform::Device) -> Result<Config> {
    let dev: &Device = pdev.as_ref();
    let node = dev.fwnode().ok_or_else(|| {
        dev_err!(dev, "no device-tree node\n");
        ENODEV
    })?;

    // The mailbox channels are requested later; a node without them is a
    // configuration error, not something to wait for.
    let names_ok = [c"tx", c"rx"]
        .iter()
        .all(|n| node.property_match_string(c"mbox-names", n).is_ok());
    if !node.property_present(c"mboxes") || !names_ok {
        dev_err!(
            dev,
            "no MU channels: the node needs 'mboxes' with 'mbox-names = \"tx\", \"rx\"' \
             (e.g. <&mu0a 0 1>, <&mu0a 1 1>)\n"
        );
        return Err(EINVAL);
    }

    let vdevs = if node.property_present(c"vdev-nums") {
        node.property_read::<u32>(c"vdev-nums")
            .optional()
            .ok_or_else(|| {
                dev_err!(dev, "'vdev-nums' must be one 32-bit cell\n");
                EINVAL
            })?
    } else {
        1
    };

    let regions = shmem::region_count(dev);
    let shape = Shape {
        has_reg: pdev.resource_by_index(0).is_some(),
        regions,
        named: node.property_present(c"memory-region-names"),
        vrings: shmem::region_index(dev, c"vrings"),
        buffers: shmem::region_index(dev, c"buffers"),
    };
    let sources = choose(shape).map_err(|e| {
        match e {
            ShapeError::NoMemory => dev_err!(
                dev,
                "no shared memory for the vrings: give 'reg' or a 'memory-region' \
                 ({} KiB per vdev)\n",
                VDEV_SIZE / 1024
            ),
            ShapeError::BadName => dev_err!(
                dev,
                "'memory-region-names' names more entries than 'memory-region' has ({})\n",
                regions
            ),
        }
        EINVAL
    })?;

    let window = match sources.rings {
        RingSource::Reg => {
            let res = pdev.resource_by_index(0).ok_or(EINVAL)?;
            Window {
                start: res.start().into(),
                size: res.size().into(),
            }
        }
        RingSource::Region(i) => shmem::region(dev, i).map_err(|e| {
            dev_err!(
                dev,
                "'memory-region' entry {} is not a usable reserved region ({:?})\n",
                i,
                e
            );
            EINVAL
        })?,
    };

    let layout = Layout::new(window, vdevs).map_err(|e| {
        let (start, size) = (window.start, window.size);
        match e {
            LayoutError::NoVdevs => dev_err!(dev, "'vdev-nums' is 0; it must be 1 or more\n"),
            LayoutError::TooManyVdevs(n) => dev_err!(
                dev,
                "'vdev-nums' is {}; at most {} are supported\n",
                n,
                MAX_VDEVS
            ),
            LayoutError::TooSmall(need) => dev_err!(
                dev,
                "shared memory {:#x}+{:#x} is too small for {} vdev(s): need {:#x} bytes \
                 ({} KiB per vdev)\n",
                start,
                size,
                vdevs,
                need,
                VDEV_SIZE / 1024
            ),
            LayoutError::Misaligned => dev_err!(
                dev,
                "shared memory at {:#x} is not aligned to {:#x}\n",
                start,
                RING_ALIGN
            ),
            LayoutError::OutOfReach => dev_err!(
                dev,
                "shared memory {:#x}+{:#x} ends above 4 GiB, out of the remote's reach\n",
                start,
                size
            ),
        }
        EINVAL
    })?;

    Ok(Config {
        layout,
        pool: sources.pool,
    })
}
