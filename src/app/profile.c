/* App face: the signed-in user's profile and privacy, and finding users. */
#include <string.h>

#include "app/app.h"
#include "core/accounts.h"

/* The three fields every listing of another user shows. */
static json_t *brief(struct http_req *r, const struct account *a)
{
    return json_pack("{s:s,s:s,s:s}", "id", app_uid(r, a->id), "nickname", app_nick(r, a->nick), "portraitUri",
                     a->avatar);
}

static void done(struct http_req *r, int rc)
{
    if (rc)
        app_fail(r, rc);
    else
        app_ok(r, NULL);
}

/* A required string field of 0-max bytes (why set on error). */
static int string_of(struct http_req *r, json_t *o, const char *key, size_t max, const char *msg, const char **out)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
        json_string_length(v) > max)
        return http_invalid(r, "%s", msg);
    *out = json_string_value(v);
    return 0;
}

/* POST /user/set_nickname {nickname}: 1-32 characters (shown HTML-escaped: app_nick). */
void app_set_nickname(struct http_req *r)
{
    json_t *o = app_body(r);
    struct account_patch p = {0};
    int rc = o ? string_of(r, o, "nickname", 1024, "Invalid nickname length.", &p.nick) : -E_INVALID;
    if (!rc && au_check_nick(p.nick))
        rc = http_invalid(r, "Invalid nickname length.");
    if (!rc)
        rc = acct_update_profile(&r->ctx, app(r)->app_id, app(r)->me.id, &p);
    done(r, rc);
}

/* POST /user/set_portrait_uri {portraitUri}: an http(s) URL of 12-256 characters. */
void app_set_portrait_uri(struct http_req *r)
{
    json_t *o = app_body(r);
    struct account_patch p = {0};
    int rc = o ? string_of(r, o, "portraitUri", 4096, "Invalid portraitUri format.", &p.avatar) : -E_INVALID;
    if (!rc && (strlen(p.avatar) < AU_PORTRAIT_MIN || strlen(p.avatar) > AU_PORTRAIT_MAX))
        rc = http_invalid(r, "Invalid portraitUri length.");
    if (!rc && acct_check_avatar(p.avatar, AU_PORTRAIT_MAX))
        rc = http_invalid(r, "Invalid portraitUri format.");
    if (!rc)
        rc = acct_update_profile(&r->ctx, app(r)->app_id, app(r)->me.id, &p);
    done(r, rc);
}

/* POST /user/set_gender {gender: "male"|"female"} */
void app_set_gender(struct http_req *r)
{
    json_t *o = app_body(r);
    const char *gender;
    int rc = o ? string_of(r, o, "gender", 16, "Invalid gender.", &gender) : -E_INVALID;
    if (!rc && strcmp(gender, "male") && strcmp(gender, "female"))
        rc = http_invalid(r, "Invalid gender.");
    if (!rc)
        rc = au_set_field(&r->ctx, &app(r)->me, AU_GENDER, gender);
    done(r, rc);
}

/* POST /user/set_st_account {stAccount}: taken by another account -> {code:1000}. */
void app_set_st_account(struct http_req *r)
{
    json_t *o = app_body(r);
    const char *st;
    int rc = o ? string_of(r, o, "stAccount", 64, "Invalid stAccount.", &st) : -E_INVALID;
    if (!rc && au_check_st(st))
        rc = http_invalid(r, "Invalid stAccount.");
    if (!rc)
        rc = au_set_field(&r->ctx, &app(r)->me, AU_ST_ACCOUNT, st);
    done(r, rc);
}

/* POST /user/set_privacy: any of the four flags, each 0 or 1; none -> 400. */
void app_set_privacy(struct http_req *r)
{
    static const char *const keys[4] = {"phoneVerify", "stSearchVerify", "friVerify", "groupVerify"};
    json_t *o = app_body(r);
    int flags[4], given = 0, rc = o ? 0 : -E_INVALID;
    for (int i = 0; i < 4 && !rc; i++) {
        json_t *v = json_object_get(o, keys[i]);
        flags[i] = -1;
        if (!v || json_is_null(v))
            continue;
        if (!json_is_integer(v) || (json_integer_value(v) != 0 && json_integer_value(v) != 1))
            rc = http_invalid(r, "Invalid %s: 0 or 1.", keys[i]);
        else
            flags[i] = (int)json_integer_value(v), given++;
    }
    if (!rc && !given)
        rc = http_invalid(r, "Empty privacy settings.");
    if (!rc)
        rc = au_set_privacy(&r->ctx, &app(r)->me, flags);
    done(r, rc);
}

/* GET /user/get_privacy */
void app_get_privacy(struct http_req *r)
{
    const struct account *me = &app(r)->me;
    app_ok(r, json_pack("{s:i,s:i,s:i,s:i}", "phoneVerify", me->phone_verify, "stSearchVerify",
                        me->st_search_verify, "friVerify", me->fri_verify, "groupVerify", me->group_verify));
}

/* POST /user/set_poke {pokeStatus: 0|1} */
void app_set_poke(struct http_req *r)
{
    json_t *o = app_body(r);
    json_t *v = o ? json_object_get(o, "pokeStatus") : NULL;
    int rc = o ? 0 : -E_INVALID;
    if (!rc && (!json_is_integer(v) || (json_integer_value(v) != 0 && json_integer_value(v) != 1)))
        rc = http_invalid(r, "Invalid pokeStatus: 0 or 1.");
    if (!rc)
        rc = au_set_poke(&r->ctx, &app(r)->me, (int)json_integer_value(v));
    done(r, rc);
}

/* GET /user/get_poke */
void app_get_poke(struct http_req *r) { app_ok(r, json_pack("{s:i}", "pokeStatus", app(r)->me.poke_status)); }

/* GET|POST /user/:id -> {id, nickname, portraitUri, gender, stAccount, phone} */
void app_user(struct http_req *r)
{
    int64_t id;
    struct account a;
    int rc = app_decode_uid(r, r->params[0], &id);
    if (!rc)
        rc = au_get(&r->ctx, app(r)->app_id, id, &a);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    app_ok(r, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "id", app_uid(r, a.id), "nickname", app_nick(r, a.nick),
                        "portraitUri", a.avatar, "gender", a.gender, "stAccount", a.st_account, "phone",
                        au_shown_phone(&a, app(r)->me.id)));
}

#define BATCH_MAX 100

/* GET /user/batch?id=a&id=b -> [{id, nickname, portraitUri}] in the order asked; unknown ids left out. */
void app_batch(struct http_req *r)
{
    const char *given[BATCH_MAX + 1];
    int64_t ids[BATCH_MAX];
    size_t n = http_query_all(r, "id", given, BATCH_MAX + 1), k = 0;
    if (n == 0 || n > BATCH_MAX) {
        http_invalid(r, n ? "Too many ids (at most %d)." : "Empty id.", BATCH_MAX);
        app_fail(r, -E_INVALID);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t id;
        int dup = 0;
        if (app_decode_uid(r, given[i], &id))
            continue;
        for (size_t j = 0; j < k; j++)
            dup |= ids[j] == id;
        if (!dup)
            ids[k++] = id;
    }
    struct account *found = NULL;
    size_t n_found = 0;
    int rc = k ? au_batch(&r->ctx, app(r)->app_id, ids, k, &found, &n_found) : 0;
    if (rc) {
        app_fail(r, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n_found; i++)
        json_array_append_new(list, brief(r, &found[i]));
    app_ok(r, list);
}

/* GET|POST /user/find/:region/:phone -> {id, nickname, portraitUri}; honours phoneVerify. */
void app_find(struct http_req *r)
{
    const char *region = r->params[0], *phone = r->params[1];
    struct account a;
    int rc = app_check_phone(r, &region, phone);
    if (!rc)
        rc = au_find_phone(&r->ctx, app(r)->app_id, region, phone, app(r)->me.id, 1, &a);
    if (rc)
        app_fail(r, rc);
    else
        app_ok(r, brief(r, &a));
}

/*
 * GET /user/find_user?region=&phone= or ?st_account= -> {id, nickname,
 * portraitUri}, or {} when nobody (visible) matches; honours phoneVerify and
 * stSearchVerify. Neither a valid phone nor a SealTalk number -> 400.
 */
void app_find_user(struct http_req *r)
{
    const char *region = http_query(r, "region"), *phone = http_query(r, "phone");
    const char *st = http_query(r, "st_account");
    int by_phone = region && phone && *region && *phone && strlen(region) < 8 && strlen(phone) < 32 &&
                   !app_check_phone(r, &region, phone);
    int by_st = st && *st && strlen(st) <= AU_ST_MAX;
    struct account a;
    r->why = NULL;
    if (!by_phone && !by_st) {
        http_invalid(r, "Empty parameter: region and phone, or st_account.");
        app_fail(r, -E_INVALID);
        return;
    }
    int rc = -E_USER_UNKNOWN;
    if (by_phone)
        rc = au_find_phone(&r->ctx, app(r)->app_id, region, phone, app(r)->me.id, 1, &a);
    if (rc == -E_USER_UNKNOWN && by_st)
        rc = au_find_st(&r->ctx, app(r)->app_id, st, app(r)->me.id, &a);
    if (rc && rc != -E_USER_UNKNOWN)
        app_fail(r, rc);
    else
        app_ok(r, rc ? json_object() : brief(r, &a));
}
