/*
 * test_approval.c: the approval queue on a real SQLite file: the state
 * machine, four-eyes, expiry, one release per approval, change polling
 * across handles, and two processes racing to decide the same request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "approval.h"
#include "audit.h"

static char	tmpdir[] = "/tmp/omv-test-approval.XXXXXX";
static int	dbseq;

/* A fresh database path in the temp dir. */
static char *
new_path(void)
{
	return (xprintf("%s/a%d.db", tmpdir, ++dbseq));
}

/* Open with an identity; fail the test on error. */
static struct audit *
open_as(const char *path, const char *login)
{
	struct audit	*a;
	char		*cause = NULL;

	if ((a = audit_open(path, NULL, &cause)) == NULL)
		fail_msg("audit_open: %s", cause);
	audit_set_identity(a, login, "jump-1", NULL);
	return (a);
}

/* Create a request by alice for cmd expiring in ms; return its id. */
static int64_t
request(struct audit *a, const char *cmd, int64_t ms)
{
	struct approval_request	 req;
	char			*cause = NULL;
	int64_t			 id;

	memset(&req, 0, sizeof req);
	req.requester = "alice";
	req.server = "db-1";
	req.env = "production";
	req.command = cmd;
	req.risk = "critical";
	req.rule = "drops a database";
	req.reason = "ticket OPS-12";
	req.approver_roles = "lead,security";
	req.expires_ms = now_ms() + ms;
	req.session = 7;
	if (approval_create(a, &req, &id, &cause) != 0)
		fail_msg("approval_create: %s", cause);
	return (id);
}

/* The status of a request, read back. */
static enum approval_status
status_of(struct audit *a, int64_t id)
{
	struct approval		*ap;
	enum approval_status	 s;
	char			*cause = NULL;

	if ((ap = approval_get(a, id, &cause)) == NULL)
		fail_msg("approval_get: %s", cause);
	s = ap->status;
	approval_free(ap);
	return (s);
}

/* Counting events by result. */
struct count_arg {
	const char	*result;
	int		 n;
};

/* Count the events with the wanted result. */
static int
count_cb(const struct audit_event *ev, void *arg)
{
	struct count_arg	*c = arg;

	if (ev->result != NULL && strcmp(ev->result, c->result) == 0)
		c->n++;
	return (0);
}

/* Number of approval events whose result is result. */
static int
events_with(struct audit *a, const char *result)
{
	struct audit_filter	 f;
	struct count_arg	 c = { result, 0 };
	char			*cause = NULL;

	memset(&f, 0, sizeof f);
	f.min_risk = -1;
	f.action = "approval";
	if (audit_query(a, &f, count_cb, &c, &cause) != 0)
		fail_msg("query: %s", cause);
	return (c.n);
}

/* The chain must verify after every test. */
static void
chain_ok(struct audit *a)
{
	struct audit_verify	 v;
	char			*cause = NULL;
	int			 rc;

	rc = audit_verify(a, &v, &cause);
	if (rc != 0)
		fail_msg("verify: %d %s", rc, rc == 1 ? v.message : cause);
	audit_verify_clear(&v);
}

/* Create, read back every field, list pending. */
static void
test_create_get_list(void **state)
{
	struct audit		 *a;
	struct approval		 *ap, **list;
	struct approval_request	  req;
	char			 *path, *cause = NULL;
	size_t			  n;
	int64_t			  id, id2;

	(void)state;
	path = new_path();
	a = open_as(path, "alice");
	id = request(a, "dropdb orders", 60000);
	ap = approval_get(a, id, &cause);
	assert_non_null(ap);
	assert_int_equal(ap->id, id);
	assert_string_equal(ap->requester, "alice");
	assert_string_equal(ap->server, "db-1");
	assert_string_equal(ap->env, "production");
	assert_string_equal(ap->command, "dropdb orders");
	assert_string_equal(ap->risk, "critical");
	assert_string_equal(ap->rule, "drops a database");
	assert_string_equal(ap->reason, "ticket OPS-12");
	assert_string_equal(ap->approver_roles, "lead,security");
	assert_int_equal(ap->status, APPROVAL_PENDING);
	assert_null(ap->decided_by);
	assert_int_equal(ap->decided_ms, 0);
	assert_int_equal(ap->session, 7);
	assert_true(ap->created_ms <= now_ms() && ap->expires_ms > now_ms());
	approval_free(ap);
	assert_int_equal(events_with(a, "requested"), 1);

	/* Requester defaults to the identity; short env names work. */
	memset(&req, 0, sizeof req);
	req.command = "reboot";
	req.env = "prod";
	req.expires_ms = now_ms() + 1000;
	assert_int_equal(approval_create(a, &req, &id2, &cause), 0);
	ap = approval_get(a, id2, &cause);
	assert_string_equal(ap->requester, "alice");
	assert_string_equal(ap->env, "production");
	approval_free(ap);

	assert_int_equal(approval_list(a, APPROVAL_PENDING, 0, 0, &list, &n,
	    &cause), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0]->id, id);
	assert_int_equal(list[1]->id, id2);
	approval_list_free(list, n);
	/* At a time past the second's expiry, only the first is pending. */
	assert_int_equal(approval_list(a, APPROVAL_PENDING, now_ms() + 5000, 0,
	    &list, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0]->id, id);
	approval_list_free(list, n);

	/* Bad requests. */
	assert_null(approval_get(a, 999, &cause));
	assert_non_null(strstr(cause, "no approval request 999"));
	free(cause);
	req.expires_ms = now_ms() - 1;
	assert_int_equal(approval_create(a, &req, NULL, &cause), -1);
	free(cause);
	req.expires_ms = now_ms() + 1000;
	req.risk = "apocalyptic";
	assert_int_equal(approval_create(a, &req, NULL, &cause), -1);
	assert_non_null(strstr(cause, "unknown risk"));
	free(cause);
	req.risk = NULL;
	req.command = NULL;
	assert_int_equal(approval_create(a, &req, NULL, &cause), -1);
	free(cause);
	chain_ok(a);
	audit_close(a);
	free(path);
}

/* Approve, then release once; the trail records each step. */
static void
test_approve_release(void **state)
{
	struct audit	*a;
	struct approval	*ap;
	char		*path, *cause = NULL;
	int64_t		 id;

	(void)state;
	path = new_path();
	a = open_as(path, "bob");
	id = request(a, "dropdb orders", 60000);
	assert_int_equal(approval_decide(a, id, true, "bob", "looks right",
	    &cause), 0);
	ap = approval_get(a, id, &cause);
	assert_int_equal(ap->status, APPROVAL_APPROVED);
	assert_string_equal(ap->decided_by, "bob");
	assert_string_equal(ap->decision_reason, "looks right");
	assert_true(ap->decided_ms > 0);
	approval_free(ap);
	assert_int_equal(events_with(a, "approved"), 1);

	/* A second decision is refused and says who decided. */
	assert_int_equal(approval_decide(a, id, false, "carol", NULL, &cause),
	    -1);
	assert_non_null(strstr(cause, "already approved by bob"));
	free(cause);

	/* One approval sends one command. */
	assert_int_equal(approval_finish(a, id, true, "sent", &cause), 0);
	assert_int_equal(status_of(a, id), APPROVAL_RELEASED);
	assert_int_equal(approval_finish(a, id, true, "again", &cause), -1);
	assert_non_null(strstr(cause, "released, not approved"));
	free(cause);
	ap = approval_get(a, id, &cause);
	assert_string_equal(ap->decided_by, "bob");	/* kept */
	approval_free(ap);
	assert_int_equal(events_with(a, "released"), 1);

	/* A pending request cannot be released. */
	id = request(a, "dropdb carts", 60000);
	assert_int_equal(approval_finish(a, id, true, NULL, &cause), -1);
	free(cause);
	/* Deny, and refuse after approval. */
	assert_int_equal(approval_decide(a, id, false, "carol", "no ticket",
	    &cause), 0);
	assert_int_equal(status_of(a, id), APPROVAL_DENIED);
	id = request(a, "dropdb users", 60000);
	assert_int_equal(approval_decide(a, id, true, "carol", NULL, &cause),
	    0);
	assert_int_equal(approval_finish(a, id, false, "screen changed",
	    &cause), 0);
	assert_int_equal(status_of(a, id), APPROVAL_REFUSED);
	chain_ok(a);
	audit_close(a);
	free(path);
}

/* The requester can never decide their own request. */
static void
test_four_eyes(void **state)
{
	struct audit	*a;
	char		*path, *cause = NULL;
	int64_t		 id;
	int		 before;

	(void)state;
	path = new_path();
	a = open_as(path, "alice");
	id = request(a, "dropdb orders", 60000);
	before = events_with(a, "approved") + events_with(a, "denied");
	assert_int_equal(approval_decide(a, id, true, "alice", NULL, &cause),
	    -1);
	assert_non_null(strstr(cause, "four-eyes"));
	free(cause);
	assert_int_equal(approval_decide(a, id, false, "alice", NULL, &cause),
	    -1);
	free(cause);
	assert_int_equal(approval_decide(a, id, true, "", NULL, &cause), -1);
	free(cause);
	assert_int_equal(status_of(a, id), APPROVAL_PENDING);
	assert_int_equal(events_with(a, "approved") + events_with(a,
	    "denied"), before);
	/* Another login, even one differing only in case, may decide. */
	assert_int_equal(approval_decide(a, id, true, "Alice2", NULL, &cause),
	    0);
	chain_ok(a);
	audit_close(a);
	free(path);
}

/* Expired requests cannot be decided and are marked expired. */
static void
test_expiry(void **state)
{
	struct audit	*a;
	struct timespec	 ts = { 0, 80 * 1000 * 1000 };
	char		*path, *cause = NULL;
	int64_t		 id, keep;
	int		 n;

	(void)state;
	path = new_path();
	a = open_as(path, "alice");
	id = request(a, "dropdb orders", 30);
	nanosleep(&ts, NULL);
	assert_int_equal(approval_decide(a, id, true, "bob", NULL, &cause), -1);
	assert_non_null(strstr(cause, "expired at"));
	free(cause);
	assert_int_equal(status_of(a, id), APPROVAL_EXPIRED);
	assert_int_equal(events_with(a, "expired"), 1);

	/* approval_expire sweeps everything past its time. */
	request(a, "a", 1000);
	request(a, "b", 2000);
	keep = request(a, "c", 3600 * 1000);
	assert_int_equal(approval_expire(a, now_ms() + 10000, &n, &cause), 0);
	assert_int_equal(n, 2);
	assert_int_equal(status_of(a, keep), APPROVAL_PENDING);
	assert_int_equal(events_with(a, "expired"), 3);
	assert_int_equal(approval_expire(a, 0, &n, &cause), 0);
	assert_int_equal(n, 0);
	chain_ok(a);
	audit_close(a);
	free(path);
}

/* Cancel: only while pending. */
static void
test_cancel(void **state)
{
	struct audit	*a;
	struct approval	*ap;
	char		*path, *cause = NULL;
	int64_t		 id;

	(void)state;
	path = new_path();
	a = open_as(path, "alice");
	id = request(a, "dropdb orders", 60000);
	assert_int_equal(approval_cancel(a, id, NULL, "pane closed", &cause),
	    0);
	ap = approval_get(a, id, &cause);
	assert_int_equal(ap->status, APPROVAL_CANCELLED);
	assert_string_equal(ap->decided_by, "alice");
	assert_string_equal(ap->decision_reason, "pane closed");
	approval_free(ap);
	assert_int_equal(approval_decide(a, id, true, "bob", NULL, &cause), -1);
	assert_non_null(strstr(cause, "already cancelled"));
	free(cause);
	assert_int_equal(approval_cancel(a, id, NULL, NULL, &cause), -1);
	free(cause);
	assert_int_equal(events_with(a, "cancelled"), 1);
	chain_ok(a);
	audit_close(a);
	free(path);
}

/* The stamp moves when another handle (or this one) commits, only then. */
static void
test_stamp(void **state)
{
	struct audit	*waiter, *other;
	char		*path, *cause = NULL;
	uint64_t	 s0, s1, s2, s3;
	int64_t		 id;

	(void)state;
	path = new_path();
	waiter = open_as(path, "alice");
	other = open_as(path, "bob");
	assert_int_equal(approval_stamp(waiter, &s0, &cause), 0);
	assert_int_equal(approval_stamp(waiter, &s1, &cause), 0);
	assert_true(s0 == s1);
	id = request(waiter, "dropdb orders", 60000);
	assert_int_equal(approval_stamp(waiter, &s2, &cause), 0);
	assert_true(s2 != s1);		/* its own commit */
	assert_int_equal(approval_decide(other, id, true, "bob", NULL, &cause),
	    0);
	assert_int_equal(approval_stamp(waiter, &s3, &cause), 0);
	assert_true(s3 != s2);		/* another connection's commit */
	assert_int_equal(approval_stamp(waiter, &s1, &cause), 0);
	assert_true(s1 == s3);
	assert_int_equal(status_of(waiter, id), APPROVAL_APPROVED);
	audit_close(other);
	audit_close(waiter);
	free(path);
}

/*
 * Two processes decide the same requests at the same moment (bob approves,
 * carol denies): for each request exactly one wins, and the trail holds
 * exactly one decision event per request.
 */
static void
test_race(void **state)
{
	struct audit	*a;
	const char	*who[2] = { "bob", "carol" };
	char		*path, *cause = NULL, go;
	pid_t		 pids[2];
	int		 start[2], status, wins[2], i, n = 20;
	int64_t		 first;

	(void)state;
	path = new_path();
	a = open_as(path, "alice");
	first = request(a, "r0", 60000);
	for (i = 1; i < n; i++)
		request(a, "r", 60000);
	audit_close(a);

	assert_int_equal(pipe(start), 0);
	for (i = 0; i < 2; i++) {
		if ((pids[i] = fork()) == 0) {
			struct audit	*c;
			int64_t		 id;
			int		 won = 0;

			close(start[1]);
			c = audit_open(path, NULL, &cause);
			if (c == NULL)
				_exit(255);
			audit_set_identity(c, who[i], NULL, NULL);
			if (read(start[0], &go, 1) != 0)
				_exit(254);
			for (id = first; id < first + n; id++) {
				if (approval_decide(c, id, i == 0, who[i],
				    NULL, &cause) == 0)
					won++;
				else if (strstr(cause, "already") == NULL)
					_exit(253);
				else
					free(cause);
			}
			audit_close(c);
			_exit(won);
		}
	}
	close(start[0]);
	close(start[1]);	/* EOF releases both at once */
	for (i = 0; i < 2; i++) {
		waitpid(pids[i], &status, 0);
		assert_true(WIFEXITED(status));
		wins[i] = WEXITSTATUS(status);
		assert_true(wins[i] <= n);
	}
	assert_int_equal(wins[0] + wins[1], n);

	a = open_as(path, "alice");
	assert_int_equal(events_with(a, "approved"), wins[0]);
	assert_int_equal(events_with(a, "denied"), wins[1]);
	chain_ok(a);
	audit_close(a);
	free(path);
}

/* chattr on files; the exit status. */
static int
chattr(const char *flag, const char *f1, const char *f2)
{
	pid_t	pid;
	int	status, null;

	if ((pid = fork()) == 0) {
		null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execlp("chattr", "chattr", flag, f1, f2, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/*
 * When the audit event cannot be written the decision does not happen
 * either: the request stays pending (fail closed).
 */
static void
test_decide_fails_closed(void **state)
{
	struct audit	*a;
	char		*path, *wal, *cause = NULL;
	int64_t		 id;
	int		 rc;

	(void)state;
	path = new_path();
	wal = xprintf("%s-wal", path);
	a = open_as(path, "alice");
	id = request(a, "dropdb orders", 60000);
	if (chattr("+i", path, wal) != 0) {
		audit_close(a);
		free(path);
		free(wal);
		skip();
	}
	rc = approval_decide(a, id, true, "bob", NULL, &cause);
	chattr("-i", path, wal);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(cause, "audit: cannot write"));
	free(cause);
	assert_int_equal(status_of(a, id), APPROVAL_PENDING);
	assert_int_equal(events_with(a, "approved"), 0);
	chain_ok(a);
	audit_close(a);
	free(path);
	free(wal);
}

/* Status names round-trip. */
static void
test_status_names(void **state)
{
	enum approval_status	s;
	int			i;

	(void)state;
	for (i = 0; i < APPROVAL_STATUS_COUNT; i++) {
		assert_int_equal(approval_status_parse(approval_status_name(
		    (enum approval_status)i), &s), 0);
		assert_int_equal((int)s, i);
	}
	assert_int_equal(approval_status_parse("maybe", &s), -1);
	assert_string_equal(approval_status_name(APPROVAL_STATUS_COUNT), "?");
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
	return (mkdtemp(tmpdir) == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	(void)state;
	/* A test that died between chattr +i and -i must not leave junk. */
	chattr("-R", "-i", tmpdir);
	nftw(tmpdir, rm_one, 16, FTW_DEPTH|FTW_PHYS);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_get_list),
		cmocka_unit_test(test_approve_release),
		cmocka_unit_test(test_four_eyes),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_stamp),
		cmocka_unit_test(test_race),
		cmocka_unit_test(test_decide_fails_closed),
		cmocka_unit_test(test_status_names),
	};

	return (cmocka_run_group_tests_name("approval", tests, setup,
	    teardown));
}
