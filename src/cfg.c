/*
 * cfg.c: the configuration file, read with libconfig and turned into the
 * plain structs of cfg.h.  Nothing outside the cfg family sees libconfig.
 *
 * The file is one libconfig document with the sections servers, roles,
 * users, risk, approvals, audit, security, ui and the flag ssh_config
 * (conf/omv.conf documents every setting).  The server inventory is a tree:
 * `servers` is the root group; a group holds `servers` and `groups` lists,
 * nests to any depth (CFG_MAX_DEPTH) and sets defaults its children inherit
 * (user, port, identity, env; tags accumulate down the tree).
 *
 * Validation is strict and complete: libconfig accepts any setting name and
 * a missing `;`, so we walk every setting ourselves and report each unknown
 * setting, wrong type, out-of-range number, duplicate name, unknown env or
 * role, bad time window or address as "file:line: problem" - all of them,
 * not just the first.  A load with any error returns NULL.
 *
 * Trust: a config file (or an @include) writable by group or others, or
 * owned by someone other than the user or root, is refused before it is
 * parsed, as ssh refuses loose key files.  When the system file
 * (/etc/omv/omv.conf, or $OMV_SYSTEM_CONFIG for tests and packaging) exists,
 * policy comes from it alone and a user's own file may only set `ui`.
 *
 * Every string of the result is a copy: libconfig's die with config_destroy.
 * File names are interned in config->paths; structs borrow them.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libconfig.h>

#include "cfg.h"
#include "client.h"
#include "cfg-risk.h"
#include "cfg-ssh.h"
#include "keymap.h"
#include "policy.h"
#include "risk.h"

#define CFG_SYSTEM_PATH	"/etc/omv/omv.conf"
#define CFG_USER_PATH	".config/omv/omv.conf"	/* under $HOME */
#define CFG_SSH_GROUP	"ssh_config"	/* the group ~/.ssh/config hosts join */
#define CFG_MAX_DEPTH	64		/* nesting of server groups */

/* One load in progress: where errors go and how to name files. */
struct cfg_load {
	struct omv_config	*cfg;		/* borrowed: being filled */
	struct cfg_errors	*errs;		/* borrowed */
	const char		*name;		/* borrowed: the main file */
	char			*incdir;	/* owned: @include base */
	bool			 ui_only;	/* user file, system exists */
	const char		*system;	/* borrowed: the system file */
};

/* What a group hands down to its children. */
struct cfg_inherit {
	char		 *user;		/* owned */
	int		  port;
	char		 *identity;	/* owned */
	enum env	  env;
	char		**tags;		/* owned */
	size_t		  ntags;
};

/* A name and where it was defined, for finding duplicates. */
struct cfg_named {
	const char	*name;		/* borrowed */
	const char	*file;		/* borrowed */
	int		 line;
	size_t		 order;
};

/* The kinds of simple settings the section tables hold. */
enum cfg_opt_type {
	CFG_OPT_STRING,		/* non-empty string */
	CFG_OPT_PATH,		/* string, "~/" expanded */
	CFG_OPT_INT,		/* integer within [min, max] */
	CFG_OPT_BOOL,
	CFG_OPT_AUDIT_LEVEL,	/* basic, detailed, comprehensive */
	CFG_OPT_UNIX_GROUP,	/* a group known to this host */
	CFG_OPT_CIDRS,		/* list of addresses or networks */
	CFG_OPT_KEY,		/* a key name, "C-b" */
	CFG_OPT_KEYS		/* ui.keys: list of bindings */
};

/* One setting of a simple section: its type, bounds, default and field. */
struct cfg_option {
	const char		*name;
	enum cfg_opt_type	 type;
	size_t			 offset;	/* of its field in omv_config */
	size_t			 count;		/* of a list's count field */
	long long		 min;
	long long		 max;
	long long		 defnum;	/* default of a number */
	const char		*defstr;	/* default string or NULL */
};

#define CFG_OFF(f)	offsetof(struct omv_config, f)

/* "where: " before a message, or nothing at the top level (where NULL). */
#define CFG_WHERE(w)	(w) != NULL ? (w) : "", (w) != NULL ? ": " : ""

static const struct cfg_option cfg_approvals_options[] = {
	{ "expire", CFG_OPT_INT, CFG_OFF(approvals.expire), 0,
	  10, 7 * 86400, 900, NULL },
	{ "totp_critical", CFG_OPT_BOOL, CFG_OFF(approvals.totp_critical), 0,
	  0, 0, 0, NULL },
	{ "totp_dir", CFG_OPT_PATH, CFG_OFF(approvals.totp_dir), 0,
	  0, 0, 0, "/etc/omv/totp" },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL }
};

static const struct cfg_option cfg_audit_options[] = {
	{ "db", CFG_OPT_PATH, CFG_OFF(audit.db), 0,
	  0, 0, 0, "~/.local/share/omv/audit.db" },
	{ "level", CFG_OPT_AUDIT_LEVEL, CFG_OFF(audit.level), 0,
	  0, 0, AUDIT_BASIC, NULL },
	{ "recordings", CFG_OPT_PATH, CFG_OFF(audit.recordings), 0,
	  0, 0, 0, "~/.local/share/omv/recordings" },
	{ "group", CFG_OPT_UNIX_GROUP, CFG_OFF(audit.group), 0,
	  0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL }
};

static const struct cfg_option cfg_security_options[] = {
	{ "known_hosts", CFG_OPT_PATH, CFG_OFF(security.known_hosts), 0,
	  0, 0, 0, "~/.ssh/known_hosts" },
	{ "allowed_clients", CFG_OPT_CIDRS, CFG_OFF(security.allowed_clients),
	  CFG_OFF(security.nallowed_clients), 0, 0, 0, NULL },
	{ "idle_timeout", CFG_OPT_INT, CFG_OFF(security.idle_timeout), 0,
	  0, 7 * 86400, 0, NULL },
	{ "connect_timeout", CFG_OPT_INT, CFG_OFF(security.connect_timeout), 0,
	  1, 600, 10, NULL },
	{ "keepalive", CFG_OPT_INT, CFG_OFF(security.keepalive), 0,
	  0, 3600, 30, NULL },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL }
};

static const struct cfg_option cfg_ui_options[] = {
	{ "theme", CFG_OPT_STRING, CFG_OFF(ui.theme), 0, 0, 0, 0, "dark" },
	{ "prefix", CFG_OPT_KEY, CFG_OFF(ui.prefix), 0, 0, 0, 0, "C-b" },
	{ "scrollback", CFG_OPT_INT, CFG_OFF(ui.scrollback), 0,
	  0, 1000000, 10000, NULL },
	{ "sidebar_width", CFG_OPT_INT, CFG_OFF(ui.sidebar_width), 0,
	  10, 120, 28, NULL },
	{ "keys", CFG_OPT_KEYS, CFG_OFF(ui.keys), CFG_OFF(ui.nkeys),
	  0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, 0, 0, NULL }
};

/* The simple sections, each a table of options. */
static const struct {
	const char		*name;
	const struct cfg_option	*options;
} cfg_sections[] = {
	{ "approvals", cfg_approvals_options },
	{ "audit", cfg_audit_options },
	{ "security", cfg_security_options },
	{ "ui", cfg_ui_options },
};
#define CFG_NSECTIONS (sizeof cfg_sections / sizeof cfg_sections[0])

/* Every top-level setting. */
static const char *cfg_top_keys[] = {
	"servers", "roles", "users", "risk", "approvals", "audit", "security",
	"ui", "ssh_config", NULL
};
static const char *cfg_root_keys[] = {
	"user", "port", "identity", "env", "tags", "groups", "servers", NULL
};
static const char *cfg_group_keys[] = {
	"name", "user", "port", "identity", "env", "tags", "groups", "servers",
	NULL
};
static const char *cfg_server_keys[] = {
	"name", "host", "port", "user", "identity", "env", "tags", NULL
};
static const char *cfg_role_keys[] = {
	"name", "servers", "allow", "deny", "windows", "outside_window", "need",
	"approvers", "audit_level", NULL
};
static const char *cfg_need_keys[] = {	/* "default" first */
	"default", "production", "staging", "development", "none", NULL
};
static const char *cfg_level_keys[] = {
	"low", "medium", "high", "critical", NULL
};
static const char *cfg_user_keys[] = { "name", "roles", NULL };
static const char *cfg_key_keys[] = { "table", "key", "command", NULL };

/* libconfig's types as a reader would say them, by CONFIG_TYPE_*. */
static const char *cfg_type_names[] = {
	"nothing", "a group { ... }", "a number", "a number",
	"a decimal number", "a string", "true or false", "an array [ ... ]",
	"a list ( ... )"
};

/*
 * What each risk level needs when a role's need table does not say:
 * production (and servers with no env, failing safe) wants approval for
 * critical; elsewhere critical needs a confirmation.  High always confirms.
 */
static const enum decision cfg_need_defaults[ENV_COUNT + 1][RISK_COUNT] = {
	[ENV_PRODUCTION] = { DECISION_ALLOW, DECISION_ALLOW, DECISION_CONFIRM,
			     DECISION_APPROVAL },
	[ENV_STAGING] = { DECISION_ALLOW, DECISION_ALLOW, DECISION_CONFIRM,
			  DECISION_CONFIRM },
	[ENV_DEVELOPMENT] = { DECISION_ALLOW, DECISION_ALLOW, DECISION_CONFIRM,
			      DECISION_CONFIRM },
	[ENV_NONE] = { DECISION_ALLOW, DECISION_ALLOW, DECISION_CONFIRM,
		       DECISION_APPROVAL },
};

static void cfg_error(struct cfg_load *, const config_setting_t *,
    const char *, ...) __attribute__((format(printf, 3, 4)));
static void cfg_parse_group(struct cfg_load *, const config_setting_t *,
    struct server_group *, const struct cfg_inherit *, int);

void
cfg_errors_add(struct cfg_errors *errs, const char *file, int line,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *full;

	if (errs == NULL)
		return;
	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (file != NULL && line > 0)
		full = xprintf("%s:%d: %s", file, line, msg);
	else if (file != NULL)
		full = xprintf("%s: %s", file, msg);
	else
		full = xstrdup(msg);
	free(msg);
	errs->msgs = xreallocarray(errs->msgs, errs->n + 1, sizeof *errs->msgs);
	errs->msgs[errs->n++] = full;
}

void
cfg_errors_clear(struct cfg_errors *errs)
{
	if (errs == NULL)
		return;
	strv_free(errs->msgs, errs->n);
	errs->msgs = NULL;
	errs->n = 0;
}

enum decision
cfg_default_need(enum env e, enum risk_level level)
{
	if ((int)e < 0 || e > ENV_NONE)
		e = ENV_NONE;
	if ((int)level < 0 || level >= RISK_COUNT)
		level = RISK_CRITICAL;
	return (cfg_need_defaults[e][level]);
}

/* The copy of a file name kept in cfg->paths (added on first use). */
static const char *
cfg_intern(struct omv_config *cfg, const char *path)
{
	size_t	i;

	for (i = 0; i < cfg->npaths; i++) {
		if (strcmp(cfg->paths[i], path) == 0)
			return (cfg->paths[i]);
	}
	cfg->paths = xreallocarray(cfg->paths, cfg->npaths + 1,
	    sizeof *cfg->paths);
	cfg->paths[cfg->npaths] = xstrdup(path);
	return (cfg->paths[cfg->npaths++]);
}

/* The name of a file libconfig reports, resolved as libconfig opened it. */
static const char *
cfg_source(struct cfg_load *cl, const char *file)
{
	const char	*out;
	char		*joined;

	if (file == NULL)
		return (cfg_intern(cl->cfg, cl->name));
	if (*file == '/' || cl->incdir == NULL || strcmp(cl->incdir, ".") == 0)
		return (cfg_intern(cl->cfg, file));
	joined = xprintf("%s/%s", cl->incdir, file);
	out = cfg_intern(cl->cfg, joined);
	free(joined);
	return (out);
}

/* The file a setting came from (the main file or an @include). */
static const char *
cfg_file_of(struct cfg_load *cl, const config_setting_t *s)
{
	return (cfg_source(cl, s != NULL ? config_setting_source_file(s) :
	    NULL));
}

/* Report a problem at setting s as "file:line: ...". */
static void
cfg_error(struct cfg_load *cl, const config_setting_t *s, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	cfg_errors_add(cl->errs, cfg_file_of(cl, s),
	    s != NULL ? (int)config_setting_source_line(s) : 0, "%s", msg);
	free(msg);
}

/* A setting's type as a reader would say it. */
static const char *
cfg_type_name(const config_setting_t *s)
{
	int	t = config_setting_type(s);

	if (t < 0 ||
	    (size_t)t >= sizeof cfg_type_names / sizeof *cfg_type_names)
		return ("something else");
	return (cfg_type_names[t]);
}

/* The name to use for s in a message: its own, or "element" in a list. */
static const char *
cfg_name(const config_setting_t *s)
{
	const char	*n = config_setting_name(s);

	return (n != NULL ? n : "element");
}

/* Is name in the NULL-terminated list? */
static bool
cfg_in_list(const char *name, const char **list)
{
	for (; *list != NULL; list++) {
		if (strcmp(name, *list) == 0)
			return (true);
	}
	return (false);
}

/* Report every member of group g whose name is not in known. */
static void
cfg_check_keys(struct cfg_load *cl, const config_setting_t *g,
    const char *where, const char **known)
{
	const config_setting_t	*m;
	int			 i, n;

	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(g, (unsigned int)i);
		if (m->name != NULL && !cfg_in_list(m->name, known))
			cfg_error(cl, m, "unknown setting '%s' in %s", m->name,
			    where);
	}
}

/* Is s a group?  Report it if not. */
static bool
cfg_want_group(struct cfg_load *cl, const config_setting_t *s,
    const char *where)
{
	if (config_setting_is_group(s))
		return (true);
	cfg_error(cl, s, "%s%s%s must be a group { ... }, not %s",
	    CFG_WHERE(where), cfg_name(s), cfg_type_name(s));
	return (false);
}

/* Is s a list (an empty array [] counts too)?  Report it if not. */
static bool
cfg_want_list(struct cfg_load *cl, const config_setting_t *s,
    const char *where)
{
	if (config_setting_is_list(s) ||
	    (config_setting_is_array(s) && config_setting_length(s) == 0))
		return (true);
	cfg_error(cl, s, "%s%s%s must be a list ( ... ), not %s",
	    CFG_WHERE(where), cfg_name(s), cfg_type_name(s));
	return (false);
}

/* A non-empty string setting: a copy in *out (the old value freed). */
static int
cfg_get_string(struct cfg_load *cl, const config_setting_t *s,
    const char *where, char **out)
{
	const char	*v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		cfg_error(cl, s, "%s%s%s must be a string, not %s",
		    CFG_WHERE(where), cfg_name(s), cfg_type_name(s));
		return (-1);
	}
	v = config_setting_get_string(s);
	if (v == NULL || *v == '\0') {
		cfg_error(cl, s, "%s%s%s must not be empty", CFG_WHERE(where),
		    cfg_name(s));
		return (-1);
	}
	free(*out);
	*out = xstrdup(v);
	return (0);
}

/* A path: "~" and "~/..." are the home directory. */
static char *
cfg_expand_path(const char *p)
{
	if (strcmp(p, "~") == 0)
		return (xstrdup(home_dir()));
	if (strncmp(p, "~/", 2) == 0)
		return (xprintf("%s/%s", home_dir(), p + 2));
	return (xstrdup(p));
}

/* A path setting, expanded. */
static int
cfg_get_path(struct cfg_load *cl, const config_setting_t *s, const char *where,
    char **out)
{
	char	*v = NULL;

	if (cfg_get_string(cl, s, where, &v) != 0)
		return (-1);
	free(*out);
	*out = cfg_expand_path(v);
	free(v);
	return (0);
}

/* An integer setting within [min, max]. */
static int
cfg_get_int(struct cfg_load *cl, const config_setting_t *s, const char *where,
    long long min, long long max, int *out)
{
	long long	v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64) {
		cfg_error(cl, s, "%s%s%s must be a number, not %s",
		    CFG_WHERE(where), cfg_name(s), cfg_type_name(s));
		return (-1);
	}
	v = config_setting_get_int64(s);
	if (v < min || v > max) {
		cfg_error(cl, s, "%s%s%s %lld is out of range (%lld-%lld)",
		    CFG_WHERE(where), cfg_name(s), v, min, max);
		return (-1);
	}
	*out = (int)v;
	return (0);
}

/* A boolean setting. */
static int
cfg_get_bool(struct cfg_load *cl, const config_setting_t *s, const char *where,
    bool *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_error(cl, s, "%s%s%s must be true or false, not %s",
		    CFG_WHERE(where), cfg_name(s), cfg_type_name(s));
		return (-1);
	}
	*out = config_setting_get_bool(s) != 0;
	return (0);
}

/*
 * A list of non-empty strings, written as an array ["a", "b"] or a list
 * ("a", "b").  Appended to *v; bad elements are reported and left out.
 */
static int
cfg_get_strings(struct cfg_load *cl, const config_setting_t *s,
    const char *where, char ***v, size_t *n)
{
	const config_setting_t	*e;
	const char		*str;
	int			 i, len, rc = 0;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		cfg_error(cl, s, "%s%s%s must be an array of strings [ ... ], "
		    "not %s", CFG_WHERE(where), cfg_name(s), cfg_type_name(s));
		return (-1);
	}
	len = config_setting_length(s);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			cfg_error(cl, e, "%s%s%s must hold strings, not %s",
			    CFG_WHERE(where), cfg_name(s), cfg_type_name(e));
			rc = -1;
			continue;
		}
		str = config_setting_get_string(e);
		if (str == NULL || *str == '\0') {
			cfg_error(cl, e, "%s%s%s holds an empty string",
			    CFG_WHERE(where), cfg_name(s));
			rc = -1;
			continue;
		}
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[(*n)++] = xstrdup(str);
	}
	return (rc);
}

/* The element of list s holding the string v (for its line), else s. */
static const config_setting_t *
cfg_elem_of(const config_setting_t *s, const char *v)
{
	const config_setting_t	*e;
	const char		*str;
	int			 i, n;

	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) == CONFIG_TYPE_STRING &&
		    (str = config_setting_get_string(e)) != NULL &&
		    strcmp(str, v) == 0)
			return (e);
	}
	return (s);
}

/* An env name (production, staging, development, or prod/stage/dev). */
static int
cfg_get_env(struct cfg_load *cl, const config_setting_t *s, const char *where,
    enum env *out)
{
	char	*v = NULL;
	int	 rc = 0;

	if (cfg_get_string(cl, s, where, &v) != 0)
		return (-1);
	if (env_parse(v, out) != 0) {
		cfg_error(cl, s, "%s: unknown env '%s' (production, staging, "
		    "development)", where, v);
		rc = -1;
	}
	free(v);
	return (rc);
}

/*
 * Names of servers, groups, roles and tags: letters, digits and . _ - + @,
 * not starting with '-' (it would read as an option on the command line).
 * '/' separates group paths and ':' selector kinds, so neither is allowed.
 */
static bool
cfg_valid_name(const char *s)
{
	const char	*p;

	if (*s == '\0' || *s == '-')
		return (false);
	for (p = s; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr("._-+@", *p) == NULL)
			return (false);
	}
	return (true);
}

/* A name setting, checked with cfg_valid_name. */
static int
cfg_get_name(struct cfg_load *cl, const config_setting_t *s, const char *where,
    char **out)
{
	char	*v = NULL;

	if (cfg_get_string(cl, s, where, &v) != 0)
		return (-1);
	if (!cfg_valid_name(v)) {
		cfg_error(cl, s, "%s: bad name '%s': use letters, digits and "
		    ". _ - + @ (not starting with -)", where, v);
		free(v);
		return (-1);
	}
	free(*out);
	*out = v;
	return (0);
}

/* Set one option of a table to its default. */
static void
cfg_option_default(struct omv_config *cfg, const struct cfg_option *o)
{
	char	*field = (char *)cfg + o->offset;

	switch (o->type) {
	case CFG_OPT_STRING:
	case CFG_OPT_KEY:
	case CFG_OPT_UNIX_GROUP:
		*(char **)field = o->defstr != NULL ? xstrdup(o->defstr) : NULL;
		break;
	case CFG_OPT_PATH:
		*(char **)field = o->defstr != NULL ?
		    cfg_expand_path(o->defstr) : NULL;
		break;
	case CFG_OPT_INT:
		*(int *)field = (int)o->defnum;
		break;
	case CFG_OPT_BOOL:
		*(bool *)field = o->defnum != 0;
		break;
	case CFG_OPT_AUDIT_LEVEL:
		*(enum audit_level *)field = (enum audit_level)o->defnum;
		break;
	case CFG_OPT_CIDRS:
	case CFG_OPT_KEYS:
		break;
	}
}

/* ui.keys: ( { table = "prefix"; key = "%"; command = "split-h"; }, ... ). */
static void
cfg_parse_keys(struct cfg_load *cl, const config_setting_t *s)
{
	struct ui_config	*ui = &cl->cfg->ui;
	struct key_binding	*kb;
	const config_setting_t	*e, *m;
	char			*where, *cause;
	int			 i, n;

	if (!cfg_want_list(cl, s, "ui"))
		return;
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		where = xprintf("ui.keys[%d]", i);
		if (!cfg_want_group(cl, e, where)) {
			free(where);
			continue;
		}
		cfg_check_keys(cl, e, where, cfg_key_keys);
		ui->keys = xreallocarray(ui->keys, ui->nkeys + 1,
		    sizeof *ui->keys);
		kb = &ui->keys[ui->nkeys++];
		memset(kb, 0, sizeof *kb);
		kb->line = (int)config_setting_source_line(e);
		if ((m = config_setting_get_member(e, "table")) != NULL)
			cfg_get_string(cl, m, where, &kb->table);
		if (kb->table == NULL)
			kb->table = xstrdup("prefix");
		if ((m = config_setting_get_member(e, "key")) != NULL)
			cfg_get_string(cl, m, where, &kb->key);
		else
			cfg_error(cl, e, "%s: missing key", where);
		if ((m = config_setting_get_member(e, "command")) == NULL)
			cfg_error(cl, e, "%s: missing command", where);
		else if (config_setting_type(m) != CONFIG_TYPE_STRING) {
			cfg_error(cl, m, "%s: command must be a string, not %s",
			    where, cfg_type_name(m));
		} else {
			/* "" (or "none") unbinds a default. */
			kb->command = xstrdup(config_setting_get_string(m));
		}
		cause = NULL;
		if (kb->key != NULL && kb->command != NULL &&
		    keymap_check(kb, &cause) != 0) {
			cfg_error(cl, e, "%s: %s", where, cause);
			free(cause);
		}
		free(where);
	}
}

/* Parse one option of a table into its field. */
static void
cfg_option_parse(struct cfg_load *cl, const struct cfg_option *o,
    const config_setting_t *s, const char *where)
{
	struct omv_config	*cfg = cl->cfg;
	char			*field = (char *)cfg + o->offset;
	const config_setting_t	*e;
	char			***vp, *v = NULL;
	size_t			*np;
	uint32_t		 key;
	int			 i, n;

	switch (o->type) {
	case CFG_OPT_STRING:
		cfg_get_string(cl, s, where, (char **)field);
		break;
	case CFG_OPT_PATH:
		cfg_get_path(cl, s, where, (char **)field);
		break;
	case CFG_OPT_INT:
		cfg_get_int(cl, s, where, o->min, o->max, (int *)field);
		break;
	case CFG_OPT_BOOL:
		cfg_get_bool(cl, s, where, (bool *)field);
		break;
	case CFG_OPT_AUDIT_LEVEL:
		if (cfg_get_string(cl, s, where, &v) != 0)
			break;
		if (audit_level_parse(v, (enum audit_level *)field) != 0) {
			cfg_error(cl, s, "%s: unknown audit level '%s' (basic, "
			    "detailed, comprehensive)", where, v);
		}
		free(v);
		break;
	case CFG_OPT_KEY:
		if (cfg_get_string(cl, s, where, &v) != 0)
			break;
		if (keymap_key_parse(v, &key) != 0) {
			cfg_error(cl, s, "%s: %s: unknown key '%s'", where,
			    o->name, v);
			free(v);
			break;
		}
		free(*(char **)field);
		*(char **)field = v;
		break;
	case CFG_OPT_UNIX_GROUP:
		if (cfg_get_string(cl, s, where, &v) != 0)
			break;
		if (getgrnam(v) == NULL) {
			cfg_error(cl, s, "%s: %s '%s' is not a Unix group on "
			    "this host", where, o->name, v);
			free(v);
			break;
		}
		free(*(char **)field);
		*(char **)field = v;
		break;
	case CFG_OPT_CIDRS:
		vp = (char ***)field;
		np = (size_t *)((char *)cfg + o->count);
		strv_free(*vp, *np);
		*vp = NULL;
		*np = 0;
		if (cfg_get_strings(cl, s, where, vp, np) != 0 &&
		    !config_setting_is_aggregate(s))
			break;
		n = config_setting_length(s);
		for (i = 0; i < n; i++) {
			e = config_setting_get_elem(s, (unsigned int)i);
			if (config_setting_type(e) != CONFIG_TYPE_STRING ||
			    *config_setting_get_string(e) == '\0' ||
			    client_entry_valid(config_setting_get_string(e)))
				continue;
			cfg_error(cl, e, "%s: %s: bad address '%s' (an IP "
			    "address, a network like 10.0.0.0/8, or \"local\")", where,
			    o->name, config_setting_get_string(e));
		}
		break;
	case CFG_OPT_KEYS:
		cfg_parse_keys(cl, s);
		break;
	}
}

/* A simple section: every member must be one of its table's options. */
static void
cfg_parse_section(struct cfg_load *cl, const config_setting_t *s,
    const char *name, const struct cfg_option *options)
{
	const struct cfg_option	*o;
	const config_setting_t	*m;
	int			 i, n;

	if (!cfg_want_group(cl, s, NULL))
		return;
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(s, (unsigned int)i);
		for (o = options; o->name != NULL; o++) {
			if (strcmp(o->name, m->name) == 0)
				break;
		}
		if (o->name == NULL) {
			cfg_error(cl, m, "unknown setting '%s' in %s", m->name,
			    name);
			continue;
		}
		cfg_option_parse(cl, o, m, name);
	}
}

/* A fresh config holding every default. */
static struct omv_config *
cfg_new(void)
{
	struct omv_config	*cfg;
	const struct cfg_option	*o;
	size_t			 i;

	cfg = xcalloc(1, sizeof *cfg);
	cfg->root = xcalloc(1, sizeof *cfg->root);
	cfg->root->name = xstrdup("");
	cfg->root->path = xstrdup("");
	for (i = 0; i < CFG_NSECTIONS; i++) {
		for (o = cfg_sections[i].options; o->name != NULL; o++)
			cfg_option_default(cfg, o);
	}
	return (cfg);
}

/* Copy what a group hands down. */
static void
cfg_inherit_copy(struct cfg_inherit *dst, const struct cfg_inherit *src)
{
	size_t	i;

	dst->user = src->user != NULL ? xstrdup(src->user) : NULL;
	dst->port = src->port;
	dst->identity = src->identity != NULL ? xstrdup(src->identity) : NULL;
	dst->env = src->env;
	dst->ntags = src->ntags;
	dst->tags = src->ntags != 0 ?
	    xcalloc(src->ntags, sizeof *dst->tags) : NULL;
	for (i = 0; i < src->ntags; i++)
		dst->tags[i] = xstrdup(src->tags[i]);
}

/* Free what cfg_inherit_copy made. */
static void
cfg_inherit_free(struct cfg_inherit *in)
{
	free(in->user);
	free(in->identity);
	strv_free(in->tags, in->ntags);
	memset(in, 0, sizeof *in);
}

/* Add a tag unless it is there already (tags accumulate down the tree). */
static void
cfg_add_tag(char ***tags, size_t *ntags, const char *tag)
{
	size_t	i;

	for (i = 0; i < *ntags; i++) {
		if (strcmp((*tags)[i], tag) == 0)
			return;
	}
	*tags = xreallocarray(*tags, *ntags + 1, sizeof **tags);
	(*tags)[(*ntags)++] = xstrdup(tag);
}

/*
 * The settings groups and servers share (user, port, identity, env, tags):
 * each one present overrides what was inherited; tags are added.
 */
static void
cfg_parse_common(struct cfg_load *cl, const config_setting_t *s,
    const char *where, struct cfg_inherit *in)
{
	const config_setting_t	*m, *e;
	char			**tags = NULL;
	size_t			  ntags = 0, i;

	if ((m = config_setting_get_member(s, "user")) != NULL)
		cfg_get_string(cl, m, where, &in->user);
	if ((m = config_setting_get_member(s, "port")) != NULL)
		cfg_get_int(cl, m, where, 1, 65535, &in->port);
	if ((m = config_setting_get_member(s, "identity")) != NULL)
		cfg_get_path(cl, m, where, &in->identity);
	if ((m = config_setting_get_member(s, "env")) != NULL)
		cfg_get_env(cl, m, where, &in->env);
	if ((m = config_setting_get_member(s, "tags")) != NULL) {
		cfg_get_strings(cl, m, where, &tags, &ntags);
		for (i = 0; i < ntags; i++) {
			if (!cfg_valid_name(tags[i])) {
				e = config_setting_get_elem(m, (unsigned int)i);
				cfg_error(cl, e != NULL ? e : m, "%s: bad tag "
				    "'%s': use letters, digits and . _ - + @",
				    where, tags[i]);
				continue;
			}
			cfg_add_tag(&in->tags, &in->ntags, tags[i]);
		}
		strv_free(tags, ntags);
	}
}

/* Append a server to the config and to its group. */
static struct server *
cfg_add_server(struct omv_config *cfg, struct server_group *g,
    const struct cfg_inherit *in, const char *name)
{
	struct server	*sv;
	size_t		 i;

	sv = xcalloc(1, sizeof *sv);
	sv->name = xstrdup(name);
	sv->port = in->port;
	sv->user = in->user != NULL ? xstrdup(in->user) : NULL;
	sv->identity = in->identity != NULL ? xstrdup(in->identity) : NULL;
	sv->env = in->env;
	sv->ntags = in->ntags;
	sv->tags = in->ntags != 0 ? xcalloc(in->ntags, sizeof *sv->tags) : NULL;
	for (i = 0; i < in->ntags; i++)
		sv->tags[i] = xstrdup(in->tags[i]);
	sv->group = xstrdup(g->path);
	sv->index = cfg->nservers;
	cfg->servers = xreallocarray(cfg->servers, cfg->nservers + 1,
	    sizeof *cfg->servers);
	cfg->servers[cfg->nservers++] = sv;
	g->servers = xreallocarray(g->servers, g->nservers + 1,
	    sizeof *g->servers);
	g->servers[g->nservers++] = sv;
	return (sv);
}

/* One server { name; host; port; ... } of group g. */
static void
cfg_parse_server(struct cfg_load *cl, const config_setting_t *s,
    struct server_group *g, const struct cfg_inherit *parent,
    const char *gwhere)
{
	struct cfg_inherit	 in;
	struct server		*sv;
	const config_setting_t	*m;
	char			*where, *name = NULL, *host = NULL;

	if (!config_setting_is_group(s)) {
		cfg_error(cl, s, "%s: each server must be a group { ... }, "
		    "not %s", gwhere, cfg_type_name(s));
		return;
	}
	if ((m = config_setting_get_member(s, "name")) != NULL)
		cfg_get_name(cl, m, "server", &name);
	else
		cfg_error(cl, s, "%s: a server without a name", gwhere);
	where = name != NULL ? xprintf("server '%s'", name) :
	    xprintf("a server in %s", gwhere);
	cfg_check_keys(cl, s, where, cfg_server_keys);

	cfg_inherit_copy(&in, parent);
	cfg_parse_common(cl, s, where, &in);
	if ((m = config_setting_get_member(s, "host")) != NULL) {
		if (cfg_get_string(cl, m, where, &host) == 0 &&
		    strpbrk(host, " \t\r\n") != NULL) {
			cfg_error(cl, m, "%s: host '%s' has white space in it",
			    where, host);
		}
	} else
		cfg_error(cl, s, "%s: missing host", where);

	if (name != NULL) {
		sv = cfg_add_server(cl->cfg, g, &in, name);
		sv->host = host;
		host = NULL;
		sv->file = cfg_file_of(cl, s);
		sv->line = (int)config_setting_source_line(s);
	}
	cfg_inherit_free(&in);
	free(host);
	free(name);
	free(where);
}

/* Compare names, then definition order, for finding duplicates. */
static int
cfg_named_cmp(const void *a, const void *b)
{
	const struct cfg_named	*x = a, *y = b;
	int			 c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return (c);
	return (x->order < y->order ? -1 : x->order > y->order);
}

/* Report every name defined more than once, naming both places. */
static void
cfg_report_dups(struct cfg_load *cl, struct cfg_named *v, size_t n,
    const char *what)
{
	size_t	i, first = 0;

	if (n < 2)
		return;
	qsort(v, n, sizeof *v, cfg_named_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i].name, v[first].name) != 0) {
			first = i;
			continue;
		}
		cfg_errors_add(cl->errs, v[i].file, v[i].line,
		    "%s '%s' is defined twice: here and at %s:%d", what,
		    v[i].name, v[first].file, v[first].line);
	}
}

/* The servers and groups lists of a group (or the root). */
static void
cfg_parse_members(struct cfg_load *cl, const config_setting_t *s,
    struct server_group *g, const struct cfg_inherit *in, int depth,
    const char *where)
{
	const config_setting_t	*m;
	struct cfg_named	*v;
	size_t			 i;
	int			 n, j;

	if ((m = config_setting_get_member(s, "servers")) != NULL &&
	    cfg_want_list(cl, m, where)) {
		n = config_setting_length(m);
		for (j = 0; j < n; j++) {
			cfg_parse_server(cl, config_setting_get_elem(m,
			    (unsigned int)j), g, in, where);
		}
	}
	if ((m = config_setting_get_member(s, "groups")) == NULL ||
	    !cfg_want_list(cl, m, where))
		return;
	if (depth >= CFG_MAX_DEPTH && config_setting_length(m) != 0) {
		cfg_error(cl, m, "%s: groups nest more than %d deep", where,
		    CFG_MAX_DEPTH);
		return;
	}
	n = config_setting_length(m);
	for (j = 0; j < n; j++) {
		cfg_parse_group(cl, config_setting_get_elem(m, (unsigned int)j),
		    g, in, depth + 1);
	}
	v = xcalloc(g->ngroups + 1, sizeof *v);
	for (i = 0; i < g->ngroups; i++) {
		v[i].name = g->groups[i]->path;
		v[i].file = cfg_file_of(cl, m);
		v[i].line = g->groups[i]->line;
		v[i].order = i;
	}
	cfg_report_dups(cl, v, g->ngroups, "group");
	free(v);
}

/* Add an empty group named name under parent. */
static struct server_group *
cfg_add_group(struct omv_config *cfg, struct server_group *parent,
    const char *name, int line)
{
	struct server_group	*g;

	g = xcalloc(1, sizeof *g);
	g->name = xstrdup(name);
	if (*parent->path == '\0')
		g->path = xstrdup(name);
	else
		g->path = xprintf("%s/%s", parent->path, name);
	g->parent = parent;
	g->line = line;
	parent->groups = xreallocarray(parent->groups, parent->ngroups + 1,
	    sizeof *parent->groups);
	parent->groups[parent->ngroups++] = g;
	cfg->ngroups++;
	return (g);
}

/* One group { name; defaults; servers = (...); groups = (...); }. */
static void
cfg_parse_group(struct cfg_load *cl, const config_setting_t *s,
    struct server_group *parent, const struct cfg_inherit *pin, int depth)
{
	struct server_group	*g;
	struct cfg_inherit	 in;
	const config_setting_t	*m;
	const char		*pwhere;
	char			*where, *name = NULL;

	pwhere = *parent->path != '\0' ? parent->path : "servers";
	if (!config_setting_is_group(s)) {
		cfg_error(cl, s, "group '%s': each group must be a group "
		    "{ ... }, not %s", pwhere, cfg_type_name(s));
		return;
	}
	if ((m = config_setting_get_member(s, "name")) != NULL)
		cfg_get_name(cl, m, "group", &name);
	else
		cfg_error(cl, s, "a group without a name in '%s'", pwhere);
	if (name == NULL)
		name = xprintf("#%u", config_setting_source_line(s));
	g = cfg_add_group(cl->cfg, parent, name,
	    (int)config_setting_source_line(s));
	free(name);

	where = xprintf("group '%s'", g->path);
	cfg_check_keys(cl, s, where, cfg_group_keys);
	cfg_inherit_copy(&in, pin);
	cfg_parse_common(cl, s, where, &in);
	cfg_parse_members(cl, s, g, &in, depth, where);
	cfg_inherit_free(&in);
	free(where);
}

/* Is there a server of this name already? */
static bool
cfg_has_server(const struct omv_config *cfg, const char *name)
{
	return (cfg_find_server(cfg, name) != NULL);
}

/*
 * With ssh_config = true, the concrete hosts of ~/.ssh/config join the tree
 * as the group "ssh_config" under the root, resolved by libssh.  A host
 * whose alias is already a server (the omv entry wins) or is not a valid
 * server name is left out, so a user's ssh config never breaks omv.
 */
static void
cfg_import_ssh(struct cfg_load *cl, const config_setting_t *where_set,
    const struct cfg_inherit *root)
{
	struct omv_config	*cfg = cl->cfg;
	struct cfg_ssh_host	*hosts;
	struct cfg_inherit	 in;
	struct server_group	*g = NULL;
	struct server		*sv;
	char			*path, *cause = NULL;
	size_t			 nhosts, i;

	for (i = 0; i < cfg->root->ngroups; i++) {
		if (strcmp(cfg->root->groups[i]->name, CFG_SSH_GROUP) == 0) {
			cfg_error(cl, where_set, "ssh_config: a top-level "
			    "group is already named '%s'", CFG_SSH_GROUP);
			return;
		}
	}
	path = xprintf("%s/.ssh/config", home_dir());
	if (cfg_ssh_hosts(path, &hosts, &nhosts, &cause) != 0) {
		cfg_error(cl, where_set, "ssh_config: %s", cause);
		free(cause);
		free(path);
		return;
	}
	for (i = 0; i < nhosts; i++) {
		if (!cfg_valid_name(hosts[i].name) ||
		    cfg_has_server(cfg, hosts[i].name)) {
			log_debug("%s: %s:%d: skipping %s", __func__,
			    hosts[i].file, hosts[i].line, hosts[i].name);
			continue;
		}
		if (g == NULL)
			g = cfg_add_group(cfg, cfg->root, CFG_SSH_GROUP, 0);
		cfg_inherit_copy(&in, root);
		in.port = hosts[i].port;
		if (hosts[i].user != NULL) {
			free(in.user);
			in.user = xstrdup(hosts[i].user);
		}
		if (hosts[i].identity != NULL) {
			free(in.identity);
			in.identity = xstrdup(hosts[i].identity);
		}
		sv = cfg_add_server(cfg, g, &in, hosts[i].name);
		sv->host = xstrdup(hosts[i].host);
		sv->file = cfg_intern(cfg, hosts[i].file);
		sv->line = hosts[i].line;
		cfg_inherit_free(&in);
	}
	cfg_ssh_hosts_free(hosts, nhosts);
	free(path);
}

/*
 * The servers section: the root group { defaults; servers; groups }, or
 * simply a list of servers.  Then ~/.ssh/config's hosts if asked, then the
 * check that every server name is unique.
 */
static void
cfg_parse_servers(struct cfg_load *cl, const config_setting_t *s,
    const config_setting_t *ssh)
{
	struct omv_config	*cfg = cl->cfg;
	struct cfg_inherit	 root;
	struct cfg_named	*v;
	struct server		*sv;
	size_t			 i;
	int			 j, n;

	memset(&root, 0, sizeof root);
	root.port = 22;
	root.env = ENV_NONE;
	if (s != NULL) {
		cfg->root->line = (int)config_setting_source_line(s);
		if (config_setting_is_group(s)) {
			cfg_check_keys(cl, s, "servers", cfg_root_keys);
			cfg_parse_common(cl, s, "servers", &root);
			cfg_parse_members(cl, s, cfg->root, &root, 0,
			    "servers");
		} else if (cfg_want_list(cl, s, NULL)) {
			n = config_setting_length(s);
			for (j = 0; j < n; j++) {
				cfg_parse_server(cl, config_setting_get_elem(s,
				    (unsigned int)j), cfg->root, &root,
				    "servers");
			}
		}
	}

	v = xcalloc(cfg->nservers + 1, sizeof *v);
	for (i = 0; i < cfg->nservers; i++) {
		sv = cfg->servers[i];
		v[i].name = sv->name;
		v[i].file = sv->file;
		v[i].line = sv->line;
		v[i].order = i;
	}
	cfg_report_dups(cl, v, cfg->nservers, "server");
	free(v);

	if (cfg->ssh_config)
		cfg_import_ssh(cl, ssh, &root);
	cfg_inherit_free(&root);
}

/* Is there a group with this path? */
static bool
cfg_has_group(const struct server_group *g, const char *path)
{
	size_t	i;

	if (strcmp(g->path, path) == 0)
		return (true);
	for (i = 0; i < g->ngroups; i++) {
		if (cfg_has_group(g->groups[i], path))
			return (true);
	}
	return (false);
}

/* Parse "sun".."sat" (or the full name) of len bytes into 0..6. */
static int
cfg_day_parse(const char *s, size_t len, int *day)
{
	static const char	*names[] = {
		"sunday", "monday", "tuesday", "wednesday", "thursday",
		"friday", "saturday"
	};
	int			 i;

	for (i = 0; i < 7; i++) {
		if ((len == 3 || len == strlen(names[i])) &&
		    strncasecmp(s, names[i], len) == 0) {
			*day = i;
			return (0);
		}
	}
	return (-1);
}

/* Days: "daily", "*", or a comma list of days and ranges (ranges wrap). */
static int
cfg_days_parse(const char *s, uint8_t *days, char **cause)
{
	const char	*p = s, *item, *dash;
	size_t		 len;
	int		 a, b;

	*days = 0;
	if (strcasecmp(s, "daily") == 0 || strcmp(s, "*") == 0) {
		*days = 0x7f;
		return (0);
	}
	while (*p != '\0') {
		item = p;
		len = strcspn(p, ",");
		p += len;
		if (*p == ',')
			p++;
		dash = memchr(item, '-', len);
		if (len == 0) {
			*cause = xstrdup("empty day in the list");
			return (-1);
		}
		if (cfg_day_parse(item, dash != NULL ? (size_t)(dash - item) :
		    len, &a) != 0) {
			*cause = xprintf("unknown day '%.*s'", dash != NULL ?
			    (int)(dash - item) : (int)len, item);
			return (-1);
		}
		b = a;
		if (dash != NULL && cfg_day_parse(dash + 1,
		    len - (size_t)(dash - item) - 1, &b) != 0) {
			*cause = xprintf("unknown day '%.*s'",
			    (int)(len - (size_t)(dash - item) - 1), dash + 1);
			return (-1);
		}
		for (;;) {
			*days |= (uint8_t)(1u << a);
			if (a == b)
				break;
			a = (a + 1) % 7;
		}
	}
	return (0);
}

/* "HH:MM" into minutes; 24:00 only when allow24. */
static int
cfg_hhmm_parse(const char *s, size_t len, bool allow24, int *min,
    char **cause)
{
	int	h, m;

	if ((len != 4 && len != 5) || s[len - 3] != ':' ||
	    !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[len - 2]) ||
	    !isdigit((unsigned char)s[len - 1]) ||
	    (len == 5 && !isdigit((unsigned char)s[1]))) {
		*cause = xprintf("bad time '%.*s' (HH:MM)", (int)len, s);
		return (-1);
	}
	h = len == 5 ? (s[0] - '0') * 10 + (s[1] - '0') : s[0] - '0';
	m = (s[len - 2] - '0') * 10 + (s[len - 1] - '0');
	if (m > 59 || h > 24 || (h == 24 && (m != 0 || !allow24))) {
		*cause = xprintf("time '%.*s' is out of range", (int)len, s);
		return (-1);
	}
	*min = h * 60 + m;
	return (0);
}

/* Does the time zone exist in the zoneinfo database ($TZDIR too)? */
static bool
cfg_zone_exists(const char *tz)
{
	struct stat	 st;
	const char	*dir;
	char		*path;
	bool		 ok;

	if (*tz == '\0' || *tz == '/' || strstr(tz, "..") != NULL)
		return (false);
	if ((dir = getenv("TZDIR")) == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	path = xprintf("%s/%s", dir, tz);
	ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return (ok);
}

/*
 * A weekly window: "DAYS [HH:MM-HH:MM] [ZONE]" or "HH:MM-HH:MM [ZONE]".
 * Days alone mean all day; an end before the start runs past midnight.
 */
static int
cfg_window_parse(const char *text, struct time_window *tw, char **cause)
{
	char	*copy, *tok[4], *p, *dash, *last = NULL;
	int	 n = 0, i = 0, rc = -1;

	memset(tw, 0, sizeof tw[0]);
	copy = xstrdup(text);
	for (p = strtok_r(copy, " \t", &last); p != NULL;
	    p = strtok_r(NULL, " \t", &last)) {
		if (n == 3) {
			*cause = xprintf("too many words (DAYS HH:MM-HH:MM "
			    "ZONE)");
			goto out;
		}
		tok[n++] = p;
	}
	if (n == 0) {
		*cause = xstrdup("empty");
		goto out;
	}
	tw->days = 0x7f;
	tw->start_min = 0;
	tw->end_min = 1440;
	if (!isdigit((unsigned char)tok[0][0])) {
		if (cfg_days_parse(tok[0], &tw->days, cause) != 0)
			goto out;
		i++;
	}
	if (i < n && isdigit((unsigned char)tok[i][0])) {
		if ((dash = strchr(tok[i], '-')) == NULL) {
			*cause = xprintf("bad hours '%s' (HH:MM-HH:MM)",
			    tok[i]);
			goto out;
		}
		if (cfg_hhmm_parse(tok[i], (size_t)(dash - tok[i]), false,
		    &tw->start_min, cause) != 0 ||
		    cfg_hhmm_parse(dash + 1, strlen(dash + 1), true,
		    &tw->end_min, cause) != 0)
			goto out;
		if (tw->end_min == tw->start_min) {
			*cause = xprintf("hours '%s' are empty", tok[i]);
			goto out;
		}
		i++;
	}
	if (i < n) {
		if (!cfg_zone_exists(tok[i])) {
			*cause = xprintf("unknown time zone '%s'", tok[i]);
			goto out;
		}
		tw->tz = xstrdup(tok[i]);
		i++;
	}
	if (i < n) {
		*cause = xprintf("unexpected '%s'", tok[i]);
		free(tw->tz);
		tw->tz = NULL;
		goto out;
	}
	tw->text = xstrdup(text);
	rc = 0;
out:
	free(copy);
	return (rc);
}

/*
 * One column of role.need, { high = "approval"; ... }: into every env for
 * `default`, else into the env it names ("none": servers with no env).
 */
static void
cfg_parse_need_column(struct cfg_load *cl, const config_setting_t *col,
    const char *where, struct role *r)
{
	const config_setting_t	*m;
	enum decision		 d;
	enum risk_level		 level;
	enum env		 e, first, last;
	const char		*v;
	char			*w;
	int			 j, n;

	if (strcmp(col->name, "default") == 0) {
		first = ENV_PRODUCTION;
		last = ENV_NONE;
	} else if (strcmp(col->name, "none") == 0)
		first = last = ENV_NONE;
	else if (env_parse(col->name, &first) == 0)
		last = first;
	else
		return;		/* reported as an unknown setting */

	w = xprintf("%s need.%s", where, col->name);
	if (!cfg_want_group(cl, col, w)) {
		free(w);
		return;
	}
	cfg_check_keys(cl, col, w, cfg_level_keys);
	n = config_setting_length(col);
	for (j = 0; j < n; j++) {
		m = config_setting_get_elem(col, (unsigned int)j);
		if (!cfg_in_list(m->name, cfg_level_keys) ||
		    risk_level_parse(m->name, &level) != 0)
			continue;
		if (config_setting_type(m) != CONFIG_TYPE_STRING) {
			cfg_error(cl, m, "%s: %s must be a string, not %s", w,
			    m->name, cfg_type_name(m));
			continue;
		}
		v = config_setting_get_string(m);
		if (decision_parse(v, &d) != 0) {
			cfg_error(cl, m, "%s: %s: unknown decision '%s' "
			    "(allow, confirm, approval, deny)", w, m->name, v);
			continue;
		}
		for (e = first; e <= last; e++)
			r->need[e][level] = d;
	}
	free(w);
}

/* role.need: { default = { high = "confirm"; }; production = { ... }; }. */
static void
cfg_parse_need(struct cfg_load *cl, const config_setting_t *s,
    const char *where, struct role *r)
{
	const config_setting_t	*col;
	const char		**k;

	if (!cfg_want_group(cl, s, where))
		return;
	cfg_check_keys(cl, s, where, cfg_need_keys);
	/* default first, so the envs named override it. */
	if ((col = config_setting_get_member(s, "default")) != NULL)
		cfg_parse_need_column(cl, col, where, r);
	for (k = cfg_need_keys + 1; *k != NULL; k++) {
		if ((col = config_setting_get_member(s, *k)) != NULL)
			cfg_parse_need_column(cl, col, where, r);
	}
}

/* A role's server patterns: policy's syntax, and named groups must exist. */
static void
cfg_check_patterns(struct cfg_load *cl, const config_setting_t *s,
    const char *where, struct role *r)
{
	const config_setting_t	*e;
	const char		*p;
	char			*cause;
	size_t			 i;

	for (i = 0; i < r->nservers; i++) {
		p = r->servers[i];
		e = cfg_elem_of(s, p);
		cause = NULL;
		if (policy_server_pattern_check(p, &cause) != 0) {
			cfg_error(cl, e, "%s: %s", where, cause);
			free(cause);
			continue;
		}
		if (strncmp(p, "group:", 6) == 0 &&
		    strpbrk(p + 6, "*?[") == NULL &&
		    !cfg_has_group(cl->cfg->root, p + 6))
			cfg_error(cl, e, "%s: no group '%s'", where, p + 6);
	}
}

/* One role { name; servers; allow; deny; windows; need; approvers; ... }. */
static void
cfg_parse_role(struct cfg_load *cl, const config_setting_t *s, struct role *r)
{
	const config_setting_t	*m;
	char			**windows = NULL, *where, *v = NULL, *cause;
	size_t			  nwindows = 0, i;
	int			  l, env;

	for (env = 0; env <= ENV_NONE; env++) {
		for (l = 0; l < RISK_COUNT; l++)
			r->need[env][l] = cfg_need_defaults[env][l];
	}
	r->outside_window = DECISION_DENY;
	r->audit_level = cl->cfg->audit.level;
	r->file = cfg_file_of(cl, s);
	r->line = (int)config_setting_source_line(s);
	if (!config_setting_is_group(s)) {
		cfg_error(cl, s, "roles: each role must be a group { ... }, "
		    "not %s", cfg_type_name(s));
		return;
	}
	if ((m = config_setting_get_member(s, "name")) != NULL)
		cfg_get_name(cl, m, "role", &r->name);
	else
		cfg_error(cl, s, "roles: a role without a name");
	where = r->name != NULL ? xprintf("role '%s'", r->name) :
	    xprintf("the role at line %d", r->line);
	cfg_check_keys(cl, s, where, cfg_role_keys);

	if ((m = config_setting_get_member(s, "servers")) != NULL) {
		if (cfg_get_strings(cl, m, where, &r->servers,
		    &r->nservers) == 0)
			cfg_check_patterns(cl, m, where, r);
	} else {
		r->servers = xcalloc(1, sizeof *r->servers);
		r->servers[r->nservers++] = xstrdup("*");
	}
	if ((m = config_setting_get_member(s, "allow")) != NULL)
		cfg_get_strings(cl, m, where, &r->allow, &r->nallow);
	if ((m = config_setting_get_member(s, "deny")) != NULL)
		cfg_get_strings(cl, m, where, &r->deny, &r->ndeny);
	if ((m = config_setting_get_member(s, "approvers")) != NULL)
		cfg_get_strings(cl, m, where, &r->approvers, &r->napprovers);
	if ((m = config_setting_get_member(s, "windows")) != NULL &&
	    cfg_get_strings(cl, m, where, &windows, &nwindows) == 0) {
		r->windows = xcalloc(nwindows + 1, sizeof *r->windows);
		for (i = 0; i < nwindows; i++) {
			cause = NULL;
			if (cfg_window_parse(windows[i],
			    &r->windows[r->nwindows], &cause) == 0) {
				r->nwindows++;
				continue;
			}
			cfg_error(cl, cfg_elem_of(m, windows[i]), "%s: bad "
			    "time window '%s': %s", where, windows[i], cause);
			free(cause);
		}
	}
	strv_free(windows, nwindows);
	if ((m = config_setting_get_member(s, "outside_window")) != NULL &&
	    cfg_get_string(cl, m, where, &v) == 0) {
		if (strcasecmp(v, "deny") == 0)
			r->outside_window = DECISION_DENY;
		else if (strcasecmp(v, "approval") == 0)
			r->outside_window = DECISION_APPROVAL;
		else {
			cfg_error(cl, m, "%s: outside_window must be "
			    "\"deny\" or \"approval\", not '%s'", where, v);
		}
	}
	free(v);
	v = NULL;
	if ((m = config_setting_get_member(s, "audit_level")) != NULL &&
	    cfg_get_string(cl, m, where, &v) == 0 &&
	    audit_level_parse(v, &r->audit_level) != 0) {
		cfg_error(cl, m, "%s: unknown audit level '%s' (basic, "
		    "detailed, comprehensive)", where, v);
	}
	free(v);
	if ((m = config_setting_get_member(s, "need")) != NULL)
		cfg_parse_need(cl, m, where, r);
	free(where);
}

/* The roles list; then names unique and approvers naming real roles. */
static void
cfg_parse_roles(struct cfg_load *cl, const config_setting_t *s)
{
	struct omv_config	*cfg = cl->cfg;
	const config_setting_t	*m;
	struct cfg_named	*v;
	struct role		*r;
	size_t			 i, j, nv = 0;
	int			 n;

	cfg->has_roles = true;
	if (!cfg_want_list(cl, s, NULL))
		return;
	n = config_setting_length(s);
	cfg->roles = xcalloc((size_t)n + 1, sizeof *cfg->roles);
	for (i = 0; i < (size_t)n; i++) {
		cfg_parse_role(cl, config_setting_get_elem(s, (unsigned int)i),
		    &cfg->roles[i]);
		cfg->nroles++;
	}

	v = xcalloc(cfg->nroles + 1, sizeof *v);
	for (i = 0; i < cfg->nroles; i++) {
		if (cfg->roles[i].name == NULL)
			continue;
		v[nv].name = cfg->roles[i].name;
		v[nv].file = cfg->roles[i].file;
		v[nv].line = cfg->roles[i].line;
		v[nv].order = i;
		nv++;
	}
	cfg_report_dups(cl, v, nv, "role");
	free(v);

	for (i = 0; i < cfg->nroles; i++) {
		r = &cfg->roles[i];
		m = config_setting_get_member(config_setting_get_elem(s,
		    (unsigned int)i), "approvers");
		for (j = 0; m != NULL && j < r->napprovers; j++) {
			if (cfg_find_role(cfg, r->approvers[j]) != NULL)
				continue;
			cfg_error(cl, cfg_elem_of(m, r->approvers[j]),
			    "role '%s': approver '%s' is not a role",
			    r->name != NULL ? r->name : "?", r->approvers[j]);
		}
	}
}

/* Check a users entry's roles exist and record it. */
static void
cfg_add_user(struct cfg_load *cl, const config_setting_t *at,
    const char *who, const config_setting_t *roles)
{
	struct omv_config	*cfg = cl->cfg;
	struct user_map		*um;
	char			*where;
	size_t			 j;

	where = xprintf("user '%s'", who);
	cfg->users = xreallocarray(cfg->users, cfg->nusers + 1,
	    sizeof *cfg->users);
	um = &cfg->users[cfg->nusers++];
	memset(um, 0, sizeof *um);
	um->is_group = *who == '%';
	um->who = xstrdup(um->is_group ? who + 1 : who);
	um->file = cfg_file_of(cl, at);
	um->line = (int)config_setting_source_line(at);
	if (*um->who == '\0')
		cfg_error(cl, at, "users: '%%' must be followed by a group "
		    "name");
	if (roles == NULL) {
		cfg_error(cl, at, "%s: missing roles", where);
		free(where);
		return;
	}
	if (cfg_get_strings(cl, roles, where, &um->roles, &um->nroles) != 0) {
		free(where);
		return;
	}
	for (j = 0; j < um->nroles; j++) {
		if (cfg_find_role(cfg, um->roles[j]) != NULL)
			continue;
		cfg_error(cl, cfg_elem_of(roles, um->roles[j]),
		    "%s: unknown role '%s'", where, um->roles[j]);
	}
	free(where);
}

/*
 * users = { alice = ["ops"]; }, or for names libconfig cannot take as a
 * setting name (dots, Unix groups): ( { name = "%wheel"; roles = [...]; } ).
 */
static void
cfg_parse_users(struct cfg_load *cl, const config_setting_t *s)
{
	struct omv_config	*cfg = cl->cfg;
	const config_setting_t	*e, *m;
	struct cfg_named	*v;
	char			*who;
	size_t			 i;
	int			 n;

	n = config_setting_length(s);
	if (config_setting_is_group(s)) {
		for (i = 0; i < (size_t)n; i++) {
			e = config_setting_get_elem(s, (unsigned int)i);
			cfg_add_user(cl, e, e->name, e);
		}
	} else if (cfg_want_list(cl, s, NULL)) {
		for (i = 0; i < (size_t)n; i++) {
			e = config_setting_get_elem(s, (unsigned int)i);
			if (!config_setting_is_group(e)) {
				cfg_error(cl, e, "users: each entry must be a "
				    "group { name; roles; }, not %s",
				    cfg_type_name(e));
				continue;
			}
			cfg_check_keys(cl, e, "users", cfg_user_keys);
			who = NULL;
			if ((m = config_setting_get_member(e,
			    "name")) == NULL) {
				cfg_error(cl, e, "users: an entry without a "
				    "name");
				continue;
			}
			if (cfg_get_string(cl, m, "users", &who) != 0)
				continue;
			cfg_add_user(cl, e, who,
			    config_setting_get_member(e, "roles"));
			free(who);
		}
	}

	v = xcalloc(cfg->nusers + 1, sizeof *v);
	for (i = 0; i < cfg->nusers; i++) {
		v[i].name = cfg->users[i].who;
		v[i].file = cfg->users[i].file;
		v[i].line = cfg->users[i].line;
		v[i].order = i;
	}
	/* A login and a group of the same name are different entries. */
	for (i = 0; i < cfg->nusers; i++) {
		if (cfg->users[i].is_group)
			v[i].name = xprintf("%%%s", cfg->users[i].who);
	}
	cfg_report_dups(cl, v, cfg->nusers, "user");
	for (i = 0; i < cfg->nusers; i++) {
		if (v[i].name[0] == '%')
			free((char *)v[i].name);
	}
	free(v);
}

/* Walk a whole document: every section in a fixed order, then risk. */
static void
cfg_parse_root(struct cfg_load *cl, const config_setting_t *root)
{
	struct omv_config	*cfg = cl->cfg;
	const config_setting_t	*m, *ssh, *risk;
	size_t			 i, nerrs;
	int			 j, n;

	n = config_setting_length(root);
	for (j = 0; j < n; j++) {
		m = config_setting_get_elem(root, (unsigned int)j);
		if (!cfg_in_list(m->name, cfg_top_keys))
			cfg_error(cl, m, "unknown setting '%s'", m->name);
		else if (cl->ui_only && strcmp(m->name, "ui") != 0)
			cfg_error(cl, m, "only ui settings may be set here: "
			    "policy comes from %s", cl->system);
	}
	if (cl->ui_only) {
		if ((m = config_setting_get_member(root, "ui")) != NULL)
			cfg_parse_section(cl, m, "ui", cfg_ui_options);
		return;
	}

	if ((ssh = config_setting_get_member(root, "ssh_config")) != NULL)
		cfg_get_bool(cl, ssh, NULL, &cfg->ssh_config);
	for (i = 0; i < CFG_NSECTIONS; i++) {
		m = config_setting_get_member(root, cfg_sections[i].name);
		if (m != NULL) {
			cfg_parse_section(cl, m, cfg_sections[i].name,
			    cfg_sections[i].options);
		}
	}
	cfg_parse_servers(cl, config_setting_get_member(root, "servers"), ssh);
	if ((m = config_setting_get_member(root, "roles")) != NULL)
		cfg_parse_roles(cl, m);
	if ((m = config_setting_get_member(root, "users")) != NULL)
		cfg_parse_users(cl, m);
	risk = config_setting_get_member(root, "risk");
	nerrs = cl->errs->n;
	if (cfg_risk_load(risk, risk != NULL ? cfg_file_of(cl, risk) :
	    cl->name, cfg, cl->errs) != 0 && cl->errs->n == nerrs)
		cfg_error(cl, risk, "risk: cannot load the rules");
}

/*
 * Refuse a config file others could have written, as ssh refuses loose key
 * files: writable by group or others, or owned by someone other than the
 * user or root.
 */
static int
cfg_check_mode(struct cfg_load *cl, const char *path, const struct stat *st)
{
	if (!S_ISREG(st->st_mode)) {
		cfg_errors_add(cl->errs, path, 0, "is not a regular file");
		return (-1);
	}
	if ((st->st_mode & (S_IWGRP|S_IWOTH)) != 0) {
		cfg_errors_add(cl->errs, path, 0, "is writable by group or "
		    "others (mode %04o); chmod go-w %s",
		    (unsigned)(st->st_mode & 07777), path);
		return (-1);
	}
	if (st->st_uid != 0 && st->st_uid != getuid()) {
		cfg_errors_add(cl->errs, path, 0, "is owned by uid %lu, not by "
		    "you or root", (unsigned long)st->st_uid);
		return (-1);
	}
	return (0);
}

/* Report libconfig's syntax error (the first one; it stops there). */
static void
cfg_syntax_error(struct cfg_load *cl, const config_t *c)
{
	const char	*file;

	if (config_error_type(c) == CONFIG_ERR_FILE_IO) {
		cfg_errors_add(cl->errs, cl->name, 0, "cannot read: %s",
		    strerror(errno));
		return;
	}
	file = config_error_file(c);
	cfg_errors_add(cl->errs, cfg_source(cl, file), config_error_line(c),
	    "%s", config_error_text(c) != NULL ? config_error_text(c) :
	    "syntax error");
}

/*
 * Open, check and parse one file into c.  The file is opened once and its
 * mode checked on that descriptor; @include paths are relative to its
 * directory, and each included file is checked the same way.
 */
static int
cfg_read(struct cfg_load *cl, config_t *c, const char *path)
{
	struct stat	 st;
	FILE		*f;
	const char	*inc;
	char		*slash;
	int		 fd, rc = 0;
	unsigned int	 i;

	if ((fd = open(path, O_RDONLY|O_CLOEXEC|O_NOCTTY)) == -1) {
		cfg_errors_add(cl->errs, path, 0, "%s", strerror(errno));
		return (-1);
	}
	if (fstat(fd, &st) != 0 || cfg_check_mode(cl, path, &st) != 0) {
		close(fd);
		return (-1);
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		cfg_errors_add(cl->errs, path, 0, "%s", strerror(errno));
		close(fd);
		return (-1);
	}
	free(cl->incdir);
	cl->incdir = xstrdup(path);
	if ((slash = strrchr(cl->incdir, '/')) != NULL)
		*(slash == cl->incdir ? slash + 1 : slash) = '\0';
	else {
		free(cl->incdir);
		cl->incdir = xstrdup(".");
	}
	config_set_include_dir(c, cl->incdir);
	if (config_read(c, f) != CONFIG_TRUE) {
		cfg_syntax_error(cl, c);
		fclose(f);
		return (-1);
	}
	fclose(f);
	for (i = 0; i < c->num_filenames; i++) {
		inc = cfg_source(cl, c->filenames[i]);
		if (stat(inc, &st) != 0) {
			cfg_errors_add(cl->errs, inc, 0, "%s", strerror(errno));
			rc = -1;
		} else if (cfg_check_mode(cl, inc, &st) != 0)
			rc = -1;
	}
	return (rc);
}

/* An error's place, for putting the errors of a load in file order. */
struct cfg_place {
	size_t	 file;		/* index in cfg->paths; npaths: none */
	long	 line;
	size_t	 order;
	char	*msg;		/* borrowed */
};

/* Compare places: file, then line, then the order found. */
static int
cfg_place_cmp(const void *a, const void *b)
{
	const struct cfg_place	*x = a, *y = b;

	if (x->file != y->file)
		return (x->file < y->file ? -1 : 1);
	if (x->line != y->line)
		return (x->line < y->line ? -1 : 1);
	return (x->order < y->order ? -1 : x->order > y->order);
}

/*
 * Sort the errors one load added by file and line, as a reader goes
 * through the file (sections are checked in a fixed order, not the file's).
 */
static void
cfg_sort_errors(const struct omv_config *cfg, struct cfg_errors *errs,
    size_t from)
{
	struct cfg_place	*v;
	const char		*m;
	size_t			 i, j, n, len, best;

	if (errs->n - from < 2)
		return;
	n = errs->n - from;
	v = xcalloc(n, sizeof *v);
	for (i = 0; i < n; i++) {
		m = v[i].msg = errs->msgs[from + i];
		v[i].order = i;
		v[i].file = cfg->npaths;
		best = 0;
		for (j = 0; j < cfg->npaths; j++) {
			len = strlen(cfg->paths[j]);
			if (len <= best ||
			    strncmp(m, cfg->paths[j], len) != 0 ||
			    m[len] != ':' ||
			    !isdigit((unsigned char)m[len + 1]))
				continue;
			best = len;
			v[i].file = j;
			v[i].line = strtol(m + len + 1, NULL, 10);
		}
		if (v[i].file == cfg->npaths) {
			/* A whole-file problem (mode, I/O): first. */
			v[i].file = 0;
			v[i].line = -1;
		}
	}
	qsort(v, n, sizeof *v, cfg_place_cmp);
	for (i = 0; i < n; i++)
		errs->msgs[from + i] = v[i].msg;
	free(v);
}

/* Start a load: a default config and its context. */
static struct omv_config *
cfg_begin(struct cfg_load *cl, const char *name, struct cfg_errors *errs)
{
	memset(cl, 0, sizeof *cl);
	cl->cfg = cfg_new();
	cl->errs = errs;
	cl->name = cfg_intern(cl->cfg, name);
	cl->cfg->path = xstrdup(name);
	return (cl->cfg);
}

/* Finish a load: the config, or NULL when anything went wrong. */
static struct omv_config *
cfg_end(struct cfg_load *cl, size_t nerrs)
{
	struct omv_config	*cfg = cl->cfg;

	free(cl->incdir);
	cl->incdir = NULL;
	if (cl->errs->n != nerrs) {
		cfg_sort_errors(cfg, cl->errs, nerrs);
		cfg_free(cfg);
		return (NULL);
	}
	return (cfg);
}

struct omv_config *
cfg_load_file(const char *path, struct cfg_errors *errs)
{
	struct cfg_errors	 mine = { NULL, 0 };
	struct cfg_load		 cl;
	struct omv_config	*cfg;
	config_t		 c;
	size_t			 nerrs;

	if (errs == NULL)
		errs = &mine;
	nerrs = errs->n;
	cfg_begin(&cl, path, errs);
	config_init(&c);
	if (cfg_read(&cl, &c, path) == 0)
		cfg_parse_root(&cl, config_root_setting(&c));
	config_destroy(&c);
	cfg = cfg_end(&cl, nerrs);
	cfg_errors_clear(&mine);
	return (cfg);
}

struct omv_config *
cfg_load_string(const char *text, const char *name, struct cfg_errors *errs)
{
	struct cfg_errors	 mine = { NULL, 0 };
	struct cfg_load		 cl;
	struct omv_config	*cfg;
	config_t		 c;
	const char		*p;
	size_t			 nerrs;
	int			 line;

	if (errs == NULL)
		errs = &mine;
	if (name == NULL)
		name = "(string)";
	nerrs = errs->n;
	cfg_begin(&cl, name, errs);
	if ((p = strstr(text, "@include")) != NULL) {
		line = 1;
		for (; p > text; p--)
			line += p[-1] == '\n';
		cfg_errors_add(errs, cl.name, line, "@include is not allowed "
		    "here");
		return (cfg_end(&cl, nerrs));
	}
	config_init(&c);
	if (config_read_string(&c, text) != CONFIG_TRUE)
		cfg_syntax_error(&cl, &c);
	else
		cfg_parse_root(&cl, config_root_setting(&c));
	config_destroy(&c);
	cfg = cfg_end(&cl, nerrs);
	cfg_errors_clear(&mine);
	return (cfg);
}

/* The system file: $OMV_SYSTEM_CONFIG (tests, packaging) or /etc. */
static const char *
cfg_system_path(void)
{
	const char	*s = getenv("OMV_SYSTEM_CONFIG");

	return (s != NULL && *s != '\0' ? s : CFG_SYSTEM_PATH);
}

/* The user's file: -c, $OMV_CONFIG, or ~/.config/omv/omv.conf if present. */
static char *
cfg_user_path(const char *explicit_path, bool *must_exist)
{
	const char	*env;
	char		*path;

	*must_exist = true;
	if (explicit_path != NULL)
		return (xstrdup(explicit_path));
	if ((env = getenv("OMV_CONFIG")) != NULL && *env != '\0')
		return (xstrdup(env));
	*must_exist = false;
	path = xprintf("%s/%s", home_dir(), CFG_USER_PATH);
	if (access(path, F_OK) == 0)
		return (path);
	free(path);
	return (NULL);
}

char *
cfg_find(const char *explicit_path)
{
	const char	*sys = cfg_system_path();
	char		*user;
	bool		 must;

	if ((user = cfg_user_path(explicit_path, &must)) != NULL)
		return (user);
	if (access(sys, F_OK) == 0)
		return (xstrdup(sys));
	return (NULL);
}

/* Are a and b the same file? */
static bool
cfg_same_file(const char *a, const char *b)
{
	struct stat	sa, sb;

	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return (strcmp(a, b) == 0);
	return (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino);
}

/* Overlay the ui section of a user's file on a config from the system file. */
static int
cfg_overlay_ui(struct omv_config *cfg, const char *path, const char *sys,
    struct cfg_errors *errs)
{
	struct cfg_load	cl;
	config_t	c;
	size_t		nerrs = errs->n;

	memset(&cl, 0, sizeof cl);
	cl.cfg = cfg;
	cl.errs = errs;
	cl.name = cfg_intern(cfg, path);
	cl.ui_only = true;
	cl.system = sys;
	config_init(&c);
	if (cfg_read(&cl, &c, path) == 0)
		cfg_parse_root(&cl, config_root_setting(&c));
	config_destroy(&c);
	free(cl.incdir);
	cfg_sort_errors(cfg, errs, nerrs);
	return (errs->n == nerrs ? 0 : -1);
}

/* No file anywhere: the defaults, with the built-in risk rules. */
static struct omv_config *
cfg_load_defaults(struct cfg_errors *errs)
{
	struct omv_config	*cfg;
	size_t			 nerrs = errs->n;

	cfg = cfg_new();
	if (cfg_risk_load(NULL, "(built-in)", cfg, errs) != 0 ||
	    errs->n != nerrs) {
		cfg_free(cfg);
		return (NULL);
	}
	return (cfg);
}

struct omv_config *
cfg_load(const char *explicit_path, struct cfg_errors *errs)
{
	struct cfg_errors	 mine = { NULL, 0 };
	struct omv_config	*cfg = NULL;
	const char		*sys = cfg_system_path();
	char			*user;
	bool			 must;

	if (errs == NULL)
		errs = &mine;
	user = cfg_user_path(explicit_path, &must);
	if (access(sys, F_OK) != 0) {
		if (user != NULL)
			cfg = cfg_load_file(user, errs);
		else
			cfg = cfg_load_defaults(errs);
		goto out;
	}

	/* A system file exists: policy comes from it alone. */
	if (user != NULL && !cfg_same_file(user, sys) &&
	    access(user, F_OK) != 0) {
		cfg_errors_add(errs, user, 0, "%s", strerror(errno));
		goto out;
	}
	if ((cfg = cfg_load_file(sys, errs)) == NULL)
		goto out;
	cfg->system = true;
	if (user != NULL && !cfg_same_file(user, sys) &&
	    cfg_overlay_ui(cfg, user, sys, errs) != 0) {
		cfg_free(cfg);
		cfg = NULL;
	}
out:
	free(user);
	cfg_errors_clear(&mine);
	return (cfg);
}

/* Free a group and its subgroups (servers belong to the config). */
static void
cfg_group_free(struct server_group *g)
{
	size_t	i;

	if (g == NULL)
		return;
	for (i = 0; i < g->ngroups; i++)
		cfg_group_free(g->groups[i]);
	free(g->groups);
	free(g->servers);
	free(g->name);
	free(g->path);
	free(g);
}

/* Free one server. */
static void
cfg_server_free(struct server *sv)
{
	free(sv->name);
	free(sv->host);
	free(sv->user);
	free(sv->identity);
	strv_free(sv->tags, sv->ntags);
	free(sv->group);
	free(sv);
}

/* Free what one role owns. */
static void
cfg_role_clear(struct role *r)
{
	size_t	i;

	free(r->name);
	strv_free(r->servers, r->nservers);
	strv_free(r->allow, r->nallow);
	strv_free(r->deny, r->ndeny);
	for (i = 0; i < r->nwindows; i++) {
		free(r->windows[i].tz);
		free(r->windows[i].text);
	}
	free(r->windows);
	strv_free(r->approvers, r->napprovers);
}

void
cfg_free(struct omv_config *cfg)
{
	size_t	i;

	if (cfg == NULL)
		return;
	cfg_group_free(cfg->root);
	for (i = 0; i < cfg->nservers; i++)
		cfg_server_free(cfg->servers[i]);
	free(cfg->servers);
	for (i = 0; i < cfg->nroles; i++)
		cfg_role_clear(&cfg->roles[i]);
	free(cfg->roles);
	for (i = 0; i < cfg->nusers; i++) {
		free(cfg->users[i].who);
		strv_free(cfg->users[i].roles, cfg->users[i].nroles);
	}
	free(cfg->users);
	risk_ruleset_free(cfg->rules);

	free(cfg->approvals.totp_dir);
	free(cfg->audit.db);
	free(cfg->audit.recordings);
	free(cfg->audit.group);
	free(cfg->security.known_hosts);
	strv_free(cfg->security.allowed_clients,
	    cfg->security.nallowed_clients);
	free(cfg->ui.theme);
	free(cfg->ui.prefix);
	for (i = 0; i < cfg->ui.nkeys; i++) {
		free(cfg->ui.keys[i].table);
		free(cfg->ui.keys[i].key);
		free(cfg->ui.keys[i].command);
	}
	free(cfg->ui.keys);

	free(cfg->path);
	strv_free(cfg->paths, cfg->npaths);
	free(cfg);
}

struct server *
cfg_find_server(const struct omv_config *cfg, const char *name)
{
	size_t	i;

	if (cfg == NULL || name == NULL)
		return (NULL);
	for (i = 0; i < cfg->nservers; i++) {
		if (strcmp(cfg->servers[i]->name, name) == 0)
			return (cfg->servers[i]);
	}
	return (NULL);
}

const struct role *
cfg_find_role(const struct omv_config *cfg, const char *name)
{
	size_t	i;

	if (cfg == NULL || name == NULL)
		return (NULL);
	for (i = 0; i < cfg->nroles; i++) {
		if (cfg->roles[i].name != NULL &&
		    strcmp(cfg->roles[i].name, name) == 0)
			return (&cfg->roles[i]);
	}
	return (NULL);
}
