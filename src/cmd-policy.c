/*
 * cmd-policy.c: `omv policy explain`, which shows what policy decides for
 * one command by one user on one server at one time, and why: the same
 * risk_classify + policy_decide path the console takes on Enter, printed
 * instead of acted on.  With --env-check it also shows what the decision
 * would be if the server were in each environment, to check the per-env
 * table of the roles.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cmd.h"
#include "ident.h"
#include "policy.h"
#include "risk.h"

#define CMD_POLICY_USAGE "usage: omv policy explain [-c FILE] [--user U] " \
	"--server S [--at TIME] [--env-check] -- COMMAND"

/* The options of `omv policy explain`. */
struct cmd_policy_args {
	const char	*config;	/* borrowed from argv */
	const char	*user;
	const char	*server;
	const char	*at;
	bool		 env_check;
	char		*line;		/* owned: the words after the options */
};

/* The risk line: "high (rule x: why), raised from medium for production". */
static void
cmd_policy_print_risk(const struct risk_result *rr, enum env e)
{
	printf("risk:     %s", risk_level_name(rr->level));
	if (rr->rule != NULL && rr->reason != NULL)
		printf(" (rule %s: %s)", rr->rule, rr->reason);
	else if (rr->rule != NULL)
		printf(" (rule %s)", rr->rule);
	else if (rr->reason != NULL && *rr->reason != '\0')
		printf(" (%s)", rr->reason);
	if (rr->base_level != rr->level) {
		printf(", raised from %s for %s",
		    risk_level_name(rr->base_level), env_name(e));
	}
	if (rr->unparsed)
		printf(", not fully parsed");
	printf("\n");
}

/* Print one decision in the explain layout. */
static void
cmd_policy_print(const struct policy_result *res)
{
	size_t	i;

	printf("reason:   %s\n", res->reason);
	if (res->napprovers != 0) {
		printf("approvers: ");
		for (i = 0; i < res->napprovers; i++)
			printf("%s%s", i == 0 ? "" : ", ", res->approvers[i]);
		printf("\n");
	}
	printf("audit:    %s\n", audit_level_name(res->audit_level));
}

/* Decide the line as if the server were in each env, one row each. */
static void
cmd_policy_env_check(const struct omv_config *cfg, const struct ident *id,
    const struct server *s, const char *line, time_t when)
{
	struct server		copy;
	struct risk_result	rr;
	struct policy_request	req;
	struct policy_result	res;
	int			e;

	printf("\nby env:\n");
	for (e = 0; e <= ENV_NONE; e++) {
		copy = *s;
		copy.env = (enum env)e;
		memset(&rr, 0, sizeof rr);
		risk_classify(cfg->rules, line, cfg->escalate[e], &rr);
		req.user = id;
		req.server = &copy;
		req.line = line;
		req.risk = &rr;
		req.when = when;
		policy_decide(cfg, &req, &res);
		printf("  %-12s %-9s %-9s %s\n", env_name((enum env)e),
		    risk_level_name(rr.level), decision_name(res.decision),
		    res.role != NULL ? res.role : "-");
		policy_result_clear(&res);
		risk_result_clear(&rr);
	}
}

/* Parse the arguments after "explain"; CMD_OK or CMD_USAGE. */
static int
cmd_policy_parse(int argc, char **argv, struct cmd_policy_args *a)
{
	static const struct option	 longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "server", required_argument, NULL, 's' },
		{ "at", required_argument, NULL, 't' },
		{ "env-check", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sbuf			 sb;
	int				 ch, i;

	memset(a, 0, sizeof *a);
	optind = 1;
	opterr = 1;
	while ((ch = getopt_long(argc, argv, "+c:u:s:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			a->config = optarg;
			break;
		case 'u':
			a->user = optarg;
			break;
		case 's':
			a->server = optarg;
			break;
		case 't':
			a->at = optarg;
			break;
		case 'e':
			a->env_check = true;
			break;
		case 'h':
			return (-1);
		default:
			return (CMD_USAGE);
		}
	}
	if (a->server == NULL || optind >= argc)
		return (CMD_USAGE);
	sbuf_init(&sb);
	for (i = optind; i < argc; i++) {
		if (i != optind)
			sbuf_addc(&sb, ' ');
		sbuf_adds(&sb, argv[i]);
	}
	a->line = sbuf_steal(&sb);
	return (CMD_OK);
}

/* omv policy explain: print the decision for one request and why. */
static int
cmd_policy_explain(int argc, char **argv)
{
	struct cmd_policy_args	 a;
	struct omv_config	*cfg;
	struct server		*s;
	struct ident		*id;
	struct risk_result	 rr;
	struct policy_request	 req;
	struct policy_result	 res;
	int64_t			 ms;
	time_t			 when;
	int			 rc;

	if ((rc = cmd_policy_parse(argc, argv, &a)) != CMD_OK) {
		if (rc == -1) {
			printf("%s\n", CMD_POLICY_USAGE);
			return (CMD_OK);
		}
		return (cmd_usage("policy"));
	}
	when = time(NULL);
	if (a.at != NULL) {
		if (parse_time(a.at, &ms) != 0) {
			fprintf(stderr, "omv: bad time '%s' (2026-11-27 10:00, "
			    "ISO 8601, -2h, now)\n", a.at);
			free(a.line);
			return (CMD_USAGE);
		}
		when = (time_t)(ms / 1000);
	}
	if ((cfg = cmd_load_config(a.config)) == NULL) {
		free(a.line);
		return (CMD_USAGE);
	}
	if ((s = cfg_find_server(cfg, a.server)) == NULL) {
		fprintf(stderr, "omv: unknown server '%s'\n", a.server);
		cfg_free(cfg);
		free(a.line);
		return (CMD_USAGE);
	}
	id = a.user != NULL ? ident_for(a.user) : ident_current();
	if (id == NULL || id->login == NULL) {
		fprintf(stderr, "omv: cannot tell who the user is\n");
		ident_free(id);
		cfg_free(cfg);
		free(a.line);
		return (CMD_USAGE);
	}

	memset(&rr, 0, sizeof rr);
	risk_classify(cfg->rules, a.line, cfg->escalate[s->env], &rr);
	req.user = id;
	req.server = s;
	req.line = a.line;
	req.risk = &rr;
	req.when = when;
	policy_decide(cfg, &req, &res);

	printf("decision: %s\n", decision_name(res.decision));
	printf("role:     %s\n", res.role != NULL ? res.role : "-");
	cmd_policy_print_risk(&rr, s->env);
	cmd_policy_print(&res);
	if (a.env_check)
		cmd_policy_env_check(cfg, id, s, a.line, when);

	policy_result_clear(&res);
	risk_result_clear(&rr);
	ident_free(id);
	cfg_free(cfg);
	free(a.line);
	return (CMD_OK);
}

/* omv policy SUBCOMMAND: only "explain" so far. */
int
cmd_policy(int argc, char **argv)
{
	if (argc < 2)
		return (cmd_usage("policy"));
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		printf("%s\n", CMD_POLICY_USAGE);
		return (CMD_OK);
	}
	if (strcmp(argv[1], "explain") != 0) {
		fprintf(stderr, "omv: unknown policy command '%s'\n", argv[1]);
		return (cmd_usage("policy"));
	}
	return (cmd_policy_explain(argc - 1, argv + 1));
}
