/*
 * cmd-fanout.h: what `omv exec` and `omv runbook run` share on the command
 * line (cmd-fanout.c): target options, gating a run (visibility, risk,
 * policy, confirmation, one approval request), the run id and its audit
 * events, output (streamed with a server prefix, grouped, or JSON), the
 * progress line, the summary table and Ctrl-C; or, with --live, the
 * live table on the terminal (cmd-live.c).
 */
#ifndef CMD_FANOUT_H
#define CMD_FANOUT_H

#include <getopt.h>

#include "omv.h"
#include "fanout.h"
#include "runbook.h"

struct audit;
struct ident;
struct omv_config;
struct server;

/* Options both commands take (codes for getopt_long). */
enum {
	CMD_FANOUT_OPT_PARALLEL = 300,
	CMD_FANOUT_OPT_MAX_ERRORS,
	CMD_FANOUT_OPT_TIMEOUT,
	CMD_FANOUT_OPT_JSON,
	CMD_FANOUT_OPT_YES,
	CMD_FANOUT_OPT_GROUP,
	CMD_FANOUT_OPT_NO_WAIT,
	CMD_FANOUT_OPT_REQUEST,
	CMD_FANOUT_OPT_REASON,
	CMD_FANOUT_OPT_LIVE
};

#define CMD_FANOUT_LONGOPTS						\
	{ "config", required_argument, NULL, 'c' },			\
	{ "server", required_argument, NULL, 's' },			\
	{ "tag", required_argument, NULL, 't' },			\
	{ "env", required_argument, NULL, 'e' },			\
	{ "parallel", required_argument, NULL, CMD_FANOUT_OPT_PARALLEL }, \
	{ "max-errors", required_argument, NULL, CMD_FANOUT_OPT_MAX_ERRORS }, \
	{ "timeout", required_argument, NULL, CMD_FANOUT_OPT_TIMEOUT },	\
	{ "json", no_argument, NULL, CMD_FANOUT_OPT_JSON },		\
	{ "yes", no_argument, NULL, CMD_FANOUT_OPT_YES },		\
	{ "group", no_argument, NULL, CMD_FANOUT_OPT_GROUP },		\
	{ "no-wait", no_argument, NULL, CMD_FANOUT_OPT_NO_WAIT },	\
	{ "request", required_argument, NULL, CMD_FANOUT_OPT_REQUEST },	\
	{ "reason", required_argument, NULL, CMD_FANOUT_OPT_REASON },	\
	{ "live", no_argument, NULL, CMD_FANOUT_OPT_LIVE },		\
	{ "help", no_argument, NULL, 'h' }
#define CMD_FANOUT_SHORTOPTS "+c:s:g:t:e:h"

/* The parsed common options. */
struct cmd_fanout_opts {
	const char		 *config;	/* borrowed from argv */
	char			**sel;		/* owned: "name:x", "group:y" ... */
	size_t			  nsel;
	int			  parallel;	/* 0: default */
	struct runbook_amount	  max_errors;
	bool			  max_errors_set;
	int			  timeout;	/* seconds, 0: none */
	bool			  json;
	bool			  yes;
	bool			  group;	/* output grouped per server */
	bool			  live;		/* the live table (a terminal) */
	bool			  no_wait;
	int64_t			  request;	/* --request ID, 0: none */
	const char		 *reason;	/* borrowed */
	bool			  help;
};

/*
 * Take one option; 0 when it was one of ours, 1 when not (the caller's),
 * -1 after printing why the value is bad.
 */
int	cmd_fanout_option(struct cmd_fanout_opts *, int ch, const char *arg);
void	cmd_fanout_opts_clear(struct cmd_fanout_opts *);
/* The shared lines of --help. */
void	cmd_fanout_help_options(void);

/* One command's fan-out run, from gating to summary. */
struct cmd_run;

/*
 * Load the config, find who runs this, resolve the targets (the runbook's
 * when the options name none) and open the audit store.  NULL after
 * printing why; *status is the exit status to return then.
 */
struct cmd_run	*cmd_run_create(const struct cmd_fanout_opts *,
		     const char *kind, char *const *default_sel,
		     size_t ndefault, int flags, int *status);
#define CMD_RUN_DRY	0x1	/* a dry run: no audit store, no signals */
/* With --request ID: the approved request's command (borrowed). */
const char	*cmd_run_request_command(const struct cmd_run *);
void		 cmd_run_free(struct cmd_run *);
/* Name what runs (a runbook; borrowed), for messages. */
void		 cmd_run_set_name(struct cmd_run *, const char *);
struct omv_config *cmd_run_config(struct cmd_run *);
const char	*cmd_run_id(const struct cmd_run *);
/* The operator (borrowed). */
const struct ident *cmd_run_ident(const struct cmd_run *);
/* The targets a role grants (the others are refused and listed). */
size_t		 cmd_run_targets(const struct cmd_run *, struct server ***);

/* Per target and env: classify each command, decide; the strictest wins. */
void		 cmd_run_decide(struct cmd_run *, char *const *commands,
		     size_t n);
/* The strictest decision and the highest risk over every target. */
enum decision	 cmd_run_decision(const struct cmd_run *);
enum risk_level	 cmd_run_risk(const struct cmd_run *);
/* Target t's decision, risk, and reason (borrowed). */
enum decision	 cmd_run_target_decision(const struct cmd_run *, size_t t,
		     enum risk_level *risk, const char **reason,
		     const char **role);

/*
 * Gate the run: deny, confirm, or file one approval request (command is
 * what the approver reads) and wait for it.  Returns -1 to go on, or the
 * exit status to return now (refused, denied, --no-wait, ...).  With
 * --request ID, checks that request instead of asking.
 */
int		 cmd_run_authorize(struct cmd_run *, const char *command);

/*
 * Audit the run's start (write-ahead: -1 means nothing may run), each
 * command's end on a target, a target that never ran, and the end.
 */
int		 cmd_run_audit_start(struct cmd_run *, const char *command,
		     const char *detail_json);
/* phase/step: NULL for a plain exec; for runbooks "run", "check", ... */
int		 cmd_run_audit_step(struct cmd_run *, size_t t,
		     const struct fanout_step *, const char *phase,
		     const char *step);
int		 cmd_run_audit_target(struct cmd_run *, size_t t,
		     const struct fanout_result *, const char *command);
void		 cmd_run_audit_end(struct cmd_run *, const char *command,
		     const char *result, const char *detail_json);
/* True once an audit append failed (the run must stop). */
bool		 cmd_run_audit_failed(const struct cmd_run *);

/* Fan-out parameters from the options and the config's security. */
void		 cmd_run_params(struct cmd_run *, struct fanout_params *);
/* The fan-out targets for the granted servers (owned array). */
struct fanout_target *cmd_run_fanout_targets(struct cmd_run *);

/* Output, progress and Ctrl-C: the fan-out callbacks of both commands. */
void		 cmd_run_attach(struct cmd_run *, struct fanout *);
void		 cmd_run_output(struct fanout *, size_t, const char *, size_t,
		     int, void *);
void		 cmd_run_tick(struct fanout *, void *);
void		 cmd_run_wake(struct fanout *, void *);
/* Flush a target's partial output lines (call when it is done). */
void		 cmd_run_flush(struct cmd_run *, size_t t);
/* Print a message line without garbling the progress line. */
void		 cmd_run_note(struct cmd_run *, const char *fmt, ...)
		     __attribute__((format(printf, 2, 3)));
/* Erase the progress line for good. */
void		 cmd_run_progress_done(struct cmd_run *);

/*
 * The end: grouped output, then the summary table (or JSON lines, with
 * extra per target from extra_json, may be NULL).  Returns the exit status:
 * 0 when every target succeeded and none was refused, else 1.
 */
int		 cmd_run_report(struct cmd_run *, struct fanout *,
		     const char *const *status_text,
		     const char *const *extra_json);
/* What target t does now (a runbook's step), for the live table. */
void		 cmd_run_set_step(struct cmd_run *, size_t t, const char *);

/* Print the targets no role grants. */
void		 cmd_run_print_refused(const struct cmd_run *);
size_t		 cmd_run_nrefused(const struct cmd_run *);

#endif
