# SPDX-License-Identifier: GPL-2.0
# Tool paths for kernel and module builds: LLVM $LLVM_VERSION and the pinned
# bindgen from the cache. Sourced after lib.sh and versions.sh.
export PATH="$CACHE/tools/bin:/usr/lib/llvm-$LLVM_VERSION/bin:$HOME/.cargo/bin:$PATH"
# Make arguments shared by the kernel and out-of-tree module builds.
KMAKE=(make ARCH=arm LLVM=1 "-j${JOBS:-$(nproc)}")
