# Where the test tools live; sourced (POSIX sh) by the Makefile and the scripts so they agree.
#   VMM_CACHE    downloads and extracted packages, kept between runs (override to move it)
#   VMM_SYSROOT  arm64 headers and static libraries for cross-linking vmm (scripts/install-deps)
#   VMM_QEMU     qemu-system-aarch64 to run the emulated arm64 KVM host with (an exported
#                VMM_QEMU wins, e.g. VMM_QEMU=/usr/bin/qemu-system-aarch64 to compare versions)
# From make: VMM_SYSROOT := $(shell . scripts/paths.sh && echo "$$VMM_SYSROOT")
# Cross pkg-config: PKG_CONFIG_SYSROOT_DIR=$VMM_SYSROOT PKG_CONFIG_LIBDIR=$VMM_SYSROOT_PKG_CONFIG_LIBDIR

VMM_CACHE=${VMM_CACHE:-${HOME:-/root}/.cache/vmm}
VMM_SYSROOT=$VMM_CACHE/sysroot-arm64
VMM_SYSROOT_PKG_CONFIG_LIBDIR=$VMM_SYSROOT/usr/lib/aarch64-linux-gnu/pkgconfig:$VMM_SYSROOT/usr/share/pkgconfig
# install-deps makes this a wrapper for bookworm-backports' QEMU (or a link to the system one).
if [ -z "${VMM_QEMU:-}" ]; then
	VMM_QEMU=$VMM_CACHE/bin/qemu-system-aarch64
	[ -x "$VMM_QEMU" ] || VMM_QEMU=$(command -v qemu-system-aarch64 || echo "$VMM_QEMU")
fi
export VMM_CACHE VMM_SYSROOT VMM_SYSROOT_PKG_CONFIG_LIBDIR VMM_QEMU
