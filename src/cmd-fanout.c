/*
 * cmd-fanout.c: the command-line side of a fan-out run, shared by `omv
 * exec` and `omv runbook run`.
 *
 * A run: load the config and resolve the targets (-s NAME, -g GROUP, -t TAG,
 * -e ENV: a union, inventory order); refuse and list those no role of the
 * operator grants; classify every command once per env and decide per
 * target; the strictest decision governs the whole run (DENY stops it,
 * CONFIRM asks on the terminal or takes --yes, APPROVAL files one request
 * for the run in the console's queue and waits for it).  Then the run's
 * start is audited (write-ahead: if that fails nothing runs), the fan-out
 * runs, every command's end on every server is audited under the run id,
 * and the end is audited and summarised.
 *
 * The run id ("r-20261127-0443-ab12cd": UTC minute and 24 random bits) is
 * in the detail of every event of the run and in the approval request.
 *
 * Output: streamed line by line with a "server: " prefix (stdout to stdout,
 * stderr to stderr), or grouped per server at the end (--group), or one
 * JSON object per server (--json).  On a terminal, stderr shows a progress
 * line that output lines erase and the next tick redraws.  SIGINT/SIGTERM
 * go through a self-pipe into the poll loop, which cancels what runs.
 *
 * --live (stdout a terminal) replaces the streamed output and the progress
 * line with cmd-live.c's table, from the run's start to after its end, when
 * the operator browses each server's output and quits; notes made meanwhile
 * are printed once the terminal is back, then the summary line.  The
 * gating before the run (confirming, waiting for approval) is unchanged.
 * SIGWINCH comes through the same self-pipe and only resizes the table.
 */
#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "approval.h"
#include "audit.h"
#include "cfg.h"
#include "cmd.h"
#include "cmd-fanout.h"
#include "cmd-live.h"
#include "ident.h"
#include "policy.h"
#include "risk.h"

#define CMD_RUN_LINE_MAX	4096	/* a longer partial line is cut */
#define CMD_RUN_PROGRESS_MS	100
#define CMD_RUN_WAIT_MS		250	/* approval polling */
#define CMD_RUN_LIVE_TICK_MS	50	/* the live table's frame */

/* One granted target and what was decided for it. */
struct cmd_run_target {
	struct server	 *server;	/* borrowed from cfg */
	enum decision	  decision;
	enum risk_level	  risk;
	enum audit_level  audit_level;
	char		 *reason;	/* owned */
	char		 *role;		/* owned */
	char		 *rule;		/* owned: the deciding risk rule */
	char		**approvers;	/* owned */
	size_t		  napprovers;
	struct sbuf	  line[2];	/* partial output lines */
};

struct cmd_run {
	const struct cmd_fanout_opts *opts;	/* borrowed */
	const char		 *kind;		/* "exec", "runbook" */
	const char		 *name;		/* borrowed: the runbook's, or NULL */
	struct omv_config	 *cfg;		/* owned */
	struct ident		 *id;		/* owned */
	struct audit		 *audit;	/* owned */
	char			  run_id[40];
	struct cmd_run_target	 *t;		/* owned */
	size_t			  n;
	struct server		**servers;	/* owned array, borrowed servers */
	struct server		**refused;	/* owned array, borrowed servers */
	size_t			  nrefused;
	struct fanout		 *f;		/* borrowed while running */
	enum decision		  decision;
	enum risk_level		  risk;
	size_t			  decider;	/* the target that decided */
	int64_t			  approval;	/* request id, 0: none */
	char			 *request_cmd;	/* owned: --request's command */
	const char		 *confirmed;	/* "--yes", "terminal", NULL */
	bool			  audit_failed;
	bool			  signals;
	bool			  progress;	/* stderr is a terminal */
	struct cmd_live		 *live;		/* owned: --live, while shown */
	char			 *command;	/* owned: as audited */
	char			 *title;	/* owned: the live table's */
	char			**notes;	/* owned: made while live */
	size_t			  nnotes;
	bool			  progress_shown;
	int64_t			  progress_last;
	int			  width;	/* of server names */
	int64_t			  start_ms;
};

static int			 cmd_run_sigfd[2] = { -1, -1 };
static volatile sig_atomic_t	 cmd_run_signalled;	/* SIGINT, SIGTERM */
static volatile sig_atomic_t	 cmd_run_terminated;	/* SIGTERM */
static volatile sig_atomic_t	 cmd_run_winch;		/* SIGWINCH */

/* Parse a whole non-negative number no larger than max. */
static int
cmd_fanout_number(const char *s, long max, long *out)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0 || v > max)
		return (-1);
	*out = v;
	return (0);
}

/* Add a selector: kind prefix + value. */
static void
cmd_fanout_add_sel(struct cmd_fanout_opts *o, const char *prefix,
    const char *v)
{
	o->sel = xreallocarray(o->sel, o->nsel + 1, sizeof *o->sel);
	o->sel[o->nsel++] = xprintf("%s%s", prefix, v);
}

/* Take one of the shared options. */
int
cmd_fanout_option(struct cmd_fanout_opts *o, int ch, const char *arg)
{
	char	*cause = NULL;
	long	 v;

	switch (ch) {
	case 'c':
		o->config = arg;
		return (0);
	case 's':
		cmd_fanout_add_sel(o, strchr(arg, ':') != NULL ? "" : "name:",
		    arg);
		return (0);
	case 'g':
		cmd_fanout_add_sel(o, "group:", arg);
		return (0);
	case 't':
		cmd_fanout_add_sel(o, "tag:", arg);
		return (0);
	case 'e':
		cmd_fanout_add_sel(o, "env:", arg);
		return (0);
	case CMD_FANOUT_OPT_PARALLEL:
		if (cmd_fanout_number(arg, 10000, &v) != 0 || v == 0) {
			fprintf(stderr, "omv: --parallel wants 1-10000, not "
			    "'%s'\n", arg);
			return (-1);
		}
		o->parallel = (int)v;
		return (0);
	case CMD_FANOUT_OPT_MAX_ERRORS:
		if (runbook_amount_parse(arg, &o->max_errors, &cause) != 0) {
			fprintf(stderr, "omv: --max-errors: %s\n", cause);
			free(cause);
			return (-1);
		}
		o->max_errors_set = true;
		return (0);
	case CMD_FANOUT_OPT_TIMEOUT:
		if (cmd_fanout_number(arg, 86400 * 7, &v) != 0) {
			fprintf(stderr, "omv: --timeout wants seconds, not "
			    "'%s'\n", arg);
			return (-1);
		}
		o->timeout = (int)v;
		return (0);
	case CMD_FANOUT_OPT_JSON:
		o->json = true;
		return (0);
	case CMD_FANOUT_OPT_YES:
		o->yes = true;
		return (0);
	case CMD_FANOUT_OPT_GROUP:
		o->group = true;
		return (0);
	case CMD_FANOUT_OPT_NO_WAIT:
		o->no_wait = true;
		return (0);
	case CMD_FANOUT_OPT_REQUEST:
		if (*arg == '#')
			arg++;
		if (cmd_fanout_number(arg, 0x7fffffffL, &v) != 0 || v == 0) {
			fprintf(stderr, "omv: --request wants a request id, "
			    "not '%s'\n", arg);
			return (-1);
		}
		o->request = v;
		return (0);
	case CMD_FANOUT_OPT_REASON:
		o->reason = arg;
		return (0);
	case CMD_FANOUT_OPT_LIVE:
		o->live = true;
		return (0);
	case 'h':
		o->help = true;
		return (0);
	}
	return (1);
}

/* Free what the options own. */
void
cmd_fanout_opts_clear(struct cmd_fanout_opts *o)
{
	strv_free(o->sel, o->nsel);
	o->sel = NULL;
	o->nsel = 0;
}

/* The shared part of --help. */
void
cmd_fanout_help_options(void)
{
	printf("Targets (a union; at least one unless a runbook names them):\n"
	    "  -s, --server NAME  a server (a glob, or any role pattern such "
	    "as tag:db)\n"
	    "  -g GROUP           a group path and everything below it\n"
	    "  -t, --tag TAG      servers with a tag\n"
	    "  -e, --env ENV      servers of an env (production, staging, "
	    "development)\n"
	    "Running:\n"
	    "  --parallel N       servers at a time (default %d)\n"
	    "  --max-errors N|P%%  failures tolerated before no new server "
	    "starts\n"
	    "                     (default 0; P%% of the targets, rounded "
	    "down)\n"
	    "  --timeout SECONDS  per command (default none)\n"
	    "  --yes              confirm at once when policy asks to "
	    "confirm\n"
	    "  --reason TEXT      why, for an approval request\n"
	    "  --no-wait          file the approval request and exit "
	    "(prints its id)\n"
	    "  --request ID       run an approved request\n"
	    "Output:\n"
	    "  --group            each server's output together at the end\n"
	    "  --json             one JSON object per server, no table\n"
	    "  --live             on a terminal: a live table of the servers "
	    "and their\n"
	    "                     states, then browse each one's output "
	    "(Enter; q quits)\n"
	    "  -c FILE            configuration file\n", FANOUT_PARALLEL_DEFAULT);
}

/* SIGINT, SIGTERM (and SIGWINCH): wake the loop through the self-pipe. */
static void
cmd_run_catch(int sig)
{
	int	saved = errno;
	char	c = (char)sig;

	if (sig == SIGWINCH)
		cmd_run_winch = 1;
	else
		cmd_run_signalled = 1;
	if (sig == SIGTERM)
		cmd_run_terminated = 1;
	if (cmd_run_sigfd[1] != -1 && write(cmd_run_sigfd[1], &c, 1) == -1) {
		/* full pipe: a wake-up is pending anyway */
	}
	errno = saved;
}

/* Install the handlers and the self-pipe. */
static void
cmd_run_signals(struct cmd_run *r)
{
	struct sigaction	sa;

	if (pipe2(cmd_run_sigfd, O_CLOEXEC|O_NONBLOCK) != 0)
		fatal("pipe: %s", strerror(errno));
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = cmd_run_catch;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (r->opts->live)
		sigaction(SIGWINCH, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	r->signals = true;
}

/* Drain the self-pipe; true when SIGINT or SIGTERM (not SIGWINCH) came. */
static bool
cmd_run_drain_bytes(void)
{
	char	buf[64];
	ssize_t	n, i;
	bool	any = false;

	while (cmd_run_sigfd[0] != -1 &&
	    (n = read(cmd_run_sigfd[0], buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] != (char)SIGWINCH)
				any = true;
		}
	}
	return (any);
}

/* Drain the self-pipe; true when a signal came (now or before). */
static bool
cmd_run_drain(void)
{
	bool	any = cmd_run_drain_bytes();

	return (any || cmd_run_signalled);
}

/* "r-20261127-0443-ab12cd": the UTC minute and 24 random bits. */
static void
cmd_run_make_id(char *buf, size_t len)
{
	unsigned char	rnd[3];
	struct tm	tm;
	time_t		now = time(NULL);

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		rnd[0] = (unsigned char)getpid();
		rnd[1] = (unsigned char)(mono_ms() >> 8);
		rnd[2] = (unsigned char)mono_ms();
	}
	gmtime_r(&now, &tm);
	snprintf(buf, len, "r-%04d%02d%02d-%02d%02d-%02x%02x%02x",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, rnd[0], rnd[1], rnd[2]);
}

/* Open the audit store for appending; -1 after saying why. */
static int
cmd_run_open_audit(struct cmd_run *r)
{
	char	*path, *cause = NULL;

	path = cmd_audit_path(r->cfg, NULL);
	r->audit = audit_open(path, r->cfg->audit.group, &cause);
	if (r->audit == NULL) {
		fprintf(stderr, "omv: audit: %s; nothing runs unrecorded\n",
		    cause);
		free(cause);
		free(path);
		return (-1);
	}
	free(path);
	audit_set_identity(r->audit, r->id->login, r->id->host,
	    r->id->client);
	return (0);
}

/* --request ID: the approved request's command and servers. */
static int
cmd_run_load_request(struct cmd_run *r, char ***sel, size_t *nsel)
{
	struct approval	*ap;
	char		*cause = NULL, *copy, *p, *name;

	if ((ap = approval_get(r->audit, r->opts->request, &cause)) == NULL) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		return (-1);
	}
	if (ap->run_id == NULL || ap->server == NULL || ap->command == NULL) {
		fprintf(stderr, "omv: request %lld is not a fan-out run\n",
		    (long long)ap->id);
		approval_free(ap);
		return (-1);
	}
	r->request_cmd = xstrdup(ap->command);
	snprintf(r->run_id, sizeof r->run_id, "%s", ap->run_id);
	copy = xstrdup(ap->server);
	for (p = copy; (name = strsep(&p, ",")) != NULL;) {
		if (*name == '\0')
			continue;
		*sel = xreallocarray(*sel, *nsel + 1, sizeof **sel);
		(*sel)[(*nsel)++] = xprintf("name:%s", name);
	}
	free(copy);
	approval_free(ap);
	return (0);
}

/* --live wants a terminal and a real run of its own drawing. */
static int
cmd_run_live_usage(const struct cmd_fanout_opts *opts, int flags)
{
	if (flags & CMD_RUN_DRY) {
		fprintf(stderr, "omv: --live shows a run; a dry run runs "
		    "nothing\n");
		return (-1);
	}
	if (opts->json || opts->group) {
		fprintf(stderr, "omv: --live draws its own table: not with "
		    "--%s\n", opts->json ? "json" : "group");
		return (-1);
	}
	if (!isatty(STDOUT_FILENO)) {
		fprintf(stderr, "omv: --live needs a terminal; stdout is "
		    "not one\n");
		return (-1);
	}
	return (0);
}

/* Load, identify, resolve, open the audit store. */
struct cmd_run *
cmd_run_create(const struct cmd_fanout_opts *opts, const char *kind,
    char *const *default_sel, size_t ndefault, int flags, int *status)
{
	struct cmd_run	 *r;
	struct server	**all;
	char		**req_sel = NULL, *const *sel, *cause = NULL;
	size_t		  nall, nsel, nreq = 0, i;
	int		  w;

	*status = CMD_USAGE;
	r = xcalloc(1, sizeof *r);
	r->opts = opts;
	r->kind = kind;
	r->start_ms = now_ms();
	cmd_run_make_id(r->run_id, sizeof r->run_id);
	if (opts->live && cmd_run_live_usage(opts, flags) != 0)
		goto fail;
	if ((r->cfg = cmd_load_config(opts->config)) == NULL)
		goto fail;
	r->id = ident_current();
	if (r->id == NULL || r->id->login == NULL) {
		fprintf(stderr, "omv: cannot tell who you are\n");
		goto fail;
	}
	if (!(flags & CMD_RUN_DRY)) {
		if (cmd_run_open_audit(r) != 0) {
			*status = CMD_FAIL;
			goto fail;
		}
		cmd_run_signals(r);
	}
	sel = opts->sel;
	nsel = opts->nsel;
	if (opts->request != 0) {
		if (r->audit == NULL || cmd_run_load_request(r, &req_sel,
		    &nreq) != 0) {
			*status = CMD_FAIL;
			goto fail;
		}
		sel = req_sel;
		nsel = nreq;
	} else if (nsel == 0) {
		sel = default_sel;
		nsel = ndefault;
	}
	if (nsel == 0) {
		fprintf(stderr, "omv: no targets: name servers with -s, -g, "
		    "-t or -e\n");
		goto fail;
	}
	if (fanout_resolve(r->cfg, sel, nsel, &all, &nall, &cause) != 0) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		goto fail;
	}
	strv_free(req_sel, nreq);
	req_sel = NULL;

	r->servers = xcalloc(nall + 1, sizeof *r->servers);
	r->refused = xcalloc(nall + 1, sizeof *r->refused);
	r->t = xcalloc(nall + 1, sizeof *r->t);
	for (i = 0; i < nall; i++) {
		if (!policy_server_visible(r->cfg, r->id, all[i])) {
			r->refused[r->nrefused++] = all[i];
			continue;
		}
		r->servers[r->n] = all[i];
		r->t[r->n].server = all[i];
		sbuf_init(&r->t[r->n].line[0]);
		sbuf_init(&r->t[r->n].line[1]);
		w = (int)strlen(all[i]->name);
		if (w > r->width)
			r->width = w > 24 ? 24 : w;
		r->n++;
	}
	free(all);
	r->progress = !(flags & CMD_RUN_DRY) && !opts->live &&
	    isatty(STDERR_FILENO);
	*status = CMD_OK;
	return (r);

fail:
	strv_free(req_sel, nreq);
	cmd_run_free(r);
	return (NULL);
}

/* Give the terminal back and print the notes the table showed. */
static void
cmd_run_live_end(struct cmd_run *r)
{
	size_t	i;

	if (r->live == NULL)
		return;
	cmd_live_free(r->live);
	r->live = NULL;
	for (i = 0; i < r->nnotes; i++)
		fprintf(stderr, "%s\n", r->notes[i]);
	fflush(stderr);
}

/* Free a run, restoring the signal handlers. */
void
cmd_run_free(struct cmd_run *r)
{
	struct sigaction	sa;
	size_t			i;

	if (r == NULL)
		return;
	cmd_run_live_end(r);
	if (r->signals) {
		memset(&sa, 0, sizeof sa);
		sigemptyset(&sa.sa_mask);
		sa.sa_handler = SIG_DFL;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		if (r->opts->live)
			sigaction(SIGWINCH, &sa, NULL);
		close(cmd_run_sigfd[0]);
		close(cmd_run_sigfd[1]);
		cmd_run_sigfd[0] = cmd_run_sigfd[1] = -1;
	}
	for (i = 0; i < r->n; i++) {
		free(r->t[i].reason);
		free(r->t[i].role);
		free(r->t[i].rule);
		strv_free(r->t[i].approvers, r->t[i].napprovers);
		sbuf_free(&r->t[i].line[0]);
		sbuf_free(&r->t[i].line[1]);
	}
	free(r->t);
	free(r->servers);
	free(r->refused);
	free(r->request_cmd);
	free(r->command);
	free(r->title);
	strv_free(r->notes, r->nnotes);
	audit_close(r->audit);
	ident_free(r->id);
	cfg_free(r->cfg);
	free(r);
}

/* Name what runs (a runbook), for messages. */
void
cmd_run_set_name(struct cmd_run *r, const char *name)
{
	r->name = name;
}

/* The loaded config. */
struct omv_config *
cmd_run_config(struct cmd_run *r)
{
	return (r->cfg);
}

/* The run id. */
const char *
cmd_run_id(const struct cmd_run *r)
{
	return (r->run_id);
}

/* The approved request's command, with --request. */
const char *
cmd_run_request_command(const struct cmd_run *r)
{
	return (r->request_cmd);
}

/* Who runs this. */
const struct ident *
cmd_run_ident(const struct cmd_run *r)
{
	return (r->id);
}

/* The granted targets. */
size_t
cmd_run_targets(const struct cmd_run *r, struct server ***out)
{
	*out = r->servers;
	return (r->n);
}

/* How many were refused. */
size_t
cmd_run_nrefused(const struct cmd_run *r)
{
	return (r->nrefused);
}

/* List the refused targets on stderr. */
void
cmd_run_print_refused(const struct cmd_run *r)
{
	size_t	i;

	if (r->nrefused == 0)
		return;
	fprintf(stderr, "omv: refused %zu %s no role of %s grants:",
	    r->nrefused, r->nrefused == 1 ? "server" : "servers",
	    r->id->login);
	for (i = 0; i < r->nrefused; i++)
		fprintf(stderr, "%s %s", i == 0 ? "" : ",", r->refused[i]->name);
	fprintf(stderr, "\n");
}

/* Classify and decide every command for every target. */
void
cmd_run_decide(struct cmd_run *r, char *const *commands, size_t n)
{
	struct risk_result	*cache, *rr;
	bool			*have;
	struct policy_request	 req;
	struct policy_result	 res;
	struct cmd_run_target	*t;
	time_t			 when = time(NULL);
	size_t			 i, j, k;
	int			 e;

	cache = xcalloc(n * (ENV_NONE + 1) + 1, sizeof *cache);
	have = xcalloc(n * (ENV_NONE + 1) + 1, sizeof *have);
	r->decision = DECISION_ALLOW;
	r->risk = RISK_LOW;
	r->decider = 0;
	for (i = 0; i < r->n; i++) {
		t = &r->t[i];
		t->decision = DECISION_ALLOW;
		t->risk = RISK_LOW;
		t->audit_level = r->cfg->audit.level;
		for (j = 0; j < n; j++) {
			e = (int)t->server->env;
			k = j * (ENV_NONE + 1) + (size_t)e;
			rr = &cache[k];
			if (!have[k]) {
				/* Risk depends on the env only: once each. */
				risk_classify(r->cfg->rules, commands[j],
				    r->cfg->escalate[e], rr);
				have[k] = true;
			}
			memset(&req, 0, sizeof req);
			req.user = r->id;
			req.server = t->server;
			req.line = commands[j];
			req.risk = rr;
			req.when = when;
			policy_decide(r->cfg, &req, &res);
			if (res.audit_level > t->audit_level)
				t->audit_level = res.audit_level;
			if (j == 0 || res.decision > t->decision ||
			    (res.decision == t->decision &&
			    rr->level > t->risk)) {
				t->decision = res.decision;
				free(t->reason);
				t->reason = res.reason;
				res.reason = NULL;
				free(t->role);
				t->role = res.role;
				res.role = NULL;
				strv_free(t->approvers, t->napprovers);
				t->approvers = res.approvers;
				t->napprovers = res.napprovers;
				res.approvers = NULL;
				res.napprovers = 0;
				free(t->rule);
				t->rule = rr->rule != NULL ?
				    xstrdup(rr->rule) : NULL;
			}
			if (rr->level > t->risk)
				t->risk = rr->level;
			policy_result_clear(&res);
		}
		if (t->decision > r->decision || (t->decision == r->decision &&
		    t->risk > r->t[r->decider].risk)) {
			r->decision = t->decision;
			r->decider = i;
		}
		if (t->risk > r->risk)
			r->risk = t->risk;
	}
	for (k = 0; k < n * (ENV_NONE + 1); k++) {
		if (have[k])
			risk_result_clear(&cache[k]);
	}
	free(cache);
	free(have);
}

/* The run's decision. */
enum decision
cmd_run_decision(const struct cmd_run *r)
{
	return (r->decision);
}

/* The run's highest risk. */
enum risk_level
cmd_run_risk(const struct cmd_run *r)
{
	return (r->risk);
}

/* One target's decision. */
enum decision
cmd_run_target_decision(const struct cmd_run *r, size_t t,
    enum risk_level *risk, const char **reason, const char **role)
{
	if (risk != NULL)
		*risk = r->t[t].risk;
	if (reason != NULL)
		*reason = r->t[t].reason;
	if (role != NULL)
		*role = r->t[t].role;
	return (r->t[t].decision);
}

/* Append one event of the run; -1 (and the run must stop) on failure. */
static int
cmd_run_event(struct cmd_run *r, const char *server, const char *command,
    const char *risk, const char *decision, const char *result,
    bool has_exit, int exit_status, const char *detail)
{
	struct audit_event	 ev;
	char			*cause = NULL;

	if (r->audit == NULL)
		return (-1);
	memset(&ev, 0, sizeof ev);
	ev.action = "exec";
	ev.server = server;
	ev.command = command;
	ev.risk = risk;
	ev.decision = decision;
	ev.result = result;
	ev.has_exit = has_exit;
	ev.exit_status = exit_status;
	ev.detail = detail;
	if (audit_append(r->audit, &ev, NULL, &cause) != 0) {
		cmd_run_progress_done(r);
		if (r->live != NULL)
			cmd_run_note(r, "omv: audit: %s; stopping the run",
			    cause);
		else
			fprintf(stderr, "omv: audit: %s; stopping the run\n",
			    cause);
		free(cause);
		r->audit_failed = true;
		if (r->f != NULL)
			fanout_cancel(r->f);
		return (-1);
	}
	return (0);
}

/* Start a detail object with the run id: {"run":"r-...","kind":"exec" */
static void
cmd_run_detail_open(const struct cmd_run *r, struct sbuf *sb)
{
	sbuf_init(sb);
	sbuf_adds(sb, "{\"run\":");
	sbuf_json_string(sb, r->run_id);
	sbuf_adds(sb, ",\"kind\":");
	sbuf_json_string(sb, r->kind);
}

/* ,"key":"value" */
static void
cmd_run_detail_str(struct sbuf *sb, const char *key, const char *value)
{
	sbuf_addf(sb, ",\"%s\":", key);
	sbuf_json_string(sb, value);
}

/* Output bytes as a JSON string (NUL bytes shown as U+FFFD). */
static void
cmd_run_json_bytes(struct sbuf *sb, const char *buf, size_t len)
{
	char	*copy;
	size_t	 i;

	copy = xmalloc(len + 1);
	memcpy(copy, buf, len);
	copy[len] = '\0';
	for (i = 0; i < len; i++) {
		if (copy[i] == '\0')
			copy[i] = '?';
	}
	sbuf_json_string(sb, copy);
	free(copy);
}

/* The server names of the run as a JSON array. */
static void
cmd_run_detail_names(struct sbuf *sb, const char *key, struct server **v,
    size_t n)
{
	size_t	i;

	sbuf_addf(sb, ",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		if (i != 0)
			sbuf_addc(sb, ',');
		sbuf_json_string(sb, v[i]->name);
	}
	sbuf_addc(sb, ']');
}

/* The result word of a command's end. */
static const char *
cmd_run_step_result(const struct fanout_step *st)
{
	if (st->ok)
		return ("ok");
	if (st->timed_out)
		return ("timeout");
	switch (st->error) {
	case CONN_ERR_NONE:
		return ("failed");
	case CONN_ERR_UNREACHABLE:
		return ("unreachable");
	case CONN_ERR_TIMEOUT:
		return ("timeout");
	case CONN_ERR_HOSTKEY:
		return ("hostkey");
	case CONN_ERR_AUTH:
		return ("auth");
	case CONN_ERR_CLOSED:
		return ("cancelled");
	default:
		return ("error");
	}
}

/* Audit the run's start; the refused targets are recorded with it. */
int
cmd_run_audit_start(struct cmd_run *r, const char *command,
    const char *extra)
{
	struct sbuf	 sb;
	char		 amount[32];
	size_t		 i;
	int		 rc;

	free(r->command);
	r->command = xstrdup(command);
	cmd_run_detail_open(r, &sb);
	sbuf_addf(&sb, ",\"targets\":%zu", r->n);
	cmd_run_detail_names(&sb, "servers", r->servers, r->n);
	cmd_run_detail_names(&sb, "refused", r->refused, r->nrefused);
	sbuf_addf(&sb, ",\"parallel\":%d", r->opts->parallel > 0 ?
	    r->opts->parallel : FANOUT_PARALLEL_DEFAULT);
	runbook_amount_format(&r->opts->max_errors, amount, sizeof amount);
	cmd_run_detail_str(&sb, "max_errors", amount);
	sbuf_addf(&sb, ",\"timeout\":%d", r->opts->timeout);
	if (r->approval != 0)
		sbuf_addf(&sb, ",\"approval\":%lld", (long long)r->approval);
	if (r->confirmed != NULL)
		cmd_run_detail_str(&sb, "confirmed", r->confirmed);
	if (extra != NULL && *extra != '\0') {
		sbuf_addc(&sb, ',');
		sbuf_adds(&sb, extra);
	}
	sbuf_addc(&sb, '}');
	rc = cmd_run_event(r, NULL, command, risk_level_name(r->risk),
	    decision_name(r->decision), "start", false, 0, sb.buf);
	sbuf_free(&sb);
	if (rc != 0)
		return (-1);
	for (i = 0; i < r->nrefused; i++) {
		cmd_run_detail_open(r, &sb);
		cmd_run_detail_str(&sb, "reason", "no role grants this server");
		sbuf_addc(&sb, '}');
		rc = cmd_run_event(r, r->refused[i]->name, command, NULL,
		    decision_name(DECISION_DENY), "refused", false, 0, sb.buf);
		sbuf_free(&sb);
		if (rc != 0)
			return (-1);
	}
	return (0);
}

/* Audit one command's end on target t. */
int
cmd_run_audit_step(struct cmd_run *r, size_t t, const struct fanout_step *st,
    const char *phase, const char *step)
{
	struct cmd_run_target	*tg = &r->t[t];
	struct sbuf		 sb;
	int			 rc;

	cmd_run_detail_open(r, &sb);
	if (phase != NULL)
		cmd_run_detail_str(&sb, "phase", phase);
	if (step != NULL)
		cmd_run_detail_str(&sb, "step", step);
	sbuf_addf(&sb, ",\"duration_ms\":%lld,\"bytes\":%llu",
	    (long long)st->duration_ms, (unsigned long long)st->bytes);
	if (st->reason != NULL)
		cmd_run_detail_str(&sb, "error", st->reason);
	if (tg->audit_level >= AUDIT_DETAILED) {
		sbuf_adds(&sb, ",\"head\":");
		cmd_run_json_bytes(&sb, st->head, st->head_len);
		if (st->tail_len != 0) {
			sbuf_adds(&sb, ",\"tail\":");
			cmd_run_json_bytes(&sb, st->tail, st->tail_len);
		}
	}
	sbuf_addc(&sb, '}');
	rc = cmd_run_event(r, tg->server->name, st->command,
	    risk_level_name(tg->risk), decision_name(tg->decision),
	    cmd_run_step_result(st), st->exit_status >= 0, st->exit_status,
	    sb.buf);
	sbuf_free(&sb);
	return (rc);
}

/* Audit a target that never ran a command (skipped, cancelled early). */
int
cmd_run_audit_target(struct cmd_run *r, size_t t,
    const struct fanout_result *res, const char *command)
{
	struct cmd_run_target	*tg = &r->t[t];
	struct sbuf		 sb;
	int			 rc;

	cmd_run_detail_open(r, &sb);
	if (res->reason != NULL)
		cmd_run_detail_str(&sb, "error", res->reason);
	sbuf_addc(&sb, '}');
	rc = cmd_run_event(r, tg->server->name, command,
	    risk_level_name(tg->risk), decision_name(tg->decision),
	    fanout_status_name(res->status), false, 0, sb.buf);
	sbuf_free(&sb);
	return (rc);
}

/* Audit the run's end (best effort: what ran already happened). */
void
cmd_run_audit_end(struct cmd_run *r, const char *command, const char *result,
    const char *extra)
{
	struct sbuf	sb;

	if (r->audit == NULL || r->audit_failed)
		return;
	cmd_run_detail_open(r, &sb);
	sbuf_addf(&sb, ",\"duration_ms\":%lld",
	    (long long)(now_ms() - r->start_ms));
	if (extra != NULL && *extra != '\0') {
		sbuf_addc(&sb, ',');
		sbuf_adds(&sb, extra);
	}
	sbuf_addc(&sb, '}');
	cmd_run_event(r, NULL, command, risk_level_name(r->risk),
	    decision_name(r->decision), result, false, 0, sb.buf);
	sbuf_free(&sb);
}

/* Did an append fail? */
bool
cmd_run_audit_failed(const struct cmd_run *r)
{
	return (r->audit_failed);
}

/* Policy denies the run: say where and why, and record it. */
static int
cmd_run_denied(struct cmd_run *r, const char *command)
{
	struct sbuf	sb;
	size_t		i, n = 0;

	fprintf(stderr, "omv: denied by policy; nothing runs:\n");
	cmd_run_detail_open(r, &sb);
	sbuf_adds(&sb, ",\"denied\":[");
	for (i = 0; i < r->n; i++) {
		if (r->t[i].decision != DECISION_DENY)
			continue;
		fprintf(stderr, "  %s: %s\n", r->t[i].server->name,
		    r->t[i].reason != NULL ? r->t[i].reason : "denied");
		if (n++ != 0)
			sbuf_addc(&sb, ',');
		sbuf_json_string(&sb, r->t[i].server->name);
	}
	sbuf_adds(&sb, "]}");
	cmd_run_event(r, NULL, command, risk_level_name(r->risk),
	    decision_name(DECISION_DENY), "denied", false, 0, sb.buf);
	sbuf_free(&sb);
	return (CMD_FAIL);
}

/* Ask on the terminal; true when the operator says yes. */
static bool
cmd_run_ask(struct cmd_run *r, const char *command)
{
	char	 line[64];
	FILE	*tty;
	bool	 yes;

	if (!isatty(STDIN_FILENO) || (tty = fopen("/dev/tty", "r+")) == NULL)
		return (false);
	fprintf(tty, "Run on %zu %s (risk %s: %s):\n  %s\nContinue? [y/N] ",
	    r->n, r->n == 1 ? "server" : "servers", risk_level_name(r->risk),
	    r->t[r->decider].reason != NULL ? r->t[r->decider].reason : "",
	    command);
	fflush(tty);
	yes = fgets(line, sizeof line, tty) != NULL &&
	    (strcmp(line, "y\n") == 0 || strcmp(line, "yes\n") == 0 ||
	    strcmp(line, "Y\n") == 0);
	fclose(tty);
	return (yes && !cmd_run_signalled);
}

/* CONFIRM: --yes, or ask. */
static int
cmd_run_confirm(struct cmd_run *r, const char *command)
{
	if (r->opts->yes) {
		r->confirmed = "--yes";
		return (-1);
	}
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "omv: policy asks to confirm this run (risk "
		    "%s: %s); add --yes\n", risk_level_name(r->risk),
		    r->t[r->decider].reason);
		return (CMD_FAIL);
	}
	if (!cmd_run_ask(r, command)) {
		fprintf(stderr, "omv: not confirmed; nothing runs\n");
		cmd_run_event(r, NULL, command, risk_level_name(r->risk),
		    decision_name(DECISION_CONFIRM), "not confirmed", false, 0,
		    NULL);
		return (CMD_FAIL);
	}
	r->confirmed = "terminal";
	return (-1);
}

/* The granted target names joined by commas (what an approval covers). */
static char *
cmd_run_server_list(const struct cmd_run *r)
{
	struct sbuf	sb;
	size_t		i;

	sbuf_init(&sb);
	for (i = 0; i < r->n; i++) {
		if (i != 0)
			sbuf_addc(&sb, ',');
		sbuf_adds(&sb, r->servers[i]->name);
	}
	return (sbuf_steal(&sb));
}

/* The approver roles of every target that needs approval, once each. */
static char *
cmd_run_approvers(const struct cmd_run *r)
{
	struct sbuf	 sb;
	size_t		 i, j;
	char		*pat;

	sbuf_init(&sb);
	sbuf_addc(&sb, ',');
	for (i = 0; i < r->n; i++) {
		if (r->t[i].decision != DECISION_APPROVAL)
			continue;
		for (j = 0; j < r->t[i].napprovers; j++) {
			pat = xprintf(",%s,", r->t[i].approvers[j]);
			if (strstr(sb.buf, pat) == NULL) {
				sbuf_adds(&sb, r->t[i].approvers[j]);
				sbuf_addc(&sb, ',');
			}
			free(pat);
		}
	}
	if (sb.len <= 1) {
		sbuf_free(&sb);
		return (NULL);
	}
	sb.buf[--sb.len] = '\0';
	pat = xstrdup(sb.buf + 1);
	sbuf_free(&sb);
	return (pat);
}

/* Wait for the decision on request id; -1 approved, else an exit status. */
static int
cmd_run_wait(struct cmd_run *r, int64_t id)
{
	struct approval	*ap;
	struct pollfd	 pfd;
	uint64_t	 stamp = 0, last = 0;
	char		*cause = NULL;
	int		 rc = CMD_FAIL, cnt;
	bool		 first = true;

	for (;;) {
		if (cmd_run_drain()) {
			if (approval_cancel(r->audit, id, r->id->login,
			    "withdrawn by the requester (interrupted)",
			    &cause) != 0) {
				fprintf(stderr, "omv: %s\n", cause);
				free(cause);
				cause = NULL;
			}
			fprintf(stderr, "omv: interrupted; request %lld "
			    "withdrawn\n", (long long)id);
			return (CMD_FAIL);
		}
		if (approval_stamp(r->audit, &stamp, &cause) != 0) {
			fprintf(stderr, "omv: %s\n", cause);
			free(cause);
			return (CMD_FAIL);
		}
		if (first || stamp != last) {
			first = false;
			last = stamp;
			if ((ap = approval_get(r->audit, id, &cause)) == NULL) {
				fprintf(stderr, "omv: %s\n", cause);
				free(cause);
				return (CMD_FAIL);
			}
			if (ap->status == APPROVAL_PENDING &&
			    ap->expires_ms <= now_ms()) {
				approval_free(ap);
				if (approval_expire(r->audit, 0, &cnt,
				    &cause) != 0) {
					fprintf(stderr, "omv: %s\n", cause);
					free(cause);
					return (CMD_FAIL);
				}
				first = true;
				continue;
			}
			switch (ap->status) {
			case APPROVAL_PENDING:
				break;
			case APPROVAL_APPROVED:
				fprintf(stderr, "omv: request %lld approved "
				    "by %s%s%s\n", (long long)id,
				    ap->decided_by != NULL ? ap->decided_by :
				    "?", ap->decision_reason != NULL ? ": " :
				    "", ap->decision_reason != NULL ?
				    ap->decision_reason : "");
				rc = -1;
				approval_free(ap);
				return (rc);
			default:
				fprintf(stderr, "omv: request %lld %s%s%s%s%s; "
				    "nothing runs\n", (long long)id,
				    approval_status_name(ap->status),
				    ap->decided_by != NULL ? " by " : "",
				    ap->decided_by != NULL ? ap->decided_by :
				    "", ap->decision_reason != NULL ? ": " :
				    "", ap->decision_reason != NULL ?
				    ap->decision_reason : "");
				approval_free(ap);
				return (CMD_FAIL);
			}
			approval_free(ap);
		}
		pfd.fd = cmd_run_sigfd[0];
		pfd.events = POLLIN;
		pfd.revents = 0;
		poll(&pfd, 1, CMD_RUN_WAIT_MS);
	}
}

/* APPROVAL: file one request for the run, then wait (or not). */
static int
cmd_run_request(struct cmd_run *r, const char *command)
{
	struct approval_request	 req;
	struct cmd_run_target	*d = &r->t[r->decider];
	char			*servers, *approvers, *cause = NULL, when[32];
	int64_t			 id;
	int			 rc;

	servers = cmd_run_server_list(r);
	approvers = cmd_run_approvers(r);
	memset(&req, 0, sizeof req);
	req.requester = r->id->login;
	req.server = servers;
	req.env = d->server->env != ENV_NONE ? env_name(d->server->env) : NULL;
	req.command = command;
	req.risk = risk_level_name(r->risk);
	req.rule = d->reason;
	req.reason = r->opts->reason;
	req.approver_roles = approvers;
	req.expires_ms = now_ms() + (int64_t)r->cfg->approvals.expire * 1000;
	req.run_id = r->run_id;
	rc = approval_create(r->audit, &req, &id, &cause);
	free(servers);
	if (rc != 0) {
		fprintf(stderr, "omv: cannot file the approval request: %s\n",
		    cause);
		free(cause);
		free(approvers);
		return (CMD_FAIL);
	}
	r->approval = id;
	format_time_ms(req.expires_ms, when, sizeof when);
	fprintf(stderr, "omv: approval needed (%s)\n", d->reason != NULL ?
	    d->reason : risk_level_name(r->risk));
	fprintf(stderr, "omv: request %lld filed for run %s on %zu %s; "
	    "approvers: %s; expires %s\n", (long long)id, r->run_id, r->n,
	    r->n == 1 ? "server" : "servers",
	    approvers != NULL ? approvers : "(any approver role)", when);
	free(approvers);
	if (r->opts->no_wait) {
		printf("%lld\n", (long long)id);
		if (r->name != NULL) {
			fprintf(stderr, "omv: once approved, run it with: omv "
			    "runbook run %s --request %lld\n", r->name,
			    (long long)id);
		} else {
			fprintf(stderr, "omv: once approved, run it with: omv "
			    "exec --request %lld\n", (long long)id);
		}
		return (CMD_OK);
	}
	fprintf(stderr, "omv: waiting for a decision (Ctrl-C withdraws the "
	    "request)...\n");
	if ((rc = cmd_run_wait(r, id)) != -1)
		return (rc);
	return (-1);
}

/* --request ID: the request must be ours, approved, unused and the same. */
static int
cmd_run_check_request(struct cmd_run *r, const char *command)
{
	struct approval	*ap;
	char		*cause = NULL, *servers;
	int		 rc = CMD_FAIL;

	if ((ap = approval_get(r->audit, r->opts->request, &cause)) == NULL) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		return (CMD_FAIL);
	}
	servers = cmd_run_server_list(r);
	if (ap->requester == NULL || strcmp(ap->requester, r->id->login) != 0)
		fprintf(stderr, "omv: request %lld is %s's, not yours\n",
		    (long long)ap->id, ap->requester != NULL ? ap->requester :
		    "nobody");
	else if (ap->status != APPROVAL_APPROVED)
		fprintf(stderr, "omv: request %lld is %s, not approved%s\n",
		    (long long)ap->id, approval_status_name(ap->status),
		    ap->status == APPROVAL_RELEASED ? " (it already ran)" : "");
	else if (strcmp(ap->command, command) != 0)
		fprintf(stderr, "omv: request %lld approved another command:\n"
		    "  %s\n", (long long)ap->id, ap->command);
	else if (strcmp(ap->server, servers) != 0)
		fprintf(stderr, "omv: request %lld was for other servers (%s); "
		    "a server's roles may have changed\n", (long long)ap->id,
		    ap->server);
	else {
		r->approval = ap->id;
		fprintf(stderr, "omv: running request %lld (run %s), approved "
		    "by %s\n", (long long)ap->id, r->run_id,
		    ap->decided_by != NULL ? ap->decided_by : "?");
		rc = -1;
	}
	free(servers);
	approval_free(ap);
	return (rc);
}

/* Gate the run; -1 to go on, else the exit status. */
int
cmd_run_authorize(struct cmd_run *r, const char *command)
{
	char	*cause = NULL;
	int	 rc;

	if (r->decision == DECISION_DENY)
		return (cmd_run_denied(r, command));
	if (r->opts->request != 0)
		rc = cmd_run_check_request(r, command);
	else if (r->decision == DECISION_APPROVAL)
		rc = cmd_run_request(r, command);
	else if (r->decision == DECISION_CONFIRM)
		return (cmd_run_confirm(r, command));
	else
		return (-1);
	if (rc != -1)
		return (rc);
	/* One approval runs once: claim it before anything runs. */
	if (approval_finish(r->audit, r->approval, true, r->run_id,
	    &cause) != 0) {
		fprintf(stderr, "omv: request %lld: %s\n",
		    (long long)r->approval, cause);
		free(cause);
		return (CMD_FAIL);
	}
	return (-1);
}

/* Fan-out parameters from the options and the config. */
void
cmd_run_params(struct cmd_run *r, struct fanout_params *p)
{
	memset(p, 0, sizeof *p);
	p->parallel = r->opts->parallel;
	p->max_errors = (int)runbook_amount_of(&r->opts->max_errors, r->n,
	    false);
	p->timeout_ms = r->opts->timeout * 1000;
	p->connect_timeout_ms = r->cfg->security.connect_timeout * 1000;
	p->keepalive = r->cfg->security.keepalive;
	p->known_hosts = r->cfg->security.known_hosts;
	p->wake_fd = cmd_run_sigfd[0];
	p->tick_ms = r->opts->live ? CMD_RUN_LIVE_TICK_MS : r->progress ?
	    250 : 0;
}

/* Fan-out targets for the granted servers. */
struct fanout_target *
cmd_run_fanout_targets(struct cmd_run *r)
{
	struct fanout_target	*v;
	size_t			 i;

	v = xcalloc(r->n + 1, sizeof *v);
	for (i = 0; i < r->n; i++) {
		v[i].name = r->servers[i]->name;
		v[i].host = r->servers[i]->host;
		v[i].port = r->servers[i]->port;
		v[i].user = r->servers[i]->user;
		v[i].identity = r->servers[i]->identity;
	}
	return (v);
}

/* --live: take the terminal for the run's table; plain output if not. */
static void
cmd_run_live_start(struct cmd_run *r, struct fanout *f)
{
	char	*title, *cause = NULL;

	if (r->name != NULL)
		title = xprintf("runbook %s", r->name);
	else
		title = xprintf("$ %s", r->command != NULL ? r->command : "");
	free(r->title);
	r->title = title;
	r->live = cmd_live_create(f, r->run_id, title, r->name != NULL,
	    r->nrefused, &cause);
	if (r->live == NULL) {
		fprintf(stderr, "omv: --live: %s; plain output follows\n",
		    cause);
		free(cause);
		r->progress = isatty(STDERR_FILENO);
		return;
	}
	cmd_run_winch = 0;
}

/* Remember the fan-out (for cancelling); --live starts its table. */
void
cmd_run_attach(struct cmd_run *r, struct fanout *f)
{
	r->f = f;
	if (f != NULL && r->opts->live && r->live == NULL)
		cmd_run_live_start(r, f);
	else if (f == NULL)
		cmd_run_live_end(r);
}

/* What target t does now, for the live table. */
void
cmd_run_set_step(struct cmd_run *r, size_t t, const char *text)
{
	if (r->live != NULL)
		cmd_live_set_step(r->live, t, text);
}

/* Erase the progress line if it is showing. */
static void
cmd_run_progress_erase(struct cmd_run *r)
{
	if (!r->progress_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	r->progress_shown = false;
}

/* Erase the progress line for good. */
void
cmd_run_progress_done(struct cmd_run *r)
{
	cmd_run_progress_erase(r);
	r->progress = false;
}

/* A line of our own, under the progress line. */
void
cmd_run_note(struct cmd_run *r, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (r->live != NULL) {
		va_start(ap, fmt);
		xvasprintf(&msg, fmt, ap);
		va_end(ap);
		cmd_live_note(r->live, msg);
		r->notes = xreallocarray(r->notes, r->nnotes + 1,
		    sizeof *r->notes);
		r->notes[r->nnotes++] = msg;
		return;
	}
	cmd_run_progress_erase(r);
	fflush(stdout);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

/* Print one line of a target's output with its prefix. */
static void
cmd_run_line(struct cmd_run *r, size_t t, const char *buf, size_t len,
    int is_stderr)
{
	FILE	*out = is_stderr ? stderr : stdout;

	cmd_run_progress_erase(r);
	if (is_stderr)
		fflush(stdout);
	fprintf(out, "%-*s ", r->width + 1, r->t[t].server->name);
	fwrite(buf, 1, len, out);
	fputc('\n', out);
	if (is_stderr || r->progress)
		fflush(out);
}

/* fanout callback: stream output line by line with a server prefix. */
void
cmd_run_output(struct fanout *f, size_t t, const char *buf, size_t len,
    int is_stderr, void *arg)
{
	struct cmd_run	*r = arg;
	struct sbuf	*lb;
	const char	*nl;
	size_t		 n;

	(void)f;
	if (r->opts->json || r->opts->group || r->live != NULL)
		return;
	lb = &r->t[t].line[is_stderr ? 1 : 0];
	while (len > 0) {
		nl = memchr(buf, '\n', len);
		n = nl != NULL ? (size_t)(nl - buf) : len;
		if (n > CMD_RUN_LINE_MAX - lb->len) {
			/* A very long line is cut into pieces. */
			n = CMD_RUN_LINE_MAX - lb->len;
			nl = NULL;
		} else if (nl == NULL) {
			sbuf_add(lb, buf, n);
			return;
		}
		sbuf_add(lb, buf, n);
		buf += n;
		len -= n;
		if (nl != NULL) {
			buf++;
			len--;
		}
		if (lb->len > 0 && lb->buf[lb->len - 1] == '\r')
			lb->len--;
		cmd_run_line(r, t, lb->buf != NULL ? lb->buf : "", lb->len,
		    is_stderr);
		sbuf_reset(lb);
	}
}

/* Print what is left of a target's partial lines. */
void
cmd_run_flush(struct cmd_run *r, size_t t)
{
	int	i;

	for (i = 0; i < 2; i++) {
		if (r->t[t].line[i].len == 0)
			continue;
		cmd_run_line(r, t, r->t[t].line[i].buf, r->t[t].line[i].len,
		    i);
		sbuf_reset(&r->t[t].line[i]);
	}
}

/* fanout callback: redraw the progress line (terminals only). */
void
cmd_run_tick(struct fanout *f, void *arg)
{
	struct cmd_run	*r = arg;
	size_t		 done, failed, running;
	int64_t		 elapsed, now;

	if (r->live != NULL) {
		cmd_live_tick(r->live);
		return;
	}
	if (!r->progress)
		return;
	now = mono_ms();
	if (r->progress_shown && now - r->progress_last < CMD_RUN_PROGRESS_MS)
		return;
	r->progress_last = now;
	fanout_progress(f, &done, &failed, &running, &elapsed);
	fflush(stdout);
	fprintf(stderr, "\r\033[K[%zu/%zu done, %zu failed, %zu running, "
	    "%.1fs]", done, fanout_count(f), failed, running,
	    (double)elapsed / 1000.0);
	fflush(stderr);
	r->progress_shown = true;
}

/* fanout callback: a signal came; cancel what runs. */
void
cmd_run_wake(struct fanout *f, void *arg)
{
	struct cmd_run	*r = arg;
	bool		 sig = cmd_run_drain();

	if (cmd_run_winch && r->live != NULL) {
		cmd_run_winch = 0;
		cmd_live_resized(r->live);
	}
	if (!sig)
		return;
	if (!fanout_cancelled(f))
		cmd_run_note(r, "omv: interrupted; cancelling the run");
	fanout_cancel(f);
}

/* Each server's kept output under a header (--group). */
static void
cmd_run_print_groups(struct cmd_run *r, struct fanout *f,
    const char *const *status_text)
{
	struct fanout_result	 res;
	const char		*out;
	size_t			 i, len;
	uint64_t		 dropped;

	for (i = 0; i < r->n; i++) {
		fanout_result(f, i, &res);
		out = fanout_output(f, i, &len, &dropped);
		printf("==> %s (%s", r->servers[i]->name,
		    status_text != NULL && status_text[i] != NULL ?
		    status_text[i] : fanout_status_name(res.status));
		if (res.exit_status >= 0)
			printf(", exit %d", res.exit_status);
		printf(") <==\n");
		fwrite(out, 1, len, stdout);
		if (len > 0 && out[len - 1] != '\n')
			putchar('\n');
		if (dropped != 0)
			printf("[%llu more bytes not kept]\n",
			    (unsigned long long)dropped);
	}
}

/* One JSON object per server (--json). */
static void
cmd_run_print_json(struct cmd_run *r, struct fanout *f,
    const char *const *status_text, const char *const *extra)
{
	struct fanout_result	 res;
	struct sbuf		 sb;
	const char		*out;
	size_t			 i, len;
	uint64_t		 dropped;

	sbuf_init(&sb);
	for (i = 0; i < r->n; i++) {
		fanout_result(f, i, &res);
		out = fanout_output(f, i, &len, &dropped);
		sbuf_reset(&sb);
		sbuf_adds(&sb, "{\"run\":");
		sbuf_json_string(&sb, r->run_id);
		cmd_run_detail_str(&sb, "server", r->servers[i]->name);
		cmd_run_detail_str(&sb, "status", status_text != NULL &&
		    status_text[i] != NULL ? status_text[i] :
		    fanout_status_name(res.status));
		if (res.exit_status >= 0)
			sbuf_addf(&sb, ",\"exit\":%d", res.exit_status);
		else
			sbuf_adds(&sb, ",\"exit\":null");
		sbuf_addf(&sb, ",\"duration_ms\":%lld,\"bytes\":%llu,"
		    "\"connects\":%d", (long long)res.duration_ms,
		    (unsigned long long)res.bytes, res.connects);
		cmd_run_detail_str(&sb, "error", res.status == FANOUT_OK ?
		    NULL : res.reason);
		if (extra != NULL && extra[i] != NULL) {
			sbuf_addc(&sb, ',');
			sbuf_adds(&sb, extra[i]);
		}
		sbuf_adds(&sb, ",\"output\":");
		cmd_run_json_bytes(&sb, out, len);
		sbuf_addf(&sb, ",\"output_dropped\":%llu}\n",
		    (unsigned long long)dropped);
		fwrite(sb.buf, 1, sb.len, stdout);
	}
	for (i = 0; i < r->nrefused; i++) {
		sbuf_reset(&sb);
		sbuf_adds(&sb, "{\"run\":");
		sbuf_json_string(&sb, r->run_id);
		cmd_run_detail_str(&sb, "server", r->refused[i]->name);
		sbuf_adds(&sb, ",\"status\":\"refused\",\"exit\":null,"
		    "\"error\":\"no role grants this server\"}\n");
		fwrite(sb.buf, 1, sb.len, stdout);
	}
	sbuf_free(&sb);
}

/* The summary table. */
static void
cmd_run_print_table(struct cmd_run *r, struct fanout *f,
    const char *const *status_text)
{
	struct fanout_result	 res;
	char			 ex[16];
	const char		*why;
	size_t			 i;
	int			 w = r->width < 6 ? 6 : r->width;

	printf("\n%-*s  %-15s %4s %8s %9s  %s\n", w, "SERVER", "STATUS",
	    "EXIT", "TIME", "BYTES", "ERROR");
	for (i = 0; i < r->n; i++) {
		fanout_result(f, i, &res);
		if (res.exit_status >= 0)
			snprintf(ex, sizeof ex, "%d", res.exit_status);
		else
			snprintf(ex, sizeof ex, "-");
		why = res.reason;
		if (res.status == FANOUT_OK ||
		    (res.status == FANOUT_FAILED && res.exit_status >= 0 &&
		    why != NULL && strncmp(why, "exit status", 11) == 0))
			why = NULL;
		printf("%-*s  %-15s %4s %7.2fs %9llu", w,
		    r->servers[i]->name, status_text != NULL &&
		    status_text[i] != NULL ? status_text[i] :
		    fanout_status_name(res.status), ex,
		    (double)res.duration_ms / 1000.0,
		    (unsigned long long)res.bytes);
		if (why != NULL)
			printf("  %s", why);
		printf("\n");
	}
	for (i = 0; i < r->nrefused; i++) {
		printf("%-*s  %-15s %4s %8s %9s  %s\n", w, r->refused[i]->name,
		    "refused", "-", "-", "-", "no role grants this server");
	}
}

/* The closing line: how many ended how, how long, the run id. */
static void
cmd_run_print_summary(struct cmd_run *r, const size_t *count,
    int64_t elapsed)
{
	printf("%zu %s: %zu ok, %zu failed, %zu error, %zu timeout, "
	    "%zu skipped, %zu cancelled", r->n + r->nrefused,
	    r->n + r->nrefused == 1 ? "server" : "servers",
	    count[FANOUT_OK], count[FANOUT_FAILED],
	    count[FANOUT_ERROR], count[FANOUT_TIMEOUT],
	    count[FANOUT_SKIPPED] + count[FANOUT_PENDING],
	    count[FANOUT_CANCELLED]);
	if (r->nrefused != 0)
		printf(", %zu refused", r->nrefused);
	printf(" in %.2fs (run %s)\n", (double)elapsed / 1000.0,
	    r->run_id);
}

/* Browsing the live table: a signal quits, SIGWINCH resizes. */
static bool
cmd_run_browse_wake(struct cmd_live *l, void *arg)
{
	bool	sig = cmd_run_drain_bytes();

	(void)arg;
	if (cmd_run_winch) {
		cmd_run_winch = 0;
		cmd_live_resized(l);
	}
	return (sig);
}

/* Grouped output, the table or JSON (or the live table); exit status. */
int
cmd_run_report(struct cmd_run *r, struct fanout *f,
    const char *const *status_text, const char *const *extra)
{
	struct fanout_result	 res;
	size_t			 count[FANOUT_CANCELLED + 1], i;
	bool			 all_ok = true;
	int64_t			 elapsed;

	cmd_run_progress_done(r);
	memset(count, 0, sizeof count);
	for (i = 0; i < r->n; i++) {
		cmd_run_flush(r, i);
		fanout_result(f, i, &res);
		count[res.status]++;
		if (res.status != FANOUT_OK)
			all_ok = false;
	}
	fflush(stderr);
	if (r->live != NULL) {
		elapsed = now_ms() - r->start_ms;
		/* SIGTERM asks omv to end, not to browse. */
		if (!cmd_run_terminated) {
			cmd_live_browse(r->live, status_text, cmd_run_sigfd[0],
			    cmd_run_browse_wake, r);
		}
		cmd_run_live_end(r);
		cmd_run_print_summary(r, count, elapsed);
	} else if (r->opts->json)
		cmd_run_print_json(r, f, status_text, extra);
	else {
		if (r->opts->group)
			cmd_run_print_groups(r, f, status_text);
		cmd_run_print_table(r, f, status_text);
		elapsed = now_ms() - r->start_ms;
		printf("\n");
		cmd_run_print_summary(r, count, elapsed);
	}
	fflush(stdout);
	if (!all_ok || r->nrefused != 0 || fanout_cancelled(f) ||
	    r->audit_failed)
		return (CMD_FAIL);
	return (CMD_OK);
}
