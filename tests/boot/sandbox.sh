# The sandbox on real KVM (after lib.sh): inputs refused before any guest code runs,
# the seccomp filter on every thread of a running vmm, and --user.

SB_SOCK=/tmp/vmm-sandbox.sock
SB_TICK="quiet vmmtest=tick"
SB_UID=1000

# The vmm that vmm_start started: busybox timeout execs it in T_PID and watches from a
# child; another timeout may fork it as T_PID's child instead.
sb_vmm_pid() {
	if grep -qx "Name:	vmm" "/proc/$T_PID/status" 2>/dev/null; then
		echo "$T_PID"
		return 0
	fi
	for sb_status in /proc/[0-9]*/status; do
		if grep -qx "PPid:	$T_PID" "$sb_status" 2>/dev/null &&
			grep -qx "Name:	vmm" "$sb_status"; then
			sb_status=${sb_status%/status}
			echo "${sb_status#/proc/}"
			return 0
		fi
	done
	return 1
}

# sb_field PID TASK FIELD: one field of a thread's status, e.g. Seccomp.
sb_field() {
	sed -n "s/^$3:	*//p" "/proc/$1/task/$2/status"
}

# sb_assert_threads MODE N: every thread of the running vmm has Seccomp MODE, and there are N
# (main, the console writer, one per vCPU, one per virtio device: the default RNG's worker).
sb_assert_threads() {
	sb_pid=$(sb_vmm_pid) || {
		t_fail "no vmm process under $T_PID"
		return
	}
	sb_count=0
	for sb_task in /proc/"$sb_pid"/task/*; do
		sb_task=${sb_task##*/}
		sb_count=$((sb_count + 1))
		sb_mode=$(sb_field "$sb_pid" "$sb_task" Seccomp)
		[ "$sb_mode" = "$1" ] ||
			t_fail "expected Seccomp: $1 in task $sb_task of vmm $sb_pid, got '$sb_mode'"
	done
	[ "$sb_count" = "$2" ] || t_fail "expected $2 threads in vmm $sb_pid, got $sb_count"
}

t_begin "--mem 17179869183G (RAM_BASE + size past 2^64) is refused before the guest runs"
vmm_run --mem 17179869183G --initrd "$GUEST_INITRD" --cmdline "quiet vmmtest=poweroff" "$GUEST_KERNEL"
assert_status 2
assert_error "--mem 17179869183G"
assert_no_output
t_end

t_begin "--cpus 010 is refused, not read as octal 8"
vmm_run --cpus 010 --initrd "$GUEST_INITRD" --cmdline "quiet vmmtest=poweroff" "$GUEST_KERNEL"
assert_status 2
assert_error "--cpus 010"
assert_no_output
t_end

t_begin "every thread of a running 2-vCPU vmm is under the seccomp filter (Seccomp: 2)"
vmm_start --mem 256M --initrd "$GUEST_INITRD" --cmdline "$SB_TICK" --cpus 2 \
	--api-socket "$SB_SOCK" "$GUEST_KERNEL"
if t_wait_out "vmmtest: tick 2"; then
	sb_assert_threads 2 5
	# The vCPU threads stack their own filter on the process one.
	sb_filters=$(for sb_task in /proc/"$sb_pid"/task/*; do
		sb_field "$sb_pid" "${sb_task##*/}" Seccomp_filters
	done | sort | tr '\n' ' ')
	[ -z "$sb_filters" ] || [ "$sb_filters" = "1 1 1 2 2 " ] ||
		t_fail "expected Seccomp_filters 1 (main, console writer, the RNG worker: TSYNC) and 2 (each vCPU), got '$sb_filters'"
	vmm info --socket "$SB_SOCK" >"$T_LOG.info" 2>&1 || t_fail "vmm info failed: $(cat "$T_LOG.info")"
	vmm save --socket "$SB_SOCK" "$T_DIR/sandbox.snap" >"$T_LOG.save" 2>&1 ||
		t_fail "vmm save under the filter failed: $(cat "$T_LOG.save")"
	sb_at=$(tr -d '\r' <"$T_LOG.raw" | sed -n 's/^vmmtest: tick \([0-9]*\)$/\1/p' | tail -n 1)
	t_wait_out "vmmtest: tick $((sb_at + 1))" 30
	vmm stop --socket "$SB_SOCK"
fi
vmm_wait
assert_status 0
[ -s "$T_LOG.err" ] && t_fail "expected nothing on stderr, got '$(head -c 200 "$T_LOG.err")'"
t_end

t_begin "a restored vmm runs under the filter too"
vmm_start_cmd restore --api-socket "$SB_SOCK" "$T_DIR/sandbox.snap"
if t_wait_out "vmmtest: tick" 60; then
	sb_assert_threads 2 5
	vmm stop --socket "$SB_SOCK"
fi
vmm_wait
assert_status 0
t_end

t_begin "--seccomp off says so in one line, and no thread is filtered"
vmm_start --mem 256M --initrd "$GUEST_INITRD" --cmdline "$SB_TICK" --seccomp=off \
	--api-socket "$SB_SOCK" "$GUEST_KERNEL"
if t_wait_out "vmmtest: tick 1"; then
	sb_assert_threads 0 4
	vmm stop --socket "$SB_SOCK"
fi
vmm_wait
assert_status 0
assert_error "warning: --seccomp off"
t_end

t_begin "--user: vmm runs as the user; a save into a root-only directory fails, one where the user can write works"
mkdir -p /tmp/root-only /tmp/user-dir
chmod 700 /tmp/root-only
chown "$SB_UID:$SB_UID" /tmp/user-dir
rm -f /tmp/user-dir/vm.snap /tmp/root-only/vm.snap
vmm_start --mem 256M --initrd "$GUEST_INITRD" --cmdline "$SB_TICK" --user "$SB_UID:$SB_UID" \
	--api-socket "$SB_SOCK" "$GUEST_KERNEL"
if t_wait_out "vmmtest: tick 2"; then
	sb_pid=$(sb_vmm_pid)
	sb_uid=$(sed -n 's/^Uid:	//p' "/proc/$sb_pid/status" | tr '\t' ' ')
	[ "$sb_uid" = "$SB_UID $SB_UID $SB_UID $SB_UID" ] ||
		t_fail "expected Uid: $SB_UID in every slot, got '$sb_uid'"
	sb_groups=$(sed -n 's/^Groups:	*//p' "/proc/$sb_pid/status" | tr -d ' ')
	[ "$sb_groups" = "$SB_UID" ] || t_fail "expected Groups: $SB_UID only, got '$sb_groups'"
	sb_assert_threads 2 4
	vmm save --socket "$SB_SOCK" /tmp/root-only/vm.snap >"$T_LOG.save" 2>"$T_LOG.save-err"
	sb_status=$?
	[ "$sb_status" = 6 ] || t_fail "expected vmm save into /tmp/root-only to exit 6, got $sb_status"
	[ "$(wc -l <"$T_LOG.save-err")" = 1 ] && grep -q "Permission denied" "$T_LOG.save-err" ||
		t_fail "expected one line saying Permission denied, got '$(cat "$T_LOG.save-err")'"
	[ -e /tmp/root-only/vm.snap ] && t_fail "expected no file in /tmp/root-only"
	sb_at=$(tr -d '\r' <"$T_LOG.raw" | sed -n 's/^vmmtest: tick \([0-9]*\)$/\1/p' | tail -n 1)
	t_wait_out "vmmtest: tick $((sb_at + 1))" 30
	vmm save --socket "$SB_SOCK" /tmp/user-dir/vm.snap >"$T_LOG.save" 2>&1 ||
		t_fail "vmm save into the user's directory failed: $(cat "$T_LOG.save")"
	sb_owner=$(stat -c %u /tmp/user-dir/vm.snap 2>/dev/null)
	[ "$sb_owner" = "$SB_UID" ] || t_fail "expected the snapshot owned by $SB_UID, got '$sb_owner'"
	vmm stop --socket "$SB_SOCK"
fi
vmm_wait
assert_status 0
[ -s "$T_LOG.err" ] && t_fail "expected nothing on stderr at exit, got '$(head -c 200 "$T_LOG.err")'"
t_end

t_begin "vmm restore --user runs the user's snapshot as the user"
vmm_start_cmd restore --user "$SB_UID" --api-socket "$SB_SOCK" /tmp/user-dir/vm.snap
if t_wait_out "vmmtest: tick" 60; then
	sb_pid=$(sb_vmm_pid)
	sb_uid=$(sed -n 's/^Uid:	//p' "/proc/$sb_pid/status" | tr '\t' ' ')
	[ "$sb_uid" = "$SB_UID $SB_UID $SB_UID $SB_UID" ] ||
		t_fail "expected Uid: $SB_UID in every slot, got '$sb_uid'"
	vmm stop --socket "$SB_SOCK"
fi
vmm_wait
assert_status 0
t_end
