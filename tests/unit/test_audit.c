/*
 * test_audit.c: the audit trail on real SQLite files: file modes, the hash
 * chain under concurrent appends from several processes, tampering done
 * with the real sqlite3 shell, and appends failing closed on a read-only or
 * full database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"

static char	tmpdir[] = "/tmp/omv-test-audit.XXXXXX";

/* A copy of an event read back, so it outlives the query callback. */
struct got {
	int64_t	 id;
	int64_t	 time_ms;
	char	*operator;
	char	*host;
	char	*client;
	char	*server;
	int64_t	 session;
	char	*action;
	char	*command;
	char	*risk;
	char	*decision;
	char	*result;
	int	 exit_status;
	bool	 has_exit;
	char	*detail;
};
struct gots {
	struct got	*v;
	size_t		 n;
};

/* strdup that keeps NULL. */
static char *
dup0(const char *s)
{
	return (s != NULL ? xstrdup(s) : NULL);
}

/* Query callback: copy each event. */
static int
collect(const struct audit_event *ev, void *arg)
{
	struct gots	*g = arg;
	struct got	*o;

	g->v = xreallocarray(g->v, g->n + 1, sizeof *g->v);
	o = &g->v[g->n++];
	o->id = ev->id;
	o->time_ms = ev->time_ms;
	o->operator = dup0(ev->operator);
	o->host = dup0(ev->host);
	o->client = dup0(ev->client);
	o->server = dup0(ev->server);
	o->session = ev->session;
	o->action = dup0(ev->action);
	o->command = dup0(ev->command);
	o->risk = dup0(ev->risk);
	o->decision = dup0(ev->decision);
	o->result = dup0(ev->result);
	o->exit_status = ev->exit_status;
	o->has_exit = ev->has_exit;
	o->detail = dup0(ev->detail);
	return (0);
}

/* Free collected events. */
static void
gots_free(struct gots *g)
{
	size_t	i;

	for (i = 0; i < g->n; i++) {
		free(g->v[i].operator);
		free(g->v[i].host);
		free(g->v[i].client);
		free(g->v[i].server);
		free(g->v[i].action);
		free(g->v[i].command);
		free(g->v[i].risk);
		free(g->v[i].decision);
		free(g->v[i].result);
		free(g->v[i].detail);
	}
	free(g->v);
	g->v = NULL;
	g->n = 0;
}

/* Query with a filter into g. */
static void
query(struct audit *a, const struct audit_filter *f, struct gots *g)
{
	char	*cause = NULL;
	int	 rc;

	g->v = NULL;
	g->n = 0;
	rc = audit_query(a, f, collect, g, &cause);
	if (rc != 0)
		fail_msg("query: %s", cause);
}

/*
 * Run argv (never through a shell) with stdout and stderr into *out;
 * return the exit status, or -1 if it did not exit normally.
 */
static int
run(char *const argv[], char **out)
{
	struct sbuf	sb;
	char		buf[4096];
	ssize_t		n;
	pid_t		pid;
	int		p[2], status;

	if (pipe(p) != 0)
		fail_msg("pipe: %s", strerror(errno));
	if ((pid = fork()) == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	sbuf_init(&sb);
	while ((n = read(p[0], buf, sizeof buf)) > 0)
		sbuf_add(&sb, buf, (size_t)n);
	close(p[0]);
	waitpid(pid, &status, 0);
	if (out != NULL)
		*out = sbuf_steal(&sb);
	else
		sbuf_free(&sb);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* Run one statement with the real sqlite3 shell; it must succeed. */
static void
shell(const char *db, const char *sql)
{
	char	*out = NULL;
	int	 rc;

	rc = run((char *[]){ (char *)"sqlite3", (char *)db, (char *)sql,
	    NULL }, &out);
	if (rc != 0)
		fail_msg("sqlite3 %s '%s': %d: %s", db, sql, rc, out);
	free(out);
}

/* The sqlite3 shell's answer to a query, without the newline. */
static char *
shell_value(const char *db, const char *sql)
{
	char	*out = NULL;
	size_t	 len;

	assert_int_equal(run((char *[]){ (char *)"sqlite3", (char *)db,
	    (char *)sql, NULL }, &out), 0);
	len = strlen(out);
	while (len > 0 && out[len - 1] == '\n')
		out[--len] = '\0';
	return (out);
}

/* Open for appending with a test identity; fail the test on error. */
static struct audit *
open_rw(const char *path)
{
	struct audit	*a;
	char		*cause = NULL;

	a = audit_open(path, NULL, &cause);
	if (a == NULL)
		fail_msg("audit_open %s: %s", path, cause);
	audit_set_identity(a, "alice", "jump-1", "192.0.2.7");
	return (a);
}

/* Append n command events; fail the test on error. */
static void
append_n(struct audit *a, int n, const char *tag)
{
	struct audit_event	 ev;
	char			*cause = NULL, cmd[64];
	int			 i;

	for (i = 0; i < n; i++) {
		memset(&ev, 0, sizeof ev);
		snprintf(cmd, sizeof cmd, "echo %s-%d", tag, i);
		ev.server = i % 2 ? "web-1" : "db-1";
		ev.action = "command";
		ev.command = cmd;
		ev.risk = i % 4 == 3 ? "high" : "low";
		ev.decision = "allow";
		ev.result = "sent";
		if (audit_append(a, &ev, NULL, &cause) != 0)
			fail_msg("append %d: %s", i, cause);
	}
}

/* Make a closed database holding n events at path. */
static void
make_db(const char *path, int n)
{
	struct audit	*a;

	a = open_rw(path);
	append_n(a, n, "ev");
	audit_close(a);
}

/* Copy a file (a closed database is one file: the WAL is checkpointed). */
static void
copy_file(const char *from, const char *to)
{
	char	buf[65536];
	ssize_t	n;
	int	in, out;

	in = open(from, O_RDONLY);
	assert_true(in >= 0);
	out = open(to, O_WRONLY|O_CREAT|O_TRUNC, 0600);
	assert_true(out >= 0);
	while ((n = read(in, buf, sizeof buf)) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

/* Verify path read-only; return the result, fault in *v. */
static int
verify_path(const char *path, struct audit_verify *v)
{
	struct audit	*a;
	char		*cause = NULL;
	int		 rc;

	a = audit_open_readonly(path, &cause);
	if (a == NULL)
		fail_msg("open_readonly %s: %s", path, cause);
	rc = audit_verify(a, v, &cause);
	if (rc == -1)
		fail_msg("verify %s: %s", path, cause);
	audit_close(a);
	return (rc);
}

/* The file mode bits of path. */
static int
mode_of(const char *path)
{
	struct stat	st;

	if (stat(path, &st) != 0)
		fail_msg("stat %s: %s", path, strerror(errno));
	return ((int)(st.st_mode & 07777));
}

/* A new file and its parents get tight modes; WAL and schema are set. */
static void
test_create_modes(void **state)
{
	struct audit	*a;
	char		*path, *dir, *wal, *shm, *v;

	(void)state;
	dir = xprintf("%s/modes/deep", tmpdir);
	path = xprintf("%s/audit.db", dir);
	wal = xprintf("%s-wal", path);
	shm = xprintf("%s-shm", path);
	umask(022);
	a = open_rw(path);
	append_n(a, 1, "m");
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(mode_of(dir), 0700);
	assert_int_equal(mode_of(wal), 0600);
	assert_int_equal(mode_of(shm), 0600);
	v = shell_value(path, "PRAGMA journal_mode");
	assert_string_equal(v, "wal");
	free(v);
	v = shell_value(path, "PRAGMA user_version");
	assert_string_equal(v, "1");
	free(v);
	v = shell_value(path, "SELECT name FROM sqlite_master WHERE type = "
	    "'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
	assert_string_equal(v, "approvals\nchain_head\nevents\nsessions");
	free(v);
	audit_close(a);

	/* Opening again migrates nothing and keeps the events. */
	a = open_rw(path);
	append_n(a, 1, "m2");
	audit_close(a);
	v = shell_value(path, "SELECT count(*) FROM events");
	assert_string_equal(v, "2");
	free(v);
	free(path);
	free(dir);
	free(wal);
	free(shm);
}

/* With a shared group: 0660 and that group, the WAL files too. */
static void
test_group_mode(void **state)
{
	struct audit	*a;
	struct group	*gr;
	struct stat	 st;
	char		*path, *wal, *shm, *cause = NULL;

	(void)state;
	if ((gr = getgrnam("daemon")) == NULL || geteuid() != 0)
		skip();
	path = xprintf("%s/group/audit.db", tmpdir);
	wal = xprintf("%s-wal", path);
	shm = xprintf("%s-shm", path);
	a = audit_open(path, "daemon", &cause);
	if (a == NULL)
		fail_msg("%s", cause);
	audit_set_identity(a, "alice", NULL, NULL);
	append_n(a, 1, "g");
	assert_int_equal(mode_of(path), 0660);
	assert_int_equal(mode_of(wal), 0660);
	assert_int_equal(mode_of(shm), 0660);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_gid, gr->gr_gid);
	assert_int_equal(stat(wal, &st), 0);
	assert_int_equal(st.st_gid, gr->gr_gid);
	audit_close(a);

	/* An unknown group is an error, not a silent 0600. */
	assert_null(audit_open(path, "no-such-group-omv", &cause));
	assert_non_null(strstr(cause, "unknown group"));
	free(cause);
	free(path);
	free(wal);
	free(shm);
}

/* Symlinks and world-writable files are refused. */
static void
test_refuse_unsafe(void **state)
{
	char	*target, *link, *ww, *cause = NULL;
	int	 fd;

	(void)state;
	target = xprintf("%s/target.db", tmpdir);
	link = xprintf("%s/link.db", tmpdir);
	ww = xprintf("%s/ww.db", tmpdir);
	make_db(target, 1);
	assert_int_equal(symlink(target, link), 0);
	assert_null(audit_open(link, NULL, &cause));
	assert_non_null(strstr(cause, "not a regular file"));
	free(cause);
	cause = NULL;
	assert_null(audit_open_readonly(link, &cause));
	free(cause);

	fd = open(ww, O_WRONLY|O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	chmod(ww, 0666);
	assert_null(audit_open(ww, NULL, &cause));
	assert_non_null(strstr(cause, "writable by everyone"));
	free(cause);
	free(target);
	free(link);
	free(ww);
}

/* Every field survives the round trip; defaults and checks apply. */
static void
test_append_read(void **state)
{
	struct audit		*a;
	struct audit_event	 ev;
	struct audit_filter	 f;
	struct gots		 g;
	char			*path, *cause = NULL;
	int64_t			 id, before;

	(void)state;
	path = xprintf("%s/rw.db", tmpdir);
	a = open_rw(path);
	before = now_ms();

	memset(&ev, 0, sizeof ev);
	ev.server = "web-1";
	ev.session = 42;
	ev.action = "command";
	ev.command = "systemctl restart \"nginx\", now\n";
	ev.risk = "HIGH";
	ev.decision = "confirm";
	ev.result = "sent";
	ev.exit_status = 3;
	ev.has_exit = true;
	ev.detail = "{\"rule\":\"systemctl restart\",\"n\":[1,2.5e3,null]}";
	assert_int_equal(audit_append(a, &ev, &id, &cause), 0);
	assert_int_equal(id, 1);

	memset(&ev, 0, sizeof ev);
	ev.operator = "bob";
	ev.action = "connect";
	ev.time_ms = 1700000000123;
	assert_int_equal(audit_append(a, &ev, &id, &cause), 0);
	assert_int_equal(id, 2);

	query(a, NULL, &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.v[0].id, 1);
	assert_true(g.v[0].time_ms >= before && g.v[0].time_ms <= now_ms());
	assert_string_equal(g.v[0].operator, "alice");
	assert_string_equal(g.v[0].host, "jump-1");
	assert_string_equal(g.v[0].client, "192.0.2.7");
	assert_string_equal(g.v[0].server, "web-1");
	assert_int_equal(g.v[0].session, 42);
	assert_string_equal(g.v[0].command, "systemctl restart \"nginx\", now\n");
	assert_string_equal(g.v[0].risk, "high");	/* canonical spelling */
	assert_string_equal(g.v[0].decision, "confirm");
	assert_true(g.v[0].has_exit);
	assert_int_equal(g.v[0].exit_status, 3);
	assert_string_equal(g.v[0].detail,
	    "{\"rule\":\"systemctl restart\",\"n\":[1,2.5e3,null]}");
	assert_string_equal(g.v[1].operator, "bob");
	assert_int_equal(g.v[1].time_ms, 1700000000123);
	assert_null(g.v[1].server);
	assert_null(g.v[1].command);
	assert_null(g.v[1].risk);
	assert_false(g.v[1].has_exit);
	assert_int_equal(g.v[1].session, 0);
	gots_free(&g);

	/* Bad events are refused and nothing is stored. */
	memset(&ev, 0, sizeof ev);
	ev.action = "command";
	ev.risk = "severe";
	assert_int_equal(audit_append(a, &ev, NULL, &cause), -1);
	assert_non_null(strstr(cause, "unknown risk level"));
	free(cause);
	ev.risk = NULL;
	ev.detail = "{\"open\":";
	assert_int_equal(audit_append(a, &ev, NULL, &cause), -1);
	assert_non_null(strstr(cause, "not valid JSON"));
	free(cause);
	ev.detail = NULL;
	ev.action = NULL;
	assert_int_equal(audit_append(a, &ev, NULL, &cause), -1);
	free(cause);
	audit_set_identity(a, NULL, NULL, NULL);
	ev.action = "command";
	assert_int_equal(audit_append(a, &ev, NULL, &cause), -1);
	assert_non_null(strstr(cause, "no operator"));
	free(cause);
	audit_set_identity(a, "alice", "jump-1", NULL);

	/* Filters. */
	append_n(a, 20, "f");		/* ids 3..22, high every 4th */
	memset(&f, 0, sizeof f);
	f.min_risk = RISK_HIGH;
	query(a, &f, &g);
	assert_int_equal(g.n, 6);	/* event 1 plus 5 of the 20 */
	gots_free(&g);
	f.min_risk = -1;
	f.operator = "bob";
	query(a, &f, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].id, 2);
	gots_free(&g);
	f.operator = NULL;
	f.server = "web-1";
	f.limit = 3;
	query(a, &f, &g);
	assert_int_equal(g.n, 3);	/* the newest three, oldest first */
	assert_true(g.v[0].id < g.v[1].id && g.v[1].id < g.v[2].id);
	assert_int_equal(g.v[2].id, 22);
	gots_free(&g);
	memset(&f, 0, sizeof f);
	f.min_risk = -1;
	f.until_ms = 1700000000124;
	query(a, &f, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.v[0].id, 2);
	gots_free(&g);
	f.until_ms = 0;
	f.since_ms = before;
	f.after_id = 20;
	query(a, &f, &g);
	assert_int_equal(g.n, 2);
	gots_free(&g);
	audit_close(a);
	free(path);
}

/* A good chain verifies, with the head's numbers. */
static void
test_verify_ok(void **state)
{
	struct audit_verify	 v;
	char			*path;

	(void)state;
	path = xprintf("%s/ok.db", tmpdir);
	make_db(path, 100);
	assert_int_equal(verify_path(path, &v), 0);
	assert_int_equal(v.count, 100);
	assert_int_equal(v.head_count, 100);
	assert_int_equal(v.last_id, 100);
	assert_int_equal(strlen(v.last_hash), AUDIT_HASH_LEN);
	assert_int_equal(v.fault, AUDIT_FAULT_NONE);
	audit_verify_clear(&v);
	free(path);
}

/* 4 processes x 1,000 appends at once still form one valid chain. */
static void
test_concurrent(void **state)
{
	struct audit_verify	 v;
	struct audit		*a;
	char			*path, *cause = NULL, *val;
	pid_t			 pids[4];
	int			 i, status, failed = 0;

	(void)state;
	path = xprintf("%s/concurrent.db", tmpdir);
	make_db(path, 0);	/* created; every connection closed */
	for (i = 0; i < 4; i++) {
		if ((pids[i] = fork()) == 0) {
			char	tag[16];
			int	j;

			a = audit_open(path, NULL, &cause);
			if (a == NULL)
				_exit(2);
			audit_set_identity(a, "alice", NULL, NULL);
			snprintf(tag, sizeof tag, "p%d", i);
			for (j = 0; j < 1000; j++) {
				struct audit_event	ev;
				char			cmd[32];

				memset(&ev, 0, sizeof ev);
				snprintf(cmd, sizeof cmd, "%s-%d", tag, j);
				ev.action = "command";
				ev.command = cmd;
				if (audit_append(a, &ev, NULL, &cause) != 0) {
					fprintf(stderr, "child %d: %s\n", i,
					    cause);
					_exit(1);
				}
			}
			audit_close(a);
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	assert_int_equal(failed, 0);
	assert_int_equal(verify_path(path, &v), 0);
	assert_int_equal(v.count, 4000);
	assert_int_equal(v.head_count, 4000);
	assert_int_equal(v.last_id, 4000);
	audit_verify_clear(&v);
	val = shell_value(path, "SELECT count(DISTINCT command), min(id), "
	    "max(id) FROM events");
	assert_string_equal(val, "4000|1|4000");
	free(val);
	free(path);
}

/* Four processes creating the same new trail at once agree on one file. */
static void
test_concurrent_create(void **state)
{
	struct audit_verify	 v;
	char			*path;
	pid_t			 pids[4];
	int			 i, status, failed = 0;

	(void)state;
	path = xprintf("%s/race/new.db", tmpdir);
	for (i = 0; i < 4; i++) {
		if ((pids[i] = fork()) == 0) {
			struct audit	*a;
			char		*cause = NULL;

			if ((a = audit_open(path, NULL, &cause)) == NULL) {
				fprintf(stderr, "child %d: %s\n", i, cause);
				_exit(1);
			}
			audit_set_identity(a, "alice", NULL, NULL);
			append_n(a, 100, "c");
			audit_close(a);
			_exit(0);
		}
	}
	for (i = 0; i < 4; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	assert_int_equal(failed, 0);
	assert_int_equal(mode_of(path), 0600);
	assert_int_equal(verify_path(path, &v), 0);
	assert_int_equal(v.count, 400);
	audit_verify_clear(&v);
	free(path);
}

/* One tampering done with the sqlite3 shell, and what verify must say. */
struct tamper_case {
	const char		*name;
	const char		*sql;
	enum audit_fault	 fault;
	int64_t			 bad_id;
	const char		*words;
};

static const struct tamper_case tamper_cases[] = {
	{ "edit", "UPDATE events SET command = 'rm -rf /' WHERE id = 7",
	  AUDIT_FAULT_EDITED, 7, "event 7: edited (hash mismatch)" },
	{ "edit-time", "UPDATE events SET time_ms = time_ms + 1 WHERE id = 12",
	  AUDIT_FAULT_EDITED, 12, "edited" },
	{ "edit-null", "UPDATE events SET risk = NULL WHERE id = 4",
	  AUDIT_FAULT_EDITED, 4, "edited" },
	{ "delete", "DELETE FROM events WHERE id = 7",
	  AUDIT_FAULT_DELETED, 8,
	  "event 8: previous hash does not match event 6 (event 7 deleted)" },
	{ "delete-range", "DELETE FROM events WHERE id BETWEEN 5 AND 9",
	  AUDIT_FAULT_DELETED, 10, "(events 5-9 deleted)" },
	{ "delete-first", "DELETE FROM events WHERE id = 1",
	  AUDIT_FAULT_DELETED, 2, "does not start the chain" },
	{ "swap", "CREATE TEMP TABLE t AS SELECT * FROM events WHERE id IN "
	  "(7, 8); UPDATE events SET (time_ms, operator, host, client, server,"
	  " session, action, command, risk, decision, result, exit_status, "
	  "detail, prev_hash, hash) = (SELECT time_ms, operator, host, client,"
	  " server, session, action, command, risk, decision, result, "
	  "exit_status, detail, prev_hash, hash FROM t WHERE t.id = 15 - "
	  "events.id) WHERE id IN (7, 8)",
	  AUDIT_FAULT_REORDERED, 7,
	  "event 7: reordered (the event that follows event 6 is stored as "
	  "event 8)" },
	{ "move", "UPDATE events SET id = 1000 WHERE id = 7",
	  AUDIT_FAULT_REORDERED, 8,
	  "event 8: reordered (its previous event is stored as event 1000)" },
	{ "truncate", "DELETE FROM events WHERE id > 15",
	  AUDIT_FAULT_TRUNCATED, 0,
	  "truncated: chain head says 20 events / last id 20, found 15 / "
	  "last id 15" },
	{ "truncate-all", "DELETE FROM events",
	  AUDIT_FAULT_TRUNCATED, 0, "found 0 / last id 0" },
	{ "head-edit", "UPDATE chain_head SET count = 19",
	  AUDIT_FAULT_HEAD, 0, "chain head says 19 events" },
	{ "head-drop", "DELETE FROM chain_head",
	  AUDIT_FAULT_HEAD, 0, "chain head missing" },
};

/* Each tampering of a copy of a good trail is found and named. */
static void
test_tamper(void **state)
{
	const struct tamper_case	*tc;
	struct audit_verify		 v;
	const char			*bin = getenv("OMV_BIN");
	char				*good, *copy, *out = NULL, *want;
	size_t				 i;
	int				 rc;

	(void)state;
	good = xprintf("%s/good.db", tmpdir);
	make_db(good, 20);
	for (i = 0; i < sizeof tamper_cases / sizeof tamper_cases[0]; i++) {
		tc = &tamper_cases[i];
		copy = xprintf("%s/tamper-%s.db", tmpdir, tc->name);
		copy_file(good, copy);
		assert_int_equal(verify_path(copy, &v), 0);
		audit_verify_clear(&v);
		shell(copy, tc->sql);
		rc = verify_path(copy, &v);
		if (rc != 1 || v.fault != tc->fault || v.bad_id != tc->bad_id ||
		    strstr(v.message, tc->words) == NULL) {
			fail_msg("%s: rc %d fault %s bad %lld: %s", tc->name,
			    rc, audit_fault_name(v.fault), (long long)v.bad_id,
			    v.message != NULL ? v.message : "(none)");
		}
		audit_verify_clear(&v);

		/* The command line says the same and exits 1. */
		if (bin != NULL && access(bin, X_OK) == 0) {
			rc = run((char *[]){ (char *)bin, (char *)"audit",
			    (char *)"verify", (char *)"--db", copy, NULL },
			    &out);
			want = tc->bad_id != 0 ?
			    xprintf("audit: FAILED at event %lld:",
			    (long long)tc->bad_id) : xstrdup("audit: FAILED: ");
			if (rc != 1 || strstr(out, want) == NULL ||
			    strstr(out, tc->words) == NULL)
				fail_msg("omv audit verify %s: %d: %s",
				    tc->name, rc, out);
			free(want);
			free(out);
		}
		free(copy);
	}
	free(good);
}

/* Appending onto a truncated trail is refused, so the cut stays visible. */
static void
test_append_after_truncation(void **state)
{
	struct audit		*a;
	struct audit_event	 ev;
	char			*path, *cause = NULL;

	(void)state;
	path = xprintf("%s/cut.db", tmpdir);
	make_db(path, 10);
	shell(path, "DELETE FROM events WHERE id > 8");
	a = open_rw(path);
	memset(&ev, 0, sizeof ev);
	ev.action = "command";
	ev.command = "ls";
	assert_int_equal(audit_append(a, &ev, NULL, &cause), -1);
	assert_non_null(strstr(cause, "damaged"));
	assert_non_null(strstr(cause, "last id 10"));
	free(cause);
	audit_close(a);
	free(path);
}

/* A schema newer than this omv, or a foreign database, is refused. */
static void
test_versions(void **state)
{
	char	*path, *other, *cause = NULL;

	(void)state;
	path = xprintf("%s/newer.db", tmpdir);
	make_db(path, 1);
	shell(path, "PRAGMA user_version = 99");
	assert_null(audit_open(path, NULL, &cause));
	assert_non_null(strstr(cause, "newer than this omv"));
	free(cause);
	assert_null(audit_open_readonly(path, &cause));
	assert_non_null(strstr(cause, "schema version 99"));
	free(cause);

	other = xprintf("%s/foreign.db", tmpdir);
	shell(other, "CREATE TABLE x (y)");
	assert_null(audit_open_readonly(other, &cause));
	assert_non_null(strstr(cause, "not an omv audit database"));
	free(cause);
	assert_null(audit_open_readonly("/nonexistent/omv/audit.db", &cause));
	assert_non_null(strstr(cause, "no audit trail"));
	free(cause);
	free(path);
	free(other);
}

/*
 * Read-only for this user: a database the operator may read but not write
 * cannot be opened for appending.  As root (who ignores file modes) the
 * check runs in a child that has dropped to nobody.
 */
static void
test_readonly_user(void **state)
{
	struct passwd	*pw;
	char		*dir, *path, *cause = NULL, buf[512];
	pid_t		 pid;
	ssize_t		 n;
	int		 p[2], status;

	(void)state;
	dir = xprintf("%s/ro", tmpdir);
	path = xprintf("%s/audit.db", dir);
	make_db(path, 3);
	assert_int_equal(chmod(path, 0644), 0);
	if (geteuid() != 0) {
		assert_int_equal(chmod(path, 0444), 0);
		assert_null(audit_open(path, NULL, &cause));
		assert_non_null(strstr(cause, "read-only"));
		free(cause);
		goto out;
	}
	if ((pw = getpwnam("nobody")) == NULL)
		skip();
	assert_int_equal(chmod(tmpdir, 0755), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		struct audit	*a;

		close(p[0]);
		if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 ||
		    setuid(pw->pw_uid) != 0)
			_exit(3);
		a = audit_open(path, NULL, &cause);
		if (a != NULL)
			_exit(1);	/* must not open for writing */
		if (write(p[1], cause, strlen(cause)) < 0)
			_exit(4);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	waitpid(pid, &status, 0);
	chmod(tmpdir, 0700);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "read-only"));
	assert_non_null(strstr(buf, path));
out:
	free(dir);
	free(path);
}

/* chattr +i or -i on each file; 0 when it worked. */
static int
chattr(const char *flag, char **files, int n)
{
	char	*argv[8];
	int	 i, rc;

	argv[0] = (char *)"chattr";
	argv[1] = (char *)flag;
	for (i = 0; i < n; i++)
		argv[2 + i] = files[i];
	argv[2 + n] = NULL;
	rc = run(argv, NULL);
	return (rc);
}

/*
 * Read-only underneath an open handle (immutable files: even root cannot
 * write them): the append fails with the reason and nothing half-written.
 */
static void
test_readonly_append(void **state)
{
	struct audit_verify	 v;
	struct audit		*a;
	struct audit_event	 ev;
	char			*path, *files[3], *cause = NULL;
	int			 rc;

	(void)state;
	path = xprintf("%s/immutable.db", tmpdir);
	a = open_rw(path);
	append_n(a, 5, "i");
	/*
	 * Not -shm: it is mapped, and a store into an immutable mapping is
	 * SIGBUS, not an error SQLite could report.
	 */
	files[0] = path;
	files[1] = xprintf("%s-wal", path);
	files[2] = xprintf("%s-shm", path);
	if (chattr("+i", files, 2) != 0) {
		audit_close(a);
		free(files[1]);
		free(files[2]);
		free(path);
		skip();		/* file system without immutable files */
	}
	memset(&ev, 0, sizeof ev);
	ev.action = "command";
	ev.command = "shutdown -h now";
	rc = audit_append(a, &ev, NULL, &cause);
	chattr("-i", files, 2);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(cause, "audit: cannot write"));
	assert_non_null(strstr(cause, path));
	assert_non_null(strstr(cause, "Operation not permitted"));
	free(cause);
	audit_close(a);

	/* The chain is intact and holds only the five good events. */
	assert_int_equal(verify_path(path, &v), 0);
	assert_int_equal(v.count, 5);
	audit_verify_clear(&v);

	/* Opening an immutable trail for writing fails too. */
	chattr("+i", files, 1);
	a = audit_open(path, NULL, &cause);
	chattr("-i", files, 1);
	assert_null(a);
	assert_non_null(strstr(cause, "read-only"));
	free(cause);
	free(files[1]);
	free(files[2]);
	free(path);
}

/*
 * A full disk: a child limits its file size (RLIMIT_FSIZE, SIGXFSZ
 * ignored) so SQLite's writes fail as they would with ENOSPC, appends
 * until one fails, and reports how many it made and why it stopped.
 */
static void
test_full(void **state)
{
	struct audit_verify	 v;
	char			*path, buf[1024];
	pid_t			 pid;
	ssize_t			 n;
	long			 made = -1;
	int			 p[2], status;

	(void)state;
	path = xprintf("%s/full.db", tmpdir);
	make_db(path, 2);
	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		struct audit		*a;
		struct audit_event	 ev;
		struct rlimit		 rl;
		struct sbuf		 detail;
		char			*cause = NULL, *msg;
		int			 i;

		close(p[0]);
		signal(SIGXFSZ, SIG_IGN);
		a = audit_open(path, NULL, &cause);
		if (a == NULL)
			_exit(2);
		audit_set_identity(a, "alice", NULL, NULL);
		rl.rlim_cur = rl.rlim_max = 256 * 1024;
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(3);
		sbuf_init(&detail);
		sbuf_adds(&detail, "{\"pad\":\"");
		for (i = 0; i < 8192; i++)
			sbuf_addc(&detail, 'x');
		sbuf_adds(&detail, "\"}");
		for (i = 0; i < 1000; i++) {
			memset(&ev, 0, sizeof ev);
			ev.action = "file";
			ev.detail = detail.buf;
			if (audit_append(a, &ev, NULL, &cause) != 0)
				break;
		}
		msg = xprintf("%d %s", i, i < 1000 ? cause : "no failure");
		if (write(p[1], msg, strlen(msg)) < 0)
			_exit(4);
		audit_close(a);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	waitpid(pid, &status, 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(n > 0);
	buf[n] = '\0';
	made = strtol(buf, NULL, 10);
	if (strstr(buf, "audit: cannot write") == NULL ||
	    (strstr(buf, "full") == NULL && strstr(buf, "too large") == NULL))
		fail_msg("want a disk-full cause, got: %s", buf);
	assert_true(made > 0 && made < 1000);
	/* What was written is a valid chain; the failed event is absent. */
	assert_int_equal(verify_path(path, &v), 0);
	assert_int_equal(v.count, 2 + made);
	audit_verify_clear(&v);
	free(path);
}

/*
 * A really full file system: a child in its own mount namespace mounts a
 * 1 MiB tmpfs (gone when the child exits), fills it, and appends until
 * SQLite reports the disk full.  Needs CAP_SYS_ADMIN; skipped without.
 */
static void
test_disk_full(void **state)
{
	char	*dir, buf[1024];
	pid_t	 pid;
	ssize_t	 n;
	int	 p[2], status;

	(void)state;
	dir = xprintf("%s/tmpfs", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(pipe(p), 0);
	if ((pid = fork()) == 0) {
		struct audit		*a;
		struct audit_event	 ev;
		char			*path, *fill, *cause = NULL, *msg;
		char			 block[4096];
		int			 fd, i;

		close(p[0]);
		if (unshare(CLONE_NEWNS) != 0 ||
		    mount("none", "/", NULL, MS_REC|MS_PRIVATE, NULL) != 0 ||
		    mount("omv-test", dir, "tmpfs", 0, "size=1m,mode=0700") != 0)
			_exit(77);
		path = xprintf("%s/audit.db", dir);
		a = audit_open(path, NULL, &cause);
		if (a == NULL)
			_exit(2);
		audit_set_identity(a, "alice", NULL, NULL);
		memset(&ev, 0, sizeof ev);
		ev.action = "command";
		ev.command = "true";
		if (audit_append(a, &ev, NULL, &cause) != 0)
			_exit(3);
		/* Take the rest of the space. */
		fill = xprintf("%s/fill", dir);
		fd = open(fill, O_WRONLY|O_CREAT, 0600);
		memset(block, 'x', sizeof block);
		while (write(fd, block, sizeof block) > 0)
			;
		close(fd);
		for (i = 0; i < 1000; i++) {
			if (audit_append(a, &ev, NULL, &cause) != 0)
				break;
		}
		msg = xprintf("%d %s", i, i < 1000 ? cause : "no failure");
		if (write(p[1], msg, strlen(msg)) < 0)
			_exit(4);
		audit_close(a);
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof buf - 1);
	close(p[0]);
	waitpid(pid, &status, 0);
	free(dir);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(n > 0);
	buf[n] = '\0';
	if (strstr(buf, "database or disk is full") == NULL &&
	    strstr(buf, "No space left") == NULL)
		fail_msg("want a disk-full cause, got: %s", buf);
	assert_true(strtol(buf, NULL, 10) < 1000);
}

/* The session index. */
static void
test_sessions(void **state)
{
	struct audit		*a;
	struct audit_session	*list;
	char			*path, *cause = NULL;
	size_t			 n;
	int64_t			 id1, id2;

	(void)state;
	path = xprintf("%s/sessions.db", tmpdir);
	a = open_rw(path);
	assert_int_equal(audit_session_start(a, "web-1", "/r/1.cast", 1000,
	    &id1, &cause), 0);
	assert_int_equal(audit_session_start(a, "db-1", NULL, 2000, &id2,
	    &cause), 0);
	assert_true(id2 > id1);
	assert_int_equal(audit_session_end(a, id1, 5000, 12345, &cause), 0);
	assert_int_equal(audit_session_end(a, 999, 5000, 1, &cause), -1);
	assert_non_null(strstr(cause, "no session 999"));
	free(cause);
	assert_int_equal(audit_session_list(a, NULL, 0, &list, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].operator, "alice");
	assert_string_equal(list[0].server, "web-1");
	assert_string_equal(list[0].path, "/r/1.cast");
	assert_int_equal(list[0].start_ms, 1000);
	assert_int_equal(list[0].end_ms, 5000);
	assert_int_equal(list[0].bytes, 12345);
	assert_null(list[1].path);
	assert_int_equal(list[1].end_ms, 0);
	audit_session_free(list, n);
	assert_int_equal(audit_session_list(a, "db-1", 0, &list, &n, &cause),
	    0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, id2);
	audit_session_free(list, n);
	audit_close(a);
	free(path);
}

/* JSON validity, table-driven from tests/data/audit-json.txt. */
static void
test_json_valid(void **state)
{
	const char	*dir = getenv("OMV_TEST_DATA");
	char		*path, line[1024], *text;
	FILE		*f;
	size_t		 len;
	int		 want, cases = 0;

	(void)state;
	path = xprintf("%s/audit-json.txt", dir != NULL ? dir : "tests/data");
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f) != NULL) {
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || len < 2)
			continue;
		/* "ok TEXT" or "no TEXT"; a bare "no" is the empty text. */
		want = strncmp(line, "ok", 2) == 0;
		text = len >= 3 ? line + 3 : line + 2;
		if (audit_json_valid(text) != want)
			fail_msg("%s: json_valid(%s) != %d", path, text, want);
		cases++;
	}
	fclose(f);
	assert_true(cases >= 20);
	free(path);
}

/* Export formats: JSON lines parse, CSV quotes per RFC 4180. */
static void
test_formats(void **state)
{
	struct audit_event	ev;
	struct sbuf		sb;

	(void)state;
	memset(&ev, 0, sizeof ev);
	ev.id = 9;
	ev.time_ms = 1700000000123;
	ev.operator = "alice";
	ev.server = "web,1";
	ev.action = "command";
	ev.command = "echo \"a\"\r\nb\x1b[2J";
	ev.detail = "{\"k\":1}";
	ev.has_exit = true;
	ev.exit_status = 0;
	sbuf_init(&sb);
	audit_event_json(&sb, &ev);
	assert_true(audit_json_valid(sb.buf));
	assert_non_null(strstr(sb.buf, "\"detail\":{\"k\":1}"));
	assert_non_null(strstr(sb.buf, "\"time\":\"2023-11-14T22:13:20.123Z\""));
	assert_non_null(strstr(sb.buf, "\\u001b[2J"));
	assert_non_null(strstr(sb.buf, "\"exit_status\":0"));
	assert_non_null(strstr(sb.buf, "\"session\":null"));
	sbuf_reset(&sb);
	audit_event_csv(&sb, &ev);
	assert_string_equal(sb.buf, "9,2023-11-14T22:13:20.123Z,alice,,,"
	    "\"web,1\",,command,\"echo \"\"a\"\"\r\nb\x1b[2J\",,,,0,"
	    "\"{\"\"k\"\":1}\",,\r\n");
	/* A detail edited into invalid JSON still exports as valid JSON. */
	sbuf_reset(&sb);
	ev.detail = "{broken";
	audit_event_json(&sb, &ev);
	assert_true(audit_json_valid(sb.buf));
	sbuf_free(&sb);
}

/* The command line: list, --json, export; escapes on display. */
static void
test_cli(void **state)
{
	struct audit		*a;
	struct audit_event	 ev;
	const char		*bin = getenv("OMV_BIN");
	char			*path, *out = NULL, *cause = NULL, *line;
	int			 rc, lines;

	(void)state;
	if (bin == NULL || access(bin, X_OK) != 0)
		skip();
	path = xprintf("%s/cli.db", tmpdir);
	a = open_rw(path);
	append_n(a, 60, "cli");
	memset(&ev, 0, sizeof ev);
	ev.action = "command";
	ev.server = "web-1";
	ev.command = "printf '\x1b]0;pwned\x07' \xc2\x9b\x31m, \"q\"";
	ev.risk = "critical";
	ev.decision = "deny";
	ev.result = "refused";
	assert_int_equal(audit_append(a, &ev, NULL, &cause), 0);
	audit_close(a);

	rc = run((char *[]){ (char *)bin, (char *)"audit", (char *)"list",
	    (char *)"--db", path, NULL }, &out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "OPERATOR"));
	assert_non_null(strstr(out, "cli-59"));
	assert_null(strstr(out, "cli-9\n"));	/* default: newest 50 */
	assert_null(strchr(out, '\x1b'));	/* escapes are shown, not sent */
	assert_null(strstr(out, "\xc2\x9b"));
	assert_non_null(strstr(out, "\\x1b]0;pwned\\x07"));
	free(out);

	rc = run((char *[]){ (char *)bin, (char *)"audit", (char *)"list",
	    (char *)"--db", path, (char *)"--json", (char *)"--risk",
	    (char *)"critical", NULL }, &out);
	assert_int_equal(rc, 0);
	lines = 0;
	for (line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		assert_true(audit_json_valid(line));
		assert_non_null(strstr(line, "\"risk\":\"critical\""));
		lines++;
	}
	assert_int_equal(lines, 1);
	free(out);

	rc = run((char *[]){ (char *)bin, (char *)"audit", (char *)"export",
	    (char *)"--db", path, (char *)"--format", (char *)"csv", NULL },
	    &out);
	assert_int_equal(rc, 0);
	assert_memory_equal(out, "id,time,operator,", 17);
	lines = 0;
	for (line = out; (line = strstr(line, "\r\n")) != NULL; line += 2)
		lines++;
	assert_int_equal(lines, 62);	/* header and 61 events */
	free(out);

	rc = run((char *[]){ (char *)bin, (char *)"audit", (char *)"export",
	    (char *)"--db", path, (char *)"--format", (char *)"jsonl",
	    (char *)"--user", (char *)"alice", NULL }, &out);
	assert_int_equal(rc, 0);
	lines = 0;
	for (line = strtok(out, "\n"); line != NULL; line = strtok(NULL, "\n")) {
		assert_true(audit_json_valid(line));
		lines++;
	}
	assert_int_equal(lines, 61);
	free(out);

	rc = run((char *[]){ (char *)bin, (char *)"audit", (char *)"verify",
	    (char *)"--db", path, NULL }, &out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "audit: OK, 61 events, chain head 61"));
	free(out);

	rc = run((char *[]){ (char *)bin, (char *)"audit", (char *)"export",
	    (char *)"--db", path, (char *)"--format", (char *)"xml", NULL },
	    &out);
	assert_int_equal(rc, 2);
	free(out);
	rc = run((char *[]){ (char *)bin, (char *)"audit", (char *)"verify",
	    (char *)"--db", (char *)"/nonexistent/audit.db", NULL }, &out);
	assert_int_equal(rc, 2);
	assert_non_null(strstr(out, "no audit trail"));
	free(out);
	free(path);
}

/* Remove one path of the temp tree. */
static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return (-1);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	/* A test that died between chattr +i and -i must not leave junk. */
	run((char *[]){ (char *)"chattr", (char *)"-R", (char *)"-i", tmpdir,
	    NULL }, NULL);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH|FTW_PHYS);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_modes),
		cmocka_unit_test(test_group_mode),
		cmocka_unit_test(test_refuse_unsafe),
		cmocka_unit_test(test_append_read),
		cmocka_unit_test(test_verify_ok),
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_concurrent_create),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_append_after_truncation),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_readonly_user),
		cmocka_unit_test(test_readonly_append),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_disk_full),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_json_valid),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_cli),
	};

	return (cmocka_run_group_tests_name("audit", tests, setup, teardown));
}
