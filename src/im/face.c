/* The IM face: its route table, authentication, envelope and error table. */
#include <string.h>

#include "core/accounts.h"
#include "core/apps.h"
#include "core/text.h"
#include "im/im.h"

/*
 * ROUTE_Q's last argument lists the parameters the document puts in the
 * query (params.c reads each from a JSON body too); a one-field setter's
 * data is the settings field it sets (settings.c).
 */
static const struct route routes[] = {
    /* tokens (tokens.c) */
    ROUTE(M_POST, "/token/user", im_token_user, ROUTE_SLOW | ROUTE_LOGIN | IM_OPEN),
    ROUTE(M_POST, "/token/id", im_token_id, ROUTE_SLOW | ROUTE_LOGIN | IM_OPEN),
    ROUTE(M_POST, "/token/login", im_token_login, ROUTE_SLOW | ROUTE_LOGIN | IM_OPEN),
    /* accounts (register.c, account.c) */
    ROUTE(M_POST, "/user/register/v2", im_register_v2, ROUTE_SLOW | ROUTE_REGISTER | IM_OPEN),
    /* bulk registration is a server-side act: an admin token, and one hash per item when admitted */
    ROUTE_COST(M_POST, "/user/register/batch", im_register_batch, ROUTE_SLOW | ROUTE_REGISTER | IM_ADMIN, im_batch_cost),
    ROUTE(M_POST, "/user/register/push", im_register_push, ROUTE_SLOW | ROUTE_REGISTER | IM_OPEN),
    ROUTE(M_POST | M_DELETE, "/user/delete", im_user_delete, ROUTE_SLOW),
    ROUTE_Q(M_POST | M_PUT, "/user/username", im_set_username, 0, NULL, "username"),
    ROUTE(M_POST, "/user/change_password", im_change_password, ROUTE_SLOW),
    ROUTE(M_POST, "/user/change_password_admin", im_change_password_admin, ROUTE_SLOW | IM_ADMIN),
    ROUTE(M_PUT, "/user/disable", im_user_disable, IM_ADMIN),
    ROUTE(M_PUT, "/user/enable", im_user_enable, IM_ADMIN),
    ROUTE_Q(M_GET, "/user/list", im_user_list, IM_ADMIN, NULL, "page_num page_size"),
    /* profile (profile.c) */
    ROUTE(M_GET, "/user/profile", im_profile_get, 0),
    ROUTE(M_POST | M_PUT, "/user/profile", im_profile_update, 0),
    ROUTE(M_POST | M_PUT, "/user/profile/batch", im_profile_batch, 0),
    ROUTE(M_POST | M_PUT, "/user/avatar", im_set_avatar, 0),
    ROUTE(M_POST | M_PUT, "/user/avatar/batch", im_avatar_batch, 0),
    ROUTE_Q(M_POST | M_PUT, "/user/nickname", im_set_nickname, 0, NULL, "nick_name"),
    ROUTE_Q(M_POST | M_PUT, "/user/mobile", im_set_mobile, 0, NULL, "mobile"),
    ROUTE_DATA(M_POST | M_PUT, "/user/public", im_set_info, 0, "public_info"),
    ROUTE_DATA(M_POST | M_PUT, "/user/private", im_set_info, 0, "private_info"),
    /* settings (settings.c) */
    ROUTE(M_GET, "/user/settings", im_settings_get, 0),
    ROUTE(M_POST | M_PUT, "/user/settings", im_settings_update, 0),
    ROUTE_Q(M_POST | M_PUT, "/user/download", im_set_setting, 0, "auto_download", "value"),
    ROUTE_Q(M_POST | M_PUT, "/user/authmode", im_set_setting, 0, "auth_mode", "value"),
    ROUTE_Q(M_POST | M_PUT, "/user/sounds", im_set_setting, 0, "no_sounds", "value"),
    ROUTE_Q(M_POST | M_PUT, "/user/vibratory", im_set_setting, 0, "vibratory", "value"),
    ROUTE_Q(M_POST | M_PUT, "/user/push", im_set_setting, 0, "no_push", "value"),
    ROUTE_Q(M_POST | M_PUT, "/user/push/detail", im_set_setting, 0, "no_push_detail", "value"),
    ROUTE_Q(M_POST | M_PUT, "/user/push/nickname", im_set_setting, 0, "push_nick_name", "nick_name value"),
    ROUTE_Q(M_POST | M_PUT, "/user/push/limit", im_set_push_limit, 0, NULL, "no_push_start_hour no_push_end_hour"),
    /* devices (devices.c) */
    ROUTE_Q(M_GET, "/user/device/list", im_device_list, 0, NULL, "cursor page_size"),
    ROUTE_Q(M_POST | M_DELETE, "/user/device/remove", im_device_remove, 0, NULL, "device_sn deviceSn"),
    ROUTE_Q(M_POST | M_PUT, "/user/kick", im_kick, 0, NULL, "device_sn deviceSn"),
    /* push (push.c) */
    ROUTE(M_POST | M_PUT, "/user/token/bind", im_token_bind, 0),
    ROUTE_Q(M_POST | M_DELETE, "/user/token/unbind", im_token_unbind, 0, NULL, "deviceSn device_sn"),
    ROUTE(M_POST, "/user/push/alias", im_push_alias, 0),
    ROUTE(M_GET, "/user/push/tag", im_push_tags_get, 0),
    ROUTE(M_POST, "/user/push/tag", im_push_tags_add, 0),
    ROUTE(M_DELETE, "/user/push/tag", im_push_tags_remove, 0),
    ROUTE(M_DELETE, "/user/push/tag/all", im_push_tags_clear, 0),
    ROUTE(M_POST, "/user/push/badge", im_push_badge, 0),
};

/* Codes from NOTES.md; the ones marked "ours" are userd's choice (docs/im.md). */
static const struct face_error errors[] = {
    {E_INVALID, 10002, 200, "bad parameters"},
    {E_NOT_FOUND, 10007, 200, "not found"}, /* ours */
    {E_EXISTS, 10004, 200, "user already exists"},
    {E_AUTH_MISSING, 10003, 200, "access-token header missing"},
    {E_AUTH_INVALID, 10008, 200, "access-token invalid"},
    {E_AUTH_EXPIRED, 402, 200, "token expired"},
    {E_FORBIDDEN, 10010, 200, "no permission"},
    {E_APP_UNKNOWN, 40000, 200, "app_id does not exist"},
    {E_USER_UNKNOWN, 10000, 200, "user does not exist"},
    {E_PASSWORD, 10005, 200, "wrong password"},      /* ours */
    {E_DISABLED, 10009, 200, "user is disabled"},    /* ours */
    {E_CODE_WRONG, 10001, 200, "wrong verification code"},
    {E_RATE_LIMITED, 10011, 200, "too many requests"}, /* ours */
    {E_LOCKED, 10011, 200, "too many failed attempts"},
    {E_TOO_LARGE, 413, 413, "request body too large"},
    {E_NO_ROUTE, 404, 404, "no such endpoint"},
    {E_METHOD, 405, 405, "method not allowed"},
    {E_BUSY, 503, 503, "server busy, retry later"},
    {E_UNAVAILABLE, 20000, 503, "database unavailable"},
    {E_INTERNAL, 20000, 500, "internal error"},
};

static const struct face_error *find_error(int err)
{
    return face_error_find(errors, sizeof(errors) / sizeof(*errors), err);
}

static json_t *envelope(int code, const char *message, json_t *data)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_integer(code));
    json_object_set_new(o, "message", json_string(message));
    json_object_set_new(o, "data", data ? data : json_null());
    return o;
}

void im_ok(struct http_req *r, json_t *data)
{
    if (http_no_data(r, data))
        im_fail(r, -E_INTERNAL);
    else
        http_reply_json(r, 200, envelope(200, "", data));
}

void im_done(struct http_req *r, int rc)
{
    if (rc)
        im_fail(r, rc);
    else
        im_ok(r, json_true());
}

const char *im_reason(struct http_req *r, int err)
{
    const char *msg = find_error(err)->message;
    if (r->why)
        msg = arena_printf(r->a, "%s: %s", msg, r->why);
    r->why = NULL;
    return msg;
}

/* "POST, PUT": the Allow header of a 405 answer. */
static const char *allowed(struct http_req *r)
{
    unsigned m = http_route_methods(routes, sizeof(routes) / sizeof(*routes), r->path ? r->path : "");
    return http_method_names(r->a, m);
}

void im_fail(struct http_req *r, int err)
{
    r->err = err;
    const struct face_error *e = find_error(err);
    if ((err < 0 ? -err : err) == E_METHOD) {
        const char *allow = allowed(r);
        http_add_header(r, "Allow", allow);
        r->why = arena_printf(r->a, "%s takes %s", r->path, allow);
    }
    const char *msg = im_reason(r, err);
    http_reply_json(r, e->status, envelope(e->code, msg, NULL));
}

int im_target(struct http_req *r, int64_t *user_id)
{
    if (!im(r)->user_id)
        return http_invalid(r, "an admin token must name the user in the user_id header");
    *user_id = im(r)->user_id;
    return 0;
}

int im_may_act_on(struct http_req *r, int64_t id)
{
    if (!im(r)->user_id || im(r)->user_id == id)
        return 0;
    r->why = "a user may change only their own account";
    return -E_FORBIDDEN;
}

/* A positive integer header (user_id, group_id). */
static int id_header(struct http_req *r, const char *name, const char *h, int64_t *out)
{
    int64_t id;
    if (text_to_int(h, &id) || id <= 0 || id > ACCT_ID_MAX)
        return http_invalid(r, "%s header must be a positive integer", name);
    *out = id;
    return 0;
}

/*
 * The user_id and group_id headers: only an admin token may act as another
 * user of its app (or as a group's admin: accepted, but no endpoint of this
 * face uses it).
 */
static int act_as(struct http_req *r, struct im_req *ir)
{
    const char *h = http_header(r, "user_id");
    const char *g = http_header(r, "group_id");
    int64_t id = 0;
    int rc;
    if ((h || g) && !ir->caller.is_admin) {
        r->why = "only an admin token may set the user_id or group_id header";
        return -E_FORBIDDEN;
    }
    if (g && (rc = id_header(r, "group_id", g, &id)))
        return rc;
    if (!h)
        return 0;
    if ((rc = id_header(r, "user_id", h, &id)))
        return rc;
    struct account acct;
    if ((rc = acct_get(&r->ctx, ir->app_id, id, &acct)))
        return rc;
    ir->user_id = id;
    return 0;
}

static void serve(struct http_req *r)
{
    struct im_req *ir = arena_alloc(r->a, sizeof(*ir));
    r->face_data = ir;
    ir->app_id = http_header(r, "app_id");
    int rc = 0;
    if (!ir->app_id || !*ir->app_id || strlen(ir->app_id) > 64) {
        rc = -E_APP_UNKNOWN;
    } else if (r->route->flags & IM_OPEN) {
        struct app app;
        rc = app_get(&r->ctx, ir->app_id, &app);
    } else if (!http_header(r, "access-token") || !*http_header(r, "access-token")) {
        struct app app; /* "no such app" comes before "no token" */
        rc = app_get(&r->ctx, ir->app_id, &app);
        if (!rc)
            rc = -E_AUTH_MISSING;
    } else {
        rc = tok_auth(&r->ctx, ir->app_id, http_header(r, "access-token"), &ir->caller);
        if (!rc && (r->route->flags & IM_ADMIN) && !ir->caller.is_admin) {
            r->why = "this endpoint needs an admin token";
            rc = -E_FORBIDDEN;
        }
        if (!rc) {
            ir->user_id = ir->caller.account_id;
            rc = act_as(r, ir);
        }
    }
    if (rc)
        im_fail(r, rc);
    else
        r->route->fn(r);
}

/* The web SDK's calls (docs/im.md, Web clients): no cookie, so "*" may stand in the list. */
static const struct http_cors cors = {
    .origins = CFG_im_cors_origins,
    .any = 1,
    .headers = "access-token, app_id, user_id, group_id, content-type",
};

const struct face im_face = {
    .name = "im",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(*routes),
    .serve = serve,
    .fail = im_fail,
    .allow = allowed,
    .cors = &cors,
};
