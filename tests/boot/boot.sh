# Boot tests for `vmm run` on real KVM, run inside the emulated host (after lib.sh).

# What an unpinned guest sees on each host kernel (DEVELOPERS.md measurements).
case $HOST_KERNEL in
7) HOST_PSCI=1.3 ;;
*) HOST_PSCI=1.1 ;;
esac

linux_args() {
	echo --mem 256M --initrd "$GUEST_INITRD"
}

t_begin "linux guest, 1 vCPU, powers off with status 0"
vmm_run $(linux_args) --cpus 1 --cmdline "quiet vmmtest=poweroff" "$GUEST_KERNEL"
assert_status 0
assert_line "vmmtest: ready"
assert_line "vmmtest: cpus=1"
assert_line "vmmtest: psci=$HOST_PSCI"
t_end

# The timeline (README, "The timeline"): -v prints the phases, --json one summary
# line last on stderr. Phase names are those the README lists.
t_begin "-v --json: the phases in order, own time, and one JSON summary last on stderr"
vmm_run $(linux_args) --cpus 1 -v --json --cmdline "quiet vmmtest=poweroff" "$GUEST_KERNEL"
assert_status 0
assert_line "vmmtest: ready"
grep -q '^vmm: own time [0-9.]* ms before the guest, [0-9.]* ms after it' "$T_LOG.err" ||
	t_fail "expected -v's 'vmm: own time ... before the guest, ... after it' line"
t_json=$(tail -n 1 "$T_LOG.err")
case $t_json in
'{"exit_status": 0, "peak_rss_kib": '[1-9]*', "guest_ram_kib": '[1-9]*'"phases": ['*']}') ;;
*) t_fail "expected a last stderr line {\"exit_status\": 0, \"peak_rss_kib\": N, \"guest_ram_kib\": N, ... \"phases\": [...]}, got '$(printf %s "$t_json" | head -c 200)'" ;;
esac
t_phases=$(printf %s "$t_json" | grep -o '"name": "[^"]*"' | sed 's/^"name": "//; s/"$//' | tr '\n' '|')
case $t_phases in
*'|first KVM_RUN|the guest ran|vCPU threads joined|'*) ;;
*) t_fail "expected the phases ...|first KVM_RUN|the guest ran|vCPU threads joined|..., got '$t_phases'" ;;
esac
printf %s "$t_json" | grep -q '"name": "the guest ran", "wall_ms": [0-9.]*, "cpu_ms": [0-9.]*, "at_ms": [0-9.]*, "guest": true}' ||
	t_fail "expected the phase 'the guest ran' marked as the guest's"
t_guest=$(printf %s "$t_json" | sed -n 's/.*"guest_ms": \([0-9]*\)\..*/\1/p')
t_before=$(printf %s "$t_json" | sed -n 's/.*"own_before_ms": \([0-9.]*\),.*/\1/p')
[ "${t_guest:-0}" -ge 500 ] || t_fail "expected guest_ms of a Linux boot >= 500, got '$t_guest'"
case $t_before in 0.000 | '') t_fail "expected own_before_ms > 0, got '$t_before'" ;; esac
t_end

t_begin "linux guest, 4 vCPUs, all online"
vmm_run $(linux_args) --cpus 4 --cmdline "quiet vmmtest=poweroff" "$GUEST_KERNEL"
assert_status 0
assert_line "vmmtest: cpus=4"
t_end

t_begin "linux guest reboot exits with status 10"
vmm_run $(linux_args) --cmdline "quiet vmmtest=reboot" "$GUEST_KERNEL"
assert_status 10
assert_line "vmmtest: ready"
t_end

t_begin "console shows kernel messages without quiet"
vmm_run $(linux_args) --cmdline "vmmtest=poweroff" "$GUEST_KERNEL"
assert_status 0
grep -q "Booting Linux on physical CPU" "$T_LOG.out" || t_fail "expected the kernel's boot banner on the console"
grep -q "printk: console \[ttyS0\] enabled\|console \[ttyS0\] enabled" "$T_LOG.out" ||
	t_fail "expected the ttyS0 console to be enabled"
grep -q "rtc-pl031.*registered\|rtc-pl031.*rtc0" "$T_LOG.out" || t_fail "expected the PL031 RTC to register"
t_end

t_begin "bad input: missing kernel"
vmm_run /guest/no-such-kernel
assert_status 3
assert_error "no-such-kernel"
assert_no_output
t_end

t_begin "bad input: not an arm64 Image"
vmm_run "$GUEST_INITRD"
assert_status 3
assert_error "not an arm64 Linux Image"
assert_no_output
t_end

t_begin "bad input: initrd too big for RAM"
vmm_run --mem 64M --initrd /guest/Image-6.12 "$GUEST_KERNEL"
assert_status 3
assert_error "raise --mem"
assert_no_output
t_end

t_begin "bad input: memory beyond the host's IPA size"
vmm_run --mem 4194304G "$GUEST_KERNEL"
assert_status 4
assert_error "guest physical address space"
assert_no_output
t_end

t_begin "bad input: option values"
vmm_run --cpus 0 "$GUEST_KERNEL"
assert_status 2
assert_error "--cpus 0"
vmm_run --mem 12Q "$GUEST_KERNEL"
assert_status 2
assert_error "--mem 12Q"
vmm_run --frobnicate "$GUEST_KERNEL"
assert_status 2
assert_error "--frobnicate"
assert_no_output
t_end

t_begin "bad input: /dev/kvm missing"
mv /dev/kvm /dev/kvm.hidden
vmm_run "$GUEST_KERNEL"
mv /dev/kvm.hidden /dev/kvm
assert_status 4
assert_error "/dev/kvm does not exist"
assert_no_output
t_end

if [ "$HOST_KERNEL" = 6.1 ]; then
	t_begin "console input reaches the guest shell"
	vmm_start $(linux_args) --cmdline "quiet vmmtest=shell" "$GUEST_KERNEL"
	t_wait_out "vmmtest: ready" && sleep 2
	t_type 'echo answer-$((6 * 7))\n'
	t_wait_out "answer-42" 60
	t_type 'poweroff -f\n'
	vmm_wait
	assert_status 0
	t_end

	t_begin "Ctrl-A x quits with status 13"
	vmm_start $(linux_args) --cmdline "quiet vmmtest=tick" "$GUEST_KERNEL"
	t_wait_out "vmmtest: tick 2"
	t_type '\001x'
	vmm_wait
	assert_status 13
	t_end

	t_begin "--on-reboot=restart boots the guest again; SIGTERM stops it with 143"
	vmm_start $(linux_args) --on-reboot restart --cmdline "quiet vmmtest=reboot" "$GUEST_KERNEL"
	t_wait_out "vmmtest: ready" &&
		while [ "$(tr -d '\r' <"$T_LOG.raw" | grep -c 'vmmtest: ready')" -lt 2 ] && kill -0 "$T_PID" 2>/dev/null; do
			sleep 1
		done
	kill -TERM "$T_PID"
	vmm_wait
	assert_status 143
	[ "$(grep -c 'vmmtest: ready' "$T_LOG.out")" -ge 2 ] || t_fail "expected the guest to boot twice"
	t_end
fi
