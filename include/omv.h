/*
 * omv.h: shared enums, forward declarations and the small utilities every
 * module uses (allocation that dies on out-of-memory, a string buffer,
 * JSON string escaping, debug log).  Nothing here touches a library.
 */
#ifndef OMV_H
#define OMV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define OMV_VERSION "0.1.0"

struct omv_config;
struct server;
struct server_group;
struct role;
struct ident;
struct risk_ruleset;
struct risk_result;
struct audit;

/* Risk levels, ordered: a higher value is riskier. */
enum risk_level {
	RISK_LOW,
	RISK_MEDIUM,
	RISK_HIGH,
	RISK_CRITICAL
};
#define RISK_COUNT 4

/* Server environments.  ENV_NONE is "not set" (inherit or unknown). */
enum env {
	ENV_PRODUCTION,
	ENV_STAGING,
	ENV_DEVELOPMENT,
	ENV_NONE
};
#define ENV_COUNT 3

/* What policy says about a command; ordered from most to least permissive. */
enum decision {
	DECISION_ALLOW,
	DECISION_CONFIRM,
	DECISION_APPROVAL,
	DECISION_DENY
};
#define DECISION_COUNT 4

enum audit_level {
	AUDIT_BASIC,
	AUDIT_DETAILED,
	AUDIT_COMPREHENSIVE
};

/* names.c: enum <-> text.  *_parse return 0 or -1 for an unknown name. */
const char *risk_level_name(enum risk_level);
int risk_level_parse(const char *, enum risk_level *);
const char *env_name(enum env);
int env_parse(const char *, enum env *);
const char *decision_name(enum decision);
int decision_parse(const char *, enum decision *);
const char *audit_level_name(enum audit_level);
int audit_level_parse(const char *, enum audit_level *);

/* xmalloc.c: these die on out-of-memory; nothing else does. */
void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xreallocarray(void *, size_t, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
int xasprintf(char **, const char *, ...) __attribute__((format(printf, 2, 3)));
int xvasprintf(char **, const char *, va_list) __attribute__((format(printf, 2, 0)));
char *xprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Free a NULL-safe array of n owned strings, and the array. */
void strv_free(char **, size_t);

/* sbuf.c: a growable byte string, always NUL terminated. */
struct sbuf {
	char	*buf;	/* owned */
	size_t	 len;
	size_t	 cap;
};
void sbuf_init(struct sbuf *);
void sbuf_add(struct sbuf *, const void *, size_t);
void sbuf_adds(struct sbuf *, const char *);
void sbuf_addc(struct sbuf *, char);
void sbuf_addf(struct sbuf *, const char *, ...) __attribute__((format(printf, 2, 3)));
void sbuf_json_string(struct sbuf *, const char *);	/* "..." escaped, NULL -> null */
/* Append a code point as UTF-8 (surrogates and > U+10FFFF become U+FFFD). */
void sbuf_add_utf8(struct sbuf *, uint32_t);
/* The same for screen text: C0 and C1 controls also become U+FFFD. */
void sbuf_add_glyph(struct sbuf *, uint32_t);
char *sbuf_steal(struct sbuf *);	/* returns buf (owned by caller), resets */
void sbuf_reset(struct sbuf *);
void sbuf_free(struct sbuf *);

/* log.c: debug log to a file when asked (-v); never to the screen. */
void log_open(const char *path);
void log_close(void);
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

/* util.c */
int64_t now_ms(void);			/* wall clock, UTC, milliseconds */
int64_t mono_ms(void);			/* monotonic clock, milliseconds */
const char *home_dir(void);		/* $HOME or the passwd entry */
/* Create every missing directory of path (not the last component), mode. */
int mkdir_parents(const char *path, int mode, char **cause);
/* Parse "2026-11-27", "2026-11-27 10:00", ISO 8601 or "-2h"/"-30m"/"-7d"; UTC ms. */
int parse_time(const char *, int64_t *ms);
/* "2026-11-27T04:05:06.123Z" into buf (>= 25 bytes). */
void format_time_ms(int64_t ms, char *buf, size_t len);

#endif
