/*
 * conn.c: one SSH connection as a non-blocking state machine, driven by the
 * caller's single poll(2) loop (see conn.h for the states and the driving
 * protocol).
 *
 * CONNECTING is three steps, all ours until libssh needs the socket:
 *  - resolve: IP literals are parsed with AI_NUMERICHOST (never blocks);
 *    names go to a detached thread, because getaddrinfo blocks (so does
 *    libssh's own connect, which is why it never sees a name to resolve).
 *    The thread writes a byte to a pipe the loop polls, and shares nothing
 *    but a reference-counted result, so a conn freed mid-lookup is fine;
 *  - TCP: a non-blocking connect(2) per address, in order, so "connection
 *    refused" and the deadline are exact;
 *  - banner and key exchange: libssh's ssh_connect on the connected fd
 *    (SSH_OPTIONS_FD), in non-blocking mode, returning SSH_AGAIN until done.
 * One deadline (connect_timeout_ms) covers all three, like OpenSSH's
 * ConnectTimeout; later steps (auth, channel) get a fresh deadline each time
 * they make progress, and none while the operator is being asked.
 * ~/.ssh/config is read by libssh's parser (HostName, User, Port,
 * IdentityFile ...), but since the TCP connection is always ours, its
 * ProxyCommand and ProxyJump are not used.
 *
 * Authentication follows OpenSSH: "none" (to learn the methods and the
 * banner), the agent, the configured identity (asking for its passphrase
 * when it has one), ~/.ssh defaults and ~/.ssh/config IdentityFile, then
 * keyboard-interactive and password (three tries each), typed in the pane
 * with echo off.  Answers are copied once, given to libssh and wiped with
 * explicit_bzero; nothing secret is logged or passed to a callback.
 *
 * Invariants: libssh is non-blocking from its first byte; POLLOUT is asked
 * for only while libssh has output pending (asking always busy-loops); the
 * channel is drained with ssh_channel_read_nonblocking until it returns 0 or
 * the budget runs out, because libssh buffers data the fd no longer reports;
 * libssh callbacks (exit status) only record; our callbacks run only inside
 * conn_process.
 */
#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <libssh/callbacks.h>
/* ssh_send_keepalive and ssh_execute_message_callbacks serve clients too. */
#include <libssh/server.h>

#include "omv.h"
#include "conn.h"
#include "hostkey.h"

#define CONN_DEFAULT_TIMEOUT	10000
#define CONN_DEFAULT_BUDGET	65536
#define CONN_TRIES		3	/* OpenSSH's NumberOfPasswordPrompts */

/* Where the machine is inside its public state. */
enum conn_step {
	STEP_NONE,
	STEP_RESOLVE,		/* waiting for the resolver thread */
	STEP_TCP,		/* connect(2) in progress */
	STEP_KEX,		/* ssh_connect: banner, key exchange */
	STEP_HOSTKEY,		/* waiting for the operator */
	STEP_AUTH,
	STEP_CH_OPEN,
	STEP_CH_PTY,
	STEP_CH_ENV,
	STEP_CH_SHELL,
	STEP_CH_EXEC,
	STEP_OPEN,
	STEP_IDLE,
	STEP_DONE
};

/* The authentication methods, in the order they are tried. */
enum conn_auth_step {
	CA_NONE,
	CA_AGENT,
	CA_IDENTITY,
	CA_AUTO,
	CA_KBDINT,
	CA_PASSWORD,
	CA_END
};

/* A name lookup shared between a conn and its resolver thread. */
struct conn_resolver {
	pthread_mutex_t	 lock;
	int		 refs;		/* the conn and the thread */
	char		*host;		/* owned */
	char		 port[16];
	struct addrinfo	*ai;		/* owned until taken */
	int		 err;		/* getaddrinfo's */
	int		 wfd;		/* the thread's end of the pipe */
};

struct conn {
	struct conn_cb		 cb;
	void			*arg;		/* borrowed: the caller's */

	char			*host;		/* owned: as given */
	char			*addr_host;	/* owned: HostName */
	int			 port;		/* as used */
	char			*user;		/* owned: as used */
	char			*identity;	/* owned: expanded, or NULL */
	char			*known_hosts;	/* owned: expanded path */
	char			*term;		/* owned */
	char			*command;	/* owned: exec command */
	int			 timeout_ms;
	int			 keepalive;	/* seconds, 0 off */
	int			 keepalive_max;
	enum conn_mode		 mode;
	int			 flags;
	int			 cols, rows;
	int			 sent_cols, sent_rows;
	size_t			 env_next;	/* next environ entry to offer */

	enum conn_state		 state;
	enum conn_step		 step;
	enum conn_error		 error;
	char			*reason;	/* owned */
	int64_t			 deadline;	/* 0: none */
	int64_t			 start;
	int			 kick;		/* run again without waiting */
	int			 more;		/* data left over (budget) */

	struct conn_resolver	*res;		/* shared with the thread */
	int			 res_fd;
	struct addrinfo		*ai;		/* owned: every address */
	struct addrinfo		*ai_next;	/* borrowed: the next to try */
	int			 sock;		/* ours until libssh takes it */
	int			 sock_errno;

	ssh_session		 s;		/* owned */
	ssh_channel		 ch;		/* owned */
	struct ssh_callbacks_struct	  scb;
	struct ssh_channel_callbacks_struct ccb;

	struct hostkey_result	 hk;
	int			 hk_valid;
	int			 hk_answer;	/* -1 none, 0 no, 1 accept */

	enum conn_auth_step	 auth;
	int			 methods;	/* SSH_AUTH_METHOD_* offered */
	int			 tries;
	int			 partials;
	ssh_key			 idkey;		/* owned */
	int			 need_pass;
	char			*prompt;	/* owned */
	int			 prompt_echo;
	char			*answer;	/* owned, wiped */
	int			 answered;
	char			*pw;		/* owned, wiped: in flight */
	int			 kbd_n, kbd_i, kbd_answered, kbd_empty;

	struct sbuf		 outq;
	int			 exit_status;
	char			*exit_signal;	/* owned */
	int			 got_exit;

	int64_t			 last_rx;
	int64_t			 ka_next;
	int			 ka_sent;
};

static const char *conn_state_names[] = {
	"connecting", "hostkey", "auth", "auth-prompt", "channel", "open",
	"idle", "closed", "failed"
};

static const char *conn_error_names[] = {
	"none", "unreachable", "timeout", "host key", "auth failed",
	"protocol", "lost", "closed"
};

static void	conn_step_machine(struct conn *, int64_t);
static int	conn_send_env(struct conn *);

/* The state as a word for logs and the audit trail. */
const char *
conn_state_name(enum conn_state st)
{
	if ((unsigned)st >= sizeof conn_state_names / sizeof *conn_state_names)
		return ("?");
	return (conn_state_names[st]);
}

/* The error class as a word ("unreachable", "timeout" ...). */
const char *
conn_error_name(enum conn_error e)
{
	if ((unsigned)e >= sizeof conn_error_names / sizeof *conn_error_names)
		return ("?");
	return (conn_error_names[e]);
}

/* Ended (a callback may have called conn_close): stop stepping. */
static int
conn_ended(const struct conn *c)
{
	return (c->state == CONN_CLOSED || c->state == CONN_FAILED);
}

/* Wipe and free a secret. */
static void
conn_wipe(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* libssh's own log lines go to our debug log (warnings only: no secrets). */
static void
conn_ssh_log(int priority, const char *function, const char *buffer,
    void *userdata)
{
	(void)userdata;
	log_debug("libssh[%d] %s: %s", priority, function, buffer);
}

/* libssh must never ask on the terminal: refuse passphrase prompts. */
static int
conn_no_prompt(const char *prompt, char *buf, size_t len, int echo,
    int verify, void *userdata)
{
	(void)prompt; (void)buf; (void)len; (void)echo; (void)verify;
	(void)userdata;
	return (-1);
}

/* Called by libssh only when the identity file is encrypted. */
static int
conn_passphrase_probe(const char *prompt, char *buf, size_t len, int echo,
    int verify, void *userdata)
{
	struct conn	*c = userdata;

	(void)prompt; (void)buf; (void)len; (void)echo; (void)verify;
	c->need_pass = 1;
	return (-1);
}

/* libssh: the channel's command exited. */
static void
conn_exit_status_cb(ssh_session s, ssh_channel ch, int status, void *userdata)
{
	struct conn	*c = userdata;

	(void)s; (void)ch;
	c->exit_status = status;
	c->got_exit = 1;
}

/* libssh: the channel's command was killed by a signal. */
static void
conn_exit_signal_cb(ssh_session s, ssh_channel ch, const char *signal,
    int core, const char *errmsg, const char *lang, void *userdata)
{
	struct conn	*c = userdata;

	(void)s; (void)ch; (void)core; (void)errmsg; (void)lang;
	free(c->exit_signal);
	c->exit_signal = xstrdup(signal != NULL ? signal : "?");
	c->exit_status = -1;
	c->got_exit = 1;
}

/* Expand a leading "~/". */
static char *
conn_expand(const char *path)
{
	if (path == NULL || *path == '\0')
		return (NULL);
	if (strncmp(path, "~/", 2) == 0)
		return (xprintf("%s/%s", home_dir(), path + 2));
	return (xstrdup(path));
}

/* Change the public state and tell the caller. */
static void
conn_set_state(struct conn *c, enum conn_state st)
{
	if (c->state == st)
		return;
	log_debug("%s: %s:%d %s -> %s", __func__, c->host, c->port,
	    conn_state_name(c->state), conn_state_name(st));
	c->state = st;
	if (c->cb.state != NULL)
		c->cb.state(c, st, c->arg);
}

/* Drop the network side: thread result, socket, channel, session link. */
static void
conn_teardown(struct conn *c)
{
	if (c->res != NULL) {
		pthread_mutex_lock(&c->res->lock);
		c->res->refs--;
		if (c->res->refs == 0) {
			pthread_mutex_unlock(&c->res->lock);
			if (c->res->ai != NULL)
				freeaddrinfo(c->res->ai);
			free(c->res->host);
			pthread_mutex_destroy(&c->res->lock);
			free(c->res);
		} else
			pthread_mutex_unlock(&c->res->lock);
		c->res = NULL;
	}
	if (c->res_fd != -1) {
		close(c->res_fd);
		c->res_fd = -1;
	}
	if (c->sock != -1) {
		close(c->sock);
		c->sock = -1;
	}
	if (c->ai != NULL) {
		freeaddrinfo(c->ai);
		c->ai = NULL;
		c->ai_next = NULL;
	}
	if (c->ch != NULL) {
		ssh_channel_free(c->ch);
		c->ch = NULL;
	}
	if (c->s != NULL && ssh_is_connected(c->s))
		ssh_disconnect(c->s);
	conn_wipe(c->answer);
	c->answer = NULL;
	conn_wipe(c->pw);
	c->pw = NULL;
	if (c->idkey != NULL) {
		ssh_key_free(c->idkey);
		c->idkey = NULL;
	}
	c->deadline = 0;
	c->kick = 0;
	c->more = 0;
}

/* End in a final state with a reason. */
static void
conn_end(struct conn *c, enum conn_state st, enum conn_error err,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void
conn_end(struct conn *c, enum conn_state st, enum conn_error err,
    const char *fmt, ...)
{
	va_list	ap;

	if (conn_ended(c))
		return;
	free(c->reason);
	va_start(ap, fmt);
	xvasprintf(&c->reason, fmt, ap);
	va_end(ap);
	c->error = err;
	c->step = STEP_DONE;
	log_debug("%s: %s:%d %s: %s", __func__, c->host, c->port,
	    conn_error_name(err), c->reason);
	conn_teardown(c);
	conn_set_state(c, st);
}

/* libssh's last error, in words an operator reads. */
static const char *
conn_ssh_error(struct conn *c)
{
	const char	*e;

	e = ssh_get_error(c->s);
	if (e == NULL || *e == '\0')
		return ("unknown error");
	if (strcmp(e, "Socket error: disconnected") == 0)
		return ("connection closed by remote host");
	return (e);
}

/* "timed out after 10 s" (or 1.5 s). */
static void
conn_timed_out(struct conn *c, const char *what)
{
	char	t[32];

	if (c->timeout_ms % 1000 == 0)
		snprintf(t, sizeof t, "%d s", c->timeout_ms / 1000);
	else
		snprintf(t, sizeof t, "%.1f s", c->timeout_ms / 1000.0);
	if (what == NULL)
		conn_end(c, CONN_FAILED, CONN_ERR_TIMEOUT, "timed out after %s",
		    t);
	else
		conn_end(c, CONN_FAILED, CONN_ERR_TIMEOUT,
		    "timed out after %s (%s)", t, what);
}

/* Make a conn: copy the parameters, set up the libssh session. */
struct conn *
conn_create(const struct conn_params *p, const struct conn_cb *cb, void *arg,
    char **cause)
{
	static int	 log_set;
	struct conn	*c;
	struct passwd	*pw;
	bool		 no = false;
	int		 yes = 1;
	unsigned int	 port = 0;
	char		*v = NULL;

	if (p == NULL || p->host == NULL || *p->host == '\0') {
		xasprintf(cause, "no host");
		return (NULL);
	}
	if (p->port < 0 || p->port > 65535) {
		xasprintf(cause, "bad port %d", p->port);
		return (NULL);
	}
	if (p->mode == CONN_MODE_EXEC && (p->command == NULL)) {
		xasprintf(cause, "exec without a command");
		return (NULL);
	}
	if (!log_set) {
		ssh_set_log_callback(conn_ssh_log);
		ssh_set_log_level(SSH_LOG_WARN);
		log_set = 1;
	}

	c = xcalloc(1, sizeof *c);
	if (cb != NULL)
		c->cb = *cb;
	c->arg = arg;
	c->host = xstrdup(p->host);
	c->identity = conn_expand(p->identity);
	c->known_hosts = hostkey_path(p->known_hosts);
	c->term = xstrdup(p->term != NULL ? p->term : "xterm-256color");
	c->command = p->command != NULL ? xstrdup(p->command) : NULL;
	c->timeout_ms = p->connect_timeout_ms > 0 ? p->connect_timeout_ms :
	    CONN_DEFAULT_TIMEOUT;
	c->keepalive = p->keepalive > 0 ? p->keepalive : 0;
	c->keepalive_max = p->keepalive_max > 0 ? p->keepalive_max : 3;
	c->mode = p->mode;
	c->flags = p->flags;
	c->cols = p->cols > 0 ? p->cols : 80;
	c->rows = p->rows > 0 ? p->rows : 24;
	c->state = CONN_CONNECTING;
	c->step = STEP_NONE;
	c->res_fd = -1;
	c->sock = -1;
	c->hk_answer = -1;
	c->exit_status = -1;
	sbuf_init(&c->outq);

	c->s = ssh_new();
	if (c->s == NULL) {
		xasprintf(cause, "cannot create an SSH session");
		conn_free(c);
		return (NULL);
	}
	ssh_set_blocking(c->s, 0);
	ssh_callbacks_init(&c->scb);
	c->scb.userdata = c;
	c->scb.auth_function = conn_no_prompt;
	ssh_set_callbacks(c->s, &c->scb);

	/* ~/.ssh/config overrides what was set before it: host first. */
	if (ssh_options_set(c->s, SSH_OPTIONS_HOST, c->host) != SSH_OK) {
		xasprintf(cause, "bad host: %s", c->host);
		conn_free(c);
		return (NULL);
	}
	if (c->flags & CONN_NO_SSH_CONFIG)
		ssh_options_set(c->s, SSH_OPTIONS_PROCESS_CONFIG, &no);
	else if (ssh_options_parse_config(c->s, NULL) != SSH_OK)
		log_debug("%s: %s: ~/.ssh/config not used", __func__, c->host);
	if (p->port > 0) {
		port = (unsigned int)p->port;
		ssh_options_set(c->s, SSH_OPTIONS_PORT, &port);
	}
	if (p->user != NULL && *p->user != '\0')
		ssh_options_set(c->s, SSH_OPTIONS_USER, p->user);
	else if (ssh_options_get(c->s, SSH_OPTIONS_USER, &v) == SSH_OK &&
	    v != NULL)
		ssh_string_free_char(v);	/* ~/.ssh/config's User */
	else if ((pw = getpwuid(getuid())) != NULL)
		ssh_options_set(c->s, SSH_OPTIONS_USER, pw->pw_name);
	v = NULL;
	ssh_options_set(c->s, SSH_OPTIONS_KNOWNHOSTS, c->known_hosts);
	ssh_options_set(c->s, SSH_OPTIONS_STRICTHOSTKEYCHECK, &yes);

	if (ssh_options_get(c->s, SSH_OPTIONS_HOST, &v) == SSH_OK &&
	    v != NULL) {
		c->addr_host = xstrdup(v);
		ssh_string_free_char(v);
	} else
		c->addr_host = xstrdup(c->host);
	v = NULL;
	if (ssh_options_get(c->s, SSH_OPTIONS_USER, &v) == SSH_OK &&
	    v != NULL) {
		c->user = xstrdup(v);
		ssh_string_free_char(v);
	}
	port = 22;
	ssh_options_get_port(c->s, &port);
	c->port = (int)port;
	return (c);
}

/* Free a conn in any state (a resolver thread may outlive it). */
void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	conn_teardown(c);
	if (c->s != NULL)
		ssh_free(c->s);
	hostkey_result_clear(&c->hk);
	free(c->host);
	free(c->addr_host);
	free(c->user);
	free(c->identity);
	free(c->known_hosts);
	free(c->term);
	free(c->command);
	free(c->reason);
	free(c->prompt);
	free(c->exit_signal);
	sbuf_free(&c->outq);
	free(c);
}

/*
 * The resolver thread: one blocking getaddrinfo, then a byte on the pipe.
 * Once it has dropped its reference it touches nothing shared: the conn may
 * free the result as soon as the byte arrives.
 */
static void *
conn_resolver_main(void *arg)
{
	struct conn_resolver	*r = arg;
	struct addrinfo		 hints, *ai = NULL;
	int			 err, left, wfd = r->wfd;
	ssize_t			 n;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	err = getaddrinfo(r->host, r->port, &hints, &ai);

	pthread_mutex_lock(&r->lock);
	r->ai = ai;
	r->err = err;
	left = --r->refs;
	pthread_mutex_unlock(&r->lock);
	if (left == 0) {
		/* The conn is gone: the result is ours to free. */
		if (r->ai != NULL)
			freeaddrinfo(r->ai);
		free(r->host);
		pthread_mutex_destroy(&r->lock);
		free(r);
	}
	/* Signals are blocked here: a closed reader gives EPIPE, no signal. */
	n = write(wfd, "r", 1);
	(void)n;
	close(wfd);
	return (NULL);
}

/* Start resolving a name in a thread; the loop polls c->res_fd. */
static int
conn_resolve_async(struct conn *c)
{
	struct conn_resolver	*r;
	int			 fds[2], rc;
	pthread_t		 t;
	pthread_attr_t		 attr;
	sigset_t		 all, old;

	if (pipe2(fds, O_CLOEXEC|O_NONBLOCK) != 0)
		return (-1);
	r = xcalloc(1, sizeof *r);
	pthread_mutex_init(&r->lock, NULL);
	r->refs = 2;
	r->host = xstrdup(c->addr_host);
	snprintf(r->port, sizeof r->port, "%d", c->port);
	r->wfd = fds[1];

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&t, &attr, conn_resolver_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		close(fds[0]);
		close(fds[1]);
		free(r->host);
		pthread_mutex_destroy(&r->lock);
		free(r);
		return (-1);
	}
	c->res = r;
	c->res_fd = fds[0];
	c->step = STEP_RESOLVE;
	return (0);
}

/* A connect(2) errno in an operator's words. */
static const char *
conn_errno_reason(int e)
{
	switch (e) {
	case ECONNREFUSED:
		return ("connection refused");
	case EHOSTUNREACH:
		return ("no route to host");
	case ENETUNREACH:
		return ("network unreachable");
	case ETIMEDOUT:
		return ("timed out");
	case ECONNRESET:
		return ("connection reset");
	default:
		return (strerror(e));
	}
}

/* Start a TCP connect to the next address; fail when none is left. */
static void
conn_tcp_next(struct conn *c)
{
	struct addrinfo	*ai;
	int		 fd;

	while ((ai = c->ai_next) != NULL) {
		c->ai_next = ai->ai_next;
		fd = socket(ai->ai_family, ai->ai_socktype|SOCK_NONBLOCK|
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1) {
			c->sock_errno = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    errno == EINPROGRESS) {
			c->sock = fd;
			c->step = STEP_TCP;
			return;
		}
		c->sock_errno = errno;
		close(fd);
	}
	conn_end(c, CONN_FAILED, CONN_ERR_UNREACHABLE, "%s", conn_errno_reason(
	    c->sock_errno != 0 ? c->sock_errno : ECONNREFUSED));
}

/* Addresses known: connect to them in order. */
static void
conn_have_addresses(struct conn *c, struct addrinfo *ai)
{
	c->ai = ai;
	c->ai_next = ai;
	conn_tcp_next(c);
}

/* Begin: parse an IP literal at once, or resolve a name in a thread. */
void
conn_start(struct conn *c, int64_t now)
{
	struct addrinfo	 hints, *ai = NULL;
	char		 port[16];
	int		 err;

	if (c->step != STEP_NONE || c->state != CONN_CONNECTING)
		return;
	c->start = now;
	c->deadline = now + c->timeout_ms;
	log_debug("%s: %s (%s:%d) as %s", __func__, c->host, c->addr_host,
	    c->port, c->user != NULL ? c->user : "?");

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST|AI_NUMERICSERV;
	snprintf(port, sizeof port, "%d", c->port);
	err = getaddrinfo(c->addr_host, port, &hints, &ai);
	if (err == 0) {
		conn_have_addresses(c, ai);
		return;
	}
	if (err != EAI_NONAME) {
		conn_end(c, CONN_FAILED, CONN_ERR_UNREACHABLE, "%s: %s",
		    c->addr_host, gai_strerror(err));
		return;
	}
	if (conn_resolve_async(c) != 0) {
		conn_end(c, CONN_FAILED, CONN_ERR_UNREACHABLE,
		    "cannot start resolving %s: %s", c->addr_host,
		    strerror(errno));
	}
}

/* The resolver answered: take its addresses and free the shared result. */
static void
conn_resolved(struct conn *c)
{
	struct conn_resolver	*r = c->res;
	struct addrinfo		*ai;
	char			 b;
	int			 err, done;

	if (read(c->res_fd, &b, 1) == -1 && errno == EAGAIN)
		return;
	pthread_mutex_lock(&r->lock);
	done = (r->refs == 1);
	ai = r->ai;
	err = r->err;
	r->ai = NULL;
	pthread_mutex_unlock(&r->lock);
	if (!done)
		return;
	/* The thread has let go: the result is ours alone. */
	close(c->res_fd);
	c->res_fd = -1;
	free(r->host);
	pthread_mutex_destroy(&r->lock);
	free(r);
	c->res = NULL;
	if (err != 0) {
		if (ai != NULL)
			freeaddrinfo(ai);
		if (err == EAI_NONAME || err == EAI_NODATA)
			conn_end(c, CONN_FAILED, CONN_ERR_UNREACHABLE,
			    "unknown host: %s", c->addr_host);
		else
			conn_end(c, CONN_FAILED, CONN_ERR_UNREACHABLE,
			    "cannot resolve %s: %s", c->addr_host,
			    gai_strerror(err));
		return;
	}
	conn_have_addresses(c, ai);
}

/* The TCP connect finished (or failed): hand the socket to libssh. */
static void
conn_tcp_done(struct conn *c, int64_t now)
{
	int		 err = 0, one = 1;
	socklen_t	 len = sizeof err;
	socket_t	 fd;

	if (getsockopt(c->sock, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		c->sock_errno = err;
		close(c->sock);
		c->sock = -1;
		conn_tcp_next(c);
		return;
	}
	freeaddrinfo(c->ai);
	c->ai = c->ai_next = NULL;
	/* Keystrokes go out at once, as OpenSSH sends interactive sessions. */
	setsockopt(c->sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	fd = c->sock;
	if (ssh_options_set(c->s, SSH_OPTIONS_FD, &fd) != SSH_OK) {
		conn_end(c, CONN_FAILED, CONN_ERR_PROTOCOL, "%s",
		    conn_ssh_error(c));
		return;
	}
	c->sock = -1;	/* libssh closes it from now on */
	c->step = STEP_KEX;
	log_debug("%s: %s:%d tcp up after %lld ms", __func__, c->host,
	    c->port, (long long)(now - c->start));
}

/* Report a host key event. */
static void
conn_hostkey_event(struct conn *c, enum conn_event_type type,
    const char *detail)
{
	struct conn_event	 ev;
	char			*where = NULL;

	if (c->cb.event == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.host = c->hk.host;
	ev.key_type = c->hk.type;
	ev.fingerprint = c->hk.fingerprint;
	ev.known_fingerprint = c->hk.known_fingerprint;
	if (c->hk.known_file != NULL) {
		xasprintf(&where, "%s:%d", c->hk.known_file, c->hk.known_line);
		ev.known_where = where;
	}
	ev.detail = detail;
	c->cb.event(c, &ev, c->arg);
	free(where);
}

/* Report an auth event. */
static void
conn_auth_event(struct conn *c, enum conn_event_type type, const char *method,
    const char *detail)
{
	struct conn_event	 ev;

	log_debug("%s: %s:%d %s %d", __func__, c->host, c->port, method, type);
	if (c->cb.event == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.host = c->hk.host;
	ev.method = method;
	ev.detail = detail;
	c->cb.event(c, &ev, c->arg);
}

/* Enter AUTH with a fresh deadline. */
static void
conn_begin_auth(struct conn *c, int64_t now)
{
	if (conn_ended(c))
		return;
	c->step = STEP_AUTH;
	c->auth = CA_NONE;
	c->deadline = now + c->timeout_ms;
	conn_set_state(c, CONN_AUTH);
}

/* Key exchange done: check the host key. */
static void
conn_check_hostkey(struct conn *c, int64_t now)
{
	char	*cause = NULL;

	hostkey_result_clear(&c->hk);
	if (hostkey_check(c->s, c->known_hosts, &c->hk, &cause) != 0) {
		conn_end(c, CONN_FAILED, CONN_ERR_HOSTKEY, "host key check: %s",
		    cause);
		free(cause);
		return;
	}
	c->hk_valid = 1;
	switch (c->hk.status) {
	case HOSTKEY_OK:
		conn_hostkey_event(c, CONN_EVENT_HOSTKEY_KNOWN, NULL);
		conn_begin_auth(c, now);
		break;
	case HOSTKEY_CHANGED:
		conn_hostkey_event(c, CONN_EVENT_HOSTKEY_CHANGED, NULL);
		if (c->hk.known_fingerprint != NULL) {
			conn_end(c, CONN_FAILED, CONN_ERR_HOSTKEY,
			    "host key changed for %s: server offers %s %s, "
			    "%s:%d has %s %s", c->hk.host, c->hk.type,
			    c->hk.fingerprint, c->hk.known_file,
			    c->hk.known_line, c->hk.known_type,
			    c->hk.known_fingerprint);
		} else {
			conn_end(c, CONN_FAILED, CONN_ERR_HOSTKEY,
			    "host key changed for %s: server offers %s %s",
			    c->hk.host, c->hk.type, c->hk.fingerprint);
		}
		break;
	case HOSTKEY_UNKNOWN:
		if (c->flags & CONN_BATCH) {
			conn_hostkey_event(c, CONN_EVENT_HOSTKEY_REJECTED,
			    "unknown host key in batch mode");
			conn_end(c, CONN_FAILED, CONN_ERR_HOSTKEY,
			    "host key unknown for %s: %s %s (not in %s)",
			    c->hk.host, c->hk.type, c->hk.fingerprint,
			    c->known_hosts);
			break;
		}
		conn_hostkey_event(c, CONN_EVENT_HOSTKEY_UNKNOWN, NULL);
		if (conn_ended(c))
			break;
		c->step = STEP_HOSTKEY;
		c->deadline = 0;
		c->hk_answer = -1;
		conn_set_state(c, CONN_HOSTKEY);
		break;
	}
}

/* The operator decided about an unknown key. */
static void
conn_hostkey_decided(struct conn *c, int64_t now)
{
	char	*cause = NULL;

	if (c->hk_answer == 0) {
		conn_hostkey_event(c, CONN_EVENT_HOSTKEY_REJECTED, NULL);
		conn_end(c, CONN_FAILED, CONN_ERR_HOSTKEY,
		    "host key rejected for %s: %s %s", c->hk.host, c->hk.type,
		    c->hk.fingerprint);
		return;
	}
	/* Like OpenSSH, a key that cannot be saved still lets this login on. */
	if (hostkey_save(c->s, c->known_hosts, &cause) != 0) {
		conn_hostkey_event(c, CONN_EVENT_HOSTKEY_ACCEPTED, cause);
		free(cause);
	} else
		conn_hostkey_event(c, CONN_EVENT_HOSTKEY_ACCEPTED, NULL);
	conn_begin_auth(c, now);
}

/* Ask the operator (AUTH_PROMPT). */
static void
conn_ask(struct conn *c, int echo, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
conn_ask(struct conn *c, int echo, const char *fmt, ...)
{
	va_list	ap;

	free(c->prompt);
	va_start(ap, fmt);
	xvasprintf(&c->prompt, fmt, ap);
	va_end(ap);
	c->prompt_echo = echo;
	c->answered = 0;
	c->deadline = 0;
	conn_set_state(c, CONN_AUTH_PROMPT);
	if (c->state == CONN_AUTH_PROMPT && c->cb.prompt != NULL)
		c->cb.prompt(c, c->prompt, echo, c->arg);
}

/* Take the operator's answer: owned (wipe it), or NULL if cancelled. */
static char *
conn_take_answer(struct conn *c)
{
	char	*a = c->answer;

	c->answer = NULL;
	c->answered = 0;
	free(c->prompt);
	c->prompt = NULL;
	return (a);
}

/* Move to the next auth method. */
static void
conn_auth_goto(struct conn *c, enum conn_auth_step next)
{
	c->auth = next;
	c->tries = 0;
	c->kbd_n = c->kbd_i = c->kbd_answered = c->kbd_empty = 0;
}

/* "publickey, password" from the server's method mask. */
static char *
conn_methods_text(int m)
{
	struct sbuf	 sb;
	char		*out;

	sbuf_init(&sb);
	if (m & SSH_AUTH_METHOD_PUBLICKEY)
		sbuf_adds(&sb, ", publickey");
	if (m & SSH_AUTH_METHOD_INTERACTIVE)
		sbuf_adds(&sb, ", keyboard-interactive");
	if (m & SSH_AUTH_METHOD_PASSWORD)
		sbuf_adds(&sb, ", password");
	if (m & SSH_AUTH_METHOD_HOSTBASED)
		sbuf_adds(&sb, ", hostbased");
	if (m & SSH_AUTH_METHOD_GSSAPI_MIC)
		sbuf_adds(&sb, ", gssapi-with-mic");
	out = xstrdup(sb.len > 2 ? sb.buf + 2 : "none");
	sbuf_free(&sb);
	return (out);
}

/* Authenticated: open the channel, or wait for conn_exec. */
static void
conn_authenticated(struct conn *c, int64_t now)
{
	if (conn_ended(c))
		return;
	free(c->prompt);
	c->prompt = NULL;
	if (c->idkey != NULL) {
		ssh_key_free(c->idkey);
		c->idkey = NULL;
	}
	if (c->mode == CONN_MODE_NONE) {
		c->step = STEP_IDLE;
		c->deadline = 0;
		c->last_rx = now;
		c->ka_next = now + (int64_t)c->keepalive * 1000;
		conn_set_state(c, CONN_IDLE);
		return;
	}
	c->step = STEP_CH_OPEN;
	c->deadline = now + c->timeout_ms;
	conn_set_state(c, CONN_CHANNEL);
}

/*
 * Act on an auth call's result.  Returns 1 to stop stepping (waiting,
 * authenticated or failed), 0 to go on with the next method.
 */
static int
conn_auth_result(struct conn *c, int rc, const char *method,
    enum conn_auth_step next, int64_t now)
{
	switch (rc) {
	case SSH_AUTH_AGAIN:
		return (1);
	case SSH_AUTH_SUCCESS:
		conn_auth_event(c, CONN_EVENT_AUTH_ACCEPTED, method, NULL);
		conn_authenticated(c, now);
		return (1);
	case SSH_AUTH_PARTIAL:
		conn_auth_event(c, CONN_EVENT_AUTH_PARTIAL, method, NULL);
		c->methods = ssh_userauth_list(c->s, NULL);
		if (++c->partials > 8) {
			conn_end(c, CONN_FAILED, CONN_ERR_AUTH,
			    "auth failed (too many partial successes)");
			return (1);
		}
		conn_auth_goto(c, CA_AGENT);
		return (0);
	case SSH_AUTH_DENIED:
		conn_auth_event(c, CONN_EVENT_AUTH_DENIED, method, NULL);
		conn_auth_goto(c, next);
		return (0);
	default:
		conn_end(c, CONN_FAILED, ssh_is_connected(c->s) ?
		    CONN_ERR_PROTOCOL : CONN_ERR_LOST, "authentication: %s",
		    conn_ssh_error(c));
		return (1);
	}
}

/* Ask the current keyboard-interactive prompt. */
static void
conn_kbd_ask(struct conn *c)
{
	const char	*name, *instr, *prompt;
	char		 echo = 0;
	struct sbuf	 sb;

	prompt = ssh_userauth_kbdint_getprompt(c->s, (unsigned)c->kbd_i, &echo);
	sbuf_init(&sb);
	if (c->kbd_i == 0) {
		name = ssh_userauth_kbdint_getname(c->s);
		instr = ssh_userauth_kbdint_getinstruction(c->s);
		if (name != NULL && *name != '\0')
			sbuf_addf(&sb, "%s\n", name);
		if (instr != NULL && *instr != '\0')
			sbuf_addf(&sb, "%s\n", instr);
	}
	sbuf_adds(&sb, prompt != NULL ? prompt : "Response: ");
	conn_ask(c, echo ? 1 : 0, "%s", sb.buf);
	sbuf_free(&sb);
}

/* The identity file: load it (asking for a passphrase), then offer it. */
static int
conn_auth_identity(struct conn *c, int64_t now)
{
	char	*pass;
	int	 rc;

	if (c->idkey == NULL) {
		if (c->answered) {
			pass = conn_take_answer(c);
			if (pass == NULL) {
				conn_auth_goto(c, CA_AUTO);
				return (0);
			}
			rc = ssh_pki_import_privkey_file(c->identity, pass,
			    NULL, NULL, &c->idkey);
			conn_wipe(pass);
			if (rc != SSH_OK) {
				c->idkey = NULL;
				if (++c->tries >= CONN_TRIES) {
					conn_auth_event(c,
					    CONN_EVENT_AUTH_DENIED,
					    "publickey", "bad passphrase");
					conn_auth_goto(c, CA_AUTO);
					return (0);
				}
				conn_ask(c, 0, "Bad passphrase, try again for "
				    "key '%s': ", c->identity);
				return (1);
			}
		} else {
			c->need_pass = 0;
			rc = ssh_pki_import_privkey_file(c->identity, NULL,
			    conn_passphrase_probe, c, &c->idkey);
			if (rc != SSH_OK) {
				c->idkey = NULL;
				if (c->need_pass && !(c->flags & CONN_BATCH)) {
					conn_ask(c, 0, "Enter passphrase for "
					    "key '%s': ", c->identity);
					return (1);
				}
				conn_auth_event(c, CONN_EVENT_AUTH_DENIED,
				    "publickey", c->need_pass ?
				    "key needs a passphrase (batch mode)" :
				    "cannot read the identity file");
				conn_auth_goto(c, CA_AUTO);
				return (0);
			}
		}
	}
	rc = ssh_userauth_publickey(c->s, NULL, c->idkey);
	return (conn_auth_result(c, rc, "publickey", CA_AUTO, now));
}

/* Keyboard-interactive: answer the server's prompts one by one. */
static int
conn_auth_kbdint(struct conn *c, int64_t now)
{
	char	*ans;
	int	 rc, n;

	if (c->kbd_n > 0) {
		if (!c->answered)
			return (1);
		ans = conn_take_answer(c);
		if (ans == NULL) {
			conn_auth_goto(c, CA_PASSWORD);
			return (0);
		}
		rc = ssh_userauth_kbdint_setanswer(c->s, (unsigned)c->kbd_i,
		    ans);
		conn_wipe(ans);
		if (rc < 0) {
			conn_end(c, CONN_FAILED, CONN_ERR_PROTOCOL,
			    "keyboard-interactive: %s", conn_ssh_error(c));
			return (1);
		}
		c->kbd_answered = 1;
		if (++c->kbd_i < c->kbd_n) {
			conn_kbd_ask(c);
			return (1);
		}
		c->kbd_n = 0;
	}
	rc = ssh_userauth_kbdint(c->s, NULL, NULL);
	if (rc == SSH_AUTH_INFO) {
		n = ssh_userauth_kbdint_getnprompts(c->s);
		if (n <= 0) {
			if (++c->kbd_empty > 16) {
				conn_auth_goto(c, CA_PASSWORD);
				return (0);
			}
			return (0);	/* an empty round: answer at once */
		}
		c->kbd_n = n;
		c->kbd_i = 0;
		conn_kbd_ask(c);
		return (1);
	}
	if (rc == SSH_AUTH_DENIED && c->kbd_answered &&
	    ++c->tries < CONN_TRIES) {
		conn_auth_event(c, CONN_EVENT_AUTH_DENIED,
		    "keyboard-interactive", NULL);
		c->kbd_answered = 0;
		c->kbd_empty = 0;
		return (0);	/* a new round */
	}
	return (conn_auth_result(c, rc, "keyboard-interactive", CA_PASSWORD,
	    now));
}

/* Password: ask, send, up to three times. */
static int
conn_auth_password(struct conn *c, int64_t now)
{
	int	 rc;

	if (c->pw == NULL) {
		if (!c->answered) {
			conn_ask(c, 0, "%s%s@%s's password: ", c->tries > 0 ?
			    "Permission denied, please try again.\n" : "",
			    c->user != NULL ? c->user : "", c->host);
			return (1);
		}
		c->pw = conn_take_answer(c);
		if (c->pw == NULL) {
			conn_auth_goto(c, CA_END);
			return (0);
		}
	}
	rc = ssh_userauth_password(c->s, NULL, c->pw);
	if (rc == SSH_AUTH_AGAIN)
		return (1);
	conn_wipe(c->pw);
	c->pw = NULL;
	if (rc == SSH_AUTH_DENIED && ++c->tries < CONN_TRIES) {
		conn_auth_event(c, CONN_EVENT_AUTH_DENIED, "password", NULL);
		return (0);
	}
	return (conn_auth_result(c, rc, "password", CA_END, now));
}

/* Run the auth methods until one needs to wait. */
static void
conn_auth_step(struct conn *c, int64_t now)
{
	const char	*sock;
	char		*banner, *m;
	int		 rc, batch = (c->flags & CONN_BATCH);

	while (c->state == CONN_AUTH) {
		switch (c->auth) {
		case CA_NONE:
			rc = ssh_userauth_none(c->s, NULL);
			if (rc == SSH_AUTH_AGAIN)
				return;
			if (rc == SSH_AUTH_ERROR) {
				conn_auth_result(c, rc, "none", CA_END, now);
				return;
			}
			banner = ssh_get_issue_banner(c->s);
			if (banner != NULL) {
				conn_auth_event(c, CONN_EVENT_BANNER, "none",
				    banner);
				ssh_string_free_char(banner);
				if (c->state != CONN_AUTH)
					return;
			}
			if (rc == SSH_AUTH_SUCCESS) {
				conn_auth_result(c, rc, "none", CA_END, now);
				return;
			}
			c->methods = ssh_userauth_list(c->s, NULL);
			conn_auth_goto(c, CA_AGENT);
			break;
		case CA_AGENT:
			sock = getenv("SSH_AUTH_SOCK");
			if (!(c->methods & SSH_AUTH_METHOD_PUBLICKEY) ||
			    sock == NULL || *sock == '\0') {
				conn_auth_goto(c, CA_IDENTITY);
				break;
			}
			rc = ssh_userauth_agent(c->s, NULL);
			if (conn_auth_result(c, rc, "agent", CA_IDENTITY, now))
				return;
			break;
		case CA_IDENTITY:
			if (c->identity == NULL ||
			    !(c->methods & SSH_AUTH_METHOD_PUBLICKEY)) {
				conn_auth_goto(c, CA_AUTO);
				break;
			}
			if (conn_auth_identity(c, now))
				return;
			break;
		case CA_AUTO:
			if (!(c->methods & SSH_AUTH_METHOD_PUBLICKEY)) {
				conn_auth_goto(c, CA_KBDINT);
				break;
			}
			rc = ssh_userauth_publickey_auto(c->s, NULL, NULL);
			if (conn_auth_result(c, rc, "publickey", CA_KBDINT,
			    now))
				return;
			break;
		case CA_KBDINT:
			if (batch ||
			    !(c->methods & SSH_AUTH_METHOD_INTERACTIVE)) {
				conn_auth_goto(c, CA_PASSWORD);
				break;
			}
			if (conn_auth_kbdint(c, now))
				return;
			break;
		case CA_PASSWORD:
			if (batch || !(c->methods & SSH_AUTH_METHOD_PASSWORD)) {
				conn_auth_goto(c, CA_END);
				break;
			}
			if (conn_auth_password(c, now))
				return;
			break;
		case CA_END:
			m = conn_methods_text(c->methods);
			conn_end(c, CONN_FAILED, CONN_ERR_AUTH,
			    "auth failed (%s)", m);
			free(m);
			return;
		}
		c->deadline = now + c->timeout_ms;
	}
}

/* The channel is up: data may flow. */
static void
conn_channel_open(struct conn *c, int64_t now)
{
	if (conn_ended(c))
		return;
	c->step = STEP_OPEN;
	c->deadline = 0;
	c->last_rx = now;
	c->ka_sent = 0;
	c->ka_next = now + (int64_t)c->keepalive * 1000;
	c->kick = 1;	/* flush what was typed ahead, send a pending resize */
	conn_set_state(c, CONN_OPEN);
}

/* Open the session channel: open, pty, shell or exec. */
static void
conn_channel_step(struct conn *c, int64_t now)
{
	int	rc;

	for (;;) {
		switch (c->step) {
		case STEP_CH_OPEN:
			if (c->ch == NULL) {
				c->ch = ssh_channel_new(c->s);
				if (c->ch == NULL) {
					conn_end(c, CONN_FAILED,
					    CONN_ERR_PROTOCOL, "channel: %s",
					    conn_ssh_error(c));
					return;
				}
				c->got_exit = 0;
				c->exit_status = -1;
				free(c->exit_signal);
				c->exit_signal = NULL;
				memset(&c->ccb, 0, sizeof c->ccb);
				ssh_callbacks_init(&c->ccb);
				c->ccb.userdata = c;
				c->ccb.channel_exit_status_function =
				    conn_exit_status_cb;
				c->ccb.channel_exit_signal_function =
				    conn_exit_signal_cb;
				ssh_set_channel_callbacks(c->ch, &c->ccb);
			}
			rc = ssh_channel_open_session(c->ch);
			if (rc == SSH_AGAIN)
				return;
			if (rc != SSH_OK)
				goto fail;
			c->step = c->mode == CONN_MODE_SHELL ? STEP_CH_PTY :
			    STEP_CH_EXEC;
			break;
		case STEP_CH_PTY:
			rc = ssh_channel_request_pty_size(c->ch, c->term,
			    c->cols, c->rows);
			if (rc == SSH_AGAIN)
				return;
			if (rc != SSH_OK)
				goto fail;
			c->sent_cols = c->cols;
			c->sent_rows = c->rows;
			c->env_next = 0;
			c->step = STEP_CH_ENV;
			break;
		case STEP_CH_ENV:
			/*
			 * Offer the locale like OpenSSH's "SendEnv LANG LC_*"
			 * (Debian's default): without it a remote shell in the
			 * C locale mangles typed UTF-8 (readline's convert-meta
			 * turns the bytes of 한 into Meta keys).  A server that
			 * does not AcceptEnv refuses; that is fine.
			 */
			rc = conn_send_env(c);
			if (rc == SSH_AGAIN)
				return;
			c->step = STEP_CH_SHELL;
			break;
		case STEP_CH_SHELL:
			rc = ssh_channel_request_shell(c->ch);
			if (rc == SSH_AGAIN)
				return;
			if (rc != SSH_OK)
				goto fail;
			conn_channel_open(c, now);
			return;
		case STEP_CH_EXEC:
			rc = ssh_channel_request_exec(c->ch, c->command);
			if (rc == SSH_AGAIN)
				return;
			if (rc != SSH_OK)
				goto fail;
			/* Like ssh -n: the command reads no stdin from us. */
			ssh_channel_send_eof(c->ch);
			conn_channel_open(c, now);
			return;
		default:
			return;
		}
		c->deadline = now + c->timeout_ms;
	}

fail:
	conn_end(c, CONN_FAILED, ssh_is_connected(c->s) ? CONN_ERR_PROTOCOL :
	    CONN_ERR_LOST, "cannot open a session: %s", conn_ssh_error(c));
}

/* Send LANG and LC_* from our environment, one request per call. */
static int
conn_send_env(struct conn *c)
{
	extern char	**environ;
	const char	 *e, *eq;
	char		 *name;
	int		  rc;

	for (; environ[c->env_next] != NULL; c->env_next++) {
		e = environ[c->env_next];
		if (strncmp(e, "LANG=", 5) != 0 && strncmp(e, "LC_", 3) != 0)
			continue;
		if ((eq = strchr(e, '=')) == NULL || eq == e)
			continue;
		name = xstrndup(e, (size_t)(eq - e));
		rc = ssh_channel_request_env(c->ch, name, eq + 1);
		free(name);
		if (rc == SSH_AGAIN)
			return (SSH_AGAIN);
		/* Refused or not: go on with the next one. */
	}
	return (SSH_OK);
}

/* Send queued input as far as the channel window allows. */
static void
conn_flush(struct conn *c)
{
	uint32_t	win;
	size_t		n;
	int		rc;

	while (c->outq.len > 0 && c->ch != NULL && c->step == STEP_OPEN &&
	    c->mode == CONN_MODE_SHELL) {
		win = ssh_channel_window_size(c->ch);
		if (win == 0)
			return;
		n = c->outq.len;
		if (n > win)
			n = win;
		if (n > 32768)
			n = 32768;
		rc = ssh_channel_write(c->ch, c->outq.buf, (uint32_t)n);
		if (rc <= 0)
			return;	/* an error shows up on the read side */
		memmove(c->outq.buf, c->outq.buf + rc,
		    c->outq.len - (size_t)rc);
		c->outq.len -= (size_t)rc;
		c->outq.buf[c->outq.len] = '\0';
	}
}

/* The channel ended: report its exit, then close or go idle. */
static void
conn_channel_done(struct conn *c)
{
	int	 status = c->exit_status;
	char	*sig = c->exit_signal != NULL ? xstrdup(c->exit_signal) : NULL;

	ssh_channel_free(c->ch);
	c->ch = NULL;
	c->outq.len = 0;
	if (c->cb.exit != NULL)
		c->cb.exit(c, c->got_exit ? status : -1, sig, c->arg);
	if (c->state != CONN_OPEN) {
		free(sig);
		return;
	}
	if (c->mode == CONN_MODE_SHELL) {
		if (sig != NULL)
			conn_end(c, CONN_CLOSED, CONN_ERR_NONE,
			    "shell killed by signal %s", sig);
		else if (c->got_exit)
			conn_end(c, CONN_CLOSED, CONN_ERR_NONE,
			    "shell exited (status %d)", status);
		else
			conn_end(c, CONN_CLOSED, CONN_ERR_NONE,
			    "channel closed by remote host");
	} else {
		c->step = STEP_IDLE;
		conn_set_state(c, CONN_IDLE);
	}
	free(sig);
}

/*
 * Read the channel until libssh has nothing left or the budget is spent.
 * Returns 1 when the budget ran out with data left.
 */
static int
conn_read(struct conn *c, size_t budget, int64_t now)
{
	char	buf[65536];	/* each libssh read polls the socket: read big */
	size_t	total = 0, want;
	int	n, any, stream, streams;

	/* stderr too, even on a pty: unread data there would hide the EOF. */
	streams = 2;
	do {
		any = 0;
		for (stream = 0; stream < streams; stream++) {
			if (c->ch == NULL || c->state != CONN_OPEN)
				return (0);
			if (total >= budget)
				return (1);
			want = budget - total;
			if (want > sizeof buf)
				want = sizeof buf;
			n = ssh_channel_read_nonblocking(c->ch, buf,
			    (uint32_t)want, stream);
			if (n <= 0)
				continue;	/* 0, SSH_EOF, SSH_ERROR */
			any = 1;
			total += (size_t)n;
			c->last_rx = now;
			c->ka_sent = 0;
			if (c->cb.data != NULL)
				c->cb.data(c, buf, (size_t)n, stream, c->arg);
		}
	} while (any);
	return (0);
}

/* The connection is quiet: probe it, and give up after keepalive_max probes. */
static void
conn_keepalive(struct conn *c, short revents, int64_t now)
{
	struct pollfd	pfd;
	int64_t		iv = (int64_t)c->keepalive * 1000;

	if (c->keepalive == 0)
		return;
	if (revents & POLLIN) {
		c->last_rx = now;
		c->ka_sent = 0;
	}
	if (c->last_rx + iv > c->ka_next && c->ka_sent == 0)
		c->ka_next = c->last_rx + iv;
	if (now < c->ka_next)
		return;
	/* Bytes libssh has not read yet are an answer too. */
	pfd.fd = ssh_get_fd(c->s);
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (pfd.fd != -1 && poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN)) {
		c->last_rx = now;
		c->ka_sent = 0;
		c->ka_next = now + iv;
		return;
	}
	if (c->ka_sent >= c->keepalive_max) {
		conn_end(c, CONN_CLOSED, CONN_ERR_LOST,
		    "no response from server for %lld s (keepalive)",
		    (long long)((now - c->last_rx) / 1000));
		return;
	}
	/*
	 * keepalive@openssh.com with want_reply; libssh keeps one global
	 * request in flight and its second call collects a finished one, so
	 * call twice: one of the calls sends.
	 */
	ssh_send_keepalive(c->s);
	ssh_send_keepalive(c->s);
	c->ka_sent++;
	c->ka_next = now + iv;
}

/* OPEN and IDLE: keepalive, input, output, the end of the channel. */
static void
conn_io(struct conn *c, short revents, int64_t now, size_t budget)
{
	const char	*e;

	conn_keepalive(c, revents, now);
	if (c->state != CONN_OPEN && c->state != CONN_IDLE)
		return;
	/*
	 * Let libssh read the socket first.  Reading the channel does so too,
	 * but only until the server's EOF: the exit status and the close that
	 * follow would then stay unread while poll reports POLLIN forever.
	 * This also answers (refuses) requests the server makes of us.
	 */
	if (revents & (POLLIN|POLLHUP|POLLERR))
		ssh_execute_message_callbacks(c->s);
	if (c->state == CONN_OPEN) {
		conn_flush(c);
		if (c->sent_cols != c->cols || c->sent_rows != c->rows) {
			if (c->mode == CONN_MODE_SHELL)
				ssh_channel_change_pty_size(c->ch, c->cols,
				    c->rows);
			c->sent_cols = c->cols;
			c->sent_rows = c->rows;
		}
		c->more = conn_read(c, budget, now);
		if (c->state != CONN_OPEN || c->more)
			return;
	}
	if (!ssh_is_connected(c->s)) {
		e = conn_ssh_error(c);
		if (strcmp(e, "connection closed by remote host") == 0)
			conn_end(c, CONN_CLOSED, CONN_ERR_LOST, "%s", e);
		else
			conn_end(c, CONN_CLOSED, CONN_ERR_LOST,
			    "connection lost: %s", e);
		return;
	}
	if (c->state == CONN_OPEN && c->ch != NULL &&
	    (ssh_channel_is_closed(c->ch) ||
	    (ssh_channel_is_eof(c->ch) && c->got_exit)))
		conn_channel_done(c);
	else if (c->state == CONN_OPEN)
		conn_flush(c);
}

/* Advance the machine as far as it goes without waiting. */
static void
conn_step_machine(struct conn *c, int64_t now)
{
	int	rc;

	switch (c->step) {
	case STEP_KEX:
		rc = ssh_connect(c->s);
		if (rc == SSH_AGAIN)
			return;
		if (rc != SSH_OK) {
			conn_end(c, CONN_FAILED, CONN_ERR_PROTOCOL,
			    "key exchange: %s", conn_ssh_error(c));
			return;
		}
		conn_check_hostkey(c, now);
		if (c->state == CONN_AUTH)
			conn_auth_step(c, now);
		if (c->state == CONN_CHANNEL)
			conn_channel_step(c, now);
		break;
	case STEP_HOSTKEY:
		if (c->hk_answer == -1)
			return;
		conn_hostkey_decided(c, now);
		if (c->state == CONN_AUTH)
			conn_auth_step(c, now);
		if (c->state == CONN_CHANNEL)
			conn_channel_step(c, now);
		break;
	case STEP_AUTH:
		if (c->state == CONN_AUTH_PROMPT) {
			if (!c->answered)
				return;
			c->deadline = now + c->timeout_ms;
			conn_set_state(c, CONN_AUTH);
		}
		if (c->state == CONN_AUTH)
			conn_auth_step(c, now);
		if (c->state == CONN_CHANNEL)
			conn_channel_step(c, now);
		break;
	case STEP_CH_OPEN:
	case STEP_CH_PTY:
	case STEP_CH_ENV:
	case STEP_CH_SHELL:
	case STEP_CH_EXEC:
		conn_channel_step(c, now);
		break;
	default:
		break;
	}
}

/* One step of the machine: events, deadlines, channel data. */
int
conn_process(struct conn *c, short revents, int64_t now, size_t budget)
{
	if (budget == 0)
		budget = CONN_DEFAULT_BUDGET;
	c->kick = 0;
	c->more = 0;

	switch (c->step) {
	case STEP_NONE:
	case STEP_DONE:
		return (0);
	case STEP_RESOLVE:
		if (revents & (POLLIN|POLLHUP|POLLERR))
			conn_resolved(c);
		break;
	case STEP_TCP:
		if (revents & (POLLOUT|POLLHUP|POLLERR))
			conn_tcp_done(c, now);
		break;
	case STEP_HOSTKEY:
	case STEP_AUTH:
		/* Nothing is polled while the operator is asked; a dead socket
		   still reports POLLHUP/POLLERR. */
		if ((c->state == CONN_HOSTKEY ||
		    c->state == CONN_AUTH_PROMPT) &&
		    (revents & (POLLHUP|POLLERR))) {
			conn_end(c, CONN_FAILED, CONN_ERR_LOST,
			    "connection lost while waiting for the operator");
			return (0);
		}
		break;
	default:
		break;
	}
	if (c->step == STEP_KEX || c->step == STEP_HOSTKEY ||
	    c->step == STEP_AUTH || (c->step >= STEP_CH_OPEN &&
	    c->step <= STEP_CH_EXEC))
		conn_step_machine(c, now);

	if (c->step == STEP_OPEN || c->step == STEP_IDLE)
		conn_io(c, revents, now, budget);

	if (c->deadline != 0 && now >= c->deadline &&
	    c->state != CONN_CLOSED && c->state != CONN_FAILED) {
		switch (c->step) {
		case STEP_RESOLVE:
			conn_timed_out(c, "resolving the name");
			break;
		case STEP_TCP:
			conn_timed_out(c, NULL);
			break;
		case STEP_KEX:
			conn_timed_out(c, ssh_get_serverbanner(c->s) == NULL ?
			    "no SSH banner from server" : "key exchange");
			break;
		case STEP_AUTH:
			conn_timed_out(c, "authentication");
			break;
		default:
			conn_timed_out(c, "opening a session");
			break;
		}
	}
	return (c->more);
}

/* The fd to poll now: resolver pipe, connecting socket or session. */
int
conn_fd(const struct conn *c)
{
	switch (c->step) {
	case STEP_RESOLVE:
		return (c->res_fd);
	case STEP_TCP:
		return (c->sock);
	case STEP_NONE:
	case STEP_DONE:
		return (-1);
	default:
		return (ssh_get_fd(c->s));
	}
}

/* What to poll for: POLLOUT only while output is pending. */
short
conn_poll_events(const struct conn *c)
{
	switch (c->step) {
	case STEP_RESOLVE:
		return (POLLIN);
	case STEP_TCP:
		return (POLLOUT);
	case STEP_NONE:
	case STEP_DONE:
	case STEP_HOSTKEY:
		return (0);
	default:
		break;
	}
	if (c->state == CONN_AUTH_PROMPT)
		return (0);
	if (ssh_get_poll_flags(c->s) & SSH_WRITE_PENDING)
		return (POLLIN|POLLOUT);
	return (POLLIN);
}

/* Milliseconds until the next deadline or keepalive (-1: none). */
int
conn_next_timeout_ms(const struct conn *c, int64_t now)
{
	int64_t	t = -1, d;

	if (c->step == STEP_NONE || c->step == STEP_DONE)
		return (-1);
	if (c->kick || c->more)
		return (0);
	if ((c->state == CONN_HOSTKEY && c->hk_answer != -1) ||
	    (c->state == CONN_AUTH_PROMPT && c->answered))
		return (0);
	if (c->deadline != 0)
		t = c->deadline;
	if (c->keepalive != 0 &&
	    (c->step == STEP_OPEN || c->step == STEP_IDLE)) {
		d = c->ka_next;
		if (t == -1 || d < t)
			t = d;
	}
	if (t == -1)
		return (-1);
	if (t <= now)
		return (0);
	if (t - now > INT32_MAX)
		return (INT32_MAX);
	return ((int)(t - now));
}

/* Queue input for the shell channel and send what the window allows. */
int
conn_write(struct conn *c, const void *buf, size_t len)
{
	if (c->state == CONN_CLOSED || c->state == CONN_FAILED ||
	    c->mode != CONN_MODE_SHELL)
		return (-1);
	sbuf_add(&c->outq, buf, len);
	/* What the window does not take now goes when the server widens it
	   (a packet, so POLLIN): no need to run again before that. */
	if (c->step == STEP_OPEN)
		conn_flush(c);
	return (0);
}

/* Remember the pane size; tell the server when the pty is up. */
void
conn_resize(struct conn *c, int cols, int rows)
{
	if (cols <= 0 || rows <= 0)
		return;
	c->cols = cols;
	c->rows = rows;
	if (c->step == STEP_OPEN && c->mode == CONN_MODE_SHELL &&
	    c->ch != NULL && (c->sent_cols != cols || c->sent_rows != rows)) {
		/* window-change wants no reply: it never waits. */
		if (ssh_channel_change_pty_size(c->ch, cols, rows) == SSH_OK) {
			c->sent_cols = cols;
			c->sent_rows = rows;
		} else
			c->kick = 1;
	}
}

/* Record the operator's answer (copied; wiped once used). */
int
conn_answer(struct conn *c, const char *text)
{
	if (c->state != CONN_AUTH_PROMPT || c->answered)
		return (-1);
	conn_wipe(c->answer);
	c->answer = text != NULL ? xstrdup(text) : NULL;
	c->answered = 1;
	c->kick = 1;
	return (0);
}

/* Record the operator's decision on an unknown host key. */
int
conn_hostkey_answer(struct conn *c, int accept)
{
	if (c->state != CONN_HOSTKEY || c->hk_answer != -1)
		return (-1);
	c->hk_answer = accept ? 1 : 0;
	c->kick = 1;
	return (0);
}

/* Run a command on a new exec channel of an idle connection. */
int
conn_exec(struct conn *c, const char *command)
{
	if (c->state != CONN_IDLE || command == NULL)
		return (-1);
	free(c->command);
	c->command = xstrdup(command);
	c->mode = CONN_MODE_EXEC;
	c->step = STEP_CH_OPEN;
	c->state = CONN_CHANNEL;	/* the caller knows: no callback */
	c->deadline = mono_ms() + c->timeout_ms;
	c->kick = 1;
	return (0);
}

/* Close politely and drop everything; no callback follows. */
void
conn_close(struct conn *c)
{
	if (c->state == CONN_CLOSED || c->state == CONN_FAILED)
		return;
	free(c->reason);
	c->reason = xstrdup("closed");
	c->error = CONN_ERR_CLOSED;
	c->step = STEP_DONE;
	if (c->ch != NULL && ssh_channel_is_open(c->ch))
		ssh_channel_close(c->ch);
	conn_teardown(c);
	c->state = CONN_CLOSED;
}

/* The public state. */
enum conn_state
conn_state(const struct conn *c)
{
	return (c->state);
}

/* Why it failed or closed. */
enum conn_error
conn_error(const struct conn *c)
{
	return (c->error);
}

/* The reason in words, once CLOSED or FAILED. */
const char *
conn_reason(const struct conn *c)
{
	if (c->state != CONN_CLOSED && c->state != CONN_FAILED)
		return (NULL);
	return (c->reason);
}

/* The question being asked, while in AUTH_PROMPT. */
const char *
conn_prompt(const struct conn *c, int *echo)
{
	if (c->state != CONN_AUTH_PROMPT)
		return (NULL);
	if (echo != NULL)
		*echo = c->prompt_echo;
	return (c->prompt);
}

/* What the host key check found, once it ran. */
const struct hostkey_result *
conn_hostkey(const struct conn *c)
{
	return (c->hk_valid ? &c->hk : NULL);
}

/* The last channel's exit status (-1: unknown or signal). */
int
conn_exit_status(const struct conn *c)
{
	return (c->got_exit ? c->exit_status : -1);
}

/* The host as configured. */
const char *
conn_host(const struct conn *c)
{
	return (c->host);
}

/* The port in use. */
int
conn_port(const struct conn *c)
{
	return (c->port);
}

/* The login in use. */
const char *
conn_user(const struct conn *c)
{
	return (c->user);
}
