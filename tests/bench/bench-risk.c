/*
 * bench-risk.c: how fast the risk engine classifies command lines, on a
 * corpus of typical operator commands (tests/data/risk-corpus.txt), since
 * the console classifies the line under the cursor on every keystroke and
 * must stay well under 20 microseconds per typical line.  Three figures:
 *
 *   parse      shparse alone (tokens, substitutions, unwrapping)
 *   classify   risk_classify with the built-in rules (parse + match)
 *   worst      the slowest single line of the corpus (classify)
 *
 * Not a timed test: it prints lines per second and microseconds per line.
 * Build and run from the repository root:
 *
 *   cc -std=c11 -D_GNU_SOURCE -O2 -Iinclude -Ibuild tests/bench/bench-risk.c \
 *       build/libomv.a $(pkg-config --libs libssh vterm libconfig sqlite3 \
 *       ncursesw libcrypto) -lm
 *   ./a.out [CORPUS] [SECONDS]     (defaults: the corpus above, 2 seconds)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "risk.h"
#include "shparse.h"

/* Seconds of CPU time: steadier than the wall clock on a shared machine. */
static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

/* Read the corpus: one line per command, blank lines skipped. */
static char **
bench_corpus(const char *path, size_t *n)
{
	char	**v = NULL, *line = NULL;
	size_t	  size = 0;
	ssize_t	  len;
	FILE	 *f;

	if ((f = fopen(path, "r")) == NULL) {
		perror(path);
		exit(1);
	}
	*n = 0;
	while ((len = getline(&line, &size, f)) != -1) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0)
			continue;
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = xstrdup(line);
	}
	free(line);
	fclose(f);
	return (v);
}

/* Run the corpus through one pass of parse or classify. */
static void
bench_pass(char **v, size_t n, int classify, size_t *levels)
{
	struct risk_result	 rr;
	struct sh_parse		*p;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (classify) {
			risk_classify(NULL, v[i], 0, &rr);
			levels[rr.level]++;
			risk_result_clear(&rr);
		} else {
			p = shparse(v[i], strlen(v[i]));
			shparse_free(p);
		}
	}
}

/* Lines per second of passes over the corpus for about secs seconds. */
static double
bench_run(char **v, size_t n, int classify, double secs, size_t *levels)
{
	double	start = bench_now(), t;
	size_t	lines = 0;

	do {
		bench_pass(v, n, classify, levels);
		lines += n;
		t = bench_now() - start;
	} while (t < secs);
	return ((double)lines / t);
}

int
main(int argc, char **argv)
{
	const char	*path = argc > 1 ? argv[1] : "tests/data/risk-corpus.txt";
	double		 secs = argc > 2 ? atof(argv[2]) : 2.0;
	double		 parse, classify, worst = 0, t;
	size_t		 n, i, k, worst_i = 0, levels[RISK_COUNT] = { 0 };
	char		**v;
	struct risk_result rr;

	v = bench_corpus(path, &n);
	if (n == 0) {
		fprintf(stderr, "%s: no lines\n", path);
		return (1);
	}
	risk_default_rules();		/* parse the built-in rules first */
	bench_pass(v, n, 1, levels);	/* warm up */
	memset(levels, 0, sizeof levels);

	parse = bench_run(v, n, 0, secs / 2, levels);
	classify = bench_run(v, n, 1, secs, levels);
	for (i = 0; i < n; i++) {
		t = bench_now();
		for (k = 0; k < 200; k++) {
			risk_classify(NULL, v[i], 0, &rr);
			risk_result_clear(&rr);
		}
		t = (bench_now() - t) / 200;
		if (t > worst) {
			worst = t;
			worst_i = i;
		}
	}

	printf("corpus     %zu lines, %zu rules (%s)\n", n,
	    risk_ruleset_count(risk_default_rules()), path);
	printf("parse      %10.0f lines/s  %6.2f us/line\n", parse,
	    1e6 / parse);
	printf("classify   %10.0f lines/s  %6.2f us/line\n", classify,
	    1e6 / classify);
	printf("worst      %6.2f us: %s\n", worst * 1e6, v[worst_i]);
	printf("levels     low %zu, medium %zu, high %zu, critical %zu "
	    "(all passes)\n", levels[RISK_LOW], levels[RISK_MEDIUM],
	    levels[RISK_HIGH], levels[RISK_CRITICAL]);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return (0);
}
