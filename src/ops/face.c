/* The ops listener's route table, dispatch and error answers (ops/ops.h). */
#include "ops/ops.h"

#include <stdio.h>
#include <string.h>

#include "base/config.h"
#include "console/console.h"

/*
 * ROUTE_NO_STORE: nothing here waits for a store connection before its
 * handler runs; /readyz asks the store itself, and says so when it cannot.
 */
static const struct route routes[] = {
    ROUTE(M_GET, "/healthz", ops_healthz, ROUTE_NO_STORE),
    ROUTE(M_GET, "/readyz", ops_readyz, ROUTE_NO_STORE),
    ROUTE(M_GET, "/openapi/:file", ops_openapi, ROUTE_NO_STORE),
    CONSOLE_ROUTES, /* the admin console (console/console.h) */
    ROUTE(M_GET, "/metrics", ops_metrics, ROUTE_NO_STORE),
};

static const struct face_error errors[] = {
    {E_INVALID, 400, 400, "bad request"},
    {E_NOT_FOUND, 404, 404, "not found"},
    {E_TOO_LARGE, 413, 413, "request body too large"},
    {E_NO_ROUTE, 404, 404, "no such endpoint"},
    {E_METHOD, 405, 405, "method not allowed"},
    {E_BUSY, 503, 503, "server busy, retry later"},
    {E_UNAVAILABLE, 503, 503, "database unavailable"},
    {E_INTERNAL, 500, 500, "internal error"},
};

void ops_status(struct http_req *r, int status, const char *status_word)
{
    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(status_word));
    http_reply_json(r, status, o);
}

void ops_fail(struct http_req *r, int err)
{
    r->err = err;
    const struct face_error *e = face_error_find(errors, sizeof(errors) / sizeof(*errors), err);
    if ((err < 0 ? -err : err) == E_METHOD) {
        unsigned m = http_route_methods(routes, sizeof(routes) / sizeof(*routes), r->path ? r->path : "");
        http_add_header(r, "Allow", http_method_names(r->a, m));
    }
    json_t *o = json_object();
    json_object_set_new(o, "error", json_string(r->why ? arena_printf(r->a, "%s: %s", e->message, r->why)
                                                       : e->message));
    http_reply_json(r, e->status, o);
}

static void serve(struct http_req *r) { r->route->fn(r); }

const struct face ops_face = {
    .name = "ops",
    .routes = routes,
    .n_routes = sizeof(routes) / sizeof(*routes),
    .serve = serve,
    .fail = ops_fail,
};

int ops_start(void)
{
    const char *addr = cfg_str(CFG_ops_listen);
    ops_metrics_start();
    if (!strcmp(addr, "off"))
        return 0;
    int rc = http_listen(&ops_face, addr);
    return rc ? rc : ops_accounts_start();
}

void ops_stop(void) { ops_accounts_stop(); }
