#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Checks of the Yocto layer (meta-imx-rpmsg-rs/) and the kas files (kas/).
# Offline: oelint-adv on every recipe, append, class and include (default
# rules, and all rules for the release); the layer structure; every file://
# the recipes fetch and every licence checksum; the layer in step with the
# rest of the project (kernel fragment, kernel source, module list, firmware
# version and crates, boot script); each kas file against kas's own JSON
# schema and loader, pinned to commits on the release branch. Then real
# bitbake against the pinned upstream layers (../shared/yocto, or
# YOCTO_LAYERS): bitbake -p, -g, -n, -e assertions and -c unpack, with
# BB_NO_NETWORK, as an unprivileged user; see Documentation/yocto.md.
# Needs no network except PyPI the first time (pinned tools, hashes checked)
# and crates.io when cargo's cache lacks a firmware crate.
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
    LAST_RC=$rc
    case $rc in
    0)
        # A command may say how it passed on a last line "note: ...".
        echo "test $name ... ok$(sed -n '$s/^note: \(.*\)/ (\1)/p' "$LOGDIR/out")"
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
check "kernel patches are the project's kernel/patches" "$PY" "$CHECKS" kernel-patches "$KREC" "$TOP/kernel/patches" "$TOP"
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

# --- real bitbake against the pinned upstream layers ---------------------------
# The five repositories kas/imx7s-warp.yml pins, at exactly those commits, come
# as one tarball beside the project (../shared/yocto/, read-only); they are
# test inputs, extracted into the cache, never into the checkout. bitbake
# runs with BB_NO_NETWORK: parse, task graph, dry run, final variables, and
# fetch/unpack of the sources that need no network. It refuses root, so as
# root the commands run as the unprivileged user $BB_USER, in a private mount
# namespace where the cache and the checkout appear at $BB_ROOT (the cache
# may sit in root's home, which that user cannot enter); paths stay the same
# from run to run, so a warm run parses from bitbake's cache.
YOCTO_LAYERS=${YOCTO_LAYERS:-$TOP/../shared/yocto/layers-wrynose.tar.xz}
KASFILE=$TOP/kas/imx7s-warp.yml
BB_USER=imx-rpmsg-bb
BB_HOST_TOOLS=(chrpath diffstat gawk)

bitbake_stage() {
    local sum
    sum=$(sha256sum "$YOCTO_LAYERS" | cut -d' ' -f1)
    YDIR=$CACHE/yocto
    LAYERS_KEY=${sum:0:16}
    # Our side of the build: conf/, TMPDIR, sstate, downloads, bitbake's cache.
    mkdir -p "$YDIR/build" "$YDIR/checkout" "$YDIR/env"
    if [ ! -f "$YDIR/layers-$LAYERS_KEY/.extracted" ]; then
        log "extracting $(basename "$YOCTO_LAYERS") (sha256 ${sum:0:16}...) into $YDIR/layers-$LAYERS_KEY"
        find "$YDIR" -maxdepth 1 -name 'layers-*' -exec rm -rf {} +
        mkdir -p "$YDIR/layers-new"
        tar --no-same-owner -xJf "$YOCTO_LAYERS" -C "$YDIR/layers-new" || die "extracting $YOCTO_LAYERS failed"
        chmod -R a+rX,go-w "$YDIR/layers-new"
        echo "$sum" >"$YDIR/layers-new/.extracted"
        mv "$YDIR/layers-new" "$YDIR/layers-$LAYERS_KEY"
    fi
    if [ "$(id -u)" = 0 ]; then
        BB_ROOT=/run/imx-rpmsg-rs-yocto
        id -u "$BB_USER" >/dev/null 2>&1 ||
            useradd --system --no-create-home --home-dir "$BB_ROOT/build" --shell /bin/sh "$BB_USER" ||
            die "useradd $BB_USER failed"
        chown -R "$BB_USER:" "$YDIR/build" "$YDIR/env"
        mkdir -p "$BB_ROOT"
    else
        BB_ROOT=$YDIR
        ln -sfn "$TOP" "$YDIR/checkout.link"
    fi
    BB_LAYERS=$BB_ROOT/layers-$LAYERS_KEY
    BB_BUILD=$BB_ROOT/build
    BB_TOP=$BB_ROOT/checkout
    [ "$(id -u)" = 0 ] || BB_TOP=$YDIR/checkout.link

    # conf/ as kas writes it from the kas file, plus the check's own settings.
    in_ns "$PY" "$CHECKS" kas-conf "$KASFILE" "$BB_LAYERS" "$BB_TOP" "$BB_BUILD" >/dev/null ||
        die "kas/imx7s-warp.yml does not give a bitbake configuration (see above)"
    cat >>"$YDIR/build/conf/local.conf" <<CONF
# scripts/yocto-check.sh: offline, polite, everything under \$IMX_RPMSG_CACHE/yocto.
BB_NO_NETWORK = "1"
BB_NUMBER_THREADS = "1"
BB_NUMBER_PARSE_THREADS = "2"
TMPDIR = "\${TOPDIR}/tmp"
SSTATE_DIR = "\${TOPDIR}/sstate-cache"
DL_DIR = "\${TOPDIR}/downloads"
# uninative is a download too: offline, its BuildStarted handler switches it
# off in the server's configuration, which changes the configuration hash
# and makes the next command parse every recipe again.
INHERIT:remove = "uninative"
# The firmware's crates come from this local download mirror, filled from
# cargo's own cache; bitbake checks each against its SRC_URI checksum. (The
# crate fetcher matches mirrors against the registry's download URL.)
PREMIRRORS:prepend = "https?://.*/crates/.* file://$BB_BUILD/crate-mirror/ "
CONF
    [ "$(id -u)" = 0 ] && chown -R "$BB_USER:" "$YDIR/build/conf"

    check "bitbake host tools and locale" bitbake_host_ready
    # Without these, every bitbake command below fails in its sanity check.
    [ "$LAST_RC" = 0 ] || return 0
    check "bitbake -p: every recipe parses, no warning from our layer" bb_parse
    check "bitbake -g imx-rpmsg-rs-image: task graph with our kernel, modules, firmware, boot script" bb_graph
    check "bitbake -n imx-rpmsg-rs-image: dry run of every task" bb_dryrun
    check "bitbake -e: kernel, fragments, source, features, rust, crates, boot files, licences" bb_values
    check "bitbake -c unpack of the local-source recipes: files where the recipes read them" bb_unpack
    bb stop >/dev/null 2>&1 || true
}

# in_ns CMD...: runs CMD with the cache and the checkout at $BB_ROOT (as root:
# in a private mount namespace, the checkout read-only).
in_ns() {
    if [ "$(id -u)" != 0 ]; then
        "$@"
        return
    fi
    unshare --mount --propagation private -- sh -c '
        mount --bind "$1" "$2" && mount --bind -o ro "$3" "$2/checkout" || exit 1
        shift 3
        exec "$@"' sh "$YDIR" "$BB_ROOT" "$TOP" "$@"
}

# bb ARGS...: bitbake in the build directory, as the unprivileged user, with
# a fixed environment (it is part of bitbake's configuration hash). The
# server stays up for a minute between commands.
bb() {
    local cmd=(env -i HOME="$BB_BUILD" USER="$BB_USER" SHELL=/bin/sh LANG=en_US.UTF-8
        PATH="$BB_LAYERS/bitbake/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        PYTHONDONTWRITEBYTECODE=1 BB_SERVER_TIMEOUT=60
        sh -c 'cd "$1" && shift && exec /usr/bin/python3 "$(command -v bitbake)" "$@"' sh "$BB_BUILD")
    if [ "$1" = stop ]; then
        set -- -m
    fi
    if [ "$(id -u)" = 0 ]; then
        in_ns setpriv --reuid="$BB_USER" --regid="$BB_USER" --init-groups "${cmd[@]}" "$@"
    else
        "${cmd[@]}" "$@"
    fi
}

bitbake_host_ready() {
    local t bad=0
    for t in "${BB_HOST_TOOLS[@]}"; do
        command -v "$t" >/dev/null || { echo "missing host tool $t (scripts/setup-host.sh installs it)"; bad=1; }
    done
    locale -a 2>/dev/null | grep -qix 'en_US.utf-\?8' ||
        { echo "no en_US.UTF-8 locale, which bitbake needs (scripts/setup-host.sh generates it)"; bad=1; }
    if [ "$(id -u)" = 0 ] && ! in_ns setpriv --reuid="$BB_USER" --regid="$BB_USER" --init-groups \
        test -r "$BB_TOP/meta-imx-rpmsg-rs/conf/layer.conf"; then
        echo "$BB_USER cannot read the checkout ($TOP): its files need to be world-readable"
        bad=1
    fi
    [ "$bad" = 0 ] && echo "bitbake $(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$YDIR/layers-$LAYERS_KEY/bitbake/lib/bb/__init__.py")"
    return $bad
}

bb_parse() {
    local out=$YDIR/env/parse.log rc=0
    bb -p >"$out" 2>&1 || rc=$?
    grep -E '^(ERROR|WARNING):' "$out" | grep -F "$BB_TOP/" && { echo "(warnings or errors from our layer)"; rc=1; }
    grep -q '^ERROR' "$out" && rc=1
    [ $rc = 0 ] || { grep -E '^ERROR' "$out" || tail -n 20 "$out"; return 1; }
    # A parse that had to read recipes reports them; one from the cache does not.
    if grep -q 'Parsing of .* complete' "$out"; then
        echo "note: $(grep -oE 'Parsing of .* complete.*errors' "$out")"
    else
        echo "note: $(grep -oE 'Loaded [0-9]+ entries from dependency cache' "$out"), nothing to re-parse"
    fi
    grep -qE 'complete \(.*\).* 0 errors|Loaded [1-9][0-9]* entries' "$out"
}

bb_graph() {
    local out=$YDIR/env/graph.log rc=0 pn
    bb -g imx-rpmsg-rs-image >"$out" 2>&1 || rc=$?
    if [ $rc != 0 ]; then
        grep -E '^ERROR|skipped|RPROVIDES' "$out" || tail -n 20 "$out"
        return 1
    fi
    grep -E '^WARNING' "$out" | grep -E "$BB_TOP/|imx-rpmsg-rs|imx7-m4" && { echo "(warnings about our layer)"; rc=1; }
    for pn in linux-imx-rpmsg-rs imx-rpmsg-rs-modules imx7-m4-firmware imx7-m4-boot-script \
        packagegroup-imx-rpmsg-rs make-mod-scripts; do
        grep -qx "$pn" "$YDIR/build/pn-buildlist" || { echo "$pn is not in the task graph"; rc=1; }
    done
    [ $rc = 0 ] && echo "note: $(wc -l <"$YDIR/build/pn-buildlist") recipes, $(grep -c -- '->' "$YDIR/build/task-depends.dot") task dependencies"
    return $rc
}

# The dry run forks and re-parses a recipe for each of its ~4,000 tasks:
# minutes. Its outcome depends only on the metadata, so a run with the same
# layers, recipes, classes, kas file and configuration as one that passed
# says so and reuses it.
bb_dryrun() {
    local out=$YDIR/env/dryrun.log inputs stamp
    inputs=$( (
        cat "$YDIR/layers-$LAYERS_KEY/.extracted" "$YDIR/build/conf/"*.conf
        cd "$TOP" && find meta-imx-rpmsg-rs kas firmware/Cargo.lock -path meta-imx-rpmsg-rs/scripts -prune \
            -o -type f ! -name '*.md' -print0 | sort -z | xargs -0 sha256sum
        ls firmware/apps
    ) | sha256sum | cut -c1-16)
    stamp=$YDIR/env/dryrun-ok-$inputs
    if [ -f "$stamp" ] && [ -z "${YOCTO_DRYRUN_AGAIN:-}" ]; then
        echo "note: reused, same inputs as the dry run of $(date -r "$stamp" '+%F %T') that passed; YOCTO_DRYRUN_AGAIN=1 reruns it"
        return 0
    fi
    rm -f "$YDIR"/env/dryrun-ok-*
    # bitbake reports metadata that parses differently per task (a changed
    # basehash) as ERROR lines and still exits 0.
    if ! bb -n imx-rpmsg-rs-image >"$out" 2>&1 || grep -q '^ERROR' "$out"; then
        grep -E '^ERROR' "$out" | sort -u | head -n 20 || tail -n 20 "$out"
        return 1
    fi
    grep -oE 'Tasks Summary: .*' "$out" | tail -n1 >"$stamp"
    echo "note: $(cat "$stamp")"
}

bb_values() {
    local pn rc=0
    rm -f "$YDIR"/env/*.env
    for pn in linux-imx-rpmsg-rs imx-rpmsg-rs-modules make-mod-scripts imx7-m4-firmware \
        imx7-m4-boot-script packagegroup-imx-rpmsg-rs imx-rpmsg-rs-image; do
        bb -e "$pn" >"$YDIR/env/$pn.env" 2>"$YDIR/env/$pn.err" ||
            { echo "bitbake -e $pn failed:"; grep -E '^ERROR|skipped' "$YDIR/env/$pn.err" "$YDIR/env/$pn.env" | head; rc=1; }
    done
    [ $rc = 0 ] || return 1
    in_ns "$PY" "$CHECKS" bb-env "$BB_ROOT/env" "$BB_TOP/meta-imx-rpmsg-rs" "$BB_TOP"
}

# do_unpack of the recipes whose sources need no network: the boot script,
# the modules (the checkout), and the firmware (the checkout plus its crates,
# from a file:// download mirror made of cargo's own cache of them).
UNPACKED=(imx7-m4-boot-script imx-rpmsg-rs-modules imx7-m4-firmware)
bb_unpack() {
    local mirror=$YDIR/build/crate-mirror n v f missing=0
    mkdir -p "$mirror"
    while read -r n v; do
        [ -f "$mirror/$n-$v.crate" ] && continue
        f=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$n-$v.crate" 2>/dev/null | head -n1 || true)
        if [ -z "$f" ] && [ "$missing" = 0 ]; then
            missing=1
            (cd "$TOP/firmware" && cargo fetch --locked --quiet) ||
                { echo "cargo fetch in firmware/ failed"; return 1; }
            f=$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$n-$v.crate" 2>/dev/null | head -n1 || true)
        fi
        [ -n "$f" ] || { echo "crate $n $v is not in cargo's cache"; return 1; }
        cp "$f" "$mirror/"
    done < <(python3 -c 'import sys, tomllib
for p in tomllib.load(open(sys.argv[1], "rb")).get("package", []):
    if "crates.io" in p.get("source", ""): print(p["name"], p["version"])' "$TOP/firmware/Cargo.lock")
    [ "$(id -u)" = 0 ] && chown -R "$BB_USER:" "$mirror"
    local out=$YDIR/env/unpack.log
    # A fresh unpack each time: clean, not -f (a forced task taints the stamps).
    if ! { bb -c clean "${UNPACKED[@]}" && bb -c unpack "${UNPACKED[@]}"; } >"$out" 2>&1; then
        grep -E '^ERROR' "$out" || tail -n 20 "$out"
        return 1
    fi
    in_ns "$PY" "$CHECKS" unpacked "$BB_ROOT/env" "$BB_TOP"
}

if [ -f "$YOCTO_LAYERS" ]; then
    # One bitbake at a time in this cache (parallel test runs share it).
    exec {BB_LOCK_FD}>"$CACHE/yocto.lock"
    flock "$BB_LOCK_FD"
    bitbake_stage
elif [ "${CI:-}" = true ]; then
    check "bitbake against the pinned upstream layers" sh -c "echo 'no $YOCTO_LAYERS: CI must run the bitbake checks'; exit 1"
else
    echo "test bitbake against the pinned upstream layers ... skipped"
    echo "    !!! SKIPPED: $YOCTO_LAYERS is not there (set YOCTO_LAYERS to the tarball of the"
    echo "    !!! five pinned layers, see Documentation/yocto.md); only the offline checks ran."
    SKIPPED=$((SKIPPED + 1))
fi

echo
[ "$SKIPPED" = 0 ] || echo "($SKIPPED skipped, reasons above)"
echo "yocto checks: $PASSED passed; $FAILED failed"
[ "$FAILED" = 0 ]
