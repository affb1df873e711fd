/* IM face: readers for query arguments, raw bodies and JSON fields, with their checks. */
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

int im_q_text(struct http_req *r, const char *name, int required, size_t min, size_t max, const char **out)
{
    const char *v = http_query(r, name);
    if (!v)
        return required ? http_invalid(r, "query argument %s is required", name) : 1;
    int rc = im_check_text(r, name, v, strlen(v), min, max, 0);
    if (!rc)
        *out = v;
    return rc;
}

int im_q_int(struct http_req *r, const char *name, int required, int64_t min, int64_t max, int64_t *out)
{
    const char *v = http_query(r, name);
    int64_t n;
    if (!v)
        return required ? http_invalid(r, "query argument %s is required", name) : 1;
    if (text_to_int(v, &n))
        return http_invalid(r, "%s must be an integer", name);
    if (n < min || n > max)
        return http_invalid(r, "%s must be %lld to %lld", name, (long long)min, (long long)max);
    *out = n;
    return 0;
}

int im_q_bool(struct http_req *r, const char *name, int *out)
{
    const char *v = http_query(r, name);
    if (!v)
        return http_invalid(r, "query argument %s is required", name);
    if (!strcasecmp(v, "true") || !strcmp(v, "1"))
        *out = 1;
    else if (!strcasecmp(v, "false") || !strcmp(v, "0"))
        *out = 0;
    else
        return http_invalid(r, "%s must be true or false", name);
    return 0;
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
