#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Offline checks of the Yocto layer (meta-imx-rpmsg-rs/) and the kas files
# (kas/): oelint-adv on every recipe, append, class and include (default
# rules, and all rules for the release); the layer structure; every file://
# the recipes fetch and every licence checksum; the layer in step with the
# rest of the project (kernel fragment, kernel source, module list, firmware
# version and crates, boot script); and each kas file against kas's own JSON
# schema and loader, pinned to commits on the release branch.
# Needs no network except PyPI the first time (pinned tools, hashes checked).
# Prints "test <name> ... ok|FAILED|skipped" and a summary; exits 1 on failure.
source "$(dirname "$0")/lib.sh"

LAYER=$TOP/meta-imx-rpmsg-rs
CHECKS=$LAYER/scripts/layer_checks.py
REQS=$TOP/scripts/yocto-check-requirements.txt
VENV=$CACHE/venv-yocto
# The release the recipes are linted for: the one kas/ builds.
RELEASE=wrynose

# --- pinned tools in a venv, rebuilt when the requirements change ----------
need python3 "Debian package python3"
stamp=$VENV/.requirements-$(key_of "$REQS")
if [ ! -f "$stamp" ]; then
    log "creating $VENV (oelint-adv, kas, jsonschema from $REQS)"
    rm -rf "$VENV"
    python3 -m venv "$VENV" ||
        die "python3 -m venv failed; install python3-venv (scripts/setup-host.sh does)"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check --require-hashes \
        --only-binary=:all: -r "$REQS" >&2 ||
        die "installing the pinned tools of $REQS failed (they are CPython $(sed -n 's/.*cp\([0-9]*\).*/\1/p' "$REQS" | head -n1) wheels; this is $(python3 -V))"
    touch "$stamp"
fi
PY=$VENV/bin/python
export PYTHONDONTWRITEBYTECODE=1

# --- test runner ------------------------------------------------------------
PASSED=0
FAILED=0
SKIPPED=0
LOGDIR=$(mktemp -d)
trap 'rm -rf "$LOGDIR"' EXIT

# check NAME CMD...: runs CMD; exit 0 passes, 77 is skipped, anything else
# fails and shows the command's output.
check() {
    local name=$1 rc=0
    shift
    "$@" >"$LOGDIR/out" 2>&1 || rc=$?
    case $rc in
    0)
        echo "test $name ... ok"
        PASSED=$((PASSED + 1))
        ;;
    77)
        echo "test $name ... skipped ($(tail -n1 "$LOGDIR/out"))"
        SKIPPED=$((SKIPPED + 1))
        ;;
    *)
        echo "test $name ... FAILED"
        sed 's/^/    /' "$LOGDIR/out"
        FAILED=$((FAILED + 1))
        ;;
    esac
}

# --- oelint-adv ---------------------------------------------------------------
# Twice, with no rule switched off: its default rule set and mode, and every
# rule for the wrynose release. What a single recipe needs suppressed is a
# "# nooelint:" comment there, with its reason. Variables of
# openembedded-core that oelint-data lacks are declared in
# .oelint-constants.json. Any finding fails, information included.
oelint() {
    local out
    out=$(cd "$LAYER" && "$VENV/bin/oelint-adv" --quiet "$@" \
        --constantmods "+$LAYER/.oelint-constants.json" 2>&1) || true
    [ -z "$out" ] || { printf '%s\n' "$out"; return 1; }
}

check "oelint suppressions have reasons" "$PY" "$CHECKS" suppressions "$LAYER"
mapfile -t LINTED < <(find "$LAYER" \( -name '*.bb' -o -name '*.bbappend' -o -name '*.bbclass' -o -name '*.inc' \) | sort)
LINTED+=("$LAYER/conf/layer.conf")
check "oelint-adv, default rules: ${#LINTED[@]} files" oelint "${LINTED[@]}"
check "oelint-adv --release $RELEASE --mode all: ${#LINTED[@]} files" oelint "${LINTED[@]}" \
    --mode all --release "$RELEASE" --extra-layer freescale-layer

# --- layer structure and sources -----------------------------------------------
check "layer.conf variables" "$PY" "$CHECKS" layer-conf "$LAYER"
check "layer layout and README" "$PY" "$CHECKS" layout "$LAYER"
check "SRC_URI file:// entries exist" "$PY" "$CHECKS" src-uri "$LAYER" "$TOP"
check "LIC_FILES_CHKSUM of local files" "$PY" "$CHECKS" lic-chksum "$LAYER" "$TOP"

# --- in step with the rest of the project --------------------------------------
KREC=$LAYER/recipes-kernel/linux/linux-imx-rpmsg-rs_7.3.4.bb
check "kernel fragment mirrors configs/imx7-rpmsg-rs.config" "$PY" "$CHECKS" kernel-fragment \
    "$LAYER/recipes-kernel/linux/linux-imx-rpmsg-rs/imx7-rpmsg-rs.cfg" "$TOP/configs/imx7-rpmsg-rs.config"
check "kernel source as in scripts/versions.sh" "$PY" "$CHECKS" kernel-source "$KREC" "$TOP/scripts/versions.sh"
check "autoloaded modules are the ones Kbuild builds" "$PY" "$CHECKS" module-names \
    "$LAYER/recipes-kernel/imx-rpmsg-rs-modules/imx-rpmsg-rs-modules_0.1.0.bb" "$TOP"
check "firmware recipe version is the workspace version" "$PY" "$CHECKS" firmware-version \
    "$LAYER/recipes-bsp/imx7-m4-firmware/imx7-m4-firmware_0.1.0.bb" "$TOP/firmware/Cargo.toml"
check "firmware crate:// entries are the crates of firmware/Cargo.lock" "$PY" "$CHECKS" crates \
    "$LAYER/recipes-bsp/imx7-m4-firmware/imx7-m4-firmware-crates.inc" "$TOP/firmware/Cargo.lock"
check "boot script placeholders and commands" "$PY" "$CHECKS" boot-script \
    "$LAYER/recipes-bsp/imx7-m4-boot-script/imx7-m4-boot-script_0.1.0.bb" \
    "$LAYER/recipes-bsp/imx7-m4-boot-script/imx7-m4-boot-script/boot.cmd"

# The kernel recipe starts from imx_v6_v7_defconfig and merges its fragments;
# resolve that configuration with the project's kernel tree (from the cache,
# when scripts/kernel.sh has extracted it) and require that Rust stays on and
# every fragment option survives, as kernel-yocto's configuration audit would.
kernel_config_resolves() (
    source "$TOP/scripts/versions.sh"
    source "$TOP/scripts/env.sh"
    local src=$CACHE/kernel/src-$LINUX_SOURCE_VERSION out=$LOGDIR/kconfig frag opt line bad=0
    if [ ! -f "$src/.extracted" ]; then
        echo "the kernel source is not in the cache yet (scripts/kernel.sh extracts it)"
        return 77
    fi
    local frags=("$LAYER"/recipes-kernel/linux/linux-imx-rpmsg-rs/*.cfg)
    mkdir -p "$out"
    make -s -C "$src" O="$out" ARCH=arm LLVM=1 imx_v6_v7_defconfig &&
        "$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null &&
        make -s -C "$src" O="$out" ARCH=arm LLVM=1 KCONFIG_ALLCONFIG="$out/.config" alldefconfig ||
        return 1
    for frag in "${frags[@]}"; do
        while IFS= read -r line; do
            if [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
                opt=${BASH_REMATCH[1]}
                ! grep -q "^$opt=" "$out/.config" && continue
            elif [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)= ]]; then
                grep -qxF "$line" "$out/.config" && continue
                opt=${BASH_REMATCH[1]}
            else
                continue
            fi
            echo "${frag##*/}: $line, but the configuration has: $(grep -E "^$opt=|^# $opt " "$out/.config" || echo nothing)"
            bad=1
        done <"$frag"
    done
    grep -qx 'CONFIG_RUST=y' "$out/.config" || { echo "CONFIG_RUST is off"; bad=1; }
    [ "$bad" = 0 ] && echo "imx_v6_v7_defconfig + ${#frags[@]} fragments: Rust on, every option kept"
    return $bad
)
check "kernel configuration of the recipe keeps Rust and every fragment option" kernel_config_resolves

# --- kas -------------------------------------------------------------------------
for kf in "$TOP"/kas/*.yml; do
    rel=${kf#"$TOP"/}
    check "$rel against kas's JSON schema" "$PY" "$CHECKS" kas-schema "$kf"
    check "$rel loads with kas" "$PY" "$CHECKS" kas-load "$kf"
    check "$rel repositories pinned" "$PY" "$CHECKS" kas-pins "$kf" "$LAYER" "$TOP"
done

echo
[ "$SKIPPED" = 0 ] || echo "($SKIPPED skipped, reasons above)"
echo "yocto checks: $PASSED passed; $FAILED failed"
[ "$FAILED" = 0 ]
