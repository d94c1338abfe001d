#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the static ARMv7 Linux guest tools (tests/guest-tools/*) for the test
# initramfs. Prints the directory holding the built binaries.
#
# std is built from rust-src (RUSTC_BOOTSTRAP=1, -Zbuild-std); the link
# uses clang-19 + lld against Debian
# bookworm's armhf musl (crt objects, libc.a) and libgcc's unwinder, pinned
# below, unpacked in the cache.
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"
need cargo
need dpkg-deb
need "clang-$LLVM_VERSION" "apt-get install clang-$LLVM_VERSION lld-$LLVM_VERSION"
export PATH=/usr/lib/llvm-$LLVM_VERSION/bin:$PATH

TARGET=armv7-unknown-linux-musleabihf
# Debian bookworm armhf packages: name version sha256.
SYSROOT_DEBS=(
    "musl:armhf 1.2.3-1 75e00006d3967c24d505cac439ba14e5508a5ff11a72e248f329e05da5e1cc0b"
    "musl-dev:armhf 1.2.3-1 3a9dbb8ae66716f117dce87558fb47a161db0eebf0700cc6bf84ef6871ce7d38"
    "libgcc-12-dev:armhf 12.2.0-14+deb12u1 f4af3b766ae50185d8c94933bfb369266aeb4b9288916d2c9789bf0283f3df5a"
)
SYSROOT=$CACHE/guest-tools/sysroot-$(printf '%s\n' "${SYSROOT_DEBS[@]}" | sha256sum | cut -c1-16)
LIBC=$SYSROOT/usr/lib/arm-linux-musleabihf
if [ ! -f "$SYSROOT/.done" ]; then
    rm -rf "$SYSROOT"
    mkdir -p "$SYSROOT/unwind"
    for d in "${SYSROOT_DEBS[@]}"; do
        read -r pkg ver sum <<<"$d"
        deb=$(apt_fetch_deb "$pkg" "$ver" "$sum")
        dpkg-deb -x "$deb" "$SYSROOT" || die "cannot unpack $deb"
    done
    # std links `-lunwind`; libgcc's EHABI unwinder provides those symbols.
    ln -s ../usr/lib/gcc/arm-linux-gnueabihf/12/libgcc_eh.a "$SYSROOT/unwind/libunwind.a"
    touch "$SYSROOT/.done"
fi

# One path everywhere: std from rust-src (rustup ships no rust-std for this
# target to this machine class), as design.md describes for bare targets.
export RUSTC_BOOTSTRAP=1
BUILD_STD=(-Zbuild-std=std,panic_abort)
export CARGO_TARGET_DIR=$CACHE/target/guest-tools
flags="'-Clink-arg=-nostartfiles','-Clink-arg=$LIBC/crt1.o','-Clink-arg=$LIBC/crti.o'"
flags+=",'-Clink-arg=$LIBC/crtn.o','-Clink-arg=-L$LIBC','-Clink-arg=-L$SYSROOT/unwind'"
for crate in "$TOP"/tests/guest-tools/*/; do
    log "building guest tool $(basename "$crate") for $TARGET"
    (cd "$crate" && cargo build --quiet --locked --release "${BUILD_STD[@]}" \
        --config "target.$TARGET.rustflags=[$flags]") >&2 ||
        die "building $crate failed"
done
OUT=$CARGO_TARGET_DIR/$TARGET/release
# The guest is 32-bit little-endian ARM: ELF class 1, data 1, e_machine 0x28.
ident=$(od -An -tx1 -N20 "$OUT/rpmsg-ept" | tr -d ' \n')
[ "${ident:0:12}" = 7f454c460101 ] && [ "${ident:36:4}" = 2800 ] ||
    die "$OUT/rpmsg-ept is not a 32-bit little-endian ARM ELF"
printf '%s\n' "$OUT"
