/*
 * risk.c: classify a command line by rules that are data.
 *
 * The line is parsed by shparse into every simple command that would run
 * (substitutions, bash -c strings and wrappers already seen through).  Each
 * command is matched against every rule; its level is the highest of the
 * rules that match, or that of the first matching fallback rule when no
 * other does.  The line's level is the highest of its commands, so hiding a
 * command inside another never lowers it.  A line that could not be parsed
 * is at least medium.  Escalation (per environment) is applied last.
 *
 * A rule's fields are all optional and all must match: program, subcommand
 * (first operands), flags (every one present, after normalisation),
 * not_flags (none present), args
 * (any operand), contains (a substring of the arguments or the text on
 * standard input, ignoring case), writes (files written), feeds (the
 * program reading the output) and features (SH_F_* bits).  Patterns are
 * fnmatch(3) globs; "a|b" gives alternatives.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "risk.h"
#include "shparse.h"

/* One alternative of a pattern, split out when the rule is added. */
struct risk_alt {
	const char	*s;		/* NUL-terminated, in the same block */
	size_t		 len;
	size_t		 group;		/* the index in v it came from */
	bool		 glob;		/* has * ? [ or \ */
	bool		 space;		/* has a space: a two-word subcommand */
};

/* What is computed once per command for matching. */
struct risk_cmdinfo {
	const struct sh_cmd	 *cmd;
	size_t			  plen;		/* of the program name */
	char			**paths;	/* operands made plain; NULL: same */
	char			 *sub2;		/* "op0 op1" */
	char			 *text;		/* lowercased arguments and input */
	bool			  text_done;
};

/*
 * Split the patterns of g at "|" into one block of alternatives (lowercased
 * for contains), so matching a literal is a length and memcmp.
 */
static void
risk_globs_compile(struct risk_globs *g, bool lower)
{
	struct risk_alt	*a;
	const char	*p, *e;
	char		*buf;
	size_t		 i, n = 0, chars = 0, k;

	free(g->alts);
	g->alts = NULL;
	g->nalts = 0;
	for (i = 0; i < g->n; i++) {
		chars += strlen(g->v[i]) + 1;
		for (p = g->v[i]; (p = strchr(p, '|')) != NULL; p++)
			n++;
		n++;
	}
	if (n == 0)
		return;
	g->alts = xmalloc(n * sizeof *g->alts + chars);
	buf = (char *)(g->alts + n);
	for (i = 0; i < g->n; i++) {
		for (p = g->v[i];; p = e + 1) {
			e = strchr(p, '|');
			a = &g->alts[g->nalts++];
			a->len = e != NULL ? (size_t)(e - p) : strlen(p);
			for (k = 0; k < a->len; k++)
				buf[k] = lower ? (char)tolower((unsigned char)
				    p[k]) : p[k];
			buf[a->len] = '\0';
			a->s = buf;
			a->group = i;
			a->glob = strpbrk(buf, "*?[\\") != NULL;
			a->space = strchr(buf, ' ') != NULL;
			buf += a->len + 1;
			if (e == NULL)
				break;
		}
	}
}

/* Does s, of length n, match alternative a? */
static bool
risk_alt_match(const struct risk_alt *a, const char *s, size_t n)
{
	if (!a->glob)
		return (a->len == n && memcmp(a->s, s, n) == 0);
	return (fnmatch(a->s, s, 0) == 0);
}

/* Does s match any pattern of the list? */
static bool
risk_globs(const struct risk_globs *g, const char *s)
{
	size_t	i, n = strlen(s);

	for (i = 0; i < g->nalts; i++) {
		if (risk_alt_match(&g->alts[i], s, n))
			return (true);
	}
	return (false);
}

/*
 * The program: by glob; a program written as a glob itself (/bin/r? ...)
 * matches a rule when the rule's name would match it.
 */
static bool
risk_match_program(const struct risk_globs *g, struct risk_cmdinfo *ci)
{
	const struct sh_cmd	*c = ci->cmd;
	size_t			 i;

	for (i = 0; i < g->nalts; i++) {
		if (risk_alt_match(&g->alts[i], c->program, ci->plen))
			return (true);
	}
	if (!(c->features & SH_F_GLOBPROG))
		return (false);
	for (i = 0; i < g->nalts; i++) {
		if (fnmatch(c->program, g->alts[i].s, 0) == 0)
			return (true);
	}
	return (false);
}

/* The subcommand: "stop" against operand 0, "system prune" against 0 and 1. */
static bool
risk_match_sub(const struct risk_globs *g, struct risk_cmdinfo *ci)
{
	const struct sh_cmd	*c = ci->cmd;
	const struct risk_alt	*a;
	size_t			 i, n0 = 0, n2 = 0;

	if (c->noperands == 0)
		return (false);
	n0 = strlen(c->operands[0]);
	for (i = 0; i < g->nalts; i++) {
		a = &g->alts[i];
		if (!a->space) {
			if (risk_alt_match(a, c->operands[0], n0))
				return (true);
			continue;
		}
		if (c->noperands < 2)
			continue;
		if (ci->sub2 == NULL) {
			ci->sub2 = xprintf("%s %s", c->operands[0],
			    c->operands[1]);
			n2 = strlen(ci->sub2);
		} else if (n2 == 0)
			n2 = strlen(ci->sub2);
		if (risk_alt_match(a, ci->sub2, n2))
			return (true);
	}
	return (false);
}

/* Does alternative a match flag f, or its name before "="? */
static bool
risk_match_flag(const struct risk_alt *a, const char *f)
{
	char	name[128];
	size_t	n = strlen(f), k;

	if (risk_alt_match(a, f, n))
		return (true);
	if ((k = strcspn(f, "=")) == n)
		return (false);
	if (!a->glob)
		return (a->len == k && memcmp(a->s, f, k) == 0);
	if (k >= sizeof name)
		return (false);
	memcpy(name, f, k);
	name[k] = '\0';
	return (fnmatch(a->s, name, 0) == 0);
}

/* Every flag pattern matches some flag ("signal" matches "signal=KILL"). */
static bool
risk_match_flags(const struct risk_globs *g, const struct sh_cmd *c)
{
	size_t	i, j, group;
	bool	found;

	for (i = 0; i < g->nalts;) {
		group = g->alts[i].group;
		found = false;
		for (; i < g->nalts && g->alts[i].group == group; i++) {
			for (j = 0; j < c->nflags && !found; j++)
				found = risk_match_flag(&g->alts[i],
				    c->flags[j]);
		}
		if (!found)
			return (false);
	}
	return (true);
}

/* Does any alternative of g match some flag? */
static bool
risk_match_any_flag(const struct risk_globs *g, const struct sh_cmd *c)
{
	size_t	i, j;

	for (i = 0; i < g->nalts; i++) {
		for (j = 0; j < c->nflags; j++) {
			if (risk_match_flag(&g->alts[i], c->flags[j]))
				return (true);
		}
	}
	return (false);
}

/* Any operand, as written or made plain (//, /./, ..), matches. */
static bool
risk_match_args(const struct risk_globs *g, struct risk_cmdinfo *ci)
{
	const struct sh_cmd	*c = ci->cmd;
	char			 buf[4096];
	size_t			 i;

	if (ci->paths == NULL && c->noperands != 0) {
		ci->paths = xcalloc(c->noperands, sizeof *ci->paths);
		for (i = 0; i < c->noperands; i++) {
			if (c->operands[i][0] != '/')
				continue;
			shparse_normpath(c->operands[i], buf, sizeof buf);
			if (strcmp(buf, c->operands[i]) != 0)
				ci->paths[i] = xstrdup(buf);
		}
	}
	for (i = 0; i < c->noperands; i++) {
		if (risk_globs(g, c->operands[i]))
			return (true);
		if (ci->paths[i] != NULL && risk_globs(g, ci->paths[i]))
			return (true);
	}
	return (false);
}

/* Lowercase text of the arguments and standard input, blanks squeezed. */
static const char *
risk_text(struct risk_cmdinfo *ci)
{
	const struct sh_cmd	*c = ci->cmd;
	struct sbuf		 sb;
	const char		*p;
	size_t			 i;
	bool			 blank = true;

	if (ci->text_done)
		return (ci->text);
	sbuf_init(&sb);
	sbuf_addc(&sb, ' ');		/* so " update " finds a first word */
	for (i = 1; i <= c->argc; i++) {
		p = i < c->argc ? c->argv[i] : c->input;
		if (p == NULL)
			continue;
		for (; *p != '\0'; p++) {
			if (isspace((unsigned char)*p)) {
				if (!blank)
					sbuf_addc(&sb, ' ');
				blank = true;
				continue;
			}
			sbuf_addc(&sb, (char)tolower((unsigned char)*p));
			blank = false;
		}
		if (!blank)
			sbuf_addc(&sb, ' ');
		blank = true;
	}
	ci->text = sbuf_steal(&sb);
	ci->text_done = true;
	return (ci->text);
}

/* Some pattern is a substring of the text, ignoring case. */
static bool
risk_match_contains(const struct risk_globs *g, struct risk_cmdinfo *ci)
{
	const char	*text = risk_text(ci);
	size_t		 i;

	for (i = 0; i < g->nalts; i++) {
		if (g->alts[i].len != 0 && strstr(text, g->alts[i].s) != NULL)
			return (true);
	}
	return (false);
}

/* Does the rule match the command? */
static bool
risk_match(const struct risk_rule *r, struct risk_cmdinfo *ci)
{
	const struct sh_cmd	*c = ci->cmd;
	size_t			 i;

	if ((c->features & r->features) != r->features)
		return (false);
	if (r->program.n != 0 && !risk_match_program(&r->program, ci))
		return (false);
	if (r->subcommand.n != 0 && !risk_match_sub(&r->subcommand, ci))
		return (false);
	if (r->flags.n != 0 && !risk_match_flags(&r->flags, c))
		return (false);
	if (r->not_flags.n != 0 && risk_match_any_flag(&r->not_flags, c))
		return (false);
	if (r->feeds.n != 0 && (c->feeds_to == NULL ||
	    !risk_globs(&r->feeds, c->feeds_to)))
		return (false);
	if (r->writes.n != 0) {
		for (i = 0; i < c->nwrites; i++) {
			if (risk_globs(&r->writes, c->writes[i]))
				break;
		}
		if (i == c->nwrites)
			return (false);
	}
	if (r->args.n != 0 && !risk_match_args(&r->args, ci))
		return (false);
	if (r->contains.n != 0 && !risk_match_contains(&r->contains, ci))
		return (false);
	return (true);
}

/*
 * Rules by program: most rules name their programs literally, so a command
 * need only be tried against the rules listing its program plus the few
 * that name none or use a glob ("always").  Both lists are in rule order.
 */
struct risk_slot {
	const char	*name;		/* borrowed from a rule's alts */
	size_t		 len;
	size_t		*rules;		/* owned */
	size_t		 n;
};

struct risk_index {
	struct risk_slot	*slots;		/* owned, a power of two */
	size_t			 nslots;
	size_t			*always;	/* owned */
	size_t			 nalways;
};

/* FNV-1a of n bytes. */
static size_t
risk_hash(const char *s, size_t n)
{
	uint32_t	h = 2166136261u;

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return (h);
}

/* The slot of a name (empty when absent). */
static struct risk_slot *
risk_index_slot(const struct risk_index *ix, const char *name, size_t n)
{
	size_t	i = risk_hash(name, n) & (ix->nslots - 1);

	while (ix->slots[i].name != NULL && (ix->slots[i].len != n ||
	    memcmp(ix->slots[i].name, name, n) != 0))
		i = (i + 1) & (ix->nslots - 1);
	return (&ix->slots[i]);
}

/* Append rule i to a list unless it is already the last. */
static void
risk_index_push(size_t **v, size_t *n, size_t i)
{
	if (*n != 0 && (*v)[*n - 1] == i)
		return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = i;
}

/* Build the index of a set. */
static struct risk_index *
risk_index_build(const struct risk_ruleset *rs)
{
	struct risk_index	*ix = xcalloc(1, sizeof *ix);
	const struct risk_globs	*g;
	struct risk_slot	*slot;
	size_t			 i, j, total = 0;
	bool			 literal;

	for (i = 0; i < rs->n; i++)
		total += rs->rules[i].program.nalts;
	for (ix->nslots = 16; ix->nslots < total * 2; ix->nslots *= 2)
		;
	ix->slots = xcalloc(ix->nslots, sizeof *ix->slots);
	for (i = 0; i < rs->n; i++) {
		g = &rs->rules[i].program;
		literal = g->nalts != 0;
		for (j = 0; j < g->nalts; j++)
			literal = literal && !g->alts[j].glob;
		if (!literal) {
			risk_index_push(&ix->always, &ix->nalways, i);
			continue;
		}
		for (j = 0; j < g->nalts; j++) {
			slot = risk_index_slot(ix, g->alts[j].s,
			    g->alts[j].len);
			slot->name = g->alts[j].s;
			slot->len = g->alts[j].len;
			risk_index_push(&slot->rules, &slot->n, i);
		}
	}
	return (ix);
}

/* Free an index. */
static void
risk_index_free(struct risk_index *ix)
{
	size_t	i;

	if (ix == NULL)
		return;
	for (i = 0; i < ix->nslots; i++)
		free(ix->slots[i].rules);
	free(ix->slots);
	free(ix->always);
	free(ix);
}

/* Try rule r on the command, keeping the best and the first fallback. */
static void
risk_try(const struct risk_rule *r, struct risk_cmdinfo *ci,
    const struct risk_rule **best, const struct risk_rule **fallback)
{
	if (r->fallback ? *fallback != NULL : (*best != NULL &&
	    r->level <= (*best)->level))
		return;
	if (!risk_match(r, ci))
		return;
	if (r->fallback)
		*fallback = r;
	else
		*best = r;
}

/* The deciding rule for one command, or NULL. */
static const struct risk_rule *
risk_command(const struct risk_ruleset *rs, const struct sh_cmd *c)
{
	struct risk_cmdinfo	 ci;
	const struct risk_rule	*best = NULL, *fallback = NULL;
	const struct risk_slot	*slot;
	const size_t		*a, *b;
	size_t			 i, na, nb;

	memset(&ci, 0, sizeof ci);
	ci.cmd = c;
	ci.plen = strlen(c->program);
	if (rs->index == NULL || (c->features & SH_F_GLOBPROG)) {
		/* A glob for a program may match any rule. */
		for (i = 0; i < rs->n; i++)
			risk_try(&rs->rules[i], &ci, &best, &fallback);
	} else {
		/* Merge the rules of this program with "always", in order. */
		slot = risk_index_slot(rs->index, c->program, ci.plen);
		a = slot->rules;
		na = slot->name != NULL ? slot->n : 0;
		b = rs->index->always;
		nb = rs->index->nalways;
		while (na != 0 || nb != 0) {
			if (nb == 0 || (na != 0 && *a < *b)) {
				risk_try(&rs->rules[*a++], &ci, &best,
				    &fallback);
				na--;
			} else {
				risk_try(&rs->rules[*b++], &ci, &best,
				    &fallback);
				nb--;
			}
		}
	}
	if (ci.paths != NULL)
		strv_free(ci.paths, c->noperands);
	free(ci.sub2);
	free(ci.text);
	return (best != NULL ? best : fallback);
}

/* Classify one line (see risk.h). */
void
risk_classify(const struct risk_ruleset *rules, const char *line,
    int escalate, struct risk_result *out)
{
	struct sh_parse		*p;
	const struct risk_rule	*r, *best = NULL;
	enum risk_level		 level = RISK_LOW;
	size_t			 i;
	int			 l;

	memset(out, 0, sizeof *out);
	if (rules == NULL)
		rules = risk_default_rules();
	if (rules->index == NULL) {
		/* A cache, not a change: the set's rules stay as they are. */
		((struct risk_ruleset *)rules)->index =
		    risk_index_build(rules);
	}
	if (line == NULL)
		line = "";
	p = shparse(line, strlen(line));
	out->ncommands = p->ncmds;
	out->commands = xcalloc(p->ncmds + 1, sizeof *out->commands);
	for (i = 0; i < p->ncmds; i++) {
		out->commands[i] = xstrdup(p->cmds[i].text);
		if ((r = risk_command(rules, &p->cmds[i])) != NULL &&
		    (best == NULL || r->level > best->level))
			best = r;
	}
	if (best != NULL) {
		level = best->level;
		out->rule = xstrdup(best->name);
		out->reason = xstrdup(best->reason);
	} else if (p->ncmds == 0 && p->status == 0)
		out->reason = xstrdup("no command");
	else
		out->reason = xstrdup("no rule matched");
	if (p->status != 0) {
		out->unparsed = true;
		if (level < RISK_MEDIUM) {
			level = RISK_MEDIUM;
			free(out->rule);
			out->rule = NULL;
			free(out->reason);
			out->reason = xprintf("could not parse the line (%s): "
			    "treated as at least medium", p->why != NULL ?
			    p->why : "unknown problem");
		}
	}
	shparse_free(p);
	out->base_level = level;
	l = (int)level + (escalate > 0 ? escalate : 0);
	out->level = l > RISK_CRITICAL ? RISK_CRITICAL : (enum risk_level)l;
}

/* Free what a result owns and zero it. */
void
risk_result_clear(struct risk_result *rr)
{
	if (rr == NULL)
		return;
	free(rr->rule);
	free(rr->reason);
	strv_free(rr->commands, rr->ncommands);
	memset(rr, 0, sizeof *rr);
}

/* A new empty rule set. */
struct risk_ruleset *
risk_ruleset_create(void)
{
	return (xcalloc(1, sizeof (struct risk_ruleset)));
}

/* Free a list of patterns. */
static void
risk_globs_clear(struct risk_globs *g)
{
	strv_free(g->v, g->n);
	free(g->alts);
	memset(g, 0, sizeof *g);
}

/* Copy a list of patterns. */
static void
risk_globs_copy(struct risk_globs *dst, const struct risk_globs *src)
{
	size_t	i;

	dst->n = src->n;
	dst->alts = NULL;
	dst->nalts = 0;
	dst->v = src->n != 0 ? xcalloc(src->n, sizeof *dst->v) : NULL;
	for (i = 0; i < src->n; i++)
		dst->v[i] = xstrdup(src->v[i]);
}

/* Free what a rule owns and zero it. */
void
risk_rule_clear(struct risk_rule *r)
{
	free(r->name);
	free(r->reason);
	free(r->file);
	risk_globs_clear(&r->program);
	risk_globs_clear(&r->subcommand);
	risk_globs_clear(&r->flags);
	risk_globs_clear(&r->not_flags);
	risk_globs_clear(&r->args);
	risk_globs_clear(&r->contains);
	risk_globs_clear(&r->writes);
	risk_globs_clear(&r->feeds);
	memset(r, 0, sizeof *r);
}

/* Add r, or replace the rule of its name; r is left zeroed. */
void
risk_ruleset_add(struct risk_ruleset *rs, struct risk_rule *r)
{
	size_t	i;

	risk_globs_compile(&r->program, false);
	risk_globs_compile(&r->subcommand, false);
	risk_globs_compile(&r->flags, false);
	risk_globs_compile(&r->not_flags, false);
	risk_globs_compile(&r->args, false);
	risk_globs_compile(&r->contains, true);
	risk_globs_compile(&r->writes, false);
	risk_globs_compile(&r->feeds, false);
	risk_index_free(rs->index);
	rs->index = NULL;
	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->rules[i].name, r->name) == 0) {
			risk_rule_clear(&rs->rules[i]);
			rs->rules[i] = *r;
			memset(r, 0, sizeof *r);
			return;
		}
	}
	rs->rules = xreallocarray(rs->rules, rs->n + 1, sizeof *rs->rules);
	rs->rules[rs->n++] = *r;
	memset(r, 0, sizeof *r);
}

/* A deep copy of a set. */
struct risk_ruleset *
risk_ruleset_copy(const struct risk_ruleset *src)
{
	struct risk_ruleset	*rs = risk_ruleset_create();
	const struct risk_rule	*s;
	struct risk_rule	 r;
	size_t			 i;

	for (i = 0; src != NULL && i < src->n; i++) {
		s = &src->rules[i];
		r = *s;
		r.name = xstrdup(s->name);
		r.reason = xstrdup(s->reason);
		r.file = s->file != NULL ? xstrdup(s->file) : NULL;
		risk_globs_copy(&r.program, &s->program);
		risk_globs_copy(&r.subcommand, &s->subcommand);
		risk_globs_copy(&r.flags, &s->flags);
		risk_globs_copy(&r.not_flags, &s->not_flags);
		risk_globs_copy(&r.args, &s->args);
		risk_globs_copy(&r.contains, &s->contains);
		risk_globs_copy(&r.writes, &s->writes);
		risk_globs_copy(&r.feeds, &s->feeds);
		risk_ruleset_add(rs, &r);
	}
	return (rs);
}

/* Free a set and its rules. */
void
risk_ruleset_free(struct risk_ruleset *rs)
{
	size_t	i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		risk_rule_clear(&rs->rules[i]);
	free(rs->rules);
	risk_index_free(rs->index);
	free(rs);
}

/* How many rules a set has. */
size_t
risk_ruleset_count(const struct risk_ruleset *rs)
{
	return (rs != NULL ? rs->n : 0);
}

/* Drop the rule of that name, if any. */
void
risk_ruleset_remove(struct risk_ruleset *rs, const char *name)
{
	size_t	i;

	for (i = 0; i < rs->n; i++) {
		if (strcmp(rs->rules[i].name, name) != 0)
			continue;
		risk_index_free(rs->index);
		rs->index = NULL;
		risk_rule_clear(&rs->rules[i]);
		memmove(&rs->rules[i], &rs->rules[i + 1],
		    (rs->n - i - 1) * sizeof *rs->rules);
		rs->n--;
		return;
	}
}
