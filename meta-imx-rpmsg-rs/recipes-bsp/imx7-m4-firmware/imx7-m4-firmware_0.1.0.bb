# nooelint: oelint.var.mandatoryvar.HOMEPAGE oelint.var.suggestedvar.BUGTRACKER oelint.var.suggestedvar.CVE_PRODUCT oelint.var.bbclassextend
# (oelint-adv takes whole-recipe suppressions from line 1 only.) Why:
# imx-rpmsg-rs has no public home page or bug tracker yet, and no CVE product.
# It builds for the WaRP7 only: a native or nativesdk variant makes no sense.
# SPDX-License-Identifier: GPL-2.0
SUMMARY = "Cortex-M4 firmware of imx-rpmsg-rs for the i.MX7 (Rust, no_std)"
DESCRIPTION = "The firmware/ Cargo workspace of imx-rpmsg-rs, built for \
               thumbv7em-none-eabihf with its release profile: every app under \
               firmware/apps as an ELF and a raw binary in /lib/firmware/imx7-m4, \
               and the app U-Boot starts before Linux deployed as \
               imx7-m4-fw.bin for the boot partition."
SECTION = "kernel"
# This recipe is GPL-2.0 like the rest of the layer; the firmware it builds
# is MIT OR Apache-2.0 (firmware/LICENSE.md, SPDX line of every file).
LICENSE = "MIT | Apache-2.0"
LIC_FILES_CHKSUM = "file://LICENSE.md;beginline=1;endline=1;md5=173121a1b614bf92446ec91d4f27b236"

inherit cargo_common deploy imx_rpmsg_rs_src

DEPENDS += "cargo-native rust-native"

# Every crates.io package of firmware/Cargo.lock as a crate:// entry with its
# checksum: bitbake fetches them (so a download mirror and BB_NO_NETWORK
# builds work) and cargo_common's configuration makes cargo take them from
# the unpacked copies instead of the network.
require ${BPN}-crates.inc

# The firmware workspace of the project checkout (imx_rpmsg_rs_src), without
# any build output a local cargo run may have left in it.
SRC_URI += "file://firmware/Cargo.toml;subdir=src \
            file://firmware/Cargo.lock;subdir=src \
            file://firmware/LICENSE.md;subdir=src \
            file://firmware/.cargo;subdir=src \
            file://firmware/apps;subdir=src \
            file://firmware/boards;subdir=src \
            file://firmware/crates;subdir=src \
            "

S = "${UNPACKDIR}/src/firmware"
B = "${WORKDIR}/build"

IMX_M4_TARGET = "thumbv7em-none-eabihf"

# Every app of the workspace; U-Boot starts the RPMsg echo app when the
# checkout has it, otherwise the first app (today the MU echo app).
IMX_M4_FW_APPS ?= "${@imx_m4_fw_apps(d)}"
IMX_M4_FW_BOOT_APP ?= "${@imx_m4_fw_boot_app(d)}"

def imx_m4_fw_apps(d):
    apps = os.path.join(d.getVar('IMX_RPMSG_RS_TOPDIR'), 'firmware', 'apps')
    # Parse the recipe again when an app is added or removed.
    bb.parse.mark_dependency(d, apps)
    names = [a for a in os.listdir(apps) if os.path.isfile(os.path.join(apps, a, 'Cargo.toml'))]
    if not names:
        bb.fatal("no firmware apps under %s" % apps)
    return ' '.join(sorted(names))

def imx_m4_fw_boot_app(d):
    apps = d.getVar('IMX_M4_FW_APPS').split()
    return 'rpmsg-echo' if 'rpmsg-echo' in apps else apps[0]

PACKAGE_ARCH = "${MACHINE_ARCH}"

FILES:${PN} += "${nonarch_base_libdir}/firmware/imx7-m4"

# M4 images, not Linux programs: keep their symbols for a debug probe.
INHIBIT_PACKAGE_STRIP = "1"
INHIBIT_PACKAGE_DEBUG_SPLIT = "1"

COMPATIBLE_MACHINE = "(imx7s-warp|mx7-generic-bsp)"

# cargo finds the crates where bitbake unpacked them (cargo_common's
# configuration in CARGO_HOME) and may not touch the network (--frozen).
# `core` for the M4 is built from the toolchain's library sources, since
# rust-native has no bare-metal Arm `core`; -Z flags need RUSTC_BOOTSTRAP on
# a stable compiler. GNU ld of the cross binutils links cortex-m-rt's link.x,
# so nothing depends on rust-lld being part of rust-native.
do_compile() {
    # The link flags of the workspace (firmware/.cargo/config.toml) only apply
    # when no RUSTFLAGS come from the environment.
    unset RUSTFLAGS CARGO_BUILD_RUSTFLAGS CARGO_ENCODED_RUSTFLAGS
    export RUSTC_BOOTSTRAP=1
    export CARGO_TARGET_DIR="${B}/target"
    export CARGO_TARGET_THUMBV7EM_NONE_EABIHF_LINKER="${HOST_PREFIX}ld"
    cd ${S}
    for app in ${IMX_M4_FW_APPS}; do
        cargo build --release --frozen --target ${IMX_M4_TARGET} -Z build-std=core -p $app
        ${OBJCOPY} -O binary ${B}/target/${IMX_M4_TARGET}/release/$app ${B}/$app.bin
    done
}

do_install() {
    install -d ${D}${nonarch_base_libdir}/firmware/imx7-m4
    for app in ${IMX_M4_FW_APPS}; do
        install -m 0644 ${B}/target/${IMX_M4_TARGET}/release/$app ${D}${nonarch_base_libdir}/firmware/imx7-m4/$app.elf
        install -m 0644 ${B}/$app.bin ${D}${nonarch_base_libdir}/firmware/imx7-m4/$app.bin
    done
}

do_deploy() {
    install -d ${DEPLOYDIR}/imx7-m4
    for app in ${IMX_M4_FW_APPS}; do
        install -m 0644 ${B}/target/${IMX_M4_TARGET}/release/$app ${DEPLOYDIR}/imx7-m4/$app.elf
        install -m 0644 ${B}/$app.bin ${DEPLOYDIR}/imx7-m4/$app.bin
    done
    # The name the boot script loads from the boot partition.
    install -m 0644 ${B}/${IMX_M4_FW_BOOT_APP}.bin ${DEPLOYDIR}/imx7-m4-fw.bin
}
addtask deploy after do_compile before do_build
