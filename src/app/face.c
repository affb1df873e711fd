/* The app face: route table, session check, envelope, error table. */
#include <string.h>

#include "app/app.h"

static const struct route routes[] = {
    ROUTE(0, "/", NULL, 0), /* placeholder until the routes land */
};

static const struct face_error errors[] = {
    {E_INVALID, 400, 400, "Bad request."},
    {E_NOT_FOUND, 404, 404, "Not found."},
    {E_NO_ROUTE, 404, 404, "Not found."},
    {E_METHOD, 405, 405, "Method not allowed."},
    {E_AUTH_MISSING, 403, 403, "Not logged in."},
    {E_AUTH_INVALID, 403, 403, "Not logged in."},
    {E_TOO_LARGE, 413, 413, "Request body too large."},
    {E_BUSY, 503, 503, "Server busy."},
    {E_UNAVAILABLE, 503, 503, "Service unavailable."},
    {E_INTERNAL, 500, 500, "Internal server error."},
};

static void fail(struct http_req *r, int err)
{
    const struct face_error *e = face_error_find(errors, sizeof(errors) / sizeof(*errors), err);
    const char *msg = r->why ? r->why : e->message;
    http_reply(r, e->status, "text/plain; charset=utf-8", msg, strlen(msg));
}

static void serve(struct http_req *r) { fail(r, -E_NO_ROUTE); }

const struct face app_face = {
    .name = "app",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(*routes),
    .serve = serve,
    .fail = fail,
};
