/*
 * ui.h: drawing the console with ncurses, and reading keys.  The only
 * place (with ui-keys.c) that knows curses.
 */
#ifndef UI_H
#define UI_H

#include "omv.h"

struct console;
struct server;

int ui_start(struct console *, char **cause);
void ui_end(struct console *);
/* The terminal changed size: tell curses. */
void ui_resize(struct console *);
/* Draw what changed (everything when console->redraw) and update the screen. */
void ui_draw(struct console *);
/* Next key, 0; -1 when none is waiting.  *pasting when a bracketed paste starts. */
int ui_read_key(struct console *, uint32_t *, bool *pasting);
/* Inside a paste: append the next chunk; -1 when the paste ended. */
int ui_read_paste(struct console *, struct sbuf *);
/* A key that is already waiting (no delay), 0; -1 when none. */
int ui_peek_key(struct console *, uint32_t *);
int ui_theme_load(struct console *, char **cause);
void ui_theme_free(struct console *);
/* Send an OSC 52 clipboard copy to the outer terminal. */
void ui_clipboard(struct console *, const char *, size_t);

/* console.c */
void console_open_server(struct console *, const struct server *);
int console_run_main(struct omv_config *, char **, int);
void console_free(struct console *);

#endif
