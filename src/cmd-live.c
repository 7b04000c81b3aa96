/*
 * cmd-live.c: the live table of a fan-out run on the terminal.
 *
 * The table takes the alternate screen (xterm ctlseqs: DECSET 1049, cursor
 * hidden with 25, autowrap off with 7 so a full-width line never scrolls)
 * and draws with plain escapes: omv's own pane emulator and any xterm-like
 * terminal understand them, and no curses state sits beside the fan-out's
 * poll loop.  Rows 1-4 are the header (run id and counts, the command, the
 * last note, the column names), the last row says which keys do what, and
 * the rows between list one server each, scrolled to keep the selection in
 * view.
 *
 * Drawing keeps what every screen row shows and rewrites only the rows
 * whose text changed, at most every CMD_LIVE_FRAME_MS while the run goes
 * (the fan-out calls the tick at least that often).  Keys typed during the
 * run are read in the same tick without blocking (the tty is non-canonical
 * with VMIN 0; ISIG stays on so Ctrl-C reaches the run's SIGINT handler,
 * which cancels); after the run the tty is raw and the browse loop polls it.
 *
 * Remote output never reaches the terminal as it is: C0 and C1 controls and
 * invalid UTF-8 are shown as '?', tabs as spaces, so a server cannot move
 * the cursor or retitle the window of the operator.
 *
 * The terminal is restored by cmd_live_free and, should omv exit another
 * way (fatal), by an atexit handler.
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd-live.h"
#include "conn.h"
#include "fanout.h"

#define CMD_LIVE_FRAME_MS	50	/* at most 20 frames a second */
#define CMD_LIVE_HEAD		4	/* header rows above the servers */
#define CMD_LIVE_NAME_MAX	32	/* widest server name column */
#define CMD_LIVE_STATE_W	18
#define CMD_LIVE_STEP_W		22
#define CMD_LIVE_KEYBUF		64

/* What a key does, whichever view has it. */
enum cmd_live_key {
	CMD_LIVE_K_NONE,
	CMD_LIVE_K_UP,
	CMD_LIVE_K_DOWN,
	CMD_LIVE_K_PGUP,
	CMD_LIVE_K_PGDN,
	CMD_LIVE_K_HOME,
	CMD_LIVE_K_END,
	CMD_LIVE_K_ENTER,
	CMD_LIVE_K_QUIT,	/* q */
	CMD_LIVE_K_ESC,
	CMD_LIVE_K_INTR		/* Ctrl-C as a byte (raw mode) */
};

/* Colours of a state (SGR foreground, 0: default). */
#define CMD_LIVE_C_OK	32
#define CMD_LIVE_C_BAD	31
#define CMD_LIVE_C_RUN	33
#define CMD_LIVE_C_DIM	2	/* faint, not a colour */

struct cmd_live {
	struct fanout		 *f;		/* borrowed */
	const char		 *run_id;	/* borrowed */
	const char		 *title;	/* borrowed */
	bool			  steps;
	size_t			  nrefused;
	size_t			  n;
	int			  nw;		/* server name column */
	char			**step;		/* owned: per target, owned */
	char			 *note;		/* owned */
	const char *const	 *status_text;	/* borrowed, once ended */

	int			  tty;		/* owned: /dev/tty */
	struct termios		  saved;
	bool			  active;	/* the terminal is ours */

	int			  sx;
	int			  sy;
	bool			  resized;
	bool			  ended;
	int64_t			  elapsed;	/* frozen when ended */
	int64_t			  last_draw;
	char			**shown;	/* owned: each row's text */
	int			  nshown;

	int			  mode;
#define CMD_LIVE_TABLE	0
#define CMD_LIVE_OUTPUT	1
	size_t			  sel;
	size_t			  top;

	/* The output view: where its display rows start. */
	size_t			 *wrap;		/* owned */
	size_t			  nwrap;
	size_t			  wrap_len;	/* output length indexed */
	int			  wrap_sx;
	size_t			  out_top;
	bool			  out_follow;	/* stick to the end (G) */

	unsigned char		  keys[CMD_LIVE_KEYBUF];
	size_t			  nkeys;
};

/* The live table owning the terminal, for the atexit handler. */
static struct cmd_live	*cmd_live_current;
static bool		 cmd_live_atexit_set;

/* Write all of buf to stdout, waiting out a full pipe. */
static void
cmd_live_write(const char *buf, size_t len)
{
	struct pollfd	pfd;
	ssize_t		n;

	while (len > 0) {
		n = write(STDOUT_FILENO, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			pfd.fd = STDOUT_FILENO;
			pfd.events = POLLOUT;
			poll(&pfd, 1, 100);
			continue;
		}
		return;		/* the terminal is gone */
	}
}

/* Give the terminal back: main screen, cursor, autowrap, modes. */
static void
cmd_live_restore(struct cmd_live *l)
{
	static const char	leave[] = "\033[0m\033[?7h\033[?25h\033[?1049l";

	if (l == NULL || !l->active)
		return;
	l->active = false;
	cmd_live_write(leave, sizeof leave - 1);
	tcsetattr(l->tty, TCSANOW, &l->saved);
	if (cmd_live_current == l)
		cmd_live_current = NULL;
}

/* atexit: never leave the terminal raw on the alternate screen. */
static void
cmd_live_atexit(void)
{
	cmd_live_restore(cmd_live_current);
}

/* Set the tty's modes: keys one at a time, no echo; raw drops ISIG too. */
static int
cmd_live_modes(struct cmd_live *l, bool raw)
{
	struct termios	tio = l->saved;

	tio.c_lflag &= ~(tcflag_t)(ICANON|ECHO|ECHONL|IEXTEN);
	tio.c_iflag &= ~(tcflag_t)(IXON|ICRNL|INLCR|IGNCR);
	tio.c_cc[VMIN] = 0;
	tio.c_cc[VTIME] = 0;
	/* Only Ctrl-C stays a signal: a stopped or quit omv would leave the
	   terminal as it is now. */
	tio.c_cc[VSUSP] = _POSIX_VDISABLE;
	tio.c_cc[VQUIT] = _POSIX_VDISABLE;
	if (raw)
		tio.c_lflag &= ~(tcflag_t)ISIG;
	return (tcsetattr(l->tty, TCSANOW, &tio));
}

/* The terminal's size (TIOCGWINSZ), 80x24 when it will not say. */
static void
cmd_live_size(struct cmd_live *l)
{
	struct winsize	ws;
	int		i;

	memset(&ws, 0, sizeof ws);
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0 ||
	    ws.ws_row == 0) {
		ws.ws_col = 80;
		ws.ws_row = 24;
	}
	for (i = 0; i < l->nshown; i++)
		free(l->shown[i]);
	l->sx = ws.ws_col;
	l->sy = ws.ws_row;
	l->nshown = l->sy;
	l->shown = xreallocarray(l->shown, (size_t)l->nshown,
	    sizeof *l->shown);
	memset(l->shown, 0, (size_t)l->nshown * sizeof *l->shown);
	l->wrap_sx = 0;		/* the output view rewraps */
}

/* The widest server name, within bounds. */
static int
cmd_live_name_width(const struct cmd_live *l)
{
	size_t	i;
	int	w = 6, n;

	for (i = 0; i < l->n; i++) {
		n = (int)strlen(fanout_target(l->f, i)->name);
		if (n > w)
			w = n > CMD_LIVE_NAME_MAX ? CMD_LIVE_NAME_MAX : n;
	}
	return (w);
}

/* Take over the terminal. */
struct cmd_live *
cmd_live_create(struct fanout *f, const char *run_id, const char *title,
    bool steps, size_t nrefused, char **cause)
{
	static const char	 enter[] = "\033[?1049h\033[?25l\033[?7l"
				     "\033[0m\033[H\033[2J";
	struct cmd_live		*l;
	int			 fd;

	if (!isatty(STDOUT_FILENO)) {
		*cause = xstrdup("stdout is not a terminal");
		return (NULL);
	}
	if ((fd = open("/dev/tty", O_RDWR|O_NOCTTY|O_CLOEXEC)) == -1) {
		*cause = xprintf("/dev/tty: %s", strerror(errno));
		return (NULL);
	}
	l = xcalloc(1, sizeof *l);
	l->tty = fd;
	if (tcgetattr(fd, &l->saved) != 0) {
		*cause = xprintf("tcgetattr: %s", strerror(errno));
		close(fd);
		free(l);
		return (NULL);
	}
	l->f = f;
	l->run_id = run_id;
	l->title = title;
	l->steps = steps;
	l->nrefused = nrefused;
	l->n = fanout_count(f);
	l->step = xcalloc(l->n + 1, sizeof *l->step);
	l->nw = cmd_live_name_width(l);
	if (cmd_live_modes(l, false) != 0) {
		*cause = xprintf("tcsetattr: %s", strerror(errno));
		close(fd);
		free(l->step);
		free(l);
		return (NULL);
	}
	if (!cmd_live_atexit_set) {
		atexit(cmd_live_atexit);
		cmd_live_atexit_set = true;
	}
	l->active = true;
	cmd_live_current = l;
	fflush(stdout);
	fflush(stderr);
	cmd_live_write(enter, sizeof enter - 1);
	cmd_live_size(l);
	return (l);
}

/* Restore the terminal and free. */
void
cmd_live_free(struct cmd_live *l)
{
	size_t	i;
	int	j;

	if (l == NULL)
		return;
	cmd_live_restore(l);
	close(l->tty);
	for (i = 0; i < l->n; i++)
		free(l->step[i]);
	free(l->step);
	for (j = 0; j < l->nshown; j++)
		free(l->shown[j]);
	free(l->shown);
	free(l->wrap);
	free(l->note);
	free(l);
}

/* A target's current step. */
void
cmd_live_set_step(struct cmd_live *l, size_t t, const char *text)
{
	if (t >= l->n)
		return;
	free(l->step[t]);
	l->step[t] = text != NULL ? xstrdup(text) : NULL;
}

/* The note line. */
void
cmd_live_note(struct cmd_live *l, const char *text)
{
	free(l->note);
	l->note = xstrdup(text);
}

/* SIGWINCH: fit the size at the next frame. */
void
cmd_live_resized(struct cmd_live *l)
{
	l->resized = true;
}

/*
 * One glyph of untrusted text at s: its byte length in *used, and 1 when
 * it may be shown as it is, 0 when it must be shown as '?' (C0 and C1
 * controls, DEL, invalid or overlong UTF-8, surrogates).
 */
static int
cmd_live_glyph(const unsigned char *s, size_t len, size_t *used)
{
	uint32_t	cp, min;
	size_t		n, i;

	*used = 1;
	if (s[0] < 0x20 || s[0] == 0x7f)
		return (0);
	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return (0);
	if (len < n)
		return (0);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	*used = n;	/* well formed: one '?' if it may not be shown */
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (cp >= 0x80 && cp <= 0x9f))
		return (0);
	return (1);
}

/*
 * Put untrusted text in at most width columns (and no more than *left),
 * padded with spaces to width when pad; right-aligned when right.
 */
static void
cmd_live_put(struct sbuf *sb, int *left, const char *text, int width,
    bool pad, bool right)
{
	const unsigned char	*s = (const unsigned char *)text;
	size_t			 len = strlen(text), used, i = 0;
	int			 cols = 0, w;

	if (width > *left)
		width = *left;
	if (width <= 0)
		return;
	if (right && pad) {
		/* Count first: ASCII numbers and words, one column each. */
		for (w = 0; i < len; w++) {
			cmd_live_glyph(s + i, len - i, &used);
			i += used;
		}
		for (; w < width; w++, cols++)
			sbuf_addc(sb, ' ');
		i = 0;
	}
	while (i < len && cols < width) {
		if (cmd_live_glyph(s + i, len - i, &used))
			sbuf_add(sb, s + i, used);
		else
			sbuf_addc(sb, s[i] == '\t' ? ' ' : '?');
		i += used;
		cols++;
	}
	for (; pad && cols < width; cols++)
		sbuf_addc(sb, ' ');
	*left -= cols;
}

/* Words for a connection error. */
static const char *
cmd_live_error_word(enum conn_error e, const char *reason)
{
	switch (e) {
	case CONN_ERR_UNREACHABLE:
		return ("unreachable");
	case CONN_ERR_TIMEOUT:
		return ("timeout");
	case CONN_ERR_HOSTKEY:
		return ("host key");
	case CONN_ERR_AUTH:
		return ("auth");
	case CONN_ERR_PROTOCOL:
		return ("protocol");
	case CONN_ERR_LOST:
		return ("lost");
	case CONN_ERR_CLOSED:
		return ("closed");
	default:
		return (reason != NULL ? reason : "?");
	}
}

/* A target's state in words and its colour. */
static void
cmd_live_state(const struct cmd_live *l, size_t t,
    const struct fanout_result *res, char *buf, size_t len, int *colour)
{
	const char	*text = NULL;

	if (l->ended && l->status_text != NULL)
		text = l->status_text[t];
	switch (res->status) {
	case FANOUT_PENDING:
		snprintf(buf, len, "%s", l->ended ? "skipped" : "queued");
		*colour = CMD_LIVE_C_DIM;
		break;
	case FANOUT_RUNNING:
		snprintf(buf, len, "running");
		*colour = CMD_LIVE_C_RUN;
		break;
	case FANOUT_OK:
		snprintf(buf, len, "ok");
		*colour = CMD_LIVE_C_OK;
		break;
	case FANOUT_FAILED:
		if (res->exit_status >= 0)
			snprintf(buf, len, "failed (exit %d)",
			    res->exit_status);
		else
			snprintf(buf, len, "failed (%s)", res->reason != NULL ?
			    res->reason : "no exit status");
		*colour = CMD_LIVE_C_BAD;
		break;
	case FANOUT_ERROR:
		snprintf(buf, len, "error: %s", cmd_live_error_word(res->error,
		    res->reason));
		*colour = CMD_LIVE_C_BAD;
		break;
	case FANOUT_TIMEOUT:
		snprintf(buf, len, "timeout");
		*colour = CMD_LIVE_C_BAD;
		break;
	case FANOUT_SKIPPED:
		snprintf(buf, len, "skipped");
		*colour = CMD_LIVE_C_DIM;
		break;
	case FANOUT_CANCELLED:
		snprintf(buf, len, "cancelled");
		*colour = CMD_LIVE_C_DIM;
		break;
	}
	if (text != NULL) {
		/* The command's words: "rolled back", "undone" ... */
		snprintf(buf, len, "%s", text);
		if (res->status != FANOUT_OK)
			*colour = CMD_LIVE_C_BAD;
		else
			*colour = CMD_LIVE_C_RUN;
	}
}

/* Start a colour (or faint) inside a row, keeping its reverse bar. */
static void
cmd_live_colour_on(struct sbuf *sb, int colour)
{
	if (colour != 0)
		sbuf_addf(sb, "\033[%dm", colour);
}

/* End what cmd_live_colour_on started. */
static void
cmd_live_colour_off(struct sbuf *sb, int colour)
{
	if (colour == CMD_LIVE_C_DIM)
		sbuf_adds(sb, "\033[22m");
	else if (colour != 0)
		sbuf_adds(sb, "\033[39m");
}

/* Rows the server list has on screen. */
static int
cmd_live_body(const struct cmd_live *l)
{
	int	n = l->sy - CMD_LIVE_HEAD - 1;

	return (n > 0 ? n : 0);
}

/* Fill the rest of a row with spaces and end its attributes. */
static void
cmd_live_row_end(struct sbuf *sb, int *left)
{
	for (; *left > 0; (*left)--)
		sbuf_addc(sb, ' ');
	sbuf_adds(sb, "\033[0m");
}

/* Row 1: the run id and the counts. */
static void
cmd_live_draw_counts(struct cmd_live *l, struct sbuf *sb)
{
	size_t	done, failed, running;
	int64_t	elapsed;
	char	buf[256], more[64] = "", end[32];
	int	left = l->sx;

	fanout_progress(l->f, &done, &failed, &running, &elapsed);
	if (l->ended)
		elapsed = l->elapsed;
	if (l->nrefused != 0)
		snprintf(more, sizeof more, "  %zu refused", l->nrefused);
	if (!l->ended)
		snprintf(end, sizeof end, "%zu running", running);
	else
		snprintf(end, sizeof end, "%s", fanout_cancelled(l->f) ?
		    "cancelled" : "finished");
	snprintf(buf, sizeof buf, " run %s  %zu/%zu done  %zu failed  %.1fs  "
	    "%s%s", l->run_id, done, l->n, failed, (double)elapsed / 1000.0,
	    end, more);
	sbuf_adds(sb, "\033[0;7m");
	cmd_live_put(sb, &left, buf, left, false, false);
	cmd_live_row_end(sb, &left);
}

/* Row 4: the column names. */
static void
cmd_live_draw_columns(struct cmd_live *l, struct sbuf *sb)
{
	int	left = l->sx, nw = l->nw;

	sbuf_adds(sb, "\033[0;1m");
	cmd_live_put(sb, &left, " ", 1, true, false);
	cmd_live_put(sb, &left, "SERVER", nw, true, false);
	cmd_live_put(sb, &left, "  ", 2, true, false);
	cmd_live_put(sb, &left, "STATE", CMD_LIVE_STATE_W, true, false);
	cmd_live_put(sb, &left, "  ", 2, true, false);
	if (l->steps) {
		cmd_live_put(sb, &left, "STEP", CMD_LIVE_STEP_W, true, false);
		cmd_live_put(sb, &left, "  ", 2, true, false);
	}
	cmd_live_put(sb, &left, "TIME", 7, true, true);
	cmd_live_put(sb, &left, "  ", 2, true, false);
	cmd_live_put(sb, &left, "BYTES", 9, true, true);
	cmd_live_row_end(sb, &left);
}

/* One server's row, the selection in reverse. */
static void
cmd_live_draw_server(struct cmd_live *l, struct sbuf *sb, size_t t)
{
	struct fanout_result	res;
	char			state[128], buf[32];
	int			left = l->sx, colour = 0;
	int			nw = l->nw;

	fanout_result(l->f, t, &res);
	cmd_live_state(l, t, &res, state, sizeof state, &colour);
	sbuf_adds(sb, t == l->sel ? "\033[0;7m" : "\033[0m");
	cmd_live_put(sb, &left, " ", 1, true, false);
	cmd_live_put(sb, &left, fanout_target(l->f, t)->name, nw, true, false);
	cmd_live_put(sb, &left, "  ", 2, true, false);
	cmd_live_colour_on(sb, colour);
	cmd_live_put(sb, &left, state, CMD_LIVE_STATE_W, true, false);
	cmd_live_colour_off(sb, colour);
	cmd_live_put(sb, &left, "  ", 2, true, false);
	if (l->steps) {
		cmd_live_put(sb, &left, l->step[t] != NULL ? l->step[t] : "",
		    CMD_LIVE_STEP_W, true, false);
		cmd_live_put(sb, &left, "  ", 2, true, false);
	}
	if (res.status == FANOUT_PENDING || (res.duration_ms == 0 &&
	    res.status == FANOUT_SKIPPED))
		snprintf(buf, sizeof buf, "-");
	else
		snprintf(buf, sizeof buf, "%.1fs",
		    (double)res.duration_ms / 1000.0);
	cmd_live_put(sb, &left, buf, 7, true, true);
	cmd_live_put(sb, &left, "  ", 2, true, false);
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)res.bytes);
	cmd_live_put(sb, &left, buf, 9, true, true);
	cmd_live_row_end(sb, &left);
}

/* The last row: keys, and where the view is. */
static void
cmd_live_draw_footer(struct cmd_live *l, struct sbuf *sb, const char *keys,
    size_t first, size_t last, size_t total)
{
	char	pos[64];
	int	left = l->sx, w;

	if (total == 0)
		snprintf(pos, sizeof pos, "  0 of 0 ");
	else
		snprintf(pos, sizeof pos, "  %zu-%zu of %zu ", first + 1, last,
		    total);
	w = l->sx - (int)strlen(pos);
	sbuf_adds(sb, "\033[0;7m");
	cmd_live_put(sb, &left, keys, w, true, false);
	cmd_live_put(sb, &left, pos, left, true, false);
	cmd_live_row_end(sb, &left);
}

/* Keep the selection on screen. */
static void
cmd_live_scroll(struct cmd_live *l)
{
	size_t	body = (size_t)cmd_live_body(l);

	if (l->n == 0)
		return;
	if (l->sel >= l->n)
		l->sel = l->n - 1;
	if (body == 0) {
		l->top = l->sel;
		return;
	}
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + body)
		l->top = l->sel - body + 1;
	if (l->top + body > l->n)
		l->top = l->n > body ? l->n - body : 0;
}

/* Screen row y of the table view. */
static void
cmd_live_draw_table_row(struct cmd_live *l, struct sbuf *sb, int y)
{
	size_t	body = (size_t)cmd_live_body(l), t;
	int	left = l->sx;

	if (y == 0) {
		cmd_live_draw_counts(l, sb);
		return;
	}
	if (y == 1 || y == 2) {
		sbuf_adds(sb, y == 1 ? "\033[0m" : "\033[0;33m");
		cmd_live_put(sb, &left, " ", 1, true, false);
		cmd_live_put(sb, &left, y == 1 ? l->title : l->note != NULL ?
		    l->note : "", left, false, false);
		cmd_live_row_end(sb, &left);
		return;
	}
	if (y == 3) {
		cmd_live_draw_columns(l, sb);
		return;
	}
	if (y == l->sy - 1) {
		t = l->top + body < l->n ? l->top + body : l->n;
		cmd_live_draw_footer(l, sb, l->ended ?
		    " j/k move  Enter output  q quit" :
		    " j/k move  Enter output  Ctrl-C cancel the run",
		    l->top, t, l->n);
		return;
	}
	t = l->top + (size_t)(y - CMD_LIVE_HEAD);
	if (t < l->n) {
		cmd_live_draw_server(l, sb, t);
		return;
	}
	sbuf_adds(sb, "\033[0m");
	cmd_live_row_end(sb, &left);
}

/* Columns a byte run takes at column col: tabs to the next stop of 8. */
static int
cmd_live_advance(const unsigned char *s, size_t len, int col, size_t *used)
{
	if (s[0] == '\t') {
		*used = 1;
		return (8 - col % 8);
	}
	if (s[0] == '\r') {
		*used = 1;
		return (0);
	}
	cmd_live_glyph(s, len, used);
	return (1);
}

/* Index where each display row of the output starts, wrapped at sx. */
static void
cmd_live_rewrap(struct cmd_live *l, const char *out, size_t len)
{
	const unsigned char	*s = (const unsigned char *)out;
	size_t			 pos = 0, used, cap = 0;
	int			 col, w;

	l->nwrap = 0;
	while (pos < len) {
		if (l->nwrap == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			l->wrap = xreallocarray(l->wrap, cap, sizeof *l->wrap);
		}
		l->wrap[l->nwrap++] = pos;
		col = 0;
		while (pos < len) {
			if (s[pos] == '\n') {
				pos++;
				break;
			}
			w = cmd_live_advance(s + pos, len - pos, col, &used);
			if (col + w > l->sx && col > 0)
				break;
			col += w;
			pos += used;
		}
	}
	l->wrap_len = len;
	l->wrap_sx = l->sx;
}

/* Display rows of the output view, the dropped-bytes note included. */
static size_t
cmd_live_out_rows(const struct cmd_live *l, uint64_t dropped)
{
	return (l->nwrap + (dropped != 0 ? 1 : 0));
}

/* Rows of output on one page. */
static size_t
cmd_live_page(const struct cmd_live *l)
{
	return (l->sy > 2 ? (size_t)(l->sy - 2) : 1);
}

/* The output view's top row, kept within the text. */
static void
cmd_live_out_clamp(struct cmd_live *l, uint64_t dropped)
{
	size_t	total = cmd_live_out_rows(l, dropped), page = cmd_live_page(l);
	size_t	max = total > page ? total - page : 0;

	if (l->out_follow || l->out_top > max)
		l->out_top = max;
}

/* The header of the output view: the server and how it ended. */
static void
cmd_live_draw_out_head(struct cmd_live *l, struct sbuf *sb, size_t len,
    uint64_t dropped)
{
	struct fanout_result	 res;
	struct sbuf		 text;
	char			 state[128];
	int			 left = l->sx, colour;

	fanout_result(l->f, l->sel, &res);
	cmd_live_state(l, l->sel, &res, state, sizeof state, &colour);
	sbuf_init(&text);
	sbuf_addf(&text, " %s   %s", fanout_target(l->f, l->sel)->name, state);
	if (l->steps && l->step[l->sel] != NULL)
		sbuf_addf(&text, "   %s", l->step[l->sel]);
	sbuf_addf(&text, "   %zu bytes kept", len);
	if (dropped != 0)
		sbuf_addf(&text, ", %llu more not kept",
		    (unsigned long long)dropped);
	if (res.reason != NULL && res.status != FANOUT_OK &&
	    res.status != FANOUT_RUNNING)
		sbuf_addf(&text, "   %s", res.reason);
	sbuf_adds(sb, "\033[0;7m");
	cmd_live_put(sb, &left, text.buf, left, false, false);
	cmd_live_row_end(sb, &left);
	sbuf_free(&text);
}

/* Display row k of the output, sanitised. */
static void
cmd_live_draw_out_line(struct cmd_live *l, struct sbuf *sb, const char *out,
    size_t len, uint64_t dropped, size_t k)
{
	const unsigned char	*s = (const unsigned char *)out;
	size_t			 pos, end, used;
	char			 note[96];
	int			 left = l->sx, col = 0, w;

	sbuf_adds(sb, "\033[0m");
	if (k < l->nwrap) {
		pos = l->wrap[k];
		end = k + 1 < l->nwrap ? l->wrap[k + 1] : len;
		while (pos < end && s[pos] != '\n' && left > 0) {
			w = cmd_live_advance(s + pos, end - pos, col, &used);
			if (s[pos] == '\t') {
				for (; w > 0 && left > 0; w--, left--, col++)
					sbuf_addc(sb, ' ');
			} else if (s[pos] != '\r') {
				if (cmd_live_glyph(s + pos, end - pos, &used))
					sbuf_add(sb, s + pos, used);
				else
					sbuf_addc(sb, '?');
				left--;
				col++;
			}
			pos += used;
		}
	} else if (k == l->nwrap && dropped != 0) {
		snprintf(note, sizeof note, "[%llu more bytes not kept]",
		    (unsigned long long)dropped);
		sbuf_adds(sb, "\033[2m");
		cmd_live_put(sb, &left, note, left, false, false);
	} else if (k == 0 && len == 0) {
		sbuf_adds(sb, "\033[2m");
		cmd_live_put(sb, &left, l->ended ? "(no output)" :
		    "(no output yet)", left, false, false);
	}
	cmd_live_row_end(sb, &left);
}

/* Screen row y of the output view. */
static void
cmd_live_draw_out_row(struct cmd_live *l, struct sbuf *sb, int y,
    const char *out, size_t len, uint64_t dropped)
{
	size_t	total = cmd_live_out_rows(l, dropped), last;

	if (y == 0)
		cmd_live_draw_out_head(l, sb, len, dropped);
	else if (y == l->sy - 1) {
		last = l->out_top + cmd_live_page(l);
		if (last > total)
			last = total;
		cmd_live_draw_footer(l, sb, " Space/PgDn next  b/PgUp back  "
		    "j/k line  G end  q table", l->out_top, last, total);
	} else
		cmd_live_draw_out_line(l, sb, out, len, dropped,
		    l->out_top + (size_t)(y - 1));
}

/* Draw the rows whose text changed (all of them after a resize). */
static void
cmd_live_draw(struct cmd_live *l)
{
	struct sbuf	 frame, row;
	const char	*out = NULL;
	size_t		 len = 0;
	uint64_t	 dropped = 0;
	int		 y;

	if (!l->active)
		return;
	l->last_draw = mono_ms();
	sbuf_init(&frame);
	if (l->resized) {
		l->resized = false;
		cmd_live_size(l);
		sbuf_adds(&frame, "\033[0m\033[2J");
	}
	if (l->mode == CMD_LIVE_OUTPUT) {
		out = fanout_output(l->f, l->sel, &len, &dropped);
		if (len != l->wrap_len || l->wrap_sx != l->sx)
			cmd_live_rewrap(l, out, len);
		cmd_live_out_clamp(l, dropped);
	} else
		cmd_live_scroll(l);
	sbuf_init(&row);
	for (y = 0; y < l->sy; y++) {
		sbuf_reset(&row);
		if (l->mode == CMD_LIVE_OUTPUT)
			cmd_live_draw_out_row(l, &row, y, out, len, dropped);
		else
			cmd_live_draw_table_row(l, &row, y);
		if (l->shown[y] != NULL && strcmp(l->shown[y], row.buf) == 0)
			continue;
		sbuf_addf(&frame, "\033[%d;1H", y + 1);
		sbuf_add(&frame, row.buf, row.len);
		free(l->shown[y]);
		l->shown[y] = xstrdup(row.buf);
	}
	if (frame.len != 0)
		cmd_live_write(frame.buf, frame.len);
	sbuf_free(&row);
	sbuf_free(&frame);
}

/* Decode the key at the start of b; 0 used: an incomplete sequence. */
static enum cmd_live_key
cmd_live_parse_key(const unsigned char *b, size_t len, size_t *used)
{
	size_t	i;

	*used = 1;
	if (b[0] != 0x1b) {
		switch (b[0]) {
		case 'j':
			return (CMD_LIVE_K_DOWN);
		case 'k':
			return (CMD_LIVE_K_UP);
		case ' ':
		case 'f':
		case 0x06:	/* C-f */
			return (CMD_LIVE_K_PGDN);
		case 'b':
		case 0x02:	/* C-b */
			return (CMD_LIVE_K_PGUP);
		case 'g':
			return (CMD_LIVE_K_HOME);
		case 'G':
			return (CMD_LIVE_K_END);
		case '\r':
		case '\n':
			return (CMD_LIVE_K_ENTER);
		case 'q':
			return (CMD_LIVE_K_QUIT);
		case 0x03:
			return (CMD_LIVE_K_INTR);
		}
		return (CMD_LIVE_K_NONE);
	}
	/* A lone Escape: nothing follows it in the same read. */
	if (len == 1 || (b[1] != '[' && b[1] != 'O'))
		return (CMD_LIVE_K_ESC);
	/* CSI or SS3: parameters, then one final byte (xterm ctlseqs). */
	for (i = 2; i < len && (b[i] < 0x40 || b[i] > 0x7e); i++)
		;
	if (i == len) {
		*used = 0;
		return (CMD_LIVE_K_NONE);
	}
	*used = i + 1;
	switch (b[i]) {
	case 'A':
		return (CMD_LIVE_K_UP);
	case 'B':
		return (CMD_LIVE_K_DOWN);
	case 'H':
		return (CMD_LIVE_K_HOME);
	case 'F':
		return (CMD_LIVE_K_END);
	case '~':
		if (i != 3)
			break;
		if (b[2] == '5')
			return (CMD_LIVE_K_PGUP);
		if (b[2] == '6')
			return (CMD_LIVE_K_PGDN);
		if (b[2] == '1' || b[2] == '7')
			return (CMD_LIVE_K_HOME);
		if (b[2] == '4' || b[2] == '8')
			return (CMD_LIVE_K_END);
		break;
	}
	return (CMD_LIVE_K_NONE);
}

/* A key in the table view; true to quit. */
static bool
cmd_live_key_table(struct cmd_live *l, enum cmd_live_key key)
{
	size_t	body = (size_t)cmd_live_body(l);

	if (body == 0)
		body = 1;
	switch (key) {
	case CMD_LIVE_K_UP:
		if (l->sel > 0)
			l->sel--;
		break;
	case CMD_LIVE_K_DOWN:
		if (l->sel + 1 < l->n)
			l->sel++;
		break;
	case CMD_LIVE_K_PGUP:
		l->sel = l->sel > body ? l->sel - body : 0;
		break;
	case CMD_LIVE_K_PGDN:
		l->sel = l->sel + body < l->n ? l->sel + body :
		    (l->n > 0 ? l->n - 1 : 0);
		break;
	case CMD_LIVE_K_HOME:
		l->sel = 0;
		break;
	case CMD_LIVE_K_END:
		l->sel = l->n > 0 ? l->n - 1 : 0;
		break;
	case CMD_LIVE_K_ENTER:
		if (l->n == 0)
			break;
		l->mode = CMD_LIVE_OUTPUT;
		l->out_top = 0;
		l->out_follow = false;
		l->wrap_sx = 0;
		break;
	case CMD_LIVE_K_QUIT:
	case CMD_LIVE_K_ESC:
	case CMD_LIVE_K_INTR:
		if (l->ended)
			return (true);
		cmd_live_note(l, "the run goes on: Ctrl-C cancels it");
		break;
	case CMD_LIVE_K_NONE:
		break;
	}
	return (false);
}

/* A key in the output view. */
static void
cmd_live_key_output(struct cmd_live *l, enum cmd_live_key key)
{
	size_t	page = cmd_live_page(l);

	l->out_follow = false;
	switch (key) {
	case CMD_LIVE_K_UP:
		if (l->out_top > 0)
			l->out_top--;
		break;
	case CMD_LIVE_K_DOWN:
	case CMD_LIVE_K_ENTER:
		l->out_top++;
		break;
	case CMD_LIVE_K_PGUP:
		l->out_top = l->out_top > page ? l->out_top - page : 0;
		break;
	case CMD_LIVE_K_PGDN:
		l->out_top += page;
		break;
	case CMD_LIVE_K_HOME:
		l->out_top = 0;
		break;
	case CMD_LIVE_K_END:
		l->out_follow = true;
		break;
	case CMD_LIVE_K_QUIT:
	case CMD_LIVE_K_ESC:
	case CMD_LIVE_K_INTR:
		l->mode = CMD_LIVE_TABLE;
		break;
	case CMD_LIVE_K_NONE:
		break;
	}
	/* cmd_live_draw clamps out_top to the text. */
}

/* Read what was typed and act on it; true to quit. */
static bool
cmd_live_read_keys(struct cmd_live *l)
{
	enum cmd_live_key	key;
	size_t			used, off = 0;
	ssize_t			n;
	bool			quit = false;

	n = read(l->tty, l->keys + l->nkeys, sizeof l->keys - l->nkeys);
	if (n <= 0)
		return (false);
	l->nkeys += (size_t)n;
	while (off < l->nkeys && !quit) {
		key = cmd_live_parse_key(l->keys + off, l->nkeys - off, &used);
		if (used == 0) {
			if (l->nkeys - off < sizeof l->keys / 2)
				break;
			used = l->nkeys - off;	/* garbage: drop it */
		}
		off += used;
		if (key == CMD_LIVE_K_INTR && l->ended)
			quit = true;
		else if (l->mode == CMD_LIVE_OUTPUT)
			cmd_live_key_output(l, key);
		else
			quit = cmd_live_key_table(l, key);
	}
	memmove(l->keys, l->keys + off, l->nkeys - off);
	l->nkeys -= off;
	return (quit);
}

/* The fan-out's tick: keys, then a frame if one is due. */
void
cmd_live_tick(struct cmd_live *l)
{
	if (mono_ms() - l->last_draw < CMD_LIVE_FRAME_MS)
		return;
	cmd_live_read_keys(l);
	cmd_live_draw(l);
}

/* The run is over: final states, then browse until quit. */
void
cmd_live_browse(struct cmd_live *l, const char *const *status_text,
    int wake_fd, cmd_live_wake_cb wake, void *arg)
{
	struct pollfd	pfd[2];
	size_t		done, failed, running;
	nfds_t		n;

	fanout_progress(l->f, &done, &failed, &running, &l->elapsed);
	l->ended = true;
	l->status_text = status_text;
	if (cmd_live_modes(l, true) != 0)
		return;
	cmd_live_draw(l);
	for (;;) {
		pfd[0].fd = l->tty;
		pfd[0].events = POLLIN;
		pfd[0].revents = 0;
		n = 1;
		if (wake_fd != -1) {
			pfd[1].fd = wake_fd;
			pfd[1].events = POLLIN;
			pfd[1].revents = 0;
			n = 2;
		}
		if (poll(pfd, n, -1) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return;
		}
		if (n == 2 && pfd[1].revents != 0 && wake(l, arg))
			return;
		if (pfd[0].revents & (POLLHUP|POLLERR|POLLNVAL))
			return;		/* the terminal went away */
		if ((pfd[0].revents & POLLIN) && cmd_live_read_keys(l))
			return;
		cmd_live_draw(l);
	}
}
