# SPDX-License-Identifier: GPL-2.0
# make-mod-scripts prepares the kernel tree our Rust modules build against
# and reads "rust" in KERNEL_FEATURES like module-rust does; see
# imx-rpmsg-rs-modules for why it is said per recipe.
KERNEL_FEATURES:append:imx7s-warp = " ${@'rust' if d.getVar('PREFERRED_PROVIDER_virtual/kernel') == 'linux-imx-rpmsg-rs' else ''}"
