/*
 * hostkey.c: is this server's key the one we know?
 *
 * The known_hosts file is OpenSSH's, read and written with OpenSSH's
 * semantics: a server on a port other than 22 is named "[host]:port"; an
 * entry of the same key type with another key is a changed key, and so is
 * an entry of only another type (OpenSSH refuses both: "Host key for ...
 * has changed" / "... of a different type is already known").  No entry, or
 * no file, is unknown: the operator decides after seeing the fingerprint,
 * which is printed as OpenSSH prints it ("SHA256:" and unpadded base64).
 *
 * libssh does the matching (including hashed names and the global file); it
 * does not say which entry a changed key conflicts with, so that lookup reads
 * the file here with libssh's own line parser.  Saving appends the line
 * libssh exports, to a file created 0600 in a directory created 0700.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libssh/libssh.h>

#include "omv.h"
#include "hostkey.h"

/* The known_hosts path to use, "~/" expanded. */
char *
hostkey_path(const char *known_hosts)
{
	if (known_hosts == NULL || *known_hosts == '\0')
		return (xprintf("%s/.ssh/known_hosts", home_dir()));
	if (strncmp(known_hosts, "~/", 2) == 0)
		return (xprintf("%s/%s", home_dir(), known_hosts + 2));
	return (xstrdup(known_hosts));
}

/* The name known_hosts uses for host and port. */
char *
hostkey_host_port(const char *host, int port)
{
	if (port == 0 || port == 22)
		return (xstrdup(host));
	return (xprintf("[%s]:%d", host, port));
}

/* SHA256 fingerprint of a key, OpenSSH style; NULL on failure. */
static char *
hostkey_fingerprint(ssh_key key)
{
	unsigned char	*hash = NULL;
	size_t		 hlen = 0;
	char		*fp, *out;

	if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash,
	    &hlen) != 0)
		return (NULL);
	fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hlen);
	ssh_clean_pubkey_hash(&hash);
	if (fp == NULL)
		return (NULL);
	out = xstrdup(fp);
	ssh_string_free_char(fp);
	return (out);
}

/* The fingerprint of a public key line ("type base64 ..."). */
char *
hostkey_fingerprint_line(const char *line, char **cause)
{
	char			*copy, *type, *b64, *save = NULL, *fp;
	enum ssh_keytypes_e	 kt;
	ssh_key			 key = NULL;

	copy = xstrdup(line);
	type = strtok_r(copy, " \t\r\n", &save);
	b64 = strtok_r(NULL, " \t\r\n", &save);
	if (type == NULL || b64 == NULL) {
		free(copy);
		xasprintf(cause, "not a public key line");
		return (NULL);
	}
	kt = ssh_key_type_from_name(type);
	if (kt == SSH_KEYTYPE_UNKNOWN ||
	    ssh_pki_import_pubkey_base64(b64, kt, &key) != SSH_OK) {
		xasprintf(cause, "cannot read %s key", type);
		free(copy);
		return (NULL);
	}
	free(copy);
	fp = hostkey_fingerprint(key);
	ssh_key_free(key);
	if (fp == NULL)
		xasprintf(cause, "cannot hash key");
	return (fp);
}

/* Free what a check filled in. */
void
hostkey_result_clear(struct hostkey_result *r)
{
	free(r->host);
	free(r->type);
	free(r->fingerprint);
	free(r->known_type);
	free(r->known_fingerprint);
	free(r->known_file);
	memset(r, 0, sizeof *r);
}

/*
 * Find the entry for host in file that conflicts with a key of type: the
 * first one of the same type, else the first one of any type.  Fills the
 * known_* fields; returns 0 when found.
 */
static int
hostkey_find_known(const char *file, const char *host, const char *type,
    struct hostkey_result *r)
{
	FILE				*f;
	char				*line = NULL, *fp;
	size_t				 cap = 0;
	ssize_t				 n;
	int				 lineno = 0, found = 0, same;
	struct ssh_knownhosts_entry	*e;
	const char			*et;

	f = fopen(file, "re");
	if (f == NULL)
		return (-1);
	while (found != 2 && (n = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		e = NULL;
		if (ssh_known_hosts_parse_line(host, line, &e) != SSH_OK ||
		    e == NULL || e->publickey == NULL) {
			ssh_knownhosts_entry_free(e);
			continue;
		}
		et = ssh_key_type_to_char(ssh_key_type(e->publickey));
		same = (et != NULL && strcmp(et, type) == 0);
		if (found == 0 || same) {
			fp = hostkey_fingerprint(e->publickey);
			if (fp != NULL) {
				free(r->known_type);
				free(r->known_fingerprint);
				free(r->known_file);
				r->known_type = xstrdup(et != NULL ? et : "?");
				r->known_fingerprint = fp;
				r->known_file = xstrdup(file);
				r->known_line = lineno;
				found = same ? 2 : 1;
			}
		}
		ssh_knownhosts_entry_free(e);
	}
	free(line);
	fclose(f);
	return (found != 0 ? 0 : -1);
}

/* Check the session's host key against known_hosts. */
int
hostkey_check(struct ssh_session_struct *s, const char *known_hosts,
    struct hostkey_result *r, char **cause)
{
	ssh_key			 key = NULL;
	char			*path, *host = NULL;
	unsigned int		 port = 22;
	int			 strict = 1;
	const char		*t;
	enum ssh_known_hosts_e	 st;

	memset(r, 0, sizeof *r);
	path = hostkey_path(known_hosts);
	/* ~/.ssh/config's StrictHostKeyChecking=no must not make unknown OK. */
	ssh_options_set(s, SSH_OPTIONS_STRICTHOSTKEYCHECK, &strict);
	if (ssh_options_set(s, SSH_OPTIONS_KNOWNHOSTS, path) != SSH_OK) {
		xasprintf(cause, "cannot use %s", path);
		free(path);
		return (-1);
	}
	if (ssh_options_get(s, SSH_OPTIONS_HOST, &host) != SSH_OK) {
		xasprintf(cause, "no host name");
		free(path);
		return (-1);
	}
	ssh_options_get_port(s, &port);
	r->host = hostkey_host_port(host, (int)port);
	ssh_string_free_char(host);

	if (ssh_get_server_publickey(s, &key) != SSH_OK) {
		xasprintf(cause, "no host key: %s", ssh_get_error(s));
		free(path);
		hostkey_result_clear(r);
		return (-1);
	}
	t = ssh_key_type_to_char(ssh_key_type(key));
	r->type = xstrdup(t != NULL ? t : "unknown");
	r->fingerprint = hostkey_fingerprint(key);
	ssh_key_free(key);
	if (r->fingerprint == NULL) {
		xasprintf(cause, "cannot hash the host key");
		free(path);
		hostkey_result_clear(r);
		return (-1);
	}

	st = ssh_session_is_known_server(s);
	switch (st) {
	case SSH_KNOWN_HOSTS_OK:
		r->status = HOSTKEY_OK;
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		r->status = HOSTKEY_CHANGED;
		if (hostkey_find_known(path, r->host, r->type, r) != 0)
			hostkey_find_known("/etc/ssh/ssh_known_hosts", r->host,
			    r->type, r);
		break;
	case SSH_KNOWN_HOSTS_UNKNOWN:
	case SSH_KNOWN_HOSTS_NOT_FOUND:
		r->status = HOSTKEY_UNKNOWN;
		break;
	default:
		xasprintf(cause, "%s: %s", path, ssh_get_error(s));
		free(path);
		hostkey_result_clear(r);
		return (-1);
	}
	free(path);
	return (0);
}

/* Append the session's host key to known_hosts (0600, dir 0700). */
int
hostkey_save(struct ssh_session_struct *s, const char *known_hosts,
    char **cause)
{
	char		*path, *entry = NULL, last;
	int		 fd;
	size_t		 len;
	struct stat	 sb;

	path = hostkey_path(known_hosts);
	if (ssh_session_export_known_hosts_entry(s, &entry) != SSH_OK ||
	    entry == NULL) {
		xasprintf(cause, "cannot export host key: %s",
		    ssh_get_error(s));
		free(path);
		return (-1);
	}
	if (mkdir_parents(path, 0700, cause) != 0) {
		ssh_string_free_char(entry);
		free(path);
		return (-1);
	}
	fd = open(path, O_RDWR|O_APPEND|O_CREAT|O_CLOEXEC, 0600);
	if (fd == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		ssh_string_free_char(entry);
		free(path);
		return (-1);
	}
	/* A file whose last line lacks its newline would swallow ours. */
	if (fstat(fd, &sb) == 0 && sb.st_size > 0 &&
	    pread(fd, &last, 1, sb.st_size - 1) == 1 && last != '\n') {
		if (write(fd, "\n", 1) != 1)
			goto fail;
	}
	len = strlen(entry);
	if (write(fd, entry, len) != (ssize_t)len || fsync(fd) != 0)
		goto fail;
	close(fd);
	ssh_string_free_char(entry);
	free(path);
	return (0);

fail:
	xasprintf(cause, "%s: %s", path, strerror(errno));
	close(fd);
	ssh_string_free_char(entry);
	free(path);
	return (-1);
}
