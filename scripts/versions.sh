# SPDX-License-Identifier: GPL-2.0
# Pinned external inputs. Debian moves versions: when one vanishes the fetch
# stops with a message naming it; update the version and its checksum here.

# Linux kernel source (Debian trixie-backports), tarball inside the .deb.
LINUX_SOURCE_PKG=linux-source-7.3
LINUX_SOURCE_VERSION=7.3.4-1~bpo13+1
LINUX_SOURCE_SHA256=703e369ddd4cce971452f5a593ee55df3a5c10c83caf0fa0df039633ed181ee3

# QEMU source (Debian sid), .dsc checksum; dpkg-source verifies the rest.
QEMU_VERSION=1:10.2.2+ds-1
QEMU_DSC_SHA256=f1684b3aa5ec500c3389d346c6501dee45041ea91656c6556d4da9023b7987dd
# The +ds tarball lacks meson's bundled wheel; this one comes from PyPI.
MESON_VERSION=1.9.0

# Static armhf busybox for the test initramfs (Debian bookworm).
BUSYBOX_PKG=busybox-static:armhf

# Host tools.
LLVM_VERSION=19
BINDGEN_VERSION=0.73.2
BUSYBOX_VERSION=1:1.35.0-4+deb12u1+b1
BUSYBOX_SHA256=2f68dbeaebeda49f3cde34ac421d5add85fb1c837ff7c4a4971945340d9d66ff
