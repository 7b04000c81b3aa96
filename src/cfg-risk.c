/*
 * cfg-risk.c: risk rules from libconfig.
 *
 * The built-in rules are conf/risk.conf, compiled into the binary as text
 * (build/gen/risk-conf.c) and read here with the same code as a user's
 * `risk.rules`, so the two cannot disagree and the file documents itself.
 * A config's rules are merged into the defaults by name: a rule with a
 * default's name replaces it (giving only name and level changes the level
 * and keeps the matching), `disabled = true` drops it, new names are added,
 * and `replace = true` starts from an empty set.  Every problem is reported
 * as "file:line: ...", none is fatal except in the built-in text.
 */
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfg-risk.h"
#include "risk.h"
#include "shparse.h"

extern const char risk_conf_text[];
extern const size_t risk_conf_len;

#define CFG_RISK_BUILTIN "risk.conf (built-in)"

/* The settings a rule may have. */
static const char *cfg_risk_rule_keys[] = {
	"name", "level", "reason", "program", "subcommand", "flags", "not_flags",
	"args",
	"contains", "writes", "feeds", "features", "fallback", "disabled", NULL
};

/* The line of a setting, for messages. */
static int
cfg_risk_line(const config_setting_t *s)
{
	return (s != NULL ? (int)config_setting_source_line(s) : 0);
}

/* Is s one of the NULL-terminated list? */
static int
cfg_risk_known(const char *s, const char **list)
{
	for (; *list != NULL; list++) {
		if (strcmp(s, *list) == 0)
			return (1);
	}
	return (0);
}

/* A string or an array of non-empty strings, into g. */
static void
cfg_risk_globs(const config_setting_t *s, const char *file, const char *rule,
    struct risk_globs *g, struct cfg_errors *errs)
{
	const config_setting_t	*e;
	const char		*v;
	int			 i, n;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		n = 1;
		e = s;
	} else if (config_setting_type(s) == CONFIG_TYPE_ARRAY ||
	    config_setting_type(s) == CONFIG_TYPE_LIST) {
		n = config_setting_length(s);
		e = NULL;
	} else {
		cfg_errors_add(errs, file, cfg_risk_line(s), "rule '%s': %s "
		    "must be a string or an array of strings", rule, s->name);
		return;
	}
	g->v = xcalloc((size_t)n + 1, sizeof *g->v);
	for (i = 0; i < n; i++) {
		if (e != s)
			e = config_setting_get_elem(s, (unsigned int)i);
		v = config_setting_type(e) == CONFIG_TYPE_STRING ?
		    config_setting_get_string(e) : NULL;
		if (v == NULL || *v == '\0') {
			cfg_errors_add(errs, file, cfg_risk_line(e), "rule "
			    "'%s': %s must hold non-empty strings", rule,
			    s->name);
			continue;
		}
		g->v[g->n++] = xstrdup(v);
	}
}

/* A feature name or list of them, as SH_F_* bits. */
static int
cfg_risk_features(const config_setting_t *s, const char *file,
    const char *rule, struct cfg_errors *errs)
{
	struct risk_globs	g = { NULL, 0, NULL, 0 };
	size_t			i;
	int			f, all = 0;

	cfg_risk_globs(s, file, rule, &g, errs);
	for (i = 0; i < g.n; i++) {
		if ((f = shparse_feature_parse(g.v[i])) == 0) {
			cfg_errors_add(errs, file, cfg_risk_line(s), "rule "
			    "'%s': unknown feature '%s'", rule, g.v[i]);
		}
		all |= f;
	}
	strv_free(g.v, g.n);
	return (all);
}

/* A string setting of a rule, or NULL with an error when not a string. */
static const char *
cfg_risk_string(const config_setting_t *s, const char *file, const char *rule,
    struct cfg_errors *errs)
{
	const char	*v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING ||
	    (v = config_setting_get_string(s)) == NULL || *v == '\0') {
		cfg_errors_add(errs, file, cfg_risk_line(s), "rule '%s': %s "
		    "must be a non-empty string", rule, s->name);
		return (NULL);
	}
	return (v);
}

/* A boolean setting of a rule. */
static bool
cfg_risk_bool(const config_setting_t *s, const char *file, const char *rule,
    struct cfg_errors *errs)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		cfg_errors_add(errs, file, cfg_risk_line(s), "rule '%s': %s "
		    "must be true or false", rule, s->name);
		return (false);
	}
	return (config_setting_get_bool(s) != 0);
}

/* The rule of that name in set, or NULL. */
static const struct risk_rule *
cfg_risk_find(const struct risk_ruleset *rs, const char *name)
{
	size_t	i;

	for (i = 0; rs != NULL && i < rs->n; i++) {
		if (strcmp(rs->rules[i].name, name) == 0)
			return (&rs->rules[i]);
	}
	return (NULL);
}

/* Copy the matching fields of from into r (a level-only override). */
static void
cfg_risk_inherit(struct risk_rule *r, const struct risk_rule *from)
{
	struct risk_ruleset	 one = { (struct risk_rule *)from, 1, NULL };
	struct risk_ruleset	*copy = risk_ruleset_copy(&one);
	struct risk_rule	*c = &copy->rules[0];

	r->program = c->program;
	r->subcommand = c->subcommand;
	r->flags = c->flags;
	r->not_flags = c->not_flags;
	r->args = c->args;
	r->contains = c->contains;
	r->writes = c->writes;
	r->feeds = c->feeds;
	r->features = c->features;
	r->fallback = c->fallback;
	memset(&c->program, 0, sizeof c->program);
	memset(&c->subcommand, 0, sizeof c->subcommand);
	memset(&c->flags, 0, sizeof c->flags);
	memset(&c->not_flags, 0, sizeof c->not_flags);
	memset(&c->args, 0, sizeof c->args);
	memset(&c->contains, 0, sizeof c->contains);
	memset(&c->writes, 0, sizeof c->writes);
	memset(&c->feeds, 0, sizeof c->feeds);
	if (r->reason == NULL)
		r->reason = xstrdup(from->reason);
	risk_ruleset_free(copy);
}

/*
 * Read one rule.  Returns 0 with r filled (and *disabled set for
 * `disabled = true`), or -1 after adding errors.
 */
static int
cfg_risk_rule(const config_setting_t *s, const char *file,
    const struct risk_ruleset *base, struct risk_rule *r, bool *disabled,
    struct cfg_errors *errs)
{
	const struct risk_rule	*from;
	const config_setting_t	*m;
	const char		*v, *name;
	size_t			 nerrs = errs != NULL ? errs->n : 0;
	int			 i, n;
	bool			 has_level = false, matches = false;

	memset(r, 0, sizeof *r);
	*disabled = false;
	if (!config_setting_is_group(s)) {
		cfg_errors_add(errs, file, cfg_risk_line(s),
		    "risk rule must be a group { name = ...; ... }");
		return (-1);
	}
	m = config_setting_get_member(s, "name");
	name = m != NULL && config_setting_type(m) == CONFIG_TYPE_STRING ?
	    config_setting_get_string(m) : NULL;
	if (name == NULL || *name == '\0' || strspn(name, "abcdefghijklmnop"
	    "qrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
	    strlen(name)) {
		cfg_errors_add(errs, file, cfg_risk_line(m != NULL ? m : s),
		    "risk rule needs a name of letters, digits, - _ .");
		return (-1);
	}
	r->name = xstrdup(name);
	r->file = xstrdup(file);
	r->line = cfg_risk_line(s);

	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(s, (unsigned int)i);
		if (!cfg_risk_known(m->name, cfg_risk_rule_keys)) {
			cfg_errors_add(errs, file, cfg_risk_line(m), "rule "
			    "'%s': unknown setting '%s'", name, m->name);
		} else if (strcmp(m->name, "level") == 0) {
			v = cfg_risk_string(m, file, name, errs);
			if (v != NULL && risk_level_parse(v, &r->level) != 0)
				cfg_errors_add(errs, file, cfg_risk_line(m),
				    "rule '%s': level must be low, medium, "
				    "high or critical", name);
			has_level = true;
		} else if (strcmp(m->name, "reason") == 0) {
			if ((v = cfg_risk_string(m, file, name, errs)) != NULL)
				r->reason = xstrdup(v);
		} else if (strcmp(m->name, "fallback") == 0)
			r->fallback = cfg_risk_bool(m, file, name, errs);
		else if (strcmp(m->name, "disabled") == 0)
			*disabled = cfg_risk_bool(m, file, name, errs);
		else if (strcmp(m->name, "features") == 0) {
			r->features = cfg_risk_features(m, file, name, errs);
			matches = true;
		} else if (strcmp(m->name, "name") != 0) {
			matches = true;
			cfg_risk_globs(m, file, name,
			    strcmp(m->name, "program") == 0 ? &r->program :
			    strcmp(m->name, "subcommand") == 0 ?
			    &r->subcommand :
			    strcmp(m->name, "flags") == 0 ? &r->flags :
			    strcmp(m->name, "not_flags") == 0 ? &r->not_flags :
			    strcmp(m->name, "args") == 0 ? &r->args :
			    strcmp(m->name, "contains") == 0 ? &r->contains :
			    strcmp(m->name, "writes") == 0 ? &r->writes :
			    &r->feeds, errs);
		}
	}
	if (*disabled)
		return (errs == NULL || errs->n == nerrs ? 0 : -1);

	from = cfg_risk_find(base, name);
	if (!matches && from != NULL) {
		/* Only the level or reason of a built-in rule changes. */
		if (!has_level)
			r->level = from->level;
		has_level = true;
		cfg_risk_inherit(r, from);
	} else if (!matches && !r->fallback)
		cfg_errors_add(errs, file, r->line, "rule '%s' matches "
		    "nothing: give program, subcommand, flags, args, contains, "
		    "writes, feeds or features (or fallback = true)", name);
	if (!has_level)
		cfg_errors_add(errs, file, r->line, "rule '%s' needs a level",
		    name);
	if (r->reason == NULL)
		cfg_errors_add(errs, file, r->line, "rule '%s' needs a reason",
		    name);
	if (errs != NULL && errs->n != nerrs) {
		risk_rule_clear(r);
		return (-1);
	}
	return (0);
}

/* Read a list of rules into rs (base: where level-only overrides look). */
static void
cfg_risk_rules(const config_setting_t *list, const char *file,
    struct risk_ruleset *rs, const struct risk_ruleset *base,
    struct cfg_errors *errs)
{
	const config_setting_t	*s;
	struct risk_rule	 r;
	char			**seen;
	int			 i, n, j;
	bool			 disabled, dup;

	if (config_setting_type(list) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(list) == CONFIG_TYPE_ARRAY &&
	    config_setting_length(list) == 0)) {
		cfg_errors_add(errs, file, cfg_risk_line(list),
		    "risk.rules must be a list ( { ... }, ... )");
		return;
	}
	n = config_setting_length(list);
	seen = xcalloc((size_t)n + 1, sizeof *seen);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(list, (unsigned int)i);
		if (cfg_risk_rule(s, file, base, &r, &disabled, errs) != 0)
			continue;
		for (dup = false, j = 0; j < i && !dup; j++)
			dup = seen[j] != NULL && strcmp(seen[j], r.name) == 0;
		seen[i] = xstrdup(r.name);
		if (dup) {
			cfg_errors_add(errs, file, r.line, "rule '%s' is "
			    "defined twice", r.name);
			risk_rule_clear(&r);
		} else if (disabled) {
			risk_ruleset_remove(rs, r.name);
			risk_rule_clear(&r);
		} else
			risk_ruleset_add(rs, &r);
	}
	strv_free(seen, (size_t)n);
}

/* The built-in rules, read once from the embedded conf/risk.conf. */
const struct risk_ruleset *
risk_default_rules(void)
{
	static struct risk_ruleset	*defaults;
	struct cfg_errors		 errs = { NULL, 0 };
	const config_setting_t		*root, *m;
	config_t			 c;
	int				 i;

	if (defaults != NULL)
		return (defaults);
	config_init(&c);
	if (config_read_string(&c, risk_conf_text) != CONFIG_TRUE) {
		fatal("%s:%d: %s", CFG_RISK_BUILTIN, config_error_line(&c),
		    config_error_text(&c));
	}
	defaults = risk_ruleset_create();
	root = config_root_setting(&c);
	for (i = 0; i < config_setting_length(root); i++) {
		m = config_setting_get_elem(root, (unsigned int)i);
		if (strcmp(m->name, "rules") != 0)
			cfg_errors_add(&errs, CFG_RISK_BUILTIN,
			    cfg_risk_line(m), "unknown setting '%s'", m->name);
	}
	if ((m = config_setting_get_member(root, "rules")) == NULL)
		cfg_errors_add(&errs, CFG_RISK_BUILTIN, 0, "no rules");
	else
		cfg_risk_rules(m, CFG_RISK_BUILTIN, defaults, NULL, &errs);
	config_destroy(&c);
	if (errs.n != 0)
		fatal("%s", errs.msgs[0]);
	return (defaults);
}

/* risk.escalate = { production = 1; staging = 0; ... }. */
static void
cfg_risk_escalate(const config_setting_t *s, const char *file,
    struct omv_config *cfg, struct cfg_errors *errs)
{
	const config_setting_t	*m;
	enum env		 e;
	int			 i, v;

	if (!config_setting_is_group(s)) {
		cfg_errors_add(errs, file, cfg_risk_line(s), "risk.escalate "
		    "must be a group { production = 1; ... }");
		return;
	}
	for (i = 0; i < config_setting_length(s); i++) {
		m = config_setting_get_elem(s, (unsigned int)i);
		if (strcmp(m->name, "none") == 0)
			e = ENV_NONE;
		else if (env_parse(m->name, &e) != 0) {
			cfg_errors_add(errs, file, cfg_risk_line(m),
			    "risk.escalate: unknown env '%s' (production, "
			    "staging, development or none)", m->name);
			continue;
		}
		if (config_setting_type(m) != CONFIG_TYPE_INT ||
		    (v = config_setting_get_int(m)) < 0 || v > 3) {
			cfg_errors_add(errs, file, cfg_risk_line(m),
			    "risk.escalate.%s must be a number from 0 to 3",
			    m->name);
			continue;
		}
		cfg->escalate[e] = v;
	}
}

/* Build cfg->rules and cfg->escalate from the risk section (or NULL). */
int
cfg_risk_load(const config_setting_t *risk, const char *file,
    struct omv_config *cfg, struct cfg_errors *errs)
{
	const struct risk_ruleset	*defaults = risk_default_rules();
	const config_setting_t		*m;
	size_t				 nerrs = errs != NULL ? errs->n : 0;
	int				 i;
	bool				 replace = false;

	risk_ruleset_free(cfg->rules);
	cfg->rules = NULL;
	memset(cfg->escalate, 0, sizeof cfg->escalate);
	cfg->escalate[ENV_PRODUCTION] = 1;
	if (risk == NULL) {
		cfg->rules = risk_ruleset_copy(defaults);
		return (0);
	}
	if (!config_setting_is_group(risk)) {
		cfg_errors_add(errs, file, cfg_risk_line(risk),
		    "risk must be a group { ... }");
		cfg->rules = risk_ruleset_copy(defaults);
		return (-1);
	}
	for (i = 0; i < config_setting_length(risk); i++) {
		m = config_setting_get_elem(risk, (unsigned int)i);
		if (strcmp(m->name, "replace") == 0) {
			if (config_setting_type(m) != CONFIG_TYPE_BOOL)
				cfg_errors_add(errs, file, cfg_risk_line(m),
				    "risk.replace must be true or false");
			else
				replace = config_setting_get_bool(m) != 0;
		} else if (strcmp(m->name, "escalate") == 0)
			cfg_risk_escalate(m, file, cfg, errs);
		else if (strcmp(m->name, "rules") != 0)
			cfg_errors_add(errs, file, cfg_risk_line(m),
			    "risk: unknown setting '%s' (escalate, replace or "
			    "rules)", m->name);
	}
	cfg->rules = replace ? risk_ruleset_create() :
	    risk_ruleset_copy(defaults);
	if ((m = config_setting_get_member(risk, "rules")) != NULL)
		cfg_risk_rules(m, file, cfg->rules, defaults, errs);
	if (replace && cfg->rules->n == 0)
		cfg_errors_add(errs, file, cfg_risk_line(risk),
		    "risk.replace = true needs at least one rule");
	return (errs == NULL || errs->n == nerrs ? 0 : -1);
}
