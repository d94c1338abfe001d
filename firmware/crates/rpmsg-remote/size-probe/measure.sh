#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Code size of the rpmsg-remote core on thumbv7em (opt-level "z" as the firmware, LTO):
# links the probe with and without the stack and prints the difference in
# .text, not counting compiler-builtins (memcpy/memset), for the whole API
# and for what an echo app uses, then the same differences of .rodata and
# of .data + .bss. Needs the thumbv7em-none-eabihf target, llvm-nm and
# llvm-size (Debian's llvm package, or `rustup component add llvm-tools`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
nm=$(command -v llvm-nm || ls "$bin/llvm-nm" /usr/lib/llvm-*/bin/llvm-nm 2>/dev/null | head -n1 || true)
[ -x "${nm:-}" ] || { echo "measure.sh: llvm-nm not found" >&2; exit 1; }
size=$(command -v llvm-size || ls "$bin/llvm-size" /usr/lib/llvm-*/bin/llvm-size 2>/dev/null | head -n1 || true)
[ -x "${size:-}" ] || { echo "measure.sh: llvm-size not found" >&2; exit 1; }
target_dir=${CARGO_TARGET_DIR:-$here/../../../target}/size-probe

text() { # elf -> bytes of code outside compiler-builtins
    local total=0 size type name
    while read -r _ size type name; do
        case "$type:$name" in
        [tT]:*compiler_builtins* | [tT]:*__aeabi* | [tT]:*Thunk*) ;;
        [tT]:*) total=$((total + 16#$size)) ;;
        esac
    done < <("$nm" --size-sort -S "$1")
    echo "$total"
}

build() { # features -> path of the linked probe
    local dir="$target_dir/${1:-full}"
    (cd "$here" && cargo build -q --release --target thumbv7em-none-eabihf \
        ${1:+--features "$1"} --target-dir "$dir")
    "$bin/rust-lld" -flavor gnu --gc-sections -T "$here/link.ld" -o "$dir/probe.elf" \
        "$dir/thumbv7em-none-eabihf/release/librpmsg_remote_size_probe.a"
    echo "$dir/probe.elf"
}

section() { # elf section -> its size in bytes (0 if absent)
    "$size" -A "$1" | awk -v s="$2" '$1 == s { n = $2 } END { print n + 0 }'
}

sizes() { # features -> ".text .rodata .data+.bss" of the linked probe
    local elf
    elf=$(build "$1")
    echo "$(text "$elf") $(section "$elf" .rodata) $(($(section "$elf" .data) + $(section "$elf" .bss)))"
}

read -r full full_ro full_rw < <(sizes "")
read -r base base_ro base_rw < <(sizes baseline)
read -r echo_app echo_ro echo_rw < <(sizes echo)
read -r echo_base echo_base_ro echo_base_rw < <(sizes baseline,echo)
echo "rpmsg-remote .text, whole API:       $((full - base)) bytes"
echo "rpmsg-remote .text, echo app subset: $((echo_app - echo_base)) bytes"
echo "rpmsg-remote .rodata, whole API:       $((full_ro - base_ro)) bytes"
echo "rpmsg-remote .rodata, echo app subset: $((echo_ro - echo_base_ro)) bytes"
echo "rpmsg-remote .data + .bss, whole API:       $((full_rw - base_rw)) bytes"
echo "rpmsg-remote .data + .bss, echo app subset: $((echo_rw - echo_base_rw)) bytes"
