#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The M4 firmware benchmark (`make bench-firmware`; not part of `make
# test`): boots the emulated board with our m4count TCG plugin counting
# the M4's instructions (and QEMU's own insn plugin, whose per-vCPU total
# at exit cross-checks it), runs echo round trips of 1, 16, 64, 256 and
# 496 bytes on both channels of rpmsg-echo, measures the idle M4 and
# profiles one workload; adds the code sizes (RPMsg core by its size
# probe, whole image) and prints everything next to the reference figures
# of issue 14. Results: $IMX_RPMSG_CACHE/logs/bench-firmware-*/results.json.
#   usage: scripts/bench-firmware.sh [COUNT [RUNS [IDLE_SECONDS]]]
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"

COUNT=${1:-2000}
RUNS=${2:-3}
IDLE=${3:-10}
LOGDIR=$CACHE/logs/bench-firmware-$(date +%Y%m%d-%H%M%S)
mkdir -p "$LOGDIR"
source "$TOP/scripts/artifacts.sh"
# Boot the ELF this checkout just built (artifacts.sh: a target directory
# of its own), copied into the log directory.
pin_rpmsg_firmware "$LOGDIR"
NM=/usr/lib/llvm-$LLVM_VERSION/bin/llvm-nm
SIZE=/usr/lib/llvm-$LLVM_VERSION/bin/llvm-size
[ -x "$NM" ] && [ -x "$SIZE" ] || die "llvm-nm/llvm-size $LLVM_VERSION not found; run 'make setup' first"

log "measuring the RPMsg core's code size (size probe)"
probe=$(CARGO_TARGET_DIR=$FIRMWARE_TARGET bash "$TOP/firmware/crates/rpmsg-remote/size-probe/measure.sh") ||
    die "the rpmsg-remote size probe failed"
core_whole=$(printf '%s\n' "$probe" | awk '/^rpmsg-remote .text, whole API:/ { print $(NF - 1) }')
core_echo=$(printf '%s\n' "$probe" | awk '/^rpmsg-remote .text, echo app subset:/ { print $(NF - 1) }')
image=$("$SIZE" -A "$RPMSG_FIRMWARE" | awk '$1 == ".text" { print $2 }')

# QEMU with both plugins: a wrapper the harness starts as its QEMU.
PLUGIN=$(bash "$TOP/scripts/qemu-plugin.sh")
INSN=$(dirname "$QEMU")/tests/tcg/plugins/libinsn.so
[ -f "$INSN" ] || die "QEMU's insn plugin $INSN is missing (scripts/qemu.sh builds it)"
WRAPPER=$LOGDIR/qemu-with-plugins
cat >"$WRAPPER" <<WRAP
#!/bin/sh
exec "$QEMU" -plugin "$PLUGIN,vcpu=$M4_CPU,out=$LOGDIR/m4" -plugin "$INSN,inline=on" \
    -d plugin -D "$LOGDIR/insn-plugin.log" "\$@"
WRAP
chmod +x "$WRAPPER"

stamp="$(date -u +%Y-%m-%d), commit $(git -C "$TOP" rev-parse --short HEAD)$(git -C "$TOP" diff --quiet HEAD -- firmware || echo ' + local changes')"
echo "$firmware_line" | tee "$LOGDIR/results.txt"
log "booting the board with the M4 counter ($COUNT round trips x $RUNS runs per figure; logs in $LOGDIR)"
(cd "$TOP/tests" && CARGO_TARGET_DIR=$HOST_TARGET/tests cargo run --locked --quiet --release \
    -p boot-harness --bin bench-firmware -- \
    "${BOARD_ARGS[@]}" --qemu "$WRAPPER" --log-dir "$LOGDIR" \
    --counter "$LOGDIR/m4" --nm "$NM" --count "$COUNT" --runs "$RUNS" --idle-seconds "$IDLE" \
    --core-text-whole "$core_whole" --core-text-echo "$core_echo" --image-text "$image" \
    --stamp "$stamp" --json "$LOGDIR/results.json") | tee -a "$LOGDIR/results.txt"
# QEMU's insn plugin prints each vCPU's total at exit; ours must agree.
insn=$(awk -v c="$M4_CPU" '$1 == "cpu" && $2 == c { print $NF }' "$LOGDIR/insn-plugin.log" 2>/dev/null || true)
ours=$(cat "$LOGDIR/m4.count" 2>/dev/null || true)
echo "cross-check at exit: m4count ${ours:-?} M4 instructions, QEMU insn plugin ${insn:-?}" |
    tee -a "$LOGDIR/results.txt"
