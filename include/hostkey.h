/*
 * hostkey.h: host key checking against a known_hosts file, with OpenSSH's
 * format and semantics ([host]:port names for ports other than 22, hashed
 * names, a key of another type counts as changed).  libssh stays inside
 * hostkey.c and conn.c; callers see plain strings.
 */
#ifndef HOSTKEY_H
#define HOSTKEY_H

#include "omv.h"

struct ssh_session_struct;

enum hostkey_status {
	HOSTKEY_OK,		/* the server's key is listed for this host */
	HOSTKEY_UNKNOWN,	/* nothing listed (or no file yet): ask */
	HOSTKEY_CHANGED		/* another key is listed: refuse */
};

/* What a check found.  All strings owned; hostkey_result_clear frees them. */
struct hostkey_result {
	enum hostkey_status	 status;
	char			*host;		/* "[h]:2222"; "h" on 22 */
	char			*type;		/* "ssh-ed25519" */
	char			*fingerprint;	/* "SHA256:...", as OpenSSH */
	/* CHANGED: the listed key that conflicts, and where it is. */
	char			*known_type;
	char			*known_fingerprint;
	char			*known_file;
	int			 known_line;	/* 0: not found */
};

/*
 * Check the server key of a session that finished its key exchange against
 * known_hosts (NULL: ~/.ssh/known_hosts; libssh also reads the global
 * /etc/ssh/ssh_known_hosts as OpenSSH does).  Returns 0 and fills r, or -1
 * with *cause.
 */
int	 hostkey_check(struct ssh_session_struct *, const char *known_hosts,
	     struct hostkey_result *r, char **cause);
/*
 * Append the session's host key to known_hosts as OpenSSH would write it
 * ("[host]:port type base64"); creates missing directories 0700 and the
 * file 0600.
 */
int	 hostkey_save(struct ssh_session_struct *, const char *known_hosts,
	     char **cause);
void	 hostkey_result_clear(struct hostkey_result *);

/* OpenSSH's known_hosts name: "[host]:port", or host alone for port 22. */
char	*hostkey_host_port(const char *host, int port);
/* The SHA256 fingerprint of a public key line "type base64 [comment]". */
char	*hostkey_fingerprint_line(const char *line, char **cause);
/* "~/x" -> "$HOME/x"; anything else copied.  NULL -> ~/.ssh/known_hosts. */
char	*hostkey_path(const char *known_hosts);

#endif
