#ifndef USERD_APPS_H
#define USERD_APPS_H

#include "core/ctx.h"
#include "core/types.h"

/*
 * Apps (tenants). Every account belongs to one. An app has an opaque id, a
 * name, an AK/SK pair (live face signing) and admin tokens (IM face).
 */
struct app_creds {
    const char *app_id, *name, *access_key, *secret_key, *admin_token;
};

#define APP_NAME_MAX 64

/** Creates an app with fresh credentials and a first admin token. */
int app_create(struct ctx *c, const char *name, struct app_creds *out) USERD_MUST_CHECK;

/*
 * Admin tokens: made by the operator, stored hashed with their first
 * ADMIN_TOKEN_PREFIX characters (not secret) beside the hash, so that they
 * can be listed and revoked by that prefix. They live ttl seconds, a
 * hundred years by default; their last use is noted, at most once a minute.
 */
#define ADMIN_TOKEN_PREFIX 8
#define ADMIN_TOKEN_TTL_MAX (100LL * 365 * 24 * 3600) /* seconds */
#define ADMIN_TOKEN_USED_EVERY_MS 60000

/**
 * A new admin token for the app, valid ttl_s seconds (1 to
 * ADMIN_TOKEN_TTL_MAX; 0: the maximum). -E_APP_UNKNOWN when there is no such
 * app, -E_INVALID for a ttl out of bounds.
 */
int app_admin_token(struct ctx *c, const char *app_id, int64_t ttl_s, const char **token) USERD_MUST_CHECK;

/** Calls fn for each admin token of the app, oldest first (strings in c's arena). */
int app_admin_tokens(struct ctx *c, const char *app_id, void (*fn)(const struct admin_token *, void *),
                     void *arg) USERD_MUST_CHECK;

/**
 * Revokes the app's admin token named by which: its prefix (exactly
 * ADMIN_TOKEN_PREFIX characters) or the whole token. At once: the next
 * request with it is refused. -E_NOT_FOUND when no token matches, -E_EXISTS
 * when several share the prefix (give the whole token), -E_INVALID when
 * which is shorter than a prefix.
 */
int app_admin_revoke(struct ctx *c, const char *app_id, const char *which) USERD_MUST_CHECK;

/**
 * On an empty store, creates the app "default" and writes its credentials
 * (as JSON, mode 0600) to data_dir/default-app.json. Safe when several
 * processes start together: one of them creates it.
 */
int app_ensure_default(struct ctx *c, const char *data_dir) USERD_MUST_CHECK;

/**
 * Gives the app a new secret key (*secret, c's arena): signatures made with
 * the old one are refused from then on by this process at once, and by
 * other processes on the store within 5 seconds (their cache of apps by
 * access key, app_by_access_key). -E_APP_UNKNOWN.
 */
int app_rotate_secret(struct ctx *c, const char *app_id, const char **secret) USERD_MUST_CHECK;

/** The app with this id (-E_APP_UNKNOWN when there is none). */
int app_get(struct ctx *c, const char *app_id, struct app *out) USERD_MUST_CHECK;

/**
 * The app with this access key (-E_APP_UNKNOWN when there is none), from a
 * short-lived process cache (5 seconds) in front of the store: an app's
 * access key never changes, its secret only by app_rotate_secret. Strings in c's arena.
 */
int app_by_access_key(struct ctx *c, const char *ak, struct app *out) USERD_MUST_CHECK;

/** Calls fn for each app, oldest first (the CLI's `app list`). */
int app_list(struct ctx *c, void (*fn)(const struct app *, void *), void *arg) USERD_MUST_CHECK;

/** The id of the default app ("" before one exists). */
int app_default_id(struct ctx *c, const char **out) USERD_MUST_CHECK;

/** The credentials as the JSON that `userd app create --json` prints; caller frees. */
char *app_creds_json(const struct app_creds *cr);

#endif
