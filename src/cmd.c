/* cmd.c: helpers shared by the subcommands (config loading, usage). */
#include <stdio.h>
#include <stdlib.h>

#include "audit.h"
#include "cfg.h"
#include "cmd.h"

struct omv_config *
cmd_load_config(const char *path)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	size_t			 i;

	cfg = cfg_load(path, &errs);
	if (cfg == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "omv: %s\n", errs.msgs[i]);
		if (errs.n == 0)
			fprintf(stderr, "omv: cannot load the configuration\n");
	}
	cfg_errors_clear(&errs);
	return (cfg);
}

char *
cmd_audit_path(const struct omv_config *cfg, const char *db)
{
	if (db != NULL)
		return (xstrdup(db));
	if (cfg != NULL && cfg->audit.db != NULL)
		return (xstrdup(cfg->audit.db));
	return (audit_default_path());
}

int
cmd_usage(const char *name)
{
	const struct cmd_entry	*ce;

	if ((ce = cmd_find(name)) != NULL)
		fprintf(stderr, "usage: omv %s %s\n", ce->name, ce->usage);
	return (CMD_USAGE);
}
