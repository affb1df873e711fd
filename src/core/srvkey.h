#ifndef USERD_SRVKEY_H
#define USERD_SRVKEY_H

#include "core/ctx.h"

/*
 * Named server keys: 32 random bytes made on first use and kept in the
 * meta table (key "key:<name>", hex), so every userd process on one store
 * shares them; cached in the process after the first read.
 */
#define SRVKEY_BYTES 32

/**
 * The key called name (at most 32 characters). Thread-safe. Errors from the
 * store (the key is not cached then, so a later call retries).
 */
int srvkey_get(struct ctx *c, const char *name, unsigned char out[SRVKEY_BYTES]) USERD_MUST_CHECK;

#endif
