#!/bin/sh
# record.sh: record the command-line tracker's fixtures again from their
# scripts, in real bash and zsh sessions (a pty each, a scratch HOME).
# Run from the repository root after `make`:
#
#   tests/data/cmdline/record.sh [NAME...]     (default: every *.script)
#
# A shell that is not installed is skipped with a message (install zsh with
# `tests/deps.sh install zsh` as root).  The sessions type with a pause for
# each echo, so a run takes about a minute; scripts run in parallel.
set -u
cd "$(dirname "$0")/../../.." || exit 2
BUILD=${OMV_BUILD:-build}
make --no-print-directory omv "$BUILD/tests/helpers/cmdline-record" >/dev/null || exit 1
OMV_BIN=$(pwd)/omv
export OMV_BIN
dir=tests/data/cmdline
if [ $# -eq 0 ]; then
	set -- $(cd $dir && ls *.script | sed 's/\.script$//')
fi
status=0
pids=""
for name in "$@"; do
	shell=$(sed -n 's/^spawn \([^ ]*\).*/\1/p' "$dir/$name.script")
	if ! command -v "$shell" >/dev/null 2>&1; then
		echo "SKIP $name: $shell is not installed"
		continue
	fi
	"$BUILD/tests/helpers/cmdline-record" "$dir/$name.script" \
	    "$dir/$name.rec.new" &
	pids="$pids $!:$name"
done
for p in $pids; do
	name=${p#*:}
	if wait "${p%%:*}"; then
		mv "$dir/$name.rec.new" "$dir/$name.rec"
		echo "recorded $dir/$name.rec"
	else
		rm -f "$dir/$name.rec.new"
		echo "FAIL $name"
		status=1
	fi
done
exit $status
