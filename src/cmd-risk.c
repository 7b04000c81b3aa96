/*
 * cmd-risk.c: `omv risk [-c FILE] [--env ENV] [--json] [--] COMMAND...`.
 *
 * Classifies one command line (the words joined by single spaces) with the
 * configured rules, the way the console does on Enter, and prints
 * "LEVEL<TAB>reason<TAB>[rule]" or one JSON object.  With "-" as the only
 * word it reads one command per line from standard input and prints one
 * result per line, so a whole script can be checked.  --env ENV applies
 * that environment's escalation (risk.escalate); without it, none.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cmd.h"
#include "risk.h"

/* Print one result as text or as a JSON object. */
static void
cmd_risk_print(const struct risk_result *rr, bool json)
{
	struct sbuf	 sb;
	const char	*name;
	size_t		 i;

	sbuf_init(&sb);
	name = risk_level_name(rr->level);
	if (!json) {
		for (i = 0; name[i] != '\0'; i++)
			sbuf_addc(&sb, (char)toupper((unsigned char)name[i]));
		sbuf_addf(&sb, "\t%s\t[%s]\n", rr->reason,
		    rr->rule != NULL ? rr->rule : "-");
	} else {
		sbuf_adds(&sb, "{\"level\": ");
		sbuf_json_string(&sb, name);
		sbuf_adds(&sb, ", \"base_level\": ");
		sbuf_json_string(&sb, risk_level_name(rr->base_level));
		sbuf_adds(&sb, ", \"rule\": ");
		sbuf_json_string(&sb, rr->rule);
		sbuf_adds(&sb, ", \"reason\": ");
		sbuf_json_string(&sb, rr->reason);
		sbuf_addf(&sb, ", \"unparsed\": %s, \"commands\": [",
		    rr->unparsed ? "true" : "false");
		for (i = 0; i < rr->ncommands; i++) {
			if (i != 0)
				sbuf_adds(&sb, ", ");
			sbuf_json_string(&sb, rr->commands[i]);
		}
		sbuf_adds(&sb, "]}\n");
	}
	fputs(sb.buf, stdout);
	sbuf_free(&sb);
}

/* Classify every line of standard input. */
static void
cmd_risk_stdin(const struct risk_ruleset *rules, int escalate, bool json)
{
	struct risk_result	 rr;
	char			*line = NULL;
	size_t			 size = 0;
	ssize_t			 n;

	while ((n = getline(&line, &size, stdin)) != -1) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		risk_classify(rules, line, escalate, &rr);
		cmd_risk_print(&rr, json);
		risk_result_clear(&rr);
	}
	free(line);
}

/* omv risk: classify the words, or each line of standard input. */
int
cmd_risk(int argc, char **argv)
{
	static const struct option	 longopts[] = {
		{ "env", required_argument, NULL, 'e' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct omv_config		*cfg;
	struct risk_result		 rr;
	struct sbuf			 line;
	const char			*path = NULL, *envname = NULL;
	enum env			 e = ENV_NONE;
	int				 ch, i, escalate = 0;
	bool				 json = false;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+c:e:jh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'e':
			envname = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			return (cmd_usage("risk"));
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		return (cmd_usage("risk"));
	if (envname != NULL && strcmp(envname, "none") != 0 &&
	    env_parse(envname, &e) != 0) {
		fprintf(stderr, "omv: unknown env '%s' (production, staging, "
		    "development or none)\n", envname);
		return (CMD_USAGE);
	}
	if ((cfg = cmd_load_config(path)) == NULL)
		return (CMD_USAGE);
	if (envname != NULL)
		escalate = cfg->escalate[e];

	if (argc == 1 && strcmp(argv[0], "-") == 0)
		cmd_risk_stdin(cfg->rules, escalate, json);
	else {
		sbuf_init(&line);
		for (i = 0; i < argc; i++) {
			if (i != 0)
				sbuf_addc(&line, ' ');
			sbuf_adds(&line, argv[i]);
		}
		risk_classify(cfg->rules, line.buf, escalate, &rr);
		cmd_risk_print(&rr, json);
		risk_result_clear(&rr);
		sbuf_free(&line);
	}
	cfg_free(cfg);
	return (CMD_OK);
}
