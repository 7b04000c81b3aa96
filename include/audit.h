/*
 * audit.h: the audit trail.  One SQLite database per jump host holds the
 * events (a SHA-256 hash chain), the session index and the approval queue
 * (approval.h).  Callers see values only, never a statement or a handle, so
 * these calls can later move behind a privileged broker unchanged.
 *
 * Appending is write-ahead and fails closed: when audit_append returns -1
 * the action it describes must not happen, and *cause says why in words
 * for the operator.
 */
#ifndef AUDIT_H
#define AUDIT_H

#include "omv.h"

#define AUDIT_HASH_LEN	64	/* SHA-256 as lowercase hex */

/*
 * One event.  For audit_append every pointer is borrowed and may be NULL
 * (stored as NULL) except action; operator, host and client default to the
 * identity set with audit_set_identity.  When read back (audit_query) the
 * strings point into the database row and live until the callback returns.
 */
struct audit_event {
	int64_t		 id;		/* set by the store; ignored on append */
	int64_t		 time_ms;	/* UTC ms; 0 on append: now */
	const char	*operator;	/* login; NULL: the identity's */
	const char	*host;		/* jump host; NULL: the identity's */
	const char	*client;	/* client address; NULL: the identity's */
	const char	*server;
	int64_t		 session;	/* audit_session_start id; 0: none */
	const char	*action;	/* connect, hostkey, command, approval, exec, file, config ... */
	const char	*command;
	const char	*risk;		/* NULL or risk_level_name() */
	const char	*decision;	/* NULL or decision_name() */
	const char	*result;	/* free text: sent, held, refused, ok, failed ... */
	int		 exit_status;
	bool		 has_exit;	/* exit_status is meaningful */
	const char	*detail;	/* NULL or a JSON text (usually an object) */
	const char	*prev_hash;	/* read only */
	const char	*hash;		/* read only */
};

/* Which events audit_query returns.  Zero/NULL fields match everything. */
struct audit_filter {
	const char	*operator;
	const char	*server;
	const char	*action;
	int		 min_risk;	/* -1: any; else RISK_*: that level or higher */
	int64_t		 since_ms;	/* time_ms >= since_ms when non-zero */
	int64_t		 until_ms;	/* time_ms < until_ms when non-zero */
	int64_t		 after_id;	/* id > after_id (follow a growing trail) */
	int64_t		 session;
	int		 limit;		/* 0: all; else the newest N, oldest first */
};

/* What `audit verify` found. */
enum audit_fault {
	AUDIT_FAULT_NONE,
	AUDIT_FAULT_EDITED,	/* a row's content does not match its hash */
	AUDIT_FAULT_DELETED,	/* a row's predecessor is missing */
	AUDIT_FAULT_REORDERED,	/* rows are intact but in the wrong places */
	AUDIT_FAULT_TRUNCATED,	/* the chain head records more than is there */
	AUDIT_FAULT_HEAD	/* the chain head is missing or disagrees */
};

struct audit_verify {
	int64_t		 count;		/* events checked and found good */
	int64_t		 last_id;	/* of the last good event, 0: none */
	char		 last_hash[AUDIT_HASH_LEN + 1];
	int64_t		 head_count;	/* what the chain head says */
	int64_t		 head_last_id;
	enum audit_fault fault;
	int64_t		 bad_id;	/* first bad event; 0 for truncation */
	char		*message;	/* owned: "event 123: edited (hash mismatch)" */
};

/* One recorded terminal session (the recordings index). */
struct audit_session {
	int64_t		 id;
	char		*operator;	/* owned */
	char		*server;	/* owned */
	int64_t		 start_ms;
	int64_t		 end_ms;	/* 0: still open (or omv died) */
	char		*path;		/* owned: the asciicast file, may be NULL */
	int64_t		 bytes;
};

/* ~/.local/share/omv/audit.db, owned by the caller. */
char *audit_default_path(void);

/*
 * Open (creating if needed) the database for appending.  A new file is made
 * mode 0600, or 0660 owned by group when group is not NULL, before SQLite
 * sees it; missing parent directories are made 0700.  Fails when the file
 * cannot be written: nothing may run unrecorded.
 */
struct audit *audit_open(const char *path, const char *group, char **cause);
/* Open an existing database for reading only (list, verify, export). */
struct audit *audit_open_readonly(const char *path, char **cause);
void audit_close(struct audit *);
const char *audit_path(const struct audit *);
/* The identity stamped on events that do not name their own (copied). */
void audit_set_identity(struct audit *, const char *operator,
    const char *host, const char *client);

/*
 * Append one event to the chain inside BEGIN IMMEDIATE, durably (the WAL is
 * synced before this returns).  0 and the new id, or -1 with a cause: then
 * the action must not happen.
 */
int audit_append(struct audit *, const struct audit_event *, int64_t *id,
    char **cause);

/*
 * Call cb for each event matching filter (NULL: all), oldest first, in one
 * consistent snapshot.  A non-zero return from cb stops early; cb must not
 * call back into the same handle.
 */
typedef int (*audit_event_cb)(const struct audit_event *, void *);
int audit_query(struct audit *, const struct audit_filter *, audit_event_cb,
    void *, char **cause);

/*
 * Check the whole chain in one snapshot: 0 intact, 1 a fault (described in
 * *v), -1 the database could not be read.  Clear *v with audit_verify_clear.
 */
int audit_verify(struct audit *, struct audit_verify *v, char **cause);
void audit_verify_clear(struct audit_verify *);
const char *audit_fault_name(enum audit_fault);

/* Sessions: start returns the id to put in events; end records the size. */
int audit_session_start(struct audit *, const char *server, const char *path,
    int64_t start_ms, int64_t *id, char **cause);
int audit_session_end(struct audit *, int64_t id, int64_t end_ms,
    int64_t bytes, char **cause);
/* The newest limit sessions (0: all) of server (NULL: any), oldest first. */
int audit_session_list(struct audit *, const char *server, int limit,
    struct audit_session **list, size_t *n, char **cause);
void audit_session_free(struct audit_session *list, size_t n);

/* Formatting for export: one JSON object (no newline), one CSV record (CRLF). */
void audit_event_json(struct sbuf *, const struct audit_event *);
void audit_event_csv(struct sbuf *, const struct audit_event *);
void audit_csv_header(struct sbuf *);
/* 1 when s is one well-formed JSON text (RFC 8259), else 0. */
int audit_json_valid(const char *s);

#endif
