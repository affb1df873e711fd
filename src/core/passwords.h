#ifndef USERD_PASSWORDS_H
#define USERD_PASSWORDS_H

#include <sodium.h>

#include "core/ctx.h"
#include "core/types.h"

/*
 * Passwords: Argon2id (libsodium crypto_pwhash_str) with the parameters in
 * the settings; a stored hash made with other parameters is replaced on the
 * next successful login.
 *
 * Accounts made by the live face hold the marker PW_DERIVED instead of a
 * hash: their IM password is derived (keyed BLAKE2b of a server key, the app
 * and the account id), so it can be shown again on the live face and is
 * never stored, and checking it costs no Argon2id.
 *
 * pw_hash and pw_verify take tens of milliseconds by design: call them only
 * from handlers that run on the hashing pool (ROUTE_SLOW).
 */
#define PW_DERIVED "$derived$v1"
#define PW_MAX 128

/** Hashes password into out. -E_INTERNAL when out of memory. */
int pw_hash(const char *password, char out[crypto_pwhash_STRBYTES]) USERD_MUST_CHECK;

/**
 * Checks password against the account. 0 when it matches (and rehashes it
 * in place when the parameters changed), -E_PASSWORD when it does not.
 */
int pw_check(struct ctx *c, const struct account *acct, const char *password) USERD_MUST_CHECK;

/** The derived IM password of a live-face account (16 characters). */
int pw_derived(struct ctx *c, const char *app_id, int64_t account_id, const char **out) USERD_MUST_CHECK;

/** Loads the process-wide secrets from the store (call once at start). */
int pw_init(struct ctx *c) USERD_MUST_CHECK;

#endif
