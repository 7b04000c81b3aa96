/*
 * cmd-config.c: `omv check-config [-c FILE]`.  Loads the configuration the
 * way the console would (same search order, same system/user split) and
 * prints a short summary, or every problem found as "omv: FILE:LINE: ..."
 * and exits 1, so an administrator can check a file before installing it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cmd.h"
#include "risk.h"

/* "1 server", "3 servers". */
static const char *
cmd_config_plural(size_t n, const char *one, const char *many)
{
	return (n == 1 ? one : many);
}

/* Print the summary of a loaded config. */
static void
cmd_config_summary(const struct omv_config *cfg)
{
	size_t	per_env[ENV_COUNT + 1] = { 0 }, i, nrules;
	int	e;

	for (i = 0; i < cfg->nservers; i++) {
		e = (int)cfg->servers[i]->env;
		if (e < 0 || e > ENV_NONE)
			e = ENV_NONE;
		per_env[e]++;
	}
	nrules = cfg->rules != NULL ? risk_ruleset_count(cfg->rules) : 0;

	if (cfg->path == NULL)
		printf("no configuration file: built-in defaults");
	else
		printf("%s: OK", cfg->path);
	printf(" \xe2\x80\x94 %zu %s in %zu %s, %zu %s, %zu %s, %zu risk %s\n",
	    cfg->nservers,
	    cmd_config_plural(cfg->nservers, "server", "servers"),
	    cfg->ngroups, cmd_config_plural(cfg->ngroups, "group", "groups"),
	    cfg->nroles, cmd_config_plural(cfg->nroles, "role", "roles"),
	    cfg->nusers, cmd_config_plural(cfg->nusers, "user", "users"),
	    nrules, cmd_config_plural(nrules, "rule", "rules"));
	for (e = 0; e <= ENV_NONE && cfg->nservers != 0; e++) {
		if (e == ENV_NONE && per_env[e] == 0)
			continue;
		printf("  %-12s %zu %s\n", e == ENV_NONE ? "(no env)" :
		    env_name((enum env)e), per_env[e],
		    cmd_config_plural(per_env[e], "server", "servers"));
	}
	if (!cfg->has_roles)
		printf("  personal mode: no roles section\n");
	if (cfg->system)
		printf("  policy from the system file; others only set ui\n");
	for (i = 0; i < cfg->npaths; i++) {
		if (cfg->path == NULL || strcmp(cfg->paths[i], cfg->path) != 0)
			printf("  also read: %s\n", cfg->paths[i]);
	}
}

int
cmd_check_config(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cfg_errors		 errs = { NULL, 0 };
	struct omv_config		*cfg;
	const char			*path = NULL;
	size_t				 i;
	int				 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			printf("usage: omv check-config [-c FILE]\n\n"
			    "Check the configuration (-c FILE, else "
			    "$OMV_CONFIG,\n~/.config/omv/omv.conf, "
			    "/etc/omv/omv.conf) and print a\nsummary; print "
			    "every error and exit 1 if it is bad.\n\n"
			    "When /etc/omv/omv.conf exists, -c FILE may only set "
			    "ui; check a\ncandidate system file with "
			    "OMV_SYSTEM_CONFIG=FILE omv check-config.\n");
			return (CMD_OK);
		default:
			return (cmd_usage("check-config"));
		}
	}
	if (optind != argc)
		return (cmd_usage("check-config"));

	if ((cfg = cfg_load(path, &errs)) == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "omv: %s\n", errs.msgs[i]);
		if (errs.n == 0)
			fprintf(stderr, "omv: cannot load the configuration\n");
		else {
			fprintf(stderr, "omv: %zu %s\n", errs.n,
			    cmd_config_plural(errs.n, "error", "errors"));
		}
		cfg_errors_clear(&errs);
		return (CMD_FAIL);
	}
	cmd_config_summary(cfg);
	cfg_free(cfg);
	cfg_errors_clear(&errs);
	return (CMD_OK);
}
