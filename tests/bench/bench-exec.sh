#!/bin/bash
# bench-exec.sh: fan-out speed, omv exec against the real peers on the same
# hosts, keys and known_hosts in one run: `uname -a` on 200 loopback servers
# (tests/testbed.sh: OpenSSH's sshd), 50 at a time.
#
#   omv exec --parallel 50            (libssh, one process, one poll loop)
#   parallel-ssh -p 50                (Debian's pssh: an ssh process per host)
#   ansible all -f 50 -m command      (Debian's ansible, ad hoc)
#
# Prints each tool's wall time (the median of REPEAT runs) and the ratios;
# the target is omv at most half of parallel-ssh's time.  This is a
# benchmark, not a test: it fails only when a tool does not run every host.
# As root it installs pssh and ansible when missing (tests/deps.sh) and logs
# in as a fresh account (root's .bashrc is slow); a peer that cannot be
# installed is reported and left out.
#
#   SERVERS=200 PARALLEL=50 REPEAT=3 ANSIBLE_REPEAT=1 tests/bench/bench-exec.sh
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
OMV=${OMV_BIN:-$ROOT/omv}
SERVERS=${SERVERS:-200}
PARALLEL=${PARALLEL:-50}
REPEAT=${REPEAT:-3}
ANSIBLE_REPEAT=${ANSIBLE_REPEAT:-1}	# ansible is slow: once by default
TMP=$(mktemp -d /tmp/omv-bench-exec.XXXXXX)
chmod 711 "$TMP"
BED=$TMP/bed

cleanup() {
	"$ROOT/tests/testbed.sh" stop "$BED" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

[ -x "$OMV" ] || { echo "bench-exec: $OMV missing (make first)"; exit 2; }
if [ "$(id -u)" -eq 0 ]; then
	"$ROOT/tests/deps.sh" install pssh ansible >/dev/null 2>&1 ||
	    echo "bench-exec: could not install pssh and ansible; measuring what is here"
	USER_ARG=(--user "omvb$$")
else
	USER_ARG=()
fi
mkdir -p "$BED"
"$ROOT/tests/testbed.sh" start "$BED" --servers "$SERVERS" "${USER_ARG[@]}" \
    >"$TMP/testbed.log" 2>&1 || { cat "$TMP/testbed.log"; exit 1; }
eval "$("$ROOT/tests/testbed.sh" env "$BED")"

# The same hosts for every tool: user@address:port, one per line.
awk -v u="$LOGIN" '{ print u "@" $3 ":" $4 }' "$BED/servers" >"$TMP/hosts"
awk -v u="$LOGIN" -v k="$KEY" '{ printf "%s ansible_host=%s ansible_port=%s " \
    "ansible_user=%s ansible_ssh_private_key_file=%s\n", $1, $3, $4, u, k }' \
    "$BED/servers" >"$TMP/inventory"
SSH_OPTS="-i $KEY -o UserKnownHostsFile=$KNOWN_HOSTS -o StrictHostKeyChecking=yes -o BatchMode=yes"

# now: seconds since the epoch with milliseconds.
now() { date +%s.%N; }

# time_run NAME OKCOUNT-COMMAND -- CMD...: wall seconds of CMD; checks that
# every host answered by running the count command on its output.
time_run() {
	local name=$1 counter=$2 t0 t1 ok
	shift 3
	t0=$(now)
	"$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
	t1=$(now)
	ok=$($counter "$TMP/$name.out")
	if [ "$ok" -ne "$SERVERS" ]; then
		echo "bench-exec: $name: $ok of $SERVERS hosts answered" >&2
		tail -5 "$TMP/$name.err" "$TMP/$name.out" >&2
		echo "fail"
		return 1
	fi
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}

count_omv() { grep -cE '^[a-z]+-[a-z]+-[0-9]+ +ok +0 ' "$1"; }
count_pssh() { grep -c '\[SUCCESS\]' "$1"; }
count_ansible() { grep -c '| CHANGED | rc=0' "$1"; }

run_omv() {
	time_run omv count_omv -- "$OMV" exec -c "$CONFIG" -g production \
	    -g staging -g development --parallel "$PARALLEL" -- uname -a
}
run_pssh() {
	# shellcheck disable=SC2086
	time_run pssh count_pssh -- parallel-ssh -h "$TMP/hosts" -p "$PARALLEL" \
	    -t 120 -x "$SSH_OPTS" uname -a
}
run_ansible() {
	ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_SSH_ARGS="-o UserKnownHostsFile=$KNOWN_HOSTS -o ControlMaster=no" \
	    ANSIBLE_NOCOLOR=1 ANSIBLE_PYTHON_INTERPRETER=auto_silent \
	    time_run ansible count_ansible -- ansible all -i "$TMP/inventory" \
	    -f "$PARALLEL" -m command -a 'uname -a'
}

# median of the arguments (or "fail").
median() {
	local v
	for v in "$@"; do [ "$v" = fail ] && { echo fail; return; }; done
	printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

echo "bench-exec: uname -a on $SERVERS loopback servers, $PARALLEL at a time," \
    "median of $REPEAT ($ANSIBLE_REPEAT for ansible); $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A T
for tool in omv pssh ansible; do
	case $tool in
	pssh) command -v parallel-ssh >/dev/null || { T[$tool]=missing; continue; } ;;
	ansible) command -v ansible >/dev/null || { T[$tool]=missing; continue; } ;;
	esac
	runs=()
	n=$REPEAT
	[ $tool = ansible ] && n=$ANSIBLE_REPEAT
	for i in $(seq 1 "$n"); do
		runs+=("$(run_$tool)")
	done
	T[$tool]=$(median "${runs[@]}")
	printf '  %-13s %s s   (runs: %s)\n' "$tool" "${T[$tool]}" "${runs[*]}"
done

rc=0
for tool in omv pssh ansible; do
	[ "${T[$tool]}" = fail ] && rc=1
done
echo
printf '%-28s %8s\n' "tool" "seconds"
printf '%-28s %8s\n' "omv exec" "${T[omv]}"
for tool in pssh ansible; do
	label=$([ $tool = pssh ] && echo "parallel-ssh -p $PARALLEL" || echo "ansible -f $PARALLEL")
	case "${T[$tool]}" in
	missing | fail) printf '%-28s %8s\n' "$label" "${T[$tool]}" ;;
	*) awk -v l="$label" -v o="${T[omv]}" -v t="${T[$tool]}" 'BEGIN {
		printf "%-28s %8.2f   omv takes %.2fx its time (%.1fx faster)\n",
		    l, t, o / t, t / o }' ;;
	esac
done
case "${T[pssh]}" in
missing | fail) ;;
*)
	if awk -v o="${T[omv]}" -v p="${T[pssh]}" 'BEGIN { exit !(o <= p / 2) }'; then
		echo "target met: omv at most half of parallel-ssh's time"
	else
		echo "target missed: omv takes more than half of parallel-ssh's time"
	fi
	;;
esac
exit $rc
