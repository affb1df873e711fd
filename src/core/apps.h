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

/** A new admin token for the app (-E_APP_UNKNOWN when there is none). */
int app_admin_token(struct ctx *c, const char *app_id, const char **token) USERD_MUST_CHECK;

/**
 * On an empty store, creates the app "default" and writes its credentials
 * (as JSON, mode 0600) to data_dir/default-app.json. Safe when several
 * processes start together: one of them creates it.
 */
int app_ensure_default(struct ctx *c, const char *data_dir) USERD_MUST_CHECK;

/** The app with this id (-E_APP_UNKNOWN when there is none). */
int app_get(struct ctx *c, const char *app_id, struct app *out) USERD_MUST_CHECK;

/**
 * The app with this access key (-E_APP_UNKNOWN when there is none), from a
 * short-lived process cache (a few seconds) in front of the store: an app's
 * keys never change. Strings in c's arena.
 */
int app_by_access_key(struct ctx *c, const char *ak, struct app *out) USERD_MUST_CHECK;

/** Calls fn for each app, oldest first (the CLI's `app list`). */
int app_list(struct ctx *c, void (*fn)(const struct app *, void *), void *arg) USERD_MUST_CHECK;

/** The id of the default app ("" before one exists). */
int app_default_id(struct ctx *c, const char **out) USERD_MUST_CHECK;

/** The credentials as the JSON that `userd app create --json` prints; caller frees. */
char *app_creds_json(const struct app_creds *cr);

#endif
