#!/bin/bash
# approvals.sh: omv approvals / approve / deny end to end, with two
# identities sharing one audit database.  The requester (A) is the user
# running the test; the approver (B) is a throwaway account made here when
# running as root (useradd -M, removed at exit).  Requests are created by
# the approval-req helper, the way a console creates them.  Not root: the
# two-account parts are skipped and B is this user again, deciding requests
# whose requester is a made-up login, so every rule is still exercised.
. "$(dirname "$0")/lib.sh"

HELPER=$E2E_ROOT/${OMV_BUILD:-build}/tests/helpers/approval-req
if [ ! -x "$HELPER" ]; then
	fail approvals-setup "no $HELPER (make ${OMV_BUILD:-build}/tests/helpers/approval-req)"
	exit 1
fi
ME=$(id -un)
W=$E2E_TMP/approvals
mkdir -p "$W/db" "$W/totp"
chmod 755 "$W" "$W/totp"
SECRET=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ	# RFC 6238's key, base32

B_USER=""
approvals_cleanup() {
	[ -n "$B_USER" ] && userdel "$B_USER" >/dev/null 2>&1
	e2e_cleanup
}
trap approvals_cleanup EXIT

if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null &&
    command -v runuser >/dev/null; then
	B_USER=omvtb$$
	if ! useradd -M -U -d /nonexistent -s /usr/sbin/nologin "$B_USER"; then
		fail approvals-setup "useradd $B_USER failed"
		B_USER=""
		exit 1
	fi
	B=$B_USER
	GROUP_LINE="group = \"$B\";"
	# The database directory is shared through B's group (setgid, so
	# the -wal and -shm files SQLite creates get the group too).
	chgrp "$B" "$W/db"
	chmod 2770 "$W/db"
	AS_A=()		# requests are A's own (root's)
	run_b() { runuser -u "$B" -- env OMV_SYSTEM_CONFIG=/nonexistent "$@"; }
	TWO=1
else
	B=$ME
	GROUP_LINE=""
	AS_A=(--requester omv-e2e-alice)
	run_b() { env OMV_SYSTEM_CONFIG=/nonexistent "$@"; }
	TWO=0
	skip approvals-two-accounts "not root: one Unix account plays both sides"
fi
export OMV_SYSTEM_CONFIG=/nonexistent
DB=$W/db/audit.db

# write_conf NAME ROLES_OF_B [EXTRA]: a config where B has those roles.
write_conf() {
	cat >"$W/$1.conf" <<EOF
roles = (
  { name = "lead"; servers = [ "*" ]; },
  { name = "ops"; servers = [ "*" ]; approvers = [ "lead" ]; }
);
users = ( { name = "$B"; roles = [ $2 ]; } );
audit = { db = "$DB"; $GROUP_LINE };
${3:-}
EOF
	chmod 644 "$W/$1.conf"
}
write_conf norole '"ops"'
write_conf lead '"lead"'
write_conf totp '"lead"' "approvals = { totp_critical = true; totp_dir = \"$W/totp\"; };"

# run CMD...: capture output (stdout and stderr) in OUT and the status in RC.
run() { OUT=$("$@" 2>&1); RC=$?; }

# request [HELPER OPTIONS]: create a request of A; prints its id.
request() {
	local g=()
	[ "$TWO" -eq 1 ] && g=(--group "$B")
	"$HELPER" create "$DB" "${g[@]}" "$@" -- "systemctl restart postgresql"
}

# status ID: "STATUS DECIDED_BY".
status() { "$HELPER" status "$DB" "$1"; }

# expect NAME WANT_RC REGEX: check the last run.
expect() {
	if [ "$RC" -ne "$2" ]; then
		fail "$1" "exit $RC, want $2: $(echo "$OUT" | head -3)"
	elif ! echo "$OUT" | grep -Eq -- "$3"; then
		fail "$1" "output lacks /$3/: $(echo "$OUT" | head -3)"
	else
		pass "$1"
	fi
}

# expect_status NAME ID WANT: the request's stored status.
expect_status() {
	local got
	got=$(status "$2")
	if [ "$got" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "status '$got', want '$3'"
	fi
}

# --- the queue as each side sees it -----------------------------------
ID1=$(request "${AS_A[@]}" --reason "ticket OPS-1")
OWN=$(request)		# a request of the user running the test
if [ -z "$ID1" ] || [ -z "$OWN" ]; then
	fail approvals-setup "the helper made no request"
	exit 1
fi

run run_b "$OMV" approvals -c "$W/lead.conf"
expect approvals-list-decidable 0 "^$ID1  pending .*expires in"
expect approvals-list-hint 0 "may decide: omv approve $ID1,"
run run_b "$OMV" approvals -c "$W/lead.conf" --json
expect approvals-list-json 0 "^\\{\"id\":$ID1,\"status\":\"pending\".*\"may_decide\":true"
run "$OMV" approvals -c "$W/lead.conf"
expect approvals-list-own 0 "cannot decide: your own request"
run run_b "$OMV" approvals -c "$W/norole.conf"
expect approvals-list-norole 0 "cannot decide: needs role lead"

# --- refusals ---------------------------------------------------------
run "$OMV" approve "$OWN" -c "$W/lead.conf"
expect approvals-own-refused 1 "is your own request.*four-eyes"
expect_status approvals-own-still-pending "$OWN" "pending -"
run run_b "$OMV" approve "$ID1" -c "$W/norole.conf"
expect approvals-norole-refused 1 "may not decide approval $ID1: it needs role lead"
run run_b "$OMV" deny "$ID1" -c "$W/lead.conf"
expect approvals-deny-needs-reason 2 "deny needs --reason"
run run_b "$OMV" deny "$ID1" -c "$W/lead.conf" --reason "   "
expect approvals-deny-blank-reason 2 "deny needs --reason"
run run_b "$OMV" approve 999999 -c "$W/lead.conf"
expect approvals-unknown-id 1 "no approval request 999999"
run run_b "$OMV" approve twelve -c "$W/lead.conf"
expect approvals-bad-id 2 "not a request ID"
expect_status approvals-still-pending "$ID1" "pending -"

# --- decisions --------------------------------------------------------
run run_b "$OMV" approve "$ID1" -c "$W/lead.conf" --reason "looks fine"
expect approvals-approve 0 "^approved request $ID1: systemctl restart postgresql"
expect_status approvals-approved-by-b "$ID1" "approved $B"
run run_b "$OMV" deny "$ID1" -c "$W/lead.conf" --reason late
expect approvals-already-decided 1 "already approved by $B"
ID2=$(request "${AS_A[@]}")
run run_b "$OMV" deny "#$ID2" -c "$W/lead.conf" --reason "not during the sale"
expect approvals-deny 0 "^denied request $ID2"
expect_status approvals-denied-by-b "$ID2" "denied $B"
run run_b "$OMV" approvals -c "$W/lead.conf" --all --json
expect approvals-list-all 0 "\"id\":$ID2,\"status\":\"denied\".*\"decision_reason\":\"not during the sale\""

# --- expiry -----------------------------------------------------------
ID3=$(request "${AS_A[@]}" --expires-in 1200)
end=$(( $(date +%s%3N) + 1300 ))
while [ "$(date +%s%3N)" -le "$end" ]; do sleep 0.1; done
run run_b "$OMV" approve "$ID3" -c "$W/lead.conf"
expect approvals-expired-refused 1 "approval $ID3 expired at .* the requester must ask again"
expect_status approvals-expired-status "$ID3" "expired -"
ID4=$(request "${AS_A[@]}" --expires-in 1200)
end=$(( $(date +%s%3N) + 1300 ))
while [ "$(date +%s%3N)" -le "$end" ]; do sleep 0.1; done
run run_b "$OMV" approvals -c "$W/lead.conf"
if echo "$OUT" | grep -q "^$ID4 "; then
	fail approvals-list-expires "expired request $ID4 still listed"
else
	pass approvals-list-expires
fi
expect_status approvals-list-marked-expired "$ID4" "expired -"

# --- TOTP for critical requests ---------------------------------------
printf '%s\n' "$SECRET" >"$W/totp/$B"
chmod 600 "$W/totp/$B"
[ "$TWO" -eq 1 ] && chown "$B" "$W/totp/$B"
ID5=$(request "${AS_A[@]}" --risk critical)
run run_b "$OMV" approvals -c "$W/totp.conf"
expect approvals-totp-listed 0 "may decide: omv approve $ID5 \\(TOTP code needed\\)"
run run_b "$OMV" approve "$ID5" -c "$W/totp.conf" </dev/null
expect approvals-totp-required 2 "critical: approving it needs --totp CODE"
good=$("$HELPER" totp "$SECRET")
bad=$("$HELPER" totp "$SECRET" $(( $(date +%s) + 3600 )))
[ "$bad" = "$good" ] && bad=$(printf '%06d' $(( (10#$good + 1) % 1000000 )))
run run_b "$OMV" approve "$ID5" -c "$W/totp.conf" --totp "$bad"
expect approvals-totp-wrong 1 "wrong TOTP code for approval $ID5"
run run_b "$OMV" approve "$ID5" -c "$W/totp.conf" --totp 12345
expect approvals-totp-short 1 "wrong TOTP code"
chmod 640 "$W/totp/$B"
run run_b "$OMV" approve "$ID5" -c "$W/totp.conf" --totp "$good"
expect approvals-totp-loose-mode 1 "has mode 0640; it must be 0600"
chmod 600 "$W/totp/$B"
expect_status approvals-totp-still-pending "$ID5" "pending -"
good=$("$HELPER" totp "$SECRET")
run run_b "$OMV" approve "$ID5" -c "$W/totp.conf" --totp "$good"
expect approvals-totp-approve 0 "^approved request $ID5"
ID6=$(request "${AS_A[@]}" --risk high)
run run_b "$OMV" approve "$ID6" -c "$W/totp.conf" </dev/null
expect approvals-totp-only-critical 0 "^approved request $ID6"
ID7=$(request "${AS_A[@]}" --risk critical)
run run_b "$OMV" deny "$ID7" -c "$W/totp.conf" --reason no </dev/null
expect approvals-totp-not-for-deny 0 "^denied request $ID7"

# The prompt: on a terminal the code is asked for with echo off.
if command -v tmux >/dev/null; then
	ID8=$(request "${AS_A[@]}" --risk critical)
	if [ "$TWO" -eq 1 ]; then
		pre=(runuser -u "$B" -- env OMV_SYSTEM_CONFIG=/nonexistent)
	else
		pre=(env OMV_SYSTEM_CONFIG=/nonexistent)
	fi
	t new-session -d -s prompt -x 100 -y 10 \
	    "$(printf '%q ' "${pre[@]}" "$OMV" approve "$ID8" -c "$W/totp.conf"); echo \"exit=\$?\"; sleep 30"
	if wait_for prompt "TOTP code to approve critical request $ID8:" 10; then
		good=$("$HELPER" totp "$SECRET")
		typed prompt "$good"
		keys prompt Enter
		if ! wait_for prompt "exit=0" 10; then
			fail approvals-totp-prompt "no success" prompt
		elif screen prompt | grep -q "$good"; then
			fail approvals-totp-prompt "the code was echoed" prompt
		else
			pass approvals-totp-prompt
		fi
	else
		fail approvals-totp-prompt "no prompt" prompt
	fi
	t kill-session -t prompt 2>/dev/null
else
	skip approvals-totp-prompt "no tmux"
fi

# --- the trail --------------------------------------------------------
run "$OMV" audit list --db "$DB" --action approval --limit 0 --json
n=$(echo "$OUT" | grep -c '"result":"not-allowed"')
if [ "$n" -ge 5 ]; then
	pass approvals-refusals-audited
else
	fail approvals-refusals-audited "$n not-allowed events, want >= 5"
fi
run "$OMV" audit verify --db "$DB"
expect approvals-trail-intact 0 "."
if [ "$TWO" -eq 1 ]; then
	# Whoever created them, the files stay shared: 0660, B's group.
	modes=""
	for f in "$DB" "$DB-wal" "$DB-shm"; do
		[ -e "$f" ] || continue
		m=$(stat -c '%a %G' "$f")
		[ "$m" = "660 $B" ] || modes="$modes $(basename "$f"):$m"
	done
	if [ -z "$modes" ]; then
		pass approvals-shared-modes
	else
		fail approvals-shared-modes "$modes"
	fi
fi

echo "$E2E_PASSED passed, $E2E_FAILED failed"
[ "$E2E_FAILED" -eq 0 ]
