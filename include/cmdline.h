/*
 * cmdline.h: what command line the operator is editing in a shell pane, read
 * from the emulated screen.  Keystrokes alone cannot tell it (tab
 * completion, history recall, Ctrl-R, editing keys), so the tracker watches
 * a struct vt plus three kinds of event the pane reports, and answers with
 * the line as it stands on screen now.
 *
 * Wiring (the pane does this; nothing here writes or draws):
 *	- each output chunk: vt_write(vt, buf, n); cmdline_output(cl, now);
 *	  then while (cmdline_finished(cl, &seq, &status)) attach the exit
 *	  status to the audit event of command seq;
 *	- the vt osc callback: if (num == 133) cmdline_osc133(cl, payload, len);
 *	- each key, before its bytes are sent:
 *	  cmdline_key(cl, cmdline_key_class(bytes, n), now);
 *	- Enter: cmdline_key(cl, CMDLINE_KEY_ENTER, now); hold the Enter
 *	  while cmdline_settle_ms(cl, now) > 0 (the screen has not answered
 *	  the last key yet: a Tab or Up whose result is still on its way),
 *	  checking again after each output chunk or when that time has
 *	  passed; then, if
 *	  cmdline_active(cl), cmd = cmdline_current(cl) is what to classify,
 *	  decide on and audit (NULL: nothing to gate); when the Enter is
 *	  actually sent, seq = cmdline_submit(cl, now);
 *	- a paste: cmds = cmdline_paste_split(cl, text, len, &n) are the
 *	  commands the paste runs at once, each to be gated; once sent,
 *	  cmdline_key(cl, CMDLINE_KEY_PASTE, now) and one cmdline_submit() per
 *	  command.
 * `now` is any millisecond clock (mono_ms()); only differences are used.
 */
#ifndef CMDLINE_H
#define CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vt;
struct cmdline;

/* What a keystroke is to the tracker (cmdline_key_class). */
enum cmdline_key {
	CMDLINE_KEY_PRINTABLE,	/* text the shell should echo */
	CMDLINE_KEY_ENTER,	/* CR, LF, keypad Enter */
	CMDLINE_KEY_TAB,	/* completion: the shell rewrites the line */
	CMDLINE_KEY_UP,		/* history: the shell rewrites the line */
	CMDLINE_KEY_DOWN,
	CMDLINE_KEY_MOVE,	/* Left, Right, Home, End, C-a, C-e, C-b, C-f, M-b, M-f */
	CMDLINE_KEY_SEARCH,	/* C-r, C-s: incremental history search */
	CMDLINE_KEY_INTERRUPT,	/* C-c: the line is abandoned */
	CMDLINE_KEY_KILL_LINE,	/* C-u */
	CMDLINE_KEY_KILL_WORD,	/* C-w, M-Backspace */
	CMDLINE_KEY_BACKSPACE,	/* DEL, C-h */
	CMDLINE_KEY_PASTE,	/* several characters at once, or a bracketed paste */
	CMDLINE_KEY_OTHER	/* anything else (function keys, C-l, Delete ...) */
};
#define CMDLINE_KEY_COUNT 13

/* Where the current line's boundaries come from. */
enum cmdline_source {
	CMDLINE_SOURCE_NONE,		/* no line being edited */
	CMDLINE_SOURCE_MARKS,		/* an OSC 133 B mark: exact */
	CMDLINE_SOURCE_HEURISTIC	/* where the cursor stood at the first key */
};

/* Columns [from, to) of screen row `row` hold part of the command. */
struct cmdline_span {
	int	row;
	int	from;
	int	to;
};

#define CMDLINE_MAX_TEXT	65536	/* bytes of command text kept */
#define CMDLINE_MAX_ROWS	256	/* rows of one logical line looked at */

/* Lifecycle: vt is borrowed and must outlive the tracker. */
struct cmdline	*cmdline_create(struct vt *);
void		 cmdline_free(struct cmdline *);

/* The class of the bytes one key (or paste) sends to the remote. */
enum cmdline_key cmdline_key_class(const char *, size_t);
const char	*cmdline_key_name(enum cmdline_key);

/* Events. */
void		 cmdline_output(struct cmdline *, int64_t now);
void		 cmdline_key(struct cmdline *, enum cmdline_key, int64_t now);
/* An OSC 133 payload ("A", "B", "C", "D;0", "A;k=s" ...); any bytes. */
void		 cmdline_osc133(struct cmdline *, const char *, size_t);
/* The Enter was sent: the line is a command now.  Returns its number (0 if inactive). */
uint64_t	 cmdline_submit(struct cmdline *, int64_t now);

/*
 * Milliseconds to wait before the screen can be read for an Enter: 0 once
 * output has come since the last key, or when the echo wait has passed.
 */
int		 cmdline_settle_ms(struct cmdline *, int64_t now);

/*
 * False while nothing typed may be gated or recorded: the alternate screen
 * is on, or the remote does not echo (see cmdline.c).
 */
bool		 cmdline_active(struct cmdline *);
/* Why not active ("alternate screen", "echo off", "password prompt"), or NULL. */
const char	*cmdline_inactive_reason(struct cmdline *);

/*
 * The command line as it stands on screen now (continuation lines joined
 * with newlines, trailing blanks dropped), malloc'd; NULL when inactive or
 * no line is being edited.
 */
char		*cmdline_current(struct cmdline *);
/* The prompt's last line (the row up to where the command starts), malloc'd; or NULL. */
char		*cmdline_prompt_text(struct cmdline *);
/* Where the edited line's cells are on screen: up to max spans; returns how many. */
size_t		 cmdline_spans(struct cmdline *, struct cmdline_span *, size_t);
enum cmdline_source cmdline_source(const struct cmdline *);
/* True once the remote shell has sent OSC 133 marks. */
bool		 cmdline_marks(const struct cmdline *);
/* True while the edited line continues an unfinished command (PS2). */
bool		 cmdline_continued(const struct cmdline *);

/* A command that ended (OSC 133 D): its number and status (-1 unknown); true once each. */
bool		 cmdline_finished(struct cmdline *, uint64_t *, int *);

/*
 * The commands a paste of len bytes runs at once, in order (*n of them,
 * each malloc'd, the array too; NULL when none): with bracketed paste on
 * nothing runs until Enter; otherwise each complete line, the first joined
 * with the text around the cursor.  An unfinished last line stays on the
 * command line.
 */
char		**cmdline_paste_split(struct cmdline *, const char *, size_t,
		    size_t *);
/* True when the text is an unfinished shell command (open quote, \ at the end, if without fi ...). */
bool		 cmdline_incomplete(const char *);

#endif
