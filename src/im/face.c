/* The IM face: its route table, authentication, envelope and error table. */
#include <stdlib.h>
#include <string.h>

#include "core/accounts.h"
#include "core/apps.h"
#include "im/im.h"

static const struct route routes[] = {
    ROUTE(M_POST, "/token/user", im_token_user, ROUTE_SLOW | IM_OPEN),
    ROUTE(M_POST, "/token/id", im_token_id, ROUTE_SLOW | IM_OPEN),
    ROUTE(M_POST, "/token/login", im_token_login, ROUTE_SLOW | IM_OPEN),
    ROUTE(M_POST, "/user/register/v2", im_register_v2, ROUTE_SLOW | IM_OPEN),
    ROUTE(M_GET, "/user/profile", im_profile_get, 0),
    ROUTE(M_GET, "/user/settings", im_settings_get, 0),
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

static json_t *envelope(int code, const char *message, json_t *data)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_integer(code));
    json_object_set_new(o, "message", json_string(message));
    json_object_set_new(o, "data", data ? data : json_null());
    return o;
}

void im_ok(struct http_req *r, json_t *data) { http_reply_json(r, 200, envelope(200, "", data)); }

void im_fail(struct http_req *r, int err)
{
    const struct face_error *e = face_error_find(errors, sizeof(errors) / sizeof(*errors), err);
    const char *msg = e->message;
    if (r->why && (err == -E_INVALID || err == E_INVALID))
        msg = arena_printf(r->a, "%s: %s", e->message, r->why);
    http_reply_json(r, e->status, envelope(e->code, msg, NULL));
}

int im_target(struct http_req *r, int64_t *user_id)
{
    if (!im(r)->user_id)
        return http_invalid(r, "an admin token must name the user in the user_id header");
    *user_id = im(r)->user_id;
    return 0;
}

/* The user_id header: only an admin token may act as another user of its app. */
static int act_as(struct http_req *r, struct im_req *ir)
{
    const char *h = http_header(r, "user_id");
    if (!h)
        return 0;
    if (!ir->caller.is_admin)
        return -E_FORBIDDEN;
    char *end;
    long long id = strtoll(h, &end, 10);
    if (!*h || *end || id <= 0)
        return http_invalid(r, "user_id header must be a positive integer");
    struct account acct;
    int rc = acct_get(&r->ctx, ir->app_id, id, &acct);
    if (rc)
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
    } else {
        rc = tok_auth(&r->ctx, ir->app_id, http_header(r, "access-token"), &ir->caller);
        if (!rc && (r->route->flags & IM_ADMIN) && !ir->caller.is_admin)
            rc = -E_FORBIDDEN;
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

const struct face im_face = {
    .name = "im",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(*routes),
    .serve = serve,
    .fail = im_fail,
};
