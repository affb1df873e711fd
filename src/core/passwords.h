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
 * Checks a password someone gives for the account: a sign-in on any face,
 * or a change or a delete that asks for the current password. The one
 * place that verifies a password, so every check counts against the
 * account's lockout, whichever face or process made it (the counter lives
 * in the store):
 *
 * - the check is counted before any hashing, and only while fewer than
 *   login.max_failures are counted in the window (one atomic statement, so
 *   parallel guesses cannot all pass the count and then hash);
 * - reaching login.max_failures locks the account for login.lockout
 *   seconds from that check: -E_LOCKED, with nothing hashed, even for the
 *   right password;
 * - a right password clears the count.
 *
 * 0 when it matches (a hash made with other parameters is replaced),
 * -E_PASSWORD (counted), -E_LOCKED. Argon2id: hashing pool only.
 */
int pw_verify(struct ctx *c, const struct account *acct, const char *password) USERD_MUST_CHECK;

/**
 * Checks password against a stored Argon2id string, nothing else: no
 * lockout, no rehash (the console's operators, core/operators.c, count
 * their own). 0 when it matches, -E_PASSWORD. Hashing pool only.
 */
int pw_check_hash(const char *stored, const char *password) USERD_MUST_CHECK;

/** The derived IM password of a live-face account (16 characters). */
int pw_derived(struct ctx *c, const char *app_id, int64_t account_id, const char **out) USERD_MUST_CHECK;

/** Loads the process-wide secrets from the store (call once at start). */
int pw_init(struct ctx *c) USERD_MUST_CHECK;

#endif
