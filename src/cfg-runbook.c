/*
 * cfg-runbook.c: runbook files (conf/runbooks/NAME.conf) read with libconfig.
 *
 * A runbook is one libconfig document: name, description, targets,
 * batches, max_errors, rollback_completed, timeout and a list of steps
 * (name, run, check, rollback, timeout).  Like the main config, every
 * setting is checked (libconfig accepts anything): unknown settings, wrong
 * types, bad amounts and missing runs are each reported as "file:line:
 * problem", all of them, and a runbook with any error is not loaded.
 *
 * libconfig arrays hold one type, so a mixed batch list is written as a
 * list: batches = (1, "25%", "100%");  an array of strings or of numbers
 * works too.
 *
 * Trust: a runbook says what runs on many servers, so like the config file
 * it is refused when group or others may write it, or when it belongs to
 * someone other than the user or root.
 *
 * Search: the config file's directory + "/runbooks", ~/.config/omv/runbooks,
 * /etc/omv/runbooks, then conf/runbooks beside the omv binary (or one level
 * up: the source tree) and PREFIX/share/omv/conf/runbooks (installed).  A
 * name found earlier hides the same name later, as $PATH does.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "cfg.h"
#include "policy.h"
#include "runbook.h"

#define CFG_RUNBOOK_MAX_TIMEOUT	86400

/* The settings of a runbook and of a step. */
static const char *cfg_runbook_keys[] = {
	"name", "description", "targets", "batches", "max_errors",
	"rollback_completed", "timeout", "steps", NULL
};
static const char *cfg_runbook_step_keys[] = {
	"name", "run", "check", "rollback", "timeout", NULL
};

/* The line of a setting (0 when unknown). */
static int
cfg_runbook_line(const config_setting_t *s)
{
	return (s != NULL ? (int)config_setting_source_line(s) : 0);
}

/* Is name in the NULL-terminated list? */
static int
cfg_runbook_known(const char *name, const char **list)
{
	for (; *list != NULL; list++) {
		if (strcmp(name, *list) == 0)
			return (1);
	}
	return (0);
}

/* Names: letters, digits and . _ - + @, not starting with '-'. */
static int
cfg_runbook_valid_name(const char *s)
{
	const char	*p;

	if (*s == '\0' || *s == '-' || strlen(s) > 64)
		return (0);
	for (p = s; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("._-+@", *p) != NULL))
			return (0);
	}
	return (1);
}

/* Report every setting of group g not in keys. */
static void
cfg_runbook_check_keys(const config_setting_t *g, const char **keys,
    const char *file, const char *where, struct cfg_errors *errs)
{
	config_setting_t	*e;
	int			 i;

	for (i = 0; (e = config_setting_get_elem(g, (unsigned)i)) != NULL;
	    i++) {
		if (e->name != NULL && !cfg_runbook_known(e->name, keys)) {
			cfg_errors_add(errs, file, cfg_runbook_line(e),
			    "%sunknown setting '%s'", where, e->name);
		}
	}
}

/* A non-empty string setting, copied; NULL (and an error) otherwise. */
static char *
cfg_runbook_string(const config_setting_t *s, const char *file,
    const char *where, struct cfg_errors *errs)
{
	const char	*v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_errors_add(errs, file, cfg_runbook_line(s), "%s%s must be "
		    "a string", where, s->name);
		return (NULL);
	}
	v = config_setting_get_string(s);
	if (v == NULL || *v == '\0') {
		cfg_errors_add(errs, file, cfg_runbook_line(s), "%s%s is "
		    "empty", where, s->name);
		return (NULL);
	}
	return (xstrdup(v));
}

/* A timeout in seconds, 0..CFG_RUNBOOK_MAX_TIMEOUT. */
static int
cfg_runbook_timeout(const config_setting_t *s, const char *file,
    const char *where, struct cfg_errors *errs)
{
	int	v;

	if (config_setting_type(s) != CONFIG_TYPE_INT) {
		cfg_errors_add(errs, file, cfg_runbook_line(s), "%stimeout must "
		    "be a number of seconds", where);
		return (0);
	}
	v = config_setting_get_int(s);
	if (v < 0 || v > CFG_RUNBOOK_MAX_TIMEOUT) {
		cfg_errors_add(errs, file, cfg_runbook_line(s), "%stimeout %d "
		    "is out of range (0-%d)", where, v,
		    CFG_RUNBOOK_MAX_TIMEOUT);
		return (0);
	}
	return (v);
}

/* A count or a percentage: a number, or a string "5" / "25%". */
static int
cfg_runbook_amount(const config_setting_t *s, const char *file,
    const char *what, struct runbook_amount *out, struct cfg_errors *errs)
{
	char	*cause = NULL;
	int	 v;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		if (v < 0 || v > 1000000) {
			cfg_errors_add(errs, file, cfg_runbook_line(s), "%s %d "
			    "is out of range", what, v);
			return (-1);
		}
		out->value = v;
		out->percent = false;
		return (0);
	case CONFIG_TYPE_STRING:
		if (runbook_amount_parse(config_setting_get_string(s), out,
		    &cause) == 0)
			return (0);
		cfg_errors_add(errs, file, cfg_runbook_line(s), "%s: %s", what,
		    cause);
		free(cause);
		return (-1);
	default:
		cfg_errors_add(errs, file, cfg_runbook_line(s), "%s must be a "
		    "number or a string like \"25%%\"", what);
		return (-1);
	}
}

/* targets: a string or an array/list of server patterns, as roles use. */
static void
cfg_runbook_targets(const config_setting_t *s, const char *file,
    struct runbook *rb, struct cfg_errors *errs)
{
	const config_setting_t	*e;
	const char		*v;
	char			*cause;
	int			 i, n;

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		n = 1;
	else if (config_setting_is_aggregate(s) &&
	    config_setting_type(s) != CONFIG_TYPE_GROUP)
		n = config_setting_length(s);
	else {
		cfg_errors_add(errs, file, cfg_runbook_line(s), "targets must "
		    "be a string or an array of strings");
		return;
	}
	rb->targets = xcalloc((size_t)n + 1, sizeof *rb->targets);
	for (i = 0; i < n; i++) {
		e = config_setting_type(s) == CONFIG_TYPE_STRING ? s :
		    config_setting_get_elem(s, (unsigned)i);
		v = config_setting_type(e) == CONFIG_TYPE_STRING ?
		    config_setting_get_string(e) : NULL;
		if (v == NULL || *v == '\0') {
			cfg_errors_add(errs, file, cfg_runbook_line(e),
			    "targets: element %d must be a non-empty string",
			    i + 1);
			continue;
		}
		cause = NULL;
		if (policy_server_pattern_check(v, &cause) != 0) {
			cfg_errors_add(errs, file, cfg_runbook_line(e),
			    "targets: %s", cause);
			free(cause);
			continue;
		}
		rb->targets[rb->ntargets++] = xstrdup(v);
	}
}

/* batches: cumulative rollout sizes, each growing the one before. */
static void
cfg_runbook_batches(const config_setting_t *s, const char *file,
    struct runbook *rb, struct cfg_errors *errs)
{
	const config_setting_t	*e;
	struct runbook_amount	 a, *prev;
	int			 i, n;

	if (!config_setting_is_aggregate(s) ||
	    config_setting_type(s) == CONFIG_TYPE_GROUP) {
		cfg_errors_add(errs, file, cfg_runbook_line(s), "batches must "
		    "be a list such as (1, \"25%%\", \"100%%\")");
		return;
	}
	n = config_setting_length(s);
	rb->batches = xcalloc((size_t)n + 1, sizeof *rb->batches);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (cfg_runbook_amount(e, file, "batches", &a, errs) != 0)
			continue;
		if (a.value == 0) {
			cfg_errors_add(errs, file, cfg_runbook_line(e),
			    "batches: a batch of 0 servers");
			continue;
		}
		prev = rb->nbatches != 0 ? &rb->batches[rb->nbatches - 1] :
		    NULL;
		if (prev != NULL && prev->percent == a.percent &&
		    a.value <= prev->value) {
			cfg_errors_add(errs, file, cfg_runbook_line(e),
			    "batches: each entry is the rollout so far and "
			    "must grow (%d%s after %d%s)", a.value,
			    a.percent ? "%" : "", prev->value,
			    prev->percent ? "%" : "");
			continue;
		}
		rb->batches[rb->nbatches++] = a;
	}
}

/* One step { name; run; check; rollback; timeout; }. */
static void
cfg_runbook_step(const config_setting_t *g, const char *file, size_t index,
    struct runbook *rb, struct cfg_errors *errs)
{
	struct runbook_step	*st = &rb->steps[rb->nsteps];
	config_setting_t	*e;
	char			*where, *v;
	size_t			 i;

	memset(st, 0, sizeof *st);
	st->line = cfg_runbook_line(g);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		cfg_errors_add(errs, file, st->line, "steps: element %zu must "
		    "be a group { name; run; ... }", index + 1);
		return;
	}
	where = xprintf("step %zu: ", index + 1);
	cfg_runbook_check_keys(g, cfg_runbook_step_keys, file, where, errs);
	if ((e = config_setting_get_member(g, "name")) != NULL &&
	    (v = cfg_runbook_string(e, file, where, errs)) != NULL) {
		for (i = 0; i < rb->nsteps; i++) {
			if (strcmp(rb->steps[i].name, v) == 0) {
				cfg_errors_add(errs, file, cfg_runbook_line(e),
				    "%sduplicate step name '%s' (also line %d)",
				    where, v, rb->steps[i].line);
			}
		}
		st->name = v;
	}
	if ((e = config_setting_get_member(g, "run")) != NULL)
		st->run = cfg_runbook_string(e, file, where, errs);
	else
		cfg_errors_add(errs, file, st->line, "%sno run command", where);
	if ((e = config_setting_get_member(g, "check")) != NULL)
		st->check = cfg_runbook_string(e, file, where, errs);
	if ((e = config_setting_get_member(g, "rollback")) != NULL)
		st->rollback = cfg_runbook_string(e, file, where, errs);
	if ((e = config_setting_get_member(g, "timeout")) != NULL)
		st->timeout = cfg_runbook_timeout(e, file, where, errs);
	if (st->name == NULL)
		st->name = xprintf("step %zu", index + 1);
	free(where);
	rb->nsteps++;
}

/* steps: a non-empty list of step groups. */
static void
cfg_runbook_steps(const config_setting_t *s, const char *file,
    struct runbook *rb, struct cfg_errors *errs)
{
	int	i, n;

	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		cfg_errors_add(errs, file, cfg_runbook_line(s), "steps must be "
		    "a list ( { name; run; ... }, ... )");
		return;
	}
	n = config_setting_length(s);
	if (n == 0) {
		cfg_errors_add(errs, file, cfg_runbook_line(s), "steps is "
		    "empty");
		return;
	}
	rb->steps = xcalloc((size_t)n, sizeof *rb->steps);
	for (i = 0; i < n; i++) {
		cfg_runbook_step(config_setting_get_elem(s, (unsigned)i), file,
		    (size_t)i, rb, errs);
	}
}

/* The name a file gives by default: its base name without ".conf". */
static char *
cfg_runbook_default_name(const char *path)
{
	const char	*base = strrchr(path, '/');
	size_t		 len;

	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".conf") == 0)
		len -= 5;
	return (xstrndup(base, len));
}

/* Turn a parsed document into a runbook; NULL when anything was wrong. */
static struct runbook *
cfg_runbook_parse(const config_t *c, const char *file, struct cfg_errors *errs)
{
	const config_setting_t	*root = config_root_setting(c), *e;
	struct runbook		*rb;
	size_t			 before = errs->n;

	rb = xcalloc(1, sizeof *rb);
	rb->file = xstrdup(file);
	rb->line = 1;
	cfg_runbook_check_keys(root, cfg_runbook_keys, file, "", errs);

	if ((e = config_setting_get_member(root, "name")) != NULL) {
		rb->name = cfg_runbook_string(e, file, "", errs);
		if (rb->name != NULL && !cfg_runbook_valid_name(rb->name)) {
			cfg_errors_add(errs, file, cfg_runbook_line(e), "name "
			    "'%s': use letters, digits and . _ - + @",
			    rb->name);
		}
	} else {
		rb->name = cfg_runbook_default_name(file);
		if (!cfg_runbook_valid_name(rb->name)) {
			cfg_errors_add(errs, file, 0, "no name, and the file "
			    "name '%s' is not a valid one", rb->name);
		}
	}
	if ((e = config_setting_get_member(root, "description")) != NULL)
		rb->description = cfg_runbook_string(e, file, "", errs);
	if ((e = config_setting_get_member(root, "targets")) != NULL)
		cfg_runbook_targets(e, file, rb, errs);
	if ((e = config_setting_get_member(root, "batches")) != NULL)
		cfg_runbook_batches(e, file, rb, errs);
	if ((e = config_setting_get_member(root, "max_errors")) != NULL)
		cfg_runbook_amount(e, file, "max_errors", &rb->max_errors, errs);
	if ((e = config_setting_get_member(root, "rollback_completed")) !=
	    NULL) {
		if (config_setting_type(e) != CONFIG_TYPE_BOOL) {
			cfg_errors_add(errs, file, cfg_runbook_line(e),
			    "rollback_completed must be true or false");
		} else
			rb->rollback_completed = config_setting_get_bool(e);
	}
	if ((e = config_setting_get_member(root, "timeout")) != NULL)
		rb->timeout = cfg_runbook_timeout(e, file, "", errs);
	if ((e = config_setting_get_member(root, "steps")) != NULL)
		cfg_runbook_steps(e, file, rb, errs);
	else
		cfg_errors_add(errs, file, 0, "no steps");

	if (errs->n != before) {
		runbook_free(rb);
		return (NULL);
	}
	return (rb);
}

/* Report libconfig's syntax error. */
static void
cfg_runbook_syntax(const config_t *c, const char *file, struct cfg_errors *errs)
{
	if (config_error_type(c) == CONFIG_ERR_FILE_IO) {
		cfg_errors_add(errs, file, 0, "cannot read: %s",
		    strerror(errno));
		return;
	}
	cfg_errors_add(errs, file, config_error_line(c), "%s",
	    config_error_text(c) != NULL ? config_error_text(c) :
	    "syntax error");
}

/* Load one runbook file, refusing files others may change. */
struct runbook *
cfg_runbook_load_file(const char *path, struct cfg_errors *errs)
{
	struct runbook	*rb;
	struct stat	 st;
	config_t	 c;

	if (stat(path, &st) != 0) {
		cfg_errors_add(errs, path, 0, "%s", strerror(errno));
		return (NULL);
	}
	if (!S_ISREG(st.st_mode)) {
		cfg_errors_add(errs, path, 0, "is not a regular file");
		return (NULL);
	}
	if ((st.st_mode & (S_IWGRP|S_IWOTH)) != 0) {
		cfg_errors_add(errs, path, 0, "is writable by group or others "
		    "(mode %04o); chmod go-w %s",
		    (unsigned)(st.st_mode & 07777), path);
		return (NULL);
	}
	if (st.st_uid != 0 && st.st_uid != getuid()) {
		cfg_errors_add(errs, path, 0, "is owned by uid %lu, not by you "
		    "or root", (unsigned long)st.st_uid);
		return (NULL);
	}
	config_init(&c);
	if (config_read_file(&c, path) != CONFIG_TRUE) {
		cfg_runbook_syntax(&c, path, errs);
		config_destroy(&c);
		return (NULL);
	}
	rb = cfg_runbook_parse(&c, path, errs);
	config_destroy(&c);
	return (rb);
}

/* Load a runbook from text; @include is refused. */
struct runbook *
cfg_runbook_load_string(const char *text, const char *name,
    struct cfg_errors *errs)
{
	struct runbook	*rb;
	config_t	 c;

	if (strstr(text, "@include") != NULL) {
		cfg_errors_add(errs, name, 0, "@include is not allowed here");
		return (NULL);
	}
	config_init(&c);
	if (config_read_string(&c, text) != CONFIG_TRUE) {
		cfg_errors_add(errs, name, config_error_line(&c), "%s",
		    config_error_text(&c) != NULL ? config_error_text(&c) :
		    "syntax error");
		config_destroy(&c);
		return (NULL);
	}
	rb = cfg_runbook_parse(&c, name, errs);
	config_destroy(&c);
	return (rb);
}

/* Add dir to the list unless it names a directory already there. */
static void
cfg_runbook_add_dir(char ***dirs, size_t *n, char *dir)
{
	char	 real[PATH_MAX], other[PATH_MAX];
	size_t	 i;
	int	 have = realpath(dir, real) != NULL;

	for (i = 0; i < *n; i++) {
		if (strcmp((*dirs)[i], dir) == 0 || (have &&
		    realpath((*dirs)[i], other) != NULL &&
		    strcmp(real, other) == 0)) {
			free(dir);
			return;
		}
	}
	*dirs = xreallocarray(*dirs, *n + 1, sizeof **dirs);
	(*dirs)[(*n)++] = dir;
}

/* The runbook directories, in search order. */
char **
cfg_runbook_dirs(const char *config_path, size_t *n)
{
	char	**dirs = NULL, *copy, exe[PATH_MAX], *d;
	ssize_t	  len;

	*n = 0;
	if (config_path != NULL) {
		copy = xstrdup(config_path);
		cfg_runbook_add_dir(&dirs, n, xprintf("%s/runbooks",
		    dirname(copy)));
		free(copy);
	}
	cfg_runbook_add_dir(&dirs, n, xprintf("%s/.config/omv/runbooks",
	    home_dir()));
	cfg_runbook_add_dir(&dirs, n, xstrdup("/etc/omv/runbooks"));
	len = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (len > 0) {
		exe[len] = '\0';
		d = dirname(exe);
		cfg_runbook_add_dir(&dirs, n, xprintf("%s/conf/runbooks", d));
		cfg_runbook_add_dir(&dirs, n, xprintf("%s/../conf/runbooks",
		    d));
		cfg_runbook_add_dir(&dirs, n,
		    xprintf("%s/../share/omv/conf/runbooks", d));
	}
	return (dirs);
}

/* Sort file names. */
static int
cfg_runbook_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* The *.conf files of dir, sorted (owned); 0 when it does not exist. */
static size_t
cfg_runbook_files(const char *dir, char ***out)
{
	struct dirent	*de;
	DIR		*dp;
	size_t		 n = 0, len;

	*out = NULL;
	if ((dp = opendir(dir)) == NULL)
		return (0);
	while ((de = readdir(dp)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		*out = xreallocarray(*out, n + 1, sizeof **out);
		(*out)[n++] = xprintf("%s/%s", dir, de->d_name);
	}
	closedir(dp);
	if (n > 1)
		qsort(*out, n, sizeof **out, cfg_runbook_cmp);
	return (n);
}

/* Every runbook of the search path; earlier directories win. */
size_t
cfg_runbook_load_all(const char *config_path, struct runbook ***out,
    struct cfg_errors *errs)
{
	struct runbook	*rb;
	char		**dirs, **files;
	size_t		  ndirs, nfiles, i, j, k, n = 0, first;
	int		  hidden;

	*out = NULL;
	dirs = cfg_runbook_dirs(config_path, &ndirs);
	for (i = 0; i < ndirs; i++) {
		first = n;
		nfiles = cfg_runbook_files(dirs[i], &files);
		for (j = 0; j < nfiles; j++) {
			if ((rb = cfg_runbook_load_file(files[j], errs)) ==
			    NULL)
				continue;
			hidden = 0;
			for (k = 0; k < n; k++) {
				if (strcmp((*out)[k]->name, rb->name) != 0)
					continue;
				if (k >= first) {
					cfg_errors_add(errs, rb->file, 0,
					    "runbook '%s' is also defined in "
					    "%s", rb->name, (*out)[k]->file);
				}
				hidden = 1;
				break;
			}
			if (hidden) {
				runbook_free(rb);
				continue;
			}
			*out = xreallocarray(*out, n + 1, sizeof **out);
			(*out)[n++] = rb;
		}
		strv_free(files, nfiles);
	}
	strv_free(dirs, ndirs);
	return (n);
}

/* Free what cfg_runbook_load_all returned. */
void
cfg_runbook_free_all(struct runbook **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		runbook_free(v[i]);
	free(v);
}
