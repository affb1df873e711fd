/*
 * The rules the faces share, one core function each: text (core/text.h),
 * avatars and nicks (core/accounts.h), the app face's password and phone
 * visibility rules (core/appusers.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "core/accounts.h"
#include "core/appusers.h"
#include "core/text.h"

static void test_chars(void **state)
{
    (void)state;
    assert_int_equal(text_chars("", 0), 0);
    assert_int_equal(text_chars("abc", 3), 3);
    assert_int_equal(text_chars("汤姆", strlen("汤姆")), 2);           /* 3 bytes each */
    assert_int_equal(text_chars("a\xf0\x9f\x98\x80z", 6), 3);          /* a 4-byte character */
    assert_int_equal(text_chars("汤姆", 3), 1);                         /* counts only n bytes */
}

static void test_controls(void **state)
{
    (void)state;
    assert_int_equal(text_has_control("plain text", 10, 0), 0);
    assert_int_equal(text_has_control("a\tb", 3, 0), 1);
    assert_int_equal(text_has_control("a\tb\r\nc", 6, 1), 0); /* multiline lets \t \r \n through */
    assert_int_equal(text_has_control("a\x01" "b", 3, 1), 1);
    assert_int_equal(text_has_control("a\x7f", 2, 1), 1);
    assert_int_equal(text_has_control("汤", 3, 0), 0); /* bytes >= 0x80 are no controls */
}

static void test_visible_ascii(void **state)
{
    (void)state;
    assert_int_equal(text_is_visible_ascii("apns:abc-123_~!", 15), 1);
    assert_int_equal(text_is_visible_ascii("", 0), 1);
    assert_int_equal(text_is_visible_ascii("a b", 3), 0);
    assert_int_equal(text_is_visible_ascii("a\tb", 3), 0);
    assert_int_equal(text_is_visible_ascii("a\x7f", 2), 0);
    assert_int_equal(text_is_visible_ascii("\xe6\xb1\xa4", 3), 0); /* nothing beyond ASCII */
    assert_int_equal(text_is_visible_ascii("ab c", 2), 1);           /* only n bytes */
}

static void test_check(void **state)
{
    (void)state;
    assert_int_equal(text_check("abc", 3, 1, 3, 0), TEXT_OK);
    assert_int_equal(text_check("abc", 3, 4, 9, 0), TEXT_LENGTH);
    assert_int_equal(text_check("abc", 3, 0, 2, 0), TEXT_LENGTH);
    assert_int_equal(text_check("汤姆", 6, 2, 2, 0), TEXT_OK); /* characters, not bytes */
    assert_int_equal(text_check("a\0b", 3, 0, 9, 0), TEXT_NUL);
    assert_int_equal(text_check("a\xff", 2, 0, 9, 0), TEXT_UTF8);
    assert_int_equal(text_check("\xe6\xb1", 2, 0, 9, 0), TEXT_UTF8); /* cut in the middle of a character */
    assert_int_equal(text_check("a\nb", 3, 0, 9, 0), TEXT_CONTROL);
    assert_int_equal(text_check("a\nb", 3, 0, 9, 1), TEXT_OK);
    /* the first problem, in order: NUL before UTF-8 before controls before length */
    assert_int_equal(text_check("\x01\0", 2, 5, 9, 0), TEXT_NUL);
    assert_int_equal(text_check("\x01\xff", 2, 5, 9, 0), TEXT_UTF8);
    assert_int_equal(text_check("\x01", 1, 5, 9, 0), TEXT_CONTROL);
}

static void test_to_int(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int rc;
        int64_t v;
    } v[] = {
        {"0", 0, 0},
        {"42", 0, 42},
        {"-7", 0, -7},
        {"-0", 0, 0},
        {"007", 0, 7},
        {"9223372036854775807", 0, INT64_MAX},
        {"-9223372036854775808", 0, INT64_MIN},
        {"9223372036854775808", -E_INVALID, 0}, /* overflow */
        {"", -E_INVALID, 0},
        {"-", -E_INVALID, 0},
        {"+1", -E_INVALID, 0},
        {" 1", -E_INVALID, 0},
        {"1 ", -E_INVALID, 0},
        {"--1", -E_INVALID, 0},
        {"-+1", -E_INVALID, 0},
        {"1e3", -E_INVALID, 0},
        {"0x10", -E_INVALID, 0},
        {"1.0", -E_INVALID, 0},
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++) {
        int64_t out = 12345;
        int rc = text_to_int(v[i].s, &out);
        if (rc != v[i].rc)
            fail_msg("text_to_int(\"%s\") = %d, want %d", v[i].s, rc, v[i].rc);
        if (rc == 0 && out != v[i].v)
            fail_msg("text_to_int(\"%s\") read %lld", v[i].s, (long long)out);
        if (rc && out != 12345)
            fail_msg("text_to_int(\"%s\") wrote *out on failure", v[i].s);
    }
}

static void test_escape_html(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(text_escape_html(a, "<a href=\"x\">Tom & 'J'</a>"),
                        "&lt;a href=&#34;x&#34;&gt;Tom &amp; &#39;J&#39;&lt;/a&gt;");
    assert_string_equal(text_escape_html(a, "汤姆"), "汤姆");
    assert_string_equal(text_escape_html(a, ""), "");
    assert_string_equal(text_escape_html(a, "&amp;"), "&amp;amp;"); /* escapes what it is given, once */
    arena_free(a);
}

static void test_avatars(void **state)
{
    (void)state;
    assert_int_equal(acct_check_avatar("", AVATAR_MAX), 0); /* none */
    assert_int_equal(acct_check_avatar("https://x.com/a.png", AVATAR_MAX), 0);
    assert_int_equal(acct_check_avatar("http://x", AVATAR_MAX), 0);
    assert_int_equal(acct_check_avatar("HTTPS://X.COM/A.PNG", AVATAR_MAX), 0);
    assert_int_equal(acct_check_avatar("https://x.com/\xe5\xa4\xb4.png", AVATAR_MAX), 0); /* non-ASCII path */
    assert_int_equal(acct_check_avatar("http;//xxx.png", AVATAR_MAX), -E_INVALID);
    assert_int_equal(acct_check_avatar("https://", AVATAR_MAX), -E_INVALID);
    assert_int_equal(acct_check_avatar("https:///c.png/x", AVATAR_MAX), -E_INVALID);
    assert_int_equal(acct_check_avatar("ftp://x.com/a", AVATAR_MAX), -E_INVALID);
    assert_int_equal(acct_check_avatar("//x.com/a", AVATAR_MAX), -E_INVALID);
    assert_int_equal(acct_check_avatar("data:image/png;base64,AAAA", AVATAR_MAX), -E_INVALID);
    assert_int_equal(acct_check_avatar("https://x.com/a b", AVATAR_MAX), -E_INVALID);
    assert_int_equal(acct_check_avatar("https://x.com/a\n", AVATAR_MAX), -E_INVALID);
    assert_int_equal(acct_check_avatar("https://x.com/\"><script>", AVATAR_MAX), -E_INVALID);
    char big[AVATAR_MAX + 2];
    memcpy(big, "https://", 8);
    memset(big + 8, 'a', sizeof(big) - 9);
    big[sizeof(big) - 1] = '\0'; /* AVATAR_MAX + 1 bytes */
    assert_int_equal(acct_check_avatar(big, AVATAR_MAX), -E_INVALID);
    assert_int_equal(acct_check_avatar(big, AVATAR_MAX + 100), -E_INVALID); /* never above AVATAR_MAX */
    big[sizeof(big) - 2] = '\0'; /* AVATAR_MAX bytes */
    assert_int_equal(acct_check_avatar(big, AVATAR_MAX), 0);
    /* a face's smaller bound (the app face's portraitUri: 256 bytes) */
    big[AU_PORTRAIT_MAX + 1] = '\0';
    assert_int_equal(acct_check_avatar(big, AU_PORTRAIT_MAX), -E_INVALID);
    big[AU_PORTRAIT_MAX] = '\0';
    assert_int_equal(acct_check_avatar(big, AU_PORTRAIT_MAX), 0);
}

/* n copies of a 3-byte character. */
static const char *han(char *buf, int n)
{
    for (int i = 0; i < n; i++)
        memcpy(buf + 3 * i, "汤", 3);
    buf[3 * n] = '\0';
    return buf;
}

static void test_nicks(void **state)
{
    (void)state;
    char buf[3 * 70 + 1];
    assert_int_equal(acct_check_nick(""), 0); /* no nick */
    assert_int_equal(acct_check_nick("Alice 二"), 0);
    assert_int_equal(acct_check_nick("<b>&"), 0); /* markup is text: the face that renders escapes it */
    assert_int_equal(acct_check_nick(han(buf, NICK_MAX)), 0);
    assert_int_equal(acct_check_nick(han(buf, NICK_MAX + 1)), -E_INVALID);
    assert_int_equal(acct_check_nick("a\tb"), -E_INVALID);
    assert_int_equal(acct_check_nick("a\xff"), -E_INVALID);
    /* the app face's own bound: 1-32 characters */
    assert_int_equal(au_check_nick(han(buf, AU_NICK_MAX)), 0);
    assert_int_equal(au_check_nick(han(buf, AU_NICK_MAX + 1)), -E_INVALID);
    assert_int_equal(au_check_nick(""), -E_INVALID);
}

static void test_app_passwords(void **state)
{
    (void)state;
    assert_int_equal(au_check_password("P@ssw0rd"), AU_PW_OK);
    assert_int_equal(au_check_password("123456"), AU_PW_OK);               /* AU_PW_MIN */
    assert_int_equal(au_check_password("12345678901234567890"), AU_PW_OK); /* AU_PW_MAX */
    assert_int_equal(au_check_password("12345"), AU_PW_LENGTH);
    assert_int_equal(au_check_password("123456789012345678901"), AU_PW_LENGTH);
    assert_int_equal(au_check_password(NULL), AU_PW_LENGTH);
    assert_int_equal(au_check_password(""), AU_PW_LENGTH);
    assert_int_equal(au_check_password("pass\tword"), AU_PW_LENGTH); /* a control character */
    assert_int_equal(au_check_password("a b"), AU_PW_SPACE);          /* the space is said first */
    assert_int_equal(au_check_password("pass word"), AU_PW_SPACE);
}

static void test_shown_phone(void **state)
{
    (void)state;
    struct account a = {.id = 7, .mobile = "13912345678", .phone_verify = 1};
    assert_string_equal(au_shown_phone(&a, 9), "13912345678");
    a.phone_verify = 0;
    assert_string_equal(au_shown_phone(&a, 9), ""); /* hidden from others */
    assert_string_equal(au_shown_phone(&a, 7), "13912345678"); /* never from its owner */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chars),      cmocka_unit_test(test_controls), cmocka_unit_test(test_visible_ascii),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_to_int),     cmocka_unit_test(test_escape_html), cmocka_unit_test(test_avatars),
        cmocka_unit_test(test_nicks),      cmocka_unit_test(test_app_passwords),
        cmocka_unit_test(test_shown_phone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
