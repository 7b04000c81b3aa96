/*
 * cfg-keys.c: the default key bindings, as config text.
 *
 * The defaults are written in the syntax a user writes in ui.keys and go
 * through the same parser and the same checks (keymap_check), so the two can
 * never disagree and the text doubles as documentation.  tmux's defaults
 * where omv has the same idea: prefix C-b, % and " split, arrows move, x
 * closes, z zooms, [ scrolls back, ? lists bindings.
 */
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfg-keys.h"

const char cfg_keys_default_text[] =
"# Default key bindings of the omv console (ui.keys syntax).\n"
"keys = (\n"
" # After the prefix key (C-b).\n"
" { table = \"prefix\"; key = \"%\";       command = \"split-h\"; },\n"
" { table = \"prefix\"; key = \"\\\"\";    command = \"split-v\"; },\n"
" { table = \"prefix\"; key = \"Left\";    command = \"select-pane -L\"; },\n"
" { table = \"prefix\"; key = \"Right\";   command = \"select-pane -R\"; },\n"
" { table = \"prefix\"; key = \"Up\";      command = \"select-pane -U\"; },\n"
" { table = \"prefix\"; key = \"Down\";    command = \"select-pane -D\"; },\n"
" { table = \"prefix\"; key = \"x\";       command = \"kill-pane\"; },\n"
" { table = \"prefix\"; key = \"z\";       command = \"zoom\"; },\n"
" { table = \"prefix\"; key = \"E\";       command = \"even\"; },\n"
" { table = \"prefix\"; key = \"s\";       command = \"sidebar\"; },\n"
" { table = \"prefix\"; key = \"[\";       command = \"copy-mode\"; },\n"
" { table = \"prefix\"; key = \"PageUp\";  command = \"copy-mode\"; },\n"
" { table = \"prefix\"; key = \"?\";       command = \"help\"; },\n"
" { table = \"prefix\"; key = \"q\";       command = \"quit\"; },\n"
" { table = \"prefix\"; key = \"C-b\";     command = \"send-prefix\"; },\n"
" { table = \"prefix\"; key = \"a\";       command = \"approvals\"; },\n"
" { table = \"prefix\"; key = \":\";       command = \"command-prompt\"; },\n"
" { table = \"prefix\"; key = \"r\";       command = \"reconnect\"; },\n"
" { table = \"prefix\"; key = \"M-Left\";  command = \"resize-pane -L 5\"; },\n"
" { table = \"prefix\"; key = \"M-Right\"; command = \"resize-pane -R 5\"; },\n"
" { table = \"prefix\"; key = \"M-Up\";    command = \"resize-pane -U 5\"; },\n"
" { table = \"prefix\"; key = \"M-Down\";  command = \"resize-pane -D 5\"; },\n"
" { table = \"prefix\"; key = \"C-Left\";  command = \"resize-pane -L\"; },\n"
" { table = \"prefix\"; key = \"C-Right\"; command = \"resize-pane -R\"; },\n"
" { table = \"prefix\"; key = \"C-Up\";    command = \"resize-pane -U\"; },\n"
" { table = \"prefix\"; key = \"C-Down\";  command = \"resize-pane -D\"; },\n"
"\n"
" # The server sidebar, when focused.\n"
" { table = \"sidebar\"; key = \"Up\";       command = \"up\"; },\n"
" { table = \"sidebar\"; key = \"k\";        command = \"up\"; },\n"
" { table = \"sidebar\"; key = \"Down\";     command = \"down\"; },\n"
" { table = \"sidebar\"; key = \"j\";        command = \"down\"; },\n"
" { table = \"sidebar\"; key = \"PageUp\";   command = \"page-up\"; },\n"
" { table = \"sidebar\"; key = \"PageDown\"; command = \"page-down\"; },\n"
" { table = \"sidebar\"; key = \"Home\";     command = \"top\"; },\n"
" { table = \"sidebar\"; key = \"End\";      command = \"bottom\"; },\n"
" { table = \"sidebar\"; key = \"Enter\";    command = \"open\"; },\n"
" { table = \"sidebar\"; key = \"Escape\";   command = \"cancel\"; },\n"
" { table = \"sidebar\"; key = \"?\";        command = \"help\"; },\n"
" { table = \"sidebar\"; key = \"/\";        command = \"filter\"; },\n"
" { table = \"sidebar\"; key = \"Space\";    command = \"toggle\"; },\n"
"\n"
" # Scrollback (copy) mode.\n"
" { table = \"copy\"; key = \"Up\";       command = \"up\"; },\n"
" { table = \"copy\"; key = \"k\";        command = \"up\"; },\n"
" { table = \"copy\"; key = \"Down\";     command = \"down\"; },\n"
" { table = \"copy\"; key = \"j\";        command = \"down\"; },\n"
" { table = \"copy\"; key = \"PageUp\";   command = \"page-up\"; },\n"
" { table = \"copy\"; key = \"PageDown\"; command = \"page-down\"; },\n"
" { table = \"copy\"; key = \"g\";        command = \"top\"; },\n"
" { table = \"copy\"; key = \"G\";        command = \"bottom\"; },\n"
" { table = \"copy\"; key = \"/\";        command = \"search\"; },\n"
" { table = \"copy\"; key = \"n\";        command = \"search-next\"; },\n"
" { table = \"copy\"; key = \"N\";        command = \"search-prev\"; },\n"
" { table = \"copy\"; key = \"q\";        command = \"cancel\"; },\n"
" { table = \"copy\"; key = \"Escape\";   command = \"cancel\"; },\n"
" { table = \"copy\"; key = \"?\";        command = \"help\"; },\n"
" { table = \"copy\"; key = \"Space\";    command = \"begin-selection\"; },\n"
" { table = \"copy\"; key = \"Enter\";    command = \"copy-selection\"; },\n"
"\n"
" # The approvals queue.\n"
" { table = \"queue\"; key = \"Up\";     command = \"up\"; },\n"
" { table = \"queue\"; key = \"k\";      command = \"up\"; },\n"
" { table = \"queue\"; key = \"Down\";   command = \"down\"; },\n"
" { table = \"queue\"; key = \"j\";      command = \"down\"; },\n"
" { table = \"queue\"; key = \"Enter\";  command = \"open\"; },\n"
" { table = \"queue\"; key = \"a\";      command = \"approve\"; },\n"
" { table = \"queue\"; key = \"d\";      command = \"deny\"; },\n"
" { table = \"queue\"; key = \"q\";      command = \"cancel\"; },\n"
" { table = \"queue\"; key = \"Escape\"; command = \"cancel\"; },\n"
" { table = \"queue\"; key = \"?\";      command = \"help\"; },\n"
" { table = \"queue\"; key = \"Space\";  command = \"mark\"; },\n"
" { table = \"queue\"; key = \"A\";      command = \"approve-marked\"; },\n"
" { table = \"queue\"; key = \"/\";      command = \"filter\"; }\n"
");\n";

/* A string member of a binding into *out; false and an error if not one. */
static bool
cfg_keys_string(const config_setting_t *m, const char *file,
    struct cfg_errors *errs, char **out)
{
	const char	*s;

	if ((s = config_setting_get_string(m)) == NULL) {
		cfg_errors_add(errs, file, (int)config_setting_source_line(m),
		    "keys: %s must be a string", config_setting_name(m));
		return (false);
	}
	free(*out);
	*out = xstrdup(s);
	return (true);
}

/* One { table; key; command; } group into kb. */
static void
cfg_keys_one(const config_setting_t *e, const char *file,
    struct cfg_errors *errs, struct key_binding *kb)
{
	const config_setting_t	*m;
	const char		*name;
	int			 j, n, line;
	bool			 key = false, command = false;

	line = (int)config_setting_source_line(e);
	kb->line = line;
	n = config_setting_length(e);
	for (j = 0; j < n; j++) {
		m = config_setting_get_elem(e, (unsigned int)j);
		name = config_setting_name(m);
		if (strcmp(name, "table") == 0)
			cfg_keys_string(m, file, errs, &kb->table);
		else if (strcmp(name, "key") == 0) {
			cfg_keys_string(m, file, errs, &kb->key);
			key = true;
		} else if (strcmp(name, "command") == 0) {
			cfg_keys_string(m, file, errs, &kb->command);
			command = true;
		} else {
			cfg_errors_add(errs, file,
			    (int)config_setting_source_line(m),
			    "keys: unknown field '%s'", name);
		}
	}
	if (kb->table == NULL)
		kb->table = xstrdup("prefix");
	if (!key)
		cfg_errors_add(errs, file, line, "keys: missing key");
	if (!command)
		cfg_errors_add(errs, file, line, "keys: missing command");
}

int
cfg_keys_parse(const char *text, const char *file, struct key_binding **out,
    size_t *nout, struct cfg_errors *errs)
{
	config_t		 cf;
	config_setting_t	*root, *list, *e;
	struct key_binding	*kb = NULL;
	size_t			 nerrs = errs->n, nkb = 0;
	int			 i, n;

	*out = NULL;
	*nout = 0;
	config_init(&cf);
	if (config_read_string(&cf, text) != CONFIG_TRUE) {
		cfg_errors_add(errs, file, config_error_line(&cf), "%s",
		    config_error_text(&cf));
		config_destroy(&cf);
		return (-1);
	}
	root = config_root_setting(&cf);
	n = config_setting_length(root);
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(root, (unsigned int)i);
		if (strcmp(config_setting_name(e), "keys") != 0) {
			cfg_errors_add(errs, file,
			    (int)config_setting_source_line(e),
			    "unknown setting '%s'", config_setting_name(e));
		}
	}
	list = config_setting_get_member(root, "keys");
	if (list == NULL)
		cfg_errors_add(errs, file, 0, "no keys list");
	else if (!config_setting_is_list(list) &&
	    config_setting_length(list) != 0) {
		cfg_errors_add(errs, file,
		    (int)config_setting_source_line(list),
		    "keys must be a list: ( { ... }, ... )");
	} else {
		n = config_setting_length(list);
		kb = xcalloc(n == 0 ? 1 : (size_t)n, sizeof *kb);
		for (i = 0; i < n; i++) {
			e = config_setting_get_elem(list, (unsigned int)i);
			if (!config_setting_is_group(e)) {
				cfg_errors_add(errs, file,
				    (int)config_setting_source_line(e),
				    "keys: each binding must be a group { }");
				continue;
			}
			cfg_keys_one(e, file, errs, &kb[nkb++]);
		}
	}
	config_destroy(&cf);
	if (errs->n != nerrs) {
		cfg_keys_free(kb, nkb);
		return (-1);
	}
	*out = kb;
	*nout = nkb;
	return (0);
}

int
cfg_keys_default(struct key_binding **out, size_t *nout,
    struct cfg_errors *errs)
{
	return (cfg_keys_parse(cfg_keys_default_text, CFG_KEYS_DEFAULT_FILE,
	    out, nout, errs));
}

void
cfg_keys_free(struct key_binding *kb, size_t n)
{
	size_t	i;

	if (kb == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(kb[i].table);
		free(kb[i].key);
		free(kb[i].command);
	}
	free(kb);
}
