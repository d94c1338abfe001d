/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C headers of the tty layer, for the module-local bindgen run
 * (rust/bindgen.mk). The `kernel` crate of Linux 7.3 has only opaque
 * declarations of these structures.
 */
#include <linux/tty.h>
#include <linux/tty_driver.h>
#include <linux/tty_flip.h>
#include <linux/tty_port.h>
