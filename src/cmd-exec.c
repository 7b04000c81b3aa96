/*
 * cmd-exec.c: `omv exec`, one command on many servers at once.
 *
 *   omv exec [-c FILE] (-s SERVER | -g GROUP | -t TAG | -e ENV)...
 *       [--parallel N] [--max-errors N|P%] [--timeout SECONDS] [--group]
 *       [--json | --live] [--yes] [--reason TEXT] [--no-wait] -- COMMAND
 *   omv exec --request ID [-c FILE] [output and run options]
 *
 * The shared machinery (targets, gating, audit, output, summary) is
 * cmd-fanout.c; the engine is fanout.c.  The command is one string sent to
 * each server's shell as an SSH exec request; omv itself never runs it
 * through a local shell.
 *
 * Exit status: 0 every target succeeded; 1 any failed, was skipped,
 * refused, cancelled, denied or not confirmed; 2 usage or config error.
 * --no-wait exits 0 once the approval request is filed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "cmd-fanout.h"
#include "fanout.h"

/* What the fan-out callbacks need. */
struct cmd_exec_ctx {
	struct cmd_run	*run;		/* borrowed */
	const char	*command;	/* borrowed */
};

/* --help */
static void
cmd_exec_help(void)
{
	printf("usage: omv exec [-c FILE] (-s SERVER | -g GROUP | -t TAG | "
	    "-e ENV)...\n"
	    "           [--parallel N] [--max-errors N|P%%] [--timeout "
	    "SECONDS]\n"
	    "           [--group] [--json] [--live] [--yes] [--reason TEXT] "
	    "[--no-wait]\n"
	    "           -- COMMAND\n"
	    "       omv exec --request ID [options]\n\n"
	    "Run COMMAND on every target server at once over SSH and "
	    "summarise.\nPolicy applies once for the run: a denied target "
	    "stops it, confirm asks\n(or --yes), approval files one request "
	    "and waits for it.\n\n");
	cmd_fanout_help_options();
	printf("\nExit status: 0 all succeeded, 1 any failed or was skipped, "
	    "2 usage or\nconfiguration error.\n");
}

/* fanout: a command ended on a server: audit it. */
static void
cmd_exec_step(struct fanout *f, size_t t, const struct fanout_step *st,
    void *arg)
{
	struct cmd_exec_ctx	*ctx = arg;

	(void)f;
	cmd_run_audit_step(ctx->run, t, st, NULL, NULL);
}

/* fanout: a server is done: flush its output; audit one that never ran. */
static void
cmd_exec_done(struct fanout *f, size_t t, void *arg)
{
	struct cmd_exec_ctx	*ctx = arg;
	struct fanout_result	 res;

	cmd_run_flush(ctx->run, t);
	fanout_result(f, t, &res);
	if (res.commands == 0)
		cmd_run_audit_target(ctx->run, t, &res, ctx->command);
}

/* fanout output: stream it (cmd-fanout.c), with the run as argument. */
static void
cmd_exec_output(struct fanout *f, size_t t, const char *buf, size_t len,
    int is_stderr, void *arg)
{
	cmd_run_output(f, t, buf, len, is_stderr,
	    ((struct cmd_exec_ctx *)arg)->run);
}

/* fanout tick: the progress line. */
static void
cmd_exec_tick(struct fanout *f, void *arg)
{
	cmd_run_tick(f, ((struct cmd_exec_ctx *)arg)->run);
}

/* fanout wake: a signal; cancel. */
static void
cmd_exec_wake(struct fanout *f, void *arg)
{
	cmd_run_wake(f, ((struct cmd_exec_ctx *)arg)->run);
}

/* The counts of the run for its end event. */
static char *
cmd_exec_counts(struct fanout *f)
{
	struct fanout_result	res;
	size_t			i, c[FANOUT_CANCELLED + 1];

	memset(c, 0, sizeof c);
	for (i = 0; i < fanout_count(f); i++) {
		fanout_result(f, i, &res);
		c[res.status]++;
	}
	return (xprintf("\"ok\":%zu,\"failed\":%zu,\"error\":%zu,"
	    "\"timeout\":%zu,\"skipped\":%zu,\"cancelled\":%zu", c[FANOUT_OK],
	    c[FANOUT_FAILED], c[FANOUT_ERROR], c[FANOUT_TIMEOUT],
	    c[FANOUT_SKIPPED] + c[FANOUT_PENDING], c[FANOUT_CANCELLED]));
}

/* Parse the command line; the command words are joined by spaces. */
static int
cmd_exec_parse(int argc, char **argv, struct cmd_fanout_opts *o,
    char **command)
{
	static const struct option	 longopts[] = {
		CMD_FANOUT_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct sbuf			 sb;
	int				 ch, i;

	memset(o, 0, sizeof *o);
	*command = NULL;
	optind = 1;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, CMD_FANOUT_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (cmd_fanout_option(o, ch, optarg) != 0)
			return (CMD_USAGE);
	}
	if (o->help)
		return (CMD_OK);
	if (optind < argc) {
		sbuf_init(&sb);
		for (i = optind; i < argc; i++) {
			if (i != optind)
				sbuf_addc(&sb, ' ');
			sbuf_adds(&sb, argv[i]);
		}
		*command = sbuf_steal(&sb);
	}
	if (o->request != 0) {
		if (*command != NULL || o->nsel != 0) {
			fprintf(stderr, "omv: --request runs the approved "
			    "command on its servers: give neither\n");
			return (CMD_USAGE);
		}
		return (CMD_OK);
	}
	if (*command == NULL || strspn(*command, " \t") == strlen(*command)) {
		fprintf(stderr, "omv: no command (after --)\n");
		return (CMD_USAGE);
	}
	return (CMD_OK);
}

/* Gate, audit, fan out, summarise. */
static int
cmd_exec_run(struct cmd_run *run, const char *command,
    const struct cmd_fanout_opts *o)
{
	struct cmd_exec_ctx	 ctx;
	struct fanout_params	 p;
	struct fanout_cb	 cb;
	struct fanout_target	*targets;
	struct fanout		*f;
	struct server		**servers;
	char			*counts;
	size_t			 n;
	int			 rc, cancelled;

	n = cmd_run_targets(run, &servers);
	cmd_run_print_refused(run);
	if (n == 0) {
		fprintf(stderr, "omv: no server to run on\n");
		return (CMD_FAIL);
	}
	cmd_run_decide(run, (char *const *)&command, 1);
	if ((rc = cmd_run_authorize(run, command)) != -1)
		return (rc);
	if (cmd_run_audit_start(run, command, NULL) != 0)
		return (CMD_FAIL);

	cmd_run_params(run, &p);
	p.command = command;
	if (o->json || o->group)
		p.keep_bytes = 0;	/* the default cap */
	memset(&cb, 0, sizeof cb);
	cb.output = cmd_exec_output;
	cb.step = cmd_exec_step;
	cb.done = cmd_exec_done;
	cb.tick = cmd_exec_tick;
	cb.wake = cmd_exec_wake;
	ctx.run = run;
	ctx.command = command;
	targets = cmd_run_fanout_targets(run);
	f = fanout_create(&p, targets, n, &cb, &ctx);
	cmd_run_attach(run, f);
	cancelled = fanout_run(f);

	counts = cmd_exec_counts(f);
	cmd_run_audit_end(run, command, cancelled ? "cancelled" : "done",
	    counts);
	free(counts);
	rc = cmd_run_report(run, f, NULL, NULL);
	cmd_run_attach(run, NULL);
	fanout_free(f);
	free(targets);
	return (rc);
}

/* omv exec */
int
cmd_exec(int argc, char **argv)
{
	struct cmd_fanout_opts	 o;
	struct cmd_run		*run;
	char			*command = NULL;
	const char		*cmd;
	int			 rc;

	if ((rc = cmd_exec_parse(argc, argv, &o, &command)) != CMD_OK) {
		cmd_fanout_opts_clear(&o);
		free(command);
		return (cmd_usage("exec"));
	}
	if (o.help) {
		cmd_exec_help();
		cmd_fanout_opts_clear(&o);
		free(command);
		return (CMD_OK);
	}
	if ((run = cmd_run_create(&o, "exec", NULL, 0, 0, &rc)) == NULL) {
		cmd_fanout_opts_clear(&o);
		free(command);
		return (rc);
	}
	cmd = o.request != 0 ? cmd_run_request_command(run) : command;
	rc = cmd_exec_run(run, cmd, &o);
	cmd_run_free(run);
	cmd_fanout_opts_clear(&o);
	free(command);
	return (rc);
}
