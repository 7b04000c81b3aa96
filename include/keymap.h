/*
 * keymap.h: keys and key bindings, tmux style, with no terminal library.
 *
 * A key is a uint32_t: a Unicode code point or a KEYC_* special (above the
 * Unicode range), or'd with KEYC_CTRL / KEYC_META / KEYC_SHIFT.  Keys are
 * kept canonical so one keystroke has one code: C-x is 'x' | KEYC_CTRL
 * (lower case), the control characters that have names are those names
 * (C-i is Tab, C-m is Enter, C-[ is Escape), S-x is 'X', S-Tab is BTab.
 *
 * Bindings live in tables: "root" (always active), "prefix" (after the
 * prefix key), "sidebar", "copy" (scrollback) and "queue" (approvals).  The
 * console's input loop: in the root state a key equal to keymap_prefix()
 * enters the prefix state, otherwise a root binding runs or the key goes to
 * the focused pane; in the prefix state the prefix table is looked up once
 * (an unbound key is dropped) and the state returns to root.  Focus on the
 * sidebar, scrollback or approvals queue looks keys up in their table
 * instead of sending them to the pane.
 *
 * The default bindings are config text (cfg-keys.c) parsed like the user's
 * ui.keys; a user binding replaces the default on the same table and key,
 * and the command "" or "none" unbinds.
 */
#ifndef KEYMAP_H
#define KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

struct key_binding;
struct keymap;

#define KEYC_META	0x01000000u
#define KEYC_CTRL	0x02000000u
#define KEYC_SHIFT	0x04000000u
#define KEYC_MASK_MODS	0x0f000000u
#define KEYC_MASK_KEY	0x00ffffffu
#define KEYC_NONE	0x00ffffffu

/* Named keys that are characters. */
#define KEYC_TAB	0x09u
#define KEYC_ENTER	0x0du
#define KEYC_ESCAPE	0x1bu
#define KEYC_SPACE	0x20u
#define KEYC_BSPACE	0x7fu

/* Special keys, above Unicode. */
enum key_special {
	KEYC_BASE = 0x110000,
	KEYC_F1 = KEYC_BASE,
	KEYC_F2, KEYC_F3, KEYC_F4, KEYC_F5, KEYC_F6, KEYC_F7, KEYC_F8,
	KEYC_F9, KEYC_F10, KEYC_F11, KEYC_F12,
	KEYC_UP,
	KEYC_DOWN,
	KEYC_LEFT,
	KEYC_RIGHT,
	KEYC_HOME,
	KEYC_END,
	KEYC_PPAGE,
	KEYC_NPAGE,
	KEYC_IC,
	KEYC_DC,
	KEYC_BTAB,
	KEYC_LAST
};

/* Longest keymap_key_string() result plus the NUL. */
#define KEYMAP_KEY_MAX	32

/* Parse a key name ("C-b", "M-Up", "PageUp", "%", "F5" ...).  0 or -1. */
int keymap_key_parse(const char *, uint32_t *);
/* Canonical name of a key into buf (KEYMAP_KEY_MAX bytes suffice). */
const char *keymap_key_string(uint32_t, char *buf, size_t len);
/* Canonical form of a key built by hand (C-I -> Tab, C-B -> C-b ...). */
uint32_t keymap_key_normalise(uint32_t);

/* What a bound command does, parsed. */
enum keymap_op {
	KEYOP_NONE,
	/* Pane commands (root and prefix tables). */
	KEYOP_SPLIT_H,		/* split-h: side by side */
	KEYOP_SPLIT_V,		/* split-v: stacked */
	KEYOP_SELECT_PANE,	/* select-pane -L|-R|-U|-D */
	KEYOP_RESIZE_PANE,	/* resize-pane -L|-R|-U|-D [N] */
	KEYOP_KILL_PANE,
	KEYOP_ZOOM,
	KEYOP_EVEN,
	KEYOP_SIDEBAR,
	KEYOP_COPY_MODE,
	KEYOP_HELP,		/* every table */
	KEYOP_QUIT,
	KEYOP_SEND_PREFIX,
	KEYOP_APPROVALS,
	KEYOP_COMMAND_PROMPT,
	KEYOP_RECONNECT,
	/* Mode commands (sidebar, copy and queue tables). */
	KEYOP_UP,
	KEYOP_DOWN,
	KEYOP_PAGE_UP,
	KEYOP_PAGE_DOWN,
	KEYOP_TOP,
	KEYOP_BOTTOM,
	KEYOP_OPEN,		/* sidebar, queue */
	KEYOP_CANCEL,
	KEYOP_SEARCH,		/* copy */
	KEYOP_SEARCH_NEXT,
	KEYOP_SEARCH_PREV,
	KEYOP_APPROVE,		/* queue */
	KEYOP_DENY,
	KEYOP_FILTER,		/* sidebar */
	KEYOP_TOGGLE,		/* sidebar: collapse or expand a group */
	KEYOP_BEGIN_SELECTION,	/* copy */
	KEYOP_COPY_SELECTION,
	KEYOP_MARK,		/* queue: mark or unmark for a batch */
	KEYOP_APPROVE_MARKED	/* queue */
};

struct keymap_cmd {
	enum keymap_op		 op;
	enum layout_dir		 dir;	/* select-pane, resize-pane */
	int			 count;	/* resize-pane: cells, default 1 */
};

/* Parse "select-pane -L", "resize-pane -U 5" ...  0, or -1 and *cause. */
int keymap_cmd_parse(const char *, struct keymap_cmd *, char **cause);
/* One line of help for a command ("split the pane side by side"), or NULL. */
const char *keymap_cmd_help(const char *command);

/* Is this a table name? */
bool keymap_table_valid(const char *);

/*
 * Check one binding: the table, the key name and the command (which must be
 * valid in that table; "" and "none" unbind).  0, or -1 and a message
 * without the file and line ("unknown key 'C-'") in *cause.
 */
int keymap_check(const struct key_binding *, char **cause);

/*
 * The default bindings, then the user's on top.  NULL and *cause on an
 * error; a user binding's message starts with "line N: ".
 */
struct keymap *keymap_create(const struct key_binding *user, size_t n,
    char **cause);
void keymap_free(struct keymap *);

/* Bind (or with "" / "none" unbind) one key. */
int keymap_bind(struct keymap *, const char *table, const char *key,
    const char *command, char **cause);

/*
 * Change the prefix key (default C-b).  The default send-prefix binding
 * follows it unless the user bound that key in the prefix table.
 */
int keymap_set_prefix(struct keymap *, const char *key, char **cause);
uint32_t keymap_prefix(const struct keymap *);

/* The command bound to key in table, or NULL. */
const char *keymap_lookup(const struct keymap *, const char *table,
    uint32_t key);

/* One binding, for the help overlay. */
struct keymap_entry {
	const char	*table;		/* static */
	uint32_t	 key;
	const char	*command;	/* borrowed from the keymap */
	const char	*help;		/* static; NULL if none */
	bool		 user;		/* from the user's config */
};

/*
 * Every binding, table by table (root, prefix, sidebar, copy, queue) in the
 * order bound; returns the count, which may exceed max.
 */
size_t keymap_list(const struct keymap *, struct keymap_entry *, size_t max);

#endif
