/*
 * fuzz_vt.c: the terminal emulator on arbitrary bytes in arbitrary pieces,
 * with resizes between them.  After every write: the cursor is inside the
 * grid, no wide character has lost a half, every history line decodes, and
 * what was pushed out never exceeds the ring.  Crashes and sanitizer reports
 * are findings too.
 *
 * The first bytes choose the size and the history; then each piece is a
 * length byte and that many bytes (a length of 0 resizes instead).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "omv.h"
#include "vt.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Check what must hold whatever the input. */
static void
check(struct vt *vt)
{
	struct vt_line	 l;
	uint32_t	 chars[VT_MAX_CHARS];
	int		 row, col, r, c;
	size_t		 i;
	char		*t;

	vt_cursor(vt, &row, &col, NULL);
	if (row < 0 || row >= vt_rows(vt) || col < 0 || col >= vt_cols(vt))
		abort();
	for (r = 0; r < vt_rows(vt); r++) {
		if (!vt_line(vt, r, &l) || l.ncells != vt_cols(vt))
			abort();
		for (c = 0; c < l.ncells; c++) {
			if (l.cells[c].width > 2)
				abort();
			if (l.cells[c].width == 2 &&
			    (c + 1 >= l.ncells || l.cells[c + 1].width != 0))
				abort();
			if (l.cells[c].width == 0 &&
			    (c == 0 || l.cells[c - 1].width != 2))
				abort();
			if (vt_line_chars(&l, c, chars) > VT_MAX_CHARS)
				abort();
		}
		t = vt_row_text(vt, r, 0, vt_cols(vt));
		free(t);
	}
	for (i = 0; i < vt_history_size(vt); i += 1 + i / 4) {
		if (!vt_history_line(vt, i, &l))
			abort();
		for (c = 0; c < l.ncells; c++) {
			if (l.cells[c].width == 2 &&
			    (c + 1 >= l.ncells || l.cells[c + 1].width != 0))
				abort();
		}
		t = vt_history_text(vt, i);
		free(t);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vt	*vt;
	char		 out[VT_KEY_MAX];
	size_t		 off = 3, n;
	long		 line;
	int		 col;

	if (size < 3)
		return (0);
	vt = vt_create(1 + data[0] % 40, 1 + data[1] % 100, data[2] % 64);
	while (off < size) {
		n = data[off++];
		if (n == 0) {
			if (off + 2 > size)
				break;
			vt_resize(vt, 1 + data[off] % 40, 1 + data[off + 1] % 100);
			off += 2;
		} else {
			if (n > size - off)
				n = size - off;
			vt_write(vt, (const char *)data + off, n);
			off += n;
		}
		check(vt);
	}
	vt_key(vt, VT_KEY_UP, 0, out, sizeof out);
	vt_bracketed_paste(vt);
	line = vt_rows(vt);
	col = 0;
	vt_search(vt, "a", VT_SEARCH_BACK | VT_SEARCH_ICASE, &line, &col);
	vt_free(vt);
	return (0);
}
