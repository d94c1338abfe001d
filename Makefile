# SPDX-License-Identifier: GPL-2.0
# imx-rpmsg-rs top-level Makefile. Every target is a thin wrapper around a
# script in scripts/; downloads and builds go to a cache outside the clone
# ($(IMX_RPMSG_CACHE), default ~/.cache/imx-rpmsg-rs), keyed by their inputs.

SCRIPTS := $(CURDIR)/scripts

.PHONY: help setup kernel modules qemu firmware busybox test demo bench-firmware bench

help:
	@echo "imx-rpmsg-rs: Rust RPMsg stack for i.MX7 (Linux on the A7, firmware on the M4)"
	@echo "  make demo      build everything and run the demo on the emulated board"
	@echo "  make test      build everything and run every test (what CI runs)"
	@echo "  make setup     install host packages, rustup components and bindgen"
	@echo "  make kernel    build the Rust-enabled i.MX7 kernel and DTBs"
	@echo "  make modules   build our Rust kernel modules (KDIR=<kernel build> to choose the kernel)"
	@echo "  make qemu      build QEMU with the i.MX7 MU and Cortex-M4 patches"
	@echo "  make firmware  build the M4 firmware (thumbv7em-none-eabihf)"
	@echo "  make bench-firmware  M4 instructions per message, idle cost, code size (not a test)"
	@echo "  make bench     our drivers against the kernel's C drivers: instructions, latency (not a test)"

setup:
	bash $(SCRIPTS)/setup-host.sh

kernel: setup
	@kbuild=$$(bash $(SCRIPTS)/kernel.sh) && bash $(SCRIPTS)/dtbs.sh "$$kbuild"

# Our out-of-tree Rust modules, against KDIR (default: the kernel built here).
modules: setup
	@bash $(SCRIPTS)/modules.sh "$${KDIR:-$$(bash $(SCRIPTS)/kernel.sh)}"

qemu: setup
	bash $(SCRIPTS)/qemu.sh

firmware: setup
	bash $(SCRIPTS)/firmware.sh

busybox:
	bash $(SCRIPTS)/busybox.sh

test:
	bash $(SCRIPTS)/test.sh

demo:
	bash $(SCRIPTS)/demo.sh

# Benchmark, not a test: prints figures, asserts nothing (COUNT, RUNS, IDLE).
bench-firmware:
	bash $(SCRIPTS)/bench-firmware.sh $(COUNT) $(RUNS) $(IDLE)

# Benchmark, not a test: our drivers against the C ones (COUNT, RUNS, POOL=1, TCG=single).
bench:
	bash $(SCRIPTS)/bench.sh $(COUNT) $(RUNS) $(POOL) $(TCG)
