/*
 * test_colour.c: the xterm palette, nearest-colour search, depth mapping and
 * colour names.  Exact cases come from the files in tests/data/colour; the
 * 256-colour search is checked against CIE Lab (CIE76 delta E) by brute
 * force over the whole palette.
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

#include "colour.h"

/* Open a data file under $OMV_TEST_DATA/colour. */
static FILE *
data_open(const char *name)
{
	const char	*dir = getenv("OMV_TEST_DATA");
	char		 path[4096];
	FILE		*f;

	snprintf(path, sizeof path, "%s/colour/%s",
	    dir != NULL ? dir : "tests/data", name);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	return (f);
}

#define R(v) ((uint8_t)((v) >> 16))
#define G(v) ((uint8_t)(((v) >> 8) & 0xff))
#define B(v) ((uint8_t)((v) & 0xff))

/* palette.txt: INDEX RRGGBB, xterm's defaults (256colres.pl, XTerm-col.ad). */
static void
test_colour_palette(void **state)
{
	FILE		*f;
	char		 line[128];
	unsigned int	 idx, rgb;
	int		 n = 0;

	(void)state;
	f = data_open("palette.txt");
	while (fgets(line, sizeof line, f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%u %x", &idx, &rgb) != 2)
			fail_msg("palette.txt: bad line %s", line);
		if (colour_palette((int)idx) != rgb)
			fail_msg("colour %u is %06x, want %06x", idx,
			    colour_palette((int)idx), rgb);
		assert_int_equal(colour_to_rgb((int)idx), (int32_t)rgb);
		n++;
	}
	fclose(f);
	assert_true(n >= 40);
	assert_int_equal(colour_to_rgb(COLOUR_DEFAULT), -1);
	assert_int_equal(colour_to_rgb(colour_rgb(1, 2, 3)), 0x010203);
	assert_true(colour_is_rgb(colour_rgb(0, 0, 0)));
	assert_false(colour_is_rgb(0));
	assert_false(colour_is_rgb(COLOUR_DEFAULT));
}

/*
 * Round trips.  The rule: colour_find_rgb() answers 16..255 only; every
 * entry 16..255 maps back to itself (the cube and the grey ramp share no
 * value); an ANSI entry 0..15 maps to the entry with the same RGB when the
 * cube has one (0 -> 16, 9 -> 196, 15 -> 231 ...), else to its nearest.
 */
static void
test_colour_roundtrip(void **state)
{
	static const int	 same[16] = {
		16, -1, -1, -1, -1, -1, -1, -1,
		-1, 196, 46, 226, -1, 201, 51, 231
	};
	uint32_t		 v;
	int			 i, c;

	(void)state;
	for (i = 16; i < 256; i++) {
		v = colour_palette(i);
		c = colour_find_rgb(R(v), G(v), B(v));
		if (c != i)
			fail_msg("colour %d (%06x) maps to %d", i, v, c);
	}
	for (i = 0; i < 16; i++) {
		v = colour_palette(i);
		c = colour_find_rgb(R(v), G(v), B(v));
		assert_true(c >= 16 && c <= 255);
		if (same[i] != -1)
			assert_int_equal(c, same[i]);
		else
			assert_int_not_equal(colour_palette(c), v);
	}
}

/* nearest.txt: RRGGBB IDX256 IDX16 IDX8. */
static void
test_colour_nearest(void **state)
{
	FILE		*f;
	char		 line[128];
	unsigned int	 rgb;
	int		 c256, c16, c8, n = 0, lineno = 0;

	(void)state;
	f = data_open("nearest.txt");
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%x %d %d %d", &rgb, &c256, &c16, &c8) != 4)
			fail_msg("nearest.txt:%d: bad line", lineno);
		if (colour_find_rgb(R(rgb), G(rgb), B(rgb)) != c256)
			fail_msg("nearest.txt:%d: %06x -> %d, want %d", lineno,
			    rgb, colour_find_rgb(R(rgb), G(rgb), B(rgb)), c256);
		if (colour_find_16(R(rgb), G(rgb), B(rgb)) != c16)
			fail_msg("nearest.txt:%d: %06x -> %d of 16, want %d",
			    lineno, rgb, colour_find_16(R(rgb), G(rgb), B(rgb)),
			    c16);
		if (colour_find_8(R(rgb), G(rgb), B(rgb)) != c8)
			fail_msg("nearest.txt:%d: %06x -> %d of 8, want %d",
			    lineno, rgb, colour_find_8(R(rgb), G(rgb), B(rgb)),
			    c8);
		n++;
	}
	fclose(f);
	assert_true(n >= 30);
}

/* sRGB to CIE Lab (D65). */
static void
lab(uint32_t v, double *l, double *a, double *b)
{
	double	c[3], x, y, z;
	int	i;

	for (i = 0; i < 3; i++) {
		c[i] = ((v >> (16 - 8 * i)) & 0xff) / 255.0;
		c[i] = c[i] <= 0.04045 ? c[i] / 12.92 :
		    pow((c[i] + 0.055) / 1.055, 2.4);
	}
	x = (0.4124 * c[0] + 0.3576 * c[1] + 0.1805 * c[2]) / 0.95047;
	y = (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]);
	z = (0.0193 * c[0] + 0.1192 * c[1] + 0.9505 * c[2]) / 1.08883;
	x = x > 0.008856 ? cbrt(x) : 7.787 * x + 16.0 / 116;
	y = y > 0.008856 ? cbrt(y) : 7.787 * y + 16.0 / 116;
	z = z > 0.008856 ? cbrt(z) : 7.787 * z + 16.0 / 116;
	*l = 116 * y - 16;
	*a = 500 * (x - y);
	*b = 200 * (y - z);
}

static double
delta_e(uint32_t p, uint32_t q)
{
	double	l1, a1, b1, l2, a2, b2;

	lab(p, &l1, &a1, &b1);
	lab(q, &l2, &a2, &b2);
	return (sqrt((l1 - l2) * (l1 - l2) + (a1 - a2) * (a1 - a2) +
	    (b1 - b2) * (b1 - b2)));
}

/*
 * Over many colours the pick is the palette entry (16..255) nearest in Lab,
 * found here by brute force with independent code; tolerances cover float
 * rounding only.  For comparison, tmux's Euclidean RGB search averages
 * about 12.3 on this set against an optimum of 9.5.
 */
static void
test_colour_quality(void **state)
{
	uint32_t	seed = 1, v;
	double		ours, best, d, sum_ours = 0, sum_best = 0, worst = 0;
	int		i, j, n = 20000;

	(void)state;
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		v = (seed >> 8) & 0xffffff;
		ours = delta_e(v, colour_palette(colour_find_rgb(R(v), G(v),
		    B(v))));
		best = 1e9;
		for (j = 16; j < 256; j++) {
			if ((d = delta_e(v, colour_palette(j))) < best)
				best = d;
		}
		sum_ours += ours;
		sum_best += best;
		if (ours - best > worst)
			worst = ours - best;
		/* The cache answers the same. */
		assert_int_equal(colour_find_rgb(R(v), G(v), B(v)),
		    colour_find_rgb(R(v), G(v), B(v)));
	}
	print_message("mean delta E %.3f (optimum %.3f), worst excess %.3f\n",
	    sum_ours / n, sum_best / n, worst);
	assert_true(sum_ours <= sum_best * 1.001);
	assert_true(worst < 0.1);
}

static void
test_colour_depth(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < 16; i++)
		assert_int_equal(colour_256_to_16(i), i);
	assert_int_equal(colour_256_to_16(196), 9);
	assert_int_equal(colour_256_to_16(160), 1);
	assert_int_equal(colour_256_to_16(16), 0);
	assert_int_equal(colour_256_to_16(231), 15);
	assert_int_equal(colour_256_to_16(244), 8);
	assert_int_equal(colour_256_to_16(252), 7);
	assert_int_equal(colour_256_to_16(52), 1);	/* dark red stays red */
	assert_int_equal(colour_256_to_16(256), -1);
	for (i = 0; i < 256; i++) {
		assert_true(colour_256_to_16(i) >= 0);
		assert_true(colour_256_to_16(i) < 16);
	}

	/* What goes to the terminal. */
	assert_int_equal(colour_terminal(COLOUR_DEFAULT, 256, false), -1);
	assert_int_equal(colour_terminal(208, 256, false), 208);
	assert_int_equal(colour_terminal(colour_rgb(0xff, 0x80, 0), 256, false),
	    208);
	assert_int_equal(colour_terminal(208, 16, false), 11);
	assert_int_equal(colour_terminal(12, 16, false), 12);
	assert_int_equal(colour_terminal(colour_rgb(0xff, 0, 0), 16, false), 9);
	assert_int_equal(colour_terminal(9, 8, false), 1);
	assert_int_equal(colour_terminal(3, 8, false), 3);
	assert_int_equal(colour_terminal(196, 8, false), 1);
	assert_int_equal(colour_terminal(colour_rgb(0x12, 0x34, 0x56), 1 << 24,
	    true), 0x123456);
	assert_int_equal(colour_terminal(3, 1 << 24, true), 3);
	assert_int_equal(colour_terminal(208, 1 << 24, true), 0xff8700);
	assert_int_equal(colour_terminal(16, 1 << 24, true), 8);
	assert_int_equal(colour_terminal(5, 2, false), -1);
	assert_int_equal(colour_terminal(300, 256, false), -1);
}

/* names.txt: TEXT VALUE (an index, rgb:RRGGBB, default or !). */
static void
test_colour_names(void **state)
{
	FILE		*f;
	char		 line[128], text[64], val[64], buf[COLOUR_NAME_MAX];
	char		*end = NULL;
	unsigned int	 rgb;
	int		 c, again, want, n = 0, lineno = 0;

	(void)state;
	f = data_open("names.txt");
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (line[0] != '\'' || (end = strchr(line + 1, '\'')) == NULL ||
		    (size_t)(end - line - 1) >= sizeof text ||
		    sscanf(end + 1, "%63s", val) != 1)
			fail_msg("names.txt:%d: bad line", lineno);
		memcpy(text, line + 1, end - line - 1);
		text[end - line - 1] = '\0';
		n++;
		if (strcmp(val, "!") == 0) {
			if (colour_parse(text, &c) == 0)
				fail_msg("names.txt:%d: '%s' parsed", lineno,
				    text);
			continue;
		}
		if (strcmp(val, "default") == 0)
			want = COLOUR_DEFAULT;
		else if (sscanf(val, "rgb:%x", &rgb) == 1)
			want = colour_rgb(R(rgb), G(rgb), B(rgb));
		else
			want = atoi(val);
		if (colour_parse(text, &c) != 0 || c != want)
			fail_msg("names.txt:%d: '%s' -> %d, want %d", lineno,
			    text, c, want);
	}
	fclose(f);
	assert_true(n >= 25);
	assert_int_equal(colour_parse(NULL, &c), -1);

	/* Every name reads back. */
	for (c = -1; c < 256; c++) {
		colour_tostring(c, buf, sizeof buf);
		assert_int_equal(colour_parse(buf, &again), 0);
		assert_int_equal(again, c);
	}
	assert_string_equal(colour_tostring(13, buf, sizeof buf),
	    "brightmagenta");
	assert_string_equal(colour_tostring(colour_rgb(0xff, 0x87, 0), buf,
	    sizeof buf), "#ff8700");
	assert_string_equal(colour_tostring(100, buf, sizeof buf), "colour100");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_colour_palette),
		cmocka_unit_test(test_colour_roundtrip),
		cmocka_unit_test(test_colour_nearest),
		cmocka_unit_test(test_colour_quality),
		cmocka_unit_test(test_colour_depth),
		cmocka_unit_test(test_colour_names),
	};

	return (cmocka_run_group_tests_name("colour", tests, NULL, NULL));
}
