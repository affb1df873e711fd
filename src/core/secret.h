#ifndef USERD_SECRET_H
#define USERD_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/errors.h"

/*
 * Random secrets and their hashes, all from libsodium. Tokens, sessions and
 * codes are stored as sec_hash() of what the client holds: a leaked table
 * gives nobody a working credential.
 */

/** A random token: `bytes` random bytes as URL-safe base64 without padding. */
char *sec_token(struct arena *a, size_t bytes);

/** n random characters from [a-z0-9]. */
char *sec_alnum(struct arena *a, size_t n);

/** n random decimal digits (SMS codes). */
char *sec_digits(struct arena *a, size_t n);

/** A random UUID (version 4), lower case. */
char *sec_uuid(struct arena *a);

/** BLAKE2b-256 of s, hex: the stored form of a token, session or code. */
char *sec_hash(struct arena *a, const char *s);

/**
 * Keyed BLAKE2b-256 of msg under a key given as 64 hex digits (32 bytes),
 * hex. NULL when the key is anything else: a malformed key fails closed.
 */
char *sec_mac(struct arena *a, const char *key_hex, const char *msg);

/** 1 if key_hex is a well-formed key for sec_mac (exactly 64 hex digits). */
int sec_key_ok(const char *key_hex);

/** Constant-time equality of two NUL-terminated strings (length may leak). */
int sec_equal(const char *x, const char *y);

/** 1 if s is a well-formed UUID (8-4-4-4-12 hex). */
int sec_is_uuid(const char *s);

#endif
