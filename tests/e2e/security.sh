#!/bin/bash
# security.sh: allowed_clients, idle_timeout, the system config's rule over a
# user's file, and NO_COLOR, on the real console.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -eq 0 ]; then
	testbed_start --servers 3 --user omv-s-$$
else
	testbed_start --servers 3
fi
W=$E2E_TMP/sec
mkdir -p "$W"
sed -n '/^servers = {/,/^};/p' "$CONFIG" >"$W/servers.part"
mkconf() {	# mkconf NAME EXTRA-TEXT
	(umask 077; { cat "$W/servers.part"; echo "security = { known_hosts = \"$KNOWN_HOSTS\"; $2 };";
	  echo "audit = { db = \"$W/audit.db\"; recordings = \"$W/rec\"; };"; } >"$W/$1.conf")
	echo "$W/$1.conf"
}

# --- allowed_clients: a client outside the list is refused and audited ----------
c=$(mkconf clients 'allowed_clients = [ "192.168.0.0/16", "local" ];')
out=$(SSH_CONNECTION="10.9.8.7 50000 10.0.0.1 22" "$OMV" -c "$c" 2>&1 </dev/null)
rc=$?
if [ $rc -ne 0 ] && printf '%s' "$out" | grep -q 'refused' &&
    "$OMV" audit list -c "$c" --json --limit 0 | grep -q '"client refused"'; then
	pass "allowed_clients refuses 10.9.8.7 with a message and an audit event"
else
	fail "allowed_clients" "rc=$rc out=$out"
fi
start_console ok 120 30 -c "$c"
if wait_for ok 'servers \(3\)' 10; then
	pass "allowed_clients admits a local login (\"local\")"
else
	fail "allowed_clients local" "console did not start" ok
fi
t kill-session -t ok

# --- idle_timeout closes open sessions, audited -----------------------------------
c=$(mkconf idle 'idle_timeout = 2;')
start_console idle 140 30 -c "$c" prod-web-1
if wait_for idle '\$ ?$' 15 && wait_for idle 'disconnected: .*idle' 10 &&
    "$OMV" audit list -c "$c" --json --limit 0 | grep -q '"idle-timeout"'; then
	pass "idle_timeout closes the session after 2 s without a key, audited"
else
	fail "idle_timeout" "session not closed" idle
fi
t kill-session -t idle

# --- a system config rules: a user file may set ui only ----------------------------
sys=$W/system.conf
(umask 022; cat "$W/servers.part" >"$sys"; echo "audit = { db = \"$W/audit.db\"; };" >>"$sys")
user=$(mkconf user '')
if OMV_SYSTEM_CONFIG=$sys "$OMV" check-config -c "$user" 2>&1 | grep -q 'only ui settings'; then
	pass "with a system config, a user file setting policy is an error"
else
	fail "system config" "user file's policy accepted"
fi
(umask 077; echo 'ui = { theme = "light"; };' >"$W/ui-only.conf")
if OMV_SYSTEM_CONFIG=$sys "$OMV" check-config -c "$W/ui-only.conf" >/dev/null 2>&1; then
	pass "with a system config, a user file may set ui"
else
	fail "system config" "ui-only user file refused"
fi

# --- NO_COLOR: no colours, states still told apart by attributes -------------------
c=$(mkconf nocolor '')
t new-session -d -s nc -x 140 -y 30 -e LANG=C.UTF-8 -e TERM=xterm-256color -e NO_COLOR=1 \
    "$(printf '%q ' "$OMV" -c "$c")"
if wait_for nc 'servers \(3\)' 10; then
	sgr=$(t capture-pane -e -p -t nc | grep -o $'\e\\[[0-9;]*m' | sort -u)
	if ! printf '%s\n' "$sgr" | grep -Eq '\[(3[0-7]|4[0-7]|38;|48;|9[0-7])' &&
	    printf '%s\n' "$sgr" | grep -Eq '\[(1|2|4|7)m'; then
		pass "NO_COLOR: no colour, attributes only"
	else
		fail "NO_COLOR" "colours in use: $(printf '%s' "$sgr" | tr '\n' ' ' | cat -v)" nc
	fi
else
	fail "NO_COLOR" "console did not start" nc
fi
t kill-session -t nc

e2e_done
