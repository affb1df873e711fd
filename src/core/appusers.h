#ifndef USERD_APPUSERS_H
#define USERD_APPUSERS_H

#include "core/ctx.h"
#include "core/types.h"

/*
 * App-face users (app-user-api.txt): accounts with a (region, mobile) and
 * a password, signed up with an SMS verification token, signed in with a
 * server-side session (random token in a cookie, stored hashed). The rules
 * of the document and of NOTES.md, app face section, live here.
 */
#define AU_NICK_MAX 32      /* characters */
#define AU_PW_MIN 6         /* bytes */
#define AU_PW_MAX 20        /* bytes, no space */
#define AU_PORTRAIT_MIN 12  /* bytes, http(s) URL */
#define AU_PORTRAIT_MAX 256
#define AU_ST_MIN 6         /* SealTalk number: ^[a-zA-Z][a-zA-Z0-9_-]*$ */
#define AU_ST_MAX 20
#define AU_SESSION_MAX 128  /* longest cookie value looked up */
#define AU_DEFAULT_NICK "SealTalk" /* an SMS sign-in's new account: this and random digits */
#define AU_DEFAULT_NICK_DIGITS 4

/** The app the app face serves: app.app_id, else the default app. Cached once found. -E_APP_UNKNOWN. */
int au_app(struct ctx *c, const char **app_id) USERD_MUST_CHECK;

/**
 * Nickname rule: 1-AU_NICK_MAX characters of valid UTF-8 without control
 * characters. Stored as given, like every nick (acct_update_profile): the
 * app face escapes it for HTML when it renders it (text_escape_html).
 */
int au_check_nick(const char *nick) USERD_MUST_CHECK;
/* A portrait URI is an avatar (acct_check_avatar) of AU_PORTRAIT_MIN-MAX bytes. */
/** What is wrong with a new password: the app face's rule, AU_PW_MIN-AU_PW_MAX bytes, no space or control character. */
enum au_pw_problem { AU_PW_OK, AU_PW_SPACE, AU_PW_LENGTH };
enum au_pw_problem au_check_password(const char *pw);
/** Gender rule: "male" or "female". */
int au_check_gender(const char *gender) USERD_MUST_CHECK;
/** SealTalk number rule. */
int au_check_st(const char *st) USERD_MUST_CHECK;
/** The phone of a that viewer_id may see: a's own, or anyone's who lets others find them by it; else "". */
const char *au_shown_phone(const struct account *a, int64_t viewer_id);

/** *available = 1 when no account of the app holds the phone. */
int au_phone_available(struct ctx *c, const char *app_id, const char *region, const char *phone,
                       int *available) USERD_MUST_CHECK;

/**
 * Signs up: takes the verification token (single use), creates the account
 * with its phone, nick (au_check_nick, stored as given) and password
 * (hashed here, Argon2id: call on the hashing pool), and a session. All in
 * one transaction. *session: the cookie value.
 * -E_NOT_FOUND (token unknown, used or expired), -E_EXISTS (phone taken).
 */
int au_register(struct ctx *c, const char *app_id, const char *nick, const char *password, const char *vtoken,
                struct account *out, const char **session) USERD_MUST_CHECK;

/**
 * Signs in with phone and password (Argon2id: hashing pool), then
 * au_sign_in: a session and an IM token. -E_USER_UNKNOWN (not counted), -E_PASSWORD and
 * -E_LOCKED (the account's lockout, shared by every face: pw_verify),
 * -E_DISABLED.
 */
int au_login(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *password,
             struct account *out, const char **session, const char **im_token) USERD_MUST_CHECK;

/**
 * Signs the account in on the app face, however it proved who it is (a
 * password: au_login; an SMS code): a new session and a new IM token (no
 * device), in one transaction, which reads the account again
 * (-E_DISABLED, -E_USER_UNKNOWN). *session: the cookie value; *im_token:
 * the token the IM face accepts. No hashing: any thread.
 */
int au_sign_in(struct ctx *c, const struct account *acct, const char **session,
               const char **im_token) USERD_MUST_CHECK;

/**
 * The account of a session cookie value. *hash: the session's stored hash.
 * -E_AUTH_MISSING (no value), -E_AUTH_INVALID (unknown), -E_AUTH_EXPIRED,
 * -E_DISABLED.
 */
int au_session(struct ctx *c, const char *app_id, const char *token, struct account *out,
               const char **hash) USERD_MUST_CHECK;

/**
 * Signs in with an SMS code (the current apps' verify_code_register): checks
 * code as sms_verify does (the same tries limit, expiry and dead code after
 * sms.max_tries; a wrong try is counted), then, in the same transaction,
 * finds the account of (region, phone) or creates it (no password, which
 * reset_password can set; the nick AU_DEFAULT_NICK and
 * AU_DEFAULT_NICK_DIGITS random digits), and makes an IM
 * token and a session. *session: the cookie value; *im_token: the IM token.
 * -E_NOT_FOUND (no code was sent), -E_CODE_EXPIRED, -E_CODE_WRONG,
 * -E_EXISTS (a mobile without region, set on the IM face, holds the phone),
 * -E_DISABLED (the code is then not used up).
 */
int au_sms_sign_in(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *code,
                   struct account *out, const char **session, const char **im_token) USERD_MUST_CHECK;

/** Ends one session. */
int au_logout(struct ctx *c, const char *session_hash) USERD_MUST_CHECK;

/**
 * Sets a new password by verification token (hashing pool) and ends every
 * session and IM token of the account, in one transaction.
 * -E_NOT_FOUND (token), -E_USER_UNKNOWN (no account has the phone).
 */
int au_reset_password(struct ctx *c, const char *app_id, const char *vtoken, const char *password) USERD_MUST_CHECK;

/**
 * Checks old, sets new (hashing pool); ends the account's other sessions and
 * all its IM tokens. -E_PASSWORD when old is wrong, -E_LOCKED: old is
 * checked by pw_verify, under the account's lockout.
 */
int au_change_password(struct ctx *c, const struct account *acct, const char *old_pw, const char *new_pw,
                       const char *keep_session) USERD_MUST_CHECK;

/** A new IM token for the account (the IM face accepts it). */
int au_im_token(struct ctx *c, const struct account *acct, const char **token) USERD_MUST_CHECK;

/**
 * Sets gender or the SealTalk number (values already checked; -E_EXISTS
 * when another account has the number; the number the account already has
 * changes nothing). Nick and portrait go the way of every face:
 * acct_update_profile.
 */
int au_set_field(struct ctx *c, const struct account *acct, enum au_field f, const char *value) USERD_MUST_CHECK;
/** Several profile fields at once (updateUser); NULL or -1 keeps a field. */
struct au_update {
    const char *nick, *portrait, *gender; /* au_check_nick; AU_PORTRAIT_MIN-MAX bytes, acct_check_avatar; au_check_gender */
    int privacy[4];                       /* phoneVerify, stSearchVerify, friVerify, groupVerify: 0, 1 or -1 */
    int poke;                             /* 0, 1 or -1 */
};
/** Sets the fields u gives, all in one transaction (-E_INVALID when one breaks its rule: nothing changes). */
int au_update(struct ctx *c, const struct account *acct, const struct au_update *u) USERD_MUST_CHECK;
/** Sets the privacy flags that are 0 or 1 (-1: keep): phoneVerify, stSearchVerify, friVerify, groupVerify. */
int au_set_privacy(struct ctx *c, const struct account *acct, const int flags[4]) USERD_MUST_CHECK;
int au_set_poke(struct ctx *c, const struct account *acct, int poke) USERD_MUST_CHECK;

/** An account of the app by id (-E_USER_UNKNOWN). */
int au_get(struct ctx *c, const char *app_id, int64_t id, struct account *out) USERD_MUST_CHECK;
/**
 * Finds by phone. With honour_privacy, an account whose phone by_id may not
 * see (au_shown_phone) is not found. -E_USER_UNKNOWN.
 */
int au_find_phone(struct ctx *c, const char *app_id, const char *region, const char *phone, int64_t by_id,
                  int honour_privacy, struct account *out) USERD_MUST_CHECK;
/** Finds by SealTalk number, honouring stSearchVerify for others. -E_USER_UNKNOWN. */
int au_find_st(struct ctx *c, const char *app_id, const char *st, int64_t by_id, struct account *out) USERD_MUST_CHECK;
/** The accounts of the app among ids (n at most 100), in the order of ids, unknown ones left out. */
int au_batch(struct ctx *c, const char *app_id, const int64_t *ids, size_t n, struct account **out,
             size_t *n_out) USERD_MUST_CHECK;

#endif
