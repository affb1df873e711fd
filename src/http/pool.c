/*
 * The hashing pool: a few threads for work that is slow by design
 * (Argon2id), admitted by time. The pool measures its pace as it runs: the
 * time it takes to get through one hash's worth of work while it has work
 * waiting (all threads busy), over the recent jobs. That pace already holds
 * whatever shares the machine with it: other requests, other programs, a
 * store lock that makes the jobs take turns. A new job's expected start is
 * the hashes queued ahead of it (and one for the running jobs to make room)
 * x that pace, taken a quarter longer: the pace drops while a burst is
 * being read (the request threads take the CPU), and a job admitted on the
 * estimate should still start within its budget. Beyond
 * password.max_wait_ms it is refused at once, so a client hears "busy" now
 * instead of timing out later; a job whose estimate was wrong and that has
 * waited its whole budget is refused when its turn comes instead of run. The queue is a list through the jobs themselves
 * (they live in their requests), capped by password.queue as a safety net.
 */
#include "http/pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "base/lowprio.h"
#include "base/metrics.h"
#include "core/ctx.h"

/* The pool's metrics (docs/operations.md); its depth is read at scrape time (pool_stats). */
enum { REFUSED_ADMISSION, REFUSED_WAITED, REFUSED_STOPPING, REFUSED__N };
static const char *const refusal_names[] = {"admission", "waited", "stopping"};

static void refusal_label(const struct metric *m, size_t slot, char *buf, size_t cap)
{
    (void)m;
    snprintf(buf, cap, "reason=\"%s\"", refusal_names[slot]);
}

static struct metric queue_wait = {
    .name = "userd_password_queue_wait_seconds",
    .help = "Time from a password request's arrival to its start on a hashing thread.",
    .type = METRIC_HISTOGRAM, .n = 1, .bounds = metric_latency_bounds, .n_bounds = METRIC_LATENCY_N};
static struct metric refusals = {
    .name = "userd_password_refusals_total",
    .help = "Password requests answered busy: its expected wait was over password.max_wait_ms (admission), "
            "it waited that long (waited), or userd was stopping (stopping).",
    .type = METRIC_COUNTER, .n = REFUSED__N, .label = refusal_label};
METRICS_REGISTER(&queue_wait, &refusals)

/* Until pool_hash_time() says better: Argon2id at the default cost takes 20-80 ms. */
#define FIRST_GUESS_US 100000
/* The pace forgets a completion's weight by this factor at each new one (about the last 8 count). */
#define DECAY(x) ((x) - (x) / 8)

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct pool_job *head, *tail;
    int len, running, max_len, n_threads;
    int draining, stopping;
    int64_t queued_cost;  /* hashes waiting */
    int64_t running_cost; /* hashes of the jobs running */
    /* the pace: pace_us / pace_cost microseconds per hash, while busy */
    int64_t pace_us, pace_cost;
    int64_t last_done_us; /* when the last job ended */
    int busy_since;       /* work was waiting when it ended: the time since counts */
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
 * The pool's pace, microseconds per hash (P.mu held): as measured, or slower
 * when every thread is busy and even the quickest of their jobs has run
 * longer per hash than the threads together allow. In a steady flow the
 * jobs are staggered and the quickest is young; at the start of a burst
 * they all start together, and until the first ends the pool does not know
 * how fast it goes on this machine now (the measure at start does not know
 * what else runs since): the jobs' age then bounds the pace from below.
 */
static int64_t pace_now(int64_t now)
{
    int64_t pace = P.pace_us / (P.pace_cost ? P.pace_cost : 1);
    if (P.running < P.n_threads)
        return pace;
    int64_t least = INT64_MAX;
    for (int i = 0; i < P.n_threads; i++)
        if (P.busy[i].cost && (now - P.busy[i].start_us) / P.busy[i].cost < least)
            least = (now - P.busy[i].start_us) / P.busy[i].cost;
    return least != INT64_MAX && least / P.n_threads > pace ? least / P.n_threads : pace;
}

/*
 * When a job queued now would start, in microseconds from now (P.mu held):
 * at once when a thread is free for it; else after the hashes queued ahead
 * of it that the free threads do not take at once, and one for a running
 * job to end.
 */
static int64_t expected_start_us(void)
{
    int idle = P.n_threads - P.running;
    if (P.len < idle)
        return 0;
    int64_t ahead = P.queued_cost - idle;
    return ((ahead > 0 ? ahead : 0) + 1) * pace_now(mono_us());
}

/* A job of cost hashes ended at now (P.mu held). */
static void measure(int64_t now, unsigned cost)
{
    if (P.busy_since) {
        P.pace_us = DECAY(P.pace_us) + (now - P.last_done_us);
        P.pace_cost = DECAY(P.pace_cost) + cost;
    }
    P.last_done_us = now;
    P.busy_since = P.head != NULL;
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
        int64_t start = mono_us();
        *me = (struct running){start, j->cost};
        pthread_mutex_unlock(&P.mu);

        /* j belongs to its request, which may be gone once run() or refuse() returns. */
        unsigned cost = j->cost;
        int ran = 0;
        metric_observe(&queue_wait, 0, start - j->since_us);
        if (start - j->since_us > P.budget_us) {
            log_debug("pool: busy: waited %lld ms", (long long)(start - j->since_us) / 1000);
            metric_add(&refusals, REFUSED_WAITED, 1);
            j->retry_after = 1;
            j->refuse(j);
        } else {
            j->run(j);
            ran = 1;
        }

        pthread_mutex_lock(&P.mu);
        P.running--;
        P.running_cost -= cost;
        me->cost = 0;
        if (ran)
            measure(mono_us(), cost);
    }
    pthread_mutex_unlock(&P.mu);
    ctx_thread_end();
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
    P.draining = P.stopping = 0;
    P.head = P.tail = NULL;
    P.len = P.running = 0;
    P.queued_cost = P.running_cost = 0;
    P.last_done_us = 0;
    P.busy_since = 0;
    P.threads = xcalloc((size_t)threads, sizeof(*P.threads));
    P.busy = xcalloc((size_t)threads, sizeof(*P.busy));
    for (int i = 0; i < threads; i++) {
        if (pthread_create(&P.threads[i], NULL, worker, &P.busy[i]))
            return -E_INTERNAL;
        P.n_threads++;
    }
    pool_hash_time(FIRST_GUESS_US);
    return 0;
}

int pool_submit(struct pool_job *j)
{
    if (j->cost < 1)
        j->cost = 1;
    pthread_mutex_lock(&P.mu);
    int64_t waited = mono_us() - j->since_us, start = P.n_threads ? expected_start_us() : 0;
    if (P.draining || !P.n_threads || P.len >= P.max_len || waited + start * 5 / 4 > P.budget_us) {
        j->retry_after = seconds_up(P.draining ? 0 : start);
        log_debug("pool: busy: would start in %lld ms (%d waiting, %lld hashes, %d running)", (long long)start / 1000,
                  P.len, (long long)P.queued_cost, P.running);
        int why = P.draining ? REFUSED_STOPPING : REFUSED_ADMISSION;
        pthread_mutex_unlock(&P.mu);
        metric_add(&refusals, (size_t)why, 1);
        return -E_BUSY;
    }
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
        metric_add(&refusals, REFUSED_STOPPING, 1);
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

/* One job per thread, all at once; the caller waits for them. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int left;
    void (*fn)(void);
} C = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void calibration_run(struct pool_job *j)
{
    (void)j;
    C.fn();
    pthread_mutex_lock(&C.mu);
    C.left--;
    pthread_cond_signal(&C.cv);
    pthread_mutex_unlock(&C.mu);
}

static void calibration_refused(struct pool_job *j) { calibration_run(j); }

int64_t pool_on_each(void (*fn)(void))
{
    int n = P.n_threads;
    struct pool_job *jobs = xcalloc((size_t)n, sizeof(*jobs));
    C.fn = fn;
    C.left = n;
    int64_t t0 = mono_us();
    for (int i = 0; i < n; i++) {
        jobs[i] = (struct pool_job){.run = calibration_run, .refuse = calibration_refused, .cost = 1, .since_us = t0};
        if (pool_submit(&jobs[i]))
            calibration_refused(&jobs[i]);
    }
    pthread_mutex_lock(&C.mu);
    while (C.left)
        pthread_cond_wait(&C.cv, &C.mu);
    pthread_mutex_unlock(&C.mu);
    int64_t took = mono_us() - t0;
    free(jobs);
    return took;
}

void pool_hash_time(int64_t us)
{
    pthread_mutex_lock(&P.mu);
    /* one job's weight of this guess: the first measures soon outweigh it */
    P.pace_us = (us > 0 ? us : 1) / (P.n_threads ? P.n_threads : 1);
    P.pace_cost = 1;
    pthread_mutex_unlock(&P.mu);
}

void pool_stats(int *queued, int *running, int64_t *pace_us)
{
    pthread_mutex_lock(&P.mu);
    *queued = P.len;
    *running = P.running;
    *pace_us = pace_now(mono_us());
    pthread_mutex_unlock(&P.mu);
}
