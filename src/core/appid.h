#ifndef USERD_APPID_H
#define USERD_APPID_H

#include <stdint.h>

#include "core/ctx.h"

/*
 * The app face never shows a raw account or group id. It shows a short
 * opaque base-62 string: the id (below 2^48) goes through a keyed
 * permutation of the 48-bit numbers, a 6-round Feistel network whose round
 * function is keyed BLAKE2b over (kind, round, right half), then is written
 * in base 62 (0-9A-Za-z, no leading zero, at most 9 characters). The key is
 * the server key "appid" (srvkey.h). Users and groups use different round
 * tweaks, so a group's id is not a user's.
 */
#define APPID_MAX 9
#define APPID_BUF (APPID_MAX + 1)
#define APPID_LIMIT (1ULL << 48)

enum appid_kind { APPID_USER = 'u', APPID_GROUP = 'g' };

/** The permutation and its inverse over [0, 2^48); x must be below 2^48. Pure. */
uint64_t appid_permute(const unsigned char key[32], int kind, uint64_t x);
uint64_t appid_unpermute(const unsigned char key[32], int kind, uint64_t y);

/** v (below 2^48) in base 62 into out. */
void appid_b62(uint64_t v, char out[APPID_BUF]);
/** Parses a canonical base-62 string below 2^48; -E_INVALID otherwise. */
int appid_unb62(const char *s, uint64_t *v) USERD_MUST_CHECK;

/** Loads the key (once per process). */
int appid_key(struct ctx *c, unsigned char key[32]) USERD_MUST_CHECK;

/** Encodes id (1 <= id < 2^48; else "" is written). */
void appid_encode(const unsigned char key[32], int kind, int64_t id, char out[APPID_BUF]);
/** Decodes s; -E_INVALID when it is no id of this kind. */
int appid_decode(const unsigned char key[32], int kind, const char *s, int64_t *id) USERD_MUST_CHECK;

#endif
