#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Footprint of the M4 RPMsg firmware, size-optimised (the release profile
# of firmware/Cargo.toml, thumbv7em-none-eabihf): .text, .rodata, .data
# and .bss of the RPMsg core (rpmsg-remote, measured by its size probe
# as the difference between a probe linked with and without the stack) and
# of the whole rpmsg-echo image, plus the image's code by crate and the
# stack frame of main. A benchmark, not a test: it prints, it does not judge.
#   usage: scripts/footprint.sh [APP]     (APP defaults to rpmsg-echo)
source "$(dirname "$0")/lib.sh"

APP=${1:-rpmsg-echo}
LLVM_BIN=/usr/lib/llvm-19/bin
for t in llvm-size llvm-nm llvm-objdump; do
    [ -x "$LLVM_BIN/$t" ] ||
        die "required tool '$LLVM_BIN/$t' not found (Debian package llvm-19); run 'make setup' first"
done
export PATH=$LLVM_BIN:$PATH
export CARGO_TARGET_DIR=$FIRMWARE_TARGET

elf=$("$TOP/scripts/firmware.sh" "$APP")
log "measuring the RPMsg core with its size probe"
probe=$(bash "$TOP/firmware/crates/rpmsg-remote/size-probe/measure.sh") ||
    die "the rpmsg-remote size probe failed"

# probe_value WHAT SUBSET: a number from measure.sh's output.
probe_value() {
    printf '%s\n' "$probe" | awk -v w="$1" -v s="$2" \
        'index($0, "rpmsg-remote " w ",") == 1 && index($0, s) { print $(NF - 1) }'
}

# section NAME: size of an output section of the image (0 if absent).
section() {
    llvm-size -A "$elf" | awk -v s="$1" '$1 == s { n = $2 } END { print n + 0 }'
}

row() { printf '%-42s %7s %8s %6s %6s\n' "$@"; }

echo
echo "$APP footprint in bytes (thumbv7em-none-eabihf, release profile of firmware/Cargo.toml)"
echo
row "" .text .rodata .data .bss
for subset in "whole API" "echo app subset"; do
    rw=$(probe_value ".data + .bss" "$subset")
    row "RPMsg core (rpmsg-remote), $subset" \
        "$(probe_value .text "$subset")" "$(probe_value .rodata "$subset")" "$rw" 0
done
row "$APP image (+ .vector_table $(section .vector_table))" \
    "$(section .text)" "$(section .rodata)" "$(section .data)" "$(section .bss)"
echo
echo "  The core's .data + .bss column counts both (it has no statics); its"
echo "  .rodata includes the endpoint names the probe passes (26 and 35 bytes)."
echo

echo "Code of the image by crate (symbol sizes; LTO inlines across crates, so"
echo "a caller's crate gets the code it inlined):"
# Hex to decimal in awk (Debian's default awk, mawk, has no strtonum).
HEX='function hex(s,  i, v) { v = 0; s = tolower(s); sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return v }'
llvm-nm -S -C "$elf" | awk "$HEX"'
    $3 ~ /^[tT]$/ {
        name = $0
        sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", name)
        best = "start-up, handlers, builtins"
        pos = length(name) + 1
        n = split("rpmsg_echo imx7_rpmsg imx7_m4 rpmsg_remote cortex_m_rt cortex_m critical_section core compiler_builtins", crates, " ")
        for (i = 1; i <= n; i++) {
            # Demangled paths use "::", LLVM-local legacy names "..".
            p = index(name, crates[i] "::")
            q = index(name, crates[i] "..")
            if (q > 0 && (p == 0 || q < p)) p = q
            if (p > 0 && p < pos) { pos = p; best = crates[i] }
        }
        if (best == "core" || best == "compiler_builtins" || best ~ /^cortex_m/ || best == "critical_section")
            best = "core, cortex-m, builtins"
        size[best] += hex($2)
    }
    END { for (c in size) printf "%6d  %s\n", size[c], c }' | sort -n -r | sed 's/^/  /'

# (No early "exit" in these awks: with pipefail the writer's SIGPIPE would
# stop the script.)
main=$(llvm-nm "$elf" | awk '$2 ~ /^[tT]$/ && /__cortex_m_rt_main/ && !m { m = $3 } END { print m }')
frame=$(llvm-objdump -d --no-show-raw-insn --disassemble-symbols="$main" "$elf" 2>/dev/null |
    awk "$HEX"'/sub(\.w)?[ \t]+sp, (sp, )?#/ && f == "" { v = $NF; sub(/^#/, "", v); f = (v ~ /^0x/ ? hex(v) : v) }
        END { print f }')
echo
echo "Stack frame of main (the Device, the platform and the endpoints live there): ${frame:-?} bytes"
echo
echo "Reference: rpmsg-lite's README gives 2926 bytes of flash for"
echo "\"RPMsg-Lite / Static API (no malloc), Release\" (toolchain and core not stated)."
