#ifndef USERD_POOL_H
#define USERD_POOL_H

#include <stdint.h>

#include "base/errors.h"

/*
 * The hashing pool: threads for work that is slow by design (Argon2id),
 * admitted by time, not by count (docs/architecture.md, "Password hashing").
 * A job is admitted when its expected start (the hashes queued ahead of it
 * x the measured time per hash / threads) is within password.max_wait_ms;
 * a job that still has not started when its budget runs out is refused
 * instead of run. password.queue caps the waiting jobs as a safety net.
 */
struct pool_job {
    void (*run)(struct pool_job *j);    /* does the work, on a pool thread */
    void (*refuse)(struct pool_job *j); /* answers busy instead (waited too long, or stopping) */
    unsigned cost;                      /* password hashes it will take (at least 1) */
    int retry_after;                    /* seconds: set for refuse(), and by a refused pool_submit() */
    int64_t since_us;                   /* when its request arrived (monotonic): the budget counts from then */
    struct pool_job *next;
};

/** Starts threads (0: one per core), at most max_queue waiting jobs, a wait budget of max_wait_ms. */
int pool_start(int threads, int max_queue, int max_wait_ms) USERD_MUST_CHECK;
/**
 * Queues j. -E_BUSY at once (j->retry_after set) when it would start later
 * than its budget after j->since_us, the queue is full, or the pool is
 * stopping.
 */
int pool_submit(struct pool_job *j) USERD_MUST_CHECK;
/** Refuses new jobs from now on and every queued job (refuse() runs on this thread); jobs running go on. */
void pool_drain(void);
/** Waits for the running jobs, then joins the threads. */
void pool_stop(void);
/** The time of one hash on each thread at once: the pace until the pool has measured its own. */
void pool_hash_time(int64_t us);
/**
 * Runs fn on every thread at once (before any request comes: to warm the
 * threads up, or to time a hash on each for pool_hash_time()). Returns the
 * time it took, in microseconds.
 */
int64_t pool_on_each(void (*fn)(void));
/** The jobs waiting and running, and the pace: microseconds per hash of work while busy. */
void pool_stats(int *queued, int *running, int64_t *pace_us);

#endif
