/*
 * test_keymap.c: key names, commands, the default bindings and user
 * overrides, and the curses key translation.  Table-driven cases live in
 * tests/data/keymap/: keys.txt (names and their canonical spelling),
 * commands.txt (commands per table), defaults.txt (documented bindings).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omv.h"
#include "cfg.h"
#include "cfg-keys.h"
#include "keymap.h"
#include "ui-keys.h"

/* Open a data file under $OMV_TEST_DATA. */
static FILE *
data_open(const char *name)
{
	const char	*dir = getenv("OMV_TEST_DATA");
	char		 path[4096];
	FILE		*f;

	snprintf(path, sizeof path, "%s/keymap/%s",
	    dir != NULL ? dir : "tests/data", name);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	return (f);
}

/* Trim spaces at both ends, in place. */
static char *
trim(char *s)
{
	size_t	len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return (s);
}

static void
test_keymap_key_names(void **state)
{
	FILE		*f;
	char		 line[256], buf[KEYMAP_KEY_MAX], *in, *want, *save;
	uint32_t	 key, again;
	int		 lineno = 0, cases = 0;

	(void)state;
	f = data_open("keys.txt");
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		in = strtok_r(line, " \t\n", &save);
		want = strtok_r(NULL, " \t\n", &save);
		if (in == NULL || want == NULL)
			fail_msg("keys.txt:%d: malformed", lineno);
		cases++;
		if (strcmp(want, "!") == 0) {
			if (keymap_key_parse(in, &key) == 0)
				fail_msg("keys.txt:%d: '%s' parsed", lineno, in);
			continue;
		}
		if (keymap_key_parse(in, &key) != 0)
			fail_msg("keys.txt:%d: '%s' refused", lineno, in);
		keymap_key_string(key, buf, sizeof buf);
		if (strcmp(buf, want) != 0)
			fail_msg("keys.txt:%d: '%s' is '%s', want '%s'", lineno,
			    in, buf, want);
		assert_int_equal(keymap_key_parse(buf, &again), 0);
		assert_int_equal(again, key);
	}
	fclose(f);
	assert_true(cases >= 60);
	assert_int_equal(keymap_key_parse("", &key), -1);
	assert_int_equal(keymap_key_parse(NULL, &key), -1);
	assert_int_equal(keymap_key_parse("\x01", &key), -1);
	assert_int_equal(keymap_key_parse("\xc3", &key), -1);	/* cut UTF-8 */
	assert_int_equal(keymap_key_parse("\xc0\xaf", &key), -1); /* overlong */
}

/* Every key with every modifier prints a name that reads back as itself. */
static void
test_keymap_key_roundtrip(void **state)
{
	char		 buf[KEYMAP_KEY_MAX];
	uint32_t	 base, key, again, mods;
	int		 n = 0;

	(void)state;
	for (mods = 0; mods <= (KEYC_CTRL | KEYC_META | KEYC_SHIFT);
	    mods += KEYC_META) {
		for (base = 0x01; base < KEYC_LAST; base++) {
			if (base == 0x80)
				base = 0xa0;
			if (base == 0x800)
				base = 0xfff0;
			if (base == 0x10000)
				base = KEYC_BASE;
			key = keymap_key_normalise(base | mods);
			keymap_key_string(key, buf, sizeof buf);
			if (keymap_key_parse(buf, &again) != 0 || again != key)
				fail_msg("%#x: '%s' does not read back", key, buf);
			n++;
		}
	}
	assert_true(n > 1000);
	assert_int_equal(keymap_key_normalise(0x02), 'b' | KEYC_CTRL);
	assert_int_equal(keymap_key_normalise(0x00), ' ' | KEYC_CTRL);
	assert_int_equal(keymap_key_normalise(0x1f), '_' | KEYC_CTRL);
	assert_int_equal(keymap_key_normalise('I' | KEYC_CTRL), KEYC_TAB);
	assert_string_equal(keymap_key_string(KEYC_NONE, buf, sizeof buf),
	    "None");
}

static void
test_keymap_commands(void **state)
{
	FILE			*f;
	struct key_binding	 kb;
	char			 line[256], *table, *cmd, *want, *cause, *save;
	int			 lineno = 0, rc, cases = 0;

	(void)state;
	f = data_open("commands.txt");
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		table = strtok_r(line, "|", &save);
		cmd = strtok_r(NULL, "|", &save);
		want = strtok_r(NULL, "|", &save);
		if (table == NULL || cmd == NULL || want == NULL)
			fail_msg("commands.txt:%d: malformed", lineno);
		memset(&kb, 0, sizeof kb);
		kb.table = trim(table);
		kb.key = (char *)"x";
		kb.command = trim(cmd);
		want = trim(want);
		cause = NULL;
		rc = keymap_check(&kb, &cause);
		if (strcmp(want, "ok") == 0 && rc != 0)
			fail_msg("commands.txt:%d: %s", lineno, cause);
		if (want[0] == '!' && (rc == 0 || strstr(cause, want + 1) ==
		    NULL))
			fail_msg("commands.txt:%d: got '%s', want '%s'", lineno,
			    rc == 0 ? "ok" : cause, want + 1);
		free(cause);
		cases++;
	}
	fclose(f);
	assert_true(cases >= 30);
}

static void
test_keymap_cmd_parse(void **state)
{
	struct keymap_cmd	 cmd;
	char			*cause = NULL;

	(void)state;
	assert_int_equal(keymap_cmd_parse("resize-pane -U 5", &cmd, &cause), 0);
	assert_int_equal(cmd.op, KEYOP_RESIZE_PANE);
	assert_int_equal(cmd.dir, LAYOUT_UP);
	assert_int_equal(cmd.count, 5);
	assert_int_equal(keymap_cmd_parse("resize-pane -R", &cmd, &cause), 0);
	assert_int_equal(cmd.dir, LAYOUT_RIGHT);
	assert_int_equal(cmd.count, 1);
	assert_int_equal(keymap_cmd_parse("select-pane -D", &cmd, &cause), 0);
	assert_int_equal(cmd.op, KEYOP_SELECT_PANE);
	assert_int_equal(cmd.dir, LAYOUT_DOWN);
	assert_int_equal(keymap_cmd_parse("send-prefix", &cmd, &cause), 0);
	assert_int_equal(cmd.op, KEYOP_SEND_PREFIX);
	assert_int_equal(keymap_cmd_parse("", &cmd, &cause), -1);
	assert_string_equal(cause, "empty command");
	free(cause);
	assert_int_equal(keymap_cmd_parse("nope", &cmd, &cause), -1);
	assert_int_equal(cmd.op, KEYOP_NONE);
	free(cause);
	assert_string_equal(keymap_cmd_help("resize-pane -L 5"),
	    "move the pane's border");
	assert_null(keymap_cmd_help("nope"));
	assert_true(keymap_table_valid("copy"));
	assert_false(keymap_table_valid("Copy"));
}

/* The defaults parse, pass every check, and hold what the docs promise. */
static void
test_keymap_defaults(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct key_binding	*kb;
	struct keymap		*km;
	struct keymap_entry	 e[256];
	FILE			*f;
	char			 line[256], *table, *key, *cmd, *cause = NULL;
	const char		*got;
	uint32_t		 k;
	size_t			 n, i, listed;
	int			 lineno = 0;

	(void)state;
	assert_int_equal(cfg_keys_default(&kb, &n, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_true(n >= 60);
	assert_string_equal(kb[1].key, "\"");
	assert_int_equal(kb[0].line, 4);
	for (i = 0; i < n; i++) {
		if (keymap_check(&kb[i], &cause) != 0)
			fail_msg("default line %d: %s", kb[i].line, cause);
	}

	km = keymap_create(NULL, 0, &cause);
	assert_non_null(km);
	assert_int_equal(keymap_prefix(km), 'b' | KEYC_CTRL);
	f = data_open("defaults.txt");
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		table = strtok(line, "\t");
		key = strtok(NULL, "\t");
		cmd = strtok(NULL, "\n");
		assert_non_null(cmd);
		assert_int_equal(keymap_key_parse(key, &k), 0);
		got = keymap_lookup(km, table, k);
		if (got == NULL || strcmp(got, cmd) != 0)
			fail_msg("defaults.txt:%d: %s %s is '%s', want '%s'",
			    lineno, table, key, got != NULL ? got : "(none)",
			    cmd);
	}
	fclose(f);

	/* The help overlay lists every binding once, all with help text. */
	listed = keymap_list(km, e, 256);
	assert_int_equal(listed, n);
	for (i = 0; i < listed; i++) {
		assert_non_null(e[i].help);
		assert_false(e[i].user);
		if (i > 0 && strcmp(e[i].table, e[i - 1].table) != 0)
			assert_true(strcmp(e[i - 1].table, "prefix") == 0 ||
			    strcmp(e[i - 1].table, "sidebar") == 0 ||
			    strcmp(e[i - 1].table, "copy") == 0);
	}
	assert_string_equal(e[0].table, "prefix");
	assert_int_equal(keymap_list(km, e, 2), n);
	assert_null(keymap_lookup(km, "root", 'x'));
	assert_null(keymap_lookup(km, "nosuch", 'x'));
	/* Lookup normalises: a raw ^B is C-b. */
	assert_string_equal(keymap_lookup(km, "prefix", 0x02), "send-prefix");
	keymap_free(km);
	cfg_keys_free(kb, n);
	keymap_free(NULL);
}

/* User bindings replace, add and unbind; errors name the line. */
static void
test_keymap_user(void **state)
{
	struct key_binding	 ok[] = {
		{ (char *)"prefix", (char *)"%", (char *)"split-v", 3 },
		{ (char *)"prefix", (char *)"x", (char *)"", 4 },
		{ (char *)"prefix", (char *)"z", (char *)"none", 5 },
		{ (char *)"root", (char *)"M-Left", (char *)"select-pane -L", 6 },
		{ (char *)"copy", (char *)"C-u", (char *)"page-up", 7 },
		{ (char *)"prefix", (char *)"y", (char *)"none", 8 },
	};
	struct key_binding	 bad[] = {
		{ (char *)"prefix", (char *)"%", (char *)"split-v", 3 },
		{ (char *)"prefix", (char *)"C-", (char *)"zoom", 12 },
		{ (char *)"prefix", (char *)"%", (char *)"bogus", 14 },
	};
	struct keymap_entry	 e[256];
	struct keymap		*km;
	char			*cause = NULL;
	size_t			 n, i, users = 0;

	(void)state;
	km = keymap_create(ok, 6, &cause);
	assert_non_null(km);
	assert_string_equal(keymap_lookup(km, "prefix", '%'), "split-v");
	assert_null(keymap_lookup(km, "prefix", 'x'));
	assert_null(keymap_lookup(km, "prefix", 'z'));
	assert_string_equal(keymap_lookup(km, "root", KEYC_LEFT | KEYC_META),
	    "select-pane -L");
	assert_string_equal(keymap_lookup(km, "copy", 'u' | KEYC_CTRL),
	    "page-up");
	assert_string_equal(keymap_lookup(km, "prefix", '"'), "split-v");
	n = keymap_list(km, e, 256);
	for (i = 0; i < n; i++)
		users += e[i].user;
	assert_int_equal(users, 3);
	/* The first listed binding is root's. */
	assert_string_equal(e[0].table, "root");

	/* Live rebinding. */
	assert_int_equal(keymap_bind(km, "prefix", "z", "zoom", &cause), 0);
	assert_string_equal(keymap_lookup(km, "prefix", 'z'), "zoom");
	assert_int_equal(keymap_bind(km, "prefix", "z", "deny", &cause), -1);
	assert_non_null(strstr(cause, "does not apply"));
	free(cause);
	keymap_free(km);

	km = keymap_create(bad, 3, &cause);
	assert_null(km);
	assert_string_equal(cause,
	    "line 12: unknown key 'C-' (and 1 more)");
	free(cause);
	km = keymap_create(&bad[2], 1, &cause);
	assert_null(km);
	assert_string_equal(cause,
	    "line 14: key '%': unknown command 'bogus'");
	free(cause);
}

/* A new prefix takes the default send-prefix binding with it. */
static void
test_keymap_prefix(void **state)
{
	struct key_binding	 mine[] = {
		{ (char *)"prefix", (char *)"C-a", (char *)"zoom", 1 },
	};
	struct keymap		*km;
	char			*cause = NULL;

	(void)state;
	km = keymap_create(NULL, 0, &cause);
	assert_int_equal(keymap_set_prefix(km, "C-a", &cause), 0);
	assert_int_equal(keymap_prefix(km), 'a' | KEYC_CTRL);
	assert_string_equal(keymap_lookup(km, "prefix", 'a' | KEYC_CTRL),
	    "send-prefix");
	assert_null(keymap_lookup(km, "prefix", 'b' | KEYC_CTRL));
	/* Back to C-b: it moves back. */
	assert_int_equal(keymap_set_prefix(km, "C-b", &cause), 0);
	assert_string_equal(keymap_lookup(km, "prefix", 'b' | KEYC_CTRL),
	    "send-prefix");
	/* Over an existing default ("a" is approvals), the default yields. */
	assert_int_equal(keymap_set_prefix(km, "a", &cause), 0);
	assert_string_equal(keymap_lookup(km, "prefix", 'a'), "send-prefix");
	assert_int_equal(keymap_set_prefix(km, "C-", &cause), -1);
	assert_string_equal(cause, "unknown prefix key 'C-'");
	free(cause);
	keymap_free(km);

	/* The user's own binding of the new prefix key wins. */
	km = keymap_create(mine, 1, &cause);
	assert_int_equal(keymap_set_prefix(km, "C-a", &cause), 0);
	assert_string_equal(keymap_lookup(km, "prefix", 'a' | KEYC_CTRL),
	    "zoom");
	assert_string_equal(keymap_lookup(km, "prefix", 'b' | KEYC_CTRL),
	    "send-prefix");
	keymap_free(km);
}

/* Broken key texts: every problem, each with file:line. */
static void
test_keymap_cfg_errors(void **state)
{
	static const struct {
		const char	*text;
		const char	*want[3];
	} cases[] = {
		{ "keys = (\n"
		  "  { key = \"x\"; command = \"zoom\"; },\n"
		  "  { key = \"y\";\n"
		  "    cmd = \"zoom\"; }\n"
		  ");\n",
		  { "t.conf:4: keys: unknown field 'cmd'",
		    "t.conf:3: keys: missing command", NULL } },
		{ "keys = ( { key = 5; command = \"zoom\"; } );\n",
		  { "t.conf:1: keys: key must be a string", NULL } },
		{ "keys = (\n { key = ; }\n);\n",
		  { "t.conf:2: syntax error", NULL } },
		{ "keys = ( \"x\" );\n",
		  { "t.conf:1: keys: each binding must be a group { }", NULL } },
		{ "keys = { a = 1; };\n",
		  { "t.conf:1: keys must be a list: ( { ... }, ... )", NULL } },
		{ "\n\nbinds = ();\n",
		  { "t.conf:3: unknown setting 'binds'", "t.conf: no keys list",
		    NULL } },
	};
	struct cfg_errors	 errs = { NULL, 0 };
	struct key_binding	*kb;
	size_t			 n, i, j;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (cfg_keys_parse(cases[i].text, "t.conf", &kb, &n,
		    &errs) != -1)
			fail_msg("case %zu parsed", i);
		assert_null(kb);
		for (j = 0; cases[i].want[j] != NULL; j++) {
			if (j >= errs.n)
				fail_msg("case %zu: missing '%s'", i,
				    cases[i].want[j]);
			assert_string_equal(errs.msgs[j], cases[i].want[j]);
		}
		if (errs.n != j)
			fail_msg("case %zu: extra error %s", i, errs.msgs[j]);
		cfg_errors_clear(&errs);
	}

	/* Table defaults to prefix; lines are kept. */
	assert_int_equal(cfg_keys_parse("keys = (\n { key = \"x\"; "
	    "command = \"zoom\"; }\n);", "t.conf", &kb, &n, &errs), 0);
	assert_int_equal(n, 1);
	assert_string_equal(kb[0].table, "prefix");
	assert_int_equal(kb[0].line, 2);
	cfg_keys_free(kb, n);
	assert_int_equal(cfg_keys_parse("keys = ();", "t.conf", &kb, &n,
	    &errs), 0);
	assert_int_equal(n, 0);
	cfg_keys_free(kb, n);
}

/* curses results to keys, including terminfo's modified cursor keys. */
static void
test_keymap_curses(void **state)
{
	SCREEN		*sp;
	FILE		*out, *in;
	uint32_t	 key;
	int		 code;

	(void)state;
	assert_int_equal(ui_keys_from_curses(KEY_CODE_YES, KEY_UP, &key), 0);
	assert_int_equal(key, KEYC_UP);
	assert_int_equal(ui_keys_from_curses(KEY_CODE_YES, KEY_NPAGE, &key), 0);
	assert_int_equal(key, KEYC_NPAGE);
	assert_int_equal(ui_keys_from_curses(KEY_CODE_YES, KEY_F(5), &key), 0);
	assert_int_equal(key, KEYC_F5);
	assert_int_equal(ui_keys_from_curses(KEY_CODE_YES, KEY_F(13), &key), 0);
	assert_int_equal(key, KEYC_F1 | KEYC_SHIFT);
	assert_int_equal(ui_keys_from_curses(KEY_CODE_YES, KEY_F(36), &key), 0);
	assert_int_equal(key, KEYC_F12 | KEYC_CTRL);
	assert_int_equal(ui_keys_from_curses(KEY_CODE_YES, KEY_SR, &key), 0);
	assert_int_equal(key, KEYC_UP | KEYC_SHIFT);
	assert_int_equal(ui_keys_from_curses(KEY_CODE_YES, KEY_BTAB, &key), 0);
	assert_int_equal(key, KEYC_BTAB);
	assert_int_equal(ui_keys_from_curses(KEY_CODE_YES, KEY_BACKSPACE,
	    &key), 0);
	assert_int_equal(key, KEYC_BSPACE);
	assert_int_equal(ui_keys_from_curses(KEY_CODE_YES, KEY_RESIZE, &key),
	    -1);
	assert_int_equal(ui_keys_from_curses(ERR, 0, &key), -1);
	assert_int_equal(ui_keys_from_curses(OK, 0x02, &key), 0);
	assert_int_equal(key, 'b' | KEYC_CTRL);
	assert_int_equal(ui_keys_from_curses(OK, '\r', &key), 0);
	assert_int_equal(key, KEYC_ENTER);
	assert_int_equal(ui_keys_from_curses(OK, '\n', &key), 0);
	assert_int_equal(key, KEYC_ENTER);
	assert_int_equal(ui_keys_from_curses(OK, 0x1b, &key), 0);
	assert_int_equal(key, KEYC_ESCAPE);
	assert_int_equal(ui_keys_from_curses(OK, 0x7f, &key), 0);
	assert_int_equal(key, KEYC_BSPACE);
	assert_int_equal(ui_keys_from_curses(OK, '\t', &key), 0);
	assert_int_equal(key, KEYC_TAB);
	assert_int_equal(ui_keys_from_curses(OK, 0x20ac, &key), 0);
	assert_int_equal(key, 0x20ac);

	/* A real xterm-256color screen, off to /dev/null. */
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	assert_non_null(out);
	assert_non_null(in);
	sp = newterm("xterm-256color", out, in);
	if (sp == NULL) {
		fclose(out);
		fclose(in);
		skip();
	}
	keypad(stdscr, TRUE);
	ui_keys_init();
	code = key_defined("\033[1;5A");	/* kUP5 */
	assert_true(code > 0);
	assert_int_equal(ui_keys_from_curses(KEY_CODE_YES, code, &key), 0);
	assert_int_equal(key, KEYC_UP | KEYC_CTRL);
	code = key_defined("\033[1;3D");	/* kLFT3 */
	assert_true(code > 0);
	assert_int_equal(ui_keys_from_curses(KEY_CODE_YES, code, &key), 0);
	assert_int_equal(key, KEYC_LEFT | KEYC_META);
	endwin();
	delscreen(sp);
	fclose(out);
	fclose(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keymap_key_names),
		cmocka_unit_test(test_keymap_key_roundtrip),
		cmocka_unit_test(test_keymap_commands),
		cmocka_unit_test(test_keymap_cmd_parse),
		cmocka_unit_test(test_keymap_defaults),
		cmocka_unit_test(test_keymap_user),
		cmocka_unit_test(test_keymap_prefix),
		cmocka_unit_test(test_keymap_cfg_errors),
		cmocka_unit_test(test_keymap_curses),
	};

	return (cmocka_run_group_tests_name("keymap", tests, NULL, NULL));
}
