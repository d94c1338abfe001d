#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build our device trees (dts/*.dts) against the kernel source, with the
# kernel's own preprocessor flags and dtc. Usage: dtbs.sh KERNEL_BUILD_DIR.
# Prints the directory holding the .dtb files.
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"
source "$TOP/scripts/env.sh"

KBUILD=${1:?usage: dtbs.sh KERNEL_BUILD_DIR}
SRC=$CACHE/kernel/src-$LINUX_SOURCE_VERSION
DTC=$KBUILD/scripts/dtc/dtc
[ -x "$DTC" ] || die "no dtc in $KBUILD (build the kernel first: scripts/kernel.sh)"

OUT=$CACHE/dtbs/$(key_of "$TOP"/dts/*.dts "$TOP"/dts/*.dtsi | cut -c1-12)-${KBUILD##*/build-}
mkdir -p "$OUT"
for dts in "$TOP"/dts/*.dts; do
    name=$(basename "$dts" .dts)
    [ -f "$OUT/$name.dtb" ] && continue
    clang -E -nostdinc -undef -D__DTS__ -x assembler-with-cpp \
        -I "$TOP/dts" -I "$SRC/arch/arm/boot/dts/nxp/imx" \
        -I "$SRC/scripts/dtc/include-prefixes" -I "$SRC/include" \
        -o "$OUT/$name.dts.tmp" "$dts" || die "preprocessing $dts failed"
    "$DTC" -I dts -O dtb -@ -o "$OUT/$name.dtb" "$OUT/$name.dts.tmp" ||
        die "dtc failed for $dts"
    rm -f "$OUT/$name.dts.tmp"
done
printf '%s\n' "$OUT"
