#!/bin/bash
# run.sh: the test runner.  run.sh unit|e2e|all [UNIT_BINARY...]
# Runs the cmocka binaries (their own summary lines stay in the output), then
# every tests/e2e/*.sh (each prints PASS/FAIL/SKIP lines), and closes with
# one "N passed, N failed" line over everything.
set -u
cd "$(dirname "$0")/.." || exit 2
what=${1:-all}
shift
passed=0 failed=0 skipped=0
failures=""

run_unit() {
	local bin=$1 out rc p f
	out=$(mktemp)
	OMV_TEST_DATA=tests/data "$bin" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		failed=$((failed + 1))	# crashed before its summary
		echo "FAIL $(basename "$bin"): exited $rc without a summary"
	fi
	[ "$rc" -ne 0 ] && failures="$failures $(basename "$bin")"
	rm -f "$out"
}

run_e2e() {
	local t=$1 out rc p f s
	out=$(mktemp)
	timeout 600 bash "$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^PASS' "$out")
	f=$(grep -c '^FAIL' "$out")
	s=$(grep -c '^SKIP' "$out")
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		failed=$((failed + 1))
		echo "FAIL $(basename "$t"): exited $rc"
	fi
	[ "$rc" -ne 0 ] || [ "$f" -ne 0 ] && failures="$failures $(basename "$t")"
	rm -f "$out"
}

if [ "$what" = unit ] || [ "$what" = all ]; then
	for b in "$@"; do
		echo "== unit: $(basename "$b")"
		run_unit "$b"
	done
fi
if [ "$what" = e2e ] || [ "$what" = all ]; then
	for t in tests/e2e/*.sh; do
		[ -e "$t" ] || continue
		case "$(basename "$t")" in lib.sh) continue ;; esac
		echo "== e2e: $(basename "$t")"
		run_e2e "$t"
	done
fi
echo
[ -n "$failures" ] && echo "failing:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
