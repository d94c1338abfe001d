#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The RPMsg benchmark (`make bench`; not part of `make test`): our Rust
# drivers against the kernel's C drivers on the emulated board. Boots it
# with instruction counting - our m4count TCG plugin on the M4 and a
# second copy of it on vCPU 0 (the A7) for running counts, QEMU's own insn
# plugin for the totals at exit that cross-check them - and runs every
# combination of MU driver (imx_mu_rs, imx-mailbox) and path
# (rpmsg_tty_rs, rpmsg_tty, rpmsg_char) with the guest tool rpmsg-bench,
# then the MU drivers per word with the mailbox test client.
# Results: $IMX_RPMSG_CACHE/logs/bench-*/ (results.txt, results.json,
# a7-round-trip.svg, m4-round-trip.svg).
#   usage: scripts/bench.sh [COUNT [RUNS [POOL [TCG]]]]
#   COUNT round trips per run (default 2000), RUNS runs per figure
#   (default 3, the median is shown), POOL=1 boots the reserved-memory
#   pool tree instead of the default one (buffers from DMA memory),
#   TCG=single runs both cores in one host thread, taking turns, instead
#   of one thread each: slower, but how the A7 and the M4 interleave no
#   longer depends on how the host schedules two threads (other load on
#   the host), which is what moves the stream figures.
source "$(dirname "$0")/lib.sh"
source "$TOP/scripts/versions.sh"

COUNT=${1:-2000}
RUNS=${2:-3}
POOL=${3:-0}
TCG=${4:-multi}
case "$TCG" in multi | single) ;; *) die "TCG is multi or single, not '$TCG'" ;; esac
LOGDIR=$CACHE/logs/bench-$(date +%Y%m%d-%H%M%S)
mkdir -p "$LOGDIR"
source "$TOP/scripts/artifacts.sh"
pin_rpmsg_firmware "$LOGDIR"
CXXFILT=/usr/lib/llvm-$LLVM_VERSION/bin/llvm-cxxfilt
[ -x "$CXXFILT" ] || die "llvm-cxxfilt $LLVM_VERSION not found; run 'make setup' first"

# QEMU with the plugins: a wrapper the harness starts as its QEMU. A
# plugin loaded twice from one file shares its state, so the A7's counter
# is a copy of the M4's under another name.
PLUGIN=$(bash "$TOP/scripts/qemu-plugin.sh")
cp "$PLUGIN" "$LOGDIR/a7count.so"
INSN=$(dirname "$QEMU")/tests/tcg/plugins/libinsn.so
[ -f "$INSN" ] || die "QEMU's insn plugin $INSN is missing (scripts/qemu.sh builds it)"
WRAPPER=$LOGDIR/qemu-with-plugins
cat >"$WRAPPER" <<WRAP
#!/bin/sh
# Each boot starts its counts from zero; the insn plugin's totals of the
# last boot stay in insn-plugin.log next to a7.count and m4.count.
# TCG threads: $TCG.
for a in "\$@"; do
    shift
    [ "$TCG" = single ] && [ "\$a" = tcg,thread=multi ] && a=tcg,thread=single
    set -- "\$@" "\$a"
done
exec "$QEMU" -plugin "$PLUGIN,vcpu=$M4_CPU,out=$LOGDIR/m4" \
    -plugin "$LOGDIR/a7count.so,vcpu=0,lo=0,hi=0x100000000,out=$LOGDIR/a7" \
    -plugin "$INSN,inline=on" -d plugin -D "$LOGDIR/insn-plugin.log" "\$@"
WRAP
chmod +x "$WRAPPER"

pool=no
[ "$POOL" = 1 ] && pool=yes
tcg=
[ "$TCG" = single ] && tcg=', TCG single-threaded'
stamp="$(date -u +%Y-%m-%d)$tcg, commit $(git -C "$TOP" rev-parse --short HEAD)$(git -C "$TOP" diff --quiet HEAD -- drivers rust firmware tests || echo ' + local changes')"
echo "$firmware_line" | tee "$LOGDIR/results.txt"
log "benchmarking ($COUNT round trips per run, $RUNS run(s) per figure, pool tree: $pool, TCG threads: $TCG; logs in $LOGDIR)"
(cd "$TOP/tests" && CARGO_TARGET_DIR=$HOST_TARGET/tests cargo run --locked --quiet --release \
    -p boot-harness --bin bench -- \
    "${BOARD_ARGS[@]}" --qemu "$WRAPPER" --log-dir "$LOGDIR" \
    --a7-counter "$LOGDIR/a7" --m4-counter "$LOGDIR/m4" --count "$COUNT" --runs "$RUNS" \
    --pool "$pool" --system-map "$KBUILD/System.map" --demangler "$CXXFILT" --stamp "$stamp" --out "$LOGDIR") |
    tee -a "$LOGDIR/results.txt"
# QEMU's insn plugin prints each vCPU's total at exit (of the last boot);
# our counters must agree.
for c in a7:0 m4:$M4_CPU; do
    insn=$(awk -v c="${c#*:}" '$1 == "cpu" && $2 == c { print $NF }' "$LOGDIR/insn-plugin.log" 2>/dev/null || true)
    echo "cross-check at exit of the last boot: ${c%%:*} counter $(cat "$LOGDIR/${c%%:*}.count" 2>/dev/null || echo '?'), QEMU insn plugin ${insn:-?}"
done | tee -a "$LOGDIR/results.txt"
