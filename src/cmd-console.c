/*
 * cmd-console.c: `omv [-c FILE] [-v] [SERVER...]`, the full-screen console.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cmd.h"
#include "ui.h"

int
cmd_console(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct omv_config	*cfg;
	const char		*config = NULL;
	char			*logpath;
	int			 c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'v':
			logpath = xprintf("%s/.local/share/omv/omv.log",
			    home_dir());
			mkdir_parents(logpath, 0700, NULL);
			log_open(logpath);
			free(logpath);
			break;
		default:
			fprintf(stderr, "usage: omv [-c FILE] [-v] [SERVER...]\n"
			    "       omv --help\n");
			return (CMD_USAGE);
		}
	}
	if ((cfg = cmd_load_config(config)) == NULL)
		return (CMD_USAGE);
	return (console_run_main(cfg, argv + optind, argc - optind));
}
