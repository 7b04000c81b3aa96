/*
 * fanout.c: the fan-out engine: many exec channels in one poll(2) loop.
 *
 * Each target is a small machine: PENDING until a slot is free and it is
 * admitted, then RUNNING a command at a time (the plan says which), then an
 * end state.  conn.c does the SSH work; its callbacks only record (output is
 * also passed on at once); the loop then acts on what they recorded: a
 * finished channel (the conn is IDLE again) ends the command, the plan picks
 * the next one, and conn_exec runs it on the same connection, so a target
 * connects once however many commands it runs.  A command past its timeout
 * is stopped by closing its connection (libssh cannot abandon one channel
 * mid-command), and a later command connects afresh.
 *
 * Invariants: a RUNNING target is in the active list and owns at most one
 * conn; at most `parallel` targets are RUNNING; every target that ends gets
 * exactly one done callback per start; nothing of the engine is freed from
 * inside a conn callback.
 */
#include <sys/resource.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "conn.h"
#include "fanout.h"
#include "policy.h"

/* One target and its run. */
struct fanout_tgt {
	struct fanout_target	 t;		/* strings borrowed */
	struct fanout		*f;		/* borrowed: the owner */
	size_t			 index;
	enum fanout_status	 status;
	struct conn		*conn;		/* owned */
	bool			 up;		/* this conn authenticated */

	const char		*command;	/* borrowed: the one in flight */
	bool			 running;	/* a command is in flight */
	int			 cmd_index;
	int			 cmd_timeout_ms;
	int64_t			 cmd_start;
	int64_t			 cmd_deadline;	/* 0: none (yet) */
	uint64_t		 cmd_bytes;
	bool			 got_exit;
	int			 exit_status;
	char			*signal;	/* owned */

	enum fanout_status	 fail_kind;	/* first failure: status to end with */
	char			*reason;	/* owned: the first failure's words */
	enum conn_error		 error;
	int			 last_exit;
	int			 fail_exit;	/* the first failure's exit status */
	int64_t			 start, end;
	uint64_t		 bytes;
	int			 commands;
	int			 connects;
	int			 more;		/* conn_process left data */

	struct sbuf		 kept;		/* capped output */
	uint64_t		 dropped;
	char			 head[FANOUT_EDGE];
	size_t			 head_len;
	char			 ring[FANOUT_EDGE];	/* the bytes after head */
	uint64_t		 ring_total;
};

struct fanout {
	struct fanout_params	 p;
	struct fanout_cb	 cb;
	void			*arg;		/* borrowed: the caller's */
	struct fanout_tgt	*v;		/* owned */
	size_t			 n;
	size_t			 admitted;
	size_t			 cursor;	/* no PENDING admitted before it */
	size_t			*active;	/* owned: indexes of RUNNING */
	size_t			 nactive;
	size_t			 failed;
	bool			 stopped;	/* max errors: start nothing */
	bool			 cancel;	/* asked to cancel */
	bool			 cancelled;
	bool			 in_run;
	int64_t			 t0;		/* first run's start */
	struct pollfd		*pfd;		/* owned: one per active + wake */
	size_t			*pidx;		/* owned: pfd -> target */
};

static const char *fanout_status_names[] = {
	"pending", "running", "ok", "failed", "error", "timeout", "skipped",
	"cancelled"
};

/* A status as a word. */
const char *
fanout_status_name(enum fanout_status st)
{
	if ((unsigned)st >= sizeof fanout_status_names /
	    sizeof *fanout_status_names)
		return ("?");
	return (fanout_status_names[st]);
}

/* Fan-out needs a descriptor per connection: raise the soft limit. */
static void
fanout_raise_nofile(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		log_debug("%s: %s", __func__, strerror(errno));
}

/* Make a fan-out over n targets. */
struct fanout *
fanout_create(const struct fanout_params *p, const struct fanout_target *t,
    size_t n, const struct fanout_cb *cb, void *arg)
{
	struct fanout	*f;
	size_t		 i;

	fanout_raise_nofile();
	f = xcalloc(1, sizeof *f);
	f->p = *p;
	if (f->p.parallel <= 0)
		f->p.parallel = FANOUT_PARALLEL_DEFAULT;
	if (f->p.keep_bytes == 0)
		f->p.keep_bytes = FANOUT_KEEP_DEFAULT;
	if (cb != NULL)
		f->cb = *cb;
	f->arg = arg;
	f->n = n;
	f->admitted = n;
	f->v = xcalloc(n + 1, sizeof *f->v);
	for (i = 0; i < n; i++) {
		f->v[i].t = t[i];
		f->v[i].f = f;
		f->v[i].index = i;
		f->v[i].last_exit = -1;
		sbuf_init(&f->v[i].kept);
	}
	f->active = xcalloc(n + 1, sizeof *f->active);
	f->pfd = xcalloc(n + 2, sizeof *f->pfd);
	f->pidx = xcalloc(n + 2, sizeof *f->pidx);
	return (f);
}

/* Free everything, closing what is still connected. */
void
fanout_free(struct fanout *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++) {
		if (f->v[i].conn != NULL) {
			conn_close(f->v[i].conn);
			conn_free(f->v[i].conn);
		}
		free(f->v[i].signal);
		free(f->v[i].reason);
		sbuf_free(&f->v[i].kept);
	}
	free(f->v);
	free(f->active);
	free(f->pfd);
	free(f->pidx);
	free(f);
}

/* Let the first n targets start. */
void
fanout_admit(struct fanout *f, size_t n)
{
	f->admitted = n < f->n ? n : f->n;
}

/* Change how many failures are tolerated (-1: any). */
void
fanout_set_max_errors(struct fanout *f, int max)
{
	f->p.max_errors = max;
	f->stopped = max >= 0 && f->failed > (size_t)max;
}

/* conn callback: note the connection came up; time the command from OPEN. */
static void
fanout_conn_state(struct conn *c, enum conn_state st, void *arg)
{
	struct fanout_tgt	*tg = arg;

	(void)c;
	if (st == CONN_CHANNEL || st == CONN_OPEN || st == CONN_IDLE)
		tg->up = true;
	if (st == CONN_OPEN && tg->running && tg->cmd_timeout_ms > 0 &&
	    tg->cmd_deadline == 0)
		tg->cmd_deadline = mono_ms() + tg->cmd_timeout_ms;
}

/* Keep output: capped for the caller, head and tail for the audit. */
static void
fanout_capture(struct fanout_tgt *tg, const char *buf, size_t len)
{
	size_t	room, n, pos, first;

	tg->bytes += len;
	tg->cmd_bytes += len;
	room = tg->f->p.keep_bytes > tg->kept.len ?
	    tg->f->p.keep_bytes - tg->kept.len : 0;
	n = len < room ? len : room;
	if (n != 0)
		sbuf_add(&tg->kept, buf, n);
	tg->dropped += len - n;

	if (tg->head_len < FANOUT_EDGE) {
		n = FANOUT_EDGE - tg->head_len;
		if (n > len)
			n = len;
		memcpy(tg->head + tg->head_len, buf, n);
		tg->head_len += n;
		buf += n;
		len -= n;
	}
	if (len > FANOUT_EDGE) {
		tg->ring_total += len - FANOUT_EDGE;
		buf += len - FANOUT_EDGE;
		len = FANOUT_EDGE;
	}
	while (len > 0) {
		pos = (size_t)(tg->ring_total % FANOUT_EDGE);
		first = FANOUT_EDGE - pos;
		if (first > len)
			first = len;
		memcpy(tg->ring + pos, buf, first);
		tg->ring_total += first;
		buf += first;
		len -= first;
	}
}

/* conn callback: channel output. */
static void
fanout_conn_data(struct conn *c, const char *buf, size_t len, int is_stderr,
    void *arg)
{
	struct fanout_tgt	*tg = arg;
	struct fanout		*f = tg->f;

	(void)c;
	fanout_capture(tg, buf, len);
	if (f->cb.output != NULL)
		f->cb.output(f, tg->index, buf, len, is_stderr, f->arg);
}

/* conn callback: the command's exit status or signal. */
static void
fanout_conn_exit(struct conn *c, int status, const char *sig, void *arg)
{
	struct fanout_tgt	*tg = arg;

	(void)c;
	tg->got_exit = true;
	tg->exit_status = status;
	free(tg->signal);
	tg->signal = sig != NULL ? xstrdup(sig) : NULL;
}

/* Drop a target's connection. */
static void
fanout_disconnect(struct fanout_tgt *tg)
{
	if (tg->conn == NULL)
		return;
	conn_close(tg->conn);
	conn_free(tg->conn);
	tg->conn = NULL;
	tg->up = false;
}

/* Remove a target from the active list. */
static void
fanout_deactivate(struct fanout *f, struct fanout_tgt *tg)
{
	size_t	i;

	for (i = 0; i < f->nactive; i++) {
		if (f->active[i] == tg->index) {
			f->active[i] = f->active[--f->nactive];
			return;
		}
	}
}

/* Is st an end state that counts as a failure? */
static bool
fanout_is_failure(enum fanout_status st)
{
	return (st == FANOUT_FAILED || st == FANOUT_ERROR ||
	    st == FANOUT_TIMEOUT);
}

static void	fanout_stop_scheduling(struct fanout *);

/* A target reached an end state. */
static void
fanout_end(struct fanout *f, struct fanout_tgt *tg, enum fanout_status st)
{
	bool	was_running = tg->status == FANOUT_RUNNING;

	tg->status = st;
	tg->running = false;
	tg->end = mono_ms();
	if (tg->start == 0)
		tg->start = tg->end;
	if (was_running)
		fanout_deactivate(f, tg);
	if (!(f->p.flags & FANOUT_KEEP_CONNS) || st == FANOUT_CANCELLED ||
	    (tg->conn != NULL && conn_state(tg->conn) != CONN_IDLE))
		fanout_disconnect(tg);
	if (fanout_is_failure(st)) {
		f->failed++;
		if (f->p.max_errors >= 0 && f->failed > (size_t)f->p.max_errors
		    && !f->stopped) {
			f->stopped = true;
			fanout_stop_scheduling(f);
		}
	}
	if (f->cb.done != NULL)
		f->cb.done(f, tg->index, f->arg);
}

/* Skip one pending target with a reason. */
static void
fanout_skip(struct fanout *f, struct fanout_tgt *tg, const char *reason)
{
	free(tg->reason);
	tg->reason = xstrdup(reason);
	fanout_end(f, tg, FANOUT_SKIPPED);
}

/* Too many failures: the admitted targets still waiting are skipped. */
static void
fanout_stop_scheduling(struct fanout *f)
{
	char	*why;
	size_t	 i;

	why = xprintf("not started: more than %d failed", f->p.max_errors);
	for (i = f->cursor; i < f->admitted; i++) {
		if (f->v[i].status == FANOUT_PENDING)
			fanout_skip(f, &f->v[i], why);
	}
	free(why);
}

/* Skip every pending target (the rollout ends). */
void
fanout_skip_pending(struct fanout *f, const char *reason)
{
	size_t	i;

	for (i = 0; i < f->n; i++) {
		if (f->v[i].status == FANOUT_PENDING)
			fanout_skip(f, &f->v[i], reason);
	}
}

/* Run command on the target: on its idle connection, or a new one. */
static int
fanout_exec(struct fanout *f, struct fanout_tgt *tg, const char *command,
    int timeout_ms)
{
	struct conn_params	 cp;
	struct conn_cb		 ccb;
	char			*cause = NULL;

	tg->command = command;
	tg->running = true;
	tg->cmd_index = tg->commands++;
	tg->cmd_timeout_ms = timeout_ms > 0 ? timeout_ms : f->p.timeout_ms;
	tg->cmd_start = mono_ms();
	tg->cmd_deadline = 0;
	tg->cmd_bytes = 0;
	tg->got_exit = false;
	tg->exit_status = -1;
	free(tg->signal);
	tg->signal = NULL;
	tg->head_len = 0;
	tg->ring_total = 0;

	if (tg->conn != NULL && conn_state(tg->conn) == CONN_IDLE) {
		if (conn_exec(tg->conn, command) == 0) {
			if (tg->cmd_timeout_ms > 0)
				tg->cmd_deadline = tg->cmd_start +
				    tg->cmd_timeout_ms;
			return (0);
		}
	}
	fanout_disconnect(tg);

	memset(&cp, 0, sizeof cp);
	cp.host = tg->t.host;
	cp.port = tg->t.port;
	cp.user = tg->t.user;
	cp.identity = tg->t.identity;
	cp.known_hosts = f->p.known_hosts;
	cp.connect_timeout_ms = f->p.connect_timeout_ms;
	cp.keepalive = f->p.keepalive;
	cp.mode = CONN_MODE_EXEC;
	cp.command = command;
	cp.flags = CONN_BATCH;
	if (f->p.flags & FANOUT_NO_SSH_CONFIG)
		cp.flags |= CONN_NO_SSH_CONFIG;
	memset(&ccb, 0, sizeof ccb);
	ccb.state = fanout_conn_state;
	ccb.data = fanout_conn_data;
	ccb.exit = fanout_conn_exit;
	tg->conn = conn_create(&cp, &ccb, tg, &cause);
	if (tg->conn == NULL) {
		tg->running = false;
		tg->error = CONN_ERR_PROTOCOL;
		free(tg->reason);
		tg->reason = cause;
		return (-1);
	}
	tg->connects++;
	conn_start(tg->conn, mono_ms());
	return (0);
}

/* The next command without a plan: the one command, then its outcome. */
static int
fanout_default_plan(struct fanout *f, const struct fanout_step *prev,
    struct fanout_next *next)
{
	if (prev == NULL) {
		next->command = f->p.command;
		return (f->p.command != NULL ? FANOUT_NEXT_RUN :
		    FANOUT_NEXT_FAIL);
	}
	return (prev->ok ? FANOUT_NEXT_OK : FANOUT_NEXT_FAIL);
}

/* Ask the plan what follows prev, and do it. */
static void
fanout_advance(struct fanout *f, struct fanout_tgt *tg,
    const struct fanout_step *prev)
{
	struct fanout_next	next;
	int			what;

	memset(&next, 0, sizeof next);
	if (f->cb.plan != NULL)
		what = f->cb.plan(f, tg->index, prev, &next, f->arg);
	else
		what = fanout_default_plan(f, prev, &next);
	if (what == FANOUT_NEXT_RUN && next.command == NULL)
		what = FANOUT_NEXT_FAIL;
	switch (what) {
	case FANOUT_NEXT_RUN:
		if (f->cancel) {
			fanout_end(f, tg, FANOUT_CANCELLED);
			return;
		}
		if (fanout_exec(f, tg, next.command, next.timeout_ms) != 0)
			fanout_end(f, tg, FANOUT_ERROR);
		return;
	case FANOUT_NEXT_OK:
		fanout_end(f, tg, FANOUT_OK);
		return;
	default:
		fanout_end(f, tg, tg->fail_kind != FANOUT_PENDING ?
		    tg->fail_kind : FANOUT_FAILED);
		return;
	}
}

/* The tail after the head, made contiguous in buf. */
static size_t
fanout_tail(const struct fanout_tgt *tg, char *buf)
{
	size_t	len, start, first;

	len = tg->ring_total < FANOUT_EDGE ? (size_t)tg->ring_total :
	    FANOUT_EDGE;
	start = (size_t)((tg->ring_total - len) % FANOUT_EDGE);
	first = FANOUT_EDGE - start;
	if (first > len)
		first = len;
	memcpy(buf, tg->ring + start, first);
	memcpy(buf + first, tg->ring, len - first);
	return (len);
}

/*
 * The command in flight ended: normally (timed_out false, error NONE), past
 * its timeout, with its connection, or cancelled (CONN_ERR_CLOSED).  Tell
 * the step callback, then let the plan go on, except when cancelling or
 * when the connection never came up (nothing to run a rollback on).
 */
static void
fanout_command_done(struct fanout *f, struct fanout_tgt *tg, bool timed_out,
    enum conn_error error, const char *why, bool never_up)
{
	struct fanout_step	 st;
	char			 tail[FANOUT_EDGE], *reason = NULL;
	enum fanout_status	 kind = FANOUT_FAILED;

	memset(&st, 0, sizeof st);
	st.command = tg->command;
	st.index = tg->cmd_index;
	st.exit_status = tg->got_exit ? tg->exit_status : -1;
	st.signal = tg->signal;
	st.timed_out = timed_out;
	st.error = error;
	st.ok = !timed_out && error == CONN_ERR_NONE && tg->got_exit &&
	    tg->exit_status == 0 && tg->signal == NULL;
	if (timed_out) {
		reason = xprintf("timed out after %d s",
		    (tg->cmd_timeout_ms + 999) / 1000);
		kind = FANOUT_TIMEOUT;
	} else if (error != CONN_ERR_NONE) {
		reason = xstrdup(why != NULL ? why : conn_error_name(error));
		kind = error == CONN_ERR_TIMEOUT ? FANOUT_TIMEOUT :
		    error == CONN_ERR_CLOSED ? FANOUT_CANCELLED : FANOUT_ERROR;
	} else if (tg->signal != NULL)
		reason = xprintf("killed by signal %s", tg->signal);
	else if (!tg->got_exit)
		reason = xstrdup("no exit status");
	else if (tg->exit_status != 0)
		reason = xprintf("exit status %d", tg->exit_status);
	st.reason = reason;
	st.duration_ms = mono_ms() - tg->cmd_start;
	st.bytes = tg->cmd_bytes;
	st.head = tg->head;
	st.head_len = tg->head_len;
	st.tail_len = fanout_tail(tg, tail);
	st.tail = tail;

	tg->running = false;
	tg->last_exit = st.exit_status;
	if (!st.ok && tg->fail_kind == FANOUT_PENDING) {
		tg->fail_kind = kind;
		tg->fail_exit = st.exit_status;
		tg->error = error;
		free(tg->reason);
		tg->reason = xstrdup(reason);
	}
	if (f->cb.step != NULL)
		f->cb.step(f, tg->index, &st, f->arg);
	if (kind == FANOUT_CANCELLED && !st.ok)
		fanout_end(f, tg, FANOUT_CANCELLED);
	else if (error != CONN_ERR_NONE && never_up)
		fanout_end(f, tg, tg->fail_kind);
	else
		fanout_advance(f, tg, &st);
	free(reason);
}

/* Start a pending target. */
static void
fanout_start(struct fanout *f, struct fanout_tgt *tg)
{
	tg->status = FANOUT_RUNNING;
	tg->start = mono_ms();
	tg->end = 0;
	tg->fail_kind = FANOUT_PENDING;
	f->active[f->nactive++] = tg->index;
	fanout_advance(f, tg, NULL);
}

/* Act on what a conn_process call recorded for a running target. */
static void
fanout_check(struct fanout *f, struct fanout_tgt *tg, int64_t now)
{
	enum conn_state	 st;
	enum conn_error	 err;
	char		*why;
	bool		 never_up;

	if (tg->status != FANOUT_RUNNING || !tg->running || tg->conn == NULL)
		return;
	st = conn_state(tg->conn);
	if (st == CONN_IDLE) {
		fanout_command_done(f, tg, false, CONN_ERR_NONE, NULL, false);
		return;
	}
	if (st == CONN_CLOSED || st == CONN_FAILED) {
		err = conn_error(tg->conn);
		if (err == CONN_ERR_NONE)
			err = CONN_ERR_LOST;
		why = xstrdup(conn_reason(tg->conn) != NULL ?
		    conn_reason(tg->conn) : conn_error_name(err));
		never_up = !tg->up;
		fanout_disconnect(tg);
		fanout_command_done(f, tg, false, err, why, never_up);
		free(why);
		return;
	}
	if (tg->cmd_deadline != 0 && now >= tg->cmd_deadline) {
		/* libssh cannot drop one channel mid-command and carry on. */
		fanout_disconnect(tg);
		fanout_command_done(f, tg, true, CONN_ERR_NONE, NULL, false);
	}
}

/* Cancel now: close what runs, skip what waits. */
static void
fanout_do_cancel(struct fanout *f)
{
	struct fanout_tgt	*tg;
	size_t			 i;

	f->cancelled = true;
	while (f->nactive > 0) {
		tg = &f->v[f->active[0]];
		fanout_disconnect(tg);
		if (tg->running) {
			fanout_command_done(f, tg, false, CONN_ERR_CLOSED,
			    "cancelled", false);
		} else
			fanout_end(f, tg, FANOUT_CANCELLED);
		if (tg->status == FANOUT_RUNNING)	/* cannot happen */
			fanout_end(f, tg, FANOUT_CANCELLED);
	}
	for (i = 0; i < f->n; i++) {
		if (f->v[i].status == FANOUT_PENDING)
			fanout_skip(f, &f->v[i], "cancelled before it started");
	}
}

/* Ask to cancel; acted on at once, or at the loop's next turn. */
void
fanout_cancel(struct fanout *f)
{
	f->cancel = true;
	if (!f->in_run)
		fanout_do_cancel(f);
}

/* Start admitted targets while slots are free. */
static void
fanout_schedule(struct fanout *f)
{
	while (!f->stopped && !f->cancel &&
	    f->nactive < (size_t)f->p.parallel) {
		while (f->cursor < f->admitted &&
		    f->v[f->cursor].status != FANOUT_PENDING)
			f->cursor++;
		if (f->cursor >= f->admitted)
			return;
		fanout_start(f, &f->v[f->cursor]);
	}
}

/* Fill the poll set; returns its size and the timeout. */
static size_t
fanout_poll_set(struct fanout *f, int64_t now, int *timeout)
{
	struct fanout_tgt	*tg;
	size_t			 i, n = 0;
	int64_t			 d;
	int			 t = -1, ct;

	for (i = 0; i < f->nactive; i++) {
		tg = &f->v[f->active[i]];
		f->pidx[n] = tg->index;
		f->pfd[n].fd = tg->conn != NULL ? conn_fd(tg->conn) : -1;
		f->pfd[n].events = tg->conn != NULL ?
		    conn_poll_events(tg->conn) : 0;
		f->pfd[n].revents = 0;
		if (f->pfd[n].events == 0)
			f->pfd[n].fd = -1;
		n++;
		ct = tg->conn != NULL ? conn_next_timeout_ms(tg->conn, now) :
		    0;
		/* Something to act on now (it may have ended synchronously). */
		if (tg->more || tg->conn == NULL ||
		    conn_state(tg->conn) == CONN_IDLE ||
		    conn_state(tg->conn) == CONN_CLOSED ||
		    conn_state(tg->conn) == CONN_FAILED)
			ct = 0;
		if (tg->cmd_deadline != 0) {
			d = tg->cmd_deadline - now;
			if (d < 0)
				d = 0;
			if (ct < 0 || d < ct)
				ct = d > INT32_MAX ? INT32_MAX : (int)d;
		}
		if (ct >= 0 && (t < 0 || ct < t))
			t = ct;
	}
	if (f->p.tick_ms > 0 && (t < 0 || f->p.tick_ms < t))
		t = f->p.tick_ms;
	if (f->p.wake_fd >= 0) {
		f->pidx[n] = (size_t)-1;
		f->pfd[n].fd = f->p.wake_fd;
		f->pfd[n].events = POLLIN;
		f->pfd[n].revents = 0;
		n++;
	}
	*timeout = t;
	return (n);
}

/* Run the loop until every admitted target ended (or cancel). */
int
fanout_run(struct fanout *f)
{
	struct fanout_tgt	*tg;
	size_t			 n, i;
	int64_t			 now;
	int			 timeout, rc;

	f->in_run = true;
	if (f->t0 == 0)
		f->t0 = mono_ms();
	for (;;) {
		if (f->cancel && !f->cancelled)
			fanout_do_cancel(f);
		fanout_schedule(f);
		if (f->nactive == 0)
			break;
		n = fanout_poll_set(f, mono_ms(), &timeout);
		rc = poll(f->pfd, n, timeout);
		if (rc == -1 && errno != EINTR && errno != EAGAIN)
			fatal("poll: %s", strerror(errno));
		now = mono_ms();
		for (i = 0; i < n; i++) {
			if (f->pidx[i] == (size_t)-1) {
				if (rc > 0 && f->pfd[i].revents != 0 &&
				    f->cb.wake != NULL)
					f->cb.wake(f, f->arg);
				continue;
			}
			tg = &f->v[f->pidx[i]];
			if (tg->status != FANOUT_RUNNING || tg->conn == NULL)
				continue;
			if (f->pfd[i].revents != 0 || tg->more ||
			    conn_next_timeout_ms(tg->conn, now) == 0) {
				tg->more = conn_process(tg->conn,
				    f->pfd[i].revents, now, 0);
			}
			fanout_check(f, tg, now);
		}
		if (f->cb.tick != NULL)
			f->cb.tick(f, f->arg);
	}
	if (f->cancel && !f->cancelled)
		fanout_do_cancel(f);
	if (f->stopped)
		fanout_stop_scheduling(f);
	f->in_run = false;
	return (f->cancelled ? 1 : 0);
}

/* Make an ended target pending again, keeping its connection. */
int
fanout_restart(struct fanout *f, size_t t)
{
	struct fanout_tgt	*tg;

	if (t >= f->n)
		return (-1);
	tg = &f->v[t];
	if (tg->status == FANOUT_PENDING || tg->status == FANOUT_RUNNING)
		return (-1);
	if (fanout_is_failure(tg->status) && f->failed > 0)
		f->failed--;
	tg->status = FANOUT_PENDING;
	tg->fail_kind = FANOUT_PENDING;
	tg->error = CONN_ERR_NONE;
	free(tg->reason);
	tg->reason = NULL;
	if (t < f->cursor)
		f->cursor = t;
	if (t >= f->admitted)
		f->admitted = t + 1;
	f->cancel = f->cancelled = false;
	return (0);
}

/* How many targets. */
size_t
fanout_count(const struct fanout *f)
{
	return (f->n);
}

/* A target as given. */
const struct fanout_target *
fanout_target(const struct fanout *f, size_t t)
{
	return (t < f->n ? &f->v[t].t : NULL);
}

/* A target's result so far. */
void
fanout_result(const struct fanout *f, size_t t, struct fanout_result *r)
{
	const struct fanout_tgt	*tg = &f->v[t];

	memset(r, 0, sizeof *r);
	r->status = tg->status;
	/* A failed target shows the failure's status, not a rollback's. */
	r->exit_status = tg->fail_kind != FANOUT_PENDING ? tg->fail_exit :
	    tg->last_exit;
	r->error = tg->error;
	r->reason = tg->reason;
	if (tg->start != 0)
		r->duration_ms = (tg->end != 0 ? tg->end : mono_ms()) -
		    tg->start;
	r->bytes = tg->bytes;
	r->commands = tg->commands;
	r->connects = tg->connects;
}

/* The capped output of a target. */
const char *
fanout_output(const struct fanout *f, size_t t, size_t *len,
    uint64_t *dropped)
{
	const struct fanout_tgt	*tg = &f->v[t];

	*len = tg->kept.len;
	if (dropped != NULL)
		*dropped = tg->dropped;
	return (tg->kept.buf != NULL ? tg->kept.buf : "");
}

/* Counts for a progress line. */
void
fanout_progress(const struct fanout *f, size_t *done, size_t *failed,
    size_t *running, int64_t *elapsed_ms)
{
	size_t	i, d = 0;

	for (i = 0; i < f->n; i++) {
		if (f->v[i].status >= FANOUT_OK)
			d++;
	}
	*done = d;
	*failed = f->failed;
	*running = f->nactive;
	*elapsed_ms = f->t0 != 0 ? mono_ms() - f->t0 : 0;
}

/* Was the run cancelled? */
bool
fanout_cancelled(const struct fanout *f)
{
	return (f->cancelled);
}

/* Servers matching any selector, in inventory order, each once. */
int
fanout_resolve(const struct omv_config *cfg, char *const *sel, size_t nsel,
    struct server ***out, size_t *n, char **cause)
{
	struct role	 r;
	struct server	*s;
	bool		*hit;
	size_t		 i, j, matched;
	char		*pat;
	const char	*name;

	*out = NULL;
	*n = 0;
	for (i = 0; i < nsel; i++) {
		if (policy_server_pattern_check(sel[i], cause) != 0)
			return (-1);
	}
	hit = xcalloc(cfg->nservers + 1, sizeof *hit);
	memset(&r, 0, sizeof r);
	r.nservers = 1;
	for (i = 0; i < nsel; i++) {
		pat = sel[i];
		r.servers = &pat;
		matched = 0;
		for (j = 0; j < cfg->nservers; j++) {
			if (policy_role_grants(&r, cfg->servers[j])) {
				hit[j] = true;
				matched++;
			}
		}
		if (matched == 0) {
			name = strncmp(pat, "name:", 5) == 0 ? pat + 5 : pat;
			if (strchr(name, ':') == NULL &&
			    strcspn(name, "*?[") == strlen(name))
				xasprintf(cause, "unknown server '%s'", name);
			else
				xasprintf(cause, "no server matches '%s'", pat);
			free(hit);
			return (-1);
		}
	}
	*out = xcalloc(cfg->nservers + 1, sizeof **out);
	for (j = 0; j < cfg->nservers; j++) {
		s = cfg->servers[j];
		if (hit[j])
			(*out)[(*n)++] = s;
	}
	free(hit);
	return (0);
}
