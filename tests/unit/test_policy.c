/*
 * test_policy.c: the policy core on configs built in memory, so these cases
 * depend on neither the config loader nor the risk engine.  Most cases are
 * tables: one row per request and the decision it must get.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "ident.h"
#include "policy.h"
#include "risk.h"

#define SUN 0x01
#define MON 0x02
#define FRI 0x20
#define SAT 0x40
#define WEEKDAYS 0x3e
#define WEEKEND (SAT | SUN)
#define DAILY 0x7f

/* Split s on sep into an owned string vector; NULL or "" gives none. */
static char **
t_split(const char *s, char sep, size_t *n)
{
	char		**v = NULL;
	const char	 *p, *e;

	*n = 0;
	if (s == NULL || *s == '\0')
		return (NULL);
	for (p = s;; p = e + 1) {
		if ((e = strchr(p, sep)) == NULL)
			e = p + strlen(p);
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = xstrndup(p, (size_t)(e - p));
		if (*e == '\0')
			break;
	}
	return (v);
}

/* UTC seconds from "2026-11-27 23:00". */
static time_t
t_at(const char *s)
{
	int64_t	ms;

	if (parse_time(s, &ms) != 0)
		fail_msg("bad time %s", s);
	return ((time_t)(ms / 1000));
}

/* Letters for need[][]: a(llow) c(onfirm) p (approval) d(eny). */
static enum decision
t_letter(char c)
{
	switch (c) {
	case 'a': return (DECISION_ALLOW);
	case 'c': return (DECISION_CONFIRM);
	case 'p': return (DECISION_APPROVAL);
	default: return (DECISION_DENY);
	}
}

/*
 * Add a role.  need is four groups of four letters (low medium high
 * critical) for production, staging, development and no env, space
 * separated: "acpd acpd aaaa aacc".
 */
static struct role *
t_role(struct omv_config *cfg, const char *name, const char *servers,
    const char *need, const char *approvers, enum audit_level audit)
{
	struct role	*r;
	int		 e, l;

	cfg->roles = xreallocarray(cfg->roles, cfg->nroles + 1,
	    sizeof *cfg->roles);
	r = &cfg->roles[cfg->nroles++];
	memset(r, 0, sizeof *r);
	r->name = xstrdup(name);
	r->servers = t_split(servers, ',', &r->nservers);
	r->approvers = t_split(approvers, ',', &r->napprovers);
	r->outside_window = DECISION_DENY;
	r->audit_level = audit;
	assert_int_equal(strlen(need), 19);
	for (e = 0; e <= ENV_COUNT; e++) {
		for (l = 0; l < RISK_COUNT; l++)
			r->need[e][l] = t_letter(need[e * 5 + l]);
	}
	cfg->has_roles = true;
	return (r);
}

/* Find a role of cfg by name (roles move while the array grows). */
static struct role *
t_find_role(struct omv_config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->nroles; i++) {
		if (strcmp(cfg->roles[i].name, name) == 0)
			return (&cfg->roles[i]);
	}
	fail_msg("no role %s", name);
	return (NULL);
}

/* Add a weekly window to a role. */
static void
t_window(struct role *r, uint8_t days, const char *start, const char *end,
    const char *tz, const char *text)
{
	struct time_window	*w;
	int			 h, m;

	r->windows = xreallocarray(r->windows, r->nwindows + 1,
	    sizeof *r->windows);
	w = &r->windows[r->nwindows++];
	w->days = days;
	assert_int_equal(sscanf(start, "%d:%d", &h, &m), 2);
	w->start_min = h * 60 + m;
	assert_int_equal(sscanf(end, "%d:%d", &h, &m), 2);
	w->end_min = h * 60 + m;
	w->tz = tz != NULL ? xstrdup(tz) : NULL;
	w->text = text != NULL ? xstrdup(text) : NULL;
}

/* Map a login (or "%group") to roles. */
static void
t_user(struct omv_config *cfg, const char *who, const char *roles)
{
	struct user_map	*um;

	cfg->users = xreallocarray(cfg->users, cfg->nusers + 1,
	    sizeof *cfg->users);
	um = &cfg->users[cfg->nusers++];
	memset(um, 0, sizeof *um);
	um->is_group = who[0] == '%';
	um->who = xstrdup(who + (um->is_group ? 1 : 0));
	um->roles = t_split(roles, ',', &um->nroles);
}

/* Add a server. */
static struct server *
t_server(struct omv_config *cfg, const char *name, enum env e,
    const char *group, const char *tags)
{
	struct server	*s;

	s = xcalloc(1, sizeof *s);
	s->name = xstrdup(name);
	s->host = xstrdup("127.0.0.1");
	s->port = 22;
	s->env = e;
	s->group = xstrdup(group);
	s->tags = t_split(tags, ',', &s->ntags);
	s->index = cfg->nservers;
	cfg->servers = xreallocarray(cfg->servers, cfg->nservers + 1,
	    sizeof *cfg->servers);
	cfg->servers[cfg->nservers++] = s;
	return (s);
}

/* Look a test server up by name. */
static struct server *
t_find_server(struct omv_config *cfg, const char *name)
{
	size_t	i;

	for (i = 0; i < cfg->nservers; i++) {
		if (strcmp(cfg->servers[i]->name, name) == 0)
			return (cfg->servers[i]);
	}
	fail_msg("no server %s", name);
	return (NULL);
}

/* Free what the t_* builders made. */
static void
t_config_free(struct omv_config *cfg)
{
	struct server	*s;
	struct role	*r;
	size_t		 i, j;

	for (i = 0; i < cfg->nservers; i++) {
		s = cfg->servers[i];
		free(s->name);
		free(s->host);
		free(s->group);
		strv_free(s->tags, s->ntags);
		free(s);
	}
	free(cfg->servers);
	for (i = 0; i < cfg->nroles; i++) {
		r = &cfg->roles[i];
		free(r->name);
		strv_free(r->servers, r->nservers);
		strv_free(r->allow, r->nallow);
		strv_free(r->deny, r->ndeny);
		strv_free(r->approvers, r->napprovers);
		for (j = 0; j < r->nwindows; j++) {
			free(r->windows[j].tz);
			free(r->windows[j].text);
		}
		free(r->windows);
	}
	free(cfg->roles);
	for (i = 0; i < cfg->nusers; i++) {
		free(cfg->users[i].who);
		strv_free(cfg->users[i].roles, cfg->users[i].nroles);
	}
	free(cfg->users);
	free(cfg);
}

/* An identity: login and comma-separated groups. */
static struct ident *
t_ident(const char *login, const char *groups)
{
	struct ident	*id;

	id = xcalloc(1, sizeof *id);
	id->login = xstrdup(login);
	id->groups = t_split(groups, ',', &id->ngroups);
	return (id);
}

static void
t_ident_free(struct ident *id)
{
	free(id->login);
	strv_free(id->groups, id->ngroups);
	free(id);
}

/* A risk result as the engine would give it; commands split on '|'. */
static void
t_risk(struct risk_result *rr, enum risk_level level, const char *rule,
    const char *reason, const char *commands, bool unparsed)
{
	memset(rr, 0, sizeof *rr);
	rr->level = rr->base_level = level;
	rr->rule = rule != NULL ? xstrdup(rule) : NULL;
	rr->reason = xstrdup(reason != NULL ? reason : "no rule matched");
	rr->commands = t_split(commands, '|', &rr->ncommands);
	rr->unparsed = unparsed;
}

static void
t_risk_free(struct risk_result *rr)
{
	free(rr->rule);
	free(rr->reason);
	strv_free(rr->commands, rr->ncommands);
}

/*
 * The fleet most cases run against.  Servers:
 *   web-1   production  production/web  web,nginx
 *   web-10  production  production/web  web
 *   db-1    production  production/db   db
 *   stage-1 staging     staging         web
 *   dev-1   development dev
 *   lab-1   (no env)    ""              lab
 */
static struct omv_config *
t_fleet(void)
{
	struct omv_config	*cfg;
	struct role		*r;

	cfg = xcalloc(1, sizeof *cfg);
	cfg->audit.level = AUDIT_BASIC;
	t_server(cfg, "web-1", ENV_PRODUCTION, "production/web", "web,nginx");
	t_server(cfg, "web-10", ENV_PRODUCTION, "production/web", "web");
	t_server(cfg, "db-1", ENV_PRODUCTION, "production/db", "db");
	t_server(cfg, "stage-1", ENV_STAGING, "staging", "web");
	t_server(cfg, "dev-1", ENV_DEVELOPMENT, "dev", NULL);
	t_server(cfg, "lab-1", ENV_NONE, "", "lab");

	/* ops: all of production; critical is never allowed there. */
	r = t_role(cfg, "ops", "group:production",
	    "acpd acpd aaaa aacc", "lead,admin", AUDIT_DETAILED);
	r->deny = t_split("rm -rf /,rm -rf /*,mkfs*", ',', &r->ndeny);

	/* dba: database hosts, database tools only. */
	r = t_role(cfg, "dba", "tag:db", "aaap aaap aaap aaap", "lead",
	    AUDIT_COMPREHENSIVE);
	r->allow = t_split("psql *,pg_dump *,systemctl status *", ',',
	    &r->nallow);

	/* dev: staging, development and the lab. */
	r = t_role(cfg, "dev", "env:stage,env:dev,lab-*",
	    "dddd aacp aaaa aaac", "lead", AUDIT_BASIC);
	r->deny = t_split("reboot,shutdown *", ',', &r->ndeny);

	/* night: the web-N hosts (one digit), nights only, UTC. */
	r = t_role(cfg, "night", "web-?", "aaaa aaaa aaaa aaaa", "lead",
	    AUDIT_BASIC);
	t_window(r, DAILY, "22:00", "06:00", "UTC", "daily 22:00-06:00 UTC");

	/* oncall: production subgroups at the weekend in Seoul, else approval. */
	r = t_role(cfg, "oncall", "group:production/*", "aaad aaad aaad aaad",
	    "lead", AUDIT_BASIC);
	t_window(r, WEEKEND, "00:00", "24:00", "Asia/Seoul",
	    "sat-sun 00:00-24:00 Asia/Seoul");
	r->outside_window = DECISION_APPROVAL;

	/* solo: needs approval for critical but names nobody to give it. */
	t_role(cfg, "solo", "tag:nginx", "aaap aaap aaap aaap", NULL,
	    AUDIT_BASIC);

	t_role(cfg, "lead", "*", "cccp cccp cccp cccp", "admin", AUDIT_DETAILED);
	t_role(cfg, "admin", "name:*", "aaac aaac aaac aaac", NULL,
	    AUDIT_COMPREHENSIVE);

	t_user(cfg, "alice", "ops");
	t_user(cfg, "bob", "dev");
	t_user(cfg, "carol", "ops,dba");
	t_user(cfg, "dave", "night");
	t_user(cfg, "%oncall", "oncall");
	t_user(cfg, "gina", "dba");
	t_user(cfg, "hank", "oncall,ops");
	t_user(cfg, "lena", "lead");
	t_user(cfg, "sam", "solo");
	t_user(cfg, "%wheel", "admin");
	t_user(cfg, "walt", "admin");
	return (cfg);
}

/* One request against the fleet and what it must get. */
struct decide_case {
	const char	*login;
	const char	*groups;
	const char	*server;
	enum risk_level	 level;
	const char	*rule;		/* "name:reason" or NULL */
	const char	*line;
	const char	*commands;	/* '|' separated; NULL = the line */
	bool		 unparsed;
	const char	*at;

	enum decision	 decision;
	const char	*role;		/* NULL: no role */
	const char	*reason;	/* must appear in the reason */
	const char	*approvers;	/* comma list, exact */
	enum audit_level audit;
};

#define WED "2026-11-25 12:00"		/* Wednesday, Seoul 21:00 */
#define SAT_SEOUL "2026-11-27 16:00"	/* Friday UTC, Saturday 01:00 in Seoul */

static const struct decide_case decide_cases[] = {
	/* Closed by default. */
	{ "alice", NULL, "stage-1", RISK_LOW, NULL, "ls", NULL, false, WED,
	  DECISION_DENY, NULL, "no role grants server stage-1 (alice has role ops)",
	  NULL, AUDIT_BASIC },
	{ "frank", "users", "web-1", RISK_LOW, NULL, "ls", NULL, false, WED,
	  DECISION_DENY, NULL, "no role grants server web-1 (frank has no role)",
	  NULL, AUDIT_BASIC },

	/* Per-env need table: ops on production. */
	{ "alice", NULL, "web-1", RISK_LOW, NULL, "ls -l", NULL, false, WED,
	  DECISION_ALLOW, "ops", "role ops: low on production is allowed", NULL,
	  AUDIT_DETAILED },
	{ "alice", NULL, "web-1", RISK_MEDIUM, NULL, "vi x", NULL, false, WED,
	  DECISION_CONFIRM, "ops", "role ops: medium on production needs "
	  "confirmation", NULL, AUDIT_DETAILED },
	{ "alice", NULL, "web-1", RISK_HIGH,
	  "service-stop:systemctl stop: stops a service",
	  "systemctl stop nginx", NULL, false, WED,
	  DECISION_APPROVAL, "ops", "role ops: high on production needs approval "
	  "(rule service-stop: systemctl stop: stops a service)", "lead,admin",
	  AUDIT_DETAILED },
	{ "alice", NULL, "db-1", RISK_CRITICAL, "dd-disk:dd: writes a device",
	  "dd if=/dev/zero of=/dev/sda", NULL, false, WED,
	  DECISION_DENY, "ops", "role ops: critical on production is denied "
	  "(rule dd-disk: dd: writes a device)", NULL, AUDIT_DETAILED },

	/* Deny list: a command, a pipeline member, the whole line. */
	{ "alice", NULL, "web-1", RISK_CRITICAL, NULL, "rm -rf /", NULL, false,
	  WED, DECISION_DENY, "ops", "role ops: 'rm -rf /' matches its deny list "
	  "(rm -rf /)", NULL, AUDIT_DETAILED },
	{ "alice", NULL, "web-1", RISK_CRITICAL, NULL,
	  "cd /tmp && sudo mkfs.ext4 /dev/sdb", "cd /tmp|mkfs.ext4 /dev/sdb",
	  false, WED, DECISION_DENY, "ops", "'mkfs.ext4 /dev/sdb' matches its "
	  "deny list (mkfs*)", NULL, AUDIT_DETAILED },

	/* Env globs: env:stage and env:dev are the short names. */
	{ "bob", NULL, "stage-1", RISK_HIGH, NULL, "systemctl restart app", NULL,
	  false, WED, DECISION_CONFIRM, "dev", "role dev: high on staging needs "
	  "confirmation", NULL, AUDIT_BASIC },
	{ "bob", NULL, "stage-1", RISK_CRITICAL, NULL, "drop", NULL, false, WED,
	  DECISION_APPROVAL, "dev", "critical on staging needs approval", "lead",
	  AUDIT_BASIC },
	{ "bob", NULL, "dev-1", RISK_CRITICAL, NULL, "rm -rf build", NULL, false,
	  WED, DECISION_ALLOW, "dev", "role dev: critical on development is "
	  "allowed", NULL, AUDIT_BASIC },
	{ "bob", NULL, "lab-1", RISK_CRITICAL, NULL, "rm -rf x", NULL, false,
	  WED, DECISION_CONFIRM, "dev", "role dev: critical on lab-1 (no env) "
	  "needs confirmation", NULL, AUDIT_BASIC },
	{ "bob", NULL, "lab-1", RISK_HIGH, NULL, "reboot", NULL, false, WED,
	  DECISION_DENY, "dev", "role dev: 'reboot' matches its deny list "
	  "(reboot)", NULL, AUDIT_BASIC },
	{ "bob", NULL, "web-1", RISK_LOW, NULL, "ls", NULL, false, WED,
	  DECISION_DENY, NULL, "no role grants server web-1", NULL, AUDIT_BASIC },

	/* Allow list. */
	{ "gina", NULL, "db-1", RISK_LOW, NULL, "psql -c 'select 1'", NULL,
	  false, WED, DECISION_ALLOW, "dba", "role dba: low on production is "
	  "allowed", NULL, AUDIT_COMPREHENSIVE },
	{ "gina", NULL, "db-1", RISK_LOW, NULL, "psql -l | less",
	  "psql -l|less", false, WED, DECISION_DENY, "dba", "role dba: 'less' is "
	  "not in its allow list", NULL, AUDIT_COMPREHENSIVE },
	{ "gina", NULL, "db-1", RISK_MEDIUM, NULL, "psql $(", "psql", true, WED,
	  DECISION_DENY, "dba", "role dba: 'psql $(' could not be fully parsed, "
	  "so it cannot pass its allow list", NULL, AUDIT_COMPREHENSIVE },
	{ "gina", NULL, "db-1", RISK_CRITICAL, NULL, "pg_dump x", NULL, false,
	  WED, DECISION_APPROVAL, "dba", "critical on production needs approval",
	  "lead", AUDIT_COMPREHENSIVE },
	{ "gina", NULL, "db-1", RISK_LOW, NULL, "", NULL, false, WED,
	  DECISION_ALLOW, "dba", "low on production is allowed", NULL,
	  AUDIT_COMPREHENSIVE },

	/* Several roles: the most permissive wins, deny wins over all. */
	{ "carol", NULL, "db-1", RISK_MEDIUM, NULL, "psql -f fix.sql", NULL,
	  false, WED, DECISION_ALLOW, "dba", "role dba: medium on production is "
	  "allowed; the most permissive of roles ops, dba", NULL,
	  AUDIT_COMPREHENSIVE },
	{ "carol", NULL, "db-1", RISK_HIGH, NULL, "systemctl stop pg",
	  "systemctl stop pg", false, WED, DECISION_APPROVAL, "ops",
	  "role ops: high on production needs approval; the most permissive of "
	  "roles ops, dba", "lead,admin", AUDIT_COMPREHENSIVE },
	{ "carol", NULL, "db-1", RISK_CRITICAL, NULL, "rm -rf /*", NULL, false,
	  WED, DECISION_DENY, "ops", "role ops: 'rm -rf /*' matches its deny list "
	  "(rm -rf /*); a deny match wins over roles ops, dba", NULL,
	  AUDIT_COMPREHENSIVE },
	{ "carol", NULL, "web-1", RISK_LOW, NULL, "ls", NULL, false, WED,
	  DECISION_ALLOW, "ops", "role ops: low on production is allowed", NULL,
	  AUDIT_DETAILED },

	/* Time windows: nights in UTC, wrapping past midnight. */
	{ "dave", NULL, "web-1", RISK_HIGH, NULL, "x", NULL, false,
	  "2026-11-27 23:00", DECISION_ALLOW, "night", "role night: high on "
	  "production is allowed", NULL, AUDIT_BASIC },
	{ "dave", NULL, "web-1", RISK_HIGH, NULL, "x", NULL, false,
	  "2026-11-28 05:59", DECISION_ALLOW, "night", "is allowed", NULL,
	  AUDIT_BASIC },
	{ "dave", NULL, "web-1", RISK_LOW, NULL, "x", NULL, false,
	  "2026-11-28 06:00", DECISION_DENY, "night", "role night: outside its "
	  "window daily 22:00-06:00 UTC", NULL, AUDIT_BASIC },
	{ "dave", NULL, "web-10", RISK_LOW, NULL, "x", NULL, false,
	  "2026-11-27 23:00", DECISION_DENY, NULL, "no role grants server web-10",
	  NULL, AUDIT_BASIC },

	/* Weekend window in Seoul, approval outside it; group by Unix group. */
	{ "erin", "staff,oncall", "web-1", RISK_HIGH, NULL, "x", NULL, false,
	  SAT_SEOUL, DECISION_ALLOW, "oncall", "role oncall: high on production "
	  "is allowed", NULL, AUDIT_BASIC },
	{ "erin", "oncall", "db-1", RISK_HIGH, NULL, "x", NULL, false, WED,
	  DECISION_APPROVAL, "oncall", "role oncall: outside its window sat-sun "
	  "00:00-24:00 Asia/Seoul, needs approval", "lead", AUDIT_BASIC },
	{ "erin", "oncall", "db-1", RISK_CRITICAL, NULL, "x", NULL, false, WED,
	  DECISION_DENY, "oncall", "role oncall: critical on production is "
	  "denied; also outside its window sat-sun", NULL, AUDIT_BASIC },
	{ "erin", "oncall", "db-1", RISK_CRITICAL, NULL, "x", NULL, false,
	  SAT_SEOUL, DECISION_DENY, "oncall", "role oncall: critical on "
	  "production is denied", NULL, AUDIT_BASIC },

	/* Two roles needing approval: approvers are the union, each once. */
	{ "hank", NULL, "web-1", RISK_HIGH, NULL, "x", NULL, false, WED,
	  DECISION_APPROVAL, "ops", "role ops: high on production needs "
	  "approval; the most permissive of roles ops, oncall", "lead,admin",
	  AUDIT_DETAILED },
	{ "hank", NULL, "web-1", RISK_HIGH, NULL, "x", NULL, false, SAT_SEOUL,
	  DECISION_ALLOW, "oncall", "role oncall: high on production is allowed",
	  NULL, AUDIT_DETAILED },

	/* Approval with nobody to give it is a deny. */
	{ "sam", NULL, "web-1", RISK_CRITICAL, NULL, "x", NULL, false, WED,
	  DECISION_DENY, "solo", "role solo: critical on production needs "
	  "approval, but the role names no approvers", NULL, AUDIT_BASIC },
	{ "sam", NULL, "web-1", RISK_HIGH, NULL, "x", NULL, false, WED,
	  DECISION_ALLOW, "solo", "is allowed", NULL, AUDIT_BASIC },

	/* Lead and admin reach everything; admin by Unix group too. */
	{ "lena", NULL, "lab-1", RISK_CRITICAL, NULL, "x", NULL, false, WED,
	  DECISION_APPROVAL, "lead", "role lead: critical on lab-1 (no env) needs "
	  "approval", "admin", AUDIT_DETAILED },
	{ "root", "root,wheel", "db-1", RISK_CRITICAL, NULL, "x", NULL, false,
	  WED, DECISION_CONFIRM, "admin", "role admin: critical on production "
	  "needs confirmation", NULL, AUDIT_COMPREHENSIVE },
	{ "walt", "wheel", "db-1", RISK_HIGH, NULL, "x", NULL, false, WED,
	  DECISION_ALLOW, "admin", "role admin: high on production is allowed",
	  NULL, AUDIT_COMPREHENSIVE },

	/* Reasons never carry control characters and stay short. */
	{ "bob", NULL, "lab-1", RISK_HIGH, NULL, "reboot\x1b[2J", "reboot",
	  false, WED, DECISION_DENY, "dev", "'reboot' matches", NULL,
	  AUDIT_BASIC },
	{ "gina", NULL, "db-1", RISK_LOW, NULL, "x",
	  "ls \x1b]0;pwned\x07 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  false, WED, DECISION_DENY, "dba", "'ls ?]0;pwned? " "aaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is "
	  "not in its allow list", NULL, AUDIT_COMPREHENSIVE },
};

/* Run every decide_cases row against the fleet. */
static void
test_decide_table(void **state)
{
	const struct decide_case	*dc;
	struct omv_config		*cfg;
	struct ident			*id;
	struct risk_result		 rr;
	struct policy_request		 req;
	struct policy_result		 res;
	char				*rule = NULL, *why = NULL, *colon, *got;
	size_t				 i, j;
	struct sbuf			 sb;

	(void)state;
	cfg = t_fleet();
	for (i = 0; i < sizeof decide_cases / sizeof decide_cases[0]; i++) {
		dc = &decide_cases[i];
		rule = why = NULL;
		if (dc->rule != NULL) {
			rule = xstrdup(dc->rule);
			colon = strchr(rule, ':');
			*colon = '\0';
			why = colon + 1;
		}
		t_risk(&rr, dc->level, rule, why,
		    dc->commands != NULL ? dc->commands : dc->line,
		    dc->unparsed);
		free(rule);
		id = t_ident(dc->login, dc->groups);
		req.user = id;
		req.server = t_find_server(cfg, dc->server);
		req.line = dc->line;
		req.risk = &rr;
		req.when = t_at(dc->at);
		policy_decide(cfg, &req, &res);

		sbuf_init(&sb);
		for (j = 0; j < res.napprovers; j++)
			sbuf_addf(&sb, "%s%s", j == 0 ? "" : ",", res.approvers[j]);
		got = sbuf_steal(&sb);
		if (res.decision != dc->decision ||
		    (dc->role == NULL) != (res.role == NULL) ||
		    (dc->role != NULL && strcmp(dc->role, res.role) != 0) ||
		    strstr(res.reason, dc->reason) == NULL ||
		    strcmp(got, dc->approvers != NULL ? dc->approvers : "") != 0 ||
		    res.audit_level != dc->audit ||
		    strspn(res.reason, "\x1b\x07") != 0 ||
		    strchr(res.reason, '\x1b') != NULL) {
			fail_msg("case %zu (%s on %s: %s): got %s role %s "
			    "approvers [%s] audit %s reason \"%s\"; want %s role "
			    "%s approvers [%s] audit %s reason \"%s\"", i,
			    dc->login, dc->server, dc->line,
			    decision_name(res.decision),
			    res.role != NULL ? res.role : "-", got,
			    audit_level_name(res.audit_level), res.reason,
			    decision_name(dc->decision),
			    dc->role != NULL ? dc->role : "-",
			    dc->approvers != NULL ? dc->approvers : "",
			    audit_level_name(dc->audit), dc->reason);
		}
		free(got);
		policy_result_clear(&res);
		t_risk_free(&rr);
		t_ident_free(id);
	}
	t_config_free(cfg);
}

/* One role server pattern against one server. */
struct grant_case {
	const char	*pattern;
	const char	*server;
	bool		 grants;
};

static const struct grant_case grant_cases[] = {
	{ "web-1", "web-1", true },
	{ "web-?", "web-10", false },
	{ "web-*", "web-10", true },
	{ "name:db-*", "db-1", true },
	{ "name:db-*", "web-1", false },
	{ "group:production", "web-1", true },		/* ancestor */
	{ "group:production/web", "web-1", true },	/* exact */
	{ "group:production/*", "db-1", true },
	{ "group:production/*", "stage-1", false },
	{ "group:prod*", "db-1", true },
	{ "group:web", "web-1", false },		/* not a suffix match */
	{ "group:production/web/x", "web-1", false },
	{ "group:staging", "stage-1", true },
	{ "group:staging/*", "stage-1", false },
	{ "tag:nginx", "web-1", true },
	{ "tag:nginx", "web-10", false },
	{ "tag:d?", "db-1", true },
	{ "tag:*", "dev-1", false },			/* no tags at all */
	{ "env:production", "db-1", true },
	{ "env:prod", "web-1", true },
	{ "env:PROD", "web-1", true },
	{ "env:staging", "web-1", false },
	{ "env:dev", "dev-1", true },
	{ "env:none", "lab-1", true },
	{ "env:none", "dev-1", false },
	{ "env:*ing", "stage-1", true },
	{ "env:*ing", "dev-1", false },
	{ "*", "lab-1", true },
};

/* Server globs by name, group path, tag and env. */
static void
test_grants(void **state)
{
	const struct grant_case	*gc;
	struct omv_config	*cfg;
	struct role		 r;
	char			*pat;
	size_t			 i;

	(void)state;
	cfg = t_fleet();
	for (i = 0; i < sizeof grant_cases / sizeof grant_cases[0]; i++) {
		gc = &grant_cases[i];
		memset(&r, 0, sizeof r);
		r.name = NULL;
		pat = xstrdup(gc->pattern);
		r.servers = &pat;
		r.nservers = 1;
		if (policy_role_grants(&r, t_find_server(cfg, gc->server)) !=
		    gc->grants) {
			fail_msg("case %zu: %s on %s should %sgrant", i,
			    gc->pattern, gc->server, gc->grants ? "" : "not ");
		}
		free(pat);
	}
	t_config_free(cfg);
}

/* One window against one instant. */
struct window_case {
	uint8_t		 days;
	const char	*start;
	const char	*end;
	const char	*tz;
	const char	*at;		/* UTC */
	bool		 inside;
};

static const struct window_case window_cases[] = {
	/* 14:30 UTC Wednesday: 23:30 in Seoul, 09:30 in New York (EST). */
	{ WEEKDAYS, "09:00", "18:00", "UTC", "2026-11-25 14:30", true },
	{ WEEKDAYS, "09:00", "18:00", "Asia/Seoul", "2026-11-25 14:30", false },
	{ WEEKDAYS, "09:00", "18:00", "America/New_York", "2026-11-25 14:30",
	  true },
	{ WEEKDAYS, "09:00", "18:00", "America/New_York", "2026-11-25 13:59",
	  false },
	/* 16:00 UTC Friday is already Saturday 01:00 in Seoul. */
	{ WEEKDAYS, "00:00", "24:00", "Asia/Seoul", "2026-11-27 16:00", false },
	{ WEEKDAYS, "00:00", "24:00", "America/New_York", "2026-11-27 16:00",
	  true },
	{ SAT, "00:00", "02:00", "Asia/Seoul", "2026-11-27 16:00", true },
	/* Summer time: 13:30 UTC is 09:30 EDT in July, 08:30 EST in November. */
	{ WEEKDAYS, "09:00", "18:00", "America/New_York", "2026-07-01 13:30",
	  true },
	{ WEEKDAYS, "09:00", "18:00", "America/New_York", "2026-11-25 13:30",
	  false },
	/* Bounds: start is in, end is out. */
	{ DAILY, "09:00", "18:00", "UTC", "2026-11-25 09:00", true },
	{ DAILY, "09:00", "18:00", "UTC", "2026-11-25 17:59", true },
	{ DAILY, "09:00", "18:00", "UTC", "2026-11-25 18:00", false },
	{ DAILY, "09:00", "18:00", "UTC", "2026-11-25 08:59", false },
	/* Friday night past midnight: belongs to Friday. */
	{ FRI, "22:00", "06:00", "UTC", "2026-11-27 21:59", false },
	{ FRI, "22:00", "06:00", "UTC", "2026-11-27 22:00", true },
	{ FRI, "22:00", "06:00", "UTC", "2026-11-28 03:00", true },
	{ FRI, "22:00", "06:00", "UTC", "2026-11-28 06:00", false },
	{ FRI, "22:00", "06:00", "UTC", "2026-11-26 23:00", false },
	{ FRI, "22:00", "06:00", "UTC", "2026-11-27 03:00", false },
	{ FRI, "22:00", "06:00", "UTC", "2026-11-28 22:30", false },
	/* Sunday night wraps into Monday (the week wraps too). */
	{ SUN, "23:00", "01:00", "UTC", "2026-11-30 00:30", true },
	{ SAT, "23:00", "01:00", "UTC", "2026-11-30 00:30", false },
	/* Days: only the days named. */
	{ MON, "00:00", "24:00", "UTC", "2026-11-30 12:00", true },
	{ MON, "00:00", "24:00", "UTC", "2026-11-29 23:59", false },
	{ WEEKEND, "00:00", "24:00", "UTC", "2026-11-29 23:59", true },
	/* No days at all reads as every day; start == end is a full day. */
	{ 0, "08:00", "09:00", "UTC", "2026-11-29 08:30", true },
	{ MON, "12:00", "12:00", "UTC", "2026-12-01 11:59", true },
	{ MON, "12:00", "12:00", "UTC", "2026-12-01 12:00", false },
};

/* Windows in their own zone, with days and wrap past midnight. */
static void
test_windows(void **state)
{
	const struct window_case	*wc;
	struct time_window		 w;
	int				 h, m;
	size_t				 i;

	(void)state;
	for (i = 0; i < sizeof window_cases / sizeof window_cases[0]; i++) {
		wc = &window_cases[i];
		memset(&w, 0, sizeof w);
		w.days = wc->days;
		assert_int_equal(sscanf(wc->start, "%d:%d", &h, &m), 2);
		w.start_min = h * 60 + m;
		assert_int_equal(sscanf(wc->end, "%d:%d", &h, &m), 2);
		w.end_min = h * 60 + m;
		w.tz = (char *)(uintptr_t)wc->tz;
		if (policy_window_contains(&w, t_at(wc->at)) != wc->inside) {
			fail_msg("case %zu: %s %s-%s days 0x%02x should %sbe "
			    "inside", i, wc->at, wc->start, wc->end,
			    (unsigned)wc->days, wc->inside ? "" : "not ");
		}
	}
}

/* Converting into a window's zone leaves the process's TZ as it was. */
static void
test_tz_restored(void **state)
{
	struct time_window	w;
	struct tm		tm;
	time_t			t;

	(void)state;
	memset(&w, 0, sizeof w);
	w.days = DAILY;
	w.start_min = 0;
	w.end_min = 60;
	w.tz = (char *)(uintptr_t)"Asia/Seoul";
	t = t_at("2026-11-25 15:30");		/* 00:30 Thursday in Seoul */

	setenv("TZ", "America/New_York", 1);
	tzset();
	assert_true(policy_window_contains(&w, t));
	assert_string_equal(getenv("TZ"), "America/New_York");
	localtime_r(&t, &tm);
	assert_int_equal(tm.tm_hour, 10);

	unsetenv("TZ");
	tzset();
	assert_true(policy_window_contains(&w, t));
	assert_null(getenv("TZ"));

	/* No zone: the jump host's local time. */
	setenv("TZ", "Asia/Seoul", 1);
	tzset();
	w.tz = NULL;
	assert_true(policy_window_contains(&w, t));
	setenv("TZ", "UTC", 1);
	tzset();
	assert_false(policy_window_contains(&w, t));
	unsetenv("TZ");
	tzset();
}

/* Personal config: everything visible, critical confirms, never approval. */
static void
test_personal(void **state)
{
	static const enum decision	 want[RISK_COUNT] = {
		DECISION_ALLOW, DECISION_ALLOW, DECISION_ALLOW, DECISION_CONFIRM
	};
	struct omv_config		*cfg;
	struct server			*s;
	struct ident			*id;
	struct risk_result		 rr;
	struct policy_request		 req;
	struct policy_result		 res;
	const struct role		**roles;
	int				 l;

	(void)state;
	cfg = xcalloc(1, sizeof *cfg);
	s = t_server(cfg, "anything", ENV_PRODUCTION, "production", NULL);
	id = t_ident("nobody", NULL);
	assert_true(policy_server_visible(cfg, id, s));
	assert_int_equal(policy_roles(cfg, id, &roles), 0);
	assert_null(roles);
	for (l = 0; l < RISK_COUNT; l++) {
		t_risk(&rr, (enum risk_level)l, l == RISK_CRITICAL ? "rm-root" :
		    NULL, "rm -rf /: removes everything", "rm -rf /", false);
		req.user = id;
		req.server = s;
		req.line = "rm -rf /";
		req.risk = &rr;
		req.when = t_at(WED);
		policy_decide(cfg, &req, &res);
		assert_int_equal(res.decision, want[l]);
		assert_null(res.role);
		assert_int_equal(res.napprovers, 0);
		assert_non_null(strstr(res.reason, "personal config"));
		if (l == RISK_CRITICAL) {
			assert_string_equal(res.reason, "personal config: "
			    "critical needs confirmation (rule rm-root: rm -rf /: "
			    "removes everything)");
		}
		policy_result_clear(&res);
		t_risk_free(&rr);
	}
	/* No risk result at all reads as low. */
	req.risk = NULL;
	req.line = NULL;
	policy_decide(cfg, &req, &res);
	assert_int_equal(res.decision, DECISION_ALLOW);
	policy_result_clear(&res);
	t_ident_free(id);
	t_config_free(cfg);
}

/* Visibility: closed by default, windows ignored. */
static void
test_visible(void **state)
{
	static const struct {
		const char	*login;
		const char	*groups;
		const char	*server;
		bool		 visible;
	} cases[] = {
		{ "alice", NULL, "web-1", true },
		{ "alice", NULL, "stage-1", false },
		{ "alice", NULL, "lab-1", false },
		{ "bob", NULL, "lab-1", true },
		{ "bob", NULL, "db-1", false },
		{ "dave", NULL, "web-1", true },	/* outside its window */
		{ "dave", NULL, "web-10", false },
		{ "erin", "oncall", "db-1", true },
		{ "erin", "oncallx", "db-1", false },
		{ "frank", NULL, "web-1", false },
		{ "oncall", NULL, "db-1", false },	/* a login, not the group */
		{ "root", "wheel", "lab-1", true },
	};
	struct omv_config	*cfg;
	struct ident		*id;
	size_t			 i;

	(void)state;
	cfg = t_fleet();
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		id = t_ident(cases[i].login, cases[i].groups);
		if (policy_server_visible(cfg, id,
		    t_find_server(cfg, cases[i].server)) != cases[i].visible) {
			fail_msg("case %zu: %s should %ssee %s", i,
			    cases[i].login, cases[i].visible ? "" : "not ",
			    cases[i].server);
		}
		t_ident_free(id);
	}
	t_config_free(cfg);
}

/* Roles by login and by group, once each, in config order. */
static void
test_roles(void **state)
{
	struct omv_config	 *cfg;
	struct ident		 *id;
	const struct role	**roles;
	int			  n;

	(void)state;
	cfg = t_fleet();
	t_user(cfg, "%ops-team", "ops,admin");

	id = t_ident("carol", "users");
	n = policy_roles(cfg, id, &roles);
	assert_int_equal(n, 2);
	assert_string_equal(roles[0]->name, "ops");
	assert_string_equal(roles[1]->name, "dba");
	free(roles);
	t_ident_free(id);

	/* carol's login gives ops,dba; her group gives ops again and admin. */
	id = t_ident("carol", "users,ops-team");
	n = policy_roles(cfg, id, &roles);
	assert_int_equal(n, 3);
	assert_string_equal(roles[0]->name, "ops");
	assert_string_equal(roles[1]->name, "dba");
	assert_string_equal(roles[2]->name, "admin");
	free(roles);
	t_ident_free(id);

	/* Unknown role names in the users map are ignored. */
	t_user(cfg, "zoe", "ghost,dev");
	id = t_ident("zoe", NULL);
	n = policy_roles(cfg, id, &roles);
	assert_int_equal(n, 1);
	assert_string_equal(roles[0]->name, "dev");
	free(roles);
	t_ident_free(id);

	id = t_ident("frank", NULL);
	assert_int_equal(policy_roles(cfg, id, &roles), 0);
	assert_null(roles);
	t_ident_free(id);
	t_config_free(cfg);
}

/* Four-eyes: never your own request, only with an approver role. */
static void
test_may_approve(void **state)
{
	static const struct {
		const char	*approver;
		const char	*groups;
		const char	*requester;
		const char	*roles;
		bool		 may;
		const char	*why;
	} cases[] = {
		{ "lena", NULL, "alice", "lead,admin", true, NULL },
		{ "walt", NULL, "alice", "lead,admin", true, NULL },
		{ "root", "wheel", "alice", "lead,admin", true, NULL },
		{ "lena", NULL, "lena", "lead,admin", false,
		  "nobody approves their own request" },
		{ "lena", NULL, "gina", "admin", false,
		  "lena has none of the approver roles: admin" },
		{ "bob", NULL, "alice", "lead,admin", false,
		  "bob has none of the approver roles: lead, admin" },
		{ "frank", NULL, "alice", "lead", false,
		  "frank has none of the approver roles: lead" },
		{ "lena", NULL, "alice", NULL, false,
		  "the request names no approver roles" },
		/* Holding the role named is not enough for your own request. */
		{ "walt", "wheel", "walt", "admin", false,
		  "nobody approves their own request" },
	};
	struct omv_config	*cfg;
	struct ident		*id;
	char			**v, *why;
	size_t			 i, n;
	bool			 may;

	(void)state;
	cfg = t_fleet();
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		id = t_ident(cases[i].approver, cases[i].groups);
		v = t_split(cases[i].roles, ',', &n);
		why = NULL;
		may = policy_may_approve(cfg, id, cases[i].requester, v, n, &why);
		if (may != cases[i].may) {
			fail_msg("case %zu: %s approving %s: got %d (%s)", i,
			    cases[i].approver, cases[i].requester, may,
			    why != NULL ? why : "");
		}
		if (cases[i].why != NULL)
			assert_string_equal(why, cases[i].why);
		else
			assert_null(why);
		free(why);
		strv_free(v, n);
		t_ident_free(id);
	}
	/* No approver, no requester, and why may be NULL. */
	assert_false(policy_may_approve(cfg, NULL, "alice", NULL, 0, NULL));
	id = t_ident("lena", NULL);
	assert_false(policy_may_approve(cfg, id, NULL, NULL, 0, NULL));
	t_ident_free(id);
	t_config_free(cfg);
}

/* A window that is the only way in: outside it, deny or approval. */
static void
test_outside_window(void **state)
{
	struct omv_config	*cfg;
	struct role		*r;
	struct ident		*id;
	struct risk_result	 rr;
	struct policy_request	 req;
	struct policy_result	 res;

	(void)state;
	cfg = xcalloc(1, sizeof *cfg);
	t_server(cfg, "app-1", ENV_STAGING, "staging", NULL);
	r = t_role(cfg, "day", "app-*", "aaaa aaaa aaaa aaaa", "lead",
	    AUDIT_BASIC);
	t_window(r, WEEKDAYS, "09:00", "18:00", "Europe/Berlin", NULL);
	t_window(r, SAT, "10:00", "12:00", "Europe/Berlin", NULL);
	t_user(cfg, "ann", "day");
	id = t_ident("ann", NULL);
	t_risk(&rr, RISK_LOW, NULL, NULL, "uptime", false);
	req.user = id;
	req.server = t_find_server(cfg, "app-1");
	req.line = "uptime";
	req.risk = &rr;

	/* 08:30 UTC is 09:30 in Berlin (CET). */
	req.when = t_at("2026-11-25 08:30");
	policy_decide(cfg, &req, &res);
	assert_int_equal(res.decision, DECISION_ALLOW);
	policy_result_clear(&res);

	/* 07:30 UTC is 08:30 in Berlin: outside; windows without text. */
	req.when = t_at("2026-11-25 07:30");
	policy_decide(cfg, &req, &res);
	assert_int_equal(res.decision, DECISION_DENY);
	assert_string_equal(res.role, "day");
	assert_string_equal(res.reason, "role day: outside its window days "
	    "0x3e 09:00-18:00 Europe/Berlin, days 0x40 10:00-12:00 "
	    "Europe/Berlin");
	assert_int_equal(res.napprovers, 0);
	policy_result_clear(&res);

	/* Saturday 10:30 in Berlin: the second window. */
	req.when = t_at("2026-11-28 09:30");
	policy_decide(cfg, &req, &res);
	assert_int_equal(res.decision, DECISION_ALLOW);
	policy_result_clear(&res);

	/* The role asks for approval outside its window instead. */
	cfg->roles[0].outside_window = DECISION_APPROVAL;
	req.when = t_at("2026-11-25 07:30");
	policy_decide(cfg, &req, &res);
	assert_int_equal(res.decision, DECISION_APPROVAL);
	assert_non_null(strstr(res.reason, ", needs approval"));
	assert_int_equal(res.napprovers, 1);
	assert_string_equal(res.approvers[0], "lead");
	policy_result_clear(&res);

	/* Any other outside_window value fails closed. */
	cfg->roles[0].outside_window = DECISION_ALLOW;
	policy_decide(cfg, &req, &res);
	assert_int_equal(res.decision, DECISION_DENY);
	policy_result_clear(&res);

	/* A second role inside its window gives the better decision. */
	t_role(cfg, "late", "app-1", "cccc cccc cccc cccc", NULL, AUDIT_BASIC);
	t_user(cfg, "ann", "late");
	t_window(t_find_role(cfg, "late"), DAILY, "06:00", "10:00", "UTC", NULL);
	policy_decide(cfg, &req, &res);
	assert_int_equal(res.decision, DECISION_CONFIRM);
	assert_string_equal(res.role, "late");
	assert_string_equal(res.reason, "role late: low on staging needs "
	    "confirmation; the most permissive of roles day, late");
	policy_result_clear(&res);

	t_risk_free(&rr);
	t_ident_free(id);
	t_config_free(cfg);
}

/* A deny list applies even when its role's window is shut. */
static void
test_deny_outside_window(void **state)
{
	struct omv_config	*cfg;
	struct role		*r;
	struct ident		*id;
	struct risk_result	 rr;
	struct policy_request	 req;
	struct policy_result	 res;

	(void)state;
	cfg = xcalloc(1, sizeof *cfg);
	t_server(cfg, "app-1", ENV_DEVELOPMENT, "dev", NULL);
	r = t_role(cfg, "night", "*", "aaaa aaaa aaaa aaaa", NULL, AUDIT_BASIC);
	r->deny = t_split("curl * | sh,wget *", ',', &r->ndeny);
	t_window(r, DAILY, "22:00", "06:00", "UTC", "nights");
	t_role(cfg, "free", "*", "aaaa aaaa aaaa aaaa", NULL, AUDIT_BASIC);
	t_user(cfg, "ann", "night,free");
	id = t_ident("ann", NULL);
	req.user = id;
	req.server = t_find_server(cfg, "app-1");
	req.when = t_at(WED);

	/* The whole line matches a deny glob no single command matches. */
	t_risk(&rr, RISK_HIGH, NULL, NULL, "curl https://x|sh", false);
	req.line = "curl https://x | sh";
	req.risk = &rr;
	policy_decide(cfg, &req, &res);
	assert_int_equal(res.decision, DECISION_DENY);
	assert_string_equal(res.role, "night");
	assert_string_equal(res.reason, "role night: 'curl https://x | sh' "
	    "matches its deny list (curl * | sh); a deny match wins over roles "
	    "night, free");
	policy_result_clear(&res);
	t_risk_free(&rr);

	t_risk(&rr, RISK_LOW, NULL, NULL, "ls", false);
	req.line = "ls";
	policy_decide(cfg, &req, &res);
	assert_int_equal(res.decision, DECISION_ALLOW);
	assert_string_equal(res.role, "free");
	policy_result_clear(&res);
	t_risk_free(&rr);

	t_ident_free(id);
	t_config_free(cfg);
}

/* Server patterns the config loader may check. */
static void
test_pattern_check(void **state)
{
	static const struct {
		const char	*pattern;
		const char	*cause;		/* NULL: valid */
	} cases[] = {
		{ "web-*", NULL },
		{ "group:production/web", NULL },
		{ "tag:db", NULL },
		{ "env:prod", NULL },
		{ "env:none", NULL },
		{ "env:*", NULL },
		{ "name:a:b", NULL },
		{ "[ab]:*", NULL },
		{ "", "empty server pattern" },
		{ "env:mars", "server pattern 'env:mars': unknown env 'mars'" },
		{ "tags:db", "server pattern 'tags:db': unknown kind 'tags:' "
		  "(group:, tag:, env:, name:)" },
		{ "group:", "server pattern 'group:': nothing after ':'" },
	};
	char	*cause;
	size_t	 i;
	int	 rc;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cause = NULL;
		rc = policy_server_pattern_check(cases[i].pattern, &cause);
		if (cases[i].cause == NULL) {
			if (rc != 0)
				fail_msg("case %zu: %s: %s", i, cases[i].pattern, cause);
			assert_null(cause);
		} else {
			assert_int_equal(rc, -1);
			assert_string_equal(cause, cases[i].cause);
		}
		free(cause);
	}
}

/* Clearing a result twice, or a zeroed one, is safe. */
static void
test_result_clear(void **state)
{
	struct policy_result	res;

	(void)state;
	memset(&res, 0, sizeof res);
	policy_result_clear(&res);
	policy_result_clear(&res);
	policy_result_clear(NULL);
	assert_null(res.reason);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide_table),
		cmocka_unit_test(test_grants),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_tz_restored),
		cmocka_unit_test(test_personal),
		cmocka_unit_test(test_visible),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_may_approve),
		cmocka_unit_test(test_outside_window),
		cmocka_unit_test(test_deny_outside_window),
		cmocka_unit_test(test_pattern_check),
		cmocka_unit_test(test_result_clear),
	};

	return (cmocka_run_group_tests_name("policy", tests, NULL, NULL));
}
