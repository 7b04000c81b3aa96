/*
 * main.c: the omv binary.  With no subcommand (or only options and server
 * names) it opens the console; otherwise it dispatches through cmd_table.
 */
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

const struct cmd_entry cmd_table[] = {
	{ "check-config", "[-c FILE]",
	  "validate the configuration and print a summary", cmd_check_config },
	{ "risk", "[-c FILE] [--env ENV] [--json] [--] COMMAND... | --json -",
	  "classify a command line (or one per line from stdin)", cmd_risk },
	{ "policy", "explain [-c FILE] [--user U] --server S [--at TIME] [--env-check] -- COMMAND",
	  "show what policy decides for a command and why", cmd_policy },
	{ "audit", "list|verify|export [options]",
	  "read, verify or export the audit trail", cmd_audit },
	{ "replay", "SESSION [--speed X] [--idle-limit S] [-c FILE]",
	  "play a recorded session (space pauses, . skips, q quits)",
	  cmd_replay },
	{ "shell-integration", "bash|zsh",
	  "print the prompt-marking snippet to install on servers",
	  cmd_shell_integration },
	{ "approvals", "[-c FILE] [--db PATH] [--json] [--all [--limit N]]",
	  "list approval requests and whether you may decide them",
	  cmd_approvals },
	{ "approve", "ID [-c FILE] [--db PATH] [--reason TEXT] [--totp CODE]",
	  "approve someone else's pending request", cmd_approve },
	{ "deny", "ID --reason TEXT [-c FILE] [--db PATH]",
	  "deny someone else's pending request", cmd_deny },
	{ "exec", "(-s SERVER|-g GROUP|-t TAG|-e ENV)... [--parallel N] [--max-errors N|P%] [--timeout S] [--group] [--json] [--yes] -- COMMAND",
	  "run a command on many servers at once", cmd_exec },
	{ "runbook", "list | show NAME | run NAME [--dry-run] [targets] [options]",
	  "list, show or roll out a runbook in batches", cmd_runbook },
	{ NULL, NULL, NULL, NULL }
};

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry	*ce;

	for (ce = cmd_table; ce->name != NULL; ce++) {
		if (strcmp(ce->name, name) == 0)
			return (ce);
	}
	return (NULL);
}

/* Print the overall help, built from the command table. */
static void
usage(FILE *f)
{
	const struct cmd_entry	*ce;

	fprintf(f, "usage: omv [-c FILE] [-v] [SERVER...]\n"
	    "       omv COMMAND [ARGS]\n\n"
	    "The operator console for jump hosts.  With no command, opens the\n"
	    "full-screen console; servers named open at once, tiled.\n\n"
	    "Commands:\n");
	for (ce = cmd_table; ce->name != NULL; ce++)
		fprintf(f, "  %-18s %s\n", ce->name, ce->help);
	fprintf(f, "\nOptions:\n"
	    "  -c FILE       configuration file (else $OMV_CONFIG,\n"
	    "                ~/.config/omv/omv.conf, /etc/omv/omv.conf)\n"
	    "  -v            debug log to ~/.local/share/omv/omv.log\n"
	    "  -h, --help    this help; omv COMMAND --help for a command\n"
	    "  -V, --version print the version\n");
}

int
main(int argc, char **argv)
{
	const struct cmd_entry	*ce;

	setlocale(LC_ALL, "");
	if (argc >= 2) {
		if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "help") == 0) {
			usage(stdout);
			return (CMD_OK);
		}
		if (strcmp(argv[1], "-V") == 0 ||
		    strcmp(argv[1], "--version") == 0 ||
		    strcmp(argv[1], "version") == 0) {
			printf("omv %s\n", OMV_VERSION);
			return (CMD_OK);
		}
		if ((ce = cmd_find(argv[1])) != NULL)
			return (ce->exec(argc - 1, argv + 1));
	}
	return (cmd_console(argc, argv));
}
