# nooelint: oelint.var.suggestedvar.BUGTRACKER oelint.var.bbclassextend
# (oelint-adv takes whole-recipe suppressions from line 1 only.) Why:
# the kernel's bugs go to its maintainers by mail, there is no tracker URL.
# It builds for the WaRP7 only: a native or nativesdk variant makes no sense.
# SPDX-License-Identifier: GPL-2.0
SUMMARY = "Linux 7.3 with Rust support for RPMsg between the WaRP7 A7 and M4"
DESCRIPTION = "The Linux 7.3.4 tree the imx-rpmsg-rs project builds and tests \
               (Debian's linux-source-7.3 package), configured from \
               imx_v6_v7_defconfig, the project's kernel fragment (Rust, \
               mailbox, virtio and rpmsg cores) and the WaRP7 additions, with \
               the WaRP7 RPMsg device tree added to the tree."
# The lint pings it, and the checks run without network.
# nooelint: oelint.vars.homepageping
HOMEPAGE = "https://www.kernel.org/"
SECTION = "kernel"
LICENSE = "GPL-2.0-only"
LIC_FILES_CHKSUM = "file://COPYING;md5=6bc538ed5bd9a7fc9398086aedcd7e46"
CVE_PRODUCT = "linux_kernel"

# kernel-yocto merges the .cfg fragments of SRC_URI into the configuration.
# Not linux-yocto.inc: its KERNEL_FEATURES (cfg/fs/vfat.scc for the WaRP7)
# name yocto-kernel-cache metadata this tree does not have, and it would
# replace this recipe's LICENSE and HOMEPAGE. Rust comes from
# kernel-yocto-rust directly: "rust" in this recipe's KERNEL_FEATURES would
# make kernel-yocto look for features/kernel-rust/kernel-rust.scc, which is
# kernel-cache metadata too (imx-rpmsg-rs-modules says "rust" instead, for
# module-rust). CONFIG_RUST=y is in imx7-rpmsg-rs.cfg.
IMX_RPMSG_RS_SRCDIR = "dts"
inherit kernel kernel-yocto kernel-yocto-rust imx_rpmsg_rs_src

# What linux-yocto.inc would bring that a kernel build needs.
DEPENDS += "bc-native gmp-native libmpc-native openssl-native util-linux-native xz-native"
# No BTF (Rust needs it off), so no pahole either.
EXTRA_OEMAKE += "PAHOLE=false"

# The exact source the rest of the project uses: scripts/versions.sh pins the
# same Debian package by version and checksum, and scripts/yocto-check.sh
# fails when the two disagree. Our Rust modules are tied to the kernel crate
# of this very tree, so the kernels of meta-freescale (6.18) cannot take them.
LINUX_VERSION = "7.3.4"
LINUX_VERSION_EXTENSION = "-imx-rpmsg-rs"
PV = "${LINUX_VERSION}"
IMX_LINUX_DEB_VERSION = "7.3.4-1~bpo13+1"
IMX_LINUX_DEB = "linux-source-7.3_${IMX_LINUX_DEB_VERSION}_all.deb"
# Debian's pool drops a version when the next one arrives; its snapshot
# archive keeps every file it ever published, addressed by the file's SHA-1.
IMX_LINUX_DEB_SHA1 = "94589443b986be97e5c0a149375aad80b208c7d6"

# The fragments are in linux-imx-rpmsg-rs/, the device trees come from dts/
# of the project checkout (imx_rpmsg_rs_src). The patches are the project's
# kernel/patches/ (symbolic links in linux-imx-rpmsg-rs/), which
# scripts/kernel.sh applies too.
SRC_URI = "https://snapshot.debian.org/file/${IMX_LINUX_DEB_SHA1};downloadfilename=${IMX_LINUX_DEB};name=linux;subdir=linux-deb \
           file://0001-rpmsg-virtio-check-the-used-length-against-the-header.patch \
           file://0002-rpmsg-ns-refuse-a-channel-name-with-control-characters.patch \
           file://0003-rpmsg-ns-refuse-an-announcement-with-unknown-flags.patch \
           file://imx7-rpmsg-rs.cfg \
           file://imx7s-warp.cfg \
           file://imx7-rpmsg.dtsi;subdir=dts \
           file://imx7s-warp-rpmsg.dts;subdir=dts \
           "
SRC_URI[linux.sha256sum] = "703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3"

S = "${UNPACKDIR}/linux-source-7.3"

KBUILD_DEFCONFIG = "imx_v6_v7_defconfig"
KCONFIG_MODE = "alldefconfig"

COMPATIBLE_MACHINE = "(imx7s-warp)"

# The package holds the kernel tree as a tarball: unpack it next to the
# other sources, where S points.
imx_linux_unpack_tree() {
    tar -xf ${UNPACKDIR}/linux-deb/usr/src/linux-source-7.3.tar.xz -C ${UNPACKDIR}
    rm -rf ${UNPACKDIR}/linux-deb
}
imx_linux_unpack_tree[doc] = "Unpacks the kernel tarball of Debian's linux-source package"
do_unpack[postfuncs] += "imx_linux_unpack_tree"

# Our board tree includes imx7s-warp.dts, so it goes next to it; listing it
# in the directory's Makefile lets "make dtbs" build it like the others.
do_patch:append() {
    dtsdir=${S}/arch/arm/boot/dts/nxp/imx
    install -m 0644 ${UNPACKDIR}/dts/imx7-rpmsg.dtsi ${UNPACKDIR}/dts/imx7s-warp-rpmsg.dts $dtsdir/
    if ! grep -q 'imx7s-warp-rpmsg.dtb' $dtsdir/Makefile; then
        echo 'dtb-$(CONFIG_SOC_IMX7D) += imx7s-warp-rpmsg.dtb' >> $dtsdir/Makefile
    fi
}
