#ifndef USERD_CONSOLE_H
#define USERD_CONSOLE_H

/*
 * The admin console (issue 15, docs/console.md), served on the ops listener
 * under /console/: a page and its assets built into the binary (assets.c),
 * and a small JSON API under /console/api/ that the page's script calls.
 * Every answer carries the console's security headers; every API call but
 * the login needs the operator's session cookie, and every call that
 * changes anything needs the session's CSRF token too (X-CSRF-Token) and a
 * JSON body. Every action goes through the core functions the faces use,
 * and is written to the audit log.
 */
#include "http/http.h"

#define CONSOLE_COOKIE "userd_console"

/* The routes, for the ops listener's table (ops/face.c). */
#define CONSOLE_ROUTES                                                                                       \
    ROUTE(M_GET, "/console", con_redirect, ROUTE_NO_STORE),                                                   \
    ROUTE(M_GET, "/console/", con_index, ROUTE_NO_STORE),                                                     \
    ROUTE(M_GET, "/console/assets/:file", con_asset, ROUTE_NO_STORE),                                         \
    ROUTE(M_GET, "/console/api/session", con_session, 0),                                                     \
    ROUTE(M_POST, "/console/api/login", con_login, ROUTE_SLOW),                                               \
    ROUTE(M_POST, "/console/api/logout", con_logout, 0),                                                      \
    ROUTE(M_GET, "/console/api/overview", con_overview, 0),                                                   \
    ROUTE(M_GET, "/console/api/metrics", con_metrics, 0),                                                     \
    ROUTE(M_GET, "/console/api/audit", con_audit, 0),                                                         \
    ROUTE(M_GET | M_POST, "/console/api/apps", con_apps, 0),                                                  \
    ROUTE(M_POST, "/console/api/apps/:app/secret", con_app_secret, 0),                                        \
    ROUTE(M_POST, "/console/api/apps/:app/rotate", con_app_rotate, 0),                                        \
    ROUTE(M_GET | M_POST, "/console/api/apps/:app/tokens", con_app_tokens, 0),                                \
    ROUTE(M_POST, "/console/api/apps/:app/tokens/revoke", con_app_revoke, 0),                                 \
    ROUTE(M_GET, "/console/api/apps/:app/users", con_users, 0),                                               \
    ROUTE(M_GET, "/console/api/apps/:app/users/:id", con_user, 0),                                            \
    ROUTE(M_POST, "/console/api/apps/:app/users/:id/reset", con_user_reset, ROUTE_SLOW),                      \
    ROUTE(M_POST, "/console/api/apps/:app/users/:id/:action", con_user_action, 0)

/* Handlers. */
void con_redirect(struct http_req *r);
void con_index(struct http_req *r);
void con_asset(struct http_req *r);
void con_session(struct http_req *r);
void con_login(struct http_req *r);
void con_logout(struct http_req *r);
void con_overview(struct http_req *r);
void con_metrics(struct http_req *r);
void con_audit(struct http_req *r);
void con_apps(struct http_req *r);
void con_app_secret(struct http_req *r);
void con_app_rotate(struct http_req *r);
void con_app_tokens(struct http_req *r);
void con_app_revoke(struct http_req *r);
void con_users(struct http_req *r);
void con_user(struct http_req *r);
void con_user_reset(struct http_req *r);
void con_user_action(struct http_req *r);

/* ---- shared by the handlers (auth.c) ---- */

/** Adds the console's security headers (CSP, X-Frame-Options...) to the answer. */
void con_headers(struct http_req *r);
/** Answers JSON with the security headers and Cache-Control: no-store; takes o (NULL: 500). */
void con_reply(struct http_req *r, int status, json_t *o);
/** Answers a core error as {"error": message}. */
void con_fail(struct http_req *r, int err);
/**
 * The signed-in operator, or NULL after answering 401 (or 403 for a
 * request that changes something without the session's CSRF token or a
 * JSON body). Call first in every API handler.
 */
const char *con_operator(struct http_req *r);
/**
 * Writes the action to the audit log (target may be NULL); its failure is
 * logged by the core and does not undo the action.
 */
void con_audit_add(struct http_req *r, const char *op, const char *action, const char *app_id, const char *target,
                   const char *detail);
/** r->params[i] as an account id (>= 1), or -1. */
int64_t con_param_id(struct http_req *r, int i);

#endif
