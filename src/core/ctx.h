#ifndef USERD_CTX_H
#define USERD_CTX_H

#include <stdint.h>

#include "base/arena.h"
#include "store/store.h"

/*
 * What the core needs to serve one request: the thread's store connection,
 * the request's arena, the time the request started (ms since the epoch),
 * and the client as the HTTP layer saw it.
 */
struct ctx {
    db_t *db;
    struct arena *a;
    int64_t now;
    const char *ip;         /* client address, never NULL */
    const char *user_agent; /* "" when absent */
};

/** Milliseconds since the epoch. */
int64_t now_ms(void);

#endif
