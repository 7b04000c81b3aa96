/*
 * test_totp.c: HOTP and TOTP against the published test vectors (RFC 4226
 * appendix D, RFC 6238 appendix B, SHA-1 rows), base32 against RFC 4648
 * section 10, the verification window, and the checks on secret files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "totp.h"

/* The RFC 4226 and RFC 6238 SHA-1 key. */
static const char	rfc_key[] = "12345678901234567890";
#define RFC_KEY		((const uint8_t *)rfc_key), (sizeof rfc_key - 1)

static char		tmpdir[] = "/tmp/omv-test-totp.XXXXXX";

/* RFC 6238 appendix B: time, TOTP (8 digits, SHA-1). */
static const struct {
	int64_t		 t;
	const char	*code;
} rfc6238[] = {
	{ 59, "94287082" },
	{ 1111111109, "07081804" },
	{ 1111111111, "14050471" },
	{ 1234567890, "89005924" },
	{ 2000000000, "69279037" },
	{ 20000000000LL, "65353130" },
};

/* RFC 4226 appendix D: HOTP for counters 0-9 (6 digits). */
static const char *rfc4226[] = {
	"755224", "287082", "359152", "969429", "338314",
	"254676", "287922", "162583", "399871", "520489"
};

/* RFC 4648 section 10: base32 of "", "f", "fo", ... */
static const struct {
	const char	*plain;
	const char	*b32;
} rfc4648[] = {
	{ "", "" },
	{ "f", "MY======" },
	{ "fo", "MZXQ====" },
	{ "foo", "MZXW6===" },
	{ "foob", "MZXW6YQ=" },
	{ "fooba", "MZXW6YTB" },
	{ "foobar", "MZXW6YTBOI======" },
	{ "12345678901234567890", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ" },
};

/* Text that must not decode, and a word of the expected cause. */
static const struct {
	const char	*text;
	const char	*cause;
} bad_b32[] = {
	{ "MZXW6YT1", "character 8" },		/* '1' is not base32 */
	{ "MZXW=6YQ", "after '='" },
	{ "M", "truncated" },
	{ "MZX", "truncated" },
	{ "MZXW6Y", "truncated" },
	{ "MZ\001W", "character 3" },
};

/* Every RFC 6238 SHA-1 vector, 8 digits, step 30. */
static void
test_rfc6238(void **state)
{
	char	buf[16];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof rfc6238 / sizeof rfc6238[0]; i++) {
		totp_format(totp_at(RFC_KEY, rfc6238[i].t, 30, 8), 8, buf,
		    sizeof buf);
		if (strcmp(buf, rfc6238[i].code) != 0) {
			fail_msg("t=%lld: got %s, want %s",
			    (long long)rfc6238[i].t, buf, rfc6238[i].code);
		}
		assert_true(totp_verify(RFC_KEY, rfc6238[i].code,
		    rfc6238[i].t, 30, 8, 0));
	}
}

/* RFC 4226's HOTP values for counters 0-9. */
static void
test_rfc4226(void **state)
{
	char	buf[16];
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof rfc4226 / sizeof rfc4226[0]; i++) {
		totp_format(totp_hotp(RFC_KEY, i, 6), 6, buf, sizeof buf);
		assert_string_equal(buf, rfc4226[i]);
	}
	assert_int_equal(totp_hotp(RFC_KEY, 0, 0), -1);
	assert_int_equal(totp_hotp(RFC_KEY, 0, 10), -1);
	assert_int_equal(totp_at(RFC_KEY, -1, 30, 6), -1);
	assert_int_equal(totp_at(RFC_KEY, 59, 0, 6), -1);
}

/* Base32 both ways, and the forms people paste. */
static void
test_base32(void **state)
{
	uint8_t	*key;
	size_t	 len, i;
	char	*enc, *cause = NULL;

	(void)state;
	for (i = 0; i < sizeof rfc4648 / sizeof rfc4648[0]; i++) {
		enc = totp_base32_encode((const uint8_t *)rfc4648[i].plain,
		    strlen(rfc4648[i].plain));
		assert_string_equal(enc, rfc4648[i].b32);
		free(enc);
		assert_int_equal(totp_base32_decode(rfc4648[i].b32, &key, &len,
		    &cause), 0);
		assert_int_equal(len, strlen(rfc4648[i].plain));
		assert_memory_equal(key, rfc4648[i].plain, len);
		totp_key_free(key, len);
	}
	assert_int_equal(totp_base32_decode("gezd gnbv-gy3t qojq\n", &key,
	    &len, &cause), 0);
	assert_int_equal(len, 10);
	assert_memory_equal(key, "1234567890", 10);
	totp_key_free(key, len);
	for (i = 0; i < sizeof bad_b32 / sizeof bad_b32[0]; i++) {
		cause = NULL;
		assert_int_equal(totp_base32_decode(bad_b32[i].text, &key, &len,
		    &cause), -1);
		assert_null(key);
		assert_non_null(cause);
		if (strstr(cause, bad_b32[i].cause) == NULL)
			fail_msg("'%s': cause '%s'", bad_b32[i].text, cause);
		free(cause);
	}
	totp_key_free(NULL, 0);
}

/* One step of skew is accepted, two are not; malformed codes never. */
static void
test_verify_window(void **state)
{
	int64_t	t = 1111111111;
	char	now[16], prev[16], next[16], far[16];

	(void)state;
	totp_format(totp_at(RFC_KEY, t, 30, 6), 6, now, sizeof now);
	totp_format(totp_at(RFC_KEY, t - 30, 30, 6), 6, prev, sizeof prev);
	totp_format(totp_at(RFC_KEY, t + 30, 30, 6), 6, next, sizeof next);
	totp_format(totp_at(RFC_KEY, t + 60, 30, 6), 6, far, sizeof far);
	assert_true(totp_verify(RFC_KEY, now, t, 30, 6, 1));
	assert_true(totp_verify(RFC_KEY, prev, t, 30, 6, 1));
	assert_true(totp_verify(RFC_KEY, next, t, 30, 6, 1));
	assert_false(totp_verify(RFC_KEY, far, t, 30, 6, 1));
	assert_false(totp_verify(RFC_KEY, prev, t, 30, 6, 0));
	/* RFC 6238's 8-digit value read as 6 digits: its low digits. */
	assert_true(totp_verify(RFC_KEY, "050471", t, 30, 6, 0));
	assert_false(totp_verify(RFC_KEY, "50471", t, 30, 6, 1));
	assert_false(totp_verify(RFC_KEY, "0504710", t, 30, 6, 1));
	assert_false(totp_verify(RFC_KEY, " 50471", t, 30, 6, 1));
	assert_false(totp_verify(RFC_KEY, "05047a", t, 30, 6, 1));
	assert_false(totp_verify(RFC_KEY, "", t, 30, 6, 1));
	assert_false(totp_verify(RFC_KEY, NULL, t, 30, 6, 1));
	/* Near t = 0 the step before does not exist; no wrap-around. */
	assert_true(totp_verify(RFC_KEY, "94287082", 59, 30, 8, 1));
}

/* Write a secret file with mode; return its login (the file name). */
static const char *
put_secret(const char *login, const char *text, mode_t mode)
{
	char	*path;
	int	 fd;

	path = xprintf("%s/%s", tmpdir, login);
	unlink(path);
	fd = open(path, O_WRONLY|O_CREAT|O_EXCL, 0600);
	assert_true(fd != -1);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
	free(path);
	return (login);
}

/* Load login's secret and expect failure with a word of the cause. */
static void
load_fails(const char *login, const char *word)
{
	uint8_t	*key;
	size_t	 len;
	char	*cause = NULL;

	assert_int_equal(totp_load_secret(tmpdir, login, getuid(), &key, &len,
	    &cause), -1);
	assert_null(key);
	assert_non_null(cause);
	if (strstr(cause, word) == NULL)
		fail_msg("%s: cause '%s' lacks '%s'", login, cause, word);
	free(cause);
}

/* Secret files: only private, regular, ours, and long enough. */
static void
test_load_secret(void **state)
{
	uint8_t	*key;
	size_t	 len;
	char	*cause = NULL, *link_path, *target;

	(void)state;
	put_secret("good", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\n", 0600);
	assert_int_equal(totp_load_secret(tmpdir, "good", getuid(), &key,
	    &len, &cause), 0);
	assert_int_equal(len, 20);
	assert_memory_equal(key, rfc_key, 20);
	totp_key_free(key, len);
	put_secret("readonly", "GEZDGNBVGY3TQOJQ", 0400);
	assert_int_equal(totp_load_secret(tmpdir, "readonly", getuid(), &key,
	    &len, &cause), 0);
	totp_key_free(key, len);

	put_secret("group", "GEZDGNBVGY3TQOJQ", 0640);
	load_fails("group", "mode 0640");
	put_secret("world", "GEZDGNBVGY3TQOJQ", 0604);
	load_fails("world", "must be 0600");
	put_secret("short", "GEZDGNBV", 0600);
	load_fails("short", "40 bits");
	put_secret("junk", "not a secret!", 0600);
	load_fails("junk", "base32");
	load_fails("nobody-here", "enrol");
	load_fails("../good", "no secret");
	load_fails("", "no secret");
	load_fails(".hidden", "no secret");

	target = xprintf("%s/good", tmpdir);
	link_path = xprintf("%s/link", tmpdir);
	assert_int_equal(symlink(target, link_path), 0);
	load_fails("link", "symbolic link");
	free(target);
	free(link_path);

	/* As root the owner check can be shown: a file of another user. */
	if (getuid() == 0) {
		put_secret("other", "GEZDGNBVGY3TQOJQ", 0600);
		target = xprintf("%s/other", tmpdir);
		assert_int_equal(chown(target, 4242, 4242), 0);
		free(target);
		assert_int_equal(totp_load_secret(tmpdir, "other", 1000, &key,
		    &len, &cause), -1);
		assert_non_null(strstr(cause, "owned by uid 4242"));
		free(cause);
		/* Owned by root is fine for any approver. */
		assert_int_equal(totp_load_secret(tmpdir, "good", 1000, &key,
		    &len, &cause), 0);
		totp_key_free(key, len);
	}
}

/* Make the temp dir. */
static int
setup(void **state)
{
	(void)state;
	return (mkdtemp(tmpdir) == NULL ? -1 : 0);
}

/* Remove the temp dir and its files. */
static int
teardown(void **state)
{
	static const char	*names[] = { "good", "readonly", "group",
	    "world", "short", "junk", "link", "other" };
	char			*p;
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		p = xprintf("%s/%s", tmpdir, names[i]);
		unlink(p);
		free(p);
	}
	return (rmdir(tmpdir));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6238),
		cmocka_unit_test(test_rfc4226),
		cmocka_unit_test(test_base32),
		cmocka_unit_test(test_verify_window),
		cmocka_unit_test(test_load_secret),
	};

	return (cmocka_run_group_tests_name("totp", tests, setup, teardown));
}
