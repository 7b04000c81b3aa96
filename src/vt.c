/*
 * vt.c: the terminal emulator of a pane, built on libvterm's parser and state
 * machine (VTermState) with a grid of our own.
 *
 * libvterm's VTermScreen keeps the screen in one array and scrolls by moving
 * every cell, so a flood of short lines costs rows x cols cells per line.
 * Here the screen is a ring of rows, as in tmux's grid: scrolling the whole
 * screen moves the ring's top (O(1) per line), scrolling a full-width region
 * moves row structs, and only partial-width moves (insert or delete
 * characters, left/right margins) copy cells, which libvterm does through
 * moverect and erase when scrollrect declines them.
 *
 * Invariants:
 *	- a wide character is a cell of width 2 followed by a cell of width 0.
 *	  Whatever overwrites, moves or erases one half blanks the other, as
 *	  xterm and tmux do (VTermScreen leaves the orphan half behind);
 *	- every cell at or after row->used is empty with the default colours;
 *	- an erased cell keeps only the background colour (xterm's BCE, as tmux);
 *	- lines leaving the top of the primary screen (the whole screen, or a
 *	  scroll region that starts at the top, as VTermScreen and tmux do) go to
 *	  the history: a ring of at most hlimit lines, each stored as runs of
 *	  attributes plus its text, with no trailing empty cells;
 *	- libvterm is only ever given whole escape sequences and whole, valid
 *	  UTF-8 characters (vt_scan).  libvterm 0.1.4 loses an OSC or a UTF-8
 *	  character split across two writes, decodes broken UTF-8 differently
 *	  depending on where writes end, overruns its argument array on a CSI
 *	  with more than 16 parameters, copies an OSC title of any length onto
 *	  the stack, and moves the cursor left on a UTF-8-encoded C1 control
 *	  (U+0080..U+009F have width -1).  Such input is held back, replaced
 *	  (U+FFFD), dropped or capped before libvterm sees it, so the screen
 *	  does not depend on how the input was split.  Also guarded: REP
 *	  loops forever with nothing to repeat, DECRQSS of an unknown setting
 *	  hands printf a length as a string, and after a shrink a stale scroll
 *	  region or saved cursor makes libvterm move rows by negative counts or
 *	  write before its tab-stop array (vt_seq_run, vt_resize, vt_size).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vterm.h>

#include "omv.h"
#include "vt.h"

#define VT_MARKS	(VT_MAX_CHARS - 1)	/* code points per marks entry */
#define VT_MARKS_MAX	255
#define VT_SEQ_MAX	256	/* longest ESC or CSI sequence passed on */
#define VT_CSI_ARGS	16	/* libvterm 0.1.4's CSI_ARGS_MAX */
#define VT_TITLE_MAX	1024
#define VT_WRAP_NONE	INT_MIN

/* A screen row. */
struct vt_row {
	struct vt_cell	*cells;		/* owned; one per column */
	uint32_t	*marks;		/* owned; marks_cap entries of VT_MARKS */
	uint16_t	 used;
	uint8_t		 nmarks;
	uint8_t		 marks_cap;
	uint8_t		 flags;
#define VT_ROW_WRAPPED	0x1
#define VT_ROW_DIRTY	0x2
};

/* A screen: a ring of rows. */
struct vt_grid {
	struct vt_row	*rows;		/* owned; NULL for an alternate screen not yet used */
	int		 top;		/* slot of screen row 0 */
};

/* A history line: this header, nruns runs, then textlen bytes of text. */
struct vt_hline {
	uint32_t	textlen;
	uint16_t	ncells;
	uint16_t	nruns;
	uint8_t		flags;		/* VT_ROW_WRAPPED */
};

/* n cells of one look; a wide character counts two. */
struct vt_run {
	uint16_t	n;
	uint16_t	attr;
#define VT_RUN_WIDE	0x8000
	int32_t		fg;
	int32_t		bg;
};

/* Where vt_scan is in the escape sequence syntax (ECMA-48, as libvterm parses it). */
enum vt_scan {
	VT_SCAN_GROUND,
	VT_SCAN_ESC,		/* after ESC, and any intermediate bytes */
	VT_SCAN_CSI,
	VT_SCAN_STR,		/* OSC, DCS (passed on) or APC, PM, SOS (dropped) */
	VT_SCAN_STR_ESC		/* ESC inside a string: ST or the start of something else */
};

struct vt {
	VTerm			*vterm;		/* owned */
	VTermState		*state;		/* borrowed from vterm */
	struct vt_callbacks	 cb;

	int			 rows;
	int			 cols;
	struct vt_grid		 primary;
	struct vt_grid		 alt;
	struct vt_grid		*grid;		/* borrowed: primary or alt */
	struct vt_row		*spare;		/* owned; rows entries, for region scrolls */

	int32_t			 pen_fg;
	int32_t			 pen_bg;
	uint16_t		 pen_attr;
	bool			 cursor_visible;
	bool			 reverse;
	char			*title;		/* owned */

	bool			 dirty_all;
	int			 dirty_first;
	int			 dirty_last;

	/*
	 * Soft wraps: wrap_row is the row whose last column the latest glyph
	 * reached (moved with scrolls; -1 once it is the newest history line)
	 * and wrap_cy, wrap_cx where the cursor was left.  If the next glyph
	 * lands at column 0 of the row below with no cursor movement between,
	 * libvterm wrapped.
	 */
	int			 wrap_row;
	int			 wrap_cy;
	int			 wrap_cx;

	struct vt_hline		**hist;		/* owned: ring of halloc slots */
	size_t			 hlimit;
	size_t			 halloc;
	size_t			 hstart;
	size_t			 hsize;
	uint64_t		 htotal;
	size_t			 hbytes;
	size_t			 hresized;	/* newest lines that a resize pushed */
	uint8_t			*enc;		/* owned; encoding scratch */
	size_t			 encsize;
	struct vt_run		*encruns;	/* owned */
	size_t			 encrunsize;
	struct vt_row		 dec;		/* owned cells and marks: decoded history line */
	size_t			 decsize;

	enum vt_scan		 scan;
	bool			 seq_drop;	/* drop the sequence when it ends */
	int			 seq_body;	/* bytes after ESC, not counting controls */
	int			 seq_args;
	size_t			 seq_len;
	uint8_t			*hold;		/* owned: bytes held back */
	size_t			 holdlen;
	size_t			 holdsize;
	bool			 hold_text;	/* the held bytes are a partial UTF-8 character */

	/*
	 * Width libvterm gave the latest text glyph: its REP repeats that glyph
	 * and loops forever when it is 0 (nothing printed yet, or a lone
	 * combining mark), or puts a wide one across the end of the row, so REP
	 * is dropped unless it is 1.  DECALN's glyphs do not count.
	 */
	int			 glyph_width;
	bool			 decaln;

	/*
	 * libvterm combines marks that start a write with the glyph before
	 * only if the cursor moved past it, which it does not at the end of a
	 * row or margin.  last_* is the latest glyph; repair is set when a
	 * write ended with that glyph and the cursor still on it, and the next
	 * write then puts it again (CHA, the glyph) before its own bytes.
	 */
	int			 last_row;
	int			 last_col;
	int			 last_width;
	bool			 repair;

	/*
	 * Charsets: gsets has a bit for each G set given a charset (SCS: DEC
	 * line drawing, or even ASCII, which replaces UTF-8 there) and gl is
	 * the set in use (SI, SO, LS2, LS3).  With such a set in use, libvterm
	 * decodes a text run with the decoder its first byte picks: ASCII
	 * after UTF-8 in the same run would skip the charset, so vt_scan
	 * starts a new write there; and marks after an ASCII glyph at the end
	 * of a row are never combined, so vt_repair leaves those alone.
	 */
	uint8_t			 gsets;
	uint8_t			 gl;

	/* Origin mode or left/right margins may be on: CHA then cannot reach every column. */
	bool			 margins;

	bool			 capture;
	char			 capbuf[VT_KEY_MAX];
	size_t			 caplen;
};

static const struct vt_cell vt_blank = {
	0, COLOUR_DEFAULT, COLOUR_DEFAULT, 0, 1, 0
};

static void	vt_history_push(struct vt *, const struct vt_row *, int, bool);

/* Is this cell empty with the default colours? */
static inline bool
vt_cell_default(const struct vt_cell *c)
{
	return (c->ch == 0 && c->bg == COLOUR_DEFAULT && c->fg == COLOUR_DEFAULT &&
	    c->attr == 0 && c->width == 1 && c->mark == 0);
}

/* The row at screen row r of a grid. */
static inline struct vt_row *
vt_grid_row(const struct vt *vt, const struct vt_grid *g, int r)
{
	int	slot = g->top + r;

	if (slot >= vt->rows)
		slot -= vt->rows;
	return (&g->rows[slot]);
}

/* The row at screen row r of the current screen. */
static inline struct vt_row *
vt_row(const struct vt *vt, int r)
{
	return (vt_grid_row(vt, vt->grid, r));
}

/* Mark a screen row as needing a redraw. */
static inline void
vt_dirty_row(struct vt *vt, int r)
{
	vt_row(vt, r)->flags |= VT_ROW_DIRTY;
	if (r < vt->dirty_first)
		vt->dirty_first = r;
	if (r > vt->dirty_last)
		vt->dirty_last = r;
}

/* Mark screen rows [first, last) dirty. */
static void
vt_dirty_rows(struct vt *vt, int first, int last)
{
	int	r;

	if (first == 0 && last == vt->rows) {
		vt->dirty_all = true;
		return;
	}
	for (r = first; r < last; r++)
		vt_dirty_row(vt, r);
}

/* A new row of cols empty cells. */
static void
vt_row_init(struct vt_row *row, int cols)
{
	int	i;

	row->cells = xreallocarray(NULL, cols, sizeof *row->cells);
	for (i = 0; i < cols; i++)
		row->cells[i] = vt_blank;
	row->marks = NULL;
	row->used = 0;
	row->nmarks = 0;
	row->marks_cap = 0;
	row->flags = VT_ROW_DIRTY;
}

static void
vt_row_free(struct vt_row *row)
{
	free(row->cells);
	free(row->marks);
	row->cells = NULL;
	row->marks = NULL;
}

/* Empty a whole row, filling it with background bg. */
static void
vt_row_clear(struct vt *vt, struct vt_row *row, int32_t bg)
{
	struct vt_cell	blank = vt_blank;
	int		i, n;

	blank.bg = bg;
	n = bg == COLOUR_DEFAULT ? row->used : vt->cols;
	for (i = 0; i < n; i++)
		row->cells[i] = blank;
	row->used = bg == COLOUR_DEFAULT ? 0 : vt->cols;
	row->nmarks = 0;
	row->flags = VT_ROW_DIRTY;
}

/* Drop marks entries no cell of the first ncells refers to. */
static void
vt_row_compact_marks(struct vt_row *row, int ncells)
{
	uint32_t	*old = row->marks, *new;
	uint8_t		 n = 0;
	int		 i;

	new = xreallocarray(NULL, row->marks_cap, VT_MARKS * sizeof *new);
	for (i = 0; i < ncells; i++) {
		if (row->cells[i].mark == 0 || row->cells[i].mark > row->nmarks)
			continue;
		memcpy(new + n * VT_MARKS, old + (row->cells[i].mark - 1) * VT_MARKS,
		    VT_MARKS * sizeof *new);
		row->cells[i].mark = ++n;
	}
	free(old);
	row->marks = new;
	row->nmarks = n;
}

/* Store combining marks cps (up to n) in a row; the entry's number, 0 if no room. */
static uint8_t
vt_row_add_mark(struct vt_row *row, int ncells, const uint32_t *cps, size_t n)
{
	uint32_t	*entry;
	size_t		 i;

	if (row->nmarks == row->marks_cap) {
		if (row->marks_cap < VT_MARKS_MAX) {
			row->marks_cap = row->marks_cap == 0 ? 4 :
			    row->marks_cap >= VT_MARKS_MAX / 2 ? VT_MARKS_MAX :
			    row->marks_cap * 2;
			row->marks = xreallocarray(row->marks, row->marks_cap,
			    VT_MARKS * sizeof *row->marks);
		} else {
			vt_row_compact_marks(row, ncells);
			if (row->nmarks == row->marks_cap)
				return (0);
		}
	}
	entry = row->marks + row->nmarks * VT_MARKS;
	for (i = 0; i < VT_MARKS; i++)
		entry[i] = i < n ? cps[i] : 0;
	return (++row->nmarks);
}

/* The code points of a cell into out (VT_MAX_CHARS); how many. */
static size_t
vt_chars(const struct vt_cell *c, const uint32_t *marks, uint32_t *out)
{
	const uint32_t	*entry;
	size_t		 n = 0, i;

	if (c->ch == 0)
		return (0);
	out[n++] = c->ch;
	if (c->mark != 0 && marks != NULL) {
		entry = marks + (c->mark - 1) * VT_MARKS;
		for (i = 0; i < VT_MARKS && entry[i] != 0; i++)
			out[n++] = entry[i];
	}
	return (n);
}

/*
 * Keep wide characters whole around the boundary between columns b - 1 and
 * b: a right half with no left half, or a left half with no right half,
 * becomes an empty cell.
 */
static void
vt_row_fix(struct vt *vt, struct vt_row *row, int b)
{
	struct vt_cell	*c = row->cells;

	if (b > 0 && b <= vt->cols && c[b - 1].width == 2 &&
	    (b == vt->cols || c[b].width != 0))
		c[b - 1] = vt_blank;
	if (b >= 0 && b < vt->cols && c[b].width == 0 &&
	    (b == 0 || c[b - 1].width != 2))
		c[b] = vt_blank;
}

/* Erase columns [c0, c1) of a row to background bg. */
static void
vt_row_erase(struct vt *vt, struct vt_row *row, int c0, int c1, int32_t bg,
    bool selective)
{
	struct vt_cell	blank = vt_blank;
	int		i;

	if (c0 == 0 && c1 == vt->cols && !selective) {
		vt_row_clear(vt, row, bg);
		return;
	}
	blank.bg = bg;
	for (i = c0; i < c1; i++) {
		if (selective && (row->cells[i].attr & VT_PROTECTED))
			continue;
		row->cells[i] = blank;
	}
	/*
	 * A wide character cut by the range loses its other half too.  Both
	 * halves of a protected one are protected (VTermScreen protects the
	 * left half only and leaves the right half to chance).
	 */
	if (selective) {
		for (i = c0; i <= c1; i++)
			vt_row_fix(vt, row, i);
	} else {
		vt_row_fix(vt, row, c0);
		vt_row_fix(vt, row, c1);
	}
	if (bg != COLOUR_DEFAULT) {
		if (c1 > row->used)
			row->used = c1;
	} else if (!selective && c1 >= row->used && c0 < row->used)
		row->used = c0;
	if (c1 == vt->cols)
		row->flags &= ~VT_ROW_WRAPPED;
	row->flags |= VT_ROW_DIRTY;
}

/* Allocate a grid of empty rows. */
static void
vt_grid_alloc(struct vt *vt, struct vt_grid *g)
{
	int	r;

	g->rows = xreallocarray(NULL, vt->rows, sizeof *g->rows);
	g->top = 0;
	for (r = 0; r < vt->rows; r++)
		vt_row_init(&g->rows[r], vt->cols);
}

static void
vt_grid_free(struct vt *vt, struct vt_grid *g)
{
	int	r;

	if (g->rows == NULL)
		return;
	for (r = 0; r < vt->rows; r++)
		vt_row_free(&g->rows[r]);
	free(g->rows);
	g->rows = NULL;
}

/*
 * Scroll screen rows [start, end) up by n (n < end - start): the top n rows
 * leave (into the history when the region starts at the top of the primary
 * screen) and come back empty at the bottom.
 */
static void
vt_scroll_up(struct vt *vt, int start, int end, int n)
{
	struct vt_grid	*g = vt->grid;
	struct vt_row	*row;
	bool		 history;
	int		 k, r;

	history = start == 0 && g == &vt->primary && vt->hlimit != 0;
	if (history && vt->wrap_row != VT_WRAP_NONE && vt->wrap_row < 0)
		vt->wrap_row = VT_WRAP_NONE;

	if (start == 0 && end == vt->rows) {
		/* The whole screen: move the ring's top. */
		for (k = 0; k < n; k++) {
			row = &g->rows[g->top];
			if (history)
				vt_history_push(vt, row, vt->cols, false);
			vt_row_clear(vt, row, vt->pen_bg);
			if (++g->top == vt->rows)
				g->top = 0;
		}
		vt->dirty_all = true;
	} else {
		for (k = 0; k < n; k++) {
			row = vt_row(vt, start + k);
			if (history)
				vt_history_push(vt, row, vt->cols, false);
			vt_row_clear(vt, row, vt->pen_bg);
			vt->spare[k] = *row;
		}
		for (r = start; r < end - n; r++)
			*vt_row(vt, r) = *vt_row(vt, r + n);
		for (k = 0; k < n; k++)
			*vt_row(vt, end - n + k) = vt->spare[k];
		vt_dirty_rows(vt, start, end);
	}

	if (vt->wrap_row != VT_WRAP_NONE && vt->wrap_row >= start &&
	    vt->wrap_row < end) {
		vt->wrap_row -= n;
		if (vt->wrap_row < start && !(history && vt->wrap_row == -1))
			vt->wrap_row = VT_WRAP_NONE;
	}
}

/* Scroll screen rows [start, end) down by n: the bottom n rows come back empty at the top. */
static void
vt_scroll_down(struct vt *vt, int start, int end, int n)
{
	struct vt_grid	*g = vt->grid;
	struct vt_row	*row;
	int		 k, r;

	if (start == 0 && end == vt->rows) {
		for (k = 0; k < n; k++) {
			g->top = g->top == 0 ? vt->rows - 1 : g->top - 1;
			vt_row_clear(vt, &g->rows[g->top], vt->pen_bg);
		}
		vt->dirty_all = true;
	} else {
		for (k = 0; k < n; k++) {
			row = vt_row(vt, end - n + k);
			vt_row_clear(vt, row, vt->pen_bg);
			vt->spare[k] = *row;
		}
		for (r = end - 1; r >= start + n; r--)
			*vt_row(vt, r) = *vt_row(vt, r - n);
		for (k = 0; k < n; k++)
			*vt_row(vt, start + k) = vt->spare[k];
		vt_dirty_rows(vt, start, end);
	}

	if (vt->wrap_row != VT_WRAP_NONE && vt->wrap_row >= start &&
	    vt->wrap_row < end) {
		vt->wrap_row += n;
		if (vt->wrap_row >= end)
			vt->wrap_row = VT_WRAP_NONE;
	}
}

/* Clip a rectangle to the screen; false if nothing is left. */
static bool
vt_clip(const struct vt *vt, VTermRect *r)
{
	if (r->start_row < 0)
		r->start_row = 0;
	if (r->end_row > vt->rows)
		r->end_row = vt->rows;
	if (r->start_col < 0)
		r->start_col = 0;
	if (r->end_col > vt->cols)
		r->end_col = vt->cols;
	return (r->start_row < r->end_row && r->start_col < r->end_col);
}

/* libvterm: draw a glyph (a character and its combining marks) at pos. */
static int
vt_cb_putglyph(VTermGlyphInfo *info, VTermPos pos, void *user)
{
	struct vt	*vt = user;
	struct vt_row	*row;
	struct vt_cell	*c;
	size_t		 n;
	int		 width = info->width, col = pos.col;

	if (!vt->decaln)
		vt->glyph_width = width;
	vt->last_width = 0;
	if (pos.row < 0 || pos.row >= vt->rows || col < 0 || col >= vt->cols)
		return (1);
	if (!vt->decaln) {
		vt->last_row = pos.row;
		vt->last_col = col;
		vt->last_width = width;
	}
	if (width < 1)
		width = 1;	/* a lone combining mark takes a cell */
	else if (width > 2)
		width = 2;
	if (col + width > vt->cols)
		width = 1;	/* libvterm wraps first; never seen */
	row = vt_row(vt, pos.row);

	/* libvterm wrapped if the last glyph filled the row above and the cursor stayed. */
	if (col == 0 && vt->wrap_row != VT_WRAP_NONE &&
	    pos.row == vt->wrap_row + 1) {
		if (vt->wrap_row >= 0)
			vt_row(vt, vt->wrap_row)->flags |= VT_ROW_WRAPPED;
		else if (vt->hsize != 0) {
			vt->hist[(vt->hstart + vt->hsize - 1) % vt->halloc]->flags |=
			    VT_ROW_WRAPPED;
		}
	}

	/* Overwriting half of a wide character blanks its other half. */
	if (row->cells[col].width == 0 && col > 0)
		row->cells[col - 1] = vt_blank;
	if (row->cells[col + width - 1].width == 2 && col + width < vt->cols)
		row->cells[col + width] = vt_blank;

	c = &row->cells[col];
	c->ch = info->chars[0];
	c->fg = vt->pen_fg;
	c->bg = vt->pen_bg;
	c->attr = vt->pen_attr | (info->protected_cell ? VT_PROTECTED : 0);
	c->width = width;
	c->mark = 0;
	if (info->chars[0] != 0 && info->chars[1] != 0) {
		for (n = 1; n < VT_MAX_CHARS && info->chars[n] != 0; n++)
			;
		c->mark = vt_row_add_mark(row, vt->cols, info->chars + 1, n - 1);
	}
	if (width == 2) {
		c[1] = c[0];
		c[1].ch = 0;
		c[1].width = 0;
		c[1].mark = 0;
	}
	if (col + width > row->used)
		row->used = col + width;
	if (!(row->flags & VT_ROW_DIRTY)) {
		row->flags |= VT_ROW_DIRTY;
		if (pos.row < vt->dirty_first)
			vt->dirty_first = pos.row;
		if (pos.row > vt->dirty_last)
			vt->dirty_last = pos.row;
	}

	if (col + width >= vt->cols - 1) {
		if (col + width >= vt->cols)
			row->flags &= ~VT_ROW_WRAPPED;
		vt->wrap_row = pos.row;
		vt->wrap_cy = pos.row;
		vt->wrap_cx = col + width >= vt->cols ? col : col + width;
	} else
		vt->wrap_row = VT_WRAP_NONE;
	return (1);
}

/* libvterm: the cursor moved; anything but the wrap position ends a possible wrap. */
static int
vt_cb_movecursor(VTermPos pos, VTermPos oldpos, int visible, void *user)
{
	struct vt	*vt = user;

	(void)oldpos;
	(void)visible;
	if (pos.row != vt->wrap_cy || pos.col != vt->wrap_cx)
		vt->wrap_row = VT_WRAP_NONE;
	return (1);
}

/* libvterm: erase a rectangle to the pen's background. */
static int
vt_cb_erase(VTermRect rect, int selective, void *user)
{
	struct vt	*vt = user;
	int		 r;

	if (!vt_clip(vt, &rect))
		return (1);
	for (r = rect.start_row; r < rect.end_row; r++) {
		vt_row_erase(vt, vt_row(vt, r), rect.start_col, rect.end_col,
		    vt->pen_bg, selective);
		vt_dirty_row(vt, r);
	}
	return (1);
}

/*
 * libvterm: scroll a rectangle.  Full-width ones are ours (row moves);
 * partial-width ones are declined, and libvterm calls moverect and erase.
 */
static int
vt_cb_scrollrect(VTermRect rect, int downward, int rightward, void *user)
{
	struct vt	*vt = user;
	int		 n, r;

	if (rightward != 0 || rect.start_col != 0 || rect.end_col != vt->cols)
		return (0);
	if (!vt_clip(vt, &rect))
		return (1);
	n = downward < 0 ? -downward : downward;
	if (n == 0)
		return (1);
	if (n >= rect.end_row - rect.start_row) {
		/* As vterm_scroll_rect: all of it is erased, nothing kept. */
		for (r = rect.start_row; r < rect.end_row; r++) {
			vt_row_clear(vt, vt_row(vt, r), vt->pen_bg);
			vt_dirty_row(vt, r);
		}
		return (1);
	}
	if (downward > 0)
		vt_scroll_up(vt, rect.start_row, rect.end_row, n);
	else
		vt_scroll_down(vt, rect.start_row, rect.end_row, n);
	return (1);
}

/* Copy ncols cells between two different rows, giving marks a home in the destination. */
static void
vt_copy_cells(struct vt *vt, struct vt_row *dst, int dcol,
    const struct vt_row *src, int scol, int ncols)
{
	uint32_t	cps[VT_MAX_CHARS];
	size_t		n;
	int		i;

	if (src->nmarks == 0) {
		memcpy(dst->cells + dcol, src->cells + scol,
		    ncols * sizeof *dst->cells);
		return;
	}
	for (i = 0; i < ncols; i++) {
		if (src->cells[scol + i].mark == 0) {
			dst->cells[dcol + i] = src->cells[scol + i];
			continue;
		}
		n = vt_chars(&src->cells[scol + i], src->marks, cps);
		dst->cells[dcol + i] = src->cells[scol + i];
		dst->cells[dcol + i].mark = 0;
		if (n > 1) {
			dst->cells[dcol + i].mark = vt_row_add_mark(dst, vt->cols,
			    cps + 1, n - 1);
		}
	}
}

/* libvterm: copy the cells of rectangle src to dest (same size, may overlap). */
static int
vt_cb_moverect(VTermRect dest, VTermRect src, void *user)
{
	struct vt	*vt = user;
	struct vt_row	*drow, *srow;
	int		 nrows, ncols, k, r;

	nrows = dest.end_row - dest.start_row;
	ncols = dest.end_col - dest.start_col;
	if (nrows <= 0 || ncols <= 0 || dest.start_row < 0 ||
	    src.start_row < 0 || dest.start_col < 0 || src.start_col < 0 ||
	    dest.end_row > vt->rows || src.start_row + nrows > vt->rows ||
	    dest.end_col > vt->cols || src.start_col + ncols > vt->cols)
		return (1);
	if (dest.start_row != src.start_row)
		vt->wrap_row = VT_WRAP_NONE;

	for (k = 0; k < nrows; k++) {
		/* Moving up, go top-down; moving down, bottom-up. */
		r = dest.start_row <= src.start_row ? k : nrows - 1 - k;
		drow = vt_row(vt, dest.start_row + r);
		srow = vt_row(vt, src.start_row + r);
		if (drow == srow) {
			memmove(drow->cells + dest.start_col,
			    srow->cells + src.start_col,
			    ncols * sizeof *drow->cells);
		} else {
			vt_copy_cells(vt, drow, dest.start_col, srow,
			    src.start_col, ncols);
		}
		if (dest.end_col > drow->used)
			drow->used = dest.end_col;
		vt_row_fix(vt, drow, dest.start_col);
		vt_row_fix(vt, drow, dest.end_col);
		vt_dirty_row(vt, dest.start_row + r);
	}
	return (1);
}

/* Convert a libvterm colour to a colour.h value. */
static int32_t
vt_colour(const VTermColor *c)
{
	if (VTERM_COLOR_IS_DEFAULT_FG(c) || VTERM_COLOR_IS_DEFAULT_BG(c))
		return (COLOUR_DEFAULT);
	if (VTERM_COLOR_IS_INDEXED(c))
		return (c->indexed.idx);
	return (COLOUR_FLAG_RGB | (int32_t)c->rgb.red << 16 |
	    (int32_t)c->rgb.green << 8 | c->rgb.blue);
}

/* libvterm: reset the pen. */
static int
vt_cb_initpen(void *user)
{
	struct vt	*vt = user;

	vt->pen_fg = COLOUR_DEFAULT;
	vt->pen_bg = COLOUR_DEFAULT;
	vt->pen_attr = 0;
	return (1);
}

/* Set or clear a pen attribute. */
static void
vt_pen_flag(struct vt *vt, uint16_t flag, int on)
{
	if (on)
		vt->pen_attr |= flag;
	else
		vt->pen_attr &= ~flag;
}

/* libvterm: SGR changed the pen. */
static int
vt_cb_setpenattr(VTermAttr attr, VTermValue *val, void *user)
{
	static const uint16_t	 underlines[] = {
		0, VT_UNDERLINE, VT_UNDERLINE2, VT_UNDERCURL
	};
	struct vt		*vt = user;

	switch (attr) {
	case VTERM_ATTR_BOLD:
		vt_pen_flag(vt, VT_BOLD, val->boolean);
		break;
	case VTERM_ATTR_UNDERLINE:
		vt->pen_attr &= ~VT_UNDERLINES;
		if (val->number > 0 && val->number < 4)
			vt->pen_attr |= underlines[val->number];
		break;
	case VTERM_ATTR_ITALIC:
		vt_pen_flag(vt, VT_ITALIC, val->boolean);
		break;
	case VTERM_ATTR_BLINK:
		vt_pen_flag(vt, VT_BLINK, val->boolean);
		break;
	case VTERM_ATTR_REVERSE:
		vt_pen_flag(vt, VT_REVERSE, val->boolean);
		break;
	case VTERM_ATTR_STRIKE:
		vt_pen_flag(vt, VT_STRIKE, val->boolean);
		break;
	case VTERM_ATTR_FOREGROUND:
		vt->pen_fg = vt_colour(&val->color);
		break;
	case VTERM_ATTR_BACKGROUND:
		vt->pen_bg = vt_colour(&val->color);
		break;
	default:
		break;
	}
	return (1);
}

/* Keep a printable copy of a title: no controls, valid UTF-8, bounded. */
static char *
vt_clean_title(const char *s)
{
	struct sbuf		 sb;
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n, i;
	uint32_t		 cp;

	sbuf_init(&sb);
	sbuf_add(&sb, "", 0);
	while (*p != '\0' && sb.len < VT_TITLE_MAX) {
		if (*p < 0x80) {
			if (*p >= 0x20 && *p != 0x7f)
				sbuf_addc(&sb, (char)*p);
			p++;
			continue;
		}
		n = *p >= 0xf0 && *p < 0xf5 ? 4 : *p >= 0xe0 ? 3 : *p >= 0xc2 ? 2 : 0;
		if (n == 0 || *p >= 0xf5) {
			p++;
			continue;
		}
		cp = *p & (0xff >> (n + 1));
		for (i = 1; i < n && (p[i] & 0xc0) == 0x80; i++)
			cp = cp << 6 | (p[i] & 0x3f);
		if (i == n && cp >= 0xa0 && cp <= 0x10ffff &&
		    !(cp >= 0xd800 && cp <= 0xdfff) &&
		    !(n == 3 && cp < 0x800) && !(n == 4 && cp < 0x10000))
			sbuf_add(&sb, p, n);
		p += i;
	}
	return (sbuf_steal(&sb));
}

/* libvterm: a terminal property changed. */
static int
vt_cb_settermprop(VTermProp prop, VTermValue *val, void *user)
{
	struct vt	*vt = user;

	switch (prop) {
	case VTERM_PROP_CURSORVISIBLE:
		vt->cursor_visible = val->boolean;
		break;
	case VTERM_PROP_ALTSCREEN:
		if (val->boolean) {
			if (vt->alt.rows == NULL)
				vt_grid_alloc(vt, &vt->alt);
			vt->grid = &vt->alt;
		} else
			vt->grid = &vt->primary;
		vt->dirty_all = true;
		vt->wrap_row = VT_WRAP_NONE;
		break;
	case VTERM_PROP_TITLE:
		if (val->string == NULL)
			break;
		free(vt->title);
		vt->title = vt_clean_title(val->string);
		if (vt->cb.title != NULL)
			vt->cb.title(vt->title, vt->cb.arg);
		break;
	case VTERM_PROP_REVERSE:
		vt->reverse = val->boolean;
		vt->dirty_all = true;
		break;
	default:
		break;
	}
	return (1);
}

/* libvterm: BEL. */
static int
vt_cb_bell(void *user)
{
	struct vt	*vt = user;

	if (vt->cb.bell != NULL)
		vt->cb.bell(vt->cb.arg);
	return (1);
}

/* libvterm: DECDWL/DECDHL; as in VTermScreen, a line made double width loses its right half. */
static int
vt_cb_setlineinfo(int row, const VTermLineInfo *newinfo,
    const VTermLineInfo *oldinfo, void *user)
{
	struct vt	*vt = user;

	if (row < 0 || row >= vt->rows)
		return (1);
	if (newinfo->doublewidth &&
	    (newinfo->doublewidth != oldinfo->doublewidth ||
	    newinfo->doubleheight != oldinfo->doubleheight)) {
		vt_row_erase(vt, vt_row(vt, row), vt->cols / 2, vt->cols,
		    vt->pen_bg, false);
		vt_dirty_row(vt, row);
	}
	return (1);
}

/* The last row of a grid with anything in it, or 0. */
static int
vt_grid_last_used(const struct vt *vt, const struct vt_grid *g)
{
	const struct vt_row	*row;
	int			 r;

	for (r = vt->rows - 1; r > 0; r--) {
		row = vt_grid_row(vt, g, r);
		if (row->used != 0 || (row->flags & VT_ROW_WRAPPED))
			break;
	}
	return (r);
}

/* Change the number of columns of a row. */
static void
vt_row_set_cols(struct vt_row *row, int oldcols, int cols)
{
	int	i;

	row->cells = xreallocarray(row->cells, cols, sizeof *row->cells);
	for (i = oldcols; i < cols; i++)
		row->cells[i] = vt_blank;
	if (cols < oldcols) {
		if (row->cells[cols - 1].width == 2)
			row->cells[cols - 1] = vt_blank;
		if (row->used > cols)
			row->used = cols;
		row->flags &= ~VT_ROW_WRAPPED;
	}
	row->flags |= VT_ROW_DIRTY;
}

static void	vt_hline_decode(const struct vt_hline *, struct vt_row *, int);

/* Take the newest history line back into a row of cols cells. */
static void
vt_history_pop(struct vt *vt, struct vt_row *row, int cols)
{
	struct vt_hline	*h;
	size_t		 slot;

	slot = (vt->hstart + vt->hsize - 1) % vt->halloc;
	h = vt->hist[slot];
	vt->hist[slot] = NULL;
	vt->hsize--;
	vt->htotal--;
	vt->hbytes -= sizeof *h + h->nruns * sizeof(struct vt_run) + h->textlen;
	if (vt->hresized != 0)
		vt->hresized--;
	vt_row_init(row, cols);
	vt_hline_decode(h, row, cols);
	free(h);
}

/*
 * Resize a grid to rows x cols (vt->rows and vt->cols are still the old
 * size), as tmux does: shrinking drops rows below the cursor row cy first,
 * then pushes rows off the top (into the history when history is set);
 * growing takes back lines that a shrink pushed, then adds empty rows at
 * the bottom.  Returns how far the content moved down.
 */
static int
vt_grid_resize(struct vt *vt, struct vt_grid *g, int rows, int cols, int cy,
    bool history)
{
	struct vt_row	*lin;
	int		 n, r, k, needed, avail, delta = 0;

	n = vt->rows;
	lin = xreallocarray(NULL, n > rows ? n : rows, sizeof *lin);
	for (r = 0; r < n; r++)
		lin[r] = *vt_grid_row(vt, g, r);
	free(g->rows);

	if (cols != vt->cols) {
		for (r = 0; r < n; r++)
			vt_row_set_cols(&lin[r], vt->cols, cols);
	}

	if (rows < n) {
		needed = n - rows;
		avail = n - 1 - cy;
		if (avail < 0)
			avail = 0;
		if (avail > needed)
			avail = needed;
		for (k = 0; k < avail; k++)
			vt_row_free(&lin[--n]);
		needed -= avail;
		for (k = 0; k < needed; k++) {
			if (history)
				vt_history_push(vt, &lin[k], cols, true);
			vt_row_free(&lin[k]);
		}
		memmove(lin, lin + needed, (n - needed) * sizeof *lin);
		n -= needed;
		delta = -needed;
	} else if (rows > n) {
		needed = rows - n;
		avail = 0;
		if (history) {
			avail = needed;
			if ((size_t)avail > vt->hresized)
				avail = (int)vt->hresized;
			if ((size_t)avail > vt->hsize)
				avail = (int)vt->hsize;
		}
		memmove(lin + avail, lin, n * sizeof *lin);
		for (k = avail - 1; k >= 0; k--)
			vt_history_pop(vt, &lin[k], cols);
		n += avail;
		for (; n < rows; n++)
			vt_row_init(&lin[n], cols);
		delta = avail;
	}
	for (r = 0; r < rows; r++)
		lin[r].flags |= VT_ROW_DIRTY;
	g->rows = lin;
	g->top = 0;
	return (delta);
}

/* libvterm: the terminal was resized (vt_resize); delta is how far the content moved. */
static int
vt_cb_resize(int rows, int cols, VTermPos *delta, void *user)
{
	struct vt	*vt = user;
	VTermPos	 pos;
	bool		 alt = vt->grid == &vt->alt;
	int		 cy, d, da = 0;

	vterm_state_get_cursorpos(vt->state, &pos);
	cy = pos.row < 0 ? 0 : pos.row >= vt->rows ? vt->rows - 1 : pos.row;

	d = vt_grid_resize(vt, &vt->primary, rows, cols,
	    alt ? vt_grid_last_used(vt, &vt->primary) : cy, true);
	if (vt->alt.rows != NULL) {
		da = vt_grid_resize(vt, &vt->alt, rows, cols,
		    alt ? cy : vt_grid_last_used(vt, &vt->alt), false);
	}
	delta->row = alt ? da : d;

	vt->rows = rows;
	vt->cols = cols;
	vt->spare = xreallocarray(vt->spare, rows, sizeof *vt->spare);
	vt->dirty_all = true;
	vt->wrap_row = VT_WRAP_NONE;
	vt->repair = false;
	return (1);
}

/* libvterm: an OSC it does not handle itself (not 0, 1 or 2). */
static int
vt_cb_osc(const char *command, size_t cmdlen, void *user)
{
	struct vt	*vt = user;
	size_t		 i;
	int		 num = 0;

	/* vt_scan passes whole strings only, but the length is libvterm's word. */
	if (cmdlen > VT_STRING_MAX || command == NULL)
		return (1);
	for (i = 0; i < cmdlen && i < 6 && command[i] >= '0' && command[i] <= '9'; i++)
		num = num * 10 + (command[i] - '0');
	if (i == 0 || (i < cmdlen && command[i] != ';'))
		return (1);
	if (i < cmdlen)
		i++;
	if (vt->cb.osc != NULL)
		vt->cb.osc(num, command + i, cmdlen - i, vt->cb.arg);
	return (1);
}

/* libvterm: a DCS it does not handle; ignored. */
static int
vt_cb_dcs(const char *command, size_t cmdlen, void *user)
{
	(void)command;
	(void)cmdlen;
	(void)user;
	return (1);
}

/* libvterm: bytes for the remote, or for vt_key when capturing. */
static void
vt_cb_output(const char *s, size_t len, void *user)
{
	struct vt	*vt = user;
	size_t		 n;

	if (vt->capture) {
		n = sizeof vt->capbuf - vt->caplen;
		if (n > len)
			n = len;
		memcpy(vt->capbuf + vt->caplen, s, n);
		vt->caplen += n;
		return;
	}
	if (vt->cb.reply != NULL)
		vt->cb.reply(s, len, vt->cb.arg);
}

static const VTermStateCallbacks vt_state_callbacks = {
	.putglyph = vt_cb_putglyph,
	.movecursor = vt_cb_movecursor,
	.scrollrect = vt_cb_scrollrect,
	.moverect = vt_cb_moverect,
	.erase = vt_cb_erase,
	.initpen = vt_cb_initpen,
	.setpenattr = vt_cb_setpenattr,
	.settermprop = vt_cb_settermprop,
	.bell = vt_cb_bell,
	.resize = vt_cb_resize,
	.setlineinfo = vt_cb_setlineinfo
};

static const VTermParserCallbacks vt_fallbacks = {
	.osc = vt_cb_osc,
	.dcs = vt_cb_dcs
};

/*
 * Clamp a dimension.  At least 2 columns: with 1, a double-width line is
 * 0 columns wide to libvterm 0.1.4, which then puts the cursor at column -1
 * and clears tab stops before its array (heap corruption).
 */
static int
vt_size(int n, int min)
{
	return (n < min ? min : n > VT_MAX_SIZE ? VT_MAX_SIZE : n);
}

struct vt *
vt_create(int rows, int cols, int scrollback)
{
	struct vt	*vt;

	vt = xcalloc(1, sizeof *vt);
	vt->rows = vt_size(rows, 1);
	vt->cols = vt_size(cols, 2);
	vt->hlimit = scrollback < 0 ? 0 : (size_t)scrollback;
	vt_grid_alloc(vt, &vt->primary);
	vt->grid = &vt->primary;
	vt->spare = xreallocarray(NULL, vt->rows, sizeof *vt->spare);
	vt->cursor_visible = true;
	vt->pen_fg = vt->pen_bg = COLOUR_DEFAULT;
	vt->dirty_all = true;
	vt->dirty_first = INT_MAX;
	vt->dirty_last = -1;
	vt->wrap_row = VT_WRAP_NONE;
	vt->title = xstrdup("");

	if ((vt->vterm = vterm_new(vt->rows, vt->cols)) == NULL)
		fatal("vterm_new failed");
	vterm_set_utf8(vt->vterm, 1);
	vterm_output_set_callback(vt->vterm, vt_cb_output, vt);
	vt->state = vterm_obtain_state(vt->vterm);
	vterm_state_set_callbacks(vt->state, &vt_state_callbacks, vt);
	vterm_state_set_unrecognised_fallbacks(vt->state, &vt_fallbacks, vt);
	vterm_state_reset(vt->state, 1);
	return (vt);
}

void
vt_free(struct vt *vt)
{
	if (vt == NULL)
		return;
	vt_history_clear(vt);
	vterm_free(vt->vterm);
	vt_grid_free(vt, &vt->primary);
	vt_grid_free(vt, &vt->alt);
	free(vt->spare);
	free(vt->hist);
	free(vt->enc);
	free(vt->encruns);
	free(vt->dec.cells);
	free(vt->dec.marks);
	free(vt->hold);
	free(vt->title);
	free(vt);
}

void
vt_set_callbacks(struct vt *vt, const struct vt_callbacks *cb)
{
	if (cb == NULL)
		memset(&vt->cb, 0, sizeof vt->cb);
	else
		vt->cb = *cb;
}

/* ---- Input: hold back and filter, then feed libvterm. ---- */

/* Hand bytes [from, to) of p to libvterm. */
static void
vt_feed(struct vt *vt, const uint8_t *p, size_t from, size_t to)
{
	if (to <= from)
		return;
	if (vt->cb.feed != NULL)
		vt->cb.feed((const char *)p + from, to - from, vt->cb.arg);
	vterm_input_write(vt->vterm, (const char *)p + from, to - from);
}

/* Keep bytes for the next write. */
static void
vt_hold(struct vt *vt, const uint8_t *p, size_t len, bool text)
{
	if (len > vt->holdsize) {
		vt->holdsize = len < 256 ? 256 : len;
		free(vt->hold);
		vt->hold = xmalloc(vt->holdsize);
	}
	memcpy(vt->hold, p, len);
	vt->holdlen = len;
	vt->hold_text = text;
}

/*
 * Check the UTF-8 character at p (avail bytes, p[0] >= 0x80), as RFC 3629:
 * its length if valid; 0 if it needs more bytes than there are; or minus
 * the length of its maximal invalid part (Unicode's U+FFFD substitution).
 */
static int
vt_utf8_check(const uint8_t *p, size_t avail)
{
	uint8_t	lo = 0x80, hi = 0xbf;
	int	need, k;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return (-1);
	need = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;	/* no surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	for (k = 1; k < need; k++) {
		if ((size_t)k == avail)
			return (0);
		if (p[k] < lo || p[k] > hi)
			return (-k);
		lo = 0x80;
		hi = 0xbf;
	}
	return (need);
}

/* Start a new escape sequence. */
static void
vt_seq_start(struct vt *vt)
{
	vt->scan = VT_SCAN_ESC;
	vt->seq_len = 1;
	vt->seq_body = 0;
	vt->seq_drop = false;
	vt->seq_args = 1;
}

/*
 * May this whole string (ESC, its type, the text and a terminator of tlen
 * bytes) go to libvterm?  Its DECRQSS (DCS $ q) answers m, r, s, " q" and
 * "\"q"; for anything else it passes the length where printf wants a string.
 */
static bool
vt_dcs_ok(const uint8_t *p, size_t len, size_t tlen)
{
	static const char	*known[] = { "$qm", "$qr", "$qs", "$q q", "$q\"q" };
	size_t			 i, k, n = 0;
	uint8_t			 text[8];
	bool			 controls = false;

	/* The type is the first byte after ESC that is not a control. */
	for (i = 1; i < len - tlen && (p[i] < 0x20 || p[i] == 0x7f); i++)
		controls = true;
	if (i >= len - tlen || p[i] != 'P')
		return (true);
	for (i++; i < len - tlen; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			controls = true;
		else if (n < sizeof text)
			text[n++] = p[i];
		else
			break;
	}
	if (n < 2 || text[0] != '$' || text[1] != 'q')
		return (true);
	if (controls || i < len - tlen)
		return (false);
	for (k = 0; k < sizeof known / sizeof known[0]; k++) {
		if (n == strlen(known[k]) && memcmp(text, known[k], n) == 0)
			return (true);
	}
	return (false);
}

/* Follow charset designations and shifts in an ESC sequence (see struct vt). */
static void
vt_charsets(struct vt *vt, const uint8_t *p, size_t len)
{
	const char	*set;

	if (len == 3 && (set = strchr("()*+", p[1])) != NULL)
		vt->gsets |= 1 << (set - "()*+");	/* SCS */
	else if (len == 2 && (p[1] == 'n' || p[1] == 'o'))
		vt->gl = p[1] == 'n' ? 2 : 3;		/* LS2, LS3 */
	else if (len == 2 && p[1] == 'c') {
		vt->gsets = vt->gl = 0;			/* RIS */
		vt->margins = false;
	}
}

/*
 * Follow DECOM (6) and DECLRMM (69) in a DEC mode set or reset: on if any
 * parameter is one of them, off only when it is the one parameter.
 */
static void
vt_margins(struct vt *vt, const uint8_t *p, size_t len)
{
	size_t	i;
	long	n = 0;
	bool	one = true;

	for (i = 3; i < len - 1; i++) {
		if (p[i] >= '0' && p[i] <= '9') {
			if (n < 100000)
				n = n * 10 + (p[i] - '0');
			continue;
		}
		if (n == 6 || n == 69) {
			if (p[len - 1] == 'h')
				vt->margins = true;
		}
		n = 0;
		one = false;
	}
	if (n == 6 || n == 69) {
		if (p[len - 1] == 'h')
			vt->margins = true;
		else if (one)
			vt->margins = false;
	}
}

/* Is this whole ESC or CSI sequence one vt_seq_run must see to? */
static bool
vt_seq_special(const uint8_t *p, size_t len)
{
	if (len == 2 && p[1] == '8')
		return (true);		/* DECRC */
	if (len >= 4 && p[1] == '[' && p[2] == '?' &&
	    (p[len - 1] == 'h' || p[len - 1] == 'l'))
		return (true);		/* DEC modes, with 1048 and 1049 among them */
	if (len == 3 && p[1] == '#' && p[2] == '8')
		return (true);		/* DECALN */
	if (len >= 3 && p[1] == '[' && p[len - 1] == 'b')
		return (true);		/* REP */
	if (len == 4 && p[1] == '[' && p[2] == '3' && p[3] == 'J')
		return (true);		/* ED 3 */
	return (false);
}

/* Copy a sequence without the C0 controls and DEL inside it. */
static size_t
vt_strip(const uint8_t *p, size_t len, uint8_t *out)
{
	size_t	i, n = 0;

	for (i = 0; i < len; i++) {
		if (i == 0 || (p[i] >= 0x20 && p[i] != 0x7f))
			out[n++] = p[i];
	}
	return (n);
}

/* Feed a sequence (clean: the same without controls) that needs more than libvterm does. */
static void
vt_seq_run(struct vt *vt, const uint8_t *p, size_t len, const uint8_t *clean,
    size_t clen)
{
	VTermPos	pos;

	if (clean[clen - 1] == 'b' && vt->glyph_width != 1)
		return;			/* REP would loop forever, or not fit */
	vt->decaln = clean[1] == '#';
	vt_feed(vt, p, 0, len);
	vt->decaln = false;
	if (clean[clen - 1] == 'J')
		vt_history_clear(vt);	/* xterm's ED 3, which libvterm ignores */

	/*
	 * libvterm does not clamp the saved cursor when the terminal shrinks,
	 * and restoring it (DECRC, 1048, 1049) then puts the cursor outside,
	 * where DECDWL or HTS write past libvterm's arrays.  DSR 0 does
	 * nothing but clamp the cursor.
	 */
	vterm_state_get_cursorpos(vt->state, &pos);
	if (pos.row < 0 || pos.row >= vt->rows || pos.col < 0 || pos.col >= vt->cols)
		vt_feed(vt, (const uint8_t *)"\033[0n", 0, 4);
}

/*
 * Scan p[i, n) and feed libvterm all but what must be dropped or held; a
 * sequence in progress started at p[0] (it was held back).  span is the
 * first byte neither fed nor dropped yet, seq the start of the sequence
 * being scanned.
 */
static void
vt_scan(struct vt *vt, const uint8_t *p, size_t n, size_t i)
{
	VTermPos	pos;
	size_t		span = 0, seq = 0, end, tail = n, ground = i, clen;
	uint8_t		c, clean[VT_SEQ_MAX];
	int		k;

	while (i < n) {
		c = p[i];
		switch (vt->scan) {
		case VT_SCAN_GROUND:
			while (i < n && p[i] != 0x1b && p[i] < 0x80 &&
			    p[i] != 0x0e && p[i] != 0x0f)
				i++;
			if (i == n)
				break;
			if (p[i] == 0x0e || p[i] == 0x0f) {
				vt->gl = p[i++] == 0x0e;	/* SO, SI */
				break;
			}
			if (p[i] == 0x1b) {
				seq = i++;
				vt_seq_start(vt);
				break;
			}
			k = vt_utf8_check(p + i, n - i);
			if (k == 0) {
				tail = i;	/* unfinished: held back */
				i = n;
			} else if (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0) {
				/* A C1 control in UTF-8 (width -1 to libvterm): dropped. */
				vt_feed(vt, p, span, i);
				i += 2;
				span = i;
			} else if (k > 0) {
				i += k;
				if ((vt->gsets & (1 << vt->gl)) && i < n &&
				    p[i] >= 0x20 && p[i] < 0x7f) {
					vt_feed(vt, p, span, i);
					span = i;
				}
			} else {
				/* Not UTF-8: one U+FFFD for the broken part. */
				vt_feed(vt, p, span, i);
				vt_feed(vt, (const uint8_t *)"\xef\xbf\xbd", 0, 3);
				i += -k;
				span = i;
			}
			break;
		case VT_SCAN_ESC:
		case VT_SCAN_CSI:
			if (c == 0x1b) {
				/* Abandoned; a new sequence starts here. */
				vt_feed(vt, p, span, seq);
				span = seq = i++;
				vt_seq_start(vt);
				break;
			}
			if (c == 0x18 || c == 0x1a || c >= 0x80) {
				/* Cancelled (CAN, SUB) or broken: dropped whole. */
				vt_feed(vt, p, span, seq);
				if (c >= 0x80)
					span = i;	/* scanned again as text */
				else
					span = ++i;
				vt->scan = VT_SCAN_GROUND;
				ground = i;
				break;
			}
			vt->seq_len++;
			i++;
			if (c < 0x20 || c == 0x7f)
				break;	/* executed inside the sequence */
			if (vt->scan == VT_SCAN_ESC) {
				if (vt->seq_body++ == 0 && c == '[') {
					vt->scan = VT_SCAN_CSI;
					break;
				}
				if (vt->seq_body == 1 && (c == ']' || c == 'P')) {
					vt->scan = VT_SCAN_STR;
					break;
				}
				if (vt->seq_body == 1 && (c == '_' || c == '^' || c == 'X')) {
					vt->scan = VT_SCAN_STR;
					vt->seq_drop = true;
					break;
				}
				if (c < 0x30)
					break;	/* intermediate */
			} else {
				if (c == ';' || c == ':') {
					if (++vt->seq_args > VT_CSI_ARGS)
						vt->seq_drop = true;
				}
				if (c < 0x40)
					break;	/* parameter or intermediate */
			}
			/*
			 * The final byte.  Unless dropped, the sequence is all
			 * in p; it is recognised without the controls libvterm
			 * executes inside it.
			 */
			if (vt->seq_drop || vt->seq_len > VT_SEQ_MAX) {
				vt->scan = VT_SCAN_GROUND;
				ground = i;
				vt_feed(vt, p, span, seq);
				span = i;
				break;
			}
			clen = vt_strip(p + seq, i - seq, clean);
			if (vt->scan == VT_SCAN_ESC)
				vt_charsets(vt, clean, clen);
			else if (clen == 4 && c == 'p' && clean[2] == '!') {
				vt->gsets = vt->gl = 0;		/* DECSTR */
				vt->margins = false;
			} else if (clen >= 4 && (c == 'h' || c == 'l') &&
			    clean[2] == '?')
				vt_margins(vt, clean, clen);
			vt->scan = VT_SCAN_GROUND;
			ground = i;
			if (vt_seq_special(clean, clen)) {
				vt_feed(vt, p, span, seq);
				vt_seq_run(vt, p + seq, i - seq, clean, clen);
				span = i;
			}
			break;
		case VT_SCAN_STR:
			end = i;
			while (end < n && p[end] != 0x07 && p[end] != 0x1b &&
			    p[end] != 0x18 && p[end] != 0x1a)
				end++;
			vt->seq_len += end - i;
			i = end;
			if (i == n)
				break;
			c = p[i++];
			vt->seq_len++;
			if (c == 0x1b) {
				vt->scan = VT_SCAN_STR_ESC;
				break;
			}
			vt->scan = VT_SCAN_GROUND;
			ground = i;
			if (c != 0x07 || vt->seq_drop || vt->seq_len > VT_STRING_MAX ||
			    !vt_dcs_ok(p + seq, i - seq, 1)) {
				vt_feed(vt, p, span, seq);
				span = i;
			}
			break;
		case VT_SCAN_STR_ESC:
			if (c == '\\') {
				i++;
				vt->scan = VT_SCAN_GROUND;
				ground = i;
				if (vt->seq_drop || ++vt->seq_len > VT_STRING_MAX ||
				    !vt_dcs_ok(p + seq, i - seq, 2)) {
					vt_feed(vt, p, span, seq);
					span = i;
				}
				break;
			}
			/* Not ST: the string is abandoned, the ESC starts a new sequence. */
			vt_feed(vt, p, span, seq);
			span = seq = i - 1;
			vt_seq_start(vt);
			break;
		}
	}

	if (vt->scan == VT_SCAN_GROUND) {
		vt_feed(vt, p, span, tail);
		vt->holdlen = 0;
		if (tail != n)
			vt_hold(vt, p + tail, n - tail, true);
		/* Text last, the cursor still on its glyph: see vt_repair. */
		vt->repair = false;
		if (tail > ground && tail > span && p[tail - 1] >= 0x20 &&
		    p[tail - 1] != 0x7f &&
		    (p[tail - 1] >= 0x80 || !(vt->gsets & (1 << vt->gl))) &&
		    !vt->margins &&
		    vt->last_width > 0 && vt->last_col + vt->last_width <= vt->cols) {
			vterm_state_get_cursorpos(vt->state, &pos);
			vt->repair = pos.row == vt->last_row && pos.col == vt->last_col;
		}
		return;
	}
	vt_feed(vt, p, span, seq);
	vt->holdlen = 0;
	if (vt->seq_drop)
		return;
	if (n - seq > (vt->scan == VT_SCAN_STR || vt->scan == VT_SCAN_STR_ESC ?
	    VT_STRING_MAX : VT_SEQ_MAX)) {
		vt->seq_drop = true;	/* too long: dropped when it ends */
		return;
	}
	vt_hold(vt, p + seq, n - seq, false);
}

/*
 * The previous write ended with a glyph the cursor is still on (at the end
 * of a row or margin) and this one may start with combining marks for it:
 * hold back CHA to its column and the glyph again, to go to libvterm in one
 * write with them.  Putting the same glyph at the same place with the same
 * pen leaves everything as it was.
 */
static void
vt_repair(struct vt *vt, const uint8_t *buf)
{
	const struct vt_row	*row;
	const struct vt_cell	*c;
	struct sbuf		 sb;
	uint32_t		 cps[VT_MAX_CHARS];
	size_t			 n, k;

	vt->repair = false;
	if (vt->holdlen != 0 ? !vt->hold_text : buf[0] < 0x80)
		return;
	if (vt->last_row < 0 || vt->last_row >= vt->rows || vt->last_col < 0 ||
	    vt->last_col >= vt->cols)
		return;
	row = vt_row(vt, vt->last_row);
	c = &row->cells[vt->last_col];
	if (c->width == 0 || (n = vt_chars(c, row->marks, cps)) == 0)
		return;
	sbuf_init(&sb);
	/* CHA cancels the pending wrap, and ignores left/right margins. */
	sbuf_addf(&sb, "\033[%dG", vt->last_col + 1);
	for (k = 0; k < n; k++)
		sbuf_add_glyph(&sb, cps[k]);
	sbuf_add(&sb, vt->hold, vt->holdlen);
	vt_hold(vt, (const uint8_t *)sb.buf, sb.len, true);
	sbuf_free(&sb);
}

void
vt_write(struct vt *vt, const char *buf, size_t len)
{
	uint8_t	*p;
	size_t	 n, resume;

	if (len == 0)
		return;
	if (vt->repair)
		vt_repair(vt, (const uint8_t *)buf);
	if (vt->holdlen == 0) {
		vt_scan(vt, (const uint8_t *)buf, len, 0);
		return;
	}

	/* Scan the held bytes and the new ones as one buffer. */
	n = vt->holdlen + len;
	p = xmalloc(n);
	memcpy(p, vt->hold, vt->holdlen);
	memcpy(p + vt->holdlen, buf, len);
	resume = vt->hold_text ? 0 : vt->holdlen;
	vt->holdlen = 0;
	vt_scan(vt, p, n, resume);
	free(p);
}

void
vt_resize(struct vt *vt, int rows, int cols)
{
	VTermPos	pos;
	char		buf[64];
	int		n;

	rows = vt_size(rows, 1);
	cols = vt_size(cols, 2);
	if (rows == vt->rows && cols == vt->cols)
		return;
	vterm_set_size(vt->vterm, rows, cols);

	/*
	 * libvterm 0.1.4 keeps a scroll region or left margin past the new
	 * size (then moves rows with negative lengths): reset them, as tmux
	 * does on resize, and put the cursor back where it was (DECSTBM and
	 * DECSLRM home it).
	 */
	vterm_state_get_cursorpos(vt->state, &pos);
	n = snprintf(buf, sizeof buf, "\033[r\033[s\033[%d;%dH", pos.row + 1,
	    pos.col + 1);
	vt_feed(vt, (const uint8_t *)buf, 0, n);
	vt->margins = false;
}

/* ---- Reading the screen. ---- */

int
vt_rows(const struct vt *vt)
{
	return (vt->rows);
}

int
vt_cols(const struct vt *vt)
{
	return (vt->cols);
}

const struct vt_cell *
vt_cell(const struct vt *vt, int row, int col)
{
	if (row < 0 || row >= vt->rows || col < 0 || col >= vt->cols)
		return (NULL);
	return (&vt_row(vt, row)->cells[col]);
}

bool
vt_line(const struct vt *vt, int row, struct vt_line *line)
{
	const struct vt_row	*r;

	if (row < 0 || row >= vt->rows)
		return (false);
	r = vt_row(vt, row);
	line->cells = r->cells;
	line->ncells = vt->cols;
	line->wrapped = (r->flags & VT_ROW_WRAPPED) != 0;
	line->marks = r->marks;
	return (true);
}

bool
vt_row_wrapped(const struct vt *vt, int row)
{
	if (row < 0 || row >= vt->rows)
		return (false);
	return ((vt_row(vt, row)->flags & VT_ROW_WRAPPED) != 0);
}

size_t
vt_line_chars(const struct vt_line *line, int col, uint32_t *out)
{
	if (col < 0 || col >= line->ncells)
		return (0);
	return (vt_chars(&line->cells[col], line->marks, out));
}

/*
 * Text of cells [from, to) of a line into sb: empty cells are spaces, and
 * those at the end are left out.  With offs, offs[k] is the byte offset in sb
 * where column from + k starts (-1 for right halves).
 */
static void
vt_line_utf8(const struct vt_line *line, int from, int to, struct sbuf *sb,
    int *offs)
{
	uint32_t	cps[VT_MAX_CHARS];
	size_t		n, k;
	int		col, last;

	if (from < 0)
		from = 0;
	if (to > line->ncells)
		to = line->ncells;
	for (last = to - 1; last >= from; last--) {
		if (line->cells[last].ch != 0 || line->cells[last].width == 0)
			break;
	}
	for (col = from; col <= last; col++) {
		if (offs != NULL)
			offs[col - from] = line->cells[col].width == 0 ? -1 : (int)sb->len;
		if (line->cells[col].width == 0)
			continue;
		n = vt_chars(&line->cells[col], line->marks, cps);
		if (n == 0)
			sbuf_addc(sb, ' ');
		for (k = 0; k < n; k++)
			sbuf_add_glyph(sb, cps[k]);
	}
	if (offs != NULL) {
		for (; col < to; col++)
			offs[col - from] = (int)sb->len;
	}
}

char *
vt_line_text(const struct vt_line *line, int from, int to)
{
	struct sbuf	sb;

	sbuf_init(&sb);
	sbuf_add(&sb, "", 0);
	vt_line_utf8(line, from, to, &sb, NULL);
	return (sbuf_steal(&sb));
}

char *
vt_row_text(const struct vt *vt, int row, int from, int to)
{
	struct vt_line	line;

	if (!vt_line(vt, row, &line))
		return (xstrdup(""));
	return (vt_line_text(&line, from, to));
}

bool
vt_dirty(const struct vt *vt, int *first, int *last)
{
	if (vt->dirty_all) {
		*first = 0;
		*last = vt->rows - 1;
		return (true);
	}
	if (vt->dirty_last < 0)
		return (false);
	*first = vt->dirty_first;
	*last = vt->dirty_last;
	return (true);
}

bool
vt_row_dirty(const struct vt *vt, int row)
{
	if (row < 0 || row >= vt->rows)
		return (false);
	return (vt->dirty_all || (vt_row(vt, row)->flags & VT_ROW_DIRTY));
}

void
vt_clear_dirty(struct vt *vt)
{
	int	r;

	for (r = 0; r < vt->rows; r++)
		vt_row(vt, r)->flags &= ~VT_ROW_DIRTY;
	vt->dirty_all = false;
	vt->dirty_first = INT_MAX;
	vt->dirty_last = -1;
}

void
vt_cursor(const struct vt *vt, int *row, int *col, bool *visible)
{
	VTermPos	pos;

	vterm_state_get_cursorpos(vt->state, &pos);
	if (pos.row < 0)
		pos.row = 0;
	if (pos.row >= vt->rows)
		pos.row = vt->rows - 1;
	if (pos.col < 0)
		pos.col = 0;
	if (pos.col >= vt->cols)
		pos.col = vt->cols - 1;
	if (row != NULL)
		*row = pos.row;
	if (col != NULL)
		*col = pos.col;
	if (visible != NULL)
		*visible = vt->cursor_visible;
}

bool
vt_altscreen(const struct vt *vt)
{
	return (vt->grid == &vt->alt);
}

bool
vt_reverse_video(const struct vt *vt)
{
	return (vt->reverse);
}

const char *
vt_title(const struct vt *vt)
{
	return (vt->title);
}

/* ---- History. ---- */

/* Store a code point in UTF-8 extended to 31 bits (history text is ours). */
static size_t
vt_put_cp(uint32_t cp, uint8_t *out)
{
	int	n, i;

	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return (1);
	}
	cp &= 0x7fffffff;
	n = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : cp < 0x200000 ? 4 :
	    cp < 0x4000000 ? 5 : 6;
	for (i = n - 1; i > 0; i--) {
		out[i] = (uint8_t)(0x80 | (cp & 0x3f));
		cp >>= 6;
	}
	out[0] = (uint8_t)((0xff00 >> n) | cp);
	return (n);
}

/* Read back a code point stored by vt_put_cp; bytes used, 0 at a broken end. */
static size_t
vt_get_cp(const uint8_t *p, const uint8_t *end, uint32_t *cp)
{
	size_t	n, i;

	if (p >= end)
		return (0);
	if (*p < 0x80) {
		*cp = *p;
		return (1);
	}
	n = *p >= 0xfc ? 6 : *p >= 0xf8 ? 5 : *p >= 0xf0 ? 4 : *p >= 0xe0 ? 3 : 2;
	if ((size_t)(end - p) < n)
		return (0);
	*cp = *p & (0x7f >> n);
	for (i = 1; i < n; i++)
		*cp = *cp << 6 | (p[i] & 0x3f);
	return (n);
}

/*
 * Text of a history line: per cell, 0x00 for an empty cell, 0x01 N and N code
 * points for a cell with combining marks, otherwise its code point.
 */
static size_t
vt_cell_encode(const struct vt_row *row, const struct vt_cell *c, uint8_t *out)
{
	uint32_t	cps[VT_MAX_CHARS];
	size_t		n, k, len = 0;

	n = vt_chars(c, row->marks, cps);
	if (n == 0) {
		out[0] = 0;
		return (1);
	}
	if (n == 1 && cps[0] >= 0x20)
		return (vt_put_cp(cps[0], out));
	out[len++] = 1;
	out[len++] = (uint8_t)n;
	for (k = 0; k < n; k++)
		len += vt_put_cp(cps[k], out + len);
	return (len);
}

/* Encode a row of cols cells as a history line, reusing old's memory. */
static struct vt_hline *
vt_hline_encode(struct vt *vt, const struct vt_row *row, int cols,
    struct vt_hline *old, size_t *sizep)
{
	const struct vt_cell	*c;
	struct vt_hline		*h;
	struct vt_run		*run = NULL;
	size_t			 nruns = 0, textlen = 0, size, ncells = 0;
	uint16_t		 attr;
	int			 n, i;

	n = row->used > cols ? cols : row->used;
	while (n > 0 && vt_cell_default(&row->cells[n - 1]))
		n--;
	if ((size_t)n * (2 + 6 * VT_MAX_CHARS) > vt->encsize) {
		vt->encsize = (size_t)n * (2 + 6 * VT_MAX_CHARS);
		vt->enc = xrealloc(vt->enc, vt->encsize);
	}
	if ((size_t)n > vt->encrunsize) {
		vt->encrunsize = n;
		vt->encruns = xreallocarray(vt->encruns, n, sizeof *vt->encruns);
	}
	for (i = 0; i < n; i++) {
		c = &row->cells[i];
		if (c->width == 0)
			continue;	/* counted with its left half */
		attr = (c->attr & ~VT_PROTECTED) | (c->width == 2 ? VT_RUN_WIDE : 0);
		if (run == NULL || run->attr != attr || run->fg != c->fg ||
		    run->bg != c->bg) {
			run = &vt->encruns[nruns++];
			run->n = 0;
			run->attr = attr;
			run->fg = c->fg;
			run->bg = c->bg;
		}
		run->n += c->width;
		ncells += c->width;
		if (c->mark == 0 && c->ch >= 0x20 && c->ch < 0x80)
			vt->enc[textlen++] = (uint8_t)c->ch;
		else
			textlen += vt_cell_encode(row, c, vt->enc + textlen);
	}

	size = sizeof *h + nruns * sizeof *run + textlen;
	h = xrealloc(old, size);
	h->textlen = (uint32_t)textlen;
	h->ncells = (uint16_t)ncells;
	h->nruns = (uint16_t)nruns;
	h->flags = row->flags & VT_ROW_WRAPPED;
	if (nruns != 0) {
		memcpy(h + 1, vt->encruns, nruns * sizeof *run);
		memcpy((uint8_t *)(h + 1) + nruns * sizeof *run, vt->enc, textlen);
	}
	*sizep = size;
	return (h);
}

/* Decode a history line into row (which has room for max cells). */
static void
vt_hline_decode(const struct vt_hline *h, struct vt_row *row, int max)
{
	const struct vt_run	*run = (const struct vt_run *)(h + 1);
	const uint8_t		*t, *end;
	uint32_t		 cps[VT_MAX_CHARS];
	struct vt_cell		*c;
	size_t			 n, k, got;
	int			 col = 0, w;
	uint16_t		 r, j;

	t = (const uint8_t *)(run + h->nruns);
	end = t + h->textlen;
	row->nmarks = 0;
	for (r = 0; r < h->nruns; r++, run++) {
		w = (run->attr & VT_RUN_WIDE) ? 2 : 1;
		for (j = 0; j < run->n; j += w) {
			if (t >= end)
				goto out;
			if (*t == 0) {
				n = 0;
				t++;
			} else if (*t == 1) {
				if (end - t < 2)
					goto out;
				n = t[1] > VT_MAX_CHARS ? VT_MAX_CHARS : t[1];
				t += 2;
				for (k = 0; k < n; k++) {
					if ((got = vt_get_cp(t, end, &cps[k])) == 0)
						goto out;
					t += got;
				}
			} else {
				if ((got = vt_get_cp(t, end, &cps[0])) == 0)
					goto out;
				t += got;
				n = 1;
			}
			if (col + w > max)
				goto out;
			c = &row->cells[col];
			c->ch = n == 0 ? 0 : cps[0];
			c->fg = run->fg;
			c->bg = run->bg;
			c->attr = run->attr & ~VT_RUN_WIDE;
			c->width = w;
			c->mark = n > 1 ? vt_row_add_mark(row, max, cps + 1, n - 1) : 0;
			if (w == 2) {
				c[1] = c[0];
				c[1].ch = 0;
				c[1].width = 0;
				c[1].mark = 0;
			}
			col += w;
		}
	}
out:
	row->used = col;
	row->flags = (h->flags & VT_ROW_WRAPPED) | VT_ROW_DIRTY;
}

/* Add a row to the history, the oldest line making way when it is full. */
static void
vt_history_push(struct vt *vt, const struct vt_row *row, int cols, bool resized)
{
	struct vt_hline	*old = NULL;
	size_t		 size, slot, nalloc, i;

	if (vt->hlimit == 0)
		return;
	if (vt->hsize == vt->hlimit) {
		old = vt->hist[vt->hstart];
		vt->hbytes -= sizeof *old + old->nruns * sizeof(struct vt_run) +
		    old->textlen;
		vt->hist[vt->hstart] = NULL;
		if (++vt->hstart == vt->halloc)
			vt->hstart = 0;
		vt->hsize--;
	} else if (vt->hsize == vt->halloc) {
		/* The ring only grows before it first wraps, so hstart is 0. */
		nalloc = vt->halloc < 32 ? 64 : vt->halloc * 2;
		if (nalloc > vt->hlimit)
			nalloc = vt->hlimit;
		vt->hist = xreallocarray(vt->hist, nalloc, sizeof *vt->hist);
		for (i = vt->halloc; i < nalloc; i++)
			vt->hist[i] = NULL;
		vt->halloc = nalloc;
	}
	slot = vt->hstart + vt->hsize;
	if (slot >= vt->halloc)
		slot -= vt->halloc;
	vt->hist[slot] = vt_hline_encode(vt, row, cols, old, &size);
	vt->hbytes += size;
	vt->hsize++;
	vt->htotal++;
	vt->hresized = resized ? vt->hresized + 1 : 0;
}

/* History line i (0 the newest), or NULL. */
static const struct vt_hline *
vt_hline(const struct vt *vt, size_t i)
{
	if (i >= vt->hsize)
		return (NULL);
	return (vt->hist[(vt->hstart + vt->hsize - 1 - i) % vt->halloc]);
}

size_t
vt_history_size(const struct vt *vt)
{
	return (vt->hsize);
}

uint64_t
vt_history_total(const struct vt *vt)
{
	return (vt->htotal);
}

bool
vt_history_line(struct vt *vt, size_t i, struct vt_line *line)
{
	const struct vt_hline	*h;
	size_t			 k;

	if ((h = vt_hline(vt, i)) == NULL)
		return (false);
	if (h->ncells > vt->decsize || vt->dec.cells == NULL) {
		vt->decsize = h->ncells < 256 ? 256 : h->ncells;
		vt->dec.cells = xreallocarray(vt->dec.cells, vt->decsize,
		    sizeof *vt->dec.cells);
	}
	for (k = 0; k < h->ncells; k++)
		vt->dec.cells[k] = vt_blank;
	vt_hline_decode(h, &vt->dec, h->ncells);
	line->cells = vt->dec.cells;
	line->ncells = vt->dec.used;
	line->wrapped = (h->flags & VT_ROW_WRAPPED) != 0;
	line->marks = vt->dec.marks;
	return (true);
}

char *
vt_history_text(const struct vt *vt, size_t i)
{
	const struct vt_hline	*h;
	const uint8_t		*t, *end;
	struct sbuf		 sb;
	uint32_t		 cp;
	size_t			 n, got, keep = 0;

	sbuf_init(&sb);
	sbuf_add(&sb, "", 0);
	if ((h = vt_hline(vt, i)) == NULL)
		return (sbuf_steal(&sb));
	t = (const uint8_t *)h + sizeof *h + h->nruns * sizeof(struct vt_run);
	end = t + h->textlen;
	while (t < end) {
		if (*t == 0) {
			sbuf_addc(&sb, ' ');
			t++;
			continue;
		}
		n = 1;
		if (*t == 1) {
			if (end - t < 2)
				break;
			n = t[1];
			t += 2;
		}
		for (; n > 0; n--) {
			if ((got = vt_get_cp(t, end, &cp)) == 0)
				goto out;
			t += got;
			sbuf_add_glyph(&sb, cp);
		}
		keep = sb.len;
	}
out:
	sb.len = keep;
	sb.buf[keep] = '\0';
	return (sbuf_steal(&sb));
}

void
vt_history_clear(struct vt *vt)
{
	size_t	i;

	for (i = 0; i < vt->halloc; i++) {
		free(vt->hist[i]);
		vt->hist[i] = NULL;
	}
	vt->hstart = 0;
	vt->hsize = 0;
	vt->hbytes = 0;
	vt->hresized = 0;
	if (vt->wrap_row != VT_WRAP_NONE && vt->wrap_row < 0)
		vt->wrap_row = VT_WRAP_NONE;
}

/* Does text at p (len bytes left) start with needle? */
static bool
vt_match(const char *p, size_t len, const char *needle, size_t nlen, bool icase)
{
	size_t	i;
	char	a, b;

	if (len < nlen)
		return (false);
	if (!icase)
		return (memcmp(p, needle, nlen) == 0);
	for (i = 0; i < nlen; i++) {
		a = p[i];
		b = needle[i];
		if (a >= 'A' && a <= 'Z')
			a += 'a' - 'A';
		if (b >= 'A' && b <= 'Z')
			b += 'a' - 'A';
		if (a != b)
			return (false);
	}
	return (true);
}

bool
vt_search(struct vt *vt, const char *needle, int flags, long *linep, int *colp)
{
	struct vt_line	 line;
	struct sbuf	 sb;
	bool		 back = (flags & VT_SEARCH_BACK) != 0;
	bool		 icase = (flags & VT_SEARCH_ICASE) != 0;
	long		 l = *linep, lo = -(long)vt->hsize, hi = vt->rows - 1;
	size_t		 nlen = strlen(needle), off;
	int		*offs = NULL, c = *colp, found, col;
	bool		 ok;

	if (nlen == 0)
		return (false);
	if (l > hi) {
		l = hi;
		c = INT_MAX;
	} else if (l < lo) {
		l = lo;
		c = -1;
	}
	sbuf_init(&sb);
	for (; l >= lo && l <= hi; l += back ? -1 : 1) {
		ok = l >= 0 ? vt_line(vt, (int)l, &line) :
		    vt_history_line(vt, (size_t)(-l - 1), &line);
		if (!ok)
			break;
		offs = xreallocarray(offs, line.ncells + 1, sizeof *offs);
		sb.len = 0;
		sbuf_add(&sb, "", 0);
		vt_line_utf8(&line, 0, line.ncells, &sb, offs);
		found = -1;
		for (col = 0; col < line.ncells; col++) {
			if (offs[col] < 0)
				continue;
			if (back ? col >= c : col <= c)
				continue;
			off = (size_t)offs[col];
			if (off >= sb.len)
				break;
			if (vt_match(sb.buf + off, sb.len - off, needle, nlen, icase)) {
				found = col;
				if (!back)
					break;
			}
		}
		if (found >= 0) {
			*linep = l;
			*colp = found;
			free(offs);
			sbuf_free(&sb);
			return (true);
		}
		c = back ? INT_MAX : -1;
	}
	free(offs);
	sbuf_free(&sb);
	return (false);
}

/* ---- Keyboard. ---- */

/* Run libvterm's keyboard code and collect what it would send. */
static size_t
vt_capture_end(struct vt *vt, char *out, size_t outlen)
{
	size_t	n = vt->caplen;

	vt->capture = false;
	if (n > outlen)
		n = outlen;
	memcpy(out, vt->capbuf, n);
	return (n);
}

/* Convert our modifiers to libvterm's. */
static VTermModifier
vt_mods(int mods)
{
	int	m = 0;

	if (mods & VT_MOD_SHIFT)
		m |= VTERM_MOD_SHIFT;
	if (mods & VT_MOD_ALT)
		m |= VTERM_MOD_ALT;
	if (mods & VT_MOD_CTRL)
		m |= VTERM_MOD_CTRL;
	return ((VTermModifier)m);
}

size_t
vt_key(struct vt *vt, enum vt_key key, int mods, char *out, size_t outlen)
{
	static const VTermKey	 keys[] = {
		[VT_KEY_ENTER] = VTERM_KEY_ENTER,
		[VT_KEY_TAB] = VTERM_KEY_TAB,
		[VT_KEY_BACKSPACE] = VTERM_KEY_BACKSPACE,
		[VT_KEY_ESCAPE] = VTERM_KEY_ESCAPE,
		[VT_KEY_UP] = VTERM_KEY_UP,
		[VT_KEY_DOWN] = VTERM_KEY_DOWN,
		[VT_KEY_LEFT] = VTERM_KEY_LEFT,
		[VT_KEY_RIGHT] = VTERM_KEY_RIGHT,
		[VT_KEY_INSERT] = VTERM_KEY_INS,
		[VT_KEY_DELETE] = VTERM_KEY_DEL,
		[VT_KEY_HOME] = VTERM_KEY_HOME,
		[VT_KEY_END] = VTERM_KEY_END,
		[VT_KEY_PAGEUP] = VTERM_KEY_PAGEUP,
		[VT_KEY_PAGEDOWN] = VTERM_KEY_PAGEDOWN,
		[VT_KEY_KP_ENTER] = VTERM_KEY_KP_ENTER
	};
	VTermKey		 k;

	if (key >= VT_KEY_F0 + 1 && key <= VT_KEY_F0 + 24)
		k = VTERM_KEY_FUNCTION(key - VT_KEY_F0);
	else if ((size_t)key < sizeof keys / sizeof keys[0] && keys[key] != 0)
		k = keys[key];
	else
		return (0);
	vt->capture = true;
	vt->caplen = 0;
	vterm_keyboard_key(vt->vterm, k, vt_mods(mods));
	return (vt_capture_end(vt, out, outlen));
}

size_t
vt_unichar(struct vt *vt, uint32_t c, int mods, char *out, size_t outlen)
{
	vt->capture = true;
	vt->caplen = 0;
	vterm_keyboard_unichar(vt->vterm, c, vt_mods(mods));
	return (vt_capture_end(vt, out, outlen));
}

size_t
vt_paste_start(struct vt *vt, char *out, size_t outlen)
{
	vt->capture = true;
	vt->caplen = 0;
	vterm_keyboard_start_paste(vt->vterm);
	return (vt_capture_end(vt, out, outlen));
}

size_t
vt_paste_end(struct vt *vt, char *out, size_t outlen)
{
	vt->capture = true;
	vt->caplen = 0;
	vterm_keyboard_end_paste(vt->vterm);
	return (vt_capture_end(vt, out, outlen));
}

bool
vt_bracketed_paste(struct vt *vt)
{
	char	buf[VT_KEY_MAX];

	/* libvterm 0.1.4 keeps mode 2004 to itself: ask it for the bracket. */
	return (vt_paste_start(vt, buf, sizeof buf) != 0);
}

size_t
vt_memory(const struct vt *vt)
{
	size_t	size, row;

	row = sizeof(struct vt_row) + vt->cols * sizeof(struct vt_cell);
	size = sizeof *vt + vt->rows * row + vt->rows * sizeof(struct vt_row);
	if (vt->alt.rows != NULL)
		size += vt->rows * row;
	size += vt->halloc * sizeof *vt->hist + vt->hbytes;
	size += vt->encsize + vt->encrunsize * sizeof(struct vt_run);
	size += vt->decsize * sizeof(struct vt_cell) + vt->holdsize;
	return (size);
}
