/*
 * ident.c: who is running omv.  The operator is the Unix account the process
 * runs as (getpwuid(getuid()), never $USER, which anyone can set); roles
 * given to Unix groups follow that account's groups (getgrouplist).  The
 * client address is the first field of $SSH_CONNECTION, set by sshd for the
 * operator's login on the jump host; it is informational (audit, the
 * allowed_clients check), not a proof of identity.
 */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ident.h"

/* getgrouplist() wants a buffer; grow it until the list fits. */
#define IDENT_GROUPS_START 32
#define IDENT_GROUPS_MAX 65536

/* Add a group name unless it is there already. */
static void
ident_add_group(struct ident *id, const char *name)
{
	size_t	i;

	for (i = 0; i < id->ngroups; i++) {
		if (strcmp(id->groups[i], name) == 0)
			return;
	}
	id->groups = xreallocarray(id->groups, id->ngroups + 1,
	    sizeof *id->groups);
	id->groups[id->ngroups++] = xstrdup(name);
}

/* Fill id->groups with the names of login's groups (primary gid first). */
static void
ident_groups(struct ident *id, const char *login, gid_t gid)
{
	gid_t		*gids = NULL;
	struct group	*gr;
	char		 num[32];
	int		 n = IDENT_GROUPS_START, want, i;

	for (;;) {
		gids = xreallocarray(gids, (size_t)n, sizeof *gids);
		want = n;
		if (getgrouplist(login, gid, gids, &want) != -1) {
			n = want;
			break;
		}
		if (want <= n)
			want = n * 2;
		if (want > IDENT_GROUPS_MAX) {
			n = 0;
			break;
		}
		n = want;
	}
	for (i = 0; i < n; i++) {
		if ((gr = getgrgid(gids[i])) != NULL && gr->gr_name != NULL)
			ident_add_group(id, gr->gr_name);
		else {
			snprintf(num, sizeof num, "%lu",
			    (unsigned long)gids[i]);
			ident_add_group(id, num);
		}
	}
	free(gids);
}

/* The jump host's name. */
static char *
ident_hostname(void)
{
	char	buf[256];

	if (gethostname(buf, sizeof buf) != 0)
		return (xstrdup("localhost"));
	buf[sizeof buf - 1] = '\0';
	return (xstrdup(buf));
}

/* The client address: the first field of $SSH_CONNECTION, if any. */
static char *
ident_client(void)
{
	const char	*s;
	size_t		 len;

	if ((s = getenv("SSH_CONNECTION")) == NULL)
		return (NULL);
	s += strspn(s, " ");
	len = strcspn(s, " ");
	if (len == 0)
		return (NULL);
	return (xstrndup(s, len));
}

struct ident *
ident_current(void)
{
	struct ident	*id;
	struct passwd	*pw;

	id = xcalloc(1, sizeof *id);
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name != NULL) {
		id->login = xstrdup(pw->pw_name);
		ident_groups(id, pw->pw_name, pw->pw_gid);
	} else
		id->login = xprintf("uid%lu", (unsigned long)getuid());
	id->host = ident_hostname();
	id->client = ident_client();
	return (id);
}

struct ident *
ident_for(const char *login)
{
	struct ident	*id;
	struct passwd	*pw;

	id = xcalloc(1, sizeof *id);
	id->login = xstrdup(login);
	if ((pw = getpwnam(login)) != NULL)
		ident_groups(id, login, pw->pw_gid);
	id->host = ident_hostname();
	return (id);
}

void
ident_free(struct ident *id)
{
	if (id == NULL)
		return;
	free(id->login);
	strv_free(id->groups, id->ngroups);
	free(id->host);
	free(id->client);
	free(id);
}
