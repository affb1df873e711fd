/*
 * The hashing pool: a few threads for work that is slow by design
 * (Argon2id), admitted by time. The pool keeps the time one hash takes as it
 * runs (a moving average of each job's time over its hashes); a new job's
 * expected start is then the hashes queued ahead of it x that time / the
 * threads. Beyond password.max_wait_ms it is refused at once, so a client
 * hears "busy" now instead of timing out later; a job whose estimate was
 * wrong and that has waited its whole budget is refused when its turn comes
 * instead of run. The queue is a list through the jobs themselves (they
 * live in their requests), capped by password.queue as a safety net.
 */
#include "http/pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/lowprio.h"
#include "store/store.h"

/*
 * Before the first job has run: a guess on the slow side (Argon2id at the
 * default cost takes 20-80 ms), so that a burst at start is not admitted
 * beyond what the machine does; the first jobs correct it within a second.
 */
#define FIRST_GUESS_US 500000

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pool_job *head, *tail;
    int len, running, max_len, n_threads;
    int draining, stopping;
    int64_t queued_cost; /* hashes waiting */
    int64_t running_cost; /* hashes of the jobs running */
    int64_t hash_us;     /* moving average of one hash's time */
    int64_t budget_us;
    pthread_t *threads;
    struct running {
        int64_t start_us;
        unsigned cost;
    } *busy; /* per thread: the job it runs (cost 0: none) */
} P = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * The time one hash takes (P.mu held): the moving average, or more when a
 * running job has already taken longer per hash (the machine just got
 * slower, or the hashing threads get less CPU: the average would learn it
 * only when those jobs end).
 */
static int64_t hash_time_us(int64_t now)
{
    int64_t us = P.hash_us;
    for (int i = 0; i < P.n_threads; i++)
        if (P.busy[i].cost && (now - P.busy[i].start_us) / P.busy[i].cost > us)
            us = (now - P.busy[i].start_us) / P.busy[i].cost;
    return us;
}

/*
 * When a job queued now would start, in microseconds from now (P.mu held):
 * the hashes ahead of it, the running jobs' counted half done on average,
 * shared by the threads. With a thread free, at once.
 */
static int64_t expected_start_us(void)
{
    if (P.running < P.n_threads && !P.head)
        return 0;
    return (P.queued_cost + P.running_cost / 2) * hash_time_us(mono_us()) / P.n_threads;
}

static int seconds_up(int64_t us)
{
    int64_t s = (us + 999999) / 1000000;
    return s < 1 ? 1 : s > 60 ? 60 : (int)s;
}

static void *worker(void *arg)
{
    struct running *me = arg;
    pthread_setname_np(pthread_self(), "userd-pool");
    pthread_mutex_lock(&P.mu);
    for (;;) {
        while (!P.head && !P.stopping)
            pthread_cond_wait(&P.cv, &P.mu);
        struct pool_job *j = P.head;
        if (!j)
            break; /* stopping, and nothing left */
        P.head = j->next;
        if (!P.head)
            P.tail = NULL;
        P.len--;
        P.queued_cost -= j->cost;
        P.running_cost += j->cost;
        P.running++;
        int64_t start = mono_us(), took = -1;
        *me = (struct running){start, j->cost};
        pthread_mutex_unlock(&P.mu);

        /* j belongs to its request, which may be gone once run() or refuse() returns. */
        unsigned cost = j->cost;
        if (start - j->queued_us > P.budget_us) {
            j->retry_after = 1;
            j->refuse(j);
        } else {
            j->run(j);
            took = mono_us() - start;
        }

        pthread_mutex_lock(&P.mu);
        P.running--;
        P.running_cost -= cost;
        me->cost = 0;
        if (took >= 0)
            P.hash_us += (took / (int64_t)cost - P.hash_us) / 4;
        if (P.hash_us < 1)
            P.hash_us = 1;
    }
    pthread_mutex_unlock(&P.mu);
    store_thread_close();
    return NULL;
}

int pool_start(int threads, int max_queue, int max_wait_ms)
{
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 2;
    }
    /* The Argon2id work itself runs on as many threads again, at the priority of password.nice. */
    if (lowprio_start(threads, (int)cfg_int(CFG_password_nice)))
        return -E_INTERNAL;
    P.max_len = max_queue;
    P.budget_us = (int64_t)max_wait_ms * 1000;
    P.hash_us = FIRST_GUESS_US;
    P.draining = P.stopping = 0;
    P.threads = xcalloc((size_t)threads, sizeof(*P.threads));
    P.busy = xcalloc((size_t)threads, sizeof(*P.busy));
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&P.threads[i], NULL, worker, &P.busy[i]))
            return -E_INTERNAL;
        P.n_threads++;
    }
    return 0;
}

int pool_submit(struct pool_job *j)
{
    if (j->cost < 1)
        j->cost = 1;
    pthread_mutex_lock(&P.mu);
    int64_t start = P.n_threads ? expected_start_us() : 0;
    if (P.draining || !P.n_threads || P.len >= P.max_len || start > P.budget_us) {
        j->retry_after = seconds_up(P.draining ? 0 : start);
        pthread_mutex_unlock(&P.mu);
        return -E_BUSY;
    }
    j->queued_us = mono_us();
    j->next = NULL;
    if (P.tail)
        P.tail->next = j;
    else
        P.head = j;
    P.tail = j;
    P.len++;
    P.queued_cost += j->cost;
    pthread_cond_signal(&P.cv);
    pthread_mutex_unlock(&P.mu);
    return 0;
}

void pool_drain(void)
{
    pthread_mutex_lock(&P.mu);
    P.draining = 1;
    struct pool_job *j = P.head;
    P.head = P.tail = NULL;
    P.len = 0;
    P.queued_cost = 0;
    pthread_mutex_unlock(&P.mu);
    while (j) {
        struct pool_job *next = j->next;
        j->retry_after = 1;
        j->refuse(j);
        j = next;
    }
}

void pool_stop(void)
{
    pool_drain();
    pthread_mutex_lock(&P.mu);
    P.stopping = 1;
    pthread_cond_broadcast(&P.cv);
    pthread_mutex_unlock(&P.mu);
    for (int i = 0; i < P.n_threads; i++)
        pthread_join(P.threads[i], NULL);
    lowprio_stop();
    free(P.threads);
    free(P.busy);
    P.threads = NULL;
    P.busy = NULL;
    P.n_threads = 0;
}

void pool_stats(int *queued, int *running, int64_t *hash_us)
{
    pthread_mutex_lock(&P.mu);
    *queued = P.len;
    *running = P.running;
    *hash_us = P.hash_us;
    pthread_mutex_unlock(&P.mu);
}
