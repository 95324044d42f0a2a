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
# Bookworm's QEMU for arm64 (guest-images/build --qemu). The host is busybox only, so its dynamic
# loader and libraries come from the same tree; nothing here has spaces, so $QEMU is split freely.
QEMU_DIR=/guest/qemu-arm64
QEMU_LIBS=$QEMU_DIR/usr/lib/aarch64-linux-gnu:$QEMU_DIR/lib/aarch64-linux-gnu
QEMU="$QEMU_DIR/lib/ld-linux-aarch64.so.1 --library-path $QEMU_LIBS $QEMU_DIR/usr/bin/qemu-system-aarch64"
QMP=/tmp/bench-qmp
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

# qemu_machine CPUS MEM: QEMU's options for the guest vmm runs, minus -append (it has spaces).
# Its virt UART is a PL011 on stdout; no ROM, NIC or disk, so nothing is loaded that vmm lacks.
qemu_machine() {
	echo -M virt,gic-version=3 -accel kvm -cpu host -smp "$1" -m "$2" -nographic -nodefaults \
		-serial stdio -no-reboot -kernel "$KERNEL" -initrd "$INITRD"
}

# ram_thp NAME PID MIB: Size, Rss and AnonHugePages (KiB) of PID's guest-RAM mapping, the one of
# exactly MIB MiB in /proc/PID/smaps, else the largest.
ram_thp() {
	thp=$(awk -v want=$(($3 * 1024)) '
		/^[0-9a-f]+-[0-9a-f]+ / { m++; size[m] = rss[m] = huge[m] = 0; next }
		$1 == "Size:" { size[m] = $2 }
		$1 == "Rss:" { rss[m] = $2 }
		$1 == "AnonHugePages:" { huge[m] = $2 }
		END {
			best = 0
			size[0] = 0
			for (i = 1; i <= m && !best; i++)
				if (size[i] == want)
					best = i
			for (i = 1; i <= m && size[best] != want; i++)
				if (size[i] > size[best])
					best = i
			if (best)
				print size[best], rss[best], huge[best]
		}' "/proc/$2/smaps" 2>/dev/null)
	if [ -n "$thp" ]; then
		echo "raw $1 $thp"
	else
		error "$1: no guest-RAM mapping in /proc/$2/smaps"
	fi
}

# json_summary ERR: JSON is vmm's --json line, the last line of its stderr ERR; 1 when vmm printed
# none (it died, or was killed before its exit), so the caller says so in a bench-error line.
json_summary() {
	JSON=$(tail -n 1 "$1")
	case $JSON in '{"exit_status": '*'"phases": ['*'}]}') return 0 ;; esac
	JSON=''
	return 1
}

# json_field NAME: VAL is the number NAME holds in $JSON's summary (before the phases, so a
# phase's field of the same name never matches), "none" when it is not there. No fork.
json_field() {
	VAL=${JSON%%'"phases"'*}
	case $VAL in *"\"$1\": "*) ;; *) VAL=none; return ;; esac
	VAL=${VAL#*"\"$1\": "}
	VAL=${VAL%%,*}
}

# json_phases KEY: one "raw phase KEY INDEX GUEST WALL_MS CPU_MS AT_MS NAME..." line per phase
# of $JSON, the name last since it has spaces; tests/bench/run takes the medians per name.
json_phases() {
	echo "$JSON" | awk -v key="$1" '{
		n = split($0, p, /\{"name": "/)
		for (i = 2; i <= n; i++) {
			name = substr(p[i], 1, index(p[i], "\"") - 1)
			f = p[i]
			wall = f; sub(/.*"wall_ms": /, "", wall); sub(/,.*/, "", wall)
			cpu = f; sub(/.*"cpu_ms": /, "", cpu); sub(/,.*/, "", cpu)
			at = f; sub(/.*"at_ms": /, "", at); sub(/,.*/, "", at)
			guest = f ~ /"guest": true/ ? 1 : 0
			print "raw phase", key, i - 1, guest, wall, cpu, at, name
		}
	}'
}

# vmm_json WHAT ERR STATUS: JSON from the stderr ERR of the vmm command WHAT, which the shell saw
# end with STATUS; a bench-error line when there is none (then 1) or when its exit_status differs.
vmm_json() {
	if ! json_summary "$2"; then
		error "$1 printed no --json line (status $3): $(tail -n 1 "$2")"
		return 1
	fi
	json_field exit_status
	[ "$VAL" = "$3" ] || error "$1: its --json line says exit_status $VAL, the shell saw $3"
	return 0
}

# json_rss NAME: "raw NAME PEAK_KIB GUEST_RAM_KIB" from $JSON; vmm gives -1 for what it could
# not measure, which is an error here, not a row of nonsense.
json_rss() {
	json_field peak_rss_kib
	peak=$VAL
	json_field guest_ram_kib
	case "$peak $VAL" in
	*-1* | *none*) error "$1: vmm's --json line has peak_rss_kib $peak, guest_ram_kib $VAL" ;;
	*) echo "raw $1 $peak $VAL" ;;
	esac
}

# qmp JSON: one QMP command to the QEMU whose monitor is on fds 5 (in) and 6 (out); REPLY holds
# its answer line, events in between are skipped. 1 when QEMU ended or answered with an error.
qmp() {
	echo "$1" >&5
	while IFS= read -r REPLY <&6; do
		echo "$REPLY" >>"$LOGS/qmp.log"
		case $REPLY in
		'{"return"'*) return 0 ;;
		'{"error"'*) return 1 ;;
		esac
	done
	REPLY="QEMU ended"
	return 1
}

# Reading the guest images over 9p once, so every timed run finds them in the page cache.
cat "$KERNEL" "$INITRD" "$PROBE" >/dev/null

echo "raw host $(uname -r) $(nproc)"
thp=$(sed -n 's/.*\[\(.*\)\].*/\1/p' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
echo "raw thp-enabled ${thp:-unknown}"
# The host's memory and its tmpfs /tmp (where the snapshots go), both in KiB, for the header.
echo "raw hostmem $(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo) $(df -k /tmp | awk 'NR == 2 { print $2 }')"

# QEMU's rows are left out (one line says why) when it is not there or does not start.
HAVE_QEMU=0
if [ ! -x "$QEMU_DIR/usr/bin/qemu-system-aarch64" ]; then
	echo "raw qemu missing"
elif $QEMU -version >"$LOGS/qemu-version" 2>&1; then
	HAVE_QEMU=1
	echo "raw qemu $(sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p' "$LOGS/qemu-version")"
else
	echo "raw qemu failed"
	error "$QEMU -version failed, so no QEMU rows: $(head -c 300 "$LOGS/qemu-version")"
fi

# qemu_boot CPUS N: the same guest under QEMU with KVM, boot to power-off.
qemu_boot() {
	OUT=$LOGS/qboot-$1-$2.out
	ERR=$LOGS/qboot-$1-$2.err
	now_ns
	t0=$NOW
	timeout -s KILL 180 $QEMU $(qemu_machine "$1" 256M) \
		-append "console=ttyAMA0 quiet vmmtest=poweroff" </dev/null >"$OUT" 2>"$ERR"
	status=$?
	now_ns
	echo "raw qboot$1 $((NOW - t0)) $status"
	[ "$status" = 0 ] ||
		error "qemu -smp $1 ... vmmtest=poweroff exited with $status: $(tail -n 1 "$ERR")"
	grep -q "vmmtest: cpus=$1" "$OUT" ||
		error "qemu boot $1-$2: the guest never printed 'vmmtest: cpus=$1'"
}

for cpus in 1 4; do
	i=1
	while [ "$i" -le "$BOOTS" ]; do
		OUT=$LOGS/boot-$cpus-$i.out
		ERR=$LOGS/boot-$cpus-$i.err
		now_ns
		t0=$NOW
		timeout -s KILL 180 vmm run --json --cpus "$cpus" $(linux_args 256M) \
			--cmdline "quiet vmmtest=poweroff" "$KERNEL" </dev/null >"$OUT" 2>"$ERR"
		status=$?
		now_ns
		wall=$((NOW - t0))
		[ "$status" = 0 ] || error "vmm run --cpus $cpus ... vmmtest=poweroff exited with $status: $(tail -n 1 "$ERR")"
		grep -q "vmmtest: cpus=$cpus" "$OUT" || error "boot $cpus-$i: the guest never printed 'vmmtest: cpus=$cpus'"
		# The wall clock above minus guest_ms is vmm's own time seen from outside: exec, setup,
		# teardown and the process's exit, which own_before_ms and own_after_ms cannot see.
		before=none after=none guest=none
		if vmm_json "vmm run --cpus $cpus ... vmmtest=poweroff (boot $i)" "$ERR" "$status"; then
			json_field own_before_ms
			before=$VAL
			json_field own_after_ms
			after=$VAL
			json_field guest_ms
			guest=$VAL
			json_rss "rss$cpus"
			[ "$cpus" = 1 ] && json_phases boot1
		fi
		echo "raw boot$cpus $wall $status $before $after $guest"
		# QEMU right after vmm, so both see the same load on the shared cores.
		[ "$HAVE_QEMU" = 1 ] && qemu_boot "$cpus" "$i"
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
	# --json: its line at exit (after save --stop) gives this fresh boot's first KVM_RUN, which
	# a restore of the same machine (vCPUs, RAM, control socket) should not take longer to reach.
	start_console vmm run --json $(linux_args "${mib}M") --api-socket "$SOCKET" \
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
	ram_thp "thpfresh$mib" "$PID" "$mib"
	now_ns
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
	fresh=none
	if vmm_json "vmm run --mem ${mib}M ... --api-socket (round $rep)" "$ERR" "$STATUS"; then
		json_field own_before_ms
		fresh=$VAL
		echo "raw fresh$mib $fresh"
	fi
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
	start_console vmm restore --json "$snap"
	if wait_console "vmmtest: tick"; then
		now_ns
		t1=$NOW
		ram_thp "thprestore$mib" "$PID" "$mib"
		kill "$PID"
		finish_console
		[ "$STATUS" = 143 ] || error "vmm restore $snap: SIGTERM gave status $STATUS, not 143"
		# The fresh boot's first KVM_RUN rides along, so tests/bench/run pairs them round by round.
		first=none after=none
		if vmm_json "vmm restore $snap (round $rep)" "$ERR" "$STATUS"; then
			json_field own_before_ms
			first=$VAL
			json_field own_after_ms
			after=$VAL
			json_rss "rssrestore$mib"
			[ "$mib" = 256 ] && json_phases "restore$mib"
		fi
		echo "raw restore$mib $first $((t1 - t0)) $STATUS $fresh $after"
	else
		finish_console
		error "vmm restore $snap ended ($STATUS) before the next tick: $(tail -n 1 "$ERR")"
	fi
	rm -f "$snap"
}

# qmp_open: fds 5 and 6 on the QMP FIFOs of QEMU $PID, capabilities negotiated. Opening a FIFO
# to read waits for a writer, so first wait until QEMU holds it (it opens both read-write), or
# until QEMU is gone. fd 5 read-write too, so writing after QEMU died cannot SIGPIPE this shell.
qmp_open() {
	while ! ls -l "/proc/$PID/fd" 2>/dev/null | grep -q "$QMP.out"; do
		kill -0 "$PID" 2>/dev/null || return 1
		usleep 10000
	done
	exec 5<>"$QMP.in" 6<"$QMP.out"
	read -r REPLY <&6 # the greeting
	qmp '{"execute":"qmp_capabilities"}'
}

qmp_close() {
	exec 5>&- 6<&-
}

# qmp_migrated: polls query-migrate (every 10 ms, so the shell leaves the 2 CPUs to QEMU) until
# the migration is over; 0 when it completed.
qmp_migrated() {
	while qmp '{"execute":"query-migrate"}'; do
		case $REPLY in
		*'"status": "completed"'*) return 0 ;;
		*'"status": "failed"'* | *'"status": "cancelled"'*) return 1 ;;
		esac
		usleep 10000
	done
	return 1
}

# The same tick guest under QEMU, as a user saves and restores one: stop, migrate to a file (QEMU
# 7.2 has no file: URI, so exec:cat), quit; then a new QEMU with -incoming from that file and,
# once it is in (it stays paused, as the saved VM was), cont; timed to the guest's next tick.
qemu_snapshot_round() {
	mib=$1
	rep=$2
	state=/tmp/bench-qstate-$mib
	rm -f "$state" "$QMP.in" "$QMP.out"
	mkfifo "$QMP.in" "$QMP.out"
	OUT=$LOGS/qsave-$mib-$rep.out
	ERR=$LOGS/qsave-$mib-$rep.err
	start_console $QEMU $(qemu_machine 1 "${mib}M") -append "console=ttyAMA0 quiet vmmtest=tick" \
		-chardev "pipe,id=qmp,path=$QMP" -mon chardev=qmp,mode=control
	if ! wait_console "vmmtest: tick 2"; then
		finish_console
		error "qemu -m ${mib}M ... vmmtest=tick ended ($STATUS) before tick 2: $(tail -n 1 "$ERR")"
		return
	fi
	ram_thp "qthp$mib" "$PID" "$mib"
	ok=0
	# QEMU throttles migration to 32 MiB/s by default; a save to a file wants it unthrottled.
	if qmp_open &&
		qmp '{"execute":"migrate-set-parameters","arguments":{"max-bandwidth":1099511627776}}'; then
		now_ns
		t0=$NOW
		qmp '{"execute":"stop"}' &&
			qmp '{"execute":"migrate","arguments":{"uri":"exec:cat >'"$state"'"}}' &&
			qmp_migrated && ok=1
		now_ns
		t1=$NOW
		[ "$ok" = 1 ] ||
			error "qemu migrate to $state did not complete: $(echo "$REPLY" | head -c 300)"
	else
		error "qemu's QMP did not answer: $(echo "$REPLY" | head -c 300)"
	fi
	qmp '{"execute":"quit"}'
	qmp_close
	finish_console
	[ "$ok" = 1 ] || return
	echo "raw qsave$mib $((t1 - t0)) $(stat -c %s "$state")"

	OUT=$LOGS/qrestore-$mib-$rep.out
	ERR=$LOGS/qrestore-$mib-$rep.err
	rm -f "$QMP.in" "$QMP.out"
	mkfifo "$QMP.in" "$QMP.out"
	now_ns
	t0=$NOW
	start_console $QEMU $(qemu_machine 1 "${mib}M") -append "console=ttyAMA0 quiet vmmtest=tick" \
		-chardev "pipe,id=qmp,path=$QMP" -mon chardev=qmp,mode=control -incoming "exec:cat $state"
	if qmp_open && qmp_migrated && qmp '{"execute":"cont"}' && wait_console "vmmtest: tick"; then
		now_ns
		echo "raw qrestore$mib $((NOW - t0))"
		qmp_close
		kill "$PID"
		finish_console
	else
		qmp_close
		kill "$PID" 2>/dev/null
		finish_console
		error "qemu -incoming exec:cat $state: no tick after cont (status $STATUS):" \
			"$(echo "$REPLY" | head -c 200) $(tail -n 1 "$ERR")"
	fi
	rm -f "$state" "$QMP.in" "$QMP.out"
}

# vmm also at 4G, to see restore stay flat; QEMU's 4G migrate would take too long. A 4G tick
# guest's snapshot is sparse (about 130 MB allocated), well inside the host's tmpfs /tmp.
for mib in 256 1024 4096; do
	rep=1
	while [ "$rep" -le "$SNAPSHOT_REPS" ]; do
		snapshot_round "$mib" "$rep"
		[ "$HAVE_QEMU" = 1 ] && [ "$mib" -le 1024 ] && qemu_snapshot_round "$mib" "$rep"
		rep=$((rep + 1))
	done
done

cp -r "$LOGS" /share/logs
