/*
 * fuzz_cfg.c: the config loader on arbitrary text.  Either a config or at
 * least one "name:line: ..." error comes back, never both and never
 * neither; a config that loads must keep the loader's promises (unique
 * server names, ports in range, non-empty hosts, consistent indexes, a
 * tree whose servers are all in config->servers).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
const char *__lsan_default_suppressions(void);

/*
 * libconfig 1.5 leaks the token it was scanning when a syntax error stops
 * the parse (allocated in libconfig_yylex and strbuf_append, never handed
 * to us); that is the library's, not ours.  Our own allocations never have
 * libconfig on their stack.
 */
const char *
__lsan_default_suppressions(void)
{
	return ("leak:libconfig.so\n");
}

/* Check a group and its subgroups; returns the servers counted. */
static size_t
fuzz_group(const struct omv_config *cfg, const struct server_group *g,
    int depth)
{
	size_t	i, n = g->nservers;

	if (depth > 100 || g->name == NULL || g->path == NULL)
		abort();
	for (i = 0; i < g->nservers; i++) {
		if (g->servers[i]->index >= cfg->nservers ||
		    cfg->servers[g->servers[i]->index] != g->servers[i] ||
		    strcmp(g->servers[i]->group, g->path) != 0)
			abort();
	}
	for (i = 0; i < g->ngroups; i++) {
		if (g->groups[i]->parent != g)
			abort();
		n += fuzz_group(cfg, g->groups[i], depth + 1);
	}
	return (n);
}

/* The promises a loaded config keeps. */
static void
fuzz_check(const struct omv_config *cfg)
{
	const struct server	*sv;
	size_t			 i, j;

	for (i = 0; i < cfg->nservers; i++) {
		sv = cfg->servers[i];
		if (sv->index != i || sv->name == NULL || *sv->name == '\0' ||
		    sv->host == NULL || *sv->host == '\0' || sv->port < 1 ||
		    sv->port > 65535 || (int)sv->env < 0 ||
		    sv->env > ENV_NONE ||
		    cfg_find_server(cfg, sv->name) != sv)
			abort();
		for (j = 0; j < sv->ntags; j++) {
			if (sv->tags[j] == NULL)
				abort();
		}
	}
	if (fuzz_group(cfg, cfg->root, 0) != cfg->nservers)
		abort();
	for (i = 0; i < cfg->nroles; i++) {
		if (cfg->roles[i].name == NULL ||
		    cfg_find_role(cfg, cfg->roles[i].name) != &cfg->roles[i])
			abort();
		for (j = 0; j < cfg->roles[i].nwindows; j++) {
			if (cfg->roles[i].windows[j].start_min < 0 ||
			    cfg->roles[i].windows[j].start_min > 1439 ||
			    cfg->roles[i].windows[j].end_min < 1 ||
			    cfg->roles[i].windows[j].end_min > 1440)
				abort();
		}
	}
	for (i = 0; i < cfg->nusers; i++) {
		for (j = 0; j < cfg->users[i].nroles; j++) {
			if (cfg_find_role(cfg, cfg->users[i].roles[j]) == NULL)
				abort();
		}
	}
	if (cfg->ui.scrollback < 0 || cfg->ui.theme == NULL)
		abort();
}

/* Keep the machine's own ~/.ssh/config out of ssh_config = true. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("HOME", "/nonexistent/omv-fuzz", 1);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct omv_config	*cfg;
	char			*text;
	size_t			 i;

	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	cfg = cfg_load_string(text, "fuzz.conf", &errs);
	if ((cfg == NULL) == (errs.n == 0))
		abort();
	for (i = 0; i < errs.n; i++) {
		if (strncmp(errs.msgs[i], "fuzz.conf", 9) != 0)
			abort();
	}
	if (cfg != NULL)
		fuzz_check(cfg);
	cfg_free(cfg);
	cfg_errors_clear(&errs);
	free(text);
	return (0);
}
