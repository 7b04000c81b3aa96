/*
 * record.h: session recordings in asciicast v2 (one JSON header line, then
 * one JSON array per event: [seconds, "o", "data"] or [seconds, "r", "WxH"]),
 * the format `asciinema play` and `asciinema cat` read.
 */
#ifndef RECORD_H
#define RECORD_H

#include "omv.h"

struct record;

/*
 * Create path (mode 0600, never over an existing file) and write the header.
 * title is shown by players (the server name).
 */
struct record *record_open(const char *path, int cols, int rows,
    const char *title, int64_t start_ms, char **cause);
/* Append output bytes at time now_ms; -1 with a cause if the write fails. */
int record_output(struct record *, const char *buf, size_t len,
    int64_t now_ms, char **cause);
int record_resize(struct record *, int cols, int rows, int64_t now_ms,
    char **cause);
/* Flush and close; returns the bytes written (file size) or -1. */
int64_t record_close(struct record *, char **cause);
const char *record_path(const struct record *);

/* Reading, for replay. */
struct record_header {
	int	 version;
	int	 width;
	int	 height;
	int64_t	 timestamp;
	char	*title;		/* owned, may be NULL */
};
struct record_event {
	double	 time;		/* seconds since start */
	char	 type;		/* 'o', 'i', 'r', 'm' */
	char	*data;		/* owned, decoded UTF-8 */
	size_t	 len;
};
/* Parse the header line; -1 with a cause on a malformed line. */
int record_parse_header(const char *line, size_t len,
    struct record_header *, char **cause);
/* Parse one event line; -1 with a cause on a malformed line. */
int record_parse_event(const char *line, size_t len,
    struct record_event *, char **cause);
void record_header_clear(struct record_header *);
void record_event_clear(struct record_event *);

#endif
