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
ARM_CFLAGS := $(COMMON_CFLAGS) -O2 -iquote vmm $(ARM_SYSROOT_FLAGS)
ARM_LDLIBS := -lfdt -lcap-ng -linih -lseccomp -lpthread -lz

# The sources, derived from the folders (vmm/README.md): the KVM side is vmm/kvm/ and every
# file that includes one of its headers (the commands that drive it), and vmm/main.c, which
# dispatches to them; everything else calls no ioctl and is built natively too, for unit tests
# and fuzzing under sanitizers.
ALL_SRCS := $(sort $(wildcard vmm/*.c vmm/*/*.c vmm/*/*/*.c))
KVM_SRCS := $(sort vmm/main.c $(filter vmm/kvm/%,$(ALL_SRCS)) \
	$(shell grep -l '^\#include "kvm/' $(filter-out vmm/kvm/%,$(ALL_SRCS))))
PURE_SRCS := $(filter-out $(KVM_SRCS),$(ALL_SRCS))

ARM_OBJS := $(patsubst %.c,build/arm64/%.o,$(PURE_SRCS) $(KVM_SRCS))

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
NATIVE_CFLAGS := $(COMMON_CFLAGS) -O1 $(SAN_FLAGS) -iquote vmm
NATIVE_LDLIBS := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck) -lfdt -linih -lpthread -lz
UNIT_SRCS := $(wildcard tests/unit/*.c)
NATIVE_OBJS := $(patsubst %.c,build/native/%.o,$(PURE_SRCS) $(UNIT_SRCS))

.PHONY: all deps images unit lint boot check bench demo clean format help

all: build/vmm

help:
	@echo "make            build/vmm, static aarch64 (cross-compiled on x86-64)"
	@echo "make deps       install build and test tools from Debian (idempotent)"
	@echo "make images     test guests: Debian kernels 6.1/6.12/7.x, test initramfs, probe"
	@echo "make unit       unit tests, native, under ASan and UBSan"
	@echo "make lint       tests/lint: no include cycle among vmm/'s modules"
	@echo "make boot       boot tests on real KVM in the emulated arm64 host (6.1, 6.12, 7.x)"
	@echo "make check      deps + unit + lint + fuzz-check + boot: everything CI runs"
	@echo "make fuzz       libFuzzer targets in build/fuzz (snapshot, restore, inspect, config, api, mmio, virtqueue)"
	@echo "make fuzz-run   each fuzz target for FUZZ_SECONDS (60), keeping its corpus"
	@echo "make bench      boot, save, restore (to 4G) next to QEMU/KVM; own time by phase, RSS, THP"
	@echo "make demo       boot the demo guest and show its console"

deps:
	scripts/install-deps

build/vmm: $(ARM_OBJS)
	@echo "  LD      $@"
	$(Q)$(CROSS_COMPILE)gcc -static -o $@ $^ $(ARM_SYSROOT_FLAGS) $(ARM_LDLIBS)

# vmm with a fault that nothing outside can cause: the main loop's wait (epoll_wait)
# failing (tests/boot/faults.c). Only the boot tests run it, as /share/vmm-faults.
build/vmm-faults: $(ARM_OBJS) build/arm64/tests/boot/faults.o
	@echo "  LD      $@"
	$(Q)$(CROSS_COMPILE)gcc -static -Wl,--wrap=epoll_wait -o $@ $^ $(ARM_SYSROOT_FLAGS) $(ARM_LDLIBS)

# The KVM-level tests (tests/README.md): one program per tests/kvm/*.c, linked with vmm's
# objects but main.o, run inside the emulated host by tests/boot/kvm.sh.
KVM_TEST_BINS := $(patsubst tests/kvm/%.c,build/kvm-tests/%,$(wildcard tests/kvm/*.c))
KVM_TEST_LIB_OBJS := $(filter-out build/arm64/vmm/main.o,$(ARM_OBJS))
.PHONY: kvm-tests
.PRECIOUS: build/arm64/tests/kvm/%.o

kvm-tests: $(KVM_TEST_BINS)

build/kvm-tests/%: build/arm64/tests/kvm/%.o $(KVM_TEST_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(CROSS_COMPILE)gcc -static -o $@ $^ $(ARM_SYSROOT_FLAGS) $(ARM_LDLIBS)

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

lint:
	tests/lint/include-cycles

# libFuzzer targets (tests/README.md): the pure sources again, built with clang-14 and
# coverage instrumentation into an archive, so each target links only what it calls. CRC
# mismatches pass in this build (format_internal.h), or the fuzzer would never get past them.
FUZZ_CC := clang-14
FUZZ_CFLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
	$(WARN) -MMD -MP -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -iquote vmm -iquote build/fuzz
FUZZ_LDLIBS := -lfdt -linih -lpthread -lz
FUZZ_TARGETS := snapshot restore inspect config api mmio virtqueue blk
FUZZ_BINS := $(patsubst %,build/fuzz/fuzz_%,$(FUZZ_TARGETS))
FUZZ_OBJS := $(patsubst %.c,build/fuzz/obj/%.o,$(PURE_SRCS))
# Host register lists for the restore target's register policy, as C initialisers.
FUZZ_REGLISTS := $(patsubst tests/unit/data/%.txt,build/fuzz/%.inc,\
	$(wildcard tests/unit/data/reglist-*.txt))
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 20
.PHONY: fuzz fuzz-run fuzz-check

fuzz: $(FUZZ_BINS) build/fuzz/make-seeds

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build/fuzz/libvmm-pure.a: $(FUZZ_OBJS)
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

build/fuzz/reglist-%.inc: tests/unit/data/reglist-%.txt
	@mkdir -p $(dir $@)
	$(Q)sed -n 's/^\(0x[0-9a-fA-F]*\)$$/\1ULL,/p' $< >$@

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c build/fuzz/libvmm-pure.a | $(FUZZ_REGLISTS)
	@echo "  FUZZ    $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -MF $@.d -fsanitize=fuzzer -o $@ $< build/fuzz/libvmm-pure.a \
		$(FUZZ_LDLIBS)

# Seeds built by the real snapshot writer and device save callbacks, with plain gcc.
build/fuzz/make-seeds: tests/fuzz/make-seeds.c $(PURE_SRCS) | $(FUZZ_REGLISTS)
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)gcc -std=gnu11 -g -D_GNU_SOURCE $(WARN) -MMD -MP -MF $@.d -iquote vmm -iquote build/fuzz \
		-o $@ $< $(PURE_SRCS) $(FUZZ_LDLIBS)

build/fuzz/seeds/.stamp: build/fuzz/make-seeds $(wildcard tests/fuzz/seeds/*/*)
	$(Q)rm -rf build/fuzz/seeds
	$(Q)mkdir -p build/fuzz/seeds
	$(Q)cp -R tests/fuzz/seeds/. build/fuzz/seeds/
	$(Q)build/fuzz/make-seeds build/fuzz/seeds
	$(Q)touch $@

# Each target for FUZZ_SECONDS; what it finds stays in build/fuzz/corpus/<target>.
fuzz-run: fuzz build/fuzz/seeds/.stamp
	$(Q)failed=0; for t in $(FUZZ_TARGETS); do \
		tests/fuzz/run $$t $(FUZZ_SECONDS) build/fuzz/corpus/$$t || failed=1; done; \
		exit $$failed

# make check: each target for FUZZ_CHECK_SECONDS from its seeds only; a crash, leak,
# trapped invariant or hang fails it.
fuzz-check: fuzz build/fuzz/seeds/.stamp
	$(Q)failed=0; for t in $(FUZZ_TARGETS); do rm -rf build/fuzz/check/$$t; \
		tests/fuzz/run $$t $(FUZZ_CHECK_SECONDS) build/fuzz/check/$$t || failed=1; done; \
		exit $$failed

images:
	guest-images/build
	$(MAKE) -C guest-images/probe O=$(CURDIR)/build/images

boot: build/vmm build/vmm-faults kvm-tests images
	tests/boot/run-all

check: deps
	$(MAKE) unit
	$(MAKE) lint
	$(MAKE) fuzz-check
	$(MAKE) boot

bench: build/vmm images
	tests/bench/run

demo: deps
	$(MAKE) build/vmm images
	tests/armhost/run tests/demo.sh

format:
	clang-format -i $(PURE_SRCS) $(KVM_SRCS) $(wildcard vmm/*.h vmm/*/*.h vmm/*/*/*.h) $(UNIT_SRCS)

clean:
	rm -rf build/arm64 build/native build/vmm build/vmm-faults build/unit-tests build/fuzz/obj $(FUZZ_BINS)

-include $(ARM_OBJS:.o=.d) $(KVM_TEST_BINS:build/kvm-tests/%=build/arm64/tests/kvm/%.d) \
	$(NATIVE_OBJS:.o=.d) $(FUZZ_OBJS:.o=.d) $(FUZZ_BINS:=.d) \
	build/fuzz/make-seeds.d
