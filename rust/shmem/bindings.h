/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reserved-memory lookups for the module-local bindgen run
 * (rust/bindgen.mk); the `kernel` crate of Linux 7.3 has memremap() but not
 * these.
 */
#include <linux/of_reserved_mem.h>
