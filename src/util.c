/* util.c: clocks, the home directory, directory creation, time parsing. */
#include <ctype.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "omv.h"

int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

int64_t
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

const char *
home_dir(void)
{
	const char	*h;
	struct passwd	*pw;

	h = getenv("HOME");
	if (h != NULL && *h != '\0')
		return (h);
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL)
		return (pw->pw_dir);
	return ("/");
}

int
mkdir_parents(const char *path, int mode, char **cause)
{
	char	*copy, *p;

	copy = xstrdup(path);
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, (mode_t)mode) == -1 && errno != EEXIST) {
			if (cause != NULL)
				xasprintf(cause, "%s: %s", copy, strerror(errno));
			free(copy);
			return (-1);
		}
		*p = '/';
	}
	free(copy);
	return (0);
}

/* Read exactly n digits into *out. */
static int
parse_digits(const char **sp, int n, int *out)
{
	int	v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**sp))
			return (-1);
		v = v * 10 + (**sp - '0');
		(*sp)++;
	}
	*out = v;
	return (0);
}

/*
 * Parse a time for --since/--at: an absolute UTC date ("2026-11-27",
 * "2026-11-27 10:00", "2026-11-27T10:00:00Z"), a relative "-2h"/"-30m"/"-7d"
 * or "now".  Returns UTC milliseconds.
 */
int
parse_time(const char *s, int64_t *ms)
{
	struct tm	 tm;
	const char	*p = s;
	char		*end;
	long long	 n;
	int		 y, mo, d, h = 0, mi = 0, se = 0;

	if (strcmp(s, "now") == 0) {
		*ms = now_ms();
		return (0);
	}
	if (*s == '-') {
		errno = 0;
		n = strtoll(s + 1, &end, 10);
		if (errno != 0 || end == s + 1 || n < 0 || end[1] != '\0')
			return (-1);
		switch (*end) {
		case 's': break;
		case 'm': n *= 60; break;
		case 'h': n *= 3600; break;
		case 'd': n *= 86400; break;
		default: return (-1);
		}
		*ms = now_ms() - n * 1000;
		return (0);
	}
	if (parse_digits(&p, 4, &y) || *p++ != '-' ||
	    parse_digits(&p, 2, &mo) || *p++ != '-' ||
	    parse_digits(&p, 2, &d))
		return (-1);
	if (*p == 'T' || *p == ' ') {
		p++;
		if (parse_digits(&p, 2, &h) || *p++ != ':' ||
		    parse_digits(&p, 2, &mi))
			return (-1);
		if (*p == ':') {
			p++;
			if (parse_digits(&p, 2, &se))
				return (-1);
		}
	}
	if (*p == 'Z')
		p++;
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || se > 60)
		return (-1);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*ms = (int64_t)timegm(&tm) * 1000;
	return (0);
}

void
format_time_ms(int64_t ms, char *buf, size_t len)
{
	struct tm	tm;
	time_t		t = (time_t)(ms / 1000);

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}
