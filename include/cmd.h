/*
 * cmd.h: the subcommands of the omv binary.  Each takes the arguments after
 * its name (argv[0] is the subcommand) and returns the process exit status.
 */
#ifndef CMD_H
#define CMD_H

#include "omv.h"

struct omv_config;

struct cmd_entry {
	const char	*name;
	const char	*usage;		/* one line: arguments after the name */
	const char	*help;		/* one line: what it does */
	int		(*exec)(int, char **);
};

/* Exit statuses shared by the subcommands. */
#define CMD_OK		0
#define CMD_FAIL	1	/* the thing checked failed (verify, a target failed) */
#define CMD_USAGE	2	/* usage or config error */

int cmd_console(int, char **);
int cmd_check_config(int, char **);
int cmd_risk(int, char **);
int cmd_policy(int, char **);
int cmd_audit(int, char **);
int cmd_replay(int, char **);
int cmd_shell_integration(int, char **);
int cmd_approvals(int, char **);
int cmd_approve(int, char **);
int cmd_deny(int, char **);
int cmd_exec(int, char **);
int cmd_runbook(int, char **);

/* cmd.c: shared CLI helpers. */
/* Load the config (-c path or the search order); print every error and return NULL. */
struct omv_config *cmd_load_config(const char *path);
/* The audit database: --db when given, else the config's (defaulted). Owned. */
char *cmd_audit_path(const struct omv_config *, const char *db);
/* Print "usage: omv NAME USAGE" for the named command to stderr; returns CMD_USAGE. */
int cmd_usage(const char *name);
const struct cmd_entry *cmd_find(const char *name);
extern const struct cmd_entry cmd_table[];

#endif
