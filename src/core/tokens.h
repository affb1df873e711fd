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

/**
 * tok_login's work without a device, inside a transaction the caller holds
 * (core only: store_tx), for a sign-in that writes more in the same
 * transaction (au_sms_sign_in: the account, the IM token and the session
 * together). expire may be NULL.
 */
int tok_login_tx(struct db *db, struct ctx *c, const struct account *acct, const char **token,
                 int64_t *expire) USERD_MUST_CHECK;

/**
 * Authenticates a token presented for app_id. -E_AUTH_MISSING (empty),
 * -E_AUTH_INVALID (unknown, or another app's), -E_AUTH_EXPIRED,
 * -E_DISABLED (its account is disabled), -E_APP_UNKNOWN (no such app).
 */
int tok_auth(struct ctx *c, const char *app_id, const char *token, struct caller *out) USERD_MUST_CHECK;

/** Platform from a User-Agent: 1 ios, 2 android, 3 windows, 4 mac, 5 linux, 6 web (the default). */
int tok_guess_platform(const char *user_agent);

#endif
