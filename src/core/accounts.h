#ifndef USERD_ACCOUNTS_H
#define USERD_ACCOUNTS_H

#include "core/ctx.h"
#include "core/types.h"

/*
 * Accounts: one per person, whichever face made it. Field rules live here so
 * that every face refuses the same bad input the same way.
 */
#define USERNAME_MAX 80
#define NICK_MAX 64
#define AVATAR_MAX 1024
/** Largest account id: 2^53 - 1, so that JavaScript clients read ids exactly. */
#define ACCT_ID_MAX 9007199254740991LL

/** IM usernames: 1-80 of [A-Za-z0-9_], not all digits. */
int acct_check_username(const char *s) USERD_MUST_CHECK;
/**
 * URLs of pictures (avatar, portraitUri), one rule for every face: http or
 * https (any case), a host, at most max bytes without spaces, control
 * characters or any of " ' < > \ ` (so they are safe to put into a page).
 * UTF-8 beyond ASCII is fine: bodies are valid UTF-8 (jansson checks).
 */
int acct_check_url(const char *s, size_t max) USERD_MUST_CHECK;
/**
 * Avatars, the one rule of the three faces (avatar, avatar, portraitUri):
 * "" (none) or a picture URL (acct_check_url) of at most max bytes
 * (max <= AVATAR_MAX; a face whose document says less passes less).
 */
int acct_check_avatar(const char *s, size_t max) USERD_MUST_CHECK;
/**
 * Nicks, the account's rule: at most NICK_MAX characters of valid UTF-8
 * without control characters ("" is no nick). A face whose document says
 * fewer checks its own bounds first (au_check_nick).
 */
int acct_check_nick(const char *s) USERD_MUST_CHECK;
/** Passwords: 6-128 bytes, no control characters. */
int acct_check_password(const char *s) USERD_MUST_CHECK;
/** Text fields: valid UTF-8 is the face's concern (jansson); here: at most max bytes, no control characters (core/text.h). */
int acct_check_text(const char *s, size_t max) USERD_MUST_CHECK;

/**
 * Creates an account and its IM settings row in one transaction. in->app_id,
 * in->created_at and whatever identity fields the face has (username,
 * pw_hash, nick, avatar, region, mobile, live_uid, live_extends) are used.
 * -E_EXISTS when the username, phone or live id is taken.
 */
int acct_create(struct ctx *c, struct account *in) USERD_MUST_CHECK;

/**
 * acct_create for an account with a password (acct_check_password:
 * -E_INVALID), hashed here with Argon2id (call from a hashing-pool
 * handler); in->pw_hash is not read. The one place that hashes a new
 * account's password.
 */
int acct_create_password(struct ctx *c, struct account *in, const char *password) USERD_MUST_CHECK;

/** acct_create's work inside a transaction the caller holds (core only: store_tx); in->created_at must be set. */
int acct_create_tx(struct db *db, struct account *in) USERD_MUST_CHECK;

/** The account with this id in the app; -E_USER_UNKNOWN when there is none. */
/**
 * Calls fn for every app with its number of accounts (app_id valid during
 * the call only). A full scan of the accounts: for a background count (the
 * ops listener's userd_accounts), never per request.
 */
int acct_count_by_app(struct ctx *c, void (*fn)(const char *app_id, int64_t n, void *), void *arg) USERD_MUST_CHECK;
int acct_get(struct ctx *c, const char *app_id, int64_t id, struct account *out) USERD_MUST_CHECK;

/**
 * The account a login name stands for: a username, else a mobile number,
 * else an e-mail address. -E_USER_UNKNOWN when none matches.
 */
int acct_find_login(struct ctx *c, const char *app_id, const char *login_name, struct account *out) USERD_MUST_CHECK;
int acct_find_username(struct ctx *c, const char *app_id, const char *username, struct account *out) USERD_MUST_CHECK;

/** The IM settings of an account; -E_USER_UNKNOWN when there is none. */
int acct_settings(struct ctx *c, int64_t id, struct user_settings *out) USERD_MUST_CHECK;

/** Largest description, public_info and private_info, in bytes (the IM face counts characters). */
#define ACCT_TEXT_MAX 16384

/**
 * Changes the profile fields of p that are not NULL (nick, avatar,
 * description, public_info, private_info), in one statement of one
 * transaction that stamps the account with its app's next sync version
 * (core/versions.h). The one way
 * every face sets the shared nick and avatar, stored as given (a face that
 * renders into markup escapes when it renders). Checks the account's rules
 * (acct_check_nick, acct_check_avatar, ACCT_TEXT_MAX bytes of text): faces
 * check first to answer in their own words.
 * -E_USER_UNKNOWN when the account is not in the app, -E_INVALID.
 */
int acct_update_profile(struct ctx *c, const char *app_id, int64_t id, const struct account_patch *p) USERD_MUST_CHECK;
/**
 * acct_update_profile inside a write transaction the caller holds, stamped
 * with a sync version it took there (core only: ver_next_tx).
 */
int acct_update_profile_tx(struct db *db, const char *app_id, int64_t id, const struct account_patch *p,
                           int64_t version) USERD_MUST_CHECK;

#endif
