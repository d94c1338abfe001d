# nooelint: oelint.var.mandatoryvar.HOMEPAGE oelint.var.suggestedvar.BUGTRACKER oelint.var.suggestedvar.CVE_PRODUCT oelint.var.bbclassextend
# (oelint-adv takes whole-recipe suppressions from line 1 only.) Why:
# imx-rpmsg-rs has no public home page or bug tracker yet, and no CVE product.
# It builds for the WaRP7 only: a native or nativesdk variant makes no sense.
# SPDX-License-Identifier: GPL-2.0
SUMMARY = "Rust kernel modules of imx-rpmsg-rs: MU mailbox, RPMsg transport, RPMsg tty"
DESCRIPTION = "Out-of-tree Rust-for-Linux modules built from the imx-rpmsg-rs \
               checkout: the i.MX Messaging Unit mailbox controller, the \
               virtio/rpmsg transport over the device tree's shared memory, \
               and the rpmsg tty that gives /dev/ttyRPMSG<N>. They are built \
               against the Rust-enabled kernel of this layer and loaded at boot."
SECTION = "kernel/modules"
LICENSE = "GPL-2.0-only"
LIC_FILES_CHKSUM = "file://rust/bindgen.mk;beginline=1;endline=1;md5=daad6f7f7a0a286391cd7773ccf79340"

inherit module-rust imx_rpmsg_rs_src

# openembedded-core records "this kernel has Rust" as "rust" in
# KERNEL_FEATURES, and module-rust skips a recipe without it. Our kernel,
# linux-imx-rpmsg-rs, always has Rust (CONFIG_RUST=y in its fragment) but
# uses no yocto-kernel-cache metadata, so "rust" is not in its own
# KERNEL_FEATURES (kernel-yocto would look for
# features/kernel-rust/kernel-rust.scc there): it is said here, and in the
# make-mod-scripts append, the two recipes that read it, when our kernel is
# the one built. With another Rust-enabled kernel, add "rust" to
# KERNEL_FEATURES where that kernel's metadata has it.
KERNEL_FEATURES:append = " ${@'rust' if d.getVar('PREFERRED_PROVIDER_virtual/kernel') == 'linux-imx-rpmsg-rs' else ''}"

# The modules generate their own bindings for the kernel APIs the kernel
# crate does not wrap yet (rust/bindgen.mk), with bindgen and libclang.
DEPENDS += "bindgen-cli-native clang-native"
export LIBCLANG_PATH = "${STAGING_LIBDIR_NATIVE}"

# Sources straight from the checkout around the layer: the top-level Kbuild
# builds drivers/mailbox, drivers/rpmsg and drivers/tty with the glue in rust/.
SRC_URI = "file://Kbuild;subdir=${BP} \
           file://drivers;subdir=${BP} \
           file://rust;subdir=${BP} \
           "

S = "${UNPACKDIR}/${BP}"

# A plain Kbuild external-module build: "make -C <kernel> M=<here>".
EXTRA_OEMAKE += "-C ${STAGING_KERNEL_DIR} M=${S}"
MAKE_TARGETS = "modules"

# Loaded at boot, in this order: the mailbox controller, the transport (its
# client), the rpmsg tty. scripts/yocto-check.sh keeps the list equal to the
# non-test modules the Kbuild files build.
IMX_RPMSG_RS_MODULES ?= "imx_mu_rs imx_rpmsg_rs rpmsg_tty_rs"
KERNEL_MODULE_AUTOLOAD += "${IMX_RPMSG_RS_MODULES}"

COMPATIBLE_MACHINE = "(imx7s-warp|mx7-generic-bsp)"

# Objects a local "make M=..." left in the checkout belong to another kernel
# build; kbuild would reuse them (see the design notes), so start clean.
do_compile:prepend() {
    oe_runmake O=${STAGING_KERNEL_BUILDDIR} clean
}
