#ifndef USERD_POOL_H
#define USERD_POOL_H

#include "base/errors.h"

struct pool_job {
    void (*fn)(void *);
    void *arg;
};

/** Starts threads (0: one per core) with room for queue waiting jobs. */
int pool_start(int threads, int queue) USERD_MUST_CHECK;
/** Queues fn(arg); -E_BUSY at once when the queue is full or stopping. */
int pool_submit(void (*fn)(void *), void *arg) USERD_MUST_CHECK;
/** Runs what is queued, then joins the threads. */
void pool_stop(void);

#endif
