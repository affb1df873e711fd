/* JSON request bodies (jansson) and bounded field readers shared by the faces. */
#include <stdarg.h>
#include <string.h>

#include "core/text.h"
#include "http/http.h"

const struct face_error *face_error_find(const struct face_error *t, size_t n, int err)
{
    if (err < 0)
        err = -err;
    const struct face_error *internal = NULL;
    for (size_t i = 0; i < n; i++) {
        if (t[i].err == err)
            return &t[i];
        if (t[i].err == E_INTERNAL)
            internal = &t[i];
    }
    return internal ? internal : &t[0];
}

int http_invalid(struct http_req *r, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    r->why = arena_strdup(r->a, buf);
    return -E_INVALID;
}

static void decref(void *p) { json_decref(p); }

json_t *http_json_body(struct http_req *r)
{
    if (!r->body_len) {
        http_invalid(r, "a JSON body is required");
        return NULL;
    }
    json_error_t e;
    json_t *o = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &e);
    if (!o) {
        http_invalid(r, "malformed JSON at line %d column %d: %s", e.line, e.column, e.text);
        return NULL;
    }
    arena_on_free(r->a, decref, o);
    return o;
}

int jf_str(struct http_req *r, json_t *o, const char *key, int required, size_t min, size_t max, const char **out)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (!v || json_is_null(v))
        return required ? http_invalid(r, "%s is required", key) : 1;
    if (!json_is_string(v))
        return http_invalid(r, "%s must be a string", key);
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (strlen(s) != n)
        return http_invalid(r, "%s must not contain NUL", key);
    if (n < min || n > max)
        return http_invalid(r, "%s must be %zu to %zu bytes", key, min, max);
    if (text_has_control(s, n, 0))
        return http_invalid(r, "%s must not contain control characters", key);
    *out = s;
    return 0;
}

int jf_int(struct http_req *r, json_t *o, const char *key, int required, int64_t min, int64_t max, int64_t *out)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (!v || json_is_null(v))
        return required ? http_invalid(r, "%s is required", key) : 1;
    if (!json_is_integer(v))
        return http_invalid(r, "%s must be an integer", key);
    json_int_t n = json_integer_value(v);
    if (n < min || n > max)
        return http_invalid(r, "%s must be %lld to %lld", key, (long long)min, (long long)max);
    *out = n;
    return 0;
}

int jf_bool(struct http_req *r, json_t *o, const char *key, int required, int *out)
{
    json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
    if (!v || json_is_null(v))
        return required ? http_invalid(r, "%s is required", key) : 1;
    if (!json_is_boolean(v))
        return http_invalid(r, "%s must be true or false", key);
    *out = json_is_true(v);
    return 0;
}
