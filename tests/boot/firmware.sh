# Firmware pinning on real KVM (after lib.sh): what the guest sees is what was pinned.

case $HOST_KERNEL in
7) HOST_PSCI=1.3 ;;
*) HOST_PSCI=1.1 ;;
esac

# probe_line ARGS...: boots the probe guest, returns its first report without "seq=N".
probe_line() {
	vmm_start --mem 64M "$@" "$PROBE"
	t_wait_out "probe: seq=1" 60 # seq=1 begins only once the whole seq=0 line is out
	kill -TERM "$T_PID" 2>/dev/null
	vmm_wait
	grep -m1 '^probe: seq=0 ' "$T_LOG.out" | sed 's/ seq=[0-9]*//'
}

# probe_field LINE NAME: one "name=value" field of a probe line.
probe_field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

assert_probe_field() {
	t_got=$(probe_field "$T_PROBE" "$1")
	[ "$t_got" = "$2" ] || t_fail "expected probe $1=$2, got ${t_got:-nothing}"
}

t_begin "host-info lists the firmware registers and PSCI versions"
vmm host-info >"$T_LOG.out" 2>"$T_LOG.err"
T_STATUS=$?
vmm host-info --json >"$T_LOG.json" 2>>"$T_LOG.err"
assert_status 0
grep -q "PSCI_VERSION .*= $HOST_PSCI\$" "$T_LOG.out" || t_fail "expected PSCI_VERSION = $HOST_PSCI"
grep -q "VENDOR_HYP_BMAP .*= 0x3 (func_feat,ptp)" "$T_LOG.out" || t_fail "expected VENDOR_HYP_BMAP = 0x3"
grep -q '"psci_versions": \[' "$T_LOG.json" || t_fail "expected psci_versions in the JSON"
echo "# vmm host-info on host $HOST_KERNEL:"
sed 's/^/#   /' "$T_LOG.out"
t_end

HOST_PSCI_VERSIONS=$(sed -n 's/^PSCI versions accepted: //p' "$T_LOG.out")

for v in $HOST_PSCI_VERSIONS; do
	t_begin "linux guest pinned to PSCI $v sees PSCI $v"
	if [ "$v" = 0.1 ]; then
		# PSCI 0.1 has no SYSTEM_OFF: the guest halts, so it is stopped once it has reported.
		vmm_start --mem 256M --initrd "$GUEST_INITRD" --psci "$v" \
			--cmdline "quiet vmmtest=halt" "$GUEST_KERNEL"
		t_wait_out "vmmtest: ready"
		kill -TERM "$T_PID"
		vmm_wait
	else
		vmm_run --mem 256M --initrd "$GUEST_INITRD" --cpus 2 --psci "$v" \
			--cmdline "quiet vmmtest=poweroff" "$GUEST_KERNEL"
		assert_status 0
		assert_line "vmmtest: cpus=2"
	fi
	assert_line "vmmtest: psci=$v"
	t_end
done

for v in 1.2 1.3; do
	case " $HOST_PSCI_VERSIONS " in
	*" $v "*) continue ;;
	esac
	t_begin "PSCI $v pin refused before the guest runs"
	vmm_run --psci "$v" --initrd "$GUEST_INITRD" "$GUEST_KERNEL"
	assert_status 5
	assert_error "PSCI_VERSION = $v"
	assert_no_output
	t_end
done

t_begin "a register the host lacks is refused"
vmm_run --fw-reg 0x6030000000160007=0 "$PROBE"
assert_status 5
assert_error "has no register 0x6030000000160007"
assert_no_output
t_end

t_begin "an unknown service bit is refused"
vmm_run --hypercalls std=0x80 "$PROBE"
assert_status 5
assert_error "STD_BMAP = 0x80"
assert_no_output
t_end

t_begin "linux guest sees the hypercall services pinned"
vmm_run --mem 256M --initrd "$GUEST_INITRD" --hypercalls std=none,vendor_hyp=func_feat \
	--cmdline "quiet vmmtest=poweroff" "$GUEST_KERNEL"
assert_status 0
assert_line "vmmtest: trng=no"
assert_line "vmmtest: hypervisor-services=0x00000000 0x00000000 0x00000000 0x00000001"
t_end

t_begin "linux guest sees the host's services when nothing is pinned"
vmm_run --mem 256M --initrd "$GUEST_INITRD" --cmdline "quiet vmmtest=poweroff" "$GUEST_KERNEL"
assert_status 0
assert_line "vmmtest: trng=yes"
assert_line "vmmtest: hypervisor-services=0x00000000 0x00000000 0x00000000 0x00000003"
t_end

t_begin "probe guest: unpinned, it sees the host's firmware"
T_PROBE=$(probe_line)
assert_probe_field psci_version "0x$(echo "$HOST_PSCI" | awk -F. '{ printf "%x%04x", $1, $2 }')"
assert_probe_field trng_version 0x10000
t_end

t_begin "probe guest: every pin shows in its line"
T_PROBE=$(probe_line --psci 1.0 --hypercalls std=none,std_hyp=none,vendor_hyp=func_feat)
assert_probe_field dt arm,psci-1.0
assert_probe_field psci_version 0x10000
assert_probe_field trng_version 0xffffffff
assert_probe_field pv_time 0xffffffff
assert_probe_field hyp_features 1,0,0,0
t_end

t_begin "probe guest: SYSTEM_SUSPEND is offered only with --system-suspend yes"
T_PROBE=$(probe_line --psci 1.1)
plain=$(probe_field "$T_PROBE" psci_features | cut -d, -f14)
T_PROBE=$(probe_line --psci 1.1 --system-suspend yes)
offered=$(probe_field "$T_PROBE" psci_features | cut -d, -f14)
[ "$plain" = ffffffff ] || t_fail "expected SYSTEM_SUSPEND not supported by default, got $plain"
[ "$offered" = 0 ] || t_fail "expected SYSTEM_SUSPEND supported (0) when asked, got $offered"
t_end

if [ "$HOST_KERNEL" = 7 ]; then
	t_begin "7.x host pinned to PSCI 1.1: the probe sees what a 6.1 host offers"
	T_PROBE=$(probe_line --psci 1.1 --hypercalls vendor_hyp_2=none)
	assert_probe_field psci_version 0x10001
	t_end
else
	t_begin "vendor_hyp_2 is refused on a host without it"
	vmm_run --hypercalls vendor_hyp_2=none "$PROBE"
	assert_status 5
	assert_error "has no register VENDOR_HYP_BMAP_2"
	t_end
fi
