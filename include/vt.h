/*
 * vt.h: the terminal emulator behind a pane.  Remote output goes in
 * (vt_write), a screen grid, a cursor and a scrollback come out; keys go in
 * (vt_key), the bytes to send the remote come out.  The remote sees
 * TERM=xterm-256color.  No terminal library, no socket and no curses here:
 * the pane feeds it and the drawing code reads it.
 *
 * Cells use the colour values of colour.h.  Screen rows are numbered 0 ..
 * vt_rows() - 1 from the top; history lines 0 .. vt_history_size() - 1 from
 * the newest.  Pointers handed out (cells, lines, the title) stay valid until
 * the next vt_write(), vt_resize() or, for history lines, the next
 * vt_history_line().
 */
#ifndef VT_H
#define VT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "colour.h"

#define VT_MAX_CHARS	6	/* code points in a cell: a base and 5 combining marks */
#define VT_STRING_MAX	65536	/* longest OSC/DCS string kept; longer ones are dropped */
#define VT_KEY_MAX	32	/* room for the bytes of one key or paste bracket */
#define VT_MAX_SIZE	4096	/* rows are clamped to 1.., columns to 2.. VT_MAX_SIZE */

struct vt;

/* One cell of the screen: 16 bytes. */
struct vt_cell {
	uint32_t	ch;	/* first code point; 0 for an empty cell */
	int32_t		fg;	/* COLOUR_DEFAULT, 0..255 or COLOUR_FLAG_RGB|rgb */
	int32_t		bg;
	uint16_t	attr;
#define VT_BOLD		0x0001
#define VT_ITALIC	0x0002
#define VT_UNDERLINE	0x0004	/* single */
#define VT_UNDERLINE2	0x0008	/* double */
#define VT_UNDERCURL	0x0010	/* curly */
#define VT_BLINK	0x0020
#define VT_REVERSE	0x0040
#define VT_STRIKE	0x0080
#define VT_PROTECTED	0x0100	/* DECSCA: survives selective erase; not drawn */
#define VT_UNDERLINES	(VT_UNDERLINE|VT_UNDERLINE2|VT_UNDERCURL)
	uint8_t		width;	/* 1; 2 for a wide character; 0 for its right half */
	uint8_t		mark;	/* 0, or combining marks follow (vt_line_chars) */
};

/*
 * A line of cells: a screen row, or a history line.  Cells past ncells are
 * empty with the default colours (history lines are stored without their
 * trailing empty cells).
 */
struct vt_line {
	const struct vt_cell	*cells;		/* borrowed */
	int			 ncells;
	bool			 wrapped;	/* continues on the next line (soft wrap) */
	const uint32_t		*marks;		/* borrowed; see vt_line_chars */
};

/*
 * What the pane hears.  Every callback is optional and runs inside
 * vt_write(): record, do not act (no drawing, no writing to the remote).
 */
struct vt_callbacks {
	void	(*bell)(void *);
	void	(*title)(const char *, void *);		/* OSC 0 or 2 */
	/* Any other OSC with a numeric code (133, 52, 7 ...): the payload after "N;". */
	void	(*osc)(int, const char *, size_t, void *);
	/* Bytes the terminal answers with (device attributes, cursor reports). */
	void	(*reply)(const char *, size_t, void *);
	/* The bytes handed to the parser, after hold-back and filtering (tests). */
	void	(*feed)(const char *, size_t, void *);
	void	 *arg;
};

enum vt_key {
	VT_KEY_ENTER = 1,
	VT_KEY_TAB,
	VT_KEY_BACKSPACE,
	VT_KEY_ESCAPE,
	VT_KEY_UP,
	VT_KEY_DOWN,
	VT_KEY_LEFT,
	VT_KEY_RIGHT,
	VT_KEY_INSERT,
	VT_KEY_DELETE,
	VT_KEY_HOME,
	VT_KEY_END,
	VT_KEY_PAGEUP,
	VT_KEY_PAGEDOWN,
	VT_KEY_KP_ENTER,
	VT_KEY_F0 = 256		/* VT_KEY_F0 + n is Fn, 1 <= n <= 24 */
};
#define VT_MOD_SHIFT	0x1
#define VT_MOD_ALT	0x2
#define VT_MOD_CTRL	0x4

#define VT_SEARCH_ICASE	0x1	/* ASCII case-insensitive */
#define VT_SEARCH_BACK	0x2	/* towards older lines */

/* Lifecycle.  scrollback is the history ring's size in lines (0 for none). */
struct vt	*vt_create(int rows, int cols, int scrollback);
void		 vt_free(struct vt *);
void		 vt_set_callbacks(struct vt *, const struct vt_callbacks *);

/*
 * Feed remote output.  An escape sequence or UTF-8 character cut by the end
 * of buf is held back until the rest arrives; OSC/DCS strings longer than
 * VT_STRING_MAX, APC/PM/SOS strings, CSI sequences with more than 16
 * parameters, C1 controls and a REP of anything but a narrow character
 * are dropped; broken UTF-8 shows as U+FFFD.
 */
void		 vt_write(struct vt *, const char *, size_t);
/* Resize: lines pushed off the top go to the history and come back on growth. */
void		 vt_resize(struct vt *, int rows, int cols);

int		 vt_rows(const struct vt *);
int		 vt_cols(const struct vt *);
/* The cell at row, col of the screen, or NULL outside it. */
const struct vt_cell *vt_cell(const struct vt *, int row, int col);
bool		 vt_line(const struct vt *, int row, struct vt_line *);
bool		 vt_row_wrapped(const struct vt *, int row);
/* UTF-8 text of columns [from, to) of a row, empty cells at the end dropped. */
char		*vt_row_text(const struct vt *, int row, int from, int to);

/* The code points of a cell (out holds VT_MAX_CHARS); 0 for an empty cell. */
size_t		 vt_line_chars(const struct vt_line *, int col, uint32_t *out);
char		*vt_line_text(const struct vt_line *, int from, int to);

/* Dirty rows: changed since vt_clear_dirty(). */
bool		 vt_dirty(const struct vt *, int *first, int *last);
bool		 vt_row_dirty(const struct vt *, int row);
void		 vt_clear_dirty(struct vt *);

void		 vt_cursor(const struct vt *, int *row, int *col, bool *visible);
bool		 vt_altscreen(const struct vt *);
bool		 vt_reverse_video(const struct vt *);	/* DECSCNM */
const char	*vt_title(const struct vt *);

/* History (scrollback), filled from the primary screen only. */
size_t		 vt_history_size(const struct vt *);
uint64_t	 vt_history_total(const struct vt *);	/* lines ever added */
bool		 vt_history_line(struct vt *, size_t, struct vt_line *);
char		*vt_history_text(const struct vt *, size_t);
void		 vt_history_clear(struct vt *);
/*
 * Search history and screen for needle.  A position is a line number
 * (screen rows 0.., history -1 for the newest line, -2 ...) and a column;
 * the search starts next to *line, *col and moves down (or up, towards older
 * lines, with VT_SEARCH_BACK).  Returns true and the match's start.
 */
bool		 vt_search(struct vt *, const char *, int, long *, int *);

/*
 * Keyboard: the bytes for a key or a character, in the remote's current
 * modes (application cursor keys and so on).  out holds VT_KEY_MAX bytes;
 * returns how many were written.
 */
size_t		 vt_key(struct vt *, enum vt_key, int, char *, size_t);
size_t		 vt_unichar(struct vt *, uint32_t, int, char *, size_t);
/* Bracketed paste (mode 2004): the brackets, or nothing when it is off. */
bool		 vt_bracketed_paste(struct vt *);
size_t		 vt_paste_start(struct vt *, char *, size_t);
size_t		 vt_paste_end(struct vt *, char *, size_t);

/* Bytes held by this terminal (grids, history, buffers). */
size_t		 vt_memory(const struct vt *);

#endif
