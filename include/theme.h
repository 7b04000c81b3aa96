/*
 * theme.h: how each element of the console looks, htop-style: a table of
 * named elements, each with a foreground and background colour (colour.h
 * values) and attributes.  Pure: the console turns a style into curses
 * attributes and a colour pair.
 *
 * Themes are libconfig files (themes/dark.conf ...) loaded by cfg-theme.c;
 * NO_COLOR (no-color.org) or a terminal without colour gets the built-in
 * monochrome theme, which tells states apart with attributes alone.
 */
#ifndef THEME_H
#define THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "omv.h"

enum theme_element {
	THEME_DEFAULT,		/* "default": base of the console's own chrome */
	THEME_SIDEBAR,		/* "sidebar": server list */
	THEME_SIDEBAR_GROUP,	/* "sidebar-group": group headings */
	THEME_SELECTION,	/* "selection": the selected row */
	THEME_ENV_PRODUCTION,	/* "env-production" */
	THEME_ENV_STAGING,	/* "env-staging" */
	THEME_ENV_DEVELOPMENT,	/* "env-development" */
	THEME_RISK_LOW,		/* "risk-low" */
	THEME_RISK_MEDIUM,	/* "risk-medium" */
	THEME_RISK_HIGH,	/* "risk-high" */
	THEME_RISK_CRITICAL,	/* "risk-critical" */
	THEME_BORDER_ACTIVE,	/* "border-active": borders of the focused pane */
	THEME_BORDER_INACTIVE,	/* "border-inactive" */
	THEME_TITLE_ACTIVE,	/* "title-active": title line of the focused pane */
	THEME_TITLE_INACTIVE,	/* "title-inactive" */
	THEME_STATUS,		/* "status": the status bar */
	THEME_STATUS_PREFIX,	/* "status-prefix": prefix/mode indicator */
	THEME_SESSION_CONNECTED,	/* "session-connected" */
	THEME_SESSION_CONNECTING,	/* "session-connecting" */
	THEME_SESSION_DISCONNECTED,	/* "session-disconnected" */
	THEME_APPROVALS,	/* "approvals": the approvals queue */
	THEME_DIALOG,		/* "dialog": confirmations, help overlay */
	THEME_DIALOG_BORDER,	/* "dialog-border" */
	THEME_COPY_MODE,	/* "copy-mode": scrollback position indicator */
	THEME_SEARCH_MATCH,	/* "search-match" */
	THEME_COUNT
};

#define THEME_BOLD	0x01
#define THEME_UNDERLINE	0x02
#define THEME_REVERSE	0x04
#define THEME_DIM	0x08
#define THEME_ITALIC	0x10
#define THEME_BLINK	0x20
#define THEME_STANDOUT	0x40

struct theme_style {
	int	 fg;		/* colour.h value; COLOUR_DEFAULT */
	int	 bg;
	int	 attrs;		/* THEME_BOLD | ... */
};

struct theme;

/* Element names ("env-production") and back. */
const char *theme_element_name(enum theme_element);
int theme_element_parse(const char *, enum theme_element *);
/* The element an unset element copies ("title-active" -> "border-active"), or -1. */
int theme_element_parent(enum theme_element);
/* Attribute names ("bold", "underline" ...) and back; THEME_* bit. */
int theme_attr_parse(const char *);
const char *theme_attr_name(int bit);

enum theme_element theme_env_element(enum env);	/* ENV_NONE -> THEME_SIDEBAR */
enum theme_element theme_risk_element(enum risk_level);

/* A theme with every element at the terminal's default colours. */
struct theme *theme_create(const char *name);
void theme_free(struct theme *);
const char *theme_name(const struct theme *);
void theme_set_name(struct theme *, const char *);
/* The file it came from; NULL when built in. */
const char *theme_path(const struct theme *);
void theme_set_path(struct theme *, const char *);

const struct theme_style *theme_style(const struct theme *, enum theme_element);
void theme_set(struct theme *, enum theme_element, const struct theme_style *);
/* Was the element set explicitly (not copied from its parent)? */
bool theme_is_set(const struct theme *, enum theme_element);
/* Copy each unset element from its parent (in element order). */
void theme_resolve(struct theme *);
/* Does any element use a colour (not just attributes)? */
bool theme_has_colour(const struct theme *);

/* The monochrome theme (NO_COLOR): attributes only, states still distinct. */
struct theme *theme_create_mono(void);
/* The 8-colour theme used when the "dark" theme file is not installed. */
struct theme *theme_create_basic(void);

/* Is NO_COLOR set to a non-empty value (no-color.org)? */
bool theme_no_colour(void);

/*
 * cfg-theme.c: theme files.  A theme is a libconfig file of element groups:
 *
 *	name = "dark";
 *	risk-high = { fg = "red"; bg = "default"; attrs = [ "bold" ]; };
 *	status = { fg = 231; bg = "colour 24"; };
 *	selection = { fg = "#000000"; bg = "#87afd7"; attrs = "bold,underline"; };
 *
 * Colours as colour_parse() reads them or an index 0..255; attrs a string
 * ("bold underline", "none") or a list of names.  Unknown elements, fields,
 * colours and attributes are errors.
 */
/*
 * Where a theme name is looked for, in order: $OMV_THEMES_DIR,
 * ~/.config/omv/themes ($XDG_CONFIG_HOME), OMV_DATADIR/themes when built
 * with one, /usr/local/share/omv/themes, /usr/share/omv/themes, and beside
 * the binary: DIR/themes and DIR/../share/omv/themes.  An owned array of n
 * owned strings (strv_free).
 */
char **cfg_theme_dirs(size_t *n);
/*
 * The file for a theme: a name ("dark", "dark.conf") is searched for in
 * cfg_theme_dirs(); anything with a '/' is a path.  Owned, or NULL and
 * *cause naming the places searched.
 */
char *cfg_theme_find(const char *name, char **cause);
/* Load one theme file; NULL and *cause ("file:line: ...", one line per problem). */
struct theme *cfg_theme_load_file(const char *path, char **cause);
/*
 * The theme the console should use for ui.theme (NULL means "dark"): the
 * monochrome theme when NO_COLOR is set; else the file; else, for the names
 * "dark" and "basic", the built-in 8-colour theme and for "monochrome" the
 * built-in monochrome one.  Resolved (unset elements copied from parents).
 */
struct theme *cfg_theme_load(const char *name, char **cause);

#endif
