#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR Apache-2.0
# Code size of the rpmsg-remote core on thumbv7em (opt-level "s", LTO):
# links the probe with and without the stack and prints the difference in
# .text, not counting compiler-builtins (memcpy/memset), for the whole API
# and for what an echo app uses. Needs the thumbv7em-none-eabihf target and
# llvm-nm (Debian's llvm package, or `rustup component add llvm-tools`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin="$(rustc --print sysroot)/lib/rustlib/$(rustc -vV | sed -n 's/^host: //p')/bin"
nm=$(command -v llvm-nm || ls "$bin/llvm-nm" /usr/lib/llvm-*/bin/llvm-nm 2>/dev/null | head -n1 || true)
[ -x "${nm:-}" ] || { echo "measure.sh: llvm-nm not found" >&2; exit 1; }
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

full=$(text "$(build "")")
base=$(text "$(build baseline)")
echo_app=$(text "$(build echo)")
echo_base=$(text "$(build baseline,echo)")
echo "rpmsg-remote .text, whole API:       $((full - base)) bytes"
echo "rpmsg-remote .text, echo app subset: $((echo_app - echo_base)) bytes"
