/* Token encoding, hashes, UUIDs, constant-time equality. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/secret.h"

static int all_in(const char *s, const char *alphabet)
{
    return strspn(s, alphabet) == strlen(s);
}

static void test_token(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    char *t1 = sec_token(a, 32), *t2 = sec_token(a, 32);
    assert_int_equal(strlen(t1), 43); /* 32 bytes, URL-safe base64, no padding */
    assert_true(all_in(t1, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"));
    assert_string_not_equal(t1, t2);
    unsigned char bin[64];
    size_t len;
    assert_int_equal(sodium_base642bin(bin, sizeof(bin), t1, strlen(t1), NULL, &len, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
    assert_int_equal(len, 32);
    assert_int_equal(strlen(sec_alnum(a, 12)), 12);
    assert_true(all_in(sec_alnum(a, 40), "abcdefghijklmnopqrstuvwxyz0123456789"));
    char *d = sec_digits(a, 6);
    assert_int_equal(strlen(d), 6);
    assert_true(all_in(d, "0123456789"));
    arena_free(a);
}

static void test_hash(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    /* BLAKE2b-256 of "abc" (RFC 7693 test vector family, 32-byte output) */
    assert_string_equal(sec_hash(a, "abc"), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    assert_string_equal(sec_hash(a, "x"), sec_hash(a, "x"));
    assert_string_not_equal(sec_hash(a, "x"), sec_hash(a, "y"));
    const char *k1 = "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f";
    const char *k2 = "ff0102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f";
    assert_string_equal(sec_mac(a, k1, "m"), sec_mac(a, k1, "m"));
    assert_string_not_equal(sec_mac(a, k1, "m"), sec_mac(a, k2, "m"));
    assert_string_not_equal(sec_mac(a, k1, "m"), sec_hash(a, "m"));
    arena_free(a);
}

static void test_uuid(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    char *u = sec_uuid(a);
    assert_true(sec_is_uuid(u));
    assert_int_equal(u[14], '4');
    assert_non_null(strchr("89ab", u[19]));
    assert_true(sec_is_uuid("75dd0f90-9b0d-11e5-803f-59b82644bc50"));
    assert_false(sec_is_uuid("75dd0f90-9b0d-11e5-803f-59b82644bc5"));
    assert_false(sec_is_uuid("75dd0f90x9b0d-11e5-803f-59b82644bc50"));
    assert_false(sec_is_uuid("75dd0f90-9b0d-11e5-803f-59b82644bc5g"));
    assert_false(sec_is_uuid(""));
    assert_false(sec_is_uuid(NULL));
    arena_free(a);
}

/* A malformed key fails closed: no MAC at all, never an unkeyed hash anyone can compute. */
static void test_mac_malformed_key(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *good = "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f";
    const char *bad[] = {
        "",
        "zz0102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f", /* not hex */
        "000102030405060708090a0b0c0d0e0f",                                 /* 16 bytes: too short */
        "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e",   /* odd length */
        "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0fff", /* 33 bytes */
        "000102030405060708090a0b0c0d0e0f000102030405060708090a0b0c0d0e0f ", /* trailing junk */
    };
    assert_true(sec_key_ok(good));
    assert_non_null(sec_mac(a, good, "m"));
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        assert_false(sec_key_ok(bad[i]));
        assert_null(sec_mac(a, bad[i], "m"));
    }
    assert_false(sec_key_ok(NULL));
    arena_free(a);
}

static void test_equal(void **state)
{
    (void)state;
    assert_true(sec_equal("abc", "abc"));
    assert_false(sec_equal("abc", "abd"));
    assert_false(sec_equal("abc", "ab"));
    assert_true(sec_equal("", ""));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_hash),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_mac_malformed_key),
        cmocka_unit_test(test_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
