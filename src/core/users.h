#ifndef USERD_USERS_H
#define USERD_USERS_H

#include "core/ctx.h"
#include "core/types.h"

/*
 * What an account's owner or its app's admin does to the account as a
 * whole: rename it, give it a mobile number, change its password, disable,
 * enable, delete and list accounts. Every change that must revoke tokens
 * does so in the same transaction.
 */

/** Mobile numbers: an optional '+' then 5-20 ASCII digits. */
#define MOBILE_MIN 5
#define MOBILE_MAX 20
int users_check_mobile(const char *s) USERD_MUST_CHECK;

/** Renames the account (acct_check_username rules). -E_EXISTS when taken, -E_USER_UNKNOWN. */
int users_set_username(struct ctx *c, const char *app_id, int64_t id, const char *username) USERD_MUST_CHECK;

/**
 * Sets the account's mobile number, unique within the app whatever the
 * region (then /token/login finds the account by it). -E_EXISTS when
 * another account of the app has it, -E_USER_UNKNOWN, -E_INVALID.
 */
int users_set_mobile(struct ctx *c, const char *app_id, int64_t id, const char *mobile) USERD_MUST_CHECK;

/**
 * Sets a new password (acct_check_password rules) and ends the account's
 * credentials on every face: every IM token except the one whose hash is
 * keep_hash (NULL: all of them) and every app-face session, in one
 * transaction. Argon2id: call from a ROUTE_SLOW handler.
 * When old is not NULL it must match first: pw_verify, which counts against
 * the account's lockout (-E_PASSWORD, -E_LOCKED).
 */
int users_change_password(struct ctx *c, const struct account *acct, const char *old, const char *fresh,
                          const char *keep_hash) USERD_MUST_CHECK;

/**
 * Deletes the account and, with it, its settings, devices, tokens, sessions
 * and tags. With a password (the owner's own request) it must match first:
 * pw_verify, which counts against the account's lockout (-E_PASSWORD,
 * -E_LOCKED; Argon2id: call from a ROUTE_SLOW handler); NULL is an admin's
 * request. -E_USER_UNKNOWN.
 */
int users_delete(struct ctx *c, const char *app_id, int64_t id, const char *password) USERD_MUST_CHECK;

/**
 * Disables (status 1) or enables (status 0) the n accounts, all or none:
 * -E_USER_UNKNOWN (with *bad the id) when one is not in the app. Disabling
 * deletes the accounts' IM tokens and app-face sessions in the same
 * transaction: they stop working at once, and stay dead after the account
 * is enabled again.
 */
int users_set_status(struct ctx *c, const char *app_id, const int64_t *ids, size_t n, int status,
                     int64_t *bad) USERD_MUST_CHECK;

/**
 * Signs the account out everywhere: deletes its IM tokens and app-face
 * sessions in one transaction (the devices stay listed). -E_USER_UNKNOWN.
 */
int users_sign_out(struct ctx *c, const char *app_id, int64_t id) USERD_MUST_CHECK;

/** Page page_num (from 1) of page_size accounts of the app, in id order; out holds page_size entries. */
int users_page(struct ctx *c, const char *app_id, int64_t page_num, int page_size, struct account_brief *out,
               int *n) USERD_MUST_CHECK;

#endif
