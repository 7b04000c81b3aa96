/*
 * cmdline-record.c: record a real shell session for the command-line
 * tracker's tests.  A script (tests/data/cmdline/NAME.script) says which
 * shell to start in a pseudo-terminal of what size, with what files and rc
 * lines in a scratch HOME, what to type (with a pause for the echo after
 * each key) and which command the shell will run at each Enter.  Every
 * chunk the shell writes and every key typed goes into the fixture with
 * its time:
 *
 *	size COLS ROWS
 *	< 0.001234 OUTPUT <hex>		one read() from the pty
 *	> 0.501000 KEYS <hex>		the bytes of one key
 *	> 0.901000 PASTE <hex>		a paste's text (brackets not included)
 *	= "echo hi" status 0		what the Enter just above runs
 *	= -				(nothing: inactive, not gated)
 *	= none				a paste that runs nothing at once
 *	# comment
 *
 * Script lines: size C R | file NAME [TEXT] | rc LINE | rc-omv ARGS (the
 * output of $OMV_BIN ARGS goes into the rc file) | spawn ARGV ($HOME and
 * $RC are replaced) | waitfor TEXT (on screen) | quiet [MS] | sleep SECONDS | type TEXT | typefast
 * TEXT | typeblind TEXT (no echo awaited) | key NAME [COUNT] | paste "TEXT" | expect "TEXT" [status N] |
 * expect - | expect none | comment TEXT | include FILE.
 *
 * Usage: cmdline-record SCRIPT FIXTURE
 */
#include <sys/ioctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pty.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "omv.h"
#include "vt.h"

#define REC_QUIET	40	/* ms without output after a key */
#define REC_MAX_WAIT	3000	/* ms waited at most for quiet */

struct rec {
	FILE		*out;
	int		 fd;		/* pty master, -1 before spawn / after EOF */
	pid_t		 pid;
	struct vt	*vt;
	int		 cols, rows;
	char		 home[64];
	char		 rc[128];
	int64_t		 t0;		/* mono ms at spawn */
	struct sbuf	 rctext;
	char		*expect[64];	/* owned: "= ..." lines for the next Enter or paste */
	int		 nexpect;
	int		 line;
	const char	*file;
};

static void rec_script(struct rec *, const char *);

/* Microseconds on the monotonic clock. */
static int64_t
rec_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
}

/* Die with the script position. */
static void __attribute__((format(printf, 2, 3), noreturn))
rec_die(struct rec *r, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s:%d: ", r->file != NULL ? r->file : "?", r->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* One fixture line: direction, time, kind, bytes in hex. */
static void
rec_put(struct rec *r, char dir, const char *kind, const char *buf, size_t len)
{
	size_t	i;

	fprintf(r->out, "%c %.6f %s ", dir, (double)(rec_us() - r->t0) / 1e6,
	    kind);
	for (i = 0; i < len; i++)
		fprintf(r->out, "%02x", (unsigned char)buf[i]);
	fputc('\n', r->out);
}

/* Read what the shell wrote until it is quiet for quiet ms (or max ms pass). */
static void
rec_pump(struct rec *r, int quiet, int max)
{
	struct pollfd	pfd;
	char		buf[4096];
	ssize_t		n;
	int64_t		start = rec_us() / 1000, last = start, now;
	int		wait;

	while (r->fd != -1) {
		now = rec_us() / 1000;
		if (now - last >= quiet || now - start >= max)
			return;
		wait = (int)(quiet - (now - last));
		pfd.fd = r->fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, wait) <= 0)
			continue;
		n = read(r->fd, buf, sizeof buf);
		if (n <= 0) {
			close(r->fd);
			r->fd = -1;
			return;
		}
		rec_put(r, '<', "OUTPUT", buf, (size_t)n);
		vt_write(r->vt, buf, (size_t)n);
		last = rec_us() / 1000;
	}
}

/* After a key: wait for the shell's answer (1 s at most), then for quiet. */
static void
rec_answer(struct rec *r)
{
	struct pollfd	pfd;

	pfd.fd = r->fd;
	pfd.events = POLLIN;
	if (r->fd != -1)
		(void)poll(&pfd, 1, 1000);
	rec_pump(r, REC_QUIET, REC_MAX_WAIT);
}

/* Read output until some screen row holds text (10 s at most). */
static void
rec_waitfor(struct rec *r, const char *text)
{
	int64_t	start = rec_us();
	char	*t;
	int	 row;

	while (r->fd != -1 && rec_us() - start < 10000000) {
		for (row = 0; row < r->rows; row++) {
			t = vt_row_text(r->vt, row, 0, r->cols);
			if (strstr(t, text) != NULL) {
				free(t);
				rec_pump(r, REC_QUIET, REC_MAX_WAIT);
				return;
			}
			free(t);
		}
		rec_pump(r, 50, 50);
	}
	rec_die(r, "\"%s\" never appeared", text);
}

/* Send bytes as one key (or a paste's text) and record them. */
static void
rec_send(struct rec *r, const char *kind, const char *rec, size_t reclen,
    const char *buf, size_t len)
{
	int	i;

	if (r->fd == -1)
		rec_die(r, "the shell has gone");
	rec_put(r, '>', kind, rec, reclen);
	if (strcmp(kind, "PASTE") == 0 || (len == 1 && buf[0] == '\r')) {
		if (r->nexpect == 0)
			rec_die(r, "an Enter or paste without expect");
		for (i = 0; i < r->nexpect; i++) {
			fprintf(r->out, "%s\n", r->expect[i]);
			free(r->expect[i]);
		}
		r->nexpect = 0;
	}
	fflush(r->out);
	if (write(r->fd, buf, len) != (ssize_t)len)
		rec_die(r, "write: %s", strerror(errno));
}

/* A "quoted" string with C escapes (\n \r \t \e \\ \" \xNN) into sb. */
static const char *
rec_unquote(struct rec *r, const char *s, struct sbuf *sb)
{
	unsigned int	v;

	if (*s != '"')
		rec_die(r, "expected a quoted string");
	for (s++; *s != '"'; s++) {
		if (*s == '\0')
			rec_die(r, "unterminated string");
		if (*s != '\\') {
			sbuf_addc(sb, *s);
			continue;
		}
		switch (*++s) {
		case 'n': sbuf_addc(sb, '\n'); break;
		case 'r': sbuf_addc(sb, '\r'); break;
		case 't': sbuf_addc(sb, '\t'); break;
		case 'e': sbuf_addc(sb, '\033'); break;
		case 'x':
			if (sscanf(s + 1, "%2x", &v) != 1)
				rec_die(r, "bad \\x");
			sbuf_addc(sb, (char)v);
			s += 2;
			break;
		case '\0':
			rec_die(r, "unterminated string");
		default:
			sbuf_addc(sb, *s);
			break;
		}
	}
	sbuf_add(sb, "", 0);
	return (s + 1);
}

/* The bytes of a named key, in the shell's current modes. */
static size_t
rec_key(struct rec *r, const char *name, char *out)
{
	static const struct { const char *name; enum vt_key key; } keys[] = {
		{ "up", VT_KEY_UP }, { "down", VT_KEY_DOWN },
		{ "left", VT_KEY_LEFT }, { "right", VT_KEY_RIGHT },
		{ "home", VT_KEY_HOME }, { "end", VT_KEY_END },
		{ "del", VT_KEY_DELETE }
	};
	size_t	i;

	if (strcmp(name, "enter") == 0)
		return (out[0] = '\r', 1);
	if (strcmp(name, "tab") == 0)
		return (out[0] = '\t', 1);
	if (strcmp(name, "bs") == 0)
		return (out[0] = 0x7f, 1);
	if (strcmp(name, "esc") == 0)
		return (out[0] = 0x1b, 1);
	if (strncmp(name, "c-", 2) == 0 && name[2] >= 'a' && name[2] <= 'z' &&
	    name[3] == '\0')
		return (out[0] = (char)(name[2] & 0x1f), 1);
	if (strncmp(name, "m-", 2) == 0 && name[2] != '\0' && name[3] == '\0') {
		out[0] = 0x1b;
		out[1] = name[2];
		return (2);
	}
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		if (strcmp(name, keys[i].name) == 0)
			return (vt_key(r->vt, keys[i].key, 0, out, VT_KEY_MAX));
	}
	rec_die(r, "unknown key '%s'", name);
}

/* Append the output of $OMV_BIN args to the rc text (no shell involved). */
static void
rec_rc_omv(struct rec *r, char *args)
{
	const char	*bin = getenv("OMV_BIN");
	char		*argv[16], buf[4096];
	int		 argc = 1, p[2], status;
	ssize_t		 n;
	pid_t		 pid;

	if (bin == NULL)
		rec_die(r, "rc-omv needs $OMV_BIN");
	argv[0] = (char *)bin;
	while (argc < 15 && (argv[argc] = strsep(&args, " ")) != NULL)
		argc++;
	argv[argc] = NULL;
	if (pipe(p) != 0 || (pid = fork()) == -1)
		rec_die(r, "pipe/fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(p[1], 1);
		close(p[0]);
		execv(bin, argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf, sizeof buf)) > 0)
		sbuf_add(&r->rctext, buf, (size_t)n);
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		rec_die(r, "%s failed", bin);
}

/* Write a file into the scratch HOME. */
static void
rec_file(struct rec *r, const char *name, const char *text, size_t len)
{
	char	path[256];
	FILE	*f;

	snprintf(path, sizeof path, "%s/%s", r->home, name);
	if ((f = fopen(path, "w")) == NULL)
		rec_die(r, "%s: %s", path, strerror(errno));
	fwrite(text, 1, len, f);
	fclose(f);
}

/* Start the shell in a pty of the script's size, in a clean environment. */
static void
rec_spawn(struct rec *r, char *args)
{
	struct winsize	 ws;
	struct passwd	*pw = getpwuid(getuid());
	char		*argv[16], *a, path[256];
	int		 argc = 0;

	rec_file(r, ".rc", r->rctext.buf != NULL ? r->rctext.buf : "",
	    r->rctext.len);
	rec_file(r, ".zshrc", r->rctext.buf != NULL ? r->rctext.buf : "",
	    r->rctext.len);
	while (argc < 15 && (a = strsep(&args, " ")) != NULL) {
		if (strcmp(a, "$HOME") == 0)
			a = r->home;
		else if (strcmp(a, "$RC") == 0)
			a = r->rc;
		argv[argc++] = a;
	}
	argv[argc] = NULL;
	fprintf(r->out, "# spawn:");
	for (argc = 0; argv[argc] != NULL; argc++)
		fprintf(r->out, " %s", argv[argc] == r->home ? "$HOME" :
		    argv[argc] == r->rc ? "$RC" : argv[argc]);
	fprintf(r->out, "\nsize %d %d\n", r->cols, r->rows);

	memset(&ws, 0, sizeof ws);
	ws.ws_col = (unsigned short)r->cols;
	ws.ws_row = (unsigned short)r->rows;
	r->vt = vt_create(r->rows, r->cols, 1000);
	r->t0 = rec_us();
	r->pid = forkpty(&r->fd, NULL, NULL, &ws);
	if (r->pid == -1)
		rec_die(r, "forkpty: %s", strerror(errno));
	if (r->pid == 0) {
		if (chdir(r->home) != 0)
			_exit(127);
		clearenv();
		setenv("HOME", r->home, 1);
		setenv("ZDOTDIR", r->home, 1);
		setenv("TERM", "xterm-256color", 1);
		setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
		setenv("LANG", "C.UTF-8", 1);
		snprintf(path, sizeof path, "%s/.hist", r->home);
		setenv("HISTFILE", path, 1);
		if (pw != NULL) {
			setenv("USER", pw->pw_name, 1);
			setenv("LOGNAME", pw->pw_name, 1);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
}

/* nftw: remove one entry of the scratch HOME. */
static int
rec_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return (remove(path));
}

/* Run one script line. */
static void
rec_step(struct rec *r, char *l)
{
	struct sbuf	 sb;
	char		*cmd, *arg, buf[VT_KEY_MAX], e[32];
	const char	*rest;
	size_t		 n, i;
	int		 count;

	cmd = strsep(&l, " ");
	arg = l != NULL ? l : (char *)"";
	if (*cmd == '\0' || *cmd == '#')
		return;
	if (strcmp(cmd, "size") == 0) {
		if (sscanf(arg, "%d %d", &r->cols, &r->rows) != 2)
			rec_die(r, "bad size");
	} else if (strcmp(cmd, "file") == 0) {
		cmd = strsep(&arg, " ");
		rec_file(r, cmd, arg != NULL ? arg : "", arg != NULL ? strlen(arg) : 0);
	} else if (strcmp(cmd, "rc") == 0) {
		sbuf_adds(&r->rctext, arg);
		sbuf_addc(&r->rctext, '\n');
	} else if (strcmp(cmd, "rc-omv") == 0)
		rec_rc_omv(r, arg);
	else if (strcmp(cmd, "spawn") == 0)
		rec_spawn(r, arg);
	else if (strcmp(cmd, "include") == 0)
		rec_script(r, arg);
	else if (strcmp(cmd, "comment") == 0)
		fprintf(r->out, "# %s\n", arg);
	else if (strcmp(cmd, "waitfor") == 0)
		rec_waitfor(r, arg);
	else if (strcmp(cmd, "quiet") == 0)
		rec_pump(r, *arg != '\0' ? atoi(arg) : 300, 10000);
	else if (strcmp(cmd, "sleep") == 0)
		rec_pump(r, (int)(atof(arg) * 1000), (int)(atof(arg) * 1000));
	else if (strcmp(cmd, "type") == 0 || strcmp(cmd, "typefast") == 0 ||
	    strcmp(cmd, "typeblind") == 0) {
		for (i = 0; arg[i] != '\0'; i += n) {
			n = 1;
			while ((arg[i + n] & 0xc0) == 0x80)
				n++;	/* one UTF-8 character */
			rec_send(r, "KEYS", arg + i, n, arg + i, n);
			if (strcmp(cmd, "type") == 0)
				rec_answer(r);
			else if (strcmp(cmd, "typeblind") == 0)
				rec_pump(r, REC_QUIET, REC_MAX_WAIT);
		}
		rec_pump(r, REC_QUIET, REC_MAX_WAIT);
	} else if (strcmp(cmd, "key") == 0) {
		cmd = strsep(&arg, " ");
		count = arg != NULL ? atoi(arg) : 1;
		while (count-- > 0) {
			n = rec_key(r, cmd, buf);
			rec_send(r, "KEYS", buf, n, buf, n);
			rec_answer(r);
		}
	} else if (strcmp(cmd, "paste") == 0) {
		sbuf_init(&sb);
		rec_unquote(r, arg, &sb);
		n = vt_paste_start(r->vt, e, sizeof e);
		if (n > 0 && write(r->fd, e, n) != (ssize_t)n)
			rec_die(r, "write");
		rec_send(r, "PASTE", sb.buf, sb.len, sb.buf, sb.len);
		n = vt_paste_end(r->vt, e, sizeof e);
		if (n > 0 && write(r->fd, e, n) != (ssize_t)n)
			rec_die(r, "write");
		sbuf_free(&sb);
		rec_pump(r, REC_QUIET * 3, REC_MAX_WAIT);
	} else if (strcmp(cmd, "expect") == 0) {
		if (r->nexpect == 64)
			rec_die(r, "too many expects");
		if (*arg == '"') {
			sbuf_init(&sb);
			rest = rec_unquote(r, arg, &sb);
			sbuf_free(&sb);	/* checked only; the line goes as written */
			(void)rest;
		}
		r->expect[r->nexpect++] = xprintf("= %s", arg);
	} else
		rec_die(r, "unknown command '%s'", cmd);
}

/* Run a script file (include paths are relative to the first script). */
static void
rec_script(struct rec *r, const char *path)
{
	static char	 dir[256];
	char		 full[512], *line = NULL, *slash;
	const char	*saved_file = r->file;
	int		 saved_line = r->line;
	size_t		 cap = 0;
	ssize_t		 n;
	FILE		*f;

	if (*dir == '\0') {
		snprintf(dir, sizeof dir, "%s", path);
		if ((slash = strrchr(dir, '/')) != NULL)
			slash[1] = '\0';
		else
			strcpy(dir, "./");
		snprintf(full, sizeof full, "%s", path);
	} else
		snprintf(full, sizeof full, "%s%s", dir, path);
	if ((f = fopen(full, "r")) == NULL)
		rec_die(r, "%s: %s", full, strerror(errno));
	r->file = xstrdup(full);
	r->line = 0;
	while ((n = getline(&line, &cap, f)) != -1) {
		r->line++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		rec_step(r, line);
	}
	free(line);
	fclose(f);
	r->file = saved_file;
	r->line = saved_line;
}

int
main(int argc, char **argv)
{
	struct rec	r;
	int		status;

	if (argc != 3) {
		fprintf(stderr, "usage: cmdline-record SCRIPT FIXTURE\n");
		return (2);
	}
	memset(&r, 0, sizeof r);
	r.fd = -1;
	r.cols = 80;
	r.rows = 24;
	sbuf_init(&r.rctext);
	snprintf(r.home, sizeof r.home, "/tmp/omv-rec.XXXXXX");
	if (mkdtemp(r.home) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	snprintf(r.rc, sizeof r.rc, "%s/.rc", r.home);
	if ((r.out = fopen(argv[2], "w")) == NULL) {
		perror(argv[2]);
		return (1);
	}
	fprintf(r.out, "# cmdline fixture: a real session recorded by "
	    "tests/helpers/cmdline-record.c\n# from %s; re-record with "
	    "tests/data/cmdline/record.sh\n", argv[1]);
	rec_script(&r, argv[1]);
	rec_pump(&r, 1000, 5000);
	if (r.fd != -1) {
		fprintf(stderr, "%s: the shell is still running\n", argv[1]);
		kill(r.pid, SIGKILL);
	}
	waitpid(r.pid, &status, 0);
	fclose(r.out);
	vt_free(r.vt);
	sbuf_free(&r.rctext);
	nftw(r.home, rec_rm, 16, FTW_DEPTH | FTW_PHYS);
	return (r.fd != -1 ? 1 : 0);
}
