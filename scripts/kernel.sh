#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's linux-source package, apply our kernel patches
# (kernel/patches/*.patch, in name order) and build the ARMv7 i.MX7 kernel
# with Rust (LLVM=1) from configs/imx7-rpmsg-rs.config, its modules and DTBs.
# The build directory is keyed by the source version, the patches, the config
# fragment and the toolchain, so a second run rebuilds nothing. Prints the
# build directory.
#
#   kernel.sh          the kernel with our patches (the one everything uses)
#   kernel.sh --stock  the same kernel without them: the tests show that our
#                      transport protects a kernel lacking the fixes
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"
source "$TOP/scripts/env.sh"

for t in clang ld.lld llvm-ar bindgen rustc make bc bison flex dpkg-deb xz patch; do
    need "$t"
done
FRAGMENT=$TOP/configs/imx7-rpmsg-rs.config
case ${1:-} in
'') VARIANT=patched ;;
--stock) VARIANT=stock ;;
*) die "usage: kernel.sh [--stock]" ;;
esac

# 1. Source tree, extracted once per version.
SRC=$CACHE/kernel/src-$LINUX_SOURCE_VERSION
if [ ! -f "$SRC/.extracted" ]; then
    deb=$(apt_fetch_deb "$LINUX_SOURCE_PKG" "$LINUX_SOURCE_VERSION" "$LINUX_SOURCE_SHA256")
    log "extracting $LINUX_SOURCE_PKG $LINUX_SOURCE_VERSION"
    rm -rf "$SRC" "$SRC.tmp"
    mkdir -p "$SRC.tmp"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$SRC.tmp" --wildcards './usr/src/*.tar.xz'
    tar -xJf "$SRC.tmp"/usr/src/linux-source-*.tar.xz -C "$SRC.tmp"
    mv "$SRC.tmp"/linux-source-* "$SRC"
    rm -rf "$SRC.tmp"
    touch "$SRC/.extracted"
fi
# 1b. The patched tree: hard links to the pristine one (patch writes each
# file it changes anew, so the pristine tree stays as it is), made once per
# set of patches.
PATCHES=("$TOP"/kernel/patches/*.patch)
[ -f "${PATCHES[0]}" ] || die "no kernel patches in $TOP/kernel/patches"
if [ "$VARIANT" = stock ]; then
    PATCHES=()
else
    PSRC=$SRC-patched-$(key_of "${PATCHES[@]}")
    if [ ! -f "$PSRC/.patched" ]; then
        log "kernel: applying ${#PATCHES[@]} patch(es) in $PSRC"
        rm -rf "$PSRC" "$PSRC.tmp"
        cp -al "$SRC" "$PSRC.tmp"
        for p in "${PATCHES[@]}"; do
            patch -d "$PSRC.tmp" -p1 -s --no-backup-if-mismatch <"$p" ||
                die "kernel patch ${p#"$TOP"/} does not apply to $LINUX_SOURCE_VERSION"
        done
        mv "$PSRC.tmp" "$PSRC"
        touch "$PSRC/.patched"
    fi
    SRC=$PSRC
fi
kver=$(make -s -C "$SRC" kernelversion)
case $kver in 7.3.*) ;; *) die "unexpected kernel version $kver in $LINUX_SOURCE_PKG $LINUX_SOURCE_VERSION" ;; esac

# 2. Configure and build, keyed by every input.
toolchain="$(rustc --version) | $(bindgen --version) | $(clang --version | head -n1)"
key=$( (printf '%s\n' "$LINUX_SOURCE_VERSION" "$VARIANT" "$toolchain"; key_of "$FRAGMENT" "${PATCHES[@]}" "$TOP/scripts/kernel.sh") | sha256sum | cut -c1-16)
OUT=$CACHE/kernel/build-$key
if [ -f "$OUT/.built" ]; then
    printf '%s\n' "$OUT"
    exit 0
fi
mkdir -p "$OUT"
log "kernel $kver ($VARIANT): building in $OUT (log: $OUT/build.log)"
"${KMAKE[@]}" -C "$SRC" O="$OUT" rustavailable >"$OUT/build.log" 2>&1 ||
    die "Rust is not available for the kernel build: $(tail -n3 "$OUT/build.log")"
"${KMAKE[@]}" -C "$SRC" O="$OUT" KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig >>"$OUT/build.log" 2>&1 ||
    die "kernel configuration failed (see $OUT/build.log)"

# Every option the fragment asks for must have survived Kconfig's dependencies.
bad=0
while IFS= read -r line; do
    case $line in
    CONFIG_*=n) opt=${line%%=*}; grep -q "^$opt=" "$OUT/.config" && { log "config: $opt should be off"; bad=1; } ;;
    CONFIG_*=*) grep -qx "$line" "$OUT/.config" || { log "config: $line did not survive ($(grep "^${line%%=*}=" "$OUT/.config" || echo unset))"; bad=1; } ;;
    esac
done <"$FRAGMENT"
[ "$bad" = 0 ] || die "the kernel configuration does not match $FRAGMENT"

"${KMAKE[@]}" -C "$SRC" O="$OUT" zImage modules dtbs >>"$OUT/build.log" 2>&1 ||
    die "kernel build failed: $(grep -m3 -E 'error|Error' "$OUT/build.log" || tail -n5 "$OUT/build.log")"
rm -rf "$OUT/modules-install"
"${KMAKE[@]}" -C "$SRC" O="$OUT" INSTALL_MOD_PATH="$OUT/modules-install" INSTALL_MOD_STRIP=1 \
    modules_install >>"$OUT/build.log" 2>&1 || die "modules_install failed (see $OUT/build.log)"
touch "$OUT/.built"
log "kernel $kver built: $OUT/arch/arm/boot/zImage"
printf '%s\n' "$OUT"
