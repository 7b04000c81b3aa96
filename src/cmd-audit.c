/*
 * cmd-audit.c: omv audit list|verify|export, reading the audit trail.
 *
 * The database is opened read-only, so an auditor with read access can run
 * these and nothing here can create or change a trail.  Table output is for
 * people: every field is escaped (a recorded command may hold terminal
 * escape sequences meant for the auditor's terminal) and, on a terminal,
 * long fields are cut with an ellipsis for display only.  --json and export
 * always carry the full values.
 */
#include <getopt.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

#include "audit.h"
#include "cfg.h"
#include "cmd.h"

struct audit_args {
	const char		*config;	/* borrowed from argv */
	const char		*db;		/* borrowed from argv */
	bool			 json;
	const char		*format;	/* export: jsonl or csv */
	struct audit_filter	 filter;	/* strings borrowed from argv */
	bool			 has_limit;
	bool			 has_filter;
};

/* One table row, kept so column widths can fit the content. */
struct audit_line {
	char	*cols[9];	/* owned, display-escaped */
};
struct audit_table {
	struct audit_line	*lines;	/* owned */
	size_t			 n;
};

enum {
	OPT_DB = 256, OPT_JSON, OPT_USER, OPT_SERVER, OPT_RISK, OPT_SINCE,
	OPT_UNTIL, OPT_ACTION, OPT_LIMIT, OPT_FORMAT
};

static const struct option audit_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "db", required_argument, NULL, OPT_DB },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "user", required_argument, NULL, OPT_USER },
	{ "server", required_argument, NULL, OPT_SERVER },
	{ "risk", required_argument, NULL, OPT_RISK },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "action", required_argument, NULL, OPT_ACTION },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Print the audit usage. */
static void
audit_usage(FILE *f)
{
	fprintf(f,
	    "usage: omv audit list [--json] [--user U] [--server S]\n"
	    "                      [--risk L] [--action A] [--since TIME]\n"
	    "                      [--until TIME] [--limit N]\n"
	    "       omv audit verify\n"
	    "       omv audit export --format jsonl|csv [list's filters]\n"
	    "       omv audit sessions [--json] [--server S] [--limit N]\n"
	    "Each takes -c FILE (the config naming audit.db) or --db PATH.\n"
	    "list shows the newest 50 events (--limit 0: all), oldest\n"
	    "first; --risk L keeps level L and above; TIME is 2026-11-27,\n"
	    "\"2026-11-27 10:00\", ISO 8601 or -2h/-30m/-7d.  --json prints\n"
	    "one JSON object per line.  verify exits 0 when the chain is\n"
	    "intact, 1 naming the first bad event, 2 if it cannot read.\n");
}

/* Parse the options after the subcommand name; -1 on a usage error. */
static int
audit_parse(int argc, char **argv, struct audit_args *args)
{
	enum risk_level	 r;
	char		*end;
	long		 n;
	int		 c;

	memset(args, 0, sizeof *args);
	args->filter.min_risk = -1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "c:h", audit_options,
	    NULL)) != -1) {
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
		case OPT_USER:
			args->filter.operator = optarg;
			args->has_filter = true;
			break;
		case OPT_SERVER:
			args->filter.server = optarg;
			args->has_filter = true;
			break;
		case OPT_ACTION:
			args->filter.action = optarg;
			args->has_filter = true;
			break;
		case OPT_RISK:
			if (risk_level_parse(optarg, &r) != 0) {
				fprintf(stderr, "omv: unknown risk level '%s' "
				    "(low, medium, high, critical)\n", optarg);
				return (-1);
			}
			args->filter.min_risk = (int)r;
			args->has_filter = true;
			break;
		case OPT_SINCE:
		case OPT_UNTIL:
			if (parse_time(optarg, c == OPT_SINCE ?
			    &args->filter.since_ms :
			    &args->filter.until_ms) != 0) {
				fprintf(stderr, "omv: bad time '%s'\n", optarg);
				return (-1);
			}
			args->has_filter = true;
			break;
		case OPT_LIMIT:
			n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n < 0 ||
			    n > 100000000) {
				fprintf(stderr, "omv: bad limit '%s'\n",
				    optarg);
				return (-1);
			}
			args->filter.limit = (int)n;
			args->has_limit = true;
			break;
		case OPT_FORMAT:
			args->format = optarg;
			break;
		case 'h':
			audit_usage(stdout);
			exit(CMD_OK);
		default:
			fprintf(stderr, "omv: audit %s: unknown option or "
			    "missing argument: %s\n", argv[0],
			    argv[optind - 1]);
			return (-1);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "omv: unexpected argument '%s'\n",
		    argv[optind]);
		return (-1);
	}
	return (0);
}

/* Open the trail named by --db, else the config, else the default. */
static struct audit *
audit_open_args(const struct audit_args *args)
{
	struct omv_config	*cfg = NULL;
	struct audit		*a;
	char			*path, *cause = NULL;

	if (args->db == NULL && (cfg = cmd_load_config(args->config)) == NULL)
		return (NULL);
	path = cmd_audit_path(cfg, args->db);
	cfg_free(cfg);
	a = audit_open_readonly(path, &cause);
	if (a == NULL) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
	}
	free(path);
	return (a);
}

/*
 * Make s safe to print on a terminal: C0 and C1 controls, DEL and invalid
 * UTF-8 become \n, \t, \xNN; everything else passes through.
 */
static char *
audit_display(const char *s)
{
	const unsigned char	*p;
	struct sbuf		 sb;
	size_t			 n, i;

	sbuf_init(&sb);
	if (s == NULL)
		return (sbuf_steal(&sb));
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\t' || *p == '\r') {
			sbuf_adds(&sb, *p == '\n' ? "\\n" : *p == '\t' ?
			    "\\t" : "\\r");
			continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			sbuf_addf(&sb, "\\x%02x", *p);
			continue;
		}
		if (*p < 0x80) {
			sbuf_addc(&sb, (char)*p);
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3;
		else
			n = 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				break;
		}
		/* Invalid, or U+0080..U+009F (C1 controls: 8-bit CSI). */
		if (n == 0 || i <= n || (*p == 0xc2 && p[1] < 0xa0)) {
			sbuf_addf(&sb, "\\x%02x", *p);
			continue;
		}
		sbuf_add(&sb, p, n + 1);
		p += n;
	}
	return (sbuf_steal(&sb));
}

/* Decode one UTF-8 character of escaped (valid) text; return its length. */
static size_t
audit_utf8(const char *s, unsigned int *cp)
{
	const unsigned char	*p = (const unsigned char *)s;

	if (*p < 0x80) {
		*cp = *p;
		return (1);
	}
	if (*p < 0xe0) {
		*cp = ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
		return (2);
	}
	if (*p < 0xf0) {
		*cp = ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) |
		    (p[2] & 0x3fu);
		return (3);
	}
	*cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) |
	    ((p[2] & 0x3fu) << 6) | (p[3] & 0x3fu);
	return (4);
}

/* Display width of one character (1 where the locale cannot tell). */
static int
audit_cwidth(unsigned int cp)
{
	int	w;

	w = wcwidth((wchar_t)cp);
	return (w < 0 ? 1 : w);
}

/* Display width of escaped text. */
static int
audit_width(const char *s)
{
	unsigned int	cp;
	int		w = 0;

	while (*s != '\0') {
		s += audit_utf8(s, &cp);
		w += audit_cwidth(cp);
	}
	return (w);
}

/* Print s in exactly width columns: padded, or cut with an ellipsis. */
static void
audit_print_cell(const char *s, int width, bool pad)
{
	const char	*ellipsis, *p = s;
	unsigned int	 cp;
	size_t		 n;
	int		 w = 0, cw;

	if (width <= 0 || audit_width(s) <= width) {
		fputs(s, stdout);
		w = audit_width(s);
	} else {
		ellipsis = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ?
		    "\xe2\x80\xa6" : "~";
		while (*p != '\0') {
			n = audit_utf8(p, &cp);
			cw = audit_cwidth(cp);
			if (w + cw > width - 1)
				break;
			fwrite(p, 1, n, stdout);
			w += cw;
			p += n;
		}
		fputs(ellipsis, stdout);
		w++;
	}
	while (pad && w++ < width)
		putchar(' ');
}

/* Collect rows for the table. */
static int
audit_collect(const struct audit_event *ev, void *arg)
{
	struct audit_table	*t = arg;
	struct audit_line	*l;
	char			 buf[32], *r;

	t->lines = xreallocarray(t->lines, t->n + 1, sizeof *t->lines);
	l = &t->lines[t->n++];
	snprintf(buf, sizeof buf, "%lld", (long long)ev->id);
	l->cols[0] = xstrdup(buf);
	format_time_ms(ev->time_ms, buf, sizeof buf);
	buf[10] = ' ';
	buf[19] = '\0';		/* "2026-11-27 04:05:06": whole seconds */
	l->cols[1] = xstrdup(buf);
	l->cols[2] = audit_display(ev->operator);
	l->cols[3] = audit_display(ev->server);
	l->cols[4] = audit_display(ev->action);
	l->cols[5] = audit_display(ev->risk);
	l->cols[6] = audit_display(ev->decision);
	if (ev->has_exit && ev->result != NULL)
		snprintf(buf, sizeof buf, " (%d)", ev->exit_status);
	else if (ev->has_exit)
		snprintf(buf, sizeof buf, "exit %d", ev->exit_status);
	else
		buf[0] = '\0';
	r = audit_display(ev->result);
	l->cols[7] = xprintf("%s%s", r, buf);
	free(r);
	l->cols[8] = audit_display(ev->command);
	return (0);
}

/* Print one event as a JSON line. */
static int
audit_print_json(const struct audit_event *ev, void *arg)
{
	struct sbuf	*sb = arg;

	sbuf_reset(sb);
	audit_event_json(sb, ev);
	sbuf_addc(sb, '\n');
	fwrite(sb->buf, 1, sb->len, stdout);
	return (ferror(stdout) ? -1 : 0);
}

/* Print one event as a CSV record. */
static int
audit_print_csv(const struct audit_event *ev, void *arg)
{
	struct sbuf	*sb = arg;

	sbuf_reset(sb);
	audit_event_csv(sb, ev);
	fwrite(sb->buf, 1, sb->len, stdout);
	return (ferror(stdout) ? -1 : 0);
}

/* Finish stdout; a failed write is an error, not silence. */
static int
audit_flush(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "omv: writing the output failed\n");
		return (CMD_FAIL);
	}
	return (CMD_OK);
}

/* omv audit list */
static int
audit_list(struct audit *a, struct audit_args *args)
{
	static const char	*heads[9] = { "ID", "TIME (UTC)", "OPERATOR",
	    "SERVER", "ACTION", "RISK", "DECISION", "RESULT", "COMMAND" };
	static const int	 caps[8] = { 0, 0, 16, 24, 10, 8, 8, 16 };
	struct audit_table	 rows = { NULL, 0 };
	struct winsize		 ws;
	struct sbuf		 sb;
	char			*cause = NULL;
	int			 widths[9], cols = 0, used, i, k, rc;
	size_t			 j;
	bool			 tty;

	if (!args->has_limit)
		args->filter.limit = 50;
	if (args->json) {
		sbuf_init(&sb);
		rc = audit_query(a, &args->filter, audit_print_json, &sb,
		    &cause);
		sbuf_free(&sb);
		if (rc != 0) {
			fprintf(stderr, "omv: %s\n", cause);
			free(cause);
			return (CMD_FAIL);
		}
		return (audit_flush());
	}
	if (audit_query(a, &args->filter, audit_collect, &rows, &cause) != 0) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		return (CMD_FAIL);
	}

	tty = isatty(STDOUT_FILENO);
	if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		cols = ws.ws_col;
	for (i = 0; i < 9; i++) {
		widths[i] = audit_width(heads[i]);
		for (j = 0; j < rows.n; j++) {
			if (audit_width(rows.lines[j].cols[i]) > widths[i])
				widths[i] = audit_width(rows.lines[j].cols[i]);
		}
		/* Narrow columns only where the cut is shown (a terminal). */
		if (tty && i < 8 && caps[i] != 0 && widths[i] > caps[i])
			widths[i] = caps[i];
	}
	used = 0;
	for (i = 0; i < 8; i++)
		used += widths[i] + 2;
	/*
	 * On a narrow terminal, take room from the widest of the columns
	 * after the time until the command has 16 (none below 6).
	 */
	while (cols != 0 && used + 16 > cols) {
		k = -1;
		for (i = 2; i < 8; i++) {
			if (widths[i] > 6 &&
			    (k == -1 || widths[i] > widths[k]))
				k = i;
		}
		if (k == -1)
			break;
		widths[k]--;
		used--;
	}
	widths[8] = cols == 0 ? 0 : cols - used > 4 ? cols - used : 4;

	for (i = 0; i < 9; i++) {
		audit_print_cell(heads[i], widths[i], i < 8);
		fputs(i < 8 ? "  " : "\n", stdout);
	}
	for (j = 0; j < rows.n; j++) {
		for (i = 0; i < 9; i++) {
			audit_print_cell(rows.lines[j].cols[i], widths[i],
			    i < 8);
			fputs(i < 8 ? "  " : "\n", stdout);
			free(rows.lines[j].cols[i]);
		}
	}
	free(rows.lines);
	return (audit_flush());
}

/* omv audit verify */
static int
audit_verify_cmd(struct audit *a)
{
	struct audit_verify	 v;
	char			*cause = NULL;
	int			 rc;

	rc = audit_verify(a, &v, &cause);
	if (rc == -1) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		return (CMD_USAGE);
	}
	if (rc == 0) {
		printf("audit: OK, %lld events, chain head %lld events / last "
		    "id %lld, last hash %s\n", (long long)v.count,
		    (long long)v.head_count, (long long)v.head_last_id,
		    v.last_hash);
	} else {
		printf("audit: FAILED%s%s\n", v.bad_id != 0 ? " at " : ": ",
		    v.message);
		if (v.bad_id != 0) {
			printf("audit: the %lld events before it are intact\n",
			    (long long)v.count);
		} else {
			printf("audit: the %lld events present are intact\n",
			    (long long)v.count);
		}
	}
	audit_verify_clear(&v);
	if (audit_flush() != CMD_OK)
		return (CMD_FAIL);
	return (rc == 0 ? CMD_OK : CMD_FAIL);
}

/* omv audit export */
static int
audit_export(struct audit *a, struct audit_args *args)
{
	struct sbuf	 sb;
	char		*cause = NULL;
	int		 rc;
	bool		 csv;

	if (args->format == NULL || (strcmp(args->format, "jsonl") != 0 &&
	    strcmp(args->format, "csv") != 0)) {
		fprintf(stderr, "omv: export needs --format jsonl or csv\n");
		return (CMD_USAGE);
	}
	csv = strcmp(args->format, "csv") == 0;
	sbuf_init(&sb);
	if (csv) {
		audit_csv_header(&sb);
		fwrite(sb.buf, 1, sb.len, stdout);
	}
	rc = audit_query(a, &args->filter, csv ? audit_print_csv :
	    audit_print_json, &sb, &cause);
	sbuf_free(&sb);
	if (rc != 0) {
		fprintf(stderr, "omv: %s\n", cause != NULL ? cause :
		    "writing the export failed");
		free(cause);
		return (CMD_FAIL);
	}
	return (audit_flush());
}

/* omv audit sessions: the recorded sessions, for omv replay. */
static int
audit_sessions(struct audit *a, struct audit_args *args)
{
	struct audit_session	*list = NULL, *s;
	struct sbuf		 sb;
	char			*cause = NULL, start[32], end[32];
	size_t			 n = 0, i;

	if (audit_session_list(a, args->filter.server, args->has_limit ?
	    args->filter.limit : 50, &list, &n, &cause) != 0) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		return (CMD_USAGE);
	}
	sbuf_init(&sb);
	if (!args->json && n > 0)
		printf("%-6s %-24s %-24s %-12s %-16s %10s  %s\n", "ID", "START",
		    "END", "OPERATOR", "SERVER", "BYTES", "RECORDING");
	for (i = 0; i < n; i++) {
		s = &list[i];
		format_time_ms(s->start_ms, start, sizeof start);
		if (s->end_ms != 0)
			format_time_ms(s->end_ms, end, sizeof end);
		else
			snprintf(end, sizeof end, "(open)");
		if (!args->json) {
			printf("%-6lld %-24s %-24s %-12s %-16s %10lld  %s\n",
			    (long long)s->id, start, end, s->operator,
			    s->server, (long long)s->bytes,
			    s->path != NULL ? s->path : "-");
			continue;
		}
		sbuf_reset(&sb);
		sbuf_addf(&sb, "{\"id\": %lld, \"operator\": ",
		    (long long)s->id);
		sbuf_json_string(&sb, s->operator);
		sbuf_adds(&sb, ", \"server\": ");
		sbuf_json_string(&sb, s->server);
		sbuf_addf(&sb, ", \"start\": \"%s\", \"end\": ", start);
		sbuf_json_string(&sb, s->end_ms != 0 ? end : NULL);
		sbuf_addf(&sb, ", \"bytes\": %lld, \"path\": ",
		    (long long)s->bytes);
		sbuf_json_string(&sb, s->path);
		sbuf_adds(&sb, "}\n");
		fwrite(sb.buf, 1, sb.len, stdout);
	}
	sbuf_free(&sb);
	audit_session_free(list, n);
	return (audit_flush());
}

/* omv audit list|verify|export|sessions. */
int
cmd_audit(int argc, char **argv)
{
	struct audit_args	 args;
	struct audit		*a;
	const char		*sub;
	int			 rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0) {
		audit_usage(argc < 2 ? stderr : stdout);
		return (argc < 2 ? CMD_USAGE : CMD_OK);
	}
	sub = argv[1];
	if (strcmp(sub, "list") != 0 && strcmp(sub, "verify") != 0 &&
	    strcmp(sub, "export") != 0 && strcmp(sub, "sessions") != 0) {
		fprintf(stderr, "omv: unknown audit command '%s'\n", sub);
		audit_usage(stderr);
		return (CMD_USAGE);
	}
	if (audit_parse(argc - 1, argv + 1, &args) != 0) {
		audit_usage(stderr);
		return (CMD_USAGE);
	}
	if ((strcmp(sub, "verify") == 0 && (args.has_filter || args.json ||
	    args.has_limit || args.format != NULL)) ||
	    (strcmp(sub, "list") == 0 && args.format != NULL) ||
	    (strcmp(sub, "export") == 0 && args.json) ||
	    (strcmp(sub, "sessions") == 0 && args.format != NULL)) {
		fprintf(stderr, "omv: option not valid for audit %s\n", sub);
		audit_usage(stderr);
		return (CMD_USAGE);
	}
	if ((a = audit_open_args(&args)) == NULL)
		return (CMD_USAGE);
	if (strcmp(sub, "list") == 0)
		rc = audit_list(a, &args);
	else if (strcmp(sub, "verify") == 0)
		rc = audit_verify_cmd(a);
	else if (strcmp(sub, "sessions") == 0)
		rc = audit_sessions(a, &args);
	else
		rc = audit_export(a, &args);
	audit_close(a);
	return (rc);
}
