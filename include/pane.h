/*
 * pane.h: one terminal pane of the console — a server, its SSH connection,
 * the terminal emulator in front of it, its recording — and the small
 * dialogues omv holds inside the pane (host key question, password prompt,
 * "disconnected — press r").  No curses here: ui.c draws what vt holds.
 */
#ifndef PANE_H
#define PANE_H

#include "omv.h"

struct console;
struct server;
struct vt;
struct conn;
struct cmdline;

/* What the sidebar and the title line show. */
enum pane_state {
	PANE_EMPTY,		/* no server */
	PANE_IDLE,		/* a server, not started */
	PANE_CONNECTING,	/* connect, host key, auth, channel */
	PANE_CONNECTED,
	PANE_FAILED,		/* never got up */
	PANE_DISCONNECTED	/* was up, then closed or lost */
};

/* A command held at Enter (command gating). */
enum pane_gate {
	GATE_NONE,
	GATE_CONFIRM,		/* typing the server name confirms */
	GATE_APPROVAL		/* waiting for another operator */
};

/* What the pane itself is asking the operator (keys go to the dialogue). */
enum pane_ask {
	PANE_ASK_NONE,
	PANE_ASK_HOSTKEY,	/* "yes" + Enter accepts, anything else rejects */
	PANE_ASK_SECRET,	/* a password/passphrase/k-i answer, echo off */
	PANE_ASK_TEXT,		/* a k-i answer with echo */
	PANE_ASK_RECONNECT	/* r reconnects */
};

struct pane {
	int			 id;
	struct console		*console;	/* borrowed */
	const struct server	*server;	/* borrowed from the config; NULL = empty */
	struct vt		*vt;		/* owned */
	struct conn		*conn;		/* owned; NULL when not connected */
	struct record		*rec;		/* owned; NULL when not recording */
	int64_t			 session;	/* audit session id, 0 = none */
	int64_t			 started;	/* now_ms at connect */
	enum pane_state		 state;
	char			*reason;	/* owned: why failed/disconnected */
	enum pane_ask		 ask;
	struct sbuf		 answer;	/* typed answer; wiped after use */
	int			 cols, rows;	/* content size */
	bool			 more;		/* conn has buffered data left */
	bool			 dirty_title;
	int64_t			 bell_until;	/* mono ms: title flashes until */
	int64_t			 output_bytes;
	/* A local command in a pty instead of an SSH session (: prompt). */
	int			 local_fd;	/* pty master, -1 when none */
	int			 local_pid;	/* child, 0 when reaped */
	char			*local_title;	/* owned: what runs */
	/* Command gating. */
	struct cmdline		*cl;		/* owned: the line being edited */
	enum pane_gate		 gate;
	char			*gate_cmd;	/* owned: the held command */
	char			*gate_risk;	/* owned: its level name */
	enum decision		 gate_decision;
	int64_t			 gate_id;	/* approval request id */
	char			*notice;	/* owned: shown on the pane's last row */
	int64_t			 notice_until;	/* mono ms; 0 = while gated */
	char			**paste;	/* owned: pasted commands still to run */
	size_t			 npaste, paste_next;
	int64_t			 last_output;	/* mono ms */
	bool			 more_enter;	/* a pasted line's Enter is due */
	int64_t			 last_key_sent;	/* mono ms of the last key sent */
	bool			 enter_pending;	/* Enter waits for the echo */
	int64_t			 enter_since;
	uint32_t		*typeahead;	/* owned: keys after a pending Enter */
	size_t			 ntypeahead;
	/* Live risk of the line being edited (for tinting and the status bar). */
	char			*risk_line;	/* owned: the line last classified */
	enum risk_level		 risk_level;
	char			*risk_rule;	/* owned */
	char			*risk_reason;	/* owned */
	bool			 risk_shown;	/* a tint is on screen */
	/* Scrollback (copy) mode. */
	bool			 copy;
	long			 copy_top;	/* first line shown: -N history .. 0 */
	long			 copy_line;	/* cursor line */
	long			 copy_mark;	/* selection start, LONG_MIN = none */
	char			*search;	/* owned: last search */
};

struct pane *pane_create(struct console *, int id, int cols, int rows,
    int scrollback);
void pane_free(struct pane *);
/*
 * Run argv (argv[0] a path, never through a shell) in a local pty in the
 * pane: the console's results panes for exec and runbook.  -1 + cause.
 */
int pane_spawn(struct pane *, char *const *argv, const char *title,
    char **cause);
/* Reap the pane's child if it exited (SIGCHLD). */
void pane_reap(struct pane *);
/* Open server in the pane (connect now). */
void pane_open(struct pane *, const struct server *);
/* Reconnect after a failure or disconnect, keeping the screen. */
void pane_reconnect(struct pane *);
/* Close the connection politely (pane stays). */
void pane_disconnect(struct pane *, const char *why);
void pane_resize(struct pane *, int cols, int rows);
/* An operator key for this pane: dialogue, or bytes to the remote. */
void pane_key(struct pane *, uint32_t key);
/* A paste: wrapped in brackets when the remote asked for them. */
void pane_paste(struct pane *, const char *, size_t);
/* Loop hooks: fd and events, timeout, processing. */
int pane_fd(const struct pane *, short *events);
int pane_timeout(const struct pane *, int64_t now);
void pane_process(struct pane *, short revents, int64_t now);
const char *pane_state_name(enum pane_state);
/* Re-classify the line being edited if it changed; true when it did. */
bool pane_update_risk(struct pane *);
/* Poll a held approval (the console calls this on a short timer). */
void pane_gate_poll(struct pane *);
/* Continue a multi-line paste when the shell is ready (every loop pass). */
void pane_paste_tick(struct pane *, int64_t now);
/* Write a local message into the pane's screen (not recorded). */
void pane_message(struct pane *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
