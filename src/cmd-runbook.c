/*
 * cmd-runbook.c: `omv runbook list`, `omv runbook show NAME` and `omv
 * runbook run NAME [--dry-run]`.
 *
 * A rollout runs the runbook's steps on every target (cmd-fanout.c gates
 * and audits the run like `omv exec`; the highest-risk step decides), in
 * batches: each entry of `batches` is the size of the rollout so far, so
 * (1, "25%", "100%") is one canary server, then up to a quarter of the
 * targets, then all.  A batch whose failures exceed max_errors (a count, or
 * a percentage of that batch, rounded down) stops the rollout: no later
 * batch starts, and with rollback_completed = true the servers that
 * had completed are rolled back too.  On one server the steps run in order
 * over one connection (runbook.c decides: checks skip, failures roll back
 * the steps done, in reverse).
 *
 * --dry-run connects nowhere and runs nothing: it prints the batches and,
 * per step, its risk and the policy decision for every target.  --live
 * shows the rollout as a live table (cmd-live.c) with each server's step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cmd.h"
#include "cmd-fanout.h"
#include "fanout.h"
#include "risk.h"
#include "runbook.h"

/* A rollout in progress. */
struct cmd_runbook_ctx {
	struct cmd_run		*run;		/* borrowed */
	const struct runbook	*rb;		/* borrowed */
	struct runbook_target	*rt;		/* owned: one per target */
	enum runbook_phase	*phase;		/* owned: of the command in flight */
	size_t			*step;		/* owned: of the command in flight */
	bool			*undone;	/* owned: rolled back when done */
	const char		*text;		/* borrowed: the runbook as text */
	int			 timeout;	/* --timeout seconds, 0: none */
};

static const char *cmd_runbook_phases[] = {
	"check", "run", "rollback", "end"
};

/* --help */
static void
cmd_runbook_help(void)
{
	printf("usage: omv runbook list [-c FILE]\n"
	    "       omv runbook show NAME [-c FILE]\n"
	    "       omv runbook run NAME [--dry-run | --live] [targets] "
	    "[options]\n\n"
	    "Runbooks are conf/runbooks/NAME.conf files (steps with run, "
	    "check,\nrollback and timeout; targets, batches, max_errors, "
	    "rollback_completed),\nfound in: the config file's directory + "
	    "/runbooks, ~/.config/omv/runbooks,\n/etc/omv/runbooks, and the "
	    "conf/runbooks shipped with omv.  run rolls the\nsteps out in "
	    "batches; targets named here replace the runbook's.\n\n");
	cmd_fanout_help_options();
	printf("  --dry-run          print each step's risk and the decision "
	    "per target;\n"
	    "                     connect nowhere\n"
	    "\nExit status: 0 all succeeded, 1 any failed, was skipped or "
	    "rolled back,\n2 usage or configuration error.\n");
}

/* Print load errors. */
static void
cmd_runbook_errors(struct cfg_errors *errs)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "omv: %s\n", errs->msgs[i]);
	cfg_errors_clear(errs);
}

/* The config file's path, for the runbook search (NULL: none). */
static char *
cmd_runbook_config_path(const char *explicit_path)
{
	return (cfg_find(explicit_path));
}

/* Find a runbook by name (or load a path); NULL after saying why. */
static struct runbook *
cmd_runbook_find(const char *config, const char *name)
{
	struct cfg_errors	  errs = { NULL, 0 };
	struct runbook		**all, *rb = NULL;
	char			 *path;
	size_t			  n, i;

	if (strchr(name, '/') != NULL) {
		rb = cfg_runbook_load_file(name, &errs);
		cmd_runbook_errors(&errs);
		return (rb);
	}
	path = cmd_runbook_config_path(config);
	n = cfg_runbook_load_all(path, &all, &errs);
	for (i = 0; i < n; i++) {
		if (strcmp(all[i]->name, name) == 0) {
			rb = all[i];
			all[i] = NULL;
			break;
		}
	}
	if (rb == NULL) {
		cmd_runbook_errors(&errs);
		fprintf(stderr, "omv: no runbook '%s' (omv runbook list)\n",
		    name);
	} else
		cfg_errors_clear(&errs);
	for (i = 0; i < n; i++)
		runbook_free(all[i]);
	free(all);
	free(path);
	return (rb);
}

/* The runbook as one text: what is audited and what an approver reads. */
static char *
cmd_runbook_text(const struct runbook *rb)
{
	struct sbuf	sb;
	size_t		i;

	sbuf_init(&sb);
	sbuf_addf(&sb, "runbook %s:", rb->name);
	for (i = 0; i < rb->nsteps; i++) {
		sbuf_addf(&sb, "%s %zu %s:", i == 0 ? "" : ";", i + 1,
		    rb->steps[i].name);
		if (rb->steps[i].check != NULL)
			sbuf_addf(&sb, " check `%s`", rb->steps[i].check);
		sbuf_addf(&sb, " run `%s`", rb->steps[i].run);
		if (rb->steps[i].rollback != NULL)
			sbuf_addf(&sb, " rollback `%s`", rb->steps[i].rollback);
	}
	return (sbuf_steal(&sb));
}

/* Every command of a runbook (borrowed strings; owned array). */
static size_t
cmd_runbook_commands(const struct runbook *rb, size_t from, size_t to,
    char ***out)
{
	size_t	i, n = 0;

	*out = xcalloc(3 * rb->nsteps + 1, sizeof **out);
	for (i = from; i < to && i < rb->nsteps; i++) {
		if (rb->steps[i].check != NULL)
			(*out)[n++] = rb->steps[i].check;
		(*out)[n++] = rb->steps[i].run;
		if (rb->steps[i].rollback != NULL)
			(*out)[n++] = rb->steps[i].rollback;
	}
	return (n);
}

/* omv runbook list */
static int
cmd_runbook_list(const char *config)
{
	struct cfg_errors	  errs = { NULL, 0 };
	struct runbook		**all;
	char			 *path, **dirs;
	size_t			  n, i, nd;
	int			  w = 4;

	path = cmd_runbook_config_path(config);
	n = cfg_runbook_load_all(path, &all, &errs);
	cmd_runbook_errors(&errs);
	for (i = 0; i < n; i++) {
		if ((int)strlen(all[i]->name) > w)
			w = (int)strlen(all[i]->name);
	}
	if (n != 0)
		printf("%-*s  %5s  %s\n", w, "NAME", "STEPS", "DESCRIPTION");
	for (i = 0; i < n; i++) {
		printf("%-*s  %5zu  %s\n", w, all[i]->name, all[i]->nsteps,
		    all[i]->description != NULL ? all[i]->description : "");
	}
	if (n == 0) {
		dirs = cfg_runbook_dirs(path, &nd);
		fprintf(stderr, "omv: no runbooks; searched:\n");
		for (i = 0; i < nd; i++)
			fprintf(stderr, "  %s\n", dirs[i]);
		strv_free(dirs, nd);
	}
	cfg_runbook_free_all(all, n);
	free(path);
	return (CMD_OK);
}

/* "medium (why) [production: high]" for one command. */
static void
cmd_runbook_print_risk(const struct omv_config *cfg, const char *label,
    const char *command)
{
	struct risk_result	rr, re;
	int			e;

	memset(&rr, 0, sizeof rr);
	risk_classify(cfg->rules, command, 0, &rr);
	printf("    %-9s %s\n", label, command);
	printf("    %-9s %s: %s", "", risk_level_name(rr.level), rr.reason);
	for (e = 0; e < ENV_COUNT; e++) {
		if (cfg->escalate[e] == 0)
			continue;
		memset(&re, 0, sizeof re);
		risk_classify(cfg->rules, command, cfg->escalate[e], &re);
		if (re.level != rr.level)
			printf(" (%s on %s)", risk_level_name(re.level),
			    env_name((enum env)e));
		risk_result_clear(&re);
	}
	printf("\n");
	risk_result_clear(&rr);
}

/* The header of show and of a dry run. */
static void
cmd_runbook_print_head(const struct runbook *rb)
{
	char	amount[32];
	size_t	i;

	printf("runbook %s (%s)\n", rb->name, rb->file);
	if (rb->description != NULL)
		printf("  %s\n", rb->description);
	printf("  targets:    ");
	for (i = 0; i < rb->ntargets; i++)
		printf("%s%s", i == 0 ? "" : ", ", rb->targets[i]);
	printf("%s\n", rb->ntargets == 0 ? "(named on the command line)" :
	    "");
	printf("  batches:    ");
	for (i = 0; i < rb->nbatches; i++) {
		runbook_amount_format(&rb->batches[i], amount, sizeof amount);
		printf("%s%s", i == 0 ? "" : ", ", amount);
	}
	printf("%s (each: the rollout so far)\n", rb->nbatches == 0 ?
	    "all at once" : "");
	runbook_amount_format(&rb->max_errors, amount, sizeof amount);
	printf("  max_errors: %s per batch; rollback_completed: %s; "
	    "timeout: ", amount, rb->rollback_completed ? "yes" : "no");
	if (rb->timeout != 0)
		printf("%d s per step\n", rb->timeout);
	else
		printf("none\n");
}

/* omv runbook show NAME */
static int
cmd_runbook_show(const char *config, const char *name)
{
	struct omv_config	*cfg;
	struct runbook		*rb;
	size_t			 i;

	if ((rb = cmd_runbook_find(config, name)) == NULL)
		return (CMD_USAGE);
	if ((cfg = cmd_load_config(config)) == NULL) {
		runbook_free(rb);
		return (CMD_USAGE);
	}
	cmd_runbook_print_head(rb);
	for (i = 0; i < rb->nsteps; i++) {
		printf("\n  step %zu: %s", i + 1, rb->steps[i].name);
		if (rb->steps[i].timeout != 0)
			printf(" (timeout %d s)", rb->steps[i].timeout);
		printf("\n");
		if (rb->steps[i].check != NULL)
			cmd_runbook_print_risk(cfg, "check", rb->steps[i].check);
		cmd_runbook_print_risk(cfg, "run", rb->steps[i].run);
		if (rb->steps[i].rollback != NULL) {
			cmd_runbook_print_risk(cfg, "rollback",
			    rb->steps[i].rollback);
		}
	}
	cfg_free(cfg);
	runbook_free(rb);
	return (CMD_OK);
}

/* Targets grouped by decision: "allow on 6: a, b, c ...". */
static void
cmd_runbook_print_decisions(struct cmd_run *run, struct server **servers,
    size_t n)
{
	const char	*reason, *first_reason;
	size_t		 i, count, shown;
	int		 d;

	for (d = 0; d < DECISION_COUNT; d++) {
		count = 0;
		first_reason = NULL;
		for (i = 0; i < n; i++) {
			if ((int)cmd_run_target_decision(run, i, NULL, &reason,
			    NULL) != d)
				continue;
			if (count++ == 0)
				first_reason = reason;
		}
		if (count == 0)
			continue;
		printf("    %-9s %s on %zu:", "decision",
		    decision_name((enum decision)d), count);
		shown = 0;
		for (i = 0; i < n; i++) {
			if ((int)cmd_run_target_decision(run, i, NULL, NULL,
			    NULL) != d)
				continue;
			if (shown++ < 12)
				printf(" %s", servers[i]->name);
		}
		if (shown > 12)
			printf(" ... (%zu more)", shown - 12);
		printf("\n");
		if (first_reason != NULL)
			printf("    %-9s (%s)\n", "", first_reason);
	}
}

/* --dry-run: the plan, each step's risk and decisions; nothing runs. */
static int
cmd_runbook_dry(struct cmd_run *run, const struct runbook *rb)
{
	struct server	**servers;
	char		**cmds;
	size_t		  n, i, nb, ncmds, *ends;
	int		  rc = CMD_OK;

	n = cmd_run_targets(run, &servers);
	cmd_runbook_print_head(rb);
	cmd_run_print_refused(run);
	nb = runbook_batch_plan(rb->batches, rb->nbatches, n, &ends);
	printf("\n%zu %s; batches end at:", n, n == 1 ? "target" : "targets");
	for (i = 0; i < nb; i++)
		printf(" %zu", ends[i]);
	printf("\n");
	free(ends);
	for (i = 0; i < rb->nsteps && n != 0; i++) {
		printf("\n  step %zu: %s\n", i + 1, rb->steps[i].name);
		if (rb->steps[i].check != NULL) {
			cmd_runbook_print_risk(cmd_run_config(run), "check",
			    rb->steps[i].check);
		}
		cmd_runbook_print_risk(cmd_run_config(run), "run",
		    rb->steps[i].run);
		if (rb->steps[i].rollback != NULL) {
			cmd_runbook_print_risk(cmd_run_config(run), "rollback",
			    rb->steps[i].rollback);
		}
		ncmds = cmd_runbook_commands(rb, i, i + 1, &cmds);
		cmd_run_decide(run, cmds, ncmds);
		free(cmds);
		cmd_runbook_print_decisions(run, servers, n);
	}
	if (n != 0) {
		ncmds = cmd_runbook_commands(rb, 0, rb->nsteps, &cmds);
		cmd_run_decide(run, cmds, ncmds);
		free(cmds);
		printf("\nthe run: %s (highest risk %s)\n",
		    decision_name(cmd_run_decision(run)),
		    risk_level_name(cmd_run_risk(run)));
		if (cmd_run_decision(run) == DECISION_DENY)
			rc = CMD_FAIL;
	}
	if (cmd_run_nrefused(run) != 0 || n == 0)
		rc = CMD_FAIL;
	printf("dry run: nothing was run\n");
	return (rc);
}

/* The live table's STEP column: "2/3 name", its phase unless "run". */
static void
cmd_runbook_show_step(struct cmd_runbook_ctx *ctx, size_t t,
    const struct runbook_action *act)
{
	const struct runbook_target	*rt = &ctx->rt[t];
	size_t				 step = act->step;
	char				*text;

	if (act->phase == RUNBOOK_END) {
		if (act->ok) {
			cmd_run_set_step(ctx->run, t, "done");
			return;
		}
		if (!rt->failed)
			return;
		step = rt->failed_step;
	}
	if (step >= ctx->rb->nsteps)
		return;
	if (act->phase == RUNBOOK_CHECK || act->phase == RUNBOOK_ROLLBACK) {
		text = xprintf("%zu/%zu %s (%s)", step + 1, ctx->rb->nsteps,
		    ctx->rb->steps[step].name, cmd_runbook_phases[act->phase]);
	} else {
		text = xprintf("%zu/%zu %s", step + 1, ctx->rb->nsteps,
		    ctx->rb->steps[step].name);
	}
	cmd_run_set_step(ctx->run, t, text);
	free(text);
}

/* fanout plan: the next command of a server, from the step machine. */
static int
cmd_runbook_plan(struct fanout *f, size_t t, const struct fanout_step *prev,
    struct fanout_next *next, void *arg)
{
	struct cmd_runbook_ctx	*ctx = arg;
	struct runbook_target	*rt = &ctx->rt[t];
	struct runbook_action	 act;
	bool			 first = prev == NULL;

	(void)f;
	if (prev != NULL && !prev->ok &&
	    (prev->timed_out || prev->error != CONN_ERR_NONE)) {
		/* A check that could not finish says nothing: fail. */
		runbook_target_fail(rt);
		first = true;
	}
	runbook_next(ctx->rb, rt, first, prev != NULL && prev->ok, &act);
	cmd_runbook_show_step(ctx, t, &act);
	if (act.phase == RUNBOOK_END)
		return (act.ok ? FANOUT_NEXT_OK : FANOUT_NEXT_FAIL);
	ctx->phase[t] = act.phase;
	ctx->step[t] = act.step;
	next->command = act.command;
	next->timeout_ms = (act.timeout != 0 ? act.timeout : ctx->timeout) *
	    1000;
	return (FANOUT_NEXT_RUN);
}

/* fanout step: audit each command with its phase and step. */
static void
cmd_runbook_step(struct fanout *f, size_t t, const struct fanout_step *st,
    void *arg)
{
	struct cmd_runbook_ctx	*ctx = arg;

	(void)f;
	cmd_run_audit_step(ctx->run, t, st, cmd_runbook_phases[ctx->phase[t]],
	    ctx->rb->steps[ctx->step[t]].name);
}

/* fanout done: flush output; audit a server that never ran. */
static void
cmd_runbook_done(struct fanout *f, size_t t, void *arg)
{
	struct cmd_runbook_ctx	*ctx = arg;
	struct fanout_result	 res;

	cmd_run_flush(ctx->run, t);
	fanout_result(f, t, &res);
	if (res.commands == 0)
		cmd_run_audit_target(ctx->run, t, &res, ctx->text);
}

/* fanout output: stream it (cmd-fanout.c), with the run as argument. */
static void
cmd_runbook_output(struct fanout *f, size_t t, const char *buf, size_t len,
    int is_stderr, void *arg)
{
	cmd_run_output(f, t, buf, len, is_stderr,
	    ((struct cmd_runbook_ctx *)arg)->run);
}

/* fanout tick: the progress line. */
static void
cmd_runbook_tick(struct fanout *f, void *arg)
{
	cmd_run_tick(f, ((struct cmd_runbook_ctx *)arg)->run);
}

/* fanout wake: a signal; cancel. */
static void
cmd_runbook_wake(struct fanout *f, void *arg)
{
	cmd_run_wake(f, ((struct cmd_runbook_ctx *)arg)->run);
}

/* A server's status in words, for the table. */
static const char *
cmd_runbook_status(const struct cmd_runbook_ctx *ctx, struct fanout *f,
    size_t t)
{
	const struct runbook_target	*rt = &ctx->rt[t];
	struct fanout_result		 res;

	fanout_result(f, t, &res);
	if (rt->rollback_errors != 0)
		return ("rollback failed");
	if (ctx->undone[t] && res.status == FANOUT_OK)
		return ("undone");
	if (rt->failed && rt->rollbacks != 0 && res.status != FANOUT_CANCELLED)
		return ("rolled back");
	return (NULL);
}

/* Per server JSON members: steps run, skipped, rollbacks. */
static char *
cmd_runbook_json(const struct cmd_runbook_ctx *ctx, size_t t)
{
	const struct runbook_target	*rt = &ctx->rt[t];
	struct sbuf			 sb;

	sbuf_init(&sb);
	sbuf_addf(&sb, "\"runbook\":");
	sbuf_json_string(&sb, ctx->rb->name);
	sbuf_addf(&sb, ",\"steps_run\":%d,\"steps_skipped\":%d,"
	    "\"rollbacks\":%d,\"rollback_errors\":%d,\"undone\":%s,"
	    "\"failed_step\":", rt->ran, rt->skipped, rt->rollbacks,
	    rt->rollback_errors, ctx->undone[t] ? "true" : "false");
	if (rt->failed)
		sbuf_json_string(&sb, ctx->rb->steps[rt->failed_step].name);
	else
		sbuf_adds(&sb, "null");
	return (sbuf_steal(&sb));
}

/* Failures among targets [from, to). */
static size_t
cmd_runbook_failures(struct fanout *f, size_t from, size_t to)
{
	struct fanout_result	res;
	size_t			i, n = 0;

	for (i = from; i < to; i++) {
		fanout_result(f, i, &res);
		if (res.status == FANOUT_FAILED || res.status == FANOUT_ERROR ||
		    res.status == FANOUT_TIMEOUT)
			n++;
	}
	return (n);
}

/*
 * Roll out batch by batch; returns 1 when the rollout stopped early
 * (a batch failed, or cancelled).
 */
static int
cmd_runbook_batches(struct cmd_runbook_ctx *ctx, struct fanout *f, size_t n,
    const struct runbook_amount *max_errors)
{
	size_t	 nb, b, *ends, from = 0, size, allowed, failed, before = 0;
	int	 stopped = 0;

	nb = runbook_batch_plan(ctx->rb->batches, ctx->rb->nbatches, n, &ends);
	for (b = 0; b < nb; b++) {
		size = ends[b] - from;
		allowed = runbook_amount_of(max_errors, size, false);
		if (nb > 1) {
			cmd_run_note(ctx->run, "omv: batch %zu/%zu: %zu %s "
			    "(%zu-%zu of %zu)", b + 1, nb, size,
			    size == 1 ? "server" : "servers", from + 1,
			    ends[b], n);
		}
		fanout_admit(f, ends[b]);
		fanout_set_max_errors(f, (int)(before + allowed));
		if (fanout_run(f) != 0 || cmd_run_audit_failed(ctx->run)) {
			stopped = 1;
			break;
		}
		failed = cmd_runbook_failures(f, from, ends[b]);
		if (failed > allowed) {
			cmd_run_note(ctx->run, "omv: batch %zu: %zu failed, "
			    "more than max_errors (%zu): the rollout stops",
			    b + 1, failed, allowed);
			stopped = 1;
			break;
		}
		before += failed;
		from = ends[b];
	}
	free(ends);
	if (stopped)
		fanout_skip_pending(f, "not started: the rollout stopped");
	return (stopped);
}

/* rollback_completed: undo every server that completed the runbook. */
static void
cmd_runbook_undo(struct cmd_runbook_ctx *ctx, struct fanout *f, size_t n)
{
	struct fanout_result	res;
	size_t			i, count = 0;

	fanout_set_max_errors(f, -1);
	for (i = 0; i < n; i++) {
		fanout_result(f, i, &res);
		if (res.status != FANOUT_OK || ctx->rt[i].ran == 0)
			continue;
		runbook_target_rollback(&ctx->rt[i]);
		if (fanout_restart(f, i) == 0) {
			ctx->undone[i] = true;
			count++;
		}
	}
	if (count == 0)
		return;
	cmd_run_note(ctx->run, "omv: rollback_completed: rolling back %zu "
	    "completed %s", count, count == 1 ? "server" : "servers");
	fanout_run(f);
}

/* Gate, audit, roll out, summarise. */
static int
cmd_runbook_rollout(struct cmd_run *run, const struct runbook *rb,
    const struct cmd_fanout_opts *o)
{
	struct cmd_runbook_ctx	 ctx;
	struct fanout_params	 p;
	struct fanout_cb	 cb;
	struct fanout_target	*targets;
	struct fanout		*f;
	struct server		**servers;
	struct runbook_amount	 max_errors;
	const char		**status;
	char			**cmds, *text, *extra, **json;
	size_t			 n, i, ncmds;
	int			 rc, stopped;

	n = cmd_run_targets(run, &servers);
	cmd_run_print_refused(run);
	if (n == 0) {
		fprintf(stderr, "omv: no server to run on\n");
		return (CMD_FAIL);
	}
	ncmds = cmd_runbook_commands(rb, 0, rb->nsteps, &cmds);
	cmd_run_decide(run, cmds, ncmds);
	free(cmds);
	text = cmd_runbook_text(rb);
	if ((rc = cmd_run_authorize(run, text)) != -1) {
		free(text);
		return (rc);
	}
	extra = xprintf("\"runbook\":\"%s\",\"steps\":%zu,"
	    "\"rollback_completed\":%s", rb->name, rb->nsteps,
	    rb->rollback_completed ? "true" : "false");
	if (cmd_run_audit_start(run, text, extra) != 0) {
		free(extra);
		free(text);
		return (CMD_FAIL);
	}
	free(extra);

	memset(&ctx, 0, sizeof ctx);
	ctx.run = run;
	ctx.rb = rb;
	ctx.text = text;
	ctx.timeout = o->timeout;
	ctx.rt = xcalloc(n, sizeof *ctx.rt);
	ctx.phase = xcalloc(n, sizeof *ctx.phase);
	ctx.step = xcalloc(n, sizeof *ctx.step);
	ctx.undone = xcalloc(n, sizeof *ctx.undone);
	for (i = 0; i < n; i++)
		runbook_target_init(&ctx.rt[i], rb);

	cmd_run_params(run, &p);
	p.timeout_ms = 0;	/* per step, from the plan */
	if (rb->rollback_completed)
		p.flags |= FANOUT_KEEP_CONNS;	/* to undo them, if need be */
	memset(&cb, 0, sizeof cb);
	cb.plan = cmd_runbook_plan;
	cb.step = cmd_runbook_step;
	cb.done = cmd_runbook_done;
	cb.output = cmd_runbook_output;
	cb.tick = cmd_runbook_tick;
	cb.wake = cmd_runbook_wake;
	targets = cmd_run_fanout_targets(run);
	f = fanout_create(&p, targets, n, &cb, &ctx);
	cmd_run_attach(run, f);

	max_errors = o->max_errors_set ? o->max_errors : rb->max_errors;
	stopped = cmd_runbook_batches(&ctx, f, n, &max_errors);
	if (stopped && rb->rollback_completed && !fanout_cancelled(f) &&
	    !cmd_run_audit_failed(run))
		cmd_runbook_undo(&ctx, f, n);

	status = xcalloc(n, sizeof *status);
	json = xcalloc(n, sizeof *json);
	for (i = 0; i < n; i++) {
		status[i] = cmd_runbook_status(&ctx, f, i);
		json[i] = cmd_runbook_json(&ctx, i);
	}
	extra = xprintf("\"stopped\":%s,\"failed\":%zu", stopped ? "true" :
	    "false", cmd_runbook_failures(f, 0, n));
	cmd_run_audit_end(run, text, fanout_cancelled(f) ? "cancelled" :
	    stopped ? "stopped" : "done", extra);
	free(extra);
	rc = cmd_run_report(run, f, status, (const char *const *)json);
	for (i = 0; i < n; i++)
		if (ctx.undone[i] || ctx.rt[i].failed)
			rc = CMD_FAIL;
	if (stopped)
		rc = CMD_FAIL;

	cmd_run_attach(run, NULL);
	fanout_free(f);
	free(targets);
	strv_free(json, n);
	free(status);
	for (i = 0; i < n; i++)
		runbook_target_clear(&ctx.rt[i]);
	free(ctx.rt);
	free(ctx.phase);
	free(ctx.step);
	free(ctx.undone);
	free(text);
	return (rc);
}

/* omv runbook run NAME [--dry-run] [options] */
static int
cmd_runbook_run(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		CMD_FANOUT_LONGOPTS,
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmd_fanout_opts		 o;
	struct cmd_run			*run;
	struct runbook			*rb;
	const char			*name;
	bool				 dry = false;
	int				 ch, rc;

	memset(&o, 0, sizeof o);
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0)) {
			cmd_runbook_help();
			return (CMD_OK);
		}
		fprintf(stderr, "omv: runbook run: which runbook?\n");
		return (cmd_usage("runbook"));
	}
	name = argv[1];
	optind = 1;
	opterr = 1;
	while ((ch = getopt_long(argc - 1, argv + 1, CMD_FANOUT_SHORTOPTS "n",
	    longopts, NULL)) != -1) {
		if (ch == 'n') {
			dry = true;
			continue;
		}
		if (cmd_fanout_option(&o, ch, optarg) != 0) {
			cmd_fanout_opts_clear(&o);
			return (cmd_usage("runbook"));
		}
	}
	if (o.help) {
		cmd_runbook_help();
		cmd_fanout_opts_clear(&o);
		return (CMD_OK);
	}
	if (optind < argc - 1) {
		fprintf(stderr, "omv: runbook run: unexpected '%s'\n",
		    argv[optind + 1]);
		cmd_fanout_opts_clear(&o);
		return (cmd_usage("runbook"));
	}
	if (o.request != 0 && o.nsel != 0) {
		fprintf(stderr, "omv: --request runs on the approved servers: "
		    "name none\n");
		cmd_fanout_opts_clear(&o);
		return (CMD_USAGE);
	}
	if ((rb = cmd_runbook_find(o.config, name)) == NULL) {
		cmd_fanout_opts_clear(&o);
		return (CMD_USAGE);
	}
	run = cmd_run_create(&o, "runbook", rb->targets, rb->ntargets,
	    dry ? CMD_RUN_DRY : 0, &rc);
	if (run != NULL) {
		cmd_run_set_name(run, rb->name);
		if (dry)
			rc = cmd_runbook_dry(run, rb);
		else
			rc = cmd_runbook_rollout(run, rb, &o);
		cmd_run_free(run);
	}
	runbook_free(rb);
	cmd_fanout_opts_clear(&o);
	return (rc);
}

/* Parse -c FILE for list and show; the remaining word, if any. */
static int
cmd_runbook_simple(int argc, char **argv, const char **config,
    const char **name)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int				 ch;

	*config = NULL;
	*name = NULL;
	optind = 1;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			*config = optarg;
			break;
		case 'h':
			cmd_runbook_help();
			return (1);
		default:
			return (-1);
		}
	}
	if (optind < argc)
		*name = argv[optind++];
	if (optind < argc)
		return (-1);
	return (0);
}

/* omv runbook list|show|run */
int
cmd_runbook(int argc, char **argv)
{
	const char	*config, *name;
	int		 rc;

	if (argc < 2)
		return (cmd_usage("runbook"));
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		cmd_runbook_help();
		return (CMD_OK);
	}
	if (strcmp(argv[1], "run") == 0)
		return (cmd_runbook_run(argc - 1, argv + 1));
	if (strcmp(argv[1], "list") == 0 || strcmp(argv[1], "show") == 0) {
		rc = cmd_runbook_simple(argc - 1, argv + 1, &config, &name);
		if (rc == 1)
			return (CMD_OK);
		if (rc != 0 || (argv[1][0] == 'l' && name != NULL) ||
		    (argv[1][0] == 's' && name == NULL))
			return (cmd_usage("runbook"));
		if (argv[1][0] == 'l')
			return (cmd_runbook_list(config));
		return (cmd_runbook_show(config, name));
	}
	fprintf(stderr, "omv: unknown runbook command '%s'\n", argv[1]);
	return (cmd_usage("runbook"));
}
