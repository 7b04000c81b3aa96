# lib.sh: helpers for end-to-end tests, sourced by tests/e2e/*.sh.
# A private tmux server per test script, a fixed terminal size, and polling
# of capture-pane with a deadline (never a bare sleep).
set -u
E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OMV=${OMV_BIN:-$E2E_ROOT/omv}
TMUX_SOCK=omvt$$
E2E_PASSED=0
E2E_FAILED=0
E2E_TMP=$(mktemp -d /tmp/omv-e2e.XXXXXX)
chmod 711 "$E2E_TMP"	# test accounts read the test bed inside it

t() { tmux -L "$TMUX_SOCK" -f /dev/null "$@"; }

e2e_cleanup() {
	t kill-server >/dev/null 2>&1
	[ -n "${TESTBED_DIR:-}" ] && "$E2E_ROOT/tests/testbed.sh" stop "$TESTBED_DIR" >/dev/null 2>&1
	rm -rf "$E2E_TMP"
}
trap e2e_cleanup EXIT

pass() { echo "PASS $1"; E2E_PASSED=$((E2E_PASSED + 1)); }
fail() {
	echo "FAIL $1: $2"
	E2E_FAILED=$((E2E_FAILED + 1))
	if [ -n "${3:-}" ]; then
		echo "--- screen of window $3:"
		t capture-pane -p -t "$3" 2>/dev/null | sed 's/^/| /'
		echo "---"
	fi
}
skip() { echo "SKIP $1: $2"; }

# start_console NAME WIDTH HEIGHT ARGS...: run omv in a new tmux session NAME.
start_console() {
	local name=$1 w=$2 h=$3
	shift 3
	t new-session -d -s "$name" -x "$w" -y "$h" \
	    -e "LANG=C.UTF-8" -e "LC_ALL=C.UTF-8" -e "TERM=xterm-256color" \
	    "$(printf '%q ' "$OMV" "$@")"
	t set-option -t "$name" remain-on-exit on >/dev/null 2>&1
}

# screen TARGET: the visible text of a tmux pane.
screen() { t capture-pane -p -t "$1" 2>/dev/null; }

# wait_for TARGET REGEX [SECONDS]: poll the screen until REGEX matches.
wait_for() {
	local target=$1 re=$2 secs=${3:-10} end
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	while [ $(( $(date +%s%N) / 1000000 )) -lt "$end" ]; do
		if screen "$target" | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# wait_gone TARGET REGEX [SECONDS]: poll until REGEX no longer matches.
wait_gone() {
	local target=$1 re=$2 secs=${3:-10} end
	end=$(( $(date +%s%N) / 1000000 + secs * 1000 ))
	while [ $(( $(date +%s%N) / 1000000 )) -lt "$end" ]; do
		if ! screen "$target" | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

keys() { local target=$1; shift; t send-keys -t "$target" "$@"; }
typed() { local target=$1; shift; t send-keys -t "$target" -l "$*"; }

# testbed_start [ARGS]: start the loopback sshd test bed; sets TESTBED_DIR and
# imports its variables (PORT, CONFIG, KEY, KNOWN_HOSTS, ...).
testbed_start() {
	TESTBED_DIR=$E2E_TMP/bed
	mkdir -p "$TESTBED_DIR"
	"$E2E_ROOT/tests/testbed.sh" start "$TESTBED_DIR" "$@" >"$E2E_TMP/testbed.log" 2>&1 || {
		echo "FAIL testbed: could not start sshd"; cat "$E2E_TMP/testbed.log"; exit 1; }
	eval "$("$E2E_ROOT/tests/testbed.sh" env "$TESTBED_DIR")"
}

e2e_done() {
	echo "$E2E_PASSED passed, $E2E_FAILED failed"
	[ "$E2E_FAILED" -eq 0 ]
}
