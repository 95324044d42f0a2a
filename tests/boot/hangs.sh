# Nothing a guest, a client or a terminal does may hang vmm (after lib.sh): a guest
# flooding a console nobody reads, a guest that took CPU 0 offline, the main loop's
# poll() failing. Each bound is enforced with timeout -s KILL, so a hang fails the
# test (status 137) rather than the run.

HANG_SOCK=/tmp/vmm-hangs.sock

hang_args() {
	echo --mem 256M --initrd "$GUEST_INITRD"
}

# Centiseconds since the host booted: busybox date has no %N.
hang_cs() {
	tr -d . </proc/uptime | cut -d' ' -f1
}

# hang_client SECS COMMAND [ARGS...]: vmm COMMAND --socket HANG_SOCK, killed after SECS;
# output in $T_LOG.client, status in $HANG_STATUS, time taken in $HANG_CS (centiseconds).
hang_client() {
	hang_limit=$1
	shift
	hang_start=$(hang_cs)
	timeout -s KILL "$hang_limit" vmm "$@" --socket "$HANG_SOCK" >"$T_LOG.client" 2>&1
	HANG_STATUS=$?
	HANG_CS=$(($(hang_cs) - hang_start))
}

# hang_expect SECS COMMAND...: the same, and it must succeed.
hang_expect() {
	hang_client "$@"
	[ "$HANG_STATUS" = 0 ] ||
		t_fail "expected vmm $2 to answer ok within $1 s, got status $HANG_STATUS after ${HANG_CS}0 ms: $(head -c 200 "$T_LOG.client")"
}

# hang_term SECS: SIGTERM to vmm ($T_PID), which must exit within SECS (or is killed).
hang_term() {
	kill -TERM "$T_PID" 2>/dev/null
	hang_secs=$1
	while [ "$hang_secs" -gt 0 ] && kill -0 "$T_PID" 2>/dev/null; do
		sleep 1
		hang_secs=$((hang_secs - 1))
	done
	if kill -0 "$T_PID" 2>/dev/null; then
		t_fail "expected vmm to exit within $1 s of SIGTERM, it was still running"
		kill -KILL "$T_PID" 2>/dev/null
	fi
	exec 3>&-
	wait "$T_PID"
	T_STATUS=$?
}

# Issue 9, item 9: info read the firmware registers through vCPU 0, which waits in KVM_RUN
# for as long as the guest keeps CPU 0 offline: info never answered, and SIGTERM did nothing.
t_begin "info answers within a second while CPU 0 is offline and the guest runs; SIGTERM stops it"
vmm_start $(hang_args) --cpus 2 --cmdline "quiet vmmtest=cpu0off" --api-socket "$HANG_SOCK" "$GUEST_KERNEL"
t_wait_out "vmmtest: cpu0 offline" && t_wait_out "vmmtest: tick 2" 60
grep -q "vmmtest: cpu0 offline, cpus=1" "$T_LOG.raw" ||
	t_fail "expected the guest to take CPU 0 offline, got: $(tr -d '\r' <"$T_LOG.raw" | grep -m1 cpu0)"
hang_expect 10 info
[ "$HANG_CS" -le 100 ] || t_fail "expected info within 1 s, it took ${HANG_CS}0 ms"
grep -qx "state running" "$T_LOG.client" || t_fail "expected info to say 'state running', got $(head -1 "$T_LOG.client")"
grep -q "^firmware PSCI_VERSION = " "$T_LOG.client" || t_fail "expected info to list PSCI_VERSION"
hang_expect 10 info --json
grep -q '^  "state": "running",$' "$T_LOG.client" || t_fail "expected info --json to give the state"
grep -q '"name": "PSCI_VERSION"' "$T_LOG.client" || t_fail "expected info --json to list PSCI_VERSION"
[ "$(tail -n 1 "$T_LOG.client")" = "}" ] || t_fail "expected info --json to end with '}'"
hang_expect 10 pause
hang_expect 10 resume
hang_term 10
assert_status 143
t_end

# The rest is the same on every host kernel: once, on 6.1.
if [ "$HOST_KERNEL" = 6.1 ]; then
	# Issue 9, item 8: the UART wrote to stdout under its lock; with stdout a pipe nobody
	# read, the vCPU blocked, and with it pause, save, typed input and SIGTERM.
	t_begin "a guest flooding a console nobody reads: pause, info, save, resume, input and SIGTERM work"
	rm -f "$T_LOG.pipe" "$T_LOG.in"
	mkfifo "$T_LOG.pipe" "$T_LOG.in"
	sleep 100000 <"$T_LOG.pipe" & # holds the pipe open and never reads it
	hang_holder=$!
	# The guest prints about 2 KB/s here: fill the pipe (64 KiB) first, leaving it the ring.
	exec 4>"$T_LOG.pipe"
	timeout -s KILL 5 dd if=/dev/zero bs=4096 count=16 >&4 2>/dev/null
	timeout -s KILL "$T_TIMEOUT" vmm run -v $(hang_args) --cmdline "quiet vmmtest=flood" \
		--api-socket "$HANG_SOCK" "$GUEST_KERNEL" <"$T_LOG.in" >"$T_LOG.pipe" 2>"$T_LOG.err" &
	T_PID=$!
	exec 3>"$T_LOG.in" 4>&-
	# The pipe and the console ring (64 KiB) are full once info counts drops.
	hang_dropped=0
	hang_secs=120
	while [ "$hang_secs" -gt 0 ] && [ "$hang_dropped" = 0 ] && kill -0 "$T_PID" 2>/dev/null; do
		sleep 2
		hang_secs=$((hang_secs - 2))
		hang_client 10 info
		hang_dropped=$(sed -n 's/^console_dropped //p' "$T_LOG.client")
		hang_dropped=${hang_dropped:-0}
	done
	if [ "$hang_dropped" = 0 ]; then
		t_fail "expected info to count dropped console output within 120 s, got: $(head -c 200 "$T_LOG.client")"
	else
		hang_expect 10 pause
		hang_expect 10 info
		grep -qx "state paused" "$T_LOG.client" || t_fail "expected info to say 'state paused'"
		hang_expect 60 save "$T_DIR/flood-paused.snap"
		hang_expect 10 resume
		# Typed bytes the guest does not read fill the UART FIFO, then vmm's buffer: none may block.
		t_type "$(printf '%0300d' 0)\n"
		hang_expect 60 save "$T_DIR/flood-running.snap"
		hang_expect 10 info
		grep -qx "state running" "$T_LOG.client" || t_fail "expected info to say 'state running'"
		after=$(sed -n 's/^console_dropped //p' "$T_LOG.client")
		[ "${after:-0}" -gt "$hang_dropped" ] ||
			t_fail "expected the guest to go on printing (and vmm dropping) after resume, dropped $hang_dropped then ${after:-nothing}"
	fi
	hang_term 15
	kill "$hang_holder" 2>/dev/null
	wait "$hang_holder" 2>/dev/null
	assert_status 143
	grep -q "bytes of guest output dropped" "$T_LOG.err" ||
		t_fail "expected -v to say how much console output was dropped, got: $(grep -m1 console "$T_LOG.err")"
	t_end

	# Item 12: when poll() failed, the main loop broke out without telling the vCPUs, and
	# vm_run waited for them forever. build/vmm-faults makes it fail (tests/boot/faults.c);
	# --rng off: the fault hits every epoll_wait, and this test is about the main loop's.
	t_begin "the main loop's poll() failing stops the guest with status 1 and one line"
	if [ -x /share/vmm-faults ]; then
		VMM_FAULT_POLL_MS=8000 timeout -s KILL 60 /share/vmm-faults run $(hang_args) --rng off \
			--cmdline "quiet vmmtest=tick" "$GUEST_KERNEL" </dev/null >"$T_LOG.raw" 2>"$T_LOG.err"
		T_STATUS=$?
		tr -d '\r' <"$T_LOG.raw" >"$T_LOG.out"
		assert_status 1
		assert_error "cannot wait for events (poll)"
	else
		t_fail "no /share/vmm-faults: make build/vmm-faults (make boot does), then tests/boot/run-all"
	fi
	t_end

	# Item 12: the path of a snapshot went into inspect --json unescaped.
	t_begin "inspect --json escapes a path with a quote and a backslash"
	vmm_start $(hang_args) --cmdline "quiet vmmtest=tick" --api-socket "$HANG_SOCK" "$GUEST_KERNEL"
	t_wait_out "vmmtest: tick 1"
	hang_path="$T_DIR/a \"quoted\" back\\slash.snap"
	hang_expect 60 save --stop "$hang_path"
	vmm_wait
	assert_status 0
	vmm inspect --json "$hang_path" >"$T_LOG.json" 2>&1 || t_fail "vmm inspect --json failed: $(head -c 200 "$T_LOG.json")"
	grep -qxF "  \"path\": \"$T_DIR/a \\\"quoted\\\" back\\\\slash.snap\"," "$T_LOG.json" ||
		t_fail "expected the path escaped, got: $(grep -m1 '"path"' "$T_LOG.json")"
	t_end
fi
