#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build our out-of-tree kernel modules (Kbuild, drivers/, rust/) against a
# kernel build directory and print the directory holding the .ko files.
#
#   modules.sh KERNEL_BUILD_DIR          build (cached), print the .ko dir
#   modules.sh KERNEL_BUILD_DIR --check  also CLIPPY=1 and rustfmt --check;
#                                        fails on any warning
#
# Rust modules only load into the exact kernel they were built for, and
# Kbuild does not rebuild an external module's objects when the kernel
# changes underneath them (design.md). So the output is keyed by the kernel
# build (its .config, Module.symvers and the kernel crate's metadata) and by
# every module source, and each build starts from a fresh copy of the
# sources: no stale object or generated binding can survive.
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"
source "$TOP/scripts/env.sh"

KBUILD=${1:?usage: modules.sh KERNEL_BUILD_DIR [--check]}
MODE=${2:-build}
KBUILD=$(cd "$KBUILD" && pwd)
for f in .config Module.symvers rust/libkernel.rmeta; do
    [ -f "$KBUILD/$f" ] || die "$KBUILD/$f missing: build the kernel first (scripts/kernel.sh)"
done
for t in clang ld.lld bindgen rustc make; do
    need "$t"
done
SRC=$CACHE/kernel/src-$LINUX_SOURCE_VERSION

# Module sources: the top-level Kbuild/Kconfig and everything under
# drivers/ and rust/, in a stable order.
mapfile -t SOURCES < <(cd "$TOP" && {
    printf '%s\n' Kbuild Kconfig
    find drivers rust -type f ! -name '*.o' ! -name '*.ko' ! -name '.*' | sort
})
key=$( (
    printf '%s\n' "$KBUILD"
    (cd "$KBUILD" && sha256sum .config Module.symvers rust/libkernel.rmeta)
    (cd "$TOP" && key_of "${SOURCES[@]/#/$TOP/}")
) | sha256sum | cut -c1-16)
OUT=$CACHE/modules/$key

build_copy() { # build_copy DIR [make args...]: fresh copy of the sources, built in DIR
    local dir=$1
    shift
    rm -rf "$dir"
    mkdir -p "$dir"
    (cd "$TOP" && cp --parents "${SOURCES[@]}" "$dir/")
    "${KMAKE[@]}" -C "$KBUILD" M="$dir" "$@" modules >"$dir.log" 2>&1 ||
        die "module build failed: $(grep -m5 -E 'error(\[|:)|Error ' "$dir.log" || tail -n5 "$dir.log") (log: $dir.log)"
}

# Build directories are per process: two checkouts with the same sources
# (same key) may build at once, and neither may remove the other's files.
if [ "$MODE" = --check ]; then
    CHECK=$CACHE/modules/check-$key.$$
    log "modules: clippy build in $CHECK"
    build_copy "$CHECK" CLIPPY=1
    if grep -nE '^(warning|error)' "$CHECK.log"; then
        die "clippy/rustc warnings in the modules (log: $CHECK.log)"
    fi
    log "modules: rustfmt --check"
    mapfile -t RS < <(cd "$TOP" && find drivers rust -name '*.rs' ! -name '*generated*' | sort)
    (cd "$TOP" && rustfmt --edition 2021 --config-path "$SRC/.rustfmt.toml" --check "${RS[@]}") ||
        die "rustfmt: the module sources are not formatted (run rustfmt with $SRC/.rustfmt.toml)"
    rm -rf "$CHECK" "$CHECK.log"
    log "modules: clippy and rustfmt clean"
fi

if [ ! -f "$OUT/.built" ]; then
    BUILD=$CACHE/modules/build-$key.$$
    log "modules: building against $KBUILD in $BUILD (log: $BUILD.log)"
    build_copy "$BUILD"
    if grep -nE '^(warning|error)' "$BUILD.log" >&2; then
        log "modules: the build has warnings (see $BUILD.log)"
    fi
    # Filled aside, then renamed into place: $OUT is either complete or
    # absent, and a concurrent build of the same key that finished first
    # is kept.
    NEW=$CACHE/modules/.new-$key.$$
    rm -rf "$NEW"
    mkdir -p "$NEW"
    find "$BUILD" -name '*.ko' -exec cp {} "$NEW/" \;
    [ -n "$(ls "$NEW"/*.ko 2>/dev/null)" ] || die "no .ko built (log: $BUILD.log)"
    cp "$BUILD.log" "$NEW/build.log"
    touch "$NEW/.built"
    rm -rf "$BUILD" "$BUILD.log"
    # A directory left by an interrupted build of the old layout.
    [ -f "$OUT/.built" ] || rm -rf "$OUT"
    mv -T "$NEW" "$OUT" 2>/dev/null || rm -rf "$NEW"
    [ -f "$OUT/.built" ] || die "modules: could not put the build in $OUT"
fi
printf '%s\n' "$OUT"
