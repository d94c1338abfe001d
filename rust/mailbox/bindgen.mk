# SPDX-License-Identifier: GPL-2.0
# The mailbox bindings every module compiling rust/mailbox/ needs: only the
# items the glue uses (every other type comes from the kernel crate).
# Included by a module's Kbuild after rust/bindgen.mk; the module then
# depends on $(obj)/mailbox_generated.rs and exports its path as
# IMX_RPMSG_MBOX_BINDINGS.

$(obj)/mailbox_generated.rs: private mod_bindgen_items := \
	--allowlist-type 'mbox_(controller|chan|chan_ops|client)' \
	--allowlist-function 'mbox_(controller_register|controller_unregister)' \
	--allowlist-function 'mbox_(chan_received_data|chan_txdone)' \
	--allowlist-function 'mbox_(request_channel_byname|free_channel|send_message)' \
	--allowlist-var 'MBOX_TX_QUEUE_LEN'
$(obj)/mailbox_generated.rs: $(src)/../../rust/mailbox/bindings.h FORCE
	$(call if_changed_dep,mod_bindgen)
targets += mailbox_generated.rs
