#ifndef USERD_TOKENS_H
#define USERD_TOKENS_H

#include "core/ctx.h"
#include "core/types.h"

/*
 * IM tokens: random, handed to the client once, stored as a hash, bound to
 * an app, an account and (optionally) a device, with an expiry. Admin tokens
 * are the same with no account; they act for the whole app.
 */
struct caller {
    const char *app_id;
    int64_t account_id; /* 0 for an admin token */
    int64_t device_sn;
    int is_admin;
    const char *token_hash;
    /*
     * The caller's account as read with the token (NULL for an admin
     * token): a handler that reads the caller's own account can use it
     * instead of reading it again, unless it changed the account since.
     */
    const struct account *account;
};

/** Limits on what a device reports. */
#define DEVICE_GUID_MAX 128
#define USER_AGENT_MAX 512

/**
 * Signs the account in: registers the device when guid is non-empty
 * (platform 1-6, or 0 to guess it from the user agent), then issues a token.
 * *expire is the expiry, ms since the epoch.
 */
int tok_login(struct ctx *c, const struct account *acct, const char *guid, int platform,
              const char **token, int64_t *expire, int64_t *device_sn) USERD_MUST_CHECK;

/*
 * tok_login's parts, for a sign-in that makes more than a token in its
 * transaction (au_sign_in: token and session). Core only.
 */
struct tok_issue {
    const char *guid; /* in: the device, NULL or "" for none */
    int platform;     /* in: 1-6, 0 to guess from the user agent */
    const char *token, *hash; /* made by tok_prepare: the token (arena) and its stored hash */
    int64_t expire, device_sn;
};
/** Makes the token (outside the transaction, so that a retry keeps it). */
void tok_prepare(struct ctx *c, const char *guid, int platform, struct tok_issue *t);
/**
 * Inside a write transaction the caller holds: reads the account again
 * (-E_USER_UNKNOWN, -E_DISABLED: a disable that committed since ends this
 * sign-in too), registers the device, trims the account's tokens and
 * devices, stores the token.
 */
int tok_issue_tx(struct db *db, struct ctx *c, const struct account *acct, struct tok_issue *t) USERD_MUST_CHECK;

/**
 * Signs in with a password, as every IM-face token route does: pw_verify
 * (the account's lockout: -E_PASSWORD, -E_LOCKED; Argon2id, so hashing
 * pool only), then tok_login (-E_DISABLED).
 */
int tok_login_password(struct ctx *c, const struct account *acct, const char *password, const char *guid,
                       int platform, const char **token, int64_t *expire) USERD_MUST_CHECK;

/**
 * Authenticates a token presented for app_id. -E_AUTH_MISSING (empty),
 * -E_AUTH_INVALID (unknown, or another app's), -E_AUTH_EXPIRED,
 * -E_DISABLED (its account is disabled), -E_APP_UNKNOWN (no such app).
 */
int tok_auth(struct ctx *c, const char *app_id, const char *token, struct caller *out) USERD_MUST_CHECK;

/** Platform from a User-Agent: 1 ios, 2 android, 3 windows, 4 mac, 5 linux, 6 web (the default). */
int tok_guess_platform(const char *user_agent);

#endif
