#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build our TCG plugin qemu/plugins/m4count.c (the M4 instruction counter
# and profiler of the firmware benchmark) against the plugin header of the
# QEMU tree scripts/qemu.sh builds. Keyed by that tree and the source, in
# the cache. Prints the path of libm4count.so.
source "$(dirname "$0")/lib.sh"
need cc
need pkg-config

QEMU_BIN=$(bash "$TOP/scripts/qemu.sh")
OUT=$(dirname "$QEMU_BIN")
SRC=$(dirname "$OUT")/src-${OUT##*/build-}
HEADER=$SRC/include/qemu/qemu-plugin.h
[ -f "$HEADER" ] || die "QEMU plugin header $HEADER not found (scripts/qemu.sh keeps the tree)"
PLUGIN=$TOP/qemu/plugins/m4count.c
key=$( (key_of "$PLUGIN"; printf '%s\n' "$SRC") | sha256sum | cut -c1-16)
LIB=$CACHE/qemu/plugins/libm4count-$key.so
if [ ! -f "$LIB" ]; then
    mkdir -p "$(dirname "$LIB")"
    log "building the m4count TCG plugin"
    # shellcheck disable=SC2046 # pkg-config prints several words
    cc -O2 -Wall -Werror -shared -fPIC -I"$SRC/include/qemu" \
        $(pkg-config --cflags glib-2.0) -o "$LIB.tmp" "$PLUGIN" ||
        die "building $PLUGIN failed"
    mv "$LIB.tmp" "$LIB"
fi
printf '%s\n' "$LIB"
