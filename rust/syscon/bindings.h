/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System controller ("syscon") registers for the module-local bindgen run
 * (rust/bindgen.mk); the `kernel` crate of Linux 7.3 wraps neither syscon
 * lookups nor regmap.
 */
#include <linux/mfd/syscon.h>
#include <linux/regmap.h>
