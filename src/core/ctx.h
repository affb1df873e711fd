#ifndef USERD_CTX_H
#define USERD_CTX_H

#include <stdint.h>

#include "base/arena.h"
#include "base/errors.h"

/*
 * What the core needs to serve one request: the thread's store connection,
 * the request's arena, the time the request started (ms since the epoch),
 * and the client as the HTTP layer saw it.
 *
 * The connection is an opaque handle above the core: only the core (and the
 * store under it) knows what a struct db is.
 */
struct db;

struct ctx {
    struct db *db; /* opaque: set by ctx_bind() or ctx_open() */
    struct arena *a;
    int64_t now;
    const char *ip;         /* client address, never NULL */
    const char *user_agent; /* "" when absent */
};

/** Milliseconds since the epoch. */
int64_t now_ms(void);

/*
 * Where a context's connection comes from. The HTTP layer and main.c reach
 * the store only through these (they never include store/).
 */

/**
 * The HTTP layer's one hook: binds c (arena, time and client already set
 * by the caller) to this thread's store connection, opened (and the store
 * migrated once per process) on the thread's first request.
 * -E_UNAVAILABLE when the store cannot be reached.
 */
int ctx_bind(struct ctx *c) USERD_MUST_CHECK;

/**
 * For /healthz: 0 when this thread's store connection answers (a lost one is
 * reconnected), else an error. When it answers but writes fail (a full
 * disk, a read-only store), *degraded (if not NULL) says why, else NULL.
 */
int ctx_health(const char **degraded) USERD_MUST_CHECK;

/**
 * For /readyz: 0 when this thread's store connection answers and the
 * schema holds every migration of this build; -E_UNAVAILABLE when the
 * store cannot be reached, -E_INVALID when migrations are missing.
 */
int ctx_ready(void) USERD_MUST_CHECK;

/**
 * A request that only reads: its store reads from here to ctx_reads_end()
 * share one snapshot and, on SQLite, one read transaction (store_snapshot).
 * Nothing may write in between.
 */
int ctx_reads_begin(struct ctx *c) USERD_MUST_CHECK;
void ctx_reads_end(struct ctx *c);

/** A thread that served requests is ending: closes its store connection. */
void ctx_thread_end(void);

/** At shutdown, once the serving threads are stopped: closes every thread's store connection. */
void ctx_close_all(void);

/**
 * A context for work outside any request (the CLI, start-up): a new arena,
 * the time, client "cli", and a store connection of its own (migrations
 * applied). Release it with ctx_close().
 */
int ctx_open(struct ctx *c) USERD_MUST_CHECK;
void ctx_close(struct ctx *c);

#endif
