/*
 * fanout.h: run commands on many servers at once, over libssh exec channels
 * in one poll(2) loop (conn.h), at most `parallel` servers at a time.
 *
 * A fan-out holds targets (servers).  Each target runs one command, or a
 * sequence decided as it goes by the plan callback (runbooks: a step's
 * check, its run, rollbacks).  A target connects once: between commands its
 * connection stays up (IDLE) and the next command opens a new exec channel
 * on it; with FANOUT_KEEP_CONNS it also stays up after the target finished,
 * so a later fanout_restart (a rollback) reuses it.  If a command timed out
 * (its connection is closed to stop it) or the connection was lost, the
 * next command of that target connects again; a target whose connection
 * never came up ends at once (FANOUT_ERROR).
 *
 * Scheduling: targets start in order, as slots free up, among the first
 * `admitted` (fanout_admit; all by default: runbook batches admit more as
 * they go).  Once more targets have failed than max_errors, no new target
 * starts (the waiting ones end FANOUT_SKIPPED) while those running finish.
 * fanout_cancel closes every running target's channel and connection
 * (FANOUT_CANCELLED) and skips the rest.
 *
 * Output is delivered as it comes (the output callback) and also kept per
 * target, capped at keep_bytes (the rest is counted, not held); each command
 * keeps its first and last FANOUT_EDGE bytes for the audit trail.
 */
#ifndef FANOUT_H
#define FANOUT_H

#include "omv.h"
#include "conn.h"

struct fanout;
struct omv_config;
struct server;

#define FANOUT_EDGE		4096	/* head and tail kept per command */
#define FANOUT_KEEP_DEFAULT	65536	/* output kept per target */
#define FANOUT_PARALLEL_DEFAULT	50

/* Where a target is, and how it ended. */
enum fanout_status {
	FANOUT_PENDING,		/* waiting for a slot (or admission) */
	FANOUT_RUNNING,
	FANOUT_OK,		/* every command succeeded / the plan said ok */
	FANOUT_FAILED,		/* a command failed (exit status, signal) */
	FANOUT_ERROR,		/* the connection failed: see error, reason */
	FANOUT_TIMEOUT,		/* a command ran past its timeout */
	FANOUT_SKIPPED,		/* never started (max errors, stopped) */
	FANOUT_CANCELLED	/* interrupted while running */
};

/* What the engine needs of a target; every pointer is borrowed. */
struct fanout_target {
	const char	*name;
	const char	*host;
	int		 port;
	const char	*user;
	const char	*identity;
};

/* The parameters of a run.  Every pointer is borrowed. */
struct fanout_params {
	const char	*command;	/* without a plan: the one command */
	int		 parallel;	/* 0: FANOUT_PARALLEL_DEFAULT */
	int		 max_errors;	/* failures tolerated; -1: no limit */
	int		 timeout_ms;	/* per command, 0: none */
	int		 connect_timeout_ms; /* 0: conn's default */
	int		 keepalive;	/* seconds, 0: off */
	const char	*known_hosts;	/* NULL: ~/.ssh/known_hosts */
	size_t		 keep_bytes;	/* 0: FANOUT_KEEP_DEFAULT */
	int		 wake_fd;	/* -1: none; readable -> cb.wake */
	int		 tick_ms;	/* call cb.tick at least this often; 0 */
	int		 flags;
#define FANOUT_KEEP_CONNS	0x1	/* keep finished targets connected */
#define FANOUT_NO_SSH_CONFIG	0x2	/* do not read ~/.ssh/config */
};

/* One command's end, as the plan and step callbacks see it. */
struct fanout_step {
	const char	*command;	/* as run */
	int		 index;		/* 0, 1, ... per target */
	bool		 ok;		/* exited 0 */
	int		 exit_status;	/* -1: unknown (signal, no status) */
	const char	*signal;	/* "KILL" or NULL */
	bool		 timed_out;
	enum conn_error	 error;		/* connection trouble, or NONE */
	const char	*reason;	/* NULL or words: the error, the signal */
	int64_t		 duration_ms;
	uint64_t	 bytes;		/* output of this command */
	const char	*head;		/* first FANOUT_EDGE bytes */
	size_t		 head_len;
	const char	*tail;		/* last bytes after head, <= FANOUT_EDGE */
	size_t		 tail_len;
};

/* What a target does next (the plan callback fills it). */
struct fanout_next {
	const char	*command;	/* borrowed: must live until it ends */
	int		 timeout_ms;	/* 0: the params' */
};
#define FANOUT_NEXT_RUN		0	/* run next->command */
#define FANOUT_NEXT_OK		1	/* the target is done, succeeded */
#define FANOUT_NEXT_FAIL	2	/* the target is done, failed */

struct fanout_cb {
	/*
	 * What target t runs next; prev is NULL for its first command.
	 * Without a plan: params.command once, ok when it exits 0.
	 */
	int	(*plan)(struct fanout *, size_t t, const struct fanout_step *prev,
		    struct fanout_next *next, void *);
	/* Output as it arrives. */
	void	(*output)(struct fanout *, size_t t, const char *, size_t,
		    int is_stderr, void *);
	/* A command ended (before plan is asked what follows). */
	void	(*step)(struct fanout *, size_t t, const struct fanout_step *,
		    void *);
	/* A target reached an end state (FANOUT_OK and after); once per
	   start, skipped targets included. */
	void	(*done)(struct fanout *, size_t t, void *);
	/* After every loop iteration (progress); at least every tick_ms. */
	void	(*tick)(struct fanout *, void *);
	/* params.wake_fd became readable (a signal's self-pipe). */
	void	(*wake)(struct fanout *, void *);
};

/* A target's result so far. */
struct fanout_result {
	enum fanout_status	 status;
	int			 exit_status;	/* the failing command's, else the
						   last one's; -1 unknown */
	enum conn_error		 error;
	const char		*reason;	/* NULL, or words for error/status */
	int64_t			 duration_ms;	/* connect to end */
	uint64_t		 bytes;		/* every command's output */
	int			 commands;	/* commands started */
	int			 connects;	/* connections made */
};

/* Copies params and targets (the strings stay borrowed). */
struct fanout	*fanout_create(const struct fanout_params *,
		     const struct fanout_target *, size_t n,
		     const struct fanout_cb *, void *arg);
void		 fanout_free(struct fanout *);

/* Let targets [0, n) start (default all). */
void		 fanout_admit(struct fanout *, size_t n);
void		 fanout_set_max_errors(struct fanout *, int);
/*
 * Run until every admitted target has ended or the run was cancelled.
 * Returns 0, or 1 when cancelled.  May be called again after fanout_admit
 * or fanout_restart.
 */
int		 fanout_run(struct fanout *);
/* Close what runs (CANCELLED), skip what waits; fanout_run returns soon. */
void		 fanout_cancel(struct fanout *);
/* Skip every pending target, admitted or not (ending the rollout). */
void		 fanout_skip_pending(struct fanout *, const char *reason);
/* Run an ended target again (a rollback): pending, keeping its connection. */
int		 fanout_restart(struct fanout *, size_t t);

size_t		 fanout_count(const struct fanout *);
const struct fanout_target *fanout_target(const struct fanout *, size_t);
void		 fanout_result(const struct fanout *, size_t,
		     struct fanout_result *);
/* The output kept for a target (capped); *dropped: bytes not kept. */
const char	*fanout_output(const struct fanout *, size_t, size_t *len,
		     uint64_t *dropped);
/* Counts: ended, failed (FAILED/ERROR/TIMEOUT), running, elapsed ms. */
void		 fanout_progress(const struct fanout *, size_t *done,
		     size_t *failed, size_t *running, int64_t *elapsed_ms);
bool		 fanout_cancelled(const struct fanout *);
const char	*fanout_status_name(enum fanout_status);

/*
 * Resolve selectors to servers, in inventory order, each once.  A selector
 * is a role server pattern ("web-*", "name:GLOB", "group:PATH", "tag:GLOB",
 * "env:NAME"); one that matches nothing is an error.  Owned array of
 * borrowed servers.
 */
int		 fanout_resolve(const struct omv_config *, char *const *sel,
		     size_t nsel, struct server ***out, size_t *n,
		     char **cause);

#endif
