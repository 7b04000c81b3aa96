/*
 * layout.c: the pane layout, a tree of cells as in tmux's layout.c.
 *
 * A leaf cell is a pane (named by its id); an inner cell splits its space
 * among two or more children either side by side (LEFTRIGHT) or stacked
 * (TOPBOTTOM).  Invariants kept by every operation:
 *
 *	- an inner cell has at least two children, and never the same kind as
 *	  its parent (a split beside a pane that is already in a side-by-side
 *	  split joins that split; removing a pane folds single-child cells
 *	  away and merges what is left into a like parent);
 *	- side by side, children sizes plus one border column between each two
 *	  add up to the parent's width, and every child has the parent's
 *	  height; stacked, children heights add up to the parent's height (the
 *	  title line of each lower pane is the divider) and widths are equal;
 *	- every cell is at least its minimum size (LAYOUT_MIN_SX/SY per pane,
 *	  summed along a split, the largest across it).
 *
 * The tree is sized to the area, or to its own minimum when the area is
 * smaller; rectangles are then clipped to the area.  Offsets are relative to
 * the area and recomputed from the root after every change.
 */
#include <stdlib.h>
#include <string.h>

#include "omv.h"
#include "layout.h"

enum layout_type {
	CELL_PANE,
	CELL_LEFTRIGHT,
	CELL_TOPBOTTOM
};

struct layout_cell {
	enum layout_type	  type;
	struct layout_cell	 *parent;	/* borrowed; NULL: root */
	struct layout_cell	**children;	/* owned */
	size_t			  nchildren;
	int			  id;		/* panes only */

	int			  sx;
	int			  sy;
	int			  xoff;
	int			  yoff;
};

struct layout {
	struct layout_cell	*root;		/* owned */
	int			 x;
	int			 y;
	int			 sx;
	int			 sy;
	int			 zoomed;	/* pane id or -1 */
};

/* A new cell with no children. */
static struct layout_cell *
layout_cell_new(enum layout_type type, struct layout_cell *parent, int id)
{
	struct layout_cell	*c;

	c = xcalloc(1, sizeof *c);
	c->type = type;
	c->parent = parent;
	c->id = type == CELL_PANE ? id : -1;
	return (c);
}

/* Free a cell and everything below it. */
static void
layout_cell_free(struct layout_cell *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nchildren; i++)
		layout_cell_free(c->children[i]);
	free(c->children);
	free(c);
}

/* The pane cell with this id, below c. */
static struct layout_cell *
layout_find(struct layout_cell *c, int id)
{
	struct layout_cell	*found;
	size_t			 i;

	if (c->type == CELL_PANE)
		return (c->id == id ? c : NULL);
	for (i = 0; i < c->nchildren; i++) {
		if ((found = layout_find(c->children[i], id)) != NULL)
			return (found);
	}
	return (NULL);
}

/* The axis an inner cell splits: 0 for x, 1 for y. */
static int
layout_axis(const struct layout_cell *c)
{
	return (c->type == CELL_TOPBOTTOM);
}

/* Border cells between two children of c. */
static int
layout_gap(const struct layout_cell *c)
{
	return (c->type == CELL_LEFTRIGHT);
}

/* Size of c on an axis. */
static int
layout_size(const struct layout_cell *c, int axis)
{
	return (axis ? c->sy : c->sx);
}

/* Smallest size of c on an axis. */
static int
layout_min(const struct layout_cell *c, int axis)
{
	size_t	i;
	int	m, sum = 0, max = 0;

	if (c->type == CELL_PANE)
		return (axis ? LAYOUT_MIN_SY : LAYOUT_MIN_SX);
	for (i = 0; i < c->nchildren; i++) {
		m = layout_min(c->children[i], axis);
		sum += m;
		if (m > max)
			max = m;
	}
	if (layout_axis(c) != axis)
		return (max);
	return (sum + layout_gap(c) * (int)(c->nchildren - 1));
}

/* Index of c among its parent's children. */
static size_t
layout_index(const struct layout_cell *c)
{
	size_t	i;

	for (i = 0; i < c->parent->nchildren; i++) {
		if (c->parent->children[i] == c)
			break;
	}
	return (i);
}

/*
 * Share avail among n children by weight, giving none less than its minimum;
 * the cells lost to rounding go one each to the first children.
 */
static void
layout_distribute(int avail, size_t n, const int *w, const int *m, int *out)
{
	bool		*fixed;
	long long	 total;
	size_t		 i, unfixed;
	int		 rem, left, share;
	bool		 changed;

	fixed = xcalloc(n, sizeof *fixed);
	for (;;) {
		rem = avail;
		total = 0;
		unfixed = 0;
		for (i = 0; i < n; i++) {
			if (fixed[i])
				rem -= out[i];
			else {
				total += w[i];
				unfixed++;
			}
		}
		if (unfixed == 0)
			break;
		changed = false;
		left = rem;
		for (i = 0; i < n; i++) {
			if (fixed[i])
				continue;
			if (total > 0)
				share = (int)((long long)w[i] * rem / total);
			else
				share = rem / (int)unfixed;
			if (share < m[i]) {
				fixed[i] = true;
				out[i] = m[i];
				changed = true;
			} else {
				out[i] = share;
				left -= share;
			}
		}
		if (changed)
			continue;
		for (i = 0; left > 0; i = (i + 1) % n) {
			if (!fixed[i]) {
				out[i]++;
				left--;
			}
		}
		break;
	}
	free(fixed);
}

/*
 * Give c the size sx by sy and share it among its children: in proportion to
 * their present sizes, or equally when even.
 */
static void
layout_fit(struct layout_cell *c, int sx, int sy, bool even)
{
	struct layout_cell	*child;
	size_t			 i, n = c->nchildren;
	int			*w, *m, *out, axis, avail;

	c->sx = sx;
	c->sy = sy;
	if (c->type == CELL_PANE)
		return;

	axis = layout_axis(c);
	avail = (axis ? sy : sx) - layout_gap(c) * (int)(n - 1);
	w = xcalloc(n, sizeof *w);
	m = xcalloc(n, sizeof *m);
	out = xcalloc(n, sizeof *out);
	for (i = 0; i < n; i++) {
		w[i] = even ? 1 : layout_size(c->children[i], axis);
		m[i] = layout_min(c->children[i], axis);
	}
	layout_distribute(avail, n, w, m, out);
	for (i = 0; i < n; i++) {
		child = c->children[i];
		if (axis)
			layout_fit(child, sx, out[i], even);
		else
			layout_fit(child, out[i], sy, even);
	}
	free(out);
	free(m);
	free(w);
}

/* Resize c on one axis, keeping the other. */
static void
layout_fit_axis(struct layout_cell *c, int axis, int size)
{
	if (axis)
		layout_fit(c, c->sx, size, false);
	else
		layout_fit(c, size, c->sy, false);
}

/* Recompute the offsets of c and everything below it. */
static void
layout_place(struct layout_cell *c, int xoff, int yoff)
{
	struct layout_cell	*child;
	size_t			 i;

	c->xoff = xoff;
	c->yoff = yoff;
	for (i = 0; i < c->nchildren; i++) {
		child = c->children[i];
		layout_place(child, xoff, yoff);
		if (c->type == CELL_LEFTRIGHT)
			xoff += child->sx + 1;
		else
			yoff += child->sy;
	}
}

/* Size the tree to the area (or its minimum) and place it. */
static void
layout_reflow(struct layout *l, bool even)
{
	int	sx, sy;

	sx = layout_min(l->root, 0);
	sy = layout_min(l->root, 1);
	if (l->sx > sx)
		sx = l->sx;
	if (l->sy > sy)
		sy = l->sy;
	layout_fit(l->root, sx, sy, even);
	layout_place(l->root, 0, 0);
}

struct layout *
layout_create(int id, int x, int y, int sx, int sy)
{
	struct layout	*l;

	l = xcalloc(1, sizeof *l);
	l->root = layout_cell_new(CELL_PANE, NULL, id);
	l->zoomed = -1;
	layout_set_area(l, x, y, sx, sy);
	return (l);
}

void
layout_free(struct layout *l)
{
	if (l == NULL)
		return;
	layout_cell_free(l->root);
	free(l);
}

void
layout_set_area(struct layout *l, int x, int y, int sx, int sy)
{
	l->x = x;
	l->y = y;
	l->sx = sx < 0 ? 0 : sx;
	l->sy = sy < 0 ? 0 : sy;
	layout_reflow(l, false);
}

int
layout_split(struct layout *l, int id, enum layout_split how, int new_id,
    char **cause)
{
	struct layout_cell	*c, *p, *in, *nc;
	enum layout_type	 type;
	size_t			 i;
	int			 axis, size, need, newsz;

	if ((c = layout_find(l->root, id)) == NULL) {
		xasprintf(cause, "no pane %d", id);
		return (-1);
	}
	if (new_id < 0 || layout_find(l->root, new_id) != NULL) {
		xasprintf(cause, "pane id %d is taken or invalid", new_id);
		return (-1);
	}
	type = how == LAYOUT_LEFTRIGHT ? CELL_LEFTRIGHT : CELL_TOPBOTTOM;
	axis = type == CELL_TOPBOTTOM;
	size = layout_size(c, axis);
	if (axis)
		need = 2 * LAYOUT_MIN_SY;
	else
		need = 2 * LAYOUT_MIN_SX + 1;
	if (size < need) {
		xasprintf(cause, "pane too small to split (%d %s, need %d)",
		    size, axis ? "rows" : "columns", need);
		return (-1);
	}
	l->zoomed = -1;

	/* Join the parent's split when it goes the same way, else make one. */
	p = c->parent;
	if (p == NULL || p->type != type) {
		in = layout_cell_new(type, p, -1);
		in->sx = c->sx;
		in->sy = c->sy;
		if (p == NULL)
			l->root = in;
		else
			p->children[layout_index(c)] = in;
		in->children = xreallocarray(NULL, 1, sizeof *in->children);
		in->children[0] = c;
		in->nchildren = 1;
		c->parent = in;
		p = in;
	}
	nc = layout_cell_new(CELL_PANE, p, new_id);
	i = layout_index(c) + 1;
	p->children = xreallocarray(p->children, p->nchildren + 1,
	    sizeof *p->children);
	memmove(&p->children[i + 1], &p->children[i],
	    (p->nchildren - i) * sizeof *p->children);
	p->children[i] = nc;
	p->nchildren++;

	newsz = (size - layout_gap(p)) / 2;
	nc->sx = c->sx;
	nc->sy = c->sy;
	layout_fit_axis(c, axis, size - layout_gap(p) - newsz);
	layout_fit_axis(nc, axis, newsz);
	layout_place(l->root, 0, 0);
	return (0);
}

/* p has one child left: it takes p's place, merged into a like parent. */
static void
layout_collapse(struct layout *l, struct layout_cell *p)
{
	struct layout_cell	*only = p->children[0], *gp = p->parent;
	size_t			 i, j, k;

	only->parent = gp;
	if (gp == NULL)
		l->root = only;
	else if (only->type != gp->type)
		gp->children[layout_index(p)] = only;
	else {
		i = layout_index(p);
		k = only->nchildren;
		gp->children = xreallocarray(gp->children,
		    gp->nchildren + k - 1, sizeof *gp->children);
		memmove(&gp->children[i + k], &gp->children[i + 1],
		    (gp->nchildren - i - 1) * sizeof *gp->children);
		for (j = 0; j < k; j++) {
			gp->children[i + j] = only->children[j];
			only->children[j]->parent = gp;
		}
		gp->nchildren += k - 1;
		free(only->children);
		free(only);
	}
	free(p->children);
	free(p);
}

int
layout_remove(struct layout *l, int id, char **cause)
{
	struct layout_cell	*c, *p, *s;
	size_t			 i;
	int			 axis, gain;

	if ((c = layout_find(l->root, id)) == NULL) {
		xasprintf(cause, "no pane %d", id);
		return (-1);
	}
	if (c == l->root) {
		xasprintf(cause, "cannot remove the last pane");
		return (-1);
	}
	p = c->parent;
	i = layout_index(c);
	axis = layout_axis(p);
	s = i > 0 ? p->children[i - 1] : p->children[i + 1];
	gain = layout_size(c, axis) + layout_gap(p);

	memmove(&p->children[i], &p->children[i + 1],
	    (p->nchildren - i - 1) * sizeof *p->children);
	p->nchildren--;
	layout_cell_free(c);
	layout_fit_axis(s, axis, layout_size(s, axis) + gain);
	if (p->nchildren == 1)
		layout_collapse(l, p);

	if (l->zoomed == id)
		l->zoomed = -1;
	layout_place(l->root, 0, 0);
	return (0);
}

/* Shrink children from i on, stepping by step, by up to want cells in all. */
static int
layout_take(struct layout_cell *p, int i, int step, int want)
{
	struct layout_cell	*c;
	int			 axis = layout_axis(p), taken = 0, cap, t;

	for (; i >= 0 && i < (int)p->nchildren && taken < want; i += step) {
		c = p->children[i];
		cap = layout_size(c, axis) - layout_min(c, axis);
		t = want - taken < cap ? want - taken : cap;
		if (t > 0) {
			layout_fit_axis(c, axis, layout_size(c, axis) - t);
			taken += t;
		}
	}
	return (taken);
}

int
layout_resize(struct layout *l, int id, enum layout_dir dir, int n,
    char **cause)
{
	struct layout_cell	*c, *p, *grow;
	enum layout_type	 want;
	int			 b, moved, axis;

	if ((c = layout_find(l->root, id)) == NULL) {
		xasprintf(cause, "no pane %d", id);
		return (-1);
	}
	if (dir == LAYOUT_LEFT || dir == LAYOUT_RIGHT)
		want = CELL_LEFTRIGHT;
	else
		want = CELL_TOPBOTTOM;
	while (c->parent != NULL && c->parent->type != want)
		c = c->parent;
	if (c->parent == NULL) {
		xasprintf(cause, "pane %d has no %s border", id,
		    want == CELL_LEFTRIGHT ? "left or right" : "top or bottom");
		return (-1);
	}
	if (n <= 0)
		return (0);
	l->zoomed = -1;

	/* Border b lies between children b and b + 1. */
	p = c->parent;
	axis = layout_axis(p);
	b = (int)layout_index(c);
	if (b == (int)p->nchildren - 1)
		b--;
	if (dir == LAYOUT_LEFT || dir == LAYOUT_UP) {
		moved = layout_take(p, b, -1, n);
		grow = p->children[b + 1];
	} else {
		moved = layout_take(p, b + 1, 1, n);
		grow = p->children[b];
	}
	layout_fit_axis(grow, axis, layout_size(grow, axis) + moved);
	layout_place(l->root, 0, 0);
	return (moved);
}

void
layout_even(struct layout *l)
{
	layout_reflow(l, true);
}

int
layout_zoom(struct layout *l, int id)
{
	if (id != -1 && layout_find(l->root, id) == NULL)
		return (-1);
	l->zoomed = id;
	return (0);
}

int
layout_zoomed(const struct layout *l)
{
	return (l->zoomed);
}

/* Append the pane cells below c, in tree order. */
static void
layout_leaves(struct layout_cell *c, struct layout_cell ***v, size_t *n)
{
	size_t	i;

	if (c->type == CELL_PANE) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[(*n)++] = c;
		return;
	}
	for (i = 0; i < c->nchildren; i++)
		layout_leaves(c->children[i], v, n);
}

bool
layout_has(const struct layout *l, int id)
{
	return (id >= 0 && layout_find(l->root, id) != NULL);
}

size_t
layout_count(const struct layout *l)
{
	return (layout_panes(l, NULL, 0));
}

size_t
layout_panes(const struct layout *l, int *ids, size_t max)
{
	struct layout_cell	**v = NULL;
	size_t			  n = 0, i;

	layout_leaves(l->root, &v, &n);
	for (i = 0; i < n && i < max; i++)
		ids[i] = v[i]->id;
	free(v);
	return (n);
}

/* Overlap of [a, a + as) and [b, b + bs). */
static int
layout_overlap(int a, int as, int b, int bs)
{
	int	lo = a > b ? a : b, hi = a + as < b + bs ? a + as : b + bs;

	return (hi > lo ? hi - lo : 0);
}

/* Is c next to p on side dir, wrapping at the edges of an sx by sy tree? */
static bool
layout_adjacent(const struct layout_cell *p, const struct layout_cell *c,
    enum layout_dir dir, int sx, int sy)
{
	switch (dir) {
	case LAYOUT_LEFT:
		if (p->xoff == 0)
			return (c->xoff + c->sx == sx);
		return (c->xoff + c->sx + 1 == p->xoff);
	case LAYOUT_RIGHT:
		if (p->xoff + p->sx == sx)
			return (c->xoff == 0);
		return (p->xoff + p->sx + 1 == c->xoff);
	case LAYOUT_UP:
		if (p->yoff == 0)
			return (c->yoff + c->sy == sy);
		return (c->yoff + c->sy == p->yoff);
	case LAYOUT_DOWN:
		if (p->yoff + p->sy == sy)
			return (c->yoff == 0);
		return (p->yoff + p->sy == c->yoff);
	}
	return (false);
}

int
layout_neighbour(const struct layout *l, int id, enum layout_dir dir)
{
	struct layout_cell	**v = NULL, *p, *c, *best = NULL;
	size_t			  n = 0, i;
	int			  ov, bestov = 0, found = -1;
	bool			  horiz;

	if ((p = layout_find(l->root, id)) == NULL)
		return (-1);
	horiz = dir == LAYOUT_LEFT || dir == LAYOUT_RIGHT;
	layout_leaves(l->root, &v, &n);
	for (i = 0; i < n; i++) {
		c = v[i];
		if (c == p || !layout_adjacent(p, c, dir, l->root->sx,
		    l->root->sy))
			continue;
		if (horiz)
			ov = layout_overlap(p->yoff, p->sy, c->yoff, c->sy);
		else
			ov = layout_overlap(p->xoff, p->sx, c->xoff, c->sx);
		if (ov == 0)
			continue;
		if (best == NULL || ov > bestov || (ov == bestov &&
		    (horiz ? c->yoff < best->yoff : c->xoff < best->xoff))) {
			best = c;
			bestov = ov;
		}
	}
	if (best != NULL)
		found = best->id;
	free(v);
	return (found);
}

/* Clip a span at off of size to an area of total; returns the visible size. */
static int
layout_clip(int off, int size, int total)
{
	if (off >= total)
		return (0);
	return (off + size > total ? total - off : size);
}

/* The rectangle of pane cell c. */
static void
layout_rect_of(const struct layout *l, const struct layout_cell *c,
    struct layout_rect *r)
{
	r->id = c->id;
	if (l->zoomed == c->id) {
		r->x = l->x;
		r->y = l->y;
		r->sx = l->sx;
		r->sy = l->sy;
		r->visible = r->sx > 0 && r->sy > 0;
		return;
	}
	r->x = l->x + c->xoff;
	r->y = l->y + c->yoff;
	r->sx = layout_clip(c->xoff, c->sx, l->sx);
	r->sy = layout_clip(c->yoff, c->sy, l->sy);
	r->visible = l->zoomed == -1 && r->sx > 0 && r->sy > 0;
}

size_t
layout_rects(const struct layout *l, struct layout_rect *out, size_t max)
{
	struct layout_cell	**v = NULL;
	size_t			  n = 0, i;

	layout_leaves(l->root, &v, &n);
	for (i = 0; i < n && i < max; i++)
		layout_rect_of(l, v[i], &out[i]);
	free(v);
	return (n);
}

int
layout_rect(const struct layout *l, int id, struct layout_rect *r)
{
	struct layout_cell	*c;

	if ((c = layout_find(l->root, id)) == NULL)
		return (-1);
	layout_rect_of(l, c, r);
	return (0);
}

/* Append the borders of c and below. */
static void
layout_borders_of(const struct layout *l, const struct layout_cell *c,
    struct layout_border *out, size_t max, size_t *n)
{
	const struct layout_cell	*child;
	size_t				 i;
	int				 x, sy;

	for (i = 0; i < c->nchildren; i++) {
		child = c->children[i];
		layout_borders_of(l, child, out, max, n);
		if (c->type != CELL_LEFTRIGHT || i == c->nchildren - 1)
			continue;
		x = child->xoff + child->sx;
		sy = layout_clip(c->yoff, c->sy, l->sy);
		if (x >= l->sx || sy <= 0)
			continue;
		if (*n < max) {
			out[*n].x = l->x + x;
			out[*n].y = l->y + c->yoff;
			out[*n].sy = sy;
		}
		(*n)++;
	}
}

size_t
layout_borders(const struct layout *l, struct layout_border *out, size_t max)
{
	size_t	n = 0;

	if (l->zoomed != -1)
		return (0);
	layout_borders_of(l, l->root, out, max, &n);
	return (n);
}

/* Describe c into sb. */
static void
layout_describe_cell(const struct layout_cell *c, struct sbuf *sb)
{
	size_t	i;

	sbuf_addf(sb, "%dx%d,%d,%d", c->sx, c->sy, c->xoff, c->yoff);
	if (c->type == CELL_PANE) {
		sbuf_addf(sb, ",%d", c->id);
		return;
	}
	sbuf_addc(sb, c->type == CELL_LEFTRIGHT ? '{' : '[');
	for (i = 0; i < c->nchildren; i++) {
		if (i != 0)
			sbuf_addc(sb, ',');
		layout_describe_cell(c->children[i], sb);
	}
	sbuf_addc(sb, c->type == CELL_LEFTRIGHT ? '}' : ']');
}

char *
layout_describe(const struct layout *l)
{
	struct sbuf	sb;

	sbuf_init(&sb);
	layout_describe_cell(l->root, &sb);
	return (sbuf_steal(&sb));
}
