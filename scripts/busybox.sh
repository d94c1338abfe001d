#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's static armhf busybox (pinned in versions.sh) for the test
# initramfs. Prints the path of the busybox binary.
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"
need dpkg-deb

OUT=$CACHE/busybox/${BUSYBOX_VERSION//:/_}
if [ ! -x "$OUT/bin/busybox" ]; then
    deb=$(apt_fetch_deb "$BUSYBOX_PKG" "$BUSYBOX_VERSION" "$BUSYBOX_SHA256")
    rm -rf "$OUT"
    mkdir -p "$OUT"
    dpkg-deb -x "$deb" "$OUT.tmp" && mv "$OUT.tmp/bin" "$OUT/bin" && rm -rf "$OUT.tmp" ||
        die "cannot unpack $deb"
fi
# The guest is 32-bit little-endian ARM: ELF class 1, data 1, e_machine 0x28.
ident=$(od -An -tx1 -N20 "$OUT/bin/busybox" | tr -d ' \n')
[ "${ident:0:12}" = 7f454c460101 ] && [ "${ident:36:4}" = 2800 ] ||
    die "$OUT/bin/busybox is not a 32-bit little-endian ARM ELF"
printf '%s\n' "$OUT/bin/busybox"
