/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C headers of the virtio core and ring, for the module-local bindgen
 * run (rust/bindgen.mk). The `kernel` crate of Linux 7.3 includes none of
 * them.
 */
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <uapi/linux/virtio_ids.h>
