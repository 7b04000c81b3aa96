#!/bin/bash
# gating.sh: command gating end to end — the live risk tint, DENY, CONFIRM,
# APPROVAL across two consoles run as two Unix users sharing one database,
# four-eyes, expiry, the release check, tab completion and history recall,
# secrets at a read -s prompt, and `omv approve` from the shell.
# Never a truly destructive command: test rules rate harmless
# `touch /tmp/omv-...` commands, and the tests check whether the file appears.
. "$(dirname "$0")/lib.sh"

R=$$-$RANDOM
if [ "$(id -u)" -eq 0 ]; then
	testbed_start --servers 3 --user omv-g-$$
else
	testbed_start --servers 3
fi
ME=$(id -un)
W=$E2E_TMP/gating
mkdir -p "$W/db"
chmod 755 "$W"
B=""
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null && command -v runuser >/dev/null; then
	B=omvb$$
	useradd -M -U -d /nonexistent -s /usr/sbin/nologin "$B" || B=""
fi
cleanup_b() { [ -n "$B" ] && { userdel "$B" 2>/dev/null; groupdel "$B" 2>/dev/null; }; }
trap 'cleanup_b; e2e_cleanup' EXIT
GROUP_LINE=""
if [ -n "$B" ]; then
	chgrp "$B" "$W/db"
	chmod 2770 "$W/db"
	GROUP_LINE="group = \"$B\";"
fi
CONF=$W/omv.conf
# The servers of the test bed's config, our roles and test rules on top.
sed -n '/^servers = {/,/^};/p' "$CONFIG" >"$W/servers.part"
(umask 022; cat >"$CONF" <<EOC
$(cat "$W/servers.part")
security = { known_hosts = "$KNOWN_HOSTS"; };
audit = { db = "$W/db/audit.db"; recordings = "$W/db/rec-$ME"; $GROUP_LINE };
approvals = { expire = 10; };
roles = (
  { name = "ops"; servers = [ "*" ];
    deny = [ "touch /tmp/omv-deny-*" ];
    need = { default = { medium = "allow"; high = "confirm"; critical = "approval"; }; };
    approvers = [ "lead" ]; },
  { name = "lead"; servers = [ "*" ]; }
);
users = (
  { name = "$ME"; roles = [ "ops" ]; }$( [ -n "$B" ] && printf ',\n  { name = "%s"; roles = [ "lead" ]; }' "$B")
);
risk = {
  escalate = { production = 0; };
  rules = (
    { name = "test-critical"; level = "critical"; program = [ "touch" ];
      args = [ "/tmp/omv-critical-*", "/tmp/omvtab*/critical-*" ];
      reason = "test rule: rated critical"; },
    { name = "test-high"; level = "high"; program = [ "touch" ];
      args = [ "/tmp/omv-high-*" ]; reason = "test rule: rated high"; }
  );
};
EOC
)
chmod 644 "$CONF"
"$OMV" check-config -c "$CONF" >/dev/null || { echo "FAIL gating-config: $("$OMV" check-config -c "$CONF" 2>&1)"; exit 1; }

start_console a 160 40 -c "$CONF" prod-web-1
if ! wait_for a '\$ ?$' 15; then
	fail "gating setup" "no shell prompt" a
	e2e_done
	exit 1
fi

# --- the typed line is tinted as it becomes risky ---------------------------------
typed a 'echo plain'
sleep 0.3
plain=$(t capture-pane -e -p -t a | grep 'echo plain' | head -1)
keys a C-u
typed a "touch /tmp/omv-critical-tint-$R"
if wait_for a 'CRITICAL +test rule: rated critical +\[test-critical\]' 5; then
	tinted=$(t capture-pane -e -p -t a | grep "omv-critical-tint-$R" | head -1)
	# The tinted command carries an SGR the plain one does not.
	if [ "$(printf '%s' "$tinted" | grep -o $'\e\\[[0-9;]*m' | sort -u | wc -l)" -gt \
	    "$(printf '%s' "$plain" | grep -o $'\e\\[[0-9;]*m' | sort -u | wc -l)" ]; then
		pass "typed line tinted by risk; status bar shows level, reason, rule"
	else
		fail "risk tint" "no colour change on the command cells" a
	fi
else
	fail "risk tint" "status bar shows no CRITICAL" a
fi
keys a C-u
sleep 0.2

# --- DENY withholds the command ------------------------------------------------------
typed a "touch /tmp/omv-deny-$R"
keys a Enter
if wait_for a 'DENIED' 5 && sleep 1 && [ ! -e "/tmp/omv-deny-$R" ]; then
	pass "DENY withholds the command"
else
	fail "DENY" "not withheld or no notice" a
fi

# --- CONFIRM: a wrong name cancels, the right one runs --------------------------------
typed a "touch /tmp/omv-high-$R"
keys a Enter
if wait_for a 'type the server name to run' 5; then
	typed a 'wrong-name'
	keys a Enter
	sleep 1
	if [ ! -e "/tmp/omv-high-$R" ] && wait_for a 'cancelled' 5; then
		pass "CONFIRM with the wrong name cancels"
	else
		fail "CONFIRM wrong name" "ran or no notice" a
	fi
else
	fail "CONFIRM" "no confirmation asked" a
fi
typed a "touch /tmp/omv-high-$R"
keys a Enter
if wait_for a 'type the server name to run' 5; then
	typed a 'prod-web-1'
	keys a Enter
	for i in $(seq 100); do [ -e "/tmp/omv-high-$R" ] && break; sleep 0.05; done
	if [ -e "/tmp/omv-high-$R" ]; then
		pass "CONFIRM with the server name runs"
	else
		fail "CONFIRM right name" "did not run" a
	fi
else
	fail "CONFIRM" "no confirmation asked (2)" a
fi

# --- history recall (Up) is gated as the recalled command --------------------------
rm -f "/tmp/omv-high-$R"
keys a Up
sleep 0.3
keys a Enter
if wait_for a 'type the server name to run' 5; then
	keys a Escape
	sleep 0.5
	[ ! -e "/tmp/omv-high-$R" ] && pass "history recall gates the recalled command" ||
	    fail "history recall" "ran without confirmation"
else
	fail "history recall" "Up + Enter not gated" a
fi

# --- tab completion is gated as the completed command ------------------------------
mkdir -p "/tmp/omvtab$R"
: >"/tmp/omvtab$R/critical-target"
rm -f "/tmp/omvtab$R/critical-target"
mkdir -p "/tmp/omvtab$R/critical-dir-xyz"
typed a "touch /tmp/omvtab$R/crit"
keys a Tab
sleep 0.5
keys a BSpace
typed a "/critical-file"
keys a Enter
if wait_for a 'waiting for approval #[0-9]+' 5; then
	keys a Escape
	if wait_for a 'cancelled approval request' 5 && [ ! -e "/tmp/omvtab$R/critical-dir-xyz/critical-file" ]; then
		pass "tab completion gates the completed command; Esc cancels the request"
	else
		fail "tab completion" "cancel failed" a
	fi
else
	fail "tab completion" "completed command not held" a
fi
rm -rf "/tmp/omvtab$R"

# --- a password at a read -s prompt is in neither the audit trail nor the recording ---
SECRET="hunter2-$R"
typed a "read -s -p 'pw: ' PW; echo got-\${#PW}"
keys a Enter
if wait_for a 'pw: ?$' 5; then
	typed a "$SECRET"
	keys a Enter
	wait_for a "got-${#SECRET}" 5
	sleep 0.5
	if ! sqlite3 "file:$W/db/audit.db?mode=ro" .dump 2>/dev/null | grep -q "$SECRET" &&
	    ! grep -rqs "$SECRET" "$W/db/rec-$ME"; then
		pass "a read -s secret is in neither the audit store nor the recording"
	else
		fail "secret" "the password was stored"
	fi
else
	fail "secret" "no read prompt" a
fi

# --- APPROVAL across two consoles (two Unix users, one database) -------------------
if [ -z "$B" ]; then
	skip "approval across consoles" "needs root to create a second user"
	skip "self-approval refused" "needs root"
	skip "expiry" "needs root"
	skip "release check" "needs root"
	skip "omv approve from the shell" "needs root"
else
	t new-session -d -s b -x 160 -y 40 -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 -e TERM=xterm-256color \
	    "runuser -u $B -- env OMV_SYSTEM_CONFIG=/nonexistent HOME=$W $(printf '%q' "$OMV") -c $(printf '%q' "$CONF")"
	t set-option -t b remain-on-exit on >/dev/null 2>&1
	typed a "touch /tmp/omv-critical-$R"
	t0=$(date +%s%N)
	keys a Enter
	if wait_for a 'waiting for approval #[0-9]+' 5; then
		id=$(screen a | grep -o 'waiting for approval #[0-9]*' | head -1 | grep -o '[0-9]*$')
		# Four-eyes: the requester's own console may not approve it.
		keys a C-b a
		wait_for a 'Approvals:' 5
		keys a a
		if wait_for a 'own request' 5 && [ ! -e "/tmp/omv-critical-$R" ]; then
			pass "self-approval refused (four-eyes)"
		else
			fail "self-approval" "not refused" a
		fi
		keys a Escape
		# B sees it (counted in the status bar) and approves it.
		if wait_for b 'approvals: 1' 5; then
			keys b C-b a
			wait_for b "#$id" 5
			keys b a
			for i in $(seq 100); do [ -e "/tmp/omv-critical-$R" ] && break; sleep 0.05; done
			if [ -e "/tmp/omv-critical-$R" ]; then
				pass "held, approved in another console (user $B), released"
			else
				fail "approval across consoles" "not released" a
			fi
		else
			fail "approval across consoles" "B does not see the request" b
		fi
		keys b Escape
	else
		fail "approval across consoles" "not held" a
	fi

	# Expiry: nobody decides; after approvals.expire the request is denied.
	typed a "touch /tmp/omv-critical-exp-$R"
	keys a Enter
	if wait_for a 'waiting for approval' 5 && wait_for a 'request #[0-9]+ expired' 20 &&
	    [ ! -e "/tmp/omv-critical-exp-$R" ]; then
		pass "an undecided request expires and is not run"
	else
		fail "expiry" "did not expire" a
	fi

	# Release check: a background job rewrites the line while it is held.
	typed a "(sleep 2; printf '\\r\\033[Kchanged') &"
	keys a Enter
	sleep 0.3
	typed a "touch /tmp/omv-critical-rel-$R"
	keys a Enter
	if wait_for a 'waiting for approval #[0-9]+' 5; then
		id=$(screen a | grep -o 'waiting for approval #[0-9]*' | head -1 | grep -o '[0-9]*$')
		wait_for a '│changed *$' 6
		runuser -u "$B" -- env OMV_SYSTEM_CONFIG=/nonexistent "$OMV" approve "$id" -c "$CONF" >/dev/null 2>&1
		if wait_for a 'REFUSED' 5 && [ ! -e "/tmp/omv-critical-rel-$R" ]; then
			pass "release refused when the line changed on screen"
		else
			fail "release check" "sent although the line changed" a
		fi
	else
		fail "release check" "not held" a
	fi
	keys a C-u

	# omv approve from the shell releases a held command.
	typed a "touch /tmp/omv-critical-cli-$R"
	keys a Enter
	if wait_for a 'waiting for approval #[0-9]+' 5; then
		id=$(screen a | grep -o 'waiting for approval #[0-9]*' | head -1 | grep -o '[0-9]*$')
		s0=$(date +%s%N)
		runuser -u "$B" -- env OMV_SYSTEM_CONFIG=/nonexistent "$OMV" approve "$id" -c "$CONF" >/dev/null 2>&1
		for i in $(seq 200); do [ -e "/tmp/omv-critical-cli-$R" ] && break; sleep 0.01; done
		s1=$(date +%s%N)
		if [ -e "/tmp/omv-critical-cli-$R" ]; then
			pass "omv approve from the shell releases the held command ($(( (s1 - s0) / 1000000 )) ms)"
		else
			fail "omv approve" "not released" a
		fi
	else
		fail "omv approve" "not held" a
	fi
fi

if "$OMV" audit verify -c "$CONF" >/dev/null 2>&1 &&
    "$OMV" audit list -c "$CONF" --json --limit 0 | grep -q '"result": *"blocked"'; then
	pass "decisions audited (blocked, sent, approvals); chain verifies"
else
	fail "audit" "missing events or broken chain"
fi
rm -f /tmp/omv-*-"$R" /tmp/omv-critical-*-"$R"
e2e_done
