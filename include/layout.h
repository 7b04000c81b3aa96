/*
 * layout.h: pane layout geometry, tmux style.  Pure arithmetic: no terminal,
 * no curses.  Panes are named by caller-chosen ids (int >= 0), so code that
 * runs later (a socket callback, a timer) refers to a pane by id and the
 * layout looks it up.
 *
 * Geometry, in character cells, for an area at (x, y) of sx by sy:
 *
 *	- each pane owns a box; the box's first row is the pane's title line
 *	  and the rows below it are the pane's content (sx by sy - 1);
 *	- panes side by side are separated by a one-column vertical border;
 *	- stacked panes have no border row: the lower pane's title line is the
 *	  divider;
 *	- a pane's box is at least LAYOUT_MIN_SX by LAYOUT_MIN_SY.
 *
 * When the area is too small for every pane at its minimum size, the layout
 * keeps its minimum size and the rectangles are clipped to the area: panes
 * past the edge are reported with visible false.
 */
#ifndef LAYOUT_H
#define LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

/* Smallest pane box: title line + 2 rows, 8 columns. */
#define LAYOUT_MIN_SX	8
#define LAYOUT_MIN_SY	3

struct layout;

/* How a split places the new pane: beside (%) or below (") the old one. */
enum layout_split {
	LAYOUT_LEFTRIGHT,
	LAYOUT_TOPBOTTOM
};

enum layout_dir {
	LAYOUT_LEFT,
	LAYOUT_RIGHT,
	LAYOUT_UP,
	LAYOUT_DOWN
};

/* Where a pane is drawn, in absolute screen cells. */
struct layout_rect {
	int	 id;
	bool	 visible;	/* false: zoomed away or clipped off the area */
	int	 x;
	int	 y;		/* the title line */
	int	 sx;
	int	 sy;		/* title included: the content is sy - 1 rows */
};

/* A vertical border column between panes side by side. */
struct layout_border {
	int	 x;
	int	 y;
	int	 sy;
};

/* A layout of one pane filling an area. */
struct layout *layout_create(int id, int x, int y, int sx, int sy);
void layout_free(struct layout *);

/* Move or resize the whole area; panes keep their proportions. */
void layout_set_area(struct layout *, int x, int y, int sx, int sy);

/*
 * Split pane id: new_id goes right of it (LAYOUT_LEFTRIGHT) or below it
 * (LAYOUT_TOPBOTTOM) and takes half its space (the old pane keeps the odd
 * cell).  Unzooms.  -1 with *cause when id is unknown, new_id is taken or
 * the pane is too small to give two panes their minimum.
 */
int layout_split(struct layout *, int id, enum layout_split, int new_id,
    char **cause);

/*
 * Remove pane id; its neighbour in the same split (the one before it, or
 * after it when it is first) takes its space.  -1 when it is the last pane.
 */
int layout_remove(struct layout *, int id, char **cause);

/*
 * Move the border on pane id's right (or bottom) edge by n cells in dir, or
 * its left (top) edge when the pane is the last of its split, as tmux's
 * resize-pane -L/-R/-U/-D does.  Panes past the moving border shrink in turn
 * down to their minimum.  Returns the cells moved (0 when all are at their
 * minimum) or -1 when the pane has no border in that axis.  Unzooms.
 */
int layout_resize(struct layout *, int id, enum layout_dir, int n,
    char **cause);

/* Equal sizes among the children of every split (like tmux select-layout -E). */
void layout_even(struct layout *);

/* Zoom id over the whole area, or unzoom with id -1.  -1 if id is unknown. */
int layout_zoom(struct layout *, int id);
/* The zoomed pane or -1. */
int layout_zoomed(const struct layout *);

/*
 * The pane next to id on side dir (by geometry): of the panes adjacent on
 * that side, the one overlapping id the most, ties to the top or the left.
 * Wraps around at the edge of the area, like tmux.  -1 if none.
 */
int layout_neighbour(const struct layout *, int id, enum layout_dir);

bool layout_has(const struct layout *, int id);
size_t layout_count(const struct layout *);
/* Pane ids in tree order (left to right, top to bottom) into ids; returns the count. */
size_t layout_panes(const struct layout *, int *ids, size_t max);

/* Rectangles of every pane, in tree order; returns the count (may exceed max). */
size_t layout_rects(const struct layout *, struct layout_rect *, size_t max);
int layout_rect(const struct layout *, int id, struct layout_rect *);
/* Vertical borders to draw (none while zoomed); returns the count. */
size_t layout_borders(const struct layout *, struct layout_border *, size_t max);

/*
 * The tree as text, like tmux's window_layout without the checksum:
 * "SXxSY,X,Y,ID" for a pane, "SXxSY,X,Y{...}" side by side, "[...]"
 * stacked; offsets relative to the area.  Owned by the caller.
 */
char *layout_describe(const struct layout *);

#endif
