#!/bin/bash
# exec.sh: `omv exec` and `omv runbook` against 200 loopback servers (OpenSSH
# sshd, tests/testbed.sh).  Only harmless commands: they create and remove
# files under this test's own temporary directory.  Every simulated server
# is this machine, so a command tells its server by $SSH_CONNECTION (the
# server's address and port).
. "$(dirname "$0")/lib.sh"

NSERVERS=${OMV_E2E_SERVERS:-200}
if [ "$(id -u)" -eq 0 ]; then
	testbed_start --servers "$NSERVERS" --user omve$$
else
	testbed_start --servers "$NSERVERS"
fi
STATE=$E2E_TMP/state		# files the harmless commands create
mkdir -p "$STATE" && chmod 0777 "$STATE"
CONFDIR=$E2E_TMP/conf
mkdir -p "$CONFDIR/runbooks" && chmod 0755 "$CONFDIR" "$CONFDIR/runbooks"
CFG=$CONFDIR/omv.conf
DB=$TESTBED_DIR/audit.db
OUT=$E2E_TMP/out
ERR=$E2E_TMP/err

# A port nothing listens on: a server there is unreachable.
closed_port() {
	local p
	for p in $(seq 1 50); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null || {
			echo "$p"
			return
		}
	done
	echo 1
}
DEAD_PORT=$(closed_port)

# One more sshd with a host key of its own: unknown to known_hosts.
"$E2E_ROOT/tests/testbed.sh" extra "$TESTBED_DIR" stranger >>"$E2E_TMP/testbed.log" 2>&1 &&
    STRANGER_PORT=$(sed -n 's/^PORT=//p' "$TESTBED_DIR/extra-stranger/env")

# The inventory of the test bed, with tags from the names, and two broken
# servers: dead-1 (a closed port) and stranger-1 (an unknown host key).
servers_conf() {
	local g name grp addr port role first
	echo "servers = { groups = ("
	first=1
	for g in production staging development; do
		[ $first -eq 1 ] || echo ","
		first=0
		echo "{ name = \"$g\"; env = \"$g\"; servers = ("
		local sfirst=1
		while read -r name grp addr port; do
			[ "$grp" = "$g" ] || continue
			[ $sfirst -eq 1 ] || echo ","
			sfirst=0
			role=${name#*-}
			role=${role%-*}
			printf '{ name = "%s"; host = "%s"; port = %s; user = "%s"; identity = "%s"; tags = [ "%s" ]; }\n' \
			    "$name" "$addr" "$port" "$LOGIN" "$KEY" "$role"
		done <"$TESTBED_DIR/servers"
		echo ") }"
	done
	echo ", { name = \"broken\"; env = \"development\"; servers = ("
	printf '{ name = "dead-1"; host = "127.0.0.1"; port = %s; user = "%s"; identity = "%s"; }\n' \
	    "$DEAD_PORT" "$LOGIN" "$KEY"
	if [ -n "${STRANGER_PORT:-}" ]; then
		printf ', { name = "stranger-1"; host = "127.0.0.1"; port = %s; user = "%s"; identity = "%s"; }\n' \
		    "$STRANGER_PORT" "$LOGIN" "$KEY"
	fi
	echo ") }"
	echo "); };"
	echo "security = { known_hosts = \"$KNOWN_HOSTS\"; connect_timeout = 10; };"
}

# Personal mode (no roles): everything but critical is allowed.
{
	servers_conf
	echo "audit = { db = \"$DB\"; level = \"detailed\"; };"
	echo "risk = { rules = ( { name = \"e2e-critical\"; level = \"critical\";"
	echo "  reason = \"e2e: critical\"; program = \"echo\"; args = \"omv-e2e-critical\"; } ); };"
} >"$CFG"
chmod 0600 "$CFG"

# srv_id NAME: how the server's commands see themselves ("addr-port").
srv_id() { awk -v n="$1" '$1 == n { print $3 "-" $4 }' "$TESTBED_DIR/servers"; }
# names PATTERN: the inventory names matching a shell glob.
names() { awk '{ print $1 }' "$TESTBED_DIR/servers" | while read -r n; do
	case "$n" in $1) echo "$n" ;; esac; done; }
# row NAME: the summary table's row of a server.
row() { grep -E "^$1 +" "$OUT" | tail -1; }
# events: how many audit events there are.
events() { "$OMV" audit list -c "$CFG" --limit 0 2>/dev/null | wc -l; }
# ms: the monotonic-ish clock in milliseconds.
ms() { echo $(( $(date +%s%N) / 1000000 )); }
ME='set -- $SSH_CONNECTION; ME=$3-$4'

# --- every server, one run --------------------------------------------------
t0=$(ms)
"$OMV" exec -c "$CFG" -g production -g staging -g development --parallel 50 \
    -- 'echo hello-$((6*7))' >"$OUT" 2>"$ERR"
rc=$?
took=$(( $(ms) - t0 ))
n_ok=$(grep -c -E '^[a-z]+-[a-z]+-[0-9]+ +ok +0 ' "$OUT")
n_out=$(grep -c -E '^[a-z]+-[a-z]+-[0-9]+ +hello-42$' "$OUT")
if [ $rc -eq 0 ] && [ "$n_ok" -eq "$NSERVERS" ] && [ "$n_out" -eq "$NSERVERS" ] &&
    grep -q "^$NSERVERS servers: $NSERVERS ok, 0 failed" "$OUT"; then
	pass "exec on all $NSERVERS servers succeeds (${took} ms)"
else
	fail "exec on all $NSERVERS servers" "rc $rc, $n_ok ok, $n_out output lines; $(tail -3 "$ERR")"
fi

# --- one server exits 3 -------------------------------------------------------
BAD=prod-app-1
"$OMV" exec -c "$CFG" -s 'prod-*-1' --yes -- \
    "$ME; if [ \$ME = $(srv_id $BAD) ]; then echo bad >&2; exit 3; fi; echo fine" \
    >"$OUT" 2>"$ERR"
rc=$?
if [ $rc -eq 1 ] && row $BAD | grep -qE "^$BAD +failed +3 " &&
    row prod-web-1 | grep -qE 'ok +0 ' && row prod-db-1 | grep -qE 'ok +0 ' &&
    grep -qE "^$BAD +bad$" "$ERR"; then
	pass "a server exiting 3 is reported and the run exits 1"
else
	fail "a server exiting 3" "rc $rc: $(cat "$OUT" "$ERR" | tail -8)"
fi

# --- --live: a table in the terminal, then browse each server's output -------
# live_row NAME: the live table's line of a server.
live_row() { screen live | grep -E "^ $1 " | head -1; }
# live_start ARGS...: omv ARGS in the tmux session "live" (110x40, like
# start_console); the shell around it writes omv's exit status to $LIVE_RC,
# whether the tty modes came back as they were to $LIVE_TTY, and keeps the
# pane (and what omv left on the screen) open.
LIVE_RC=$E2E_TMP/live.rc
LIVE_TTY=$E2E_TMP/live.tty
live_start() {
	rm -f "$LIVE_RC" "$LIVE_TTY"
	t new-session -d -s live -x 110 -y 40 \
	    -e "LANG=C.UTF-8" -e "LC_ALL=C.UTF-8" -e "TERM=xterm-256color" \
	    "m=\$(stty -g); $(printf '%q ' "$OMV" "$@"); rc=\$?;
	     [ \"\$(stty -g)\" = \"\$m\" ] && echo same >$LIVE_TTY || echo changed >$LIVE_TTY;
	     echo \$rc >$LIVE_RC; sleep 60"
}
# live_rc: omv's exit status, once it exited (empty after 10 s).
live_rc() {
	local end=$(( $(ms) + 10000 ))
	while [ ! -s "$LIVE_RC" ] && [ "$(ms)" -lt "$end" ]; do sleep 0.05; done
	cat "$LIVE_RC" 2>/dev/null
}
"$OMV" exec --live -c "$CFG" -s prod-web-1 -- true >"$OUT" 2>"$ERR"
rc=$?
if [ $rc -eq 2 ] && grep -q -- '--live needs a terminal' "$ERR" && [ ! -s "$OUT" ]; then
	pass "--live without a terminal is a usage error"
else
	fail "--live without a terminal" "rc $rc: $(cat "$ERR")"
fi
BAD=prod-app-1
live_start exec --live -c "$CFG" -s 'prod-*-1' -- \
    "$ME; if [ \$ME = $(srv_id $BAD) ]; then echo live-bad-output >&2; exit 3; fi; echo live-fine"
if wait_for live ' finished' && live_row prod-web-1 | grep -qE '^ prod-web-1 +ok ' &&
    live_row prod-db-1 | grep -qE '^ prod-db-1 +ok ' &&
    live_row $BAD | grep -qE "^ $BAD +failed \(exit 3\) " &&
    screen live | grep -qE '^ run r-[0-9]{8}-[0-9]{4}-[0-9a-f]{6}  3/3 done  1 failed ' &&
    screen live | grep -q '^ \$ set -- \$SSH_CONNECTION; ME='; then
	pass "--live: one line per server, ok and failed (exit 3), run id and counts"
else
	fail "--live table" "no final table" live
fi
# Move the selection bar down to the failing server, then Enter.
first=$(screen live | grep -nE '^ SERVER ' | cut -d: -f1)
at=$(screen live | grep -nE "^ $BAD " | cut -d: -f1)
for _ in $(seq $((at - first - 1))); do keys live Down; done
if wait_for live "^ $BAD " 2 &&
    t capture-pane -e -p -t live | grep " $BAD " | grep -q $'\033\\[7m'; then
	keys live Enter
	if wait_for live '^live-bad-output$' && screen live | grep -qE "^ $BAD +failed \(exit 3\)" &&
	    ! screen live | grep -q '^live-fine$'; then
		pass "--live: Enter on the selected server shows its output"
	else
		fail "--live output view" "no output of $BAD" live
	fi
else
	fail "--live selection" "the bar is not on $BAD" live
fi
keys live q
if wait_for live '^ SERVER +STATE' && ! screen live | grep -q '^live-bad-output$'; then
	keys live q
	rc=$(live_rc)
	if [ "$rc" = 1 ] && wait_for live '^3 servers: 2 ok, 1 failed' 2 &&
	    ! screen live | grep -q '^ SERVER' && [ "$(cat "$LIVE_TTY")" = same ] &&
	    [ "$(t display -p -t live '#{alternate_on}#{cursor_flag}')" = 01 ]; then
		pass "--live: q goes back to the table, q again quits (exit 1); terminal restored"
	else
		fail "--live quit" "rc '$rc', tty $(cat "$LIVE_TTY" 2>/dev/null), $(t display -p -t live '#{alternate_on}#{cursor_flag}')" live
	fi
else
	fail "--live back to the table" "q did not return" live
fi
t kill-session -t live 2>/dev/null

# More servers than rows: the table scrolls to keep the selection in view.
mapfile -t PRODS < <(names 'prod-*')
nprod=${#PRODS[@]}
live_start exec --live -c "$CFG" -g production -- true
if wait_for live ' finished' && [ "$nprod" -gt 35 ] &&
    wait_for live "^ ${PRODS[0]} +ok " 2 && ! live_row "${PRODS[nprod - 1]}" | grep -q ok; then
	keys live End
	if wait_for live "^ ${PRODS[nprod - 1]} +ok " && ! live_row "${PRODS[0]}" | grep -q ok &&
	    screen live | grep -qE " [0-9]+-$nprod of $nprod *$" &&
	    t capture-pane -e -p -t live | grep " ${PRODS[nprod - 1]} " | grep -q $'\033\\[7m'; then
		keys live q
		if [ "$(live_rc)" = 0 ]; then
			pass "--live scrolls $nprod servers in 40 rows to the selection; all ok exits 0"
		else
			fail "--live scroll exit" "rc $(cat "$LIVE_RC" 2>/dev/null)" live
		fi
	else
		fail "--live scroll" "End did not scroll to ${PRODS[nprod - 1]}" live
	fi
elif [ "$nprod" -le 35 ]; then
	skip "--live scroll" "only $nprod production servers"
else
	fail "--live scroll" "no final table" live
fi
t kill-session -t live 2>/dev/null

# --- policy asks to confirm: refused without a terminal, or taken with --yes ----
"$OMV" exec -c "$CFG" -s dev-app-1 -- "echo omv-e2e-critical; $ME; touch $STATE/crit-\$ME" \
    </dev/null >"$OUT" 2>"$ERR"
rc=$?
"$OMV" exec -c "$CFG" -s dev-app-1 --yes -- "echo omv-e2e-critical; $ME; touch $STATE/crit2-\$ME" \
    </dev/null >"$E2E_TMP/out2" 2>&1
rc2=$?
if [ $rc -eq 1 ] && grep -q 'policy asks to confirm this run (risk critical' "$ERR" &&
    [ ! -e "$STATE/crit-$(srv_id dev-app-1)" ] && [ $rc2 -eq 0 ] &&
    [ -e "$STATE/crit2-$(srv_id dev-app-1)" ]; then
	pass "a run policy asks to confirm is refused without a terminal, runs with --yes"
else
	fail "confirm" "rc $rc/$rc2: $(cat "$ERR")"
fi

# --- an unreachable server fails with its reason, the others run ------------
t0=$(ms)
"$OMV" exec -c "$CFG" -s 'prod-web-*' -s dead-1 --max-errors 5 -- \
    'sleep 1; echo up' >"$OUT" 2>"$ERR"
rc=$?
took=$(( $(ms) - t0 ))
nweb=$(names 'prod-web-*' | wc -l)
n_ok=$(grep -c -E '^prod-web-[0-9]+ +ok +0 ' "$OUT")
dead_time=$(row dead-1 | awk '{ print $4 }' | tr -d s)
if [ $rc -eq 1 ] && row dead-1 | grep -qE '^dead-1 +error +- .*(refused|unreachable)' &&
    [ "$n_ok" -eq "$nweb" ] && awk -v t="$dead_time" 'BEGIN { exit !(t < 0.9) }'; then
	pass "an unreachable server fails at once ($dead_time s) with its reason; $n_ok others ok"
else
	fail "unreachable server" "rc $rc, $n_ok/$nweb ok, dead: $(row dead-1)"
fi

# --- an unknown host key is refused, never asked --------------------------------
if [ -n "${STRANGER_PORT:-}" ]; then
	"$OMV" exec -c "$CFG" -s stranger-1 -- 'echo should-not-run' \
	    </dev/null >"$OUT" 2>"$ERR"
	rc=$?
	if [ $rc -eq 1 ] && row stranger-1 | grep -qiE 'error .*host key' &&
	    ! grep -q should-not-run "$OUT"; then
		pass "an unknown host key fails the server (batch mode)"
	else
		fail "unknown host key" "rc $rc: $(row stranger-1)"
	fi
else
	skip "unknown host key" "the extra sshd did not start"
fi

# --- --max-errors stops scheduling ----------------------------------------------
"$OMV" exec -c "$CFG" -g development --parallel 2 --max-errors 1 -- \
    'exit 1' >"$OUT" 2>"$ERR"
rc=$?
ndev=$(names 'dev-*' | wc -l)
nfail=$(grep -cE '^dev-[a-z]+-[0-9]+ +failed +1 ' "$OUT")
nskip=$(grep -cE '^dev-[a-z]+-[0-9]+ +skipped ' "$OUT")
if [ $rc -eq 1 ] && [ "$nfail" -ge 2 ] && [ "$nfail" -le 3 ] &&
    [ $((nfail + nskip)) -eq "$ndev" ] &&
    grep -q 'not started: more than 1 failed' "$OUT"; then
	pass "--max-errors 1: $nfail failed, $nskip never started"
else
	fail "--max-errors" "rc $rc, $nfail failed, $nskip skipped of $ndev"
fi
"$OMV" exec -c "$CFG" -s 'stg-db-*' --parallel 1 --max-errors 25% -- \
    'exit 1' >"$OUT" 2>"$ERR"
nstg=$(names 'stg-db-*' | wc -l)
want=$(( nstg * 25 / 100 + 1 ))
nfail=$(grep -cE '^stg-db-[0-9]+ +failed +1 ' "$OUT")
if [ "$nfail" -eq "$want" ]; then
	pass "--max-errors 25% of $nstg: stops after $nfail failures"
else
	fail "--max-errors percent" "$nfail failed, want $want"
fi

# --- --json: one object per server ------------------------------------------
"$OMV" exec -c "$CFG" -s 'prod-db-1' -s 'prod-db-2' -s dead-1 --max-errors 5 \
    --json -- 'printf "a\"b\n"' >"$OUT" 2>"$ERR"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$OUT")" -eq 3 ] &&
    grep -q '"server":"prod-db-1","status":"ok","exit":0,' "$OUT" &&
    grep -q '"output":"a\\"b\\n"' "$OUT" &&
    grep -q '"server":"dead-1","status":"error","exit":null' "$OUT" &&
    ! grep -q SERVER "$OUT"; then
	pass "--json prints one object per server"
else
	fail "--json" "rc $rc: $(head -3 "$OUT")"
fi

# --- output kept per server is capped; the audit keeps 4 KB head and tail ----
"$OMV" exec -c "$CFG" -s prod-app-2 --json -- \
    'head -c 100000 /dev/zero | tr "\0" x; printf END' >"$OUT" 2>"$ERR"
rc=$?
"$OMV" audit list -c "$CFG" --json --limit 2 --server prod-app-2 >"$E2E_TMP/ev" 2>&1
if [ $rc -eq 0 ] && grep -q '"bytes":100003,' "$OUT" &&
    grep -q '"output_dropped":34467}' "$OUT" &&
    grep -q '"head":"x\{4096\}"' "$E2E_TMP/ev" &&
    grep -q '"tail":"x\{4093\}END"' "$E2E_TMP/ev"; then
	pass "100 KB of output: 64 KiB kept, the rest counted; 4 KB head and tail audited"
else
	fail "output cap" "rc $rc: $(cut -c1-200 "$OUT"); $(cut -c1-300 "$E2E_TMP/ev")"
fi

# --- --group: each server's output together ------------------------------------
"$OMV" exec -c "$CFG" -s prod-web-1 -s prod-web-2 --group -- \
    'echo one; sleep 0.2; echo two' >"$OUT" 2>"$ERR"
if grep -A2 -x '==> prod-web-1 (ok, exit 0) <==' "$OUT" | tr '\n' ' ' |
    grep -q '<== one two' &&
    grep -A2 -x '==> prod-web-2 (ok, exit 0) <==' "$OUT" | tr '\n' ' ' |
    grep -q '<== one two'; then
	pass "--group prints each server's output together"
else
	fail "--group" "$(head -8 "$OUT")"
fi

# --- --timeout ------------------------------------------------------------------
t0=$(ms)
"$OMV" exec -c "$CFG" -s stg-web-1 --timeout 1 -- 'sleep 20' >"$OUT" 2>"$ERR"
rc=$?
took=$(( $(ms) - t0 ))
if [ $rc -eq 1 ] && row stg-web-1 | grep -q 'timeout .*timed out after 1 s' &&
    [ "$took" -lt 5000 ]; then
	pass "--timeout 1 stops a long command (${took} ms)"
else
	fail "--timeout" "rc $rc, ${took} ms: $(row stg-web-1)"
fi

# --- Ctrl-C: in-flight channels are closed; partial results audited --------------
before=$(events)
nstg=$(names 'stg-app-*' | wc -l)
npar=$(( nstg < 4 ? nstg : 4 ))
"$OMV" exec -c "$CFG" -s 'stg-app-*' --parallel $npar -- \
    "$ME; touch $STATE/int-\$ME; sleep 30" >"$OUT" 2>"$ERR" &
pid=$!
end=$(( $(ms) + 10000 ))
while [ "$(ls "$STATE" | grep -c '^int-')" -lt $npar ] && [ "$(ms)" -lt "$end" ]; do
	sleep 0.05
done
t0=$(ms)
kill -INT $pid
wait $pid
rc=$?
took=$(( $(ms) - t0 ))
ncan=$(grep -cE '^stg-app-[0-9]+ +cancelled ' "$OUT")
nskip=$(grep -cE '^stg-app-[0-9]+ +skipped ' "$OUT")
after=$(events)
if [ $rc -eq 1 ] && [ "$ncan" -eq $npar ] && [ $((ncan + nskip)) -eq "$nstg" ] &&
    [ "$took" -lt 3000 ] && [ $((after - before)) -ge $((nstg + 2)) ]; then
	pass "Ctrl-C cancels $ncan running servers in ${took} ms, skips $nskip, audits all"
else
	fail "Ctrl-C" "rc $rc, $ncan cancelled, $nskip skipped of $nstg, ${took} ms, $((after - before)) events"
fi

# --- runbooks ----------------------------------------------------------------
# rbconf NAME: write a runbook from stdin into the config's runbooks dir.
rbconf() { (umask 022; cat >"$CONFDIR/runbooks/$1.conf"); }
# count PREFIX: files in the state dir starting with PREFIX.
count() { ls "$STATE" | grep -c "^$1" ; }

rbconf e2e-files <<EOF2
description = "two idempotent steps";
targets = [ "name:prod-web-*" ];
steps = (
  { name = "a"; check = "$ME; test -e $STATE/fa-\$ME";
    run = "$ME; touch $STATE/fa-\$ME"; rollback = "$ME; rm -f $STATE/fa-\$ME"; },
  { name = "b"; check = "$ME; test -e $STATE/fb-\$ME";
    run = "$ME; touch $STATE/fb-\$ME"; rollback = "$ME; rm -f $STATE/fb-\$ME"; }
);
EOF2
nweb=$(names 'prod-web-*' | wc -l)
"$OMV" runbook run e2e-files -c "$CFG" --yes >"$OUT" 2>"$ERR"
rc=$?
if [ $rc -eq 0 ] && [ "$(count fa-)" -eq "$nweb" ] && [ "$(count fb-)" -eq "$nweb" ]; then
	pass "runbook: $nweb servers ran both steps"
else
	fail "runbook run" "rc $rc, $(count fa-) fa, $(count fb-) fb of $nweb: $(tail -3 "$ERR")"
fi
"$OMV" runbook run e2e-files -c "$CFG" --yes --json >"$OUT" 2>"$ERR"
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c '"steps_run":0,"steps_skipped":2' "$OUT")" -eq "$nweb" ] &&
    [ "$(grep -c '"connects":1,' "$OUT")" -eq "$nweb" ]; then
	pass "runbook again: every check says done, nothing runs twice; one connection per server"
else
	fail "runbook re-run" "rc $rc: $(head -2 "$OUT")"
fi

# A failing step rolls back the steps done on that server, in reverse.
BAD=stg-web-2
rbconf e2e-fail <<EOF2
targets = [ "name:stg-web-*" ];
steps = (
  { name = "a"; run = "$ME; touch $STATE/ra-\$ME";
    rollback = "$ME; rm -f $STATE/ra-\$ME; echo undo-a >> $STATE/log-\$ME"; },
  { name = "b"; run = "$ME; touch $STATE/rb-\$ME";
    rollback = "$ME; rm -f $STATE/rb-\$ME; echo undo-b >> $STATE/log-\$ME"; },
  { name = "c"; run = "$ME; if [ \$ME = $(srv_id $BAD) ]; then exit 1; fi; touch $STATE/rc-\$ME"; }
);
EOF2
nstg=$(names 'stg-web-*' | wc -l)
"$OMV" runbook run e2e-fail -c "$CFG" --yes --max-errors 1 >"$OUT" 2>"$ERR"
rc=$?
bad=$(srv_id $BAD)
if [ $rc -eq 1 ] && [ ! -e "$STATE/ra-$bad" ] && [ ! -e "$STATE/rb-$bad" ] &&
    [ ! -e "$STATE/rc-$bad" ] &&
    [ "$(tr '\n' ' ' <"$STATE/log-$bad")" = "undo-b undo-a " ] &&
    [ "$(count rc-)" -eq $((nstg - 1)) ] && [ "$(count log-)" -eq 1 ] &&
    row $BAD | grep -qE "^$BAD +rolled back +1 "; then
	pass "runbook: a failing step rolls back b then a on that server only"
else
	fail "runbook rollback" "rc $rc, log: $(cat "$STATE/log-$bad" 2>/dev/null | tr '\n' ' '), $(count rc-) rc of $nstg; $(row $BAD)"
fi

# A batch failure stops the rollout; rollback_completed undoes the rest.
mapfile -t DBS < <(names 'dev-db-*')
ndb=${#DBS[@]}
BAD=${DBS[1]}			# in the second batch
rbconf e2e-batch <<EOF2
targets = [ "name:dev-db-*" ];
batches = ( 1, "50%", "100%" );
max_errors = 0;
rollback_completed = true;
steps = (
  { name = "a"; run = "$ME; touch $STATE/ba-\$ME"; rollback = "$ME; rm -f $STATE/ba-\$ME"; },
  { name = "b"; run = "$ME; if [ \$ME = $(srv_id $BAD) ]; then exit 1; fi; touch $STATE/bb-\$ME";
    rollback = "$ME; rm -f $STATE/bb-\$ME"; }
);
EOF2
"$OMV" runbook run e2e-batch -c "$CFG" --yes >"$OUT" 2>"$ERR"
rc=$?
half=$(( (ndb * 50 + 99) / 100 ))
nskip=$(grep -cE '^dev-db-[0-9]+ +skipped ' "$OUT")
nundone=$(grep -cE '^dev-db-[0-9]+ +undone ' "$OUT")
if [ $rc -eq 1 ] && [ "$(count ba-)" -eq 0 ] && [ "$(count bb-)" -eq 0 ] &&
    [ "$nskip" -eq $((ndb - half)) ] && [ "$nundone" -eq $((half - 1)) ] &&
    grep -q 'batch 2: 1 failed, more than max_errors (0): the rollout stops' "$ERR"; then
	pass "runbook: batch 2 fails, $nskip servers never start, $nundone completed are undone"
else
	fail "runbook batches" "rc $rc, $(count ba-) ba, $nskip skipped, $nundone undone of $ndb (half $half): $(tail -2 "$ERR")"
fi

# --dry-run runs nothing and records nothing.
rbconf e2e-dry <<EOF2
targets = [ "name:prod-*-1" ];
steps = ( { name = "mark"; run = "$ME; touch $STATE/dry-\$ME"; } );
EOF2
before=$(events)
"$OMV" runbook run e2e-dry -c "$CFG" --dry-run >"$OUT" 2>"$ERR"
rc=$?
if [ $rc -eq 0 ] && [ "$(count dry-)" -eq 0 ] && [ "$(events)" -eq "$before" ] &&
    grep -q 'decision  allow on 3: prod-web-1 prod-app-1 prod-db-1' "$OUT" &&
    grep -q 'dry run: nothing was run' "$OUT"; then
	pass "runbook --dry-run shows the decisions and runs nothing"
else
	fail "runbook --dry-run" "rc $rc, $(count dry-) files: $(head -20 "$OUT")"
fi
"$OMV" runbook show e2e-fail -c "$CFG" >"$OUT" 2>"$ERR"
if grep -q 'step 3: c' "$OUT" && grep -qE '^ +(low|medium|high|critical): ' "$OUT" &&
    "$OMV" runbook list -c "$CFG" 2>/dev/null | grep -q '^e2e-batch '; then
	pass "runbook show lists each step with its risk; list finds the config's runbooks"
else
	fail "runbook show/list" "$(head -10 "$OUT")"
fi

# --live runbooks: the STEP column; Ctrl-C cancels, the table stays to browse.
rbconf e2e-live <<EOF2
targets = [ "name:stg-db-*" ];
steps = ( { name = "wait"; run = "echo waiting; sleep 30"; } );
EOF2
nstg=$(names 'stg-db-*' | wc -l)
live_start runbook run e2e-live -c "$CFG" --live --parallel 2
if wait_for live '^ stg-db-[0-9]+ +running +1/1 wait ' && screen live | grep -q '^ runbook e2e-live' &&
    screen live | grep -qE '^ SERVER +STATE +STEP +TIME +BYTES'; then
	keys live C-c
	if wait_for live ' cancelled$' && wait_for live '^ stg-db-[0-9]+ +cancelled ' 2 &&
	    [ "$(screen live | grep -cE '^ stg-db-[0-9]+ +(cancelled|skipped) ')" -eq "$nstg" ]; then
		keys live q
		rc=$(live_rc)
		if [ "$rc" = 1 ] && screen live | grep -q 'omv: interrupted; cancelling the run' &&
		    [ "$(cat "$LIVE_TTY")" = same ]; then
			pass "runbook --live: steps shown; Ctrl-C cancels into the browsable table"
		else
			fail "runbook --live quit" "rc '$rc'" live
		fi
	else
		fail "runbook --live Ctrl-C" "not cancelled" live
	fi
else
	fail "runbook --live" "no running step" live
fi
t kill-session -t live 2>/dev/null

# --- roles: refused targets, and a run that needs approval --------------------
if [ "$(id -u)" -eq 0 ] && [ "$LOGIN" != root ]; then
	# Four eyes: root asks, the test bed's login (role lead) approves
	# with the real `omv approve`; both write the one shared database.
	SHARED=$E2E_TMP/shared
	mkdir -p "$SHARED"
	LGROUP=$(id -gn "$LOGIN")
	chgrp "$LGROUP" "$SHARED" && chmod 2770 "$SHARED"
	CFG2=$CONFDIR/roles.conf
	{
		servers_conf
		cat <<EOF2
users = ( { name = "$(id -un)"; roles = [ "ops" ]; },
          { name = "$LOGIN"; roles = [ "lead" ]; } );
roles = (
  { name = "ops"; servers = [ "group:production", "group:staging" ];
    need = { default = { low = "allow"; medium = "approval"; high = "approval";
                         critical = "deny"; }; };
    approvers = [ "lead" ]; },
  { name = "lead"; servers = [ "*" ]; }
);
risk = { escalate = { production = 0; };
         rules = ( { name = "e2e-approval"; level = "medium";
                     reason = "e2e: this needs approval";
                     program = "echo"; args = "omv-e2e-approval"; } ); };
approvals = { expire = 120; };
audit = { db = "$SHARED/audit.db"; group = "$LGROUP"; };
EOF2
	} >"$CFG2"
	chmod 0644 "$CFG2"
	approve() { su -s /bin/sh "$LOGIN" -c "$(printf '%q ' "$OMV" approve "$1" -c "$CFG2" --reason "looks fine")"; }

	"$OMV" exec -c "$CFG2" -s prod-web-1 -s dev-web-1 -- 'uname -n' >"$OUT" 2>"$ERR"
	rc=$?
	if [ $rc -eq 1 ] && row dev-web-1 | grep -q 'refused .*no role grants' &&
	    row prod-web-1 | grep -qE 'ok +0 ' &&
	    grep -q "refused 1 server no role of $(id -un) grants: dev-web-1" "$ERR"; then
		pass "targets no role grants are refused and listed; the rest run"
	else
		fail "refused targets" "rc $rc: $(cat "$ERR" "$OUT" | tail -5)"
	fi

	"$OMV" exec -c "$CFG2" -s prod-web-1 -s stg-web-1 -- \
	    "echo omv-e2e-approval; $ME; touch $STATE/ap-\$ME" >"$OUT" 2>"$ERR" &
	pid=$!
	end=$(( $(ms) + 15000 ))
	id=""
	while [ -z "$id" ] && [ "$(ms)" -lt "$end" ]; do
		id=$(sed -n 's/^omv: request \([0-9]*\) filed.*/\1/p' "$ERR")
		sleep 0.05
	done
	sleep 0.5
	early=$(count ap-)
	"$OMV" approve "$id" -c "$CFG2" >/dev/null 2>"$E2E_TMP/self"
	self=$?
	approve "$id" >/dev/null 2>"$E2E_TMP/approve"
	arc=$?
	wait $pid
	rc=$?
	if [ -n "$id" ] && [ "$early" -eq 0 ] && [ $self -ne 0 ] && [ $arc -eq 0 ] &&
	    [ $rc -eq 0 ] && [ "$(count ap-)" -eq 2 ] &&
	    grep -q "request $id approved by $LOGIN: looks fine" "$ERR"; then
		pass "a run needing approval waits, then runs after omv approve (not self-approvable)"
	else
		fail "approval wait" "id '$id', early $early, self $self, approve $arc ($(cat "$E2E_TMP/approve")), rc $rc: $(tail -3 "$ERR")"
	fi

	"$OMV" exec -c "$CFG2" -s prod-db-1 --no-wait -- \
	    "echo omv-e2e-approval; $ME; touch $STATE/rq-\$ME" >"$OUT" 2>"$ERR"
	rc=$?
	id=$(head -1 "$OUT")
	approve "$id" >/dev/null 2>&1
	"$OMV" exec -c "$CFG2" --request "$id" >"$OUT" 2>"$ERR"
	rc2=$?
	"$OMV" exec -c "$CFG2" --request "$id" >/dev/null 2>"$E2E_TMP/again"
	rc3=$?
	if [ $rc -eq 0 ] && [ -n "$id" ] && [ $rc2 -eq 0 ] && [ "$(count rq-)" -eq 1 ] &&
	    [ $rc3 -eq 1 ] && grep -q 'already ran' "$E2E_TMP/again"; then
		pass "--no-wait files the request; --request ID runs it once"
	else
		fail "--no-wait/--request" "id '$id', rc $rc/$rc2/$rc3: $(cat "$ERR" "$E2E_TMP/again" | tail -3)"
	fi
	"$OMV" runbook run e2e-dry -c "$CFG2" --no-wait >"$OUT" 2>"$ERR"
	rc=$?
	id=$(head -1 "$OUT")
	early=$(count dry-)
	approve "$id" >/dev/null 2>&1
	"$OMV" runbook run e2e-dry -c "$CFG2" --request "$id" >"$OUT" 2>"$ERR"
	rc2=$?
	if [ $rc -eq 0 ] && [ -n "$id" ] && [ "$early" -eq 0 ] && [ $rc2 -eq 0 ] &&
	    [ "$(count dry-)" -eq 3 ]; then
		pass "a runbook needing approval runs with --request once approved"
	else
		fail "runbook approval" "id '$id', rc $rc/$rc2, $(count dry-) files: $(tail -3 "$ERR")"
	fi
	if "$OMV" audit verify -c "$CFG2" >"$OUT" 2>&1; then
		pass "audit verify passes on the shared database"
	else
		fail "audit verify (shared)" "$(cat "$OUT")"
	fi
else
	skip "roles and approval" "needs root (a second login approves)"
fi

# --- the trail: every run's events, and the chain intact -------------------------
"$OMV" audit list -c "$CFG" --limit 0 >"$OUT" 2>&1
n_exec=$(grep -c ' exec ' "$OUT")
if "$OMV" audit verify -c "$CFG" >"$E2E_TMP/verify" 2>&1 && [ "$n_exec" -gt "$NSERVERS" ]; then
	pass "audit verify passes after all runs ($n_exec exec events)"
else
	fail "audit verify" "$(cat "$E2E_TMP/verify") ($n_exec exec events)"
fi

e2e_done
