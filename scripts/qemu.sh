#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build the emulated i.MX7 board: Debian's QEMU source with our patch series
# (qemu/patches/series) applied, arm-softmmu only, plus the TCG "insn" plugin.
# Source tree and build directory are keyed by the pinned versions, every
# patch and this script, so a second run with nothing changed returns at once.
# Prints the path of qemu-system-arm on stdout (progress goes to stderr);
# the plugin is tests/tcg/plugins/libinsn.so in the same build directory.
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"

PYTHON=/usr/bin/python3
for t in dpkg-source patch ninja pkg-config cc make sha256sum flock; do
    need "$t"
done
[ -x "$PYTHON" ] || die "required tool '$PYTHON' not found (Debian package python3); run 'make setup' first"
"$PYTHON" -c 'import venv, ensurepip' 2>/dev/null ||
    die "required Python module 'venv'/'ensurepip' not found (Debian package python3-venv); run 'make setup' first"
for lib in glib-2.0:libglib2.0-dev pixman-1:libpixman-1-dev; do
    pkg-config --exists "${lib%%:*}" ||
        die "required library '${lib%%:*}' not found by pkg-config (Debian package ${lib#*:}); run 'make setup' first"
done
# Debian's libfdt-dev has no pkg-config file: look for the header.
printf '#include <libfdt.h>\n' | cc -E -x c - >/dev/null 2>&1 ||
    die "required header 'libfdt.h' not found (Debian package libfdt-dev); run 'make setup' first"

SERIES=$TOP/qemu/patches/series
[ -f "$SERIES" ] || die "patch series $SERIES is missing"
patches=()
while IFS= read -r line; do
    line=${line%%#*}
    line=${line//[[:space:]]/}
    [ -n "$line" ] || continue
    [ -f "$TOP/qemu/patches/$line" ] || die "patch $line listed in $SERIES does not exist"
    patches+=("$TOP/qemu/patches/$line")
done <"$SERIES"

key=$( (printf '%s\n' "$QEMU_VERSION" "$QEMU_DSC_SHA256" "$MESON_VERSION"
    key_of "$SERIES" "${patches[@]}" "$TOP/scripts/qemu.sh") | sha256sum | cut -c1-16)
QDIR=$CACHE/qemu
SRC=$QDIR/src-$key
OUT=$QDIR/build-$key
QEMU_BIN=$OUT/qemu-system-arm
if [ -f "$OUT/.built" ] && [ -x "$QEMU_BIN" ]; then
    printf '%s\n' "$QEMU_BIN"
    exit 0
fi
mkdir -p "$QDIR"

# One build at a time: a second caller waits, then finds the build done.
exec 9>"$QDIR/.lock"
flock 9
if [ -f "$OUT/.built" ] && [ -x "$QEMU_BIN" ]; then
    printf '%s\n' "$QEMU_BIN"
    exit 0
fi

# 1. meson wheel: the +ds tarball strips the one QEMU bundles.
WHEEL=$QDIR/wheels/meson-$MESON_VERSION-py3-none-any.whl
if [ ! -f "$WHEEL" ]; then
    log "downloading meson $MESON_VERSION (wheel) from PyPI"
    pip=("$PYTHON" -m pip)
    if ! "${pip[@]}" --version >/dev/null 2>&1; then
        "$PYTHON" -m venv "$QDIR/pip-venv" >/dev/null ||
            die "could not create a Python venv for pip in $QDIR/pip-venv"
        pip=("$QDIR/pip-venv/bin/python3" -m pip)
    fi
    mkdir -p "$QDIR/wheels"
    "${pip[@]}" download --quiet --no-deps --only-binary=:all: \
        "meson==$MESON_VERSION" -d "$QDIR/wheels" >&2 ||
        die "could not download meson==$MESON_VERSION from PyPI"
    [ -f "$WHEEL" ] || die "meson==$MESON_VERSION download did not produce $(basename "$WHEEL")"
fi

# 2. Source tree: Debian's source (with Debian's patches) plus ours.
if [ ! -f "$SRC/.patched" ]; then
    dscdir=$(apt_fetch_source qemu "$QEMU_VERSION" "$QEMU_DSC_SHA256")
    dsc=$dscdir/qemu_${QEMU_VERSION#*:}.dsc
    log "extracting qemu $QEMU_VERSION into $SRC"
    rm -rf "$SRC" "$SRC.tmp"
    dpkg-source --no-copy -x "$dsc" "$SRC.tmp" >"$QDIR/extract-$key.log" 2>&1 ||
        die "dpkg-source -x $dsc failed (see $QDIR/extract-$key.log)"
    cp "$WHEEL" "$SRC.tmp/python/wheels/"
    for p in "${patches[@]}"; do
        log "applying $(basename "$p")"
        patch -p1 -N -s -d "$SRC.tmp" <"$p" >>"$QDIR/extract-$key.log" 2>&1 ||
            die "patch $(basename "$p") does not apply to qemu $QEMU_VERSION (see $QDIR/extract-$key.log)"
    done
    mv "$SRC.tmp" "$SRC"
    touch "$SRC/.patched"
fi

# 3. Configure (once per key) and build (resumes after an interrupted run).
LOG=$OUT/build.log
if [ ! -f "$OUT/.configured" ]; then
    rm -rf "$OUT"
    mkdir -p "$OUT"
    log "qemu: configuring in $OUT (log: $LOG)"
    (cd "$OUT" && "$SRC/configure" --python="$PYTHON" --target-list=arm-softmmu \
        --disable-docs --disable-user --without-default-features \
        --disable-install-blobs --disable-download --enable-fdt=system \
        --enable-tcg --enable-plugins --enable-pixman) >"$LOG" 2>&1 ||
        die "qemu configure failed: $(tail -n3 "$LOG")"
    touch "$OUT/.configured"
fi
log "qemu: building qemu-system-arm and the insn plugin (-j${JOBS:-2}, 6-9 min cold)"
ninja -C "$OUT" -j"${JOBS:-2}" qemu-system-arm tests/tcg/plugins/libinsn.so >>"$LOG" 2>&1 ||
    die "qemu build failed: $(grep -m3 -E 'error|FAILED' "$LOG" || tail -n5 "$LOG")"
"$QEMU_BIN" -machine help | grep -q '^mcimx7d-sabre ' ||
    die "the built qemu-system-arm has no mcimx7d-sabre machine"
touch "$OUT/.built"

# Drop trees and builds of older inputs.
for d in "$QDIR"/src-* "$QDIR"/build-* "$QDIR"/extract-*.log; do
    case $d in
    "$SRC" | "$OUT" | "$QDIR/extract-$key.log") ;;
    *)
        if [ -e "$d" ]; then
            log "removing stale $d"
            rm -rf "$d"
        fi
        ;;
    esac
done

log "qemu built: $QEMU_BIN"
printf '%s\n' "$QEMU_BIN"
