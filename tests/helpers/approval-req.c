/*
 * approval-req.c: a test helper that plays the requesting console and the
 * approver's authenticator, so approvals can be tested end to end without
 * driving the full-screen console.
 *
 *   approval-req create DB [--group G] [--requester LOGIN] [--server S]
 *       [--env E] [--risk R] [--roles "lead,security"] [--rule TEXT]
 *       [--reason TEXT] [--expires-in MS] -- COMMAND
 *	creates a pending request (as the running user unless --requester)
 *	and prints its id
 *   approval-req status DB ID
 *	prints "STATUS DECIDED_BY" of one request
 *   approval-req totp BASE32 [UNIX_TIME]
 *	prints the 6-digit TOTP of the secret now (or at the time given)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "approval.h"
#include "audit.h"
#include "ident.h"
#include "totp.h"

static const struct option create_options[] = {
	{ "group", required_argument, NULL, 'g' },
	{ "requester", required_argument, NULL, 'u' },
	{ "server", required_argument, NULL, 's' },
	{ "env", required_argument, NULL, 'e' },
	{ "risk", required_argument, NULL, 'r' },
	{ "roles", required_argument, NULL, 'R' },
	{ "rule", required_argument, NULL, 'x' },
	{ "reason", required_argument, NULL, 'y' },
	{ "expires-in", required_argument, NULL, 't' },
	{ NULL, 0, NULL, 0 }
};

/* Open DB as the running user, or die. */
static struct audit *
open_db(const char *path, const char *group)
{
	struct ident	*me = ident_current();
	struct audit	*a;
	char		*cause = NULL;

	if ((a = audit_open(path, group, &cause)) == NULL) {
		fprintf(stderr, "approval-req: %s\n", cause);
		exit(1);
	}
	audit_set_identity(a, me->login, me->host, me->client);
	ident_free(me);
	return (a);
}

/* create: one pending request; prints the id. */
static int
create(int argc, char **argv)
{
	struct approval_request	 req;
	struct audit		*a;
	const char		*group = NULL;
	char			*cause = NULL;
	int64_t			 id, in_ms = 600000;
	int			 c;

	memset(&req, 0, sizeof req);
	req.server = "db-1";
	req.env = "production";
	req.risk = "high";
	req.approver_roles = "lead";
	req.rule = "test rule";
	optind = 1;
	while ((c = getopt_long(argc, argv, "", create_options, NULL)) != -1) {
		switch (c) {
		case 'g': group = optarg; break;
		case 'u': req.requester = optarg; break;
		case 's': req.server = optarg; break;
		case 'e': req.env = optarg; break;
		case 'r': req.risk = optarg; break;
		case 'R': req.approver_roles = optarg; break;
		case 'x': req.rule = optarg; break;
		case 'y': req.reason = optarg; break;
		case 't': in_ms = strtoll(optarg, NULL, 10); break;
		default: return (2);
		}
	}
	if (optind + 2 != argc) {
		fprintf(stderr, "approval-req: create DB [options] -- CMD\n");
		return (2);
	}
	req.command = argv[optind + 1];
	req.expires_ms = now_ms() + in_ms;
	a = open_db(argv[optind], group);
	if (approval_create(a, &req, &id, &cause) != 0) {
		fprintf(stderr, "approval-req: %s\n", cause);
		return (1);
	}
	printf("%lld\n", (long long)id);
	audit_close(a);
	return (0);
}

/* status: "STATUS DECIDED_BY" of one request. */
static int
status(const char *path, const char *idtext)
{
	struct audit	*a;
	struct approval	*ap;
	char		*cause = NULL;

	if ((a = audit_open_readonly(path, &cause)) == NULL) {
		fprintf(stderr, "approval-req: %s\n", cause);
		return (1);
	}
	if ((ap = approval_get(a, strtoll(idtext, NULL, 10), &cause)) == NULL) {
		fprintf(stderr, "approval-req: %s\n", cause);
		return (1);
	}
	printf("%s %s\n", approval_status_name(ap->status),
	    ap->decided_by != NULL ? ap->decided_by : "-");
	approval_free(ap);
	audit_close(a);
	return (0);
}

/* totp: the current code of a base32 secret. */
static int
code(const char *secret, const char *at)
{
	uint8_t	*key;
	size_t	 len;
	char	*cause = NULL, buf[16];
	int64_t	 t;

	t = at != NULL ? strtoll(at, NULL, 10) : (int64_t)time(NULL);
	if (totp_base32_decode(secret, &key, &len, &cause) != 0) {
		fprintf(stderr, "approval-req: %s\n", cause);
		return (1);
	}
	totp_format(totp_at(key, len, t, TOTP_STEP, TOTP_DIGITS), TOTP_DIGITS,
	    buf, sizeof buf);
	totp_key_free(key, len);
	printf("%s\n", buf);
	return (0);
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return (create(argc - 1, argv + 1));
	if (argc == 4 && strcmp(argv[1], "status") == 0)
		return (status(argv[2], argv[3]));
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "totp") == 0)
		return (code(argv[2], argc == 4 ? argv[3] : NULL));
	fprintf(stderr, "usage: approval-req create|status|totp ...\n");
	return (2);
}
