/*
 * totp.h: time-based one-time passwords (RFC 6238 over RFC 4226 HOTP,
 * HMAC-SHA1) and the base32 secrets (RFC 4648) authenticator apps use, for
 * approving critical requests.  Pure except for the HMAC (libcrypto) and
 * totp_load_secret, which reads one file.
 */
#ifndef TOTP_H
#define TOTP_H

#include <sys/types.h>

#include "omv.h"

#define TOTP_STEP	30	/* seconds per time step (RFC 6238 X) */
#define TOTP_DIGITS	6
#define TOTP_WINDOW	1	/* steps of clock skew accepted each way */
#define TOTP_MIN_KEY	10	/* bytes: 80 bits, 16 base32 characters */

/*
 * Decode base32 text: case-insensitive; spaces, tabs, newlines and '-' are
 * ignored, '=' padding only at the end.  0 and an owned *key (*len bytes,
 * wipe it with totp_key_free), or -1 and a cause.
 */
int totp_base32_decode(const char *text, uint8_t **key, size_t *len,
    char **cause);
/* Encode len bytes as base32 with '=' padding; owned. */
char *totp_base32_encode(const uint8_t *, size_t len);
/* Wipe and free a key from totp_base32_decode or totp_load_secret. */
void totp_key_free(uint8_t *, size_t len);

/* RFC 4226: the HOTP value (digits 1-9) of counter; -1 if HMAC fails. */
int64_t totp_hotp(const uint8_t *key, size_t len, uint64_t counter,
    int digits);
/* RFC 6238: the TOTP value at unix time t (step seconds, T0 = 0). */
int64_t totp_at(const uint8_t *key, size_t len, int64_t t, int step,
    int digits);
/* The value as text with leading zeros into buf (>= digits + 1 bytes). */
void totp_format(int64_t value, int digits, char *buf, size_t size);
/*
 * Is code (exactly digits ASCII digits) the TOTP at t or within window
 * steps of it?  Every candidate is compared in constant time.
 */
bool totp_verify(const uint8_t *key, size_t len, const char *code, int64_t t,
    int step, int digits, int window);

/*
 * Read the secret of login from "<dir>/<login>": a regular file (not a
 * link) owned by uid or root, no group or other permission bits (0600 or
 * 0400), holding base32 text of at least TOTP_MIN_KEY bytes.  0 and an
 * owned *key, or -1 and a cause that never contains the secret.
 */
int totp_load_secret(const char *dir, const char *login, uid_t uid,
    uint8_t **key, size_t *len, char **cause);

#endif
