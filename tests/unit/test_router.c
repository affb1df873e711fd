/* Routing: literal and captured segments, method mismatch, precedence. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "http/http.h"

static void h(struct http_req *r) { (void)r; }

static const struct route routes[] = {
    ROUTE(M_POST, "/user/login", h, 0),
    ROUTE(M_POST | M_PUT, "/user/avatar", h, 0),
    ROUTE(M_GET, "/server/user/info/:id", h, 0),
    ROUTE(M_GET, "/user/find/:region/:phone", h, 0),
    ROUTE(M_GET | M_POST, "/user/:id", h, 0),
};
#define N (sizeof(routes) / sizeof(*routes))

static void test_literal(void **state)
{
    (void)state;
    const struct route *rt;
    const char *p[HTTP_MAX_PARAMS];
    int n;
    assert_int_equal(http_route(routes, N, M_POST, "/user/login", &rt, p, &n), 0);
    assert_ptr_equal(rt, &routes[0]);
    assert_int_equal(n, 0);
    assert_int_equal(http_route(routes, N, M_PUT, "/user/avatar", &rt, p, &n), 0);
    assert_ptr_equal(rt, &routes[1]);
}

static void test_captures(void **state)
{
    (void)state;
    const struct route *rt;
    const char *p[HTTP_MAX_PARAMS];
    int n;
    assert_int_equal(http_route(routes, N, M_GET, "/server/user/info/user-1", &rt, p, &n), 0);
    assert_ptr_equal(rt, &routes[2]);
    assert_int_equal(n, 1);
    assert_string_equal(p[0], "user-1");
    assert_int_equal(http_route(routes, N, M_GET, "/user/find/86/13912345678", &rt, p, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(p[0], "86");
    assert_string_equal(p[1], "13912345678");
    /* the table order decides: /user/login is not taken as /user/:id for POST */
    assert_int_equal(http_route(routes, N, M_POST, "/user/login", &rt, p, &n), 0);
    assert_ptr_equal(rt, &routes[0]);
    assert_int_equal(http_route(routes, N, M_GET, "/user/abc", &rt, p, &n), 0);
    assert_ptr_equal(rt, &routes[4]);
    assert_string_equal(p[0], "abc");
}

static void test_misses(void **state)
{
    (void)state;
    const struct route *rt;
    const char *p[HTTP_MAX_PARAMS];
    int n;
    assert_int_equal(http_route(routes, N, M_DELETE, "/user/avatar", &rt, p, &n), -E_METHOD);
    assert_int_equal(http_route(routes, N, M_GET, "/nope", &rt, p, &n), -E_NO_ROUTE);
    assert_int_equal(http_route(routes, N, M_GET, "/server/user/info/", &rt, p, &n), -E_NO_ROUTE);
    assert_int_equal(http_route(routes, N, M_GET, "/server/user/info/a/b", &rt, p, &n), -E_NO_ROUTE);
    assert_int_equal(http_route(routes, N, M_GET, "/user/", &rt, p, &n), -E_NO_ROUTE);
    assert_int_equal(http_route(routes, N, M_GET, "", &rt, p, &n), -E_NO_ROUTE);
    assert_int_equal(http_route(routes, N, M_GET, "user/login", &rt, p, &n), -E_NO_ROUTE);
    char longp[4096];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    longp[sizeof(longp) - 1] = '\0';
    assert_int_equal(http_route(routes, N, M_GET, longp, &rt, p, &n), -E_NO_ROUTE);
}

static void test_methods(void **state)
{
    (void)state;
    assert_int_equal(http_method_bit("GET"), M_GET);
    assert_int_equal(http_method_bit("POST"), M_POST);
    assert_int_equal(http_method_bit("PUT"), M_PUT);
    assert_int_equal(http_method_bit("DELETE"), M_DELETE);
    assert_int_equal(http_method_bit("PATCH"), M_OTHER);
    assert_int_equal(http_method_bit("get"), M_OTHER);
}

/* The Allow header of a 405: every method a matching route serves, in a fixed order. */
static void test_allow(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(http_method_names(a, http_route_methods(routes, N, "/user/avatar")), "GET, POST, PUT");
    assert_string_equal(http_method_names(a, http_route_methods(routes, N, "/server/user/info/x")), "GET");
    assert_string_equal(http_method_names(a, M_DELETE | M_GET), "GET, DELETE");
    assert_string_equal(http_method_names(a, M_OTHER), "");
    assert_string_equal(http_method_names(a, 0), "");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal),
        cmocka_unit_test(test_captures),
        cmocka_unit_test(test_misses),
        cmocka_unit_test(test_methods),
        cmocka_unit_test(test_allow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
