/*
 * The hashing pool: a few threads for work that is slow by design (Argon2id),
 * fed by a bounded queue. A full queue refuses at once (the caller answers
 * "busy") instead of letting latency grow without bound.
 */
#include "http/pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/lowprio.h"
#include "core/ctx.h"

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pool_job *ring;
    int cap, head, len, stopping, n_threads;
    pthread_t *threads;
} P = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *worker(void *unused)
{
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&P.mu);
        while (!P.len && !P.stopping)
            pthread_cond_wait(&P.cv, &P.mu);
        if (!P.len) {
            pthread_mutex_unlock(&P.mu);
            break;
        }
        struct pool_job job = P.ring[P.head];
        P.head = (P.head + 1) % P.cap;
        P.len--;
        pthread_mutex_unlock(&P.mu);
        job.fn(job.arg);
    }
    ctx_thread_end();
    return NULL;
}

int pool_start(int threads, int queue)
{
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 2;
    }
    /* The Argon2id work itself runs on as many threads again, at low priority. */
    if (lowprio_start(threads, (int)cfg_int(CFG_password_nice)))
        return -E_INTERNAL;
    P.cap = queue;
    P.ring = xcalloc((size_t)queue, sizeof(*P.ring));
    P.threads = xcalloc((size_t)threads, sizeof(*P.threads));
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&P.threads[i], NULL, worker, NULL))
            return -E_INTERNAL;
        P.n_threads++;
    }
    return 0;
}

int pool_submit(void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&P.mu);
    if (P.stopping || P.len == P.cap || !P.n_threads) {
        pthread_mutex_unlock(&P.mu);
        return -E_BUSY;
    }
    P.ring[(P.head + P.len) % P.cap] = (struct pool_job){fn, arg};
    P.len++;
    pthread_cond_signal(&P.cv);
    pthread_mutex_unlock(&P.mu);
    return 0;
}

void pool_stop(void)
{
    pthread_mutex_lock(&P.mu);
    P.stopping = 1;
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
    for (int i = 0; i < P.n_threads; i++)
        pthread_join(P.threads[i], NULL);
    lowprio_stop();
    free(P.threads);
    free(P.ring);
    P.threads = NULL;
    P.ring = NULL;
    P.n_threads = 0;
}
