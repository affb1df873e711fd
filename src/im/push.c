/*
 * IM face: push. POST|PUT /user/token/bind, POST|DELETE /user/token/unbind,
 * POST /user/push/alias, GET|POST|DELETE /user/push/tag,
 * DELETE /user/push/tag/all, POST /user/push/badge.
 */
#include "core/devices.h"
#include "core/push.h"
#include "core/settings.h"
#include "im/im.h"


/* {device_sn, device_token, notifier_name}, all required. */
void im_token_bind(struct http_req *r)
{
    json_t *o = http_json_body(r);
    int64_t uid, sn;
    const char *token, *notifier;
    int rc = o ? im_target(r, &uid) : -E_INVALID;
    if (!rc)
        rc = jf_int(r, o, "device_sn", 1, 1, IM_DEVICE_SN_MAX, &sn);
    if (!rc)
        rc = jf_str(r, o, "device_token", 1, 1, DEVICE_TOKEN_MAX, &token);
    if (!rc && dev_check_push_token(token, DEVICE_TOKEN_MAX))
        rc = http_invalid(r, "device_token must be printable ASCII without spaces");
    if (!rc)
        rc = jf_str(r, o, "notifier_name", 1, 1, NOTIFIER_NAME_MAX, &notifier);
    if (!rc && dev_check_notifier(notifier))
        rc = http_invalid(r, "notifier_name must be 1-%d of letters, digits, '_', '.', '-'", NOTIFIER_NAME_MAX);
    if (!rc)
        rc = dev_bind_push(&r->ctx, uid, sn, token, notifier);
    if (rc == -E_NOT_FOUND)
        r->why = "the user has no such device";
    im_done(r, rc);
}

/* deviceSn (the document's camelCase; device_sn, the SDK's spelling elsewhere, accepted too). */
void im_token_unbind(struct http_req *r)
{
    int64_t uid, sn;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = im_q_int(r, "deviceSn device_sn", 1, 1, IM_DEVICE_SN_MAX, &sn);
    if (!rc)
        rc = dev_bind_push(&r->ctx, uid, sn, "", "");
    if (rc == -E_NOT_FOUND)
        r->why = "the user has no such device";
    im_done(r, rc);
}

/* {alias, push_token?}: alias "" clears it. */
void im_push_alias(struct http_req *r)
{
    json_t *o = http_json_body(r);
    struct user_settings s = {0};
    unsigned mask = STG_ALIAS;
    int64_t uid;
    int rc = o ? im_target(r, &uid) : -E_INVALID;
    if (!rc)
        rc = im_j_text(r, o, "alias", 1, 0, SETTINGS_ALIAS_MAX, 0, &s.alias);
    if (!rc && (rc = jf_str(r, o, "push_token", 0, 0, SETTINGS_PUSH_TOKEN_MAX, &s.push_token)) == 0) {
        mask |= STG_PUSH_TOKEN;
        if (*s.push_token && dev_check_push_token(s.push_token, SETTINGS_PUSH_TOKEN_MAX))
            rc = http_invalid(r, "push_token must be printable ASCII without spaces");
    }
    if (rc > 0)
        rc = 0;
    if (!rc)
        rc = settings_update(&r->ctx, uid, mask, &s);
    im_done(r, rc);
}

/* {tags:[...]}: 1-PUSH_TAGS_MAX strings of 1-PUSH_TAG_MAX characters. */
static int parse_tags(struct http_req *r, const char ***tags, size_t *n)
{
    json_t *o = http_json_body(r), *list, *tag;
    size_t i;
    if (!o)
        return -E_INVALID;
    list = json_is_object(o) ? json_object_get(o, "tags") : NULL;
    if (!json_is_array(list))
        return http_invalid(r, "tags must be an array of strings");
    if (json_array_size(list) < 1 || json_array_size(list) > PUSH_TAGS_MAX)
        return http_invalid(r, "tags must have 1 to %d items", PUSH_TAGS_MAX);
    *tags = arena_alloc(r->a, json_array_size(list) * sizeof(**tags));
    *n = 0;
    json_array_foreach(list, i, tag) {
        if (!json_is_string(tag))
            return http_invalid(r, "tags[%zu] must be a string", i);
        int rc = im_check_text(r, "tag", json_string_value(tag), json_string_length(tag), 1, PUSH_TAG_MAX, 0);
        if (rc)
            return rc;
        (*tags)[(*n)++] = json_string_value(tag);
    }
    return 0;
}

void im_push_tags_get(struct http_req *r)
{
    int64_t uid;
    const char **tags = NULL;
    size_t n = 0;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = push_tags_list(&r->ctx, uid, &tags, &n);
    if (rc) {
        im_fail(r, rc);
        return;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, json_string(tags[i]));
    im_ok(r, out);
}

static void change_tags(struct http_req *r, int add)
{
    int64_t uid;
    const char **tags = NULL;
    size_t n = 0;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = parse_tags(r, &tags, &n);
    if (!rc)
        rc = add ? push_tags_add(&r->ctx, uid, tags, n) : push_tags_remove(&r->ctx, uid, tags, n);
    if (rc == -E_INVALID && !r->why)
        r->why = arena_printf(r->a, "a user has at most %d tags", PUSH_TAGS_MAX);
    im_done(r, rc);
}

void im_push_tags_add(struct http_req *r) { change_tags(r, 1); }
void im_push_tags_remove(struct http_req *r) { change_tags(r, 0); }

void im_push_tags_clear(struct http_req *r)
{
    int64_t uid;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = push_tags_clear(&r->ctx, uid);
    im_done(r, rc);
}

/* {badge}: 0 to 2^31-1. */
void im_push_badge(struct http_req *r)
{
    json_t *o = http_json_body(r);
    struct user_settings s = {0};
    int64_t uid, badge;
    int rc = o ? im_target(r, &uid) : -E_INVALID;
    if (!rc)
        rc = jf_int(r, o, "badge", 1, 0, SETTINGS_BADGE_MAX, &badge);
    if (!rc) {
        s.badge = (int)badge;
        rc = settings_update(&r->ctx, uid, STG_BADGE, &s);
    }
    im_done(r, rc);
}
