/*
 * fuzz_shparse.c: the shell-line parser and the risk engine on arbitrary
 * bytes.  Both must return a sound result for any input: every command
 * with a program, a text and NULL-terminated arrays, indexes in range,
 * counts under the caps, a status exactly when there is a reason; and the
 * classification must have a level, a reason, one command string per
 * command, and be at least medium whenever the line was not fully parsed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "risk.h"
#include "shparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Die loudly so the fuzzer keeps the input. */
static void
fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "invariant broken: %s\n", what);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sh_parse		*p;
	const struct sh_cmd	*c;
	struct risk_result	 rr;
	char			*line;
	size_t			 i, j, ncmds;
	int			 status;

	p = shparse((const char *)data, size);
	fuzz_check(p->ncmds <= SH_MAX_CMDS, "too many commands");
	fuzz_check((p->status != 0) == (p->why != NULL), "status and why");
	for (i = 0; i < p->ncmds; i++) {
		c = &p->cmds[i];
		fuzz_check(c->program != NULL && c->text != NULL, "program");
		fuzz_check(c->argv != NULL && c->argv[c->argc] == NULL, "argv");
		fuzz_check(c->depth >= 0 && c->depth <= SH_MAX_DEPTH, "depth");
		fuzz_check(c->feeds < 0 || (size_t)c->feeds < p->ncmds, "feeds");
		fuzz_check((c->features & ~((1 << SH_F_COUNT) - 1)) == 0,
		    "features");
		for (j = 0; j < c->nflags; j++)
			fuzz_check(c->flags[j] != NULL, "flags");
		for (j = 0; j < c->noperands; j++)
			fuzz_check(c->operands[j] != NULL, "operands");
		for (j = 0; j < c->nwrites; j++)
			fuzz_check(c->writes[j] != NULL, "writes");
		for (j = 0; j < c->nredirs; j++)
			fuzz_check(c->redirs[j].target != NULL, "redirs");
		fuzz_check(strlen(c->text) < 16 * SH_MAX_INPUT, "text");
	}
	ncmds = p->ncmds;
	status = p->status;
	shparse_free(p);

	/* The engine sees the line up to its first NUL, as a C string. */
	line = malloc(size + 1);
	if (line == NULL)
		return (0);
	memcpy(line, data, size);
	line[size] = '\0';
	risk_classify(NULL, line, 1, &rr);
	fuzz_check(rr.reason != NULL, "reason");
	fuzz_check(rr.base_level <= RISK_CRITICAL && rr.level >= rr.base_level,
	    "levels");
	fuzz_check(rr.commands != NULL || rr.ncommands == 0, "commands");
	for (i = 0; i < rr.ncommands; i++)
		fuzz_check(rr.commands[i] != NULL, "command");
	if (rr.unparsed)
		fuzz_check(rr.base_level >= RISK_MEDIUM, "unparsed is medium");
	if (memchr(data, '\0', size) == NULL) {
		fuzz_check(rr.ncommands == ncmds, "same commands");
		fuzz_check(rr.unparsed == (status != 0), "same status");
	}
	risk_result_clear(&rr);
	free(line);
	return (0);
}
