# SPDX-License-Identifier: GPL-2.0
#
# Module-local bindgen for kernel APIs the `kernel` crate does not wrap yet
# (mailbox today; rpmsg, virtio and tty later). Included by the Kbuild file
# of every module that compiles glue from rust/ into itself.
#
# The flags are the kernel's own `cmd_bindgen` flags (rust/Makefile of the
# kernel we build against), read from that Makefile at build time so they
# follow the kernel version: the C flags of the object minus
# `bindgen_skip_c_flags`, `--target` for the architecture, the options of
# rust/bindgen_parameters, `--use-core --ctypes-prefix ffi` and so on. On
# top of them each user passes an allowlist, and we keep bindgen's layout
# tests (compile-time size/offset asserts) because our structs embed types
# that come from the kernel crate's separate bindgen run.
#
# Usage in a module's Kbuild:
#   include $(src)/<path to>/rust/bindgen.mk
#   $(obj)/foo_generated.rs: private mod_bindgen_items := --allowlist-type bar ...
#   $(obj)/foo_generated.rs: $(src)/<path>/header.h FORCE
#   	$(call if_changed_dep,mod_bindgen)
#   targets += foo_generated.rs
#   $(obj)/mymodule.o: $(obj)/foo_generated.rs
#   $(obj)/mymodule.o: export SOME_ENV := $(abspath $(obj)/foo_generated.rs)
# The Rust side then does `include!(env!("SOME_ENV"))`.

kernel_rust_makefile := $(srctree)/rust/Makefile

# `bindgen_skip_c_flags := a b \ ... \ z` in the kernel's rust/Makefile.
mod_bindgen_skip_c_flags := $(subst \,,$(shell sed -n \
	'/^bindgen_skip_c_flags[[:space:]]*:=/,/[^\\]$$/{s/^bindgen_skip_c_flags[[:space:]]*:=//;p}' \
	$(kernel_rust_makefile)))
# `BINDGEN_TARGET_<arch> := <triple>`.
mod_bindgen_target := $(shell sed -n \
	's/^BINDGEN_TARGET_$(SRCARCH)[[:space:]]*:=[[:space:]]*//p' $(kernel_rust_makefile))
mod_bindgen_params := $(shell grep -Ev '^\#|^$$' $(srctree)/rust/bindgen_parameters)

ifeq ($(mod_bindgen_skip_c_flags),)
$(error cannot read bindgen_skip_c_flags from $(kernel_rust_makefile))
endif
ifeq ($(mod_bindgen_target),)
$(error no BINDGEN_TARGET_$(SRCARCH) in $(kernel_rust_makefile))
endif

mod_bindgen_c_flags = $(filter-out $(mod_bindgen_skip_c_flags), $(c_flags)) \
	-w --target=$(mod_bindgen_target)
ifdef CONFIG_LTO
mod_bindgen_c_flags_final = $(filter-out $(CC_FLAGS_LTO), $(mod_bindgen_c_flags)) \
	-fno-builtin -D__BINDGEN__
else
mod_bindgen_c_flags_final = $(mod_bindgen_c_flags) -fno-builtin -D__BINDGEN__
endif

# Items come from `mod_bindgen_items`; every type they use but do not list
# is taken from the kernel crate (`use kernel::bindings::*`), so both sides
# share one definition of `struct device`, `spinlock_t` and the like.
quiet_cmd_mod_bindgen = BINDGEN $@
      cmd_mod_bindgen = \
	$(BINDGEN) $< $(mod_bindgen_params) --rust-target 1.85 \
		--use-core --with-derive-default --ctypes-prefix ffi \
		--no-debug '.*' --enable-function-attribute-detection \
		--no-recursive-allowlist $(mod_bindgen_items) \
		--raw-line 'use kernel::bindings::*;' \
		--raw-line 'use kernel::ffi;' \
		--raw-line 'use pin_init::MaybeZeroable;' \
		-o $@ -- $(mod_bindgen_c_flags_final) -DMODULE
