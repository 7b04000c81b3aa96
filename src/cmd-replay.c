/*
 * cmd-replay.c: `omv replay SESSION [--speed X] [--idle-limit S]` plays an
 * asciicast v2 recording in the terminal with its original timing.
 * Keys while playing: space pauses and resumes, `.` or Right skips to the
 * next event (the rest of a long pause), `+`/`-` change the speed, `q` quits.
 * SESSION is a session id from `omv audit sessions` or a recording's path.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "audit.h"
#include "cfg.h"
#include "cmd.h"
#include "record.h"

static struct termios	replay_saved;
static bool		replay_raw;

static void
replay_restore(void)
{
	if (replay_raw)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &replay_saved);
	replay_raw = false;
}

/* Put the terminal in raw-ish mode so single keys control playback. */
static void
replay_rawmode(void)
{
	struct termios	t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &replay_saved) != 0)
		return;
	t = replay_saved;
	t.c_lflag &= ~(tcflag_t)(ICANON|ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0) {
		replay_raw = true;
		atexit(replay_restore);
	}
}

/* Write all of buf to stdout. */
static void
replay_out(const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(STDOUT_FILENO, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

enum replay_key { RK_NONE, RK_PAUSE, RK_SKIP, RK_FASTER, RK_SLOWER, RK_QUIT };

/* Wait up to ms for a key (ms < 0: forever); returns what it asks. */
static enum replay_key
replay_wait(int ms)
{
	struct pollfd	pfd = { STDIN_FILENO, POLLIN, 0 };
	char		buf[8];
	ssize_t		n;

	if (!replay_raw) {
		if (ms > 0)
			poll(NULL, 0, ms);
		return (RK_NONE);
	}
	if (poll(&pfd, 1, ms) <= 0)
		return (RK_NONE);
	n = read(STDIN_FILENO, buf, sizeof buf);
	if (n <= 0)
		return (RK_QUIT);
	switch (buf[0]) {
	case ' ': return (RK_PAUSE);
	case '.': return (RK_SKIP);
	case '+': case '=': return (RK_FASTER);
	case '-': return (RK_SLOWER);
	case 'q': case 'Q': case 3: return (RK_QUIT);
	case '\033':
		if (n >= 3 && buf[1] == '[' && buf[2] == 'C')
			return (RK_SKIP);
		return (RK_NONE);
	}
	return (RK_NONE);
}

/* Find the recording for a session id through the audit store. */
static char *
replay_lookup(const char *config_path, const char *db_path, const char *id)
{
	struct omv_config	*cfg = NULL;
	struct audit		*a;
	struct audit_session	*list = NULL;
	char			*path = NULL, *cause = NULL, *end, *db;
	size_t			 n = 0, i;
	long long		 want;

	want = strtoll(id, &end, 10);
	if (*id == '\0' || *end != '\0' || want <= 0) {
		fprintf(stderr, "omv: %s: no such recording or session id\n", id);
		return (NULL);
	}
	if (db_path == NULL && (cfg = cmd_load_config(config_path)) == NULL)
		return (NULL);
	db = cmd_audit_path(cfg, db_path);
	a = audit_open_readonly(db, &cause);
	free(db);
	if (a == NULL ||
	    audit_session_list(a, NULL, 0, &list, &n, &cause) != 0) {
		fprintf(stderr, "omv: %s\n", cause);
		free(cause);
		audit_close(a);
		cfg_free(cfg);
		return (NULL);
	}
	for (i = 0; i < n; i++) {
		if (list[i].id == want && list[i].path != NULL)
			path = xstrdup(list[i].path);
	}
	if (path == NULL)
		fprintf(stderr, "omv: session %s: not found or not recorded\n",
		    id);
	audit_session_free(list, n);
	audit_close(a);
	cfg_free(cfg);
	return (path);
}

int
cmd_replay(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "speed", required_argument, NULL, 's' },
		{ "idle-limit", required_argument, NULL, 'i' },
		{ "config", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct record_header	 h;
	struct record_event	 ev;
	FILE			*f;
	char			*line = NULL, *path, *cause = NULL, *end;
	const char		*config = NULL, *db = NULL;
	size_t			 cap = 0;
	ssize_t			 len;
	double			 speed = 1.0, idle = 2.0, last = 0, wait;
	int			 c, lineno = 1, rv = CMD_OK;
	bool			 paused = false;
	enum replay_key		 k;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:i:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'd': db = optarg; break;
		case 's':
			speed = strtod(optarg, &end);
			if (*end != '\0' || !(speed > 0 && speed <= 1000)) {
				fprintf(stderr, "omv: bad --speed '%s'\n", optarg);
				return (CMD_USAGE);
			}
			break;
		case 'i':
			idle = strtod(optarg, &end);
			if (*end != '\0' || !(idle > 0)) {
				fprintf(stderr, "omv: bad --idle-limit '%s'\n", optarg);
				return (CMD_USAGE);
			}
			break;
		default:
			return (cmd_usage("replay"));
		}
	}
	if (optind != argc - 1)
		return (cmd_usage("replay"));

	if (strchr(argv[optind], '/') != NULL ||
	    access(argv[optind], F_OK) == 0)
		path = xstrdup(argv[optind]);
	else if ((path = replay_lookup(config, db, argv[optind])) == NULL)
		return (CMD_FAIL);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "omv: %s: %s\n", path, strerror(errno));
		free(path);
		return (CMD_FAIL);
	}
	if ((len = getline(&line, &cap, f)) <= 0 ||
	    record_parse_header(line, (size_t)len, &h, &cause) != 0) {
		fprintf(stderr, "omv: %s:1: %s\n", path,
		    cause != NULL ? cause : "empty recording");
		free(cause);
		free(line);
		fclose(f);
		free(path);
		return (CMD_FAIL);
	}
	record_header_clear(&h);
	replay_rawmode();
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (record_parse_event(line, (size_t)len, &ev, &cause) != 0) {
			replay_restore();
			fprintf(stderr, "\nomv: %s:%d: %s\n", path, lineno, cause);
			free(cause);
			rv = CMD_FAIL;
			break;
		}
		wait = (ev.time - last) / speed;
		if (wait > idle)
			wait = idle;
		last = ev.time;
		for (;;) {
			k = replay_wait(paused ? -1 : (int)(wait * 1000));
			if (k == RK_QUIT)
				goto quit;
			if (k == RK_PAUSE) {
				paused = !paused;
				continue;
			}
			if (k == RK_FASTER)
				speed *= 2;
			else if (k == RK_SLOWER)
				speed /= 2;
			if (k == RK_NONE || k == RK_SKIP)
				break;
		}
		if (ev.type == 'o')
			replay_out(ev.data, ev.len);
		record_event_clear(&ev);
		continue;
quit:
		record_event_clear(&ev);
		break;
	}
	replay_restore();
	free(line);
	fclose(f);
	free(path);
	return (rv);
}
