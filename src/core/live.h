#ifndef USERD_LIVE_CORE_H
#define USERD_LIVE_CORE_H

/*
 * Live users (the live face, live-user-api.txt): an account with live_uid
 * set, so that every live user is also an IM user. Its IM username is made
 * from the live user id (live_im_username), its IM password is derived
 * (core/passwords.h, PW_DERIVED) and never stored, its IM user id is the
 * account id. Nick and avatar are the account's own fields, the ones the IM
 * face shows as nick_name and avatar. Extends is a map of string to string
 * kept as JSON text in live_extends.
 *
 * Functions that refuse input return -E_INVALID (or -E_EXISTS) and set
 * *why to a static sentence naming the problem (no user data in it).
 */
#include <jansson.h>

#include "core/accounts.h"
#include "core/ctx.h"
#include "core/types.h"
#include "core/qiniu.h"

#define LIVE_UID_MAX 64          /* bytes of a live user id */
#define LIVE_NICK_BYTES_MAX (NICK_MAX * 4) /* nick: NICK_MAX characters of UTF-8 */
#define LIVE_IDS_MAX 200         /* ids per infos/profiles call, users per batch */
#define LIVE_EXT_KEYS_MAX 50     /* keys in extends (also after a merge) */
#define LIVE_EXT_KEY_MAX 64      /* bytes of one key */
#define LIVE_EXT_VALUE_MAX 1024  /* bytes of one value */
#define LIVE_EXT_TEXT_MAX 8192   /* bytes of the whole map as compact JSON */
#define LIVE_IM_PREFIX "ql"      /* im_username = "ql" + user_id (QNLiveKit_Server) */
#define LIVE_IM_HASH_HEX 10      /* hex digits of the suffix for ids outside [A-Za-z0-9_] */

/** A live user as the live face shows it. Strings live in the request arena. */
struct live_user {
    const char *user_id, *nick, *avatar;
    const char *extends;     /* JSON object text, "{}" when empty */
    int64_t im_userid;       /* the account id, the IM face's user_id */
    const char *im_username; /* "" when the IM side has none */
    const char *im_password; /* only when asked for; "" once the password was changed on the IM face */
};

/** Live user ids: 1-64 bytes of [A-Za-z0-9_.@-], not "." or "..". 0 or -E_INVALID. */
int live_check_user_id(const char *s) USERD_MUST_CHECK;

/**
 * Extends: a JSON object of at most LIVE_EXT_KEYS_MAX keys of 1-64 bytes
 * (no control characters) to string values of at most 1024 bytes (no NUL),
 * at most LIVE_EXT_TEXT_MAX bytes as compact JSON. 0 or -E_INVALID, *why set.
 */
int live_check_extends(const json_t *ext, const char **why) USERD_MUST_CHECK;

/**
 * The IM username of a live user id: "ql" + user_id when the id is all
 * [A-Za-z0-9_]; otherwise "ql" + the id with every other character turned
 * into '_' + "_" + the first 10 hex digits of BLAKE2b(user_id), so that
 * "user-1" and "user.1" get different names. Always a valid IM username
 * (at most 77 bytes). user_id must pass live_check_user_id.
 */
const char *live_im_username(struct arena *a, const char *user_id);

/**
 * Checks the Authorization header of a signed request ("Qiniu AK:sign" or
 * "QBox AK:sign") and finds the app whose AK it names. req is the request as
 * received. A request with a body its scheme does not sign (no Content-Type,
 * application/octet-stream) is refused, and so is every QBox request with a
 * body (the face's bodies are JSON, which QBox does not sign), and
 * so is one whose signed X-Qiniu-Date is further than live.max_clock_skew
 * from now, or that has none while live.require_date is on.
 * -E_AUTH_MISSING (no header), -E_AUTH_INVALID (malformed, a wrong
 * signature, an unsigned body: *why may say which), -E_APP_UNKNOWN (no app
 * has this AK), or a store error.
 */
int live_authenticate(struct ctx *c, const struct qiniu_req *req, const char *authorization, struct app *out,
                      const char **why) USERD_MUST_CHECK;

/** What live_register() makes: user_id required; nick, avatar NULL or ""; ext NULL or an object. */
struct live_new {
    const char *user_id, *nick, *avatar;
    const json_t *ext;
};

/** Checks every rule of a new user (user_id, nick, avatar, ext); 0 or -E_INVALID with *why. */
int live_check_new(const struct live_new *in, const char **why) USERD_MUST_CHECK;

/**
 * Creates the live user and its IM account (account, IM settings) in one
 * transaction. -E_INVALID (a field breaks the rules above), -E_EXISTS when
 * the user id is taken, or when its IM username is taken by another IM user
 * (*why tells which), or a store error. Nothing is written on failure.
 */
int live_register(struct ctx *c, const char *app_id, const struct live_new *in, const char **why) USERD_MUST_CHECK;

/**
 * Changes the non-empty ones of nick and avatar (NULL or "": unchanged) and
 * merges ext key by key into the stored extends (NULL or {}: unchanged), in
 * one transaction. -E_USER_UNKNOWN, -E_INVALID (a field, or the merged map,
 * breaks the rules; *why says which), or a store error.
 */
int live_update(struct ctx *c, const char *app_id, const char *user_id, const char *nick, const char *avatar,
                const json_t *ext, const char **why) USERD_MUST_CHECK;

/**
 * The live user user_id of the app; with_password fills im_password.
 * -E_USER_UNKNOWN when there is none; with_password, -E_DISABLED when its
 * account is disabled (a disabled account's credentials are not handed
 * out; its public info still is).
 */
int live_get(struct ctx *c, const char *app_id, const char *user_id, int with_password,
             struct live_user *out) USERD_MUST_CHECK;

/**
 * The live users among ids (n <= LIVE_IDS_MAX, each a valid id), in the
 * order of their first mention; unknown ids (and, with_password, disabled
 * accounts) are left out, repeated ones given once. *out is an arena array of *n_out users.
 */
int live_get_many(struct ctx *c, const char *app_id, const char *const *ids, size_t n, int with_password,
                  struct live_user **out, size_t *n_out) USERD_MUST_CHECK;

#endif
