# The README's demo, run inside the emulated arm64 host: vmm boots a Linux guest
# (Debian's 6.1 kernel and a busybox initramfs) on real KVM, console on stdout.
echo "== vmm $(vmm --version | cut -d' ' -f2) on $(uname -sr), booting the demo guest =="
vmm run --cpus 2 --mem 256M --initrd /guest/initrd-test.cpio.gz \
	--cmdline "vmmtest=poweroff" /guest/Image-6.1
status=$?
echo "== vmm exited with status $status =="
exit $status
