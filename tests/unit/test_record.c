/* test_record.c: asciicast v2 writing and reading, on real files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record.h"

static char	tmpdir[] = "/tmp/omv-test-record.XXXXXX";

/* Read a whole file into a NUL-terminated string. */
static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*buf;
	long	 n;

	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return (buf);
}

/* Write a recording and read back every event: split UTF-8 survives. */
static void
test_round_trip(void **state)
{
	struct record		*rec;
	struct record_header	 h;
	struct record_event	 ev;
	struct sbuf		 all;
	struct stat		 st;
	char			*path, *text, *line, *nl, *cause = NULL;
	const char		*hangul = "\xed\x95\x9c\xea\xb8\x80";	/* 한글 */
	size_t			 len;
	int			 nevents = 0;
	int64_t			 bytes;

	(void)state;
	path = xprintf("%s/a/b/rec.cast", tmpdir);
	rec = record_open(path, 120, 40, "web-1 \"x\"", 1000000, &cause);
	assert_non_null(rec);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Split 한 across two writes, plus quotes, escapes and a control. */
	assert_int_equal(record_output(rec, "ok \"q\" \\ ", 9, 1000100, &cause), 0);
	assert_int_equal(record_output(rec, hangul, 2, 1000200, &cause), 0);
	assert_int_equal(record_output(rec, hangul + 2, 4, 1000300, &cause), 0);
	assert_int_equal(record_output(rec, "\r\n\033[1m\xff", 8, 1000400, &cause), 0);
	assert_int_equal(record_resize(rec, 80, 24, 1000500, &cause), 0);
	bytes = record_close(rec, &cause);
	assert_true(bytes > 0);

	text = slurp(path, &len);
	assert_int_equal((int64_t)len, bytes);
	nl = strchr(text, '\n');
	assert_non_null(nl);
	assert_int_equal(record_parse_header(text, (size_t)(nl - text), &h,
	    &cause), 0);
	assert_int_equal(h.version, 2);
	assert_int_equal(h.width, 120);
	assert_int_equal(h.height, 40);
	assert_int_equal(h.timestamp, 1000);
	assert_string_equal(h.title, "web-1 \"x\"");
	record_header_clear(&h);

	sbuf_init(&all);
	for (line = nl + 1; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		assert_int_equal(record_parse_event(line, (size_t)(nl - line),
		    &ev, &cause), 0);
		if (ev.type == 'o')
			sbuf_add(&all, ev.data, ev.len);
		else {
			assert_int_equal(ev.type, 'r');
			assert_string_equal(ev.data, "80x24");
			assert_true(ev.time > 0.49 && ev.time < 0.51);
		}
		record_event_clear(&ev);
		nevents++;
	}
	assert_true(nevents >= 4);	/* the split 한 waits for its tail */
	assert_string_equal(all.buf,
	    "ok \"q\" \\ \xed\x95\x9c\xea\xb8\x80\r\n\033[1m\xef\xbf\xbd");
	sbuf_free(&all);
	free(text);
	unlink(path);
	free(path);
}

/* An existing file is never overwritten. */
static void
test_no_clobber(void **state)
{
	struct record	*rec;
	char		*path, *cause = NULL;
	FILE		*f;

	(void)state;
	path = xprintf("%s/existing.cast", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	rec = record_open(path, 80, 24, "x", 0, &cause);
	assert_null(rec);
	assert_non_null(cause);
	assert_non_null(strstr(cause, "File exists"));
	free(cause);
	unlink(path);
	free(path);
}

/* A write that fails (the file size limit: a genuine EFBIG) is reported. */
static void
test_write_failure(void **state)
{
	struct record	*rec;
	struct rlimit	 old, lim;
	char		*path, *cause = NULL;
	char		 big[4096];
	int		 i, rv = 0;

	(void)state;
	path = xprintf("%s/full.cast", tmpdir);
	rec = record_open(path, 80, 24, "x", 0, &cause);
	assert_non_null(rec);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 8192;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	memset(big, 'x', sizeof big);
	for (i = 0; i < 4 && rv == 0; i++)
		rv = record_output(rec, big, sizeof big, 10, &cause);
	setrlimit(RLIMIT_FSIZE, &old);
	assert_int_equal(rv, -1);
	assert_non_null(strstr(cause, "too large"));
	free(cause);
	cause = NULL;
	record_close(rec, &cause);
	free(cause);
	unlink(path);
	free(path);
}

/* Malformed lines are errors, never crashes; table of cases. */
static void
test_malformed(void **state)
{
	static const char *bad_events[] = {
		"", "[", "[1.0]", "[1.0, \"o\"]", "[1.0, \"oo\", \"x\"]",
		"[-1, \"o\", \"x\"]", "[1.0, \"o\", \"x\"] junk",
		"[1.0, \"o\", \"\\q\"]", "[1.0, \"o\", \"\\u12\"]",
		"{\"a\": 1}", "[1e400, \"o\", \"x\"]", "[1.0, \"o\", \"x\n\"]",
	};
	static const char *bad_headers[] = {
		"", "{", "{\"version\": 1}", "{\"version\": 2",
		"{\"version\": \"2\"}", "[2]", "{\"version\": 2} x",
		"{\"version\": 2, \"env\": {\"a\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}",
	};
	struct record_event	 ev;
	struct record_header	 h;
	const char		*line;
	char			*cause;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof bad_events / sizeof bad_events[0]; i++) {
		cause = NULL;
		if (record_parse_event(bad_events[i], strlen(bad_events[i]),
		    &ev, &cause) == 0)
			fail_msg("event case %zu parsed: %s", i, bad_events[i]);
		assert_non_null(cause);
		free(cause);
	}
	for (i = 0; i < sizeof bad_headers / sizeof bad_headers[0]; i++) {
		cause = NULL;
		if (record_parse_header(bad_headers[i], strlen(bad_headers[i]),
		    &h, &cause) == 0)
			fail_msg("header case %zu parsed: %s", i, bad_headers[i]);
		assert_non_null(cause);
		free(cause);
	}
	cause = NULL;
	line = "[0.5, \"o\", \"\\ud55c\\u0000\"]";
	assert_int_equal(record_parse_event(line, strlen(line), &ev, &cause), 0);
	assert_int_equal(ev.len, 4);
	assert_memory_equal(ev.data, "\xed\x95\x9c\0", 4);
	record_event_clear(&ev);
}

static int
setup(void **state)
{
	(void)state;
	return (mkdtemp(tmpdir) == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	char	*cmd[] = { (char *)"rm", (char *)"-rf", tmpdir, NULL };
	pid_t	 pid;

	(void)state;
	if ((pid = fork()) == 0) {
		execvp("rm", cmd);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_no_clobber),
		cmocka_unit_test(test_write_failure),
		cmocka_unit_test(test_malformed),
	};

	return (cmocka_run_group_tests_name("record", tests, setup, teardown));
}
