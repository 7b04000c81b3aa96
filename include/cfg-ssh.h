/*
 * cfg-ssh.h: the concrete Host entries of an OpenSSH client config, resolved
 * by libssh's own parser (the cfg family only; used for `ssh_config = true`).
 */
#ifndef CFG_SSH_H
#define CFG_SSH_H

#include "omv.h"

/* One concrete alias of ~/.ssh/config and what libssh resolves it to. */
struct cfg_ssh_host {
	char	*name;		/* owned: the alias written after Host */
	char	*host;		/* owned: HostName, or the alias itself */
	int	 port;		/* Port, else 22 */
	char	*user;		/* owned: User, or NULL when not set */
	char	*identity;	/* owned: first IdentityFile (~ expanded), or NULL */
	char	*file;		/* owned: the file holding the Host line */
	int	 line;
};

/*
 * The concrete hosts of the ssh config at path (its Includes followed), in
 * file order, each alias once; wildcards and negations are skipped.  A
 * missing file gives no hosts.  Returns 0, or -1 and *cause when the file
 * cannot be read.
 */
int cfg_ssh_hosts(const char *path, struct cfg_ssh_host **hosts,
    size_t *nhosts, char **cause);
void cfg_ssh_hosts_free(struct cfg_ssh_host *, size_t);

#endif
