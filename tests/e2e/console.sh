#!/bin/bash
# console.sh: the real console in a private tmux server, against OpenSSH's
# sshd on loopback.  Each check polls the screen with a deadline.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -eq 0 ]; then
	testbed_start --servers 9 --user omv-e2e-$$
else
	testbed_start --servers 9
fi
W=160 H=48

# A config of our own next to the test bed's (0600, like any config).
conf() {
	local f=$E2E_TMP/$1.conf
	shift
	(umask 077; cat >"$f")
	echo "$f"
}

# --- open a server, see a command's output --------------------------------
start_console main $W $H -c "$CONFIG" prod-web-1
if wait_for main '\$ ?$' 15; then
	typed main 'echo hello-$((6*7))'
	keys main Enter
	if wait_for main '^.*hello-42' 10; then
		pass "open a server and run a command"
	else
		fail "open a server and run a command" "no output" main
	fi
else
	fail "open a server and run a command" "no prompt" main
fi

# --- Korean text keeps columns -------------------------------------------------
typed main 'clear; echo 한글 테스트 ok'
keys main Enter
# The output line starts at the pane's left edge, right of the separator.
if wait_for main '│한글 테스트 ok' 10; then
	# 한글 (4 columns) space 테스트 (6) space: "ok" starts 12 columns after 한.
	line=$(screen main | grep -m1 '│한글 테스트 ok')
	w0=$(printf '%s' "${line%%한*}" | LC_ALL=C.UTF-8 wc -L)
	w1=$(printf '%s' "${line%%ok*}" | LC_ALL=C.UTF-8 wc -L)
	if [ $((w1 - w0)) -eq 12 ]; then
		pass "Korean text renders with ok in the right column"
	else
		fail "Korean text" "ok is $((w1 - w0)) columns after 한, want 12" main
	fi
else
	fail "Korean text" "not shown" main
fi

# --- scrollback: search, select a line, copy it with OSC 52 -------------------
t set-option -s set-clipboard on
typed main 'clear; seq 1 300; echo copy-me-$((5*5))'
keys main Enter
if wait_for main '│copy-me-25' 10; then
	keys main C-b '['
	keys main k Space Enter
	buf=""
	for i in $(seq 40); do
		buf=$(t show-buffer 2>/dev/null)
		[ "$buf" = "copy-me-25" ] && break
		sleep 0.05
	done
	if [ "$buf" = "copy-me-25" ]; then
		pass "copy mode copies a line to the clipboard (OSC 52)"
	else
		fail "copy mode" "clipboard holds '$buf'" main
	fi
	keys main C-b '['
	keys main '/'
	typed main '137'
	keys main Enter
	if wait_for main '│137 *$' 5 && wait_for main '\[[0-9]+/[0-9]+\]' 2; then
		pass "scrollback search finds an old line"
	else
		fail "scrollback search" "line 137 not shown" main
	fi
	keys main q
	wait_gone main '\[[0-9]+/[0-9]+\]' 5
else
	fail "copy mode" "no output" main
fi

# --- resize: stty size follows ------------------------------------------------
t resize-window -t main -x 140 -y 40
sleep 0.3
typed main 'stty size'
keys main Enter
# 40 rows - status bar - title = 38; 140 - 29 (sidebar + separator) = 111.
if wait_for main '│38 111' 10; then
	pass "resize keeps stty size in step"
else
	fail "resize keeps stty size in step" "stty size differs" main
fi
t resize-window -t main -x $W -y $H

# --- split and use both panes -----------------------------------------------
keys main C-b '%'
if wait_for main '\(empty\)' 5; then
	keys main C-b s
	keys main '/'
	typed main 'stg-web'
	keys main Enter
	keys main Enter
	if wait_for main 'stg-web-1 .*connected' 15 && wait_for main '\$ ?$' 10; then
		typed main 'echo right-pane-$((1+1))'
		keys main Enter
		if wait_for main 'right-pane-2' 10; then
			keys main C-b Left
			typed main 'echo left-pane-$((2+1))'
			keys main Enter
			if wait_for main 'left-pane-3' 10; then
				pass "split and use both panes"
			else
				fail "split and use both panes" "left pane" main
			fi
		else
			fail "split and use both panes" "right pane" main
		fi
	else
		fail "split and use both panes" "second server not connected" main
	fi
else
	fail "split and use both panes" "no new pane" main
fi

# --- vim opens and quits; the shell screen comes back -------------------------
if command -v vim >/dev/null; then
	typed main 'echo before-vim-marker'
	keys main Enter
	wait_for main 'before-vim-marker' 5
	typed main 'vim -u NONE -N /tmp/omv-e2e-vim-$$'
	keys main Enter
	if wait_for main '│~( |$)' 10; then
		keys main ':q!' Enter
		if wait_for main 'before-vim-marker' 10 && wait_gone main '│~( |$)' 5; then
			pass "vim opens and quits, shell screen restored"
		else
			fail "vim" "screen not restored" main
		fi
	else
		fail "vim" "did not open" main
	fi
else
	skip "vim" "vim is not installed"
fi

# --- sidebar filter ------------------------------------------------------------
keys main C-b s
keys main '/'
typed main 'db'
if wait_for main '/db' 5 && wait_for main 'prod-db-1' 5 && ! screen main | grep -q 'prod-app-1'; then
	pass "sidebar filter"
else
	fail "sidebar filter" "filter did not narrow the list" main
fi
keys main Escape Escape

# --- killing the remote session shows disconnected, r reconnects ----------------
keys main C-b Right 2>/dev/null
typed main 'kill -9 $$'
keys main Enter
if wait_for main 'disconnected: .*press r to reconnect' 15; then
	keys main r
	if wait_for main 'stg-web-1 .*connected ' 15 || wait_for main 'Connecting to stg-web-1' 5; then
		typed main 'echo back-again-$((3*3))'
		keys main Enter
		if wait_for main 'back-again-9' 15; then
			pass "remote kill shows disconnected; r reconnects"
		else
			fail "reconnect" "no shell after r" main
		fi
	else
		fail "reconnect" "r did not reconnect" main
	fi
else
	fail "disconnect" "no disconnected line" main
fi

# --- the : command line runs exec into a results pane ------------------------------
keys main C-b ':'
typed main 'exec @staging echo fan-$((2*3))'
keys main Enter
if wait_for main 'stg-web-1 +ok' 20 && wait_for main '3/3 done' 10; then
	keys main Enter
	if wait_for main '│fan-6' 5; then
		keys main q
		sleep 0.3
		keys main q
		if wait_for main 'finished, exit 0' 10; then
			pass ":exec runs into a live results pane; Enter shows a server's output"
		else
			fail ":exec" "results pane did not finish" main
		fi
	else
		fail ":exec" "Enter did not show the output" main
	fi
else
	fail ":exec" "no live table" main
fi
keys main C-b x
wait_for main 'Close' 3 && keys main y

# --- quit with confirmation ---------------------------------------------------------
keys main C-b q
if wait_for main 'Quit omv\?' 5; then
	keys main y
	if wait_for main 'Pane is dead|^$' 5 || ! pgrep -f "$CONFIG" >/dev/null; then
		pass "quit asks, then leaves"
	else
		fail "quit" "still running" main
	fi
else
	fail "quit" "no confirmation" main
fi

# --- the recording plays in asciinema -------------------------------------------------
rec=$(ls -t "$TESTBED_DIR"/recordings/*prod-web-1*.cast 2>/dev/null | head -1)
if [ -n "$rec" ] && [ "$(stat -c %a "$rec")" = 600 ]; then
	if command -v asciinema >/dev/null; then
		# asciinema cat wants a terminal: give it one with script(1).
		if script -qec "asciinema cat $(printf '%q' "$rec")" /dev/null 2>/dev/null |
		    grep -q 'hello-42'; then
			pass "recording plays in asciinema cat"
		else
			fail "recording" "asciinema cat does not show the output"
		fi
	else
		skip "recording" "asciinema not installed"
	fi
	if "$OMV" audit sessions -c "$CONFIG" 2>/dev/null | grep -q prod-web-1; then
		pass "audit sessions lists the recording"
	else
		fail "audit sessions" "not listed"
	fi
	id=$("$OMV" audit sessions -c "$CONFIG" --json 2>/dev/null | grep -m1 '"prod-web-1"' |
	    sed 's/^{"id": \([0-9]*\),.*/\1/')
	if [ -n "$id" ] && timeout 60 "$OMV" replay --speed 50 --idle-limit 0.05 \
	    -c "$CONFIG" "$id" </dev/null >"$E2E_TMP/replay.out" 2>&1 &&
	    grep -q 'hello-42' "$E2E_TMP/replay.out"; then
		pass "omv replay plays the session by id"
	else
		fail "omv replay" "session '$id' did not play: $(head -c 300 "$E2E_TMP/replay.out")"
	fi
else
	fail "recording" "no 0600 recording for prod-web-1"
fi

# --- unknown host key: accept; changed key: refused ---------------------------------
"$E2E_ROOT/tests/testbed.sh" extra "$TESTBED_DIR" newkey >/dev/null 2>&1
eval "$("$E2E_ROOT/tests/testbed.sh" env "$TESTBED_DIR" newkey | sed 's/^/X_/')"
kh=$E2E_TMP/known_hosts_new
: >"$kh"
chmod 600 "$kh"
c1=$(conf newkey <<EOC
servers = { servers = ( { name = "fresh"; host = "127.0.0.1"; port = $X_PORT; user = "$LOGIN"; identity = "$KEY"; env = "staging"; } ); };
security = { known_hosts = "$kh"; };
audit = { db = "$TESTBED_DIR/audit.db"; recordings = "$TESTBED_DIR/recordings"; };
EOC
)
start_console hk $W $H -c "$c1" fresh
if wait_for hk "authenticity of host" 15 && screen hk | grep -q "$X_FINGERPRINT"; then
	typed hk 'yes'
	keys hk Enter
	if wait_for hk '\$ ?$' 15 && grep -q "\[127.0.0.1\]:$X_PORT" "$kh"; then
		pass "unknown host key: fingerprint shown, accepted, saved"
	else
		fail "unknown host key" "not connected or not saved" hk
	fi
else
	fail "unknown host key" "no prompt with $X_FINGERPRINT" hk
fi
t kill-session -t hk
# Changed: known_hosts lists the test bed's main key for the extra sshd.
kh2=$E2E_TMP/known_hosts_changed
echo "[127.0.0.1]:$X_PORT $(cut -d' ' -f1,2 "$HOSTKEY_PUB")" >"$kh2"
chmod 600 "$kh2"
c2=$(conf changed <<EOC
servers = { servers = ( { name = "moved"; host = "127.0.0.1"; port = $X_PORT; user = "$LOGIN"; identity = "$KEY"; } ); };
security = { known_hosts = "$kh2"; };
audit = { db = "$TESTBED_DIR/audit.db"; recordings = "$TESTBED_DIR/recordings"; };
EOC
)
start_console chg $W $H -c "$c2" moved
if wait_for chg 'REMOTE HOST IDENTIFICATION HAS CHANGED' 15 &&
    screen chg | grep -q "$X_FINGERPRINT" &&
    screen chg | grep -q "$FINGERPRINT"; then
	pass "changed host key refused with both fingerprints"
else
	fail "changed host key" "no warning with both fingerprints" chg
fi
t kill-session -t chg

# --- every connect and host key decision is audited, chain intact -------------------------
if "$OMV" audit list -c "$CONFIG" --json --limit 1000 2>/dev/null | grep -q '"action": *"hostkey"' &&
    "$OMV" audit verify -c "$CONFIG" >/dev/null 2>&1; then
	pass "connects and host keys audited; chain verifies"
else
	fail "audit" "events missing or chain broken"
fi

e2e_done
