/*
 * risk.h: classify a bash-like command line into a risk level, using rules
 * that are data (conf/risk.conf, also built into the binary).  Pure: no I/O.
 */
#ifndef RISK_H
#define RISK_H

#include "omv.h"

struct risk_alt;

/*
 * A list of patterns; each is an fnmatch glob, "a|b" for alternatives.
 * risk_ruleset_add splits them once into alts for fast matching.
 */
struct risk_globs {
	char		**v;		/* owned: as written */
	size_t		  n;
	struct risk_alt	 *alts;		/* owned: v split at "|", or NULL */
	size_t		  nalts;
};

/*
 * One rule.  Every field that is given must match one simple command (an
 * empty list matches anything); the level of a command is the highest of
 * the rules that match it, or of the first fallback rule when none does.
 */
struct risk_rule {
	char			*name;		/* owned; unique in a set */
	enum risk_level		 level;
	char			*reason;	/* owned: for people */
	struct risk_globs	 program;	/* any glob matches the program */
	struct risk_globs	 subcommand;	/* any glob matches the first operand(s) */
	struct risk_globs	 flags;		/* every one matches some normalised flag */
	struct risk_globs	 not_flags;	/* none matches any flag */
	struct risk_globs	 args;		/* any glob matches any operand */
	struct risk_globs	 contains;	/* any is a case-insensitive substring
						   of the arguments or standard input */
	struct risk_globs	 writes;	/* any glob matches a file written */
	struct risk_globs	 feeds;		/* any glob matches the program fed */
	int			 features;	/* SH_F_* bits, all required */
	bool			 fallback;	/* only when no other rule matched */
	char			*file;		/* owned: where it was defined */
	int			 line;
};

struct risk_index;

/* An ordered set of rules; earlier wins a tie. */
struct risk_ruleset {
	struct risk_rule	*rules;		/* owned */
	size_t			 n;
	struct risk_index	*index;		/* owned: rules by program, built
						   on first use, dropped on change */
};

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
 * Classify line with rules (NULL: the built-in set); escalate raises the
 * level by that many steps (capped at critical).  Always succeeds: any input
 * yields a result.
 */
void risk_classify(const struct risk_ruleset *rules, const char *line,
    int escalate, struct risk_result *out);
void risk_result_clear(struct risk_result *);

/* A new empty set; rules are added with risk_ruleset_add (copied). */
struct risk_ruleset *risk_ruleset_create(void);
/* Add r, or replace the rule of its name; takes what r owns (r is zeroed). */
void risk_ruleset_add(struct risk_ruleset *, struct risk_rule *r);
/* Drop the rule of that name, if any. */
void risk_ruleset_remove(struct risk_ruleset *, const char *name);
struct risk_ruleset *risk_ruleset_copy(const struct risk_ruleset *);
void risk_rule_clear(struct risk_rule *);
void risk_ruleset_free(struct risk_ruleset *);
size_t risk_ruleset_count(const struct risk_ruleset *);

#endif
