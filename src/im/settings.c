/*
 * IM face: the settings. GET|POST|PUT /user/settings and the one-field
 * setters (download, authmode, sounds, vibratory, push, push/detail,
 * push/nickname, push/limit), each visible afterwards in GET /user/settings.
 */
#include <stddef.h>
#include <string.h>

#include "core/accounts.h"
#include "core/devices.h"
#include "core/settings.h"
#include "im/im.h"

json_t *im_settings_json(const struct user_settings *s, int64_t user_id)
{
    return json_pack("{s:I,s:I,s:i,s:s,s:s,s:b,s:b,s:b,s:b,s:i,s:i,s:b,s:s,s:s,s:i,s:i,s:b}",
                     "id", (json_int_t)s->account_id, "user_id", (json_int_t)user_id, "auth_mode",
                     s->auth_mode, "auth_question", s->auth_question, "auth_answer", s->auth_answer,
                     "auto_download", s->auto_download, "group_confirm", s->group_confirm, "no_push",
                     s->no_push, "no_push_detail", s->no_push_detail, "no_push_start_hour",
                     s->no_push_start_hour, "no_push_end_hour", s->no_push_end_hour, "no_sounds",
                     s->no_sounds, "push_nick_name", s->push_nick_name, "push_token", s->push_token,
                     "silence_start_time", s->silence_start_time, "silence_end_time", s->silence_end_time,
                     "vibratory", s->vibratory);
}

void im_settings_get(struct http_req *r)
{
    int64_t uid;
    struct user_settings s;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = acct_settings(&r->ctx, uid, &s);
    if (rc)
        im_fail(r, rc);
    else
        im_ok(r, im_settings_json(&s, uid));
}

/* The writable fields of the settings object, their types and limits. */
enum kind { K_INT, K_BOOL, K_TEXT, K_TOKEN };
static const struct field {
    const char *key;
    unsigned bit;
    enum kind kind;
    size_t off;
    int max; /* K_INT: 0..max; K_TEXT: characters; K_TOKEN: bytes */
} fields[] = {
#define F(key, bit, kind, max) {#key, bit, kind, offsetof(struct user_settings, key), max}
    F(auth_mode, STG_AUTH_MODE, K_INT, SETTINGS_AUTH_MODE_MAX),
    F(auth_question, STG_AUTH_QUESTION, K_TEXT, SETTINGS_AUTH_TEXT_MAX),
    F(auth_answer, STG_AUTH_ANSWER, K_TEXT, SETTINGS_AUTH_TEXT_MAX),
    F(auto_download, STG_AUTO_DOWNLOAD, K_BOOL, 1),
    F(group_confirm, STG_GROUP_CONFIRM, K_BOOL, 1),
    F(no_push, STG_NO_PUSH, K_BOOL, 1),
    F(no_push_detail, STG_NO_PUSH_DETAIL, K_BOOL, 1),
    F(no_push_start_hour, STG_NO_PUSH_START_HOUR, K_INT, SETTINGS_HOUR_MAX),
    F(no_push_end_hour, STG_NO_PUSH_END_HOUR, K_INT, SETTINGS_HOUR_MAX),
    F(no_sounds, STG_NO_SOUNDS, K_BOOL, 1),
    F(push_nick_name, STG_PUSH_NICK_NAME, K_TEXT, SETTINGS_PUSH_NICK_MAX),
    F(push_token, STG_PUSH_TOKEN, K_TOKEN, SETTINGS_PUSH_TOKEN_MAX),
    F(silence_start_time, STG_SILENCE_START_TIME, K_INT, SETTINGS_HOUR_MAX),
    F(silence_end_time, STG_SILENCE_END_TIME, K_INT, SETTINGS_HOUR_MAX),
    F(vibratory, STG_VIBRATORY, K_BOOL, 1),
#undef F
};

static const struct field *field_named(const char *key)
{
    for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++)
        if (!strcmp(fields[i].key, key))
            return &fields[i];
    return NULL;
}

static int *int_at(struct user_settings *s, const struct field *f) { return (int *)((char *)s + f->off); }
static const char **str_at(struct user_settings *s, const struct field *f)
{
    return (const char **)((char *)s + f->off);
}

/* A push token: "" (none) or printable ASCII without spaces. */
static int check_token(struct http_req *r, const char *key, const char *s)
{
    if (*s && dev_check_push_token(s, SETTINGS_PUSH_TOKEN_MAX))
        return http_invalid(r, "%s must be printable ASCII without spaces", key);
    return 0;
}

/* Reads field f from the JSON object o into s; 1 when absent. */
static int read_json(struct http_req *r, json_t *o, const struct field *f, struct user_settings *s)
{
    int64_t n;
    int b, rc;
    switch (f->kind) {
    case K_INT:
        if (!(rc = jf_int(r, o, f->key, 0, 0, f->max, &n)))
            *int_at(s, f) = (int)n;
        return rc;
    case K_BOOL:
        if (!(rc = jf_bool(r, o, f->key, 0, &b)))
            *int_at(s, f) = b;
        return rc;
    case K_TEXT:
        return im_j_text(r, o, f->key, 0, 0, (size_t)f->max, 0, str_at(s, f));
    case K_TOKEN:
        if (!(rc = jf_str(r, o, f->key, 0, 0, (size_t)f->max, str_at(s, f))))
            rc = check_token(r, f->key, *str_at(s, f));
        return rc;
    }
    return -E_INTERNAL;
}

/*
 * POST|PUT: the settings object; the fields given change, the others keep
 * their values. "id" and "user_id" are read-only: type-checked, ignored.
 */
void im_settings_update(struct http_req *r)
{
    json_t *o = http_json_body(r);
    struct user_settings s = {0};
    unsigned mask = 0;
    int64_t uid, ignored;
    int rc = o ? im_target(r, &uid) : -E_INVALID;
    if (!rc && !json_is_object(o))
        rc = http_invalid(r, "the body must be a settings object");
    if (!rc && (rc = jf_int(r, o, "id", 0, 0, INT64_MAX, &ignored)) > 0)
        rc = 0;
    if (!rc && (rc = jf_int(r, o, "user_id", 0, 0, INT64_MAX, &ignored)) > 0)
        rc = 0;
    for (size_t i = 0; !rc && i < sizeof(fields) / sizeof(*fields); i++) {
        rc = read_json(r, o, &fields[i], &s);
        if (rc == 0)
            mask |= fields[i].bit;
        if (rc > 0)
            rc = 0;
    }
    if (!rc)
        rc = settings_update(&r->ctx, uid, mask, &s);
    im_done(r, rc);
}

/*
 * A one-field setter: route data is the settings field, the route's query
 * names the value (and its other name: push/nickname's nick_name or value).
 */
void im_set_setting(struct http_req *r)
{
    const struct field *f = field_named(r->route->data);
    const char *names = r->route->query;
    struct user_settings s = {0};
    int64_t uid, n;
    int rc = im_target(r, &uid);
    if (!rc && !f)
        rc = -E_INTERNAL;
    if (!rc) {
        switch (f->kind) {
        case K_INT:
            if (!(rc = im_q_int(r, names, 1, 0, f->max, &n)))
                *int_at(&s, f) = (int)n;
            break;
        case K_BOOL: rc = im_q_bool(r, names, int_at(&s, f)); break;
        case K_TEXT: rc = im_q_text(r, names, 1, 1, (size_t)f->max, str_at(&s, f)); break;
        case K_TOKEN: rc = -E_INTERNAL; break;
        }
    }
    if (!rc)
        rc = settings_update(&r->ctx, uid, f->bit, &s);
    im_done(r, rc);
}

/* no_push_start_hour=0..23, no_push_end_hour=0..23, both required. */
void im_set_push_limit(struct http_req *r)
{
    struct user_settings s = {0};
    int64_t uid, start, end;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = im_q_int(r, "no_push_start_hour", 1, 0, SETTINGS_HOUR_MAX, &start);
    if (!rc)
        rc = im_q_int(r, "no_push_end_hour", 1, 0, SETTINGS_HOUR_MAX, &end);
    if (!rc) {
        s.no_push_start_hour = (int)start;
        s.no_push_end_hour = (int)end;
        rc = settings_update(&r->ctx, uid, STG_NO_PUSH_START_HOUR | STG_NO_PUSH_END_HOUR, &s);
    }
    im_done(r, rc);
}
