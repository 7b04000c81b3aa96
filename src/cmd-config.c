/* cmd-config.c: placeholder until the module lands; replaced by its owner. */
#include <stdio.h>

#include "cmd.h"

int
cmd_check_config(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "omv: not built yet\n");
	return (CMD_USAGE);
}
