#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install everything the project needs on a fresh Debian 12 machine: apt
# packages, the rustup components and targets, and a pinned bindgen-cli.
# Idempotent: a second run checks and returns quickly.
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"

APT_PACKAGES=(
    # kernel build (LLVM=1) and Rust bindings
    "clang-$LLVM_VERSION" "lld-$LLVM_VERSION" "llvm-$LLVM_VERSION" "libclang-$LLVM_VERSION-dev"
    bc bison flex libssl-dev libelf-dev cpio kmod xz-utils rsync make
    # QEMU build
    ninja-build libglib2.0-dev libpixman-1-dev libfdt-dev pkg-config python3-venv python3-dev gcc dpkg-dev patch
    # device trees and initramfs
    device-tree-compiler
    # bitbake (scripts/yocto-check.sh): host tools openembedded-core's sanity
    # check wants beyond the ones above, and the en_US.UTF-8 locale it runs in
    chrpath diffstat gawk locales
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing Debian packages (${missing[*]}); run as root or install them"
    log "installing Debian packages: ${missing[*]}"
    apt-get -q update >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get -q install -y --no-install-recommends "${missing[@]}" >/dev/null ||
        die "apt-get install of ${missing[*]} failed"
fi

if ! locale -a 2>/dev/null | grep -qix 'en_US.utf-\?8'; then
    [ "$(id -u)" = 0 ] || die "the en_US.UTF-8 locale is missing; run as root or generate it"
    log "generating the en_US.UTF-8 locale (bitbake needs it)"
    localedef -i en_US -f UTF-8 en_US.UTF-8 || die "localedef en_US.UTF-8 failed"
fi

need rustup "the Rust toolchain is installed with rustup"
need cargo
installed=$(rustup component list --installed)
grep -q '^rust-src' <<<"$installed" || { log "rustup component add rust-src"; rustup component add rust-src >/dev/null; }
rustup target list --installed | grep -qx thumbv7em-none-eabihf ||
    { log "rustup target add thumbv7em-none-eabihf"; rustup target add thumbv7em-none-eabihf >/dev/null; }
for c in rustfmt clippy; do
    grep -q "^$c" <<<"$installed" || { log "rustup component add $c"; rustup component add "$c" >/dev/null; }
done

# bindgen-cli, pinned, in the cache (not on the system PATH).
TOOLS=$CACHE/tools
if [ "$("$TOOLS/bin/bindgen" --version 2>/dev/null)" != "bindgen $BINDGEN_VERSION" ]; then
    log "cargo install bindgen-cli $BINDGEN_VERSION"
    cargo install --quiet --locked --root "$TOOLS" bindgen-cli --version "$BINDGEN_VERSION" ||
        die "cargo install bindgen-cli $BINDGEN_VERSION failed"
fi
log "host ready: $(rustc --version), bindgen $BINDGEN_VERSION, clang-$LLVM_VERSION"
