# vmm: a minimal VMM for arm64 KVM. `make help` lists the targets.

VMM_CACHE ?= $(HOME)/.cache/vmm
export VMM_CACHE
HOST_ARCH := $(shell uname -m)
# V=1 shows the compiler command lines.
Q := $(if $(V),,@)

# vmm itself is an aarch64 binary: cross-compiled here, native on an arm64 host.
ifeq ($(HOST_ARCH),aarch64)
CROSS_COMPILE ?=
ARM_SYSROOT_FLAGS :=
else
CROSS_COMPILE ?= aarch64-linux-gnu-
VMM_SYSROOT ?= $(VMM_CACHE)/sysroot-arm64
ARM_SYSROOT_FLAGS := -isystem $(VMM_SYSROOT)/usr/include -L$(VMM_SYSROOT)/usr/lib/aarch64-linux-gnu
endif

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
COMMON_CFLAGS := -std=gnu11 -g -D_GNU_SOURCE $(WARN) -MMD -MP
ARM_CFLAGS := $(COMMON_CFLAGS) -O2 $(ARM_SYSROOT_FLAGS)
ARM_LDLIBS := -lfdt -lcap-ng -linih -lpthread -lz

# Everything that does not call an ioctl: built natively too, for unit tests under sanitizers.
PURE_SRCS := vmm/util.c vmm/image.c vmm/layout.c vmm/config.c vmm/cli.c vmm/mmio.c \
	vmm/fdt.c vmm/gic.c vmm/boot.c vmm/term.c vmm/dev/uart.c vmm/dev/rtc.c \
	vmm/firmware/psci.c vmm/firmware/fwregs.c vmm/firmware/pins.c vmm/cpu/regs.c \
	vmm/migrate/regpolicy.c vmm/api.c vmm/client.c vmm/migrate/format.c vmm/migrate/format_read.c \
	vmm/migrate/snapread.c vmm/migrate/inspect.c vmm/console.c vmm/json.c
# The thin KVM layer and what drives it: arm64 only.
KVM_SRCS := vmm/kvm.c vmm/vm.c vmm/gic_kvm.c vmm/cpu/vcpu.c vmm/sandbox.c vmm/main.c \
	vmm/firmware/pins_kvm.c vmm/hostinfo.c vmm/cpu/regs_kvm.c vmm/migrate/gic_state.c \
	vmm/migrate/save.c vmm/migrate/restore.c vmm/control.c

ARM_OBJS := $(patsubst %.c,build/arm64/%.o,$(PURE_SRCS) $(KVM_SRCS))

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# -iquote: vmm/fdt.h must not stand in for libfdt's <fdt.h>.
NATIVE_CFLAGS := $(COMMON_CFLAGS) -O1 $(SAN_FLAGS) -iquote vmm
NATIVE_LDLIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck) -lfdt -linih -lpthread -lz
UNIT_SRCS := $(wildcard tests/unit/*.c)
NATIVE_OBJS := $(patsubst %.c,build/native/%.o,$(PURE_SRCS) $(UNIT_SRCS))

.PHONY: all deps images unit boot check bench demo clean format help

all: build/vmm

help:
	@echo "make            build/vmm, static aarch64 (cross-compiled on x86-64)"
	@echo "make deps       install build and test tools from Debian (idempotent)"
	@echo "make images     test guests: Debian kernels 6.1/6.12/7.x, test initramfs, probe"
	@echo "make unit       unit tests, native, under ASan and UBSan"
	@echo "make boot       boot tests on real KVM in the emulated arm64 host (6.1, 6.12, 7.x)"
	@echo "make check      deps + unit + boot: everything CI runs"
	@echo "make bench      boot times, RSS and binary size, from the emulated host"
	@echo "make demo       boot the demo guest and show its console"

deps:
	scripts/install-deps

build/vmm: $(ARM_OBJS)
	@echo "  LD      $@"
	$(Q)$(CROSS_COMPILE)gcc -static -o $@ $^ $(ARM_SYSROOT_FLAGS) $(ARM_LDLIBS)

# vmm with a fault that nothing outside can cause: the main loop's poll() failing
# (tests/boot/faults.c). Only the boot tests run it, as /share/vmm-faults.
build/vmm-faults: $(ARM_OBJS) build/arm64/tests/boot/faults.o
	@echo "  LD      $@"
	$(Q)$(CROSS_COMPILE)gcc -static -Wl,--wrap=poll -o $@ $^ $(ARM_SYSROOT_FLAGS) $(ARM_LDLIBS)

build/arm64/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CROSS_COMPILE)gcc $(ARM_CFLAGS) -c -o $@ $<

build/native/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)gcc $(NATIVE_CFLAGS) -c -o $@ $<

build/unit-tests: $(NATIVE_OBJS)
	gcc $(SAN_FLAGS) -o $@ $^ $(NATIVE_LDLIBS)

unit: build/unit-tests
	build/unit-tests

# The snapshot reader under libFuzzer. CRC mismatches pass in this build (see format.c),
# or the fuzzer would never get past them.
FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
	$(WARN) -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -iquote vmm
FUZZ_SRCS := vmm/migrate/format.c vmm/migrate/format_read.c vmm/util.c
.PHONY: fuzz fuzz-run
fuzz: build/fuzz/fuzz_snapshot

build/fuzz/fuzz_snapshot: tests/fuzz/fuzz_snapshot.c $(FUZZ_SRCS) vmm/migrate/format.h
	@mkdir -p $(dir $@)
	clang-14 $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_snapshot.c $(FUZZ_SRCS) -lz

build/fuzz/make-seeds: tests/fuzz/make-seeds.c $(FUZZ_SRCS) vmm/migrate/format.h
	@mkdir -p $(dir $@)
	gcc -std=gnu11 -g -D_GNU_SOURCE $(WARN) -iquote vmm -o $@ tests/fuzz/make-seeds.c $(FUZZ_SRCS) -lz

# New inputs go to build/fuzz/corpus and are kept between runs; crashes land in build/fuzz/.
fuzz-run: build/fuzz/fuzz_snapshot build/fuzz/make-seeds
	@mkdir -p build/fuzz/corpus build/fuzz/seeds
	build/fuzz/make-seeds build/fuzz/seeds
	build/fuzz/fuzz_snapshot -max_total_time=60 -artifact_prefix=build/fuzz/ \
		build/fuzz/corpus build/fuzz/seeds

images:
	guest-images/build
	$(MAKE) -C guest-images/probe O=$(CURDIR)/build/images

boot: build/vmm build/vmm-faults images
	tests/boot/run-all

check: deps
	$(MAKE) unit
	$(MAKE) boot

bench: build/vmm images
	tests/bench/run

demo: deps
	$(MAKE) build/vmm images
	tests/armhost/run tests/demo.sh

format:
	clang-format -i $(PURE_SRCS) $(KVM_SRCS) $(wildcard vmm/*.h vmm/*/*.h) $(UNIT_SRCS)

clean:
	rm -rf build/arm64 build/native build/vmm build/vmm-faults build/unit-tests

-include $(ARM_OBJS:.o=.d) $(NATIVE_OBJS:.o=.d)
