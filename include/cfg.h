/*
 * cfg.h: the loaded configuration as plain structs.  cfg.c (and its family,
 * cfg-*.c) is the only code that sees libconfig; everything else reads these.
 * All strings are owned by the config and live until cfg_free().
 */
#ifndef CFG_H
#define CFG_H

#include "omv.h"

struct risk_ruleset;

/* One server of the inventory. */
struct server {
	char		 *name;		/* unique */
	char		 *host;
	int		  port;
	char		 *user;		/* NULL: the operator's login */
	char		 *identity;	/* NULL: agent / ~/.ssh defaults */
	enum env	  env;		/* ENV_NONE when nobody set it */
	char		**tags;
	size_t		  ntags;
	char		 *group;	/* group path "production/web" ("" at top) */
	const char	 *file;		/* borrowed: config->paths */
	int		  line;
	size_t		  index;	/* position in config->servers */
};

/* A group of the server tree; groups nest to any depth. */
struct server_group {
	char			 *name;		/* "" for the root */
	char			 *path;		/* "production/web"; "" for the root */
	struct server_group	 *parent;	/* borrowed; NULL for the root */
	struct server_group	**groups;	/* owned */
	size_t			  ngroups;
	struct server		**servers;	/* borrowed from config->servers */
	size_t			  nservers;
	int			  line;
};

/* A weekly time window: days and [start, end) minutes in a time zone. */
struct time_window {
	uint8_t		 days;		/* bit 0 = Sunday ... bit 6 = Saturday */
	int		 start_min;	/* 0..1439 */
	int		 end_min;	/* 1..1440; < start_min wraps past midnight */
	char		*tz;		/* NULL = local time of the jump host */
	char		*text;		/* as written, for reasons: "mon-fri 09:00-18:00 Europe/Berlin" */
};

struct role {
	char			 *name;
	char			**servers;	/* globs: "web-?", "group:production", "tag:db", "env:staging" */
	size_t			  nservers;
	char			**allow;	/* command globs; if any, nothing else is allowed */
	size_t			  nallow;
	char			**deny;		/* command globs always denied */
	size_t			  ndeny;
	struct time_window	 *windows;	/* none = always */
	size_t			  nwindows;
	enum decision		  outside_window; /* DENY (default) or APPROVAL */
	/* What each risk level needs, per env: ALLOW, CONFIRM, APPROVAL or DENY. */
	enum decision		  need[ENV_COUNT + 1][RISK_COUNT];	/* [ENV_NONE] for unset env */
	char			**approvers;	/* role names that may approve */
	size_t			  napprovers;
	enum audit_level	  audit_level;
	const char		 *file;		/* borrowed: config->paths */
	int			  line;
};

/* users { alice = ["ops"]; "%wheel" = ["admin"]; }: a login or a Unix group. */
struct user_map {
	char		 *who;		/* login, or group name without '%' */
	bool		  is_group;
	char		**roles;
	size_t		  nroles;
	const char	 *file;		/* borrowed: config->paths */
	int		  line;
};

struct approvals_config {
	int		 expire;	/* seconds, default 900 */
	bool		 totp_critical;	/* require TOTP to approve critical */
	char		*totp_dir;	/* per-approver secrets "<dir>/<login>" (0600) */
};

struct audit_config {
	char		*db;		/* default ~/.local/share/omv/audit.db */
	enum audit_level level;		/* default basic */
	char		*recordings;	/* default ~/.local/share/omv/recordings */
	char		*group;		/* shared Unix group: files 0660 instead of 0600 */
};

struct security_config {
	char		 *known_hosts;		/* default ~/.ssh/known_hosts */
	char		**allowed_clients;	/* CIDR list; none = any */
	size_t		  nallowed_clients;
	int		  idle_timeout;		/* seconds, 0 = off */
	int		  connect_timeout;	/* seconds, default 10 */
	int		  keepalive;		/* seconds, default 30 */
};

/* ui.keys = ( { key = "%"; command = "split-h"; table = "prefix"; }, ... ) */
struct key_binding {
	char		*table;		/* "prefix", "root", "sidebar", "copy", ... */
	char		*key;		/* "C-b", "%", "Up", "M-x" ... */
	char		*command;
	int		 line;
};

struct ui_config {
	char			*theme;		/* name or path; default "dark" */
	char			*prefix;	/* default "C-b" */
	int			 scrollback;	/* lines per pane, default 10000 */
	int			 sidebar_width;	/* default 28 */
	struct key_binding	*keys;
	size_t			 nkeys;
};

struct omv_config {
	char			 *path;		/* the file that was loaded; NULL = none */
	char			**paths;	/* every file that contributed (owned) */
	size_t			  npaths;
	bool			  system;	/* policy came from /etc/omv/omv.conf */

	struct server_group	 *root;		/* owned tree */
	struct server		**servers;	/* owned, in tree order */
	size_t			  nservers;
	size_t			  ngroups;	/* groups below the root */

	struct role		 *roles;	/* owned */
	size_t			  nroles;
	bool			  has_roles;	/* a roles section exists (else personal mode) */
	struct user_map		 *users;
	size_t			  nusers;

	struct risk_ruleset	 *rules;	/* owned */
	int			  escalate[ENV_COUNT + 1];	/* steps per env */

	struct approvals_config	  approvals;
	struct audit_config	  audit;
	struct security_config	  security;
	struct ui_config	  ui;
	bool			  ssh_config;	/* ~/.ssh/config hosts joined */
};

/*
 * Errors are collected, not fatal: every problem found is reported, each as
 * "file:line: problem".
 */
struct cfg_errors {
	char	**msgs;		/* owned */
	size_t	  n;
};
void cfg_errors_add(struct cfg_errors *, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void cfg_errors_clear(struct cfg_errors *);

/*
 * Find the config file: -c FILE (explicit), $OMV_CONFIG,
 * ~/.config/omv/omv.conf, /etc/omv/omv.conf.  Returns an owned path or NULL
 * when none exists (then the built-in defaults apply).
 */
char *cfg_find(const char *explicit_path);

/*
 * Load a config.  explicit_path may be NULL (search).  On error returns NULL
 * and fills errs with every problem found.  With no file at all, returns the
 * defaults (no servers, built-in risk rules, personal mode).
 */
struct omv_config *cfg_load(const char *explicit_path, struct cfg_errors *errs);
/* Load exactly this file (no search, no system/user split). */
struct omv_config *cfg_load_file(const char *path, struct cfg_errors *errs);
/*
 * Load config text held in memory; name is used in messages.  No file mode
 * checks, and @include is refused (for tests and the fuzzer).
 */
struct omv_config *cfg_load_string(const char *text, const char *name,
    struct cfg_errors *errs);
void cfg_free(struct omv_config *);

/* What a risk level needs in an env when a role's need table does not say. */
enum decision cfg_default_need(enum env, enum risk_level);

struct server *cfg_find_server(const struct omv_config *, const char *name);
const struct role *cfg_find_role(const struct omv_config *, const char *name);

#endif
