/*
 * bench-audit.c: durable audit appends per second through the API, against
 * raw SQLite inserts measured in the same run on the same file system:
 *
 *   api FULL      audit_append: BEGIN IMMEDIATE, head check, SHA-256,
 *                 insert, head update, COMMIT with the WAL fsync'd
 *   api NORMAL    the same with synchronous=NORMAL (WAL synced only at
 *                 checkpoints: survives a crash of omv, not of the machine)
 *   api 4 procs   four processes appending to one file at once (FULL)
 *   raw FULL      INSERT of the same columns into a plain table, one
 *                 transaction per row, same pragmas
 *   raw NORMAL    the same with synchronous=NORMAL
 *   raw batch     synchronous=NORMAL, 1,000 rows per transaction
 *   verify        events checked per second by audit_verify
 *
 * Not a timed test: it prints numbers and ratios, and fails only if an
 * append fails.  Build and run from the repository root:
 *
 *   cc -std=c11 -D_GNU_SOURCE -O2 -Iinclude tests/bench/bench-audit.c \
 *       build/libomv.a $(pkg-config --cflags --libs sqlite3 libcrypto) -lm
 *   ./a.out [N]            (N appends per case, default 2000; dir: $TMPDIR)
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "audit.h"
#include "audit-int.h"

static char	*bench_dir;

/* Seconds on the monotonic clock. */
static double
bench_now(void)
{
	return ((double)mono_ms() / 1000.0);
}

/* A fresh database path. */
static char *
bench_path(const char *name)
{
	return (xprintf("%s/%s.db", bench_dir, name));
}

/* Fill an event like a typical gated command. */
static void
bench_event(struct audit_event *ev, char *cmd, size_t len, int i)
{
	memset(ev, 0, sizeof *ev);
	snprintf(cmd, len, "systemctl restart nginx --no-block # %d", i);
	ev->server = "web-17";
	ev->session = 3;
	ev->action = "command";
	ev->command = cmd;
	ev->risk = "high";
	ev->decision = "confirm";
	ev->result = "sent";
	ev->detail = "{\"rule\":\"service restart\",\"env\":\"production\"}";
}

/* n appends through the API; rows/s, or -1 on failure. */
static double
bench_api(const char *path, int n, bool normal)
{
	struct audit		*a;
	struct audit_event	 ev;
	char			*cause = NULL, cmd[96];
	double			 t0, t;
	int			 i;

	if ((a = audit_open(path, NULL, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return (-1);
	}
	audit_set_identity(a, "alice", "jump-1", "192.0.2.7");
	if (normal)
		sqlite3_exec(audit_db(a), "PRAGMA synchronous = NORMAL", NULL,
		    NULL, NULL);
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		bench_event(&ev, cmd, sizeof cmd, i);
		if (audit_append(a, &ev, NULL, &cause) != 0) {
			fprintf(stderr, "%s\n", cause);
			audit_close(a);
			return (-1);
		}
	}
	t = bench_now() - t0;
	audit_close(a);
	return (n / t);
}

/* Four processes appending n/4 each to one file; total rows/s. */
static double
bench_api_procs(const char *path, int n)
{
	struct audit	*a;
	char		*cause = NULL;
	pid_t		 pids[4];
	double		 t0, t;
	int		 i, status, bad = 0;

	/* Create the file first, then close: children open their own. */
	if ((a = audit_open(path, NULL, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return (-1);
	}
	audit_close(a);
	t0 = bench_now();
	for (i = 0; i < 4; i++) {
		if ((pids[i] = fork()) == 0)
			_exit(bench_api(path, n / 4, false) > 0 ? 0 : 1);
	}
	for (i = 0; i < 4; i++) {
		waitpid(pids[i], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	}
	t = bench_now() - t0;
	return (bad ? -1 : (n / 4) * 4 / t);
}

/* n raw inserts, batch rows per transaction; rows/s, or -1. */
static double
bench_raw(const char *path, int n, const char *sync, int batch)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	struct audit_event ev;
	char		 cmd[96], *pragma;
	double		 t0, t;
	int		 i, rc = SQLITE_OK;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return (-1);
	sqlite3_busy_timeout(db, 5000);
	pragma = xprintf("PRAGMA journal_mode = WAL; PRAGMA synchronous = %s;"
	    "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, "
	    "time_ms INTEGER, operator TEXT, host TEXT, client TEXT, "
	    "server TEXT, session INTEGER, action TEXT, command TEXT, "
	    "risk TEXT, decision TEXT, result TEXT, exit_status INTEGER, "
	    "detail TEXT, prev_hash TEXT, hash TEXT)", sync);
	sqlite3_exec(db, pragma, NULL, NULL, NULL);
	free(pragma);
	sqlite3_prepare_v2(db, "INSERT INTO events (time_ms, operator, host, "
	    "client, server, session, action, command, risk, decision, result,"
	    " detail, prev_hash, hash) VALUES (?, 'alice', 'jump-1', "
	    "'192.0.2.7', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL);
	t0 = bench_now();
	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		if (i % batch == 0)
			sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		bench_event(&ev, cmd, sizeof cmd, i);
		sqlite3_bind_int64(st, 1, now_ms());
		sqlite3_bind_text(st, 2, ev.server, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, ev.session);
		sqlite3_bind_text(st, 4, ev.action, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, ev.command, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, ev.risk, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, ev.decision, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, ev.result, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, ev.detail, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, "0000000000000000000000000000000000"
		    "000000000000000000000000000000", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, "1111111111111111111111111111111111"
		    "111111111111111111111111111111", -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = SQLITE_ERROR;
		sqlite3_reset(st);
		if (i % batch == batch - 1 || i == n - 1) {
			if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) !=
			    SQLITE_OK)
				rc = SQLITE_ERROR;
		}
	}
	t = bench_now() - t0;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return (rc == SQLITE_OK ? n / t : -1);
}

/* Verify the chain at path; events/s, or -1. */
static double
bench_verify(const char *path, int64_t *count)
{
	struct audit		*a;
	struct audit_verify	 v;
	char			*cause = NULL;
	double			 t0, t;
	int			 rc;

	if ((a = audit_open_readonly(path, &cause)) == NULL)
		return (-1);
	t0 = bench_now();
	rc = audit_verify(a, &v, &cause);
	t = bench_now() - t0;
	audit_close(a);
	if (rc != 0)
		return (-1);
	*count = v.count;
	audit_verify_clear(&v);
	return (*count / t);
}

/* Remove one path of the bench tree. */
static int
bench_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

/* One result line, with its ratio to a reference when given. */
static void
bench_line(const char *name, double rate, double ref, const char *refname)
{
	if (rate < 0) {
		printf("%-34s FAILED\n", name);
		return;
	}
	printf("%-34s %10.0f rows/s", name, rate);
	if (ref > 0)
		printf("   x%.2f of %s", rate / ref, refname);
	printf("\n");
}

int
main(int argc, char **argv)
{
	const char	*tmp = getenv("TMPDIR");
	double		 api_full, api_normal, api_procs, raw_full, raw_normal;
	double		 raw_batch, ver;
	int64_t		 count = 0;
	int		 n = argc > 1 ? atoi(argv[1]) : 2000;
	char		*p;

	if (n < 4)
		n = 4;
	bench_dir = xprintf("%s/omv-bench-audit.XXXXXX", tmp != NULL ? tmp :
	    "/tmp");
	if (mkdtemp(bench_dir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	printf("audit append benchmark: %d rows per case, %s, SQLite %s\n", n,
	    bench_dir, sqlite3_libversion());

	raw_full = bench_raw((p = bench_path("raw-full")), n, "FULL", 1);
	free(p);
	api_full = bench_api((p = bench_path("api-full")), n, false);
	ver = bench_verify(p, &count);
	free(p);
	raw_normal = bench_raw((p = bench_path("raw-normal")), n, "NORMAL", 1);
	free(p);
	api_normal = bench_api((p = bench_path("api-normal")), n, true);
	free(p);
	raw_batch = bench_raw((p = bench_path("raw-batch")), n * 10, "NORMAL",
	    1000);
	free(p);
	api_procs = bench_api_procs((p = bench_path("api-procs")), n);
	free(p);

	bench_line("raw INSERT, FULL, 1 txn/row", raw_full, 0, NULL);
	bench_line("api audit_append, FULL (durable)", api_full, raw_full,
	    "raw FULL");
	bench_line("api audit_append, 4 processes", api_procs, api_full,
	    "api FULL");
	bench_line("raw INSERT, NORMAL, 1 txn/row", raw_normal, raw_full,
	    "raw FULL");
	bench_line("api audit_append, NORMAL", api_normal, raw_normal,
	    "raw NORMAL");
	bench_line("raw INSERT, NORMAL, 1000/txn", raw_batch, raw_full,
	    "raw FULL");
	printf("%-34s %10.0f events/s (%lld events)\n", "audit_verify", ver,
	    (long long)count);

	nftw(bench_dir, bench_rm, 16, FTW_DEPTH|FTW_PHYS);
	free(bench_dir);
	return (api_full < 0 || api_normal < 0 || api_procs < 0 ? 1 : 0);
}
