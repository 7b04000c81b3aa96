/*
 * audit.c: the audit trail in one SQLite database, the only code besides
 * approval.c that sees SQLite, and the only code that sees libcrypto.
 *
 * The database is shared by every omv process of a jump host: WAL mode so
 * readers never block the writer, a polling busy handler (audit_busy) so
 * writers take turns, schema versioned by PRAGMA user_version with the
 * ordered migrations below.
 *
 * Events form a hash chain.  Each row stores prev_hash (the hash of the row
 * before it; 64 zeros for the first) and hash = SHA-256 over a canonical
 * encoding of its own fields, id included, plus prev_hash.  So an edited row
 * fails its own hash, a deleted row breaks its successor's link and a moved
 * row fails both.  The encoding, for anyone re-checking an export:
 *
 *	"omv-audit-1\n" then for each of id, time_ms, operator, host, client,
 *	server, session, action, command, risk, decision, result, exit_status,
 *	detail, prev_hash: NULL as "-," or the value as a netstring
 *	"<byte length>:<bytes>," (integers in decimal).
 *
 * Deleting the newest rows leaves a valid shorter chain; to see that,
 * chain_head(count, last_id, last_hash) is updated in the same transaction
 * as each insert.  It is a tripwire, not proof: SHA-256 has no secret, so
 * whoever can write the file can rewrite the head, or every hash.  Copying
 * the head hash somewhere else (syslog, a ticket) is what makes it evidence.
 *
 * Invariants: appends happen only inside BEGIN IMMEDIATE (reading the head
 * and inserting are one step across processes, so concurrent omv processes
 * form one chain); ids are last_id + 1; an append refuses to extend a chain
 * whose head does not match its last row; every failure is -1 plus a cause
 * and the caller must not act (fail closed).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "audit-int.h"

#define AUDIT_BUSY_MS	5000
#define AUDIT_ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_JSON_DEPTH 64

struct audit {
	sqlite3		*db;
	char		*path;		/* owned */
	bool		 readonly;
	char		*operator;	/* owned, may be NULL */
	char		*host;		/* owned, may be NULL */
	char		*client;	/* owned, may be NULL */
	sqlite3_stmt	*st_head;	/* owned: append path, prepared once */
	sqlite3_stmt	*st_last;	/* owned */
	sqlite3_stmt	*st_insert;	/* owned */
	sqlite3_stmt	*st_update;	/* owned */
	uint64_t	 local_changes;
	int64_t		 busy_since;	/* mono_ms of the first busy retry */
};

/*
 * The schema, one migration per entry: user_version is the number applied.
 * Never edit an entry once released; add a new one.
 */
static const char *audit_migrations[] = {
	/* 1: events and their chain head, sessions, approvals. */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ms INTEGER NOT NULL,"
	"  operator TEXT, host TEXT, client TEXT, server TEXT,"
	"  session INTEGER,"
	"  action TEXT NOT NULL,"
	"  command TEXT, risk TEXT, decision TEXT, result TEXT,"
	"  exit_status INTEGER,"
	"  detail TEXT,"
	"  prev_hash TEXT NOT NULL,"
	"  hash TEXT NOT NULL);"
	/*
	 * One index only: each index is another page written per append
	 * (measured with synchronous=NORMAL: indexes on operator and server
	 * as well cut the append rate by 40%); --user and --server scan,
	 * which is fine for a CLI.
	 */
	"CREATE INDEX events_time ON events(time_ms);"
	"CREATE TABLE chain_head ("
	"  one INTEGER PRIMARY KEY CHECK (one = 1),"
	"  count INTEGER NOT NULL,"
	"  last_id INTEGER NOT NULL,"
	"  last_hash TEXT NOT NULL);"
	"INSERT INTO chain_head VALUES (1, 0, 0, '" AUDIT_ZERO_HASH "');"
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  operator TEXT, server TEXT,"
	"  start_ms INTEGER NOT NULL, end_ms INTEGER,"
	"  path TEXT, bytes INTEGER);"
	"CREATE TABLE approvals ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  created_ms INTEGER NOT NULL,"
	"  requester TEXT NOT NULL,"
	"  server TEXT, env TEXT, command TEXT NOT NULL, risk TEXT,"
	"  rule TEXT, reason TEXT, approver_roles TEXT,"
	"  expires_ms INTEGER NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'pending',"
	"  decided_by TEXT, decided_ms INTEGER, decision_reason TEXT,"
	"  run_id TEXT, session_id INTEGER);"
	"CREATE INDEX approvals_status ON approvals(status, expires_ms);"
};
#define AUDIT_SCHEMA_VERSION \
	((int)(sizeof audit_migrations / sizeof audit_migrations[0]))

/* The event columns in canonical order; audit_row reads them by index. */
#define AUDIT_COLUMNS "id, time_ms, operator, host, client, server, " \
	"session, action, command, risk, decision, result, exit_status, " \
	"detail, prev_hash, hash"

static const char *audit_fault_names[] = {
	"intact", "edited", "deleted", "reordered", "truncated", "chain head"
};

/* The word verify uses for a fault. */
const char *
audit_fault_name(enum audit_fault f)
{
	if ((int)f < 0 || f > AUDIT_FAULT_HEAD)
		return ("?");
	return (audit_fault_names[f]);
}

/* The trail when the config names none. */
char *
audit_default_path(void)
{
	return (xprintf("%s/.local/share/omv/audit.db", home_dir()));
}

/* The file this handle opened. */
const char *
audit_path(const struct audit *a)
{
	return (a->path);
}

/* The SQLite handle, for approval.c only. */
struct sqlite3 *
audit_db(struct audit *a)
{
	return (a->db);
}

/* The identity's login, or NULL. */
const char *
audit_operator(const struct audit *a)
{
	return (a->operator);
}

/* Commits made through this handle. */
uint64_t
audit_local_changes(const struct audit *a)
{
	return (a->local_changes);
}

/* A cause for the operator from an SQLite result code. */
char *
audit_db_cause(struct audit *a, const char *verb, int rc)
{
	const char	*msg;
	char		*cause;
	int		 sys = 0, prim = rc & 0xff, saved = errno;

	msg = a->db != NULL ? sqlite3_errmsg(a->db) : sqlite3_errstr(rc);
	if (a->db != NULL && (sqlite3_errcode(a->db) & 0xff) != prim)
		msg = sqlite3_errstr(rc);
	/*
	 * For I/O errors the operator needs the system's reason (EROFS,
	 * ENOSPC, EFBIG, EPERM).  SQLite does not record it on every path
	 * (a failed WAL write at COMMIT leaves sqlite3_system_errno at 0),
	 * so fall back to errno as the failing call left it: we are called
	 * straight after it.
	 */
	if (prim == SQLITE_IOERR || prim == SQLITE_FULL ||
	    prim == SQLITE_CANTOPEN) {
		if (a->db != NULL)
			sys = sqlite3_system_errno(a->db);
		if (sys == 0)
			sys = saved;
	}
	if (sys != 0) {
		xasprintf(&cause, "audit: cannot %s %s: %s (%s)", verb, a->path,
		    msg, strerror(sys));
	} else
		xasprintf(&cause, "audit: cannot %s %s: %s", verb, a->path,
		    msg);
	return (cause);
}

/* Set *cause (when wanted) to a write failure: the caller must not proceed. */
static void
audit_write_cause(struct audit *a, int rc, char **cause)
{
	char	*c;

	c = audit_db_cause(a, "write", rc);
	if (cause != NULL) {
		xasprintf(cause, "%s (nothing is done that cannot be recorded)",
		    c);
	}
	free(c);
}

/* Set *cause to a read failure. */
static void
audit_read_cause(struct audit *a, int rc, char **cause)
{
	char	*c;

	c = audit_db_cause(a, "read", rc);
	if (cause != NULL)
		*cause = c;
	else
		free(c);
}

/* Run SQL with no results. */
static int
audit_exec(struct audit *a, const char *sql)
{
	return (sqlite3_exec(a->db, sql, NULL, NULL, NULL));
}

/* Read one integer PRAGMA (user_version, data_version). */
static int
audit_pragma_int(struct audit *a, const char *sql, int64_t *out)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((rc = sqlite3_prepare_v2(a->db, sql, -1, &st, NULL)) != SQLITE_OK)
		return (rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return (rc);
}

/*
 * Create the file with its final mode before SQLite opens it, so there is
 * never a moment when it is readable by others.
 */
static int
audit_create_file(const char *path, const char *group, char **cause)
{
	struct group	*gr = NULL;
	struct stat	 st;
	mode_t		 mode = group != NULL ? 0660 : 0600;
	int		 fd;

	if (group != NULL && (gr = getgrnam(group)) == NULL) {
		xasprintf(cause, "audit: unknown group '%s' for %s", group,
		    path);
		return (-1);
	}
	if (mkdir_parents(path, 0700, cause) != 0) {
		char	*c = *cause;

		xasprintf(cause, "audit: cannot create the directory of %s: %s",
		    path, c);
		free(c);
		return (-1);
	}
	fd = open(path, O_WRONLY|O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode);
	if (fd == -1 && errno != EEXIST) {
		xasprintf(cause, "audit: cannot create %s: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (fd == -1) {
		/* An existing file: refuse links and files anyone may write. */
		if (lstat(path, &st) != 0) {
			xasprintf(cause, "audit: %s: %s", path,
			    strerror(errno));
			return (-1);
		}
		if (!S_ISREG(st.st_mode)) {
			xasprintf(cause, "audit: %s is not a regular file",
			    path);
			return (-1);
		}
		if (st.st_mode & S_IWOTH) {
			xasprintf(cause, "audit: %s is writable by everyone; "
			    "refusing to trust it (chmod o-w)", path);
			return (-1);
		}
		return (0);
	}
	/* open() honoured the umask; set the mode and group exactly. */
	if ((gr != NULL && fchown(fd, (uid_t)-1, gr->gr_gid) != 0) ||
	    fchmod(fd, mode) != 0) {
		xasprintf(cause, "audit: cannot set the owner or mode of "
		    "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		return (-1);
	}
	close(fd);
	return (0);
}

/*
 * Give the -wal and -shm files the database's group and mode.  SQLite copies
 * the mode but, unless root, not the group; without this a second operator
 * of the shared group could not open the trail.  Only files we own.
 */
static void
audit_fix_sidecars(struct audit *a)
{
	static const char	*suffix[] = { "-wal", "-shm" };
	struct stat		 db, st;
	char			*p;
	size_t			 i;

	if (stat(a->path, &db) != 0)
		return;
	for (i = 0; i < 2; i++) {
		p = xprintf("%s%s", a->path, suffix[i]);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_uid == geteuid()) {
			if (st.st_gid != db.st_gid &&
			    chown(p, (uid_t)-1, db.st_gid) != 0)
				log_debug("%s: chown %s: %s", __func__, p,
				    strerror(errno));
			if ((st.st_mode & 0777) != (db.st_mode & 0777) &&
			    chmod(p, db.st_mode & 0777) != 0)
				log_debug("%s: chmod %s: %s", __func__, p,
				    strerror(errno));
		}
		free(p);
	}
}

/* Bring the schema up to date, once, whoever gets there first. */
static int
audit_migrate(struct audit *a, char **cause)
{
	int64_t	 version;
	char	 sql[64];
	int	 rc, i;

	if ((rc = audit_pragma_int(a, "PRAGMA user_version", &version)) != 0)
		goto fail;
	if (version == AUDIT_SCHEMA_VERSION)
		return (0);
	if (version > AUDIT_SCHEMA_VERSION) {
		xasprintf(cause, "audit: %s has schema version %lld, newer "
		    "than this omv understands (%d)", a->path, (long long)version,
		    AUDIT_SCHEMA_VERSION);
		return (-1);
	}
	if ((rc = audit_exec(a, "BEGIN IMMEDIATE")) != SQLITE_OK)
		goto fail;
	/* Read again under the write lock: another process may have won. */
	if ((rc = audit_pragma_int(a, "PRAGMA user_version", &version)) != 0)
		goto fail;
	for (i = (int)version; i < AUDIT_SCHEMA_VERSION; i++) {
		log_debug("%s: %s: migration %d", __func__, a->path, i + 1);
		if ((rc = audit_exec(a, audit_migrations[i])) != SQLITE_OK)
			goto fail;
	}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d",
	    AUDIT_SCHEMA_VERSION);
	if ((rc = audit_exec(a, sql)) != SQLITE_OK)
		goto fail;
	if ((rc = audit_exec(a, "COMMIT")) != SQLITE_OK)
		goto fail;
	return (0);

fail:
	audit_write_cause(a, rc, cause);
	audit_rollback(a);
	return (-1);
}

/* Prepare the statements of the append path. */
static int
audit_prepare_append(struct audit *a)
{
	int	rc;

	rc = sqlite3_prepare_v3(a->db,
	    "SELECT count, last_id, last_hash FROM chain_head WHERE one = 1",
	    -1, SQLITE_PREPARE_PERSISTENT, &a->st_head, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(a->db,
		    "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1",
		    -1, SQLITE_PREPARE_PERSISTENT, &a->st_last, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(a->db,
		    "INSERT INTO events (" AUDIT_COLUMNS ") VALUES "
		    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		    -1, SQLITE_PREPARE_PERSISTENT, &a->st_insert, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(a->db,
		    "UPDATE chain_head SET count = count + 1, last_id = ?, "
		    "last_hash = ? WHERE one = 1",
		    -1, SQLITE_PREPARE_PERSISTENT, &a->st_update, NULL);
	return (rc);
}

/*
 * Wait for the write lock by polling every 0.5 to 2 ms for up to
 * AUDIT_BUSY_MS.  SQLite's own busy_timeout backs off to 100 ms between
 * tries, and writers that hold the lock through each fsync keep it nearly
 * all the time: such a waiter starves while others append in a loop (seen:
 * one of four processes appending in loops timed out after 5 s).  Short
 * polls, jittered per process so they do not move in step, give every
 * process its turn.
 */
static int
audit_busy(void *arg, int count)
{
	struct audit	*a = arg;
	struct timespec	 ts;
	int64_t		 now = mono_ms();
	unsigned int	 jitter;

	if (count == 0)
		a->busy_since = now;
	else if (now - a->busy_since >= AUDIT_BUSY_MS)
		return (0);
	jitter = ((unsigned int)getpid() * 2654435761u +
	    (unsigned int)count * 40503u) % 1500u;
	ts.tv_sec = 0;
	ts.tv_nsec = (500 + (long)jitter) * 1000;
	nanosleep(&ts, NULL);
	return (1);
}

/* Open the SQLite connection with the settings every handle shares. */
static struct audit *
audit_connect(const char *path, int flags, char **cause)
{
	struct audit	*a;
	int		 rc;

	a = xcalloc(1, sizeof *a);
	a->path = xstrdup(path);
	rc = sqlite3_open_v2(path, &a->db, flags | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		*cause = audit_db_cause(a, "open", rc);
		audit_close(a);
		return (NULL);
	}
	sqlite3_extended_result_codes(a->db, 1);
	sqlite3_busy_handler(a->db, audit_busy, a);
	/*
	 * The file may be writable by other operators: do not let its schema
	 * run functions with side effects, or corrupt it through our handle.
	 */
	sqlite3_db_config(a->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_db_config(a->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	return (a);
}

/*
 * Put the database in WAL mode (persistent, so usually it already is).
 * Switching a new file takes an exclusive lock and SQLite returns BUSY at
 * once, without the busy handler, when several processes create the trail
 * together: retry like the handler would.  SQLITE_MISMATCH if WAL is
 * refused (a file system without shared memory).
 */
static int
audit_set_wal(struct audit *a)
{
	sqlite3_stmt	*st;
	const char	*mode;
	int		 rc, tries = 0;
	bool		 ok = false;

	do {
		if (tries != 0)
			audit_busy(a, tries - 1);
		rc = sqlite3_prepare_v2(a->db, "PRAGMA journal_mode = WAL", -1,
		    &st, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			mode = (const char *)sqlite3_column_text(st, 0);
			ok = mode != NULL && strcmp(mode, "wal") == 0;
			rc = SQLITE_OK;
		}
		sqlite3_finalize(st);
		tries++;
	} while ((rc & 0xff) == SQLITE_BUSY &&
	    (tries == 1 || mono_ms() - a->busy_since < AUDIT_BUSY_MS));
	if (rc == SQLITE_OK && !ok)
		return (SQLITE_MISMATCH);
	return (rc);
}

/* Open or create the trail for appending; fails unless writable. */
struct audit *
audit_open(const char *path, const char *group, char **cause)
{
	struct audit	*a;
	int		 rc;

	if (audit_create_file(path, group, cause) != 0)
		return (NULL);
	a = audit_connect(path, SQLITE_OPEN_READWRITE, cause);
	if (a == NULL)
		return (NULL);
	/* SQLite quietly opens a file it cannot write read-only. */
	if (sqlite3_db_readonly(a->db, "main") == 1) {
		xasprintf(cause, "audit: cannot write %s: the database is "
		    "read-only for this user (nothing is done that cannot be "
		    "recorded)", path);
		goto fail;
	}
	if ((rc = audit_set_wal(a)) != SQLITE_OK) {
		if (rc == SQLITE_MISMATCH) {
			xasprintf(cause, "audit: cannot put %s in WAL mode",
			    path);
		} else
			audit_write_cause(a, rc, cause);
		goto fail;
	}
	/* Durable: an event is on disk before the action it allows runs. */
	if ((rc = audit_exec(a, "PRAGMA synchronous = FULL")) != SQLITE_OK) {
		audit_write_cause(a, rc, cause);
		goto fail;
	}
	if (audit_migrate(a, cause) != 0)
		goto fail;
	if ((rc = audit_prepare_append(a)) != SQLITE_OK) {
		audit_read_cause(a, rc, cause);
		goto fail;
	}
	audit_fix_sidecars(a);
	return (a);

fail:
	audit_close(a);
	return (NULL);
}

/* Open an existing trail for list, verify and export. */
struct audit *
audit_open_readonly(const char *path, char **cause)
{
	struct audit	*a;
	struct stat	 st;
	int64_t		 version;
	int		 rc;

	if (stat(path, &st) != 0) {
		xasprintf(cause, "audit: no audit trail at %s: %s", path,
		    strerror(errno));
		return (NULL);
	}
	a = audit_connect(path, SQLITE_OPEN_READONLY, cause);
	if (a == NULL)
		return (NULL);
	a->readonly = true;
	if ((rc = audit_pragma_int(a, "PRAGMA user_version", &version)) != 0) {
		audit_read_cause(a, rc, cause);
		goto fail;
	}
	if (version != AUDIT_SCHEMA_VERSION) {
		if (version == 0) {
			xasprintf(cause, "audit: %s is not an omv audit "
			    "database", path);
		} else {
			xasprintf(cause, "audit: %s has schema version %lld; "
			    "this omv reads version %d", path,
			    (long long)version, AUDIT_SCHEMA_VERSION);
		}
		goto fail;
	}
	return (a);

fail:
	audit_close(a);
	return (NULL);
}

/* Close the handle; NULL is a no-op. */
void
audit_close(struct audit *a)
{
	if (a == NULL)
		return;
	sqlite3_finalize(a->st_head);
	sqlite3_finalize(a->st_last);
	sqlite3_finalize(a->st_insert);
	sqlite3_finalize(a->st_update);
	if (a->db != NULL)
		sqlite3_close_v2(a->db);
	free(a->path);
	free(a->operator);
	free(a->host);
	free(a->client);
	free(a);
}

/* Set the operator, jump host and client stamped on events. */
void
audit_set_identity(struct audit *a, const char *operator, const char *host,
    const char *client)
{
	free(a->operator);
	free(a->host);
	free(a->client);
	a->operator = operator != NULL ? xstrdup(operator) : NULL;
	a->host = host != NULL ? xstrdup(host) : NULL;
	a->client = client != NULL ? xstrdup(client) : NULL;
}

/* Start a write transaction, waiting for other writers. */
int
audit_begin(struct audit *a, char **cause)
{
	int	rc;

	if (a->readonly) {
		xasprintf(cause, "audit: %s was opened read-only (nothing is "
		    "done that cannot be recorded)", a->path);
		return (-1);
	}
	if ((rc = audit_exec(a, "BEGIN IMMEDIATE")) != SQLITE_OK) {
		audit_write_cause(a, rc, cause);
		return (-1);
	}
	return (0);
}

/* Commit; on failure roll back and say why. */
int
audit_commit(struct audit *a, char **cause)
{
	int	rc;

	if ((rc = audit_exec(a, "COMMIT")) != SQLITE_OK) {
		audit_write_cause(a, rc, cause);
		audit_rollback(a);
		return (-1);
	}
	a->local_changes++;
	return (0);
}

/* Abandon the open transaction, if any. */
void
audit_rollback(struct audit *a)
{
	if (a->db != NULL && !sqlite3_get_autocommit(a->db))
		audit_exec(a, "ROLLBACK");
}

/* Add one field to the canonical encoding: "-," for NULL, else a netstring. */
static void
audit_enc_str(struct sbuf *sb, const char *s, size_t len)
{
	if (s == NULL) {
		sbuf_adds(sb, "-,");
		return;
	}
	sbuf_addf(sb, "%zu:", len);
	sbuf_add(sb, s, len);
	sbuf_addc(sb, ',');
}

/* An integer field, in decimal as SQLite prints it. */
static void
audit_enc_int(struct sbuf *sb, int64_t v, bool present)
{
	char	buf[32];
	int	n;

	if (!present) {
		audit_enc_str(sb, NULL, 0);
		return;
	}
	n = snprintf(buf, sizeof buf, "%lld", (long long)v);
	audit_enc_str(sb, buf, (size_t)n);
}

/* A C string field (NULL stays NULL). */
static void
audit_enc_cstr(struct sbuf *sb, const char *s)
{
	audit_enc_str(sb, s, s != NULL ? strlen(s) : 0);
}

/* Hex SHA-256 of the encoding into out (AUDIT_HASH_LEN + 1 bytes). */
static int
audit_digest(const struct sbuf *sb, char *out)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;

	if (EVP_Digest(sb->buf, sb->len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32)
		return (-1);
	for (i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return (0);
}

/* Hash an event about to be stored (fields already defaulted). */
static int
audit_hash_event(const struct audit_event *ev, const char *prev, char *out)
{
	struct sbuf	sb;
	int		rc;

	sbuf_init(&sb);
	sbuf_adds(&sb, "omv-audit-1\n");
	audit_enc_int(&sb, ev->id, true);
	audit_enc_int(&sb, ev->time_ms, true);
	audit_enc_cstr(&sb, ev->operator);
	audit_enc_cstr(&sb, ev->host);
	audit_enc_cstr(&sb, ev->client);
	audit_enc_cstr(&sb, ev->server);
	audit_enc_int(&sb, ev->session, ev->session != 0);
	audit_enc_cstr(&sb, ev->action);
	audit_enc_cstr(&sb, ev->command);
	audit_enc_cstr(&sb, ev->risk);
	audit_enc_cstr(&sb, ev->decision);
	audit_enc_cstr(&sb, ev->result);
	audit_enc_int(&sb, ev->exit_status, ev->has_exit);
	audit_enc_cstr(&sb, ev->detail);
	audit_enc_cstr(&sb, prev);
	rc = audit_digest(&sb, out);
	sbuf_free(&sb);
	return (rc);
}

/*
 * Hash a stored row exactly as SQLite holds it (columns 0..14 of
 * AUDIT_COLUMNS), reading every column as text so a changed type or an
 * embedded NUL changes the hash too.
 */
static int
audit_hash_row(sqlite3_stmt *st, char *out)
{
	struct sbuf	 sb;
	const char	*s;
	int		 i, rc;

	sbuf_init(&sb);
	sbuf_adds(&sb, "omv-audit-1\n");
	for (i = 0; i <= 14; i++) {
		if (sqlite3_column_type(st, i) == SQLITE_NULL) {
			audit_enc_str(&sb, NULL, 0);
			continue;
		}
		s = (const char *)sqlite3_column_text(st, i);
		audit_enc_str(&sb, s != NULL ? s : "",
		    (size_t)sqlite3_column_bytes(st, i));
	}
	rc = audit_digest(&sb, out);
	sbuf_free(&sb);
	return (rc);
}

/* Skip JSON whitespace. */
static const char *
json_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return (p);
}

/* Validate one JSON value at p; return the end or NULL. */
static const char *
json_value(const char *p, int depth)
{
	const char	*q;

	if (depth > AUDIT_JSON_DEPTH)
		return (NULL);
	p = json_ws(p);
	switch (*p) {
	case '{':
	case '[': {
		char	close = *p == '{' ? '}' : ']';
		bool	object = *p == '{';

		p = json_ws(p + 1);
		if (*p == close)
			return (p + 1);
		for (;;) {
			if (object) {
				if (*p != '"' || (p = json_value(p, depth)) ==
				    NULL)
					return (NULL);
				p = json_ws(p);
				if (*p++ != ':')
					return (NULL);
			}
			if ((p = json_value(p, depth + 1)) == NULL)
				return (NULL);
			p = json_ws(p);
			if (*p == close)
				return (p + 1);
			if (*p++ != ',')
				return (NULL);
			p = json_ws(p);
		}
	}
	case '"':
		for (p++; *p != '"'; p++) {
			if ((unsigned char)*p < 0x20)
				return (NULL);
			if (*p != '\\')
				continue;
			p++;
			if (*p == 'u') {
				for (q = p + 1; q < p + 5; q++) {
					if (!((*q >= '0' && *q <= '9') ||
					    (*q >= 'a' && *q <= 'f') ||
					    (*q >= 'A' && *q <= 'F')))
						return (NULL);
				}
				p += 4;
			} else if (*p == '\0' ||
			    strchr("\"\\/bfnrt", *p) == NULL)
				return (NULL);
		}
		return (p + 1);
	case 't':
		return (strncmp(p, "true", 4) == 0 ? p + 4 : NULL);
	case 'f':
		return (strncmp(p, "false", 5) == 0 ? p + 5 : NULL);
	case 'n':
		return (strncmp(p, "null", 4) == 0 ? p + 4 : NULL);
	}
	/* A number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
	} else
		return (NULL);
	if (*p == '.') {
		q = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == q)
			return (NULL);
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		q = p;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p == q)
			return (NULL);
	}
	return (p);
}

/* Whether s is exactly one JSON text. */
int
audit_json_valid(const char *s)
{
	const char	*end;

	if (s == NULL || (end = json_value(s, 0)) == NULL)
		return (0);
	return (*json_ws(end) == '\0');
}

/* Check an event before it is stored; fill in the defaults. */
static int
audit_check_event(struct audit *a, const struct audit_event *in,
    struct audit_event *ev, char **cause)
{
	enum risk_level	r;
	enum decision	d;

	*ev = *in;
	if (ev->operator == NULL)
		ev->operator = a->operator;
	if (ev->host == NULL)
		ev->host = a->host;
	if (ev->client == NULL)
		ev->client = a->client;
	if (ev->time_ms == 0)
		ev->time_ms = now_ms();
	if (ev->operator == NULL || *ev->operator == '\0') {
		xasprintf(cause, "audit: no operator identity for the event "
		    "(nothing is done that cannot be recorded)");
		return (-1);
	}
	if (ev->action == NULL || *ev->action == '\0') {
		xasprintf(cause, "audit: event without an action");
		return (-1);
	}
	/* Stored in canonical spelling, so filters match. */
	if (ev->risk != NULL) {
		if (risk_level_parse(ev->risk, &r) != 0) {
			xasprintf(cause, "audit: unknown risk level '%s'",
			    ev->risk);
			return (-1);
		}
		ev->risk = risk_level_name(r);
	}
	if (ev->decision != NULL) {
		if (decision_parse(ev->decision, &d) != 0) {
			xasprintf(cause, "audit: unknown decision '%s'",
			    ev->decision);
			return (-1);
		}
		ev->decision = decision_name(d);
	}
	if (ev->detail != NULL && !audit_json_valid(ev->detail)) {
		xasprintf(cause, "audit: event detail is not valid JSON");
		return (-1);
	}
	return (0);
}

/* Bind a string or NULL. */
static int
audit_bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		return (sqlite3_bind_null(st, i));
	return (sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC));
}

/* Run a prepared statement that returns no row, then reset it. */
static int
audit_step_done(sqlite3_stmt *st)
{
	int	rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return (rc == SQLITE_DONE ? SQLITE_OK : rc);
}

/* Check, hash and insert one event inside the caller's transaction. */
int
audit_append_tx(struct audit *a, const struct audit_event *in, int64_t *id,
    char **cause)
{
	struct audit_event	 ev;
	sqlite3_stmt		*st;
	int64_t			 head_count, head_last, last_id = 0;
	char			 prev[AUDIT_HASH_LEN + 1];
	char			 hash[AUDIT_HASH_LEN + 1];
	char			 last_hash[AUDIT_HASH_LEN + 1] = "";
	const char		*s;
	int			 rc, i;

	if (audit_check_event(a, in, &ev, cause) != 0)
		return (-1);
	if (a->st_head == NULL) {
		xasprintf(cause, "audit: %s was opened read-only", a->path);
		return (-1);
	}

	/* The chain head and the actual last row must agree. */
	if ((rc = sqlite3_step(a->st_head)) != SQLITE_ROW) {
		sqlite3_reset(a->st_head);
		if (rc == SQLITE_DONE) {
			xasprintf(cause, "audit: %s has no chain head; run omv "
			    "audit verify (nothing is done that cannot be "
			    "recorded)", a->path);
			return (-1);
		}
		audit_write_cause(a, rc, cause);
		return (-1);
	}
	head_count = sqlite3_column_int64(a->st_head, 0);
	head_last = sqlite3_column_int64(a->st_head, 1);
	s = (const char *)sqlite3_column_text(a->st_head, 2);
	snprintf(prev, sizeof prev, "%s", s != NULL ? s : "");
	sqlite3_reset(a->st_head);

	if ((rc = sqlite3_step(a->st_last)) == SQLITE_ROW) {
		last_id = sqlite3_column_int64(a->st_last, 0);
		s = (const char *)sqlite3_column_text(a->st_last, 1);
		snprintf(last_hash, sizeof last_hash, "%s", s != NULL ? s : "");
	}
	sqlite3_reset(a->st_last);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		audit_write_cause(a, rc, cause);
		return (-1);
	}
	if (last_id != head_last ||
	    (last_id != 0 && strcmp(last_hash, prev) != 0) ||
	    (last_id == 0 && head_count != 0)) {
		xasprintf(cause, "audit: the trail in %s is damaged: the chain "
		    "head says %lld events / last id %lld, the last event is "
		    "id %lld; run omv audit verify (nothing is done that "
		    "cannot be recorded)", a->path, (long long)head_count,
		    (long long)head_last, (long long)last_id);
		return (-1);
	}

	ev.id = head_last + 1;
	if (audit_hash_event(&ev, prev, hash) != 0) {
		xasprintf(cause, "audit: SHA-256 failed");
		return (-1);
	}

	st = a->st_insert;
	i = 1;
	sqlite3_bind_int64(st, i++, ev.id);
	sqlite3_bind_int64(st, i++, ev.time_ms);
	audit_bind_str(st, i++, ev.operator);
	audit_bind_str(st, i++, ev.host);
	audit_bind_str(st, i++, ev.client);
	audit_bind_str(st, i++, ev.server);
	if (ev.session != 0)
		sqlite3_bind_int64(st, i++, ev.session);
	else
		sqlite3_bind_null(st, i++);
	audit_bind_str(st, i++, ev.action);
	audit_bind_str(st, i++, ev.command);
	audit_bind_str(st, i++, ev.risk);
	audit_bind_str(st, i++, ev.decision);
	audit_bind_str(st, i++, ev.result);
	if (ev.has_exit)
		sqlite3_bind_int(st, i++, ev.exit_status);
	else
		sqlite3_bind_null(st, i++);
	audit_bind_str(st, i++, ev.detail);
	audit_bind_str(st, i++, prev);
	audit_bind_str(st, i, hash);
	if ((rc = audit_step_done(st)) != SQLITE_OK) {
		audit_write_cause(a, rc, cause);
		return (-1);
	}

	sqlite3_bind_int64(a->st_update, 1, ev.id);
	audit_bind_str(a->st_update, 2, hash);
	if ((rc = audit_step_done(a->st_update)) != SQLITE_OK) {
		audit_write_cause(a, rc, cause);
		return (-1);
	}
	if (id != NULL)
		*id = ev.id;
	return (0);
}

/* Append one event durably in its own transaction. */
int
audit_append(struct audit *a, const struct audit_event *ev, int64_t *id,
    char **cause)
{
	int64_t	new_id;

	if (audit_begin(a, cause) != 0)
		return (-1);
	if (audit_append_tx(a, ev, &new_id, cause) != 0) {
		audit_rollback(a);
		return (-1);
	}
	if (audit_commit(a, cause) != 0)
		return (-1);
	if (id != NULL)
		*id = new_id;
	return (0);
}

/* Fill an event from a row of AUDIT_COLUMNS; strings live in the row. */
static void
audit_row(sqlite3_stmt *st, struct audit_event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->id = sqlite3_column_int64(st, 0);
	ev->time_ms = sqlite3_column_int64(st, 1);
	ev->operator = (const char *)sqlite3_column_text(st, 2);
	ev->host = (const char *)sqlite3_column_text(st, 3);
	ev->client = (const char *)sqlite3_column_text(st, 4);
	ev->server = (const char *)sqlite3_column_text(st, 5);
	ev->session = sqlite3_column_int64(st, 6);
	ev->action = (const char *)sqlite3_column_text(st, 7);
	ev->command = (const char *)sqlite3_column_text(st, 8);
	ev->risk = (const char *)sqlite3_column_text(st, 9);
	ev->decision = (const char *)sqlite3_column_text(st, 10);
	ev->result = (const char *)sqlite3_column_text(st, 11);
	ev->has_exit = sqlite3_column_type(st, 12) != SQLITE_NULL;
	ev->exit_status = sqlite3_column_int(st, 12);
	ev->detail = (const char *)sqlite3_column_text(st, 13);
	ev->prev_hash = (const char *)sqlite3_column_text(st, 14);
	ev->hash = (const char *)sqlite3_column_text(st, 15);
}

/* Stream the events matching a filter to a callback. */
int
audit_query(struct audit *a, const struct audit_filter *f,
    audit_event_cb cb, void *arg, char **cause)
{
	struct audit_filter	 none;
	struct audit_event	 ev;
	struct sbuf		 sql;
	sqlite3_stmt		*st;
	int			 rc, i, n = 1;

	if (f == NULL) {
		memset(&none, 0, sizeof none);
		none.min_risk = -1;
		f = &none;
	}
	/* The newest N are picked in reverse, then printed oldest first. */
	sbuf_init(&sql);
	if (f->limit > 0)
		sbuf_adds(&sql, "SELECT * FROM (");
	sbuf_adds(&sql, "SELECT " AUDIT_COLUMNS " FROM events WHERE 1");
	if (f->operator != NULL)
		sbuf_adds(&sql, " AND operator = ?");
	if (f->server != NULL)
		sbuf_adds(&sql, " AND server = ?");
	if (f->action != NULL)
		sbuf_adds(&sql, " AND action = ?");
	if (f->min_risk >= 0) {
		sbuf_adds(&sql, " AND risk IN (");
		for (i = f->min_risk; i < RISK_COUNT; i++)
			sbuf_adds(&sql, i == f->min_risk ? "?" : ", ?");
		sbuf_adds(&sql, ")");
	}
	if (f->since_ms != 0)
		sbuf_adds(&sql, " AND time_ms >= ?");
	if (f->until_ms != 0)
		sbuf_adds(&sql, " AND time_ms < ?");
	if (f->after_id != 0)
		sbuf_adds(&sql, " AND id > ?");
	if (f->session != 0)
		sbuf_adds(&sql, " AND session = ?");
	if (f->limit > 0)
		sbuf_adds(&sql, " ORDER BY id DESC LIMIT ?) ORDER BY id");
	else
		sbuf_adds(&sql, " ORDER BY id");

	rc = sqlite3_prepare_v2(a->db, sql.buf, -1, &st, NULL);
	sbuf_free(&sql);
	if (rc != SQLITE_OK) {
		audit_read_cause(a, rc, cause);
		return (-1);
	}
	if (f->operator != NULL)
		audit_bind_str(st, n++, f->operator);
	if (f->server != NULL)
		audit_bind_str(st, n++, f->server);
	if (f->action != NULL)
		audit_bind_str(st, n++, f->action);
	if (f->min_risk >= 0) {
		for (i = f->min_risk; i < RISK_COUNT; i++)
			audit_bind_str(st, n++,
			    risk_level_name((enum risk_level)i));
	}
	if (f->since_ms != 0)
		sqlite3_bind_int64(st, n++, f->since_ms);
	if (f->until_ms != 0)
		sqlite3_bind_int64(st, n++, f->until_ms);
	if (f->after_id != 0)
		sqlite3_bind_int64(st, n++, f->after_id);
	if (f->session != 0)
		sqlite3_bind_int64(st, n++, f->session);
	if (f->limit > 0)
		sqlite3_bind_int(st, n++, f->limit);

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		audit_row(st, &ev);
		if (cb(&ev, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		audit_read_cause(a, rc, cause);
		return (-1);
	}
	return (0);
}

/* Look up a single id: the first row where column = value, other than id. */
static int64_t
audit_find_by(struct audit *a, const char *column, const char *value,
    int64_t not_id)
{
	sqlite3_stmt	*st;
	char		*sql;
	int64_t		 found = 0;

	sql = xprintf("SELECT id FROM events WHERE %s = ? AND id != ? "
	    "ORDER BY id LIMIT 1", column);
	if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) == SQLITE_OK) {
		audit_bind_str(st, 1, value);
		sqlite3_bind_int64(st, 2, not_id);
		if (sqlite3_step(st) == SQLITE_ROW)
			found = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	free(sql);
	return (found);
}

/*
 * Say what is wrong with row id, the first that fails, whose predecessor in
 * id order is prev_id (0: none) with hash expected.
 */
static void
audit_diagnose(struct audit *a, struct audit_verify *v, int64_t id,
    bool hash_ok, const char *stored_prev, int64_t prev_id,
    const char *expected)
{
	int64_t	other;

	v->bad_id = id;
	if (!hash_ok) {
		/*
		 * The row that should follow prev_id is elsewhere: this place
		 * holds another row's content (rows swapped or moved).
		 */
		other = audit_find_by(a, "prev_hash", expected, id);
		if (other != 0) {
			v->fault = AUDIT_FAULT_REORDERED;
			if (prev_id == 0) {
				xasprintf(&v->message, "event %lld: reordered "
				    "(the first event is stored as event %lld)",
				    (long long)id, (long long)other);
			} else {
				xasprintf(&v->message, "event %lld: reordered "
				    "(the event that follows event %lld is "
				    "stored as event %lld)", (long long)id,
				    (long long)prev_id, (long long)other);
			}
			return;
		}
		v->fault = AUDIT_FAULT_EDITED;
		xasprintf(&v->message, "event %lld: edited (hash mismatch)",
		    (long long)id);
		return;
	}

	/* Intact row, wrong link. */
	other = audit_find_by(a, "hash", stored_prev, id);
	if (other != 0) {
		v->fault = AUDIT_FAULT_REORDERED;
		xasprintf(&v->message, "event %lld: reordered (its previous "
		    "event is stored as event %lld)", (long long)id,
		    (long long)other);
		return;
	}
	if (prev_id == 0) {
		v->fault = AUDIT_FAULT_DELETED;
		xasprintf(&v->message, "event %lld: does not start the chain "
		    "(events before it deleted)", (long long)id);
		return;
	}
	if (id > prev_id + 1) {
		v->fault = AUDIT_FAULT_DELETED;
		if (id == prev_id + 2) {
			xasprintf(&v->message, "event %lld: previous hash does "
			    "not match event %lld (event %lld deleted)",
			    (long long)id, (long long)prev_id,
			    (long long)prev_id + 1);
		} else {
			xasprintf(&v->message, "event %lld: previous hash does "
			    "not match event %lld (events %lld-%lld deleted)",
			    (long long)id, (long long)prev_id,
			    (long long)prev_id + 1, (long long)id - 1);
		}
		return;
	}
	/* Contiguous ids: the predecessor was rewritten with a fresh hash. */
	v->fault = AUDIT_FAULT_EDITED;
	v->bad_id = prev_id;
	xasprintf(&v->message, "event %lld: edited and re-hashed (event %lld's "
	    "previous hash does not match it)", (long long)prev_id,
	    (long long)id);
}

/* Free what a verify result holds. */
void
audit_verify_clear(struct audit_verify *v)
{
	free(v->message);
	memset(v, 0, sizeof *v);
}

/* Walk the whole chain and name the first fault. */
int
audit_verify(struct audit *a, struct audit_verify *v, char **cause)
{
	sqlite3_stmt	*st = NULL;
	const char	*stored, *prev;
	char		 expected[AUDIT_HASH_LEN + 1] = AUDIT_ZERO_HASH;
	char		 head_hash[AUDIT_HASH_LEN + 1] = "";
	char		 computed[AUDIT_HASH_LEN + 1];
	int64_t		 id, prev_id = 0;
	bool		 has_head = false, hash_ok, link_ok;
	int		 rc;

	memset(v, 0, sizeof *v);
	/* One read transaction: the head and the rows from one snapshot. */
	if ((rc = audit_exec(a, "BEGIN")) != SQLITE_OK)
		goto fail;
	rc = sqlite3_prepare_v2(a->db, "SELECT count, last_id, last_hash "
	    "FROM chain_head WHERE one = 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		has_head = true;
		v->head_count = sqlite3_column_int64(st, 0);
		v->head_last_id = sqlite3_column_int64(st, 1);
		stored = (const char *)sqlite3_column_text(st, 2);
		snprintf(head_hash, sizeof head_hash, "%s",
		    stored != NULL ? stored : "");
	} else if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);

	rc = sqlite3_prepare_v2(a->db, "SELECT " AUDIT_COLUMNS " FROM events "
	    "ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (audit_hash_row(st, computed) != 0) {
			xasprintf(cause, "audit: SHA-256 failed");
			goto out;
		}
		stored = (const char *)sqlite3_column_text(st, 15);
		prev = (const char *)sqlite3_column_text(st, 14);
		hash_ok = stored != NULL && strcmp(stored, computed) == 0;
		link_ok = prev != NULL && strcmp(prev, expected) == 0;
		if (!hash_ok || !link_ok) {
			audit_diagnose(a, v, id, hash_ok, prev != NULL ? prev :
			    "", prev_id, expected);
			break;
		}
		v->count++;
		prev_id = id;
		snprintf(expected, sizeof expected, "%s", stored);
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	audit_exec(a, "COMMIT");

	v->last_id = prev_id;
	snprintf(v->last_hash, sizeof v->last_hash, "%s", expected);
	if (v->fault != AUDIT_FAULT_NONE)
		return (1);
	if (!has_head) {
		v->fault = AUDIT_FAULT_HEAD;
		xasprintf(&v->message, "chain head missing (found %lld events "
		    "/ last id %lld)", (long long)v->count,
		    (long long)v->last_id);
		return (1);
	}
	if (v->head_count == v->count && v->head_last_id == v->last_id &&
	    strcmp(head_hash, expected) == 0)
		return (0);
	if (v->head_last_id > v->last_id || v->head_count > v->count) {
		v->fault = AUDIT_FAULT_TRUNCATED;
		xasprintf(&v->message, "truncated: chain head says %lld events "
		    "/ last id %lld, found %lld / last id %lld",
		    (long long)v->head_count, (long long)v->head_last_id,
		    (long long)v->count, (long long)v->last_id);
	} else {
		v->fault = AUDIT_FAULT_HEAD;
		xasprintf(&v->message, "chain head says %lld events / last id "
		    "%lld, found %lld / last id %lld (chain head edited or "
		    "events added behind it)", (long long)v->head_count,
		    (long long)v->head_last_id, (long long)v->count,
		    (long long)v->last_id);
	}
	return (1);

fail:
	audit_read_cause(a, rc, cause);
out:
	sqlite3_finalize(st);
	audit_rollback(a);
	audit_verify_clear(v);
	return (-1);
}

/* Index a new session; its id goes into events. */
int
audit_session_start(struct audit *a, const char *server, const char *path,
    int64_t start_ms, int64_t *id, char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (a->readonly) {
		xasprintf(cause, "audit: %s was opened read-only", a->path);
		return (-1);
	}
	rc = sqlite3_prepare_v2(a->db, "INSERT INTO sessions (operator, "
	    "server, start_ms, path) VALUES (?, ?, ?, ?)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		audit_bind_str(st, 1, a->operator);
		audit_bind_str(st, 2, server);
		sqlite3_bind_int64(st, 3, start_ms != 0 ? start_ms : now_ms());
		audit_bind_str(st, 4, path);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		audit_write_cause(a, rc, cause);
		return (-1);
	}
	a->local_changes++;
	if (id != NULL)
		*id = sqlite3_last_insert_rowid(a->db);
	return (0);
}

/* Record a session's end and recording size. */
int
audit_session_end(struct audit *a, int64_t id, int64_t end_ms, int64_t bytes,
    char **cause)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (a->readonly) {
		xasprintf(cause, "audit: %s was opened read-only", a->path);
		return (-1);
	}
	rc = sqlite3_prepare_v2(a->db, "UPDATE sessions SET end_ms = ?, "
	    "bytes = ? WHERE id = ?", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, end_ms != 0 ? end_ms : now_ms());
		sqlite3_bind_int64(st, 2, bytes);
		sqlite3_bind_int64(st, 3, id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK) {
		audit_write_cause(a, rc, cause);
		return (-1);
	}
	if (sqlite3_changes(a->db) != 1) {
		xasprintf(cause, "audit: no session %lld", (long long)id);
		return (-1);
	}
	a->local_changes++;
	return (0);
}

/* A column as an owned string, or NULL. */
static char *
audit_column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char	*s;

	s = sqlite3_column_text(st, i);
	return (s != NULL ? xstrdup((const char *)s) : NULL);
}

/* The newest sessions, oldest first. */
int
audit_session_list(struct audit *a, const char *server, int limit,
    struct audit_session **list, size_t *n, char **cause)
{
	struct audit_session	*out = NULL, *s;
	sqlite3_stmt		*st;
	size_t			 count = 0;
	int			 rc;

	*list = NULL;
	*n = 0;
	rc = sqlite3_prepare_v2(a->db, "SELECT * FROM (SELECT id, operator, "
	    "server, start_ms, end_ms, path, bytes FROM sessions WHERE "
	    "(?1 IS NULL OR server = ?1) ORDER BY id DESC LIMIT ?2) "
	    "ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		audit_read_cause(a, rc, cause);
		return (-1);
	}
	audit_bind_str(st, 1, server);
	sqlite3_bind_int(st, 2, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		out = xreallocarray(out, count + 1, sizeof *out);
		s = &out[count++];
		s->id = sqlite3_column_int64(st, 0);
		s->operator = audit_column_dup(st, 1);
		s->server = audit_column_dup(st, 2);
		s->start_ms = sqlite3_column_int64(st, 3);
		s->end_ms = sqlite3_column_int64(st, 4);
		s->path = audit_column_dup(st, 5);
		s->bytes = sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		audit_session_free(out, count);
		audit_read_cause(a, rc, cause);
		return (-1);
	}
	*list = out;
	*n = count;
	return (0);
}

/* Free a session list. */
void
audit_session_free(struct audit_session *list, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(list[i].operator);
		free(list[i].server);
		free(list[i].path);
	}
	free(list);
}

/* Add "key":value for a string (null when NULL). */
static void
audit_json_field(struct sbuf *sb, const char *key, const char *value)
{
	sbuf_addf(sb, ",\"%s\":", key);
	sbuf_json_string(sb, value);
}

/* One event as a JSON object. */
void
audit_event_json(struct sbuf *sb, const struct audit_event *ev)
{
	char	tbuf[32];

	format_time_ms(ev->time_ms, tbuf, sizeof tbuf);
	sbuf_addf(sb, "{\"id\":%lld,\"time\":\"%s\",\"time_ms\":%lld",
	    (long long)ev->id, tbuf, (long long)ev->time_ms);
	audit_json_field(sb, "operator", ev->operator);
	audit_json_field(sb, "host", ev->host);
	audit_json_field(sb, "client", ev->client);
	audit_json_field(sb, "server", ev->server);
	if (ev->session != 0)
		sbuf_addf(sb, ",\"session\":%lld", (long long)ev->session);
	else
		sbuf_adds(sb, ",\"session\":null");
	audit_json_field(sb, "action", ev->action);
	audit_json_field(sb, "command", ev->command);
	audit_json_field(sb, "risk", ev->risk);
	audit_json_field(sb, "decision", ev->decision);
	audit_json_field(sb, "result", ev->result);
	if (ev->has_exit)
		sbuf_addf(sb, ",\"exit_status\":%d", ev->exit_status);
	else
		sbuf_adds(sb, ",\"exit_status\":null");
	/* Detail was checked on append; a row edited since goes in as text. */
	sbuf_adds(sb, ",\"detail\":");
	if (ev->detail != NULL && audit_json_valid(ev->detail))
		sbuf_adds(sb, ev->detail);
	else
		sbuf_json_string(sb, ev->detail);
	audit_json_field(sb, "prev_hash", ev->prev_hash);
	audit_json_field(sb, "hash", ev->hash);
	sbuf_addc(sb, '}');
}

/* One CSV field (RFC 4180): quoted when it holds a comma, quote or newline. */
static void
audit_csv_field(struct sbuf *sb, const char *s, bool last)
{
	const char	*p;

	if (s != NULL && strpbrk(s, ",\"\r\n") != NULL) {
		sbuf_addc(sb, '"');
		for (p = s; *p != '\0'; p++) {
			if (*p == '"')
				sbuf_addc(sb, '"');
			sbuf_addc(sb, *p);
		}
		sbuf_addc(sb, '"');
	} else if (s != NULL)
		sbuf_adds(sb, s);
	sbuf_adds(sb, last ? "\r\n" : ",");
}

/* The CSV header line, in the column order of audit_event_csv. */
void
audit_csv_header(struct sbuf *sb)
{
	sbuf_adds(sb, "id,time,operator,host,client,server,session,action,"
	    "command,risk,decision,result,exit_status,detail,prev_hash,"
	    "hash\r\n");
}

/* One event as a CSV record. */
void
audit_event_csv(struct sbuf *sb, const struct audit_event *ev)
{
	char	tbuf[32], num[32];

	snprintf(num, sizeof num, "%lld", (long long)ev->id);
	audit_csv_field(sb, num, false);
	format_time_ms(ev->time_ms, tbuf, sizeof tbuf);
	audit_csv_field(sb, tbuf, false);
	audit_csv_field(sb, ev->operator, false);
	audit_csv_field(sb, ev->host, false);
	audit_csv_field(sb, ev->client, false);
	audit_csv_field(sb, ev->server, false);
	snprintf(num, sizeof num, "%lld", (long long)ev->session);
	audit_csv_field(sb, ev->session != 0 ? num : NULL, false);
	audit_csv_field(sb, ev->action, false);
	audit_csv_field(sb, ev->command, false);
	audit_csv_field(sb, ev->risk, false);
	audit_csv_field(sb, ev->decision, false);
	audit_csv_field(sb, ev->result, false);
	snprintf(num, sizeof num, "%d", ev->exit_status);
	audit_csv_field(sb, ev->has_exit ? num : NULL, false);
	audit_csv_field(sb, ev->detail, false);
	audit_csv_field(sb, ev->prev_hash, false);
	audit_csv_field(sb, ev->hash, true);
}
