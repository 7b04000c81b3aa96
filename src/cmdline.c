/*
 * cmdline.c: the command line being edited in a shell pane, read from the
 * emulated screen.
 *
 * The tracker is a small state machine over three kinds of event: remote
 * output (after the vt has taken it), operator keys (before they are sent),
 * and OSC 133 semantic prompt marks (FinalTerm's: A prompt start, B command
 * start, C output start, D;status command end; "A;k=s" is a continuation
 * prompt, as kitty writes it).  Either no line is being edited (a command
 * runs; CL_RUNNING) or one is (CL_EDIT), and then the anchor says where the
 * prompt ends: an absolute line number (history lines ever added plus the
 * screen row, so scrolling does not move it) and a column.
 *
 * The anchor comes from a B mark when the shell sends them: exact, and the
 * shell sends it again whenever it redraws the prompt (after a completion
 * listing, Ctrl-L).  Without marks it is where the cursor stood at the
 * first key after a command (the prompt heuristic), and the prompt's text
 * (its row up to that column) is remembered: when the shell redraws the
 * prompt elsewhere (bash prints a completion listing and the prompt again
 * below it; Ctrl-L moves it to the top), the nearest row at or above the
 * cursor that starts with that text, and does not continue a wrapped row,
 * is the prompt again.
 *
 * The command is the screen text from the anchor to the end of the logical
 * line (rows joined when soft-wrapped, or full to the last column) that
 * holds the cursor, or the lowest row the cursor stood on at a key since
 * the prompt (a multi-line buffer with the cursor moved up).  Rows that do
 * not continue each other are joined with a newline.  Readline's
 * incremental search replaces the prompt with "(reverse-i-search)`x': ";
 * then the command is the matched text after "': ".  zsh's search status
 * line ("bck-i-search: x_") below the command ends the region.  A line
 * typed at a continuation prompt (PS2) after an unfinished command is
 * joined to the lines before it with newlines.
 *
 * Inactive (nothing typed is gated or recorded): on the alternate screen
 * (vim, less, htop), and when the remote does not echo.  No echo is
 * decided two ways, both needing that nothing the operator typed at this
 * prompt ever changed the screen at the cursor:
 *	- a printable key was typed at least echo_wait ms ago and the cursor
 *	  cell has not changed since (echo_wait is four times the echo round
 *	  trip measured so far, 250 ms to 3 s);
 *	- or the prompt reads like a secret prompt: it ends with ':' and names
 *	  a password, passphrase, passcode, PIN, token or verification code.
 * A shell prompt that echoes is never inactive, whatever its text; at a
 * prompt marked by B the secret-prompt rule does not apply.
 *
 * Exit statuses: each Enter sent gets a number (cmdline_submit) and waits
 * in a queue; a C mark starts the oldest, its D ends it with the status.  A
 * D with no C means the shell read a line and ran nothing (an empty line,
 * a syntax error, C-c), and drops the oldest; the blank lines of a pasted
 * block are queued as placeholders for the same reason.  One Enter whose
 * text runs several commands (a multi-line buffer) sees several Cs and one
 * D.  Our snippet (omv shell-integration) sends D at every prompt.
 *
 * Limits: a nested shell or a program reading lines (python, cat) looks
 * like a prompt without marks and is tracked the same way (so it is gated:
 * fail safe); typing blind at a shell with echo off is not gated (it is
 * inactive by the rules above); text a background job prints into the
 * line is part of it.
 */
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "omv.h"
#include "shparse.h"
#include "vt.h"

#define CL_RUNNING	0	/* no line edited: output belongs to a command */
#define CL_EDIT		1	/* a line is edited after the anchor */

#define CL_PROMPT_MAX	512	/* cells of prompt text kept */
#define CL_QUEUE	16	/* submitted commands awaiting C, ended awaiting the console */
#define CL_RTT_INIT	100	/* ms: echo round trip assumed before one is seen */
#define CL_WAIT_MIN	250
#define CL_WAIT_MAX	3000
#define CL_OSC_MAX	256	/* longer OSC 133 payloads are ignored */

/* A prompt's text: the code point of each cell of its row, up to the anchor. */
struct cl_prompt {
	uint32_t	cells[CL_PROMPT_MAX];
	int		len;
};

struct cmdline {
	struct vt	*vt;		/* borrowed */
	int		 state;		/* CL_RUNNING or CL_EDIT */

	/* The anchor: where the prompt ends and the command starts. */
	int64_t		 anchor;	/* absolute line */
	int		 anchor_col;
	bool		 at_mark;	/* from a B mark */
	int64_t		 reach;		/* lowest absolute line the cursor stood on at a key */
	struct cl_prompt prompt;	/* the anchor row up to anchor_col */
	struct cl_prompt ps1;		/* the last primary prompt a command was sent from */

	/* OSC 133. */
	bool		 marks;		/* the shell sends them */
	bool		 secondary;	/* the last A was a continuation prompt */

	/* Continuation: the command sent so far, when it may go on. */
	struct sbuf	 pending;	/* owned */
	bool		 has_pending;
	bool		 pending_incomplete;
	bool		 cont;		/* the edited line continues pending */

	/* Echo. */
	bool		 echo_seen;	/* a key changed the screen at this prompt */
	bool		 echo_pending;	/* a printable key not echoed yet */
	int64_t		 echo_since;
	int		 snap_row;	/* the cursor and its cell at the last key */
	int		 snap_col;
	uint32_t	 snap_ch;
	uint64_t	 snap_total;
	int64_t		 rtt;
	int64_t		 last_now;
	bool		 unanswered;	/* no output since the last key */
	int64_t		 last_key;

	/* Command numbers and statuses. */
	uint64_t	 next_seq;
	uint64_t	 queue[CL_QUEUE];	/* sent, not started (no C yet); 0 a blank line */
	size_t		 nqueue;
	uint64_t	 running;	/* started by C, 0 when none */
	uint64_t	 done_seq[CL_QUEUE];	/* ended (D), not yet taken */
	int		 done_status[CL_QUEUE];
	size_t		 ndone;

	/* Blank lines before each command of the last paste split. */
	uint8_t		 plan[CL_QUEUE];
	size_t		 nplan;
	size_t		 plan_next;
	bool		 plan_armed;	/* the paste was sent: submits follow the plan */
};

/* The edited region: from (start, col) to the end of line `end`. */
struct cl_region {
	int64_t		start;
	int		col;
	int64_t		end;
};

/* Isearch prompts that replace the shell prompt (readline). */
static const char *cl_search_prompts[] = {
	"(reverse-i-search)`",
	"(failed reverse-i-search)`",
	"(i-search)`",
	"(failed i-search)`",
	NULL
};

/* Search status lines below the command (zsh). */
static const char *cl_search_lines[] = {
	"bck-i-search:",
	"fwd-i-search:",
	"failing bck-i-search:",
	"failing fwd-i-search:",
	NULL
};

/* ---- Lines by absolute number: screen rows and history. ---- */

/* History lines ever added: absolute line of screen row 0. */
static int64_t
cl_total(const struct cmdline *cl)
{
	return ((int64_t)vt_history_total(cl->vt));
}

/* The line at absolute number abs, from the screen or the history. */
static bool
cl_line(struct cmdline *cl, int64_t abs, struct vt_line *line)
{
	int64_t	row = abs - cl_total(cl), idx;

	if (row >= 0) {
		if (row >= vt_rows(cl->vt))
			return (false);
		return (vt_line(cl->vt, (int)row, line));
	}
	idx = -row - 1;
	if ((uint64_t)idx >= vt_history_size(cl->vt))
		return (false);
	return (vt_history_line(cl->vt, (size_t)idx, line));
}

/* The column after the last non-empty cell of a line. */
static int
cl_line_used(const struct vt_line *line)
{
	int	n = line->ncells;

	while (n > 0 && line->cells[n - 1].ch == 0 && line->cells[n - 1].width != 0)
		n--;
	return (n);
}

/* Does line abs go on in the next line: soft-wrapped, or full to the last column? */
static bool
cl_joins(struct cmdline *cl, int64_t abs, bool full)
{
	struct vt_line	line;
	int		cols = vt_cols(cl->vt);

	if (!cl_line(cl, abs, &line))
		return (false);
	if (line.wrapped)
		return (true);
	if (!full || line.ncells < cols)
		return (false);
	return (line.cells[cols - 1].ch != 0 || line.cells[cols - 1].width == 0);
}

/* The first line of the logical line holding abs (soft wraps only). */
static int64_t
cl_logical_start(struct cmdline *cl, int64_t abs)
{
	int	n;

	for (n = 0; n < CMDLINE_MAX_ROWS && cl_joins(cl, abs - 1, false); n++)
		abs--;
	return (abs);
}

/* The last line of the logical line holding abs (soft wraps only), on screen. */
static int64_t
cl_logical_end(struct cmdline *cl, int64_t abs)
{
	int64_t	last = cl_total(cl) + vt_rows(cl->vt) - 1;
	int	n;

	for (n = 0; n < CMDLINE_MAX_ROWS && abs < last && cl_joins(cl, abs, false); n++)
		abs++;
	return (abs);
}

/* The code point of a cell (0 empty, -1 the right half of a wide one). */
static uint32_t
cl_cell_ch(const struct vt_line *line, int col)
{
	if (col < 0 || col >= line->ncells)
		return (0);
	if (line->cells[col].width == 0)
		return ((uint32_t)-1);
	return (line->cells[col].ch);
}

/* Does line abs start with the prompt's cells? */
static bool
cl_starts_with(struct cmdline *cl, int64_t abs, const struct cl_prompt *p)
{
	struct vt_line	line;
	int		i;

	if (!cl_line(cl, abs, &line))
		return (false);
	for (i = 0; i < p->len; i++) {
		if (cl_cell_ch(&line, i) != p->cells[i])
			return (false);
	}
	return (true);
}

/* Does line abs start with an ASCII string? */
static bool
cl_starts_with_str(struct cmdline *cl, int64_t abs, const char *s)
{
	struct vt_line	line;
	int		i;

	if (!cl_line(cl, abs, &line))
		return (false);
	for (i = 0; s[i] != '\0'; i++) {
		if (cl_cell_ch(&line, i) != (uint32_t)(unsigned char)s[i])
			return (false);
	}
	return (true);
}

/* Take the cells [0, col) of line abs as a prompt. */
static void
cl_prompt_take(struct cmdline *cl, int64_t abs, int col, struct cl_prompt *p)
{
	struct vt_line	line;
	int		i;

	p->len = 0;
	if (!cl_line(cl, abs, &line))
		return;
	if (col > CL_PROMPT_MAX)
		col = CL_PROMPT_MAX;
	for (i = 0; i < col; i++)
		p->cells[i] = cl_cell_ch(&line, i);
	p->len = col;
}

/* Is a prompt's text this prefix of another's? */
static bool
cl_prompt_prefix(const struct cl_prompt *p, const struct cl_prompt *of)
{
	return (p->len <= of->len &&
	    memcmp(p->cells, of->cells, p->len * sizeof *p->cells) == 0);
}

/* ---- Text of the screen. ---- */

/* Append cells [from, to) of a line: empty cells are spaces. */
static void
cl_cells_add(const struct vt_line *line, int from, int to, struct sbuf *sb)
{
	uint32_t	cps[VT_MAX_CHARS];
	size_t		n, k;
	int		col;

	for (col = from; col < to; col++) {
		if (line->cells[col].width == 0)
			continue;
		n = vt_line_chars(line, col, cps);
		if (n == 0)
			sbuf_addc(sb, ' ');
		for (k = 0; k < n; k++)
			sbuf_add_glyph(sb, cps[k]);
	}
}

/*
 * Readline's incremental search: does the logical line starting at ls hold
 * "(reverse-i-search)`...': "?  Then the matched command starts after it.
 */
static bool
cl_search_find(struct cmdline *cl, int64_t ls, int64_t *abs, int *col)
{
	static const char	 sep[] = "': ";
	const char		**sp;
	struct vt_line		 line;
	uint32_t		 ch;
	int64_t			 a = ls;
	int			 c, n, matched = 0;

	for (sp = cl_search_prompts; *sp != NULL; sp++) {
		if (cl_starts_with_str(cl, ls, *sp))
			break;
	}
	if (*sp == NULL)
		return (false);
	c = (int)strlen(*sp);
	for (n = 0; n < CMDLINE_MAX_ROWS; n++) {
		if (!cl_line(cl, a, &line))
			return (false);
		for (; c < line.ncells; c++) {
			ch = cl_cell_ch(&line, c);
			if (ch == (uint32_t)sep[matched]) {
				if (++matched < 3)
					continue;
				*abs = a;
				*col = c + 1;
				return (true);
			}
			matched = ch == '\'' ? 1 : 0;
		}
		if (!cl_joins(cl, a, true))
			return (false);
		a++;
		c = 0;
	}
	return (false);
}

/* Does line abs begin a search status line (zsh's "bck-i-search: x_")? */
static bool
cl_search_status(struct cmdline *cl, int64_t abs)
{
	const char	**sp;

	for (sp = cl_search_lines; *sp != NULL; sp++) {
		if (cl_starts_with_str(cl, abs, *sp))
			return (true);
	}
	return (false);
}

/* The absolute line and column of the cursor. */
static void
cl_cursor(struct cmdline *cl, int64_t *abs, int *col)
{
	int	row, c;
	bool	visible;

	vt_cursor(cl->vt, &row, &c, &visible);
	*abs = cl_total(cl) + row;
	*col = c;
}

/* Where the edited command is on screen now; false when none. */
static bool
cl_region(struct cmdline *cl, struct cl_region *rg)
{
	int64_t	cur, last, a, oldest, first;
	int	col;

	cl_cursor(cl, &cur, &col);
	first = cl_logical_start(cl, cur);
	for (a = cur; a >= first; a--) {
		if (!cl_search_find(cl, a, &rg->start, &rg->col))
			continue;
		rg->end = cl_logical_end(cl, cur);
		if (rg->end < rg->start)
			rg->end = rg->start;
		return (true);
	}
	if (cl->state != CL_EDIT)
		return (false);
	rg->start = cl->anchor;
	rg->col = cl->anchor_col;
	oldest = cl_total(cl) - (int64_t)vt_history_size(cl->vt);
	if (rg->start < oldest) {
		/* The line's start has left the history: read what is left of it. */
		rg->start = oldest;
		rg->col = 0;
	}
	last = cl->anchor;
	if (cur > last)
		last = cur;
	if (cl->reach > last)
		last = cl->reach;
	rg->end = cl_logical_end(cl, last);
	if (rg->end - rg->start >= CMDLINE_MAX_ROWS)
		rg->end = rg->start + CMDLINE_MAX_ROWS - 1;
	for (a = rg->start + 1; a <= rg->end; a++) {
		if (!cl_joins(cl, a - 1, true) && cl_search_status(cl, a)) {
			rg->end = a - 1;
			break;
		}
	}
	return (true);
}

/* The text of a region, trailing blanks dropped; *cursor gets the cursor's byte offset. */
static char *
cl_region_text(struct cmdline *cl, const struct cl_region *rg, size_t *cursor)
{
	struct sbuf	sb;
	struct vt_line	line;
	int64_t		a, cur;
	int		ccol, from, to, mid;
	bool		have_cursor = false;

	cl_cursor(cl, &cur, &ccol);
	sbuf_init(&sb);
	sbuf_add(&sb, "", 0);
	for (a = rg->start; a <= rg->end; a++) {
		if (!cl_line(cl, a, &line))
			break;
		from = a == rg->start ? rg->col : 0;
		to = cl_line_used(&line);
		if (from > to)
			from = to;
		mid = to;
		if (a == cur)
			mid = ccol < from ? from : ccol > to ? to : ccol;
		cl_cells_add(&line, from, mid, &sb);
		if (a == cur) {
			*cursor = sb.len;
			have_cursor = true;
		}
		cl_cells_add(&line, mid, to, &sb);
		if (sb.len > CMDLINE_MAX_TEXT)
			break;
		if (a < rg->end && !cl_joins(cl, a, true))
			sbuf_addc(&sb, '\n');
	}
	if (sb.len > CMDLINE_MAX_TEXT) {
		sb.len = CMDLINE_MAX_TEXT;
		while (sb.len > 0 && (sb.buf[sb.len] & 0xc0) == 0x80)
			sb.len--;	/* not inside a UTF-8 character */
	}
	while (sb.len > 0 && (sb.buf[sb.len - 1] == ' ' ||
	    sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '\t'))
		sb.len--;
	sb.buf[sb.len] = '\0';
	if (!have_cursor || *cursor > sb.len)
		*cursor = sb.len;
	return (sbuf_steal(&sb));
}

/* ---- Unfinished commands and prompt texts. ---- */

/* Is word [w, w + n) this keyword? */
static bool
cl_word_is(const char *w, size_t n, const char *kw)
{
	return (strlen(kw) == n && memcmp(w, kw, n) == 0);
}

/*
 * Count the compound-command keywords of a line, outside quotes and
 * comments: an if without fi, a loop without done, a case without esac.
 */
static bool
cl_keywords_open(const char *s)
{
	static const char	*loops[] = { "for", "while", "until", "select", NULL };
	const char		*w, **kw;
	int			 ifs = 0, loop = 0, cases = 0;
	size_t			 n;

	while (*s != '\0') {
		if (*s == '\'' || *s == '"') {
			char q = *s++;
			while (*s != '\0' && *s != q) {
				if (q == '"' && *s == '\\' && s[1] != '\0')
					s++;
				s++;
			}
			if (*s != '\0')
				s++;
			continue;
		}
		if (*s == '\\') {
			s += s[1] != '\0' ? 2 : 1;
			continue;
		}
		if (strchr(" \t\n;&|()<>", *s) != NULL) {
			s++;
			continue;
		}
		if (*s == '#') {
			while (*s != '\0' && *s != '\n')
				s++;
			continue;
		}
		w = s;
		while (*s != '\0' && strchr(" \t\n;&|()<>'\"\\", *s) == NULL)
			s++;
		n = (size_t)(s - w);
		if (cl_word_is(w, n, "if"))
			ifs++;
		else if (cl_word_is(w, n, "fi"))
			ifs--;
		else if (cl_word_is(w, n, "case"))
			cases++;
		else if (cl_word_is(w, n, "esac"))
			cases--;
		else if (cl_word_is(w, n, "done"))
			loop--;
		else {
			for (kw = loops; *kw != NULL; kw++) {
				if (cl_word_is(w, n, *kw))
					loop++;
			}
		}
	}
	return (ifs > 0 || loop > 0 || cases > 0);
}

/* Would the shell ask for more (PS2) after this text? */
bool
cmdline_incomplete(const char *text)
{
	struct sh_parse	*p;
	size_t		 len = strlen(text), n = 0;
	bool		 open;

	while (n < len && text[len - 1 - n] == '\\')
		n++;
	if (n % 2 == 1)
		return (true);	/* a backslash-newline goes on */
	p = shparse(text, len);
	open = (p->status & SH_UNPARSED) != 0;
	shparse_free(p);
	return (open || cl_keywords_open(text));
}

/* A prompt as lower-case ASCII, trailing blanks dropped, into buf. */
static void
cl_prompt_ascii(const struct cl_prompt *p, char *buf, size_t len)
{
	size_t	n = 0;
	int	i;

	for (i = 0; i < p->len && n + 1 < len; i++) {
		if (p->cells[i] == (uint32_t)-1)
			continue;
		if (p->cells[i] == 0)
			buf[n++] = ' ';
		else if (p->cells[i] < 0x80)
			buf[n++] = (char)(p->cells[i] >= 'A' && p->cells[i] <= 'Z' ?
			    p->cells[i] + 32 : p->cells[i]);
		else
			buf[n++] = '?';
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	buf[n] = '\0';
}

/* Does word w occur in s on its own (not inside another word)? */
static bool
cl_has_word(const char *s, const char *w)
{
	const char	*p = s;
	size_t		 n = strlen(w);

	while ((p = strstr(p, w)) != NULL) {
		if ((p == s || !(p[-1] >= 'a' && p[-1] <= 'z')) &&
		    !(p[n] >= 'a' && p[n] <= 'z'))
			return (true);
		p++;
	}
	return (false);
}

/* Does the prompt ask for a secret ("[sudo] password for x:", "Enter passphrase ...:")? */
static bool
cl_secret_prompt(const struct cl_prompt *p)
{
	static const char	*words[] = { "password", "passwort", "passphrase",
				    "passcode", "verification code", "one-time",
				    "pin", "otp", "token", "secret", NULL };
	const char		**w;
	char			 buf[CL_PROMPT_MAX + 1];
	size_t			 n;

	cl_prompt_ascii(p, buf, sizeof buf);
	n = strlen(buf);
	if (n == 0 || buf[n - 1] != ':')
		return (false);
	for (w = words; *w != NULL; w++) {
		if (cl_has_word(buf, *w))
			return (true);
	}
	return (strstr(buf, "password") != NULL);
}

/* Does the prompt look like a continuation prompt ("> ", zsh's "dquote> ")? */
static bool
cl_ps2_prompt(const struct cl_prompt *p)
{
	return (p->len >= 2 && p->len <= 32 && p->cells[p->len - 1] == ' ' &&
	    p->cells[p->len - 2] == '>');
}

/* ---- State. ---- */

/* Forget the command sent so far. */
static void
cl_pending_clear(struct cmdline *cl)
{
	sbuf_reset(&cl->pending);
	cl->has_pending = false;
	cl->pending_incomplete = false;
	cl->cont = false;
}

/* Remember the cursor and its cell, to see whether output changes them. */
static void
cl_snap(struct cmdline *cl)
{
	const struct vt_cell	*c;
	bool			 visible;

	vt_cursor(cl->vt, &cl->snap_row, &cl->snap_col, &visible);
	c = vt_cell(cl->vt, cl->snap_row, cl->snap_col);
	cl->snap_ch = c != NULL ? c->ch : 0;
	cl->snap_total = vt_history_total(cl->vt);
}

/* Did output change the screen at the cursor since the last key? */
static bool
cl_snap_changed(struct cmdline *cl)
{
	const struct vt_cell	*c;
	int			 row, col;
	bool			 visible;

	vt_cursor(cl->vt, &row, &col, &visible);
	if (row != cl->snap_row || col != cl->snap_col ||
	    vt_history_total(cl->vt) != cl->snap_total)
		return (true);
	c = vt_cell(cl->vt, row, col);
	return ((c != NULL ? c->ch : 0) != cl->snap_ch);
}

/* Decide whether a new prompt continues the command sent before it. */
static void
cl_anchor_cont(struct cmdline *cl)
{
	cl->cont = false;
	if (!cl->has_pending)
		return;
	if (cl->at_mark)
		cl->cont = cl->secondary;
	else if (cl->pending_incomplete && cl_ps2_prompt(&cl->prompt) &&
	    !(cl->ps1.len == cl->prompt.len &&
	    cl_prompt_prefix(&cl->prompt, &cl->ps1)))
		cl->cont = true;
	if (!cl->cont)
		cl_pending_clear(cl);
}

/* A new prompt ends at abs, col: a new line is edited. */
static void
cl_anchor_set(struct cmdline *cl, int64_t abs, int col, bool mark)
{
	bool	fresh = cl->state != CL_EDIT;

	cl->state = CL_EDIT;
	cl->anchor = abs;
	cl->anchor_col = col;
	cl->at_mark = mark;
	cl->reach = abs;
	cl_prompt_take(cl, abs, col, &cl->prompt);
	if (fresh) {
		cl->snap_row = -1;
		cl->echo_seen = false;
		cl->echo_pending = false;
		cl_anchor_cont(cl);
	}
}

/* The prompt heuristic: the prompt ends where the cursor stands at the first key. */
static void
cl_anchor_heuristic(struct cmdline *cl)
{
	int64_t	cur;
	int	col;

	cl_cursor(cl, &cur, &col);
	cl_anchor_set(cl, cur, col, false);
	/*
	 * Text left on the line after the last primary prompt (the unfinished
	 * end of a paste, type-ahead) belongs to the command, not the prompt.
	 */
	if (!cl->cont && cl->ps1.len > 0 && cl->ps1.len < cl->prompt.len &&
	    cl_prompt_prefix(&cl->ps1, &cl->prompt)) {
		cl->anchor_col = cl->ps1.len;
		cl->prompt.len = cl->ps1.len;
	}
}

/*
 * Without marks, follow a prompt the shell drew again: the nearest row at
 * or above the cursor (not below the old anchor) that starts a line with
 * the prompt's text.
 */
static void
cl_sync(struct cmdline *cl)
{
	int64_t	cur, lo, total = cl_total(cl), a;
	int	col;

	if (cl->state != CL_EDIT || cl->at_mark || cl->prompt.len == 0)
		return;
	cl_cursor(cl, &cur, &col);
	lo = cl->anchor < cur ? cl->anchor : cl_logical_start(cl, cur);
	if (lo < total)
		lo = total;
	for (a = cur; a >= lo; a--) {
		if (a == cl->anchor)
			return;
		/*
		 * Row 0 starts a line: after a clear (Ctrl-L) the newest
		 * history line is not the row above it, wrapped or not.
		 */
		if (a != total && cl_joins(cl, a - 1, false))
			continue;
		if (cl_starts_with(cl, a, &cl->prompt)) {
			cl->anchor = a;
			cl->reach = a;
			return;
		}
	}
}

/* How long a printable key may go unechoed before echo counts as off. */
static int64_t
cl_echo_wait(const struct cmdline *cl)
{
	int64_t	w = cl->rtt * 4;

	return (w < CL_WAIT_MIN ? CL_WAIT_MIN : w > CL_WAIT_MAX ? CL_WAIT_MAX : w);
}

/* ---- The API. ---- */

/* A tracker watching vt; no line is edited until the first key or B mark. */
struct cmdline *
cmdline_create(struct vt *vt)
{
	struct cmdline	*cl;

	cl = xcalloc(1, sizeof *cl);
	cl->vt = vt;
	cl->state = CL_RUNNING;
	cl->rtt = CL_RTT_INIT;
	cl->snap_row = -1;
	sbuf_init(&cl->pending);
	return (cl);
}

/* Free a tracker (NULL is fine). */
void
cmdline_free(struct cmdline *cl)
{
	if (cl == NULL)
		return;
	sbuf_free(&cl->pending);
	free(cl);
}

/* The final byte and first parameter of a CSI or SS3 key sequence. */
static enum cmdline_key
cl_key_escape(const unsigned char *p, size_t len)
{
	unsigned char	final = p[len - 1];
	int		param = 0;
	size_t		i;

	if (len == 2) {
		if (strchr("bfBF", p[1]) != NULL)
			return (CMDLINE_KEY_MOVE);	/* M-b, M-f */
		if (p[1] == 0x7f || p[1] == 0x08)
			return (CMDLINE_KEY_KILL_WORD);
		return (CMDLINE_KEY_OTHER);
	}
	if (p[1] != '[' && p[1] != 'O')
		return (CMDLINE_KEY_OTHER);
	for (i = 2; i < len - 1; i++) {
		if (p[i] == ';')
			break;
		if (p[i] < '0' || p[i] > '9')
			return (CMDLINE_KEY_OTHER);
		if (param < 1000)
			param = param * 10 + (p[i] - '0');
	}
	switch (final) {
	case 'A':
		return (CMDLINE_KEY_UP);
	case 'B':
		return (CMDLINE_KEY_DOWN);
	case 'C':
	case 'D':
	case 'H':
	case 'F':
		return (CMDLINE_KEY_MOVE);
	case 'M':
		return (p[1] == 'O' ? CMDLINE_KEY_ENTER : CMDLINE_KEY_OTHER);
	case '~':
		if (param == 1 || param == 4 || param == 7 || param == 8)
			return (CMDLINE_KEY_MOVE);
		if (param == 200)
			return (CMDLINE_KEY_PASTE);
		return (CMDLINE_KEY_OTHER);
	}
	return (CMDLINE_KEY_OTHER);
}

/* Classify the bytes one key or paste sends. */
enum cmdline_key
cmdline_key_class(const char *buf, size_t len)
{
	const unsigned char	*p = (const unsigned char *)buf;
	size_t			 i;
	bool			 printable = true, newline = false;

	if (len == 0)
		return (CMDLINE_KEY_OTHER);
	if (len >= 6 && memcmp(buf, "\033[200~", 6) == 0)
		return (CMDLINE_KEY_PASTE);
	if (p[0] == 0x1b && len > 1 && len <= 16)
		return (cl_key_escape(p, len));
	if (len == 1) {
		switch (p[0]) {
		case '\r':
		case '\n':
			return (CMDLINE_KEY_ENTER);
		case '\t':
			return (CMDLINE_KEY_TAB);
		case 0x7f:
		case 0x08:
			return (CMDLINE_KEY_BACKSPACE);
		case 0x03:
			return (CMDLINE_KEY_INTERRUPT);
		case 0x15:
			return (CMDLINE_KEY_KILL_LINE);
		case 0x17:
			return (CMDLINE_KEY_KILL_WORD);
		case 0x12:
		case 0x13:
			return (CMDLINE_KEY_SEARCH);
		case 0x01:
		case 0x02:
		case 0x05:
		case 0x06:
			return (CMDLINE_KEY_MOVE);
		}
	}
	for (i = 0; i < len; i++) {
		if (p[i] == '\r' || p[i] == '\n')
			newline = true;
		else if (p[i] < 0x20 || p[i] == 0x7f)
			printable = false;
	}
	if (newline && len > 1)
		return (CMDLINE_KEY_PASTE);
	if (printable && p[0] != 0x1b)
		return (len > 4 ? CMDLINE_KEY_PASTE : CMDLINE_KEY_PRINTABLE);
	return (CMDLINE_KEY_OTHER);
}

/* The name of a key class, for logs and tests. */
const char *
cmdline_key_name(enum cmdline_key k)
{
	static const char	*names[CMDLINE_KEY_COUNT] = {
		"printable", "enter", "tab", "up", "down", "move", "search",
		"interrupt", "kill-line", "kill-word", "backspace", "paste",
		"other"
	};

	if ((unsigned)k >= CMDLINE_KEY_COUNT)
		return ("?");
	return (names[k]);
}

/* Output has reached the vt: note the echo, follow a redrawn prompt. */
void
cmdline_output(struct cmdline *cl, int64_t now)
{
	int64_t	rtt;

	cl->last_now = now;
	if (vt_altscreen(cl->vt)) {
		/* Whatever was edited belongs to the full-screen program now. */
		cl->state = CL_RUNNING;
		cl->echo_pending = false;
		cl_pending_clear(cl);
		return;
	}
	cl->unanswered = false;
	if (cl->state != CL_EDIT)
		return;
	if (cl->snap_row >= 0 && cl_snap_changed(cl)) {
		if (cl->echo_pending) {
			rtt = now - cl->echo_since;
			if (rtt < 0)
				rtt = 0;
			cl->rtt = (cl->rtt * 7 + rtt) / 8;
		}
		cl->echo_pending = false;
		cl->echo_seen = true;
		cl->snap_row = -1;
	}
	cl_sync(cl);
}

/* A key, before its bytes are sent: the first after a command anchors the prompt. */
void
cmdline_key(struct cmdline *cl, enum cmdline_key k, int64_t now)
{
	int64_t	cur;
	int	col;

	cl->last_now = now;
	cl->plan_armed = k == CMDLINE_KEY_PASTE && cl->nplan > 0;
	cl->plan_next = 0;
	if (vt_altscreen(cl->vt))
		return;
	if (k == CMDLINE_KEY_INTERRUPT) {
		/* The line (or the unfinished command) is abandoned. */
		cl->state = CL_RUNNING;
		cl->echo_pending = false;
		cl_pending_clear(cl);
		return;
	}
	if (cl->state != CL_EDIT)
		cl_anchor_heuristic(cl);
	else
		cl_sync(cl);
	cl_cursor(cl, &cur, &col);
	if (cur > cl->reach)
		cl->reach = cur;
	if (k == CMDLINE_KEY_ENTER)
		return;
	cl->unanswered = true;
	cl->last_key = now;
	if ((k == CMDLINE_KEY_PRINTABLE || k == CMDLINE_KEY_PASTE) &&
	    !cl->echo_pending) {
		cl->echo_pending = true;
		cl->echo_since = now;
	}
	cl_snap(cl);
}

/* Is param one of the ";"-separated parameters after an OSC 133 kind? */
static bool
cl_osc_param(const char *p, size_t len, const char *param)
{
	size_t	i = 2, j, n = strlen(param);

	while (i < len) {
		for (j = i; j < len && p[j] != ';'; j++)
			;
		if (j - i == n && memcmp(p + i, param, n) == 0)
			return (true);
		i = j + 1;
	}
	return (false);
}

/* The status of "D;N...": N, or -1 when missing or not a number. */
static int
cl_osc_status(const char *p, size_t len)
{
	size_t	i = 2, start;
	int	v = 0;
	bool	neg = false;

	if (len < 3)
		return (-1);
	if (p[i] == '-') {
		neg = true;
		i++;
	}
	start = i;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (i - start >= 9)
			return (-1);
		v = v * 10 + (p[i] - '0');
	}
	if (i == start || (i < len && p[i] != ';'))
		return (-1);
	return (neg ? -v : v);
}

/* Take the oldest command sent and not started. */
static uint64_t
cl_queue_pop(struct cmdline *cl)
{
	uint64_t	seq;

	if (cl->nqueue == 0)
		return (0);
	seq = cl->queue[0];
	memmove(cl->queue, cl->queue + 1, (cl->nqueue - 1) * sizeof *cl->queue);
	cl->nqueue--;
	return (seq);
}

/* Queue a command sent (0: a blank line the shell reads and does not run). */
static void
cl_queue_push(struct cmdline *cl, uint64_t seq)
{
	if (cl->nqueue == CL_QUEUE)
		cl_queue_pop(cl);
	cl->queue[cl->nqueue++] = seq;
}

/* An OSC 133 mark from the remote, handled inside vt_write. */
void
cmdline_osc133(struct cmdline *cl, const char *p, size_t len)
{
	int64_t	cur;
	int	col;

	if (p == NULL || len == 0 || len > CL_OSC_MAX)
		return;
	if (len > 1 && p[1] != ';')
		return;
	if (vt_altscreen(cl->vt))
		return;
	switch (p[0]) {
	case 'A':
		cl->marks = true;
		cl->secondary = cl_osc_param(p, len, "k=s");
		if (cl->secondary)
			break;
		if (cl->state != CL_EDIT)
			cl_pending_clear(cl);
		break;
	case 'B':
		cl->marks = true;
		cl_cursor(cl, &cur, &col);
		if (cl->state == CL_EDIT && cl->at_mark) {
			/* The prompt drawn again (a completion listing, Ctrl-L). */
			cl->anchor = cur;
			cl->anchor_col = col;
			cl->reach = cur;
			cl_prompt_take(cl, cur, col, &cl->prompt);
		} else {
			cl->state = CL_RUNNING;
			cl_anchor_set(cl, cur, col, true);
		}
		break;
	case 'C':
		cl->marks = true;
		cl->state = CL_RUNNING;
		cl->echo_pending = false;
		while (cl->nqueue > 0 && cl->queue[0] == 0)
			cl_queue_pop(cl);	/* blank lines never start */
		/* Nothing queued: more of the same text (one Enter, several lines). */
		if (cl->nqueue > 0)
			cl->running = cl_queue_pop(cl);
		cl_pending_clear(cl);
		break;
	case 'D':
		cl->marks = true;
		if (cl->running == 0) {
			/* No C: the shell read a line and ran nothing (empty, C-c, syntax error). */
			cl_queue_pop(cl);
			break;
		}
		if (cl->ndone == CL_QUEUE) {
			memmove(cl->done_seq, cl->done_seq + 1,
			    (CL_QUEUE - 1) * sizeof *cl->done_seq);
			memmove(cl->done_status, cl->done_status + 1,
			    (CL_QUEUE - 1) * sizeof *cl->done_status);
			cl->ndone--;
		}
		cl->done_seq[cl->ndone] = cl->running;
		cl->done_status[cl->ndone] = cl_osc_status(p, len);
		cl->ndone++;
		cl->running = 0;
		break;
	}
}

/* The line as it stands and the cursor's byte offset in it; NULL when none. */
static char *
cl_current(struct cmdline *cl, size_t *cursor)
{
	struct cl_region	 rg;
	char			*text, *full;
	size_t			 off = 0;

	if (cl->state == CL_EDIT)
		cl_sync(cl);
	if (!cl_region(cl, &rg))
		return (NULL);
	text = cl_region_text(cl, &rg, &off);
	if (cl->cont && cl->has_pending) {
		xasprintf(&full, "%s\n%s", cl->pending.buf != NULL ?
		    cl->pending.buf : "", text);
		off += cl->pending.len + 1;
		free(text);
		text = full;
	}
	*cursor = off;
	return (text);
}

/* The Enter went to the remote: the line is a command now. */
uint64_t
cmdline_submit(struct cmdline *cl, int64_t now)
{
	char		*text;
	size_t		 off;
	uint64_t	 seq;
	int		 n;

	cl->last_now = now;
	if (!cmdline_active(cl)) {
		cl->state = CL_RUNNING;
		cl->echo_pending = false;
		cl_pending_clear(cl);
		return (0);
	}
	if ((text = cl_current(cl, &off)) == NULL)
		text = xstrdup("");
	seq = ++cl->next_seq;
	if (cl->cont && cl->nqueue > 0)
		cl->queue[cl->nqueue - 1] = seq;	/* the same command, now longer */
	else {
		if (cl->plan_armed && cl->plan_next < cl->nplan) {
			for (n = 0; n < cl->plan[cl->plan_next]; n++)
				cl_queue_push(cl, 0);
			cl->plan_next++;
		}
		cl_queue_push(cl, seq);
	}
	if (cl->state == CL_EDIT && !cl->cont)
		cl->ps1 = cl->prompt;
	sbuf_reset(&cl->pending);
	sbuf_adds(&cl->pending, text);
	cl->has_pending = true;
	cl->pending_incomplete = cmdline_incomplete(text);
	cl->cont = false;
	cl->state = CL_RUNNING;
	cl->echo_pending = false;
	free(text);
	return (seq);
}

/* How long an Enter must wait for the screen to answer the last key. */
int
cmdline_settle_ms(struct cmdline *cl, int64_t now)
{
	int64_t	left;

	cl->last_now = now;
	if (!cl->unanswered || vt_altscreen(cl->vt))
		return (0);
	left = cl_echo_wait(cl) - (now - cl->last_key);
	return (left > 0 ? (int)left : 0);
}

/* Why typing is neither gated nor recorded now, or NULL. */
const char *
cmdline_inactive_reason(struct cmdline *cl)
{
	if (vt_altscreen(cl->vt))
		return ("alternate screen");
	if (cl->state != CL_EDIT || cl->echo_seen)
		return (NULL);
	if (cl->echo_pending &&
	    cl->last_now - cl->echo_since >= cl_echo_wait(cl))
		return ("echo off");
	if (!cl->at_mark && cl_secret_prompt(&cl->prompt))
		return ("password prompt");
	return (NULL);
}

/* May what is typed now be gated and recorded? */
bool
cmdline_active(struct cmdline *cl)
{
	return (cmdline_inactive_reason(cl) == NULL);
}

/* The command line as the screen shows it now. */
char *
cmdline_current(struct cmdline *cl)
{
	size_t	off;

	if (!cmdline_active(cl))
		return (NULL);
	return (cl_current(cl, &off));
}

/* The prompt text before the command, as UTF-8. */
char *
cmdline_prompt_text(struct cmdline *cl)
{
	struct sbuf	sb;
	int		i;

	if (cl->state != CL_EDIT)
		return (NULL);
	sbuf_init(&sb);
	sbuf_add(&sb, "", 0);
	for (i = 0; i < cl->prompt.len; i++) {
		if (cl->prompt.cells[i] == (uint32_t)-1)
			continue;
		sbuf_add_glyph(&sb, cl->prompt.cells[i] == 0 ? ' ' :
		    cl->prompt.cells[i]);
	}
	return (sbuf_steal(&sb));
}

/* The screen cells of the command line, row by row. */
size_t
cmdline_spans(struct cmdline *cl, struct cmdline_span *sp, size_t max)
{
	struct cl_region	rg;
	struct vt_line		line;
	int64_t			a, total = cl_total(cl), row;
	int			from, to;
	size_t			n = 0;

	if (!cmdline_active(cl))
		return (0);
	if (cl->state == CL_EDIT)
		cl_sync(cl);
	if (!cl_region(cl, &rg))
		return (0);
	for (a = rg.start; a <= rg.end && n < max; a++) {
		row = a - total;
		if (row < 0 || row >= vt_rows(cl->vt) ||
		    !vt_line(cl->vt, (int)row, &line))
			continue;
		from = a == rg.start ? rg.col : 0;
		to = cl_line_used(&line);
		if (to <= from)
			continue;
		sp[n].row = (int)row;
		sp[n].from = from;
		sp[n].to = to;
		n++;
	}
	return (n);
}

/* Where the line's start comes from. */
enum cmdline_source
cmdline_source(const struct cmdline *cl)
{
	if (cl->state != CL_EDIT)
		return (CMDLINE_SOURCE_NONE);
	return (cl->at_mark ? CMDLINE_SOURCE_MARKS : CMDLINE_SOURCE_HEURISTIC);
}

/* Has the shell sent OSC 133 marks? */
bool
cmdline_marks(const struct cmdline *cl)
{
	return (cl->marks);
}

/* Does the edited line continue an unfinished command? */
bool
cmdline_continued(const struct cmdline *cl)
{
	return (cl->state == CL_EDIT && cl->cont);
}

/* Take the oldest ended command and its status. */
bool
cmdline_finished(struct cmdline *cl, uint64_t *seq, int *status)
{
	if (cl->ndone == 0)
		return (false);
	*seq = cl->done_seq[0];
	*status = cl->done_status[0];
	memmove(cl->done_seq, cl->done_seq + 1, (cl->ndone - 1) * sizeof *seq);
	memmove(cl->done_status, cl->done_status + 1,
	    (cl->ndone - 1) * sizeof *status);
	cl->ndone--;
	return (true);
}

/* Is there anything but blanks in s? */
static bool
cl_blank(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s != ' ' && *s != '\t' && *s != '\n')
			return (false);
	}
	return (true);
}

/* The commands a paste runs at once (not with bracketed paste). */
char **
cmdline_paste_split(struct cmdline *cl, const char *buf, size_t len, size_t *n)
{
	struct sbuf	 unit;
	char		**v = NULL, *cur;
	size_t		 nv = 0, i = 0, start, off = 0;
	int		 lines = 0, blanks = 0;
	bool		 first = true;

	*n = 0;
	cl->nplan = 0;
	if (!cmdline_active(cl) || vt_bracketed_paste(cl->vt))
		return (NULL);	/* the shell takes a bracketed paste as text */
	if ((cur = cl_current(cl, &off)) == NULL) {
		cur = xstrdup("");
		off = 0;
	}
	sbuf_init(&unit);
	while (i < len) {
		for (start = i; i < len && buf[i] != '\r' && buf[i] != '\n'; i++)
			;
		if (i == len)
			break;	/* no newline: stays on the command line */
		if (unit.len != 0)
			sbuf_addc(&unit, '\n');
		if (first)
			sbuf_add(&unit, cur, off);
		sbuf_add(&unit, buf + start, i - start);
		if (first)
			sbuf_adds(&unit, cur + off);
		first = false;
		if (buf[i] == '\r' && i + 1 < len && buf[i + 1] == '\n')
			i++;
		i++;
		sbuf_add(&unit, "", 0);
		if (++lines < CMDLINE_MAX_ROWS && unit.len < CMDLINE_MAX_TEXT &&
		    cmdline_incomplete(unit.buf))
			continue;
		if (cl_blank(unit.buf))
			blanks++;
		else {
			if (nv < CL_QUEUE)
				cl->plan[cl->nplan++] = blanks > 255 ? 255 : blanks;
			blanks = 0;
			v = xreallocarray(v, nv + 1, sizeof *v);
			v[nv++] = xstrdup(unit.buf);
		}
		sbuf_reset(&unit);
		lines = 0;
	}
	sbuf_free(&unit);
	free(cur);
	*n = nv;
	return (v);
}
