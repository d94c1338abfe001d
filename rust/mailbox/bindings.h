/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C headers of the mailbox framework, for the module-local bindgen run
 * (rust/bindgen.mk). The `kernel` crate of Linux 7.3 does not include them.
 */
#include <linux/mailbox_client.h>
#include <linux/mailbox_controller.h>

