/*
 * approval.h: the approval queue, rows in the audit database shared by the
 * consoles of a jump host.  A request is created pending; another operator
 * approves or denies it before it expires; the requesting console then
 * releases (sends) or refuses (the screen changed) the held command, once.
 * Every change is one BEGIN IMMEDIATE transaction that also appends its
 * audit event, so the queue and the trail never disagree.
 *
 *   pending -> approved -> released | refused
 *           -> denied | expired | cancelled
 *
 * Four-eyes (the requester never decides their own request) is enforced
 * here; whether the approver holds an approver role is policy's job.
 */
#ifndef APPROVAL_H
#define APPROVAL_H

#include "omv.h"

enum approval_status {
	APPROVAL_PENDING,
	APPROVAL_APPROVED,
	APPROVAL_DENIED,
	APPROVAL_EXPIRED,
	APPROVAL_CANCELLED,
	APPROVAL_RELEASED,	/* approved, and the command was sent */
	APPROVAL_REFUSED	/* approved, but the console would not send it */
};
#define APPROVAL_STATUS_COUNT 7

/* What approval_create stores.  All pointers are borrowed. */
struct approval_request {
	const char	*requester;	/* login; NULL: the handle's identity */
	const char	*server;
	const char	*env;		/* env_name() */
	const char	*command;	/* required: exactly what will be sent */
	const char	*risk;		/* risk_level_name() */
	const char	*rule;		/* why approval is needed (rule reason) */
	const char	*reason;	/* the requester's justification */
	const char	*approver_roles; /* "lead,security": who may approve */
	int64_t		 expires_ms;	/* absolute UTC ms, in the future */
	const char	*run_id;	/* fan-out run, or NULL */
	int64_t		 session;	/* audit session id, or 0 */
};

/* A stored request.  Every string is owned and may be NULL. */
struct approval {
	int64_t			 id;
	int64_t			 created_ms;
	char			*requester;
	char			*server;
	char			*env;
	char			*command;
	char			*risk;
	char			*rule;
	char			*reason;
	char			*approver_roles;
	int64_t			 expires_ms;
	enum approval_status	 status;
	char			*decided_by;
	int64_t			 decided_ms;	/* 0: not decided */
	char			*decision_reason;
	char			*run_id;
	int64_t			 session;
};

const char *approval_status_name(enum approval_status);
int approval_status_parse(const char *, enum approval_status *);

/* Create a pending request (and its audit event); 0 and the id, or -1. */
int approval_create(struct audit *, const struct approval_request *,
    int64_t *id, char **cause);
/* One request, or NULL with a cause ("no approval request 12"). */
struct approval *approval_get(struct audit *, int64_t id, char **cause);
void approval_free(struct approval *);

/*
 * Requests with status (-1: any), newest limit (0: all), oldest first.  For
 * APPROVAL_PENDING only those not yet past expires_ms at now_ms (0: now).
 */
int approval_list(struct audit *, int status, int64_t now_ms, int limit,
    struct approval ***list, size_t *n, char **cause);
void approval_list_free(struct approval **, size_t);

/*
 * Approve or deny: only a pending request that has not expired, and never by
 * its requester.  -1 with a cause otherwise (a request found expired is
 * marked so).  The decision and its audit event commit together.
 */
int approval_decide(struct audit *, int64_t id, bool approve,
    const char *approver, const char *reason, char **cause);
/* Withdraw a pending request (the requester gave up or the pane closed). */
int approval_cancel(struct audit *, int64_t id, const char *who,
    const char *reason, char **cause);
/*
 * The requesting console's last word on an approved request: released (the
 * command was sent) or refused (it no longer matched).  Succeeds once, so
 * one approval sends one command.
 */
int approval_finish(struct audit *, int64_t id, bool released,
    const char *reason, char **cause);
/* Mark every pending request past its expiry at now_ms (0: now) expired. */
int approval_expire(struct audit *, int64_t now_ms, int *count, char **cause);

/*
 * A value that changes whenever the database changed, by any process; a
 * waiting console compares it each tick and re-reads only when it moved
 * (PRAGMA data_version, plus this handle's own commits).
 */
int approval_stamp(struct audit *, uint64_t *stamp, char **cause);

#endif
