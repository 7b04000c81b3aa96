/*
 * test_conn.c: the SSH connection layer against real OpenSSH servers on
 * loopback, started by tests/testbed.sh (main bed, a second sshd with a host
 * key of its own, and as root a password and a PAM keyboard-interactive
 * sshd).  Every test drives its conn from a poll(2) loop the way the console
 * does, and measures how long each conn_process call takes.
 *
 * A reaper child holds the read end of a pipe: when this process ends, in
 * any way, the reaper stops every sshd of the bed and removes its directory.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "omv.h"
#include "conn.h"
#include "hostkey.h"

/* The bed: what testbed.sh start/extra printed. */
struct bed {
	char	 dir[64];
	char	*testbed;		/* absolute path of tests/testbed.sh */
	pid_t	 reaper;
	int	 reaper_fd;
	int	 port;
	char	*key, *known_hosts, *login, *hostkey_pub, *fingerprint;
	int	 alt_port;
	char	*alt_fp;
	int	 pw_port;		/* 0: none (not root) */
	char	*pw_user;
	int	 pam_port;		/* 0: none */
	char	*pam_user;
	char	 password[40];
	int	 pty_ok;		/* sshd can give a session a pty */
};
static struct bed bed;

/* One conn under test and everything its callbacks saw. */
struct tc {
	struct conn		*c;
	struct sbuf		 out, err;
	enum conn_state		 seen[64];
	size_t			 nseen;
	struct {
		enum conn_event_type	 type;
		char			*method;
		char			*fp;
		char			*known_fp;
	}			 ev[32];
	size_t			 nev;
	int			 exits, exit_status;
	char			*exit_signal;
	const char		*answers[8];
	size_t			 nanswers, next_answer;
	char			*prompts[8];
	int			 prompt_echo[8];
	size_t			 nprompts;
	int			 hostkey_decision;	/* -1: leave it waiting */
	int64_t			 max_call_ms;
	int			 more_seen;
	size_t			 budget;
	int			 iterations;
	int			 close_on_state;	/* conn_close in this state's callback */
	int			 close_on_data;		/* conn_close in the data callback */
};

/* Run argv (no shell), capture stdout; returns the exit status or -1. */
static int
run(char *const argv[], char **out)
{
	int	 p[2], status;
	pid_t	 pid;
	struct sbuf sb;
	char	 buf[4096];
	ssize_t	 n;

	if (pipe2(p, O_CLOEXEC) != 0)
		return (-1);
	pid = fork();
	if (pid == -1)
		return (-1);
	if (pid == 0) {
		dup2(p[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	sbuf_init(&sb);
	while ((n = read(p[0], buf, sizeof buf)) > 0 || (n == -1 && errno == EINTR))
		if (n > 0)
			sbuf_add(&sb, buf, (size_t)n);
	close(p[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (out != NULL)
		*out = sbuf_steal(&sb);
	sbuf_free(&sb);
	return (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* The value of NAME in testbed.sh env output (quotes removed); owned. */
static char *
env_get(const char *text, const char *name)
{
	const char	*p = text, *e;
	size_t		 len = strlen(name);
	char		*v;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, name, len) == 0 && p[len] == '=') {
			p += len + 1;
			e = strchr(p, '\n');
			if (e == NULL)
				e = p + strlen(p);
			if (*p == '\'' && e > p + 1 && e[-1] == '\'')
				v = xstrndup(p + 1, (size_t)(e - p - 2));
			else
				v = xstrndup(p, (size_t)(e - p));
			return (v);
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return (NULL);
}

/* nftw callback: remove everything. */
static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb; (void)flag; (void)ftw;
	remove(path);
	return (0);
}

/* The reaper: wait for our death (pipe EOF), then stop the bed. */
static void
reaper_main(int fd)
{
	char	 b;
	char	*argv[] = { bed.testbed, (char *)"stop", bed.dir, NULL };

	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	while (read(fd, &b, 1) != 0 && errno == EINTR)
		;
	run(argv, NULL);
	nftw(bed.dir, rm_entry, 16, FTW_DEPTH|FTW_PHYS);
	_exit(0);
}

/* testbed.sh extra DIR NAME ...; fills port (and user). */
static int
start_extra(const char *name, const char *pwuser, int pam, int *port,
    char **fp, char **user)
{
	char	*argv[8], *out = NULL, *v;
	int	 i = 0, rc;

	argv[i++] = bed.testbed;
	argv[i++] = (char *)"extra";
	argv[i++] = bed.dir;
	argv[i++] = (char *)name;
	if (pwuser != NULL) {
		argv[i++] = (char *)"--password-user";
		argv[i++] = (char *)pwuser;
	}
	if (pam)
		argv[i++] = (char *)"--pam";
	argv[i] = NULL;
	rc = run(argv, NULL);
	if (rc != 0)
		return (-1);
	argv[0] = bed.testbed;
	argv[1] = (char *)"env";
	argv[2] = bed.dir;
	argv[3] = (char *)name;
	argv[4] = NULL;
	if (run(argv, &out) != 0)
		return (-1);
	v = env_get(out, "PORT");
	*port = v != NULL ? atoi(v) : 0;
	free(v);
	if (fp != NULL)
		*fp = env_get(out, "FINGERPRINT");
	if (user != NULL)
		*user = env_get(out, "PASSWORD_USER");
	free(out);
	return (*port > 0 ? 0 : -1);
}

/*
 * Can sshd give a session a pty?  Always as root.  An unprivileged sshd must
 * find new ptys already in group tty (devpts mounted gid=5, as systemd does);
 * where they are not, it cannot chown them and drops the session.
 */
static int
pty_works(void)
{
	struct group	*gr;
	struct stat	 sb;
	const char	*name;
	int		 fd, ok = 0;

	if (getuid() == 0)
		return (1);
	gr = getgrnam("tty");
	fd = posix_openpt(O_RDWR|O_NOCTTY);
	if (fd == -1)
		return (0);
	if (gr != NULL && grantpt(fd) == 0 && (name = ptsname(fd)) != NULL &&
	    stat(name, &sb) == 0 && sb.st_gid == gr->gr_gid)
		ok = 1;
	close(fd);
	return (ok);
}

/* Skip a test that needs a pty where sshd cannot make one. */
static void
need_pty(void)
{
	if (!bed.pty_ok) {
		print_message("no pty for an unprivileged sshd here (/dev/pts "
		    "not mounted gid=tty)\n");
		skip();
	}
}

static int
setup_bed(void **state)
{
	char		*argv[10], *out = NULL, *v, path[PATH_MAX], user[32];
	const char	*tb;
	int		 p[2], i = 0;
	unsigned char	 rnd[12];
	FILE		*f;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	unsetenv("SSH_AUTH_SOCK");
	tb = getenv("OMV_TESTBED");
	if (tb == NULL)
		tb = "tests/testbed.sh";
	if (realpath(tb, path) == NULL) {
		fprintf(stderr, "test_conn: %s: %s\n", tb, strerror(errno));
		return (-1);
	}
	bed.testbed = xstrdup(path);
	bed.pty_ok = pty_works();
	snprintf(bed.dir, sizeof bed.dir, "%s", "/tmp/omv-test-conn.XXXXXX");
	if (mkdtemp(bed.dir) == NULL)
		return (-1);

	if (pipe2(p, O_CLOEXEC) != 0)
		return (-1);
	bed.reaper = fork();
	if (bed.reaper == 0) {
		close(p[1]);
		reaper_main(p[0]);
	}
	close(p[0]);
	bed.reaper_fd = p[1];

	argv[i++] = bed.testbed;
	argv[i++] = (char *)"start";
	argv[i++] = bed.dir;
	argv[i++] = (char *)"--servers";
	argv[i++] = (char *)"2";
	if (getuid() == 0) {
		/* root's own .bashrc is slow: a dedicated account. */
		snprintf(user, sizeof user, "omvtc%ld", (long)getpid());
		argv[i++] = (char *)"--user";
		argv[i++] = user;
	}
	argv[i] = NULL;
	if (run(argv, NULL) != 0) {
		fprintf(stderr, "test_conn: testbed.sh start failed\n");
		return (-1);
	}
	argv[1] = (char *)"env";
	argv[3] = NULL;
	if (run(argv, &out) != 0)
		return (-1);
	v = env_get(out, "PORT");
	bed.port = v != NULL ? atoi(v) : 0;
	free(v);
	bed.key = env_get(out, "KEY");
	bed.known_hosts = env_get(out, "KNOWN_HOSTS");
	bed.login = env_get(out, "LOGIN");
	bed.hostkey_pub = env_get(out, "HOSTKEY_PUB");
	bed.fingerprint = env_get(out, "FINGERPRINT");
	free(out);
	if (bed.port == 0 || bed.key == NULL || bed.fingerprint == NULL)
		return (-1);

	if (start_extra("alt", NULL, 0, &bed.alt_port, &bed.alt_fp, NULL) != 0)
		return (-1);

	if (getuid() == 0) {
		f = fopen("/dev/urandom", "r");
		if (f == NULL || fread(rnd, 1, sizeof rnd, f) != sizeof rnd)
			return (-1);
		fclose(f);
		snprintf(bed.password, sizeof bed.password, "%s", "Omv-");
		for (i = 0; i < (int)sizeof rnd; i++)
			snprintf(bed.password + 4 + 2 * i, 3, "%02x", rnd[i]);
		setenv("TESTBED_PASSWORD", bed.password, 1);
		snprintf(user, sizeof user, "omvpw%ld", (long)getpid());
		if (start_extra("pw", user, 0, &bed.pw_port, NULL,
		    &bed.pw_user) != 0)
			bed.pw_port = 0;
		snprintf(user, sizeof user, "omvpa%ld", (long)getpid());
		if (start_extra("pam", user, 1, &bed.pam_port, NULL,
		    &bed.pam_user) != 0)
			bed.pam_port = 0;
		unsetenv("TESTBED_PASSWORD");
	}
	return (0);
}

static int
teardown_bed(void **state)
{
	(void)state;
	close(bed.reaper_fd);
	while (waitpid(bed.reaper, NULL, 0) == -1 && errno == EINTR)
		;
	return (0);
}

/* Callbacks: record what happened, answer what the test queued. */
static void
tc_state(struct conn *c, enum conn_state st, void *arg)
{
	struct tc	*t = arg;

	if (t->nseen < sizeof t->seen / sizeof *t->seen)
		t->seen[t->nseen++] = st;
	if (st == CONN_HOSTKEY && t->hostkey_decision != -1)
		conn_hostkey_answer(c, t->hostkey_decision);
	if (t->close_on_state >= 0 && (int)st == t->close_on_state)
		conn_close(c);
}

static void
tc_data(struct conn *c, const char *buf, size_t len, int is_stderr, void *arg)
{
	struct tc	*t = arg;

	sbuf_add(is_stderr ? &t->err : &t->out, buf, len);
	if (t->close_on_data)
		conn_close(c);
}

static void
tc_prompt(struct conn *c, const char *text, int echo, void *arg)
{
	struct tc	*t = arg;

	if (t->nprompts < 8) {
		t->prompt_echo[t->nprompts] = echo;
		t->prompts[t->nprompts++] = xstrdup(text);
	}
	if (t->next_answer < t->nanswers)
		conn_answer(c, t->answers[t->next_answer++]);
}

static void
tc_event(struct conn *c, const struct conn_event *ev, void *arg)
{
	struct tc	*t = arg;

	(void)c;
	if (t->nev >= 32)
		return;
	t->ev[t->nev].type = ev->type;
	t->ev[t->nev].method = ev->method ? xstrdup(ev->method) : NULL;
	t->ev[t->nev].fp = ev->fingerprint ? xstrdup(ev->fingerprint) : NULL;
	t->ev[t->nev].known_fp = ev->known_fingerprint ?
	    xstrdup(ev->known_fingerprint) : NULL;
	t->nev++;
}

static void
tc_exit(struct conn *c, int status, const char *sig, void *arg)
{
	struct tc	*t = arg;

	(void)c;
	t->exits++;
	t->exit_status = status;
	free(t->exit_signal);
	t->exit_signal = sig ? xstrdup(sig) : NULL;
}

static const struct conn_cb tc_cb = {
	tc_state, tc_data, tc_prompt, tc_event, tc_exit
};

/* Parameters for the main bed: known host, the bed's key, no ~/.ssh/config. */
static struct conn_params
params_main(enum conn_mode mode, const char *command)
{
	struct conn_params	p;

	memset(&p, 0, sizeof p);
	p.host = "127.0.0.1";
	p.port = bed.port;
	p.user = bed.login;
	p.identity = bed.key;
	p.known_hosts = bed.known_hosts;
	p.connect_timeout_ms = 5000;
	p.mode = mode;
	p.command = command;
	p.flags = CONN_NO_SSH_CONFIG;
	return (p);
}

static void
tc_start(struct tc *t, const struct conn_params *p)
{
	char	*cause = NULL;

	memset(t, 0, sizeof *t);
	sbuf_init(&t->out);
	sbuf_init(&t->err);
	t->hostkey_decision = -1;
	t->close_on_state = -1;
	t->exit_status = -99;
	t->c = conn_create(p, &tc_cb, t, &cause);
	if (t->c == NULL)
		fail_msg("conn_create: %s", cause);
	conn_start(t->c, mono_ms());
}

static void
tc_free(struct tc *t)
{
	size_t	i;

	conn_free(t->c);
	sbuf_free(&t->out);
	sbuf_free(&t->err);
	for (i = 0; i < t->nev; i++) {
		free(t->ev[i].method);
		free(t->ev[i].fp);
		free(t->ev[i].known_fp);
	}
	for (i = 0; i < t->nprompts; i++)
		free(t->prompts[i]);
	free(t->exit_signal);
}

/* Drive the conn from a poll loop until pred holds or ms pass. */
static int
run_until(struct tc *t, int (*pred)(struct tc *, const void *),
    const void *arg, int ms)
{
	int64_t		end = mono_ms() + ms, now, t0, d;
	struct pollfd	pfd;
	int		to, n;

	for (;;) {
		if (pred(t, arg))
			return (1);
		now = mono_ms();
		if (now >= end)
			return (0);
		pfd.fd = conn_fd(t->c);
		pfd.events = conn_poll_events(t->c);
		pfd.revents = 0;
		to = conn_next_timeout_ms(t->c, now);
		if (to < 0 || to > 50)
			to = 50;	/* the loop's own tick (a clock, a redraw) */
		if (to > end - now)
			to = (int)(end - now);
		n = poll(&pfd, 1, to);
		t0 = mono_ms();
		if (conn_process(t->c, n > 0 ? pfd.revents : 0, t0, t->budget))
			t->more_seen++;
		d = mono_ms() - t0;
		if (d > t->max_call_ms)
			t->max_call_ms = d;
		t->iterations++;
	}
}

/* What a stream received, "" when nothing. */
static const char *
text_of(const struct sbuf *sb)
{
	return (sb->buf != NULL ? sb->buf : "");
}

/* Predicates. */
static int
is_state(struct tc *t, const void *arg)
{
	return (conn_state(t->c) == *(const enum conn_state *)arg);
}

static int
is_final(struct tc *t, const void *arg)
{
	(void)arg;
	return (conn_state(t->c) == CONN_CLOSED ||
	    conn_state(t->c) == CONN_FAILED);
}

static int
is_idle_or_final(struct tc *t, const void *arg)
{
	return (conn_state(t->c) == CONN_IDLE || is_final(t, arg));
}

static int
is_open_or_final(struct tc *t, const void *arg)
{
	return (conn_state(t->c) == CONN_OPEN || is_final(t, arg));
}

static int
out_has(struct tc *t, const void *arg)
{
	return (t->out.len > 0 && strstr(t->out.buf, arg) != NULL);
}

static int
saw_state(struct tc *t, enum conn_state st)
{
	size_t	i;

	for (i = 0; i < t->nseen; i++)
		if (t->seen[i] == st)
			return (1);
	return (0);
}

/* The index of the first event of this type, or -1. */
static int
find_event(struct tc *t, enum conn_event_type type)
{
	size_t	i;

	for (i = 0; i < t->nev; i++)
		if (t->ev[i].type == type)
			return ((int)i);
	return (-1);
}

#define WAIT(t, pred, arg, ms) do {					\
	if (!run_until((t), (pred), (arg), (ms)))			\
		fail_msg("timed out in state %s (reason %s), out: %s",	\
		    conn_state_name(conn_state((t)->c)),		\
		    conn_reason((t)->c) ? conn_reason((t)->c) : "-",	\
		    (t)->out.len ? (t)->out.buf : "");			\
} while (0)

static void
expect_state(struct tc *t, enum conn_state st)
{
	if (conn_state(t->c) != st)
		fail_msg("state %s, expected %s (reason: %s)",
		    conn_state_name(conn_state(t->c)), conn_state_name(st),
		    conn_reason(t->c) ? conn_reason(t->c) : "-");
}

/* Write a file. */
static void
write_file(const char *path, const char *text)
{
	FILE	*f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The public key line of a .pub file ("type base64"), owned. */
static char *
pub_line(const char *pub)
{
	FILE	*f = fopen(pub, "r");
	char	 line[8192], *sp;

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	sp = strchr(line, ' ');
	assert_non_null(sp);
	sp = strchr(sp + 1, ' ');
	if (sp != NULL)
		*sp = '\0';
	line[strcspn(line, "\n")] = '\0';
	return (xstrdup(line));
}

/* ssh-keygen -t TYPE with passphrase pass into DIR/name. */
static void
keygen(const char *type, const char *pass, const char *path)
{
	char	*argv[] = { (char *)"/usr/bin/ssh-keygen", (char *)"-q",
	    (char *)"-t", (char *)type, (char *)"-N", (char *)pass,
	    (char *)"-f", (char *)path, NULL };

	unlink(path);
	assert_int_equal(run(argv, NULL), 0);
}

/* Connect, known host key, publickey; a pty shell runs a command. */
static void
test_shell_echo(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_SHELL, NULL);
	enum conn_state		open = CONN_OPEN;
	int			i;

	(void)state;
	need_pty();
	tc_start(&t, &p);
	WAIT(&t, is_open_or_final, NULL, 10000);
	expect_state(&t, CONN_OPEN);
	assert_true(saw_state(&t, CONN_AUTH));
	assert_false(saw_state(&t, CONN_HOSTKEY));
	i = find_event(&t, CONN_EVENT_HOSTKEY_KNOWN);
	assert_true(i >= 0);
	assert_string_equal(t.ev[i].fp, bed.fingerprint);
	i = find_event(&t, CONN_EVENT_AUTH_ACCEPTED);
	assert_true(i >= 0);
	assert_string_equal(t.ev[i].method, "publickey");
	assert_true(conn_fd(t.c) >= 0);
	(void)open;

	assert_int_equal(conn_write(t.c, "echo hi; echo $((6*7))\n", 23), 0);
	WAIT(&t, out_has, "42\r\n", 10000);
	assert_non_null(strstr(text_of(&t.out), "hi\r\n"));

	assert_int_equal(conn_write(t.c, "exit 5\n", 7), 0);
	WAIT(&t, is_final, NULL, 10000);
	expect_state(&t, CONN_CLOSED);
	assert_int_equal(conn_error(t.c), CONN_ERR_NONE);
	assert_string_equal(conn_reason(t.c), "shell exited (status 5)");
	assert_int_equal(t.exits, 1);
	assert_int_equal(t.exit_status, 5);
	assert_int_equal(conn_fd(t.c), -1);
	assert_int_equal(conn_write(t.c, "x", 1), -1);
	print_message("shell: %d loop iterations, slowest conn_process %lld ms\n",
	    t.iterations, (long long)t.max_call_ms);
	tc_free(&t);
}

/* Exec channels: output, stderr, exit status; the connection is reused. */
static void
test_exec_status(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_EXEC,
	    "echo out; echo err >&2; exit 3");

	(void)state;
	tc_start(&t, &p);
	WAIT(&t, is_idle_or_final, NULL, 10000);
	expect_state(&t, CONN_IDLE);
	assert_int_equal(t.exits, 1);
	assert_int_equal(t.exit_status, 3);
	assert_int_equal(conn_exit_status(t.c), 3);
	assert_string_equal(text_of(&t.out), "out\n");
	assert_string_equal(text_of(&t.err), "err\n");

	/* Same connection, next command. */
	sbuf_reset(&t.out);
	assert_int_equal(conn_exec(t.c, "echo again; cat; exit 0"), 0);
	expect_state(&t, CONN_CHANNEL);
	WAIT(&t, is_idle_or_final, NULL, 10000);
	expect_state(&t, CONN_IDLE);
	assert_int_equal(t.exits, 2);
	assert_int_equal(t.exit_status, 0);
	assert_string_equal(text_of(&t.out), "again\n");	/* cat saw EOF at once */

	/* Killed by a signal. */
	assert_int_equal(conn_exec(t.c, "kill -TERM $$"), 0);
	WAIT(&t, is_idle_or_final, NULL, 10000);
	expect_state(&t, CONN_IDLE);
	assert_int_equal(t.exits, 3);
	assert_int_equal(t.exit_status, -1);
	assert_non_null(t.exit_signal);
	assert_string_equal(t.exit_signal, "TERM");

	assert_int_equal(conn_exec(t.c, NULL), -1);
	conn_close(t.c);
	expect_state(&t, CONN_CLOSED);
	assert_int_equal(conn_error(t.c), CONN_ERR_CLOSED);
	assert_int_equal(conn_exec(t.c, "true"), -1);
	tc_free(&t);
}

/* CONN_MODE_NONE: authenticate, then IDLE until conn_exec. */
static void
test_mode_none(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_NONE, NULL);

	(void)state;
	p.flags |= CONN_BATCH;
	tc_start(&t, &p);
	WAIT(&t, is_idle_or_final, NULL, 10000);
	expect_state(&t, CONN_IDLE);
	assert_int_equal(t.exits, 0);
	assert_int_equal(conn_exec(t.c, "exit 7"), 0);
	WAIT(&t, is_idle_or_final, NULL, 10000);
	expect_state(&t, CONN_IDLE);
	assert_int_equal(t.exit_status, 7);
	tc_free(&t);
}

/* An unknown key: HOSTKEY with OpenSSH's fingerprint; accept saves it. */
static void
test_hostkey_unknown_accept(void **state)
{
	struct tc			 t;
	struct conn_params		 p = params_main(CONN_MODE_EXEC, "true");
	const struct hostkey_result	*hk;
	enum conn_state			 hkst = CONN_HOSTKEY;
	char				*kh, *dir, *text = NULL, hp[64];
	struct stat			 sb;
	char				*argv[6];
	int				 i;

	(void)state;
	dir = xprintf("%s/kh-accept", bed.dir);
	kh = xprintf("%s/sub/known_hosts", dir);
	p.port = bed.alt_port;
	p.known_hosts = kh;
	tc_start(&t, &p);
	WAIT(&t, &is_state, &hkst, 10000);
	hk = conn_hostkey(t.c);
	assert_non_null(hk);
	assert_int_equal(hk->status, HOSTKEY_UNKNOWN);
	assert_string_equal(hk->fingerprint, bed.alt_fp);
	assert_string_equal(hk->type, "ssh-ed25519");
	snprintf(hp, sizeof hp, "[127.0.0.1]:%d", bed.alt_port);
	assert_string_equal(hk->host, hp);
	assert_true(find_event(&t, CONN_EVENT_HOSTKEY_UNKNOWN) >= 0);
	/* Waiting for the operator: nothing to poll, no timer. */
	assert_int_equal(conn_poll_events(t.c), 0);
	assert_int_equal(conn_next_timeout_ms(t.c, mono_ms()), -1);
	assert_int_equal(conn_answer(t.c, "x"), -1);

	assert_int_equal(conn_hostkey_answer(t.c, 1), 0);
	assert_int_equal(conn_hostkey_answer(t.c, 1), -1);
	WAIT(&t, is_idle_or_final, NULL, 10000);
	expect_state(&t, CONN_IDLE);
	assert_true(find_event(&t, CONN_EVENT_HOSTKEY_ACCEPTED) >= 0);

	/* Saved the OpenSSH way: 0600 file in a 0700 directory. */
	assert_int_equal(stat(kh, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	free(dir);
	dir = xprintf("%s/kh-accept/sub", bed.dir);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	/* OpenSSH's own ssh-keygen finds it. */
	argv[0] = (char *)"/usr/bin/ssh-keygen";
	argv[1] = (char *)"-F";
	argv[2] = hp;
	argv[3] = (char *)"-f";
	argv[4] = kh;
	argv[5] = NULL;
	assert_int_equal(run(argv, &text), 0);
	assert_non_null(strstr(text, "ssh-ed25519"));
	free(text);
	tc_free(&t);

	/* Second time: known, no question. */
	tc_start(&t, &p);
	WAIT(&t, is_idle_or_final, NULL, 10000);
	expect_state(&t, CONN_IDLE);
	assert_false(saw_state(&t, CONN_HOSTKEY));
	i = find_event(&t, CONN_EVENT_HOSTKEY_KNOWN);
	assert_true(i >= 0);
	assert_string_equal(t.ev[i].fp, bed.alt_fp);
	tc_free(&t);
	free(dir);
	free(kh);
}

/* Rejecting an unknown key fails the connection and saves nothing. */
static void
test_hostkey_reject(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_EXEC, "true");
	char			*kh;

	(void)state;
	kh = xprintf("%s/kh-reject", bed.dir);
	p.port = bed.alt_port;
	p.known_hosts = kh;
	tc_start(&t, &p);
	t.hostkey_decision = 0;
	WAIT(&t, is_final, NULL, 10000);
	expect_state(&t, CONN_FAILED);
	assert_int_equal(conn_error(t.c), CONN_ERR_HOSTKEY);
	assert_non_null(strstr(conn_reason(t.c), "rejected"));
	assert_non_null(strstr(conn_reason(t.c), bed.alt_fp));
	assert_true(find_event(&t, CONN_EVENT_HOSTKEY_REJECTED) >= 0);
	assert_int_equal(access(kh, F_OK), -1);
	tc_free(&t);
	free(kh);
}

/* Batch mode (fan-out): an unknown key fails without asking. */
static void
test_hostkey_batch(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_EXEC, "true");
	char			*kh;

	(void)state;
	kh = xprintf("%s/kh-batch", bed.dir);
	p.port = bed.alt_port;
	p.known_hosts = kh;
	p.flags |= CONN_BATCH;
	tc_start(&t, &p);
	WAIT(&t, is_final, NULL, 10000);
	expect_state(&t, CONN_FAILED);
	assert_false(saw_state(&t, CONN_HOSTKEY));
	assert_int_equal(conn_error(t.c), CONN_ERR_HOSTKEY);
	assert_non_null(strstr(conn_reason(t.c), "unknown"));
	tc_free(&t);
	free(kh);
}

/* A changed key is refused, with both fingerprints and the line. */
static void
test_hostkey_changed(void **state)
{
	struct tc			 t;
	struct conn_params		 p = params_main(CONN_MODE_EXEC, "true");
	const struct hostkey_result	*hk;
	char				*kh, *text, *line;
	int				 i;

	(void)state;
	kh = xprintf("%s/kh-changed", bed.dir);
	line = pub_line(bed.hostkey_pub);	/* the main bed's key, not alt's */
	text = xprintf("# comment\n[127.0.0.9]:%d %s\n[127.0.0.1]:%d %s\n",
	    bed.alt_port, line, bed.alt_port, line);
	write_file(kh, text);
	p.port = bed.alt_port;
	p.known_hosts = kh;
	tc_start(&t, &p);
	t.hostkey_decision = 1;	/* must never be asked */
	WAIT(&t, is_final, NULL, 10000);
	expect_state(&t, CONN_FAILED);
	assert_false(saw_state(&t, CONN_HOSTKEY));
	assert_int_equal(conn_error(t.c), CONN_ERR_HOSTKEY);
	hk = conn_hostkey(t.c);
	assert_non_null(hk);
	assert_int_equal(hk->status, HOSTKEY_CHANGED);
	assert_string_equal(hk->fingerprint, bed.alt_fp);
	assert_string_equal(hk->known_fingerprint, bed.fingerprint);
	assert_int_equal(hk->known_line, 3);
	assert_string_equal(hk->known_file, kh);
	assert_non_null(strstr(conn_reason(t.c), "changed"));
	assert_non_null(strstr(conn_reason(t.c), bed.alt_fp));
	assert_non_null(strstr(conn_reason(t.c), bed.fingerprint));
	i = find_event(&t, CONN_EVENT_HOSTKEY_CHANGED);
	assert_true(i >= 0);
	assert_string_equal(t.ev[i].known_fp, bed.fingerprint);
	tc_free(&t);
	free(text);
	free(line);
	free(kh);
}

/* Only a key of another type is known: refused too, like OpenSSH. */
static void
test_hostkey_other_type(void **state)
{
	struct tc			 t;
	struct conn_params		 p = params_main(CONN_MODE_EXEC, "true");
	const struct hostkey_result	*hk;
	char				*kh, *key, *pub, *line, *text, *cause = NULL;
	char				*fp;

	(void)state;
	key = xprintf("%s/other_ecdsa", bed.dir);
	pub = xprintf("%s.pub", key);
	keygen("ecdsa", "", key);
	line = pub_line(pub);
	fp = hostkey_fingerprint_line(line, &cause);
	assert_non_null(fp);
	kh = xprintf("%s/kh-other", bed.dir);
	text = xprintf("[127.0.0.1]:%d %s\n", bed.alt_port, line);
	write_file(kh, text);
	p.port = bed.alt_port;
	p.known_hosts = kh;
	tc_start(&t, &p);
	WAIT(&t, is_final, NULL, 10000);
	expect_state(&t, CONN_FAILED);
	assert_int_equal(conn_error(t.c), CONN_ERR_HOSTKEY);
	hk = conn_hostkey(t.c);
	assert_non_null(hk);
	assert_int_equal(hk->status, HOSTKEY_CHANGED);
	assert_string_equal(hk->known_type, "ecdsa-sha2-nistp256");
	assert_string_equal(hk->known_fingerprint, fp);
	tc_free(&t);
	free(fp);
	free(text);
	free(line);
	free(kh);
	free(pub);
	free(key);
}

/* hostkey_fingerprint_line agrees with ssh-keygen -lf. */
static void
test_fingerprint_line(void **state)
{
	char	*line, *fp, *cause = NULL, *name;

	(void)state;
	line = pub_line(bed.hostkey_pub);
	fp = hostkey_fingerprint_line(line, &cause);
	assert_non_null(fp);
	assert_string_equal(fp, bed.fingerprint);
	free(fp);
	free(line);
	assert_null(hostkey_fingerprint_line("ssh-ed25519", &cause));
	free(cause);
	cause = NULL;
	assert_null(hostkey_fingerprint_line("ssh-ed25519 !!!notbase64", &cause));
	free(cause);
	name = hostkey_host_port("10.1.2.3", 22);
	assert_string_equal(name, "10.1.2.3");
	free(name);
	name = hostkey_host_port("db", 2222);
	assert_string_equal(name, "[db]:2222");
	free(name);
}

/* A closed port fails fast with the reason. */
static void
test_refused(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_SHELL, NULL);
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;
	int64_t			t0;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);	/* bound, never listened: nobody there */
	p.port = ntohs(sin.sin_port);
	t0 = mono_ms();
	tc_start(&t, &p);
	WAIT(&t, is_final, NULL, 5000);
	expect_state(&t, CONN_FAILED);
	assert_int_equal(conn_error(t.c), CONN_ERR_UNREACHABLE);
	assert_string_equal(conn_reason(t.c), "connection refused");
	assert_true(mono_ms() - t0 < 1000);
	tc_free(&t);
}

/* Run a conn into a blackhole; check the deadline and the loop's pace. */
static void
blackhole(int port, int timeout_ms, const char *reason)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_SHELL, NULL);
	int64_t			t0, el;

	p.port = port;
	p.connect_timeout_ms = timeout_ms;
	t0 = mono_ms();
	tc_start(&t, &p);
	WAIT(&t, is_final, NULL, timeout_ms + 5000);
	el = mono_ms() - t0;
	expect_state(&t, CONN_FAILED);
	assert_int_equal(conn_error(t.c), CONN_ERR_TIMEOUT);
	assert_string_equal(conn_reason(t.c), reason);
	print_message("blackhole: failed after %lld ms (deadline %d), %d loop "
	    "iterations, slowest conn_process %lld ms\n", (long long)el,
	    timeout_ms, t.iterations, (long long)t.max_call_ms);
	assert_true(el >= timeout_ms - 5);
	assert_true(el < timeout_ms + 300);
	assert_true(t.max_call_ms < 50);
	/* The loop kept its 50 ms tick: never blocked in the conn. */
	assert_true(t.iterations >= timeout_ms / 50 - 2);
	tc_free(&t);
}

/* A listener that accepts (in the kernel) and never says a word. */
static void
test_blackhole_banner(void **state)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	blackhole(ntohs(sin.sin_port), 1500,
	    "timed out after 1.5 s (no SSH banner from server)");
	close(fd);
}

/* A listener whose backlog is full: SYNs are dropped, connect hangs. */
static void
test_blackhole_syn(void **state)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, fill[4], i;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(fd, 0), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	for (i = 0; i < 4; i++) {
		fill[i] = socket(AF_INET, SOCK_STREAM|SOCK_NONBLOCK, 0);
		connect(fill[i], (struct sockaddr *)&sin, sizeof sin);
	}
	usleep(100000);
	blackhole(ntohs(sin.sin_port), 1000, "timed out after 1 s");
	for (i = 0; i < 4; i++)
		close(fill[i]);
	close(fd);
}

/* No usable method: auth failed, listing what the server offers. */
static void
test_auth_failed(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_SHELL, NULL);
	char			*key;

	(void)state;
	key = xprintf("%s/unauthorized", bed.dir);
	keygen("ed25519", "", key);
	p.identity = key;
	tc_start(&t, &p);
	WAIT(&t, is_final, NULL, 10000);
	expect_state(&t, CONN_FAILED);
	assert_int_equal(conn_error(t.c), CONN_ERR_AUTH);
	assert_string_equal(conn_reason(t.c), "auth failed (publickey)");
	assert_true(find_event(&t, CONN_EVENT_AUTH_DENIED) >= 0);
	assert_false(saw_state(&t, CONN_AUTH_PROMPT));
	tc_free(&t);

	/* A missing identity file is skipped, not fatal by itself. */
	p.identity = "/nonexistent/key";
	tc_start(&t, &p);
	WAIT(&t, is_final, NULL, 10000);
	assert_int_equal(conn_error(t.c), CONN_ERR_AUTH);
	tc_free(&t);
	free(key);
}

/* A passphrase-protected identity: asked in the pane, echo off, retried. */
static void
test_passphrase(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_NONE, NULL);
	char			*key, *pub, *line, *ak, *text;
	FILE			*f;

	(void)state;
	key = xprintf("%s/pp_key", bed.dir);
	pub = xprintf("%s.pub", key);
	keygen("ed25519", "pp-secret", key);
	line = pub_line(pub);
	ak = xprintf("%s/authorized_keys", bed.dir);
	f = fopen(ak, "a");
	assert_non_null(f);
	fprintf(f, "%s\n", line);
	fclose(f);

	p.identity = key;
	tc_start(&t, &p);
	t.answers[0] = "wrong";
	t.answers[1] = "pp-secret";
	t.nanswers = 2;
	WAIT(&t, is_idle_or_final, NULL, 20000);
	expect_state(&t, CONN_IDLE);
	assert_int_equal(t.nprompts, 2);
	text = xprintf("Enter passphrase for key '%s': ", key);
	assert_string_equal(t.prompts[0], text);
	free(text);
	assert_non_null(strstr(t.prompts[1], "Bad passphrase"));
	assert_int_equal(t.prompt_echo[0], 0);
	assert_int_equal(t.prompt_echo[1], 0);
	assert_true(saw_state(&t, CONN_AUTH_PROMPT));
	assert_true(find_event(&t, CONN_EVENT_AUTH_ACCEPTED) >= 0);
	assert_string_equal(t.ev[find_event(&t, CONN_EVENT_AUTH_ACCEPTED)].method,
	    "publickey");
	tc_free(&t);

	/* Cancelling the prompt moves on (and here fails: nothing else). */
	tc_start(&t, &p);
	t.answers[0] = NULL;
	t.nanswers = 1;
	WAIT(&t, is_final, NULL, 20000);
	assert_int_equal(conn_error(t.c), CONN_ERR_AUTH);
	tc_free(&t);

	/* Batch mode never asks. */
	p.flags |= CONN_BATCH;
	tc_start(&t, &p);
	WAIT(&t, is_final, NULL, 20000);
	assert_int_equal(conn_error(t.c), CONN_ERR_AUTH);
	assert_int_equal(t.nprompts, 0);
	tc_free(&t);
	free(ak);
	free(line);
	free(pub);
	free(key);
}

/* Password authentication typed in the pane (root: needs an account). */
static void
test_password(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_NONE, NULL);
	char			*kh, *text;

	(void)state;
	if (bed.pw_port == 0)
		skip();
	kh = xprintf("%s/kh-pw", bed.dir);
	p.port = bed.pw_port;
	p.user = bed.pw_user;
	p.identity = NULL;
	p.known_hosts = kh;
	tc_start(&t, &p);
	t.hostkey_decision = 1;
	t.answers[0] = "not-the-password";
	t.answers[1] = bed.password;
	t.nanswers = 2;
	WAIT(&t, is_idle_or_final, NULL, 20000);
	expect_state(&t, CONN_IDLE);
	assert_int_equal(t.nprompts, 2);
	text = xprintf("%s@127.0.0.1's password: ", bed.pw_user);
	assert_string_equal(t.prompts[0], text);
	free(text);
	assert_non_null(strstr(t.prompts[1], "Permission denied, please try again."));
	assert_int_equal(t.prompt_echo[0], 0);
	assert_true(find_event(&t, CONN_EVENT_AUTH_DENIED) >= 0);
	assert_string_equal(t.ev[find_event(&t, CONN_EVENT_AUTH_ACCEPTED)].method,
	    "password");
	assert_int_equal(conn_exec(t.c, "id -un"), 0);
	WAIT(&t, is_idle_or_final, NULL, 10000);
	text = xprintf("%s\n", bed.pw_user);
	assert_string_equal(text_of(&t.out), text);
	free(text);
	tc_free(&t);

	/* Three wrong answers: auth failed. */
	tc_start(&t, &p);
	t.answers[0] = "a";
	t.answers[1] = "b";
	t.answers[2] = "c";
	t.nanswers = 3;
	WAIT(&t, is_final, NULL, 30000);
	assert_int_equal(conn_error(t.c), CONN_ERR_AUTH);
	/* The server's methods, as OpenSSH's "Permission denied (...)". */
	assert_string_equal(conn_reason(t.c), "auth failed (publickey, password)");
	assert_int_equal(t.nprompts, 3);
	tc_free(&t);
	free(kh);
}

/* Keyboard-interactive through PAM: the server's own prompt, echo off. */
static void
test_kbdint(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_NONE, NULL);
	char			*kh;

	(void)state;
	if (bed.pam_port == 0)
		skip();
	kh = xprintf("%s/kh-pam", bed.dir);
	p.port = bed.pam_port;
	p.user = bed.pam_user;
	p.identity = NULL;
	p.known_hosts = kh;
	tc_start(&t, &p);
	t.hostkey_decision = 1;
	t.answers[0] = bed.password;
	t.nanswers = 1;
	WAIT(&t, is_idle_or_final, NULL, 20000);
	expect_state(&t, CONN_IDLE);
	assert_true(t.nprompts >= 1);
	assert_non_null(strstr(t.prompts[0], "assword"));
	assert_int_equal(t.prompt_echo[0], 0);
	assert_string_equal(t.ev[find_event(&t, CONN_EVENT_AUTH_ACCEPTED)].method,
	    "keyboard-interactive");
	tc_free(&t);
	free(kh);
}

/* The pty follows the pane's size. */
static void
test_resize(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_SHELL, NULL);

	(void)state;
	need_pty();
	p.cols = 91;
	p.rows = 27;
	tc_start(&t, &p);
	WAIT(&t, is_open_or_final, NULL, 10000);
	expect_state(&t, CONN_OPEN);
	conn_write(t.c, "stty size; echo $TERM\n", 22);
	WAIT(&t, out_has, "27 91\r\nxterm-256color\r\n", 10000);
	conn_resize(t.c, 132, 43);
	conn_write(t.c, "stty size\n", 10);
	WAIT(&t, out_has, "43 132\r\n", 10000);
	conn_close(t.c);
	expect_state(&t, CONN_CLOSED);
	tc_free(&t);
}

/* A dropped connection: CLOSED with the reason. */
static void
test_dropped(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_EXEC,
	    "kill -9 $PPID; sleep 5");

	(void)state;
	/* The command's parent is sshd's session process: the link goes. */
	tc_start(&t, &p);
	WAIT(&t, is_final, NULL, 10000);
	expect_state(&t, CONN_CLOSED);
	assert_int_equal(conn_error(t.c), CONN_ERR_LOST);
	print_message("dropped: %s\n", conn_reason(t.c));
	tc_free(&t);
}

/* A relay that can stop forwarding while keeping both sockets open. */
static volatile sig_atomic_t relay_frozen;

static void
relay_freeze(int sig)
{
	(void)sig;
	relay_frozen = 1;
}

/* The relay child: accept one client, connect to the bed, copy bytes. */
static void
relay_main(int lfd, int port)
{
	struct sockaddr_in	sin;
	struct pollfd		pfd[2];
	char			buf[16384];
	ssize_t			n;
	int			a, b, i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGUSR1, relay_freeze);
	a = accept(lfd, NULL, NULL);
	b = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if (a == -1 || connect(b, (struct sockaddr *)&sin, sizeof sin) != 0)
		_exit(1);
	for (;;) {
		if (relay_frozen) {
			pause();
			continue;
		}
		pfd[0].fd = a;
		pfd[1].fd = b;
		pfd[0].events = pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1)
			continue;
		for (i = 0; i < 2 && !relay_frozen; i++) {
			if (!(pfd[i].revents & (POLLIN|POLLHUP)))
				continue;
			n = read(pfd[i].fd, buf, sizeof buf);
			if (n <= 0)
				_exit(0);
			if (write(pfd[1 - i].fd, buf, (size_t)n) != n)
				_exit(0);
		}
	}
}

/* Keepalives keep a quiet link up, and find a dead one. */
static void
test_keepalive(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_NONE, NULL);
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			lfd;
	pid_t			relay;
	enum conn_state		never = CONN_FAILED;
	int64_t			t0, el;
	char			*kh;

	(void)state;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(listen(lfd, 1), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &len), 0);
	relay = fork();
	if (relay == 0) {
		close(bed.reaper_fd);
		relay_main(lfd, bed.port);
	}
	close(lfd);

	kh = xprintf("%s/kh-relay", bed.dir);
	p.port = ntohs(sin.sin_port);
	p.known_hosts = kh;
	p.keepalive = 1;
	tc_start(&t, &p);
	t.hostkey_decision = 1;
	WAIT(&t, is_idle_or_final, NULL, 10000);
	expect_state(&t, CONN_IDLE);

	/* Quiet but alive for 3.5 s: probes are answered, no false alarm, and
	   the loop sleeps (50 ms ticks: about 70 iterations, not a busy loop). */
	t.iterations = 0;
	run_until(&t, is_state, &never, 3500);
	expect_state(&t, CONN_IDLE);
	print_message("keepalive: %d loop iterations in 3.5 s idle\n",
	    t.iterations);
	assert_true(t.iterations < 150);
	assert_int_equal(conn_exec(t.c, "echo alive"), 0);
	WAIT(&t, is_idle_or_final, NULL, 10000);
	assert_string_equal(text_of(&t.out), "alive\n");

	/* The link goes silent: CLOSED after keepalive_max unanswered probes. */
	kill(relay, SIGUSR1);
	t0 = mono_ms();
	WAIT(&t, is_final, NULL, 15000);
	el = mono_ms() - t0;
	expect_state(&t, CONN_CLOSED);
	assert_int_equal(conn_error(t.c), CONN_ERR_LOST);
	assert_non_null(strstr(conn_reason(t.c), "no response from server"));
	print_message("keepalive: dead link found after %lld ms (%s)\n",
	    (long long)el, conn_reason(t.c));
	assert_true(el >= 2500 && el <= 6000);
	tc_free(&t);
	kill(relay, SIGKILL);
	waitpid(relay, NULL, 0);
	free(kh);
}

/* A name (not an IP literal) is resolved off the loop. */
static void
test_resolve_name(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_EXEC, "echo named");
	char			*kh;

	(void)state;
	kh = xprintf("%s/kh-name", bed.dir);
	p.host = "localhost";
	p.known_hosts = kh;
	tc_start(&t, &p);
	t.hostkey_decision = 1;
	WAIT(&t, is_idle_or_final, NULL, 10000);
	expect_state(&t, CONN_IDLE);
	assert_string_equal(text_of(&t.out), "named\n");
	assert_string_equal(conn_hostkey(t.c)->fingerprint, bed.fingerprint);
	tc_free(&t);
	free(kh);
}

/* ssh-agent first, when there is one. */
static void
test_agent(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_NONE, NULL);
	char			*sock, *argv[8];
	pid_t			agent;
	int			i;

	(void)state;
	if (access("/usr/bin/ssh-agent", X_OK) != 0 ||
	    access("/usr/bin/ssh-add", X_OK) != 0)
		skip();
	sock = xprintf("%s/agent.sock", bed.dir);
	agent = fork();
	if (agent == 0) {
		close(bed.reaper_fd);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		i = open("/dev/null", O_WRONLY);
		dup2(i, 1);
		execl("/usr/bin/ssh-agent", "ssh-agent", "-D", "-a", sock,
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && access(sock, F_OK) != 0; i++)
		usleep(20000);
	setenv("SSH_AUTH_SOCK", sock, 1);
	argv[0] = (char *)"/usr/bin/ssh-add";
	argv[1] = (char *)"-q";
	argv[2] = bed.key;
	argv[3] = NULL;
	assert_int_equal(run(argv, NULL), 0);

	p.identity = NULL;
	tc_start(&t, &p);
	WAIT(&t, is_idle_or_final, NULL, 10000);
	expect_state(&t, CONN_IDLE);
	assert_string_equal(t.ev[find_event(&t, CONN_EVENT_AUTH_ACCEPTED)].method,
	    "agent");
	tc_free(&t);
	unsetenv("SSH_AUTH_SOCK");
	kill(agent, SIGTERM);
	waitpid(agent, NULL, 0);
	free(sock);
}

/* A small budget: conn_process says "more" and nothing is lost. */
static void
test_budget(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_EXEC, "seq 1 100000");

	(void)state;
	tc_start(&t, &p);
	t.budget = 1000;
	WAIT(&t, is_idle_or_final, NULL, 20000);
	expect_state(&t, CONN_IDLE);
	assert_int_equal(t.exit_status, 0);
	assert_int_equal(t.out.len, 588895);	/* bytes of `seq 1 100000` */
	assert_true(t.more_seen > 0);
	assert_non_null(strstr(text_of(&t.out), "\n99999\n100000\n"));
	tc_free(&t);
}

/* The console may close a conn from inside its callbacks. */
static void
test_close_in_callback(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_EXEC, "sleep 5");
	struct conn_params	e = params_main(CONN_MODE_EXEC, "seq 1 50000");
	static const int	states[] = { CONN_AUTH, CONN_CHANNEL, CONN_OPEN };
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof states / sizeof *states; i++) {
		tc_start(&t, &p);
		t.close_on_state = states[i];
		WAIT(&t, is_final, NULL, 10000);
		expect_state(&t, CONN_CLOSED);
		assert_int_equal(conn_error(t.c), CONN_ERR_CLOSED);
		assert_int_equal(conn_fd(t.c), -1);
		/* Nothing more happens. */
		assert_int_equal(conn_process(t.c, POLLIN, mono_ms(), 0), 0);
		assert_int_equal(conn_next_timeout_ms(t.c, mono_ms()), -1);
		tc_free(&t);
	}
	/* From the data callback, in the middle of a read. */
	tc_start(&t, &e);
	t.close_on_data = 1;
	WAIT(&t, is_final, NULL, 10000);
	expect_state(&t, CONN_CLOSED);
	assert_true(t.out.len > 0 && t.out.len <= 65536);	/* one read, then no more */
	tc_free(&t);
}

/* A conn freed at any step leaves nothing behind (run under ASan). */
static void
test_free_midway(void **state)
{
	struct tc		t;
	struct conn_params	p = params_main(CONN_MODE_SHELL, NULL);
	enum conn_state		hk = CONN_HOSTKEY, pr = CONN_AUTH_PROMPT;
	char			*kh;
	int			i;

	(void)state;
	/* While the resolver thread runs (and right after it). */
	for (i = 0; i < 20; i++) {
		p.host = "localhost";
		tc_start(&t, &p);
		if (i % 2)
			usleep(2000);
		tc_free(&t);
	}
	/* While the TCP connect or the key exchange runs. */
	p.host = "127.0.0.1";
	for (i = 0; i < 3; i++) {
		tc_start(&t, &p);
		if (i > 0)
			run_until(&t, is_final, NULL, i * 5);
		tc_free(&t);
	}
	/* While asking about a host key. */
	kh = xprintf("%s/kh-midway", bed.dir);
	p.port = bed.alt_port;
	p.known_hosts = kh;
	tc_start(&t, &p);
	WAIT(&t, is_state, &hk, 10000);
	tc_free(&t);
	/* While asking for a passphrase. */
	p.port = bed.port;
	p.known_hosts = bed.known_hosts;
	p.identity = NULL;
	p.user = bed.login;
	free(kh);
	kh = xprintf("%s/pp_key", bed.dir);
	if (access(kh, R_OK) == 0) {
		p.identity = kh;
		tc_start(&t, &p);
		WAIT(&t, is_state, &pr, 10000);
		assert_non_null(conn_prompt(t.c, NULL));
		assert_int_equal(conn_poll_events(t.c), 0);
		tc_free(&t);
	}
	free(kh);
}

/* Bad parameters are refused with a reason. */
static void
test_bad_params(void **state)
{
	struct conn_params	 p;
	struct conn		*c;
	struct passwd		*pw;
	char			*cause = NULL;

	(void)state;
	memset(&p, 0, sizeof p);
	assert_null(conn_create(&p, NULL, NULL, &cause));
	assert_string_equal(cause, "no host");
	free(cause);
	cause = NULL;
	p.host = "127.0.0.1";
	p.mode = CONN_MODE_EXEC;
	assert_null(conn_create(&p, NULL, NULL, &cause));
	free(cause);
	cause = NULL;
	p.mode = CONN_MODE_SHELL;
	p.port = 70000;
	assert_null(conn_create(&p, NULL, NULL, &cause));
	free(cause);
	/* Defaults: the operator's login, port 22; nothing started yet. */
	memset(&p, 0, sizeof p);
	p.host = "127.0.0.1";
	p.flags = CONN_NO_SSH_CONFIG;
	c = conn_create(&p, NULL, NULL, &cause);
	assert_non_null(c);
	pw = getpwuid(getuid());
	assert_non_null(pw);
	assert_string_equal(conn_user(c), pw->pw_name);
	assert_int_equal(conn_port(c), 22);
	assert_string_equal(conn_host(c), "127.0.0.1");
	assert_int_equal(conn_fd(c), -1);
	assert_int_equal(conn_next_timeout_ms(c, mono_ms()), -1);
	assert_null(conn_hostkey(c));
	assert_null(conn_reason(c));
	conn_free(c);
	assert_string_equal(conn_state_name(CONN_AUTH_PROMPT), "auth-prompt");
	assert_string_equal(conn_error_name(CONN_ERR_TIMEOUT), "timeout");
	conn_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_params),
		cmocka_unit_test(test_fingerprint_line),
		cmocka_unit_test(test_shell_echo),
		cmocka_unit_test(test_exec_status),
		cmocka_unit_test(test_mode_none),
		cmocka_unit_test(test_hostkey_unknown_accept),
		cmocka_unit_test(test_hostkey_reject),
		cmocka_unit_test(test_hostkey_batch),
		cmocka_unit_test(test_hostkey_changed),
		cmocka_unit_test(test_hostkey_other_type),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_blackhole_banner),
		cmocka_unit_test(test_blackhole_syn),
		cmocka_unit_test(test_auth_failed),
		cmocka_unit_test(test_passphrase),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_kbdint),
		cmocka_unit_test(test_resize),
		cmocka_unit_test(test_dropped),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_resolve_name),
		cmocka_unit_test(test_agent),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_close_in_callback),
		cmocka_unit_test(test_free_midway),
	};

	return (cmocka_run_group_tests_name("conn", tests, setup_bed,
	    teardown_bed));
}
