/*
 * test_runbook.c: runbooks without servers: amounts, the batch plan
 * (tests/data/runbook/batches.txt), loading and every validation error
 * (tests/data/runbook/bad.txt), the per-server step machine (checks skip,
 * failures roll back in reverse), the search path, the shipped examples,
 * and target resolution on a 1,000-server inventory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "fanout.h"
#include "runbook.h"

/* The path of a data file. */
static char *
t_data(const char *name)
{
	const char	*dir = getenv("OMV_TEST_DATA");

	return (xprintf("%s/%s", dir != NULL ? dir : "tests/data", name));
}

/* Trim spaces at both ends, in place. */
static char *
t_trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
		*--e = '\0';
	return (s);
}

/* Write text to path with mode. */
static void
t_write(const char *path, const char *text, mode_t mode)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		fail_msg("cannot write %s", path);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* Counts and percentages parse; junk does not. */
static void
test_amount(void **state)
{
	struct runbook_amount	 a;
	char			*cause = NULL, buf[16];

	(void)state;
	assert_int_equal(runbook_amount_parse("5", &a, &cause), 0);
	assert_int_equal(a.value, 5);
	assert_false(a.percent);
	assert_int_equal(runbook_amount_parse(" 25% ", &a, &cause), 0);
	assert_int_equal(a.value, 25);
	assert_true(a.percent);
	runbook_amount_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "25%");
	assert_int_equal(runbook_amount_of(&a, 10, true), 3);
	assert_int_equal(runbook_amount_of(&a, 10, false), 2);
	assert_int_equal(runbook_amount_parse("0", &a, &cause), 0);
	assert_int_equal(runbook_amount_of(&a, 10, false), 0);
	assert_int_equal(runbook_amount_parse("10%", &a, &cause), 0);
	assert_int_equal(runbook_amount_of(&a, 200, false), 20);
	assert_int_equal(runbook_amount_of(&a, 5, false), 0);
	assert_int_equal(runbook_amount_parse("101%", &a, &cause), -1);
	assert_non_null(strstr(cause, "more than 100%"));
	free(cause);
	cause = NULL;
	assert_int_equal(runbook_amount_parse("", &a, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(runbook_amount_parse("5x", &a, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(runbook_amount_parse("%", &a, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(runbook_amount_parse("-1", &a, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(runbook_amount_parse("99999999999", &a, &cause), -1);
	free(cause);
}

/* Parse "1,25%,100%" into amounts. */
static size_t
t_amounts(char *s, struct runbook_amount *v, size_t max)
{
	char	*p, *w, *cause = NULL;
	size_t	 n = 0;

	if (strcmp(s, "-") == 0)
		return (0);
	for (p = s; (w = strsep(&p, ",")) != NULL && n < max;) {
		if (runbook_amount_parse(w, &v[n++], &cause) != 0)
			fail_msg("bad amount %s: %s", w, cause);
	}
	return (n);
}

/* The batch plan, table-driven. */
static void
test_batches(void **state)
{
	struct runbook_amount	 v[16];
	FILE			*f;
	char			*path, line[512], *cols[3], *p, got[256];
	size_t			 n, i, count, *ends, total, cases = 0;
	int			 k;

	(void)state;
	path = t_data("runbook/batches.txt");
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof line, f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		p = line;
		for (k = 0; k < 3; k++) {
			cols[k] = strsep(&p, "|");
			if (cols[k] == NULL)
				fail_msg("bad line: %s", line);
			cols[k] = t_trim(cols[k]);
		}
		total = (size_t)strtoul(cols[0], NULL, 10);
		n = t_amounts(cols[1], v, 16);
		count = runbook_batch_plan(v, n, total, &ends);
		got[0] = '\0';
		for (i = 0; i < count; i++) {
			snprintf(got + strlen(got), sizeof got - strlen(got),
			    "%s%zu", i == 0 ? "" : " ", ends[i]);
		}
		free(ends);
		if (strcmp(got, cols[2]) != 0)
			fail_msg("total %zu batches %s: got '%s', want '%s'",
			    total, cols[1], got, cols[2]);
		cases++;
	}
	fclose(f);
	free(path);
	assert_true(cases >= 10);
}

/* A runbook using every setting loads with its values. */
static void
test_load_good(void **state)
{
	static const char	 text[] =
	    "name = \"deploy\";\n"
	    "description = \"roll it out\";\n"
	    "targets = [ \"group:production\", \"tag:web\" ];\n"
	    "batches = ( 1, \"25%\", \"100%\" );\n"
	    "max_errors = \"10%\";\n"
	    "rollback_completed = true;\n"
	    "timeout = 30;\n"
	    "steps = (\n"
	    "  { name = \"stage\"; run = \"touch /tmp/x\"; check = \"test -e /tmp/x\";\n"
	    "    rollback = \"rm -f /tmp/x\"; timeout = 5; },\n"
	    "  { run = \"true\"; }\n"
	    ");\n";
	struct cfg_errors	 errs = { NULL, 0 };
	struct runbook		*rb;

	(void)state;
	rb = cfg_runbook_load_string(text, "deploy.conf", &errs);
	if (rb == NULL)
		fail_msg("%s", errs.n != 0 ? errs.msgs[0] : "?");
	assert_string_equal(rb->name, "deploy");
	assert_string_equal(rb->description, "roll it out");
	assert_int_equal(rb->ntargets, 2);
	assert_string_equal(rb->targets[1], "tag:web");
	assert_int_equal(rb->nbatches, 3);
	assert_int_equal(rb->batches[0].value, 1);
	assert_false(rb->batches[0].percent);
	assert_true(rb->batches[2].percent);
	assert_int_equal(rb->max_errors.value, 10);
	assert_true(rb->max_errors.percent);
	assert_true(rb->rollback_completed);
	assert_int_equal(rb->timeout, 30);
	assert_int_equal(rb->nsteps, 2);
	assert_string_equal(rb->steps[0].check, "test -e /tmp/x");
	assert_int_equal(rb->steps[0].timeout, 5);
	assert_int_equal(rb->steps[0].line, 9);
	assert_string_equal(rb->steps[1].name, "step 2");
	assert_null(rb->steps[1].check);
	runbook_free(rb);

	/* Arrays of one type work too; the name defaults to the file's. */
	rb = cfg_runbook_load_string("batches = [ \"1\", \"50%\" ];\n"
	    "steps = ( { run = \"true\"; } );\n", "dir/canary.conf", &errs);
	assert_non_null(rb);
	assert_string_equal(rb->name, "canary");
	assert_int_equal(rb->nbatches, 2);
	runbook_free(rb);
	assert_int_equal(errs.n, 0);
}

/* Every bad runbook is refused with its message and a line where known. */
static void
test_load_bad(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct runbook		*rb;
	FILE			*f;
	char			*path, line[1024], *text, *want, *p, *q;
	size_t			 i, cases = 0;
	int			 found;

	(void)state;
	path = t_data("runbook/bad.txt");
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof line, f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if ((p = strrchr(line, '|')) == NULL)
			fail_msg("bad line: %s", line);
		*p = '\0';
		want = t_trim(p + 1);
		text = xstrdup(t_trim(line));
		while ((q = strstr(text, "\\n")) != NULL) {
			q[0] = ' ';
			q[1] = '\n';
		}
		rb = cfg_runbook_load_string(text, "t.conf", &errs);
		if (rb != NULL)
			fail_msg("loaded: %s", text);
		found = 0;
		for (i = 0; i < errs.n; i++) {
			if (strncmp(errs.msgs[i], "t.conf", 6) != 0)
				fail_msg("no file in '%s'", errs.msgs[i]);
			if (strstr(errs.msgs[i], want) != NULL)
				found = 1;
		}
		if (!found)
			fail_msg("%s: want '%s', got '%s'", text, want,
			    errs.n != 0 ? errs.msgs[0] : "nothing");
		cfg_errors_clear(&errs);
		free(text);
		cases++;
	}
	fclose(f);
	free(path);
	assert_true(cases >= 20);
}

/* All problems of one file are reported, each with its line. */
static void
test_load_all_errors(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };

	(void)state;
	assert_null(cfg_runbook_load_string(
	    "colour = 1;\n"
	    "steps = (\n"
	    "  { run = \"true\"; timeout = 99999999; },\n"
	    "  { check = \"true\"; }\n"
	    ");\n", "t.conf", &errs));
	assert_int_equal(errs.n, 3);
	assert_string_equal(errs.msgs[0], "t.conf:1: unknown setting 'colour'");
	assert_non_null(strstr(errs.msgs[1], "t.conf:3: step 1: timeout"));
	assert_string_equal(errs.msgs[2], "t.conf:4: step 2: no run command");
	cfg_errors_clear(&errs);
}

/* The step machine for a three-step runbook, driven by outcomes. */
static const char	t_machine[] =
    "steps = (\n"
    "  { name = \"a\"; check = \"ca\"; run = \"ra\"; rollback = \"ua\"; },\n"
    "  { name = \"b\"; run = \"rb\"; },\n"
    "  { name = \"c\"; check = \"cc\"; run = \"rc\"; rollback = \"uc\"; "
    "timeout = 7; },\n"
    "  { name = \"d\"; run = \"rd\"; rollback = \"ud\"; }\n"
    ");\n"
    "timeout = 3;\n";

/*
 * Drive a server: outcomes is one char per command run ('y' ok, 'n' failed);
 * returns the commands run, space separated, and "=ok"/"=fail" at the end.
 */
static char *
t_drive(const struct runbook *rb, const char *outcomes, bool rollback_after)
{
	struct runbook_target	 t;
	struct runbook_action	 act;
	struct sbuf		 sb;
	bool			 first = true, ok = true;
	const char		*o = outcomes;

	sbuf_init(&sb);
	runbook_target_init(&t, rb);
	for (;;) {
		runbook_next(rb, &t, first, ok, &act);
		first = false;
		if (act.phase == RUNBOOK_END) {
			sbuf_adds(&sb, act.ok ? "=ok" : "=fail");
			if (!rollback_after)
				break;
			rollback_after = false;
			runbook_target_rollback(&t);
			first = true;
			sbuf_adds(&sb, " |");
			continue;
		}
		sbuf_adds(&sb, act.command);
		sbuf_addc(&sb, ' ');
		if (*o == '\0')
			fail_msg("ran out of outcomes at %s", act.command);
		ok = *o++ == 'y';
	}
	runbook_target_clear(&t);
	return (sbuf_steal(&sb));
}

/* Checks skip steps; failures roll back what was done, in reverse. */
static void
test_machine(void **state)
{
	static const struct {
		const char	*outcomes;
		bool		 rollback_after;
		const char	*want;
	} cases[] = {
		/* check a fails: run a; b; check c fails: run c; d. */
		{ "nyynyy", false, "ca ra rb cc rc rd =ok" },
		/* already in the desired state: checks skip a and c. */
		{ "yyyy", false, "ca rb cc rd =ok" },
		/* c's run fails: undo b (no rollback), a: only ua. */
		{ "nyynn" "y", false, "ca ra rb cc rc ua =fail" },
		/* d fails after c ran: uc then ua. */
		{ "nyynyn" "yy", false, "ca ra rb cc rc rd uc ua =fail" },
		/* d fails but a was skipped by its check: only uc. */
		{ "yynyn" "y", false, "ca rb cc rc rd uc =fail" },
		/* the first run fails: nothing to undo. */
		{ "nn", false, "ca ra =fail" },
		/* a failed rollback does not stop the others. */
		{ "nyynyn" "ny", false, "ca ra rb cc rc rd uc ua =fail" },
		/* rollback_completed: undo a finished server. */
		{ "nyynyy" "yyy", true,
		  "ca ra rb cc rc rd =ok |ud uc ua =ok" },
	};
	struct cfg_errors	 errs = { NULL, 0 };
	struct runbook		*rb;
	struct runbook_target	 t;
	struct runbook_action	 act;
	size_t			 i;
	char			*got;

	(void)state;
	rb = cfg_runbook_load_string(t_machine, "m.conf", &errs);
	assert_non_null(rb);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = t_drive(rb, cases[i].outcomes, cases[i].rollback_after);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, got,
			    cases[i].want);
		free(got);
	}

	/* A check that broke (timeout, lost connection) fails its step. */
	runbook_target_init(&t, rb);
	runbook_next(rb, &t, true, true, &act);		/* check a */
	runbook_target_fail(&t);
	runbook_next(rb, &t, true, false, &act);
	assert_int_equal(act.phase, RUNBOOK_END);
	assert_false(act.ok);
	assert_true(t.failed);
	runbook_target_clear(&t);
	/* ... and a rollback that broke is counted, the others still run. */
	runbook_target_init(&t, rb);
	runbook_next(rb, &t, true, true, &act);		/* check a */
	runbook_next(rb, &t, false, false, &act);	/* run a */
	runbook_next(rb, &t, false, true, &act);	/* run b */
	runbook_next(rb, &t, false, true, &act);	/* check c */
	runbook_next(rb, &t, false, false, &act);	/* run c */
	runbook_next(rb, &t, false, false, &act);	/* c fails: undo a */
	assert_int_equal(act.phase, RUNBOOK_ROLLBACK);
	assert_string_equal(act.command, "ua");
	runbook_target_fail(&t);
	runbook_next(rb, &t, true, false, &act);
	assert_int_equal(act.phase, RUNBOOK_END);
	assert_int_equal(t.rollback_errors, 1);
	runbook_target_clear(&t);

	/* Timeouts: the step's own, else the runbook's. */
	runbook_target_init(&t, rb);
	runbook_next(rb, &t, true, true, &act);
	assert_int_equal(act.phase, RUNBOOK_CHECK);
	assert_int_equal(act.timeout, 3);
	runbook_next(rb, &t, false, true, &act);	/* a skipped */
	runbook_next(rb, &t, false, true, &act);	/* b ran */
	assert_int_equal(act.phase, RUNBOOK_CHECK);
	assert_int_equal(act.step, 2);
	assert_int_equal(act.timeout, 7);
	assert_int_equal(t.skipped, 1);
	assert_int_equal(t.ran, 1);
	runbook_target_clear(&t);
	runbook_free(rb);
}

/* The config's directory is searched first; earlier names hide later. */
static void
test_search(void **state)
{
	struct cfg_errors	  errs = { NULL, 0 };
	struct runbook		**all;
	char			  tmpl[] = "/tmp/omv-rb.XXXXXX", *dir, *conf;
	char			 *rbdir, *p, **dirs;
	size_t			  n, i, nd;
	int			  mine = -1, loose = 0;

	(void)state;
	if ((dir = mkdtemp(tmpl)) == NULL)
		fail_msg("mkdtemp");
	conf = xprintf("%s/omv.conf", dir);
	rbdir = xprintf("%s/runbooks", dir);
	mkdir(rbdir, 0700);
	p = xprintf("%s/rotate-logs.conf", rbdir);
	t_write(p, "description = \"mine\";\nsteps = ( { run = \"true\"; } );\n",
	    0600);
	free(p);
	p = xprintf("%s/zz-loose.conf", rbdir);
	t_write(p, "steps = ( { run = \"true\"; } );\n", 0666);
	free(p);
	p = xprintf("%s/notes.txt", rbdir);
	t_write(p, "not a runbook", 0600);
	free(p);

	dirs = cfg_runbook_dirs(conf, &nd);
	assert_true(nd >= 3);
	assert_string_equal(dirs[0], rbdir);
	assert_non_null(strstr(dirs[1], "/.config/omv/runbooks"));
	assert_string_equal(dirs[2], "/etc/omv/runbooks");
	strv_free(dirs, nd);

	n = cfg_runbook_load_all(conf, &all, &errs);
	for (i = 0; i < n; i++) {
		if (strcmp(all[i]->name, "rotate-logs") == 0) {
			/* The shipped one of that name is hidden by ours. */
			assert_int_equal(mine, -1);
			mine = (int)i;
			assert_string_equal(all[i]->description, "mine");
		}
		assert_string_not_equal(all[i]->name, "zz-loose");
	}
	assert_int_equal(mine, 0);
	for (i = 0; i < errs.n; i++) {
		if (strstr(errs.msgs[i], "zz-loose.conf: is writable by group "
		    "or others") != NULL)
			loose = 1;
	}
	assert_true(loose);
	cfg_runbook_free_all(all, n);
	cfg_errors_clear(&errs);

	p = xprintf("%s/rotate-logs.conf", rbdir);
	unlink(p);
	free(p);
	p = xprintf("%s/zz-loose.conf", rbdir);
	unlink(p);
	free(p);
	p = xprintf("%s/notes.txt", rbdir);
	unlink(p);
	free(p);
	rmdir(rbdir);
	rmdir(dir);
	free(rbdir);
	free(conf);
}

/* The runbooks shipped in conf/runbooks load cleanly. */
static void
test_examples(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct runbook		*rb;
	struct dirent		*de;
	DIR			*dp;
	char			*path;
	size_t			 n = 0, i;

	(void)state;
	if ((dp = opendir("conf/runbooks")) == NULL)
		fail_msg("no conf/runbooks (run from the repository root)");
	while ((de = readdir(dp)) != NULL) {
		if (strstr(de->d_name, ".conf") == NULL)
			continue;
		path = xprintf("conf/runbooks/%s", de->d_name);
		rb = cfg_runbook_load_file(path, &errs);
		for (i = 0; i < errs.n; i++)
			print_error("%s\n", errs.msgs[i]);
		assert_non_null(rb);
		assert_true(rb->nsteps >= 1);
		assert_non_null(rb->description);
		runbook_free(rb);
		free(path);
		n++;
	}
	closedir(dp);
	assert_true(n >= 2);
}

/* Selectors over a 1,000-server inventory: right servers, and fast. */
static void
test_resolve(void **state)
{
	static const char *envs[] = { "production", "staging", "development" };
	struct cfg_errors	  errs = { NULL, 0 };
	struct omv_config	 *cfg;
	struct server		**out;
	struct sbuf		  sb;
	char			 *sel[4], *cause = NULL;
	size_t			  n, i, g;
	int64_t			  t0, took;

	(void)state;
	sbuf_init(&sb);
	sbuf_adds(&sb, "servers = { groups = (\n");
	for (g = 0; g < 10; g++) {
		sbuf_addf(&sb, "%s{ name = \"g%zu\"; env = \"%s\"; tags = [ "
		    "\"t%zu\" ]; groups = ( { name = \"web\"; servers = (\n",
		    g == 0 ? "" : ",", g, envs[g % 3], g % 2);
		for (i = 0; i < 100; i++) {
			sbuf_addf(&sb, "%s{ name = \"s%zu-%zu\"; host = "
			    "\"10.0.%zu.%zu\"; }\n", i == 0 ? "" : ",", g, i,
			    g, i);
		}
		sbuf_adds(&sb, "); } ); }\n");
	}
	sbuf_adds(&sb, "); };\n");
	cfg = cfg_load_string(sb.buf, "inv.conf", &errs);
	if (cfg == NULL)
		fail_msg("%s", errs.n != 0 ? errs.msgs[0] : "?");
	assert_int_equal(cfg->nservers, 1000);

	t0 = mono_ms();
	sel[0] = (char *)"group:g2";
	sel[1] = (char *)"name:s4-1?";
	sel[2] = (char *)"tag:t1";
	assert_int_equal(fanout_resolve(cfg, sel, 3, &out, &n, &cause), 0);
	took = mono_ms() - t0;
	/* g2 (100) + s4-10..19 (10) + the odd groups' 500. */
	assert_int_equal(n, 100 + 10 + 500);
	for (i = 1; i < n; i++)
		assert_true(out[i - 1]->index < out[i]->index);
	free(out);
	assert_true(took < 200);

	sel[0] = (char *)"env:staging";
	assert_int_equal(fanout_resolve(cfg, sel, 1, &out, &n, &cause), 0);
	assert_int_equal(n, 300);
	free(out);
	sel[0] = (char *)"group:g2/web";
	sel[1] = (char *)"group:g2";
	assert_int_equal(fanout_resolve(cfg, sel, 2, &out, &n, &cause), 0);
	assert_int_equal(n, 100);
	free(out);

	sel[0] = (char *)"nosuch";
	assert_int_equal(fanout_resolve(cfg, sel, 1, &out, &n, &cause), -1);
	assert_string_equal(cause, "unknown server 'nosuch'");
	free(cause);
	sel[0] = (char *)"tag:zzz*";
	assert_int_equal(fanout_resolve(cfg, sel, 1, &out, &n, &cause), -1);
	assert_string_equal(cause, "no server matches 'tag:zzz*'");
	free(cause);
	sel[0] = (char *)"env:moon";
	assert_int_equal(fanout_resolve(cfg, sel, 1, &out, &n, &cause), -1);
	free(cause);
	cfg_free(cfg);
	sbuf_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_bad),
		cmocka_unit_test(test_load_all_errors),
		cmocka_unit_test(test_machine),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_examples),
		cmocka_unit_test(test_resolve),
	};

	return (cmocka_run_group_tests_name("runbook", tests, NULL, NULL));
}
