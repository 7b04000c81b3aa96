/*
 * console.c: the full-screen console.  One thread, one poll(2) loop over the
 * terminal, every pane's SSH connection and a self-pipe that turns signals
 * (SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGCHLD) into readable bytes.
 *
 * Each pass: read every key waiting on the terminal first (so a flooding
 * pane never delays a keystroke), then let each pane's connection read at
 * most CONSOLE_READ_BUDGET bytes, then, if anything changed and the last
 * frame is at least CONSOLE_FRAME_MS old, draw once.  The poll timeout is
 * the nearest of: the next frame (only while something is dirty), the
 * connections' own deadlines (connect timeout, keepalive), and the next
 * tick of the clock in the status bar.  With nothing happening the process
 * sleeps until the clock's next second.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "approval.h"
#include "audit.h"
#include "cfg.h"
#include "client.h"
#include "conn.h"
#include "console.h"
#include "ident.h"
#include "keymap.h"
#include "layout.h"
#include "pane.h"
#include "policy.h"
#include "queue.h"
#include "sidebar.h"
#include "totp.h"
#include "ui.h"
#include "vt.h"

static int	console_sig_fd = -1;

static int	console_frame_ms(struct console *);

/* Signal handler: one byte per signal into the self-pipe. */
static void
console_signal(int signo)
{
	unsigned char	b = (unsigned char)signo;
	int		saved = errno;

	if (console_sig_fd != -1)
		(void)!write(console_sig_fd, &b, 1);
	errno = saved;
}

int
console_audit(struct console *c, struct audit_event *ev, char **cause)
{
	if (c->audit == NULL) {
		*cause = xstrdup("audit: no audit store is open");
		return (-1);
	}
	return (audit_append(c->audit, ev, NULL, cause));
}

void
console_status(struct console *c, const char *fmt, ...)
{
	va_list	ap;

	free(c->message);
	va_start(ap, fmt);
	xvasprintf(&c->message, fmt, ap);
	va_end(ap);
	c->message_until = mono_ms() + 5000;
	c->redraw = true;
}

struct pane *
console_pane(struct console *c, int id)
{
	size_t	i;

	for (i = 0; i < c->npanes; i++) {
		if (c->panes[i]->id == id)
			return (c->panes[i]);
	}
	return (NULL);
}

int
console_server_panes(struct console *c, const struct server *s, int *state)
{
	static const int rank[] = {
		[PANE_EMPTY] = 0, [PANE_IDLE] = 1, [PANE_DISCONNECTED] = 2,
		[PANE_FAILED] = 3, [PANE_CONNECTING] = 4, [PANE_CONNECTED] = 5
	};
	size_t	i;
	int	n = 0, best = PANE_IDLE;

	for (i = 0; i < c->npanes; i++) {
		if (c->panes[i]->server != s)
			continue;
		n++;
		if (rank[c->panes[i]->state] > rank[best])
			best = (int)c->panes[i]->state;
	}
	*state = best;
	return (n);
}

/* Count panes whose session is up. */
static int
console_open_sessions(struct console *c)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i < c->npanes; i++) {
		if (c->panes[i]->state == PANE_CONNECTED ||
		    c->panes[i]->state == PANE_CONNECTING)
			n++;
	}
	return (n);
}

/* The area the panes share: right of the sidebar, above the status bar. */
static void
console_pane_area(struct console *c, int *x, int *y, int *sx, int *sy)
{
	*x = c->sidebar_width > 0 ? c->sidebar_width + 1 : 0;
	*y = 0;
	*sx = c->cols - *x;
	*sy = c->rows - 1;
	if (*sx < LAYOUT_MIN_SX)
		*sx = LAYOUT_MIN_SX;
	if (*sy < LAYOUT_MIN_SY)
		*sy = LAYOUT_MIN_SY;
}

/* Give every pane the size the layout says. */
static void
console_apply_layout(struct console *c)
{
	struct layout_rect	r;
	size_t			i;

	for (i = 0; i < c->npanes; i++) {
		if (layout_rect(c->layout, c->panes[i]->id, &r) != 0)
			continue;
		pane_resize(c->panes[i], r.sx, r.sy - 1);
	}
	c->redraw = true;
}

/* Read the terminal size and lay everything out again. */
static void
console_resize(struct console *c)
{
	struct winsize	ws;
	int		x, y, sx, sy;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0) {
		c->rows = ws.ws_row;
		c->cols = ws.ws_col;
	}
	ui_resize(c);
	console_pane_area(c, &x, &y, &sx, &sy);
	layout_set_area(c->layout, x, y, sx, sy);
	console_apply_layout(c);
}

/* A new pane with id, sized later by the layout. */
static struct pane *
console_new_pane(struct console *c, int id)
{
	struct pane	*p;

	p = pane_create(c, id, 80, 24, c->cfg->ui.scrollback);
	c->panes = xreallocarray(c->panes, c->npanes + 1, sizeof *c->panes);
	c->panes[c->npanes++] = p;
	return (p);
}

/* Split the active pane; the new pane becomes active.  NULL if too small. */
static struct pane *
console_split(struct console *c, enum layout_split how)
{
	char	*cause = NULL;
	int	 id = c->next_id++;

	if (layout_split(c->layout, c->active, how, id, &cause) != 0) {
		console_status(c, "cannot split: %s", cause);
		free(cause);
		return (NULL);
	}
	console_new_pane(c, id);
	c->active = id;
	console_apply_layout(c);
	return (console_pane(c, id));
}

/* Close a pane for good (the last pane becomes empty instead). */
static void
console_kill_pane(struct console *c, int id)
{
	struct pane	*p;
	char		*cause = NULL;
	size_t		 i;
	int		 next;

	if ((p = console_pane(c, id)) == NULL)
		return;
	if (layout_count(c->layout) == 1) {
		/* Keep one pane: an empty one. */
		for (i = 0; i < c->npanes; i++) {
			if (c->panes[i] == p)
				break;
		}
		c->panes[i] = pane_create(c, id, p->cols, p->rows,
		    c->cfg->ui.scrollback);
		pane_free(p);
		c->redraw = true;
		return;
	}
	next = layout_neighbour(c->layout, id, LAYOUT_LEFT);
	if (next == -1 || next == id)
		next = layout_neighbour(c->layout, id, LAYOUT_UP);
	if (layout_remove(c->layout, id, &cause) != 0) {
		console_status(c, "%s", cause);
		free(cause);
		return;
	}
	for (i = 0; i < c->npanes; i++) {
		if (c->panes[i] == p) {
			memmove(&c->panes[i], &c->panes[i + 1],
			    (c->npanes - i - 1) * sizeof *c->panes);
			c->npanes--;
			break;
		}
	}
	pane_free(p);
	if (next == -1 || !layout_has(c->layout, next)) {
		layout_panes(c->layout, &next, 1);
	}
	c->active = next;
	console_apply_layout(c);
}

/* Open a server: in the active pane if it is empty, else in a new split. */
void
console_open_server(struct console *c, const struct server *s)
{
	struct pane		*p;
	struct audit_event	 ev;
	struct layout_rect	 rects[64];
	char			*cause = NULL;
	size_t			 n, i;
	int			 best;

	if (!policy_server_visible(c->cfg, c->me, s)) {
		memset(&ev, 0, sizeof ev);
		ev.server = s->name;
		ev.action = "connect";
		ev.decision = "deny";
		ev.result = "refused";
		ev.detail = "{\"reason\": \"no role grants this server\"}";
		if (console_audit(c, &ev, &cause) != 0) {
			console_status(c, "%s", cause);
			free(cause);
			return;
		}
		console_status(c, "%s: no role grants you this server", s->name);
		return;
	}
	p = console_pane(c, c->active);
	if (p == NULL || p->server != NULL) {
		/*
		 * Tile: split the largest pane along its longer side (a cell
		 * is about twice as tall as wide), so N servers make a grid
		 * rather than ever thinner slices of one pane.
		 */
		n = layout_rects(c->layout, rects, 64);
		for (i = 0, best = -1; i < n && i < 64; i++) {
			if (best == -1 || rects[i].sx * rects[i].sy >
			    rects[best].sx * rects[best].sy)
				best = (int)i;
		}
		if (best != -1)
			c->active = rects[best].id;
		if (best != -1 && rects[best].sx >= 2 * rects[best].sy)
			p = console_split(c, LAYOUT_LEFTRIGHT);
		else
			p = console_split(c, LAYOUT_TOPBOTTOM);
		if (p == NULL)
			return;
	}
	pane_open(p, s);
	c->focus = FOCUS_PANE;
	c->redraw = true;
}

/* Ask a y/n question in an overlay. */
static void
console_confirm(struct console *c, enum console_confirm op, const char *text)
{
	c->overlay = OVERLAY_CONFIRM;
	c->confirm_op = op;
	free(c->confirm_text);
	c->confirm_text = xstrdup(text);
	c->redraw = true;
}

/* Open a one-line prompt at the bottom. */
static void
console_prompt(struct console *c, enum console_prompt op, const char *init)
{
	c->overlay = OVERLAY_PROMPT;
	c->prompt_op = op;
	sbuf_reset(&c->prompt);
	sbuf_adds(&c->prompt, init);
	c->redraw = true;
}

/* Scrollback: enter, move, leave. */
static void
console_copy_move(struct pane *p, long delta)
{
	long	oldest = -(long)vt_history_size(p->vt);
	long	bottom = 0;

	p->copy_top += delta;
	if (p->copy_top < oldest)
		p->copy_top = oldest;
	if (p->copy_top > bottom)
		p->copy_top = bottom;
}

/* Move the copy-mode cursor line by delta, scrolling to keep it shown. */
static void
console_copy_cursor(struct pane *p, long delta)
{
	long	oldest = -(long)vt_history_size(p->vt);
	long	last = p->rows - 1;

	p->copy_line += delta;
	if (p->copy_line < oldest)
		p->copy_line = oldest;
	if (p->copy_line > last)
		p->copy_line = last;
	if (p->copy_line < p->copy_top)
		p->copy_top = p->copy_line;
	else if (p->copy_line >= p->copy_top + p->rows)
		p->copy_top = p->copy_line - p->rows + 1;
	console_copy_move(p, 0);
}

/* Copy the selected lines (mark to cursor) to the operator's clipboard. */
static void
console_copy_selection(struct console *c, struct pane *p)
{
	struct vt_line	 line;
	struct sbuf	 sb;
	char		*text;
	long		 from, to, l;

	from = p->copy_mark == LONG_MIN ? p->copy_line : p->copy_mark;
	to = p->copy_line;
	if (from > to) {
		l = from;
		from = to;
		to = l;
	}
	sbuf_init(&sb);
	for (l = from; l <= to; l++) {
		if (l < 0) {
			if (!vt_history_line(p->vt, (size_t)(-l - 1), &line))
				continue;
			text = vt_line_text(&line, 0, line.ncells);
		} else
			text = vt_row_text(p->vt, (int)l, 0, p->cols);
		sbuf_adds(&sb, text);
		free(text);
		if (l != to)
			sbuf_addc(&sb, '\n');
	}
	ui_clipboard(c, sb.buf != NULL ? sb.buf : "", sb.len);
	console_status(c, "copied %ld line%s (%zu bytes) to the clipboard",
	    to - from + 1, to == from ? "" : "s", sb.len);
	sbuf_free(&sb);
	p->copy = false;
	p->copy_mark = LONG_MIN;
}

/* Search the pane's history and screen; scroll the match into view. */
static void
console_copy_search(struct console *c, struct pane *p, bool back)
{
	long	line;
	int	col = 0;

	if (p->search == NULL || *p->search == '\0')
		return;
	line = p->copy_line;
	if (!vt_search(p->vt, p->search, VT_SEARCH_ICASE |
	    (back ? VT_SEARCH_BACK : 0), &line, &col)) {
		console_status(c, "not found: %s", p->search);
		return;
	}
	p->copy_line = line;
	/* Put the match line at the top of the view (clamped). */
	p->copy_top = line;
	console_copy_move(p, 0);
	c->redraw = true;
}

/* Approve or deny one request from the queue panel, and say what happened. */
static void
console_queue_decide(struct console *c, struct queue_item *it, bool approve,
    const char *reason)
{
	char	*cause = NULL;
	int64_t	 id = it->a->id;

	if (queue_decide(c, it, approve, reason, &cause) != 0) {
		console_status(c, "%s", cause);
		free(cause);
	} else
		console_status(c, "#%lld %s", (long long)id,
		    approve ? "approved" : "denied");
	if (queue_refresh(c, true, &cause) < 0) {
		console_status(c, "approvals: %s", cause);
		free(cause);
	}
}

/* Does approving this request need a TOTP code (critical, when configured)? */
static bool
console_needs_totp(struct console *c, const struct queue_item *it)
{
	return (c->cfg->approvals.totp_critical && it->a->risk != NULL &&
	    strcmp(it->a->risk, "critical") == 0);
}

/* Check a typed TOTP code against this operator's secret (RFC 6238). */
static bool
console_totp_ok(struct console *c, const char *code)
{
	uint8_t	*key = NULL;
	size_t	 len = 0;
	char	*cause = NULL;
	bool	 ok;

	if (c->cfg->approvals.totp_dir == NULL ||
	    totp_load_secret(c->cfg->approvals.totp_dir, c->me->login, getuid(),
	    &key, &len, &cause) != 0) {
		console_status(c, "TOTP: %s", cause != NULL ? cause :
		    "approvals.totp_dir is not set");
		free(cause);
		return (false);
	}
	ok = totp_verify(key, len, code, (int64_t)time(NULL), TOTP_STEP,
	    TOTP_DIGITS, TOTP_WINDOW);
	totp_key_free(key, len);
	if (!ok)
		console_status(c, "TOTP: wrong code; not approved");
	return (ok);
}

/* Approve every marked request (a batch), each checked on its own. */
static void
console_queue_decide_marked(struct console *c)
{
	struct queue_item	*it;
	char			*cause = NULL;
	size_t			 i;
	int			 ok = 0, failed = 0;

	for (i = 0; i < c->queue.n; i++) {
		it = &c->queue.items[i];
		if (!it->marked)
			continue;
		if (console_needs_totp(c, it)) {
			failed++;	/* a code approves one request at a time */
			continue;
		}
		if (queue_decide(c, it, true, NULL, &cause) != 0) {
			failed++;
			free(cause);
			cause = NULL;
		} else
			ok++;
	}
	if (ok + failed == 0)
		console_status(c, "no request is marked (Space marks)");
	else
		console_status(c, "approved %d marked request%s%s", ok,
		    ok == 1 ? "" : "s", failed ? "; some could not be" : "");
	if (queue_refresh(c, true, &cause) < 0) {
		console_status(c, "approvals: %s", cause);
		free(cause);
	}
}

/*
 * The : command line.  "exec @GROUP COMMAND", "exec SERVER COMMAND" and
 * "runbook NAME" run omv's own fan-out in a new results pane (a local pty:
 * its confirmation and approval prompts work there as on a terminal).  The
 * command text is one argument, never handed to a local shell.
 */
static void
console_command(struct console *c, const char *line)
{
	struct pane	*p;
	char		 self[4096], *copy, *verb, *target, *rest, *cause = NULL;
	char		*argv[16], *title;
	ssize_t		 n;
	int		 argc = 0;

	while (*line == ' ')
		line++;
	if (*line == '\0')
		return;
	n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0) {
		console_status(c, "cannot find the omv binary: %s",
		    strerror(errno));
		return;
	}
	self[n] = '\0';
	copy = xstrdup(line);
	verb = strtok_r(copy, " ", &rest);
	argv[argc++] = self;
	if (verb != NULL && strcmp(verb, "exec") == 0) {
		target = strtok_r(NULL, " ", &rest);
		while (rest != NULL && *rest == ' ')
			rest++;
		if (target == NULL || rest == NULL || *rest == '\0') {
			console_status(c, "usage: exec @GROUP COMMAND | exec "
			    "SERVER COMMAND");
			free(copy);
			return;
		}
		argv[argc++] = (char *)"exec";
		argv[argc++] = (char *)(target[0] == '@' ? "-g" : "-s");
		argv[argc++] = target[0] == '@' ? target + 1 : target;
	} else if (verb != NULL && strcmp(verb, "runbook") == 0) {
		target = strtok_r(NULL, " ", &rest);
		if (target == NULL) {
			console_status(c, "usage: runbook NAME");
			free(copy);
			return;
		}
		argv[argc++] = (char *)"runbook";
		argv[argc++] = (char *)"run";
		argv[argc++] = target;
	} else {
		console_status(c, "unknown command '%s' (exec, runbook)",
		    verb != NULL ? verb : "");
		free(copy);
		return;
	}
	if (c->cfg->path != NULL) {
		argv[argc++] = (char *)"-c";
		argv[argc++] = c->cfg->path;
	}
	argv[argc++] = (char *)"--live";
	if (strcmp(verb, "exec") == 0) {
		argv[argc++] = (char *)"--";
		argv[argc++] = rest;
	}
	argv[argc] = NULL;
	if ((p = console_split(c, LAYOUT_TOPBOTTOM)) == NULL) {
		free(copy);
		return;
	}
	title = xprintf(":%s", line);
	if (pane_spawn(p, argv, title, &cause) != 0) {
		console_status(c, "%s", cause);
		free(cause);
	}
	free(title);
	free(copy);
	c->focus = FOCUS_PANE;
}

/* Run a bound command. */
static void
console_run(struct console *c, const char *command)
{
	struct keymap_cmd	 kc;
	struct pane		*p = console_pane(c, c->active);
	const struct sidebar_row *row;
	struct queue_item	*it;
	char			*cause = NULL, q[128];
	int			 n, next;
	bool			 visible;

	if (keymap_cmd_parse(command, &kc, &cause) != 0) {
		console_status(c, "%s", cause);
		free(cause);
		return;
	}
	c->redraw = true;
	switch (kc.op) {
	case KEYOP_NONE:
		break;
	case KEYOP_SPLIT_H:
		console_split(c, LAYOUT_LEFTRIGHT);
		break;
	case KEYOP_SPLIT_V:
		console_split(c, LAYOUT_TOPBOTTOM);
		break;
	case KEYOP_SELECT_PANE:
		next = layout_neighbour(c->layout, c->active, kc.dir);
		if (next != -1)
			c->active = next;
		c->focus = FOCUS_PANE;
		break;
	case KEYOP_RESIZE_PANE:
		if (layout_resize(c->layout, c->active, kc.dir, kc.count,
		    &cause) < 0) {
			console_status(c, "%s", cause);
			free(cause);
		}
		console_apply_layout(c);
		break;
	case KEYOP_KILL_PANE:
		if (p != NULL && (p->state == PANE_CONNECTED ||
		    p->state == PANE_CONNECTING)) {
			snprintf(q, sizeof q, "Close %s (%s)? (y/n)",
			    p->server != NULL ? p->server->name : p->local_title,
			    p->local_title != NULL ? "running" :
			    pane_state_name(p->state));
			console_confirm(c, CONFIRM_KILL_PANE, q);
		} else
			console_kill_pane(c, c->active);
		break;
	case KEYOP_ZOOM:
		layout_zoom(c->layout, layout_zoomed(c->layout) == c->active ?
		    -1 : c->active);
		console_apply_layout(c);
		break;
	case KEYOP_EVEN:
		layout_even(c->layout);
		console_apply_layout(c);
		break;
	case KEYOP_SIDEBAR:
		c->focus = c->focus == FOCUS_SIDEBAR ? FOCUS_PANE :
		    FOCUS_SIDEBAR;
		break;
	case KEYOP_COPY_MODE:
		if (p != NULL && !p->copy) {
			p->copy = true;
			p->copy_top = 0;
			vt_cursor(p->vt, &n, &next, &visible);
			p->copy_line = n;
			p->copy_mark = LONG_MIN;
		}
		break;
	case KEYOP_HELP:
		c->overlay = OVERLAY_HELP;
		c->help_top = 0;
		break;
	case KEYOP_QUIT:
		if ((n = console_open_sessions(c)) > 0) {
			snprintf(q, sizeof q, "Quit omv? %d session%s open. "
			    "(y/n)", n, n == 1 ? " is" : "s are");
			console_confirm(c, CONFIRM_QUIT, q);
		} else
			c->quit = true;
		break;
	case KEYOP_SEND_PREFIX:
		if (p != NULL)
			pane_key(p, keymap_prefix(c->keys));
		break;
	case KEYOP_APPROVALS:
		if (queue_refresh(c, true, &cause) < 0) {
			console_status(c, "approvals: %s", cause);
			free(cause);
			break;
		}
		c->focus = FOCUS_QUEUE;
		c->queue.details = false;
		break;
	case KEYOP_COMMAND_PROMPT:
		console_prompt(c, PROMPT_COMMAND, "");
		break;
	case KEYOP_RECONNECT:
		if (p != NULL)
			pane_reconnect(p);
		break;
	case KEYOP_UP:
	case KEYOP_DOWN:
	case KEYOP_PAGE_UP:
	case KEYOP_PAGE_DOWN:
	case KEYOP_TOP:
	case KEYOP_BOTTOM:
		n = kc.op == KEYOP_UP ? -1 : kc.op == KEYOP_DOWN ? 1 :
		    kc.op == KEYOP_TOP ? INT_MIN / 2 :
		    kc.op == KEYOP_BOTTOM ? INT_MAX / 2 : 0;
		if (c->focus == FOCUS_QUEUE) {
			if (kc.op == KEYOP_PAGE_UP || kc.op == KEYOP_PAGE_DOWN)
				n = (kc.op == KEYOP_PAGE_UP ? -1 : 1) *
				    (c->rows / 2);
			queue_move(&c->queue, n);
		} else if (c->focus == FOCUS_SIDEBAR) {
			if (kc.op == KEYOP_PAGE_UP || kc.op == KEYOP_PAGE_DOWN)
				n = (kc.op == KEYOP_PAGE_UP ? -1 : 1) *
				    (c->rows - 3);
			sidebar_move(c->sidebar, n);
		} else if (p != NULL && p->copy) {
			if (kc.op == KEYOP_PAGE_UP || kc.op == KEYOP_PAGE_DOWN)
				n = (kc.op == KEYOP_PAGE_UP ? -1 : 1) *
				    (p->rows > 1 ? p->rows - 1 : 1);
			console_copy_cursor(p, n);
		}
		break;
	case KEYOP_OPEN:
		if (c->focus == FOCUS_QUEUE)
			c->queue.details = !c->queue.details;
		if (c->focus == FOCUS_SIDEBAR) {
			row = sidebar_row(c->sidebar,
			    sidebar_selected(c->sidebar));
			if (row == NULL)
				break;
			if (row->kind == SIDEBAR_GROUP)
				sidebar_toggle(c->sidebar);
			else
				console_open_server(c, row->server);
		}
		break;
	case KEYOP_CANCEL:
		if (c->focus == FOCUS_QUEUE) {
			if (c->queue.details)
				c->queue.details = false;
			else
				c->focus = FOCUS_PANE;
		} else if (c->focus == FOCUS_SIDEBAR) {
			if (*sidebar_filter(c->sidebar) != '\0')
				sidebar_set_filter(c->sidebar, "");
			c->focus = FOCUS_PANE;
		} else if (p != NULL && p->copy)
			p->copy = false;
		break;
	case KEYOP_FILTER:
		/* A new filter, like / in less: typing narrows it. */
		if (c->focus == FOCUS_QUEUE) {
			free(c->queue.filter);
			c->queue.filter = xstrdup("");
			console_prompt(c, PROMPT_QUEUE_FILTER, "");
			break;
		}
		sidebar_set_filter(c->sidebar, "");
		console_prompt(c, PROMPT_FILTER, "");
		break;
	case KEYOP_MARK:
		if ((it = queue_item(&c->queue, c->queue.selected)) != NULL) {
			it->marked = !it->marked;
			queue_move(&c->queue, 1);
		}
		break;
	case KEYOP_APPROVE_MARKED:
		console_queue_decide_marked(c);
		break;
	case KEYOP_TOGGLE:
		sidebar_toggle(c->sidebar);
		break;
	case KEYOP_SEARCH:
		if (p != NULL && p->copy)
			console_prompt(c, PROMPT_SEARCH, "");
		break;
	case KEYOP_BEGIN_SELECTION:
		if (p != NULL && p->copy)
			p->copy_mark = p->copy_line;
		break;
	case KEYOP_COPY_SELECTION:
		if (p != NULL && p->copy)
			console_copy_selection(c, p);
		break;
	case KEYOP_SEARCH_NEXT:
	case KEYOP_SEARCH_PREV:
		if (p != NULL && p->copy)
			console_copy_search(c, p, kc.op == KEYOP_SEARCH_NEXT);
		break;
	case KEYOP_APPROVE:
		if ((it = queue_item(&c->queue, c->queue.selected)) == NULL)
			break;
		if (it->may && console_needs_totp(c, it)) {
			console_prompt(c, PROMPT_TOTP, "");
			break;
		}
		console_queue_decide(c, it, true, NULL);
		break;
	case KEYOP_DENY:
		if ((it = queue_item(&c->queue, c->queue.selected)) == NULL)
			break;
		if (!it->may) {
			console_status(c, "#%lld: %s", (long long)it->a->id,
			    it->why);
			break;
		}
		console_prompt(c, PROMPT_DENY, "");
		break;
	}
}

/* Keys at the one-line prompt. */
static void
console_prompt_key(struct console *c, uint32_t key)
{
	struct queue_item *it;
	struct pane	*p = console_pane(c, c->active);
	uint32_t	 k = key & KEYC_MASK_KEY;

	c->redraw = true;
	if (key == KEYC_ESCAPE || key == ('c' | KEYC_CTRL)) {
		if (c->prompt.buf != NULL)
			explicit_bzero(c->prompt.buf, c->prompt.cap);
		if (c->prompt_op == PROMPT_FILTER)
			sidebar_set_filter(c->sidebar, "");
		if (c->prompt_op == PROMPT_QUEUE_FILTER) {
			free(c->queue.filter);
			c->queue.filter = xstrdup("");
		}
		c->overlay = OVERLAY_NONE;
		return;
	}
	if (key == KEYC_ENTER) {
		c->overlay = OVERLAY_NONE;
		if (c->prompt_op == PROMPT_COMMAND) {
			console_command(c, c->prompt.buf != NULL ?
			    c->prompt.buf : "");
			return;
		}
		if (c->prompt_op == PROMPT_TOTP) {
			it = queue_item(&c->queue, c->queue.selected);
			if (it != NULL && console_totp_ok(c, c->prompt.buf != NULL ?
			    c->prompt.buf : ""))
				console_queue_decide(c, it, true, "with TOTP");
			if (c->prompt.buf != NULL)
				explicit_bzero(c->prompt.buf, c->prompt.cap);
			sbuf_reset(&c->prompt);
			return;
		}
		if (c->prompt_op == PROMPT_DENY) {
			if (c->prompt.len == 0) {
				console_status(c, "a denial needs a reason");
				return;
			}
			if ((it = queue_item(&c->queue, c->queue.selected)) != NULL)
				console_queue_decide(c, it, false, c->prompt.buf);
			return;
		}
		if (c->prompt_op == PROMPT_SEARCH && p != NULL) {
			free(p->search);
			p->search = xstrdup(c->prompt.buf != NULL ?
			    c->prompt.buf : "");
			console_copy_search(c, p, true);
		}
		return;
	}
	if (key == KEYC_BSPACE) {
		if (c->prompt.len > 0) {
			do
				c->prompt.len--;
			while (c->prompt.len > 0 &&
			    (c->prompt.buf[c->prompt.len] & 0xc0) == 0x80);
			c->prompt.buf[c->prompt.len] = '\0';
		}
	} else if (key == ('u' | KEYC_CTRL)) {
		sbuf_reset(&c->prompt);
	} else if ((key & KEYC_MASK_MODS) == 0 && k >= 0x20 && k != 0x7f &&
	    k < KEYC_BASE && c->prompt.len < 256) {
		sbuf_add_utf8(&c->prompt, k);
	} else
		return;
	if (c->prompt_op == PROMPT_FILTER)	/* incremental */
		sidebar_set_filter(c->sidebar, c->prompt.buf != NULL ?
		    c->prompt.buf : "");
	if (c->prompt_op == PROMPT_QUEUE_FILTER) {
		free(c->queue.filter);
		c->queue.filter = xstrdup(c->prompt.buf != NULL ?
		    c->prompt.buf : "");
		c->queue.selected = 0;
	}
}

/* One key from the operator. */
static void
console_key(struct console *c, uint32_t key)
{
	struct pane	*p;
	const char	*cmd;

	c->last_key = mono_ms();
	switch (c->overlay) {
	case OVERLAY_HELP:
		if (key == KEYC_DOWN || key == 'j')
			c->help_top++;
		else if ((key == KEYC_UP || key == 'k') && c->help_top > 0)
			c->help_top--;
		else if (key == KEYC_NPAGE)
			c->help_top += c->rows / 2;
		else if (key == KEYC_PPAGE)
			c->help_top = c->help_top > c->rows / 2 ?
			    c->help_top - c->rows / 2 : 0;
		else
			c->overlay = OVERLAY_NONE;
		c->redraw = true;
		return;
	case OVERLAY_CONFIRM:
		c->overlay = OVERLAY_NONE;
		c->redraw = true;
		if (key != 'y' && key != 'Y')
			return;
		if (c->confirm_op == CONFIRM_QUIT)
			c->quit = true;
		else
			console_kill_pane(c, c->active);
		return;
	case OVERLAY_PROMPT:
		console_prompt_key(c, key);
		return;
	case OVERLAY_NONE:
		break;
	}

	if (c->prefix) {
		c->prefix = false;
		c->redraw = true;
		if ((cmd = keymap_lookup(c->keys, "prefix", key)) != NULL)
			console_run(c, cmd);
		return;
	}
	if (key == keymap_prefix(c->keys)) {
		c->prefix = true;
		c->redraw = true;
		return;
	}
	if ((cmd = keymap_lookup(c->keys, "root", key)) != NULL) {
		console_run(c, cmd);
		return;
	}
	if (c->focus == FOCUS_QUEUE) {
		if ((cmd = keymap_lookup(c->keys, "queue", key)) != NULL)
			console_run(c, cmd);
		c->redraw = true;
		return;
	}
	if (c->focus == FOCUS_SIDEBAR) {
		if ((cmd = keymap_lookup(c->keys, "sidebar", key)) != NULL)
			console_run(c, cmd);
		else if (key == KEYC_RIGHT || key == KEYC_LEFT)
			sidebar_set_collapsed(c->sidebar, key == KEYC_LEFT);
		c->redraw = true;
		return;
	}
	if ((p = console_pane(c, c->active)) == NULL)
		return;
	if (p->copy) {
		if ((cmd = keymap_lookup(c->keys, "copy", key)) != NULL)
			console_run(c, cmd);
		c->redraw = true;
		return;
	}
	if (p->server == NULL && p->local_title == NULL) {
		/* An empty pane: Enter picks a server from the sidebar. */
		if (key == KEYC_ENTER)
			c->focus = FOCUS_SIDEBAR;
		c->redraw = true;
		return;
	}
	pane_key(p, key);
}

/* Read every key the terminal has for us now. */
static void
console_read_keys(struct console *c)
{
	struct pane	*p;
	struct sbuf	 paste;
	uint32_t	 key, next;
	int		 n = 0;
	bool		 pasting;

	while (n++ < 4096) {
		if (ui_read_key(c, &key, &pasting) != 0)
			break;
		if (pasting) {
			/* A bracketed paste from the outer terminal: collect it. */
			sbuf_init(&paste);
			while (ui_read_paste(c, &paste) == 0)
				;
			p = console_pane(c, c->active);
			if (c->overlay == OVERLAY_NONE && !c->prefix &&
			    c->focus == FOCUS_PANE && p != NULL && !p->copy)
				pane_paste(p, paste.buf != NULL ? paste.buf : "",
				    paste.len);
			sbuf_free(&paste);
			continue;
		}
		if (key == KEYC_ESCAPE && ui_peek_key(c, &next) == 0) {
			/*
			 * ESC then a key at once: a Meta key, as xterm sends
			 * with metaSendsEscape.  Two Escapes stay two.
			 */
			if (next == KEYC_ESCAPE || (next & KEYC_META)) {
				console_key(c, key);
				key = next;
			} else
				key = next | KEYC_META;
		}
		console_key(c, key);
		if (c->quit)
			break;
	}
}

/* Drain the self-pipe and act on the signals. */
static void
console_signals(struct console *c)
{
	unsigned char	buf[64];
	ssize_t		n, i;
	size_t		j;

	while ((n = read(c->sig_pipe[0], buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++) {
			switch (buf[i]) {
			case SIGWINCH:
				console_resize(c);
				break;
			case SIGTERM:
			case SIGHUP:
				c->quit = true;
				break;
			case SIGCHLD:
				for (j = 0; j < c->npanes; j++)
					pane_reap(c->panes[j]);
				break;
			}
		}
	}
}

/* Close every session after security.idle_timeout without a key. */
static void
console_idle_check(struct console *c, int64_t now)
{
	struct audit_event	 ev;
	char			*cause = NULL;
	size_t			 i;
	int			 limit = c->cfg->security.idle_timeout;

	if (limit <= 0 || now - c->last_key < (int64_t)limit * 1000 ||
	    console_open_sessions(c) == 0)
		return;
	memset(&ev, 0, sizeof ev);
	ev.action = "idle-timeout";
	ev.result = "closed";
	if (console_audit(c, &ev, &cause) != 0) {
		console_status(c, "%s", cause);
		free(cause);
	}
	for (i = 0; i < c->npanes; i++)
		pane_disconnect(c->panes[i], "idle timeout (security.idle_timeout)");
	c->last_key = now;
}

/*
 * Once a second: has another console filed or decided a request?  The check
 * is PRAGMA data_version, a read of a shared-memory counter; the list is
 * read again only when it moved.  A new request this operator may decide
 * rings the bell once.
 */
static void
console_queue_tick(struct console *c)
{
	char	*cause = NULL;
	int	 rv;

	rv = queue_refresh(c, false, &cause);
	if (rv < 0) {
		console_status(c, "approvals: %s", cause);
		free(cause);
	} else if (rv == 1) {
		ui_bell(c);
		console_status(c, "new approval request: C-b a to review");
	}
}

/* Is any pane holding a command for approval, or feeding a paste? */
static bool
console_gated(struct console *c, bool *pasting)
{
	size_t	i;
	bool	gated = false;

	*pasting = false;
	for (i = 0; i < c->npanes; i++) {
		if (c->panes[i]->gate == GATE_APPROVAL)
			gated = true;
		if (c->panes[i]->more_enter || c->panes[i]->enter_pending ||
		    c->panes[i]->paste_next < c->panes[i]->npaste)
			*pasting = true;
	}
	return (gated);
}

/*
 * While a pane waits for approval, look every 100 ms whether the database
 * changed (PRAGMA data_version: no busy polling of the tables), and once a
 * second regardless (expiry needs no writer).  The requesting console so
 * sees a decision within about 100 ms.
 */
static void
console_gate_tick(struct console *c, int64_t now)
{
	static uint64_t	 seen;
	static int64_t	 last, last_full;
	uint64_t	 stamp;
	size_t		 i;
	bool		 pasting;

	if (!console_gated(c, &pasting) || now - last < 100)
		return;
	last = now;
	if (approval_stamp(c->audit, &stamp, NULL) != 0)
		return;
	if (stamp == seen && now - last_full < 1000)
		return;
	seen = stamp;
	last_full = now;
	for (i = 0; i < c->npanes; i++)
		pane_gate_poll(c->panes[i]);
}

/* Milliseconds the loop may sleep. */
static int
console_timeout(struct console *c, int64_t now, bool dirty)
{
	int64_t	t, wall;
	size_t	i;
	int	pt;
	bool	pasting;

	wall = now_ms();
	t = 1000 - wall % 1000;		/* the clock's next second */
	if (dirty) {
		pt = (int)(c->last_draw + console_frame_ms(c) - now);
		if (pt < t)
			t = pt < 0 ? 0 : pt;
	}
	for (i = 0; i < c->npanes; i++) {
		pt = pane_timeout(c->panes[i], now);
		if (pt >= 0 && pt < t)
			t = pt;
		if (c->panes[i]->bell_until > now &&
		    c->panes[i]->bell_until - now < t)
			t = c->panes[i]->bell_until - now;
	}
	if (c->message != NULL && c->message_until > now &&
	    c->message_until - now < t)
		t = c->message_until - now;
	if (console_gated(c, &pasting) && t > 100)
		t = 100;
	if (pasting && t > 20)
		t = 20;
	for (i = 0; i < c->npanes; i++) {
		if (c->panes[i]->notice != NULL &&
		    c->panes[i]->notice_until > now &&
		    c->panes[i]->notice_until - now < t)
			t = c->panes[i]->notice_until - now;
	}
	if (c->cfg->security.idle_timeout > 0 && console_open_sessions(c) > 0) {
		pt = (int)(c->last_key + c->cfg->security.idle_timeout * 1000LL
		    - now);
		if (pt < t)
			t = pt < 0 ? 0 : pt;
	}
	return ((int)t);
}

/*
 * How long frames are apart: CONSOLE_FRAME_MS normally; while panes pour
 * out more than CONSOLE_FLOOD_BYTES between frames nobody can read the
 * text anyway, so frames slow to CONSOLE_FLOOD_FRAME_MS and the time goes
 * to emulating (tmux does the same under floods).
 */
static int
console_frame_ms(struct console *c)
{
	int64_t	total = 0;
	size_t	i;

	for (i = 0; i < c->npanes; i++)
		total += c->panes[i]->output_bytes;
	if (total < c->drawn_bytes)
		c->drawn_bytes = total;	/* a reconnect reset a pane's count */
	return (total - c->drawn_bytes > CONSOLE_FLOOD_BYTES ?
	    CONSOLE_FLOOD_FRAME_MS : CONSOLE_FRAME_MS);
}

/* Is there something to draw? */
static bool
console_dirty(struct console *c)
{
	size_t	i;
	int	a, b;

	if (c->redraw)
		return (true);
	for (i = 0; i < c->npanes; i++) {
		if (c->panes[i]->dirty_title || vt_dirty(c->panes[i]->vt, &a, &b))
			return (true);
	}
	return (false);
}

/* The loop. */
static void
console_loop(struct console *c)
{
	struct pollfd	*pfd = NULL;
	int		*owner = NULL;
	size_t		 npfd, cap = 0, i, j;
	int64_t		 now, last_second = 0;
	short		 ev;
	int		 fd, timeout;
	bool		 dirty;

	while (!c->quit) {
		now = mono_ms();
		dirty = console_dirty(c);
		if (dirty && now - c->last_draw >= console_frame_ms(c)) {
			ui_draw(c);
			c->last_draw = now;
			for (i = 0, c->drawn_bytes = 0; i < c->npanes; i++)
				c->drawn_bytes += c->panes[i]->output_bytes;
			dirty = false;
		}
		if (cap < c->npanes + 2) {
			cap = c->npanes + 8;
			pfd = xreallocarray(pfd, cap, sizeof *pfd);
			owner = xreallocarray(owner, cap, sizeof *owner);
		}
		npfd = 0;
		pfd[npfd].fd = STDIN_FILENO;
		pfd[npfd].events = POLLIN;
		owner[npfd++] = -1;
		pfd[npfd].fd = c->sig_pipe[0];
		pfd[npfd].events = POLLIN;
		owner[npfd++] = -2;
		for (i = 0; i < c->npanes; i++) {
			if ((fd = pane_fd(c->panes[i], &ev)) == -1)
				continue;
			pfd[npfd].fd = fd;
			pfd[npfd].events = ev;
			owner[npfd++] = (int)i;
		}
		timeout = console_timeout(c, now, dirty);
		for (i = 0; i < npfd; i++)
			pfd[i].revents = 0;
		if (poll(pfd, npfd, timeout) == -1 && errno != EINTR)
			break;
		now = mono_ms();
		if (pfd[1].revents & POLLIN)
			console_signals(c);
		if (pfd[0].revents & (POLLIN|POLLHUP|POLLERR))
			console_read_keys(c);
		if (pfd[0].revents & (POLLHUP|POLLERR|POLLNVAL))
			c->quit = true;
		/* Every pane runs each pass: timeouts and buffered data too. */
		for (i = 0; i < c->npanes; i++) {
			ev = 0;
			for (j = 2; j < npfd; j++) {
				if (owner[j] == (int)i)
					ev = pfd[j].revents;
			}
			pane_process(c->panes[i], ev, now);
			pane_paste_tick(c->panes[i], now);
		}
		console_gate_tick(c, now);
		console_idle_check(c, now);
		if (now / 1000 != last_second) {
			last_second = now / 1000;
			c->redraw = true;	/* the clock, expired messages */
			console_queue_tick(c);
		}
	}
	free(pfd);
	free(owner);
}

/* Install the signal handlers that feed the self-pipe. */
static int
console_signals_init(struct console *c)
{
	struct sigaction	sa;
	int			i;

	if (pipe(c->sig_pipe) != 0)
		return (-1);
	for (i = 0; i < 2; i++) {
		fcntl(c->sig_pipe[i], F_SETFL,
		    fcntl(c->sig_pipe[i], F_GETFL) | O_NONBLOCK);
		fcntl(c->sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	console_sig_fd = c->sig_pipe[1];
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = console_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);	/* C-c is a key for the remote */
	return (0);
}

static bool
console_visible(const struct server *s, void *arg)
{
	struct console	*c = arg;

	return (policy_server_visible(c->cfg, c->me, s));
}

void
console_free(struct console *c)
{
	size_t	i;

	for (i = 0; i < c->npanes; i++)
		pane_free(c->panes[i]);
	free(c->panes);
	sidebar_free(c->sidebar);
	layout_free(c->layout);
	keymap_free(c->keys);
	ui_theme_free(c);
	audit_close(c->audit);
	ident_free(c->me);
	cfg_free(c->cfg);
	free(c->message);
	free(c->confirm_text);
	sbuf_free(&c->prompt);
	queue_clear(&c->queue);
	if (c->sig_pipe[0] > 0) {
		close(c->sig_pipe[0]);
		close(c->sig_pipe[1]);
	}
	console_sig_fd = -1;
	free(c);
}

/*
 * Run the console on cfg (taken over) with servers to open at once.
 * Returns the exit status.
 */
int
console_run_main(struct omv_config *cfg, char **names, int nnames)
{
	struct console		*c;
	struct audit_event	 ev;
	const struct server	*s;
	char			*cause = NULL, *why = NULL, *detail;
	int			 i, x, y, sx, sy, status;

	c = xcalloc(1, sizeof *c);
	c->cfg = cfg;
	c->me = ident_current();
	c->sig_pipe[0] = c->sig_pipe[1] = -1;
	sbuf_init(&c->prompt);
	queue_init(&c->queue);
	c->active = 0;
	c->next_id = 1;

	/* Everything that can fail, before the screen is taken. */
	for (i = 0; i < nnames; i++) {
		if ((s = cfg_find_server(cfg, names[i])) == NULL) {
			fprintf(stderr, "omv: no server named '%s'\n", names[i]);
			console_free(c);
			return (2);
		}
	}
	c->keys = keymap_create(cfg->ui.keys, cfg->ui.nkeys, &cause);
	if (c->keys == NULL) {
		fprintf(stderr, "omv: %s: ui.keys: %s\n",
		    cfg->path != NULL ? cfg->path : "config", cause);
		free(cause);
		console_free(c);
		return (2);
	}
	if (cfg->ui.prefix != NULL &&
	    keymap_set_prefix(c->keys, cfg->ui.prefix, &cause) != 0) {
		fprintf(stderr, "omv: ui.prefix: %s\n", cause);
		free(cause);
		console_free(c);
		return (2);
	}
	if (ui_theme_load(c, &cause) != 0) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		console_free(c);
		return (2);
	}
	c->audit = audit_open(cfg->audit.db, cfg->audit.group, &cause);
	if (c->audit == NULL) {
		fprintf(stderr, "omv: %s\nomv: refusing to start without an "
		    "audit trail\n", cause);
		free(cause);
		console_free(c);
		return (1);
	}
	audit_set_identity(c->audit, c->me->login, c->me->host, c->me->client);
	if (client_check(cfg, getenv("SSH_CONNECTION"), &why) != 0) {
		memset(&ev, 0, sizeof ev);
		ev.action = "console";
		ev.decision = "deny";
		ev.result = "client refused";
		detail = xprintf("{\"reason\": \"%s\"}", "client address "
		    "not in security.allowed_clients");
		ev.detail = detail;
		if (console_audit(c, &ev, &cause) != 0) {
			fprintf(stderr, "omv: %s\n", cause);
			free(cause);
		}
		free(detail);
		fprintf(stderr, "omv: refused: %s\n", why);
		free(why);
		console_free(c);
		return (1);
	}
	memset(&ev, 0, sizeof ev);
	ev.action = "console";
	ev.result = "start";
	if (console_audit(c, &ev, &cause) != 0) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		console_free(c);
		return (1);
	}
	if (console_signals_init(c) != 0) {
		fprintf(stderr, "omv: pipe: %s\n", strerror(errno));
		console_free(c);
		return (1);
	}
	c->sidebar = sidebar_create(cfg, console_visible, c);
	if (queue_refresh(c, true, &cause) < 0) {
		fprintf(stderr, "omv: approvals: %s\n", cause);
		free(cause);
		console_free(c);
		return (1);
	}
	c->sidebar_width = cfg->ui.sidebar_width;

	if (ui_start(c, &cause) != 0) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		console_free(c);
		return (1);
	}
	console_pane_area(c, &x, &y, &sx, &sy);
	c->layout = layout_create(0, x, y, sx, sy);
	console_new_pane(c, 0);
	console_resize(c);
	c->last_key = mono_ms();
	if (nnames == 0)
		c->focus = FOCUS_SIDEBAR;
	for (i = 0; i < nnames; i++)
		console_open_server(c, cfg_find_server(cfg, names[i]));
	if (nnames > 1) {
		layout_even(c->layout);
		console_apply_layout(c);
	}

	console_loop(c);

	ui_end(c);
	memset(&ev, 0, sizeof ev);
	ev.action = "console";
	ev.result = "exit";
	if (console_audit(c, &ev, &cause) != 0) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
	}
	status = c->exit_status;
	c->cfg = cfg;
	console_free(c);
	return (status);
}
