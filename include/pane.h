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

/* What the sidebar and the title line show. */
enum pane_state {
	PANE_EMPTY,		/* no server */
	PANE_IDLE,		/* a server, not started */
	PANE_CONNECTING,	/* connect, host key, auth, channel */
	PANE_CONNECTED,
	PANE_FAILED,		/* never got up */
	PANE_DISCONNECTED	/* was up, then closed or lost */
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
/* Write a local message into the pane's screen (not recorded). */
void pane_message(struct pane *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
