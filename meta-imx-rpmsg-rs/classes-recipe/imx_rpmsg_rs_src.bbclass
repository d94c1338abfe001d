# SPDX-License-Identifier: GPL-2.0
# For recipes that build from the imx-rpmsg-rs checkout this layer lives in
# (the layer is its meta-imx-rpmsg-rs/ sub-directory): puts the top of the
# checkout, or the sub-directory IMX_RPMSG_RS_SRCDIR of it, on the search path
# of file:// URIs, so "file://firmware/apps" or "file://imx7s-warp-rpmsg.dts"
# fetch the project's own sources and an image always matches the checkout
# next to it. Set IMX_RPMSG_RS_TOPDIR in the configuration to build from
# another copy of the project.

# Recipes sit at <checkout>/meta-imx-rpmsg-rs/recipes-<area>/<name>/.
IMX_RPMSG_RS_TOPDIR ??= "${@os.path.abspath(os.path.join(os.path.dirname(d.getVar('FILE')), '..', '..', '..'))}"
# A recipe that needs only one directory of the checkout names it here
# before inheriting: kernel-yocto checksums every directory on the search
# path as a whole, build output included.
IMX_RPMSG_RS_SRCDIR ??= ""

# The project sources are not part of this layer's recipe directories.
# nooelint: oelint.vars.fileextrapaths, oelint.vars.outofcontext
FILESEXTRAPATHS:prepend := "${@os.path.join(d.getVar('IMX_RPMSG_RS_TOPDIR'), d.getVar('IMX_RPMSG_RS_SRCDIR')).rstrip('/')}:"
