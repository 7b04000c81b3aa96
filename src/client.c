/*
 * client.c: security.allowed_clients, checked against the client address
 * of the login ($SSH_CONNECTION: "client_ip client_port server_ip
 * server_port", written by sshd).
 *
 * Addresses are compared as bytes with a prefix length.  An IPv4-mapped
 * IPv6 address (::ffff:192.0.2.7, what a dual-stack sshd may report) is the
 * IPv4 address it carries, and an entry inside ::ffff:0:0/96 is the IPv4
 * network it names, so "10.0.0.0/8" matches either spelling.  Otherwise an
 * IPv4 client matches only IPv4 entries and an IPv6 client only IPv6 ones.
 * A link-local client's %zone is dropped.  Anything unreadable matches
 * nothing: the check fails closed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "client.h"

/* An address or network in one comparable form. */
struct client_net {
	int	family;		/* 4 or 6 */
	uint8_t	bytes[16];	/* 4 used for IPv4 */
	int	prefix;		/* bits that must match */
};

/* Parse an address (no prefix) of len bytes into net with a full prefix. */
static int
client_parse_addr(const char *s, size_t len, bool zone_ok,
    struct client_net *net)
{
	struct in6_addr	a6;
	struct in_addr	a4;
	char		buf[INET6_ADDRSTRLEN];
	const char	*pct;

	/* fe80::1%eth0: the zone names our interface, not the peer. */
	if (zone_ok && memchr(s, ':', len) != NULL &&
	    (pct = memchr(s, '%', len)) != NULL && pct != s + len - 1)
		len = (size_t)(pct - s);
	if (len == 0 || len >= sizeof buf)
		return (-1);
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(net, 0, sizeof *net);
	if (inet_pton(AF_INET, buf, &a4) == 1) {
		net->family = 4;
		memcpy(net->bytes, &a4, 4);
		net->prefix = 32;
		return (0);
	}
	if (inet_pton(AF_INET6, buf, &a6) != 1)
		return (-1);
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		net->family = 4;
		memcpy(net->bytes, a6.s6_addr + 12, 4);
		net->prefix = 32;
		return (0);
	}
	net->family = 6;
	memcpy(net->bytes, a6.s6_addr, 16);
	net->prefix = 128;
	return (0);
}

/* Parse an allowed_clients entry "address[/prefix]"; -1 if malformed. */
static int
client_parse_entry(const char *s, struct client_net *net)
{
	const char	*slash, *p;
	struct in6_addr	 a6;
	char		 buf[INET6_ADDRSTRLEN];
	size_t		 len;
	int		 bits = 0, max;

	slash = strchr(s, '/');
	len = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (client_parse_addr(s, len, false, net) != 0)
		return (-1);
	if (slash == NULL)
		return (0);
	p = slash + 1;
	if (*p == '\0' || strlen(p) > 3)
		return (-1);
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return (-1);
		bits = bits * 10 + (*p - '0');
	}
	/* The prefix is of the address as written, mapped or not. */
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (net->family == 4 && inet_pton(AF_INET6, buf, &a6) == 1) {
		if (bits > 128)
			return (-1);
		if (bits < 96) {
			/* Wider than the mapped range: an IPv6 network. */
			net->family = 6;
			memcpy(net->bytes, a6.s6_addr, 16);
			net->prefix = bits;
			return (0);
		}
		bits -= 96;
	}
	max = net->family == 4 ? 32 : 128;
	if (bits > max)
		return (-1);
	net->prefix = bits;
	return (0);
}

/* Do the first prefix bits of addr equal those of net? */
static bool
client_in(const struct client_net *addr, const struct client_net *net)
{
	int	full = net->prefix / 8, rest = net->prefix % 8;
	uint8_t	mask;

	if (addr->family != net->family)
		return (false);
	if (memcmp(addr->bytes, net->bytes, (size_t)full) != 0)
		return (false);
	if (rest == 0)
		return (true);
	mask = (uint8_t)(0xff << (8 - rest));
	return ((addr->bytes[full] & mask) == (net->bytes[full] & mask));
}

/* One address against one allowed_clients entry. */
int
client_match(const char *addr, const char *entry)
{
	struct client_net	a, n;

	if (addr == NULL || entry == NULL)
		return (-1);
	if (client_parse_addr(addr, strlen(addr), true, &a) != 0)
		return (-1);
	if (strcmp(entry, CLIENT_LOCAL) == 0)
		return (0);
	if (client_parse_entry(entry, &n) != 0)
		return (-1);
	return (client_in(&a, &n) ? 1 : 0);
}

/* Would client_match understand entry? (for the config loader) */
bool
client_entry_valid(const char *entry)
{
	struct client_net	n;

	if (entry == NULL)
		return (false);
	return (strcmp(entry, CLIENT_LOCAL) == 0 ||
	    client_parse_entry(entry, &n) == 0);
}

/* The address as text for a message ("192.0.2.7", "2001:db8::1"). */
static void
client_format(const struct client_net *a, char *buf, size_t size)
{
	if (inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->bytes, buf,
	    (socklen_t)size) == NULL)
		snprintf(buf, size, "?");
}

/* Up to 64 printable ASCII bytes of untrusted text, for a message. */
static char *
client_printable(const char *s, size_t len)
{
	struct sbuf	sb;
	size_t		i;

	sbuf_init(&sb);
	for (i = 0; i < len && i < 64; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f)
			sbuf_addc(&sb, s[i]);
		else
			sbuf_addc(&sb, '?');
	}
	if (len > 64)
		sbuf_adds(&sb, "...");
	return (sbuf_steal(&sb));
}

/* The start-up check: this login's client against the list. */
int
client_check(const struct omv_config *cfg, const char *ssh_connection,
    char **why)
{
	const struct security_config	*sec;
	struct client_net		 a, n;
	char				 text[INET6_ADDRSTRLEN], *shown;
	size_t				 i, len;

	if (cfg == NULL || cfg->security.nallowed_clients == 0)
		return (0);
	sec = &cfg->security;
	if (ssh_connection != NULL)
		ssh_connection += strspn(ssh_connection, " \t");
	if (ssh_connection == NULL || *ssh_connection == '\0') {
		for (i = 0; i < sec->nallowed_clients; i++) {
			if (strcmp(sec->allowed_clients[i], CLIENT_LOCAL) == 0)
				return (0);
		}
		*why = xstrdup("this is a local login (no SSH_CONNECTION) and "
		    "security.allowed_clients does not list \"local\"");
		return (-1);
	}
	len = strcspn(ssh_connection, " \t");
	if (client_parse_addr(ssh_connection, len, true, &a) != 0) {
		shown = client_printable(ssh_connection, len);
		xasprintf(why, "cannot read the client address '%s' in "
		    "SSH_CONNECTION; refusing", shown);
		free(shown);
		return (-1);
	}
	for (i = 0; i < sec->nallowed_clients; i++) {
		if (client_parse_entry(sec->allowed_clients[i], &n) == 0 &&
		    client_in(&a, &n))
			return (0);
	}
	client_format(&a, text, sizeof text);
	xasprintf(why, "client %s is not in security.allowed_clients",
	    text);
	return (-1);
}
