/*
 * The console's sign-in, its session and CSRF checks, its security headers
 * and error answers. The session is a cookie (HttpOnly, SameSite=Strict,
 * Path=/console) holding a random token stored hashed; it ends after
 * console.idle_timeout without a request (core/operators.h).
 */
#include <string.h>

#include "base/config.h"
#include "console/console.h"
#include "core/audit.h"
#include "core/operators.h"
#include "core/text.h"

/* Nothing from elsewhere, no inline script or style, never in a frame. */
#define CSP "default-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

static const struct face_error errors[] = {
    {E_INVALID, 400, 400, "bad request"},
    {E_NOT_FOUND, 404, 404, "not found"},
    {E_APP_UNKNOWN, 404, 404, "no such app"},
    {E_USER_UNKNOWN, 404, 404, "no such user"},
    {E_EXISTS, 409, 409, "already exists"},
    {E_AUTH_MISSING, 401, 401, "sign in first"},
    {E_AUTH_INVALID, 401, 401, "sign in first"},
    {E_AUTH_EXPIRED, 401, 401, "the session ended: sign in again"},
    {E_PASSWORD, 401, 401, "wrong name or password"},
    {E_LOCKED, 429, 429, "too many failed sign-ins: try again later"},
    {E_FORBIDDEN, 403, 403, "refused: the request has no valid CSRF token"},
    {E_TOO_LARGE, 413, 413, "request body too large"},
    {E_BUSY, 503, 503, "server busy, retry later"},
    {E_UNAVAILABLE, 503, 503, "database unavailable"},
    {E_INTERNAL, 500, 500, "internal error"},
};

void con_headers(struct http_req *r)
{
    http_add_header(r, "Content-Security-Policy", CSP);
    http_add_header(r, "X-Frame-Options", "DENY");
    http_add_header(r, "X-Content-Type-Options", "nosniff");
    http_add_header(r, "Referrer-Policy", "no-referrer");
}

void con_reply(struct http_req *r, int status, json_t *o)
{
    con_headers(r);
    http_add_header(r, "Cache-Control", "no-store");
    http_reply_json(r, status, o);
}

void con_fail(struct http_req *r, int err)
{
    r->err = err; /* for the metrics (http/stats.c) */
    const struct face_error *e = face_error_find(errors, sizeof(errors) / sizeof(*errors), err);
    const char *msg = r->why ? arena_printf(r->a, "%s: %s", e->message, r->why) : e->message;
    con_reply(r, e->status, json_pack("{s:s}", "error", msg));
}

static const char *session_token(struct http_req *r) { return http_cookie(r, CONSOLE_COOKIE); }

/* A JSON body: what no cross-site form can send (application/json, maybe with parameters). */
static int json_body(struct http_req *r)
{
    const char *ct = http_header(r, "Content-Type");
    return ct && !strncmp(ct, "application/json", 16) && (!ct[16] || ct[16] == ';');
}

/* A request that changes something: a JSON body and the session's CSRF token. */
static int check_write(struct http_req *r, const char *session)
{
    return json_body(r) ? op_csrf_check(&r->ctx, session, http_header(r, "X-CSRF-Token")) : -E_FORBIDDEN;
}

const char *con_operator(struct http_req *r)
{
    const char *name, *session = session_token(r);
    int rc = op_session(&r->ctx, session, &name);
    if (!rc && r->method_bit != M_GET)
        rc = check_write(r, session);
    if (rc) {
        con_fail(r, rc);
        return NULL;
    }
    return name;
}

void con_audit_add(struct http_req *r, const char *op, const char *action, const char *app_id, const char *target,
                   const char *detail)
{
    if (audit_add(&r->ctx, op, action, app_id, target, detail))
        return; /* logged there; the action stands */
}

int64_t con_param_id(struct http_req *r, int i)
{
    int64_t id;
    return i < r->n_params && !text_to_int(r->params[i], &id) && id >= 1 ? id : -1;
}

static void answer_session(struct http_req *r, int status, const char *op, const char *session)
{
    const char *csrf;
    int rc = op_csrf(&r->ctx, session, &csrf);
    if (rc)
        con_fail(r, rc);
    else
        con_reply(r, status, json_pack("{s:s,s:s}", "operator", op, "csrf", csrf));
}

/*
 * GET /console/api/session: who is signed in, and the CSRF token for what
 * the page sends; {"operator": null} when nobody is (the page asks first
 * thing, and that is no error).
 */
void con_session(struct http_req *r)
{
    const char *op, *session = session_token(r);
    int rc = op_session(&r->ctx, session, &op);
    if (!rc)
        answer_session(r, 200, op, session);
    else if (rc == -E_AUTH_MISSING || rc == -E_AUTH_INVALID || rc == -E_AUTH_EXPIRED)
        con_reply(r, 200, json_pack("{s:n}", "operator"));
    else
        con_fail(r, rc);
}

/*
 * "; Secure" behind a TLS proxy that says so (http.trust_proxy and
 * X-Forwarded-Proto: https); an SSH tunnel is plain HTTP on loopback, where
 * a Secure cookie would not be sent back.
 */
static const char *secure(struct http_req *r)
{
    const char *proto = http_header(r, "X-Forwarded-Proto");
    return cfg_bool(CFG_http_trust_proxy) && proto && !strcmp(proto, "https") ? "; Secure" : "";
}

/* POST /console/api/login {"name","password"}: both counted against lockouts (core/operators.h). */
void con_login(struct http_req *r)
{
    json_t *b = http_json_body(r);
    const char *name, *password, *session;
    int rc = !json_body(r) ? -E_FORBIDDEN : b ? 0 : -E_INVALID;
    if (!rc && (rc = jf_str(r, b, "name", 1, 1, OP_NAME_MAX, &name)) == 0)
        rc = jf_str(r, b, "password", 1, 1, 256, &password);
    if (!rc)
        rc = op_login(&r->ctx, name, password, &session);
    if (rc == -E_PASSWORD) /* each cost a hash and is limited; refusals while locked are not written */
        con_audit_add(r, name, "login.failed", NULL, NULL, NULL);
    if (rc) {
        con_fail(r, rc);
        return;
    }
    con_audit_add(r, name, "login", NULL, NULL, NULL);
    http_add_header(r, "Set-Cookie", arena_printf(r->a, "%s=%s; Path=/console; HttpOnly; SameSite=Strict%s",
                                                  CONSOLE_COOKIE, session, secure(r)));
    answer_session(r, 200, name, session);
}

/* POST /console/api/logout: ends the session and clears the cookie. */
void con_logout(struct http_req *r)
{
    const char *op = con_operator(r);
    if (!op)
        return;
    int rc = op_logout(&r->ctx, session_token(r));
    if (rc) {
        con_fail(r, rc);
        return;
    }
    con_audit_add(r, op, "logout", NULL, NULL, NULL);
    http_add_header(r, "Set-Cookie", arena_printf(r->a, "%s=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict%s",
                                                  CONSOLE_COOKIE, secure(r)));
    con_reply(r, 200, json_pack("{s:b}", "ok", 1));
}
