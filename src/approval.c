/*
 * approval.c: the approval queue, as rows of the approvals table in the
 * audit database (audit.c owns the connection and the schema).
 *
 * Every state change runs inside BEGIN IMMEDIATE: the row is read, checked
 * and updated under the database's write lock, so two approvers racing for
 * the same request cannot both win, and an approved request is released
 * once.  The same transaction appends the audit event for the change; if
 * that append fails nothing changes (fail closed).
 *
 * Consoles that wait for a decision poll approval_stamp(), which costs one
 * PRAGMA data_version (no table read) per tick.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "approval.h"
#include "audit-int.h"

static const char *approval_status_names[APPROVAL_STATUS_COUNT] = {
	"pending", "approved", "denied", "expired", "cancelled", "released",
	"refused"
};

#define APPROVAL_COLUMNS "id, created_ms, requester, server, env, command, " \
	"risk, rule, reason, approver_roles, expires_ms, status, decided_by, " \
	"decided_ms, decision_reason, run_id, session_id"

/* The stored word for a status. */
const char *
approval_status_name(enum approval_status s)
{
	if ((int)s < 0 || s >= APPROVAL_STATUS_COUNT)
		return ("?");
	return (approval_status_names[s]);
}

/* A stored word back to a status. */
int
approval_status_parse(const char *s, enum approval_status *out)
{
	int	i;

	for (i = 0; s != NULL && i < APPROVAL_STATUS_COUNT; i++) {
		if (strcmp(approval_status_names[i], s) == 0) {
			*out = (enum approval_status)i;
			return (0);
		}
	}
	return (-1);
}

/* A column as an owned string, or NULL. */
static char *
approval_column(sqlite3_stmt *st, int i)
{
	const unsigned char	*s;

	s = sqlite3_column_text(st, i);
	return (s != NULL ? xstrdup((const char *)s) : NULL);
}

/* Build a request from a row of APPROVAL_COLUMNS. */
static struct approval *
approval_row(sqlite3_stmt *st)
{
	struct approval	*ap;
	const char	*status;

	ap = xcalloc(1, sizeof *ap);
	ap->id = sqlite3_column_int64(st, 0);
	ap->created_ms = sqlite3_column_int64(st, 1);
	ap->requester = approval_column(st, 2);
	ap->server = approval_column(st, 3);
	ap->env = approval_column(st, 4);
	ap->command = approval_column(st, 5);
	ap->risk = approval_column(st, 6);
	ap->rule = approval_column(st, 7);
	ap->reason = approval_column(st, 8);
	ap->approver_roles = approval_column(st, 9);
	ap->expires_ms = sqlite3_column_int64(st, 10);
	status = (const char *)sqlite3_column_text(st, 11);
	/* An unknown status (an edited row) is never pending or approved. */
	if (approval_status_parse(status, &ap->status) != 0)
		ap->status = APPROVAL_REFUSED;
	ap->decided_by = approval_column(st, 12);
	ap->decided_ms = sqlite3_column_int64(st, 13);
	ap->decision_reason = approval_column(st, 14);
	ap->run_id = approval_column(st, 15);
	ap->session = sqlite3_column_int64(st, 16);
	return (ap);
}

/* Free a request; NULL is a no-op. */
void
approval_free(struct approval *ap)
{
	if (ap == NULL)
		return;
	free(ap->requester);
	free(ap->server);
	free(ap->env);
	free(ap->command);
	free(ap->risk);
	free(ap->rule);
	free(ap->reason);
	free(ap->approver_roles);
	free(ap->decided_by);
	free(ap->decision_reason);
	free(ap->run_id);
	free(ap);
}

/* Free a list of requests. */
void
approval_list_free(struct approval **list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		approval_free(list[i]);
	free(list);
}

/* Bind a string or NULL. */
static void
approval_bind(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/* Read one request; NULL with a cause when missing or unreadable. */
static struct approval *
approval_load(struct audit *a, int64_t id, char **cause)
{
	struct approval	*ap = NULL;
	sqlite3_stmt	*st;
	int		 rc;

	rc = sqlite3_prepare_v2(audit_db(a), "SELECT " APPROVAL_COLUMNS
	    " FROM approvals WHERE id = ?", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		*cause = audit_db_cause(a, "read", rc);
		return (NULL);
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		ap = approval_row(st);
	else if (rc == SQLITE_DONE)
		xasprintf(cause, "no approval request %lld", (long long)id);
	else
		*cause = audit_db_cause(a, "read", rc);
	sqlite3_finalize(st);
	return (ap);
}

/* The audit event for a change of ap to status, by who (NULL: identity). */
static int
approval_event(struct audit *a, const struct approval *ap,
    enum approval_status status, const char *who, const char *reason,
    char **cause)
{
	struct audit_event	ev;
	struct sbuf		detail;
	int			rc;

	sbuf_init(&detail);
	sbuf_addf(&detail, "{\"approval\":%lld,\"requester\":",
	    (long long)ap->id);
	sbuf_json_string(&detail, ap->requester);
	sbuf_adds(&detail, ",\"env\":");
	sbuf_json_string(&detail, ap->env);
	sbuf_adds(&detail, ",\"rule\":");
	sbuf_json_string(&detail, ap->rule);
	sbuf_adds(&detail, ",\"approver_roles\":");
	sbuf_json_string(&detail, ap->approver_roles);
	sbuf_addf(&detail, ",\"expires_ms\":%lld,\"reason\":",
	    (long long)ap->expires_ms);
	sbuf_json_string(&detail, reason);
	if (ap->run_id != NULL) {
		sbuf_adds(&detail, ",\"run_id\":");
		sbuf_json_string(&detail, ap->run_id);
	}
	sbuf_addc(&detail, '}');

	memset(&ev, 0, sizeof ev);
	ev.operator = who;
	ev.server = ap->server;
	ev.session = ap->session;
	ev.action = "approval";
	ev.command = ap->command;
	ev.risk = ap->risk;
	ev.decision = decision_name(DECISION_APPROVAL);
	ev.result = status == APPROVAL_PENDING ? "requested" :
	    approval_status_name(status);
	ev.detail = detail.buf;
	rc = audit_append_tx(a, &ev, NULL, cause);
	sbuf_free(&detail);
	return (rc);
}

/* Set the status (and, when who is given, the decision fields) of a row. */
static int
approval_update(struct audit *a, const struct approval *ap,
    enum approval_status to, const char *who, const char *reason,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (who != NULL) {
		rc = sqlite3_prepare_v2(audit_db(a), "UPDATE approvals SET "
		    "status = ?1, decided_by = ?2, decided_ms = ?3, "
		    "decision_reason = ?4 WHERE id = ?5 AND status = ?6", -1,
		    &st, NULL);
	} else {
		rc = sqlite3_prepare_v2(audit_db(a), "UPDATE approvals SET "
		    "status = ?1 WHERE id = ?5 AND status = ?6", -1, &st, NULL);
	}
	if (rc != SQLITE_OK) {
		*cause = audit_db_cause(a, "write", rc);
		return (-1);
	}
	approval_bind(st, 1, approval_status_name(to));
	if (who != NULL) {
		approval_bind(st, 2, who);
		sqlite3_bind_int64(st, 3, now_ms());
		approval_bind(st, 4, reason);
	}
	sqlite3_bind_int64(st, 5, ap->id);
	approval_bind(st, 6, approval_status_name(ap->status));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		*cause = audit_db_cause(a, "write", rc);
		return (-1);
	}
	if (sqlite3_changes(audit_db(a)) != 1) {
		xasprintf(cause, "approval %lld changed meanwhile",
		    (long long)ap->id);
		return (-1);
	}
	return (0);
}

/* Store a pending request and its audit event together. */
int
approval_create(struct audit *a, const struct approval_request *req,
    int64_t *id, char **cause)
{
	struct approval	 ap;
	sqlite3_stmt	*st;
	enum risk_level	 risk;
	enum env	 env;
	const char	*requester;
	int64_t		 now = now_ms();
	int		 rc;

	requester = req->requester != NULL ? req->requester :
	    audit_operator(a);
	if (requester == NULL || *requester == '\0') {
		xasprintf(cause, "approval: no requester");
		return (-1);
	}
	if (req->command == NULL) {
		xasprintf(cause, "approval: no command");
		return (-1);
	}
	if (req->risk != NULL && risk_level_parse(req->risk, &risk) != 0) {
		xasprintf(cause, "approval: unknown risk level '%s'",
		    req->risk);
		return (-1);
	}
	if (req->env != NULL && env_parse(req->env, &env) != 0) {
		xasprintf(cause, "approval: unknown environment '%s'",
		    req->env);
		return (-1);
	}
	if (req->expires_ms <= now) {
		xasprintf(cause, "approval: the request would expire before it "
		    "was made");
		return (-1);
	}

	if (audit_begin(a, cause) != 0)
		return (-1);
	rc = sqlite3_prepare_v2(audit_db(a), "INSERT INTO approvals "
	    "(created_ms, requester, server, env, command, risk, rule, reason, "
	    "approver_roles, expires_ms, status, run_id, session_id) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, now);
	approval_bind(st, 2, requester);
	approval_bind(st, 3, req->server);
	approval_bind(st, 4, req->env != NULL ? env_name(env) : NULL);
	approval_bind(st, 5, req->command);
	approval_bind(st, 6, req->risk != NULL ? risk_level_name(risk) : NULL);
	approval_bind(st, 7, req->rule);
	approval_bind(st, 8, req->reason);
	approval_bind(st, 9, req->approver_roles);
	sqlite3_bind_int64(st, 10, req->expires_ms);
	approval_bind(st, 11, req->run_id);
	if (req->session != 0)
		sqlite3_bind_int64(st, 12, req->session);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto fail;

	/* The event describes the row as stored. */
	memset(&ap, 0, sizeof ap);
	ap.id = sqlite3_last_insert_rowid(audit_db(a));
	ap.requester = (char *)requester;
	ap.server = (char *)req->server;
	ap.env = (char *)(req->env != NULL ? env_name(env) : NULL);
	ap.command = (char *)req->command;
	ap.risk = (char *)(req->risk != NULL ? risk_level_name(risk) : NULL);
	ap.rule = (char *)req->rule;
	ap.approver_roles = (char *)req->approver_roles;
	ap.expires_ms = req->expires_ms;
	ap.run_id = (char *)req->run_id;
	ap.session = req->session;
	if (approval_event(a, &ap, APPROVAL_PENDING, requester, req->reason,
	    cause) != 0) {
		audit_rollback(a);
		return (-1);
	}
	if (audit_commit(a, cause) != 0)
		return (-1);
	if (id != NULL)
		*id = ap.id;
	return (0);

fail:
	*cause = audit_db_cause(a, "write", rc);
	audit_rollback(a);
	return (-1);
}

/* One request by id. */
struct approval *
approval_get(struct audit *a, int64_t id, char **cause)
{
	return (approval_load(a, id, cause));
}

/* Requests by status, oldest first. */
int
approval_list(struct audit *a, int status, int64_t now, int limit,
    struct approval ***list, size_t *n, char **cause)
{
	struct approval	**out = NULL;
	struct sbuf	  sql;
	sqlite3_stmt	 *st;
	size_t		  count = 0;
	int		  rc, i = 1;

	*list = NULL;
	*n = 0;
	sbuf_init(&sql);
	sbuf_adds(&sql, "SELECT * FROM (SELECT " APPROVAL_COLUMNS
	    " FROM approvals WHERE 1");
	if (status >= 0)
		sbuf_adds(&sql, " AND status = ?");
	if (status == APPROVAL_PENDING)
		sbuf_adds(&sql, " AND expires_ms > ?");
	sbuf_adds(&sql, " ORDER BY id DESC LIMIT ?) ORDER BY id");
	rc = sqlite3_prepare_v2(audit_db(a), sql.buf, -1, &st, NULL);
	sbuf_free(&sql);
	if (rc != SQLITE_OK) {
		*cause = audit_db_cause(a, "read", rc);
		return (-1);
	}
	if (status >= 0)
		approval_bind(st, i++,
		    approval_status_name((enum approval_status)status));
	if (status == APPROVAL_PENDING)
		sqlite3_bind_int64(st, i++, now != 0 ? now : now_ms());
	sqlite3_bind_int(st, i, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out = xreallocarray(out, count + 1, sizeof *out);
		out[count++] = approval_row(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		approval_list_free(out, count);
		*cause = audit_db_cause(a, "read", rc);
		return (-1);
	}
	*list = out;
	*n = count;
	return (0);
}

/* Mark ap expired, with its event, inside the caller's transaction. */
static int
approval_expire_one(struct audit *a, struct approval *ap, char **cause)
{
	if (approval_update(a, ap, APPROVAL_EXPIRED, NULL, NULL, cause) != 0)
		return (-1);
	if (approval_event(a, ap, APPROVAL_EXPIRED, NULL, "expired",
	    cause) != 0)
		return (-1);
	ap->status = APPROVAL_EXPIRED;
	return (0);
}

/* Approve or deny a pending, unexpired request of someone else. */
int
approval_decide(struct audit *a, int64_t id, bool approve,
    const char *approver, const char *reason, char **cause)
{
	struct approval		*ap;
	enum approval_status	 to;
	char			 when[32];

	to = approve ? APPROVAL_APPROVED : APPROVAL_DENIED;
	if (approver == NULL || *approver == '\0') {
		xasprintf(cause, "approval %lld: no approver", (long long)id);
		return (-1);
	}
	if (audit_begin(a, cause) != 0)
		return (-1);
	if ((ap = approval_load(a, id, cause)) == NULL)
		goto fail;
	if (ap->status != APPROVAL_PENDING) {
		xasprintf(cause, "approval %lld is already %s%s%s",
		    (long long)id, approval_status_name(ap->status),
		    ap->decided_by != NULL ? " by " : "",
		    ap->decided_by != NULL ? ap->decided_by : "");
		goto fail;
	}
	/* Four-eyes: a hard rule, whatever roles the requester holds. */
	if (ap->requester != NULL && strcmp(ap->requester, approver) == 0) {
		xasprintf(cause, "approval %lld: %s cannot decide their own "
		    "request (four-eyes); cancel it instead", (long long)id,
		    approver);
		goto fail;
	}
	if (now_ms() >= ap->expires_ms) {
		/* Record the expiry now, then refuse. */
		if (approval_expire_one(a, ap, cause) != 0 ||
		    audit_commit(a, cause) != 0)
			goto fail;
		format_time_ms(ap->expires_ms, when, sizeof when);
		xasprintf(cause, "approval %lld expired at %s", (long long)id,
		    when);
		approval_free(ap);
		return (-1);
	}
	if (approval_update(a, ap, to, approver, reason, cause) != 0 ||
	    approval_event(a, ap, to, approver, reason, cause) != 0)
		goto fail;
	if (audit_commit(a, cause) != 0) {
		approval_free(ap);
		return (-1);
	}
	approval_free(ap);
	return (0);

fail:
	audit_rollback(a);
	approval_free(ap);
	return (-1);
}

/* Withdraw a pending request. */
int
approval_cancel(struct audit *a, int64_t id, const char *who,
    const char *reason, char **cause)
{
	struct approval	*ap;

	if (audit_begin(a, cause) != 0)
		return (-1);
	if ((ap = approval_load(a, id, cause)) == NULL)
		goto fail;
	if (ap->status != APPROVAL_PENDING) {
		xasprintf(cause, "approval %lld is already %s", (long long)id,
		    approval_status_name(ap->status));
		goto fail;
	}
	if (who == NULL)
		who = audit_operator(a);
	if (approval_update(a, ap, APPROVAL_CANCELLED, who != NULL ? who : "",
	    reason, cause) != 0 ||
	    approval_event(a, ap, APPROVAL_CANCELLED, who, reason, cause) != 0)
		goto fail;
	approval_free(ap);
	return (audit_commit(a, cause));

fail:
	audit_rollback(a);
	approval_free(ap);
	return (-1);
}

/* Mark an approved request released or refused, once. */
int
approval_finish(struct audit *a, int64_t id, bool released,
    const char *reason, char **cause)
{
	struct approval		*ap;
	enum approval_status	 to;

	to = released ? APPROVAL_RELEASED : APPROVAL_REFUSED;
	if (audit_begin(a, cause) != 0)
		return (-1);
	if ((ap = approval_load(a, id, cause)) == NULL)
		goto fail;
	if (ap->status != APPROVAL_APPROVED) {
		xasprintf(cause, "approval %lld is %s, not approved",
		    (long long)id, approval_status_name(ap->status));
		goto fail;
	}
	if (approval_update(a, ap, to, NULL, NULL, cause) != 0 ||
	    approval_event(a, ap, to, ap->requester, reason, cause) != 0)
		goto fail;
	approval_free(ap);
	return (audit_commit(a, cause));

fail:
	audit_rollback(a);
	approval_free(ap);
	return (-1);
}

/* Mark every overdue pending request expired. */
int
approval_expire(struct audit *a, int64_t now, int *count, char **cause)
{
	struct approval	**list = NULL;
	sqlite3_stmt	 *st;
	size_t		  n = 0, i;
	int		  rc;

	if (count != NULL)
		*count = 0;
	if (now == 0)
		now = now_ms();
	if (audit_begin(a, cause) != 0)
		return (-1);
	rc = sqlite3_prepare_v2(audit_db(a), "SELECT " APPROVAL_COLUMNS
	    " FROM approvals WHERE status = 'pending' AND expires_ms <= ? "
	    "ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		*cause = audit_db_cause(a, "read", rc);
		goto fail;
	}
	sqlite3_bind_int64(st, 1, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		list = xreallocarray(list, n + 1, sizeof *list);
		list[n++] = approval_row(st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		*cause = audit_db_cause(a, "read", rc);
		goto fail;
	}
	if (n == 0) {
		audit_rollback(a);
		return (0);
	}
	for (i = 0; i < n; i++) {
		if (approval_expire_one(a, list[i], cause) != 0)
			goto fail;
	}
	if (audit_commit(a, cause) != 0) {
		approval_list_free(list, n);
		return (-1);
	}
	if (count != NULL)
		*count = (int)n;
	approval_list_free(list, n);
	return (0);

fail:
	audit_rollback(a);
	approval_list_free(list, n);
	return (-1);
}

/* A value that changes whenever the database does. */
int
approval_stamp(struct audit *a, uint64_t *stamp, char **cause)
{
	sqlite3_stmt	*st;
	int64_t		 dv = 0;
	int		 rc;

	rc = sqlite3_prepare_v2(audit_db(a), "PRAGMA data_version", -1, &st,
	    NULL);
	if (rc == SQLITE_OK) {
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			dv = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
	}
	if (rc != SQLITE_OK) {
		*cause = audit_db_cause(a, "read", rc);
		return (-1);
	}
	/* data_version ignores this connection's own commits; add them. */
	*stamp = ((uint64_t)dv << 32) | (audit_local_changes(a) & 0xffffffff);
	return (0);
}
