#ifndef USERD_VERSIONS_H
#define USERD_VERSIONS_H

#include "core/ctx.h"

/*
 * Sync versions: what the app face's /user/sync/:version compares. Every
 * change to a row that sync reports (an account's own row, a blacklist
 * entry, a friendship, a group, a group membership) is stamped, in its
 * updated_at, with its app's next version, taken inside the change's own
 * write transaction from a counter row per app in the store
 * (sync_versions). The counter row is held from the moment a version is
 * taken until the transaction ends, so versions are handed out in commit
 * order: once a reader has seen version v committed, every version below v
 * is committed too, and a client that synced up to v never misses a change
 * stamped below it. (A stamp taken at the start of a request, as before,
 * let a slow transaction commit an old stamp after a client had synced past
 * it.)
 *
 * The next version is the later of one more than the last and the
 * request's clock (ms), so versions still read as times (blacklist
 * updatedAt, favgroups' dates) and the versions that clients already hold,
 * ms timestamps, compare as before; they run ahead of the clock only while
 * an app stamps more than one change per millisecond.
 *
 * A new account's row carries its creation time, unstamped: no client can
 * hold a version that came after the row and not see it.
 */

/** The app's next version, inside a write transaction the caller holds (core only: store_tx). */
int ver_next_tx(struct db *db, const char *app_id, int64_t now, int64_t *version) USERD_MUST_CHECK;

/** Runs fn(db, arg, version) in one write transaction that first takes the app's next version. */
int ver_tx(struct ctx *c, const char *app_id, int (*fn)(struct db *db, void *arg, int64_t version),
           void *arg) USERD_MUST_CHECK;

#endif
