/*
 * colour.h: colour values and the colour arithmetic of the console, with no
 * terminal library in sight.  A colour is an int:
 *
 *	COLOUR_DEFAULT			the terminal's own default colour
 *	0 .. 255			an index into the xterm 256-colour palette
 *	COLOUR_FLAG_RGB | 0xRRGGBB	a direct (24-bit) colour
 *
 * colour_terminal() turns one into the colour number the outer terminal
 * understands, mapping down to 256, 16 or 8 colours when it has fewer.
 */
#ifndef COLOUR_H
#define COLOUR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COLOUR_DEFAULT	(-1)
#define COLOUR_FLAG_RGB	0x01000000

/* Longest colour_tostring() result plus the NUL ("brightmagenta"). */
#define COLOUR_NAME_MAX	16

/* Build a direct colour. */
int colour_rgb(uint8_t r, uint8_t g, uint8_t b);
bool colour_is_rgb(int c);
/* The 0xRRGGBB value of any colour: palette entries use xterm's defaults.  -1 for COLOUR_DEFAULT. */
int32_t colour_to_rgb(int c);
/* xterm's default value of palette entry idx (0..255) as 0xRRGGBB. */
uint32_t colour_palette(int idx);

/*
 * The nearest palette entry to an RGB value, searched in the 6x6x6 cube and
 * the 24-step grey ramp (16..255) like tmux's colour_find_rgb, but measured
 * in CIE Lab (CIE76 delta E).  Never returns 0..15: those are the
 * terminal's themable colours and their real values are unknown.  Every
 * entry 16..255 maps back to itself.  Keeps a small cache (not thread-safe;
 * omv has one thread).
 */
int colour_find_rgb(uint8_t r, uint8_t g, uint8_t b);
/* The nearest of the 16 ANSI colours (by hue and lightness, not raw distance). */
int colour_find_16(uint8_t r, uint8_t g, uint8_t b);
/* The nearest of the 8 basic ANSI colours. */
int colour_find_8(uint8_t r, uint8_t g, uint8_t b);
/* Palette index (0..255) to the nearest of 16; 0..15 map to themselves. */
int colour_256_to_16(int idx);

/*
 * The colour number to hand the terminal library (ncurses' alloc_pair) for
 * colour c on a terminal with ncolours colours: -1 for the default colour.
 * direct: the terminal takes 24-bit values (ncurses' direct-colour mode:
 * numbers 0..7 are the ANSI colours, anything larger is 0xRRGGBB).  With
 * fewer than 8 colours every colour is -1.
 */
int colour_terminal(int c, int ncolours, bool direct);

/*
 * Parse "default", "red" .. "white", "brightblack" .. "brightwhite",
 * "colour208" / "color208" / "colour 208", "208", "#rrggbb" or "#rgb"
 * (case-insensitive).  Returns 0 or -1.
 */
int colour_parse(const char *, int *);
/* The canonical name of c, as colour_parse() reads it, into buf. */
const char *colour_tostring(int c, char *buf, size_t len);

#endif
