/*
 * runbook.h: runbooks, named step sequences rolled out over many servers in
 * batches (conf/runbooks/rotate-logs.conf documents the file format).
 *
 * The model is pure (runbook.c): amounts ("5", "25%"), the batch plan, and
 * the per-server state machine that says which command runs next (a step's
 * check, its run, or the rollbacks of the steps done so far).  Loading from
 * libconfig is cfg-runbook.c, the cfg family's.
 */
#ifndef RUNBOOK_H
#define RUNBOOK_H

#include "omv.h"

struct cfg_errors;

/* A count or a percentage of some total: "5" or "25%". */
struct runbook_amount {
	int	 value;		/* >= 0; 0..100 when percent */
	bool	 percent;
};

struct runbook_step {
	char	*name;		/* owned; "step N" when the file gives none */
	char	*run;		/* owned; required */
	char	*check;		/* owned or NULL: exits 0 = already done */
	char	*rollback;	/* owned or NULL: undoes run */
	int	 timeout;	/* seconds; 0: the runbook's timeout */
	int	 line;
};

struct runbook {
	char			 *name;		/* owned */
	char			 *description;	/* owned, may be NULL */
	char			**targets;	/* owned: "web-*", "group:x", "tag:y", "env:z" */
	size_t			  ntargets;
	struct runbook_amount	 *batches;	/* owned: cumulative rollout sizes */
	size_t			  nbatches;
	struct runbook_amount	  max_errors;	/* per batch; default 0 */
	bool			  rollback_completed;
	int			  timeout;	/* seconds per step, 0: none */
	struct runbook_step	 *steps;	/* owned */
	size_t			  nsteps;
	char			 *file;		/* owned: where it was read */
	int			  line;
};

void runbook_free(struct runbook *);

/*
 * Parse "5" or "25%" (whitespace around allowed).  0, or -1 and *cause.
 * Percentages are 0..100; counts 0..1000000.
 */
int runbook_amount_parse(const char *, struct runbook_amount *, char **cause);
/* "5" or "25%" into buf. */
void runbook_amount_format(const struct runbook_amount *, char *buf,
    size_t len);
/* The amount of total: percentages round up when round_up, else down. */
size_t runbook_amount_of(const struct runbook_amount *, size_t total,
    bool round_up);

/*
 * The batch plan for total targets: each entry of batches is the size of the
 * rollout so far (cumulative: [1, "25%", "100%"] is a canary of one, then up
 * to a quarter, then the rest); percentages round up.  Entries that do not
 * grow the rollout are dropped and the last batch always reaches total.
 * *ends (owned) holds the cumulative end of each batch; returns the count
 * (0 only when total is 0).
 */
size_t runbook_batch_plan(const struct runbook_amount *batches, size_t n,
    size_t total, size_t **ends);

/* What a server does next. */
enum runbook_phase {
	RUNBOOK_CHECK,		/* the step's check: success skips the step */
	RUNBOOK_RUN,
	RUNBOOK_ROLLBACK,
	RUNBOOK_END
};

/* The progress of one server through the steps. */
struct runbook_target {
	size_t			 step;		/* the current step */
	enum runbook_phase	 phase;
	bool			*done;		/* owned: [nsteps] ran and succeeded */
	size_t			 nsteps;
	bool			 failed;	/* a step (or check) failed */
	size_t			 failed_step;
	bool			 rolling_back;	/* undoing (a failure, or asked) */
	size_t			 rollback_next;	/* steps [0, this) remain to undo */
	int			 skipped;	/* steps whose check said done */
	int			 ran;		/* steps run successfully */
	int			 rollbacks;	/* rollbacks run */
	int			 rollback_errors;
};

/* The next action of a server: a command to run, or the end. */
struct runbook_action {
	enum runbook_phase	 phase;		/* RUNBOOK_END: nothing more */
	size_t			 step;
	const char		*command;	/* borrowed from the runbook */
	int			 timeout;	/* seconds, 0: none */
	bool			 ok;		/* at the end: no step failed */
};

void runbook_target_init(struct runbook_target *, const struct runbook *);
void runbook_target_clear(struct runbook_target *);
/*
 * Advance: prev_ok is how the last command ended (ignored on the first call,
 * pass first = true).  Steps run in order; a check that succeeds skips its
 * step; a run that fails starts the rollbacks of the steps done so far, in
 * reverse (a failed rollback is counted and the others still run).
 */
void runbook_next(const struct runbook *, struct runbook_target *,
    bool first, bool prev_ok, struct runbook_action *);
/*
 * The command in flight could not finish (timed out, connection lost): its
 * step fails even if it was only a check; then runbook_next with first set.
 */
void runbook_target_fail(struct runbook_target *);
/* Undo a server that finished: the rollbacks of its done steps, reversed. */
void runbook_target_rollback(struct runbook_target *);

/*
 * Loading (cfg-runbook.c).  A runbook file is one libconfig document;
 * every problem is reported as "file:line: ...".
 */
struct runbook *cfg_runbook_load_file(const char *path, struct cfg_errors *);
/* From text (tests): name is used in messages and as the default name. */
struct runbook *cfg_runbook_load_string(const char *text, const char *name,
    struct cfg_errors *);
/*
 * The directories searched, in order (owned strings): the config file's
 * directory + "/runbooks", ~/.config/omv/runbooks, /etc/omv/runbooks, and
 * the conf/runbooks beside the omv binary (the source tree, or
 * PREFIX/share/omv/conf/runbooks when installed).
 */
char **cfg_runbook_dirs(const char *config_path, size_t *n);
/*
 * Every runbook of the search directories, by name; a name found in an
 * earlier directory hides the same name later.  Files that fail to load are
 * reported in errs and left out.  Returns the count; *out is owned.
 */
size_t cfg_runbook_load_all(const char *config_path, struct runbook ***out,
    struct cfg_errors *);
void cfg_runbook_free_all(struct runbook **, size_t);

#endif
