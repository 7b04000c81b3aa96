/*
 * client.h: may this login use omv, judged by where it comes from?
 * security.allowed_clients lists addresses and networks (IPv4 and IPv6,
 * "10.0.0.0/8", "2001:db8::/32", "192.0.2.7") and the word "local"; the
 * client is the first field of $SSH_CONNECTION.
 *
 * No list: everyone.  No $SSH_CONNECTION (a login on the jump host's own
 * console, or su/sudo from one): only when the list holds "local".  An
 * SSH_CONNECTION that cannot be read is refused.  $SSH_CONNECTION is set
 * by sshd but can be changed by the user, so this is a guard against use
 * from the wrong network, not an access control; enforce that in sshd
 * (Match Address, from= in authorized_keys).
 */
#ifndef CLIENT_H
#define CLIENT_H

#include "omv.h"

struct omv_config;

#define CLIENT_LOCAL "local"	/* allowed_clients entry for local logins */

/*
 * 0 when the client may continue, -1 when it is refused, with an owned
 * *why for the operator ("client 203.0.113.9 is not in
 * security.allowed_clients").  ssh_connection is $SSH_CONNECTION or NULL.
 */
int client_check(const struct omv_config *, const char *ssh_connection,
    char **why);

/*
 * Is the address (text: IPv4, IPv6, IPv4-mapped IPv6, optional %zone)
 * inside entry (an address, address/prefix, or "local", which no address
 * matches)?  1 yes, 0 no, -1 when either is malformed.
 */
int client_match(const char *addr, const char *entry);

/* Is entry a valid allowed_clients entry (address[/prefix] or "local")? */
bool client_entry_valid(const char *entry);

#endif
