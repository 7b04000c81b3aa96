/*
 * cmd-approvals.c: omv approvals, omv approve ID, omv deny ID: the approval
 * queue from the command line, under the same rules as the console.
 *
 * Who may decide is checked twice: here, with policy_may_approve (never
 * your own request, and only with one of the request's approver roles), to
 * say why not in words; and again by approval_decide under the database's
 * write lock, which also refuses a request that expired or was decided by
 * someone else meanwhile.  A refused attempt is itself recorded in the
 * audit trail.  Approving a critical request may also need a TOTP code
 * (approvals.totp_critical), checked against the approver's own secret
 * in approvals.totp_dir.
 *
 * Listing expires overdue requests first (approval_expire), so what it
 * shows is what can still be decided.  Every text field came from another
 * operator and is escaped before it reaches the terminal.
 *
 * Exit status: 0 done; 1 refused, not allowed, expired, not pending or no
 * such request; 2 usage, config or database trouble.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "approval.h"
#include "audit.h"
#include "cfg.h"
#include "cmd.h"
#include "ident.h"
#include "policy.h"
#include "totp.h"

/* Which of the three commands is running. */
enum approvals_cmd {
	APPROVALS_LIST,
	APPROVALS_APPROVE,
	APPROVALS_DENY
};

/* The parsed command line; strings are borrowed from argv. */
struct approvals_args {
	enum approvals_cmd	 cmd;
	const char		*config;
	const char		*db;
	bool			 json;
	bool			 all;
	int			 limit;		/* --all: newest N; 0 all */
	const char		*reason;
	const char		*totp;
	int64_t			 id;
};

/* Everything a command works with. */
struct approvals_ctx {
	struct omv_config	*cfg;		/* owned */
	struct ident		*me;		/* owned */
	struct audit		*audit;		/* owned; NULL: no db yet */
};

enum {
	OPT_DB = 256, OPT_JSON, OPT_ALL, OPT_LIMIT, OPT_REASON, OPT_TOTP
};

static const struct option approvals_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "db", required_argument, NULL, OPT_DB },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "reason", required_argument, NULL, OPT_REASON },
	{ "totp", required_argument, NULL, OPT_TOTP },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const char *approvals_names[] = { "approvals", "approve", "deny" };

/* The --help text of one command. */
static void
approvals_help(enum approvals_cmd cmd)
{
	switch (cmd) {
	case APPROVALS_LIST:
		printf("usage: omv approvals [-c FILE] [--db PATH] [--json] "
		    "[--all [--limit N]]\n"
		    "List the pending approval requests, oldest first, and "
		    "whether you may\ndecide each (and why not).  --all also "
		    "shows decided requests (the\nnewest 50; --limit 0: all).  "
		    "--json prints one JSON object per line.\n");
		break;
	case APPROVALS_APPROVE:
		printf("usage: omv approve ID [-c FILE] [--db PATH] "
		    "[--reason TEXT] [--totp CODE]\n"
		    "Approve someone else's pending request; the requesting "
		    "console then\nsends the command.  A critical request may "
		    "need a TOTP code\n(approvals.totp_critical): --totp CODE, "
		    "or typed at the prompt.\n");
		break;
	case APPROVALS_DENY:
		printf("usage: omv deny ID --reason TEXT [-c FILE] "
		    "[--db PATH]\n"
		    "Deny someone else's pending request; the reason is shown "
		    "to the\nrequester and recorded.\n");
		break;
	}
	printf("Exit status: 0 done, 1 refused or not possible, 2 usage or "
	    "configuration error.\n");
}

/* Parse a request id ("12" or "#12"); -1 if it is not one. */
static int
approvals_parse_id(const char *s, int64_t *id)
{
	char		*end;
	long long	 v;

	if (*s == '#')
		s++;
	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0 || v <= 0)
		return (-1);
	*id = (int64_t)v;
	return (0);
}

/* Does option c belong to cmd? */
static bool
approvals_option_ok(enum approvals_cmd cmd, int c)
{
	switch (c) {
	case OPT_JSON:
	case OPT_ALL:
	case OPT_LIMIT:
		return (cmd == APPROVALS_LIST);
	case OPT_REASON:
		return (cmd != APPROVALS_LIST);
	case OPT_TOTP:
		return (cmd == APPROVALS_APPROVE);
	}
	return (true);
}

/* The long name of option c. */
static const char *
approvals_option_name(int c)
{
	const struct option	*o;

	for (o = approvals_options; o->name != NULL; o++) {
		if (o->val == c)
			return (o->name);
	}
	return ("?");
}

/* Parse the command line; 0, or CMD_USAGE after saying why. */
static int
approvals_parse(enum approvals_cmd cmd, int argc, char **argv,
    struct approvals_args *args)
{
	const char	*name = approvals_names[cmd];
	char		*end;
	long		 n;
	int		 c;

	memset(args, 0, sizeof *args);
	args->cmd = cmd;
	args->limit = 50;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:h", approvals_options,
	    NULL)) != -1) {
		if (!approvals_option_ok(cmd, c)) {
			fprintf(stderr, "omv: %s: --%s is not an option of "
			    "this command\n", name, approvals_option_name(c));
			return (cmd_usage(name));
		}
		switch (c) {
		case 'c':
			args->config = optarg;
			break;
		case OPT_DB:
			args->db = optarg;
			break;
		case OPT_JSON:
			args->json = true;
			break;
		case OPT_ALL:
			args->all = true;
			break;
		case OPT_LIMIT:
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 0 ||
			    n > 1000000) {
				fprintf(stderr, "omv: %s: bad limit '%s'\n",
				    name, optarg);
				return (CMD_USAGE);
			}
			args->limit = (int)n;
			break;
		case OPT_REASON:
			args->reason = optarg;
			break;
		case OPT_TOTP:
			args->totp = optarg;
			break;
		case 'h':
			approvals_help(cmd);
			exit(CMD_OK);
		default:
			fprintf(stderr, "omv: %s: unknown option or missing "
			    "argument: %s\n", name, argv[optind - 1]);
			return (cmd_usage(name));
		}
	}
	if (cmd == APPROVALS_LIST) {
		if (optind != argc) {
			fprintf(stderr, "omv: approvals: unexpected argument "
			    "'%s'\n", argv[optind]);
			return (cmd_usage(name));
		}
		return (0);
	}
	if (optind == argc) {
		fprintf(stderr, "omv: %s: which request? (an ID from omv "
		    "approvals)\n", name);
		return (cmd_usage(name));
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "omv: %s: unexpected argument '%s'\n", name,
		    argv[optind + 1]);
		return (cmd_usage(name));
	}
	if (approvals_parse_id(argv[optind], &args->id) != 0) {
		fprintf(stderr, "omv: %s: '%s' is not a request ID\n", name,
		    argv[optind]);
		return (cmd_usage(name));
	}
	if (cmd == APPROVALS_DENY &&
	    (args->reason == NULL || args->reason[strspn(args->reason,
	    " \t")] == '\0')) {
		fprintf(stderr, "omv: deny needs --reason TEXT: say why, for "
		    "the requester and the audit trail\n");
		return (cmd_usage(name));
	}
	return (0);
}

/* Close what approvals_open opened. */
static void
approvals_close(struct approvals_ctx *ctx)
{
	audit_close(ctx->audit);
	ident_free(ctx->me);
	cfg_free(ctx->cfg);
	memset(ctx, 0, sizeof *ctx);
}

/*
 * Load the config and open the queue (--db, else audit.db, else the
 * default path) as the current user.  A list with no database yet has
 * nothing to show, so it does not create one.  0 or CMD_USAGE.
 */
static int
approvals_open(const struct approvals_args *args, struct approvals_ctx *ctx)
{
	struct stat	 st;
	char		*path, *cause = NULL;

	memset(ctx, 0, sizeof *ctx);
	if ((ctx->cfg = cmd_load_config(args->config)) == NULL)
		return (CMD_USAGE);
	ctx->me = ident_current();
	path = cmd_audit_path(ctx->cfg, args->db);
	if (args->cmd == APPROVALS_LIST && stat(path, &st) != 0 &&
	    errno == ENOENT) {
		free(path);
		return (0);
	}
	ctx->audit = audit_open(path, ctx->cfg->audit.group, &cause);
	if (ctx->audit == NULL && args->cmd == APPROVALS_LIST) {
		/* Reading needs less than writing: list without expiring. */
		log_debug("%s: %s", __func__, cause);
		free(cause);
		cause = NULL;
		ctx->audit = audit_open_readonly(path, &cause);
	}
	free(path);
	if (ctx->audit == NULL) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		approvals_close(ctx);
		return (CMD_USAGE);
	}
	audit_set_identity(ctx->audit, ctx->me->login, ctx->me->host,
	    ctx->me->client);
	return (0);
}

/* Split "lead, security" into an owned array of role names. */
static char **
approvals_roles(const char *text, size_t *n)
{
	char		**roles = NULL;
	const char	 *p = text;
	size_t		  len;

	*n = 0;
	while (p != NULL && *p != '\0') {
		p += strspn(p, " ,");
		len = strcspn(p, ",");
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len > 0) {
			roles = xreallocarray(roles, *n + 1, sizeof *roles);
			roles[(*n)++] = xstrndup(p, len);
		}
		p += strcspn(p, ",");
	}
	return (roles);
}

/* "role lead" or "one of the roles lead, security". */
static char *
approvals_needs(char **roles, size_t n)
{
	struct sbuf	sb;
	size_t		i;

	sbuf_init(&sb);
	sbuf_adds(&sb, n == 1 ? "needs role " : "needs one of the roles ");
	for (i = 0; i < n; i++)
		sbuf_addf(&sb, "%s%s", i == 0 ? "" : ", ", roles[i]);
	return (sbuf_steal(&sb));
}

/*
 * May the current user decide ap?  On false, *why is a short owned reason
 * for the list and for messages: "your own request", "needs role lead".
 */
static bool
approvals_may(const struct approvals_ctx *ctx, const struct approval *ap,
    char **why)
{
	char	**roles, *policy_why = NULL;
	size_t	  n;
	bool	  ok;

	if (ap->requester == NULL) {
		*why = xstrdup("the request names no requester");
		return (false);
	}
	if (strcmp(ap->requester, ctx->me->login) == 0) {
		*why = xstrdup("your own request");
		return (false);
	}
	roles = approvals_roles(ap->approver_roles, &n);
	if (n == 0) {
		*why = xstrdup("the request names no approver roles");
		return (false);
	}
	ok = policy_may_approve(ctx->cfg, ctx->me, ap->requester, roles, n,
	    &policy_why);
	if (!ok) {
		log_debug("%s: %lld: %s", __func__, (long long)ap->id,
		    policy_why);
		*why = approvals_needs(roles, n);
	}
	free(policy_why);
	strv_free(roles, n);
	return (ok);
}

/* Does approving ap need a TOTP code? */
static bool
approvals_needs_totp(const struct approvals_ctx *ctx,
    const struct approval *ap)
{
	return (ctx->cfg->approvals.totp_critical && ap->risk != NULL &&
	    strcmp(ap->risk, risk_level_name(RISK_CRITICAL)) == 0);
}

/* A duration for people: "45s", "12m05s", "1h05m", "2d03h". */
static void
approvals_span(int64_t ms, char *buf, size_t size)
{
	int64_t	s = ms / 1000;

	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, size, "%llds", (long long)s);
	else if (s < 3600) {
		snprintf(buf, size, "%lldm%02llds", (long long)(s / 60),
		    (long long)(s % 60));
	}
	else if (s < 86400) {
		snprintf(buf, size, "%lldh%02lldm", (long long)(s / 3600),
		    (long long)(s % 3600 / 60));
	} else {
		snprintf(buf, size, "%lldd%02lldh", (long long)(s / 86400),
		    (long long)(s % 86400 / 3600));
	}
}

/* Is cp a character that hides or reorders text (bidi, zero width)? */
static bool
approvals_invisible(uint32_t cp)
{
	return ((cp >= 0x80 && cp <= 0x9f) || cp == 0x061c ||
	    (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff);
}

/* Decode one UTF-8 character at s; its length, or 0 if invalid. */
static size_t
approvals_utf8(const unsigned char *s, uint32_t *cp)
{
	static const uint32_t	 min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t			 len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return (1);
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		*cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		*cp = s[0] & 0x07;
	} else
		return (0);
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min[len] || *cp > 0x10ffff ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return (0);
	return (len);
}

/*
 * s made safe for a terminal, owned: controls, invalid UTF-8 and characters
 * that hide or reorder text become \xNN or \uNNNN, so the approver reads
 * exactly the bytes that would be sent.
 */
static char *
approvals_safe(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	struct sbuf		 sb;
	uint32_t		 cp;
	size_t			 len;

	sbuf_init(&sb);
	if (s == NULL)
		return (sbuf_steal(&sb));
	while (*p != '\0') {
		len = approvals_utf8(p, &cp);
		if (len == 0 || cp < 0x20 || cp == 0x7f) {
			sbuf_addf(&sb, "\\x%02x", *p);
			p++;
		} else if (approvals_invisible(cp)) {
			sbuf_addf(&sb, "\\u%04x", (unsigned)cp);
			p += len;
		} else {
			sbuf_add(&sb, p, len);
			p += len;
		}
	}
	return (sbuf_steal(&sb));
}

/* Print "label: value" with the value escaped; nothing for NULL or "". */
static void
approvals_field(const char *label, const char *value)
{
	char	*safe;

	if (value == NULL || *value == '\0')
		return;
	safe = approvals_safe(value);
	printf("    %-9s%s\n", label, safe);
	free(safe);
}

/* One request for people: a heading line and its fields. */
static void
approvals_print(const struct approvals_ctx *ctx, const struct approval *ap,
    int64_t now)
{
	char	 age[32], left[32], *why = NULL, *who, *srv, *env;
	bool	 may;

	approvals_span(now - ap->created_ms, age, sizeof age);
	who = approvals_safe(ap->requester != NULL ? ap->requester : "?");
	srv = approvals_safe(ap->server != NULL ? ap->server : "-");
	env = approvals_safe(ap->env);
	printf("%lld  %s  %s on %s%s%s%s, risk %s, %s ago", (long long)ap->id,
	    approval_status_name(ap->status), who, srv, *env != '\0' ? " (" :
	    "", env, *env != '\0' ? ")" : "", ap->risk != NULL ? ap->risk : "?",
	    age);
	free(who);
	free(srv);
	free(env);
	if (ap->status == APPROVAL_PENDING) {
		approvals_span(ap->expires_ms - now, left, sizeof left);
		printf(", expires in %s\n", left);
	} else
		printf("\n");
	approvals_field("command:", ap->command);
	approvals_field("rule:", ap->rule);
	approvals_field("reason:", ap->reason);
	approvals_field("roles:", ap->approver_roles);
	if (ap->status != APPROVAL_PENDING) {
		approvals_field("by:", ap->decided_by);
		approvals_field("because:", ap->decision_reason);
		return;
	}
	may = approvals_may(ctx, ap, &why);
	if (may) {
		printf("    you:     may decide: omv approve %lld%s, or omv "
		    "deny %lld --reason TEXT\n", (long long)ap->id,
		    approvals_needs_totp(ctx, ap) ? " (TOTP code needed)" : "",
		    (long long)ap->id);
	} else
		printf("    you:     cannot decide: %s\n", why);
	free(why);
}

/* Add ,"key":"value" (or null) to a JSON object. */
static void
approvals_json_str(struct sbuf *sb, const char *key, const char *value)
{
	sbuf_addf(sb, ",\"%s\":", key);
	sbuf_json_string(sb, value);
}

/* Add ,"key":"ISO time" for UTC ms (null for 0). */
static void
approvals_json_time(struct sbuf *sb, const char *key, int64_t ms)
{
	char	buf[32];

	if (ms == 0) {
		sbuf_addf(sb, ",\"%s\":null", key);
		return;
	}
	format_time_ms(ms, buf, sizeof buf);
	approvals_json_str(sb, key, buf);
}

/* One request as one line of JSON. */
static void
approvals_print_json(const struct approvals_ctx *ctx,
    const struct approval *ap, int64_t now)
{
	struct sbuf	  sb;
	char		**roles, *why = NULL;
	size_t		  n, i;
	bool		  may = false;

	sbuf_init(&sb);
	sbuf_addf(&sb, "{\"id\":%lld", (long long)ap->id);
	approvals_json_str(&sb, "status", approval_status_name(ap->status));
	approvals_json_time(&sb, "created", ap->created_ms);
	sbuf_addf(&sb, ",\"age_s\":%lld", (long long)((now - ap->created_ms) /
	    1000));
	approvals_json_str(&sb, "requester", ap->requester);
	approvals_json_str(&sb, "server", ap->server);
	approvals_json_str(&sb, "env", ap->env);
	approvals_json_str(&sb, "risk", ap->risk);
	approvals_json_str(&sb, "command", ap->command);
	approvals_json_str(&sb, "rule", ap->rule);
	approvals_json_str(&sb, "reason", ap->reason);
	sbuf_adds(&sb, ",\"approver_roles\":[");
	roles = approvals_roles(ap->approver_roles, &n);
	for (i = 0; i < n; i++) {
		if (i != 0)
			sbuf_addc(&sb, ',');
		sbuf_json_string(&sb, roles[i]);
	}
	strv_free(roles, n);
	sbuf_addc(&sb, ']');
	approvals_json_time(&sb, "expires", ap->expires_ms);
	if (ap->status == APPROVAL_PENDING) {
		sbuf_addf(&sb, ",\"expires_in_s\":%lld",
		    (long long)((ap->expires_ms - now) / 1000));
		may = approvals_may(ctx, ap, &why);
	} else
		why = xprintf("the request is %s",
		    approval_status_name(ap->status));
	sbuf_addf(&sb, ",\"may_decide\":%s", may ? "true" : "false");
	approvals_json_str(&sb, "why_not", why);
	sbuf_addf(&sb, ",\"totp_required\":%s",
	    approvals_needs_totp(ctx, ap) ? "true" : "false");
	approvals_json_str(&sb, "decided_by", ap->decided_by);
	approvals_json_time(&sb, "decided", ap->decided_ms);
	approvals_json_str(&sb, "decision_reason", ap->decision_reason);
	approvals_json_str(&sb, "run_id", ap->run_id);
	sbuf_addc(&sb, '}');
	printf("%s\n", sb.buf);
	sbuf_free(&sb);
	free(why);
}

/* omv approvals: expire overdue requests, then list. */
int
cmd_approvals(int argc, char **argv)
{
	struct approvals_args	  args;
	struct approvals_ctx	  ctx;
	struct approval		**list = NULL;
	char			 *cause = NULL;
	size_t			  n = 0, i;
	int64_t			  now;
	int			  rc, expired = 0;

	if ((rc = approvals_parse(APPROVALS_LIST, argc, argv, &args)) != 0)
		return (rc);
	if ((rc = approvals_open(&args, &ctx)) != 0)
		return (rc);
	if (ctx.audit == NULL) {
		if (!args.json)
			printf("no pending approval requests\n");
		approvals_close(&ctx);
		return (CMD_OK);
	}
	if (approval_expire(ctx.audit, 0, &expired, &cause) != 0) {
		/* A read-only reader cannot; the list hides them anyway. */
		log_debug("%s: %s", __func__, cause);
		free(cause);
		cause = NULL;
	}
	now = now_ms();
	if (approval_list(ctx.audit, args.all ? -1 : APPROVAL_PENDING, now,
	    args.all ? args.limit : 0, &list, &n, &cause) != 0) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		approvals_close(&ctx);
		return (CMD_USAGE);
	}
	for (i = 0; i < n; i++) {
		if (args.json)
			approvals_print_json(&ctx, list[i], now);
		else {
			if (i != 0)
				printf("\n");
			approvals_print(&ctx, list[i], now);
		}
	}
	if (n == 0 && !args.json) {
		printf("no %sapproval requests\n", args.all ? "" :
		    "pending ");
	}
	approval_list_free(list, n);
	approvals_close(&ctx);
	return (CMD_OK);
}

/* Record a refused attempt to decide ap; the refusal stands either way. */
static void
approvals_audit_refusal(const struct approvals_ctx *ctx,
    const struct approval *ap, bool approve, const char *why)
{
	struct audit_event	ev;
	struct sbuf		detail;
	char			*cause = NULL;

	sbuf_init(&detail);
	sbuf_addf(&detail, "{\"approval\":%lld,\"attempt\":\"%s\",\"why\":",
	    (long long)ap->id, approve ? "approve" : "deny");
	sbuf_json_string(&detail, why);
	sbuf_addc(&detail, '}');
	memset(&ev, 0, sizeof ev);
	ev.server = ap->server;
	ev.session = ap->session;
	ev.action = "approval";
	ev.command = ap->command;
	ev.risk = ap->risk;
	ev.decision = decision_name(DECISION_APPROVAL);
	ev.result = "not-allowed";
	ev.detail = detail.buf;
	if (audit_append(ctx->audit, &ev, NULL, &cause) != 0) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
	}
	sbuf_free(&detail);
}

static volatile sig_atomic_t	approvals_signal;

/* Note a signal that arrived while the terminal was quiet. */
static void
approvals_catch(int sig)
{
	approvals_signal = sig;
}

/*
 * Read one line from the terminal on stdin with echo off, like
 * readpassphrase(3): a signal restores the terminal before it takes
 * effect.  0, or -1 on end of input, error or signal.
 */
static int
approvals_prompt(const char *prompt, char *buf, size_t size)
{
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
	    SIGTSTP };
	struct sigaction	 sa, saved[5];
	struct termios		 old, quiet;
	size_t			 len = 0, i;
	ssize_t			 r;
	char			 c;
	int			 rc = -1;

	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return (-1);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = approvals_catch;
	sigemptyset(&sa.sa_mask);
	approvals_signal = 0;
	for (i = 0; i < 5; i++)
		sigaction(sigs[i], &sa, &saved[i]);	/* no SA_RESTART */
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO|ECHONL);
	fprintf(stderr, "%s", prompt);
	fflush(stderr);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0) {
		while (approvals_signal == 0) {
			r = read(STDIN_FILENO, &c, 1);
			if (r == -1 && errno == EINTR)
				continue;
			if (r != 1)
				break;
			if (c == '\n' || c == '\r') {
				rc = 0;
				break;
			}
			if (len + 1 < size)
				buf[len++] = c;
		}
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	}
	buf[len] = '\0';
	fprintf(stderr, "\n");
	for (i = 0; i < 5; i++)
		sigaction(sigs[i], &saved[i], NULL);
	if (approvals_signal != 0) {
		explicit_bzero(buf, size);
		raise(approvals_signal);
		return (-1);
	}
	return (rc);
}

/* Drop the spaces people type inside a code ("123 456"). */
static void
approvals_squeeze(char *s)
{
	char	*out = s;

	for (; *s != '\0'; s++) {
		if (*s != ' ' && *s != '\t' && *s != '-')
			*out++ = *s;
	}
	*out = '\0';
}

/*
 * The TOTP step of approving a critical request: the approver's secret,
 * then a code from --totp or the terminal.  0, CMD_FAIL (refused) or
 * CMD_USAGE (not configured, or no way to ask for the code).
 */
static int
approvals_totp(const struct approvals_ctx *ctx, const struct approval *ap,
    const char *given)
{
	const char	*dir = ctx->cfg->approvals.totp_dir;
	uint8_t		*key;
	size_t		 len;
	char		 code[64], prompt[128], *cause = NULL;
	bool		 ok;

	if (dir == NULL || *dir == '\0') {
		fprintf(stderr, "omv: approval %lld is critical and needs a "
		    "TOTP code, but approvals.totp_dir is not set\n",
		    (long long)ap->id);
		return (CMD_USAGE);
	}
	if (totp_load_secret(dir, ctx->me->login, getuid(), &key, &len,
	    &cause) != 0) {
		fprintf(stderr, "omv: approval %lld is critical and needs a "
		    "TOTP code: %s\n", (long long)ap->id, cause);
		approvals_audit_refusal(ctx, ap, true, "TOTP secret unusable");
		free(cause);
		return (CMD_FAIL);
	}
	if (given != NULL)
		snprintf(code, sizeof code, "%s", given);
	else if (isatty(STDIN_FILENO)) {
		snprintf(prompt, sizeof prompt, "TOTP code to approve critical "
		    "request %lld: ", (long long)ap->id);
		if (approvals_prompt(prompt, code, sizeof code) != 0) {
			totp_key_free(key, len);
			fprintf(stderr, "omv: no TOTP code; nothing "
			    "approved\n");
			return (CMD_FAIL);
		}
	} else {
		totp_key_free(key, len);
		fprintf(stderr, "omv: approval %lld is critical: approving it "
		    "needs --totp CODE (approvals.totp_critical)\n",
		    (long long)ap->id);
		return (CMD_USAGE);
	}
	approvals_squeeze(code);
	ok = totp_verify(key, len, code, (int64_t)time(NULL), TOTP_STEP,
	    TOTP_DIGITS, TOTP_WINDOW);
	totp_key_free(key, len);
	explicit_bzero(code, sizeof code);
	if (!ok) {
		fprintf(stderr, "omv: wrong TOTP code for approval %lld; "
		    "nothing approved\n", (long long)ap->id);
		approvals_audit_refusal(ctx, ap, true, "wrong TOTP code");
		return (CMD_FAIL);
	}
	return (0);
}

/* Say why the current user may not decide ap, and record the attempt. */
static void
approvals_refuse(const struct approvals_ctx *ctx, const struct approval *ap,
    bool approve, const char *why)
{
	if (strcmp(why, "your own request") == 0) {
		fprintf(stderr, "omv: approval %lld is your own request; "
		    "another operator must decide it (four-eyes)\n",
		    (long long)ap->id);
	} else {
		fprintf(stderr, "omv: you (%s) may not decide approval %lld: "
		    "it %s\n", ctx->me->login, (long long)ap->id, why);
	}
	approvals_audit_refusal(ctx, ap, approve, why);
}

/* omv approve / omv deny. */
static int
approvals_decide(enum approvals_cmd cmd, int argc, char **argv)
{
	struct approvals_args	 args;
	struct approvals_ctx	 ctx;
	struct approval		*ap = NULL;
	char			*cause = NULL, *why = NULL, *cmdline;
	char			 when[32];
	bool			 approve = (cmd == APPROVALS_APPROVE);
	int			 rc;

	if ((rc = approvals_parse(cmd, argc, argv, &args)) != 0)
		return (rc);
	if ((rc = approvals_open(&args, &ctx)) != 0)
		return (rc);
	rc = CMD_FAIL;
	if ((ap = approval_get(ctx.audit, args.id, &cause)) == NULL) {
		fprintf(stderr, "omv: %s\n", cause);
		goto out;
	}
	if (ap->status != APPROVAL_PENDING) {
		why = approvals_safe(ap->decided_by);
		fprintf(stderr, "omv: approval %lld is already %s%s%s\n",
		    (long long)ap->id, approval_status_name(ap->status),
		    *why != '\0' ? " by " : "", why);
		goto out;
	}
	if (!approvals_may(&ctx, ap, &why)) {
		approvals_refuse(&ctx, ap, approve, why);
		goto out;
	}
	if (now_ms() >= ap->expires_ms) {
		if (approval_expire(ctx.audit, 0, NULL, &cause) != 0) {
			log_debug("%s: %s", __func__, cause);
			free(cause);
			cause = NULL;
		}
		format_time_ms(ap->expires_ms, when, sizeof when);
		fprintf(stderr, "omv: approval %lld expired at %s and was "
		    "not %s; the requester must ask again\n",
		    (long long)ap->id, when, approve ? "approved" : "denied");
		goto out;
	}
	if (approve && approvals_needs_totp(&ctx, ap) &&
	    (rc = approvals_totp(&ctx, ap, args.totp)) != 0)
		goto out;
	rc = CMD_FAIL;
	if (approval_decide(ctx.audit, ap->id, approve, ctx.me->login,
	    args.reason, &cause) != 0) {
		fprintf(stderr, "omv: %s\n", cause);
		goto out;
	}
	cmdline = approvals_safe(ap->command);
	printf("%s request %lld: %s\n", approve ? "approved" : "denied",
	    (long long)ap->id, cmdline);
	free(cmdline);
	rc = CMD_OK;
out:
	free(cause);
	free(why);
	approval_free(ap);
	approvals_close(&ctx);
	return (rc);
}

/* omv approve ID [--reason TEXT] [--totp CODE] */
int
cmd_approve(int argc, char **argv)
{
	return (approvals_decide(APPROVALS_APPROVE, argc, argv));
}

/* omv deny ID --reason TEXT */
int
cmd_deny(int argc, char **argv)
{
	return (approvals_decide(APPROVALS_DENY, argc, argv));
}
