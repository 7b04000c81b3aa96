#!/bin/bash
# demo.sh: `make demo`.  Starts the loopback test bed (tests/testbed.sh) in
# a temporary directory, opens the console on its config, and stops the
# test bed when the console exits - however it exits.
#
#   OMV_BIN=/path/to/omv tests/demo.sh [--servers N] [omv arguments...]
#
# As root the demo logs in as a throwaway account (removed afterwards), not
# as root.  Set OMV_DEMO_KEEP=1 to keep the directory (audit database,
# recordings) after the console exits.
set -u
cd "$(dirname "$0")/.." || exit 1
OMV_BIN=${OMV_BIN:-$(pwd)/omv}
[ -x "$OMV_BIN" ] || { echo "demo: $OMV_BIN not built (run make)" >&2; exit 1; }

servers=9
if [ "${1:-}" = "--servers" ]; then
	servers=${2:?--servers needs a number}
	shift 2
fi

DIR=$(mktemp -d "${TMPDIR:-/tmp}/omv-demo.XXXXXX") || exit 1
cleanup() {
	trap - EXIT INT TERM HUP
	tests/testbed.sh stop "$DIR"
	if [ "${OMV_DEMO_KEEP:-0}" = 1 ]; then
		echo "demo: files kept in $DIR" >&2
	else
		rm -rf "$DIR"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

args=(start "$DIR" --servers "$servers")
[ "$(id -u)" -eq 0 ] && args+=(--user "omvdemo$$")
tests/testbed.sh "${args[@]}" || exit 1

echo "demo: config $DIR/omv.conf; starting the console" >&2
"$OMV_BIN" -c "$DIR/omv.conf" "$@"
rc=$?
[ $rc -ne 0 ] && echo "demo: omv exited with status $rc" >&2
exit $rc
