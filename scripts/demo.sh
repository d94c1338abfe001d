#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The main job (`make demo`): build everything (or take it from the cache),
# boot the emulated i.MX7 with the M4 firmware and show Linux and the M4
# talking. Console logs are kept in the cache's logs directory.
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"
LOGDIR=${DEMO_LOG_DIR:-$CACHE/logs/demo-$(date +%Y%m%d-%H%M%S)}
source "$TOP/scripts/artifacts.sh"
cd "$TOP/tests"
CARGO_TARGET_DIR=$HOST_TARGET/tests cargo run --locked --quiet --release -p boot-harness --bin demo -- \
    "${BOARD_ARGS[@]}" --log-dir "$LOGDIR"
