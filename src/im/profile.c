/*
 * IM face: the profile. GET|POST|PUT /user/profile, /user/profile/batch,
 * /user/avatar, /user/avatar/batch, /user/nickname, /user/mobile,
 * /user/public, /user/private. Nick and avatar are the account's shared
 * fields (the live face's nick/avatar, the app face's nickname/portraitUri).
 */
#include <string.h>

#include "core/accounts.h"
#include "core/users.h"
#include "im/im.h"

void im_profile_get(struct http_req *r)
{
    int64_t uid;
    struct account a;
    int rc = im_target(r, &uid);
    const struct account *self = im(r)->caller.account;
    if (!rc && self && self->id == uid)
        a = *self; /* read with the token: no second query */
    else if (!rc)
        rc = acct_get(&r->ctx, im(r)->app_id, uid, &a);
    if (rc) {
        im_fail(r, rc);
        return;
    }
    im_ok(r, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "user_id", (json_int_t)a.id, "username",
                       a.username, "avatar", a.avatar, "description", a.description, "mobile", a.mobile,
                       "email", a.email, "nick_name", a.nick, "public_info", a.public_info, "private_info",
                       a.private_info));
}

/* An avatar: "" (none), or a picture URL (acct_check_avatar). */
static int check_avatar(struct http_req *r, const char *s)
{
    if (acct_check_avatar(s, AVATAR_MAX))
        return http_invalid(r, "avatar must be \"\" or an http(s) URL of at most %d bytes, without spaces or quotes",
                            AVATAR_MAX);
    return 0;
}

/* The profile fields of o (nick_name, description, public_info, private_info); empty ones are left out. */
static int parse_profile(struct http_req *r, json_t *o, struct account_patch *p)
{
    const struct {
        const char *key;
        size_t min, max;
        int multiline;
        const char **out;
    } fields[] = {
        {"nick_name", 0, NICK_MAX, 0, &p->nick},
        {"description", 0, IM_DESCRIPTION_MAX, 1, &p->description},
        {"public_info", 0, IM_INFO_MAX, 1, &p->public_info},
        {"private_info", 0, IM_INFO_MAX, 1, &p->private_info},
    };
    memset(p, 0, sizeof(*p));
    if (!json_is_object(o))
        return http_invalid(r, "the body must be a JSON object");
    for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
        int rc = im_j_text(r, o, fields[i].key, 0, fields[i].min, fields[i].max, fields[i].multiline, fields[i].out);
        if (rc < 0)
            return rc;
        if (*fields[i].out && !**fields[i].out)
            *fields[i].out = NULL; /* "only the non-empty fields change" */
    }
    return 0;
}

void im_profile_update(struct http_req *r)
{
    json_t *o = http_json_body(r);
    struct account_patch p;
    int64_t uid;
    int rc = o ? im_target(r, &uid) : -E_INVALID;
    if (!rc)
        rc = parse_profile(r, o, &p);
    if (!rc)
        rc = acct_update_profile(&r->ctx, im(r)->app_id, uid, &p);
    im_done(r, rc);
}

/* One batch item: {user_id, success, reason}. */
static json_t *item_result(struct http_req *r, int64_t uid, int rc)
{
    return json_pack("{s:I,s:b,s:s}", "user_id", (json_int_t)uid, "success", !rc, "reason",
                     rc ? im_reason(r, rc) : "");
}

/*
 * The user_id of a batch item: required with an admin token that names no
 * user; otherwise the account acted on when absent, and refused when it is
 * another account.
 */
static int item_user(struct http_req *r, json_t *item, int64_t *uid)
{
    *uid = 0;
    if (!json_is_object(item))
        return http_invalid(r, "each item must be a JSON object");
    int rc = im_j_user_id(r, item, "user_id", !im(r)->user_id, uid);
    if (rc > 0)
        *uid = im(r)->user_id;
    return rc < 0 ? rc : im_may_act_on(r, *uid);
}

static json_t *profile_item(struct http_req *r, json_t *item)
{
    struct account_patch p;
    int64_t uid;
    int rc = item_user(r, item, &uid);
    if (!rc)
        rc = parse_profile(r, item, &p);
    if (!rc)
        rc = acct_update_profile(&r->ctx, im(r)->app_id, uid, &p);
    return item_result(r, uid, rc);
}

void im_profile_batch(struct http_req *r) { im_batch(r, profile_item); }

void im_set_avatar(struct http_req *r)
{
    json_t *o = http_json_body(r);
    struct account_patch p = {0};
    int64_t uid;
    int rc = o ? im_target(r, &uid) : -E_INVALID;
    if (!rc)
        rc = jf_str(r, o, "avatar", 1, 0, AVATAR_MAX, &p.avatar);
    if (!rc)
        rc = check_avatar(r, p.avatar);
    if (!rc)
        rc = acct_update_profile(&r->ctx, im(r)->app_id, uid, &p);
    im_done(r, rc);
}

static json_t *avatar_item(struct http_req *r, json_t *item)
{
    struct account_patch p = {0};
    int64_t uid;
    int rc = item_user(r, item, &uid);
    if (!rc)
        rc = jf_str(r, item, "avatar", 1, 0, AVATAR_MAX, &p.avatar);
    if (!rc)
        rc = check_avatar(r, p.avatar);
    if (!rc)
        rc = acct_update_profile(&r->ctx, im(r)->app_id, uid, &p);
    return item_result(r, uid, rc);
}

void im_avatar_batch(struct http_req *r) { im_batch(r, avatar_item); }

void im_set_nickname(struct http_req *r)
{
    struct account_patch p = {0};
    int64_t uid;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = im_q_text(r, "nick_name", 1, 1, NICK_MAX, &p.nick);
    if (!rc)
        rc = acct_update_profile(&r->ctx, im(r)->app_id, uid, &p);
    im_done(r, rc);
}

void im_set_mobile(struct http_req *r)
{
    const char *mobile;
    int64_t uid;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = im_q_text(r, "mobile", 1, MOBILE_MIN, MOBILE_MAX + 1, &mobile);
    if (!rc && users_check_mobile(mobile))
        rc = http_invalid(r, "mobile must be an optional + and %d to %d digits", MOBILE_MIN, MOBILE_MAX);
    if (!rc)
        rc = users_set_mobile(&r->ctx, im(r)->app_id, uid, mobile);
    if (rc == -E_EXISTS)
        r->why = "another user of this app has this mobile number";
    im_done(r, rc);
}

/* The body is the raw text (not JSON) of public_info or private_info (route data). */
void im_set_info(struct http_req *r)
{
    const char *field = r->route->data, *text;
    struct account_patch p = {0};
    int64_t uid;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = im_body_text(r, field, IM_INFO_MAX, &text);
    if (!rc) {
        if (!strcmp(field, "public_info"))
            p.public_info = text;
        else
            p.private_info = text;
        rc = acct_update_profile(&r->ctx, im(r)->app_id, uid, &p);
    }
    im_done(r, rc);
}
