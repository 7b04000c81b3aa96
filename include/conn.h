/*
 * conn.h: one SSH connection as a non-blocking state machine for a single
 * poll(2) loop.  Used by the console (a pty and a shell per pane) and by
 * fan-out (exec channels, many connections at once).
 *
 * Driving it, every loop iteration:
 *	fd = conn_fd(c); events = conn_poll_events(c);   (both change over time:
 *	    re-read them before every poll; fd -1 means "nothing to poll")
 *	timeout = min over conns of conn_next_timeout_ms(c, mono_ms())
 *	poll(...)
 *	conn_process(c, revents, mono_ms(), budget)   for each conn whose fd
 *	    is ready, whose timeout came, or that returned 1 (more data
 *	    pending) last time; calling it with revents 0 is allowed and cheap.
 *
 * States (conn_state):
 *	CONNECTING	resolve (a thread for names; IP literals never block),
 *			TCP connect, banner and key exchange.  One deadline,
 *			connect_timeout_ms, covers all of it.
 *	HOSTKEY		the key is unknown: waiting for conn_hostkey_answer()
 *			(conn_hostkey() has the fingerprint to show).
 *	AUTH		agent, identity file, ~/.ssh defaults,
 *			keyboard-interactive, password (OpenSSH's order).
 *	AUTH_PROMPT	waiting for conn_answer(): a passphrase, password or
 *			keyboard-interactive answer typed with echo off.
 *	CHANNEL		opening the session channel (pty + shell, or exec).
 *	OPEN		the channel is up: data flows.
 *	IDLE		authenticated, no channel: an exec finished (or none was
 *			asked for); conn_exec() runs the next command.
 *	CLOSED		ended after being up (conn_reason: "shell exited",
 *			"connection lost: ...", "no response from server ...").
 *	FAILED		never got up (conn_reason and conn_error say why).
 *
 * Callbacks run only inside conn_process (never inside conn_write,
 * conn_answer ...) and must not free the conn; they may call anything else.
 * Secrets given to conn_answer are copied, handed to libssh and wiped with
 * explicit_bzero; they are never logged and never reach a callback.
 * The caller should ignore SIGPIPE (a write to a dropped connection).
 */
#ifndef CONN_H
#define CONN_H

#include "omv.h"

struct conn;
struct hostkey_result;

enum conn_state {
	CONN_CONNECTING,
	CONN_HOSTKEY,
	CONN_AUTH,
	CONN_AUTH_PROMPT,
	CONN_CHANNEL,
	CONN_OPEN,
	CONN_IDLE,
	CONN_CLOSED,
	CONN_FAILED
};

/* Why a conn failed or closed, coarse enough for fan-out's summary. */
enum conn_error {
	CONN_ERR_NONE,
	CONN_ERR_UNREACHABLE,	/* name not found, refused, no route */
	CONN_ERR_TIMEOUT,	/* connect_timeout_ms passed */
	CONN_ERR_HOSTKEY,	/* changed, rejected, unknown in batch mode */
	CONN_ERR_AUTH,		/* every method failed */
	CONN_ERR_PROTOCOL,	/* key exchange failed, channel refused, ... */
	CONN_ERR_LOST,		/* dropped after being up (or keepalive) */
	CONN_ERR_CLOSED		/* closed by us: conn_close() */
};

/* What the connection runs once authenticated. */
enum conn_mode {
	CONN_MODE_SHELL,	/* a pty of term/cols/rows and a login shell */
	CONN_MODE_EXEC,		/* an exec channel for command, stdin closed */
	CONN_MODE_NONE		/* nothing yet: IDLE until conn_exec() */
};

struct conn_params {
	const char	*host;		/* name or IP literal */
	int		 port;		/* 0: ~/.ssh/config or 22 */
	const char	*user;		/* NULL: ~/.ssh/config or the login */
	const char	*identity;	/* NULL: agent, ~/.ssh defaults */
	const char	*known_hosts;	/* NULL: ~/.ssh/known_hosts */
	int		 connect_timeout_ms; /* 0: 10000 */
	int		 keepalive;	/* probe after N quiet s; 0 off */
	int		 keepalive_max;	/* unanswered probes to give up; 0: 3 */
	enum conn_mode	 mode;
	const char	*command;	/* CONN_MODE_EXEC */
	const char	*term;		/* SHELL; NULL: "xterm-256color" */
	int		 cols, rows;	/* CONN_MODE_SHELL; 0: 80x24 */
	int		 flags;
#define CONN_BATCH		0x1	/* never ask: unknown host key and
					   passwords fail (fan-out) */
#define CONN_NO_SSH_CONFIG	0x2	/* do not read ~/.ssh/config */
};

enum conn_event_type {
	CONN_EVENT_HOSTKEY_KNOWN,	/* key matched known_hosts */
	CONN_EVENT_HOSTKEY_UNKNOWN,	/* unknown key: asking the operator */
	CONN_EVENT_HOSTKEY_ACCEPTED,	/* accepted, saved (detail: why not) */
	CONN_EVENT_HOSTKEY_REJECTED,	/* operator (or batch mode) rejected */
	CONN_EVENT_HOSTKEY_CHANGED,	/* listed key differs: refused */
	CONN_EVENT_AUTH_ACCEPTED,	/* method */
	CONN_EVENT_AUTH_PARTIAL,	/* method accepted, more needed */
	CONN_EVENT_AUTH_DENIED,		/* method */
	CONN_EVENT_BANNER		/* detail: the pre-login banner */
};

/* An audit-worthy event; pointers valid during the callback only. */
struct conn_event {
	enum conn_event_type	 type;
	const char		*host;		/* "[h]:2222", known_hosts form */
	const char		*key_type;	/* host key events */
	const char		*fingerprint;
	const char		*known_fingerprint; /* CHANGED */
	const char		*known_where;	/* CHANGED: "file:line" */
	const char		*method;	/* auth: "agent", "publickey",
						   "password", "none",
						   "keyboard-interactive" */
	const char		*detail;
};

struct conn_cb {
	/* Every state change; conn_reason() says why for CLOSED/FAILED. */
	void	(*state)(struct conn *, enum conn_state, void *);
	/* Channel output (is_stderr only for exec channels). */
	void	(*data)(struct conn *, const char *, size_t, int is_stderr,
		    void *);
	/* AUTH_PROMPT: show text (several lines split by '\n' maybe) and
	   read an answer, echoed only if echo is set; then conn_answer(). */
	void	(*prompt)(struct conn *, const char *text, int echo, void *);
	void	(*event)(struct conn *, const struct conn_event *, void *);
	/* The channel's command or shell ended: exit status, or -1 and the
	   signal name ("KILL") when it was killed. */
	void	(*exit)(struct conn *, int status, const char *signal, void *);
};

/* Copies params; nothing happens until conn_start.  NULL + *cause if bad. */
struct conn	*conn_create(const struct conn_params *, const struct conn_cb *,
		     void *arg, char **cause);
/* Begin connecting (never blocks).  now: mono_ms(). */
void		 conn_start(struct conn *, int64_t now);
void		 conn_free(struct conn *);

int		 conn_fd(const struct conn *);
short		 conn_poll_events(const struct conn *);
/* Milliseconds until conn_process wants to run with no fd event; -1 none. */
int		 conn_next_timeout_ms(const struct conn *, int64_t now);
/*
 * Advance the machine, read channel data (at most budget bytes, 0: 64 KiB)
 * and deliver it.  Returns 1 when data is left over (call again without
 * waiting in poll: libssh has buffered what the fd no longer reports), else 0.
 */
int		 conn_process(struct conn *, short revents, int64_t now,
		     size_t budget);

/* Queue input for a shell (sent once OPEN); -1 if ended or not a shell. */
int		 conn_write(struct conn *, const void *, size_t);
/* New pty size; sent now if OPEN, else used when the pty is requested. */
void		 conn_resize(struct conn *, int cols, int rows);
/* AUTH_PROMPT: the operator's answer (copied, wiped after use), or NULL to
   cancel that method.  -1 when no prompt is waiting. */
int		 conn_answer(struct conn *, const char *);
/* HOSTKEY: accept (save to known_hosts, go on) or reject; -1 if not asked. */
int		 conn_hostkey_answer(struct conn *, int accept);
/* IDLE: run command on a new exec channel.  -1 if not IDLE. */
int		 conn_exec(struct conn *, const char *command);
/* Close politely (EOF, channel close, disconnect): CLOSED, CONN_ERR_CLOSED. */
void		 conn_close(struct conn *);

enum conn_state	 conn_state(const struct conn *);
enum conn_error	 conn_error(const struct conn *);
/* NULL unless CLOSED/FAILED. */
const char	*conn_reason(const struct conn *);
const char	*conn_state_name(enum conn_state);
/* "unreachable", "timeout", "host key", "auth failed" ... */
const char	*conn_error_name(enum conn_error);
/* The current prompt in AUTH_PROMPT (NULL otherwise). */
const char	*conn_prompt(const struct conn *, int *echo);
/* The host key check (HOSTKEY, and after it); NULL before key exchange. */
const struct hostkey_result *conn_hostkey(const struct conn *);
/* Exit status of the last channel: -1 until known (or killed by a signal). */
int		 conn_exit_status(const struct conn *);
const char	*conn_host(const struct conn *);	/* as given */
int		 conn_port(const struct conn *);	/* as used */
const char	*conn_user(const struct conn *);	/* NULL: unknown */

#endif
