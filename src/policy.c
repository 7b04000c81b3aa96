/*
 * policy.c: decide what a user may run on a server, and why.
 *
 * A user has roles (by login, or by Unix group "%group" in the users map).
 * A role grants servers through globs (name, group path, tag, env), may
 * restrict commands (an allow list: every simple command must match one of
 * its globs; a deny list: any match refuses), may be limited to weekly time
 * windows, and says per env what each risk level needs (ALLOW, CONFIRM,
 * APPROVAL or DENY) and which roles may approve.
 *
 * Invariants:
 * - Closed by default: a server no role of the user grants is denied (and
 *   hidden).  A config with no roles section at all is a personal config:
 *   every server is reachable, critical needs confirmation, and nothing
 *   ever needs approval.
 * - Several roles granting the server combine as "deny wins, otherwise the
 *   best": a deny-list match in any of them refuses (whether or not that
 *   role's window is open); otherwise each role decides on its own (allow
 *   list, need table, window) and the most permissive decision wins, ties to
 *   the earlier role.  The reason names every role that took part.
 * - Outside all of a role's windows it decides DENY, or APPROVAL when the
 *   role says so, but never more permissively than inside.
 * - APPROVAL is only returned with at least one approver role; a role that
 *   needs approval but names no approvers denies instead.
 * - Fail safe: a line the risk engine could not fully parse never passes an
 *   allow list (its commands cannot all be known).
 *
 * Pure: no I/O and no globals, with one exception - converting a UTC time
 * into a window's time zone, which glibc only does through $TZ (see
 * policy_localtime).
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cfg.h"
#include "ident.h"
#include "policy.h"
#include "risk.h"

/* Quoted commands in reasons are cut to this many bytes. */
#define POLICY_QUOTE_MAX 80

/* The simple commands of one request, borrowed from the risk result. */
struct policy_cmds {
	const char	*const *v;	/* borrowed */
	size_t		 n;
	const char	*line;		/* borrowed, never NULL */
	bool		 unparsed;
};

/* What one role decides about one request. */
struct policy_eval {
	const struct role	*role;		/* borrowed */
	enum decision		 decision;
	char			*reason;	/* owned */
};

/* Does this users-map entry name this user (login, or one of its groups)? */
static bool
policy_map_matches(const struct user_map *um, const struct ident *id)
{
	size_t	i;

	if (um->who == NULL || id == NULL)
		return (false);
	if (!um->is_group)
		return (id->login != NULL && strcmp(um->who, id->login) == 0);
	for (i = 0; i < id->ngroups; i++) {
		if (id->groups[i] != NULL &&
		    strcmp(um->who, id->groups[i]) == 0)
			return (true);
	}
	return (false);
}

/* Does the users map give this user the role named name? */
static bool
policy_user_has_role(const struct omv_config *cfg, const struct ident *id,
    const char *name)
{
	const struct user_map	*um;
	size_t			 i, j;

	for (i = 0; i < cfg->nusers; i++) {
		um = &cfg->users[i];
		if (!policy_map_matches(um, id))
			continue;
		for (j = 0; j < um->nroles; j++) {
			if (um->roles[j] != NULL &&
			    strcmp(um->roles[j], name) == 0)
				return (true);
		}
	}
	return (false);
}

/* The roles the users map gives this user, in the config's role order. */
int
policy_roles(const struct omv_config *cfg, const struct ident *id,
    const struct role ***out)
{
	const struct role	**v = NULL;
	size_t			  i, n = 0;

	*out = NULL;
	if (cfg == NULL || id == NULL)
		return (0);
	for (i = 0; i < cfg->nroles; i++) {
		if (cfg->roles[i].name == NULL ||
		    !policy_user_has_role(cfg, id, cfg->roles[i].name))
			continue;
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = &cfg->roles[i];
	}
	*out = v;
	return ((int)n);
}

/* fnmatch with our flags: case-sensitive, '*' crosses '/' and '.'. */
static bool
policy_glob(const char *pattern, const char *s)
{
	return (fnmatch(pattern, s, 0) == 0);
}

/* Does glob match the group path or one of its ancestors? */
static bool
policy_group_matches(const char *glob, const char *path)
{
	char	*copy, *slash;
	bool	 found = false;

	if (path == NULL)
		path = "";
	copy = xstrdup(path);
	for (;;) {
		if (policy_glob(glob, copy)) {
			found = true;
			break;
		}
		if ((slash = strrchr(copy, '/')) == NULL)
			break;
		*slash = '\0';
	}
	free(copy);
	return (found);
}

/* Does "env:NAME" name this env?  NAME: env_parse name, "none" or a glob. */
static bool
policy_env_matches(const char *name, enum env e)
{
	enum env	want;

	if (strcmp(name, "none") == 0)
		return (e == ENV_NONE);
	if (env_parse(name, &want) == 0)
		return (e == want);
	return (policy_glob(name, env_name(e)));
}

/* Does one role server pattern match the server? */
static bool
policy_pattern_matches(const char *p, const struct server *s)
{
	size_t	i;

	if (strncmp(p, "group:", 6) == 0)
		return (policy_group_matches(p + 6, s->group));
	if (strncmp(p, "tag:", 4) == 0) {
		for (i = 0; i < s->ntags; i++) {
			if (s->tags[i] != NULL &&
			    policy_glob(p + 4, s->tags[i]))
				return (true);
		}
		return (false);
	}
	if (strncmp(p, "env:", 4) == 0)
		return (policy_env_matches(p + 4, s->env));
	if (strncmp(p, "name:", 5) == 0)
		p += 5;
	return (s->name != NULL && policy_glob(p, s->name));
}

/* Does one of the role's server patterns match the server? */
bool
policy_role_grants(const struct role *r, const struct server *s)
{
	size_t	i;

	if (r == NULL || s == NULL)
		return (false);
	for (i = 0; i < r->nservers; i++) {
		if (r->servers[i] != NULL &&
		    policy_pattern_matches(r->servers[i], s))
			return (true);
	}
	return (false);
}

/* Check a server pattern's kind and argument, for the config loader. */
int
policy_server_pattern_check(const char *p, char **cause)
{
	static const char	*kinds[] = {
		"group:", "tag:", "env:", "name:"
	};
	enum env		 e;
	const char		*colon, *arg = p;
	size_t			 i;

	if (p == NULL || *p == '\0') {
		if (cause != NULL)
			*cause = xstrdup("empty server pattern");
		return (-1);
	}
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strncmp(p, kinds[i], strlen(kinds[i])) == 0) {
			arg = p + strlen(kinds[i]);
			break;
		}
	}
	if (arg == p && (colon = strchr(p, ':')) != NULL &&
	    strcspn(p, "*?[") > (size_t)(colon - p)) {
		if (cause != NULL) {
			xasprintf(cause, "server pattern '%s': unknown kind "
			    "'%.*s:' (group:, tag:, env:, name:)", p,
			    (int)(colon - p), p);
		}
		return (-1);
	}
	if (*arg == '\0') {
		if (cause != NULL)
			xasprintf(cause, "server pattern '%s': nothing "
			    "after ':'", p);
		return (-1);
	}
	if (strncmp(p, "env:", 4) == 0 && strcmp(arg, "none") != 0 &&
	    env_parse(arg, &e) != 0 && strcspn(arg, "*?[") == strlen(arg)) {
		if (cause != NULL) {
			xasprintf(cause, "server pattern '%s': unknown "
			    "env '%s'", p, arg);
		}
		return (-1);
	}
	return (0);
}

/* Closed by default: visible only when some role of the user grants it. */
bool
policy_server_visible(const struct omv_config *cfg, const struct ident *id,
    const struct server *s)
{
	const struct role	**roles;
	int			  n, i;
	bool			  found = false;

	if (cfg == NULL || s == NULL)
		return (false);
	if (!cfg->has_roles)
		return (true);
	n = policy_roles(cfg, id, &roles);
	for (i = 0; i < n && !found; i++)
		found = policy_role_grants(roles[i], s);
	free(roles);
	return (found);
}

/*
 * The one impure corner: the broken-down local time of when in zone tz.
 * glibc converts between zones only through $TZ, so set it, convert, then
 * put back the caller's value (or its absence) and call tzset again so the
 * rest of the process sees the jump host's own zone.  Not thread-safe; omv
 * is single-threaded.  tz NULL means the jump host's local time.  An unknown
 * zone name converts as UTC (glibc's behaviour); the config loader checks
 * names.
 */
static void
policy_localtime(time_t when, const char *tz, struct tm *tm)
{
	const char	*old;
	char		*saved = NULL;

	if (tz == NULL || *tz == '\0') {
		localtime_r(&when, tm);
		return;
	}
	if ((old = getenv("TZ")) != NULL)
		saved = xstrdup(old);
	setenv("TZ", tz, 1);
	tzset();
	localtime_r(&when, tm);
	if (saved != NULL) {
		setenv("TZ", saved, 1);
		free(saved);
	} else
		unsetenv("TZ");
	tzset();
}

/*
 * A window [start, end) opens on each of its days; when end is not after
 * start it runs past midnight into the next day (so "fri 22:00-06:00" covers
 * Friday 22:00 to Saturday 06:00, and start == end means 24 hours).  No days
 * at all is read as every day.
 */
bool
policy_window_contains(const struct time_window *w, time_t when)
{
	struct tm	tm;
	unsigned	days;
	int		m, today, yesterday;

	if (w == NULL)
		return (false);
	policy_localtime(when, w->tz, &tm);
	m = tm.tm_hour * 60 + tm.tm_min;
	today = tm.tm_wday;
	yesterday = (today + 6) % 7;
	days = (w->days & 0x7f) != 0 ? (w->days & 0x7f) : 0x7f;
	if (w->start_min < w->end_min) {
		return ((days & (1u << today)) != 0 &&
		    m >= w->start_min && m < w->end_min);
	}
	if ((days & (1u << today)) != 0 && m >= w->start_min)
		return (true);
	return ((days & (1u << yesterday)) != 0 && m < w->end_min);
}

/* A role without windows is always open; otherwise any window will do. */
bool
policy_role_in_window(const struct role *r, time_t when)
{
	size_t	i;

	if (r->nwindows == 0)
		return (true);
	for (i = 0; i < r->nwindows; i++) {
		if (policy_window_contains(&r->windows[i], when))
			return (true);
	}
	return (false);
}

/* The role's windows for a reason: "mon-fri 09:00-18:00 Europe/Berlin". */
static char *
policy_windows_text(const struct role *r)
{
	const struct time_window	*w;
	struct sbuf			 sb;
	size_t				 i;

	sbuf_init(&sb);
	for (i = 0; i < r->nwindows; i++) {
		w = &r->windows[i];
		if (i != 0)
			sbuf_adds(&sb, ", ");
		if (w->text != NULL) {
			sbuf_adds(&sb, w->text);
			continue;
		}
		sbuf_addf(&sb, "days 0x%02x %02d:%02d-%02d:%02d%s%s",
		    (unsigned)w->days, w->start_min / 60, w->start_min % 60,
		    w->end_min / 60, w->end_min % 60, w->tz != NULL ? " " : "",
		    w->tz != NULL ? w->tz : "");
	}
	return (sbuf_steal(&sb));
}

/* A command for a reason: quoted, control characters as '?', cut short. */
static char *
policy_quote(const char *s)
{
	struct sbuf	sb;
	size_t		len, i;

	len = strlen(s);
	if (len > POLICY_QUOTE_MAX) {
		len = POLICY_QUOTE_MAX;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;	/* do not cut a UTF-8 sequence */
	}
	sbuf_init(&sb);
	sbuf_addc(&sb, '\'');
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			sbuf_addc(&sb, '?');
		else
			sbuf_addc(&sb, s[i]);
	}
	if (len < strlen(s))
		sbuf_adds(&sb, "...");
	sbuf_addc(&sb, '\'');
	return (sbuf_steal(&sb));
}

/* The first glob of v[0..n) matching s, or NULL. */
static const char *
policy_match_any(char **v, size_t n, const char *s)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (v[i] != NULL && policy_glob(v[i], s))
			return (v[i]);
	}
	return (NULL);
}

/* Does the role's deny list match a command or the whole line? */
static bool
policy_deny_hit(const struct role *r, const struct policy_cmds *c,
    const char **what, const char **glob)
{
	size_t	i;

	for (i = 0; i < c->n; i++) {
		*glob = policy_match_any(r->deny, r->ndeny, c->v[i]);
		if (*glob != NULL) {
			*what = c->v[i];
			return (true);
		}
	}
	*glob = policy_match_any(r->deny, r->ndeny, c->line);
	if (*glob != NULL) {
		*what = c->line;
		return (true);
	}
	return (false);
}

/* The first command the role's allow list does not cover, or NULL. */
static const char *
policy_allow_miss(const struct role *r, const struct policy_cmds *c)
{
	size_t	i;

	if (r->nallow == 0)
		return (NULL);
	if (c->unparsed)
		return (c->line);
	for (i = 0; i < c->n; i++) {
		if (policy_match_any(r->allow, r->nallow, c->v[i]) == NULL)
			return (c->v[i]);
	}
	return (NULL);
}

/* "rule service-stop: systemctl stop: stops a service", or NULL. */
static char *
policy_risk_note(const struct risk_result *risk)
{
	if (risk == NULL || risk->rule == NULL)
		return (NULL);
	if (risk->reason != NULL && *risk->reason != '\0')
		return (xprintf("rule %s: %s", risk->rule, risk->reason));
	return (xprintf("rule %s", risk->rule));
}

/* "needs approval", "is allowed" ... */
static const char *
policy_need_text(enum decision d)
{
	switch (d) {
	case DECISION_ALLOW:
		return ("is allowed");
	case DECISION_CONFIRM:
		return ("needs confirmation");
	case DECISION_APPROVAL:
		return ("needs approval");
	case DECISION_DENY:
		break;
	}
	return ("is denied");
}

/* "high on production" or "high on web-1 (no env)". */
static char *
policy_where_text(enum risk_level level, const struct server *s)
{
	if (s->env == ENV_NONE || (int)s->env < 0 || s->env > ENV_NONE) {
		return (xprintf("%s on %s (no env)", risk_level_name(level),
		    s->name != NULL ? s->name : "?"));
	}
	return (xprintf("%s on %s", risk_level_name(level), env_name(s->env)));
}

/* Clamp a config value into the decision range (unknown: deny). */
static enum decision
policy_clamp(enum decision d)
{
	if ((int)d < (int)DECISION_ALLOW || (int)d > (int)DECISION_DENY)
		return (DECISION_DENY);
	return (d);
}

/* What one role (already known to grant the server) decides on its own. */
static void
policy_eval_role(const struct role *r, const struct policy_request *req,
    const struct policy_cmds *c, enum risk_level level, const char *note,
    struct policy_eval *ev)
{
	const struct server	*s = req->server;
	const char		*miss;
	enum decision		 d, outside;
	char			*q, *where, *win;
	int			 env;

	ev->role = r;
	if ((miss = policy_allow_miss(r, c)) != NULL) {
		q = policy_quote(miss);
		ev->decision = DECISION_DENY;
		if (c->unparsed) {
			ev->reason = xprintf("role %s: %s could not be fully "
			    "parsed, so it cannot pass its allow list", r->name,
			    q);
		} else {
			ev->reason = xprintf("role %s: %s is not in its allow "
			    "list", r->name, q);
		}
		free(q);
		return;
	}

	env = ((int)s->env >= 0 && s->env <= ENV_NONE) ? (int)s->env : ENV_NONE;
	d = policy_clamp(r->need[env][level]);
	where = policy_where_text(level, s);
	ev->decision = d;
	if (note != NULL) {
		ev->reason = xprintf("role %s: %s %s (%s)", r->name, where,
		    policy_need_text(d), note);
	} else {
		ev->reason = xprintf("role %s: %s %s", r->name, where,
		    policy_need_text(d));
	}

	if (!policy_role_in_window(r, req->when)) {
		outside = r->outside_window == DECISION_APPROVAL ?
		    DECISION_APPROVAL : DECISION_DENY;
		win = policy_windows_text(r);
		free(ev->reason);
		if (outside >= d) {
			ev->decision = outside;
			ev->reason = xprintf("role %s: outside its window %s%s",
			    r->name, win, outside == DECISION_APPROVAL ?
			    ", needs approval" : "");
		} else {
			ev->reason = xprintf("role %s: %s %s%s%s%s; also "
			    "outside its window %s", r->name, where,
			    policy_need_text(d), note != NULL ? " (" : "",
			    note != NULL ? note : "", note != NULL ? ")" : "",
			    win);
		}
		free(win);
	}
	free(where);

	if (ev->decision == DECISION_APPROVAL && r->napprovers == 0) {
		q = ev->reason;
		ev->decision = DECISION_DENY;
		ev->reason = xprintf("%s, but the role names no approvers", q);
		free(q);
	}
}

/* Add the approver roles of r to res, each once. */
static void
policy_add_approvers(struct policy_result *res, const struct role *r)
{
	size_t	i, j;

	for (i = 0; i < r->napprovers; i++) {
		if (r->approvers[i] == NULL)
			continue;
		for (j = 0; j < res->napprovers; j++) {
			if (strcmp(res->approvers[j], r->approvers[i]) == 0)
				break;
		}
		if (j != res->napprovers)
			continue;
		res->approvers = xreallocarray(res->approvers,
		    res->napprovers + 1, sizeof *res->approvers);
		res->approvers[res->napprovers++] = xstrdup(r->approvers[i]);
	}
}

/* "ops, dev" from a role list. */
static char *
policy_role_list(const struct role **v, size_t n)
{
	struct sbuf	sb;
	size_t		i;

	sbuf_init(&sb);
	for (i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%s", i == 0 ? "" : ", ", v[i]->name);
	return (sbuf_steal(&sb));
}

/* Personal config: critical needs confirmation, everything else is allowed. */
static void
policy_decide_personal(enum risk_level level, const char *note,
    struct policy_result *res)
{
	res->decision = level == RISK_CRITICAL ? DECISION_CONFIRM :
	    DECISION_ALLOW;
	res->reason = xprintf("personal config: %s %s%s%s%s",
	    risk_level_name(level), policy_need_text(res->decision),
	    note != NULL ? " (" : "", note != NULL ? note : "",
	    note != NULL ? ")" : "");
}

/* Nobody's role grants the server: say so, with the user's roles. */
static void
policy_decide_closed(const struct policy_request *req,
    const struct role **roles, size_t nroles, struct policy_result *res)
{
	const char	*login, *name;
	char		*list;

	login = req->user != NULL && req->user->login != NULL ?
	    req->user->login : "?";
	name = req->server->name != NULL ? req->server->name : "?";
	res->decision = DECISION_DENY;
	if (nroles == 0) {
		res->reason = xprintf("no role grants server %s (%s has no "
		    "role)", name, login);
		return;
	}
	list = policy_role_list(roles, nroles);
	res->reason = xprintf("no role grants server %s (%s has %s %s)", name,
	    login, nroles == 1 ? "role" : "roles", list);
	free(list);
}

/* Decide: personal mode, closed default, deny lists, then the best role. */
void
policy_decide(const struct omv_config *cfg, const struct policy_request *req,
    struct policy_result *res)
{
	const struct risk_result	 *risk = req->risk;
	const struct role		**roles, **grant;
	struct policy_eval		 *ev;
	struct policy_cmds		  c;
	enum risk_level			  level;
	const char			 *what, *glob;
	char				 *note, *q, *list;
	size_t				  i, ngrant = 0, best;
	int				  nroles;

	memset(res, 0, sizeof *res);
	res->audit_level = cfg->audit.level;

	c.line = req->line != NULL ? req->line : "";
	c.unparsed = risk != NULL && risk->unparsed;
	if (risk != NULL && risk->ncommands != 0) {
		c.v = (const char *const *)risk->commands;
		c.n = risk->ncommands;
	} else {
		c.v = &c.line;
		c.n = strspn(c.line, " \t\r\n") == strlen(c.line) ? 0 : 1;
	}
	level = risk != NULL ? risk->level : RISK_LOW;
	if ((int)level < 0 || level > RISK_CRITICAL)
		level = RISK_CRITICAL;
	note = policy_risk_note(risk);

	if (req->server == NULL) {
		res->decision = DECISION_DENY;
		res->reason = xstrdup("no server");
		free(note);
		return;
	}
	if (!cfg->has_roles) {
		policy_decide_personal(level, note, res);
		free(note);
		return;
	}

	nroles = policy_roles(cfg, req->user, &roles);
	grant = xcalloc((size_t)nroles + 1, sizeof *grant);
	for (i = 0; i < (size_t)nroles; i++) {
		if (policy_role_grants(roles[i], req->server))
			grant[ngrant++] = roles[i];
	}
	if (ngrant == 0) {
		policy_decide_closed(req, roles, (size_t)nroles, res);
		goto out;
	}
	for (i = 0; i < ngrant; i++) {
		if (grant[i]->audit_level > res->audit_level &&
		    grant[i]->audit_level <= AUDIT_COMPREHENSIVE)
			res->audit_level = grant[i]->audit_level;
	}
	list = policy_role_list(grant, ngrant);

	/* Deny wins: any granting role's deny list refuses, window or not. */
	for (i = 0; i < ngrant; i++) {
		if (!policy_deny_hit(grant[i], &c, &what, &glob))
			continue;
		q = policy_quote(what);
		res->decision = DECISION_DENY;
		res->role = xstrdup(grant[i]->name);
		if (ngrant > 1) {
			res->reason = xprintf("role %s: %s matches its deny "
			    "list (%s); a deny match wins over roles %s",
			    grant[i]->name, q, glob, list);
		} else {
			res->reason = xprintf("role %s: %s matches its deny "
			    "list (%s)", grant[i]->name, q, glob);
		}
		free(q);
		free(list);
		goto out;
	}

	/* Otherwise each role decides alone and the most permissive wins. */
	ev = xcalloc(ngrant, sizeof *ev);
	best = 0;
	for (i = 0; i < ngrant; i++) {
		policy_eval_role(grant[i], req, &c, level, note, &ev[i]);
		if (ev[i].decision < ev[best].decision)
			best = i;
	}
	res->decision = ev[best].decision;
	res->role = xstrdup(ev[best].role->name);
	if (ngrant > 1) {
		res->reason = xprintf("%s; the most permissive of roles %s",
		    ev[best].reason, list);
	} else
		res->reason = xstrdup(ev[best].reason);
	if (res->decision == DECISION_APPROVAL) {
		for (i = 0; i < ngrant; i++) {
			if (ev[i].decision == DECISION_APPROVAL)
				policy_add_approvers(res, ev[i].role);
		}
	}
	for (i = 0; i < ngrant; i++)
		free(ev[i].reason);
	free(ev);
	free(list);

out:
	free(grant);
	free(roles);
	free(note);
}

/* Free what a result owns and zero it; safe on a zeroed result. */
void
policy_result_clear(struct policy_result *res)
{
	if (res == NULL)
		return;
	free(res->role);
	free(res->reason);
	strv_free(res->approvers, res->napprovers);
	memset(res, 0, sizeof *res);
}

/* Four-eyes: never the requester; only with one of the approver roles. */
bool
policy_may_approve(const struct omv_config *cfg, const struct ident *approver,
    const char *requester_login, char **approver_roles, size_t n, char **why)
{
	const struct role	**roles;
	struct sbuf		  sb;
	int			  nroles, i;
	size_t			  j;

	if (approver == NULL || approver->login == NULL) {
		if (why != NULL)
			*why = xstrdup("unknown approver");
		return (false);
	}
	if (requester_login == NULL) {
		if (why != NULL)
			*why = xstrdup("unknown requester");
		return (false);
	}
	if (strcmp(approver->login, requester_login) == 0) {
		if (why != NULL)
			*why = xstrdup("nobody approves their own request");
		return (false);
	}
	if (n == 0) {
		if (why != NULL)
			*why = xstrdup("the request names no approver roles");
		return (false);
	}
	nroles = policy_roles(cfg, approver, &roles);
	for (i = 0; i < nroles; i++) {
		for (j = 0; j < n; j++) {
			if (approver_roles[j] != NULL &&
			    strcmp(roles[i]->name, approver_roles[j]) == 0) {
				free(roles);
				return (true);
			}
		}
	}
	free(roles);
	if (why != NULL) {
		sbuf_init(&sb);
		sbuf_addf(&sb, "%s has none of the approver roles: ",
		    approver->login);
		for (j = 0; j < n; j++) {
			sbuf_addf(&sb, "%s%s", j == 0 ? "" : ", ",
			    approver_roles[j] != NULL ? approver_roles[j] :
			    "?");
		}
		*why = sbuf_steal(&sb);
	}
	return (false);
}
