/* names.c: the text names of the shared enums, one table each. */
#include <string.h>
#include <strings.h>

#include "omv.h"

static const char *risk_names[RISK_COUNT] = {
	"low", "medium", "high", "critical"
};
static const char *env_names[ENV_COUNT + 1] = {
	"production", "staging", "development", "none"
};
static const char *decision_names[DECISION_COUNT] = {
	"allow", "confirm", "approval", "deny"
};
static const char *audit_level_names[] = {
	"basic", "detailed", "comprehensive"
};

/* Look name up in a table of n names, case-insensitively. */
static int
names_find(const char **table, int n, const char *name)
{
	int	i;

	if (name == NULL)
		return (-1);
	for (i = 0; i < n; i++) {
		if (strcasecmp(table[i], name) == 0)
			return (i);
	}
	return (-1);
}

const char *
risk_level_name(enum risk_level l)
{
	if ((int)l < 0 || l >= RISK_COUNT)
		return ("?");
	return (risk_names[l]);
}

int
risk_level_parse(const char *s, enum risk_level *out)
{
	int	i;

	if ((i = names_find(risk_names, RISK_COUNT, s)) == -1)
		return (-1);
	*out = (enum risk_level)i;
	return (0);
}

const char *
env_name(enum env e)
{
	if ((int)e < 0 || e > ENV_NONE)
		return ("?");
	return (env_names[e]);
}

/* Accepts the full names and the usual short forms (prod, stage, dev). */
int
env_parse(const char *s, enum env *out)
{
	int	i;

	if (s != NULL && strcasecmp(s, "prod") == 0)
		s = "production";
	else if (s != NULL && strcasecmp(s, "stage") == 0)
		s = "staging";
	else if (s != NULL && strcasecmp(s, "dev") == 0)
		s = "development";
	if ((i = names_find(env_names, ENV_COUNT, s)) == -1)
		return (-1);
	*out = (enum env)i;
	return (0);
}

const char *
decision_name(enum decision d)
{
	if ((int)d < 0 || d >= DECISION_COUNT)
		return ("?");
	return (decision_names[d]);
}

int
decision_parse(const char *s, enum decision *out)
{
	int	i;

	if ((i = names_find(decision_names, DECISION_COUNT, s)) == -1)
		return (-1);
	*out = (enum decision)i;
	return (0);
}

const char *
audit_level_name(enum audit_level l)
{
	if ((int)l < 0 || l > AUDIT_COMPREHENSIVE)
		return ("?");
	return (audit_level_names[l]);
}

int
audit_level_parse(const char *s, enum audit_level *out)
{
	int	i;

	if ((i = names_find(audit_level_names, 3, s)) == -1)
		return (-1);
	*out = (enum audit_level)i;
	return (0);
}
