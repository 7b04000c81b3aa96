/*
 * test_risk.c: the risk engine with the built-in rules, rule sets from
 * configs, and the `omv risk` command.  Most cases are the table in
 * tests/data/risk-cases.txt (LEVEL, RULE, COMMAND per line): every built-in
 * rule, every obfuscation the parser sees through, and read-only commands
 * that only mention dangerous words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "risk.h"

/* One line of the table. */
struct risk_case {
	int		 line;
	enum risk_level	 level;
	char		*rule;		/* NULL for "-" */
	char		*command;
};

static char	*tmpdir;

/* The path of a file under $OMV_TEST_DATA (tests/data by default). */
static char *
t_data(const char *name)
{
	const char	*dir = getenv("OMV_TEST_DATA");

	return (xprintf("%s/%s", dir != NULL ? dir : "tests/data", name));
}

/* Read the case table; fails the test on a malformed line. */
static struct risk_case *
t_cases(size_t *n, char **path)
{
	struct risk_case	*v = NULL;
	FILE			*f;
	char			*line = NULL, *p, *t1 = NULL, *t2 = NULL;
	size_t			 size = 0;
	ssize_t			 len;
	int			 lineno = 0;

	*path = t_data("risk-cases.txt");
	if ((f = fopen(*path, "r")) == NULL)
		fail_msg("%s: %s", *path, strerror(errno));
	*n = 0;
	while ((len = getline(&line, &size, f)) != -1) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((t1 = strchr(line, '\t')) == NULL ||
		    (t2 = strchr(t1 + 1, '\t')) == NULL) {
			fail_msg("%s:%d: want LEVEL<TAB>RULE<TAB>COMMAND",
			    *path, lineno);
			continue;
		}
		*t1 = *t2 = '\0';
		v = xreallocarray(v, *n + 1, sizeof *v);
		if (risk_level_parse(line, &v[*n].level) != 0)
			fail_msg("%s:%d: bad level '%s'", *path, lineno, line);
		v[*n].rule = strcmp(t1 + 1, "-") == 0 ? NULL : xstrdup(t1 + 1);
		/* U+23CE (return symbol) stands for a newline. */
		while ((p = strstr(t2 + 1, "\xe2\x8f\x8e")) != NULL) {
			*p = '\n';
			memmove(p + 1, p + 3, strlen(p + 3) + 1);
		}
		v[*n].command = xstrdup(t2 + 1);
		v[*n].line = lineno;
		(*n)++;
	}
	free(line);
	fclose(f);
	return (v);
}

/* Free the table. */
static void
t_cases_free(struct risk_case *v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(v[i].rule);
		free(v[i].command);
	}
	free(v);
}

/* Every case of the table gets its level and deciding rule. */
static void
test_cases(void **state)
{
	struct risk_case	*v;
	struct risk_result	 rr;
	char			*path;
	size_t			 n, i, bad = 0;

	(void)state;
	v = t_cases(&n, &path);
	assert_true(n >= 150);
	for (i = 0; i < n; i++) {
		risk_classify(NULL, v[i].command, 0, &rr);
		if (rr.level != v[i].level || rr.base_level != v[i].level ||
		    (v[i].rule == NULL) != (rr.rule == NULL) ||
		    (v[i].rule != NULL && strcmp(v[i].rule, rr.rule) != 0)) {
			print_error("%s:%d: want %s [%s], got %s [%s] (%s): %s\n",
			    path, v[i].line, risk_level_name(v[i].level),
			    v[i].rule != NULL ? v[i].rule : "-",
			    risk_level_name(rr.level),
			    rr.rule != NULL ? rr.rule : "-", rr.reason,
			    v[i].command);
			bad++;
		}
		assert_non_null(rr.reason);
		risk_result_clear(&rr);
	}
	print_message("%zu risk cases, %zu failed\n", n, bad);
	t_cases_free(v, n);
	free(path);
	assert_int_equal(bad, 0);
}

/* Every built-in rule is the deciding rule of at least one case. */
static void
test_every_rule_tested(void **state)
{
	const struct risk_ruleset	*rs = risk_default_rules();
	struct risk_case		*v;
	char				*path;
	size_t				 n, i, j, missing = 0;

	(void)state;
	v = t_cases(&n, &path);
	assert_true(risk_ruleset_count(rs) >= 100);
	for (i = 0; i < rs->n; i++) {
		for (j = 0; j < n; j++) {
			if (v[j].rule != NULL &&
			    strcmp(v[j].rule, rs->rules[i].name) == 0)
				break;
		}
		if (j == n) {
			print_error("%s: no case for rule '%s'\n", path,
			    rs->rules[i].name);
			missing++;
		}
	}
	t_cases_free(v, n);
	free(path);
	assert_int_equal(missing, 0);
}

/* An empty line is low with "no command"; results own their strings. */
static void
test_empty(void **state)
{
	struct risk_result	rr;
	const char		*lines[] = { "", "   ", "\t\n", "# only a comment",
	    NULL };
	size_t			i;

	(void)state;
	for (i = 0; lines[i] != NULL; i++) {
		risk_classify(NULL, lines[i], 0, &rr);
		assert_int_equal(rr.level, RISK_LOW);
		assert_null(rr.rule);
		assert_string_equal(rr.reason, "no command");
		assert_int_equal(rr.ncommands, 0);
		assert_false(rr.unparsed);
		risk_result_clear(&rr);
	}
	risk_classify(NULL, NULL, 0, &rr);
	assert_string_equal(rr.reason, "no command");
	risk_result_clear(&rr);
	risk_result_clear(NULL);
}

/* What cannot be parsed is at least medium and says why. */
static void
test_unparsed(void **state)
{
	struct risk_result	rr;

	(void)state;
	risk_classify(NULL, "ls \"unbalanced", 0, &rr);
	assert_int_equal(rr.level, RISK_MEDIUM);
	assert_true(rr.unparsed);
	assert_null(rr.rule);
	assert_string_equal(rr.reason, "could not parse the line (unbalanced "
	    "quote): treated as at least medium");
	risk_result_clear(&rr);

	/* A higher rule keeps its reason, still marked unparsed. */
	risk_classify(NULL, "rm -rf / 'oops", 0, &rr);
	assert_int_equal(rr.level, RISK_CRITICAL);
	assert_string_equal(rr.rule, "rm-root");
	assert_true(rr.unparsed);
	risk_result_clear(&rr);

	/* Binary garbage still yields a result. */
	risk_classify(NULL, "\x01\xff$(\x80`'\"", 0, &rr);
	assert_true(rr.level >= RISK_MEDIUM);
	assert_non_null(rr.reason);
	risk_result_clear(&rr);
}

/* Escalation raises by steps, capped at critical; base_level stays. */
static void
test_escalation(void **state)
{
	struct risk_result	rr;

	(void)state;
	risk_classify(NULL, "ls", 1, &rr);
	assert_int_equal(rr.base_level, RISK_LOW);
	assert_int_equal(rr.level, RISK_MEDIUM);
	risk_result_clear(&rr);
	risk_classify(NULL, "systemctl stop nginx", 1, &rr);
	assert_int_equal(rr.base_level, RISK_HIGH);
	assert_int_equal(rr.level, RISK_CRITICAL);
	risk_result_clear(&rr);
	risk_classify(NULL, "systemctl reload nginx", 3, &rr);
	assert_int_equal(rr.level, RISK_CRITICAL);
	risk_result_clear(&rr);
	risk_classify(NULL, "ls", -2, &rr);
	assert_int_equal(rr.level, RISK_LOW);
	risk_result_clear(&rr);
}

/* The commands list shows every command that would run, unwrapped. */
static void
test_commands(void **state)
{
	struct risk_result	rr;

	(void)state;
	risk_classify(NULL, "sudo -u root nice -n 5 rm -rf /tmp/x && "
	    "echo $(date) | tee -a /var/log/x", 0, &rr);
	assert_int_equal(rr.ncommands, 4);
	assert_string_equal(rr.commands[0], "rm -rf /tmp/x");
	assert_string_equal(rr.commands[1], "date");
	assert_string_equal(rr.commands[2], "echo '$(date)'");
	assert_string_equal(rr.commands[3], "tee -a /var/log/x");
	assert_string_equal(rr.rule, "rm-recursive");
	assert_int_equal(rr.level, RISK_HIGH);
	risk_result_clear(&rr);

	risk_classify(NULL, "bash -c 'systemctl stop nginx' > /tmp/log", 0,
	    &rr);
	assert_int_equal(rr.ncommands, 2);
	assert_string_equal(rr.commands[0], "systemctl stop nginx");
	assert_string_equal(rr.commands[1], "bash -c 'systemctl stop nginx' "
	    ">/tmp/log");
	risk_result_clear(&rr);
}

/* Load a config held in memory; fails the test on errors. */
static struct omv_config *
t_config(const char *text)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;

	cfg = cfg_load_string(text, "test.conf", &errs);
	if (cfg == NULL)
		fail_msg("%s", errs.n != 0 ? errs.msgs[0] : "no config");
	cfg_errors_clear(&errs);
	return (cfg);
}

/* Level and rule of line under a config's rules. */
static void
t_expect(const struct omv_config *cfg, const char *line,
    enum risk_level level, const char *rule)
{
	struct risk_result	rr;

	risk_classify(cfg->rules, line, 0, &rr);
	if (rr.level != level || (rule == NULL) != (rr.rule == NULL) ||
	    (rule != NULL && strcmp(rule, rr.rule) != 0))
		fail_msg("%s: want %s [%s], got %s [%s]", line,
		    risk_level_name(level), rule != NULL ? rule : "-",
		    risk_level_name(rr.level), rr.rule != NULL ? rr.rule : "-");
	risk_result_clear(&rr);
}

/* A config adds rules, changes levels, drops rules, sets escalation. */
static void
test_config_merge(void **state)
{
	struct omv_config	*cfg;
	size_t			 n = risk_ruleset_count(risk_default_rules());

	(void)state;
	cfg = t_config("risk = {\n"
	    "  escalate = { production = 2; staging = 1; none = 1; };\n"
	    "  rules = (\n"
	    "    { name = \"deploy\"; level = \"high\"; program = \"deploy*\";\n"
	    "      reason = \"deploy: ships code\"; },\n"
	    "    { name = \"service-restart\"; level = \"medium\"; },\n"
	    "    { name = \"kill-9\"; disabled = true; },\n"
	    "    { name = \"unknown\"; level = \"medium\"; fallback = true;\n"
	    "      reason = \"unknown program\"; }\n"
	    "  );\n"
	    "};\n");
	assert_int_equal(cfg->escalate[ENV_PRODUCTION], 2);
	assert_int_equal(cfg->escalate[ENV_STAGING], 1);
	assert_int_equal(cfg->escalate[ENV_DEVELOPMENT], 0);
	assert_int_equal(cfg->escalate[ENV_NONE], 1);
	assert_int_equal(risk_ruleset_count(cfg->rules), n);	/* +1 -1 */
	t_expect(cfg, "deploy-app --prod", RISK_HIGH, "deploy");
	t_expect(cfg, "systemctl restart nginx", RISK_MEDIUM,
	    "service-restart");
	t_expect(cfg, "kill -9 42", RISK_MEDIUM, "kill");
	t_expect(cfg, "frobnicate", RISK_MEDIUM, "unknown");
	t_expect(cfg, "ls", RISK_LOW, "read-files");
	t_expect(cfg, "rm -rf /", RISK_CRITICAL, "rm-root");
	cfg_free(cfg);

	/* replace = true: only the config's rules. */
	cfg = t_config("risk = { replace = true; rules = (\n"
	    "  { name = \"only\"; level = \"critical\"; program = \"ls\";\n"
	    "    flags = \"l\"; reason = \"ls -l is forbidden here\"; }\n"
	    "); };\n");
	assert_int_equal(risk_ruleset_count(cfg->rules), 1);
	t_expect(cfg, "ls -la", RISK_CRITICAL, "only");
	t_expect(cfg, "rm -rf /", RISK_LOW, NULL);
	cfg_free(cfg);

	/* No risk section: the built-in rules, production escalated once. */
	cfg = t_config("");
	assert_int_equal(risk_ruleset_count(cfg->rules), n);
	assert_int_equal(cfg->escalate[ENV_PRODUCTION], 1);
	assert_int_equal(cfg->escalate[ENV_STAGING], 0);
	cfg_free(cfg);
}

/* Bad risk sections are refused with "file:line: problem". */
static void
test_config_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*want;
	} cases[] = {
		{ "risk = { frob = 1; };", "test.conf:1: risk: unknown setting "
		  "'frob'" },
		{ "risk = { escalate = { production = 5; }; };",
		  "test.conf:1: risk.escalate.production must be a number "
		  "from 0 to 3" },
		{ "risk = { escalate = { moon = 1; }; };",
		  "unknown env 'moon'" },
		{ "risk = { replace = 1; };", "risk.replace must be true or "
		  "false" },
		{ "risk = { rules = ( { level = \"high\"; program = \"x\"; "
		  "reason = \"r\"; } ); };", "risk rule needs a name" },
		{ "risk = {\n rules = (\n { name = \"x\"; level = \"huge\"; "
		  "program = \"x\"; reason = \"r\"; } ); };",
		  "test.conf:3: rule 'x': level must be low, medium, high or "
		  "critical" },
		{ "risk = { rules = ( { name = \"x\"; level = \"high\"; "
		  "program = \"x\"; } ); };", "rule 'x' needs a reason" },
		{ "risk = { rules = ( { name = \"x\"; level = \"high\"; "
		  "reason = \"r\"; } ); };", "rule 'x' matches nothing" },
		{ "risk = { rules = ( { name = \"x\"; level = \"high\"; "
		  "program = \"x\"; reason = \"r\"; colour = 1; } ); };",
		  "rule 'x': unknown setting 'colour'" },
		{ "risk = { rules = ( { name = \"x\"; level = \"high\"; "
		  "program = 5; reason = \"r\"; } ); };",
		  "rule 'x': program must be a string or an array of strings" },
		{ "risk = { rules = ( { name = \"x\"; level = \"high\"; "
		  "features = \"sparkly\"; reason = \"r\"; } ); };",
		  "rule 'x': unknown feature 'sparkly'" },
		{ "risk = { rules = ( { name = \"x\"; level = \"high\"; "
		  "program = \"a\"; reason = \"r\"; }, { name = \"x\"; "
		  "level = \"low\"; program = \"b\"; reason = \"r\"; } ); };",
		  "rule 'x' is defined twice" },
		{ "risk = { replace = true; };", "risk.replace = true needs at "
		  "least one rule" },
		{ "risk = { rules = { a = 1; }; };", "risk.rules must be a "
		  "list" },
		{ "risk = { rules = ( { name = \"x\"; level = \"high\"; "
		  "program = [ \"\" ]; reason = \"r\"; } ); };",
		  "program must hold non-empty strings" },
	};
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	size_t			 i, j;
	bool			 found;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg = cfg_load_string(cases[i].text, "test.conf", &errs);
		if (cfg != NULL)
			fail_msg("accepted: %s", cases[i].text);
		for (found = false, j = 0; j < errs.n && !found; j++)
			found = strstr(errs.msgs[j], cases[i].want) != NULL;
		if (!found)
			fail_msg("%s: want '%s', got '%s'", cases[i].text,
			    cases[i].want, errs.n != 0 ? errs.msgs[0] : "");
		cfg_errors_clear(&errs);
	}
}

/*
 * Run argv (never through a shell) with input on stdin and stdout plus
 * stderr into *out; returns the exit status, -1 if it did not exit.
 */
static int
t_run(char *const argv[], const char *input, char **out)
{
	struct sbuf	sb;
	char		buf[4096];
	ssize_t		n;
	pid_t		pid;
	int		in[2], p[2], status;

	if (pipe(in) != 0 || pipe(p) != 0)
		fail_msg("pipe: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		dup2(in[0], 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(in[0]);
		close(in[1]);
		close(p[0]);
		close(p[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(in[0]);
	close(p[1]);
	if (input != NULL && write(in[1], input, strlen(input)) < 0)
		fail_msg("write: %s", strerror(errno));
	close(in[1]);
	sbuf_init(&sb);
	while ((n = read(p[0], buf, sizeof buf)) > 0)
		sbuf_add(&sb, buf, (size_t)n);
	close(p[0]);
	waitpid(pid, &status, 0);
	*out = sbuf_steal(&sb);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Write a 0600 config file under tmpdir; returns its path. */
static char *
t_conf_file(const char *name, const char *text)
{
	char	*path = xprintf("%s/%s", tmpdir, name);
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		fail_msg("%s: %s", path, strerror(errno));
	close(fd);
	return (path);
}

/* `omv risk` prints LEVEL, reason and rule, or JSON; errors exit 2. */
static void
test_cli(void **state)
{
	const char	*bin = getenv("OMV_BIN");
	char		*conf, *bad, *out, *missing;
	int		 rc;

	(void)state;
	if (bin == NULL)
		skip();
	conf = t_conf_file("cli.conf", "risk = {\n"
	    "  escalate = { production = 2; };\n"
	    "  rules = ( { name = \"deploy\"; level = \"high\";\n"
	    "    program = \"deploy\"; reason = \"deploy: ships code\"; } );\n"
	    "};\n");
	bad = t_conf_file("bad.conf", "risk = {\n  rules = 7;\n};\n");
	missing = xprintf("%s/none.conf", tmpdir);

	rc = t_run((char *[]){ (char *)bin, (char *)"risk", (char *)"-c", conf,
	    (char *)"--", (char *)"systemctl", (char *)"stop", (char *)"nginx",
	    NULL }, NULL, &out);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "HIGH\tsystemctl stop: stops a service\t"
	    "[service-stop]\n");
	free(out);

	rc = t_run((char *[]){ (char *)bin, (char *)"risk", (char *)"-c", conf,
	    (char *)"rm", (char *)"-rf", (char *)"/", NULL }, NULL, &out);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "CRITICAL\trm -r on /: destroys the whole "
	    "system\t[rm-root]\n");
	free(out);

	rc = t_run((char *[]){ (char *)bin, (char *)"risk", (char *)"-c", conf,
	    (char *)"--env", (char *)"production", (char *)"--", (char *)"ls",
	    NULL }, NULL, &out);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "HIGH\treads files\t[read-files]\n");
	free(out);

	rc = t_run((char *[]){ (char *)bin, (char *)"risk", (char *)"-c", conf,
	    (char *)"--json", (char *)"--", (char *)"deploy", (char *)"--now",
	    NULL }, NULL, &out);
	assert_int_equal(rc, 0);
	assert_string_equal(out, "{\"level\": \"high\", \"base_level\": "
	    "\"high\", \"rule\": \"deploy\", \"reason\": \"deploy: ships "
	    "code\", \"unparsed\": false, \"commands\": [\"deploy --now\"]}\n");
	free(out);

	rc = t_run((char *[]){ (char *)bin, (char *)"risk", (char *)"-c", conf,
	    (char *)"--json", (char *)"-", NULL },
	    "ls -l\n\necho \"x\n", &out);
	assert_int_equal(rc, 0);
	assert_string_equal(out,
	    "{\"level\": \"low\", \"base_level\": \"low\", \"rule\": "
	    "\"read-files\", \"reason\": \"reads files\", \"unparsed\": false, "
	    "\"commands\": [\"ls -l\"]}\n"
	    "{\"level\": \"low\", \"base_level\": \"low\", \"rule\": null, "
	    "\"reason\": \"no command\", \"unparsed\": false, \"commands\": "
	    "[]}\n"
	    "{\"level\": \"medium\", \"base_level\": \"medium\", \"rule\": "
	    "null, \"reason\": \"could not parse the line (unbalanced quote): "
	    "treated as at least medium\", \"unparsed\": true, \"commands\": "
	    "[\"echo x\"]}\n");
	free(out);

	/* Usage and config errors exit 2 with a message. */
	rc = t_run((char *[]){ (char *)bin, (char *)"risk", NULL }, NULL, &out);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "usage: omv risk"));
	free(out);
	rc = t_run((char *[]){ (char *)bin, (char *)"risk", (char *)"-c", conf,
	    (char *)"--env", (char *)"moon", (char *)"ls", NULL }, NULL, &out);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "unknown env 'moon'"));
	free(out);
	rc = t_run((char *[]){ (char *)bin, (char *)"risk", (char *)"-c", bad,
	    (char *)"ls", NULL }, NULL, &out);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "bad.conf:2: risk.rules must be a list"));
	free(out);
	rc = t_run((char *[]){ (char *)bin, (char *)"risk", (char *)"-c",
	    missing, (char *)"ls", NULL }, NULL, &out);
	assert_int_equal(rc, 2);
	free(out);

	unlink(conf);
	unlink(bad);
	free(conf);
	free(bad);
	free(missing);
}

/* A private directory for config files. */
static int
setup(void **state)
{
	(void)state;
	tmpdir = xstrdup("/tmp/omv-test-risk.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return (-1);
	return (0);
}

/* Remove the private directory. */
static int
teardown(void **state)
{
	(void)state;
	rmdir(tmpdir);
	free(tmpdir);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_every_rule_tested),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_unparsed),
		cmocka_unit_test(test_escalation),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_config_merge),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_cli),
	};

	return (cmocka_run_group_tests_name("risk", tests, setup, teardown));
}
