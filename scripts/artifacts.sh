# SPDX-License-Identifier: GPL-2.0
# Build (or take from the cache) everything the board needs and set
# KBUILD, DTBS, QEMU, FIRMWARE, RPMSG_FIRMWARE, HOSTILE_FIRMWARE, LITE_FIRMWARE, BUSYBOX, MODULES, GUEST_TOOLS, M4_CPU and BOARD_ARGS (the harness's
# options). Sourced by test.sh and demo.sh after lib.sh; a failure stops.
# With STOCK_KERNEL=1 (test.sh) also the kernel without our kernel patches
# and our modules for it (KBUILD_STOCK, MODULES_STOCK, in BOARD_ARGS).

bash "$TOP/scripts/setup-host.sh"
source "$TOP/scripts/env.sh"
KBUILD=$(bash "$TOP/scripts/kernel.sh")
DTBS=$(bash "$TOP/scripts/dtbs.sh" "$KBUILD")
QEMU=$(bash "$TOP/scripts/qemu.sh")
FIRMWARE=$(bash "$TOP/scripts/firmware.sh" mu-echo)
RPMSG_FIRMWARE=$(bash "$TOP/scripts/firmware.sh" rpmsg-echo)
HOSTILE_FIRMWARE=$(bash "$TOP/scripts/firmware.sh" rpmsg-hostile)
LITE_FIRMWARE=$(bash "$TOP/scripts/firmware.sh" rpmsg-lite-like)
BUSYBOX=$(bash "$TOP/scripts/busybox.sh")
MODULES=$(bash "$TOP/scripts/modules.sh" "$KBUILD")
GUEST_TOOLS=$(bash "$TOP/scripts/guest-tools.sh")
# QEMU CPU index of the Cortex-M4 on the patched mcimx7d-sabre
# (Documentation/emulator.md): the loader's cpu-num.
M4_CPU=${M4_CPU:-1}
# Cargo output for host programs and tests, outside the clone.
HOST_TARGET=$CACHE/target/host
BOARD_ARGS=(
    --qemu "$QEMU" --kernel "$KBUILD/arch/arm/boot/zImage"
    --dtb "$DTBS/imx7s-warp-qemu.dtb" --busybox "$BUSYBOX"
    --modules "$KBUILD/modules-install" --firmware "$FIRMWARE" --rpmsg-firmware "$RPMSG_FIRMWARE" --hostile-firmware "$HOSTILE_FIRMWARE" --lite-firmware "$LITE_FIRMWARE" --guest-tools "$GUEST_TOOLS" --m4-cpu "$M4_CPU"
    --rust-modules "$MODULES" --scripts "$TOP/tests/guest"
)
if [ "${STOCK_KERNEL:-0}" = 1 ]; then
    KBUILD_STOCK=$(bash "$TOP/scripts/kernel.sh" --stock)
    MODULES_STOCK=$(bash "$TOP/scripts/modules.sh" "$KBUILD_STOCK")
    BOARD_ARGS+=(
        --stock-kernel "$KBUILD_STOCK/arch/arm/boot/zImage"
        --stock-modules "$KBUILD_STOCK/modules-install" --stock-rust-modules "$MODULES_STOCK"
    )
fi

# pin_rpmsg_firmware DIR: the benchmarks boot a copy of rpmsg-echo taken
# right after its build, in their log directory, and name it by hash and
# commit (firmware_line), so that a run's figures belong to one known ELF.
pin_rpmsg_firmware() {
    local i
    cp "$RPMSG_FIRMWARE" "$1/rpmsg-echo.elf"
    RPMSG_FIRMWARE=$1/rpmsg-echo.elf
    for i in "${!BOARD_ARGS[@]}"; do
        [ "${BOARD_ARGS[$i]}" = --rpmsg-firmware ] && BOARD_ARGS[i + 1]=$RPMSG_FIRMWARE
    done
    firmware_line="firmware: $RPMSG_FIRMWARE, sha256 $(sha256sum "$RPMSG_FIRMWARE" | cut -c1-16), built from commit $(git -C "$TOP" rev-parse --short HEAD)$(git -C "$TOP" diff --quiet HEAD -- firmware || echo ' + local changes in firmware/')"
}
