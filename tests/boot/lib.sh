# Boot-test helpers, sourced inside the emulated arm64 host (busybox sh, POSIX only).
# A test reads: t_begin NAME; vmm_run ARGS...; assert_* ...; t_end.
# Each t_end prints "ok - NAME" or "not ok - NAME: what was expected, what came" and
# the runner outside counts those lines.

GUEST_IMAGES=/guest
GUEST_KERNEL=${GUEST_KERNEL:-$GUEST_IMAGES/Image-6.1}
GUEST_INITRD=$GUEST_IMAGES/initrd-test.cpio.gz
PROBE=$GUEST_IMAGES/probe.img
T_TIMEOUT=${T_TIMEOUT:-180}
T_PASSED=0
T_FAILED=0
T_SKIPPED=0

case $(uname -r) in
6.1.*) HOST_KERNEL=6.1 ;;
6.12.*) HOST_KERNEL=6.12 ;;
7.*) HOST_KERNEL=7 ;;
*) HOST_KERNEL=$(uname -r) ;;
esac

# Logs are written to the host's own RAM, not the 9p share: the guest console
# writes a byte at a time, and a 9p round trip per byte slows the guest down.
T_DIR=$(mktemp -d)

t_begin() {
	T_NAME="host $HOST_KERNEL: $1"
	T_LOG=$T_DIR/$(echo "$HOST_KERNEL-$1" | tr -c 'A-Za-z0-9.\n-' '_')
	T_BASE=$T_LOG
	T_ERR=
}

# The guest's console ends lines with CR LF; tests look at lines without the CR.
vmm_run() {
	vmm_cmd run "$@"
}

# vmm_cmd COMMAND ARGS...: any vmm command, output kept as vmm_run keeps it.
vmm_cmd() {
	timeout -s KILL "$T_TIMEOUT" vmm "$@" </dev/null >"$T_LOG.raw" 2>"$T_LOG.err"
	T_STATUS=$?
	tr -d '\r' <"$T_LOG.raw" >"$T_LOG.out"
}

# Like vmm_run, but in the background with a FIFO on stdin; t_wait_out and t_type drive it.
vmm_start() {
	vmm_start_cmd run "$@"
}

vmm_start_cmd() {
	rm -f "$T_LOG.in"
	mkfifo "$T_LOG.in"
	timeout -s KILL "$T_TIMEOUT" vmm "$@" <"$T_LOG.in" >"$T_LOG.raw" 2>"$T_LOG.err" &
	T_PID=$!
	exec 3>"$T_LOG.in"
}

vmm_wait() {
	exec 3>&-
	wait "$T_PID"
	T_STATUS=$?
	tr -d '\r' <"$T_LOG.raw" >"$T_LOG.out"
}

# t_wait_out TEXT [SECS]: waits until the console has printed a line containing TEXT.
t_wait_out() {
	t_secs=${2:-$T_TIMEOUT}
	while [ "$t_secs" -gt 0 ]; do
		[ -f "$T_LOG.raw" ] && tr -d '\r' <"$T_LOG.raw" | grep -qF -- "$1" && return 0
		kill -0 "$T_PID" 2>/dev/null || break
		sleep 1
		t_secs=$((t_secs - 1))
	done
	t_fail "console never showed '$1'"
	return 1
}

t_type() {
	printf "$1" >&3
}

t_fail() {
	[ -n "$T_ERR" ] || T_ERR=$1
}

assert_status() {
	[ "$T_STATUS" = "$1" ] || t_fail "expected exit status $1, got $T_STATUS"
}

# assert_line LINE: the console printed exactly this line.
assert_line() {
	grep -qxF -- "$1" "$T_LOG.out" ||
		t_fail "expected the line '$1', got $(grep -m1 -F -- "${2:-${1%%=*}}" "$T_LOG.out" || echo nothing like it)"
}

assert_no_output() {
	[ ! -s "$T_LOG.raw" ] || t_fail "expected no guest output, got $(wc -c <"$T_LOG.raw") bytes"
}

# assert_error TEXT: exactly one line on stderr, and it mentions TEXT.
assert_error() {
	t_lines=$(wc -l <"$T_LOG.err")
	[ "$t_lines" = 1 ] || t_fail "expected one line on stderr, got $t_lines"
	grep -qF -- "$1" "$T_LOG.err" || t_fail "expected stderr to mention '$1', got '$(head -c 200 "$T_LOG.err")'"
}

t_end() {
	# Kept in the share for whoever reads a failure; FIFOs would block cp.
	mkdir -p "$HOST_KERNEL"
	for t_file in "$T_BASE"*; do
		[ -f "$t_file" ] && cp "$t_file" "$HOST_KERNEL"/
	done
	if [ -z "$T_ERR" ]; then
		echo "ok - $T_NAME"
		T_PASSED=$((T_PASSED + 1))
	else
		echo "not ok - $T_NAME: $T_ERR"
		T_FAILED=$((T_FAILED + 1))
		echo "# stderr: $(head -c 300 "$T_LOG.err" 2>/dev/null)"
		echo "# console tail:"
		tail -n 15 "$T_LOG.out" 2>/dev/null | sed 's/^/#   /'
	fi
}

# t_skip NAME REASON: a test that cannot run in this run, counted as skipped, never as passed.
t_skip() {
	echo "skip - host $HOST_KERNEL: $1: $2"
	T_SKIPPED=$((T_SKIPPED + 1))
}

# t_have FILE KERNEL NAME: true when FILE, which the KERNEL host writes, is here. Otherwise
# NAME fails when that host ran earlier in this run (T_KERNELS), and is skipped when it did not.
t_have() {
	[ -f "$1" ] && return 0
	case " $T_KERNELS " in
	*" $2 "*)
		t_begin "$3"
		t_fail "expected $1 from the $2 host earlier in this run; it is missing"
		t_end
		;;
	*) t_skip "$3" "no $2 host in this run to write $(basename "$1")" ;;
	esac
	return 1
}

t_summary() {
	echo "# host $HOST_KERNEL: $T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
	[ "$T_FAILED" = 0 ]
}

# t_disk NAME: prints the path of a fresh writable 64 MiB ext4 disk image in the host's /tmp,
# a copy of /guest/disk-64M.ext4 (the host has no mke2fs); vmm's data disk for disk tests.
t_disk() {
	cp "$GUEST_IMAGES/disk-64M.ext4" "/tmp/$1.ext4" || {
		t_fail "cannot copy $GUEST_IMAGES/disk-64M.ext4 to /tmp/$1.ext4"
		return 1
	}
	echo "/tmp/$1.ext4"
}
