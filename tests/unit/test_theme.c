/*
 * test_theme.c: the element table, the three shipped themes (every element
 * set, states distinguishable, text readable against its background), the
 * syntax a theme may use, broken themes with their file:line errors
 * (tests/data/themes/errors.txt), the theme search and NO_COLOR.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omv.h"
#include "colour.h"
#include "theme.h"

static const char *
data_dir(void)
{
	const char	*dir = getenv("OMV_TEST_DATA");

	return (dir != NULL ? dir : "tests/data");
}

static void
test_theme_elements(void **state)
{
	enum theme_element	e;
	int			i, j, p;

	(void)state;
	for (i = 0; i < THEME_COUNT; i++) {
		assert_int_equal(theme_element_parse(theme_element_name(i), &e),
		    0);
		assert_int_equal(e, i);
		for (j = 0; j < i; j++)
			assert_string_not_equal(theme_element_name(i),
			    theme_element_name(j));
		/* Parents come first, so one resolve pass suffices. */
		p = theme_element_parent(i);
		assert_true(p < i);
	}
	assert_int_equal(theme_element_parse("sidbar", &e), -1);
	assert_int_equal(theme_attr_parse("underline"), THEME_UNDERLINE);
	assert_int_equal(theme_attr_parse("BOLD"), THEME_BOLD);
	assert_int_equal(theme_attr_parse("flashing"), -1);
	assert_string_equal(theme_attr_name(THEME_STANDOUT), "standout");
	assert_int_equal(theme_env_element(ENV_PRODUCTION), THEME_ENV_PRODUCTION);
	assert_int_equal(theme_env_element(ENV_DEVELOPMENT),
	    THEME_ENV_DEVELOPMENT);
	assert_int_equal(theme_env_element(ENV_NONE), THEME_SIDEBAR);
	assert_int_equal(theme_risk_element(RISK_LOW), THEME_RISK_LOW);
	assert_int_equal(theme_risk_element(RISK_CRITICAL), THEME_RISK_CRITICAL);
}

static bool
style_equal(const struct theme_style *a, const struct theme_style *b)
{
	return (a->fg == b->fg && a->bg == b->bg && a->attrs == b->attrs);
}

/* No two of these elements look the same. */
static void
assert_distinct(const struct theme *t, const enum theme_element *v, int n)
{
	int	i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (style_equal(theme_style(t, v[i]),
			    theme_style(t, v[j])))
				fail_msg("%s: %s looks like %s", theme_name(t),
				    theme_element_name(v[i]),
				    theme_element_name(v[j]));
		}
	}
}

/* States the operator must tell apart in every theme. */
static void
check_distinct(const struct theme *t)
{
	static const enum theme_element envs[] = {
		THEME_ENV_PRODUCTION, THEME_ENV_STAGING, THEME_ENV_DEVELOPMENT
	};
	static const enum theme_element risks[] = {
		THEME_RISK_LOW, THEME_RISK_MEDIUM, THEME_RISK_HIGH,
		THEME_RISK_CRITICAL
	};
	static const enum theme_element borders[] = {
		THEME_BORDER_ACTIVE, THEME_BORDER_INACTIVE
	};
	static const enum theme_element titles[] = {
		THEME_TITLE_ACTIVE, THEME_TITLE_INACTIVE
	};
	static const enum theme_element rows[] = {
		THEME_SIDEBAR, THEME_SELECTION
	};
	static const enum theme_element sessions[] = {
		THEME_SESSION_CONNECTED, THEME_SESSION_CONNECTING,
		THEME_SESSION_DISCONNECTED
	};

	assert_distinct(t, envs, 3);
	assert_distinct(t, risks, 4);
	assert_distinct(t, borders, 2);
	assert_distinct(t, titles, 2);
	assert_distinct(t, rows, 2);
	assert_distinct(t, sessions, 3);
}

/* WCAG relative luminance of a colour value. */
static double
luminance(int c)
{
	int32_t	v = colour_to_rgb(c);
	double	ch[3], x;
	int	i;

	for (i = 0; i < 3; i++) {
		x = ((v >> (16 - 8 * i)) & 0xff) / 255.0;
		ch[i] = x <= 0.03928 ? x / 12.92 : pow((x + 0.055) / 1.055, 2.4);
	}
	return (0.2126 * ch[0] + 0.7152 * ch[1] + 0.0722 * ch[2]);
}

static double
contrast(int a, int b)
{
	double	la = luminance(a), lb = luminance(b);

	return (la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05));
}

/*
 * Text is readable: an explicit pair has at least min contrast; over the
 * terminal's background, the theme's assumed background (black or white)
 * at least 2.
 */
static void
check_contrast(const struct theme *t, int assumed_bg, double min)
{
	const struct theme_style	*s;
	double				 c;
	int				 i;

	for (i = 0; i < THEME_COUNT; i++) {
		s = theme_style(t, i);
		if (s->fg == COLOUR_DEFAULT)
			continue;
		if (s->bg != COLOUR_DEFAULT) {
			if ((c = contrast(s->fg, s->bg)) < min)
				fail_msg("%s: %s contrast %.2f", theme_name(t),
				    theme_element_name(i), c);
		} else if ((c = contrast(s->fg, assumed_bg)) < 2.0)
			fail_msg("%s: %s contrast %.2f on the terminal",
			    theme_name(t), theme_element_name(i), c);
	}
}

static void
test_theme_shipped(void **state)
{
	static const struct {
		const char	*name;
		int		 bg;
		double		 min;
	} themes[] = {
		{ "dark", 0, 3.0 },
		{ "light", 15, 3.0 },
		{ "high-contrast", 0, 4.5 },
	};
	struct theme	*t;
	char		 path[256], *cause = NULL;
	size_t		 i;
	int		 e;

	(void)state;
	for (i = 0; i < sizeof themes / sizeof themes[0]; i++) {
		snprintf(path, sizeof path, "themes/%s.conf", themes[i].name);
		t = cfg_theme_load_file(path, &cause);
		if (t == NULL)
			fail_msg("%s", cause);
		assert_string_equal(theme_name(t), themes[i].name);
		assert_string_equal(theme_path(t), path);
		for (e = 0; e < THEME_COUNT; e++) {
			if (!theme_is_set(t, e))
				fail_msg("%s: %s not set", path,
				    theme_element_name(e));
		}
		assert_true(theme_has_colour(t));
		check_distinct(t);
		check_contrast(t, themes[i].bg, themes[i].min);
		theme_free(t);
	}
	theme_free(NULL);
}

static void
test_theme_builtin(void **state)
{
	struct theme			*t;
	const struct theme_style	*s;
	int				 e;

	(void)state;
	t = theme_create_mono();
	assert_false(theme_has_colour(t));
	check_distinct(t);
	for (e = 0; e < THEME_COUNT; e++)
		assert_true(theme_is_set(t, e));
	s = theme_style(t, THEME_ENV_PRODUCTION);
	assert_int_equal(s->attrs, THEME_BOLD | THEME_REVERSE);
	s = theme_style(t, THEME_RISK_CRITICAL);
	assert_int_equal(s->attrs, THEME_BOLD | THEME_REVERSE | THEME_BLINK);
	theme_free(t);

	t = theme_create_basic();
	check_distinct(t);
	check_contrast(t, 0, 3.0);
	/* 8 colours only: works on the plainest colour terminal. */
	for (e = 0; e < THEME_COUNT; e++) {
		s = theme_style(t, e);
		assert_true(s->fg < 8 && s->bg < 8);
	}
	theme_free(t);
}

/* Every syntax a theme file may use. */
static void
test_theme_syntax(void **state)
{
	struct theme			*t;
	const struct theme_style	*s;
	char				 path[4096], *cause = NULL;

	(void)state;
	snprintf(path, sizeof path, "%s/themes/good.conf", data_dir());
	t = cfg_theme_load_file(path, &cause);
	if (t == NULL)
		fail_msg("%s", cause);
	assert_string_equal(theme_name(t), "good one");
	s = theme_style(t, THEME_SIDEBAR);
	assert_int_equal(s->fg, 8);
	assert_int_equal(s->bg, COLOUR_DEFAULT);
	s = theme_style(t, THEME_SIDEBAR_GROUP);
	assert_int_equal(s->fg, 208);
	assert_int_equal(s->attrs, THEME_BOLD | THEME_UNDERLINE);
	s = theme_style(t, THEME_SELECTION);
	assert_int_equal(s->fg, colour_rgb(0xff, 0x87, 0x00));
	assert_int_equal(s->bg, colour_rgb(0x00, 0xaa, 0xff));
	assert_int_equal(s->attrs, THEME_REVERSE | THEME_BOLD);
	s = theme_style(t, THEME_ENV_PRODUCTION);
	assert_int_equal(s->fg, 196);
	assert_int_equal(s->bg, 16);
	assert_int_equal(s->attrs, THEME_BLINK);
	s = theme_style(t, THEME_ENV_STAGING);
	assert_int_equal(s->fg, 3);
	assert_int_equal(s->attrs, THEME_DIM | THEME_ITALIC | THEME_STANDOUT);
	s = theme_style(t, THEME_ENV_DEVELOPMENT);
	assert_int_equal(s->fg, 2);
	assert_int_equal(s->attrs, 0);
	/* Left out: copied from its parent, and not marked as set. */
	assert_false(theme_is_set(t, THEME_TITLE_ACTIVE));
	s = theme_style(t, THEME_TITLE_ACTIVE);
	assert_int_equal(s->fg, 0);
	assert_int_equal(s->bg, 255);
	assert_true(theme_is_set(t, THEME_DEFAULT));
	assert_int_equal(theme_style(t, THEME_DEFAULT)->fg, COLOUR_DEFAULT);
	/* Left out with no parent: the terminal's defaults. */
	s = theme_style(t, THEME_RISK_HIGH);
	assert_int_equal(s->fg, COLOUR_DEFAULT);
	assert_int_equal(s->attrs, 0);
	theme_free(t);
}

/* Load one broken theme and compare all its errors. */
static void
check_broken(const char *file, const char *want)
{
	struct theme	*t;
	char		 path[4096], *cause = NULL;

	snprintf(path, sizeof path, "%s/themes/%s", data_dir(), file);
	t = cfg_theme_load_file(path, &cause);
	if (t != NULL)
		fail_msg("%s loaded", path);
	if (strcmp(cause, want) != 0)
		fail_msg("%s:\n got: %s\nwant: %s", file, cause, want);
	free(cause);
}

/* Broken themes: every problem, each with file:line. */
static void
test_theme_errors(void **state)
{
	FILE		*f;
	struct sbuf	 want;
	char		 path[4096], line[1024], file[1024] = "", *tab, *cause;
	int		 files = 0;

	(void)state;
	snprintf(path, sizeof path, "%s/themes/errors.txt", data_dir());
	f = fopen(path, "r");
	assert_non_null(f);
	sbuf_init(&want);
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab++ = '\0';
		if (file[0] != '\0' && strcmp(line, file) != 0) {
			check_broken(file, want.buf);
			files++;
			sbuf_reset(&want);
		}
		snprintf(file, sizeof file, "%s", line);
		if (want.len != 0)
			sbuf_addc(&want, '\n');
		sbuf_addf(&want, "%s/themes/%s", data_dir(), tab);
	}
	if (file[0] != '\0') {
		check_broken(file, want.buf);
		files++;
	}
	fclose(f);
	sbuf_free(&want);
	assert_int_equal(files, 5);

	cause = NULL;
	assert_null(cfg_theme_load_file("/nonexistent/x.conf", &cause));
	assert_string_equal(cause,
	    "/nonexistent/x.conf: No such file or directory");
	free(cause);
}

/* Finding themes by name, the built-in fallbacks and NO_COLOR. */
static void
test_theme_search(void **state)
{
	struct theme	*t;
	char		 dir[2048], want[4096], *path, *cause = NULL;
	char		**dirs;
	size_t		 n;

	(void)state;
	snprintf(dir, sizeof dir, "%s/themes", data_dir());
	setenv("OMV_THEMES_DIR", dir, 1);
	unsetenv("NO_COLOR");

	dirs = cfg_theme_dirs(&n);
	assert_true(n >= 5);
	assert_string_equal(dirs[0], dir);
	strv_free(dirs, n);

	snprintf(want, sizeof want, "%s/good.conf", dir);
	path = cfg_theme_find("good", &cause);
	assert_non_null(path);
	assert_string_equal(path, want);
	free(path);
	path = cfg_theme_find("good.conf", &cause);
	assert_string_equal(path, want);
	free(path);
	path = cfg_theme_find(want, &cause);	/* a path is a path */
	assert_string_equal(path, want);
	free(path);

	assert_null(cfg_theme_find(".hidden", &cause));
	assert_string_equal(cause, "bad theme name '.hidden'");
	free(cause);
	assert_null(cfg_theme_find("no-such-theme", &cause));
	snprintf(want, sizeof want, "theme 'no-such-theme' not found in %s, ",
	    dir);
	assert_memory_equal(cause, want, strlen(want));
	free(cause);
	assert_null(cfg_theme_load("no-such-theme", &cause));
	free(cause);
	assert_null(cfg_theme_load("bad-colour", &cause));
	assert_non_null(strstr(cause, "unknown colour 'redd'"));
	free(cause);

	/* The source tree's themes, by name. */
	setenv("OMV_THEMES_DIR", "themes", 1);
	t = cfg_theme_load("high-contrast", &cause);
	assert_non_null(t);
	assert_string_equal(theme_path(t), "themes/high-contrast.conf");
	theme_free(t);
	t = cfg_theme_load(NULL, &cause);
	assert_non_null(t);
	assert_string_equal(theme_name(t), "dark");
	theme_free(t);

	/* "dark" not installed anywhere: the built-in basic theme. */
	setenv("OMV_THEMES_DIR", "/nonexistent", 1);
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	path = cfg_theme_find("dark", &cause);
	if (path == NULL) {
		free(cause);
		cause = NULL;
		t = cfg_theme_load("dark", &cause);
		assert_non_null(t);
		assert_null(cause);
		assert_string_equal(theme_name(t), "basic");
		theme_free(t);
	}
	free(path);
	t = cfg_theme_load("monochrome", &cause);
	assert_non_null(t);
	assert_false(theme_has_colour(t));
	theme_free(t);

	/* NO_COLOR, when set and not empty, wins over ui.theme. */
	setenv("OMV_THEMES_DIR", "themes", 1);
	setenv("NO_COLOR", "1", 1);
	assert_true(theme_no_colour());
	t = cfg_theme_load("dark", &cause);
	assert_string_equal(theme_name(t), "monochrome");
	assert_false(theme_has_colour(t));
	theme_free(t);
	setenv("NO_COLOR", "", 1);
	assert_false(theme_no_colour());
	t = cfg_theme_load("dark", &cause);
	assert_string_equal(theme_name(t), "dark");
	theme_free(t);
	unsetenv("NO_COLOR");
	unsetenv("OMV_THEMES_DIR");
	unsetenv("XDG_CONFIG_HOME");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_theme_elements),
		cmocka_unit_test(test_theme_shipped),
		cmocka_unit_test(test_theme_builtin),
		cmocka_unit_test(test_theme_syntax),
		cmocka_unit_test(test_theme_errors),
		cmocka_unit_test(test_theme_search),
	};

	return (cmocka_run_group_tests_name("theme", tests, NULL, NULL));
}
