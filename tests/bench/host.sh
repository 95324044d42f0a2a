# vmm benchmark, run inside the emulated arm64 host by tests/bench/run (busybox sh, POSIX only).
# usage: sh host.sh BOOTS SNAPSHOT_REPS
# Prints one "raw NAME VALUE..." line per measurement (times in ns of CLOCK_MONOTONIC) and
# "bench-error: ..." for anything vmm did wrong; tests/bench/run turns them into the table.
# Console and stderr logs go to the host's tmpfs while measuring (a 9p write per console byte
# would slow the guest down) and are copied to the share at the end.

BOOTS=${1:-5}
SNAPSHOT_REPS=${2:-3}
KERNEL=/guest/Image-6.1
INITRD=/guest/initrd-test.cpio.gz
PROBE=/guest/probe.img
LOGS=/tmp/bench-logs
FIFO=/tmp/bench-console
SOCKET=/tmp/bench.sock
mkdir -p "$LOGS"

# busybox date has no %N, and forking sed for /proc/uptime costs about 15 ms under TCG; the
# shell's own read of /proc/timer_list gives the monotonic clock in ns without a fork.
now_ns() {
	if [ -r /proc/timer_list ]; then
		{ read -r _; read -r _; read -r NOW; } </proc/timer_list
		NOW=${NOW#now at }
		NOW=${NOW% nsecs}
	else
		read -r NOW _ </proc/uptime
		# The leading 1 keeps a fraction like "08" from reading as octal.
		NOW=$((${NOW%.*} * 1000000000 + (1${NOW#*.} - 100) * 10000000))
	fi
}

error() {
	echo "bench-error: $*"
}

# start_console CMD...: CMD in the background, its console into $FIFO, read on fd 4.
start_console() {
	rm -f "$FIFO"
	mkfifo "$FIFO"
	timeout -s KILL 180 "$@" </dev/null >"$FIFO" 2>"$ERR" &
	PID=$!
	exec 4<"$FIFO"
}

# wait_console TEXT: reads console lines into $OUT until one contains TEXT; 1 if the VMM ended.
wait_console() {
	while IFS= read -r line <&4; do
		echo "$line" >>"$OUT"
		case $line in *"$1"*) return 0 ;; esac
	done
	return 1
}

# finish_console: waits for the VMM (after it was told to go), keeps the rest of its console.
finish_console() {
	cat <&4 >>"$OUT"
	exec 4<&-
	wait "$PID"
	STATUS=$?
}

linux_args() {
	echo --mem "$1" --initrd "$INITRD"
}

# Reading the guest images over 9p once, so every timed run finds them in the page cache.
cat "$KERNEL" "$INITRD" "$PROBE" >/dev/null

echo "raw host $(uname -r) $(nproc)"

for cpus in 1 4; do
	i=1
	while [ "$i" -le "$BOOTS" ]; do
		OUT=$LOGS/boot-$cpus-$i.out
		ERR=$LOGS/boot-$cpus-$i.err
		now_ns
		t0=$NOW
		timeout -s KILL 180 vmm run -v --cpus "$cpus" $(linux_args 256M) \
			--cmdline "quiet vmmtest=poweroff" "$KERNEL" </dev/null >"$OUT" 2>"$ERR"
		status=$?
		now_ns
		first=$(sed -n 's/^vmm: first KVM_RUN \([0-9.]*\) ms after vmm started$/\1/p' "$ERR")
		echo "raw boot$cpus $((NOW - t0)) $status ${first:-none}"
		[ "$status" = 0 ] || error "vmm run --cpus $cpus ... vmmtest=poweroff exited with $status: $(tail -n 1 "$ERR")"
		grep -q "vmmtest: cpus=$cpus" "$OUT" || error "boot $cpus-$i: the guest never printed 'vmmtest: cpus=$cpus'"
		rss=$(sed -n 's/^vmm: peak RSS \([0-9]*\) KiB, of which guest RAM \([0-9]*\) KiB$/\1 \2/p' "$ERR")
		[ -n "$rss" ] && echo "raw rss$cpus $rss"
		i=$((i + 1))
	done
done

i=1
while [ "$i" -le "$BOOTS" ]; do
	OUT=$LOGS/probe-$i.out
	ERR=$LOGS/probe-$i.err
	now_ns
	t0=$NOW
	start_console vmm run --mem 256M "$PROBE"
	if wait_console "probe: seq="; then
		now_ns
		echo "raw probe $((NOW - t0))"
	else
		error "vmm run --mem 256M $PROBE ended before its first line: $(tail -n 1 "$ERR")"
	fi
	kill "$PID" 2>/dev/null
	finish_console
	i=$((i + 1))
done

# A tick guest of $1 MiB, saved with --stop once it printed "tick 2", then restored.
snapshot_round() {
	mib=$1
	rep=$2
	snap=/tmp/bench-snap-$mib
	rm -f "$snap" "$SOCKET"
	OUT=$LOGS/save-$mib-$rep.out
	ERR=$LOGS/save-$mib-$rep.err
	start_console vmm run $(linux_args "${mib}M") --api-socket "$SOCKET" \
		--cmdline "quiet vmmtest=tick" "$KERNEL"
	# The tick interval of the running guest, to compare with the restored guest's first tick.
	if wait_console "vmmtest: tick 1"; then
		now_ns
		t0=$NOW
	fi
	if ! wait_console "vmmtest: tick 2"; then
		finish_console
		error "vmm run --mem ${mib}M ... vmmtest=tick ended ($STATUS) before tick 2: $(tail -n 1 "$ERR")"
		return
	fi
	now_ns
	echo "raw tick$mib $((NOW - t0))"
	t0=$NOW
	vmm save --stop --socket "$SOCKET" "$snap" >"$LOGS/save-$mib-$rep.client" 2>&1
	status=$?
	now_ns
	t1=$NOW
	finish_console
	if [ "$status" != 0 ]; then
		error "vmm save --stop --socket $SOCKET $snap exited with $status: $(head -c 300 "$LOGS/save-$mib-$rep.client")"
		return
	fi
	[ "$STATUS" = 0 ] || error "vmm run --mem ${mib}M exited with $STATUS after save --stop: $(tail -n 1 "$ERR")"
	apparent=$(stat -c %s "$snap")
	allocated=$(du -k "$snap" | cut -f1)
	vmm inspect "$snap" >"$LOGS/inspect-$mib-$rep.txt" 2>&1 ||
		error "vmm inspect $snap: $(head -c 300 "$LOGS/inspect-$mib-$rep.txt")"
	data=$(sed -n 's/.* pages hold data (\([0-9]*\)K).*/\1/p' "$LOGS/inspect-$mib-$rep.txt")
	echo "raw save$mib $((t1 - t0)) $apparent $allocated ${data:-0}"

	# Writing the same amount of data with dd: what the save costs over a plain write.
	count=$(((${data:-0} + 1023) / 1024))
	now_ns
	t0=$NOW
	dd if=/dev/zero of=/tmp/bench-dd bs=1M count="$count" conv=fsync 2>/dev/null
	now_ns
	echo "raw dd$mib $((NOW - t0)) $count"
	rm -f /tmp/bench-dd

	OUT=$LOGS/restore-$mib-$rep.out
	ERR=$LOGS/restore-$mib-$rep.err
	now_ns
	t0=$NOW
	start_console vmm restore -v "$snap"
	if wait_console "vmmtest: tick"; then
		now_ns
		t1=$NOW
		kill "$PID"
		finish_console
		first=$(sed -n 's/^vmm: first KVM_RUN \([0-9.]*\) ms after vmm started$/\1/p' "$ERR")
		echo "raw restore$mib ${first:-none} $((t1 - t0)) $STATUS"
		[ -n "$first" ] || error "vmm restore -v $snap printed no 'first KVM_RUN' line"
		[ "$STATUS" = 143 ] || error "vmm restore -v $snap: SIGTERM gave status $STATUS, not 143"
	else
		finish_console
		error "vmm restore -v $snap ended ($STATUS) before the next tick: $(tail -n 1 "$ERR")"
	fi
	rm -f "$snap"
}

for mib in 256 1024; do
	rep=1
	while [ "$rep" -le "$SNAPSHOT_REPS" ]; do
		snapshot_round "$mib" "$rep"
		rep=$((rep + 1))
	done
done

cp -r "$LOGS" /share/logs
