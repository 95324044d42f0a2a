# Snapshots on real KVM (after lib.sh): save and restore on one host, and across
# host kernels through /share/snapshots, which every host boot of a run shares.
# run-all boots the hosts 6.1, 7, 6.12, then 6.1 again with T_PASS=2, so that a
# snapshot from each side exists when the other host looks for it.

SNAPS=/share/snapshots
SOCK=/tmp/vmm-test.sock
mkdir -p "$SNAPS"

# The tick guest's options, but its command line, which must stay one word: TICK.
tick_args() {
	echo --mem 256M --initrd "$GUEST_INITRD"
}
TICK="quiet vmmtest=tick"

# The last tick the console showed in full.
last_tick() {
	tr -d '\r' <"$1" | sed -n 's/^vmmtest: tick \([0-9]*\)$/\1/p' | tail -n 1
}

# The probe's line number N, without its sequence number.
probe_seq_line() {
	tr -d '\r' <"$1" | grep -m1 "^probe: seq=$2 " | sed 's/ seq=[0-9]*//'
}

# save_stop FILE: vmm save --stop through the socket; the guest's vmm then exits 0.
save_stop() {
	vmm save --stop --socket "$SOCK" "$1" >"$T_LOG.save" 2>&1 ||
		t_fail "vmm save --stop failed: $(cat "$T_LOG.save")"
	vmm_wait
	assert_status 0
}

# restore_counts FILE FROM [SECS]: restores a tick guest saved at tick FROM; it must count on
# within SECS (60).
restore_counts() {
	T_LOG=$T_LOG.restored
	vmm_start_cmd restore "$1"
	t_wait_out "vmmtest: tick $(($2 + 2))" "${3:-60}"
	kill -TERM "$T_PID" 2>/dev/null
	vmm_wait
	assert_status 143
	grep -q "vmmtest: kernel=" "$T_LOG.out" && t_fail "expected no reboot after restore, got a fresh boot"
	grep -qx "vmmtest: tick $(($2 + 1))" "$T_LOG.out" || save_cut_line "$(($2 + 1))" ||
		t_fail "expected tick $(($2 + 1)) first after restore, got $(grep -m1 tick "$T_LOG.out")"
}

# save_cut_line N: the save paused the guest while it was printing tick N, so the saved
# console ended in "vmmtest: ti" and the restored one begins with the rest, "ck N".
save_cut_line() {
	t_head=$(head -n 1 "$T_LOG.out")
	[ -n "$t_head" ] && [ "$t_head" != "vmmtest: tick $1" ] || return 1
	case "vmmtest: tick $1" in *"$t_head") return 0 ;; esac
	return 1
}

if [ "${T_PASS:-1}" = 1 ]; then
	for n in 1 2; do
		t_begin "linux guest, $n vCPU(s), keeps counting across save and restore"
		vmm_start $(tick_args) --cmdline "$TICK" --cpus "$n" --api-socket "$SOCK" "$GUEST_KERNEL"
		t_wait_out "vmmtest: tick 3"
		save_stop "$T_DIR/tick-$n.snap"
		restore_counts "$T_DIR/tick-$n.snap" "$(last_tick "$T_LOG.raw")"
		t_end
	done
fi

if [ "${T_PASS:-1}" = 1 ] && [ "$HOST_KERNEL" = 6.1 ]; then
	t_begin "pause stops the guest, resume lets it go on, info says which"
	vmm_start $(tick_args) --cmdline "$TICK" --api-socket "$SOCK" "$GUEST_KERNEL"
	t_wait_out "vmmtest: tick 2"
	vmm pause --socket "$SOCK" || t_fail "vmm pause failed"
	vmm info --socket "$SOCK" >"$T_LOG.info" 2>&1
	grep -qx "state paused" "$T_LOG.info" || t_fail "expected info to say 'state paused', got $(head -1 "$T_LOG.info")"
	grep -q "^firmware PSCI_VERSION = " "$T_LOG.info" || t_fail "expected info to list PSCI_VERSION"
	paused_at=$(last_tick "$T_LOG.raw")
	sleep 3
	[ "$(last_tick "$T_LOG.raw")" = "$paused_at" ] || t_fail "expected no tick while paused, got $(last_tick "$T_LOG.raw") after $paused_at"
	vmm resume --socket "$SOCK" || t_fail "vmm resume failed"
	t_wait_out "vmmtest: tick $((paused_at + 2))" 30
	vmm stop --socket "$SOCK"
	vmm_wait
	assert_status 0
	t_end

	t_begin "a failed save leaves the guest running and the old file intact"
	mkdir -p /tmp/small && mount -t tmpfs -o size=1m tmpfs /tmp/small && echo old-snapshot >/tmp/small/vm.snap
	vmm_start $(tick_args) --cmdline "$TICK" --api-socket "$SOCK" "$GUEST_KERNEL"
	t_wait_out "vmmtest: tick 2"
	vmm save --socket "$SOCK" /tmp/small/vm.snap 2>"$T_LOG.save"
	save_status=$?
	[ "$save_status" = 6 ] || t_fail "expected vmm save to exit 6 on a full disk, got $save_status"
	[ "$(wc -l <"$T_LOG.save")" = 1 ] || t_fail "expected one error line, got $(cat "$T_LOG.save")"
	[ "$(cat /tmp/small/vm.snap)" = old-snapshot ] || t_fail "expected the old file intact"
	leftover=$(ls /tmp/small | grep -v '^vm.snap$')
	[ -z "$leftover" ] || t_fail "expected no temporary file left behind, got $leftover"
	t_wait_out "vmmtest: tick $(($(last_tick "$T_LOG.raw") + 2))" 30
	vmm save --socket "$SOCK" /no/such/dir/vm.snap 2>"$T_LOG.save2"
	[ $? = 6 ] || t_fail "expected vmm save to a missing directory to exit 6"
	vmm stop --socket "$SOCK"
	vmm_wait
	assert_status 0
	umount /tmp/small
	t_end

	t_begin "a corrupted or truncated snapshot is refused before any guest code runs"
	vmm_start $(tick_args) --cmdline "$TICK" --api-socket "$SOCK" "$GUEST_KERNEL"
	t_wait_out "vmmtest: tick 2"
	save_stop "$T_DIR/good.snap"
	cp "$T_DIR/good.snap" "$T_DIR/flipped.snap"
	printf '\377' | dd of="$T_DIR/flipped.snap" bs=1 seek=9000 conv=notrunc 2>/dev/null
	vmm_cmd restore "$T_DIR/flipped.snap"
	assert_status 8
	assert_error "checksum"
	assert_no_output
	head -c 20000 "$T_DIR/good.snap" >"$T_DIR/short.snap"
	vmm_cmd restore "$T_DIR/short.snap"
	assert_status 8
	assert_error "refused"
	assert_no_output
	t_end

	# Restore sums the memory's CRC while the guest runs (it costs what the data costs), so
	# damaged memory stops the guest early instead of keeping it from starting.
	t_begin "damaged guest memory in a snapshot: the restored guest is stopped, status 8, one line"
	cp "$T_DIR/good.snap" "$T_DIR/memflip.snap"
	# RAM's first page is the kernel Image's header (text_offset 0): data, never a hole, and
	# the first memory record's first page.
	data=$(vmm inspect --json "$T_DIR/memflip.snap" | sed -n 's/.*"type": "memory".*"data_offset": \([0-9]*\)}.*/\1/p' | head -n 1)
	at=$((${data:-0} + 256))
	printf '\377' | dd of="$T_DIR/memflip.snap" bs=1 seek="$at" conv=notrunc 2>/dev/null
	vmm restore --check "$T_DIR/memflip.snap" >"$T_LOG.check" 2>&1
	[ $? = 8 ] || t_fail "expected restore --check, which sums the memory first, to exit 8: $(cat "$T_LOG.check")"
	vmm_cmd restore "$T_DIR/memflip.snap"
	assert_status 8
	assert_error "memory: checksum mismatch"
	t_end

	t_begin "save never writes through a symlink at its temporary name"
	echo victim >/tmp/victim
	ln -sf /tmp/victim "$T_DIR/sym.snap.tmp"
	vmm_start $(tick_args) --cmdline "$TICK" --api-socket "$SOCK" "$GUEST_KERNEL"
	t_wait_out "vmmtest: tick 2"
	save_stop "$T_DIR/sym.snap"
	[ "$(cat /tmp/victim)" = victim ] || t_fail "expected /tmp/victim untouched, it begins $(head -c 8 /tmp/victim)"
	vmm inspect "$T_DIR/sym.snap" >/dev/null 2>"$T_LOG.inspect" || t_fail "expected a good snapshot, got $(cat "$T_LOG.inspect")"
	t_end

	t_begin "a command line the kernel cannot take is refused at run, before any guest code"
	long=$(head -c 3000 /dev/zero | tr '\0' x)
	vmm_run $(tick_args) --cmdline "$long" "$GUEST_KERNEL"
	assert_status 2
	assert_error "at most 2047"
	assert_no_output
	t_end

	t_begin "a restored VM keeps its snapshot open: deleting the file loses nothing"
	cp "$T_DIR/good.snap" "$T_DIR/gone.snap"
	T_LOG=$T_LOG.restored
	vmm_start_cmd restore "$T_DIR/gone.snap"
	t_wait_out "vmmtest: tick 3" 60
	rm "$T_DIR/gone.snap"
	t_wait_out "vmmtest: tick 6" 60
	kill -TERM "$T_PID" 2>/dev/null
	vmm_wait
	assert_status 143
	t_end

	t_begin "a restored VM whose snapshot is truncated under it stops with status 14, one line"
	cp "$T_DIR/good.snap" "$T_DIR/cut.snap"
	T_LOG=$T_LOG.restored
	vmm_start_cmd restore "$T_DIR/cut.snap"
	t_wait_out "vmmtest: tick 3" 60
	: >"$T_DIR/cut.snap"
	vmm_wait
	assert_status 14
	assert_error "truncated or changed"
	rm -f "$T_DIR/cut.snap"
	t_end

	t_begin "saving on 6.1, pinned to PSCI 1.1, for the other hosts"
	vmm_start --mem 64M --psci 1.1 --api-socket "$SOCK" "$PROBE"
	t_wait_out "probe: seq=2"
	probe_seq_line "$T_LOG.raw" 1 >"$SNAPS/probe-6.1.line"
	save_stop "$SNAPS/probe-6.1.snap"
	tr -d '\r' <"$T_LOG.raw" | sed -n 's/^probe: seq=\([0-9]*\) .*/\1/p' | tail -n 1 >"$SNAPS/probe-6.1.seq"
	grep -q "psci_version=0x10001 " "$SNAPS/probe-6.1.line" || t_fail "expected the probe to see PSCI 1.1"
	vmm_start $(tick_args) --cmdline "$TICK" --cpus 2 --psci 1.1 --api-socket "$SOCK" "$GUEST_KERNEL"
	t_wait_out "vmmtest: tick 3"
	save_stop "$SNAPS/linux-6.1.snap"
	last_tick "$T_LOG.raw" >"$SNAPS/linux-6.1.tick"
	t_end
fi

if [ "${T_PASS:-1}" = 1 ] && [ "$HOST_KERNEL" != 6.1 ] &&
	t_have "$SNAPS/probe-6.1.snap" 6.1 "snapshots from a 6.1 host restore here"; then
	t_begin "snapshot from a 6.1 host: --check says it restores here"
	vmm_cmd restore --check "$SNAPS/probe-6.1.snap"
	assert_status 0
	t_end

	t_begin "snapshot from a 6.1 host: the probe's line is the same after restore"
	T_LOG=$T_LOG.restored
	seq=$(cat "$SNAPS/probe-6.1.seq")
	vmm_start_cmd restore -v "$SNAPS/probe-6.1.snap"
	t_wait_out "probe: seq=$((seq + 2))" 60
	kill -TERM "$T_PID"
	vmm_wait
	assert_status 143
	after=$(probe_seq_line "$T_LOG.out" $((seq + 1)))
	[ "$after" = "$(cat "$SNAPS/probe-6.1.line")" ] ||
		t_fail "expected the line from before the save, got: $after"
	echo "$after" | grep -q "psci_version=0x10001 " || t_fail "expected PSCI 1.1 after restore"
	t_end

	t_begin "snapshot from a 6.1 host: the linux guest keeps counting"
	# /share is 9p without SEEK_DATA: the hole check reads all 256 MiB through it, and the
	# guest's pages come through it one fault at a time (27-37 s on a 7.x host, measured).
	restore_counts "$SNAPS/linux-6.1.snap" "$(cat "$SNAPS/linux-6.1.tick")" 150
	t_end
fi

if [ "${T_PASS:-1}" = 1 ] && [ "$HOST_KERNEL" = 7 ]; then
	t_begin "saving on 7.x, unpinned (PSCI 1.3), for a 6.1 host to refuse"
	vmm_start --mem 64M --api-socket "$SOCK" "$PROBE"
	t_wait_out "probe: seq=1"
	save_stop "$SNAPS/probe-7.snap"
	grep -q "psci_version=0x10003 " "$T_LOG.out" || t_fail "expected the unpinned probe to see PSCI 1.3"
	t_end
fi

# 6.12 runs after 7 in its first pass, 6.1 in its second.
if { [ "$HOST_KERNEL" = 6.12 ] || { [ "$HOST_KERNEL" = 6.1 ] && [ "${T_PASS:-1}" = 2 ]; }; } &&
	t_have "$SNAPS/probe-7.snap" 7 "an unpinned snapshot from a 7.x host is refused here"; then
	t_begin "snapshot of an unpinned guest from a 7.x host is refused, naming PSCI"
	vmm_cmd restore "$SNAPS/probe-7.snap"
	assert_status 8
	assert_error "PSCI_VERSION = 1.3"
	assert_no_output
	vmm_cmd restore --check "$SNAPS/probe-7.snap"
	assert_status 8
	t_end
fi
