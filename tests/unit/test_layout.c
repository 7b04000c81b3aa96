/*
 * test_layout.c: pane layout geometry.  Cases come from
 * tests/data/layout/cases.txt (an area, a list of operations, the expected
 * tree); after every operation the invariants are checked: the panes and
 * borders tile the area exactly once, the tree text is well formed (splits
 * of two or more, never nested the same way, sizes adding up), and no pane is
 * under its minimum.  A long random run checks the same invariants.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omv.h"
#include "layout.h"

/* Parsed node of a layout_describe() string. */
struct node {
	char		 kind;		/* 'p' pane, '{' side by side, '[' stacked */
	int		 sx, sy, x, y, id;
	struct node	*child[64];
	int		 n;
};

static void
node_free(struct node *n)
{
	int	i;

	if (n == NULL)
		return;
	for (i = 0; i < n->n; i++)
		node_free(n->child[i]);
	free(n);
}

/* Parse one node at *sp; NULL on malformed text. */
static struct node *
node_parse(const char **sp)
{
	struct node	*n;
	char		 close;
	int		 used;

	n = calloc(1, sizeof *n);
	if (sscanf(*sp, "%dx%d,%d,%d%n", &n->sx, &n->sy, &n->x, &n->y,
	    &used) != 4) {
		free(n);
		return (NULL);
	}
	*sp += used;
	if (**sp == ',') {
		n->kind = 'p';
		if (sscanf(*sp, ",%d%n", &n->id, &used) != 1) {
			free(n);
			return (NULL);
		}
		*sp += used;
		return (n);
	}
	if (**sp != '{' && **sp != '[') {
		free(n);
		return (NULL);
	}
	n->kind = **sp;
	close = n->kind == '{' ? '}' : ']';
	(*sp)++;
	for (;;) {
		if (n->n == 64 || (n->child[n->n] = node_parse(sp)) == NULL) {
			node_free(n);
			return (NULL);
		}
		n->n++;
		if (**sp == ',') {
			(*sp)++;
			continue;
		}
		if (**sp != close) {
			node_free(n);
			return (NULL);
		}
		(*sp)++;
		return (n);
	}
}

/* Structural invariants of the tree under n. */
static void
node_check(const struct node *n, char parent)
{
	const struct node	*c;
	int			 i, x = n->x, y = n->y;

	if (n->kind == 'p') {
		assert_true(n->sx >= LAYOUT_MIN_SX);
		assert_true(n->sy >= LAYOUT_MIN_SY);
		return;
	}
	assert_true(n->n >= 2);
	assert_true(n->kind != parent);
	for (i = 0; i < n->n; i++) {
		c = n->child[i];
		node_check(c, n->kind);
		assert_int_equal(c->x, x);
		assert_int_equal(c->y, y);
		if (n->kind == '{') {
			assert_int_equal(c->sy, n->sy);
			x += c->sx + 1;
		} else {
			assert_int_equal(c->sx, n->sx);
			y += c->sy;
		}
	}
	if (n->kind == '{')
		assert_int_equal(x - 1, n->x + n->sx);
	else
		assert_int_equal(y, n->y + n->sy);
}

/* Every invariant of l, over an area of sx by sy at (ax, ay). */
static void
check_layout(struct layout *l, int ax, int ay, int sx, int sy)
{
	struct layout_rect	 r[128];
	struct layout_border	 b[128];
	struct node		*root;
	unsigned char		*grid;
	const char		*p;
	char			*text;
	size_t			 n, nb, i;
	int			 x, y, zoomed = layout_zoomed(l);

	text = layout_describe(l);
	p = text;
	root = node_parse(&p);
	assert_non_null(root);
	assert_int_equal(*p, '\0');
	node_check(root, 0);
	assert_int_equal(root->x, 0);
	assert_int_equal(root->y, 0);
	assert_true(root->sx >= sx && root->sy >= sy);
	node_free(root);
	free(text);

	n = layout_rects(l, r, 128);
	nb = layout_borders(l, b, 128);
	assert_int_equal(n, layout_count(l));
	assert_true(n <= 128 && nb <= 128);
	grid = calloc((size_t)sx * sy + 1, 1);
	for (i = 0; i < n; i++) {
		assert_true(layout_has(l, r[i].id));
		if (zoomed != -1) {
			assert_int_equal(r[i].visible, r[i].id == zoomed);
			if (r[i].id != zoomed)
				continue;
		}
		if (!r[i].visible)
			continue;
		for (y = r[i].y - ay; y < r[i].y - ay + r[i].sy; y++) {
			for (x = r[i].x - ax; x < r[i].x - ax + r[i].sx; x++) {
				assert_true(x >= 0 && x < sx && y >= 0 && y < sy);
				grid[y * sx + x]++;
			}
		}
	}
	if (zoomed != -1)
		assert_int_equal(nb, 0);
	for (i = 0; i < nb; i++) {
		x = b[i].x - ax;
		for (y = b[i].y - ay; y < b[i].y - ay + b[i].sy; y++) {
			assert_true(x >= 0 && x < sx && y >= 0 && y < sy);
			grid[y * sx + x]++;
		}
	}
	for (i = 0; i < (size_t)sx * sy; i++) {
		if (grid[i] != 1)
			fail_msg("cell %zu,%zu covered %d times", i % sx,
			    i / sx, grid[i]);
	}
	free(grid);
}

static int
parse_dir(const char *s)
{
	switch (*s) {
	case 'L':
		return (LAYOUT_LEFT);
	case 'R':
		return (LAYOUT_RIGHT);
	case 'U':
		return (LAYOUT_UP);
	case 'D':
		return (LAYOUT_DOWN);
	}
	fail_msg("bad direction %s", s);
	return (-1);
}

/* Run one operation of a case; sx/sy track the area. */
static void
run_op(struct layout *l, char *op, int *sx, int *sy, int lineno)
{
	char	*w[8], *cause = NULL, *s;
	int	 n = 0, rc, want_fail = 0, expect;
	size_t	 len;

	while (isspace((unsigned char)*op))
		op++;
	len = strlen(op);
	while (len > 0 && isspace((unsigned char)op[len - 1]))
		op[--len] = '\0';
	if (len > 0 && op[len - 1] == '!') {
		want_fail = 1;
		op[--len] = '\0';
	}
	for (s = strtok(op, " "); s != NULL && n < 8; s = strtok(NULL, " "))
		w[n++] = s;
	if (n == 0 || strcmp(w[0], "-") == 0)
		return;

	rc = 0;
	if (strcmp(w[0], "split-h") == 0 || strcmp(w[0], "split-v") == 0) {
		rc = layout_split(l, atoi(w[1]), w[0][6] == 'h' ?
		    LAYOUT_LEFTRIGHT : LAYOUT_TOPBOTTOM, atoi(w[2]), &cause);
	} else if (strcmp(w[0], "kill") == 0)
		rc = layout_remove(l, atoi(w[1]), &cause);
	else if (strcmp(w[0], "resize") == 0) {
		rc = layout_resize(l, atoi(w[1]), parse_dir(w[2]), atoi(w[3]),
		    &cause);
		if (n > 4 && rc != -1) {
			expect = atoi(w[4] + 1);
			if (rc != expect)
				fail_msg("line %d: moved %d, want %d", lineno,
				    rc, expect);
		}
	} else if (strcmp(w[0], "even") == 0)
		layout_even(l);
	else if (strcmp(w[0], "area") == 0) {
		sscanf(w[1], "%dx%d", sx, sy);
		layout_set_area(l, 0, 0, *sx, *sy);
	} else if (strcmp(w[0], "zoom") == 0)
		rc = layout_zoom(l, atoi(w[1]));
	else if (strcmp(w[0], "near") == 0) {
		expect = atoi(w[3]);
		rc = layout_neighbour(l, atoi(w[1]), parse_dir(w[2]));
		if (rc != expect)
			fail_msg("line %d: neighbour %s of %s is %d, want %d",
			    lineno, w[2], w[1], rc, expect);
		rc = 0;
	} else
		fail_msg("line %d: unknown op %s", lineno, w[0]);

	if (want_fail && rc != -1)
		fail_msg("line %d: %s succeeded, want failure", lineno, w[0]);
	if (!want_fail && rc == -1)
		fail_msg("line %d: %s failed: %s", lineno, w[0], cause);
	if (want_fail && strcmp(w[0], "zoom") != 0)
		assert_non_null(cause);
	free(cause);
}

/* The cases of tests/data/layout/cases.txt. */
static void
test_layout_cases(void **state)
{
	const char	*dir;
	char		 path[4096], line[4096], *area, *ops, *want, *op, *save;
	char		*got;
	FILE		*f;
	struct layout	*l;
	int		 sx, sy, lineno = 0, cases = 0;

	(void)state;
	dir = getenv("OMV_TEST_DATA");
	snprintf(path, sizeof path, "%s/layout/cases.txt",
	    dir != NULL ? dir : "tests/data");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f) != NULL) {
		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		area = strtok_r(line, "|", &save);
		ops = strtok_r(NULL, "|", &save);
		want = strtok_r(NULL, "|", &save);
		if (area == NULL || ops == NULL || want == NULL)
			fail_msg("line %d: malformed", lineno);
		if (sscanf(area, "%dx%d", &sx, &sy) != 2)
			fail_msg("line %d: bad area", lineno);
		l = layout_create(0, 0, 0, sx, sy);
		check_layout(l, 0, 0, sx, sy);
		for (op = strtok_r(ops, ";", &save); op != NULL;
		    op = strtok_r(NULL, ";", &save)) {
			run_op(l, op, &sx, &sy, lineno);
			check_layout(l, 0, 0, sx, sy);
		}
		while (isspace((unsigned char)*want))
			want++;
		want[strcspn(want, " \t")] = '\0';
		got = layout_describe(l);
		if (strcmp(want, "-") != 0 && strcmp(got, want) != 0)
			fail_msg("line %d:\n got %s\nwant %s", lineno, got, want);
		free(got);
		layout_free(l);
		cases++;
	}
	fclose(f);
	assert_true(cases >= 20);
}

/* Rectangles are absolute and the title line is the first row. */
static void
test_layout_rects(void **state)
{
	struct layout		*l;
	struct layout_rect	 r[4];
	struct layout_border	 b[4];
	char			*cause = NULL;

	(void)state;
	l = layout_create(7, 28, 1, 52, 22);
	assert_int_equal(layout_split(l, 7, LAYOUT_LEFTRIGHT, 8, &cause), 0);
	assert_int_equal(layout_rects(l, r, 4), 2);
	assert_int_equal(r[0].id, 7);
	assert_int_equal(r[0].x, 28);
	assert_int_equal(r[0].y, 1);
	assert_int_equal(r[0].sx, 26);
	assert_int_equal(r[0].sy, 22);
	assert_int_equal(r[1].id, 8);
	assert_int_equal(r[1].x, 28 + 26 + 1);
	assert_int_equal(r[1].sx, 25);
	assert_int_equal(layout_borders(l, b, 4), 1);
	assert_int_equal(b[0].x, 28 + 26);
	assert_int_equal(b[0].y, 1);
	assert_int_equal(b[0].sy, 22);
	check_layout(l, 28, 1, 52, 22);

	/* Zoomed: the whole area, the other pane hidden, no borders. */
	assert_int_equal(layout_zoom(l, 8), 0);
	assert_int_equal(layout_zoomed(l), 8);
	assert_int_equal(layout_rect(l, 8, &r[0]), 0);
	assert_true(r[0].visible);
	assert_int_equal(r[0].x, 28);
	assert_int_equal(r[0].sx, 52);
	assert_int_equal(layout_rect(l, 7, &r[1]), 0);
	assert_false(r[1].visible);
	assert_int_equal(r[1].sx, 26);	/* the size it keeps for later */
	assert_int_equal(layout_borders(l, b, 4), 0);
	check_layout(l, 28, 1, 52, 22);
	assert_int_equal(layout_zoom(l, 99), -1);

	/* Splitting unzooms. */
	assert_int_equal(layout_split(l, 8, LAYOUT_TOPBOTTOM, 9, &cause), 0);
	assert_int_equal(layout_zoomed(l), -1);
	assert_int_equal(layout_rect(l, 9, &r[0]), 0);
	assert_int_equal(r[0].y, 1 + 11);
	assert_int_equal(r[0].sy, 11);
	assert_int_equal(layout_rect(l, 42, &r[0]), -1);
	layout_free(l);
	layout_free(NULL);
}

/* Errors name the problem. */
static void
test_layout_errors(void **state)
{
	struct layout	*l;
	char		*cause = NULL;

	(void)state;
	l = layout_create(0, 0, 0, 16, 5);
	assert_int_equal(layout_split(l, 0, LAYOUT_LEFTRIGHT, 1, &cause), -1);
	assert_non_null(strstr(cause, "too small"));
	assert_non_null(strstr(cause, "need 17"));
	free(cause);
	cause = NULL;
	assert_int_equal(layout_split(l, 3, LAYOUT_TOPBOTTOM, 1, &cause), -1);
	assert_string_equal(cause, "no pane 3");
	free(cause);
	cause = NULL;
	assert_int_equal(layout_split(l, 0, LAYOUT_TOPBOTTOM, 0, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(layout_remove(l, 0, &cause), -1);
	assert_string_equal(cause, "cannot remove the last pane");
	free(cause);
	cause = NULL;
	assert_int_equal(layout_resize(l, 0, LAYOUT_LEFT, 2, &cause), -1);
	assert_non_null(strstr(cause, "no left or right border"));
	free(cause);
	assert_int_equal(layout_count(l), 1);
	assert_int_equal(layout_neighbour(l, 0, LAYOUT_LEFT), -1);
	layout_free(l);
}

/* Shrinking the area below the minimum clips; growing it restores. */
static void
test_layout_clip(void **state)
{
	struct layout		*l;
	struct layout_rect	 r[4];
	char			*cause = NULL, *text;

	(void)state;
	l = layout_create(0, 0, 0, 40, 10);
	assert_int_equal(layout_split(l, 0, LAYOUT_LEFTRIGHT, 1, &cause), 0);
	assert_int_equal(layout_split(l, 1, LAYOUT_LEFTRIGHT, 2, &cause), 0);
	layout_set_area(l, 0, 0, 20, 2);
	check_layout(l, 0, 0, 20, 2);
	assert_int_equal(layout_rects(l, r, 4), 3);
	assert_true(r[0].visible);
	assert_int_equal(r[0].sx, 8);
	assert_int_equal(r[0].sy, 2);
	assert_true(r[1].visible);
	assert_int_equal(r[1].sx, 8);
	assert_true(r[2].visible);
	assert_int_equal(r[2].x, 18);
	assert_int_equal(r[2].sx, 2);
	layout_set_area(l, 0, 0, 10, 2);
	assert_int_equal(layout_rects(l, r, 4), 3);
	assert_true(r[1].visible);
	assert_int_equal(r[1].x, 9);
	assert_int_equal(r[1].sx, 1);
	assert_false(r[2].visible);
	assert_int_equal(r[2].sx, 0);
	check_layout(l, 0, 0, 10, 2);
	layout_set_area(l, 0, 0, 0, 0);
	check_layout(l, 0, 0, 0, 0);
	layout_set_area(l, 0, 0, 80, 24);
	check_layout(l, 0, 0, 80, 24);
	text = layout_describe(l);
	assert_string_equal(text,
	    "80x24,0,0{26x24,0,0,0,26x24,27,0,1,26x24,54,0,2}");
	free(text);
	layout_free(l);
}

/* Random operations keep every invariant. */
static void
test_layout_random(void **state)
{
	struct layout	*l;
	char		*cause;
	uint32_t	 seed = 12345;
	int		 ids[128], next = 1, i, sx = 120, sy = 40, id, op, ok = 0;
	size_t		 n;

	(void)state;
	l = layout_create(0, 0, 0, sx, sy);
	for (i = 0; i < 4000; i++) {
		seed = seed * 1103515245 + 12345;
		op = (seed >> 16) % 10;
		n = layout_panes(l, ids, 128);
		seed = seed * 1103515245 + 12345;
		id = ids[((seed >> 16) % n)];
		cause = NULL;
		switch (op) {
		case 0:
		case 1:
		case 2:
			if (layout_split(l, id, op == 0 ? LAYOUT_TOPBOTTOM :
			    LAYOUT_LEFTRIGHT, next, &cause) == 0) {
				next++;
				ok++;
			}
			break;
		case 3:
		case 4:
			if (layout_remove(l, id, &cause) == 0)
				ok++;
			break;
		case 5:
		case 6:
			if (layout_resize(l, id, (seed >> 8) % 4,
			    1 + (seed >> 4) % 9, &cause) > 0)
				ok++;
			break;
		case 7:
			sx = 1 + (seed >> 3) % 200;
			sy = 1 + (seed >> 11) % 60;
			layout_set_area(l, 0, 0, sx, sy);
			break;
		case 8:
			layout_even(l);
			break;
		case 9:
			layout_zoom(l, (seed >> 5) % 3 == 0 ? id : -1);
			layout_neighbour(l, id, (seed >> 7) % 4);
			break;
		}
		free(cause);
		check_layout(l, 0, 0, sx, sy);
	}
	assert_true(ok > 1000);
	layout_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_cases),
		cmocka_unit_test(test_layout_rects),
		cmocka_unit_test(test_layout_errors),
		cmocka_unit_test(test_layout_clip),
		cmocka_unit_test(test_layout_random),
	};

	return (cmocka_run_group_tests_name("layout", tests, NULL, NULL));
}
