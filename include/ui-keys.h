/*
 * ui-keys.h: keystrokes from curses to omv key codes (keymap.h).  The only
 * part of key handling that knows curses.
 */
#ifndef UI_KEYS_H
#define UI_KEYS_H

#include <stdint.h>
#include <wchar.h>

/*
 * Learn the codes curses gives modified cursor keys (xterm's kUP5 = C-Up,
 * kLFT3 = M-Left ...) from terminfo.  Call once after initscr() and keypad().
 */
void ui_keys_init(void);

/*
 * Translate a wget_wch() result (its return value and the character or
 * KEY_* code) into *key.  Returns 0, or -1 for ERR and for codes that are
 * not keys (KEY_RESIZE, KEY_MOUSE: handle those before calling) or unknown.
 * A lone Escape comes back as KEYC_ESCAPE; pairing it with the next key into
 * a meta key (key | KEYC_META) is the caller's, as only it knows the time.
 */
int ui_keys_from_curses(int ret, wint_t wch, uint32_t *key);

#endif
