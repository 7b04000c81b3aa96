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
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "approval.h"
#include "audit.h"
#include "cfg.h"
#include "cmdline.h"
#include "conn.h"
#include "console.h"
#include "ident.h"
#include "keymap.h"
#include "pane.h"
#include "policy.h"
#include "record.h"
#include "risk.h"
#include "vt.h"

static void	pane_command_ends(struct pane *);
static void	pane_enter_tick(struct pane *, int64_t);

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

/* OSC 133 semantic prompt marks go to the command-line tracker. */
static void
pane_vt_osc(int num, const char *payload, size_t len, void *arg)
{
	struct pane	*p = arg;

	if (num == 133)
		cmdline_osc133(p->cl, payload, len);
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
	p->local_fd = -1;
	sbuf_init(&p->answer);
	memset(&cb, 0, sizeof cb);
	cb.bell = pane_vt_bell;
	cb.title = pane_vt_title;
	cb.reply = pane_vt_reply;
	cb.osc = pane_vt_osc;
	cb.arg = p;
	vt_set_callbacks(p->vt, &cb);
	p->cl = cmdline_create(p->vt);
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
	if (p->local_fd != -1)
		close(p->local_fd);
	if (p->local_pid > 0) {
		kill(p->local_pid, SIGHUP);
		waitpid(p->local_pid, NULL, 0);
	}
	free(p->local_title);
	pane_stop_recording(p);
	pane_wipe_answer(p);
	sbuf_free(&p->answer);
	cmdline_free(p->cl);
	vt_free(p->vt);
	free(p->reason);
	free(p->search);
	free(p->gate_cmd);
	free(p->gate_risk);
	free(p->notice);
	strv_free(p->paste, p->npaste);
	free(p->typeahead);
	free(p->risk_line);
	free(p->risk_rule);
	free(p->risk_reason);
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

/*
 * The session ended (closed after being up, or never got up): audit it,
 * keep the screen, say why and offer r to reconnect.
 */
static void
pane_ended(struct pane *p, const char *reason, const char *error, bool closed)
{
	struct sbuf	 sb;
	char		*detail;

	free(p->reason);
	p->reason = xstrdup(reason);
	pane_wipe_answer(p);
	sbuf_init(&sb);
	sbuf_adds(&sb, "{\"reason\": ");
	sbuf_json_string(&sb, reason);
	sbuf_addf(&sb, ", \"error\": \"%s\", \"bytes\": %lld}", error,
	    (long long)p->output_bytes);
	detail = sbuf_steal(&sb);
	if (closed || p->state == PANE_CONNECTED) {
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
	p->dirty_title = true;
	p->console->redraw = true;
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
		pane_ended(p, reason, conn_error_name(conn_error(conn)),
		    st == CONN_CLOSED);
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
	p->last_output = mono_ms();
	cmdline_output(p->cl, p->last_output);
	pane_command_ends(p);
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
	/* conn_close reports nothing back: end the pane's session here. */
	conn_close(p->conn);
	pane_ended(p, why, "closed", true);
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
	if (p->local_fd != -1) {
		struct winsize ws;
		memset(&ws, 0, sizeof ws);
		ws.ws_col = (unsigned short)cols;
		ws.ws_row = (unsigned short)rows;
		ioctl(p->local_fd, TIOCSWINSZ, &ws);
	}
	if (p->rec != NULL &&
	    record_resize(p->rec, cols, rows, now_ms(), &cause) != 0) {
		console_status(p->console, "recording stopped: %s", cause);
		free(cause);
		pane_stop_recording(p);
	}
}

int
pane_spawn(struct pane *p, char *const *argv, const char *title,
    char **cause)
{
	struct winsize	ws;
	pid_t		pid;
	int		fd;

	memset(&ws, 0, sizeof ws);
	ws.ws_col = (unsigned short)p->cols;
	ws.ws_row = (unsigned short)p->rows;
	pid = forkpty(&fd, NULL, NULL, &ws);
	if (pid == -1) {
		xasprintf(cause, "forkpty: %s", strerror(errno));
		return (-1);
	}
	if (pid == 0) {
		setenv("TERM", "xterm-256color", 1);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		execv(argv[0], argv);
		fprintf(stderr, "omv: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	p->local_fd = fd;
	p->local_pid = pid;
	free(p->local_title);
	p->local_title = xstrdup(title);
	p->state = PANE_CONNECTED;
	p->dirty_title = true;
	return (0);
}

void
pane_reap(struct pane *p)
{
	int	status;

	if (p->local_pid <= 0 ||
	    waitpid(p->local_pid, &status, WNOHANG) != p->local_pid)
		return;
	p->local_pid = 0;
	free(p->reason);
	if (WIFEXITED(status))
		p->reason = xprintf("finished, exit %d", WEXITSTATUS(status));
	else
		p->reason = xprintf("killed by signal %d", WTERMSIG(status));
	p->state = PANE_DISCONNECTED;
	p->dirty_title = true;
	p->console->redraw = true;
}

/* Read what the local command wrote. */
static void
pane_local_read(struct pane *p)
{
	char	buf[16384];
	ssize_t	n;
	size_t	total = 0;

	while (total < CONSOLE_READ_BUDGET) {
		n = read(p->local_fd, buf, sizeof buf);
		if (n > 0) {
			vt_write(p->vt, buf, (size_t)n);
			total += (size_t)n;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		/* EOF or EIO: the child closed the pty. */
		close(p->local_fd);
		p->local_fd = -1;
		pane_reap(p);
		break;
	}
	p->more = total >= CONSOLE_READ_BUDGET;
}

/* Keys while the pane asks something itself. */
static void
pane_key_ask(struct pane *p, uint32_t key)
{
	uint32_t	 k = key & KEYC_MASK_KEY;
	size_t		 n;
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
	if (p->answer.len + 4 > 4096)
		return;
	n = p->answer.len;
	sbuf_add_utf8(&p->answer, k);
	if (p->ask != PANE_ASK_SECRET)
		pane_message(p, "%s", p->answer.buf + n);
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

/* ---- command gating ---- */

/* A notice on the pane's last row; ms 0 keeps it until replaced. */
static void
pane_notice(struct pane *p, int ms, const char *fmt, ...)
{
	va_list	ap;

	free(p->notice);
	va_start(ap, fmt);
	xvasprintf(&p->notice, fmt, ap);
	va_end(ap);
	p->notice_until = ms > 0 ? mono_ms() + ms : 0;
	p->console->redraw = true;
}

static void
pane_notice_clear(struct pane *p)
{
	free(p->notice);
	p->notice = NULL;
	p->console->redraw = true;
}

/* Remember which audit event a submitted command has, for its exit status. */
#define PANE_SEQS 32
static struct {
	const struct pane	*pane;
	uint64_t		 seq;
	int64_t			 event;
} pane_seqs[PANE_SEQS];
static size_t pane_seqs_next;

/* Audit the exit status of commands the shell reported done (OSC 133 D). */
static void
pane_command_ends(struct pane *p)
{
	struct audit_event	ev;
	uint64_t		seq;
	int64_t			event = 0;
	size_t			i;
	int			status;
	char			detail[96], *cause = NULL;

	while (cmdline_finished(p->cl, &seq, &status)) {
		for (i = 0; i < PANE_SEQS; i++) {
			if (pane_seqs[i].pane == p && pane_seqs[i].seq == seq)
				event = pane_seqs[i].event;
		}
		if (event == 0)
			continue;	/* not a gated command of ours */
		memset(&ev, 0, sizeof ev);
		ev.server = p->server != NULL ? p->server->name : NULL;
		ev.session = p->session;
		ev.action = "command-end";
		ev.result = status == 0 ? "ok" : "failed";
		ev.has_exit = status >= 0;
		ev.exit_status = status;
		snprintf(detail, sizeof detail, "{\"command_event\": %lld}",
		    (long long)event);
		ev.detail = detail;
		if (console_audit(p->console, &ev, &cause) != 0) {
			console_status(p->console, "%s", cause);
			free(cause);
			cause = NULL;
		}
	}
}

/* Audit one command decision; -1 (fail closed) with the reason shown. */
static int
pane_audit_command(struct pane *p, const char *cmd, const char *risk,
    enum decision d, const char *result, const char *detail, int64_t *id)
{
	struct audit_event	 ev;
	char			*cause = NULL;

	memset(&ev, 0, sizeof ev);
	ev.server = p->server->name;
	ev.session = p->session;
	ev.action = "command";
	ev.command = cmd;
	ev.risk = risk;
	ev.decision = decision_name(d);
	ev.result = result;
	ev.detail = detail;
	if (audit_append(p->console->audit, &ev, id, &cause) != 0) {
		pane_notice(p, 15000, "audit failed, NOT sent: %s", cause);
		console_status(p->console, "%s", cause);
		free(cause);
		return (-1);
	}
	return (0);
}

/* Send the held Enter and tell the tracker the command runs. */
static void
pane_send_enter(struct pane *p, int64_t event)
{
	uint64_t	seq;

	conn_write(p->conn, "\r", 1);
	seq = cmdline_submit(p->cl, mono_ms());
	if (seq != 0 && event != 0) {
		pane_seqs[pane_seqs_next].pane = p;
		pane_seqs[pane_seqs_next].seq = seq;
		pane_seqs[pane_seqs_next].event = event;
		pane_seqs_next = (pane_seqs_next + 1) % PANE_SEQS;
	}
}

/* Clear the remote's edit line (readline/zle: C-e then C-u). */
static void
pane_clear_line(struct pane *p)
{
	conn_write(p->conn, "\005\025", 2);
	cmdline_key(p->cl, CMDLINE_KEY_KILL_LINE, mono_ms());
}

/* The gate is over: drop what it held and any rest of a paste. */
static void
pane_gate_end(struct pane *p, bool drop_paste)
{
	p->gate = GATE_NONE;
	free(p->gate_cmd);
	p->gate_cmd = NULL;
	free(p->gate_risk);
	p->gate_risk = NULL;
	p->gate_id = 0;
	pane_wipe_answer(p);
	if (drop_paste && p->paste_next < p->npaste) {
		console_status(p->console, "the rest of the paste (%zu "
		    "command%s) was dropped", p->npaste - p->paste_next,
		    p->npaste - p->paste_next == 1 ? "" : "s");
		p->paste_next = p->npaste;
	}
}

/* JSON detail of a decision. */
static char *
pane_decision_detail(const struct risk_result *rr,
    const struct policy_result *pr, int64_t approval)
{
	struct sbuf	sb;

	sbuf_init(&sb);
	sbuf_adds(&sb, "{\"rule\": ");
	sbuf_json_string(&sb, rr->rule);
	sbuf_adds(&sb, ", \"risk_reason\": ");
	sbuf_json_string(&sb, rr->reason);
	sbuf_adds(&sb, ", \"role\": ");
	sbuf_json_string(&sb, pr->role);
	sbuf_adds(&sb, ", \"policy\": ");
	sbuf_json_string(&sb, pr->reason);
	if (approval != 0)
		sbuf_addf(&sb, ", \"approval\": %lld", (long long)approval);
	sbuf_adds(&sb, "}");
	return (sbuf_steal(&sb));
}

/* Join approver role names with commas. */
static char *
pane_join_roles(char **v, size_t n)
{
	struct sbuf	sb;
	size_t		i;

	sbuf_init(&sb);
	for (i = 0; i < n; i++) {
		if (i != 0)
			sbuf_addc(&sb, ',');
		sbuf_adds(&sb, v[i]);
	}
	return (sbuf_steal(&sb));
}

/*
 * Enter was pressed on cmd: classify, decide, audit first, then send,
 * hold, ask or withhold.
 */
static void
pane_gate_command(struct pane *p, const char *cmd)
{
	struct console		*c = p->console;
	const struct server	*s = p->server;
	struct risk_result	 rr;
	struct policy_result	 pr;
	struct policy_request	 req;
	struct approval_request	 ar;
	char			*detail, *roles, *cause = NULL;
	const char		*risk;
	int64_t			 event = 0, id = 0;

	memset(&rr, 0, sizeof rr);
	risk_classify(c->cfg->rules, cmd, c->cfg->escalate[s->env], &rr);
	memset(&req, 0, sizeof req);
	req.user = c->me;
	req.server = s;
	req.line = cmd;
	req.risk = &rr;
	req.when = time(NULL);
	policy_decide(c->cfg, &req, &pr);
	risk = risk_level_name(rr.level);

	switch (pr.decision) {
	case DECISION_ALLOW:
		detail = pane_decision_detail(&rr, &pr, 0);
		if (pane_audit_command(p, cmd, risk, DECISION_ALLOW, "sent",
		    detail, &event) == 0) {
			pane_send_enter(p, event);
			if (p->notice != NULL && p->notice_until == 0)
				pane_notice_clear(p);
		}
		free(detail);
		break;
	case DECISION_CONFIRM:
		p->gate = GATE_CONFIRM;
		p->gate_cmd = xstrdup(cmd);
		p->gate_risk = xstrdup(risk);
		p->gate_decision = DECISION_CONFIRM;
		pane_wipe_answer(p);
		pane_notice(p, 0, "%s on %s %s — type the server name to run "
		    "(anything else cancels): ", risk, env_name(s->env),
		    s->name);
		break;
	case DECISION_APPROVAL:
		roles = pane_join_roles(pr.approvers, pr.napprovers);
		memset(&ar, 0, sizeof ar);
		ar.server = s->name;
		ar.env = env_name(s->env);
		ar.command = cmd;
		ar.risk = risk;
		ar.rule = rr.reason;
		ar.reason = pr.reason;
		ar.approver_roles = roles;
		ar.expires_ms = now_ms() + (int64_t)c->cfg->approvals.expire * 1000;
		ar.session = p->session;
		if (approval_create(c->audit, &ar, &id, &cause) != 0) {
			pane_notice(p, 15000, "cannot file the approval request, "
			    "NOT sent: %s", cause);
			free(cause);
			free(roles);
			break;
		}
		free(roles);
		p->gate = GATE_APPROVAL;
		p->gate_cmd = xstrdup(cmd);
		p->gate_risk = xstrdup(risk);
		p->gate_decision = DECISION_APPROVAL;
		p->gate_id = id;
		pane_notice(p, 0, "waiting for approval #%lld (%s: %s) … Esc "
		    "cancels", (long long)id, risk, rr.reason);
		break;
	case DECISION_DENY:
		detail = pane_decision_detail(&rr, &pr, 0);
		pane_audit_command(p, cmd, risk, DECISION_DENY, "blocked",
		    detail, NULL);
		free(detail);
		pane_clear_line(p);
		pane_notice(p, 10000, "DENIED: %s", pr.reason);
		pane_gate_end(p, true);
		break;
	}
	policy_result_clear(&pr);
	risk_result_clear(&rr);
}

/* Keys while a command is held for confirmation or approval. */
static void
pane_gate_key(struct pane *p, uint32_t key)
{
	struct console	*c = p->console;
	char		*cause = NULL, detail[128];
	int64_t		 event = 0;
	uint32_t	 k = key & KEYC_MASK_KEY;
	char		 u[8];
	size_t		 n = 0;
	bool		 ok;

	if (p->gate == GATE_APPROVAL) {
		if (key != KEYC_ESCAPE) {
			console_status(c, "held: waiting for approval #%lld — "
			    "Esc cancels", (long long)p->gate_id);
			return;
		}
		if (approval_cancel(c->audit, p->gate_id, c->me->login,
		    "cancelled by the requester", &cause) != 0) {
			/* Decided meanwhile: the poll will act on it. */
			console_status(c, "%s", cause);
			free(cause);
			pane_gate_poll(p);
			return;
		}
		pane_clear_line(p);
		pane_notice(p, 5000, "cancelled approval request #%lld",
		    (long long)p->gate_id);
		pane_gate_end(p, true);
		return;
	}
	/* GATE_CONFIRM: the answer is typed into the notice. */
	if (key == KEYC_ENTER || key == KEYC_ESCAPE) {
		ok = key == KEYC_ENTER && p->answer.buf != NULL &&
		    strcmp(p->answer.buf, p->server->name) == 0;
		snprintf(detail, sizeof detail, "{\"confirmed\": %s}",
		    ok ? "true" : "false");
		if (ok) {
			if (pane_audit_command(p, p->gate_cmd, p->gate_risk,
			    DECISION_CONFIRM, "sent", detail, &event) == 0) {
				pane_send_enter(p, event);
				pane_notice_clear(p);
			}
			pane_gate_end(p, false);
			return;
		}
		pane_audit_command(p, p->gate_cmd, p->gate_risk,
		    DECISION_CONFIRM, "cancelled", detail, NULL);
		pane_clear_line(p);
		pane_notice(p, 5000, "cancelled: the server name was not typed");
		pane_gate_end(p, true);
		return;
	}
	if (key == KEYC_BSPACE) {
		if (p->answer.len > 0)
			p->answer.buf[--p->answer.len] = '\0';
	} else if ((key & KEYC_MASK_MODS) == 0 && k >= 0x20 && k < 0x7f &&
	    p->answer.len < 256) {
		u[n++] = (char)k;
		sbuf_add(&p->answer, u, n);
	}
	pane_notice(p, 0, "%s on %s %s — type the server name to run "
	    "(anything else cancels): %s", p->gate_risk,
	    env_name(p->server->env), p->server->name,
	    p->answer.buf != NULL ? p->answer.buf : "");
}

/*
 * A held request changed?  Approved: read the line from the screen again
 * and send only if it is still exactly what was approved.
 */
void
pane_gate_poll(struct pane *p)
{
	struct console	*c = p->console;
	struct approval	*a;
	char		*cause = NULL, *now_line, detail[256];
	int64_t		 event = 0;
	bool		 same;

	if (p->gate != GATE_APPROVAL || c->audit == NULL)
		return;
	if ((a = approval_get(c->audit, p->gate_id, &cause)) == NULL) {
		console_status(c, "approval #%lld: %s", (long long)p->gate_id,
		    cause);
		free(cause);
		return;
	}
	if (a->status == APPROVAL_PENDING && a->expires_ms <= now_ms()) {
		int expired = 0;
		approval_expire(c->audit, 0, &expired, NULL);
		approval_free(a);
		if ((a = approval_get(c->audit, p->gate_id, NULL)) == NULL)
			return;
	}
	switch (a->status) {
	case APPROVAL_PENDING:
		break;
	case APPROVAL_APPROVED:
		now_line = cmdline_current(p->cl);
		same = now_line != NULL && strcmp(now_line, p->gate_cmd) == 0;
		snprintf(detail, sizeof detail, "{\"approval\": %lld, "
		    "\"approved_by\": \"%.64s\"}", (long long)a->id,
		    a->decided_by != NULL ? a->decided_by : "?");
		if (!same) {
			approval_finish(c->audit, a->id, false,
			    "the command line changed on screen while held", NULL);
			pane_audit_command(p, p->gate_cmd, p->gate_risk,
			    DECISION_APPROVAL, "refused", detail, NULL);
			pane_clear_line(p);
			pane_notice(p, 15000, "approval #%lld REFUSED: the line on "
			    "screen is no longer the approved command",
			    (long long)a->id);
			pane_gate_end(p, true);
		} else if (pane_audit_command(p, p->gate_cmd, p->gate_risk,
		    DECISION_APPROVAL, "sent", detail, &event) == 0 &&
		    approval_finish(c->audit, a->id, true, NULL, &cause) == 0) {
			pane_send_enter(p, event);
			pane_notice(p, 5000, "approved by %s (#%lld): sent",
			    a->decided_by, (long long)a->id);
			pane_gate_end(p, false);
		} else {
			if (cause != NULL) {
				pane_notice(p, 15000, "NOT sent: %s", cause);
				free(cause);
			}
			pane_gate_end(p, true);
		}
		free(now_line);
		break;
	default:
		pane_clear_line(p);
		pane_notice(p, 15000, "request #%lld %s%s%s%s", (long long)a->id,
		    approval_status_name(a->status),
		    a->decided_by != NULL ? " by " : "",
		    a->decided_by != NULL ? a->decided_by : "",
		    a->decision_reason != NULL ? a->decision_reason : "");
		pane_gate_end(p, true);
		break;
	}
	approval_free(a);
	p->console->redraw = true;
}

bool
pane_update_risk(struct pane *p)
{
	struct risk_result	 rr;
	char			*line;

	line = p->server != NULL && p->state == PANE_CONNECTED &&
	    p->gate == GATE_NONE && cmdline_active(p->cl) ?
	    cmdline_current(p->cl) : NULL;
	if (line != NULL && *line == '\0') {
		free(line);
		line = NULL;
	}
	if (line == NULL && p->risk_line == NULL)
		return (false);
	if (line != NULL && p->risk_line != NULL &&
	    strcmp(line, p->risk_line) == 0) {
		free(line);
		return (false);
	}
	free(p->risk_line);
	free(p->risk_rule);
	free(p->risk_reason);
	p->risk_line = line;
	p->risk_rule = p->risk_reason = NULL;
	p->risk_level = RISK_LOW;
	if (line != NULL) {
		memset(&rr, 0, sizeof rr);
		risk_classify(p->console->cfg->rules, line,
		    p->console->cfg->escalate[p->server->env], &rr);
		p->risk_level = rr.level;
		p->risk_rule = rr.rule != NULL ? xstrdup(rr.rule) : NULL;
		p->risk_reason = xstrdup(rr.reason);
		risk_result_clear(&rr);
	}
	return (true);
}

/* Send the next line of a multi-line paste (each line is gated). */
static void
pane_paste_next(struct pane *p)
{
	const char	*line;
	size_t		 len;

	if (p->paste_next >= p->npaste || p->gate != GATE_NONE)
		return;
	line = p->paste[p->paste_next++];
	len = strlen(line);
	if (len > 0 && line[len - 1] == '\n')
		len--;
	cmdline_key(p->cl, CMDLINE_KEY_PASTE, mono_ms());
	conn_write(p->conn, line, len);
	p->last_key_sent = mono_ms();
	if (line[len] == '\n')
		p->more_enter = true;	/* gate Enter once the echo is in */
}

/* The loop calls this every pass: continue a paste when the shell is ready. */
void
pane_paste_tick(struct pane *p, int64_t now)
{
	if (p->conn == NULL || p->state != PANE_CONNECTED ||
	    p->gate != GATE_NONE)
		return;
	pane_enter_tick(p, now);
	if (p->more_enter) {
		/* A pasted line's Enter: decided like a typed one. */
		p->more_enter = false;
		cmdline_key(p->cl, CMDLINE_KEY_ENTER, now);
		p->enter_pending = true;
		p->enter_since = now;
		return;
	}
	if (p->paste_next < p->npaste && !p->enter_pending &&
	    now - p->last_output >= 200)
		pane_paste_next(p);
}

/* Enter, once the screen shows what was typed: gate the line or send. */
static void
pane_enter(struct pane *p)
{
	char	*cmd;

	if (p->server != NULL && cmdline_active(p->cl) &&
	    (cmd = cmdline_current(p->cl)) != NULL) {
		if (*cmd != '\0') {
			pane_gate_command(p, cmd);
			free(cmd);
			return;
		}
		free(cmd);
	}
	log_debug("%s: enter not gated (%s)", __func__,
	    cmdline_active(p->cl) ? "no command line" :
	    cmdline_inactive_reason(p->cl));
	pane_send_enter(p, 0);
}

/*
 * May a pending Enter be decided now?  Once the remote has answered the
 * last key (output came after it and went quiet for 50 ms, and cmdline has
 * settled).  A slow remote must not make us judge a stale screen: without
 * any answer we wait PANE_ECHO_WAIT_MS, which only a remote that truly
 * does not echo (read -s with no prompt text) ever reaches; a recognised
 * password prompt needs no wait.
 */
#define PANE_ECHO_WAIT_MS 2000
static bool
pane_enter_ready(struct pane *p, int64_t now)
{
	const char	*why;

	if (now - p->enter_since >= PANE_ECHO_WAIT_MS)
		return (true);
	why = cmdline_active(p->cl) ? NULL : cmdline_inactive_reason(p->cl);
	if (why != NULL && strcmp(why, "password prompt") == 0)
		return (true);
	return (p->last_output >= p->last_key_sent &&
	    now - p->last_output >= 50 && cmdline_settle_ms(p->cl, now) == 0);
}

/*
 * A pending Enter is decided once pane_enter_ready says the screen shows
 * what was typed.  Keys typed meanwhile follow it; when the Enter is held
 * (confirm, approval) they are dropped.
 */
static void
pane_enter_tick(struct pane *p, int64_t now)
{
	uint32_t	*keys;
	size_t		 n, i;

	if (!p->enter_pending)
		return;
	if (!pane_enter_ready(p, now))
		return;
	p->enter_pending = false;
	pane_enter(p);
	keys = p->typeahead;
	n = p->ntypeahead;
	p->typeahead = NULL;
	p->ntypeahead = 0;
	if (p->gate != GATE_NONE) {
		if (n > 0)
			console_status(p->console, "%zu key%s typed after the "
			    "held command dropped", n, n == 1 ? "" : "s");
		free(keys);
		return;
	}
	for (i = 0; i < n; i++)
		pane_key(p, keys[i]);
	free(keys);
}

void
pane_key(struct pane *p, uint32_t key)
{
	char			 buf[VT_KEY_MAX + 2];
	size_t			 n;
	enum cmdline_key	 cls;
	int64_t			 now = mono_ms();

	if (p->ask != PANE_ASK_NONE) {
		pane_key_ask(p, key);
		return;
	}
	if (p->local_fd != -1) {
		/* A local results pane: its command does its own gating. */
		if ((n = pane_encode_key(p, key, buf, VT_KEY_MAX)) > 0)
			(void)!write(p->local_fd, buf, n);
		return;
	}
	if (p->conn == NULL || p->state != PANE_CONNECTED)
		return;
	if (p->gate != GATE_NONE) {
		pane_gate_key(p, key);
		return;
	}
	if (p->enter_pending) {
		if (p->ntypeahead < 4096) {
			p->typeahead = xreallocarray(p->typeahead,
			    p->ntypeahead + 1, sizeof *p->typeahead);
			p->typeahead[p->ntypeahead++] = key;
		}
		return;
	}
	if (p->paste_next < p->npaste || p->more_enter) {
		console_status(p->console, "a paste is still being run, one "
		    "gated command at a time");
		return;
	}
	n = pane_encode_key(p, key, buf, VT_KEY_MAX);
	if (n == 0)
		return;
	cls = cmdline_key_class(buf, n);
	if (cls == CMDLINE_KEY_ENTER) {
		cmdline_key(p->cl, CMDLINE_KEY_ENTER, now);
		p->enter_since = now;
		if (!pane_enter_ready(p, now)) {
			/* The screen has not answered the last key yet. */
			p->enter_pending = true;
			return;
		}
		pane_enter(p);
		return;
	}
	cmdline_key(p->cl, cls, now);
	conn_write(p->conn, buf, n);
	p->last_key_sent = now;
}

void
pane_paste(struct pane *p, const char *buf, size_t len)
{
	char	br[VT_KEY_MAX], **cmds;
	size_t	n, ncmds, i, start;

	if (p->ask != PANE_ASK_NONE || p->conn == NULL ||
	    p->state != PANE_CONNECTED || p->gate != GATE_NONE)
		return;
	cmds = cmdline_active(p->cl) ? cmdline_paste_split(p->cl, buf, len,
	    &ncmds) : NULL;
	if (cmds == NULL) {
		/* Nothing runs at once: type it (bracketed if asked for). */
		if ((n = vt_paste_start(p->vt, br, sizeof br)) > 0)
			conn_write(p->conn, br, n);
		conn_write(p->conn, buf, len);
		if ((n = vt_paste_end(p->vt, br, sizeof br)) > 0)
			conn_write(p->conn, br, n);
		cmdline_key(p->cl, CMDLINE_KEY_PASTE, mono_ms());
		return;
	}
	strv_free(cmds, ncmds);
	/*
	 * Several commands would run: send the paste one line at a time and
	 * gate each line's Enter like a typed one.
	 */
	strv_free(p->paste, p->npaste);
	p->paste = NULL;
	p->npaste = p->paste_next = 0;
	for (i = 0, start = 0; i <= len; i++) {
		if (i < len && buf[i] != '\n' && buf[i] != '\r')
			continue;
		if (i == len && i == start)
			break;
		p->paste = xreallocarray(p->paste, p->npaste + 1,
		    sizeof *p->paste);
		p->paste[p->npaste++] = i < len ?
		    xprintf("%.*s\n", (int)(i - start), buf + start) :
		    xstrndup(buf + start, i - start);
		if (i < len && buf[i] == '\r' && i + 1 < len &&
		    buf[i + 1] == '\n')
			i++;
		start = i + 1;
	}
	pane_paste_next(p);
}

int
pane_fd(const struct pane *p, short *events)
{
	if (p->local_fd != -1) {
		*events = POLLIN;
		return (p->local_fd);
	}
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
	if (p->local_fd != -1)
		return (-1);
	if (p->conn == NULL)
		return (-1);
	return (conn_next_timeout_ms(p->conn, now));
}

void
pane_process(struct pane *p, short revents, int64_t now)
{
	if (p->local_fd != -1) {
		if ((revents & (POLLIN|POLLHUP|POLLERR)) || p->more)
			pane_local_read(p);
		return;
	}
	if (p->conn == NULL)
		return;
	p->more = conn_process(p->conn, revents, now, CONSOLE_READ_BUDGET) == 1;
}
