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

/* What a search shows of the user found: the brief, gender and SealTalk number (no phone). */
static json_t *found(struct http_req *r, const struct account *a)
{
    json_t *o = brief(r, a);
    json_object_set_new(o, "gender", json_string(a->gender));
    json_object_set_new(o, "stAccount", json_string(a->st_account));
    return o;
}

static void done(struct http_req *r, int rc)
{
    if (rc)
        app_fail(r, rc);
    else
        app_ok_empty(r);
}

/* A string field of 0-max bytes (why set on error); 1 when optional and absent or null. */
static int string_of(struct http_req *r, json_t *o, const char *key, int required, size_t max, const char *msg,
                     const char **out)
{
    json_t *v = json_object_get(o, key);
    if (!required && (!v || json_is_null(v)))
        return 1;
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v) ||
        json_string_length(v) > max)
        return http_invalid(r, "%s", msg);
    *out = json_string_value(v);
    return 0;
}

/*
 * The fields of the profile, each read and checked one way for its own
 * route and for updateUser: 0, 1 when optional and absent, or -E_INVALID
 * with the real server's text.
 */

/* nickname: 1-32 characters (shown HTML-escaped: app_nick). */
static int nickname_of(struct http_req *r, json_t *o, int required, const char **out)
{
    int rc = string_of(r, o, "nickname", required, 1024, "Invalid nickname length.", out);
    if (!rc && au_check_nick(*out))
        rc = http_invalid(r, "Invalid nickname length.");
    return rc;
}

/* portraitUri: an http(s) URL of 12-256 characters. */
static int portrait_of(struct http_req *r, json_t *o, int required, const char **out)
{
    int rc = string_of(r, o, "portraitUri", required, 4096, "Invalid portraitUri format.", out);
    if (!rc && (strlen(*out) < AU_PORTRAIT_MIN || strlen(*out) > AU_PORTRAIT_MAX))
        rc = http_invalid(r, "Invalid portraitUri length.");
    if (!rc && acct_check_avatar(*out, AU_PORTRAIT_MAX))
        rc = http_invalid(r, "Invalid portraitUri format.");
    return rc;
}

/* gender: "male" or "female". */
static int gender_of(struct http_req *r, json_t *o, int required, const char **out)
{
    int rc = string_of(r, o, "gender", required, 16, "Invalid gender.", out);
    if (!rc && au_check_gender(*out))
        rc = http_invalid(r, "Invalid gender.");
    return rc;
}

/* A flag: the number 0 or 1 (privacy flags, pokeStatus). */
static int flag_of(struct http_req *r, json_t *o, const char *key, int required, int *out)
{
    json_t *v = json_object_get(o, key);
    if (!required && (!v || json_is_null(v)))
        return 1;
    if (!json_is_integer(v) || (json_integer_value(v) != 0 && json_integer_value(v) != 1))
        return http_invalid(r, "Invalid %s: 0 or 1.", key);
    *out = (int)json_integer_value(v);
    return 0;
}

static const char *const privacy_keys[4] = {"phoneVerify", "stSearchVerify", "friVerify", "groupVerify"};

/* The privacy flags given (others -1); *given counts them. */
static int privacy_of(struct http_req *r, json_t *o, int flags[4], int *given)
{
    *given = 0;
    for (int i = 0; i < 4; i++) {
        int rc = flag_of(r, o, privacy_keys[i], 0, &flags[i]);
        if (rc < 0)
            return rc;
        if (rc)
            flags[i] = -1;
        else
            (*given)++;
    }
    return 0;
}

/* POST /user/set_nickname {nickname} */
void app_set_nickname(struct http_req *r)
{
    json_t *o = app_body(r);
    struct account_patch p = {0};
    int rc = o ? nickname_of(r, o, 1, &p.nick) : -E_INVALID;
    if (!rc)
        rc = acct_update_profile(&r->ctx, app(r)->app_id, app(r)->me.id, &p);
    done(r, rc);
}

/* POST /user/set_portrait_uri {portraitUri} */
void app_set_portrait_uri(struct http_req *r)
{
    json_t *o = app_body(r);
    struct account_patch p = {0};
    int rc = o ? portrait_of(r, o, 1, &p.avatar) : -E_INVALID;
    if (!rc)
        rc = acct_update_profile(&r->ctx, app(r)->app_id, app(r)->me.id, &p);
    done(r, rc);
}

/* POST /user/set_gender {gender: "male"|"female"} */
void app_set_gender(struct http_req *r)
{
    json_t *o = app_body(r);
    const char *gender;
    int rc = o ? gender_of(r, o, 1, &gender) : -E_INVALID;
    if (!rc)
        rc = au_set_field(&r->ctx, &app(r)->me, AU_GENDER, gender);
    done(r, rc);
}

/* POST /user/set_st_account {stAccount}: taken by another account -> {code:1000}. */
void app_set_st_account(struct http_req *r)
{
    json_t *o = app_body(r);
    const char *st;
    int rc = o ? string_of(r, o, "stAccount", 1, 64, "Invalid stAccount.", &st) : -E_INVALID;
    if (!rc && au_check_st(st))
        rc = http_invalid(r, "Invalid stAccount.");
    if (!rc)
        rc = au_set_field(&r->ctx, &app(r)->me, AU_ST_ACCOUNT, st);
    done(r, rc);
}

/* POST /user/set_privacy: any of the four flags, each 0 or 1; none -> 400. */
void app_set_privacy(struct http_req *r)
{
    json_t *o = app_body(r);
    int flags[4], given = 0;
    int rc = o ? privacy_of(r, o, flags, &given) : -E_INVALID;
    if (!rc && !given)
        rc = http_invalid(r, "Empty privacy settings.");
    if (!rc)
        rc = au_set_privacy(&r->ctx, &app(r)->me, flags);
    done(r, rc);
}

/* A field reader's answer for updateUser: counts a field given (0); absent (1) is fine. */
static int tally(int rc, int *given)
{
    if (!rc)
        (*given)++;
    return rc < 0 ? rc : 0;
}

/*
 * POST /user/updateUser: any of nickname, portraitUri, gender, the four
 * privacy flags and pokeStatus, each checked as its own route checks it;
 * all of them change in one transaction, or none. Nothing given -> 400.
 */
void app_update_user(struct http_req *r)
{
    json_t *o = app_body(r);
    struct au_update u = {.privacy = {-1, -1, -1, -1}, .poke = -1};
    int given = 0, flags = 0, rc = o ? 0 : -E_INVALID;
    if (!rc)
        rc = tally(nickname_of(r, o, 0, &u.nick), &given);
    if (!rc)
        rc = tally(portrait_of(r, o, 0, &u.portrait), &given);
    if (!rc)
        rc = tally(gender_of(r, o, 0, &u.gender), &given);
    if (!rc && !(rc = privacy_of(r, o, u.privacy, &flags)))
        given += flags;
    if (!rc)
        rc = tally(flag_of(r, o, "pokeStatus", 0, &u.poke), &given);
    if (!rc && !given)
        rc = http_invalid(r, "Nothing to update.");
    if (!rc)
        rc = au_update(&r->ctx, &app(r)->me, &u);
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
    int poke;
    int rc = o ? flag_of(r, o, "pokeStatus", 1, &poke) : -E_INVALID;
    if (!rc)
        rc = au_set_poke(&r->ctx, &app(r)->me, poke);
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

/* GET|POST /user/find/:region/:phone -> {id, nickname, portraitUri, gender, stAccount}; honours phoneVerify. */
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
        app_ok(r, found(r, &a));
}

/* A query argument of 1-max bytes, or NULL. */
static const char *query_text(struct http_req *r, const char *key, size_t max)
{
    const char *s = http_query(r, key);
    return s && *s && strlen(s) <= max ? s : NULL;
}

/*
 * GET /user/find_user?region=&phone= or ?st_account= -> {id, nickname,
 * portraitUri, gender, stAccount}; 404 "Unknown user." when nobody matches
 * or the match hides from that search (phoneVerify, stSearchVerify 0), as
 * the 2019 server answers (both apps take any 200 for a found user).
 * Neither a valid phone nor a SealTalk number -> 400.
 */
void app_find_user(struct http_req *r)
{
    const char *region = query_text(r, "region", 7), *phone = query_text(r, "phone", 31);
    const char *st = query_text(r, "st_account", AU_ST_MAX);
    int by_phone = region && phone && !app_check_phone(r, &region, phone);
    struct account a;
    r->why = NULL;
    if (!by_phone && !st) {
        http_invalid(r, "Empty parameter: region and phone, or st_account.");
        app_fail(r, -E_INVALID);
        return;
    }
    int rc = -E_USER_UNKNOWN;
    if (by_phone)
        rc = au_find_phone(&r->ctx, app(r)->app_id, region, phone, app(r)->me.id, 1, &a);
    if (rc == -E_USER_UNKNOWN && st)
        rc = au_find_st(&r->ctx, app(r)->app_id, st, app(r)->me.id, &a);
    if (rc)
        app_fail(r, rc);
    else
        app_ok(r, found(r, &a));
}

/*
 * GET /user/getUserInfo?id= or ?region=&phone= -> {id, nickname,
 * portraitUri, gender, stAccount} (the current server's route). By id as
 * /user/:id finds it; by phone as find does (honouring phoneVerify). id
 * wins when both are given; neither -> 400.
 */
void app_get_user_info(struct http_req *r)
{
    const char *id = query_text(r, "id", 64), *region = query_text(r, "region", 7);
    const char *phone = query_text(r, "phone", 31);
    struct account a;
    int64_t n;
    int rc;
    if (id)
        rc = app_decode_uid(r, id, &n) ? -E_USER_UNKNOWN : au_get(&r->ctx, app(r)->app_id, n, &a);
    else if (region && phone)
        rc = app_check_phone(r, &region, phone) ? -E_INVALID
                                                : au_find_phone(&r->ctx, app(r)->app_id, region, phone,
                                                                app(r)->me.id, 1, &a);
    else
        rc = http_invalid(r, "Empty parameter: id, or region and phone.");
    if (rc)
        app_fail(r, rc);
    else
        app_ok(r, found(r, &a));
}
