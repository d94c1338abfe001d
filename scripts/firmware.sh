#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the M4 firmware (firmware/apps/*) for thumbv7em-none-eabihf in release
# mode, with cargo's output in the cache. Prints the path of the requested
# app's ELF on stdout; progress goes to stderr.
#   usage: scripts/firmware.sh [APP]     (APP defaults to mu-echo)
source "$(dirname "$0")/lib.sh"

TARGET=thumbv7em-none-eabihf
APP=${1:-mu-echo}
FW=$TOP/firmware

need cargo "the Rust toolchain is installed with rustup"
[ -f "$FW/apps/$APP/Cargo.toml" ] ||
    die "no firmware app '$APP' (expected $FW/apps/$APP/Cargo.toml)"
if command -v rustup >/dev/null 2>&1; then
    rustup target list --installed 2>/dev/null | grep -qx "$TARGET" ||
        die "Rust target $TARGET is not installed; run 'make setup' (scripts/setup-host.sh) or 'rustup target add $TARGET'"
else
    sysroot=$(rustc --print sysroot)
    [ -d "$sysroot/lib/rustlib/$TARGET" ] ||
        die "Rust target $TARGET is not installed in $sysroot; run 'make setup' (scripts/setup-host.sh)"
fi

# Cargo rebuilds only what changed, so the cached target dir is the key;
# one per checkout (lib.sh), so that no other checkout replaces our ELF.
export CARGO_TARGET_DIR=$FIRMWARE_TARGET
# Use the committed Cargo.lock as is when there is one.
locked=()
[ -f "$FW/Cargo.lock" ] && locked=(--locked)
log "building firmware app $APP for $TARGET (release)"
(cd "$FW" && cargo build --release "${locked[@]}" --target "$TARGET" -p "$APP" >&2) ||
    die "firmware build of $APP failed"

elf=$CARGO_TARGET_DIR/$TARGET/release/$APP
[ -f "$elf" ] || die "cargo did not produce $elf"
printf '%s\n' "$elf"
