/*
 * test_client.c: security.allowed_clients, table-driven from
 * tests/data/client-cases.txt: address/network matching (IPv4, IPv6,
 * mapped, zones, prefix validation), entry validation, and client_check
 * on whole SSH_CONNECTION values including local logins.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "client.h"

#define MAX_FIELDS 5

/* Decode \xHH escapes in place. */
static void
unescape(char *s)
{
	char	*out = s, hex[3];

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] == 'x' && s[2] != '\0' &&
		    s[3] != '\0') {
			hex[0] = s[2];
			hex[1] = s[3];
			hex[2] = '\0';
			*out++ = (char)strtol(hex, NULL, 16);
			s += 4;
		} else
			*out++ = *s++;
	}
	*out = '\0';
}

/* Split a line at tabs into at most MAX_FIELDS fields; the count. */
static int
split(char *line, char **f)
{
	int	n = 0;
	char	*p = line;

	for (;;) {
		f[n++] = p;
		if ((p = strchr(p, '\t')) == NULL || n == MAX_FIELDS)
			break;
		*p++ = '\0';
	}
	return (n);
}

/* A config with only allowed_clients (comma-separated; "-": none). */
static struct omv_config *
config_with(const char *list)
{
	struct omv_config	*cfg;
	char			*copy, *tok, *save = NULL;

	cfg = xcalloc(1, sizeof *cfg);
	if (strcmp(list, "-") == 0)
		return (cfg);
	copy = xstrdup(list);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		cfg->security.allowed_clients = xreallocarray(
		    cfg->security.allowed_clients,
		    cfg->security.nallowed_clients + 1, sizeof (char *));
		cfg->security.allowed_clients[
		    cfg->security.nallowed_clients++] = xstrdup(tok);
	}
	free(copy);
	return (cfg);
}

/* Free what config_with made. */
static void
config_free(struct omv_config *cfg)
{
	strv_free(cfg->security.allowed_clients,
	    cfg->security.nallowed_clients);
	free(cfg);
}

/* One "check" row; returns 0 when it behaved as the table says. */
static int
run_check(int lineno, char **f, int n)
{
	struct omv_config	*cfg;
	const char		*conn;
	char			*why = NULL;
	int			 rc, bad = 0;

	conn = strcmp(f[1], "-") == 0 ? NULL : f[1];
	cfg = config_with(f[2]);
	rc = client_check(cfg, conn, &why);
	if ((strcmp(f[3], "allow") == 0) != (rc == 0)) {
		print_error("line %d: '%s' against %s: got %s (%s)\n", lineno,
		    f[1], f[2], rc == 0 ? "allow" : "refuse",
		    why != NULL ? why : "");
		bad = 1;
	} else if (rc == 0 && why != NULL) {
		print_error("line %d: allowed but why was set\n", lineno);
		bad = 1;
	} else if (rc != 0 && (why == NULL ||
	    (n > 4 && strstr(why, f[4]) == NULL))) {
		print_error("line %d: why '%s' lacks '%s'\n", lineno,
		    why != NULL ? why : "(null)", n > 4 ? f[4] : "");
		bad = 1;
	}
	free(why);
	config_free(cfg);
	return (bad);
}

/* One row of any kind; returns 0 when it behaved as the table says. */
static int
run_row(int lineno, char **f, int n)
{
	int	got, want;

	if (strcmp(f[0], "match") == 0 && n >= 4) {
		want = atoi(f[3]);
		got = client_match(f[1], f[2]);
		if (got != want) {
			print_error("line %d: match %s in %s: got %d, want "
			    "%d\n", lineno, f[1], f[2], got, want);
			return (1);
		}
		return (0);
	}
	if (strcmp(f[0], "valid") == 0 && n >= 3) {
		want = strcmp(f[2], "yes") == 0;
		got = client_entry_valid(f[1]);
		if (got != want) {
			print_error("line %d: valid '%s': got %s\n", lineno,
			    f[1], got ? "yes" : "no");
			return (1);
		}
		return (0);
	}
	if (strcmp(f[0], "check") == 0 && n >= 4)
		return (run_check(lineno, f, n));
	print_error("line %d: malformed row\n", lineno);
	return (1);
}

/* Every row of the table, counting each kind so an empty table fails. */
static void
test_table(void **state)
{
	const char	*dir;
	char		*path, line[1024], *f[MAX_FIELDS];
	FILE		*fp;
	int		 lineno = 0, n, i, failed = 0;
	int		 counts[3] = { 0, 0, 0 };

	(void)state;
	dir = getenv("OMV_TEST_DATA");
	path = xprintf("%s/client-cases.txt", dir != NULL ? dir : "tests/data");
	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		n = split(line, f);
		for (i = 1; i < n; i++)
			unescape(f[i]);
		failed += run_row(lineno, f, n);
		counts[f[0][0] == 'm' ? 0 : f[0][0] == 'v' ? 1 : 2]++;
	}
	fclose(fp);
	free(path);
	print_message("client-cases: %d match, %d valid, %d check rows\n",
	    counts[0], counts[1], counts[2]);
	assert_true(counts[0] > 0 && counts[1] > 0 && counts[2] > 0);
	assert_int_equal(failed, 0);
}

/* No config at all allows, like an empty list. */
static void
test_no_config(void **state)
{
	char	*why = NULL;

	(void)state;
	assert_int_equal(client_check(NULL, NULL, &why), 0);
	assert_null(why);
	assert_int_equal(client_match(NULL, "10.0.0.0/8"), -1);
	assert_int_equal(client_match("10.0.0.1", NULL), -1);
	assert_false(client_entry_valid(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_no_config),
	};

	return (cmocka_run_group_tests_name("client", tests, NULL, NULL));
}
