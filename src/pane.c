/*
 * pane.c: one pane of the console.  A pane owns a terminal emulator (vt)
 * for its whole life and, while a server is open in it, an SSH connection
 * (conn) and a recording.  Reconnecting replaces only the connection, so the
 * screen and scrollback survive a drop, as an operator expects.
 *
 * omv's own dialogues (unknown host key, password, "disconnected") are
 * written into the pane's screen like ssh's would be, and keys go to the
 * dialogue instead of the remote while one is open.  Answers typed at a
 * secret prompt are never echoed, logged, recorded or kept: the buffer is
 * wiped as soon as it has been handed to the connection.
 *
 * Every connect, host key decision and disconnect is an audit event, written
 * before the action where there is an action: if the audit store cannot
 * take the connect event, the pane does not connect (fail closed).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "cfg.h"
#include "conn.h"
#include "console.h"
#include "ident.h"
#include "keymap.h"
#include "pane.h"
#include "policy.h"
#include "record.h"
#include "vt.h"

static const char *pane_state_names[] = {
	"empty", "idle", "connecting", "connected", "failed", "disconnected"
};

const char *
pane_state_name(enum pane_state st)
{
	return (pane_state_names[st]);
}

/* vt callbacks: record, do not act. */
static void
pane_vt_bell(void *arg)
{
	struct pane	*p = arg;

	p->bell_until = mono_ms() + 400;
	p->dirty_title = true;
}

static void
pane_vt_title(const char *title, void *arg)
{
	struct pane	*p = arg;

	(void)title;
	p->dirty_title = true;
}

/* Terminal answers (device attributes, cursor position) go to the remote. */
static void
pane_vt_reply(const char *buf, size_t len, void *arg)
{
	struct pane	*p = arg;

	if (p->conn != NULL && p->state == PANE_CONNECTED)
		conn_write(p->conn, buf, len);
}

struct pane *
pane_create(struct console *c, int id, int cols, int rows, int scrollback)
{
	struct pane		*p;
	struct vt_callbacks	 cb;

	p = xcalloc(1, sizeof *p);
	p->id = id;
	p->console = c;
	p->cols = cols;
	p->rows = rows;
	p->vt = vt_create(rows, cols, scrollback);
	p->copy_mark = LONG_MIN;
	sbuf_init(&p->answer);
	memset(&cb, 0, sizeof cb);
	cb.bell = pane_vt_bell;
	cb.title = pane_vt_title;
	cb.reply = pane_vt_reply;
	cb.arg = p;
	vt_set_callbacks(p->vt, &cb);
	return (p);
}

/* Wipe and empty the answer buffer. */
static void
pane_wipe_answer(struct pane *p)
{
	if (p->answer.buf != NULL)
		explicit_bzero(p->answer.buf, p->answer.cap);
	sbuf_reset(&p->answer);
}

/* Stop recording and close the session index entry. */
static void
pane_stop_recording(struct pane *p)
{
	char	*cause = NULL;
	int64_t	 bytes = 0;

	if (p->rec != NULL) {
		bytes = record_close(p->rec, &cause);
		if (bytes < 0) {
			console_status(p->console, "%s", cause);
			free(cause);
			cause = NULL;
			bytes = 0;
		}
		p->rec = NULL;
	}
	if (p->session != 0 && p->console->audit != NULL) {
		if (audit_session_end(p->console->audit, p->session, now_ms(),
		    bytes, &cause) != 0) {
			console_status(p->console, "%s", cause);
			free(cause);
		}
	}
	p->session = 0;
}

void
pane_free(struct pane *p)
{
	if (p == NULL)
		return;
	if (p->conn != NULL) {
		conn_close(p->conn);
		conn_free(p->conn);
	}
	pane_stop_recording(p);
	pane_wipe_answer(p);
	sbuf_free(&p->answer);
	vt_free(p->vt);
	free(p->reason);
	free(p->search);
	free(p);
}

void
pane_message(struct pane *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	size_t	 i;
	struct sbuf sb;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	/* Newlines become CR LF: the emulator is in the remote's modes. */
	sbuf_init(&sb);
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\n')
			sbuf_addc(&sb, '\r');
		sbuf_addc(&sb, s[i]);
	}
	vt_write(p->vt, sb.buf, sb.len);
	sbuf_free(&sb);
	free(s);
}

/* The strictest audit level for this server: config, and every role granting it. */
static enum audit_level
pane_audit_level(struct pane *p)
{
	struct console		 *c = p->console;
	const struct role	**roles = NULL;
	enum audit_level	  level = c->cfg->audit.level;
	int			  i, n;

	n = policy_roles(c->cfg, c->me, &roles);
	for (i = 0; i < n; i++) {
		if (policy_role_grants(roles[i], p->server) &&
		    roles[i]->audit_level > level)
			level = roles[i]->audit_level;
	}
	free(roles);
	return (level);
}

/* Append an audit event about this pane's server. */
static int
pane_audit(struct pane *p, const char *action, const char *result,
    const char *detail, char **cause)
{
	struct audit_event	ev;

	memset(&ev, 0, sizeof ev);
	ev.server = p->server != NULL ? p->server->name : NULL;
	ev.session = p->session;
	ev.action = action;
	ev.result = result;
	ev.detail = detail;
	return (console_audit(p->console, &ev, cause));
}

/* Audit, and on failure put the reason on the status bar. */
static void
pane_audit_note(struct pane *p, const char *action, const char *result,
    const char *detail)
{
	char	*cause = NULL;

	if (pane_audit(p, action, result, detail, &cause) != 0) {
		console_status(p->console, "%s", cause);
		free(cause);
	}
}

/* Start recording the session (on OPEN). */
static int
pane_start_recording(struct pane *p, char **cause)
{
	struct console	*c = p->console;
	struct tm	 tm;
	time_t		 t;
	char		 stamp[32], *path;

	if (c->cfg->audit.recordings == NULL)
		return (0);
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	path = xprintf("%s/%s-%s-%ld-%d.cast", c->cfg->audit.recordings, stamp,
	    p->server->name, (long)getpid(), p->id);
	p->rec = record_open(path, p->cols, p->rows, p->server->name, now_ms(),
	    cause);
	if (p->rec == NULL) {
		free(path);
		return (-1);
	}
	if (c->audit != NULL && audit_session_start(c->audit, p->server->name,
	    path, now_ms(), &p->session, cause) != 0) {
		free(path);
		record_close(p->rec, NULL);
		p->rec = NULL;
		return (-1);
	}
	free(path);
	return (0);
}

/* Connection states to pane states, with the audit trail and the dialogues. */
static void
pane_conn_state(struct conn *conn, enum conn_state st, void *arg)
{
	struct pane	*p = arg;
	char		*cause = NULL, *detail;
	struct sbuf	 sb;
	const char	*reason;

	switch (st) {
	case CONN_CONNECTING:
	case CONN_HOSTKEY:
	case CONN_AUTH:
	case CONN_AUTH_PROMPT:
	case CONN_CHANNEL:
	case CONN_IDLE:
		p->state = PANE_CONNECTING;
		break;
	case CONN_OPEN:
		p->state = PANE_CONNECTED;
		p->ask = PANE_ASK_NONE;
		if (pane_start_recording(p, &cause) != 0) {
			if (pane_audit_level(p) == AUDIT_COMPREHENSIVE) {
				/* Fail closed: no session without its recording. */
				pane_message(p, "\n\033[1;31momv: %s: closing "
				    "the session (audit level comprehensive)"
				    "\033[m\n", cause);
				pane_audit_note(p, "session", "refused", NULL);
				free(cause);
				conn_close(conn);
				return;
			}
			console_status(p->console, "not recording: %s", cause);
			free(cause);
			cause = NULL;
		}
		sbuf_init(&sb);
		sbuf_adds(&sb, "{\"user\": ");
		sbuf_json_string(&sb, conn_user(conn));
		sbuf_addf(&sb, ", \"host\": ");
		sbuf_json_string(&sb, conn_host(conn));
		sbuf_addf(&sb, ", \"port\": %d, \"recording\": ", conn_port(conn));
		sbuf_json_string(&sb, p->rec != NULL ? record_path(p->rec) : NULL);
		sbuf_adds(&sb, "}");
		detail = sbuf_steal(&sb);
		pane_audit_note(p, "connect", "connected", detail);
		free(detail);
		break;
	case CONN_CLOSED:
	case CONN_FAILED:
		reason = conn_reason(conn) != NULL ? conn_reason(conn) :
		    conn_error_name(conn_error(conn));
		free(p->reason);
		p->reason = xstrdup(reason);
		pane_wipe_answer(p);
		sbuf_init(&sb);
		sbuf_adds(&sb, "{\"reason\": ");
		sbuf_json_string(&sb, reason);
		sbuf_addf(&sb, ", \"error\": \"%s\", \"bytes\": %lld}",
		    conn_error_name(conn_error(conn)),
		    (long long)p->output_bytes);
		detail = sbuf_steal(&sb);
		if (st == CONN_CLOSED || p->state == PANE_CONNECTED) {
			p->state = PANE_DISCONNECTED;
			pane_audit_note(p, "disconnect", "closed", detail);
			pane_message(p, "\n\033[1;7m disconnected: %s — press r "
			    "to reconnect \033[m", reason);
		} else {
			p->state = PANE_FAILED;
			pane_audit_note(p, "connect", "failed", detail);
			pane_message(p, "\n\033[1;7m failed: %s — press r to "
			    "retry \033[m", reason);
		}
		free(detail);
		pane_stop_recording(p);
		p->ask = PANE_ASK_RECONNECT;
		break;
	}
	p->dirty_title = true;
	p->console->redraw = true;
}

static void
pane_conn_data(struct conn *conn, const char *buf, size_t len, int is_stderr,
    void *arg)
{
	struct pane	*p = arg;
	char		*cause = NULL;

	(void)conn;
	(void)is_stderr;
	vt_write(p->vt, buf, len);
	p->output_bytes += (int64_t)len;
	if (p->rec != NULL &&
	    record_output(p->rec, buf, len, now_ms(), &cause) != 0) {
		if (pane_audit_level(p) == AUDIT_COMPREHENSIVE) {
			pane_message(p, "\n\033[1;31momv: %s: closing the "
			    "session (audit level comprehensive)\033[m\n", cause);
			pane_audit_note(p, "session", "recording failed", NULL);
			conn_close(p->conn);
		} else
			console_status(p->console, "recording stopped: %s",
			    cause);
		free(cause);
		pane_stop_recording(p);
	}
}

/* An authentication prompt: ask in the pane, echo off unless allowed. */
static void
pane_conn_prompt(struct conn *conn, const char *text, int echo, void *arg)
{
	struct pane	*p = arg;

	(void)conn;
	pane_wipe_answer(p);
	p->ask = echo ? PANE_ASK_TEXT : PANE_ASK_SECRET;
	pane_message(p, "\n%s", text);
	p->console->redraw = true;
}

/* Host key and auth events: the audit trail, and the operator's question. */
static void
pane_conn_event(struct conn *conn, const struct conn_event *ev, void *arg)
{
	struct pane	*p = arg;
	struct sbuf	 sb;
	char		*detail;
	const char	*result = NULL;

	(void)conn;
	switch (ev->type) {
	case CONN_EVENT_HOSTKEY_KNOWN:
		result = "known";
		break;
	case CONN_EVENT_HOSTKEY_UNKNOWN:
		result = "unknown";
		p->ask = PANE_ASK_HOSTKEY;
		pane_wipe_answer(p);
		pane_message(p, "\nThe authenticity of host '%s' can't be "
		    "established.\n%s key fingerprint is %s.\n"
		    "Accept it and save it to known_hosts? Type yes to "
		    "accept, anything else rejects: ", ev->host,
		    ev->key_type, ev->fingerprint);
		break;
	case CONN_EVENT_HOSTKEY_ACCEPTED:
		result = "accepted";
		break;
	case CONN_EVENT_HOSTKEY_REJECTED:
		result = "rejected";
		break;
	case CONN_EVENT_HOSTKEY_CHANGED:
		result = "changed";
		pane_message(p, "\n\033[1;31m"
		    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\n"
		    "@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n"
		    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@"
		    "\033[m\nThe %s host key for %s has changed.\n"
		    "Known key (%s): %s\nReceived key:  %s\n"
		    "Connection refused. If the change is expected, remove the "
		    "old key from known_hosts.", ev->key_type, ev->host,
		    ev->known_where != NULL ? ev->known_where : "known_hosts",
		    ev->known_fingerprint != NULL ? ev->known_fingerprint : "?",
		    ev->fingerprint);
		break;
	case CONN_EVENT_AUTH_ACCEPTED:
	case CONN_EVENT_AUTH_PARTIAL:
	case CONN_EVENT_AUTH_DENIED:
	case CONN_EVENT_BANNER:
		return;
	}
	sbuf_init(&sb);
	sbuf_adds(&sb, "{\"host\": ");
	sbuf_json_string(&sb, ev->host);
	sbuf_adds(&sb, ", \"type\": ");
	sbuf_json_string(&sb, ev->key_type);
	sbuf_adds(&sb, ", \"fingerprint\": ");
	sbuf_json_string(&sb, ev->fingerprint);
	if (ev->known_fingerprint != NULL) {
		sbuf_adds(&sb, ", \"known_fingerprint\": ");
		sbuf_json_string(&sb, ev->known_fingerprint);
		sbuf_adds(&sb, ", \"known_where\": ");
		sbuf_json_string(&sb, ev->known_where);
	}
	sbuf_adds(&sb, "}");
	detail = sbuf_steal(&sb);
	pane_audit_note(p, "hostkey", result, detail);
	free(detail);
}

static void
pane_conn_exit(struct conn *conn, int status, const char *sig, void *arg)
{
	(void)conn;
	(void)status;
	(void)sig;
	(void)arg;
}

/* Make a connection for the pane's server and start it. */
static void
pane_connect(struct pane *p)
{
	static const struct conn_cb cb = {
		pane_conn_state, pane_conn_data, pane_conn_prompt,
		pane_conn_event, pane_conn_exit
	};
	struct console		*c = p->console;
	const struct server	*s = p->server;
	struct conn_params	 cp;
	char			*cause = NULL;

	if (p->conn != NULL) {
		conn_free(p->conn);
		p->conn = NULL;
	}
	p->output_bytes = 0;
	free(p->reason);
	p->reason = NULL;
	p->ask = PANE_ASK_NONE;
	p->state = PANE_CONNECTING;
	p->dirty_title = true;
	/* Write-ahead: no connection the audit trail does not know of. */
	if (pane_audit(p, "connect", "attempt", NULL, &cause) != 0) {
		p->state = PANE_FAILED;
		p->reason = cause;
		p->ask = PANE_ASK_RECONNECT;
		pane_message(p, "\n\033[1;31momv: %s\033[m\nNot connecting: "
		    "the audit trail must record it first. Press r to retry.",
		    cause);
		return;
	}
	memset(&cp, 0, sizeof cp);
	cp.host = s->host;
	cp.port = s->port;
	cp.user = s->user;
	cp.identity = s->identity;
	cp.known_hosts = c->cfg->security.known_hosts;
	cp.connect_timeout_ms = c->cfg->security.connect_timeout * 1000;
	cp.keepalive = c->cfg->security.keepalive;
	cp.mode = CONN_MODE_SHELL;
	cp.term = "xterm-256color";
	cp.cols = p->cols;
	cp.rows = p->rows;
	p->conn = conn_create(&cp, &cb, p, &cause);
	if (p->conn == NULL) {
		p->state = PANE_FAILED;
		p->reason = cause;
		p->ask = PANE_ASK_RECONNECT;
		pane_message(p, "\nomv: %s", cause);
		return;
	}
	pane_message(p, "\033[2mConnecting to %s (%s:%d)...\033[m\n", s->name,
	    s->host, s->port);
	p->started = now_ms();
	conn_start(p->conn, mono_ms());
}

void
pane_open(struct pane *p, const struct server *s)
{
	p->server = s;
	pane_connect(p);
}

void
pane_reconnect(struct pane *p)
{
	if (p->server == NULL || p->state == PANE_CONNECTED ||
	    p->state == PANE_CONNECTING)
		return;
	pane_message(p, "\n");
	pane_connect(p);
}

void
pane_disconnect(struct pane *p, const char *why)
{
	if (p->conn == NULL || p->state != PANE_CONNECTED)
		return;
	pane_message(p, "\n%s", why);
	conn_close(p->conn);
}

void
pane_resize(struct pane *p, int cols, int rows)
{
	char	*cause = NULL;

	if (cols < 1)
		cols = 1;
	if (rows < 1)
		rows = 1;
	if (cols == p->cols && rows == p->rows)
		return;
	p->cols = cols;
	p->rows = rows;
	vt_resize(p->vt, rows, cols);
	if (p->conn != NULL)
		conn_resize(p->conn, cols, rows);
	if (p->rec != NULL &&
	    record_resize(p->rec, cols, rows, now_ms(), &cause) != 0) {
		console_status(p->console, "recording stopped: %s", cause);
		free(cause);
		pane_stop_recording(p);
	}
}

/* Keys while the pane asks something itself. */
static void
pane_key_ask(struct pane *p, uint32_t key)
{
	uint32_t	 k = key & KEYC_MASK_KEY;
	char		 u[8];
	int		 n;
	bool		 yes;

	switch (p->ask) {
	case PANE_ASK_RECONNECT:
		if (key == 'r' || key == 'R')
			pane_reconnect(p);
		return;
	case PANE_ASK_HOSTKEY:
	case PANE_ASK_SECRET:
	case PANE_ASK_TEXT:
		break;
	case PANE_ASK_NONE:
		return;
	}
	if (key == KEYC_ENTER) {
		if (p->ask == PANE_ASK_HOSTKEY) {
			yes = p->answer.buf != NULL &&
			    strcmp(p->answer.buf, "yes") == 0;
			pane_message(p, "\n");
			p->ask = PANE_ASK_NONE;
			pane_wipe_answer(p);
			conn_hostkey_answer(p->conn, yes);
			return;
		}
		pane_message(p, "\n");
		p->ask = PANE_ASK_NONE;
		conn_answer(p->conn, p->answer.buf != NULL ? p->answer.buf : "");
		pane_wipe_answer(p);
		return;
	}
	if (key == KEYC_ESCAPE || key == ('c' | KEYC_CTRL)) {
		pane_message(p, "\n");
		pane_wipe_answer(p);
		if (p->ask == PANE_ASK_HOSTKEY)
			conn_hostkey_answer(p->conn, 0);
		else
			conn_answer(p->conn, NULL);
		p->ask = PANE_ASK_NONE;
		return;
	}
	if (key == KEYC_BSPACE) {
		if (p->answer.len > 0) {
			/* Drop one UTF-8 character. */
			do
				p->answer.len--;
			while (p->answer.len > 0 &&
			    (p->answer.buf[p->answer.len] & 0xc0) == 0x80);
			p->answer.buf[p->answer.len] = '\0';
			if (p->ask != PANE_ASK_SECRET)
				pane_message(p, "\b \b");
		}
		return;
	}
	if ((key & KEYC_MASK_MODS) != 0 || k >= KEYC_BASE || k < 0x20 ||
	    k == 0x7f)
		return;
	n = 0;
	if (k < 0x80)
		u[n++] = (char)k;
	else if (k < 0x800) {
		u[n++] = (char)(0xc0 | (k >> 6));
		u[n++] = (char)(0x80 | (k & 0x3f));
	} else if (k < 0x10000) {
		u[n++] = (char)(0xe0 | (k >> 12));
		u[n++] = (char)(0x80 | ((k >> 6) & 0x3f));
		u[n++] = (char)(0x80 | (k & 0x3f));
	} else {
		u[n++] = (char)(0xf0 | (k >> 18));
		u[n++] = (char)(0x80 | ((k >> 12) & 0x3f));
		u[n++] = (char)(0x80 | ((k >> 6) & 0x3f));
		u[n++] = (char)(0x80 | (k & 0x3f));
	}
	if (p->answer.len + (size_t)n > 4096)
		return;
	sbuf_add(&p->answer, u, (size_t)n);
	if (p->ask != PANE_ASK_SECRET) {
		u[n] = '\0';
		pane_message(p, "%s", u);
	}
}

/* Map an omv special key to the emulator's. */
static int
pane_vt_key(uint32_t k)
{
	switch (k) {
	case KEYC_UP: return (VT_KEY_UP);
	case KEYC_DOWN: return (VT_KEY_DOWN);
	case KEYC_LEFT: return (VT_KEY_LEFT);
	case KEYC_RIGHT: return (VT_KEY_RIGHT);
	case KEYC_HOME: return (VT_KEY_HOME);
	case KEYC_END: return (VT_KEY_END);
	case KEYC_PPAGE: return (VT_KEY_PAGEUP);
	case KEYC_NPAGE: return (VT_KEY_PAGEDOWN);
	case KEYC_IC: return (VT_KEY_INSERT);
	case KEYC_DC: return (VT_KEY_DELETE);
	case KEYC_BTAB: return (VT_KEY_TAB);
	}
	if (k >= KEYC_F1 && k <= KEYC_F12)
		return (VT_KEY_F0 + 1 + (int)(k - KEYC_F1));
	return (0);
}

/*
 * Encode a key for the remote: plain characters as UTF-8, control keys as
 * their control bytes, Meta as an ESC prefix (xterm's metaSendsEscape), and
 * special keys through the emulator so application cursor mode is honoured.
 */
static size_t
pane_encode_key(struct pane *p, uint32_t key, char *out, size_t len)
{
	uint32_t	k = key & KEYC_MASK_KEY;
	int		mods = 0, vk;
	size_t		n = 0;

	if (key & KEYC_SHIFT)
		mods |= VT_MOD_SHIFT;
	if (key & KEYC_META)
		mods |= VT_MOD_ALT;
	if (key & KEYC_CTRL)
		mods |= VT_MOD_CTRL;
	if (k >= KEYC_BASE) {
		if (key == KEYC_BTAB)
			mods |= VT_MOD_SHIFT;
		if ((vk = pane_vt_key(k)) == 0)
			return (0);
		return (vt_key(p->vt, (enum vt_key)vk, mods, out, len));
	}
	if (key & KEYC_META)
		out[n++] = '\033';
	if (key & KEYC_CTRL) {
		if (k == ' ' || k == '@' || k == '2')
			out[n++] = '\0';
		else if ((k >= 'a' && k <= 'z') || (k >= '[' && k <= '_'))
			out[n++] = (char)(k & 0x1f);
		else if (k == '?')
			out[n++] = 0x7f;
		else
			out[n++] = (char)k;
		return (n);
	}
	if (k == KEYC_ENTER) {
		out[n++] = '\r';
		return (n);
	}
	if (k < 0x80) {
		out[n++] = (char)k;
		return (n);
	}
	return (n + vt_unichar(p->vt, k, 0, out + n, len - n));
}

void
pane_key(struct pane *p, uint32_t key)
{
	char	buf[VT_KEY_MAX + 2];
	size_t	n;

	if (p->ask != PANE_ASK_NONE) {
		pane_key_ask(p, key);
		return;
	}
	if (p->conn == NULL || p->state != PANE_CONNECTED)
		return;
	n = pane_encode_key(p, key, buf, VT_KEY_MAX);
	if (n > 0)
		conn_write(p->conn, buf, n);
}

void
pane_paste(struct pane *p, const char *buf, size_t len)
{
	char	br[VT_KEY_MAX];
	size_t	n;

	if (p->ask != PANE_ASK_NONE || p->conn == NULL ||
	    p->state != PANE_CONNECTED)
		return;
	if ((n = vt_paste_start(p->vt, br, sizeof br)) > 0)
		conn_write(p->conn, br, n);
	conn_write(p->conn, buf, len);
	if ((n = vt_paste_end(p->vt, br, sizeof br)) > 0)
		conn_write(p->conn, br, n);
}

int
pane_fd(const struct pane *p, short *events)
{
	if (p->conn == NULL)
		return (-1);
	*events = conn_poll_events(p->conn);
	return (conn_fd(p->conn));
}

int
pane_timeout(const struct pane *p, int64_t now)
{
	if (p->more)
		return (0);
	if (p->conn == NULL)
		return (-1);
	return (conn_next_timeout_ms(p->conn, now));
}

void
pane_process(struct pane *p, short revents, int64_t now)
{
	if (p->conn == NULL)
		return;
	p->more = conn_process(p->conn, revents, now, CONSOLE_READ_BUDGET) == 1;
}
