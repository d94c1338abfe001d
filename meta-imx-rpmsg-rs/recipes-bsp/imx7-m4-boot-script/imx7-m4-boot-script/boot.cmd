# SPDX-License-Identifier: GPL-2.0
# imx-rpmsg-rs boot script for the WaRP7, compiled to boot.scr for the boot
# partition, where U-Boot's default boot command looks for it. It starts the
# Cortex-M4 from its tightly coupled memory first, then boots Linux with the
# RPMsg device tree. @NAME@ words are filled in by the recipe.

setenv m4_image @M4_IMAGE@
# TCML as the A7 sees it (the M4 sees it at 0x1fff8000): 32 KiB.
setenv m4_tcml @M4_TCML@
setenv m4_tcml_size @M4_TCML_SIZE@
setenv fdt_file @FDT_FILE@

if fatload mmc ${mmcdev}:${mmcpart} ${loadaddr} ${m4_image}; then
	# setexpr works in hex: the quotient is 0 only if the image fits.
	setexpr m4_limit ${m4_tcml_size} + 1
	setexpr m4_too_big ${filesize} / ${m4_limit}
	if test "${m4_too_big}" = "0"; then
		# The image starts with its vector table (stack pointer, reset
		# vector); bootaux reads both from the address it is given.
		cp.b ${loadaddr} ${m4_tcml} ${filesize}
		dcache flush
		echo "imx-rpmsg-rs: starting ${m4_image} on the Cortex-M4"
		bootaux ${m4_tcml}
	else
		echo "imx-rpmsg-rs: ${m4_image} (0x${filesize} bytes) does not fit the TCML; M4 not started"
	fi
else
	echo "imx-rpmsg-rs: no ${m4_image} on mmc ${mmcdev}:${mmcpart}; M4 not started"
fi

part uuid mmc ${mmcdev}:2 rootuuid
setenv bootargs console=${console},${baudrate} root=PARTUUID=${rootuuid} rootwait rw
fatload mmc ${mmcdev}:${mmcpart} ${loadaddr} ${image}
fatload mmc ${mmcdev}:${mmcpart} ${fdt_addr} ${fdt_file}
bootz ${loadaddr} - ${fdt_addr}
