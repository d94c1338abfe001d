#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Check our device-tree binding and trees with dt-schema (pinned, in a venv
# in the cache):
#   1. dt-doc-validate: every binding in dts/bindings/ is a valid schema;
#   2. the bindings' examples compile and validate against them;
#   3. dt-validate: our board trees validate against the kernel's bindings
#      plus ours, without a single message;
#   4. the RPMsg error-test tree is rejected exactly for the nodes the
#      binding can catch (the schema really checks something).
# Usage: dt-check.sh KERNEL_BUILD_DIR (for dtc and the built .dtb files).
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"
source "$TOP/scripts/env.sh"

KBUILD=${1:?usage: dt-check.sh KERNEL_BUILD_DIR}
SRC=$CACHE/kernel/src-$LINUX_SOURCE_VERSION
DTC=$KBUILD/scripts/dtc/dtc
REQ=$TOP/scripts/dtschema-requirements.txt
[ -x "$DTC" ] || die "no dtc in $KBUILD (build the kernel first: scripts/kernel.sh)"
[ -d "$SRC/Documentation/devicetree/bindings" ] || die "no kernel bindings in $SRC"
need /usr/bin/python3

# 1. The venv, keyed by the pinned requirements.
VENV=$CACHE/dtschema/venv-$(key_of "$REQ" | cut -c1-12)
if [ ! -f "$VENV/.built" ]; then
    log "dt-schema: creating $VENV"
    rm -rf "$VENV"
    /usr/bin/python3 -m venv "$VENV" || die "python3 -m venv failed (apt install python3-venv)"
    "$VENV/bin/pip" install -q --require-hashes --no-deps -r "$REQ" ||
        die "installing dt-schema failed (pylibfdt builds from source: needs gcc and python3-dev)"
    touch "$VENV/.built"
fi
BIN=$VENV/bin
DTBS=$(bash "$TOP/scripts/dtbs.sh" "$KBUILD")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mapfile -t BINDINGS < <(find "$TOP/dts/bindings" -name '*.yaml' | sort)
[ "${#BINDINGS[@]}" -gt 0 ] || die "no bindings in dts/bindings"

# 2. The bindings are valid schemas.
"$BIN/dt-doc-validate" -u "$TOP/dts/bindings" "${BINDINGS[@]}" ||
    die "dt-doc-validate rejected a binding in dts/bindings"
log "dt-schema: ${#BINDINGS[@]} binding(s) valid"

# 3. Processed schema: the kernel's bindings and ours (about a minute).
SCHEMA=$CACHE/dtschema/schema-$( (key_of "$REQ" "${BINDINGS[@]}"; echo "$LINUX_SOURCE_VERSION") |
    sha256sum | cut -c1-12).json
if [ ! -f "$SCHEMA" ]; then
    log "dt-schema: processing the kernel's bindings and ours into $SCHEMA"
    "$BIN/dt-mk-schema" -j "$SRC/Documentation/devicetree/bindings" "$TOP/dts/bindings" \
        >"$SCHEMA.tmp" 2>"$WORK/mk.log" || die "dt-mk-schema failed: $(tail -n3 "$WORK/mk.log")"
    mv "$SCHEMA.tmp" "$SCHEMA"
fi

validate() { # validate DTB: prints dt-validate's complaints
    "$BIN/dt-validate" -s "$SCHEMA" "$1" 2>&1
}

# 4. Examples.
for b in "${BINDINGS[@]}"; do
    name=$(basename "$b" .yaml)
    "$BIN/dt-extract-example" "$b" >"$WORK/$name.dts"
    "$DTC" -@ -q -I dts -O dtb -o "$WORK/$name.dtb" "$WORK/$name.dts" ||
        die "the examples of $b do not compile"
    out=$(validate "$WORK/$name.dtb")
    [ -z "$out" ] || die "the examples of $b do not validate:"$'\n'"$out"
done
log "dt-schema: examples compile and validate"

# 5. Our trees.
for t in imx7s-warp-rpmsg imx7s-warp-qemu imx7s-warp-qemu-rpmsgpool imx7s-warp-qemu-rproc imx7s-warp-qemu-nosrc; do
    [ -f "$DTBS/$t.dtb" ] || die "$DTBS/$t.dtb missing"
    out=$(validate "$DTBS/$t.dtb")
    [ -z "$out" ] || die "$t.dtb does not validate:"$'\n'"$out"
    log "dt-schema: $t.dtb valid"
done

# 6. The error-test tree: each broken node the binding can describe is
# flagged, and nothing else is.
out=$(validate "$DTBS/imx7s-warp-qemu-rpmsgtest.dtb")
for node in rpmsg-test-no-memory rpmsg-test-too-many rpmsg-test-no-mboxes; do
    grep -q "$node" <<<"$out" || die "dt-validate did not flag $node in imx7s-warp-qemu-rpmsgtest.dtb"
done
other=$(grep -E '\.dtb: ' <<<"$out" | grep -v 'rpmsg-test-' || true)
[ -z "$other" ] || die "unexpected complaints about imx7s-warp-qemu-rpmsgtest.dtb:"$'\n'"$other"
log "dt-schema: the broken RPMsg nodes are rejected ($(grep -c '\.dtb: ' <<<"$out") messages)"
echo "dt-check: bindings, examples and trees OK"
