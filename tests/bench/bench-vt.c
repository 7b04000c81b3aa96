/*
 * bench-vt.c: the terminal emulator against libvterm's stock VTermScreen,
 * in process, on the same bytes at 120x40, fed in 16 KB reads as a pane
 * would: `seq 1 2000000` (short lines: every line scrolls the screen) and
 * 15 MB of 100-column lines of ANSI-coloured log text.  Prints MB/s for
 * each and the ratio, then the memory a pane holds with 10,000 lines of
 * history of each kind (tmux keeps about 0.5 KiB per 100-column history
 * row, measured on this kind of machine).
 *
 *   cc -O2 -Iinclude $(pkg-config --cflags vterm) -o bench-vt \
 *       tests/bench/bench-vt.c build/libomv.a $(pkg-config --libs vterm)
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vterm.h>

#include "omv.h"
#include "vt.h"

#define ROWS	40
#define COLS	120
#define READ	16384
#define RUNS	3

/* Monotonic seconds. */
static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

/* What `seq 1 N` prints through a pty (ONLCR: CR LF). */
static void
make_seq(struct sbuf *sb, int n)
{
	int	i;

	for (i = 1; i <= n; i++)
		sbuf_addf(sb, "%d\r\n", i);
}

/* Log lines of 100 columns with colours, until size bytes. */
static void
make_log(struct sbuf *sb, size_t size)
{
	static const char	*levels[] = { "\033[32mINFO \033[0m",
	    "\033[33mWARN \033[0m", "\033[1;31mERROR\033[0m",
	    "\033[36mDEBUG\033[0m" };
	int			 i = 0;

	while (sb->len < size) {
		sbuf_addf(sb, "\033[2m2026-11-27 10:%02d:%02d.%03d\033[0m %s "
		    "\033[38;5;%dmworker-%02d\033[0m request %08d served in "
		    "\033[1m%3d ms\033[0m path /api/v1/items?page=%04d&x=%05d\r\n",
		    i / 60 % 60, i % 60, i % 1000, levels[i % 4], 16 + i % 200,
		    i % 32, i, i % 997, i % 10000, i % 100000);
		i++;
	}
}

/* Feed buf to the emulator in reads; seconds taken. */
static double
run_vt(const struct sbuf *sb)
{
	struct vt	*vt;
	double		 t0, t;
	size_t		 off, n;

	vt = vt_create(ROWS, COLS, 10000);
	t0 = now();
	for (off = 0; off < sb->len; off += n) {
		n = sb->len - off < READ ? sb->len - off : READ;
		vt_write(vt, sb->buf + off, n);
		vt_clear_dirty(vt);
	}
	t = now() - t0;
	vt_free(vt);
	return (t);
}

/* The same through a stock VTermScreen (no scrollback kept). */
static double
run_screen(const struct sbuf *sb)
{
	VTerm		*v;
	VTermScreen	*s;
	double		 t0, t;
	size_t		 off, n;

	v = vterm_new(ROWS, COLS);
	vterm_set_utf8(v, 1);
	s = vterm_obtain_screen(v);
	vterm_screen_enable_altscreen(s, 1);
	vterm_screen_reset(s, 1);
	t0 = now();
	for (off = 0; off < sb->len; off += n) {
		n = sb->len - off < READ ? sb->len - off : READ;
		vterm_input_write(v, sb->buf + off, n);
		vterm_screen_flush_damage(s);
	}
	t = now() - t0;
	vterm_free(v);
	return (t);
}

/* Best of RUNS, as MB/s. */
static double
best(double (*fn)(const struct sbuf *), const struct sbuf *sb)
{
	double	t, min = 1e9;
	int	i;

	for (i = 0; i < RUNS; i++) {
		if ((t = fn(sb)) < min)
			min = t;
	}
	return (sb->len / 1e6 / min);
}

/* Heap bytes in use. */
static size_t
heap(void)
{
	struct mallinfo2	mi = mallinfo2();

	return (mi.uordblks + mi.hblkhd);
}

/* Memory of a pane holding 10,000 history lines of sb's kind. */
static void
memory(const char *what, const struct sbuf *sb)
{
	struct vt	*vt;
	size_t		 before, after, empty;

	before = heap();
	vt = vt_create(ROWS, COLS, 10000);
	empty = heap() - before;
	vt_write(vt, sb->buf, sb->len);
	after = heap() - before;
	printf("  %-32s %8zu lines kept, pane %6.2f MiB (empty %4.0f KiB), "
	    "%4.0f bytes per history line (vt_memory %4.0f)\n", what,
	    vt_history_size(vt), after / 1048576.0, empty / 1024.0,
	    (double)(after - empty) / vt_history_size(vt),
	    (double)vt_memory(vt) / vt_history_size(vt));
	vt_free(vt);
}

int
main(void)
{
	struct sbuf	seq, log, some;
	double		a, b;
	size_t		off;
	int		lines;

	sbuf_init(&seq);
	make_seq(&seq, 2000000);
	sbuf_init(&log);
	make_log(&log, 15 << 20);

	printf("bench-vt: %dx%d, %d KB reads, best of %d\n", COLS, ROWS,
	    READ / 1024, RUNS);
	a = best(run_vt, &seq);
	b = best(run_screen, &seq);
	printf("  seq 1 2000000 (%.1f MB)          vt %6.1f MB/s  VTermScreen %6.1f MB/s  "
	    "ratio %.1fx\n", seq.len / 1e6, a, b, a / b);
	a = best(run_vt, &log);
	b = best(run_screen, &log);
	printf("  coloured log (%.1f MB)           vt %6.1f MB/s  VTermScreen %6.1f MB/s  "
	    "ratio %.1fx\n", log.len / 1e6, a, b, a / b);

	printf("memory per pane, 10,000 lines of history at %d columns:\n", COLS);
	sbuf_init(&some);
	for (off = 0, lines = 0; off < log.len && lines < 10000 + ROWS; off++) {
		if (log.buf[off] == '\n')
			lines++;
	}
	sbuf_add(&some, log.buf, off);
	memory("coloured log (~100 columns)", &some);
	sbuf_reset(&some);
	for (off = 0, lines = 0; off < seq.len && lines < 10000 + ROWS; off++) {
		if (seq.buf[off] == '\n')
			lines++;
	}
	sbuf_add(&some, seq.buf, off);
	memory("seq (short lines)", &some);
	printf("  (tmux: about 0.5 KiB per 100-column history row)\n");

	sbuf_free(&seq);
	sbuf_free(&log);
	sbuf_free(&some);
	return (0);
}
