/*
 * theme.c: the table of themable elements and the built-in themes.
 *
 * Every part of the console that has a look is an element of one table
 * (name, and the element an unset one copies), as in htop's colour schemes:
 * drawing code asks theme_style(theme, THEME_RISK_HIGH) and never names a
 * colour.  A theme file may leave elements out; theme_resolve() fills them
 * from their parent ("title-active" looks like "border-active" unless told
 * otherwise) and otherwise the terminal's defaults apply.
 *
 * The monochrome theme honours NO_COLOR: no colour at all, yet production
 * is not mistaken for development nor high risk for low, because each state
 * has its own attributes.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "omv.h"
#include "colour.h"
#include "theme.h"

static const struct {
	const char	*name;
	int		 parent;
} theme_elements[THEME_COUNT] = {
	{ "default", -1 },
	{ "sidebar", THEME_DEFAULT },
	{ "sidebar-group", THEME_SIDEBAR },
	{ "selection", -1 },
	{ "env-production", -1 },
	{ "env-staging", -1 },
	{ "env-development", -1 },
	{ "risk-low", -1 },
	{ "risk-medium", -1 },
	{ "risk-high", -1 },
	{ "risk-critical", -1 },
	{ "border-active", -1 },
	{ "border-inactive", -1 },
	{ "title-active", THEME_BORDER_ACTIVE },
	{ "title-inactive", THEME_BORDER_INACTIVE },
	{ "status", -1 },
	{ "status-prefix", THEME_STATUS },
	{ "session-connected", -1 },
	{ "session-connecting", -1 },
	{ "session-disconnected", -1 },
	{ "approvals", THEME_DEFAULT },
	{ "dialog", -1 },
	{ "dialog-border", THEME_DIALOG },
	{ "copy-mode", -1 },
	{ "search-match", -1 },
};

static const struct {
	const char	*name;
	int		 bit;
} theme_attrs[] = {
	{ "bold", THEME_BOLD },
	{ "underline", THEME_UNDERLINE },
	{ "reverse", THEME_REVERSE },
	{ "dim", THEME_DIM },
	{ "italic", THEME_ITALIC },
	{ "blink", THEME_BLINK },
	{ "standout", THEME_STANDOUT },
};
#define THEME_NATTRS (sizeof theme_attrs / sizeof theme_attrs[0])

struct theme {
	char			*name;		/* owned */
	char			*path;		/* owned; NULL when built in */
	struct theme_style	 styles[THEME_COUNT];
	bool			 set[THEME_COUNT];
};

const char *
theme_element_name(enum theme_element e)
{
	if ((int)e < 0 || e >= THEME_COUNT)
		return ("?");
	return (theme_elements[e].name);
}

int
theme_element_parse(const char *name, enum theme_element *out)
{
	int	i;

	for (i = 0; i < THEME_COUNT; i++) {
		if (strcmp(theme_elements[i].name, name) == 0) {
			*out = (enum theme_element)i;
			return (0);
		}
	}
	return (-1);
}

int
theme_element_parent(enum theme_element e)
{
	if ((int)e < 0 || e >= THEME_COUNT)
		return (-1);
	return (theme_elements[e].parent);
}

int
theme_attr_parse(const char *name)
{
	size_t	i;

	for (i = 0; i < THEME_NATTRS; i++) {
		if (strcasecmp(theme_attrs[i].name, name) == 0)
			return (theme_attrs[i].bit);
	}
	return (-1);
}

const char *
theme_attr_name(int bit)
{
	size_t	i;

	for (i = 0; i < THEME_NATTRS; i++) {
		if (theme_attrs[i].bit == bit)
			return (theme_attrs[i].name);
	}
	return (NULL);
}

enum theme_element
theme_env_element(enum env e)
{
	switch (e) {
	case ENV_PRODUCTION:
		return (THEME_ENV_PRODUCTION);
	case ENV_STAGING:
		return (THEME_ENV_STAGING);
	case ENV_DEVELOPMENT:
		return (THEME_ENV_DEVELOPMENT);
	case ENV_NONE:
		break;
	}
	return (THEME_SIDEBAR);
}

enum theme_element
theme_risk_element(enum risk_level r)
{
	switch (r) {
	case RISK_LOW:
		return (THEME_RISK_LOW);
	case RISK_MEDIUM:
		return (THEME_RISK_MEDIUM);
	case RISK_HIGH:
		return (THEME_RISK_HIGH);
	case RISK_CRITICAL:
		break;
	}
	return (THEME_RISK_CRITICAL);
}

struct theme *
theme_create(const char *name)
{
	struct theme	*t;
	int		 i;

	t = xcalloc(1, sizeof *t);
	t->name = xstrdup(name);
	for (i = 0; i < THEME_COUNT; i++) {
		t->styles[i].fg = COLOUR_DEFAULT;
		t->styles[i].bg = COLOUR_DEFAULT;
		t->styles[i].attrs = 0;
	}
	return (t);
}

void
theme_free(struct theme *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->path);
	free(t);
}

const char *
theme_name(const struct theme *t)
{
	return (t->name);
}

void
theme_set_name(struct theme *t, const char *name)
{
	free(t->name);
	t->name = xstrdup(name);
}

const char *
theme_path(const struct theme *t)
{
	return (t->path);
}

void
theme_set_path(struct theme *t, const char *path)
{
	free(t->path);
	t->path = path != NULL ? xstrdup(path) : NULL;
}

const struct theme_style *
theme_style(const struct theme *t, enum theme_element e)
{
	if ((int)e < 0 || e >= THEME_COUNT)
		e = THEME_DEFAULT;
	return (&t->styles[e]);
}

void
theme_set(struct theme *t, enum theme_element e, const struct theme_style *s)
{
	if ((int)e < 0 || e >= THEME_COUNT)
		return;
	t->styles[e] = *s;
	t->set[e] = true;
}

bool
theme_is_set(const struct theme *t, enum theme_element e)
{
	if ((int)e < 0 || e >= THEME_COUNT)
		return (false);
	return (t->set[e]);
}

void
theme_resolve(struct theme *t)
{
	int	i, p;

	/* Parents come before children in the table, so one pass suffices. */
	for (i = 0; i < THEME_COUNT; i++) {
		p = theme_elements[i].parent;
		if (!t->set[i] && p != -1)
			t->styles[i] = t->styles[p];
	}
}

bool
theme_has_colour(const struct theme *t)
{
	int	i;

	for (i = 0; i < THEME_COUNT; i++) {
		if (t->styles[i].fg != COLOUR_DEFAULT ||
		    t->styles[i].bg != COLOUR_DEFAULT)
			return (true);
	}
	return (false);
}

/* Set one element of a built-in theme. */
static void
theme_put(struct theme *t, enum theme_element e, int fg, int bg, int attrs)
{
	struct theme_style	s = { fg, bg, attrs };

	theme_set(t, e, &s);
}

bool
theme_no_colour(void)
{
	const char	*s = getenv("NO_COLOR");

	return (s != NULL && *s != '\0');
}

struct theme *
theme_create_mono(void)
{
	struct theme	*t;
	const int	 d = COLOUR_DEFAULT;

	t = theme_create("monochrome");
	theme_put(t, THEME_DEFAULT, d, d, 0);
	theme_put(t, THEME_SIDEBAR, d, d, 0);
	theme_put(t, THEME_SIDEBAR_GROUP, d, d, THEME_BOLD);
	theme_put(t, THEME_SELECTION, d, d, THEME_REVERSE);
	theme_put(t, THEME_ENV_PRODUCTION, d, d, THEME_BOLD | THEME_REVERSE);
	theme_put(t, THEME_ENV_STAGING, d, d, THEME_BOLD);
	theme_put(t, THEME_ENV_DEVELOPMENT, d, d, THEME_DIM);
	theme_put(t, THEME_RISK_LOW, d, d, 0);
	theme_put(t, THEME_RISK_MEDIUM, d, d, THEME_UNDERLINE);
	theme_put(t, THEME_RISK_HIGH, d, d, THEME_BOLD | THEME_UNDERLINE);
	theme_put(t, THEME_RISK_CRITICAL, d, d,
	    THEME_BOLD | THEME_REVERSE | THEME_BLINK);
	theme_put(t, THEME_BORDER_ACTIVE, d, d, THEME_BOLD);
	theme_put(t, THEME_BORDER_INACTIVE, d, d, THEME_DIM);
	theme_put(t, THEME_TITLE_ACTIVE, d, d, THEME_BOLD | THEME_REVERSE);
	theme_put(t, THEME_TITLE_INACTIVE, d, d, THEME_UNDERLINE);
	theme_put(t, THEME_STATUS, d, d, THEME_REVERSE);
	theme_put(t, THEME_STATUS_PREFIX, d, d, THEME_BOLD);
	theme_put(t, THEME_SESSION_CONNECTED, d, d, 0);
	theme_put(t, THEME_SESSION_CONNECTING, d, d, THEME_DIM);
	theme_put(t, THEME_SESSION_DISCONNECTED, d, d,
	    THEME_BOLD | THEME_UNDERLINE);
	theme_put(t, THEME_APPROVALS, d, d, THEME_BOLD);
	theme_put(t, THEME_DIALOG, d, d, THEME_REVERSE);
	theme_put(t, THEME_DIALOG_BORDER, d, d, THEME_BOLD | THEME_REVERSE);
	theme_put(t, THEME_COPY_MODE, d, d, THEME_BOLD | THEME_REVERSE);
	theme_put(t, THEME_SEARCH_MATCH, d, d, THEME_UNDERLINE | THEME_BOLD);
	return (t);
}

struct theme *
theme_create_basic(void)
{
	struct theme	*t;
	const int	 d = COLOUR_DEFAULT;

	t = theme_create("basic");
	theme_put(t, THEME_DEFAULT, d, d, 0);
	theme_put(t, THEME_SIDEBAR, d, d, 0);
	theme_put(t, THEME_SIDEBAR_GROUP, 6, d, THEME_BOLD);
	theme_put(t, THEME_SELECTION, 0, 6, 0);
	theme_put(t, THEME_ENV_PRODUCTION, 1, d, THEME_BOLD);
	theme_put(t, THEME_ENV_STAGING, 3, d, 0);
	theme_put(t, THEME_ENV_DEVELOPMENT, 2, d, 0);
	theme_put(t, THEME_RISK_LOW, 2, d, 0);
	theme_put(t, THEME_RISK_MEDIUM, 3, d, 0);
	theme_put(t, THEME_RISK_HIGH, 1, d, THEME_BOLD);
	theme_put(t, THEME_RISK_CRITICAL, 7, 1, THEME_BOLD);
	theme_put(t, THEME_BORDER_ACTIVE, 2, d, 0);
	theme_put(t, THEME_BORDER_INACTIVE, d, d, 0);
	theme_put(t, THEME_TITLE_ACTIVE, 0, 2, 0);
	theme_put(t, THEME_TITLE_INACTIVE, d, d, THEME_REVERSE);
	theme_put(t, THEME_STATUS, 0, 6, 0);
	theme_put(t, THEME_STATUS_PREFIX, 0, 3, THEME_BOLD);
	theme_put(t, THEME_SESSION_CONNECTED, 2, d, 0);
	theme_put(t, THEME_SESSION_CONNECTING, 3, d, 0);
	theme_put(t, THEME_SESSION_DISCONNECTED, 1, d, 0);
	theme_put(t, THEME_APPROVALS, 5, d, THEME_BOLD);
	theme_put(t, THEME_DIALOG, 7, 4, 0);
	theme_put(t, THEME_DIALOG_BORDER, 7, 4, THEME_BOLD);
	theme_put(t, THEME_COPY_MODE, 0, 3, 0);
	theme_put(t, THEME_SEARCH_MATCH, 0, 3, 0);
	return (t);
}
