/* The session cookie's reading: exact names, values as sent, the shapes real clients send. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "http/http.h"

/* The value found for name in header, or NULL. */
static const char *find(const char *header, const char *name)
{
    static char out[256];
    const char *v;
    size_t n;
    if (!http_cookie_find(header, name, &v, &n))
        return NULL;
    assert_true(n < sizeof(out));
    memcpy(out, v, n);
    out[n] = '\0';
    return out;
}

static void test_found(void **state)
{
    (void)state;
    static const struct {
        const char *header, *value;
    } cases[] = {
        {"s=abc", "abc"},
        {"a=1; s=abc; b=2", "abc"},
        {"a=1;s=abc;b=2", "abc"},
        {"s=abc;", "abc"},                                         /* iOS */
        {"s=abc; Path=/; Max-Age=2592000; HttpOnly", "abc"},       /* Android: the Set-Cookie line sent back */
        {"  s=abc  ", "abc"},                                      /* optional white space around */
        {"s=abc; s=def", "abc"},                                   /* the first wins */
        {"s=", ""},                                                /* empty */
        {"s=\"abc\"", "\"abc\""},                                  /* quotes are part of the value */
        {"s=a=b", "a=b"},
        {"t; s=abc", "abc"},                                       /* a pair without '=' is skipped */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        const char *v = find(cases[i].header, "s");
        assert_non_null(v);
        assert_string_equal(v, cases[i].value);
    }
}

static void test_not_found(void **state)
{
    (void)state;
    static const char *const headers[] = {
        "", ";", "S=abc", "xs=abc", "sx=abc", "s =abc", " s", "s", "a=s", "a=1; b=s=2",
    };
    for (size_t i = 0; i < sizeof(headers) / sizeof(*headers); i++)
        assert_null(find(headers[i], "s"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_found),
        cmocka_unit_test(test_not_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
