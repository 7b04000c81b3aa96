/*
 * sbuf.c: a growable byte string that is always NUL terminated, and JSON
 * string escaping (RFC 8259) for the --json outputs and audit details.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omv.h"

void
sbuf_init(struct sbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

/* Make room for n more bytes plus the terminator. */
static void
sbuf_grow(struct sbuf *sb, size_t n)
{
	size_t	need;

	if (n > SIZE_MAX - sb->len - 1)
		fatal("string too long");
	need = sb->len + n + 1;
	if (need <= sb->cap)
		return;
	if (sb->cap == 0)
		sb->cap = 64;
	while (sb->cap < need)
		sb->cap = sb->cap > SIZE_MAX / 2 ? need : sb->cap * 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void
sbuf_add(struct sbuf *sb, const void *p, size_t n)
{
	sbuf_grow(sb, n);
	if (n != 0)
		memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
sbuf_adds(struct sbuf *sb, const char *s)
{
	sbuf_add(sb, s, strlen(s));
}

void
sbuf_addc(struct sbuf *sb, char c)
{
	sbuf_add(sb, &c, 1);
}

void
sbuf_addf(struct sbuf *sb, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = xvasprintf(&s, fmt, ap);
	va_end(ap);
	sbuf_add(sb, s, (size_t)n);
	free(s);
}

/*
 * Append s as a JSON string.  Control characters are escaped; bytes >= 0x80
 * pass through when they form valid UTF-8 and become \u00XX otherwise, so
 * the output is always valid JSON whatever the input.
 */
void
sbuf_json_string(struct sbuf *sb, const char *s)
{
	const unsigned char	*p;
	size_t			 n, i;

	if (s == NULL) {
		sbuf_adds(sb, "null");
		return;
	}
	sbuf_addc(sb, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':  sbuf_adds(sb, "\\\""); continue;
		case '\\': sbuf_adds(sb, "\\\\"); continue;
		case '\n': sbuf_adds(sb, "\\n"); continue;
		case '\r': sbuf_adds(sb, "\\r"); continue;
		case '\t': sbuf_adds(sb, "\\t"); continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			sbuf_addf(sb, "\\u%04x", *p);
			continue;
		}
		if (*p < 0x80) {
			sbuf_addc(sb, (char)*p);
			continue;
		}
		/* Validate one UTF-8 sequence. */
		if (*p >= 0xc2 && *p <= 0xdf)
			n = 1;
		else if (*p >= 0xe0 && *p <= 0xef)
			n = 2;
		else if (*p >= 0xf0 && *p <= 0xf4)
			n = 3;
		else
			n = 0;
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				break;
		}
		if (n == 0 || i <= n) {
			sbuf_addf(sb, "\\u%04x", *p);
			continue;
		}
		sbuf_add(sb, p, n + 1);
		p += n;
	}
	sbuf_addc(sb, '"');
}

void
sbuf_add_utf8(struct sbuf *sb, uint32_t cp)
{
	char	b[4];

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		b[0] = (char)cp;
		sbuf_add(sb, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		sbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		sbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		sbuf_add(sb, b, 4);
	}
}

void
sbuf_add_glyph(struct sbuf *sb, uint32_t cp)
{
	if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
		cp = 0xfffd;
	sbuf_add_utf8(sb, cp);
}

char *
sbuf_steal(struct sbuf *sb)
{
	char	*s;

	s = sb->buf != NULL ? sb->buf : xstrdup("");
	sbuf_init(sb);
	return (s);
}

void
sbuf_reset(struct sbuf *sb)
{
	sb->len = 0;
	if (sb->buf != NULL)
		sb->buf[0] = '\0';
}

void
sbuf_free(struct sbuf *sb)
{
	free(sb->buf);
	sbuf_init(sb);
}
