/*
 * ui-keys.c: curses key codes to omv key codes.
 *
 * Plain characters arrive as OK and a wide character: control characters
 * become C-x (keymap_key_normalise), CR and LF are Enter.  Function keys
 * arrive as KEY_CODE_YES and a KEY_* code; the standard codes are a table.
 * Modified cursor keys have no standard code: xterm-like terminfo entries
 * describe them as extended capabilities (kUP5 is C-Up; the digit is 1 plus
 * a bit mask, shift 1, meta 2, control 4) to which ncurses assigns codes at
 * start-up, so ui_keys_init() asks key_defined() for each and keeps a table.
 * Likewise F13..F24 are S-F1..S-F12, F25..F36 C-F1..C-F12 (xterm).
 */
#include <curses.h>
#include <term.h>
#include <stdio.h>
#include <string.h>

#include "omv.h"
#include "keymap.h"
#include "ui-keys.h"

static const struct {
	int		 code;
	uint32_t	 key;
} ui_keys_std[] = {
	{ KEY_UP, KEYC_UP },
	{ KEY_DOWN, KEYC_DOWN },
	{ KEY_LEFT, KEYC_LEFT },
	{ KEY_RIGHT, KEYC_RIGHT },
	{ KEY_HOME, KEYC_HOME },
	{ KEY_END, KEYC_END },
	{ KEY_PPAGE, KEYC_PPAGE },
	{ KEY_NPAGE, KEYC_NPAGE },
	{ KEY_IC, KEYC_IC },
	{ KEY_DC, KEYC_DC },
	{ KEY_BTAB, KEYC_BTAB },
	{ KEY_ENTER, KEYC_ENTER },
	{ KEY_BACKSPACE, KEYC_BSPACE },
	{ KEY_SR, KEYC_UP | KEYC_SHIFT },
	{ KEY_SF, KEYC_DOWN | KEYC_SHIFT },
	{ KEY_SLEFT, KEYC_LEFT | KEYC_SHIFT },
	{ KEY_SRIGHT, KEYC_RIGHT | KEYC_SHIFT },
	{ KEY_SHOME, KEYC_HOME | KEYC_SHIFT },
	{ KEY_SEND, KEYC_END | KEYC_SHIFT },
	{ KEY_SPREVIOUS, KEYC_PPAGE | KEYC_SHIFT },
	{ KEY_SNEXT, KEYC_NPAGE | KEYC_SHIFT },
	{ KEY_SIC, KEYC_IC | KEYC_SHIFT },
	{ KEY_SDC, KEYC_DC | KEYC_SHIFT },
};
#define UI_KEYS_NSTD (sizeof ui_keys_std / sizeof ui_keys_std[0])

/* Extended capability stems and the key each names. */
static const struct {
	const char	*stem;
	uint32_t	 key;
} ui_keys_stems[] = {
	{ "kUP", KEYC_UP },
	{ "kDN", KEYC_DOWN },
	{ "kLFT", KEYC_LEFT },
	{ "kRIT", KEYC_RIGHT },
	{ "kHOM", KEYC_HOME },
	{ "kEND", KEYC_END },
	{ "kPRV", KEYC_PPAGE },
	{ "kNXT", KEYC_NPAGE },
	{ "kIC", KEYC_IC },
	{ "kDC", KEYC_DC },
};
#define UI_KEYS_NSTEMS (sizeof ui_keys_stems / sizeof ui_keys_stems[0])

/* Codes learnt by ui_keys_init(): stems times modifier digits 2..8. */
static struct {
	int		 code;
	uint32_t	 key;
} ui_keys_ext[UI_KEYS_NSTEMS * 7];
static size_t ui_keys_next;

void
ui_keys_init(void)
{
	char		 name[16];
	const char	*s;
	uint32_t	 mods;
	size_t		 i;
	int		 digit, code;

	ui_keys_next = 0;
	for (i = 0; i < UI_KEYS_NSTEMS; i++) {
		for (digit = 2; digit <= 8; digit++) {
			snprintf(name, sizeof name, "%s%d",
			    ui_keys_stems[i].stem, digit);
			s = tigetstr(name);
			if (s == NULL || s == (char *)-1 || *s == '\0')
				continue;
			if ((code = key_defined(s)) <= 0)
				continue;
			mods = 0;
			if ((digit - 1) & 1)
				mods |= KEYC_SHIFT;
			if ((digit - 1) & 2)
				mods |= KEYC_META;
			if ((digit - 1) & 4)
				mods |= KEYC_CTRL;
			ui_keys_ext[ui_keys_next].code = code;
			ui_keys_ext[ui_keys_next].key = ui_keys_stems[i].key |
			    mods;
			ui_keys_next++;
		}
	}
	log_debug("%s: %zu modified keys", __func__, ui_keys_next);
}

/* A KEY_* code to a key. */
static int
ui_keys_code(int code, uint32_t *key)
{
	static const uint32_t	 fmods[5] = {
		0, KEYC_SHIFT, KEYC_CTRL, KEYC_CTRL | KEYC_SHIFT, KEYC_META
	};
	size_t			 i;
	int			 n;

	for (i = 0; i < UI_KEYS_NSTD; i++) {
		if (ui_keys_std[i].code == code) {
			*key = ui_keys_std[i].key;
			return (0);
		}
	}
	if (code >= KEY_F(1) && code <= KEY_F(60)) {
		n = code - KEY_F(1);
		*key = (KEYC_F1 + (uint32_t)(n % 12)) | fmods[n / 12];
		return (0);
	}
	for (i = 0; i < ui_keys_next; i++) {
		if (ui_keys_ext[i].code == code) {
			*key = ui_keys_ext[i].key;
			return (0);
		}
	}
	return (-1);
}

int
ui_keys_from_curses(int ret, wint_t wch, uint32_t *key)
{
	if (ret == KEY_CODE_YES)
		return (ui_keys_code((int)wch, key));
	if (ret != OK)
		return (-1);
	if (wch == '\r' || wch == '\n')
		*key = KEYC_ENTER;
	else if (wch == 0x7f)
		*key = KEYC_BSPACE;
	else if (wch > 0x10ffff)
		return (-1);
	else
		*key = keymap_key_normalise((uint32_t)wch);
	return (0);
}
