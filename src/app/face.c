/* The app face: route table, session check, envelope, error table, shared helpers. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app/app.h"
#include "base/config.h"
#include "base/log.h"
#include "core/phone.h"

/* GET where the document says POST: both (NOTES.md). */
#define GP (M_GET | M_POST)

static const struct route routes[] = {
    ROUTE(M_POST, "/user/send_code", app_send_code, ROUTE_SLOW | APP_OPEN),
    ROUTE(M_POST, "/user/send_code_yp", app_send_code, ROUTE_SLOW | APP_OPEN),
    ROUTE(M_POST, "/user/verify_code", app_verify_code, APP_OPEN),
    ROUTE(M_POST, "/user/verify_code_yp", app_verify_code, APP_OPEN),
    ROUTE(M_GET, "/user/regionlist", app_regionlist, APP_OPEN),
    ROUTE(M_POST, "/user/check_phone_available", app_check_phone_available, APP_OPEN),
    ROUTE(M_POST, "/user/register", app_register, ROUTE_SLOW | ROUTE_REGISTER | APP_OPEN),
    ROUTE(M_POST, "/user/login", app_login, ROUTE_SLOW | ROUTE_LOGIN | APP_OPEN),
    ROUTE(M_POST, "/user/logout", app_logout, 0),
    ROUTE(M_POST, "/user/reset_password", app_reset_password, ROUTE_SLOW | APP_OPEN),
    ROUTE(M_POST, "/user/change_password", app_change_password, ROUTE_SLOW),
    ROUTE(M_POST, "/user/set_nickname", app_set_nickname, 0),
    ROUTE(M_POST, "/user/set_portrait_uri", app_set_portrait_uri, 0),
    ROUTE(M_GET, "/user/blacklist", app_blacklist, 0),
    ROUTE(M_POST, "/user/add_to_blacklist", app_add_to_blacklist, 0),
    ROUTE(M_POST, "/user/remove_from_blacklist", app_remove_from_blacklist, 0),
    ROUTE(GP, "/user/get_token", app_get_token, 0),
    ROUTE(GP, "/user/get_image_token", app_get_image_token, 0),
    ROUTE(GP, "/user/get_sms_img_code", app_get_sms_img_code, APP_OPEN),
    ROUTE(M_GET, "/user/sms_img_code/:file", app_sms_img_code_png, APP_OPEN),
    ROUTE(GP, "/user/groups", app_groups, 0),
    ROUTE(GP, "/user/sync/:version", app_sync, 0),
    ROUTE(GP, "/user/find/:region/:phone", app_find, APP_READS),
    ROUTE(M_GET, "/user/favgroups", app_favgroups, 0),
    ROUTE(M_POST, "/user/set_st_account", app_set_st_account, 0),
    ROUTE(M_POST, "/user/set_gender", app_set_gender, 0),
    ROUTE(M_POST, "/user/set_privacy", app_set_privacy, 0),
    ROUTE(M_GET, "/user/get_privacy", app_get_privacy, 0),
    ROUTE(M_POST, "/user/set_poke", app_set_poke, 0),
    ROUTE(M_GET, "/user/get_poke", app_get_poke, 0),
    ROUTE(M_GET, "/user/batch", app_batch, APP_READS),
    ROUTE(M_GET, "/user/find_user", app_find_user, 0),
    /* the current SealTalk server's (docs/app.md: which routes serve which generation) */
    ROUTE(M_GET, "/user/pic_code", app_pic_code, APP_OPEN),
    ROUTE(M_POST, "/user/verify_code_register", app_verify_code_register, ROUTE_REGISTER | APP_OPEN),
    ROUTE(M_POST, "/user/updateUser", app_update_user, 0),
    ROUTE(GP, "/user/del", app_del, 0), /* iOS POSTs, Android GETs */
    ROUTE(M_GET, "/user/getUserInfo", app_get_user_info, 0),
    ROUTE(GP, "/user/:id", app_user, APP_READS), /* last: it matches every /user/<name> */
};
#define N_ROUTES (sizeof(routes) / sizeof(*routes))

/*
 * Core error -> this face's answer. An entry with a route applies to that
 * route only and is looked up first. Status 200: a business result
 * {"code":N}; any other status: that HTTP status with a plain-text body
 * (r->why when the handler set one, else the message here), or, when code
 * differs from the status, with the JSON body {"code":code,"msg":message}
 * (not logged in: the current iOS app signs in again on a 403 whose JSON
 * code is 1000). Texts are the real server's where it has one; docs/app.md
 * lists them all.
 */
static const struct app_error {
    const char *route;
    int err, code, status;
    const char *message;
} errors[] = {
    {"/user/login", E_USER_UNKNOWN, 1000, 200, NULL},
    {"/user/login", E_PASSWORD, 1001, 200, NULL},
    {"/user/change_password", E_PASSWORD, 1000, 200, NULL},
    {"/user/set_st_account", E_EXISTS, 1000, 200, NULL},
    {NULL, E_LOCKED, 1002, 200, NULL}, /* ours: the account's lockout (login, change_password) */
    {NULL, E_CODE_WRONG, 1000, 200, NULL},
    {NULL, E_CODE_EXPIRED, 2000, 200, NULL},
    {NULL, E_RATE_LIMITED, 3004, 200, NULL},
    {NULL, E_TOO_SOON, 5000, 200, NULL},
    {"/user/verify_code", E_NOT_FOUND, 404, 404, "Unknown phone number."},
    {"/user/verify_code_yp", E_NOT_FOUND, 404, 404, "Unknown phone number."},
    {"/user/verify_code_register", E_NOT_FOUND, 404, 404, "Unknown phone number."},
    {"/user/verify_code_register", E_EXISTS, 400, 400, "Phone number has already existed."},
    {"/user/register", E_NOT_FOUND, 404, 404, "Unknown verification_token."},
    {"/user/register", E_EXISTS, 400, 400, "Phone number has already existed."},
    {"/user/reset_password", E_NOT_FOUND, 404, 404, "Unknown verification_token."},
    {"/user/reset_password", E_USER_UNKNOWN, 404, 404, "Unknown phone number."},
    {"/user/add_to_blacklist", E_USER_UNKNOWN, 404, 404, "friendId is not an available userId."},
    {"/user/remove_from_blacklist", E_USER_UNKNOWN, 404, 404, "friendId is not an available userId."},
    {"/user/sms_img_code/:file", E_NOT_FOUND, 404, 404, "Unknown or expired picture code."},
    {"/user/get_image_token", E_NOT_CONFIGURED, 500, 500, "Image upload is not configured."},
    {NULL, E_NOT_CONFIGURED, 500, 500, "SMS delivery is not configured."},
    {NULL, E_UPSTREAM, 500, 500, "Failed to send the SMS code."},
    {NULL, E_USER_UNKNOWN, 404, 404, "Unknown user."},
    {NULL, E_NOT_FOUND, 404, 404, "Not found."},
    {NULL, E_INVALID, 400, 400, "Bad request."},
    {NULL, E_EXISTS, 400, 400, "Already exists."},
    {NULL, E_AUTH_MISSING, 1000, 403, "Not loged in."}, /* JSON: the current iOS then signs in again */
    {NULL, E_AUTH_INVALID, 1000, 403, "Not loged in."},
    {NULL, E_AUTH_EXPIRED, 1000, 403, "Not loged in."},
    {NULL, E_DISABLED, 403, 403, "Account disabled."},
    {NULL, E_FORBIDDEN, 403, 403, "Forbidden."},
    {NULL, E_NO_ROUTE, 404, 404, "Not found."},
    {NULL, E_METHOD, 405, 405, "Method not allowed."},
    {NULL, E_TOO_LARGE, 413, 413, "Request body too large."},
    {NULL, E_BUSY, 503, 503, "Server busy."},
    {NULL, E_UNAVAILABLE, 503, 503, "Service unavailable."},
    {NULL, E_APP_UNKNOWN, 500, 500, "The app of the app face does not exist (app.app_id)."},
    {NULL, E_INTERNAL, 500, 500, "Internal server error."},
};

static const struct app_error *find_error(struct http_req *r, int err)
{
    if (err < 0)
        err = -err;
    const char *pattern = r->route ? r->route->pattern : NULL;
    const struct app_error *general = NULL, *internal = NULL;
    for (size_t i = 0; i < sizeof(errors) / sizeof(*errors); i++) {
        const struct app_error *e = &errors[i];
        if (e->err == E_INTERNAL)
            internal = e;
        if (e->err != err)
            continue;
        if (!e->route && !general)
            general = e;
        else if (e->route && pattern && !strcmp(e->route, pattern))
            return e;
    }
    return general ? general : internal;
}

/*
 * The Allow header of a 405: the methods of the fixed routes that are this
 * path (they shadow /user/:id, see wrong_method), else of every route that
 * matches it.
 */
static const char *allowed(struct http_req *r)
{
    const char *path = r->path ? r->path : "";
    unsigned m = 0;
    for (size_t i = 0; i < N_ROUTES; i++)
        if (!strchr(routes[i].pattern, ':') && !strcmp(routes[i].pattern, path))
            m |= routes[i].methods;
    return http_method_names(r->a, m ? m : http_route_methods(routes, N_ROUTES, path));
}

void app_fail(struct http_req *r, int err)
{
    r->err = err;
    const struct app_error *e = find_error(r, err);
    if ((err < 0 ? -err : err) == E_METHOD) /* RFC 9110: a 405 lists the methods that would do */
        http_add_header(r, "Allow", allowed(r));
    if (!r->face_data) /* refused before serve() (no route, too large, busy...): its header too */
        http_add_header(r, "Cache-Control", "no-store");
    if (e->status == 200) {
        http_reply_json(r, 200, json_pack("{s:i}", "code", e->code));
        return;
    }
    const char *msg = r->why ? r->why : e->message;
    if (e->code != e->status)
        http_reply_json(r, e->status, json_pack("{s:i,s:s}", "code", e->code, "msg", msg));
    else
        http_reply(r, e->status, "text/plain; charset=utf-8", msg, strlen(msg));
}

void app_ok(struct http_req *r, json_t *result)
{
    if (http_no_data(r, result)) {
        app_fail(r, -E_INTERNAL);
        return;
    }
    json_t *o = json_pack("{s:i}", "code", 200);
    json_object_set_new(o, "result", result);
    http_reply_json(r, 200, o);
}

void app_ok_empty(struct http_req *r) { http_reply_json(r, 200, json_pack("{s:i}", "code", 200)); }

/* ---- request helpers ---- */

json_t *app_body(struct http_req *r)
{
    json_t *o = http_json_body(r);
    if (o && !json_is_object(o)) {
        http_invalid(r, "The body must be a JSON object.");
        return NULL;
    }
    return o;
}

int app_text_or_int(struct http_req *r, json_t *o, const char *key, int required, size_t max, const char **out)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < 0)
            return http_invalid(r, "Invalid %s.", key);
        *out = arena_printf(r->a, "%lld", (long long)n);
        return strlen(*out) <= max ? 0 : http_invalid(r, "Invalid %s.", key);
    }
    return jf_str(r, o, key, required, 1, max, out);
}

int app_check_phone(struct http_req *r, const char **region, const char *phone)
{
    if (*region && (*region)[0] == '+')
        (*region)++;
    if (phone_validate(*region, phone))
        return http_invalid(r, "Invalid region and phone number.");
    return 0;
}

int app_body_phone(struct http_req *r, json_t *o, const char **region, const char **phone)
{
    int rc = app_text_or_int(r, o, "region", 1, 8, region);
    if (!rc)
        rc = app_text_or_int(r, o, "phone", 1, 32, phone);
    if (rc)
        return http_invalid(r, "Invalid region and phone number.");
    return app_check_phone(r, region, *phone);
}

const char *app_uid(struct http_req *r, int64_t id)
{
    char *s = arena_alloc(r->a, APPID_BUF);
    appid_encode(app(r)->idkey, APPID_USER, id, s);
    return s;
}

const char *app_gid(struct http_req *r, int64_t id)
{
    char *s = arena_alloc(r->a, APPID_BUF);
    appid_encode(app(r)->idkey, APPID_GROUP, id, s);
    return s;
}

int app_decode_uid(struct http_req *r, const char *s, int64_t *id)
{
    return appid_decode(app(r)->idkey, APPID_USER, s, id) ? -E_USER_UNKNOWN : 0;
}

const char *app_iso_time(struct http_req *r, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[32];
    gmtime_r(&t, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    return arena_printf(r->a, "%s.%03dZ", buf, (int)(ms % 1000));
}

const char *app_nick(struct http_req *r, const char *nick) { return text_escape_html(r->a, nick); }

/* The session cookie's SameSite values, as written in Set-Cookie. */
static const char *const samesite[] = {"Lax", "Strict", "None"};

/* session.samesite as Set-Cookie writes it (any case in the setting), or NULL when it is none of them. */
static const char *cookie_samesite(void)
{
    for (size_t i = 0; i < sizeof(samesite) / sizeof(*samesite); i++)
        if (!strcasecmp(cfg_str(CFG_session_samesite), samesite[i]))
            return samesite[i];
    return NULL;
}

/* Set-Cookie for value, which lives max_age seconds: the attributes docs/app.md ("Web clients") explains. */
static void set_cookie(struct http_req *r, const char *value, long long max_age)
{
    const char *domain = cfg_str(CFG_session_domain);
    http_add_header(r, "Set-Cookie",
                    arena_printf(r->a, "%s=%s; Path=/%s%s; Max-Age=%lld; HttpOnly; SameSite=%s%s",
                                 cfg_str(CFG_session_cookie), value, *domain ? "; Domain=" : "", domain, max_age,
                                 cookie_samesite(), cfg_bool(CFG_session_secure) ? "; Secure" : ""));
}

void app_set_session(struct http_req *r, const char *token) { set_cookie(r, token, cfg_int(CFG_session_ttl)); }

void app_clear_session(struct http_req *r) { set_cookie(r, "", 0); }

/*
 * At start: browsers drop a SameSite=None cookie that is not Secure, so
 * every sign-in would seem to work and no session would follow.
 */
static int check_settings(void)
{
    const char *s = cookie_samesite();
    if (!s) {
        log_error("app face: setting session.samesite: must be Lax, Strict or None");
        return -1;
    }
    if (!strcmp(s, "None") && !cfg_bool(CFG_session_secure)) {
        log_error("app face: setting session.samesite=None needs session.secure=true (browsers drop a "
                  "SameSite=None cookie that is not Secure; serve the app face over HTTPS)");
        return -1;
    }
    const char *d = cfg_str(CFG_session_domain);
    if (strcspn(d, ";, \t\"=") != strlen(d)) {
        log_error("app face: setting session.domain: a host name, without ';', ',', '=', quotes or white space");
        return -1;
    }
    return 0;
}

/* ---- serving ---- */

/* /user/:id caught a fixed route's path with another method (GET /user/login): that is a 405. */
static int wrong_method(struct http_req *r)
{
    if (r->route->fn != app_user)
        return 0;
    for (size_t i = 0; i < N_ROUTES; i++)
        if (!strchr(routes[i].pattern, ':') && !strcmp(routes[i].pattern, r->path))
            return 1;
    return 0;
}

static void serve(struct http_req *r)
{
    struct app_req *ar = arena_alloc(r->a, sizeof(*ar));
    r->face_data = ar;
    http_add_header(r, "Cache-Control", "no-store");
    int rc = wrong_method(r) ? -E_METHOD : 0;
    if (!rc)
        rc = au_app(&r->ctx, &ar->app_id);
    if (!rc)
        rc = appid_key(&r->ctx, ar->idkey); /* may write the key, once: before any snapshot */
    int reads = !rc && (r->route->flags & APP_READS);
    if (reads)
        rc = ctx_reads_begin(&r->ctx);
    if (!rc && !(r->route->flags & APP_OPEN))
        rc = au_session(&r->ctx, ar->app_id, http_cookie(r, cfg_str(CFG_session_cookie)), &ar->me,
                        &ar->session_hash);
    if (rc)
        app_fail(r, rc);
    else
        r->route->fn(r);
    if (reads)
        ctx_reads_end(&r->ctx);
}

/* The SealTalk web client's calls, with the session cookie: no "*" (browsers refuse it with credentials). */
static const struct http_cors cors = {
    .origins = CFG_app_cors_origins,
    .credentials = 1,
    .headers = "content-type",
};

const struct face app_face = {
    .name = "app",
    .routes = routes,
    .n_routes = N_ROUTES,
    .serve = serve,
    .fail = app_fail,
    .allow = allowed,
    .cors = &cors,
    .check = check_settings,
};
