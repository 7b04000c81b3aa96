/*
 * cfg-keys.h: the default key bindings, written as config text in the same
 * syntax as ui.keys, and the parser of that text.
 */
#ifndef CFG_KEYS_H
#define CFG_KEYS_H

#include "cfg.h"

/* File name the default bindings' errors carry. */
#define CFG_KEYS_DEFAULT_FILE	"<default keys>"

/*
 * keys = ( { table = "prefix"; key = "%"; command = "split-h"; }, ... );
 * table may be left out ("prefix").
 */
extern const char cfg_keys_default_text[];

/*
 * Parse text holding a "keys" list into an owned array of bindings (each
 * with the line it came from).  On error returns -1 and adds every problem
 * to errs as "file:line: ...".  Checks the syntax only: key names and
 * commands are checked by keymap_check().
 */
int cfg_keys_parse(const char *text, const char *file, struct key_binding **,
    size_t *, struct cfg_errors *);
/* cfg_keys_parse() of the defaults. */
int cfg_keys_default(struct key_binding **, size_t *, struct cfg_errors *);
void cfg_keys_free(struct key_binding *, size_t);

#endif
