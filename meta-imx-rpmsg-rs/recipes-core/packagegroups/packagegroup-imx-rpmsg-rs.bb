# nooelint: oelint.var.suggestedvar.BUGTRACKER
# (oelint-adv takes whole-recipe suppressions from line 1 only.) Why:
# imx-rpmsg-rs has no public bug tracker yet.
# SPDX-License-Identifier: GPL-2.0
SUMMARY = "imx-rpmsg-rs: Rust RPMsg kernel modules and Cortex-M4 firmware"
DESCRIPTION = "Everything on the root file system that the WaRP7 needs to \
               talk to its Cortex-M4 over RPMsg: the Rust kernel modules \
               (loaded at boot) and the M4 firmware images."
SECTION = "base"
LICENSE = "GPL-2.0-only"

# The modules and the firmware are built for this machine only.
PACKAGE_ARCH = "${MACHINE_ARCH}"

inherit packagegroup

RDEPENDS:${PN} = "\
    imx-rpmsg-rs-modules \
    imx7-m4-firmware \
"
