/*
 * The OpenAPI documents (docs/openapi/<face>.json) list exactly the method and
 * path pairs of the faces' route tables: ":name" segments are "{name}", and
 * GET /healthz, which the HTTP layer serves on every listener, is listed too.
 * Run from the repository root (make unit does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "app/app.h"
#include "http/http.h"
#include "im/im.h"
#include "live/live.h"

#define MAX_PAIRS 512
#define PAIR_MAX 256

struct pairs {
    char v[MAX_PAIRS][PAIR_MAX];
    size_t n;
};

static void add(struct pairs *p, const char *method, const char *path)
{
    assert_true(p->n < MAX_PAIRS);
    assert_true(strlen(method) + 1 + strlen(path) < PAIR_MAX);
    snprintf(p->v[p->n++], PAIR_MAX, "%s %s", method, path);
}

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

/* "/server/user/info/:id" -> "/server/user/info/{id}" */
static void template_of(const char *pattern, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *s = pattern; *s; s++) {
        if (*s == ':' && s > pattern && s[-1] == '/') {
            size_t n = strcspn(s + 1, "/");
            assert_true(o + n + 2 < cap);
            out[o++] = '{';
            memcpy(out + o, s + 1, n);
            o += n;
            out[o++] = '}';
            s += n;
        } else {
            assert_true(o + 1 < cap);
            out[o++] = *s;
        }
    }
    out[o] = '\0';
}

static void from_table(const struct face *f, struct pairs *p)
{
    static const struct {
        unsigned bit;
        const char *name;
    } methods[] = {{M_GET, "GET"}, {M_POST, "POST"}, {M_PUT, "PUT"}, {M_DELETE, "DELETE"}};
    char path[512];
    for (size_t i = 0; i < f->n_routes; i++) {
        template_of(f->routes[i].pattern, path, sizeof(path));
        for (size_t m = 0; m < sizeof(methods) / sizeof(*methods); m++)
            if (f->routes[i].methods & methods[m].bit)
                add(p, methods[m].name, path);
    }
    add(p, "GET", "/healthz"); /* the HTTP layer's, on every listener */
}

static void from_document(const char *face, struct pairs *p)
{
    static const char *const methods[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
    char file[256], upper[16];
    snprintf(file, sizeof(file), "docs/openapi/%s.json", face);
    json_error_t e;
    json_t *doc = json_load_file(file, JSON_REJECT_DUPLICATES, &e);
    if (!doc)
        fail_msg("%s: %s (line %d)", file, e.text, e.line);
    assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.1.0");
    json_t *paths = json_object_get(doc, "paths"), *item;
    const char *path;
    assert_true(json_is_object(paths));
    json_object_foreach(paths, path, item) {
        for (size_t m = 0; m < sizeof(methods) / sizeof(*methods); m++) {
            if (!json_object_get(item, methods[m]))
                continue;
            size_t k = 0;
            for (; methods[m][k] && k + 1 < sizeof(upper); k++)
                upper[k] = (char)(methods[m][k] - 'a' + 'A');
            upper[k] = '\0';
            add(p, upper, path);
        }
    }
    json_decref(doc);
}

/* Prints what one side lists and the other does not; returns how many. */
static size_t diff(const char *face, struct pairs *table, struct pairs *doc)
{
    size_t i = 0, j = 0, bad = 0;
    qsort(table->v, table->n, PAIR_MAX, cmp);
    qsort(doc->v, doc->n, PAIR_MAX, cmp);
    while (i < table->n || j < doc->n) {
        int c = i == table->n ? 1 : j == doc->n ? -1 : strcmp(table->v[i], doc->v[j]);
        if (c < 0)
            print_error("%s: route table has %s, docs/openapi/%s.json does not\n", face, table->v[i++], face), bad++;
        else if (c > 0)
            print_error("%s: docs/openapi/%s.json has %s, the route table does not\n", face, face, doc->v[j++]), bad++;
        else if (i + 1 < table->n && !strcmp(table->v[i], table->v[i + 1]))
            print_error("%s: route table serves %s twice\n", face, table->v[i++]), bad++;
        else
            i++, j++;
    }
    return bad;
}

static void check(const char *name, const struct face *f)
{
    static struct pairs table, doc;
    table.n = doc.n = 0;
    from_table(f, &table);
    from_document(name, &doc);
    assert_true(table.n > 1);
    assert_int_equal(diff(name, &table, &doc), 0);
}

static void test_im(void **state) { (void)state, check("im", &im_face); }
static void test_live(void **state) { (void)state, check("live", &live_face); }
static void test_app(void **state) { (void)state, check("app", &app_face); }

static void test_template(void **state)
{
    (void)state;
    char out[128];
    template_of("/user/find/:region/:phone", out, sizeof(out));
    assert_string_equal(out, "/user/find/{region}/{phone}");
    template_of("/user/sync/:version", out, sizeof(out));
    assert_string_equal(out, "/user/sync/{version}");
    template_of("/user/profile", out, sizeof(out));
    assert_string_equal(out, "/user/profile");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template),
        cmocka_unit_test(test_im),
        cmocka_unit_test(test_live),
        cmocka_unit_test(test_app),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
