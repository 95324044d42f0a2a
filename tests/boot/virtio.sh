# virtio-mmio devices on real KVM (after lib.sh): disks, the RNG, as a Linux guest sees them.

PATTERN_16M=73964d5dd70f5dd782ae2b24f29db0c69f271a9e2dd718629dee1b338984c68e # test-init's pattern 16

virtio_args() {
	echo --mem 256M --initrd "$GUEST_INITRD"
}

t_begin "a missing disk image is one line and status 3, before any guest code"
vmm_run $(virtio_args) --disk /tmp/no-such-disk.img --cmdline "quiet" "$GUEST_KERNEL"
assert_status 3
assert_error /tmp/no-such-disk.img
assert_no_output
t_end

ROOT=$(t_disk root) && cp "$GUEST_IMAGES/rootfs-test.ext4" "$ROOT"
DATA=$(t_disk data)

t_begin "root on virtio-blk: two disks with serials, data written and synced; a second vmm on the disk is refused"
vmm_start $(virtio_args) --disk "$ROOT,serial=ROOTDISK" --disk "$DATA,serial=DATADISK" \
	--cmdline "quiet vmmtest.root=/dev/vda vmmtest=diskwrite" "$GUEST_KERNEL"
if t_wait_out "vmmtest: ready" 120; then
	vmm run $(virtio_args) --disk "$DATA" --cmdline quiet "$GUEST_KERNEL" </dev/null \
		>"$T_LOG.second" 2>"$T_LOG.second.err"
	second=$?
	[ "$second" = 3 ] || t_fail "second vmm on $DATA: expected status 3, got $second"
	grep -q "in use" "$T_LOG.second.err" ||
		t_fail "second vmm: expected 'in use', got '$(head -c 200 "$T_LOG.second.err")'"
fi
vmm_wait
assert_status 0
assert_line "vmmtest: root=/dev/vda"
assert_line "vmmtest: disks=vda:ROOTDISK,vdb:DATADISK"
assert_line "vmmtest: wrote $PATTERN_16M"
grep -q '^vmmtest: virtio=.*rng' "$T_LOG.out" || t_fail "expected the RNG in the virtio line"
t_end

t_begin "the data is there on the next boot; a read-only disk is read-only to the guest; --rng off"
vmm_run $(virtio_args) --rng off --disk "$ROOT" --disk "$DATA,ro" \
	--cmdline "quiet vmmtest.root=/dev/vda vmmtest=diskread" "$GUEST_KERNEL"
assert_status 0
assert_line "vmmtest: read $PATTERN_16M"
grep -q '^vmmtest: disk-sizes=.*vdb:[0-9]*:ro' "$T_LOG.out" ||
	t_fail "expected vdb read-only, got $(grep -m1 disk-sizes "$T_LOG.out" || echo no disk-sizes line)"
grep -q '^vmmtest: virtio=.*rng' "$T_LOG.out" && t_fail "--rng off, but the guest has a virtio RNG"
t_end

t_begin "virtio-rng: the guest reads /dev/hwrng"
vmm_run $(virtio_args) --cmdline "quiet vmmtest=hwrng" "$GUEST_KERNEL"
assert_status 0
assert_line "vmmtest: hwrng=virtio_rng.0 64"
t_end

rm -f "$ROOT" "$DATA"
