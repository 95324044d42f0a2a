# The KVM-level tests (tests/kvm, after lib.sh): each program in the share's kvm-tests/
# runs once; every "ok N - WHAT", "not ok N - WHAT: WHY" and "skip N - WHAT: WHY" line it
# prints becomes a test of this suite, and one more checks that the program finished:
# its plan line counts every result line, and its status is 0 exactly when none failed.

KVM_TESTS=${KVM_TESTS:-/share/kvm-tests}
KVM_TEST_TIMEOUT=60

# Centiseconds since the host booted: busybox date has no %N.
kvm_cs() {
	tr -d . </proc/uptime | cut -d' ' -f1
}

# kvm_result NAME LINE: one result line of program NAME as a test of this suite.
kvm_result() {
	kvm_rest=${2#* - }
	case $2 in
	"ok "*)
		t_begin "kvm $1: $kvm_rest"
		t_end
		;;
	"not ok "*)
		t_begin "kvm $1: ${kvm_rest%%: *}"
		t_fail "${kvm_rest#*: }"
		t_end
		;;
	"skip "*) t_skip "kvm $1: ${kvm_rest%%: *}" "${kvm_rest#*: }" ;;
	esac
}

# kvm_program PATH: runs it and reports its lines, then whether it finished.
kvm_program() {
	kvm_name=$(basename "$1")
	t_begin "kvm $kvm_name: finishes with a plan and a status that agree"
	kvm_start=$(kvm_cs)
	timeout -s KILL "$KVM_TEST_TIMEOUT" "$1" >"$T_LOG.out" 2>"$T_LOG.err"
	T_STATUS=$?
	kvm_cs=$(($(kvm_cs) - kvm_start))
	kvm_results=$(grep -cE '^(ok|not ok|skip) [0-9]+ - ' "$T_LOG.out")
	kvm_failed=$(grep -c '^not ok ' "$T_LOG.out")
	grep -E '^(ok|not ok|skip) [0-9]+ - ' "$T_LOG.out" >"$T_LOG.results"
	while IFS= read -r kvm_line; do
		kvm_result "$kvm_name" "$kvm_line"
	done <"$T_LOG.results"
	t_begin "kvm $kvm_name: finishes with a plan and a status that agree"
	grep -qx "1\.\.$kvm_results" "$T_LOG.out" ||
		t_fail "expected the plan line 1..$kvm_results last, got '$(tail -n 1 "$T_LOG.out")' (status $T_STATUS)"
	[ "$kvm_results" -gt 0 ] || t_fail "expected at least one result line, got none"
	if [ "$kvm_failed" = 0 ]; then assert_status 0; else assert_status 1; fi
	grep '^# ' "$T_LOG.out"
	echo "# kvm $kvm_name: ${kvm_cs}0 ms, status $T_STATUS"
	t_end
}

if [ -d "$KVM_TESTS" ] && [ -n "$(ls "$KVM_TESTS")" ]; then
	for kvm_path in "$KVM_TESTS"/*; do
		kvm_program "$kvm_path"
	done
else
	t_begin "kvm: the test programs are in the share"
	t_fail "expected programs in $KVM_TESTS; run make kvm-tests before tests/boot/run-all"
	t_end
fi
