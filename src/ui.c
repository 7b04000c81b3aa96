/*
 * ui.c: the console's drawing, with ncurses (wide-character build).
 *
 * The screen: the sidebar on the left (ui.sidebar_width columns and a
 * separator), the panes in the layout's rectangles (a title line each,
 * vertical borders between panes side by side), the status bar on the last
 * row, and overlays (help, a y/n question, a one-line prompt) on top.
 *
 * Pane content is copied from the emulator cell by cell, only for rows the
 * emulator marked dirty unless everything must be drawn; curses then sends
 * only what differs.  Colours go through alloc_pair (ncurses 6.1+), which
 * keeps a table of pairs, so any fg/bg combination a remote asks for gets
 * a pair; 24-bit colours are mapped to the nearest of 256 unless the
 * terminal takes direct colour.
 */
#include <curses.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include "cfg.h"
#include "cmdline.h"
#include "colour.h"
#include "console.h"
#include "ident.h"
#include "keymap.h"
#include "layout.h"
#include "pane.h"
#include "approval.h"
#include "queue.h"
#include "sidebar.h"
#include "theme.h"
#include "ui-keys.h"
#include "ui.h"
#include "vt.h"

#define UI_KEY_PASTE_START	(KEY_MAX + 1)
#define UI_KEY_PASTE_END	(KEY_MAX + 2)

static SCREEN	*ui_screen;
static bool	 ui_direct;	/* the terminal takes 24-bit colours */
static int	 ui_colours;	/* COLORS, 0 without colour */

/* A curses colour pair for two colour.h colours. */
static int
ui_pair(int fg, int bg)
{
	static int	last_fg = INT_MIN, last_bg = INT_MIN, last_pair;
	int		f, b, pair;

	if (ui_colours == 0)
		return (0);
	if (fg == last_fg && bg == last_bg)
		return (last_pair);
	f = colour_terminal(fg, ui_colours, ui_direct);
	b = colour_terminal(bg, ui_colours, ui_direct);
	if (f == -1 && b == -1)
		pair = 0;
	else if ((pair = alloc_pair(f, b)) == -1)
		pair = 0;
	last_fg = fg;
	last_bg = bg;
	last_pair = pair;
	return (pair);
}

/* Curses attributes and pair for a theme element. */
static void
ui_style(struct console *c, enum theme_element el, attr_t *attr, int *pair)
{
	const struct theme_style	*st = theme_style(c->theme, el);

	*attr = A_NORMAL;
	if (st->attrs & THEME_BOLD)
		*attr |= A_BOLD;
	if (st->attrs & THEME_UNDERLINE)
		*attr |= A_UNDERLINE;
	if (st->attrs & THEME_REVERSE)
		*attr |= A_REVERSE;
	if (st->attrs & THEME_DIM)
		*attr |= A_DIM;
	if (st->attrs & THEME_ITALIC)
		*attr |= A_ITALIC;
	if (st->attrs & THEME_BLINK)
		*attr |= A_BLINK;
	if (st->attrs & THEME_STANDOUT)
		*attr |= A_STANDOUT;
	*pair = c->no_colour ? 0 : ui_pair(st->fg, st->bg);
}

static void
ui_set(struct console *c, enum theme_element el)
{
	attr_t	attr;
	int	pair;

	ui_style(c, el, &attr, &pair);
	attr_set(attr, (short)pair, NULL);
}

/* Write UTF-8 text at y, x, at most width columns; returns columns used. */
static int
ui_text(int y, int x, int width, const char *s)
{
	mbstate_t	ps;
	wchar_t		wc;
	size_t		n;
	int		w, used = 0;

	memset(&ps, 0, sizeof ps);
	move(y, x);
	while (*s != '\0' && used < width) {
		n = mbrtowc(&wc, s, MB_CUR_MAX, &ps);
		if (n == (size_t)-1 || n == (size_t)-2) {
			memset(&ps, 0, sizeof ps);
			wc = L'?';
			n = 1;
		}
		w = wcwidth(wc);
		if (w < 0) {
			wc = L'?';
			w = 1;
		}
		if (used + w > width)
			break;
		addnwstr(&wc, 1);
		used += w;
		s += n;
	}
	return (used);
}

/* Fill columns [x, x + width) of row y with blanks in the current style. */
static void
ui_blank(int y, int x, int width)
{
	if (width > 0)
		mvhline(y, x, ' ', width);
}

int
ui_start(struct console *c, char **cause)
{
	const char	*term = getenv("TERM");

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		*cause = xstrdup("the console needs a terminal (stdin and "
		    "stdout must be a tty)");
		return (-1);
	}
	ui_screen = newterm(term, stdout, stdin);
	if (ui_screen == NULL) {
		xasprintf(cause, "cannot use terminal type '%s'",
		    term != NULL ? term : "(unset)");
		return (-1);
	}
	set_term(ui_screen);
	raw();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	meta(stdscr, TRUE);
	ui_colours = 0;
	if (has_colors() && !c->no_colour) {
		start_color();
		use_default_colors();
		ui_colours = COLORS;
		ui_direct = tigetflag((char *)"RGB") > 0 && COLORS >= 0x1000000;
	}
	ui_keys_init();
	define_key("\033[200~", UI_KEY_PASTE_START);
	define_key("\033[201~", UI_KEY_PASTE_END);
	/* Ask the outer terminal to bracket pastes. */
	fputs("\033[?2004h", stdout);
	fflush(stdout);
	getmaxyx(stdscr, c->rows, c->cols);
	c->redraw = true;
	return (0);
}

void
ui_end(struct console *c)
{
	(void)c;
	if (ui_screen == NULL)
		return;
	endwin();
	fputs("\033[?2004l", stdout);
	fflush(stdout);
	delscreen(ui_screen);
	ui_screen = NULL;
}

void
ui_resize(struct console *c)
{
	if (ui_screen == NULL)
		return;
	resizeterm(c->rows, c->cols);
	c->redraw = true;
}

int
ui_theme_load(struct console *c, char **cause)
{
	c->theme = cfg_theme_load(c->cfg->ui.theme, cause);
	if (c->theme == NULL)
		return (-1);
	c->no_colour = theme_no_colour() || !theme_has_colour(c->theme);
	return (0);
}

void
ui_theme_free(struct console *c)
{
	theme_free(c->theme);
	c->theme = NULL;
}

/* Short env badge text. */
static const char *
ui_env_badge(enum env e)
{
	switch (e) {
	case ENV_PRODUCTION: return ("PRD");
	case ENV_STAGING: return ("STG");
	case ENV_DEVELOPMENT: return ("DEV");
	case ENV_NONE: break;
	}
	return ("   ");
}

/* A glyph for a server's state in the sidebar. */
static const char *
ui_state_glyph(int state, int npanes)
{
	if (npanes == 0)
		return (" ");
	switch (state) {
	case PANE_CONNECTED: return ("●");
	case PANE_CONNECTING: return ("◌");
	case PANE_FAILED: return ("✗");
	case PANE_DISCONNECTED: return ("○");
	}
	return ("·");
}

static void
ui_draw_sidebar(struct console *c)
{
	const struct sidebar_row	*r;
	enum theme_element		 el;
	char				 line[256];
	size_t				 i, top, height, sel;
	int				 y, x, w = c->sidebar_width, used;
	int				 state, n;

	if (w <= 0)
		return;
	height = c->rows > 2 ? (size_t)c->rows - 2 : 0;
	ui_set(c, c->focus == FOCUS_SIDEBAR ? THEME_TITLE_ACTIVE :
	    THEME_TITLE_INACTIVE);
	ui_blank(0, 0, w);
	if (*sidebar_filter(c->sidebar) != '\0')
		snprintf(line, sizeof line, " /%s", sidebar_filter(c->sidebar));
	else
		snprintf(line, sizeof line, " servers (%zu)",
		    sidebar_visible_servers(c->sidebar));
	ui_text(0, 0, w, line);
	top = sidebar_scroll(c->sidebar, height);
	sel = sidebar_selected(c->sidebar);
	for (y = 1; y <= (int)height; y++) {
		i = top + (size_t)y - 1;
		r = sidebar_row(c->sidebar, i);
		ui_set(c, THEME_SIDEBAR);
		ui_blank(y, 0, w);
		if (r == NULL)
			continue;
		x = 1 + 2 * (r->depth > 8 ? 8 : r->depth);
		if (i == sel && c->focus == FOCUS_SIDEBAR) {
			ui_set(c, THEME_SELECTION);
			ui_blank(y, 0, w);
		}
		if (r->kind == SIDEBAR_GROUP) {
			if (!(i == sel && c->focus == FOCUS_SIDEBAR))
				ui_set(c, THEME_SIDEBAR_GROUP);
			snprintf(line, sizeof line, "%s %s (%zu)",
			    r->count > 0 && sidebar_row(c->sidebar, i + 1) !=
			    NULL && sidebar_row(c->sidebar, i + 1)->depth >
			    r->depth ? "▾" : "▸", r->group->name, r->count);
			ui_text(y, x, w - x, line);
			continue;
		}
		n = console_server_panes(c, r->server, &state);
		used = ui_text(y, x, w - x, ui_state_glyph(state, n));
		x += used + 1;
		if (x + 4 < w) {
			el = theme_env_element(r->server->env);
			if (!(i == sel && c->focus == FOCUS_SIDEBAR))
				ui_set(c, el);
			ui_text(y, x, 3, ui_env_badge(r->server->env));
			x += 4;
			if (!(i == sel && c->focus == FOCUS_SIDEBAR))
				ui_set(c, THEME_SIDEBAR);
		}
		if (n > 1)
			snprintf(line, sizeof line, "%s [%d]", r->server->name, n);
		else
			snprintf(line, sizeof line, "%s", r->server->name);
		if (x < w)
			ui_text(y, x, w - x, line);
	}
	ui_set(c, THEME_BORDER_INACTIVE);
	mvvline(0, w, ACS_VLINE, c->rows - 1);
}

/* Curses attributes for an emulator cell. */
static attr_t
ui_cell_attr(const struct vt_cell *cell)
{
	attr_t	a = A_NORMAL;

	if (cell->attr & VT_BOLD)
		a |= A_BOLD;
	if (cell->attr & VT_ITALIC)
		a |= A_ITALIC;
	if (cell->attr & VT_UNDERLINES)
		a |= A_UNDERLINE;
	if (cell->attr & VT_BLINK)
		a |= A_BLINK;
	if (cell->attr & VT_REVERSE)
		a |= A_REVERSE;
	return (a);
}

/* Draw one line of cells at y, x, width columns. */
static void
ui_draw_line(struct console *c, const struct vt_line *line, int y, int x,
    int width, bool highlight)
{
	const struct vt_cell	*cell;
	static const struct vt_cell blank = { 0, COLOUR_DEFAULT,
	    COLOUR_DEFAULT, 0, 1, 0 };
	uint32_t		 chars[VT_MAX_CHARS];
	wchar_t			 wch[VT_MAX_CHARS + 1];
	cchar_t			 cc;
	attr_t			 a;
	size_t			 n, k;
	int			 col, pair;

	for (col = 0; col < width; col++) {
		cell = col < line->ncells ? &line->cells[col] : &blank;
		if (cell->width == 0)
			continue;	/* right half of a wide character */
		if (cell->width == 2 && col + 1 >= width) {
			/* A wide character cut by the edge: a blank. */
			wch[0] = L' ';
			wch[1] = L'\0';
		} else if (cell->ch == 0) {
			wch[0] = L' ';
			wch[1] = L'\0';
		} else if (cell->mark) {
			n = vt_line_chars(line, col, chars);
			for (k = 0; k < n && k < VT_MAX_CHARS; k++)
				wch[k] = (wchar_t)chars[k];
			wch[k] = L'\0';
		} else {
			wch[0] = (wchar_t)cell->ch;
			wch[1] = L'\0';
		}
		a = ui_cell_attr(cell);
		if (highlight)
			a |= A_REVERSE;
		pair = c->no_colour ? 0 : ui_pair(cell->fg, cell->bg);
		if (setcchar(&cc, wch, a, (short)pair, NULL) == ERR) {
			wch[0] = L'?';
			wch[1] = L'\0';
			setcchar(&cc, wch, a, (short)pair, NULL);
		}
		mvadd_wch(y, x + col, &cc);
	}
}

/* The title line of a pane. */
static void
ui_draw_title(struct console *c, struct pane *p, const struct layout_rect *r,
    bool active, int64_t now)
{
	enum theme_element	 el = active ? THEME_TITLE_ACTIVE :
				     THEME_TITLE_INACTIVE;
	const struct server	*s = p->server;
	const char		*title;
	char			 line[512];
	int			 x = r->x, used;

	ui_set(c, el);
	if (p->bell_until > now) {
		attr_t a; int pair;
		ui_style(c, el, &a, &pair);
		attr_set(a ^ A_REVERSE, (short)pair, NULL);
	}
	ui_blank(r->y, r->x, r->sx);
	if (s == NULL && p->local_title != NULL) {
		snprintf(line, sizeof line, " %s  %s%s%s", p->local_title,
		    p->local_fd != -1 ? "running" : "",
		    p->local_fd == -1 && p->reason != NULL ? p->reason : "",
		    p->local_fd == -1 ? "  (C-b x closes)" : "");
		ui_text(r->y, x, r->sx, line);
		p->dirty_title = false;
		return;
	}
	if (s == NULL) {
		ui_text(r->y, x, r->sx, active ?
		    " (empty) — C-b s picks a server from the sidebar" :
		    " (empty)");
		p->dirty_title = false;
		return;
	}
	snprintf(line, sizeof line, " %s ", s->name);
	used = ui_text(r->y, x, r->sx, line);
	x += used;
	if (s->env != ENV_NONE && x + 5 < r->x + r->sx) {
		ui_set(c, theme_env_element(s->env));
		snprintf(line, sizeof line, " %s ", ui_env_badge(s->env));
		x += ui_text(r->y, x, 5, line);
		ui_set(c, el);
	}
	title = vt_title(p->vt);
	snprintf(line, sizeof line, " %s@%s:%d  %s%s%s%s%s", s->user != NULL ?
	    s->user : c->me->login, s->host, s->port,
	    pane_state_name(p->state), p->reason != NULL &&
	    p->state >= PANE_FAILED ? ": " : "", p->reason != NULL &&
	    p->state >= PANE_FAILED ? p->reason : "",
	    title != NULL && *title != '\0' ? "  — " : "",
	    title != NULL ? title : "");
	if (x < r->x + r->sx)
		x += ui_text(r->y, x, r->x + r->sx - x, line);
	if (p->copy) {
		snprintf(line, sizeof line, "[%ld/%zu]%s", -p->copy_top,
		    vt_history_size(p->vt),
		    p->copy_mark != LONG_MIN ? " selecting" : "");
		ui_set(c, THEME_COPY_MODE);
		used = (int)strlen(line);
		if (r->sx > used + 2)
			ui_text(r->y, r->x + r->sx - used, used, line);
	}
	p->dirty_title = false;
}

/*
 * Tint the cells of the command being typed with the theme's colour for its
 * risk level (low stays as the remote drew it).
 */
static void
ui_draw_tint(struct console *c, struct pane *p, const struct layout_rect *r)
{
	struct cmdline_span	spans[64];
	size_t			n, i;
	attr_t			attr;
	int			pair, from, to;

	if (p->risk_line == NULL || p->risk_level == RISK_LOW)
		return;
	ui_style(c, theme_risk_element(p->risk_level), &attr, &pair);
	n = cmdline_spans(p->cl, spans, 64);
	for (i = 0; i < n && i < 64; i++) {
		if (spans[i].row < 0 || spans[i].row >= r->sy - 1)
			continue;
		from = spans[i].from < 0 ? 0 : spans[i].from;
		to = spans[i].to > r->sx ? r->sx : spans[i].to;
		if (to > from)
			mvchgat(r->y + 1 + spans[i].row, r->x + from, to - from,
			    attr, (short)pair, NULL);
	}
}

/* The pane's notice (held command, confirmation, refusal) on its last row. */
static void
ui_draw_notice(struct console *c, struct pane *p, const struct layout_rect *r)
{
	int64_t	now = mono_ms();
	int	y = r->y + r->sy - 1;

	if (p->notice == NULL)
		return;
	if (p->notice_until != 0 && p->notice_until <= now) {
		free(p->notice);
		p->notice = NULL;
		return;
	}
	ui_set(c, p->gate != GATE_NONE ? theme_risk_element(RISK_HIGH) :
	    THEME_DIALOG);
	attr_on(A_REVERSE | A_BOLD, NULL);
	ui_blank(y, r->x, r->sx);
	ui_text(y, r->x, r->sx, p->notice);
}

/* Draw a pane's content: its screen, or its scrollback in copy mode. */
static void
ui_draw_pane(struct console *c, struct pane *p, const struct layout_rect *r,
    bool all)
{
	struct vt_line	 line;
	int		 row, first = 0, last = -1, rows, width;
	long		 l;

	rows = r->sy - 1;
	width = r->sx;
	if (p->copy) {
		for (row = 0; row < rows; row++) {
			l = p->copy_top + row;
			if (l < 0) {
				if (!vt_history_line(p->vt, (size_t)(-l - 1),
				    &line))
					continue;
			} else if (!vt_line(p->vt, (int)l, &line)) {
				attr_set(A_NORMAL, 0, NULL);
				ui_blank(r->y + 1 + row, r->x, width);
				continue;
			}
			ui_draw_line(c, &line, r->y + 1 + row, r->x, width,
			    l == p->copy_line || (p->copy_mark != LONG_MIN &&
			    ((l >= p->copy_mark && l <= p->copy_line) ||
			    (l <= p->copy_mark && l >= p->copy_line))));
		}
		vt_clear_dirty(p->vt);
		return;
	}
	/* The live risk tint: a change redraws the pane without the old one. */
	if (pane_update_risk(p))
		all = true;
	if (!all && !vt_dirty(p->vt, &first, &last))
		goto overlays;
	if (all) {
		first = 0;
		last = rows - 1;
	}
	for (row = first; row <= last && row < rows; row++) {
		if (!vt_line(p->vt, row, &line)) {
			attr_set(A_NORMAL, 0, NULL);
			ui_blank(r->y + 1 + row, r->x, width);
			continue;
		}
		ui_draw_line(c, &line, r->y + 1 + row, r->x, width, false);
	}
	vt_clear_dirty(p->vt);
overlays:
	ui_draw_tint(c, p, r);
	ui_draw_notice(c, p, r);
}

static void
ui_draw_status(struct console *c, int64_t now)
{
	struct pane	*p = console_pane(c, c->active);
	char		 left[256], right[128], clock[16];
	struct tm	 tm;
	time_t		 t = time(NULL);
	int		 y = c->rows - 1, used, rw;

	ui_set(c, THEME_STATUS);
	ui_blank(y, 0, c->cols);
	if (c->overlay == OVERLAY_PROMPT) {
		snprintf(left, sizeof left, "%s%s", c->prompt_op == PROMPT_COMMAND ?
		    ":" : c->prompt_op == PROMPT_SEARCH ? "search: " :
		    c->prompt_op == PROMPT_DENY ? "reason for denying: " :
		    c->prompt_op == PROMPT_TOTP ? "TOTP code (critical): " :
		    "filter: ", c->prompt_op == PROMPT_TOTP ? "" :
		    c->prompt.buf != NULL ? c->prompt.buf : "");
		used = ui_text(y, 0, c->cols - 1, left);
		move(y, used);
		return;
	}
	used = 0;
	if (c->prefix) {
		ui_set(c, THEME_STATUS_PREFIX);
		used += ui_text(y, 0, c->cols, " C-b ");
		ui_set(c, THEME_STATUS);
	}
	if (p != NULL && p->server != NULL)
		snprintf(left, sizeof left, " %s@%s │ %s (%s) ", c->me->login,
		    c->me->host, p->server->name, env_name(p->server->env));
	else
		snprintf(left, sizeof left, " %s@%s │ %s ", c->me->login,
		    c->me->host, c->focus == FOCUS_SIDEBAR ? "sidebar" : "-");
	used += ui_text(y, used, c->cols - used, left);
	if (p != NULL && p->risk_line != NULL && used < c->cols) {
		static const char *up[] = { "LOW", "MEDIUM", "HIGH", "CRITICAL" };
		ui_set(c, theme_risk_element(p->risk_level));
		snprintf(left, sizeof left, " %s  %s  [%s] ", up[p->risk_level],
		    p->risk_reason != NULL ? p->risk_reason : "",
		    p->risk_rule != NULL ? p->risk_rule : "-");
		used += ui_text(y, used, c->cols - used, left);
		ui_set(c, THEME_STATUS);
		if (used < c->cols)
			used += ui_text(y, used, c->cols - used, " ");
	}
	if (c->message != NULL && c->message_until > now && used < c->cols)
		used += ui_text(y, used, c->cols - used, c->message);
	localtime_r(&t, &tm);
	strftime(clock, sizeof clock, "%H:%M:%S", &tm);
	snprintf(right, sizeof right, " approvals: %d │ %s │ C-b ? help ",
	    c->queue.decidable, clock);
	rw = (int)strlen(right) - 4;	/* two │ are 3 bytes, 1 column */
	if (c->cols - rw > used)
		ui_text(y, c->cols - rw, rw, right);
}

/* A box centred on the screen with lines of text. */
static void
ui_draw_box(struct console *c, const char **lines, int n, int width)
{
	int	h = n + 2, y0, x0, i;

	if (width > c->cols - 2)
		width = c->cols - 2;
	if (h > c->rows - 1)
		h = c->rows - 1;
	y0 = (c->rows - 1 - h) / 2;
	x0 = (c->cols - width) / 2;
	ui_set(c, THEME_DIALOG_BORDER);
	for (i = 0; i < h; i++)
		ui_blank(y0 + i, x0, width);
	mvhline(y0, x0, ACS_HLINE, width);
	mvhline(y0 + h - 1, x0, ACS_HLINE, width);
	mvvline(y0, x0, ACS_VLINE, h);
	mvvline(y0, x0 + width - 1, ACS_VLINE, h);
	mvaddch(y0, x0, ACS_ULCORNER);
	mvaddch(y0, x0 + width - 1, ACS_URCORNER);
	mvaddch(y0 + h - 1, x0, ACS_LLCORNER);
	mvaddch(y0 + h - 1, x0 + width - 1, ACS_LRCORNER);
	ui_set(c, THEME_DIALOG);
	for (i = 0; i < h - 2; i++) {
		ui_blank(y0 + 1 + i, x0 + 1, width - 2);
		ui_text(y0 + 1 + i, x0 + 2, width - 4, lines[i]);
	}
}

/* A risk level's theme element and a short upper-case name. */
static enum theme_element
ui_risk_element(const char *risk, const char **label)
{
	enum risk_level	l = RISK_MEDIUM;

	if (risk == NULL || risk_level_parse(risk, &l) != 0)
		l = RISK_MEDIUM;
	static const char *labels[] = { "LOW", "MEDIUM", "HIGH", "CRITICAL" };
	*label = labels[l];
	return (theme_risk_element(l));
}

/* The approvals queue: a panel over the pane area. */
static void
ui_draw_queue(struct console *c)
{
	struct queue		*q = &c->queue;
	struct queue_item	*it;
	enum theme_element	 el;
	const char		*label;
	char			 line[1024], age[32];
	int			 x0, y0, w, h, y, x;
	size_t			 i, n, top;
	int64_t			 now = now_ms(), secs;
	enum env		 e;

	x0 = c->sidebar_width > 0 ? c->sidebar_width + 1 : 0;
	y0 = 0;
	w = c->cols - x0;
	h = c->rows - 1;
	if (w < 20 || h < 4)
		return;
	ui_set(c, THEME_APPROVALS);
	for (y = y0; y < y0 + h; y++)
		ui_blank(y, x0, w);
	ui_set(c, THEME_TITLE_ACTIVE);
	ui_blank(y0, x0, w);
	n = queue_visible(q);
	snprintf(line, sizeof line, " Approvals: %zu pending, you may decide "
	    "%d%s%s   a approve  d deny  Space mark  A approve marked  / filter"
	    "  Enter details  Esc close", n, q->decidable,
	    *q->filter != '\0' ? "  filter: " : "", q->filter);
	ui_text(y0, x0, w, line);
	if (q->details && (it = queue_item(q, q->selected)) != NULL) {
		struct approval *a = it->a;
		const char *rows[] = { "request", "requester", "server", "env",
		    "risk", "rule", "reason", "approvers", "expires", "status",
		    "command" };
		char idbuf[32], exp[48];
		const char *vals[11];
		snprintf(idbuf, sizeof idbuf, "#%lld", (long long)a->id);
		snprintf(exp, sizeof exp, "in %llds",
		    (long long)((a->expires_ms - now) / 1000));
		vals[0] = idbuf;
		vals[1] = a->requester;
		vals[2] = a->server;
		vals[3] = a->env;
		vals[4] = a->risk;
		vals[5] = a->rule;
		vals[6] = a->reason;
		vals[7] = a->approver_roles;
		vals[8] = exp;
		vals[9] = it->may ? "you may decide it" : it->why;
		vals[10] = a->command;
		ui_set(c, THEME_APPROVALS);
		for (i = 0; i < 11 && (int)i + 2 < h; i++) {
			snprintf(line, sizeof line, "  %-10s ", rows[i]);
			x = x0 + ui_text(y0 + 2 + (int)i, x0, w, line);
			ui_text(y0 + 2 + (int)i, x, x0 + w - x,
			    vals[i] != NULL ? vals[i] : "-");
		}
		return;
	}
	top = q->selected >= (size_t)(h - 2) ? q->selected - (size_t)(h - 3) : 0;
	for (i = top, y = y0 + 1; (it = queue_item(q, i)) != NULL && y < y0 + h;
	    i++, y++) {
		secs = (now - it->a->created_ms) / 1000;
		if (secs < 60)
			snprintf(age, sizeof age, "%llds", (long long)secs);
		else if (secs < 3600)
			snprintf(age, sizeof age, "%lldm", (long long)secs / 60);
		else
			snprintf(age, sizeof age, "%lldh", (long long)secs / 3600);
		ui_set(c, i == q->selected ? THEME_SELECTION : THEME_APPROVALS);
		ui_blank(y, x0, w);
		if (!it->may && i != q->selected)
			attr_on(A_DIM, NULL);
		snprintf(line, sizeof line, " %s #%-4lld %4s  %-10.10s %-14.14s",
		    it->marked ? "*" : " ", (long long)it->a->id, age,
		    it->a->requester, it->a->server);
		x = x0 + ui_text(y, x0, w, line);
		e = ENV_NONE;
		if (it->a->env != NULL)
			env_parse(it->a->env, &e);
		ui_set(c, theme_env_element(e));
		x += ui_text(y, x, 4, e == ENV_PRODUCTION ? "PRD " :
		    e == ENV_STAGING ? "STG " : e == ENV_DEVELOPMENT ? "DEV " :
		    "    ");
		el = ui_risk_element(it->a->risk, &label);
		ui_set(c, el);
		snprintf(line, sizeof line, " %-8s ", label);
		x += ui_text(y, x, x0 + w - x, line);
		ui_set(c, i == q->selected ? THEME_SELECTION : THEME_APPROVALS);
		if (!it->may)
			attr_on(A_DIM, NULL);
		snprintf(line, sizeof line, "%s  [%s]%s%s", it->a->command,
		    it->a->rule != NULL ? it->a->rule : "-",
		    it->may ? "" : "  — ", it->may ? "" : it->why);
		if (x < x0 + w)
			ui_text(y, x, x0 + w - x, line);
	}
	if (n == 0) {
		ui_set(c, THEME_APPROVALS);
		ui_text(y0 + 2, x0 + 2, w - 2, "No pending requests.");
	}
}

void
ui_bell(struct console *c)
{
	(void)c;
	beep();
}

static void
ui_draw_help(struct console *c)
{
	struct keymap_entry	*e;
	const char		**lines;
	char			**text, key[KEYMAP_KEY_MAX];
	size_t			 n, i, shown;
	int			 room = c->rows - 4;

	n = keymap_list(c->keys, NULL, 0);
	e = xcalloc(n + 1, sizeof *e);
	keymap_list(c->keys, e, n);
	if (c->help_top > (int)n - 1)
		c->help_top = n > 0 ? (int)n - 1 : 0;
	shown = n - (size_t)c->help_top;
	if ((int)shown > room - 1)
		shown = room > 1 ? (size_t)room - 1 : 0;
	text = xcalloc(shown + 1, sizeof *text);
	lines = xcalloc(shown + 1, sizeof *lines);
	for (i = 0; i < shown; i++) {
		const struct keymap_entry *k = &e[(size_t)c->help_top + i];
		keymap_key_string(k->key, key, sizeof key);
		text[i] = xprintf("%-8s %-10s %-18s %s", k->table, key,
		    k->command, k->help != NULL ? k->help : "");
		lines[i] = text[i];
	}
	lines[shown] = "j/k or arrows scroll, any other key closes";
	ui_draw_box(c, lines, (int)shown + 1, 78);
	strv_free(text, shown);
	free(lines);
	free(e);
}

void
ui_draw(struct console *c)
{
	struct layout_rect	 rects[64], *r;
	struct layout_border	 borders[64];
	struct pane		*p, *active = NULL;
	const char		*lines[1];
	size_t			 n, nb, i;
	int64_t			 now = mono_ms();
	int			 row, col;
	bool			 all = c->redraw, visible;

	if (all)
		erase();
	ui_draw_sidebar(c);
	n = layout_rects(c->layout, rects, 64);
	if (n > 64)
		n = 64;
	for (i = 0; i < n; i++) {
		r = &rects[i];
		if (!r->visible || (p = console_pane(c, r->id)) == NULL)
			continue;
		if (all || p->dirty_title || p->bell_until != 0)
			ui_draw_title(c, p, r, r->id == c->active, now);
		if (p->bell_until != 0 && p->bell_until <= now) {
			p->bell_until = 0;
			ui_draw_title(c, p, r, r->id == c->active, now);
		}
		ui_draw_pane(c, p, r, all);
		if (r->id == c->active)
			active = p;
	}
	if (c->focus == FOCUS_QUEUE)
		ui_draw_queue(c);
	nb = c->focus == FOCUS_QUEUE ? 0 : layout_borders(c->layout, borders, 64);
	ui_set(c, THEME_BORDER_INACTIVE);
	for (i = 0; i < nb && i < 64; i++)
		mvvline(borders[i].y, borders[i].x, ACS_VLINE, borders[i].sy);
	ui_draw_status(c, now);
	switch (c->overlay) {
	case OVERLAY_HELP:
		ui_draw_help(c);
		break;
	case OVERLAY_CONFIRM:
		lines[0] = c->confirm_text;
		ui_draw_box(c, lines, 1, (int)strlen(c->confirm_text) + 6);
		break;
	case OVERLAY_PROMPT:
	case OVERLAY_NONE:
		break;
	}
	/* The cursor: the active pane's, when it has the keyboard. */
	visible = false;
	if (c->overlay == OVERLAY_NONE && c->focus == FOCUS_PANE &&
	    active != NULL && !active->copy && active->ask == PANE_ASK_NONE &&
	    layout_rect(c->layout, active->id, &rects[0]) == 0) {
		vt_cursor(active->vt, &row, &col, &visible);
		if (visible)
			move(rects[0].y + 1 + row, rects[0].x + col);
	}
	if (c->overlay == OVERLAY_PROMPT)
		visible = true;
	curs_set(visible ? 1 : 0);
	c->redraw = false;
	refresh();
}

int
ui_read_key(struct console *c, uint32_t *key, bool *pasting)
{
	wint_t	wch;
	int	ret;

	(void)c;
	*pasting = false;
	for (;;) {
		ret = wget_wch(stdscr, &wch);
		if (ret == ERR)
			return (-1);
		if (ret == KEY_CODE_YES && wch == UI_KEY_PASTE_START) {
			*pasting = true;
			return (0);
		}
		if (ret == KEY_CODE_YES && (wch == KEY_RESIZE ||
		    wch == UI_KEY_PASTE_END || wch == KEY_MOUSE))
			continue;
		if (ui_keys_from_curses(ret, wch, key) == 0)
			return (0);
	}
}

int
ui_read_paste(struct console *c, struct sbuf *sb)
{
	struct pollfd	pfd = { STDIN_FILENO, POLLIN, 0 };
	wint_t		wch;
	wchar_t		w[2];
	char		mb[16];
	int		ret, tries = 0;
	size_t		n;

	(void)c;
	for (;;) {
		ret = wget_wch(stdscr, &wch);
		if (ret == ERR) {
			/* The rest of a long paste may still be on its way. */
			if (tries++ > 10 || poll(&pfd, 1, 100) <= 0)
				return (-1);
			continue;
		}
		if (ret == KEY_CODE_YES) {
			if (wch == UI_KEY_PASTE_END)
				return (-1);
			if (wch == KEY_ENTER)
				sbuf_addc(sb, '\r');
			continue;
		}
		w[0] = (wchar_t)wch;
		w[1] = L'\0';
		n = wcstombs(mb, w, sizeof mb);
		if (n != (size_t)-1)
			sbuf_add(sb, mb, n);
		if (sb->len > 16 * 1024 * 1024)
			return (-1);
		return (0);
	}
}

int
ui_peek_key(struct console *c, uint32_t *key)
{
	bool	pasting;

	if (ui_read_key(c, key, &pasting) != 0)
		return (-1);
	if (pasting) {
		/* A paste right after ESC: give the ESC alone; paste is lost
		   only if the terminal sent them glued, which they do not. */
		return (-1);
	}
	return (0);
}

/* Base64 (RFC 4648) for OSC 52. */
static char *
ui_base64(const unsigned char *in, size_t len)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char	*out, *o;
	size_t	 i;
	uint32_t v;

	out = o = xmalloc(4 * ((len + 2) / 3) + 1);
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		*o++ = tbl[v >> 18];
		*o++ = tbl[(v >> 12) & 63];
		*o++ = tbl[(v >> 6) & 63];
		*o++ = tbl[v & 63];
	}
	if (i < len) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		*o++ = tbl[v >> 18];
		*o++ = tbl[(v >> 12) & 63];
		*o++ = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return (out);
}

void
ui_clipboard(struct console *c, const char *text, size_t len)
{
	char	*b64;

	(void)c;
	b64 = ui_base64((const unsigned char *)text, len);
	/* Between frames: curses is not writing now. */
	printf("\033]52;c;%s\a", b64);
	fflush(stdout);
	free(b64);
}
