/*
 * console.h: the full-screen console — one poll(2) loop over the terminal,
 * every pane's SSH connection, a self-pipe for signals and timers — and the
 * state the drawing code (ui.c) reads.  Callbacks record, the loop acts:
 * pane output only marks rows dirty; one step before sleeping draws, at
 * most every CONSOLE_FRAME_MS.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#include "omv.h"
#include "queue.h"

struct audit_event;
struct keymap;
struct layout;
struct pane;
struct sidebar;
struct theme;

#define CONSOLE_FRAME_MS	10	/* at most one frame per 10 ms */
#define CONSOLE_FLOOD_BYTES	(128 * 1024)	/* output between frames that is a flood */
#define CONSOLE_FLOOD_FRAME_MS	40	/* frames during a flood */
#define CONSOLE_READ_BUDGET	(256 * 1024)	/* per pane per loop pass */

/* What has the keyboard. */
enum console_focus {
	FOCUS_PANE,
	FOCUS_SIDEBAR,
	FOCUS_QUEUE		/* the approvals queue panel */
};

/* An overlay over everything, taking the keyboard while shown. */
enum console_overlay {
	OVERLAY_NONE,
	OVERLAY_HELP,
	OVERLAY_CONFIRM,	/* y/n question: confirm_op on y */
	OVERLAY_PROMPT		/* a line of text: sidebar filter, copy search */
};

enum console_confirm {
	CONFIRM_QUIT,
	CONFIRM_KILL_PANE
};

enum console_prompt {
	PROMPT_FILTER,		/* sidebar filter */
	PROMPT_SEARCH,		/* scrollback search */
	PROMPT_QUEUE_FILTER,
	PROMPT_DENY,		/* the reason for denying a request */
	PROMPT_TOTP,		/* a TOTP code to approve a critical request */
	PROMPT_COMMAND		/* the : command line (exec, runbook) */
};

struct console {
	struct omv_config	 *cfg;		/* owned */
	struct ident		 *me;		/* owned */
	struct audit		 *audit;	/* owned */
	struct keymap		 *keys;		/* owned */
	struct theme		 *theme;	/* owned */
	struct layout		 *layout;	/* owned */
	struct sidebar		 *sidebar;	/* owned */
	struct pane		**panes;	/* owned */
	size_t			  npanes;
	int			  next_id;
	int			  active;	/* focused pane id */

	enum console_focus	  focus;
	bool			  prefix;	/* the prefix key was pressed */
	enum console_overlay	  overlay;
	enum console_confirm	  confirm_op;
	char			 *confirm_text;	/* owned */
	enum console_prompt	  prompt_op;
	struct sbuf		  prompt;	/* text typed at the prompt */
	int			  help_top;

	char			 *message;	/* owned: status bar message */
	int64_t			  message_until;
	struct queue		  queue;	/* the approvals queue */

	int			  rows, cols;	/* the outer terminal */
	int			  sidebar_width;
	bool			  redraw;	/* everything must be drawn */
	int64_t			  last_draw;
	int64_t			  drawn_bytes;	/* pane output when last drawn */
	int64_t			  last_key;	/* mono ms: idle timeout */
	bool			  quit;
	int			  exit_status;
	int			  sig_pipe[2];
	bool			  no_colour;
};

/* Append an audit event with the operator's identity; -1 + cause fails closed. */
int console_audit(struct console *, struct audit_event *, char **cause);
/* A message in the status bar for a few seconds. */
void console_status(struct console *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
struct pane *console_pane(struct console *, int id);
/* Ring the terminal bell (ui.c). */
void ui_bell(struct console *);
/* The server's panes and their best state, for the sidebar. */
int console_server_panes(struct console *, const struct server *, int *state);

#endif
