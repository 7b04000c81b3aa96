/*
 * policy.h: who may run what where, and when.  Given a user, a server, a
 * classified command line and a time, decide ALLOW, CONFIRM, APPROVAL or
 * DENY and say why (which role, which rule).  Pure: reads only the config
 * structs; the one impure corner is converting a time into a window's time
 * zone (see policy.c).
 */
#ifndef POLICY_H
#define POLICY_H

#include "omv.h"

struct omv_config;
struct ident;
struct role;
struct server;
struct risk_result;
struct time_window;

/* One command about to run: who, where, what (classified) and when. */
struct policy_request {
	const struct ident		*user;	/* borrowed */
	const struct server		*server; /* borrowed */
	const char			*line;	/* borrowed; NULL = "" */
	const struct risk_result	*risk;	/* borrowed; NULL = low */
	time_t				 when;	/* UTC seconds */
};

/* What policy decided, and why. */
struct policy_result {
	enum decision		  decision;
	char			 *role;		/* owned; deciding role or NULL */
	char			 *reason;	/* owned; set by policy_decide */
	char			**approvers;	/* owned: roles that may approve */
	size_t			  napprovers;
	enum audit_level	  audit_level;
};

/*
 * The roles of a user, by login and by Unix group ("%group" in the users
 * map), in the order of the config's roles section, each once.  *out is an
 * array the caller frees (NULL when the count is 0); the roles are borrowed.
 */
int policy_roles(const struct omv_config *, const struct ident *,
    const struct role ***out);

/* Does role grant server (its server globs only; not time windows)? */
bool policy_role_grants(const struct role *, const struct server *);
/* Some role of the user grants the server (windows ignored); personal: true. */
bool policy_server_visible(const struct omv_config *, const struct ident *,
    const struct server *);
/* Is when inside one window (in the window's time zone)? */
bool policy_window_contains(const struct time_window *, time_t when);
/* Is when inside one of the role's windows (a role without windows: always)? */
bool policy_role_in_window(const struct role *, time_t when);
/*
 * Check one role server pattern ("web-*", "group:GLOB", "tag:GLOB",
 * "env:NAME", "name:GLOB") for the config loader: 0, or -1 and *cause.
 */
int policy_server_pattern_check(const char *, char **cause);

/* Decide one request; res is overwritten (call policy_result_clear after). */
void policy_decide(const struct omv_config *, const struct policy_request *,
    struct policy_result *res);
void policy_result_clear(struct policy_result *);

/*
 * May approver decide a request by requester_login that names approver_roles?
 * Never their own request (four-eyes), and only with one of those roles.
 * On false, *why (if why is not NULL) is an owned message; on true it is
 * left alone.
 */
bool policy_may_approve(const struct omv_config *, const struct ident *approver,
    const char *requester_login, char **approver_roles, size_t n, char **why);

#endif
