/* Accept-Encoding's reading (RFC 9110 12.5.3): when an answer may be gzip-compressed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "http/web.h"

static void test_accepted(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        int gzip;
    } cases[] = {
        {NULL, 0},
        {"", 0},
        {"gzip", 1},
        {"GZIP", 1},
        {"x-gzip", 1},
        {"gzip, deflate, br", 1},                  /* Chromium */
        {"deflate, gzip;q=1.0, *;q=0.5", 1},
        {"br;q=1.0, gzip;q=0.8, *;q=0.1", 1},
        {"gzip;q=0.001", 1},
        {"gzip ; q=0.5", 1},
        {"gzip;level=1;q=0.5", 1},
        {"gzip;q=0", 0},
        {"gzip;q=0.0", 0},
        {"gzip;q=0.000", 0},
        {"gzip; Q=0", 0},
        {"gzip;q=0, *", 0},                        /* named gzip wins over "*" */
        {"*", 1},
        {"*;q=0", 0},
        {"*;q=0, gzip", 1},
        {"identity", 0},
        {"deflate, br", 0},
        {"gzipx", 0},
        {"gzip;q=1.5", 0},                         /* malformed q: the element is ignored */
        {"gzip;q=0.0001", 0},
        {"gzip;q=2", 0},
        {"gzip;q=", 0},
        {"gzip;q=1.001", 0},
        {"gzip;q=1.000", 1},
        {"gzip;q=abc, *;q=0.3", 1},               /* a malformed gzip element: "*" decides */
        {", , gzip", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        int got = gzip_accepted(cases[i].value);
        if (got != cases[i].gzip)
            fail_msg("Accept-Encoding \"%s\": got %d, want %d", cases[i].value ? cases[i].value : "(none)", got,
                     cases[i].gzip);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_accepted)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
