#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Run every test of the project (the README's test command, `make test`):
# set up the host, build (or reuse from the cache) the kernel, device trees,
# QEMU, firmware and busybox, then run the host tests, the MU qtests and the
# system tests on the emulated board (boot, MU loopback, our Rust MU
# mailbox driver), the Yocto checks and style. Ends with one summary line per stage.
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"

LOGDIR=${TEST_LOG_DIR:-$CACHE/logs/test-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$LOGDIR"
T0=$SECONDS

# --- builds: a failure here stops everything after it ---------------------
STOCK_KERNEL=1
source "$TOP/scripts/artifacts.sh"
log "builds ready after $((SECONDS - T0)) s"

# --- tests: every stage runs, failures are collected ----------------------
SUMMARY=()
FAILED=0
stage() {
    local name=$1 t=$SECONDS
    shift
    log "stage: $name"
    if "$@"; then
        SUMMARY+=("PASS  $name ($((SECONDS - t)) s)")
    else
        SUMMARY+=("FAIL  $name ($((SECONDS - t)) s)")
        FAILED=$((FAILED + 1))
    fi
}

firmware_host_tests() {
    (cd "$TOP/firmware" && CARGO_TARGET_DIR=$HOST_TARGET/firmware cargo test --locked)
}
harness_unit_tests() {
    (cd "$TOP/tests" && CARGO_TARGET_DIR=$HOST_TARGET/tests cargo test --locked -p boot-harness)
}
# The guest tools' own tests and lints, built for this host (their
# .cargo/config.toml targets the guest).
guest_tools_host_tests() {
    local ws host
    host=$(rustc -vV | awk '$1 == "host:" { print $2 }')
    for ws in "$TOP"/tests/guest-tools/*/; do
        (cd "$ws" && CARGO_TARGET_DIR=$HOST_TARGET/guest-tools cargo test --locked --target "$host") || return 1
        (cd "$ws" && CARGO_TARGET_DIR=$HOST_TARGET/guest-tools \
            cargo clippy --locked --target "$host" --all-targets -- -D warnings) || return 1
    done
}
mu_qtests() {
    (cd "$TOP/tests" && QEMU_SYSTEM_ARM=$QEMU CARGO_TARGET_DIR=$HOST_TARGET/tests \
        cargo test --locked -p mu-qtest)
}
board_system_tests() {
    (cd "$TOP/tests" && CARGO_TARGET_DIR=$HOST_TARGET/tests cargo run --locked --quiet --release \
        -p boot-harness --bin boot-test -- \
        "${BOARD_ARGS[@]}" --log-dir "$LOGDIR/board")
}
style() {
    local ws ok=0
    for ws in firmware tests; do
        (cd "$TOP/$ws" && cargo fmt --check) || ok=1
        (cd "$TOP/$ws" && CARGO_TARGET_DIR=$HOST_TARGET/$ws cargo clippy --locked --all-targets -- -D warnings) || ok=1
    done
    for ws in "$TOP"/tests/guest-tools/*/; do
        (cd "$ws" && cargo fmt --check) || ok=1
    done
    bash "$TOP/scripts/modules.sh" "$KBUILD" --check || ok=1
    (cd "$TOP/firmware" && CARGO_TARGET_DIR=$FIRMWARE_TARGET \
        cargo clippy --locked --release --target thumbv7em-none-eabihf --workspace -- -D warnings) || ok=1
    return $ok
}

stage "firmware host tests (cargo test in firmware/)" firmware_host_tests
stage "harness unit tests" harness_unit_tests
stage "guest tools host tests and clippy (tests/guest-tools)" guest_tools_host_tests
stage "MU qtests (emulated Messaging Unit, both sides)" mu_qtests
stage "system tests on the emulated i.MX7 board" board_system_tests
stage "device-tree binding and trees (dt-schema)" bash "$TOP/scripts/dt-check.sh" "$KBUILD"
stage "Yocto layer, kas and bitbake checks (bitbake -p, -g, -n, -e, unpack)" bash "$TOP/scripts/yocto-check.sh"
stage "style (rustfmt, clippy)" style

echo
echo "=== imx-rpmsg-rs test summary ($((SECONDS - T0)) s, logs in $LOGDIR) ==="
printf '%s\n' "${SUMMARY[@]}"
echo "stages: $((${#SUMMARY[@]} - FAILED)) passed, $FAILED failed"
[ "$FAILED" = 0 ]
