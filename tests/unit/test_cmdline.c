/*
 * test_cmdline.c: the command-line tracker, fed real sessions.  The
 * fixtures under tests/data/cmdline/ are bash and zsh sessions recorded in
 * a pseudo-terminal by tests/helpers/cmdline-record.c (tab completion and
 * its listings, history, Ctrl-R, editing keys, wrapped lines, PS2
 * continuations, pastes, password prompts, less), with and without the
 * OSC 133 marks of omv shell-integration.  Each is replayed through a
 * struct vt and a tracker: at every Enter the tracker's command must be the
 * one the fixture names, at every paste the commands that run at once, and
 * with marks every exit status must arrive.  Replays are repeated with the
 * output cut at random points and with all output between two keys in one
 * write: the answers must not change.  Table-driven cases (key classes,
 * prompts, unfinished commands) live in data files next to the fixtures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/wait.h>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "omv.h"
#include "vt.h"

#define NO_STATUS	INT_MIN

/* One expected command: text (NULL for "-": nothing gated) and status. */
struct fx_expect {
	char	*text;
	int	 status;
};

/* One fixture line: output from the shell, a key or a paste. */
struct fx_event {
	char		 dir;		/* '<' output, '>' key or paste */
	bool		 paste;
	int64_t		 ms;
	char		*data;		/* owned */
	size_t		 len;
	struct fx_expect *expect;	/* owned */
	size_t		 nexpect;
	bool		 has_expect;
	int		 line;
};

struct fixture {
	char		*name;
	int		 cols, rows;
	struct fx_event	*ev;
	size_t		 nev;
};

/* What a replay saw. */
struct fx_run {
	struct vt	*vt;
	struct cmdline	*cl;
	int		 checks;
	int		 failures;
	int		 want_status[1024];	/* by seq; NO_STATUS when none */
	bool		 got_status[1024];
	int		 oscs;
};

static uint64_t	prng_state;

/* xorshift64*: seeded and repeatable. */
static uint64_t
prng(void)
{
	prng_state ^= prng_state >> 12;
	prng_state ^= prng_state << 25;
	prng_state ^= prng_state >> 27;
	return (prng_state * 2685821657736338717ULL);
}

/* The data directory. */
static const char *
data_dir(void)
{
	const char	*d = getenv("OMV_TEST_DATA");

	return (d != NULL ? d : "tests/data");
}

/* Read a C-escaped "..." string (\n \r \t \e \\ \" \xNN); NULL if malformed. */
static char *
unquote(const char *s, const char **end)
{
	struct sbuf	sb;
	unsigned int	v;

	if (*s != '"')
		return (NULL);
	sbuf_init(&sb);
	sbuf_add(&sb, "", 0);
	for (s++; *s != '"'; s++) {
		if (*s == '\0') {
			sbuf_free(&sb);
			return (NULL);
		}
		if (*s != '\\') {
			sbuf_addc(&sb, *s);
			continue;
		}
		switch (*++s) {
		case 'n': sbuf_addc(&sb, '\n'); break;
		case 'r': sbuf_addc(&sb, '\r'); break;
		case 't': sbuf_addc(&sb, '\t'); break;
		case 'e': sbuf_addc(&sb, '\033'); break;
		case 'x':
			if (sscanf(s + 1, "%2x", &v) != 1) {
				sbuf_free(&sb);
				return (NULL);
			}
			sbuf_addc(&sb, (char)v);
			s += 2;
			break;
		case '\0':
			sbuf_free(&sb);
			return (NULL);
		default:
			sbuf_addc(&sb, *s);
			break;
		}
	}
	if (end != NULL)
		*end = s + 1;
	return (sbuf_steal(&sb));
}

/* Hex digits into bytes. */
static char *
unhex(const char *s, size_t *len)
{
	size_t		n = strlen(s) / 2, i;
	char		*out = xmalloc(n + 1);
	unsigned int	v;

	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			fail_msg("bad hex");
		out[i] = (char)v;
	}
	out[n] = '\0';
	*len = n;
	return (out);
}

/* Load a fixture file. */
static struct fixture *
fixture_load(const char *path)
{
	struct fixture	*fx;
	struct fx_event	*e;
	struct fx_expect *x;
	FILE		*f;
	char		*line = NULL, dir, kind[16], *hex;
	const char	*rest = "";
	size_t		 cap = 0;
	ssize_t		 n;
	double		 t;
	int		 lineno = 0, off;

	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open", path);
	fx = xcalloc(1, sizeof *fx);
	fx->name = xstrdup(strrchr(path, '/') != NULL ? strrchr(path, '/') + 1 : path);
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (strncmp(line, "size ", 5) == 0) {
			if (sscanf(line + 5, "%d %d", &fx->cols, &fx->rows) != 2)
				fail_msg("%s:%d: bad size", path, lineno);
			continue;
		}
		if (line[0] == '=') {
			if (fx->nev == 0)
				fail_msg("%s:%d: = before any key", path, lineno);
			e = &fx->ev[fx->nev - 1];
			e->has_expect = true;
			if (strcmp(line, "= none") == 0)
				continue;
			e->expect = xreallocarray(e->expect, e->nexpect + 1,
			    sizeof *e->expect);
			x = &e->expect[e->nexpect++];
			x->text = NULL;
			x->status = NO_STATUS;
			if (strcmp(line, "= -") == 0)
				continue;
			if ((x->text = unquote(line + 2, &rest)) == NULL)
				fail_msg("%s:%d: bad string", path, lineno);
			if (sscanf(rest, " status %d", &x->status) != 1)
				x->status = NO_STATUS;
			continue;
		}
		if (sscanf(line, "%c %lf %15s %n", &dir, &t, kind, &off) != 3 ||
		    (dir != '<' && dir != '>'))
			fail_msg("%s:%d: bad line", path, lineno);
		fx->ev = xreallocarray(fx->ev, fx->nev + 1, sizeof *fx->ev);
		e = &fx->ev[fx->nev++];
		memset(e, 0, sizeof *e);
		e->dir = dir;
		e->paste = strcmp(kind, "PASTE") == 0;
		e->ms = (int64_t)(t * 1000.0);
		hex = line + off;
		e->data = unhex(hex, &e->len);
		e->line = lineno;
	}
	free(line);
	fclose(f);
	if (fx->cols <= 0 || fx->rows <= 0 || fx->nev == 0)
		fail_msg("%s: no size or no events", path);
	return (fx);
}

/* Free a fixture. */
static void
fixture_free(struct fixture *fx)
{
	size_t	i, j;

	for (i = 0; i < fx->nev; i++) {
		for (j = 0; j < fx->ev[i].nexpect; j++)
			free(fx->ev[i].expect[j].text);
		free(fx->ev[i].expect);
		free(fx->ev[i].data);
	}
	free(fx->ev);
	free(fx->name);
	free(fx);
}

/* ---- Replaying a fixture. ---- */

/* The vt's OSC callback: semantic prompt marks go to the tracker. */
static void
run_osc(int num, const char *payload, size_t len, void *arg)
{
	struct fx_run	*run = arg;

	if (num != 133)
		return;
	run->oscs++;
	if (getenv("CMDLINE_TRACE") != NULL)
		fprintf(stderr, "    osc 133;%.*s\n", (int)len, payload);
	cmdline_osc133(run->cl, payload, len);
}

/* Print the screen, to see why a check failed. */
static void
dump_screen(struct vt *vt, struct cmdline *cl)
{
	char	*t;
	int	 r, row, col;
	bool	 visible;

	vt_cursor(vt, &row, &col, &visible);
	for (r = 0; r < vt_rows(vt); r++) {
		t = vt_row_text(vt, r, 0, vt_cols(vt));
		fprintf(stderr, "  %2d%c|%s\n", r, vt_row_wrapped(vt, r) ? '+' : ' ', t);
		free(t);
	}
	t = cmdline_prompt_text(cl);
	fprintf(stderr, "  cursor %d,%d alt %d source %d prompt \"%s\" reason %s\n",
	    row, col, vt_altscreen(vt), cmdline_source(cl), t != NULL ? t : "(none)",
	    cmdline_inactive_reason(cl) != NULL ? cmdline_inactive_reason(cl) : "-");
	free(t);
}

/* Compare one answer with the fixture's. */
static void
run_check(struct fx_run *run, const struct fixture *fx, const struct fx_event *e,
    const char *what, const char *want, const char *got)
{
	run->checks++;
	if ((want == NULL && got == NULL) ||
	    (want != NULL && got != NULL && strcmp(want, got) == 0))
		return;
	run->failures++;
	fprintf(stderr, "%s:%d: %s: want \"%s\", got \"%s\"\n", fx->name,
	    e->line, what, want != NULL ? want : "(nothing)",
	    got != NULL ? got : "(nothing)");
	dump_screen(run->vt, run->cl);
}

/* Take the exit statuses of ended commands. */
static void
run_finished(struct fx_run *run, const struct fixture *fx)
{
	uint64_t	seq;
	int		status;

	while (cmdline_finished(run->cl, &seq, &status)) {
		if (seq == 0 || seq >= 1024)
			continue;
		if (run->want_status[seq] != NO_STATUS) {
			run->checks++;
			if (status != run->want_status[seq]) {
				run->failures++;
				fprintf(stderr, "%s: command %llu: status %d, want %d\n",
				    fx->name, (unsigned long long)seq, status,
				    run->want_status[seq]);
			}
		}
		run->got_status[seq] = true;
	}
}

/* Feed output, whole or cut at random points. */
static void
run_output(struct fx_run *run, const struct fixture *fx, const char *buf,
    size_t len, int64_t ms, bool cut)
{
	size_t	n;

	while (len > 0) {
		n = cut ? 1 + (size_t)(prng() % (len < 48 ? len : 48)) : len;
		vt_write(run->vt, buf, n);
		cmdline_output(run->cl, ms);
		run_finished(run, fx);
		buf += n;
		len -= n;
	}
}

/* A paste: the commands that run at once, then the paste and their Enters. */
static void
run_paste(struct fx_run *run, const struct fixture *fx, const struct fx_event *e)
{
	char		**cmds;
	size_t		  n, k;
	uint64_t	  seq;

	cmds = cmdline_paste_split(run->cl, e->data, e->len, &n);
	run->checks++;
	if (n != e->nexpect) {
		run->failures++;
		fprintf(stderr, "%s:%d: paste runs %zu commands, want %zu\n",
		    fx->name, e->line, n, e->nexpect);
	}
	for (k = 0; k < n && k < e->nexpect; k++)
		run_check(run, fx, e, "paste", e->expect[k].text, cmds[k]);
	cmdline_key(run->cl, CMDLINE_KEY_PASTE, e->ms);
	for (k = 0; k < n; k++) {
		seq = cmdline_submit(run->cl, e->ms);
		if (seq > 0 && seq < 1024 && k < e->nexpect)
			run->want_status[seq] = e->expect[k].status;
		free(cmds[k]);
	}
	free(cmds);
}

/* An Enter: the command on screen must be the fixture's. */
static void
run_enter(struct fx_run *run, const struct fixture *fx, const struct fx_event *e)
{
	char		*got;
	uint64_t	 seq;
	int64_t		 ms;
	int		 wait;

	if (!e->has_expect || e->nexpect != 1) {
		run->failures++;
		fprintf(stderr, "%s:%d: an Enter needs one expectation\n",
		    fx->name, e->line);
		return;
	}
	/* The console holds the Enter until the screen has answered the last key. */
	ms = e->ms;
	while ((wait = cmdline_settle_ms(run->cl, ms)) > 0)
		ms += wait;
	got = cmdline_current(run->cl);
	if (getenv("CMDLINE_SCREENS") != NULL) {
		fprintf(stderr, "%s:%d: \"%s\"\n", fx->name, e->line,
		    got != NULL ? got : "(nothing)");
		dump_screen(run->vt, run->cl);
	}
	run_check(run, fx, e, "enter", e->expect[0].text, got);
	free(got);
	seq = cmdline_submit(run->cl, ms);
	if (getenv("CMDLINE_TRACE") != NULL)
		fprintf(stderr, "%s:%d: enter: command %llu \"%s\"\n", fx->name,
		    e->line, (unsigned long long)seq, e->expect[0].text != NULL ?
		    e->expect[0].text : "-");
	if (seq > 0 && seq < 1024)
		run->want_status[seq] = e->expect[0].status;
}

/*
 * Replay a fixture: output as recorded (mode 0), cut at random points
 * (1), or everything between two keys in one write (2).  Returns the
 * failures; *checks gets the checks made.
 */
static int
replay(const struct fixture *fx, int mode, int *checks)
{
	struct fx_run		*run;
	struct vt_callbacks	 cb;
	struct sbuf		 sb;
	const struct fx_event	*e;
	size_t			 i;
	int			 failures, s;

	run = xcalloc(1, sizeof *run);
	for (s = 0; s < 1024; s++)
		run->want_status[s] = NO_STATUS;
	run->vt = vt_create(fx->rows, fx->cols, 1000);
	run->cl = cmdline_create(run->vt);
	memset(&cb, 0, sizeof cb);
	cb.osc = run_osc;
	cb.arg = run;
	vt_set_callbacks(run->vt, &cb);
	for (i = 0; i < fx->nev; i++) {
		e = &fx->ev[i];
		if (e->dir == '<' && mode == 2) {
			sbuf_init(&sb);
			for (; i < fx->nev && fx->ev[i].dir == '<'; i++)
				sbuf_add(&sb, fx->ev[i].data, fx->ev[i].len);
			i--;
			run_output(run, fx, sb.buf, sb.len, fx->ev[i].ms, false);
			sbuf_free(&sb);
		} else if (e->dir == '<')
			run_output(run, fx, e->data, e->len, e->ms, mode == 1);
		else if (e->paste)
			run_paste(run, fx, e);
		else {
			cmdline_key(run->cl, cmdline_key_class(e->data, e->len),
			    e->ms);
			if (cmdline_key_class(e->data, e->len) == CMDLINE_KEY_ENTER)
				run_enter(run, fx, e);
		}
	}
	if (cmdline_marks(run->cl)) {
		for (s = 1; s < 1024; s++) {
			if (run->want_status[s] == NO_STATUS || run->got_status[s])
				continue;
			run->failures++;
			fprintf(stderr, "%s: command %d: no exit status arrived\n",
			    fx->name, s);
		}
	}
	cmdline_free(run->cl);
	vt_free(run->vt);
	*checks = run->checks;
	failures = run->failures;
	free(run);
	return (failures);
}

/* The fixture files, sorted; fails when the bash ones are missing. */
static char **
fixture_names(size_t *n)
{
	char		 path[512], **v = NULL;
	struct dirent	*de;
	DIR		*d;
	size_t		 len, i, j;
	char		*tmp;

	snprintf(path, sizeof path, "%s/cmdline", data_dir());
	if ((d = opendir(path)) == NULL)
		fail_msg("%s: cannot open", path);
	*n = 0;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".rec") != 0)
			continue;
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = xprintf("%s/%s", path, de->d_name);
	}
	closedir(d);
	for (i = 0; i < *n; i++) {
		for (j = i + 1; j < *n; j++) {
			if (strcmp(v[i], v[j]) > 0) {
				tmp = v[i];
				v[i] = v[j];
				v[j] = tmp;
			}
		}
	}
	return (v);
}

/* Replay every fixture in one mode (with seeds for the cut mode). */
static void
fixtures_mode(int mode)
{
	struct fixture	*fx;
	char		**names;
	size_t		  n, i;
	int		  checks, failures = 0, seeds, s, zsh = 0, bash = 0;

	names = fixture_names(&n);
	for (i = 0; i < n; i++) {
		fx = fixture_load(names[i]);
		seeds = mode == 1 ? 4 : 1;
		for (s = 0; s < seeds; s++) {
			prng_state = 0x9e3779b97f4a7c15ULL * (uint64_t)(s + 1);
			failures += replay(fx, mode, &checks);
		}
		printf("    %s: %d checks\n", fx->name, checks);
		if (strncmp(fx->name, "zsh", 3) == 0)
			zsh++;
		if (strncmp(fx->name, "bash", 4) == 0)
			bash++;
		fixture_free(fx);
		free(names[i]);
	}
	free(names);
	if (bash < 2)
		fail_msg("the bash fixtures are missing");
	if (zsh == 0)
		printf("    SKIP zsh fixtures: none recorded (zsh not installed when "
		    "tests/data/cmdline/record.sh ran)\n");
	assert_int_equal(failures, 0);
}

/* Every fixture, output written as it was read from the pty. */
static void
test_fixtures_recorded(void **state)
{
	(void)state;
	fixtures_mode(0);
}

/* Every fixture, output cut at random points. */
static void
test_fixtures_cut(void **state)
{
	(void)state;
	fixtures_mode(1);
}

/* Every fixture, all output between two keys in one write. */
static void
test_fixtures_coalesced(void **state)
{
	(void)state;
	fixtures_mode(2);
}

/* ---- A scripted shell for the cases no recording shows well. ---- */

struct t {
	struct vt	*vt;
	struct cmdline	*cl;
	int64_t		 now;
	int		 marks_b;	/* B marks delivered */
	char		 last_osc[128];
	int		 oscs;
};

/* The vt's OSC callback for the scripted shell. */
static void
t_osc(int num, const char *payload, size_t len, void *arg)
{
	struct t	*t = arg;

	if (num != 133)
		return;
	t->oscs++;
	snprintf(t->last_osc, sizeof t->last_osc, "%.*s", (int)len, payload);
	if (len == 1 && payload[0] == 'B')
		t->marks_b++;
	cmdline_osc133(t->cl, payload, len);
}

/* A tracker on a fresh vt of this size. */
static struct t *
t_new(int cols, int rows)
{
	struct t		*t = xcalloc(1, sizeof *t);
	struct vt_callbacks	 cb;

	t->vt = vt_create(rows, cols, 1000);
	t->cl = cmdline_create(t->vt);
	t->now = 1000;
	memset(&cb, 0, sizeof cb);
	cb.osc = t_osc;
	cb.arg = t;
	vt_set_callbacks(t->vt, &cb);
	return (t);
}

/* Free the scripted shell. */
static void
t_free(struct t *t)
{
	cmdline_free(t->cl);
	vt_free(t->vt);
	free(t);
}

/* The remote writes s. */
static void
t_out(struct t *t, const char *s)
{
	t->now += 2;
	vt_write(t->vt, s, strlen(s));
	cmdline_output(t->cl, t->now);
}

/* The operator presses a key (its bytes). */
static void
t_key(struct t *t, const char *bytes)
{
	t->now += 50;
	cmdline_key(t->cl, cmdline_key_class(bytes, strlen(bytes)), t->now);
}

/* Type text that the shell echoes. */
static void
t_type(struct t *t, const char *s)
{
	char	c[2] = { 0, 0 };

	for (; *s != '\0'; s++) {
		c[0] = *s;
		t_key(t, c);
		t_out(t, c);
	}
}

/* The current command equals want (NULL: none). */
static void
t_expect(struct t *t, const char *want)
{
	char	*got = cmdline_current(t->cl);

	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(want, got) != 0) {
		dump_screen(t->vt, t->cl);
		fail_msg("want \"%s\", got \"%s\"", want != NULL ? want : "(nothing)",
		    got != NULL ? got : "(nothing)");
	}
	free(got);
}

/* Enter: check the command, then send it. */
static uint64_t
t_enter(struct t *t, const char *want)
{
	t_key(t, "\r");
	t_expect(t, want);
	return (cmdline_submit(t->cl, t->now));
}

/* Open a data file; lines are handed to fn with their number. */
static void
data_lines(const char *name, void (*fn)(char *, int, int *), int *count)
{
	char	 path[512], *line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;
	int	 lineno = 0;
	FILE	*f;

	snprintf(path, sizeof path, "%s/cmdline/%s", data_dir(), name);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open", path);
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		fn(line, lineno, count);
	}
	free(line);
	fclose(f);
}

/* keys.txt: HEX CLASS [comment]. */
static void
key_case(char *line, int lineno, int *count)
{
	char		 hex[128], name[32], *bytes;
	size_t		 len;
	enum cmdline_key k;

	if (sscanf(line, "%127s %31s", hex, name) != 2)
		fail_msg("keys.txt:%d: bad line", lineno);
	bytes = unhex(hex, &len);
	k = cmdline_key_class(bytes, len);
	if (strcmp(cmdline_key_name(k), name) != 0)
		fail_msg("keys.txt:%d: %s is %s, want %s", lineno, hex,
		    cmdline_key_name(k), name);
	free(bytes);
	(*count)++;
}

/* Key classes, from a table of the bytes real keys send. */
static void
test_key_classes(void **state)
{
	int	count = 0, k;

	(void)state;
	data_lines("keys.txt", key_case, &count);
	assert_true(count >= 40);
	for (k = 0; k < CMDLINE_KEY_COUNT; k++)
		assert_string_not_equal(cmdline_key_name((enum cmdline_key)k), "?");
	assert_string_equal(cmdline_key_name((enum cmdline_key)99), "?");
	assert_int_equal(cmdline_key_class("", 0), CMDLINE_KEY_OTHER);
}

/* incomplete.txt: yes|no "text". */
static void
incomplete_case(char *line, int lineno, int *count)
{
	char	*text, *q = strchr(line, '"');
	bool	 want = strncmp(line, "yes", 3) == 0;

	if (q == NULL || (text = unquote(q, NULL)) == NULL)
		fail_msg("incomplete.txt:%d: bad line", lineno);
	if (cmdline_incomplete(text) != want)
		fail_msg("incomplete.txt:%d: \"%s\" should be %s", lineno, text,
		    want ? "unfinished" : "complete");
	free(text);
	(*count)++;
}

/* Unfinished commands: what makes the shell show PS2. */
static void
test_incomplete(void **state)
{
	int	count = 0;

	(void)state;
	data_lines("incomplete.txt", incomplete_case, &count);
	assert_true(count >= 25);
}

/*
 * prompts.txt: active|inactive "prompt".  A command runs and prints the
 * prompt; one character typed is not echoed; Enter follows at once.
 */
static void
prompt_case(char *line, int lineno, int *count)
{
	struct t	*t = t_new(80, 24);
	char		*prompt, *q = strchr(line, '"');
	bool		 want = strncmp(line, "active", 6) == 0;

	if (q == NULL || (prompt = unquote(q, NULL)) == NULL)
		fail_msg("prompts.txt:%d: bad line", lineno);
	t_out(t, "$ ");
	t_type(t, "sudo -k true");
	t_enter(t, "sudo -k true");
	t_out(t, "\r\n");
	t_out(t, prompt);
	t_key(t, "x");
	t_key(t, "\r");
	if (cmdline_active(t->cl) != want) {
		dump_screen(t->vt, t->cl);
		fail_msg("prompts.txt:%d: \"%s\" should be %s", lineno, prompt,
		    want ? "active" : "inactive");
	}
	if (!want) {
		assert_null(cmdline_current(t->cl));
		assert_string_equal(cmdline_inactive_reason(t->cl),
		    "password prompt");
		assert_int_equal(cmdline_submit(t->cl, t->now), 0);
	}
	free(prompt);
	t_free(t);
	(*count)++;
}

/* Secret prompts make the tracker inactive; shell prompts never do. */
static void
test_prompts(void **state)
{
	int	count = 0;

	(void)state;
	data_lines("prompts.txt", prompt_case, &count);
	assert_true(count >= 20);
}

/* An OSC 133 split across two writes reaches the tracker once, whole. */
static void
test_osc_split(void **state)
{
	static const char	 s[] = "\033]133;D;0\a\033]133;A\a$ \033]133;B\033\\";
	struct t		*t;
	size_t			 cut, len = strlen(s);
	char			*p;

	(void)state;
	for (cut = 1; cut < len; cut++) {
		t = t_new(40, 5);
		t->now += 2;
		vt_write(t->vt, s, cut);
		cmdline_output(t->cl, t->now);
		vt_write(t->vt, s + cut, len - cut);
		cmdline_output(t->cl, t->now);
		if (t->oscs != 3 || t->marks_b != 1)
			fail_msg("cut %zu: %d marks, %d B", cut, t->oscs, t->marks_b);
		assert_string_equal(t->last_osc, "B");
		assert_true(cmdline_marks(t->cl));
		assert_int_equal(cmdline_source(t->cl), CMDLINE_SOURCE_MARKS);
		p = cmdline_prompt_text(t->cl);
		assert_string_equal(p, "$ ");
		free(p);
		t_type(t, "ls");
		t_expect(t, "ls");
		t_free(t);
	}
}

/* A D mark's status, split anywhere, arrives once for the command that ran. */
static void
test_osc_status_split(void **state)
{
	static const char	 s[] = "\033]133;C\aout\r\n\033]133;D;127\033\\";
	struct t		*t;
	size_t			 cut, len = strlen(s);
	uint64_t		 seq, got;
	int			 status;

	(void)state;
	for (cut = 1; cut < len; cut++) {
		t = t_new(40, 5);
		t_out(t, "\033]133;A\a$ \033]133;B\a");
		t_type(t, "nosuch");
		seq = t_enter(t, "nosuch");
		assert_true(seq > 0);
		vt_write(t->vt, s, cut);
		cmdline_output(t->cl, t->now);
		vt_write(t->vt, s + cut, len - cut);
		cmdline_output(t->cl, t->now);
		assert_true(cmdline_finished(t->cl, &got, &status));
		assert_int_equal(got, seq);
		assert_int_equal(status, 127);
		assert_false(cmdline_finished(t->cl, &got, &status));
		t_free(t);
	}
}

/* Marks are data from the remote: any bytes, any length. */
static void
test_osc_hostile(void **state)
{
	static const struct { const char *payload; size_t len; int status; } c[] = {
		{ "D;0", 3, 0 },
		{ "D;1;aid=42", 10, 1 },
		{ "D", 1, -1 },
		{ "D;", 2, -1 },
		{ "D;abc", 5, -1 },
		{ "D;12x", 5, -1 },
		{ "D;9999999999999", 15, -1 },
		{ "D;-2", 4, -2 },
		{ "D;\0" "5", 4, -1 },
	};
	struct t	*t;
	uint64_t	 seq, got;
	int		 status;
	size_t		 i;
	char		 big[400], *huge;

	(void)state;
	for (i = 0; i < sizeof c / sizeof c[0]; i++) {
		t = t_new(40, 5);
		t_out(t, "\033]133;A\a$ \033]133;B\a");
		t_type(t, "x");
		seq = t_enter(t, "x");
		cmdline_osc133(t->cl, "C", 1);
		cmdline_osc133(t->cl, c[i].payload, c[i].len);
		assert_true(cmdline_finished(t->cl, &got, &status));
		assert_int_equal(got, seq);
		if (status != c[i].status)
			fail_msg("case %zu: status %d, want %d", i, status, c[i].status);
		t_free(t);
	}

	/* Junk is ignored and changes nothing. */
	t = t_new(40, 5);
	cmdline_osc133(t->cl, NULL, 3);
	cmdline_osc133(t->cl, "", 0);
	cmdline_osc133(t->cl, "Bogus", 5);
	cmdline_osc133(t->cl, "Z;1", 3);
	memset(big, 'A', sizeof big);
	big[1] = ';';
	cmdline_osc133(t->cl, big, sizeof big);
	assert_false(cmdline_marks(t->cl));
	assert_int_equal(cmdline_source(t->cl), CMDLINE_SOURCE_NONE);
	assert_false(cmdline_finished(t->cl, &got, &status));

	/* An OSC longer than the terminal keeps is dropped whole; the next works. */
	huge = xmalloc(VT_STRING_MAX + 64);
	memcpy(huge, "\033]133;B;", 8);
	memset(huge + 8, 'x', VT_STRING_MAX + 50);
	vt_write(t->vt, huge, VT_STRING_MAX + 58);
	vt_write(t->vt, "\a$ ", 3);
	free(huge);
	assert_int_equal(t->oscs, 0);
	t_out(t, "\033]133;B\a");
	assert_int_equal(t->oscs, 1);
	t_type(t, "ok");
	t_expect(t, "ok");
	t_free(t);
}

/* No echo and no secret wording: inactive once the echo wait has passed. */
static void
test_noecho(void **state)
{
	struct t	*t = t_new(80, 24);
	int		 wait;

	(void)state;
	t_out(t, "$ ");
	t_type(t, "read -s c");
	t_enter(t, "read -s c");
	t_out(t, "\r\ncode> ");
	t_key(t, "1");
	t_key(t, "2");
	t_key(t, "\r");
	/* 100 ms after the first key: too early to tell; the Enter waits. */
	assert_true(cmdline_active(t->cl));
	wait = cmdline_settle_ms(t->cl, t->now);
	assert_true(wait > 0 && wait <= 250);
	assert_int_equal(cmdline_settle_ms(t->cl, t->now + wait), 0);
	assert_false(cmdline_active(t->cl));
	assert_string_equal(cmdline_inactive_reason(t->cl), "echo off");
	assert_null(cmdline_current(t->cl));
	assert_int_equal(cmdline_submit(t->cl, t->now + wait), 0);

	/* The same prompt with echo: active, and the echo time is learnt. */
	t_out(t, "\r\n$ ");
	t_type(t, "read c");
	t_enter(t, "read c");
	t_out(t, "\r\ncode> ");
	t_type(t, "12");
	t->now += 5000;
	t_key(t, "\r");
	assert_true(cmdline_active(t->cl));
	t_expect(t, "12");
	t_free(t);
}

/* The alternate screen: nothing typed there is a command. */
static void
test_altscreen(void **state)
{
	struct t	*t = t_new(80, 24);

	(void)state;
	t_out(t, "$ ");
	t_type(t, "vim notes");
	t_enter(t, "vim notes");
	t_out(t, "\r\n\033[?1049h\033[H\033[2J~\r\n~\r\n\"notes\" [New]");
	t_key(t, ":");
	t_out(t, ":");
	t_key(t, "q");
	t_out(t, "q");
	t_key(t, "\r");
	assert_false(cmdline_active(t->cl));
	assert_string_equal(cmdline_inactive_reason(t->cl), "alternate screen");
	assert_null(cmdline_current(t->cl));
	assert_int_equal(cmdline_submit(t->cl, t->now), 0);
	/* A mark sent from the alternate screen is not a prompt. */
	cmdline_osc133(t->cl, "B", 1);
	assert_false(cmdline_marks(t->cl));
	t_out(t, "\033[?1049l\r\n$ ");
	assert_true(cmdline_active(t->cl));
	t_type(t, "ls");
	t_enter(t, "ls");
	t_free(t);
}

/* Ctrl-C at a continuation prompt drops the unfinished command. */
static void
test_interrupt(void **state)
{
	struct t	*t = t_new(80, 24);

	(void)state;
	t_out(t, "$ ");
	t_type(t, "echo \"a");
	t_enter(t, "echo \"a");
	t_out(t, "\r\n> ");
	t_type(t, "b");
	assert_true(cmdline_continued(t->cl));
	t_expect(t, "echo \"a\nb");
	t_key(t, "\003");
	t_out(t, "^C\r\n$ ");
	t_type(t, "ls");
	assert_false(cmdline_continued(t->cl));
	t_enter(t, "ls");
	t_free(t);
}

/* A wrapped line: one command, and its cells on two rows. */
static void
test_wrap_spans(void **state)
{
	struct t		*t = t_new(20, 6);
	struct cmdline_span	 sp[8];
	size_t			 n;

	(void)state;
	t_out(t, "$ ");
	t_type(t, "echo 0123456789 abcdefghijkl");
	t_expect(t, "echo 0123456789 abcdefghijkl");
	n = cmdline_spans(t->cl, sp, 8);
	assert_int_equal(n, 2);
	assert_int_equal(sp[0].row, 0);
	assert_int_equal(sp[0].from, 2);
	assert_int_equal(sp[0].to, 20);
	assert_int_equal(sp[1].row, 1);
	assert_int_equal(sp[1].from, 0);
	assert_int_equal(sp[1].to, 10);
	assert_int_equal(cmdline_spans(t->cl, sp, 1), 1);
	/* A wide character that does not fit at the end of a row wraps whole. */
	t_type(t, "1234567\xe4\xb8\xad");
	t_expect(t, "echo 0123456789 abcdefghijkl1234567\xe4\xb8\xad");
	t_free(t);
}

/* A command longer than the screen: its start is read from the history. */
static void
test_history_anchor(void **state)
{
	struct t		*t = t_new(20, 4);
	struct cmdline_span	 sp[8];
	char			 cmd[200];
	size_t			 n;
	int			 i;

	(void)state;
	for (i = 0; i < 150; i++)
		cmd[i] = (char)('a' + i % 26);
	cmd[150] = '\0';
	t_out(t, "out\r\n$ ");
	t_type(t, cmd);
	assert_true(vt_history_size(t->vt) > 0);
	t_expect(t, cmd);
	n = cmdline_spans(t->cl, sp, 8);
	assert_int_equal(n, 4);	/* only rows on screen */
	assert_int_equal(sp[0].row, 0);
	assert_int_equal(sp[0].from, 0);
	t_free(t);
}

/* Enter right after Tab: hold until the completion has reached the screen. */
static void
test_settle(void **state)
{
	struct t	*t = t_new(80, 24);

	(void)state;
	t_out(t, "$ ");
	t_type(t, "cat depl");
	assert_int_equal(cmdline_settle_ms(t->cl, t->now), 0);
	t_key(t, "\t");
	t_key(t, "\r");
	assert_true(cmdline_settle_ms(t->cl, t->now) > 0);
	t_expect(t, "cat depl");	/* what the screen says so far */
	t_out(t, "oy-notes.txt ");
	assert_int_equal(cmdline_settle_ms(t->cl, t->now), 0);
	t_expect(t, "cat deploy-notes.txt");
	t_free(t);
}

/* A paste of several lines: the commands it runs at once, each gated. */
static void
test_paste_split(void **state)
{
	static const char	 paste[] = "X\nls\n\npwd\r\nfor i in 1\ndo echo $i\n"
				    "done\nrest";
	static const char	*want[] = { "echo aXb", "ls", "pwd",
				    "for i in 1\ndo echo $i\ndone" };
	struct t		*t = t_new(80, 24);
	char			**cmds;
	size_t			  n, i;
	uint64_t		  seq[4], got;
	int			  status;

	(void)state;
	t_out(t, "\033]133;A\a$ \033]133;B\a");
	t_type(t, "echo ab");
	t_key(t, "\033[D");
	t_out(t, "\b");
	cmds = cmdline_paste_split(t->cl, paste, strlen(paste), &n);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		assert_string_equal(cmds[i], want[i]);
		free(cmds[i]);
	}
	free(cmds);
	t_key(t, "\033[200~");
	for (i = 0; i < 4; i++)
		seq[i] = cmdline_submit(t->cl, t->now);

	/* The shell runs them; the blank line is read and runs nothing. */
	t_out(t, "\033]133;C\a\033]133;D;0\a\033]133;A\a$ \033]133;B\a");
	t_out(t, "\033]133;C\a\033]133;D;1\a\033]133;A\a$ \033]133;B\a");
	t_out(t, "\033]133;D;1\a\033]133;A\a$ \033]133;B\a");
	t_out(t, "\033]133;C\a\033]133;D;2\a\033]133;A\a$ \033]133;B\a");
	t_out(t, "\033]133;C\a\033]133;C\a\033]133;D;3\a\033]133;A\a$ \033]133;B\a");
	for (i = 0; i < 4; i++) {
		assert_true(cmdline_finished(t->cl, &got, &status));
		assert_int_equal(got, seq[i]);
		assert_int_equal(status, (int)i);
	}
	assert_false(cmdline_finished(t->cl, &got, &status));
	t_out(t, "rest");
	t_key(t, "\r");
	t_expect(t, "rest");

	/* With bracketed paste on, nothing runs until Enter. */
	t_out(t, "\033[?2004h");
	cmds = cmdline_paste_split(t->cl, paste, strlen(paste), &n);
	assert_null(cmds);
	assert_int_equal(n, 0);
	t_free(t);
}

/* Text left after the prompt by a paste belongs to the next command. */
static void
test_leftover(void **state)
{
	struct t	*t = t_new(80, 24);

	(void)state;
	t_out(t, "$ ");
	t_type(t, "true");
	t_enter(t, "true");
	t_out(t, "\r\n$ ");
	t_key(t, "\033[200~");
	cmdline_submit(t->cl, t->now);	/* "echo p3\necho p4" ran */
	t_out(t, "echo p3\r\np3\r\n$ echo p4");
	t_key(t, "\r");
	t_expect(t, "echo p4");
	t_free(t);
}

/* A multi-line buffer runs whole even with the cursor moved up into it. */
static void
test_multiline_cursor_up(void **state)
{
	struct t	*t = t_new(40, 6);

	(void)state;
	t_out(t, "$ ");
	t_out(t, "\033[?2004h");
	t_key(t, "\033[200~");
	t_out(t, "echo p1\r\necho p2");
	t_key(t, "\033[D");
	t_out(t, "\b");
	t_expect(t, "echo p1\necho p2");
	t_key(t, "\033[D");
	t_out(t, "\033[A\r\033[9C");	/* up into the first line */
	t_key(t, "\r");
	t_expect(t, "echo p1\necho p2");
	t_free(t);
}

/* A prompt that says "Password:" but echoes is gated: its echo decides. */
static void
test_echoing_secret_prompt(void **state)
{
	struct t	*t = t_new(80, 24);

	(void)state;
	t_out(t, "$ ");
	t_type(t, "./setup.sh");
	t_enter(t, "./setup.sh");
	t_out(t, "\r\nPassword: ");
	t_type(t, "rm -rf /tmp/x");
	t_key(t, "\r");
	assert_true(cmdline_active(t->cl));
	t_expect(t, "rm -rf /tmp/x");
	t_free(t);
}

/* zsh's search status line below the command is not part of it. */
static void
test_search_line(void **state)
{
	struct t	*t = t_new(40, 6);

	(void)state;
	t_out(t, "% ");
	t_key(t, "\022");
	t_out(t, "echo hello world\r\nbck-i-search: hello_");
	t_expect(t, "echo hello world");
	t_key(t, "o");	/* the cursor left on the status line at a key */
	t_expect(t, "echo hello world");
	t_out(t, "\r\033[Kfailing bck-i-search: hellox_");
	t_expect(t, "echo hello world");
	t_free(t);
}

/* However long the line, the answer is bounded. */
static void
test_limits(void **state)
{
	struct t	*t = t_new(80, 24);
	char		*big, *got;
	size_t		 len = 200000;

	(void)state;
	t_out(t, "\033]133;A\a$ \033]133;B\a");
	big = xmalloc(len + 1);
	memset(big, 'a', len);
	big[len] = '\0';
	t_key(t, "a");
	t_out(t, big);
	got = cmdline_current(t->cl);
	assert_non_null(got);
	assert_true(strlen(got) <= CMDLINE_MAX_TEXT);
	assert_true(strlen(got) >= 80 * 24);
	free(got);
	free(big);
	cmdline_free(NULL);
	t_free(t);
}

/* Run argv (no shell) with stdout to path; the exit status, or -1. */
static int
run_to_file(char *const argv[], const char *path)
{
	pid_t	pid;
	int	status, fd;

	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		if ((fd = open(path, O_WRONLY|O_CREAT|O_TRUNC, 0600)) == -1)
			_exit(126);
		dup2(fd, 1);
		fd = open("/dev/null", O_WRONLY);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return (-1);
	return (WEXITSTATUS(status));
}

/* omv shell-integration: the snippets carry the marks and parse in their shell. */
static void
test_shell_integration(void **state)
{
	static const char	*shells[] = { "bash", "zsh" };
	const char		*bin = getenv("OMV_BIN");
	char			 path[] = "/tmp/omv-si.XXXXXX", *text;
	char			*argv[4];
	size_t			 i;
	long			 len;
	int			 fd, st;
	FILE			*f;

	(void)state;
	if (bin == NULL) {
		printf("    SKIP shell-integration: $OMV_BIN not set\n");
		return;
	}
	if ((fd = mkstemp(path)) == -1)
		fail_msg("mkstemp");
	close(fd);
	for (i = 0; i < 2; i++) {
		argv[0] = (char *)bin;
		argv[1] = (char *)"shell-integration";
		argv[2] = (char *)shells[i];
		argv[3] = NULL;
		assert_int_equal(run_to_file(argv, path), 0);
		f = fopen(path, "r");
		assert_non_null(f);
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		text = xcalloc(1, (size_t)len + 1);
		assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
		fclose(f);
		assert_non_null(strstr(text, "133;A"));
		assert_non_null(strstr(text, "133;B"));
		assert_non_null(strstr(text, "133;C"));
		assert_non_null(strstr(text, "133;D;"));
		assert_non_null(strstr(text, "133;A;k=s"));
		free(text);
		/* Syntax check in the shell itself, when it is installed. */
		argv[0] = (char *)shells[i];
		argv[1] = (char *)"-n";
		argv[2] = path;
		st = run_to_file(argv, "/dev/null");
		if (st == 127)
			printf("    SKIP %s -n: %s is not installed\n", shells[i],
			    shells[i]);
		else
			assert_int_equal(st, 0);
	}
	argv[0] = (char *)bin;
	argv[1] = (char *)"shell-integration";
	argv[2] = (char *)"fish";
	argv[3] = NULL;
	assert_int_equal(run_to_file(argv, path), 2);
	argv[2] = NULL;
	assert_int_equal(run_to_file(argv, path), 2);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures_recorded),
		cmocka_unit_test(test_fixtures_cut),
		cmocka_unit_test(test_fixtures_coalesced),
		cmocka_unit_test(test_key_classes),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_prompts),
		cmocka_unit_test(test_osc_split),
		cmocka_unit_test(test_osc_status_split),
		cmocka_unit_test(test_osc_hostile),
		cmocka_unit_test(test_noecho),
		cmocka_unit_test(test_altscreen),
		cmocka_unit_test(test_interrupt),
		cmocka_unit_test(test_wrap_spans),
		cmocka_unit_test(test_history_anchor),
		cmocka_unit_test(test_settle),
		cmocka_unit_test(test_paste_split),
		cmocka_unit_test(test_leftover),
		cmocka_unit_test(test_search_line),
		cmocka_unit_test(test_multiline_cursor_up),
		cmocka_unit_test(test_echoing_secret_prompt),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_shell_integration),
	};

	return (cmocka_run_group_tests_name("cmdline", tests, NULL, NULL));
}
