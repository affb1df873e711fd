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

#endif
