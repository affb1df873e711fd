/* The live face: route table, signature check, request id, envelope, error table. */
#include <string.h>

#include "core/text.h"
#include "live/live.h"

static const struct route routes[] = {
    ROUTE(M_POST, "/server/user/register", live_register_one, ROUTE_REGISTER),
    ROUTE(M_POST, "/server/user/register/batch", live_register_batch, ROUTE_REGISTER),
    ROUTE(M_PUT, "/server/user/:id", live_update_user, 0),
    ROUTE(M_GET, "/server/user/info/:id", live_info, 0),
    ROUTE(M_GET, "/server/user/infos", live_infos, 0),
    ROUTE(M_GET, "/server/user/profile/:id", live_profile, 0),
    ROUTE(M_GET, "/server/user/profiles", live_profiles, 0),
};

/* Codes from NOTES.md (QNLiveKit_Server); HTTP statuses match them, 600 -> 409 (docs/live.md). */
static const struct face_error errors[] = {
    {E_INVALID, 400, 400, "invalid arguments"},
    {E_NOT_FOUND, 404, 404, "not found"},
    {E_USER_UNKNOWN, 404, 404, "user not found"},
    {E_DISABLED, 404, 404, "user is disabled"},
    {E_EXISTS, 600, 409, "already exists"},
    {E_AUTH_MISSING, 401, 401, "bad authorization: Authorization header missing"},
    {E_AUTH_INVALID, 401, 401, "bad authorization"},
    {E_APP_UNKNOWN, 401, 401, "bad authorization"},
    {E_NO_ROUTE, 404, 404, "no such endpoint"},
    {E_METHOD, 405, 405, "method not allowed"},
    {E_TOO_LARGE, 413, 413, "request body too large"},
    {E_BUSY, 503, 503, "server busy"},
    {E_UNAVAILABLE, 602, 503, "database error"},
    {E_INTERNAL, 500, 500, "internal error"},
};

#define REQID_MAX (sizeof(((struct http_req *)0)->request_id) - 1)

/*
 * request_id echoes X-Reqid when it is 1-39 printable ASCII characters
 * without spaces; otherwise it is the id the HTTP layer made. Either way it
 * goes back as the X-Reqid response header.
 */
static void take_reqid(struct http_req *r)
{
    const char *h = http_header(r, "X-Reqid");
    if (!h)
        return;
    size_t n = strnlen(h, REQID_MAX + 1);
    if (n == 0 || n > REQID_MAX || !text_is_visible_ascii(h, n))
        return;
    memcpy(r->request_id, h, n + 1);
}

static void reply(struct http_req *r, int status, int code, const char *message, json_t *data)
{
    take_reqid(r);
    http_add_header(r, "X-Reqid", r->request_id);
    json_t *o = json_object();
    json_object_set_new(o, "request_id", json_string(r->request_id));
    json_object_set_new(o, "code", json_integer(code));
    json_object_set_new(o, "message", json_string(message));
    json_object_set_new(o, "data", data ? data : json_null());
    http_reply_json(r, status, o);
}

void live_ok(struct http_req *r, json_t *data)
{
    if (http_no_data(r, data))
        live_fail(r, -E_INTERNAL);
    else
        reply(r, 200, 0, "success", data);
}

static const struct face_error *find(int err)
{
    return face_error_find(errors, sizeof(errors) / sizeof(*errors), err);
}

const char *live_message(struct http_req *r, int err)
{
    const struct face_error *e = find(err);
    return r->why ? arena_printf(r->a, "%s: %s", e->message, r->why) : e->message;
}

void live_fail(struct http_req *r, int err)
{
    r->err = err;
    const struct face_error *e = find(err);
    if ((err < 0 ? -err : err) == E_METHOD) { /* RFC 9110: a 405 lists the methods that would do */
        unsigned m = http_route_methods(routes, sizeof(routes) / sizeof(*routes), r->path ? r->path : "");
        http_add_header(r, "Allow", http_method_names(r->a, m));
    }
    reply(r, e->status, e->code, live_message(r, err), NULL);
}

json_t *live_user_json(const struct live_user *u, int profile)
{
    json_t *ext = json_loads(u->extends, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(ext)) {
        json_decref(ext);
        ext = json_object();
    }
    /* One json_pack: a value it cannot take (not UTF-8) fails the whole user, never drops a field. */
    json_t *o = profile ? json_pack("{s:s,s:s,s:s,s:I,s:s,s:s}", "user_id", u->user_id, "nick", u->nick, "avatar",
                                    u->avatar, "im_userid", (json_int_t)u->im_userid, "im_username",
                                    u->im_username, "im_password", u->im_password)
                        : json_pack("{s:s,s:s,s:s,s:I}", "user_id", u->user_id, "nick", u->nick, "avatar",
                                    u->avatar, "im_userid", (json_int_t)u->im_userid);
    if (!o) {
        json_decref(ext);
        return NULL;
    }
    if (json_object_set_new(o, "extends", ext)) { /* takes ext either way */
        json_decref(o);
        return NULL;
    }
    return o;
}

static void serve(struct http_req *r)
{
    struct live_req *lr = arena_alloc(r->a, sizeof(*lr));
    r->face_data = lr;
    int rc = live_auth(r, &lr->app);
    if (rc)
        live_fail(r, rc);
    else
        r->route->fn(r);
}

const struct face live_face = {
    .name = "live",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(*routes),
    .serve = serve,
    .fail = live_fail,
};
