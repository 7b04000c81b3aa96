/*
 * cfg-theme.c: theme files (libconfig) into struct theme.
 *
 * Strict like the main config: a misspelt element, colour or attribute is
 * an error naming the file and line, not a silently grey console; every
 * problem in the file is reported at once.  Finding a theme by name follows
 * cfg_theme_dirs(): the operator's own directory first, then the install
 * directories, then the directory of the running binary so a build in the
 * source tree finds the source tree's themes/.
 */
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "omv.h"
#include "colour.h"
#include "theme.h"

/* Problems found in one file, one "file:line: ..." per line. */
struct cfg_theme_errs {
	const char	*path;
	struct sbuf	 sb;
	int		 n;
};

static void cfg_theme_error(struct cfg_theme_errs *, int, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/* Add one problem. */
static void
cfg_theme_error(struct cfg_theme_errs *ce, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	if (ce->n++ != 0)
		sbuf_addc(&ce->sb, '\n');
	if (line > 0)
		sbuf_addf(&ce->sb, "%s:%d: %s", ce->path, line, msg);
	else
		sbuf_addf(&ce->sb, "%s: %s", ce->path, msg);
	free(msg);
}

/* The directory of the running binary, or NULL. */
static char *
cfg_theme_exe_dir(void)
{
	char	buf[PATH_MAX], *slash;
	ssize_t	len;

	len = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (len <= 0)
		return (NULL);
	buf[len] = '\0';
	if ((slash = strrchr(buf, '/')) == NULL)
		return (NULL);
	*slash = '\0';
	return (xstrdup(buf[0] == '\0' ? "/" : buf));
}

char **
cfg_theme_dirs(size_t *n)
{
	char		**v = NULL, *exe;
	const char	 *s;
	size_t		  nv = 0;

#define CFG_THEME_ADD(x) do {						\
	v = xreallocarray(v, nv + 1, sizeof *v);			\
	v[nv++] = (x);							\
} while (0)
	if ((s = getenv("OMV_THEMES_DIR")) != NULL && *s != '\0')
		CFG_THEME_ADD(xstrdup(s));
	if ((s = getenv("XDG_CONFIG_HOME")) != NULL && *s == '/')
		CFG_THEME_ADD(xprintf("%s/omv/themes", s));
	else
		CFG_THEME_ADD(xprintf("%s/.config/omv/themes", home_dir()));
#ifdef OMV_DATADIR
	CFG_THEME_ADD(xstrdup(OMV_DATADIR "/themes"));
#endif
	CFG_THEME_ADD(xstrdup("/usr/local/share/omv/themes"));
	CFG_THEME_ADD(xstrdup("/usr/share/omv/themes"));
	if ((exe = cfg_theme_exe_dir()) != NULL) {
		CFG_THEME_ADD(xprintf("%s/themes", exe));
		CFG_THEME_ADD(xprintf("%s/../share/omv/themes", exe));
		free(exe);
	}
#undef CFG_THEME_ADD
	*n = nv;
	return (v);
}

/* Is this a plain theme name (no path, no leading dot)? */
static bool
cfg_theme_plain_name(const char *name)
{
	const char	*p;

	if (*name == '\0' || *name == '.')
		return (false);
	for (p = name; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.'))
			return (false);
	}
	return (true);
}

char *
cfg_theme_find(const char *name, char **cause)
{
	struct sbuf	  sb;
	char		**dirs, *path, *found = NULL;
	size_t		  ndirs, i, len;
	const char	 *ext;

	if (strchr(name, '/') != NULL) {
		if (access(name, R_OK) != 0) {
			xasprintf(cause, "%s: %s", name, strerror(errno));
			return (NULL);
		}
		return (xstrdup(name));
	}
	if (!cfg_theme_plain_name(name)) {
		xasprintf(cause, "bad theme name '%s'", name);
		return (NULL);
	}
	len = strlen(name);
	ext = len > 5 && strcmp(name + len - 5, ".conf") == 0 ? "" : ".conf";

	dirs = cfg_theme_dirs(&ndirs);
	for (i = 0; i < ndirs && found == NULL; i++) {
		path = xprintf("%s/%s%s", dirs[i], name, ext);
		if (access(path, R_OK) == 0)
			found = path;
		else
			free(path);
	}
	if (found == NULL) {
		sbuf_init(&sb);
		sbuf_addf(&sb, "theme '%s' not found in", name);
		for (i = 0; i < ndirs; i++)
			sbuf_addf(&sb, "%s %s", i == 0 ? "" : ",", dirs[i]);
		*cause = sbuf_steal(&sb);
	}
	strv_free(dirs, ndirs);
	return (found);
}

/* A colour setting (string or index) into *out. */
static void
cfg_theme_colour(struct cfg_theme_errs *ce, const config_setting_t *s,
    const char *element, int *out)
{
	const char	*str;
	int		 line = (int)config_setting_source_line(s), v;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int(s);
		if (config_setting_type(s) == CONFIG_TYPE_INT64 ||
		    v < 0 || v > 255) {
			cfg_theme_error(ce, line, "%s: colour %lld out of "
			    "range (0-255)", element,
			    config_setting_get_int64(s));
			return;
		}
		*out = v;
		return;
	case CONFIG_TYPE_STRING:
		str = config_setting_get_string(s);
		if (colour_parse(str, out) != 0) {
			cfg_theme_error(ce, line, "%s: unknown colour '%s'",
			    element, str);
		}
		return;
	default:
		cfg_theme_error(ce, line, "%s: %s must be a colour name, "
		    "\"#rrggbb\" or 0-255", element, config_setting_name(s));
		return;
	}
}

/* One attribute name into *attrs. */
static void
cfg_theme_attr(struct cfg_theme_errs *ce, int line, const char *element,
    const char *name, int *attrs)
{
	int	bit;

	if (strcasecmp(name, "none") == 0)
		return;
	if ((bit = theme_attr_parse(name)) == -1) {
		cfg_theme_error(ce, line, "%s: unknown attribute '%s' (bold, "
		    "underline, reverse, dim, italic, blink, standout, none)",
		    element, name);
		return;
	}
	*attrs |= bit;
}

/* attrs: "bold underline", "bold,underline" or [ "bold", "underline" ]. */
static void
cfg_theme_attrs(struct cfg_theme_errs *ce, const config_setting_t *s,
    const char *element, int *attrs)
{
	const config_setting_t	*e;
	const char		*str;
	char			*copy, *w, *save;
	int			 i, n, line;

	line = (int)config_setting_source_line(s);
	*attrs = 0;
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		copy = xstrdup(config_setting_get_string(s));
		for (w = strtok_r(copy, " ,|", &save); w != NULL;
		    w = strtok_r(NULL, " ,|", &save))
			cfg_theme_attr(ce, line, element, w, attrs);
		free(copy);
		return;
	}
	if (!config_setting_is_aggregate(s) || config_setting_is_group(s)) {
		cfg_theme_error(ce, line, "%s: attrs must be a string or a "
		    "list of names", element);
		return;
	}
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if ((str = config_setting_get_string(e)) == NULL) {
			cfg_theme_error(ce, (int)config_setting_source_line(e),
			    "%s: attrs must be names", element);
			continue;
		}
		cfg_theme_attr(ce, (int)config_setting_source_line(e), element,
		    str, attrs);
	}
}

/* One element group into t. */
static void
cfg_theme_element(struct cfg_theme_errs *ce, struct theme *t,
    const config_setting_t *g, enum theme_element el)
{
	const config_setting_t	*m;
	struct theme_style	 style;
	const char		*name = theme_element_name(el), *field;
	int			 i, n, errs = ce->n;

	style.fg = COLOUR_DEFAULT;
	style.bg = COLOUR_DEFAULT;
	style.attrs = 0;
	n = config_setting_length(g);
	for (i = 0; i < n; i++) {
		m = config_setting_get_elem(g, (unsigned int)i);
		field = config_setting_name(m);
		if (strcmp(field, "fg") == 0)
			cfg_theme_colour(ce, m, name, &style.fg);
		else if (strcmp(field, "bg") == 0)
			cfg_theme_colour(ce, m, name, &style.bg);
		else if (strcmp(field, "attrs") == 0)
			cfg_theme_attrs(ce, m, name, &style.attrs);
		else {
			cfg_theme_error(ce, (int)config_setting_source_line(m),
			    "%s: unknown field '%s' (fg, bg, attrs)", name,
			    field);
		}
	}
	if (ce->n == errs)
		theme_set(t, el, &style);
}

/* The file name without directory and ".conf", for a theme with no name. */
static char *
cfg_theme_basename(const char *path)
{
	const char	*base = strrchr(path, '/');
	size_t		 len;

	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".conf") == 0)
		len -= 5;
	return (xstrndup(base, len));
}

struct theme *
cfg_theme_load_file(const char *path, char **cause)
{
	config_t		 cf;
	config_setting_t	*root, *s;
	struct cfg_theme_errs	 ce;
	struct theme		*t;
	enum theme_element	 el;
	const char		*name, *str;
	char			*base;
	int			 i, n, line;
	FILE			*f;

	if ((f = fopen(path, "r")) == NULL) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	memset(&ce, 0, sizeof ce);
	ce.path = path;
	sbuf_init(&ce.sb);
	config_init(&cf);
	if (config_read(&cf, f) != CONFIG_TRUE) {
		cfg_theme_error(&ce, config_error_line(&cf), "%s",
		    config_error_text(&cf));
		fclose(f);
		config_destroy(&cf);
		*cause = sbuf_steal(&ce.sb);
		return (NULL);
	}
	fclose(f);

	base = cfg_theme_basename(path);
	t = theme_create(base);
	free(base);
	theme_set_path(t, path);
	root = config_root_setting(&cf);
	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(root, (unsigned int)i);
		name = config_setting_name(s);
		line = (int)config_setting_source_line(s);
		if (strcmp(name, "name") == 0 || strcmp(name, "description") ==
		    0) {
			if ((str = config_setting_get_string(s)) == NULL) {
				cfg_theme_error(&ce, line,
				    "%s must be a string", name);
			} else if (strcmp(name, "name") == 0) {
				theme_set_name(t, str);
			}
			continue;
		}
		if (theme_element_parse(name, &el) != 0) {
			cfg_theme_error(&ce, line, "unknown element '%s'",
			    name);
			continue;
		}
		if (!config_setting_is_group(s)) {
			cfg_theme_error(&ce, line, "%s must be a group "
			    "{ fg = ...; bg = ...; attrs = ...; }", name);
			continue;
		}
		cfg_theme_element(&ce, t, s, el);
	}
	config_destroy(&cf);
	if (ce.n != 0) {
		theme_free(t);
		*cause = sbuf_steal(&ce.sb);
		return (NULL);
	}
	sbuf_free(&ce.sb);
	theme_resolve(t);
	return (t);
}

struct theme *
cfg_theme_load(const char *name, char **cause)
{
	struct theme	*t;
	char		*path;

	if (theme_no_colour())
		return (theme_create_mono());
	if (name == NULL || *name == '\0')
		name = "dark";
	if ((path = cfg_theme_find(name, cause)) != NULL) {
		t = cfg_theme_load_file(path, cause);
		free(path);
		return (t);
	}
	if (strcmp(name, "dark") == 0 || strcmp(name, "basic") == 0)
		t = theme_create_basic();
	else if (strcmp(name, "monochrome") == 0)
		t = theme_create_mono();
	else
		return (NULL);
	log_debug("%s: %s; using the built-in %s theme", __func__, *cause,
	    theme_name(t));
	free(*cause);
	*cause = NULL;
	theme_resolve(t);
	return (t);
}
