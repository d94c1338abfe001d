# nooelint: oelint.var.mandatoryvar.HOMEPAGE oelint.var.suggestedvar.BUGTRACKER oelint.var.suggestedvar.CVE_PRODUCT oelint.var.bbclassextend
# (oelint-adv takes whole-recipe suppressions from line 1 only.) Why:
# imx-rpmsg-rs has no public home page or bug tracker yet, and no CVE product.
# It builds for the WaRP7 only: a native or nativesdk variant makes no sense.
# SPDX-License-Identifier: GPL-2.0
SUMMARY = "U-Boot script for the WaRP7 that starts the Cortex-M4 before Linux"
DESCRIPTION = "boot.scr for the boot partition: loads the M4 firmware image \
               into the TCML, starts it with bootaux, then boots Linux with \
               the RPMsg device tree (imx7s-warp-rpmsg.dtb)."
SECTION = "bootloaders"
LICENSE = "GPL-2.0-only"
LIC_FILES_CHKSUM = "file://boot.cmd;beginline=1;endline=1;md5=daad6f7f7a0a286391cd7773ccf79340"

inherit deploy nopackages

DEPENDS += "u-boot-tools-native"

SRC_URI = "file://boot.cmd"

S = "${UNPACKDIR}"
B = "${WORKDIR}/build"

# Names in the boot partition, and the M4's TCML as the A7 sees it.
IMX_M4_BOOT_IMAGE ?= "imx7-m4-fw.bin"
IMX_M4_TCML_A7 ?= "0x007f8000"
IMX_M4_TCML_SIZE ?= "0x8000"
IMX_RPMSG_FDT ?= "imx7s-warp-rpmsg.dtb"

COMPATIBLE_MACHINE = "(imx7s-warp)"

do_compile() {
    sed -e 's|@M4_IMAGE@|${IMX_M4_BOOT_IMAGE}|' \
        -e 's|@M4_TCML@|${IMX_M4_TCML_A7}|' \
        -e 's|@M4_TCML_SIZE@|${IMX_M4_TCML_SIZE}|' \
        -e 's|@FDT_FILE@|${IMX_RPMSG_FDT}|' \
        ${S}/boot.cmd > ${B}/boot.cmd
    uboot-mkimage -A arm -O linux -T script -C none -n "imx-rpmsg-rs boot" \
        -d ${B}/boot.cmd ${B}/boot.scr
}

do_deploy() {
    install -m 0644 ${B}/boot.scr ${DEPLOYDIR}/boot.scr
}
addtask deploy after do_compile before do_build
