/*
 * The console's apps: list with their accounts, create, reveal and rotate
 * the secret key, mint, list and revoke admin tokens. What is secret (the
 * secret key, a new admin token) is sent only in answer to an explicit
 * POST, and each such answer is written to the audit log.
 */
#include <string.h>

#include "console/console.h"
#include "core/admin.h"
#include "core/apps.h"

struct app_list {
    json_t *apps;
    json_t *counts; /* app id -> its counts */
};

static void add_counts(const struct app_counts *k, void *arg)
{
    struct app_list *x = arg;
    json_object_set_new(x->counts, k->app_id,
                        json_pack("{s:I,s:I,s:I,s:I,s:I}", "total", (json_int_t)k->total, "im", (json_int_t)k->im,
                                  "live", (json_int_t)k->live, "app", (json_int_t)k->app, "disabled",
                                  (json_int_t)k->disabled));
}

static void add_app(const struct app *app, void *arg)
{
    struct app_list *x = arg;
    json_t *k = json_object_get(x->counts, app->id);
    k = k ? json_incref(k)
          : json_pack("{s:i,s:i,s:i,s:i,s:i}", "total", 0, "im", 0, "live", 0, "app", 0, "disabled", 0);
    json_array_append_new(x->apps, json_pack("{s:s,s:s,s:s,s:I,s:o}", "app_id", app->id, "name", app->name,
                                             "access_key", app->access_key, "created_at",
                                             (json_int_t)app->created_at, "accounts", k));
}

static void list_apps(struct http_req *r)
{
    struct app_list x = {json_array(), json_object()};
    int rc = adm_counts(&r->ctx, add_counts, &x);
    if (!rc)
        rc = app_list(&r->ctx, add_app, &x);
    json_decref(x.counts);
    if (rc) {
        json_decref(x.apps);
        con_fail(r, rc);
        return;
    }
    con_reply(r, 200, json_pack("{s:o}", "apps", x.apps));
}

static void create_app(struct http_req *r, const char *op)
{
    json_t *b = http_json_body(r);
    const char *name;
    struct app_creds cr;
    int rc = b ? jf_str(r, b, "name", 1, 1, APP_NAME_MAX, &name) : -E_INVALID;
    if (!rc)
        rc = app_create(&r->ctx, name, &cr);
    if (rc) {
        con_fail(r, rc);
        return;
    }
    con_audit_add(r, op, "app.create", cr.app_id, cr.name, NULL);
    con_reply(r, 201, json_pack("{s:s,s:s,s:s,s:s,s:s}", "app_id", cr.app_id, "name", cr.name, "access_key",
                                cr.access_key, "secret_key", cr.secret_key, "admin_token", cr.admin_token));
}

/* GET /console/api/apps, POST /console/api/apps {"name"} */
void con_apps(struct http_req *r)
{
    const char *op = con_operator(r);
    if (!op)
        return;
    if (r->method_bit == M_GET)
        list_apps(r);
    else
        create_app(r, op);
}

/* POST /console/api/apps/:app/secret: shows the secret key, on an explicit action (audited). */
void con_app_secret(struct http_req *r)
{
    const char *op = con_operator(r);
    struct app app;
    if (!op)
        return;
    int rc = app_get(&r->ctx, r->params[0], &app);
    if (rc) {
        con_fail(r, rc);
        return;
    }
    con_audit_add(r, op, "app.secret.show", app.id, app.name, NULL);
    con_reply(r, 200, json_pack("{s:s}", "secret_key", app.secret_key));
}

/* POST /console/api/apps/:app/rotate: a new secret key; the old one stops working. */
void con_app_rotate(struct http_req *r)
{
    const char *op = con_operator(r), *secret;
    if (!op)
        return;
    int rc = app_rotate_secret(&r->ctx, r->params[0], &secret);
    if (rc) {
        con_fail(r, rc);
        return;
    }
    con_audit_add(r, op, "app.secret.rotate", r->params[0], NULL, NULL);
    con_reply(r, 200, json_pack("{s:s}", "secret_key", secret));
}

static void add_token(const struct admin_token *t, void *arg)
{
    json_array_append_new(arg, json_pack("{s:s?,s:I,s:I,s:I}", "prefix", t->prefix, "created_at",
                                         (json_int_t)t->created_at, "expires_at", (json_int_t)t->expires_at,
                                         "last_used_at", (json_int_t)t->last_used_at));
}

static void mint_token(struct http_req *r, const char *op)
{
    json_t *b = http_json_body(r);
    int64_t ttl = 0;
    const char *token;
    int rc = b ? jf_int(r, b, "ttl", 0, 1, ADMIN_TOKEN_TTL_MAX, &ttl) : -E_INVALID;
    if (rc == 1)
        rc = 0;
    if (!rc)
        rc = app_admin_token(&r->ctx, r->params[0], ttl, &token);
    if (rc) {
        con_fail(r, rc);
        return;
    }
    con_audit_add(r, op, "app.token.mint", r->params[0], arena_strndup(r->a, token, ADMIN_TOKEN_PREFIX), NULL);
    con_reply(r, 201, json_pack("{s:s}", "admin_token", token));
}

/* GET /console/api/apps/:app/tokens (never the tokens themselves), POST: mint one {"ttl"?}. */
void con_app_tokens(struct http_req *r)
{
    const char *op = con_operator(r);
    if (!op)
        return;
    if (r->method_bit == M_POST) {
        mint_token(r, op);
        return;
    }
    json_t *list = json_array();
    int rc = app_admin_tokens(&r->ctx, r->params[0], add_token, list);
    if (rc) {
        json_decref(list);
        con_fail(r, rc);
        return;
    }
    con_reply(r, 200, json_pack("{s:o}", "tokens", list));
}

/* POST /console/api/apps/:app/tokens/revoke {"prefix"} */
void con_app_revoke(struct http_req *r)
{
    const char *op = con_operator(r), *prefix;
    if (!op)
        return;
    json_t *b = http_json_body(r);
    int rc = b ? jf_str(r, b, "prefix", 1, ADMIN_TOKEN_PREFIX, 256, &prefix) : -E_INVALID;
    if (!rc)
        rc = app_admin_revoke(&r->ctx, r->params[0], prefix);
    if (rc) {
        con_fail(r, rc);
        return;
    }
    con_audit_add(r, op, "app.token.revoke", r->params[0], arena_strndup(r->a, prefix, ADMIN_TOKEN_PREFIX), NULL);
    con_reply(r, 200, json_pack("{s:b}", "ok", 1));
}
