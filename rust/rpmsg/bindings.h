/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C headers of the RPMsg bus, for the module-local bindgen run
 * (rust/bindgen.mk). The `kernel` crate of Linux 7.3 includes none of them.
 */
#include <linux/mod_devicetable.h>
#include <linux/poll.h>
#include <linux/rpmsg.h>
