/* Opaque app-face ids: the keyed 48-bit permutation, base 62, decoding rules, and the app face's field rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "core/appid.h"
#include "core/appusers.h"

static const unsigned char KEY[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void test_permutation(void **state)
{
    (void)state;
    uint64_t xs[] = {0, 1, 2, 3, 1000, 123456789, (1ULL << 48) - 1, 0x0000ABCDEF012345ULL};
    for (size_t i = 0; i < sizeof(xs) / sizeof(*xs); i++) {
        uint64_t y = appid_permute(KEY, APPID_USER, xs[i]);
        assert_true(y < APPID_LIMIT);
        assert_int_equal(appid_unpermute(KEY, APPID_USER, y), xs[i]);
        assert_int_equal(appid_unpermute(KEY, APPID_GROUP, appid_permute(KEY, APPID_GROUP, xs[i])), xs[i]);
    }
    /* consecutive ids look unrelated; kinds and keys differ */
    assert_int_not_equal(appid_permute(KEY, APPID_USER, 1) + 1, appid_permute(KEY, APPID_USER, 2));
    assert_int_not_equal(appid_permute(KEY, APPID_USER, 7), appid_permute(KEY, APPID_GROUP, 7));
    unsigned char other[32];
    memcpy(other, KEY, sizeof(other));
    other[0] ^= 1;
    assert_int_not_equal(appid_permute(KEY, APPID_USER, 7), appid_permute(other, APPID_USER, 7));
    /* a bijection on a sample: no two of the first 5000 ids collide */
    static uint64_t seen[5000];
    for (uint64_t x = 0; x < 5000; x++) {
        seen[x] = appid_permute(KEY, APPID_USER, x + 1);
        for (uint64_t j = 0; j < x; j++)
            assert_int_not_equal(seen[j], seen[x]);
    }
}

static void test_base62(void **state)
{
    (void)state;
    char s[APPID_BUF];
    uint64_t v;
    appid_b62(0, s);
    assert_string_equal(s, "0");
    appid_b62(61, s);
    assert_string_equal(s, "z");
    appid_b62(62, s);
    assert_string_equal(s, "10");
    appid_b62((1ULL << 48) - 1, s);
    assert_int_equal(strlen(s), 9);
    assert_int_equal(appid_unb62(s, &v), 0);
    assert_int_equal(v, (1ULL << 48) - 1);
    assert_int_equal(appid_unb62("10", &v), 0);
    assert_int_equal(v, 62);
    /* not canonical, out of range, wrong alphabet, too long, empty */
    const char *bad[] = {"", "01", "zzzzzzzzz", "0000000001", "abc!", "a b", "-1", "1234567890"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_int_equal(appid_unb62(bad[i], &v), -E_INVALID);
}

static void test_encode_decode(void **state)
{
    (void)state;
    char s[APPID_BUF];
    int64_t id;
    for (int64_t x = 1; x < 3000; x += 7) {
        appid_encode(KEY, APPID_USER, x, s);
        assert_true(strlen(s) >= 1 && strlen(s) <= APPID_MAX);
        assert_int_equal(appid_decode(KEY, APPID_USER, s, &id), 0);
        assert_int_equal(id, x);
    }
    appid_encode(KEY, APPID_USER, 0, s);
    assert_string_equal(s, "");
    appid_encode(KEY, APPID_USER, (int64_t)APPID_LIMIT, s);
    assert_string_equal(s, "");
    /* the string that would decode to account 0 is no id */
    appid_b62(appid_permute(KEY, APPID_USER, 0), s);
    assert_int_equal(appid_decode(KEY, APPID_USER, s, &id), -E_INVALID);
}

static void test_field_rules(void **state)
{
    (void)state;
    assert_int_equal(au_check_nick("汤姆"), 0);
    assert_int_equal(au_check_nick(""), -E_INVALID);
    assert_int_equal(au_check_nick("a\tb"), -E_INVALID);
    char nick[3 * 33 + 1] = "";
    for (int i = 0; i < 33; i++)
        memcpy(nick + 3 * i, "汤", 3); /* 3 bytes each in UTF-8 */
    nick[3 * 32] = '\0';
    assert_int_equal(au_check_nick(nick), 0);
    nick[3 * 32] = nick[0];
    nick[3 * 33] = '\0';
    assert_int_equal(au_check_nick(nick), -E_INVALID);
    assert_int_equal(au_check_st("abc_12-X"), 0);
    assert_int_equal(au_check_st("_abcdef"), -E_INVALID);
    assert_int_equal(au_check_st("abcde"), -E_INVALID);
    assert_int_equal(au_check_st("abcdefghijklmnopqrstu"), -E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_permutation),
        cmocka_unit_test(test_base62),
        cmocka_unit_test(test_encode_decode),
        cmocka_unit_test(test_field_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
