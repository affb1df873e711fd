/* The live face: route table, signature check, envelope, error table. */
#include "live/live.h"

static const struct route routes[] = {
    ROUTE(0, "/", NULL, 0), /* placeholder until the endpoints land */
};

static const struct face_error errors[] = {
    {E_INVALID, 400, 400, "invalid arguments"},
    {E_NOT_FOUND, 404, 404, "not found"},
    {E_USER_UNKNOWN, 404, 404, "user not found"},
    {E_EXISTS, 600, 400, "already exists"},
    {E_AUTH_MISSING, 401, 401, "bad authorization"},
    {E_AUTH_INVALID, 401, 401, "bad authorization"},
    {E_APP_UNKNOWN, 401, 401, "bad authorization"},
    {E_NO_ROUTE, 404, 404, "no such endpoint"},
    {E_METHOD, 405, 405, "method not allowed"},
    {E_TOO_LARGE, 413, 413, "request body too large"},
    {E_BUSY, 503, 503, "server busy"},
    {E_UNAVAILABLE, 602, 503, "database error"},
    {E_INTERNAL, 500, 500, "internal error"},
};

static void fail(struct http_req *r, int err)
{
    const struct face_error *e = face_error_find(errors, sizeof(errors) / sizeof(*errors), err);
    http_add_header(r, "X-Reqid", r->request_id);
    http_reply_json(r, e->status,
                    json_pack("{s:s,s:i,s:s}", "request_id", r->request_id, "code", e->code, "message",
                              r->why ? r->why : e->message));
}

static void serve(struct http_req *r) { fail(r, -E_NO_ROUTE); }

const struct face live_face = {
    .name = "live",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(*routes),
    .serve = serve,
    .fail = fail,
};
