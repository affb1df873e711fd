/* The error list and a face's mapping of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "base/errors.h"
#include "http/http.h"

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(err_name(-E_INVALID), "E_INVALID");
    assert_string_equal(err_name(E_INVALID), "E_INVALID");
    assert_string_equal(err_str(-E_EXISTS), "already exists");
    assert_string_equal(err_str(0), "ok");
    assert_string_equal(err_str(-9999), "unknown error");
    assert_string_equal(err_name(E__COUNT), "E_UNKNOWN");
    for (int e = 1; e < E__COUNT; e++) { /* every error has a name and a message */
        assert_non_null(err_name(e));
        assert_true(strlen(err_str(e)) > 0);
        assert_int_equal(strncmp(err_name(e), "E_", 2), 0);
    }
}

static void test_face_table(void **state)
{
    (void)state;
    static const struct face_error t[] = {
        {E_INVALID, 10002, 200, "bad parameters"},
        {E_AUTH_INVALID, 10008, 200, "access-token invalid"},
        {E_TOO_LARGE, 413, 413, "too large"},
        {E_INTERNAL, 20000, 500, "internal error"},
    };
    const size_t n = sizeof(t) / sizeof(*t);
    assert_int_equal(face_error_find(t, n, -E_INVALID)->code, 10002);
    assert_int_equal(face_error_find(t, n, E_AUTH_INVALID)->code, 10008);
    assert_int_equal(face_error_find(t, n, -E_TOO_LARGE)->status, 413);
    /* an error the table does not list answers as internal */
    assert_int_equal(face_error_find(t, n, -E_LOCKED)->code, 20000);
    assert_int_equal(face_error_find(t, n, -E_LOCKED)->status, 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_face_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
