/*
 * cmd-shell-integration.c: omv shell-integration bash|zsh, the snippet to
 * install on servers so the shell marks its prompts with OSC 133 (the
 * FinalTerm semantic prompt sequences that kitty, iTerm2, WezTerm and
 * VS Code also read): A where the prompt starts, B where it ends and the
 * command starts, C when the command's output starts, D;status when it has
 * ended.  With them omv knows exactly which text on screen is the command
 * and records its exit status; without them it falls back to reading the
 * prompt's end from where the cursor stood (cmdline.c).
 *
 * The marks go inside the prompt strings as zero-width text (\[ \] in bash,
 * %{ %} in zsh), so line editing and redraws keep working; the
 * continuation prompt PS2 is marked "A;k=s" (kitty's secondary prompt).
 * D is sent at every prompt; omv ignores a D with no command started.
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

static const char cmd_si_bash[] =
"# omv shell integration for bash: OSC 133 prompt marks.\n"
"# Install at the end of ~/.bashrc:  eval \"$(omv shell-integration bash)\"\n"
"# or paste this text there (servers need not have omv).\n"
"if [[ $- == *i* && -z ${__omv_si-} ]]; then\n"
"\t__omv_si=1\n"
"\t# First in PROMPT_COMMAND: $? is still the command's status.\n"
"\t__omv_status() {\n"
"\t\tlocal s=$?\n"
"\t\tprintf '\\033]133;D;%s\\007' \"$s\"\n"
"\t\treturn $s\n"
"\t}\n"
"\t# Last in PROMPT_COMMAND: mark PS1 again if something replaced it.\n"
"\t__omv_prompt() {\n"
"\t\tlocal s=$?\n"
"\t\tif [[ $PS1 != *'133;B'* ]]; then\n"
"\t\t\tPS1='\\[\\033]133;A\\007\\]'\"$PS1\"'\\[\\033]133;B\\007\\]'\n"
"\t\tfi\n"
"\t\t__omv_ran=\n"
"\t\treturn $s\n"
"\t}\n"
"\tPS1='\\[\\033]133;A\\007\\]'\"$PS1\"'\\[\\033]133;B\\007\\]'\n"
"\tPS2='\\[\\033]133;A;k=s\\007\\]'\"$PS2\"'\\[\\033]133;B\\007\\]'\n"
"\tif (( BASH_VERSINFO[0] > 4 ||\n"
"\t    (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4) )); then\n"
"\t\t# PS0 is printed after a command is read, before it runs.\n"
"\t\tPS0='\\033]133;C\\007'\"${PS0-}\"\n"
"\telse\n"
"\t\t__omv_preexec() {\n"
"\t\t\t[[ -n ${__omv_ran-} || $BASH_COMMAND == __omv_* ]] && return\n"
"\t\t\t__omv_ran=1\n"
"\t\t\tprintf '\\033]133;C\\007'\n"
"\t\t}\n"
"\t\ttrap '__omv_preexec' DEBUG\n"
"\tfi\n"
"\t__omv_pc=${PROMPT_COMMAND-}\n"
"\twhile [[ $__omv_pc == *[\\;\\ ] ]]; do __omv_pc=${__omv_pc%?}; done\n"
"\tPROMPT_COMMAND=\"__omv_status${__omv_pc:+;$__omv_pc};__omv_prompt\"\n"
"\tunset __omv_pc\n"
"fi\n";

static const char cmd_si_zsh[] =
"# omv shell integration for zsh: OSC 133 prompt marks.\n"
"# Install at the end of ~/.zshrc:  eval \"$(omv shell-integration zsh)\"\n"
"# or paste this text there (servers need not have omv).\n"
"if [[ -o interactive && -z ${__omv_si-} ]]; then\n"
"\ttypeset -g __omv_si=1\n"
"\t# First precmd: $? is still the command's status.\n"
"\t__omv_status() {\n"
"\t\tprintf '\\033]133;D;%s\\007' \"$?\"\n"
"\t}\n"
"\t# Last precmd: mark PS1 again if a theme replaced it.\n"
"\t__omv_prompt() {\n"
"\t\tif [[ $PS1 != *$'\\033]133;B'* ]]; then\n"
"\t\t\tPS1=$'%{\\033]133;A\\007%}'$PS1$'%{\\033]133;B\\007%}'\n"
"\t\tfi\n"
"\t}\n"
"\t__omv_preexec() {\n"
"\t\tprintf '\\033]133;C\\007'\n"
"\t}\n"
"\tprecmd_functions=(__omv_status $precmd_functions __omv_prompt)\n"
"\tpreexec_functions+=(__omv_preexec)\n"
"\tPS2=$'%{\\033]133;A;k=s\\007%}'$PS2$'%{\\033]133;B\\007%}'\n"
"fi\n";

/* One line of help. */
static int
cmd_si_usage(FILE *f, int status)
{
	fprintf(f, "usage: omv shell-integration bash|zsh\n"
	    "Print the snippet that makes the shell mark its prompts (OSC 133),\n"
	    "to add at the end of ~/.bashrc or ~/.zshrc on the servers:\n"
	    "  eval \"$(omv shell-integration bash)\"\n");
	return (status);
}

/* omv shell-integration bash|zsh: print the snippet. */
int
cmd_shell_integration(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0))
		return (cmd_si_usage(stdout, CMD_OK));
	if (argc != 2)
		return (cmd_si_usage(stderr, CMD_USAGE));
	if (strcmp(argv[1], "bash") == 0)
		fputs(cmd_si_bash, stdout);
	else if (strcmp(argv[1], "zsh") == 0)
		fputs(cmd_si_zsh, stdout);
	else {
		fprintf(stderr, "omv shell-integration: unknown shell '%s' "
		    "(bash or zsh)\n", argv[1]);
		return (CMD_USAGE);
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		return (CMD_FAIL);
	return (CMD_OK);
}
