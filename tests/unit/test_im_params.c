/*
 * The IM face's both-places rule (docs/im.md, "Where parameters are read
 * from"): every parameter the document puts in the query is also read from
 * a JSON object body.
 *
 * - The route table records each route's query parameters (ROUTE_Q), and
 *   they are exactly the ones docs/im.md's endpoint table lists as "query",
 *   so a route added to the document with query parameters cannot be left
 *   out of the table (and a handler cannot read one the table does not
 *   declare: im_arg refuses it).
 * - Every declared parameter of every route is found in a JSON body when
 *   the query lacks it (a request with no connection has no query:
 *   libmicrohttpd answers NULL for it).
 * - The typed readers: numbers, booleans, text, and values given twice.
 *
 * Run from the repository root (make unit does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "im/im.h"

/* A request of route rt with this body and no query. */
static struct http_req *req(struct arena *a, const struct route *rt, const char *body)
{
    struct http_req *r = arena_alloc(a, sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->a = a;
    r->route = rt;
    r->body = arena_strdup(a, body);
    r->body_len = strlen(body);
    return r;
}

/* Adds the word w (n bytes) to the space-separated set s, unless there. */
static void add_word(char *s, size_t cap, const char *w, size_t n)
{
    char word[64];
    snprintf(word, sizeof(word), "%.*s", (int)n, w);
    for (const char *p = s; *p;) {
        size_t k = strcspn(p, " ");
        if (k == n && !strncmp(p, word, n))
            return;
        p += k + (p[k] == ' ');
    }
    size_t len = strlen(s);
    snprintf(s + len, cap - len, "%s%s", len ? " " : "", word);
}

/* 1 when the space-separated sets a and b hold the same words. */
static int same_set(const char *a, const char *b)
{
    char ab[512] = "", ba[512] = "";
    snprintf(ab, sizeof(ab), "%s", a);
    snprintf(ba, sizeof(ba), "%s", b);
    for (const char *p = b; *p;) {
        size_t k = strcspn(p, " ");
        add_word(ab, sizeof(ab), p, k);
        p += k + (p[k] == ' ');
    }
    for (const char *p = a; *p;) {
        size_t k = strcspn(p, " ");
        add_word(ba, sizeof(ba), p, k);
        p += k + (p[k] == ' ');
    }
    return strlen(ab) == strlen(a) && strlen(ba) == strlen(b);
}

/*
 * The query parameters docs/im.md's endpoint table gives path: the
 * backquoted words after "query" in its input column, up to "->" (what
 * follows names the settings field), a trailing "?" (optional) dropped.
 */
static int doc_query(const char *path, char *out, size_t cap)
{
    FILE *f = fopen("docs/im.md", "r");
    char line[2048], cell[64];
    int rows = 0;
    assert_non_null(f);
    snprintf(cell, sizeof(cell), "| `%s` |", path);
    out[0] = '\0';
    while (fgets(line, sizeof(line), f)) {
        char *at = strstr(line, cell);
        if (line[0] != '|' || !at)
            continue;
        rows++;
        char *input = strchr(at + strlen(cell), '|'); /* past the auth column */
        assert_non_null(input);
        char *end = strchr(input + 1, '|'), *arrow = strstr(input, "->");
        if (arrow && arrow < end)
            end = arrow;
        char *q = strstr(input, "query ");
        if (!q || q > end)
            continue;
        for (char *p = strchr(q, '`'); p && p < end; p = strchr(p, '`')) {
            char *close = strchr(p + 1, '`');
            assert_non_null(close);
            size_t n = (size_t)(close - p - 1);
            if (n && p[n] == '?')
                n--;
            add_word(out, cap, p + 1, n);
            p = close + 1;
        }
    }
    fclose(f);
    return rows;
}

static void test_table_matches_document(void **state)
{
    (void)state;
    int checked = 0;
    for (size_t i = 0; i < im_face.n_routes; i++) {
        const struct route *rt = &im_face.routes[i];
        char want[512];
        int rows = doc_query(rt->pattern, want, sizeof(want));
        if (!rows)
            fail_msg("docs/im.md has no row for %s", rt->pattern);
        const char *have = rt->query ? rt->query : "";
        if (!same_set(have, want))
            fail_msg("%s: the route table declares \"%s\", docs/im.md lists \"%s\"", rt->pattern, have, want);
        checked += *want != '\0';
    }
    assert_true(checked >= 15); /* the document's query routes are all there */
}

static void test_every_declared_parameter_is_read_from_the_body(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (size_t i = 0; i < im_face.n_routes; i++) {
        const struct route *rt = &im_face.routes[i];
        for (const char *p = rt->query ? rt->query : ""; *p;) {
            size_t k = strcspn(p, " ");
            char name[64], body[128];
            struct im_arg arg;
            snprintf(name, sizeof(name), "%.*s", (int)k, p);
            snprintf(body, sizeof(body), "{\"%s\": \"7\", \"other\": 1}", name);
            assert_int_equal(im_arg(req(a, rt, body), name, &arg), 0);
            if (arg.n != 1 || !arg.json[0] || strcmp(json_string_value(arg.json[0]), "7"))
                fail_msg("%s: %s is not read from the body", rt->pattern, name);
            /* absent from both places, and a body that is no JSON object, give no value */
            assert_int_equal(im_arg(req(a, rt, "{\"other\": 1}"), name, &arg), 0);
            assert_int_equal(arg.n, 0);
            assert_int_equal(im_arg(req(a, rt, "[1]"), name, &arg), 0);
            assert_int_equal(arg.n, 0);
            assert_int_equal(im_arg(req(a, rt, "not json"), name, &arg), 0);
            assert_int_equal(arg.n, 0);
            p += k + (p[k] == ' ');
        }
    }
    arena_free(a);
}

static void test_undeclared_parameters_are_refused(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    static const struct route bare = ROUTE(M_POST, "/x", NULL, 0);
    static const struct route one = ROUTE_Q(M_POST, "/y", NULL, 0, NULL, "device_sn");
    struct im_arg arg;
    struct http_req *r = req(a, &bare, "{\"value\": true}");
    assert_int_equal(im_arg(r, "value", &arg), -E_INTERNAL);
    assert_non_null(r->why);
    assert_int_equal(im_arg(req(a, &one, "{}"), "deviceSn device_sn", &arg), -E_INTERNAL);
    assert_int_equal(im_arg(req(a, &one, "{}"), "device_sn", &arg), 0);
    assert_true(im_declares(&one, "device_sn"));
    assert_false(im_declares(&one, "device"));
    assert_false(im_declares(&one, "device_sn2"));
    assert_false(im_declares(&bare, "value"));
    arena_free(a);
}

/* An im_arg by hand: text values (the query) then JSON values (the body, as JSON text). */
static struct im_arg arg_of(const char *q1, const char *q2, const char *j1, const char *j2)
{
    struct im_arg x = {.name = "value"};
    const char *qs[2] = {q1, q2}, *js[2] = {j1, j2};
    for (int i = 0; i < 2; i++)
        if (qs[i])
            x.text[x.n++] = qs[i];
    for (int i = 0; i < 2; i++)
        if (js[i]) {
            json_t *v = json_loads(js[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
            assert_non_null(v);
            x.json[x.n++] = v;
        }
    return x;
}

static void drop(struct im_arg *x)
{
    for (int i = 0; i < x->n; i++)
        json_decref(x->json[i]);
}

static int int_of(struct http_req *r, const char *q, const char *j, int64_t *out)
{
    struct im_arg x = arg_of(q, NULL, j, NULL);
    int rc = im_arg_int(r, &x, 1, 0, 23, out);
    drop(&x);
    return rc;
}

static void test_integers(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct http_req *r = req(a, NULL, "");
    int64_t n = -1;
    assert_int_equal(int_of(r, "7", NULL, &n), 0);
    assert_int_equal(n, 7);
    assert_int_equal(int_of(r, NULL, "8", &n), 0); /* a JSON number */
    assert_int_equal(n, 8);
    assert_int_equal(int_of(r, NULL, "\"9\"", &n), 0); /* a numeric string */
    assert_int_equal(n, 9);
    assert_int_equal(int_of(r, "5", "5", &n), 0); /* both places, agreeing */
    assert_int_equal(n, 5);
    assert_int_equal(int_of(r, "5", "\"5\"", &n), 0);
    static const char *const bad_json[] = {"5.0", "true", "null", "\"5x\"", "\"\"", "[5]", "{}", "\"0x5\"", "24", "-1"};
    for (size_t i = 0; i < sizeof(bad_json) / sizeof(*bad_json); i++)
        if (int_of(r, NULL, bad_json[i], &n) != -E_INVALID)
            fail_msg("the body value %s is taken as an integer", bad_json[i]);
    static const char *const bad_text[] = {"", "x", "1.5", "24", "-1", " 1", "99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad_text) / sizeof(*bad_text); i++)
        if (int_of(r, bad_text[i], NULL, &n) != -E_INVALID)
            fail_msg("the query value \"%s\" is taken as an integer", bad_text[i]);
    assert_int_equal(int_of(r, "5", "6", &n), -E_INVALID); /* both places, disagreeing */
    assert_non_null(strstr(r->why, "different values"));
    struct im_arg none = {.name = "value"};
    assert_int_equal(im_arg_int(r, &none, 0, 0, 23, &n), 1);
    assert_int_equal(im_arg_int(r, &none, 1, 0, 23, &n), -E_INVALID);
    arena_free(a);
}

static int bool_of(struct http_req *r, const char *q, const char *j, int *out)
{
    struct im_arg x = arg_of(q, NULL, j, NULL);
    int rc = im_arg_bool(r, &x, 1, out);
    drop(&x);
    return rc;
}

static void test_booleans(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct http_req *r = req(a, NULL, "");
    int b = -1;
    static const struct {
        const char *q, *j;
        int want;
    } good[] = {{"true", NULL, 1}, {"FALSE", NULL, 0}, {"1", NULL, 1}, {"0", NULL, 0}, {NULL, "true", 1},
                {NULL, "false", 0}, {"true", "true", 1}, {"1", "true", 1}, {"false", "false", 0}};
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
        assert_int_equal(bool_of(r, good[i].q, good[i].j, &b), 0);
        assert_int_equal(b, good[i].want);
    }
    static const char *const bad_json[] = {"\"true\"", "1", "0", "null", "\"\""};
    for (size_t i = 0; i < sizeof(bad_json) / sizeof(*bad_json); i++)
        if (bool_of(r, NULL, bad_json[i], &b) != -E_INVALID)
            fail_msg("the body value %s is taken as a boolean", bad_json[i]);
    static const char *const bad_text[] = {"", "yes", "2", "truee"};
    for (size_t i = 0; i < sizeof(bad_text) / sizeof(*bad_text); i++)
        if (bool_of(r, bad_text[i], NULL, &b) != -E_INVALID)
            fail_msg("the query value \"%s\" is taken as a boolean", bad_text[i]);
    assert_int_equal(bool_of(r, "true", "false", &b), -E_INVALID);
    arena_free(a);
}

static void test_text_and_two_names(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct http_req *r = req(a, NULL, "");
    const char *s = NULL;
    struct im_arg x = arg_of(NULL, NULL, "\"Pushy\"", NULL);
    assert_int_equal(im_arg_text(r, &x, 1, 1, 64, &s), 0);
    assert_string_equal(s, "Pushy");
    drop(&x);
    x = arg_of(NULL, NULL, "5", NULL); /* text must be a JSON string */
    assert_int_equal(im_arg_text(r, &x, 1, 1, 64, &s), -E_INVALID);
    drop(&x);
    x = arg_of(NULL, NULL, "\"a\\u0000b\"", NULL);
    assert_int_equal(im_arg_text(r, &x, 1, 1, 64, &s), -E_INVALID);
    drop(&x);
    x = arg_of("Same", NULL, "\"Same\"", NULL);
    assert_int_equal(im_arg_text(r, &x, 1, 1, 64, &s), 0);
    drop(&x);
    x = arg_of("One", NULL, "\"Other\"", NULL);
    assert_int_equal(im_arg_text(r, &x, 1, 1, 64, &s), -E_INVALID);
    drop(&x);
    /* two names of one parameter (deviceSn, device_sn) must agree as well */
    x = arg_of("3", "4", NULL, NULL);
    int64_t n;
    assert_int_equal(im_arg_int(r, &x, 1, 1, 100, &n), -E_INVALID);
    drop(&x);
    x = arg_of("3", NULL, "3", "\"3\"");
    assert_int_equal(im_arg_int(r, &x, 1, 1, 100, &n), 0);
    assert_int_equal(n, 3);
    drop(&x);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_matches_document),
        cmocka_unit_test(test_every_declared_parameter_is_read_from_the_body),
        cmocka_unit_test(test_undeclared_parameters_are_refused),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_text_and_two_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
