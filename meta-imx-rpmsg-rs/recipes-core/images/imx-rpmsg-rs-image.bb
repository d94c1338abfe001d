# nooelint: oelint.var.suggestedvar.BUGTRACKER oelint.var.suggestedvar.CVE_PRODUCT
# (oelint-adv takes whole-recipe suppressions from line 1 only.) Why:
# imx-rpmsg-rs has no public bug tracker yet, and an image has no CVE product.
# SPDX-License-Identifier: GPL-2.0
SUMMARY = "Small WaRP7 image with the imx-rpmsg-rs stack"
DESCRIPTION = "A console-only image for the WaRP7: the Rust-enabled kernel, \
               the Rust RPMsg modules loaded at boot, the M4 firmware, and a \
               boot partition whose boot.scr starts the M4 with bootaux \
               before Linux."
SECTION = "images"
LICENSE = "GPL-2.0-only"

inherit core-image

IMAGE_INSTALL = "packagegroup-core-boot packagegroup-imx-rpmsg-rs ${CORE_IMAGE_EXTRA_INSTALL}"
IMAGE_LINGUAS = ""

# The boot partition (FAT) also carries the M4 image and the boot script.
IMAGE_BOOT_FILES:append = " imx7-m4-fw.bin boot.scr"
do_image_wic[depends] += "imx7-m4-boot-script:do_deploy imx7-m4-firmware:do_deploy"

COMPATIBLE_MACHINE = "(imx7s-warp)"
