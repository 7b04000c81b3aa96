/*
 * bench-cmdline.c: what reading the command line from the screen costs per
 * keystroke, on a 120x40 pane whose screen is full of output.  The console
 * asks cmdline_current (and cmdline_spans, to tint the command by risk)
 * after every key, so it must stay a few microseconds.  Cases:
 *
 *   short     a 40-character command after a prompt (the prompt heuristic)
 *   marks     the same after an OSC 133 B mark
 *   wrapped   a 400-character command over four rows
 *   listing   a completion listing of 30 rows between the old prompt and
 *             the redrawn one (the prompt is searched for again)
 *   keystroke one whole key: cmdline_key, the echo through vt_write,
 *             cmdline_output, cmdline_current and cmdline_spans
 *
 * For scale, the same run times the emulator's own share of a keystroke
 * (vt_write of the echoed character) and reading the whole screen as text
 * (vt_row_text of all 40 rows, the naive way).
 *
 * Run from the repository root (make bench does it):
 *   cc -std=c11 -D_GNU_SOURCE -O2 -Iinclude tests/bench/bench-cmdline.c \
 *       build/libomv.a $(pkg-config --libs libssh vterm libconfig sqlite3 \
 *       ncursesw libcrypto) -lm && ./a.out [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmdline.h"
#include "omv.h"
#include "vt.h"

#define COLS	120
#define ROWS	40

struct bench {
	struct vt	*vt;
	struct cmdline	*cl;
	int64_t		 now;
};

/* Seconds of CPU time: steadier than the wall clock on a shared machine. */
static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* The vt's OSC callback: marks to the tracker. */
static void
bench_osc(int num, const char *payload, size_t len, void *arg)
{
	struct bench	*b = arg;

	if (num == 133)
		cmdline_osc133(b->cl, payload, len);
}

/* The remote writes s. */
static void
bench_out(struct bench *b, const char *s)
{
	vt_write(b->vt, s, strlen(s));
	cmdline_output(b->cl, ++b->now);
}

/* A pane with a screen of output, a prompt, and cmd typed after it. */
static void
bench_setup(struct bench *b, const char *cmd, bool marks, int listing)
{
	struct vt_callbacks	cb;
	char			line[COLS + 8], c[2] = { 0, 0 };
	int			i;

	b->vt = vt_create(ROWS, COLS, 1000);
	b->cl = cmdline_create(b->vt);
	b->now = 0;
	memset(&cb, 0, sizeof cb);
	cb.osc = bench_osc;
	cb.arg = b;
	vt_set_callbacks(b->vt, &cb);
	for (i = 0; i < 200; i++) {
		snprintf(line, sizeof line, "-rw-r--r-- 1 root root %6d Nov 27 "
		    "04:52 file-%04d.log\r\n", i * 37, i);
		bench_out(b, line);
	}
	bench_out(b, marks ? "\033]133;A\a\033[32mroot@web-1\033[0m:~# "
	    "\033]133;B\a" : "\033[32mroot@web-1\033[0m:~# ");
	for (; *cmd != '\0'; cmd++) {
		c[0] = *cmd;
		cmdline_key(b->cl, CMDLINE_KEY_PRINTABLE, ++b->now);
		bench_out(b, c);
	}
	if (listing > 0) {
		bench_out(b, "\r\n");
		for (i = 0; i < listing; i++)
			bench_out(b, "config-old   config.json  config.yaml  "
			    "config.toml  config.ini\r\n");
		bench_out(b, "\033[32mroot@web-1\033[0m:~# ls config");
	}
}

/* Free a bench pane. */
static void
bench_free(struct bench *b)
{
	cmdline_free(b->cl);
	vt_free(b->vt);
}

/* Microseconds per cmdline_current (+ spans) call. */
static double
bench_current(struct bench *b, double secs, size_t *len)
{
	struct cmdline_span	 sp[64];
	double			 t0 = bench_now(), t;
	long			 n = 0;
	char			*s;

	do {
		s = cmdline_current(b->cl);
		*len = s != NULL ? strlen(s) : 0;
		free(s);
		cmdline_spans(b->cl, sp, 64);
		n++;
	} while ((t = bench_now() - t0) < secs);
	return (t * 1e6 / (double)n);
}

/* One case: set up, then time. */
static double
bench_case(const char *name, const char *cmd, bool marks, int listing,
    double secs)
{
	struct bench	b;
	size_t		len;
	double		us;

	bench_setup(&b, cmd, marks, listing);
	us = bench_current(&b, secs, &len);
	printf("  %-10s %8.2f us per call  (%zu bytes of command)\n", name, us, len);
	bench_free(&b);
	return (us);
}

int
main(int argc, char **argv)
{
	struct bench	 b;
	char		 wrapped[401], *s;
	double		 secs = argc > 1 ? atof(argv[1]) : 1.0, t0, t, us_key,
			 us_vt, us_screen, us_short;
	long		 n;
	int		 i, r;

	if (secs <= 0)
		secs = 1.0;
	for (i = 0; i < 400; i++)
		wrapped[i] = (char)(i % 10 == 9 ? ' ' : 'a' + i % 26);
	wrapped[400] = '\0';

	printf("bench-cmdline: %dx%d pane, screen full of output\n", COLS, ROWS);
	us_short = bench_case("short", "tail -n 200 /var/log/nginx/error.log | grep -v 404",
	    false, 0, secs);
	bench_case("marks", "tail -n 200 /var/log/nginx/error.log | grep -v 404",
	    true, 0, secs);
	bench_case("wrapped", wrapped, false, 0, secs);
	bench_case("listing", "ls config", false, 30, secs);

	/* A whole keystroke: key, echo, output, line and spans; Backspace undoes it. */
	bench_setup(&b, "systemctl restart nginx", false, 0);
	t0 = bench_now();
	n = 0;
	do {
		struct cmdline_span	sp[64];

		cmdline_key(b.cl, CMDLINE_KEY_PRINTABLE, ++b.now);
		bench_out(&b, "x");
		s = cmdline_current(b.cl);
		free(s);
		cmdline_spans(b.cl, sp, 64);
		cmdline_key(b.cl, CMDLINE_KEY_BACKSPACE, ++b.now);
		bench_out(&b, "\b \b");
		s = cmdline_current(b.cl);
		free(s);
		cmdline_spans(b.cl, sp, 64);
		n += 2;
	} while ((t = bench_now() - t0) < secs);
	us_key = t * 1e6 / (double)n;
	printf("  %-10s %8.2f us per key (tracker and emulator together)\n",
	    "keystroke", us_key);

	/* The emulator alone, and reading the whole screen. */
	t0 = bench_now();
	n = 0;
	do {
		vt_write(b.vt, "x", 1);
		vt_write(b.vt, "\b \b", 3);
		n += 2;
	} while ((t = bench_now() - t0) < secs);
	us_vt = t * 1e6 / (double)n;
	t0 = bench_now();
	n = 0;
	do {
		for (r = 0; r < ROWS; r++)
			free(vt_row_text(b.vt, r, 0, COLS));
		n++;
	} while ((t = bench_now() - t0) < secs);
	us_screen = t * 1e6 / (double)n;
	bench_free(&b);
	printf("  %-10s %8.2f us per key (vt_write of the echo alone)\n", "emulator",
	    us_vt);
	printf("  %-10s %8.2f us (vt_row_text of all %d rows)\n", "screen", us_screen,
	    ROWS);
	printf("ratios: short line / whole-screen text %.2f; keystroke / echo "
	    "through the emulator %.2f\n", us_short / us_screen, us_key / us_vt);
	return (0);
}
