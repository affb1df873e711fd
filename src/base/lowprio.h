#ifndef USERD_LOWPRIO_H
#define USERD_LOWPRIO_H

/*
 * Low-priority workers: a few threads at a raised nice value, for work that
 * is long by design and can wait (Argon2id). The caller hands a job over
 * and blocks until it is done. Such a thread yields the CPU to the threads
 * that serve cheap requests, so a login flood barely moves their latency;
 * alone on the machine, it still gets every cycle.
 *
 * Only the pure computation goes there: the caller keeps the store and its
 * locks on its own thread, so a thread at low priority never holds a lock
 * that a thread at normal priority waits for (an unprivileged thread cannot
 * lower its nice value back).
 */

/* The "nice value" below 19: the idle scheduling class (SCHED_IDLE), which
 * runs only when nothing else wants the CPU and yields at once when a
 * normal thread wakes up. */
#define LOWPRIO_IDLE 20

/**
 * Starts n workers at nice value nice (0-19), or in the idle scheduling
 * class (LOWPRIO_IDLE). Without workers, lowprio_run() runs jobs inline.
 */
int lowprio_start(int n, int nice);

/** Runs fn(arg) on a worker and returns when it has run; inline when no worker is running. */
void lowprio_run(void (*fn)(void *), void *arg);

/** Runs the jobs still queued, then stops the workers. */
void lowprio_stop(void);

#endif
