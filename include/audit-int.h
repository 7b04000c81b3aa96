/*
 * audit-int.h: what the storage modules (audit.c, approval.c) share and no
 * caller may see: the SQLite handle and transactions that also append an
 * audit event, so a state change and its record commit together or not at
 * all.  Nothing outside src/audit.c and src/approval.c includes this.
 */
#ifndef AUDIT_INT_H
#define AUDIT_INT_H

#include "audit.h"

struct sqlite3;

struct sqlite3 *audit_db(struct audit *);
/* The identity's operator login, or NULL when none was set. */
const char *audit_operator(const struct audit *);
/* BEGIN IMMEDIATE (waits busy_timeout for other writers). */
int audit_begin(struct audit *, char **cause);
int audit_commit(struct audit *, char **cause);
/* Roll back if a transaction is open; never fails. */
void audit_rollback(struct audit *);
/* audit_append's work inside a transaction the caller holds. */
int audit_append_tx(struct audit *, const struct audit_event *, int64_t *id,
    char **cause);
/* "audit: cannot VERB PATH: sqlite's message (errno text)" for rc. */
char *audit_db_cause(struct audit *, const char *verb, int rc);
/* Commits by this handle, so change polling sees its own writes too. */
uint64_t audit_local_changes(const struct audit *);

#endif
