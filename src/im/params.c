/*
 * IM face: readers for the parameters the document puts in the query (read
 * from the query, else from a JSON object body: docs/im.md), raw bodies and
 * JSON fields, with their checks.
 */
#include <string.h>
#include <strings.h>

#include "core/accounts.h"
#include "core/text.h"
#include "im/im.h"

int im_check_text(struct http_req *r, const char *field, const char *s, size_t n, size_t min, size_t max,
                  int multiline)
{
    switch (text_check(s, n, min, max, multiline)) {
    case TEXT_OK: return 0;
    case TEXT_NUL: return http_invalid(r, "%s must not contain NUL", field);
    case TEXT_UTF8: return http_invalid(r, "%s must be valid UTF-8", field);
    case TEXT_CONTROL: return http_invalid(r, "%s must not contain control characters", field);
    case TEXT_LENGTH: break;
    }
    return http_invalid(r, "%s must be %zu to %zu characters", field, min, max);
}

/* ---- parameters the document puts in the query: the query, else a JSON object body ---- */

int im_declares(const struct route *rt, const char *name)
{
    size_t n = strlen(name);
    for (const char *q = rt ? rt->query : NULL; q && *q;) {
        size_t k = strcspn(q, " ");
        if (k == n && !strncmp(q, name, n))
            return 1;
        q += k;
        q += strspn(q, " ");
    }
    return 0;
}

static void decref(void *p) { json_decref(p); }

/* The body as a JSON object, or NULL (none, malformed, or not an object: then it holds no parameter). */
static json_t *body_object(struct http_req *r)
{
    if (!r->body_len)
        return NULL;
    json_t *o = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, NULL);
    if (!o)
        return NULL;
    arena_on_free(r->a, decref, o);
    return json_is_object(o) ? o : NULL;
}

int im_arg(struct http_req *r, const char *names, struct im_arg *out)
{
    json_t *body = body_object(r);
    memset(out, 0, sizeof(*out));
    for (const char *p = names; *p;) {
        size_t k = strcspn(p, " ");
        const char *name = arena_strndup(r->a, p, k);
        if (!out->name)
            out->name = name;
        if (!im_declares(r->route, name)) {
            r->why = arena_printf(r->a, "the route does not declare the query argument %s", name);
            return -E_INTERNAL;
        }
        const char *q = http_query(r, name);
        json_t *j = json_object_get(body, name);
        if (q && out->n < IM_ARG_VALUES)
            out->text[out->n++] = q;
        if (j && out->n < IM_ARG_VALUES) /* null too: no type takes it, so it is refused, never "absent" */
            out->json[out->n++] = j;
        p += k;
        p += strspn(p, " ");
    }
    return 0;
}

static int absent(struct http_req *r, const struct im_arg *a, int required)
{
    return required ? http_invalid(r, "%s is required (in the query or the JSON body)", a->name) : 1;
}

static int disagree(struct http_req *r, const struct im_arg *a)
{
    return http_invalid(r, "%s is given twice with different values", a->name);
}

int im_arg_text(struct http_req *r, const struct im_arg *a, int required, size_t min, size_t max, const char **out)
{
    const char *first = NULL;
    if (!a->n)
        return absent(r, a, required);
    for (int i = 0; i < a->n; i++) {
        const char *s = a->text[i];
        size_t n = s ? strlen(s) : 0;
        if (!s) {
            if (!json_is_string(a->json[i]))
                return http_invalid(r, "%s must be a string", a->name);
            s = json_string_value(a->json[i]);
            n = json_string_length(a->json[i]);
        }
        int rc = im_check_text(r, a->name, s, n, min, max, 0);
        if (rc)
            return rc;
        if (first && strcmp(first, s))
            return disagree(r, a);
        first = s;
    }
    *out = first;
    return 0;
}

/* A value as an integer: query text or a JSON string of digits (text_to_int), or a JSON integer. */
static int int_value(const char *text, json_t *j, int64_t *out)
{
    if (j && json_is_integer(j)) {
        *out = json_integer_value(j);
        return 0;
    }
    if (j && json_is_string(j) && strlen(json_string_value(j)) == json_string_length(j))
        text = json_string_value(j);
    return text ? text_to_int(text, out) : -E_INVALID;
}

int im_arg_int(struct http_req *r, const struct im_arg *a, int required, int64_t min, int64_t max, int64_t *out)
{
    int64_t first = 0, n;
    if (!a->n)
        return absent(r, a, required);
    for (int i = 0; i < a->n; i++) {
        if (int_value(a->text[i], a->json[i], &n))
            return http_invalid(r, "%s must be an integer", a->name);
        if (n < min || n > max)
            return http_invalid(r, "%s must be %lld to %lld", a->name, (long long)min, (long long)max);
        if (i && n != first)
            return disagree(r, a);
        first = n;
    }
    *out = first;
    return 0;
}

/* A value as a boolean: query text true/false (any case) or 1/0, or a JSON boolean. */
static int bool_value(const char *text, json_t *j, int *out)
{
    if (j) {
        if (!json_is_boolean(j))
            return -E_INVALID;
        *out = json_is_true(j);
    } else if (!strcasecmp(text, "true") || !strcmp(text, "1")) {
        *out = 1;
    } else if (!strcasecmp(text, "false") || !strcmp(text, "0")) {
        *out = 0;
    } else {
        return -E_INVALID;
    }
    return 0;
}

int im_arg_bool(struct http_req *r, const struct im_arg *a, int required, int *out)
{
    int first = 0, b;
    if (!a->n)
        return absent(r, a, required);
    for (int i = 0; i < a->n; i++) {
        if (bool_value(a->text[i], a->json[i], &b))
            return http_invalid(r, "%s must be true or false", a->name);
        if (i && b != first)
            return disagree(r, a);
        first = b;
    }
    *out = first;
    return 0;
}

int im_q_text(struct http_req *r, const char *names, int required, size_t min, size_t max, const char **out)
{
    struct im_arg a;
    int rc = im_arg(r, names, &a);
    return rc ? rc : im_arg_text(r, &a, required, min, max, out);
}

int im_q_int(struct http_req *r, const char *names, int required, int64_t min, int64_t max, int64_t *out)
{
    struct im_arg a;
    int rc = im_arg(r, names, &a);
    return rc ? rc : im_arg_int(r, &a, required, min, max, out);
}

int im_q_bool(struct http_req *r, const char *names, int *out)
{
    struct im_arg a;
    int rc = im_arg(r, names, &a);
    return rc ? rc : im_arg_bool(r, &a, 1, out);
}

int im_j_text(struct http_req *r, json_t *o, const char *key, int required, size_t min, size_t max, int multiline,
              const char **out)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (!v || json_is_null(v))
        return required ? http_invalid(r, "%s is required", key) : 1;
    if (!json_is_string(v))
        return http_invalid(r, "%s must be a string", key);
    int rc = im_check_text(r, key, json_string_value(v), json_string_length(v), min, max, multiline);
    if (!rc)
        *out = json_string_value(v);
    return rc;
}

int im_body_text(struct http_req *r, const char *field, size_t max, const char **out)
{
    int rc = im_check_text(r, field, r->body, r->body_len, 0, max, 1);
    if (!rc)
        *out = r->body;
    return rc;
}

int im_body_list(struct http_req *r, size_t max, json_t **list)
{
    json_t *o = http_json_body(r);
    if (!o)
        return -E_INVALID;
    json_t *l = json_is_object(o) ? json_object_get(o, "list") : NULL;
    if (!l || json_is_null(l))
        return http_invalid(r, "list is required");
    if (!json_is_array(l))
        return http_invalid(r, "list must be an array");
    if (json_array_size(l) < 1 || json_array_size(l) > max)
        return http_invalid(r, "list must have 1 to %zu items", max);
    *list = l;
    return 0;
}

unsigned im_batch_cost(struct http_req *r)
{
    json_t *o = http_json_body(r);
    json_t *l = json_is_object(o) ? json_object_get(o, "list") : NULL;
    size_t n = json_is_array(l) ? json_array_size(l) : 0;
    r->why = NULL; /* the handler says what is wrong with the body, if anything */
    return n >= 1 && n <= IM_BATCH_MAX ? (unsigned)n : 1;
}

void im_batch(struct http_req *r, json_t *(*fn)(struct http_req *r, json_t *item))
{
    json_t *list, *item;
    size_t i;
    int rc = im_body_list(r, IM_BATCH_MAX, &list);
    if (rc) {
        im_fail(r, rc);
        return;
    }
    json_t *out = json_array();
    json_array_foreach(list, i, item) {
        r->why = NULL;
        json_array_append_new(out, fn(r, item));
    }
    im_ok(r, out);
}

int im_j_user_id(struct http_req *r, json_t *o, const char *key, int required, int64_t *out)
{
    return jf_int(r, o, key, required, 1, ACCT_ID_MAX, out);
}
