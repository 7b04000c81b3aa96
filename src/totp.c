/*
 * totp.c: one-time passwords for approving critical requests.
 *
 * HOTP (RFC 4226 section 5.3): HMAC-SHA1 of the 8-byte big-endian counter,
 * "dynamic truncation" to 31 bits, modulo 10^digits.  TOTP (RFC 6238) is
 * HOTP with counter floor(t / step), T0 = 0.  Verification accepts the
 * neighbouring steps (clock skew) and compares every candidate in constant
 * time, so timing says nothing about which digits were right.
 *
 * Secrets are base32 (RFC 4648 section 6), the form authenticator apps
 * enrol.  Key bytes are wiped before they are freed and never logged.  The
 * HMAC comes from libcrypto; nothing here implements a hash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "totp.h"

#define TOTP_FILE_MAX	4096	/* a secret is a line, not a file */

static const char totp_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* The 5-bit value of a base32 character, or -1. */
static int
totp_b32_value(char c)
{
	if (c >= 'a' && c <= 'z')
		return (c - 'a');
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= '2' && c <= '7')
		return (c - '2' + 26);
	return (-1);
}

/* Characters a secret may carry for readability: "JBSW Y3DP" or "JBSW-Y3DP". */
static int
totp_b32_ignored(char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '-');
}

/* Base32 text to key bytes (RFC 4648 section 6). */
int
totp_base32_decode(const char *text, uint8_t **key, size_t *len, char **cause)
{
	const char	*p;
	uint8_t		*out;
	uint32_t	 acc = 0;
	size_t		 n = 0, chars = 0;
	int		 bits = 0, v, padded = 0;

	*key = NULL;
	*len = 0;
	out = xmalloc(strlen(text) * 5 / 8 + 1);
	for (p = text; *p != '\0'; p++) {
		if (totp_b32_ignored(*p))
			continue;
		if (*p == '=') {
			padded = 1;
			continue;
		}
		if (padded) {
			xasprintf(cause, "base32: data after '=' padding");
			goto fail;
		}
		/* The position, not the character: it may be secret. */
		if ((v = totp_b32_value(*p)) == -1) {
			xasprintf(cause, "base32: character %zu is not A-Z or "
			    "2-7", (size_t)(p - text) + 1);
			goto fail;
		}
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		chars++;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* A final group of 1, 3 or 6 characters cannot end on a byte. */
	if (chars % 8 == 1 || chars % 8 == 3 || chars % 8 == 6) {
		xasprintf(cause, "base32: truncated (%zu characters)", chars);
		goto fail;
	}
	*key = out;
	*len = n;
	return (0);

fail:
	explicit_bzero(out, strlen(text) * 5 / 8 + 1);
	free(out);
	return (-1);
}

/* Key bytes to padded base32, for enrolment and tests. */
char *
totp_base32_encode(const uint8_t *data, size_t len)
{
	struct sbuf	sb;
	uint32_t	acc = 0;
	size_t		i;
	int		bits = 0;

	sbuf_init(&sb);
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			sbuf_addc(&sb, totp_alphabet[(acc >> bits) & 31]);
		}
	}
	if (bits > 0)
		sbuf_addc(&sb, totp_alphabet[(acc << (5 - bits)) & 31]);
	while (sb.len % 8 != 0)
		sbuf_addc(&sb, '=');
	return (sbuf_steal(&sb));
}

/* Wipe, then free. */
void
totp_key_free(uint8_t *key, size_t len)
{
	if (key == NULL)
		return;
	explicit_bzero(key, len);
	free(key);
}

/* 10^digits. */
static uint32_t
totp_modulus(int digits)
{
	uint32_t	m = 1;

	while (digits-- > 0)
		m *= 10;
	return (m);
}

/* RFC 4226 HOTP of one counter value. */
int64_t
totp_hotp(const uint8_t *key, size_t len, uint64_t counter, int digits)
{
	unsigned char	 msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	uint32_t	 bin;
	int		 i, off;

	if (digits < 1 || digits > 9 || len > (size_t)INT32_MAX)
		return (-1);
	for (i = 7; i >= 0; i--) {
		msg[i] = (unsigned char)(counter & 0xff);
		counter >>= 8;
	}
	if (HMAC(EVP_sha1(), key, (int)len, msg, sizeof msg, mac,
	    &maclen) == NULL || maclen != 20)
		return (-1);
	/* RFC 4226 5.3: the low nibble of the last byte picks 4 bytes. */
	off = mac[19] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) |
	    ((uint32_t)mac[off + 1] << 16) |
	    ((uint32_t)mac[off + 2] << 8) |
	    (uint32_t)mac[off + 3];
	explicit_bzero(mac, sizeof mac);
	return ((int64_t)(bin % totp_modulus(digits)));
}

/* RFC 6238 TOTP at unix time t. */
int64_t
totp_at(const uint8_t *key, size_t len, int64_t t, int step, int digits)
{
	if (t < 0 || step <= 0)
		return (-1);
	return (totp_hotp(key, len, (uint64_t)(t / step), digits));
}

/* A code with its leading zeros ("07081804"). */
void
totp_format(int64_t value, int digits, char *buf, size_t size)
{
	snprintf(buf, size, "%0*lld", digits, (long long)value);
}

/* Check a typed code against the window around t. */
bool
totp_verify(const uint8_t *key, size_t len, const char *code, int64_t t,
    int step, int digits, int window)
{
	char		 want[24];
	unsigned char	 diff;
	int64_t		 v;
	int		 i, w, ok = 0;

	if (code == NULL || digits < 1 || digits > 9 || step <= 0 ||
	    window < 0 || strlen(code) != (size_t)digits)
		return (false);
	for (i = 0; i < digits; i++) {
		if (code[i] < '0' || code[i] > '9')
			return (false);
	}
	for (w = -window; w <= window; w++) {
		if (t + (int64_t)w * step < 0)
			continue;
		v = totp_at(key, len, t + (int64_t)w * step, step, digits);
		if (v < 0)
			continue;
		totp_format(v, digits, want, sizeof want);
		diff = 0;
		for (i = 0; i < digits; i++)
			diff |= (unsigned char)(want[i] ^ code[i]);
		ok |= (diff == 0);
	}
	explicit_bzero(want, sizeof want);
	return (ok != 0);
}

/* A login usable as a file name in the secrets directory. */
static bool
totp_login_ok(const char *login)
{
	return (login != NULL && *login != '\0' && *login != '.' &&
	    strchr(login, '/') == NULL);
}

/* Read and check one approver's secret file. */
int
totp_load_secret(const char *dir, const char *login, uid_t uid, uint8_t **key,
    size_t *len, char **cause)
{
	struct stat	 st;
	char		*path, buf[TOTP_FILE_MAX + 1], *c;
	ssize_t		 r;
	size_t		 got = 0;
	int		 fd, rc = -1;

	*key = NULL;
	*len = 0;
	if (dir == NULL || *dir == '\0' || !totp_login_ok(login)) {
		xasprintf(cause, "totp: no secret for '%s'",
		    login != NULL ? login : "");
		return (-1);
	}
	path = xprintf("%s/%s", dir, login);
	fd = open(path, O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC);
	if (fd == -1) {
		if (errno == ENOENT) {
			xasprintf(cause, "totp: no secret for %s (%s); an "
			    "administrator must enrol you", login, path);
		} else if (errno == ELOOP) {
			xasprintf(cause, "totp: %s is a symbolic link; "
			    "refusing it", path);
		} else {
			xasprintf(cause, "totp: cannot read %s: %s", path,
			    strerror(errno));
		}
		free(path);
		return (-1);
	}
	if (fstat(fd, &st) != 0) {
		xasprintf(cause, "totp: %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		xasprintf(cause, "totp: %s is not a regular file", path);
		goto out;
	}
	if (st.st_uid != uid && st.st_uid != 0) {
		xasprintf(cause, "totp: %s is owned by uid %lu, not by you or "
		    "root; refusing it", path, (unsigned long)st.st_uid);
		goto out;
	}
	/* Anyone else who can read the secret can approve as you. */
	if ((st.st_mode & 077) != 0) {
		xasprintf(cause, "totp: %s has mode %04o; it must be 0600 "
		    "(chmod 600 %s)", path, (unsigned)(st.st_mode & 07777),
		    path);
		goto out;
	}
	for (;;) {
		r = read(fd, buf + got, sizeof buf - 1 - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			xasprintf(cause, "totp: cannot read %s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got == sizeof buf - 1) {
			xasprintf(cause, "totp: %s is too long for a secret",
			    path);
			goto out;
		}
	}
	buf[got] = '\0';
	if (totp_base32_decode(buf, key, len, &c) != 0) {
		xasprintf(cause, "totp: %s: %s", path, c);
		free(c);
		goto out;
	}
	if (*len < TOTP_MIN_KEY) {
		xasprintf(cause, "totp: %s: the secret is %zu bits; at least "
		    "%d are needed", path, *len * 8, TOTP_MIN_KEY * 8);
		totp_key_free(*key, *len);
		*key = NULL;
		*len = 0;
		goto out;
	}
	rc = 0;
out:
	explicit_bzero(buf, sizeof buf);
	close(fd);
	free(path);
	return (rc);
}
