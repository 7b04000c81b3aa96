#!/bin/bash
# run.sh SECONDS TARGET...: run each libFuzzer target for SECONDS, two at a
# time (this machine has two cores), and print executions and crashes.
set -u
secs=$1
shift
dir=$(cd "$(dirname "$0")" && pwd)
status=0
run_one() {
	local bin=$1 name corpus log
	name=$(basename "$bin")
	corpus=$dir/corpus-$name
	mkdir -p "$corpus"
	log=$(mktemp)
	"$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$dir/$name-" "$corpus" >"$log" 2>&1
	local rc=$?
	local execs
	execs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | awk '{print $2}')
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $name: ${execs:-?} executions in ${secs}s, 0 crashes"
	else
		echo "fuzz $name: FAILED (exit $rc); see $dir/$name-*"
		tail -30 "$log"
	fi
	rm -f "$log"
	return $rc
}
pids=()
for t in "$@"; do
	run_one "$t" &
	pids+=($!)
	if [ ${#pids[@]} -ge 2 ]; then
		wait "${pids[0]}" || status=1
		pids=("${pids[@]:1}")
	fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
