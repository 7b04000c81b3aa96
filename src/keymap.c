/*
 * keymap.c: key names, commands and binding tables.
 *
 * Key names follow tmux (key-string.c): modifiers "C-", "M-", "S-" (or
 * "^x" for C-x) before a single character or a name; names are
 * case-insensitive and have aliases ("PPage", "PgUp" for PageUp), but every
 * key has one canonical spelling that keymap_key_string() prints and
 * keymap_key_parse() reads back.
 *
 * Commands are a table too: name, the arguments it takes, the binding tables
 * it makes sense in, and the help line the overlay shows.  A binding is
 * checked against that table when it is made, so a typo in ui.keys is an
 * error at start-up rather than a key that silently does nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "omv.h"
#include "cfg.h"
#include "cfg-keys.h"
#include "keymap.h"

/* Canonical names first: keymap_key_string() prints the first match. */
static const struct {
	const char	*name;
	uint32_t	 key;
} keymap_names[] = {
	{ "Enter", KEYC_ENTER },
	{ "Escape", KEYC_ESCAPE },
	{ "Space", KEYC_SPACE },
	{ "Tab", KEYC_TAB },
	{ "BTab", KEYC_BTAB },
	{ "BSpace", KEYC_BSPACE },
	{ "Up", KEYC_UP },
	{ "Down", KEYC_DOWN },
	{ "Left", KEYC_LEFT },
	{ "Right", KEYC_RIGHT },
	{ "Home", KEYC_HOME },
	{ "End", KEYC_END },
	{ "PageUp", KEYC_PPAGE },
	{ "PageDown", KEYC_NPAGE },
	{ "Insert", KEYC_IC },
	{ "Delete", KEYC_DC },
	{ "F1", KEYC_F1 },
	{ "F2", KEYC_F2 },
	{ "F3", KEYC_F3 },
	{ "F4", KEYC_F4 },
	{ "F5", KEYC_F5 },
	{ "F6", KEYC_F6 },
	{ "F7", KEYC_F7 },
	{ "F8", KEYC_F8 },
	{ "F9", KEYC_F9 },
	{ "F10", KEYC_F10 },
	{ "F11", KEYC_F11 },
	{ "F12", KEYC_F12 },
	/* Aliases. */
	{ "Return", KEYC_ENTER },
	{ "Esc", KEYC_ESCAPE },
	{ "PPage", KEYC_PPAGE },
	{ "PgUp", KEYC_PPAGE },
	{ "NPage", KEYC_NPAGE },
	{ "PgDn", KEYC_NPAGE },
	{ "IC", KEYC_IC },
	{ "DC", KEYC_DC },
	{ "Backspace", KEYC_BSPACE },
};
#define KEYMAP_NNAMES (sizeof keymap_names / sizeof keymap_names[0])

/* Binding tables, in the order keymap_list() shows them. */
enum {
	KEYMAP_ROOT,
	KEYMAP_PREFIX,
	KEYMAP_SIDEBAR,
	KEYMAP_COPY,
	KEYMAP_QUEUE,
	KEYMAP_NTABLES
};
static const char *keymap_tables[KEYMAP_NTABLES] = {
	"root", "prefix", "sidebar", "copy", "queue"
};
#define T_ROOT		(1 << KEYMAP_ROOT)
#define T_PREFIX	(1 << KEYMAP_PREFIX)
#define T_SIDEBAR	(1 << KEYMAP_SIDEBAR)
#define T_COPY		(1 << KEYMAP_COPY)
#define T_QUEUE		(1 << KEYMAP_QUEUE)
#define T_PANE		(T_ROOT | T_PREFIX)
#define T_MODES		(T_SIDEBAR | T_COPY | T_QUEUE)

/* Arguments a command takes. */
enum keymap_args {
	ARGS_NONE,
	ARGS_DIR,		/* -L|-R|-U|-D */
	ARGS_DIR_COUNT		/* -L|-R|-U|-D [N] */
};

static const struct keymap_command {
	const char		*name;
	enum keymap_op		 op;
	enum keymap_args	 args;
	int			 tables;
	const char		*help;
} keymap_commands[] = {
	{ "split-h", KEYOP_SPLIT_H, ARGS_NONE, T_PANE,
	  "split the pane side by side" },
	{ "split-v", KEYOP_SPLIT_V, ARGS_NONE, T_PANE,
	  "split the pane, one above the other" },
	{ "select-pane", KEYOP_SELECT_PANE, ARGS_DIR, T_PANE,
	  "focus the pane on that side" },
	{ "resize-pane", KEYOP_RESIZE_PANE, ARGS_DIR_COUNT, T_PANE,
	  "move the pane's border" },
	{ "kill-pane", KEYOP_KILL_PANE, ARGS_NONE, T_PANE,
	  "close the pane" },
	{ "zoom", KEYOP_ZOOM, ARGS_NONE, T_PANE,
	  "zoom the pane to the whole area, or back" },
	{ "even", KEYOP_EVEN, ARGS_NONE, T_PANE,
	  "give the panes equal sizes" },
	{ "sidebar", KEYOP_SIDEBAR, ARGS_NONE, T_PANE,
	  "focus the server sidebar" },
	{ "copy-mode", KEYOP_COPY_MODE, ARGS_NONE, T_PANE,
	  "scroll back through the pane's history" },
	{ "help", KEYOP_HELP, ARGS_NONE, T_PANE | T_MODES,
	  "list the key bindings" },
	{ "quit", KEYOP_QUIT, ARGS_NONE, T_PANE,
	  "quit omv (asks first if sessions are open)" },
	{ "send-prefix", KEYOP_SEND_PREFIX, ARGS_NONE, T_PANE,
	  "send the prefix key to the pane" },
	{ "approvals", KEYOP_APPROVALS, ARGS_NONE, T_PANE,
	  "open the approvals queue" },
	{ "command-prompt", KEYOP_COMMAND_PROMPT, ARGS_NONE, T_PANE,
	  "open the command line" },
	{ "reconnect", KEYOP_RECONNECT, ARGS_NONE, T_PANE,
	  "reconnect a disconnected pane" },
	{ "up", KEYOP_UP, ARGS_NONE, T_MODES,
	  "move up" },
	{ "down", KEYOP_DOWN, ARGS_NONE, T_MODES,
	  "move down" },
	{ "page-up", KEYOP_PAGE_UP, ARGS_NONE, T_MODES,
	  "move up a page" },
	{ "page-down", KEYOP_PAGE_DOWN, ARGS_NONE, T_MODES,
	  "move down a page" },
	{ "top", KEYOP_TOP, ARGS_NONE, T_MODES,
	  "go to the top" },
	{ "bottom", KEYOP_BOTTOM, ARGS_NONE, T_MODES,
	  "go to the bottom" },
	{ "open", KEYOP_OPEN, ARGS_NONE, T_SIDEBAR | T_QUEUE,
	  "open the selected entry" },
	{ "cancel", KEYOP_CANCEL, ARGS_NONE, T_MODES,
	  "leave, back to the pane" },
	{ "search", KEYOP_SEARCH, ARGS_NONE, T_COPY,
	  "search the scrollback" },
	{ "search-next", KEYOP_SEARCH_NEXT, ARGS_NONE, T_COPY,
	  "next match" },
	{ "search-prev", KEYOP_SEARCH_PREV, ARGS_NONE, T_COPY,
	  "previous match" },
	{ "approve", KEYOP_APPROVE, ARGS_NONE, T_QUEUE,
	  "approve the selected request" },
	{ "deny", KEYOP_DENY, ARGS_NONE, T_QUEUE,
	  "deny the selected request" },
	{ "filter", KEYOP_FILTER, ARGS_NONE, T_SIDEBAR | T_QUEUE,
	  "filter the list by words" },
	{ "mark", KEYOP_MARK, ARGS_NONE, T_QUEUE,
	  "mark or unmark the request for a batch" },
	{ "approve-marked", KEYOP_APPROVE_MARKED, ARGS_NONE, T_QUEUE,
	  "approve every marked request" },
	{ "toggle", KEYOP_TOGGLE, ARGS_NONE, T_SIDEBAR,
	  "collapse or expand the group" },
	{ "begin-selection", KEYOP_BEGIN_SELECTION, ARGS_NONE, T_COPY,
	  "start selecting lines at the cursor" },
	{ "copy-selection", KEYOP_COPY_SELECTION, ARGS_NONE, T_COPY,
	  "copy the selected lines to the clipboard (OSC 52)" },
};
#define KEYMAP_NCOMMANDS (sizeof keymap_commands / sizeof keymap_commands[0])

struct keymap_binding {
	uint32_t	 key;
	char		*command;	/* owned */
	bool		 user;
};

struct keymap {
	struct keymap_binding	*tables[KEYMAP_NTABLES];	/* owned */
	size_t			 ntables[KEYMAP_NTABLES];
	uint32_t		 prefix;
};

/* Decode the one UTF-8 character that is all of s; -1 if s is not that. */
static int32_t
keymap_utf8(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	int32_t			 c;
	int			 n, i;

	if (u[0] < 0x80)
		return (u[0] != '\0' && u[1] == '\0' ? u[0] : -1);
	if ((u[0] & 0xe0) == 0xc0) {
		c = u[0] & 0x1f;
		n = 1;
	} else if ((u[0] & 0xf0) == 0xe0) {
		c = u[0] & 0x0f;
		n = 2;
	} else if ((u[0] & 0xf8) == 0xf0) {
		c = u[0] & 0x07;
		n = 3;
	} else
		return (-1);
	for (i = 1; i <= n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return (-1);
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (u[n + 1] != '\0')
		return (-1);
	/* Overlong forms, surrogates and values past Unicode. */
	if ((n == 1 && c < 0x80) || (n == 2 && c < 0x800) ||
	    (n == 3 && c < 0x10000) || (c >= 0xd800 && c <= 0xdfff) ||
	    c > 0x10ffff)
		return (-1);
	return (c);
}

uint32_t
keymap_key_normalise(uint32_t key)
{
	uint32_t	mods = key & KEYC_MASK_MODS, base = key & KEYC_MASK_KEY;

	if (base == KEYC_NONE)
		return (KEYC_NONE);
	/* Raw control characters as a terminal sends them: ^A is C-a. */
	if (base < 0x20 && base != KEYC_TAB && base != KEYC_ENTER &&
	    base != KEYC_ESCAPE) {
		if (base == 0x00)
			base = KEYC_SPACE;
		else if (base <= 0x1a)
			base += 'a' - 1;
		else
			base += 0x40;
		mods |= KEYC_CTRL;
	}

	if ((mods & KEYC_CTRL) && base < 0x80) {
		if (base >= 'A' && base <= 'Z')
			base += 'a' - 'A';
		if (base >= 'a' && base <= 'z')
			mods &= ~KEYC_SHIFT;
		switch (base) {
		case 'i':
			base = KEYC_TAB;
			mods &= ~KEYC_CTRL;
			break;
		case 'm':
			base = KEYC_ENTER;
			mods &= ~KEYC_CTRL;
			break;
		case '[':
			base = KEYC_ESCAPE;
			mods &= ~KEYC_CTRL;
			break;
		case '@':
			base = KEYC_SPACE;
			break;
		}
	}
	if (mods & KEYC_SHIFT) {
		if (base >= 'a' && base <= 'z') {
			base -= 'a' - 'A';
			mods &= ~KEYC_SHIFT;
		} else if (base >= 'A' && base <= 'Z')
			mods &= ~KEYC_SHIFT;
		else if (base == KEYC_TAB) {
			base = KEYC_BTAB;
			mods &= ~KEYC_SHIFT;
		}
	}
	return (base | mods);
}

int
keymap_key_parse(const char *s, uint32_t *out)
{
	uint32_t	mods = 0, mod;
	int32_t		c;
	size_t		i;

	if (s == NULL || *s == '\0')
		return (-1);
	if (s[0] == '^' && s[1] != '\0' && s[2] == '\0') {
		mods |= KEYC_CTRL;
		s++;
	}
	while (s[0] != '\0' && s[1] == '-' && s[2] != '\0') {
		switch (s[0]) {
		case 'C':
		case 'c':
			mod = KEYC_CTRL;
			break;
		case 'M':
		case 'm':
			mod = KEYC_META;
			break;
		case 'S':
		case 's':
			mod = KEYC_SHIFT;
			break;
		default:
			mod = 0;
			break;
		}
		if (mod == 0)
			break;
		mods |= mod;
		s += 2;
	}
	for (i = 0; i < KEYMAP_NNAMES; i++) {
		if (strcasecmp(s, keymap_names[i].name) == 0) {
			*out = keymap_key_normalise(keymap_names[i].key | mods);
			return (0);
		}
	}
	if ((c = keymap_utf8(s)) == -1 || c < 0x20 || c == 0x7f)
		return (-1);
	*out = keymap_key_normalise((uint32_t)c | mods);
	return (0);
}

const char *
keymap_key_string(uint32_t key, char *buf, size_t len)
{
	char		 tmp[8];
	uint32_t	 base;
	size_t		 i;
	const char	*name = NULL;

	key = keymap_key_normalise(key);
	base = key & KEYC_MASK_KEY;
	if (base == KEYC_NONE) {
		snprintf(buf, len, "None");
		return (buf);
	}
	for (i = 0; i < KEYMAP_NNAMES; i++) {
		if (keymap_names[i].key == base) {
			name = keymap_names[i].name;
			break;
		}
	}
	if (name == NULL) {
		if (base < 0x80) {
			tmp[0] = (char)base;
			tmp[1] = '\0';
		} else if (base < 0x800) {
			tmp[0] = (char)(0xc0 | (base >> 6));
			tmp[1] = (char)(0x80 | (base & 0x3f));
			tmp[2] = '\0';
		} else if (base < 0x10000) {
			tmp[0] = (char)(0xe0 | (base >> 12));
			tmp[1] = (char)(0x80 | ((base >> 6) & 0x3f));
			tmp[2] = (char)(0x80 | (base & 0x3f));
			tmp[3] = '\0';
		} else if (base <= 0x10ffff) {
			tmp[0] = (char)(0xf0 | (base >> 18));
			tmp[1] = (char)(0x80 | ((base >> 12) & 0x3f));
			tmp[2] = (char)(0x80 | ((base >> 6) & 0x3f));
			tmp[3] = (char)(0x80 | (base & 0x3f));
			tmp[4] = '\0';
		} else
			snprintf(tmp, sizeof tmp, "?");
		name = tmp;
	}
	snprintf(buf, len, "%s%s%s%s", (key & KEYC_CTRL) ? "C-" : "",
	    (key & KEYC_META) ? "M-" : "", (key & KEYC_SHIFT) ? "S-" : "",
	    name);
	return (buf);
}

/* Index of a table name, or -1. */
static int
keymap_table_index(const char *name)
{
	int	i;

	if (name == NULL)
		return (-1);
	for (i = 0; i < KEYMAP_NTABLES; i++) {
		if (strcmp(keymap_tables[i], name) == 0)
			return (i);
	}
	return (-1);
}

bool
keymap_table_valid(const char *name)
{
	return (keymap_table_index(name) != -1);
}

/* The command table entry for a command's first word. */
static const struct keymap_command *
keymap_command_find(const char *name, size_t len)
{
	size_t	i;

	for (i = 0; i < KEYMAP_NCOMMANDS; i++) {
		if (strlen(keymap_commands[i].name) == len &&
		    strncmp(keymap_commands[i].name, name, len) == 0)
			return (&keymap_commands[i]);
	}
	return (NULL);
}

/* Split s into at most max words (pointers into a copy in *copy). */
static int
keymap_words(const char *s, char **copy, char **w, int max)
{
	char	*p, *save;
	int	 n = 0;

	*copy = xstrdup(s);
	for (p = strtok_r(*copy, " \t", &save); p != NULL;
	    p = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return (-1);
		w[n++] = p;
	}
	return (n);
}

/* Parse -L/-R/-U/-D. */
static int
keymap_dir(const char *s, enum layout_dir *dir)
{
	if (s[0] != '-' || s[1] == '\0' || s[2] != '\0')
		return (-1);
	switch (s[1]) {
	case 'L':
		*dir = LAYOUT_LEFT;
		return (0);
	case 'R':
		*dir = LAYOUT_RIGHT;
		return (0);
	case 'U':
		*dir = LAYOUT_UP;
		return (0);
	case 'D':
		*dir = LAYOUT_DOWN;
		return (0);
	}
	return (-1);
}

/* Parse a command against the command table; the entry through *cep. */
static int
keymap_cmd_parse1(const char *text, struct keymap_cmd *cmd,
    const struct keymap_command **cep, char **cause)
{
	const struct keymap_command	*ce;
	char				*copy, *w[4], *end;
	long				 count;
	int				 n;

	memset(cmd, 0, sizeof *cmd);
	cmd->op = KEYOP_NONE;
	cmd->count = 1;
	n = keymap_words(text, &copy, w, 4);
	if (n == 0) {
		xasprintf(cause, "empty command");
		goto fail;
	}
	if (n == -1) {
		xasprintf(cause, "too many arguments: '%s'", text);
		goto fail;
	}
	if ((ce = keymap_command_find(w[0], strlen(w[0]))) == NULL) {
		xasprintf(cause, "unknown command '%s'", w[0]);
		goto fail;
	}
	cmd->op = ce->op;
	switch (ce->args) {
	case ARGS_NONE:
		if (n != 1) {
			xasprintf(cause, "%s takes no arguments", ce->name);
			goto fail;
		}
		break;
	case ARGS_DIR:
	case ARGS_DIR_COUNT:
		if (n < 2 || keymap_dir(w[1], &cmd->dir) != 0) {
			xasprintf(cause, "%s needs -L, -R, -U or -D", ce->name);
			goto fail;
		}
		if (n > 2 && ce->args == ARGS_DIR) {
			xasprintf(cause, "%s takes only a direction",
			    ce->name);
			goto fail;
		}
		if (n > 3) {
			xasprintf(cause, "%s: too many arguments", ce->name);
			goto fail;
		}
		if (n == 3) {
			count = strtol(w[2], &end, 10);
			if (!isdigit((unsigned char)w[2][0]) || *end != '\0' ||
			    count < 1 || count > 1000) {
				xasprintf(cause, "%s: bad count '%s' (1-1000)",
				    ce->name, w[2]);
				goto fail;
			}
			cmd->count = (int)count;
		}
		break;
	}
	free(copy);
	if (cep != NULL)
		*cep = ce;
	return (0);

fail:
	free(copy);
	cmd->op = KEYOP_NONE;
	return (-1);
}

int
keymap_cmd_parse(const char *text, struct keymap_cmd *cmd, char **cause)
{
	return (keymap_cmd_parse1(text, cmd, NULL, cause));
}

const char *
keymap_cmd_help(const char *command)
{
	const struct keymap_command	*ce;

	if (command == NULL)
		return (NULL);
	ce = keymap_command_find(command, strcspn(command, " \t"));
	return (ce != NULL ? ce->help : NULL);
}

/* Is this command text an unbinding? */
static bool
keymap_is_unbind(const char *command)
{
	return (*command == '\0' || strcmp(command, "none") == 0);
}

/* Check table, key and command; the parsed table and key through t and key. */
static int
keymap_check1(const char *table, const char *keyname, const char *command,
    int *t, uint32_t *key, char **cause)
{
	const struct keymap_command	*ce;
	struct keymap_cmd		 cmd;
	char				*why;

	if ((*t = keymap_table_index(table)) == -1) {
		xasprintf(cause, "unknown key table '%s' (root, prefix, "
		    "sidebar, copy, queue)", table != NULL ? table : "");
		return (-1);
	}
	if (keyname == NULL || keymap_key_parse(keyname, key) != 0) {
		xasprintf(cause, "unknown key '%s'",
		    keyname != NULL ? keyname : "");
		return (-1);
	}
	if (command == NULL) {
		xasprintf(cause, "key '%s': no command", keyname);
		return (-1);
	}
	if (keymap_is_unbind(command))
		return (0);
	if (keymap_cmd_parse1(command, &cmd, &ce, &why) != 0) {
		xasprintf(cause, "key '%s': %s", keyname, why);
		free(why);
		return (-1);
	}
	if ((ce->tables & (1 << *t)) == 0) {
		xasprintf(cause, "key '%s': command '%s' does not apply to "
		    "the %s table", keyname, ce->name, table);
		return (-1);
	}
	return (0);
}

int
keymap_check(const struct key_binding *kb, char **cause)
{
	uint32_t	key;
	int		t;

	return (keymap_check1(kb->table, kb->key, kb->command, &t, &key,
	    cause));
}

/* The binding of key in table t, or NULL. */
static struct keymap_binding *
keymap_find(const struct keymap *km, int t, uint32_t key)
{
	size_t	i;

	for (i = 0; i < km->ntables[t]; i++) {
		if (km->tables[t][i].key == key)
			return (&km->tables[t][i]);
	}
	return (NULL);
}

/* Remove the binding of key in table t. */
static void
keymap_unbind(struct keymap *km, int t, uint32_t key)
{
	struct keymap_binding	*b;
	size_t			 i;

	if ((b = keymap_find(km, t, key)) == NULL)
		return;
	i = (size_t)(b - km->tables[t]);
	free(b->command);
	memmove(b, b + 1, (km->ntables[t] - i - 1) * sizeof *b);
	km->ntables[t]--;
}

/* Bind after checking; replaces a binding of the same key in place. */
static int
keymap_bind1(struct keymap *km, const char *table, const char *keyname,
    const char *command, bool user, char **cause)
{
	struct keymap_binding	*b;
	uint32_t		 key;
	int			 t;

	if (keymap_check1(table, keyname, command, &t, &key, cause) != 0)
		return (-1);
	if (keymap_is_unbind(command)) {
		keymap_unbind(km, t, key);
		return (0);
	}
	if ((b = keymap_find(km, t, key)) == NULL) {
		km->tables[t] = xreallocarray(km->tables[t], km->ntables[t] + 1,
		    sizeof *km->tables[t]);
		b = &km->tables[t][km->ntables[t]++];
		b->key = key;
		b->command = NULL;
	}
	free(b->command);
	b->command = xstrdup(command);
	b->user = user;
	return (0);
}

int
keymap_bind(struct keymap *km, const char *table, const char *key,
    const char *command, char **cause)
{
	return (keymap_bind1(km, table, key, command, true, cause));
}

/* Add the default bindings. */
static int
keymap_defaults(struct keymap *km, char **cause)
{
	struct cfg_errors	 errs = { NULL, 0 };
	struct key_binding	*kb;
	size_t			 n, i;
	char			*why;

	if (cfg_keys_default(&kb, &n, &errs) != 0) {
		xasprintf(cause, "%s", errs.n > 0 ? errs.msgs[0] :
		    "default key bindings do not parse");
		cfg_errors_clear(&errs);
		return (-1);
	}
	for (i = 0; i < n; i++) {
		if (keymap_bind1(km, kb[i].table, kb[i].key, kb[i].command,
		    false, &why) != 0) {
			xasprintf(cause, "%s:%d: %s", CFG_KEYS_DEFAULT_FILE,
			    kb[i].line, why);
			free(why);
			cfg_keys_free(kb, n);
			return (-1);
		}
	}
	cfg_keys_free(kb, n);
	return (0);
}

struct keymap *
keymap_create(const struct key_binding *user, size_t n, char **cause)
{
	struct keymap	*km;
	char		*why, *first = NULL;
	size_t		 i, nerr = 0;

	km = xcalloc(1, sizeof *km);
	km->prefix = 'b' | KEYC_CTRL;
	if (keymap_defaults(km, cause) != 0) {
		keymap_free(km);
		return (NULL);
	}
	for (i = 0; i < n; i++) {
		if (keymap_bind1(km, user[i].table, user[i].key,
		    user[i].command, true, &why) == 0)
			continue;
		if (nerr++ == 0) {
			if (user[i].line > 0) {
				first = xprintf("line %d: %s", user[i].line,
				    why);
			}
			else
				first = xstrdup(why);
		}
		free(why);
	}
	if (nerr != 0) {
		if (nerr > 1)
			xasprintf(cause, "%s (and %zu more)", first, nerr - 1);
		else
			*cause = xstrdup(first);
		free(first);
		keymap_free(km);
		return (NULL);
	}
	return (km);
}

void
keymap_free(struct keymap *km)
{
	size_t	i;
	int	t;

	if (km == NULL)
		return;
	for (t = 0; t < KEYMAP_NTABLES; t++) {
		for (i = 0; i < km->ntables[t]; i++)
			free(km->tables[t][i].command);
		free(km->tables[t]);
	}
	free(km);
}

int
keymap_set_prefix(struct keymap *km, const char *name, char **cause)
{
	struct keymap_binding	*b, *other;
	uint32_t		 key, old = km->prefix;

	if (keymap_key_parse(name, &key) != 0) {
		xasprintf(cause, "unknown prefix key '%s'", name);
		return (-1);
	}
	km->prefix = key;
	if (key == old)
		return (0);

	/* The default "prefix prefix sends the prefix" follows the key. */
	b = keymap_find(km, KEYMAP_PREFIX, old);
	if (b == NULL || b->user || strcmp(b->command, "send-prefix") != 0)
		return (0);
	other = keymap_find(km, KEYMAP_PREFIX, key);
	if (other != NULL && other->user)
		return (0);
	if (other != NULL) {
		keymap_unbind(km, KEYMAP_PREFIX, key);
		b = keymap_find(km, KEYMAP_PREFIX, old);
	}
	b->key = key;
	return (0);
}

uint32_t
keymap_prefix(const struct keymap *km)
{
	return (km->prefix);
}

const char *
keymap_lookup(const struct keymap *km, const char *table, uint32_t key)
{
	struct keymap_binding	*b;
	int			 t;

	if ((t = keymap_table_index(table)) == -1)
		return (NULL);
	if ((b = keymap_find(km, t, keymap_key_normalise(key))) == NULL)
		return (NULL);
	return (b->command);
}

size_t
keymap_list(const struct keymap *km, struct keymap_entry *out, size_t max)
{
	struct keymap_binding	*b;
	size_t			 n = 0, i;
	int			 t;

	for (t = 0; t < KEYMAP_NTABLES; t++) {
		for (i = 0; i < km->ntables[t]; i++, n++) {
			if (n >= max)
				continue;
			b = &km->tables[t][i];
			out[n].table = keymap_tables[t];
			out[n].key = b->key;
			out[n].command = b->command;
			out[n].help = keymap_cmd_help(b->command);
			out[n].user = b->user;
		}
	}
	return (n);
}
