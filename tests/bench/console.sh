#!/bin/bash
# console.sh: omv's pane against a tmux pane, measured in the same run, at the
# same pane size (120x40), over ssh to the same loopback sshd as the same user.
#
#   OMV_BIN=/abs/path/omv tests/bench/console.sh
#
#   BENCH_REPS=N          timed runs per workload and program (default 5; the
#                         median is reported)
#   BENCH_IDLE_SECONDS=N  length of the idle measurement (default 10)
#   BENCH_PERF=1          after the timed runs, one more run of each workload
#                         under `perf record` (omv's process, then the tmux
#                         server) and the top symbols of each
#   BENCH_STRICT=1        exit 1 when omv misses a target
#   BENCH_KEEP=1          keep the scratch directory (results, perf data)
#
# What is measured:
#   throughput  (a) `seq 1 2000000`, (b) 15 MB of 100-column lines with SGR
#               colours, `cat` on the remote: seconds from the Enter that
#               starts the command to its end marker being on the screen,
#               and the CPU the receiving side spent (omv's process; the
#               tmux server + tmux client + ssh).  Ratio = tmux / omv, so
#               above 1 means omv is faster; the target is 1.5.
#   memory      VmRSS growth for one pane holding 10,000 lines of history.
#               omv: RSS after filling minus RSS right after connecting (the
#               history), and minus a fresh console with no server open (the
#               whole pane, libssh session included).  tmux: the server's
#               growth from connecting and from before the pane's window was
#               made, plus the ssh client process each tmux pane needs (omv's
#               ssh is in-process).
#   idle        8 connected panes doing nothing: CPU time and wakeups
#               (voluntary context switches) over BENCH_IDLE_SECONDS; omv's
#               process against the tmux server + client + 8 ssh processes,
#               each drawing into a 200x60 terminal.
#
# Why the setup is fair:
#   - Both programs draw into a terminal: a pane of a private "outer" tmux
#     server that nobody attaches to, used only as the terminal and read
#     with capture-pane.  It works for both and is not charged to either;
#     its CPU is shown as "term".
#   - omv runs in an outer pane of 149x42: sidebar 28 + separator 1 columns,
#     a title row and the status row around a 120x40 pane.
#   - tmux under test has its own server (status off, history-limit 10000,
#     as omv's scrollback = 10000) with a 120x40 window running OpenSSH's
#     ssh, and a tmux client attached to it runs in an outer pane of 120x40.
#     Attached matters: detached, tmux draws nothing and runs about twice as
#     fast, while omv always draws.
#   - `stty size` must say "40 120" in both panes before anything is timed.
#   - Keys go through the outer tmux to each program, as typing would.  The
#     typed line says X-$((N+0))-END; only the output says X-N-END, so the
#     marker on the screen means the data went through ssh, the emulator and
#     the drawing, and reached the terminal.  Both screens are polled the
#     same way (capture-pane every 25 ms).
#   - Runs alternate between the programs, and which goes first alternates
#     too, so load from elsewhere on the machine falls on both alike.
#   - Cipher: omv uses libssh's default, ssh OpenSSH's; the transport is a
#     small share of either side's time (BENCH_PERF=1 shows omv's).
set -u
export LC_ALL=C.UTF-8 LANG=C.UTF-8
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OMV_SRC=${OMV_BIN:-$ROOT/omv}
REPS=${BENCH_REPS:-5}
IDLE=${BENCH_IDLE_SECONDS:-10}
W=120 H=40			# the pane under test
OW=$((W + 29)) OH=$((H + 2))	# omv's terminal: sidebar + separator, title + status
IW=200 IH=60			# the terminal for the 8 idle panes
SEQ_N=2000000
LOG_BYTES=15000000
FILL_LINES=12000		# more than the 10,000 lines of history kept
TIMEOUT=180			# seconds for one run before giving up

OUTER=omvbo$$
INNER=omvbi$$
TMPD=$(mktemp -d /tmp/omv-bench.XXXXXX) || exit 2
chmod 0711 "$TMPD"		# the test account reads the test bed and data
BED=$TMPD/bed
RESULTS=$TMPD/results
: >"$RESULTS"
exec {NAPFD}<> <(:)		# a pipe nobody writes: read -t on it sleeps

# shellcheck disable=SC2317	# called by the EXIT trap
cleanup() {
	tmux -L "$OUTER" kill-server >/dev/null 2>&1
	tmux -L "$INNER" kill-server >/dev/null 2>&1
	[ -d "$BED" ] && "$ROOT/tests/testbed.sh" stop "$BED" >/dev/null 2>&1
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "bench: scratch directory kept: $TMPD" >&2
	else
		rm -rf "$TMPD"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() {
	echo "bench: $*" >&2
	exit 2
}

# Sleep for $1 seconds without a fork.
nap() {
	read -rt "$1" -u "$NAPFD"
	return 0
}

# Microseconds on the wall clock, into the variable named $1.
now_us() {
	local t=$EPOCHREALTIME
	printf -v "$1" '%s' "${t/./}"
}

o() { tmux -L "$OUTER" -f /dev/null "$@"; }
i() { tmux -L "$INNER" -f "$TMPD/inner.conf" "$@"; }

# The visible text of outer pane $1.
screen() { o capture-pane -p -t "$1" 2>/dev/null; }

# Print the screen of outer pane $1 and fail with message $2.
fail_screen() {
	echo "bench: $2; screen of $1:" >&2
	screen "$1" | sed 's/^/| /' >&2
	exit 2
}

# await TARGET ERE SECONDS: poll the screen until it matches ERE.
await() {
	local end
	end=$((SECONDS + $3))
	while [ $SECONDS -le $end ]; do
		screen "$1" | grep -Eq -- "$2" && return 0
		nap 0.05
	done
	return 1
}

# await_count TARGET ERE N SECONDS: until ERE occurs N times on the screen.
await_count() {
	local end n
	end=$((SECONDS + $4))
	while [ $SECONDS -le $end ]; do
		n=$(screen "$1" | grep -Eo -- "$2" | wc -l)
		[ "$n" -ge "$3" ] && return 0
		nap 0.1
	done
	return 1
}

# CPU nanoseconds used so far by processes $@, every thread (schedstat).
cpu_ns() {
	local p f v sum=0
	for p in "$@"; do
		for f in /proc/"$p"/task/*/schedstat; do
			[ -r "$f" ] || continue
			read -r v _ <"$f" && sum=$((sum + v))
		done
	done
	echo "$sum"
}

# Voluntary context switches so far of processes $@: each is a sleep, so
# when idle, one per wakeup (involuntary ones are preemptions by others).
ctxt() {
	local p f k v sum=0
	for p in "$@"; do
		for f in /proc/"$p"/task/*/status; do
			while read -r k v; do
				[ "$k" = voluntary_ctxt_switches: ] &&
				    sum=$((sum + v))
			done <"$f"
		done
	done
	echo "$sum"
}

# Field $2 (VmRSS in status, Pss in smaps_rollup) of process $1, in KiB.
mem_kib() {
	local file=status
	[ "$2" = Pss ] && file=smaps_rollup
	awk -v k="$2:" '$1 == k { print $2; exit }' "/proc/$1/$file"
}

# The first process of outer pane $1 (its command runs under exec).
pane_pid() { o display -p -t "$1" '#{pane_pid}'; }

# start_omv NAME WIDTH HEIGHT ARGS...: omv in a new outer session.
start_omv() {
	local name=$1 w=$2 h=$3
	shift 3
	o new-session -d -s "$name" -x "$w" -y "$h" "exec $(printf '%q ' "$OMV" "$@")"
	o set-option -t "$name" remain-on-exit on >/dev/null
}

# start_tmux NAME WIDTH HEIGHT COMMAND: a fresh tmux under test running
# COMMAND in a WIDTHxHEIGHT window, with its client attached in a new outer
# session of the same size.
start_tmux() {
	local name=$1 w=$2 h=$3 cmd=$4
	i kill-server >/dev/null 2>&1
	i new-session -d -s bench -x "$w" -y "$h" "exec $cmd" || die "tmux under test did not start"
	o new-session -d -s "$name" -x "$w" -y "$h" \
	    "unset TMUX; exec tmux -L $INNER attach -t bench"
	o set-option -t "$name" remain-on-exit on >/dev/null
}

# ssh to server address $1 as OpenSSH's client, shell-quoted.
ssh_cmd() {
	printf '%q ' ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes \
	    -o UserKnownHostsFile="$KNOWN_HOSTS" -o IdentitiesOnly=yes \
	    -o LogLevel=ERROR -i "$KEY" -p "$PORT" "$LOGIN@$1"
}

# The prompt of the test account's shell, at the end of a screen line.
PROMPT_RE='\$ ?(│.*)?$'

# type_line TARGET TEXT: type TEXT (no Enter) and wait for its echo.
type_line() {
	o send-keys -t "$1" -l "$2"
	await "$1" "$(printf '%s' "${2: -12}" | sed 's/[][\.*^$()+?{}|]/\\&/g')" 10 ||
	    fail_screen "$1" "typed text did not echo"
}

# clear_pane TARGET: clear the screen and wait for a prompt on it.
clear_pane() {
	o send-keys -t "$1" -l 'clear'
	o send-keys -t "$1" Enter
	await "$1" "$PROMPT_RE" 20 || fail_screen "$1" "no prompt after clear"
	nap 0.3
}

MARK=1000
# timed TARGET COMMAND: run COMMAND then the end marker in TARGET; sets
# WALL_US to the microseconds from Enter to the marker on screen.
timed() {
	local target=$1 cmd=$2 m t0 t1 end s
	MARK=$((MARK + 1))
	m="X-$MARK-END"
	type_line "$target" "$cmd; echo X-\$(($MARK+0))-END"
	end=$((SECONDS + TIMEOUT))
	now_us t0
	o send-keys -t "$target" Enter
	while :; do
		now_us t1
		s=$(o capture-pane -p -t "$target" 2>/dev/null)
		[[ $s == *"$m"* ]] && break
		[ $SECONDS -le $end ] || fail_screen "$target" "no end marker after ${TIMEOUT}s"
		nap 0.025
	done
	WALL_US=$((t1 - t0))
}

# ---------------------------------------------------------------------------
[ -x "$OMV_SRC" ] || die "no omv binary at $OMV_SRC (set OMV_BIN)"
for c in tmux ssh awk; do
	command -v "$c" >/dev/null || die "$c is not installed"
done
# A private copy, so a rebuild during the run cannot change what is measured.
OMV=$TMPD/omv
cp "$OMV_SRC" "$OMV" || die "cannot copy $OMV_SRC"

mkdir -p "$BED"
if [ "$(id -u)" -eq 0 ]; then
	# root's .bashrc is slow and not what an operator's account runs
	bedargs=(--servers 8 --user "omvb$$")
else
	bedargs=(--servers 8)
fi
"$ROOT/tests/testbed.sh" start "$BED" "${bedargs[@]}" >"$TMPD/testbed.log" 2>&1 || {
	cat "$TMPD/testbed.log" >&2
	die "test bed did not start"
}
eval "$("$ROOT/tests/testbed.sh" env "$BED")"
mapfile -t NAMES < <(awk '{ print $1 }' "$BED/servers")
mapfile -t ADDRS8 < <(awk '{ print $3 }' "$BED/servers")
[ "${#NAMES[@]}" -ge 8 ] || die "test bed has fewer than 8 servers"

# The console's config: the test bed's, with the scrollback made explicit.
CFG=$TMPD/omv.conf
(umask 077; cat "$CONFIG" - >"$CFG" <<'EOF'
ui = {
  scrollback = 10000;
};
EOF
)
cat >"$TMPD/inner.conf" <<'EOF'
set -g status off
set -g history-limit 10000
EOF

# Workload (b) on the "remote" (this machine): 100 visible columns a line,
# a dim timestamp, a bold coloured level, a cyan host, a 256-colour tail.
mkdir -p "$TMPD/data"
chmod 0755 "$TMPD/data"
LOG=$TMPD/data/colour.log
awk -v total="$LOG_BYTES" 'BEGIN {
	split("INFO WARN ERROR DEBUG", lv, " ")
	split("32 33 31 36", lc, " ")
	split("GET POST PUT DELETE", mt, " ")
	fill = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789"
	e = sprintf("%c", 27)
	for (n = i = 0; n < total; i++) {
		k = i % 4 + 1
		ts = sprintf("2024-05-01T%02d:%02d:%02d.%03dZ", int(i / 3600000) % 24,
		    int(i / 60000) % 60, int(i / 1000) % 60, i % 1000)
		level = sprintf("%-5s", lv[k])
		host = sprintf("web-%02d", i % 17)
		msg = sprintf("%s /api/v1/items/%07d status=%d bytes=%d", mt[k],
		    (i * 7919) % 10000000, 200 + (i % 5) * 100, (i * 31) % 65536)
		vis = ts " " level " " host " " msg " "
		tail = substr(fill, 1 + i % 7, 100 - length(vis))
		line = e "[2m" ts e "[0m " e "[1;" lc[k] "m" level e "[0m " \
		    e "[36m" host e "[0m " msg " " e "[38;5;" (16 + i % 200) "m" \
		    tail e "[0m"
		print line
		n += length(line) + 1
	}
}' >"$LOG" || die "cannot write $LOG"
chmod 0644 "$LOG"
log_bytes=$(wc -c <"$LOG")
seq_bytes=$(seq 1 "$SEQ_N" | wc -c)

# --- throughput ---------------------------------------------------------------
start_omv omv "$OW" "$OH" -c "$CFG" "${NAMES[0]}"
start_tmux tmux "$W" "$H" "$(ssh_cmd "${ADDRS8[0]}")"
for t in omv tmux; do
	await $t "$PROMPT_RE" 30 || fail_screen $t "no shell prompt"
done
OMV_PID=$(pane_pid omv)
TCLI_PID=$(pane_pid tmux)
TSRV_PID=$(i display -p '#{pid}')
SSH_PID=$(i display -p -t bench '#{pane_pid}')
TERM_PID=$(o display -p '#{pid}')
for t in omv tmux; do
	clear_pane $t
	type_line $t 'stty size'
	o send-keys -t $t Enter
	await $t '(^|│)40 120$' 10 || fail_screen $t "pane is not 120x40"
done

declare -A WCMD=(
	[seq]="seq 1 $SEQ_N"
	[log]="cat $LOG"
)
# run_one WORKLOAD PROGRAM REP: one timed run, appended to the results.
run_one() {
	local w=$1 t=$2 pids c0 c1 k0 k1
	if [ "$t" = omv ]; then
		pids=("$OMV_PID")
	else
		pids=("$TSRV_PID" "$TCLI_PID" "$SSH_PID")
	fi
	clear_pane "$t"
	c0=$(cpu_ns "${pids[@]}")
	k0=$(cpu_ns "$TERM_PID")
	timed "$t" "${WCMD[$w]}"
	c1=$(cpu_ns "${pids[@]}")
	k1=$(cpu_ns "$TERM_PID")
	echo "$w $t $3 $WALL_US $((c1 - c0)) $((k1 - k0))" >>"$RESULTS"
	printf 'bench:   %-4s %-4s run %d: %6.2f s\n' "$w" "$t" "$3" \
	    "$(awk -v u="$WALL_US" 'BEGIN { print u / 1e6 }')" >&2
}

echo "bench: throughput, $REPS runs each (load average: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
for w in seq log; do
	for r in $(seq 1 "$REPS"); do
		if [ $((r % 2)) -eq 1 ]; then
			run_one $w omv "$r"
			run_one $w tmux "$r"
		else
			run_one $w tmux "$r"
			run_one $w omv "$r"
		fi
	done
done

# profile TARGET PID WORKLOAD: one more run with perf sampling PID.  For
# omv, DWARF call graphs give the share of each stage (inclusive); for the
# tmux server, the flat profile is enough to compare.
profile() {
	local target=$1 pid=$2 w=$3 data=$TMPD/perf-$3-$1.data perfpid
	local -a cg=()
	[ "$target" = omv ] && cg=(--call-graph "dwarf,16384")
	clear_pane "$target"
	perf record -q -F 499 "${cg[@]}" -p "$pid" -o "$data" >/dev/null 2>&1 &
	perfpid=$!
	nap 0.5
	timed "$target" "${WCMD[$w]}"
	kill -INT "$perfpid" 2>/dev/null
	wait "$perfpid" 2>/dev/null
	echo "-- $w, $target (pid $pid): $(awk -v u="$WALL_US" 'BEGIN { printf "%.2f", u / 1e6 }') s under perf"
	if [ "$target" = omv ]; then
		echo "   stages, share of omv's samples (inclusive):"
		perf report -i "$data" --stdio --children --sort symbol -g none 2>/dev/null |
		    awk '!seen[$4]++ && $4 ~ /^(conn_read|vt_scan|vt_history_push|record_output|ui_draw|doupdate_sp|ssh_channel_read_nonblocking|audit_append)$/ {
			    print "     " $1 "  " $4 }'
		echo "   top symbols (self):"
	fi
	perf report -i "$data" --stdio --no-children --sort dso,symbol -g none \
	    --percent-limit 2 2>/dev/null | grep -v -e '^#' -e '^$' | head -15 |
	    sed 's/  *- *- *$//; s/^/   /'
}
PROFILES=""
if [ "${BENCH_PERF:-0}" = 1 ]; then
	if command -v perf >/dev/null; then
		PROFILES=$(for w in seq log; do
			profile omv "$OMV_PID" $w
			profile tmux "$TSRV_PID" $w
		done)
	else
		PROFILES="perf is not installed"
	fi
fi
o kill-session -t omv
o kill-session -t tmux
i kill-server >/dev/null 2>&1

# --- memory -------------------------------------------------------------------
echo "bench: memory" >&2
declare -A FILL=(
	[seq]="seq 1 $FILL_LINES"
	[log]="head -n $FILL_LINES $LOG"
)
start_omv empty "$OW" "$OH" -c "$CFG"
await empty '\(empty\)' 15 || fail_screen empty "console did not start"
nap 1
OMV_EMPTY=$(mem_kib "$(pane_pid empty)" VmRSS)
o kill-session -t empty
for w in seq log; do
	start_omv m$w "$OW" "$OH" -c "$CFG" "${NAMES[0]}"
	await m$w "$PROMPT_RE" 30 || fail_screen m$w "no shell prompt"
	nap 1
	pid=$(pane_pid m$w)
	conn=$(mem_kib "$pid" VmRSS)
	timed m$w "${FILL[$w]}"
	nap 1
	fill=$(mem_kib "$pid" VmRSS)
	echo "mem $w omv $conn $fill" >>"$RESULTS"
	o kill-session -t m$w

	# tmux: a placeholder window first, so the server's own start-up is
	# in the baseline, then a window with the ssh pane.
	start_tmux t$w "$W" "$H" cat
	nap 1
	spid=$(i display -p '#{pid}')
	base=$(mem_kib "$spid" VmRSS)
	i new-window -t bench "exec $(ssh_cmd "${ADDRS8[0]}")"
	await t$w "$PROMPT_RE" 30 || fail_screen t$w "no shell prompt"
	nap 1
	conn=$(mem_kib "$spid" VmRSS)
	timed t$w "${FILL[$w]}"
	nap 1
	fill=$(mem_kib "$spid" VmRSS)
	sshpid=$(i display -p -t bench '#{pane_pid}')
	hist=$(i display -p -t bench '#{history_size}')
	echo "mem $w tmux $conn $fill $base $(mem_kib "$sshpid" VmRSS) $(mem_kib "$sshpid" Pss) $hist" >>"$RESULTS"
	o kill-session -t t$w
	i kill-server >/dev/null 2>&1
done

# --- idle ---------------------------------------------------------------------
echo "bench: idle, 8 panes, ${IDLE}s each" >&2
# sample NAME PIDS [-- NAME PIDS]...: CPU ns and wakeups of each group of
# processes over the same IDLE seconds.
sample() {
	local -a names=() groups=() c0=() k0=()
	local g="" x n
	for x in "$@" --; do
		if [ "$x" = -- ]; then
			groups+=("$g")
			g=""
		elif [ -z "$g" ] && [ ${#names[@]} -eq ${#groups[@]} ]; then
			names+=("$x")
		else
			g="$g $x"
		fi
	done
	nap 2
	# shellcheck disable=SC2086	# each group is a list of pids
	for n in "${!groups[@]}"; do
		c0[n]=$(cpu_ns ${groups[n]})
		k0[n]=$(ctxt ${groups[n]})
	done
	nap "$IDLE"
	# shellcheck disable=SC2086
	for n in "${!groups[@]}"; do
		echo "idle ${names[n]} $(($(cpu_ns ${groups[n]}) - c0[n])) $(($(ctxt ${groups[n]}) - k0[n]))" >>"$RESULTS"
	done
}
start_omv idle "$IW" "$IH" -c "$CFG" "${NAMES[@]:0:8}"
await_count idle "$LOGIN@[^ ]*\\$" 8 60 || fail_screen idle "8 panes did not all get a prompt"
sample omv "$(pane_pid idle)"
o kill-session -t idle

start_tmux tidle "$IW" "$IH" "$(ssh_cmd "${ADDRS8[0]}")"
for n in 1 2 3 4 5 6 7; do
	i split-window -t bench "exec $(ssh_cmd "${ADDRS8[$n]}")" || die "split-window failed"
	i select-layout -t bench tiled >/dev/null
done
await_count tidle "$LOGIN@[^ ]*\\$" 8 60 || fail_screen tidle "8 panes did not all get a prompt"
mapfile -t sshpids < <(i list-panes -t bench -F '#{pane_pid}')
tsrv=$(i display -p '#{pid}')
tcli=$(pane_pid tidle)
sample tmux "$tsrv" "$tcli" -- ssh8 "${sshpids[@]}"
o kill-session -t tidle
i kill-server >/dev/null 2>&1

# --- report -------------------------------------------------------------------
awk -v reps="$REPS" -v idle="$IDLE" -v seqb="$seq_bytes" -v logb="$log_bytes" \
    -v seqn="$SEQ_N" -v fill="$FILL_LINES" -v omvempty="$OMV_EMPTY" \
    -v strict="${BENCH_STRICT:-0}" '
function median(list,    a, n, t, i, j) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function mib(k) { return k / 1024 }
function secs(list, div,    a, n, i, out) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++)
		out = out sprintf(" %.2f", a[i] / div)
	return out
}
$1 == "seq" || $1 == "log" {
	wall[$1, $2] = wall[$1, $2] " " $4
	cpu[$1, $2] = cpu[$1, $2] " " $5
	term[$1, $2] = term[$1, $2] " " $6
}
$1 == "mem" { mem[$2, $3] = $0 }
$1 == "idle" { icpu[$2] = $3; iwake[$2] = $4 }
END {
	name["seq"] = sprintf("(a) seq 1 %d, %.1f MB", seqn, seqb / 1e6)
	name["log"] = sprintf("(b) cat, %.1f MB colour, 100 cols", logb / 1e6)
	bytes["seq"] = seqb; bytes["log"] = logb
	printf "console: omv pane vs tmux pane (attached), %dx%d, ssh to 127.0.0.1, median of %d runs\n\n", 120, 40, reps
	printf "%-36s %8s %8s %7s %9s %9s\n", "throughput", "omv s", "tmux s",
	    "ratio", "omv MB/s", "tmux MB/s"
	miss = ""
	split("seq log", ws, " ")
	for (x = 1; x <= 2; x++) {
		w = ws[x]
		ow = median(wall[w, "omv"]) / 1e6; tw = median(wall[w, "tmux"]) / 1e6
		r = tw / ow
		printf "%-36s %8.2f %8.2f %6.2fx %9.1f %9.1f\n", name[w], ow, tw,
		    r, bytes[w] / 1e6 / ow, bytes[w] / 1e6 / tw
		if (r < 1.5)
			miss = miss sprintf(" %s %.2fx", substr(name[w], 1, 3), r)
	}
	printf "  seconds from the Enter to the end marker on screen; ratio = tmux s / omv s (above 1: omv faster)\n"
	for (x = 1; x <= 2; x++) {
		w = ws[x]
		printf "  %s runs, omv:%s  tmux:%s\n", substr(name[w], 1, 3),
		    secs(wall[w, "omv"], 1e6), secs(wall[w, "tmux"], 1e6)
	}
	if (miss == "")
		printf "  target omv >= 1.5x faster on both: met\n"
	else
		printf "  target omv >= 1.5x faster on both: NOT MET:%s\n", miss

	printf "\n%-36s %8s %8s %7s %9s %9s\n", "CPU seconds per run", "omv", "tmux",
	    "ratio", "term/omv", "term/tmux"
	for (x = 1; x <= 2; x++) {
		w = ws[x]
		oc = median(cpu[w, "omv"]) / 1e9; tc = median(cpu[w, "tmux"]) / 1e9
		printf "%-36s %8.2f %8.2f %6.2fx %9.2f %9.2f\n", name[w], oc, tc, tc / oc,
		    median(term[w, "omv"]) / 1e9, median(term[w, "tmux"]) / 1e9
	}
	printf "  omv: its one process; tmux: server + client + ssh; term: the outer terminal\n"
	printf "  both draw into (charged to neither)\n"
	printf "\nmemory per pane, 10,000 lines of history (VmRSS, MiB)\n"
	printf "%-36s  %17s  %s\n", "", "------ omv ------", "---------------- tmux ---------------"
	printf "%-36s %8s %8s %8s %8s %11s %8s\n", "fill", "history", "pane", "history", "pane", "ssh RSS/Pss", "pane+ssh"
	split("seq log", ws, " ")
	fname["seq"] = sprintf("seq 1 %d (short lines)", fill)
	fname["log"] = sprintf("%d lines of (b), 100 cols", fill)
	for (x = 1; x <= 2; x++) {
		w = ws[x]
		split(mem[w, "omv"], a, " ")
		split(mem[w, "tmux"], b, " ")
		printf "%-36s %8.1f %8.1f %8.1f %8.1f %6.1f/%-4.1f %8.1f\n", fname[w],
		    mib(a[5] - a[4]), mib(a[5] - omvempty),
		    mib(b[5] - b[4]), mib(b[5] - b[6]), mib(b[7]), mib(b[8]),
		    mib(b[5] - b[6] + b[7])
		hist = hist " " b[9]
	}
	printf "  history: growth from connected to filled; pane: growth from no pane at all;\n"
	printf "  pane+ssh: tmux pane plus its ssh client process (RSS); omv pane includes its ssh\n"
	printf "  (tmux history_size after filling:%s)\n", hist
	printf "\nidle: 8 connected panes, %d s\n", idle
	printf "%-36s %10s %10s\n", "", "CPU ms", "wakeups/s"
	printf "%-36s %10.1f %10.1f\n", "omv (one process)", icpu["omv"] / 1e6, iwake["omv"] / idle
	printf "%-36s %10.1f %10.1f\n", "tmux server + client", icpu["tmux"] / 1e6, iwake["tmux"] / idle
	printf "%-36s %10.1f %10.1f\n", "8 ssh clients (tmux)", icpu["ssh8"] / 1e6, iwake["ssh8"] / idle
	printf "%-36s %10.1f %10.1f\n", "tmux total", (icpu["tmux"] + icpu["ssh8"]) / 1e6,
	    (iwake["tmux"] + iwake["ssh8"]) / idle
	exit (strict == 1 && miss != "") ? 1 : 0
}' "$RESULTS"
rc=$?
if [ -n "$PROFILES" ]; then
	echo
	echo "profiles (BENCH_PERF=1):"
	echo "$PROFILES"
fi
exit $rc
