/*
 * fuzz_record.c: the asciicast reader on arbitrary lines, and the writer's
 * UTF-8 repair on arbitrary output: every event it writes must parse back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "record.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record_header	 h;
	struct record_event	 ev;
	struct record		*rec;
	char			 path[] = "/tmp/omv-fuzz-record.XXXXXX";
	char			*cause = NULL, *buf, *line, *nl;
	FILE			*f;
	size_t			 half, n;
	int			 fd;

	if (record_parse_header((const char *)data, size, &h, &cause) == 0)
		record_header_clear(&h);
	free(cause);
	cause = NULL;
	if (record_parse_event((const char *)data, size, &ev, &cause) == 0) {
		if (ev.type == 0)
			abort();
		record_event_clear(&ev);
	}
	free(cause);
	cause = NULL;

	/* Writer: split the input at an arbitrary point, then read it back. */
	if ((fd = mkstemp(path)) == -1)
		return (0);
	close(fd);
	unlink(path);
	rec = record_open(path, 80, 24, "fuzz", 0, &cause);
	if (rec == NULL)
		abort();
	half = size > 0 ? data[0] % (size + 1) : 0;
	if (record_output(rec, (const char *)data, half, 1, &cause) != 0 ||
	    record_output(rec, (const char *)data + half, size - half, 2,
	    &cause) != 0)
		abort();
	if (record_close(rec, &cause) < 0)
		abort();
	f = fopen(path, "rb");
	buf = calloc(1, 16 * size + 512);
	n = fread(buf, 1, 16 * size + 511, f);
	fclose(f);
	unlink(path);
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl == NULL || record_parse_header(buf, (size_t)(nl - buf), &h,
	    &cause) != 0)
		abort();
	record_header_clear(&h);
	for (line = nl + 1; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			abort();
		if (record_parse_event(line, (size_t)(nl - line), &ev,
		    &cause) != 0)
			abort();
		record_event_clear(&ev);
	}
	free(buf);
	return (0);
}
