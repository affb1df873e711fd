#ifndef USERD_PUSH_H
#define USERD_PUSH_H

#include "core/ctx.h"
#include "core/types.h"

/*
 * Push: users registered for push (an account with its alias, push token
 * and device in one go) and each account's set of push tags. The alias,
 * push token and badge themselves live in the settings (core/settings.h).
 */

#define PUSH_TAG_MAX 64      /* characters in a tag */
#define PUSH_TAGS_MAX 100    /* tags per account, and per request */

struct push_user {
    struct account acct; /* app_id, username: as for acct_create() */
    const char *password; /* hashed by push_register (acct_check_password) */
    const char *guid;    /* NULL: no device */
    const char *alias, *push_token; /* NULL: none */
};

/**
 * Creates the account, its settings (alias, push token) and, when guid is
 * given, its first device (platform from the user agent), all or nothing.
 * Hashes u->password (Argon2id: call from a hashing-pool handler). Sets
 * u->acct.id. -E_EXISTS when the username is taken, -E_INVALID (password).
 */
int push_register(struct ctx *c, struct push_user *u) USERD_MUST_CHECK;

/** Adds tags to the account's set; -E_INVALID (nothing added) when it would hold more than PUSH_TAGS_MAX. */
int push_tags_add(struct ctx *c, int64_t account_id, const char *const *tags, size_t n) USERD_MUST_CHECK;
/** Removes the tags the account has among these. */
int push_tags_remove(struct ctx *c, int64_t account_id, const char *const *tags, size_t n) USERD_MUST_CHECK;
int push_tags_clear(struct ctx *c, int64_t account_id) USERD_MUST_CHECK;
/** The account's tags, sorted byte-wise; *out in the arena. */
int push_tags_list(struct ctx *c, int64_t account_id, const char ***out, size_t *n) USERD_MUST_CHECK;

#endif
