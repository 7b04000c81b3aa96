/* ident.h: who is running omv (login, Unix groups, client address). */
#ifndef IDENT_H
#define IDENT_H

#include "omv.h"

struct ident {
	char	 *login;	/* owned */
	char	**groups;	/* owned: names of the user's Unix groups */
	size_t	  ngroups;
	char	 *host;		/* owned: jump host name (gethostname) */
	char	 *client;	/* owned: client address from SSH_CONNECTION, or NULL */
};

/* The current process's identity (getpwuid(getuid()), getgrouplist). */
struct ident *ident_current(void);
/* An identity for tests and `policy explain --user` (groups looked up if the user exists). */
struct ident *ident_for(const char *login);
void ident_free(struct ident *);

#endif
