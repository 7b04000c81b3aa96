/*
 * cfg-ssh.c: the hosts of an OpenSSH client config (~/.ssh/config) as
 * inventory entries, for `ssh_config = true`.
 *
 * The file is read here only to list the aliases named on Host lines (and in
 * the files its Include lines pull in).  What each alias resolves to -
 * HostName, User, Port, IdentityFile - comes from libssh's own parser
 * (ssh_options_parse_config), so omv connects where libssh would and the
 * matching rules (first value wins, Host patterns, Match) are libssh's, not
 * a second copy of them.
 *
 * Invariants: only concrete aliases become hosts - a Host argument with a
 * wildcard (* ? [) or a negation (!) never does; each alias appears once,
 * at its first Host line.  libssh's parse_config overrides options set
 * before it, so a session gets only SSH_OPTIONS_HOST before parsing.
 */
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libssh/libssh.h>

#include "cfg-ssh.h"

/* OpenSSH limits Include nesting to 16; so do we. */
#define CFG_SSH_DEPTH 16

/* The aliases found so far. */
struct cfg_ssh_list {
	struct cfg_ssh_host	*v;	/* owned */
	size_t			 n;
};

static int cfg_ssh_read(struct cfg_ssh_list *, const char *, int, char **);

/* Expand a leading "~/" or "%d/" (the home directory) in a path. */
static char *
cfg_ssh_expand(const char *path)
{
	if (strcmp(path, "~") == 0)
		return (xstrdup(home_dir()));
	if (strncmp(path, "~/", 2) == 0 || strncmp(path, "%d/", 3) == 0)
		return (xprintf("%s/%s", home_dir(), strchr(path, '/') + 1));
	return (xstrdup(path));
}

/*
 * Next argument of a config line: whitespace separated, or double quoted
 * (ssh_config(5)).  Returns NULL at the end of the line.
 */
static char *
cfg_ssh_token(char **sp)
{
	char	*s = *sp, *start;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	if (*s == '\0' || *s == '#') {
		*sp = s;
		return (NULL);
	}
	if (*s == '"') {
		start = ++s;
		while (*s != '\0' && *s != '"')
			s++;
	} else {
		start = s;
		while (*s != '\0' && !isspace((unsigned char)*s))
			s++;
	}
	if (*s != '\0')
		*s++ = '\0';
	*sp = s;
	return (start);
}

/* Is this Host argument one concrete name (no pattern, no negation)? */
static bool
cfg_ssh_concrete(const char *name)
{
	return (*name != '\0' && strpbrk(name, "*?[]!,") == NULL);
}

/* Remember an alias unless it was seen before. */
static void
cfg_ssh_add(struct cfg_ssh_list *l, const char *name, const char *file,
    int line)
{
	struct cfg_ssh_host	*h;
	size_t			 i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].name, name) == 0)
			return;
	}
	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	h = &l->v[l->n++];
	memset(h, 0, sizeof *h);
	h->name = xstrdup(name);
	h->file = xstrdup(file);
	h->line = line;
	h->port = 22;
}

/* Follow an Include line: relative paths are under ~/.ssh, globs expand. */
static int
cfg_ssh_include(struct cfg_ssh_list *l, char *args, int depth, char **cause)
{
	glob_t	 g;
	char	*arg, *path;
	size_t	 i;
	int	 rc = 0;

	while (rc == 0 && (arg = cfg_ssh_token(&args)) != NULL) {
		if (*arg == '/' || *arg == '~' || strncmp(arg, "%d/", 3) == 0)
			path = cfg_ssh_expand(arg);
		else
			path = xprintf("%s/.ssh/%s", home_dir(), arg);
		memset(&g, 0, sizeof g);
		if (glob(path, 0, NULL, &g) == 0) {
			for (i = 0; rc == 0 && i < g.gl_pathc; i++)
				rc = cfg_ssh_read(l, g.gl_pathv[i], depth + 1,
				    cause);
		}
		globfree(&g);
		free(path);
	}
	return (rc);
}

/* Collect the Host aliases of one file (and its Includes). */
static int
cfg_ssh_read(struct cfg_ssh_list *l, const char *path, int depth, char **cause)
{
	FILE	*f;
	char	*line = NULL, *p, *kw, *arg;
	size_t	 size = 0, kwlen;
	int	 lineno = 0, rc = 0;

	if (depth > CFG_SSH_DEPTH) {
		xasprintf(cause, "%s: Include nested too deep", path);
		return (-1);
	}
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return (0);
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (-1);
	}
	while (rc == 0 && getline(&line, &size, f) != -1) {
		lineno++;
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		kw = p;
		kwlen = strcspn(p, " \t=\r\n");
		if (kwlen == 0 || *kw == '#')
			continue;
		p += kwlen;
		p += strspn(p, " \t");
		if (*p == '=')
			p++;
		if (kwlen == 4 && strncasecmp(kw, "host", 4) == 0) {
			while ((arg = cfg_ssh_token(&p)) != NULL) {
				if (cfg_ssh_concrete(arg))
					cfg_ssh_add(l, arg, path, lineno);
			}
		} else if (kwlen == 7 && strncasecmp(kw, "include", 7) == 0)
			rc = cfg_ssh_include(l, p, depth, cause);
	}
	free(line);
	fclose(f);
	return (rc);
}

/* The first identity of a session nobody configured: libssh's default. */
static char *
cfg_ssh_default_identity(void)
{
	ssh_session	 s;
	char		*v = NULL, *out = NULL;

	if ((s = ssh_new()) == NULL)
		return (NULL);
	if (ssh_options_get(s, SSH_OPTIONS_IDENTITY, &v) == SSH_OK) {
		out = xstrdup(v);
		ssh_string_free_char(v);
	}
	ssh_free(s);
	return (out);
}

/* Ask libssh what alias h resolves to under the config at path. */
static void
cfg_ssh_resolve(struct cfg_ssh_host *h, const char *path, const char *defid)
{
	ssh_session	 s;
	char		*v;
	unsigned int	 port;

	h->host = xstrdup(h->name);
	if ((s = ssh_new()) == NULL)
		return;
	if (ssh_options_set(s, SSH_OPTIONS_HOST, h->name) != SSH_OK ||
	    ssh_options_parse_config(s, path) != SSH_OK) {
		log_debug("%s: libssh cannot resolve %s", __func__, h->name);
		ssh_free(s);
		return;
	}
	v = NULL;
	if (ssh_options_get(s, SSH_OPTIONS_HOST, &v) == SSH_OK && v != NULL &&
	    *v != '\0') {
		free(h->host);
		h->host = xstrdup(v);
	}
	ssh_string_free_char(v);
	v = NULL;
	if (ssh_options_get(s, SSH_OPTIONS_USER, &v) == SSH_OK && v != NULL &&
	    *v != '\0')
		h->user = xstrdup(v);
	ssh_string_free_char(v);
	v = NULL;
	if (ssh_options_get(s, SSH_OPTIONS_IDENTITY, &v) == SSH_OK &&
	    v != NULL && *v != '\0' && (defid == NULL || strcmp(v, defid) != 0))
		h->identity = cfg_ssh_expand(v);
	ssh_string_free_char(v);
	if (ssh_options_get_port(s, &port) == 0 && port > 0 && port <= 65535)
		h->port = (int)port;
	ssh_free(s);
}

int
cfg_ssh_hosts(const char *path, struct cfg_ssh_host **hosts, size_t *nhosts,
    char **cause)
{
	struct cfg_ssh_list	 l = { NULL, 0 };
	char			*defid;
	size_t			 i;

	*hosts = NULL;
	*nhosts = 0;
	if (cfg_ssh_read(&l, path, 0, cause) != 0) {
		cfg_ssh_hosts_free(l.v, l.n);
		return (-1);
	}
	defid = cfg_ssh_default_identity();
	for (i = 0; i < l.n; i++)
		cfg_ssh_resolve(&l.v[i], path, defid);
	free(defid);
	*hosts = l.v;
	*nhosts = l.n;
	return (0);
}

void
cfg_ssh_hosts_free(struct cfg_ssh_host *v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].host);
		free(v[i].user);
		free(v[i].identity);
		free(v[i].file);
	}
	free(v);
}
