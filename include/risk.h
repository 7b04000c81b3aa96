/*
 * risk.h: classify a bash-like command line into a risk level, using rules
 * that are data (conf/risk.conf, also built into the binary).  Pure: no I/O.
 */
#ifndef RISK_H
#define RISK_H

#include "omv.h"

/* The result of classifying one line.  Every pointer is owned. */
struct risk_result {
	enum risk_level	  level;	/* after environment escalation */
	enum risk_level	  base_level;	/* before escalation */
	char		 *rule;		/* name of the deciding rule, or NULL */
	char		 *reason;	/* human reason, never NULL after classify */
	char		**commands;	/* every simple command that would run, unwrapped,
					   as "prog arg arg" (normalised program name) */
	size_t		  ncommands;
	bool		  unparsed;	/* the line could not be fully parsed */
};

/* The built-in rule set (parsed once from the embedded conf/risk.conf). */
const struct risk_ruleset *risk_default_rules(void);

/*
 * Classify line with rules; escalate raises the level by that many steps
 * (capped at critical).  Always succeeds: any input yields a result.
 */
void risk_classify(const struct risk_ruleset *rules, const char *line,
    int escalate, struct risk_result *out);
void risk_result_clear(struct risk_result *);

void risk_ruleset_free(struct risk_ruleset *);
size_t risk_ruleset_count(const struct risk_ruleset *);

#endif
