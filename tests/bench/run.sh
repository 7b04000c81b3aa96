#!/bin/bash
# run.sh: the benchmark driver behind `make bench`.
#
#   OMV_BUILD=build OMV_BIN=/abs/omv tests/bench/run.sh [WHAT...]
#
# WHAT is any of: the name of a C benchmark (tests/bench/NAME.c), `c` (all of
# them) or `console` (tests/bench/console.sh); default everything.
#
# Each tests/bench/*.c is built against $OMV_BUILD/libomv.a with the
# project's compiler flags and the libraries' pkg-config flags (the package
# list is read from the Makefile), into $OMV_BUILD/tests/bench/NAME, and run
# from the repository root with a private $TMPDIR.  Then console.sh measures
# omv's pane against a tmux pane.  Benchmarks print numbers and ratios
# against the real peers measured in the same run; the driver fails only
# when one does not build or exits non-zero.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
BUILD=${OMV_BUILD:-build}
export OMV_BIN=${OMV_BIN:-$ROOT/omv}
CC=${CC:-cc}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-600}	# seconds for any one benchmark

# The library list the Makefile links with, so both stay in step.
pkgs=$(sed -n 's/^PKGS[[:space:]]*=[[:space:]]*//p' Makefile 2>/dev/null)
[ -n "$pkgs" ] || pkgs="libssh vterm libconfig cmocka sqlite3 ncursesw libcrypto"
# shellcheck disable=SC2086
PKG_CFLAGS=$(pkg-config --cflags $pkgs 2>/dev/null)
# shellcheck disable=SC2086
PKG_LIBS=$(pkg-config --libs $pkgs 2>/dev/null)
WARN="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wwrite-strings -Wformat=2 -Wno-format-nonliteral -Werror"

ran=0
failed=0
failures=""
results=()

# note NAME STATUS SECONDS: one row of the closing summary.
note() {
	results+=("$(printf '%-24s %-8s %6ss' "$1" "$2" "$3")")
	ran=$((ran + 1))
	if [ "$2" != ok ]; then
		failed=$((failed + 1))
		failures="$failures $1"
	fi
}

# wanted NAME KIND: true when the command line asks for NAME (of KIND c or
# console), or asks for nothing.
wanted() {
	local w
	[ ${#ARGS[@]} -eq 0 ] && return 0
	for w in "${ARGS[@]}"; do
		[ "$w" = "$1" ] || [ "$w" = "$2" ] && return 0
	done
	return 1
}

# build_c SRC BIN: compile one C benchmark unless its binary is up to date.
build_c() {
	local src=$1 bin=$2
	if [ -x "$bin" ] && [ "$bin" -nt "$src" ] && [ "$bin" -nt "$BUILD/libomv.a" ]; then
		return 0
	fi
	mkdir -p "$(dirname "$bin")"
	# shellcheck disable=SC2086
	"$CC" -std=c11 -D_GNU_SOURCE $WARN -Iinclude -I"$BUILD" $PKG_CFLAGS \
	    -O2 -g -o "$bin" "$src" "$BUILD/libomv.a" $PKG_LIBS -lm
}

# run_timed NAME CMD...: run a benchmark, its output as it comes.
run_timed() {
	local name=$1 t0 rc tmp
	shift
	tmp=$(mktemp -d /tmp/omv-bench-"$name".XXXXXX) || return 1
	t0=$SECONDS
	TMPDIR=$tmp timeout "$BENCH_TIMEOUT" "$@"
	rc=$?
	rm -rf "$tmp"
	if [ $rc -eq 0 ]; then
		note "$name" ok $((SECONDS - t0))
	elif [ $rc -eq 124 ]; then
		echo "bench: $name: timed out after ${BENCH_TIMEOUT}s"
		note "$name" timeout $((SECONDS - t0))
	else
		echo "bench: $name: exit status $rc"
		note "$name" failed $((SECONDS - t0))
	fi
}

ARGS=("$@")
for a in "${ARGS[@]}"; do
	case "$a" in
	c | console | exec) ;;
	*) [ -f "tests/bench/$a.c" ] || { echo "bench: no benchmark $a" >&2; exit 2; } ;;
	esac
done

echo "bench: $(uname -srm), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
if ! [ -f "$BUILD/libomv.a" ]; then
	echo "bench: $BUILD/libomv.a is missing (run make first)" >&2
	exit 2
fi

for src in tests/bench/*.c; do
	[ -e "$src" ] || continue
	name=$(basename "$src" .c)
	wanted "$name" c || continue
	echo
	echo "== $name"
	bin=$BUILD/tests/bench/$name
	if ! build_c "$src" "$bin"; then
		echo "bench: $name does not build"
		note "$name" "no build" 0
		continue
	fi
	run_timed "$name" "$bin"
done

if wanted console console; then
	echo
	echo "== console (omv vs tmux)"
	run_timed console tests/bench/console.sh
fi

if wanted exec exec; then
	echo
	echo "== exec (omv vs parallel-ssh vs ansible, 200 servers)"
	run_timed exec tests/bench/bench-exec.sh
fi

echo
echo "== summary"
for r in "${results[@]}"; do
	echo "$r"
done
[ -n "$failures" ] && echo "failing:$failures"
echo "$ran run, $failed failed"
[ "$failed" -eq 0 ]
