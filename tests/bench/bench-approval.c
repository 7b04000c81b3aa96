/*
 * bench-approval.c: the approval round trip, as the console does it.  A
 * waiting process checks PRAGMA data_version (approval_stamp) every 100 ms
 * and reads the request only when it moved; another process approves.
 * Prints the time from approval_decide returning to the waiter seeing the
 * approval: median, 95th percentile and worst of 30 rounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "approval.h"
#include "audit.h"

#define ROUNDS	30

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

/* Monotonic microseconds (same clock in both processes). */
static int64_t
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* The waiter: like the console's gate tick. */
static void
waiter(const char *path, int64_t id, int fd)
{
	struct audit	*a;
	struct approval	*ap;
	uint64_t	 seen = 0, stamp;
	int64_t		 t;
	char		*cause = NULL;

	if ((a = audit_open(path, NULL, &cause)) == NULL)
		_exit(1);
	audit_set_identity(a, "alice", "bench", NULL);
	approval_stamp(a, &seen, NULL);
	for (;;) {
		usleep(100 * 1000);
		if (approval_stamp(a, &stamp, NULL) != 0 || stamp == seen)
			continue;
		seen = stamp;
		if ((ap = approval_get(a, id, NULL)) == NULL)
			continue;
		if (ap->status == APPROVAL_APPROVED) {
			t = mono_us();
			(void)!write(fd, &t, sizeof t);
			approval_free(ap);
			break;
		}
		approval_free(ap);
	}
	audit_close(a);
	_exit(0);
}

int
main(void)
{
	char			 dir[] = "/tmp/omv-bench-approval.XXXXXX", *path;
	struct audit		*a;
	struct approval_request	 req;
	int64_t			 lat[ROUNDS], id, t0, t1;
	char			*cause = NULL;
	int			 i, fds[2];
	pid_t			 pid;

	if (mkdtemp(dir) == NULL)
		return (1);
	path = xprintf("%s/audit.db", dir);
	if ((a = audit_open(path, NULL, &cause)) == NULL) {
		fprintf(stderr, "%s\n", cause);
		return (1);
	}
	srand((unsigned)getpid());
	for (i = 0; i < ROUNDS; i++) {
		audit_set_identity(a, "alice", "bench", NULL);
		memset(&req, 0, sizeof req);
		req.server = "web-1";
		req.env = "production";
		req.command = "systemctl restart nginx";
		req.risk = "high";
		req.approver_roles = "lead";
		req.expires_ms = now_ms() + 60000;
		if (approval_create(a, &req, &id, &cause) != 0 || pipe(fds) != 0) {
			fprintf(stderr, "%s\n", cause != NULL ? cause : "pipe");
			return (1);
		}
		if ((pid = fork()) == 0) {
			close(fds[0]);
			waiter(path, id, fds[1]);
		}
		close(fds[1]);
		usleep((useconds_t)(150 + rand() % 300) * 1000);
		audit_set_identity(a, "bob", "bench", NULL);
		if (approval_decide(a, id, true, "bob", NULL, &cause) != 0) {
			fprintf(stderr, "%s\n", cause);
			return (1);
		}
		t0 = mono_us();
		if (read(fds[0], &t1, sizeof t1) != sizeof t1)
			return (1);
		close(fds[0]);
		waitpid(pid, NULL, 0);
		lat[i] = t1 - t0;
	}
	qsort(lat, ROUNDS, sizeof lat[0], cmp64);
	printf("approval round trip (decide -> waiting console sees it, 100 ms "
	    "data_version poll), %d rounds:\n", ROUNDS);
	printf("  median %.1f ms, p95 %.1f ms, worst %.1f ms (target: 300 ms)\n",
	    lat[ROUNDS / 2] / 1000.0, lat[ROUNDS * 95 / 100] / 1000.0,
	    lat[ROUNDS - 1] / 1000.0);
	audit_close(a);
	unlink(path);
	free(path);
	path = xprintf("%s/audit.db-wal", dir);
	unlink(path);
	free(path);
	path = xprintf("%s/audit.db-shm", dir);
	unlink(path);
	free(path);
	rmdir(dir);
	return (0);
}
