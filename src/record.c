/*
 * record.c: asciicast v2 session recordings.
 *
 * Writer: the header line, then one event line per chunk of output.  Event
 * data must be valid UTF-8 JSON strings, but remote output arrives in
 * arbitrary pieces: an incomplete UTF-8 sequence at the end of a chunk is
 * held back until the next one, and bytes that can never be UTF-8 become
 * U+FFFD (what asciinema itself does).  Each event is one write(2), so a
 * failure is seen at once and the caller can fail closed.
 *
 * Reader: a small strict JSON reader for exactly what asciicast v2 needs,
 * total on any input (it is fuzzed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"

struct record {
	int	 fd;
	char	*path;		/* owned */
	int64_t	 start_ms;
	int64_t	 bytes;
	char	 held[4];	/* incomplete UTF-8 tail of the last chunk */
	size_t	 nheld;
	struct sbuf line;	/* reused for each event line */
};

/* Length of the UTF-8 sequence starting with byte c, 0 if c cannot start one. */
static size_t
utf8_seqlen(unsigned char c)
{
	if (c < 0x80)
		return (1);
	if (c >= 0xc2 && c <= 0xdf)
		return (2);
	if (c >= 0xe0 && c <= 0xef)
		return (3);
	if (c >= 0xf0 && c <= 0xf4)
		return (4);
	return (0);
}

/* Is p[0..n) a valid UTF-8 sequence of length n (no overlongs, surrogates)? */
static bool
utf8_valid(const unsigned char *p, size_t n)
{
	size_t	i;

	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return (false);
	}
	if (n == 3 && p[0] == 0xe0 && p[1] < 0xa0)
		return (false);
	if (n == 3 && p[0] == 0xed && p[1] >= 0xa0)
		return (false);
	if (n == 4 && p[0] == 0xf0 && p[1] < 0x90)
		return (false);
	if (n == 4 && p[0] == 0xf4 && p[1] >= 0x90)
		return (false);
	return (true);
}

/* Append bytes to sb as the inside of a JSON string, valid UTF-8 only. */
static void
record_escape(struct sbuf *sb, const unsigned char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char	u[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t	i, n, start;

	for (i = 0; i < len; i += n) {
		start = i;
		while (i < len && p[i] >= 0x20 && p[i] < 0x7f && p[i] != '"' &&
		    p[i] != '\\')
			i++;
		if (i > start)
			sbuf_add(sb, p + start, i - start);
		if (i >= len)
			break;
		n = utf8_seqlen(p[i]);
		if (n == 1) {
			switch (p[i]) {
			case '"':  sbuf_add(sb, "\\\"", 2); break;
			case '\\': sbuf_add(sb, "\\\\", 2); break;
			case '\n': sbuf_add(sb, "\\n", 2); break;
			case '\r': sbuf_add(sb, "\\r", 2); break;
			case '\t': sbuf_add(sb, "\\t", 2); break;
			default:
				u[4] = hex[p[i] >> 4];
				u[5] = hex[p[i] & 0xf];
				sbuf_add(sb, u, 6);
			}
			continue;
		}
		if (n == 0 || i + n > len || !utf8_valid(p + i, n)) {
			sbuf_add(sb, "\xef\xbf\xbd", 3);	/* U+FFFD */
			n = 1;
			continue;
		}
		sbuf_add(sb, p + i, n);
	}
}

/* How many bytes at the end of p[0..len) are an incomplete UTF-8 sequence. */
static size_t
utf8_incomplete_tail(const unsigned char *p, size_t len)
{
	size_t	i, n, back;

	for (back = 1; back <= 3 && back <= len; back++) {
		i = len - back;
		if ((p[i] & 0xc0) == 0x80)
			continue;
		n = utf8_seqlen(p[i]);
		return (n > back ? back : 0);
	}
	return (0);
}

/* write(2) all of buf or fail with a cause. */
static int
record_write(struct record *rec, const char *buf, size_t len, char **cause)
{
	ssize_t	n;

	while (len > 0) {
		n = write(rec->fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			xasprintf(cause, "recording %s: %s", rec->path,
			    n == 0 ? "short write" : strerror(errno));
			return (-1);
		}
		buf += n;
		len -= (size_t)n;
		rec->bytes += n;
	}
	return (0);
}

struct record *
record_open(const char *path, int cols, int rows, const char *title,
    int64_t start_ms, char **cause)
{
	struct record	*rec;
	struct sbuf	 sb;
	int		 fd;

	if (mkdir_parents(path, 0700, cause) != 0)
		return (NULL);
	fd = open(path, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC|O_NOFOLLOW, 0600);
	if (fd == -1) {
		xasprintf(cause, "recording %s: %s", path, strerror(errno));
		return (NULL);
	}
	rec = xcalloc(1, sizeof *rec);
	rec->fd = fd;
	rec->path = xstrdup(path);
	rec->start_ms = start_ms;
	sbuf_init(&rec->line);

	sbuf_init(&sb);
	sbuf_addf(&sb, "{\"version\": 2, \"width\": %d, \"height\": %d, "
	    "\"timestamp\": %lld, \"title\": ", cols, rows,
	    (long long)(start_ms / 1000));
	sbuf_json_string(&sb, title != NULL ? title : "");
	sbuf_adds(&sb, ", \"env\": {\"TERM\": \"xterm-256color\"}}\n");
	if (record_write(rec, sb.buf, sb.len, cause) != 0) {
		sbuf_free(&sb);
		close(fd);
		unlink(path);
		free(rec->path);
		free(rec);
		return (NULL);
	}
	sbuf_free(&sb);
	return (rec);
}

/* Write one event line of the given type with the given (raw) payload. */
static int
record_event(struct record *rec, char type, const unsigned char *p,
    size_t len, int64_t now, char **cause)
{
	struct sbuf	*sb = &rec->line;
	int64_t		 t;
	char		 head[64];
	int		 n;

	t = now - rec->start_ms;
	if (t < 0)
		t = 0;
	sbuf_reset(sb);
	n = snprintf(head, sizeof head, "[%lld.%03lld, \"%c\", \"",
	    (long long)(t / 1000), (long long)(t % 1000), type);
	sbuf_add(sb, head, (size_t)n);
	record_escape(sb, p, len);
	sbuf_add(sb, "\"]\n", 3);
	return (record_write(rec, sb->buf, sb->len, cause));
}

int
record_output(struct record *rec, const char *buf, size_t len, int64_t now,
    char **cause)
{
	const unsigned char	*p = (const unsigned char *)buf;
	unsigned char		 joined[8];
	size_t			 need, take, tail;

	if (len == 0)
		return (0);
	if (rec->nheld != 0) {
		/* Complete the sequence held back from the last chunk first. */
		need = utf8_seqlen((unsigned char)rec->held[0]);
		if (need <= rec->nheld)
			need = rec->nheld + 1;
		take = need - rec->nheld;
		if (take > len)
			take = len;
		memcpy(joined, rec->held, rec->nheld);
		memcpy(joined + rec->nheld, p, take);
		if (rec->nheld + take < need) {
			/* Still incomplete: keep holding. */
			memcpy(rec->held, joined, rec->nheld + take);
			rec->nheld += take;
			return (0);
		}
		rec->nheld = 0;
		if (record_event(rec, 'o', joined, need, now, cause) != 0)
			return (-1);
		p += take;
		len -= take;
		if (len == 0)
			return (0);
	}
	tail = utf8_incomplete_tail(p, len);
	memcpy(rec->held, p + len - tail, tail);
	rec->nheld = tail;
	if (len > tail)
		return (record_event(rec, 'o', p, len - tail, now, cause));
	return (0);
}

int
record_resize(struct record *rec, int cols, int rows, int64_t now,
    char **cause)
{
	char	size[32];

	snprintf(size, sizeof size, "%dx%d", cols, rows);
	return (record_event(rec, 'r', (const unsigned char *)size,
	    strlen(size), now, cause));
}

int64_t
record_close(struct record *rec, char **cause)
{
	int64_t	bytes;
	int	rv = 0;

	if (rec == NULL)
		return (0);
	if (rec->nheld != 0)	/* a truncated sequence at the very end */
		rv = record_event(rec, 'o', (const unsigned char *)rec->held,
		    rec->nheld, rec->start_ms, cause);
	if (fsync(rec->fd) != 0 && rv == 0) {
		xasprintf(cause, "recording %s: %s", rec->path,
		    strerror(errno));
		rv = -1;
	}
	close(rec->fd);
	bytes = rec->bytes;
	sbuf_free(&rec->line);
	free(rec->path);
	free(rec);
	return (rv == 0 ? bytes : -1);
}

const char *
record_path(const struct record *rec)
{
	return (rec->path);
}

/* ---- reading ---- */

struct jp {
	const char	*p;
	const char	*end;
	int		 depth;
};

static void
jp_ws(struct jp *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' ||
	    *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static int
jp_expect(struct jp *jp, char c)
{
	jp_ws(jp);
	if (jp->p >= jp->end || *jp->p != c)
		return (-1);
	jp->p++;
	return (0);
}

/* Read four hex digits. */
static int
jp_hex4(struct jp *jp, uint32_t *out)
{
	uint32_t	v = 0;
	int		i;
	char		c;

	if (jp->end - jp->p < 4)
		return (-1);
	for (i = 0; i < 4; i++) {
		c = *jp->p++;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return (-1);
	}
	*out = v;
	return (0);
}

/* Parse a JSON string into sb (decoded). */
static int
jp_string(struct jp *jp, struct sbuf *sb)
{
	uint32_t	cp, lo;
	char		c;

	if (jp_expect(jp, '"') != 0)
		return (-1);
	while (jp->p < jp->end) {
		c = *jp->p++;
		if (c == '"')
			return (0);
		if ((unsigned char)c < 0x20)
			return (-1);
		if (c != '\\') {
			sbuf_addc(sb, c);
			continue;
		}
		if (jp->p >= jp->end)
			return (-1);
		c = *jp->p++;
		switch (c) {
		case '"': case '\\': case '/': sbuf_addc(sb, c); break;
		case 'b': sbuf_addc(sb, '\b'); break;
		case 'f': sbuf_addc(sb, '\f'); break;
		case 'n': sbuf_addc(sb, '\n'); break;
		case 'r': sbuf_addc(sb, '\r'); break;
		case 't': sbuf_addc(sb, '\t'); break;
		case 'u':
			if (jp_hex4(jp, &cp) != 0)
				return (-1);
			if (cp >= 0xd800 && cp <= 0xdbff && jp->end - jp->p >= 6 &&
			    jp->p[0] == '\\' && jp->p[1] == 'u') {
				jp->p += 2;
				if (jp_hex4(jp, &lo) != 0)
					return (-1);
				if (lo >= 0xdc00 && lo <= 0xdfff)
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					    (lo - 0xdc00);
				else
					cp = 0xfffd;
			}
			sbuf_add_utf8(sb, cp);
			break;
		default:
			return (-1);
		}
	}
	return (-1);
}

/* Parse a JSON number as a double. */
static int
jp_number(struct jp *jp, double *out)
{
	char	 buf[64];
	char	*end;
	size_t	 n = 0;

	jp_ws(jp);
	while (jp->p < jp->end && n < sizeof buf - 1 &&
	    strchr("0123456789+-.eE", *jp->p) != NULL)
		buf[n++] = *jp->p++;
	if (n == 0)
		return (-1);
	buf[n] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if (*end != '\0' || errno != 0)
		return (-1);
	return (0);
}

/* Skip any JSON value (bounded nesting). */
static int
jp_skip(struct jp *jp)
{
	struct sbuf	sb;
	double		d;
	char		open, close;
	int		rv;

	jp_ws(jp);
	if (jp->p >= jp->end)
		return (-1);
	if (*jp->p == '"') {
		sbuf_init(&sb);
		rv = jp_string(jp, &sb);
		sbuf_free(&sb);
		return (rv);
	}
	if (*jp->p == '{' || *jp->p == '[') {
		if (++jp->depth > 32)
			return (-1);
		open = *jp->p++;
		close = open == '{' ? '}' : ']';
		jp_ws(jp);
		if (jp->p < jp->end && *jp->p == close) {
			jp->p++;
			jp->depth--;
			return (0);
		}
		for (;;) {
			if (open == '{') {
				sbuf_init(&sb);
				rv = jp_string(jp, &sb);
				sbuf_free(&sb);
				if (rv != 0 || jp_expect(jp, ':') != 0)
					return (-1);
			}
			if (jp_skip(jp) != 0)
				return (-1);
			jp_ws(jp);
			if (jp->p >= jp->end)
				return (-1);
			if (*jp->p == ',') {
				jp->p++;
				continue;
			}
			if (*jp->p++ != close)
				return (-1);
			jp->depth--;
			return (0);
		}
	}
	if ((size_t)(jp->end - jp->p) >= 4 && (memcmp(jp->p, "true", 4) == 0 ||
	    memcmp(jp->p, "null", 4) == 0)) {
		jp->p += 4;
		return (0);
	}
	if ((size_t)(jp->end - jp->p) >= 5 && memcmp(jp->p, "false", 5) == 0) {
		jp->p += 5;
		return (0);
	}
	return (jp_number(jp, &d));
}

/* Only white space may follow the value. */
static int
jp_done(struct jp *jp)
{
	jp_ws(jp);
	return (jp->p == jp->end ? 0 : -1);
}

int
record_parse_header(const char *line, size_t len, struct record_header *h,
    char **cause)
{
	struct jp	jp = { line, line + len, 0 };
	struct sbuf	key, val;
	double		d;

	memset(h, 0, sizeof *h);
	sbuf_init(&key);
	sbuf_init(&val);
	if (jp_expect(&jp, '{') != 0)
		goto bad;
	jp_ws(&jp);
	if (jp.p < jp.end && *jp.p == '}') {
		jp.p++;
		goto done;
	}
	for (;;) {
		sbuf_reset(&key);
		if (jp_string(&jp, &key) != 0 || jp_expect(&jp, ':') != 0)
			goto bad;
		if (key.len == 5 && strcmp(key.buf, "title") == 0) {
			jp_ws(&jp);
			if (jp.p < jp.end && *jp.p == '"') {
				sbuf_reset(&val);
				if (jp_string(&jp, &val) != 0)
					goto bad;
				free(h->title);
				h->title = xstrdup(val.buf != NULL ? val.buf : "");
			} else if (jp_skip(&jp) != 0)
				goto bad;
		} else if (key.buf != NULL && (strcmp(key.buf, "version") == 0 ||
		    strcmp(key.buf, "width") == 0 ||
		    strcmp(key.buf, "height") == 0 ||
		    strcmp(key.buf, "timestamp") == 0)) {
			if (jp_number(&jp, &d) != 0 || d < 0 || d > 1e15)
				goto bad;
			if (key.buf[0] == 'v')
				h->version = (int)d;
			else if (key.buf[0] == 'w')
				h->width = d > 10000 ? 10000 : (int)d;
			else if (key.buf[0] == 'h')
				h->height = d > 10000 ? 10000 : (int)d;
			else
				h->timestamp = (int64_t)d;
		} else if (jp_skip(&jp) != 0)
			goto bad;
		jp_ws(&jp);
		if (jp.p < jp.end && *jp.p == ',') {
			jp.p++;
			continue;
		}
		if (jp_expect(&jp, '}') != 0)
			goto bad;
		break;
	}
done:
	if (jp_done(&jp) != 0)
		goto bad;
	sbuf_free(&key);
	sbuf_free(&val);
	if (h->version != 2) {
		xasprintf(cause, "not an asciicast v2 recording (version %d)",
		    h->version);
		record_header_clear(h);
		return (-1);
	}
	return (0);
bad:
	sbuf_free(&key);
	sbuf_free(&val);
	record_header_clear(h);
	xasprintf(cause, "malformed recording header at byte %zu",
	    (size_t)(jp.p - line));
	return (-1);
}

int
record_parse_event(const char *line, size_t len, struct record_event *ev,
    char **cause)
{
	struct jp	jp = { line, line + len, 0 };
	struct sbuf	type, data;

	memset(ev, 0, sizeof *ev);
	sbuf_init(&type);
	sbuf_init(&data);
	if (jp_expect(&jp, '[') != 0 || jp_number(&jp, &ev->time) != 0 ||
	    !(ev->time >= 0 && ev->time < 1e12) || jp_expect(&jp, ',') != 0 ||
	    jp_string(&jp, &type) != 0 || type.len != 1 ||
	    jp_expect(&jp, ',') != 0 || jp_string(&jp, &data) != 0 ||
	    jp_expect(&jp, ']') != 0 || jp_done(&jp) != 0) {
		sbuf_free(&type);
		sbuf_free(&data);
		xasprintf(cause, "malformed recording event at byte %zu",
		    (size_t)(jp.p - line));
		return (-1);
	}
	ev->type = type.buf[0];
	ev->len = data.len;
	ev->data = sbuf_steal(&data);
	sbuf_free(&type);
	return (0);
}

void
record_header_clear(struct record_header *h)
{
	free(h->title);
	h->title = NULL;
}

void
record_event_clear(struct record_event *ev)
{
	free(ev->data);
	ev->data = NULL;
	ev->len = 0;
}
