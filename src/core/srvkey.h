#ifndef USERD_SRVKEY_H
#define USERD_SRVKEY_H

#include "core/ctx.h"

/*
 * Named server keys: 32 random bytes made on first use and kept in the
 * meta table (key "key:<name>", hex), so every userd process on one store
 * shares them; cached in the process after the first read.
 */
#define SRVKEY_BYTES 32

/* The keys in use: the app face's id permutation, the stored form of SMS codes. */
#define SRVKEY_APPID "appid"
#define SRVKEY_SMS "sms"
#define SRVKEY_CONSOLE "console" /* the console's CSRF tokens (core/operators.h) */

/**
 * The key called name (at most 32 characters). Thread-safe. Errors from the
 * store (the key is not cached then, so a later call retries); -E_INVALID
 * (logged) when the stored key is not 64 hex digits: never a weaker key.
 */
int srvkey_get(struct ctx *c, const char *name, unsigned char out[SRVKEY_BYTES]) USERD_MUST_CHECK;

/**
 * Loads every key in use (making those missing), so that `serve` refuses to
 * start on a store whose keys are malformed instead of failing per request.
 */
int srvkey_init(struct ctx *c) USERD_MUST_CHECK;

#endif
