/*
 * test_cfg.c: the config loader on real files.  Every case copies its files
 * into a fresh temporary directory (mode 0600, as the loader demands) and
 * points $HOME, $OMV_CONFIG and $OMV_SYSTEM_CONFIG there, so nothing of the
 * machine's own configuration leaks in.  Bad configs are a table
 * (tests/data/cfg/bad.table): each file and how one of its errors must
 * start, "file:line: message".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "ident.h"
#include "risk.h"

/* The data directory: $OMV_TEST_DATA/cfg. */
static const char *
t_data(void)
{
	static char	 buf[PATH_MAX];
	const char	*d = getenv("OMV_TEST_DATA");

	snprintf(buf, sizeof buf, "%s/cfg", d != NULL ? d : "tests/data");
	return (buf);
}

/* Remove one entry (for nftw). */
static int
t_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

/* A fresh private directory; $HOME points at it, no config is found. */
static char *
t_tmp(void)
{
	char	*dir;

	dir = xstrdup("/tmp/omv-test-cfg-XXXXXX");
	if (mkdtemp(dir) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	setenv("HOME", dir, 1);
	unsetenv("OMV_CONFIG");
	setenv("OMV_SYSTEM_CONFIG", "/nonexistent/omv-test/omv.conf", 1);
	return (dir);
}

/* Remove the directory and everything in it. */
static void
t_rmtmp(char *dir)
{
	nftw(dir, t_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* Write text to path with mode (creating parent directories). */
static char *
t_write(const char *dir, const char *name, const char *text, mode_t mode)
{
	char	*path;
	FILE	*f;

	path = xprintf("%s/%s", dir, name);
	mkdir_parents(path, 0700, NULL);
	if ((f = fopen(path, "w")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return (path);
}

/* The whole of a file, or NULL. */
static char *
t_read(const char *path)
{
	struct sbuf	 sb;
	FILE		*f;
	char		 buf[4096];
	size_t		 n;

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	sbuf_init(&sb);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(f);
	return (sbuf_steal(&sb));
}

/* Copy a file into dir (same base name) with mode. */
static char *
t_copy(const char *src, const char *dir, mode_t mode)
{
	const char	*base;
	char		*text, *path;

	if ((text = t_read(src)) == NULL)
		fail_msg("%s: %s", src, strerror(errno));
	base = strrchr(src, '/') != NULL ? strrchr(src, '/') + 1 : src;
	path = t_write(dir, base, text, mode);
	free(text);
	return (path);
}

/* Copy every file of the data directory into dir, mode 0600. */
static void
t_copy_data(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		*src;

	if ((d = opendir(t_data())) == NULL)
		fail_msg("%s: %s", t_data(), strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		src = xprintf("%s/%s", t_data(), de->d_name);
		free(t_copy(src, dir, 0600));
		free(src);
	}
	closedir(d);
}

/* Print every error (so a failing case shows what the loader said). */
static void
t_print(const struct cfg_errors *errs)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		print_message("  got: %s\n", errs->msgs[i]);
}

/* Does some error start with (or, if anywhere, contain) want? */
static bool
t_has(const struct cfg_errors *errs, const char *want, bool anywhere)
{
	size_t	i;

	for (i = 0; i < errs->n; i++) {
		if (anywhere ? strstr(errs->msgs[i], want) != NULL :
		    strncmp(errs->msgs[i], want, strlen(want)) == 0)
			return (true);
	}
	return (false);
}

/* Load a data file from a 0600 copy in dir (errors go to errs). */
static struct omv_config *
t_load_data(const char *dir, const char *name, struct cfg_errors *errs)
{
	struct omv_config	*cfg;
	char			*src, *path;

	src = xprintf("%s/%s", t_data(), name);
	path = t_copy(src, dir, 0600);
	cfg = cfg_load_file(path, errs);
	free(path);
	free(src);
	return (cfg);
}

/* Is tag among the server's tags? */
static bool
t_tagged(const struct server *sv, const char *tag)
{
	size_t	i;

	for (i = 0; i < sv->ntags; i++) {
		if (strcmp(sv->tags[i], tag) == 0)
			return (true);
	}
	return (false);
}

/* "home/rest" for the current $HOME. */
static char *
t_home(const char *rest)
{
	return (xprintf("%s/%s", getenv("HOME"), rest));
}

static void
test_errors_format(void **state)
{
	struct cfg_errors	errs = { NULL, 0 };

	(void)state;
	cfg_errors_add(&errs, "a.conf", 12, "bad %s", "thing");
	cfg_errors_add(&errs, "a.conf", 0, "no line");
	cfg_errors_add(&errs, NULL, 3, "bare");
	assert_int_equal(errs.n, 3);
	assert_string_equal(errs.msgs[0], "a.conf:12: bad thing");
	assert_string_equal(errs.msgs[1], "a.conf: no line");
	assert_string_equal(errs.msgs[2], "bare");
	cfg_errors_clear(&errs);
	assert_int_equal(errs.n, 0);
	assert_null(errs.msgs);
	cfg_errors_add(NULL, "x", 1, "ignored");
}

/* Nested groups hand user, port, identity, env and tags down the tree. */
static void
test_inheritance(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	struct server		*sv;
	char			*dir, *want;
	static const char	*order[] = {
		"loose", "prod-db", "web-1", "web-2", "edge-1", "dev-1"
	};
	size_t			 i;

	(void)state;
	dir = t_tmp();
	cfg = t_load_data(dir, "good-tree.conf", &errs);
	if (cfg == NULL)
		t_print(&errs);
	assert_non_null(cfg);
	assert_int_equal(errs.n, 0);

	/* Tree order: a group's own servers, then its subgroups'. */
	assert_int_equal(cfg->nservers, 6);
	for (i = 0; i < 6; i++) {
		assert_string_equal(cfg->servers[i]->name, order[i]);
		assert_int_equal(cfg->servers[i]->index, i);
	}
	assert_int_equal(cfg->ngroups, 4);
	assert_int_equal(cfg->root->ngroups, 2);
	assert_int_equal(cfg->root->nservers, 1);
	assert_string_equal(cfg->root->groups[0]->path, "production");
	assert_string_equal(cfg->root->groups[0]->groups[0]->path,
	    "production/web");
	assert_string_equal(cfg->root->groups[0]->groups[0]->groups[0]->path,
	    "production/web/edge");
	assert_ptr_equal(cfg->root->groups[0]->groups[0]->parent,
	    cfg->root->groups[0]);
	assert_int_equal(cfg->root->groups[0]->line, 7);

	/* web-1: everything inherited, three levels of tags. */
	sv = cfg_find_server(cfg, "web-1");
	assert_non_null(sv);
	assert_string_equal(sv->host, "10.0.0.1");
	assert_string_equal(sv->user, "deploy");
	assert_int_equal(sv->port, 2200);
	want = t_home(".ssh/id_omv");
	assert_string_equal(sv->identity, want);
	free(want);
	assert_int_equal(sv->env, ENV_PRODUCTION);
	assert_string_equal(sv->group, "production/web");
	assert_int_equal(sv->ntags, 3);
	assert_string_equal(sv->tags[0], "all");
	assert_string_equal(sv->tags[1], "prod");
	assert_string_equal(sv->tags[2], "web");
	assert_int_equal(sv->line, 17);
	assert_non_null(strstr(sv->file, "good-tree.conf"));

	/* web-2 overrides the port and adds a tag. */
	sv = cfg_find_server(cfg, "web-2");
	assert_int_equal(sv->port, 2201);
	assert_int_equal(sv->ntags, 4);
	assert_true(t_tagged(sv, "canary"));
	assert_int_equal(sv->line, 18);

	/* edge-1: user from its group, env of its own, port from two up. */
	sv = cfg_find_server(cfg, "edge-1");
	assert_string_equal(sv->user, "edge");
	assert_int_equal(sv->env, ENV_STAGING);
	assert_int_equal(sv->port, 2200);
	assert_string_equal(sv->group, "production/web/edge");
	assert_true(t_tagged(sv, "web") && t_tagged(sv, "prod"));

	/* prod-db: tags are not repeated. */
	sv = cfg_find_server(cfg, "prod-db");
	assert_string_equal(sv->user, "postgres");
	assert_int_equal(sv->ntags, 3);
	assert_string_equal(sv->group, "production");

	sv = cfg_find_server(cfg, "dev-1");
	assert_int_equal(sv->env, ENV_DEVELOPMENT);
	assert_string_equal(sv->identity, "/keys/dev");
	assert_int_equal(sv->port, 22);

	sv = cfg_find_server(cfg, "loose");
	assert_int_equal(sv->env, ENV_NONE);
	assert_string_equal(sv->group, "");
	assert_int_equal(sv->ntags, 1);
	assert_null(cfg_find_server(cfg, "nope"));

	cfg_free(cfg);
	cfg_errors_clear(&errs);
	t_rmtmp(dir);
}

/* Roles, users and every simple section of good-tree.conf. */
static void
test_sections(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	const struct role	*r;
	const struct time_window *w;
	char			*dir, *want;

	(void)state;
	dir = t_tmp();
	cfg = t_load_data(dir, "good-tree.conf", &errs);
	if (cfg == NULL)
		t_print(&errs);
	assert_non_null(cfg);

	assert_true(cfg->has_roles);
	assert_int_equal(cfg->nroles, 2);
	r = cfg_find_role(cfg, "ops");
	assert_non_null(r);
	assert_int_equal(r->line, 41);
	assert_int_equal(r->nservers, 4);
	assert_string_equal(r->servers[0], "group:production");
	assert_int_equal(r->nallow, 2);
	assert_int_equal(r->ndeny, 1);
	assert_int_equal(r->outside_window, DECISION_APPROVAL);
	assert_int_equal(r->audit_level, AUDIT_COMPREHENSIVE);
	assert_int_equal(r->napprovers, 2);

	/* Windows, as the policy reads them. */
	assert_int_equal(r->nwindows, 6);
	w = &r->windows[0];
	assert_int_equal(w->days, 0x3e);
	assert_int_equal(w->start_min, 8 * 60);
	assert_int_equal(w->end_min, 20 * 60);
	assert_string_equal(w->tz, "Europe/Berlin");
	assert_string_equal(w->text, "mon-fri 08:00-20:00 Europe/Berlin");
	w = &r->windows[1];
	assert_int_equal(w->days, 0x63);		/* fri sat sun mon */
	assert_int_equal(w->start_min, 22 * 60);
	assert_int_equal(w->end_min, 6 * 60);
	assert_null(w->tz);
	w = &r->windows[2];
	assert_int_equal(w->days, 0x7f);
	assert_int_equal(w->start_min, 0);
	assert_int_equal(w->end_min, 1440);
	assert_int_equal(r->windows[3].days, 0x40);
	w = &r->windows[4];
	assert_int_equal(w->days, 0x7f);
	assert_int_equal(w->start_min, 450);
	assert_int_equal(w->end_min, 480);
	assert_string_equal(w->tz, "UTC");
	w = &r->windows[5];
	assert_int_equal(w->days, 0x1b);		/* sun mon wed thu */
	assert_int_equal(w->start_min, 9 * 60);
	assert_int_equal(w->end_min, 1440);

	/* need: built-ins, then default, then each env. */
	assert_int_equal(r->need[ENV_PRODUCTION][RISK_LOW], DECISION_ALLOW);
	assert_int_equal(r->need[ENV_PRODUCTION][RISK_MEDIUM],
	    DECISION_CONFIRM);
	assert_int_equal(r->need[ENV_PRODUCTION][RISK_HIGH], DECISION_APPROVAL);
	assert_int_equal(r->need[ENV_PRODUCTION][RISK_CRITICAL], DECISION_DENY);
	assert_int_equal(r->need[ENV_STAGING][RISK_MEDIUM], DECISION_CONFIRM);
	assert_int_equal(r->need[ENV_STAGING][RISK_HIGH], DECISION_CONFIRM);
	assert_int_equal(r->need[ENV_STAGING][RISK_CRITICAL], DECISION_CONFIRM);
	assert_int_equal(r->need[ENV_NONE][RISK_LOW], DECISION_CONFIRM);
	assert_int_equal(r->need[ENV_NONE][RISK_CRITICAL], DECISION_APPROVAL);

	/* A role that says nothing: every server, the built-in table. */
	r = cfg_find_role(cfg, "lead");
	assert_int_equal(r->nservers, 1);
	assert_string_equal(r->servers[0], "*");
	assert_int_equal(r->nwindows, 0);
	assert_int_equal(r->outside_window, DECISION_DENY);
	assert_int_equal(r->audit_level, AUDIT_DETAILED);  /* audit.level */
	assert_int_equal(r->need[ENV_PRODUCTION][RISK_CRITICAL],
	    DECISION_APPROVAL);
	assert_int_equal(r->need[ENV_DEVELOPMENT][RISK_CRITICAL],
	    DECISION_CONFIRM);

	assert_int_equal(cfg->nusers, 3);
	assert_string_equal(cfg->users[0].who, "alice");
	assert_false(cfg->users[0].is_group);
	assert_string_equal(cfg->users[1].who, "wheel");
	assert_true(cfg->users[1].is_group);
	assert_int_equal(cfg->users[1].nroles, 2);
	assert_int_equal(cfg->users[1].line, 61);
	assert_string_equal(cfg->users[2].who, "carol.dev");
	assert_int_equal(cfg->users[2].nroles, 0);

	assert_int_equal(cfg->approvals.expire, 600);
	assert_true(cfg->approvals.totp_critical);
	want = t_home("totp");
	assert_string_equal(cfg->approvals.totp_dir, want);
	free(want);
	assert_string_equal(cfg->audit.db, "/var/lib/omv/audit.db");
	assert_int_equal(cfg->audit.level, AUDIT_DETAILED);
	assert_string_equal(cfg->audit.group, "root");
	want = t_home(".ssh/kh");
	assert_string_equal(cfg->security.known_hosts, want);
	free(want);
	assert_int_equal(cfg->security.nallowed_clients, 3);
	assert_string_equal(cfg->security.allowed_clients[1], "::1");
	assert_int_equal(cfg->security.idle_timeout, 300);
	assert_int_equal(cfg->security.connect_timeout, 5);
	assert_int_equal(cfg->security.keepalive, 0);
	assert_string_equal(cfg->ui.theme, "light");
	assert_string_equal(cfg->ui.prefix, "C-a");
	assert_int_equal(cfg->ui.scrollback, 500);
	assert_int_equal(cfg->ui.sidebar_width, 30);
	assert_int_equal(cfg->ui.nkeys, 2);
	assert_string_equal(cfg->ui.keys[0].table, "prefix");
	assert_string_equal(cfg->ui.keys[0].key, "v");
	assert_string_equal(cfg->ui.keys[1].table, "root");
	assert_string_equal(cfg->ui.keys[1].command, "zoom");
	assert_false(cfg->system);
	assert_non_null(cfg->rules);

	cfg_free(cfg);
	cfg_errors_clear(&errs);
	t_rmtmp(dir);
}

/* users = { alice = [...]; } and a plain list of servers. */
static void
test_short_forms(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	char			*dir;

	(void)state;
	dir = t_tmp();
	cfg = t_load_data(dir, "good-users-short.conf", &errs);
	if (cfg == NULL)
		t_print(&errs);
	assert_non_null(cfg);
	assert_int_equal(cfg->nusers, 2);
	assert_string_equal(cfg->users[1].who, "bob");
	assert_int_equal(cfg->users[1].nroles, 2);
	assert_int_equal(cfg->nservers, 2);
	assert_int_equal(cfg->ngroups, 0);
	assert_int_equal(cfg_find_server(cfg, "web-1")->env, ENV_PRODUCTION);
	cfg_free(cfg);
	t_rmtmp(dir);
}

/* Every bad config of the table fails with the expected file:line. */
static void
test_bad_table(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	char			*dir, *table, *line, *next, *tab, *path;
	char			 old[PATH_MAX];
	int			 cases = 0, failed = 0;

	(void)state;
	dir = t_tmp();
	t_copy_data(dir);
	path = xprintf("%s/bad.table", dir);
	table = t_read(path);
	free(path);
	assert_non_null(table);
	assert_non_null(getcwd(old, sizeof old));
	assert_int_equal(chdir(dir), 0);

	for (line = table; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		if ((tab = strchr(line, '\t')) == NULL)
			fail_msg("bad.table: no tab in '%s'", line);
		*tab++ = '\0';
		cases++;
		cfg = cfg_load_file(line, &errs);
		if (cfg != NULL) {
			print_error("%s: loaded, expected '%s'\n", line, tab);
			failed++;
			cfg_free(cfg);
		} else if (!t_has(&errs, tab, false)) {
			print_error("%s: expected '%s'\n", line, tab);
			t_print(&errs);
			failed++;
		}
		cfg_errors_clear(&errs);
	}
	assert_int_equal(chdir(old), 0);
	print_message("%d bad-config cases\n", cases);
	assert_true(cases >= 20);
	assert_int_equal(failed, 0);
	free(table);
	t_rmtmp(dir);
}

/* All problems are reported, not just the first. */
static void
test_all_errors(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	char			*dir;

	(void)state;
	dir = t_tmp();
	assert_null(t_load_data(dir, "bad-many.conf", &errs));
	assert_int_equal(errs.n, 3);
	cfg_errors_clear(&errs);
	t_rmtmp(dir);
}

/* A config writable by group or others, or owned by others, is refused. */
static void
test_mode(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	char			*dir, *path, *want, *inc;

	(void)state;
	dir = t_tmp();
	path = t_write(dir, "omv.conf", "ui = { theme = \"x\"; };\n", 0664);
	assert_null(cfg_load_file(path, &errs));
	want = xprintf("%s: is writable by group or others (mode 0664); "
	    "chmod go-w %s", path, path);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0], want);
	free(want);
	cfg_errors_clear(&errs);

	chmod(path, 0602);
	assert_null(cfg_load_file(path, &errs));
	assert_true(t_has(&errs, "is writable by group or others (mode 0602)",
	    true));
	cfg_errors_clear(&errs);

	chmod(path, 0644);
	cfg = cfg_load_file(path, &errs);
	assert_non_null(cfg);
	cfg_free(cfg);

	/* Owned by someone else (only root can arrange that). */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_null(cfg_load_file(path, &errs));
		assert_true(t_has(&errs, "is owned by uid 65534, not by you "
		    "or root", true));
		cfg_errors_clear(&errs);
		assert_int_equal(chown(path, 0, 0), 0);
	}

	/* An @include is held to the same rule. */
	inc = t_write(dir, "part.inc", "roles = ( { name = \"ops\"; } );\n",
	    0666);
	free(path);
	path = t_write(dir, "main.conf", "@include \"part.inc\"\n", 0600);
	assert_null(cfg_load_file(path, &errs));
	want = xprintf("%s: is writable by group or others (mode 0666)", inc);
	assert_true(t_has(&errs, want, false));
	free(want);
	cfg_errors_clear(&errs);
	chmod(inc, 0600);
	cfg = cfg_load_file(path, &errs);
	assert_non_null(cfg);
	assert_int_equal(cfg->nroles, 1);
	assert_string_equal(cfg->roles[0].file, inc);
	assert_int_equal(cfg->npaths, 2);
	cfg_free(cfg);

	/* Not a regular file, and missing. */
	assert_null(cfg_load_file(dir, &errs));
	assert_true(t_has(&errs, "is not a regular file", true));
	cfg_errors_clear(&errs);
	free(path);
	path = xprintf("%s/missing.conf", dir);
	assert_null(cfg_load_file(path, &errs));
	assert_true(t_has(&errs, "No such file or directory", true));
	cfg_errors_clear(&errs);

	free(inc);
	free(path);
	t_rmtmp(dir);
}

/* With a system file, policy comes from it and a user file sets only ui. */
static void
test_system_split(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	char			*dir, *sys, *user, *bad, *want, *home;

	(void)state;
	dir = t_tmp();
	sys = t_write(dir, "etc/omv.conf",
	    "servers = ( { name = \"web-1\"; host = \"h\"; } );\n"
	    "roles = ( { name = \"ops\"; } );\n"
	    "ui = { theme = \"sys\"; scrollback = 123;\n"
	    "  keys = ( { key = \"v\"; command = \"split-h\"; } ); };\n", 0644);
	user = t_write(dir, "user.conf",
	    "ui = { theme = \"mine\";\n"
	    "  keys = ( { key = \"w\"; command = \"split-v\"; } ); };\n", 0600);
	bad = t_write(dir, "bad.conf",
	    "ui = { theme = \"mine\"; };\n"
	    "servers = ( { name = \"evil\"; host = \"h\"; } );\n"
	    "roles = ( );\n", 0600);
	setenv("OMV_SYSTEM_CONFIG", sys, 1);

	/* -c FILE: ui from the user, the rest from the system file. */
	cfg = cfg_load(user, &errs);
	assert_non_null(cfg);
	assert_true(cfg->system);
	assert_string_equal(cfg->path, sys);
	assert_string_equal(cfg->ui.theme, "mine");
	assert_int_equal(cfg->ui.scrollback, 123);
	assert_int_equal(cfg->ui.nkeys, 2);
	assert_string_equal(cfg->ui.keys[1].key, "w");
	assert_int_equal(cfg->nservers, 1);
	assert_int_equal(cfg->nroles, 1);
	assert_int_equal(cfg->npaths, 2);
	cfg_free(cfg);

	/* Any other setting in the user's file is an error at its line. */
	assert_null(cfg_load(bad, &errs));
	want = xprintf("%s:2: only ui settings may be set here: policy comes "
	    "from %s", bad, sys);
	assert_true(t_has(&errs, want, false));
	free(want);
	want = xprintf("%s:3: only ui settings", bad);
	assert_true(t_has(&errs, want, false));
	free(want);
	assert_int_equal(errs.n, 2);
	cfg_errors_clear(&errs);

	/* The same through $OMV_CONFIG and ~/.config/omv/omv.conf. */
	setenv("OMV_CONFIG", bad, 1);
	assert_null(cfg_load(NULL, &errs));
	assert_int_equal(errs.n, 2);
	cfg_errors_clear(&errs);
	unsetenv("OMV_CONFIG");
	home = t_write(dir, ".config/omv/omv.conf",
	    "ui = { theme = \"home\"; };\n", 0600);
	cfg = cfg_load(NULL, &errs);
	assert_non_null(cfg);
	assert_string_equal(cfg->ui.theme, "home");
	assert_true(cfg->system);
	cfg_free(cfg);

	/* -c naming the system file itself: just that file. */
	cfg = cfg_load(sys, &errs);
	assert_non_null(cfg);
	cfg_free(cfg);

	/* A missing -c file is an error even when the system file exists. */
	free(user);
	user = xprintf("%s/missing.conf", dir);
	assert_null(cfg_load(user, &errs));
	assert_true(t_has(&errs, "No such file", true));
	cfg_errors_clear(&errs);

	/* A loose system file is refused too. */
	chmod(sys, 0666);
	assert_null(cfg_load(NULL, &errs));
	assert_true(t_has(&errs, "is writable by group or others", true));
	cfg_errors_clear(&errs);

	free(home);
	free(bad);
	free(user);
	free(sys);
	t_rmtmp(dir);
}

/* -c, $OMV_CONFIG, ~/.config/omv/omv.conf, then nothing: the defaults. */
static void
test_search(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	char			*dir, *home, *env, *found, *want;

	(void)state;
	dir = t_tmp();

	/* Nothing anywhere: personal mode with the defaults. */
	assert_null(cfg_find(NULL));
	cfg = cfg_load(NULL, &errs);
	assert_non_null(cfg);
	assert_null(cfg->path);
	assert_false(cfg->has_roles);
	assert_false(cfg->system);
	assert_int_equal(cfg->nservers, 0);
	assert_non_null(cfg->root);
	assert_string_equal(cfg->ui.theme, "dark");
	assert_string_equal(cfg->ui.prefix, "C-b");
	assert_int_equal(cfg->ui.scrollback, 10000);
	assert_int_equal(cfg->ui.sidebar_width, 28);
	assert_int_equal(cfg->approvals.expire, 900);
	assert_int_equal(cfg->security.connect_timeout, 10);
	assert_int_equal(cfg->security.keepalive, 30);
	assert_int_equal(cfg->audit.level, AUDIT_BASIC);
	want = t_home(".local/share/omv/audit.db");
	assert_string_equal(cfg->audit.db, want);
	free(want);
	assert_non_null(cfg->rules);	/* the built-in rules */
	assert_int_equal(risk_ruleset_count(cfg->rules),
	    risk_ruleset_count(risk_default_rules()));
	cfg_free(cfg);

	home = t_write(dir, ".config/omv/omv.conf",
	    "ui = { theme = \"home\"; };\n", 0600);
	env = t_write(dir, "env.conf", "ui = { theme = \"env\"; };\n", 0600);
	found = cfg_find(NULL);
	assert_string_equal(found, home);
	free(found);
	cfg = cfg_load(NULL, &errs);
	assert_string_equal(cfg->ui.theme, "home");
	assert_string_equal(cfg->path, home);
	cfg_free(cfg);

	setenv("OMV_CONFIG", env, 1);
	found = cfg_find(NULL);
	assert_string_equal(found, env);
	free(found);
	cfg = cfg_load(NULL, &errs);
	assert_string_equal(cfg->ui.theme, "env");
	cfg_free(cfg);

	found = cfg_find(home);
	assert_string_equal(found, home);
	free(found);
	cfg = cfg_load(home, &errs);
	assert_string_equal(cfg->ui.theme, "home");
	cfg_free(cfg);
	unsetenv("OMV_CONFIG");
	assert_int_equal(errs.n, 0);

	free(env);
	free(home);
	t_rmtmp(dir);
}

/* ssh_config = true: ~/.ssh/config's concrete hosts join as a group. */
static void
test_ssh_config(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	struct server		*sv;
	char			*dir, *text, *path, *want, *extra;

	(void)state;
	dir = t_tmp();
	extra = t_write(dir, "ssh.d/extra.conf", "Host delta\n  Port 2022\n",
	    0600);
	text = xprintf(
	    "# test ssh config\n"
	    "Include %s/ssh.d/*.conf\n"
	    "Host alpha\n"
	    "    HostName 127.0.0.5\n"
	    "    User alice\n"
	    "    Port 2222\n"
	    "    IdentityFile ~/.ssh/id_alpha\n"
	    "\n"
	    "Host beta \"gamma\"\n"
	    "    HostName beta.example\n"
	    "Host *.wild !neg web-1 bad:name\n"
	    "    User nobody\n"
	    "Host=alpha\n", dir);
	free(t_write(dir, ".ssh/config", text, 0600));
	free(text);
	path = t_write(dir, "omv.conf",
	    "ssh_config = true;\n"
	    "servers = { user = \"deploy\"; env = \"dev\"; tags = [\"t\"];\n"
	    "  servers = ( { name = \"web-1\"; host = \"h\"; } ); };\n", 0600);

	cfg = cfg_load_file(path, &errs);
	if (cfg == NULL)
		t_print(&errs);
	assert_non_null(cfg);
	assert_true(cfg->ssh_config);
	assert_int_equal(cfg->nservers, 5);
	assert_int_equal(cfg->ngroups, 1);
	assert_string_equal(cfg->root->groups[0]->name, "ssh_config");

	sv = cfg_find_server(cfg, "alpha");
	assert_non_null(sv);
	assert_string_equal(sv->host, "127.0.0.5");
	assert_string_equal(sv->user, "alice");
	assert_int_equal(sv->port, 2222);
	want = t_home(".ssh/id_alpha");
	assert_string_equal(sv->identity, want);
	free(want);
	assert_string_equal(sv->group, "ssh_config");
	assert_int_equal(sv->env, ENV_DEVELOPMENT);	/* from the root */
	assert_true(t_tagged(sv, "t"));
	assert_int_equal(sv->line, 3);
	want = t_home(".ssh/config");
	assert_string_equal(sv->file, want);
	free(want);

	sv = cfg_find_server(cfg, "gamma");
	assert_non_null(sv);
	assert_string_equal(sv->host, "beta.example");
	assert_string_equal(sv->user, "deploy");	/* root default */
	assert_int_equal(sv->port, 22);
	assert_null(sv->identity);
	assert_int_equal(sv->line, 9);

	sv = cfg_find_server(cfg, "delta");
	assert_non_null(sv);
	assert_int_equal(sv->port, 2022);
	assert_string_equal(sv->host, "delta");
	assert_string_equal(sv->file, extra);

	/* The omv entry wins over the ssh alias; patterns never join. */
	sv = cfg_find_server(cfg, "web-1");
	assert_string_equal(sv->host, "h");
	assert_string_equal(sv->group, "");
	assert_null(cfg_find_server(cfg, "*.wild"));
	assert_null(cfg_find_server(cfg, "bad:name"));
	cfg_free(cfg);

	/* No ~/.ssh/config at all: nothing joins, no error. */
	free(t_write(dir, ".ssh/config", "", 0600));
	cfg = cfg_load_file(path, &errs);
	assert_non_null(cfg);
	assert_int_equal(cfg->nservers, 1);
	assert_int_equal(cfg->ngroups, 0);
	cfg_free(cfg);

	free(extra);
	free(path);
	t_rmtmp(dir);
}

/* Config text in memory: the fuzzer's way in. */
static void
test_string(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	char			*dir;

	(void)state;
	dir = t_tmp();
	cfg = cfg_load_string("servers = ( { name = \"a\"; host = \"b\"; } );",
	    "mem.conf", &errs);
	assert_non_null(cfg);
	assert_string_equal(cfg->servers[0]->file, "mem.conf");
	cfg_free(cfg);

	assert_null(cfg_load_string("a = 1;\n\n@include \"/etc/passwd\"\n",
	    "mem.conf", &errs));
	assert_string_equal(errs.msgs[0], "mem.conf:3: @include is not "
	    "allowed here");
	cfg_errors_clear(&errs);

	assert_null(cfg_load_string("ui = {\n theme = ;\n};\n", "mem.conf",
	    &errs));
	assert_true(t_has(&errs, "mem.conf:2: syntax error", false));
	cfg_errors_clear(&errs);

	assert_null(cfg_load_string("servers = ( { name = \"a\"; } );", NULL,
	    &errs));
	assert_true(t_has(&errs, "(string):1: server 'a': missing host",
	    false));
	cfg_errors_clear(&errs);

	/* errs may be NULL. */
	assert_null(cfg_load_string("x = 1;", "m", NULL));
	t_rmtmp(dir);
}

/* Groups nest to any reasonable depth; absurd depth is an error. */
static void
test_depth(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	struct sbuf		 sb;
	int			 i, depth;

	(void)state;
	for (depth = 40; depth <= 70; depth += 30) {
		sbuf_init(&sb);
		sbuf_adds(&sb, "servers = {\n");
		for (i = 0; i < depth; i++) {
			sbuf_addf(&sb, "groups = ( { name = \"g%d\"; "
			    "tags = [\"t%d\"];\n", i, i);
		}
		sbuf_adds(&sb, "servers = ( { name = \"deep\"; "
		    "host = \"h\"; } );\n");
		for (i = 0; i < depth; i++)
			sbuf_adds(&sb, "} );\n");
		sbuf_adds(&sb, "};\n");
		cfg = cfg_load_string(sb.buf, "deep.conf", &errs);
		if (depth == 40) {
			assert_non_null(cfg);
			assert_int_equal(cfg->ngroups, 40);
			assert_int_equal(cfg->servers[0]->ntags, 40);
			assert_non_null(strstr(cfg->servers[0]->group,
			    "g0/g1/g2/"));
			assert_non_null(strstr(cfg->servers[0]->group, "/g39"));
		} else {
			assert_null(cfg);
			assert_true(t_has(&errs, "groups nest more than 64 "
			    "deep", true));
		}
		cfg_free(cfg);
		cfg_errors_clear(&errs);
		sbuf_free(&sb);
	}
}

/* conf/omv.conf, the documented example, is valid. */
static void
test_example(void **state)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	char			*dir, *path;

	(void)state;
	dir = t_tmp();
	path = t_copy("conf/omv.conf", dir, 0600);
	cfg = cfg_load_file(path, &errs);
	if (cfg == NULL)
		t_print(&errs);
	assert_non_null(cfg);
	assert_int_equal(cfg->nservers, 10);
	assert_int_equal(cfg->ngroups, 5);
	assert_int_equal(cfg->nroles, 4);
	assert_int_equal(cfg->nusers, 4);
	assert_true(cfg->has_roles);
	cfg_free(cfg);
	free(path);
	t_rmtmp(dir);
}

/* Run omv with args; its exit status, stdout and stderr. */
static int
t_run(char *const argv[], char **out, char **err)
{
	char	*dir, *o, *e;
	pid_t	 pid;
	int	 status, fd;

	dir = xstrdup("/tmp/omv-test-run-XXXXXX");
	if (mkdtemp(dir) == NULL)
		fail_msg("mkdtemp");
	o = xprintf("%s/out", dir);
	e = xprintf("%s/err", dir);
	if ((pid = fork()) == 0) {
		fd = open(o, O_WRONLY|O_CREAT|O_TRUNC, 0600);
		dup2(fd, 1);
		fd = open(e, O_WRONLY|O_CREAT|O_TRUNC, 0600);
		dup2(fd, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	*out = t_read(o);
	*err = t_read(e);
	unlink(o);
	unlink(e);
	rmdir(dir);
	free(o);
	free(e);
	free(dir);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : 128);
}

/* omv check-config: a summary and 0, or every error as omv: FILE:LINE. */
static void
test_check_config(void **state)
{
	const char	*bin = getenv("OMV_BIN");
	char		*dir, *good, *bad, *out, *err, *want;
	char		*argv[5];
	int		 rc;

	(void)state;
	if (bin == NULL) {
		print_message("OMV_BIN not set: skipped\n");
		skip();
	}
	dir = t_tmp();
	good = t_copy("conf/omv.conf", dir, 0600);
	argv[0] = (char *)bin;
	argv[1] = (char *)"check-config";
	argv[2] = (char *)"-c";
	argv[3] = good;
	argv[4] = NULL;
	rc = t_run(argv, &out, &err);
	assert_int_equal(rc, 0);
	want = xprintf("%s: OK \xe2\x80\x94 10 servers in 5 groups, 4 roles, "
	    "4 users, ", good);
	assert_non_null(strstr(out, want));
	assert_non_null(strstr(out, "production   5 servers"));
	assert_non_null(strstr(out, "(no env)     1 server\n"));
	free(want);
	free(out);
	free(err);

	bad = t_write(dir, "bad.conf",
	    "servers = (\n  { name = \"a\"; host = \"\"; },\n"
	    "  { name = \"a\"; host = \"h\"; port = 0; }\n);\nfoo = 1;\n",
	    0600);
	argv[3] = bad;
	rc = t_run(argv, &out, &err);
	assert_int_equal(rc, 1);
	assert_string_equal(out, "");
	want = xprintf("omv: %s:2: server 'a': host must not be empty\n", bad);
	assert_non_null(strstr(err, want));
	free(want);
	want = xprintf("omv: %s:3: server 'a': port 0 is out of range", bad);
	assert_non_null(strstr(err, want));
	free(want);
	want = xprintf("omv: %s:3: server 'a' is defined twice: here and at "
	    "%s:2\n", bad, bad);
	assert_non_null(strstr(err, want));
	free(want);
	want = xprintf("omv: %s:5: unknown setting 'foo'\n", bad);
	assert_non_null(strstr(err, want));
	free(want);
	free(out);
	free(err);

	/* Usage errors exit 2. */
	argv[2] = (char *)"extra";
	argv[3] = NULL;
	rc = t_run(argv, &out, &err);
	assert_int_equal(rc, 2);
	free(out);
	free(err);

	free(bad);
	free(good);
	t_rmtmp(dir);
}

/* The operator's identity comes from the process, not the environment. */
static void
test_ident(void **state)
{
	struct ident	*id;
	size_t		 i;
	bool		 found = false;

	(void)state;
	setenv("SSH_CONNECTION", "192.0.2.7 50000 10.0.0.1 22", 1);
	setenv("USER", "mallory", 1);
	id = ident_current();
	assert_non_null(id->login);
	assert_string_not_equal(id->login, "mallory");
	assert_string_equal(id->client, "192.0.2.7");
	assert_non_null(id->host);
	assert_true(id->ngroups >= 1);
	ident_free(id);

	unsetenv("SSH_CONNECTION");
	id = ident_current();
	assert_null(id->client);
	ident_free(id);

	id = ident_for("root");
	assert_string_equal(id->login, "root");
	for (i = 0; i < id->ngroups; i++)
		found |= strcmp(id->groups[i], "root") == 0;
	assert_true(found);
	ident_free(id);

	id = ident_for("omv-no-such-user");
	assert_int_equal(id->ngroups, 0);
	ident_free(id);
	ident_free(NULL);
}

/* The need table a role gets when it says nothing. */
static void
test_default_need(void **state)
{
	(void)state;
	assert_int_equal(cfg_default_need(ENV_PRODUCTION, RISK_CRITICAL),
	    DECISION_APPROVAL);
	assert_int_equal(cfg_default_need(ENV_NONE, RISK_CRITICAL),
	    DECISION_APPROVAL);
	assert_int_equal(cfg_default_need(ENV_STAGING, RISK_CRITICAL),
	    DECISION_CONFIRM);
	assert_int_equal(cfg_default_need(ENV_DEVELOPMENT, RISK_HIGH),
	    DECISION_CONFIRM);
	assert_int_equal(cfg_default_need(ENV_PRODUCTION, RISK_MEDIUM),
	    DECISION_ALLOW);
	assert_int_equal(cfg_default_need(ENV_STAGING, RISK_LOW),
	    DECISION_ALLOW);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errors_format),
		cmocka_unit_test(test_inheritance),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_short_forms),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_system_split),
		cmocka_unit_test(test_search),
		cmocka_unit_test(test_ssh_config),
		cmocka_unit_test(test_string),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_check_config),
		cmocka_unit_test(test_ident),
		cmocka_unit_test(test_default_need),
	};

	return (cmocka_run_group_tests_name("cfg", tests, NULL, NULL));
}
