/*
 * log.c: a debug log written to a file only when asked (-v or $OMV_LOG).
 * Never to the screen while curses owns it, and never with secrets.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "omv.h"

static FILE	*log_file;

void
log_open(const char *path)
{
	int	fd;

	log_close();
	fd = open(path, O_WRONLY|O_CREAT|O_APPEND|O_CLOEXEC, 0600);
	if (fd == -1)
		return;
	log_file = fdopen(fd, "a");
	if (log_file == NULL)
		close(fd);
	else
		setvbuf(log_file, NULL, _IOLBF, 0);
}

void
log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;
	char	ts[32];

	if (log_file == NULL)
		return;
	format_time_ms(now_ms(), ts, sizeof ts);
	fprintf(log_file, "%s [%ld] ", ts, (long)getpid());
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
}
