/*
 * userd_accounts{app}: counted by a background thread every
 * ops.accounts_refresh seconds, on a store connection of its own, so that a
 * scrape only reads the last count: counting is a full scan, which a large
 * store should not pay per scrape (nor per Prometheus server scraping).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/config.h"
#include "base/log.h"
#include "base/metrics.h"
#include "core/accounts.h"
#include "ops/ops.h"

struct count {
    char *app_id;
    int64_t n;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int running, stopping;
    struct count *counts; /* the last count, under mu */
    size_t n, cap;
    int64_t at; /* when it was taken, ms since the epoch; 0: never */
} A = {.mu = PTHREAD_MUTEX_INITIALIZER};

struct fresh {
    struct count *v;
    size_t n, cap;
};

static void add(const char *app_id, int64_t n, void *arg)
{
    struct fresh *f = arg;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->v = xrealloc(f->v, f->cap * sizeof(*f->v));
    }
    f->v[f->n++] = (struct count){xstrdup(app_id), n};
}

static void drop(struct count *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i].app_id);
    free(v);
}

static void refresh(void)
{
    struct ctx c;
    struct fresh f = {0};
    int rc = ctx_open(&c);
    if (!rc) {
        rc = acct_count_by_app(&c, add, &f);
        ctx_close(&c);
    }
    if (rc) {
        log_warn("ops: cannot count the accounts per app (%s)", err_str(rc));
        drop(f.v, f.n);
        return;
    }
    pthread_mutex_lock(&A.mu);
    drop(A.counts, A.n);
    A.counts = f.v;
    A.n = f.n;
    A.at = now_ms();
    pthread_mutex_unlock(&A.mu);
}

static void *refresher(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "userd-accounts");
    pthread_mutex_lock(&A.mu);
    while (!A.stopping) {
        pthread_mutex_unlock(&A.mu);
        refresh();
        pthread_mutex_lock(&A.mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += cfg_int(CFG_ops_accounts_refresh);
        while (!A.stopping && pthread_cond_timedwait(&A.cv, &A.mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&A.mu);
    return NULL;
}

int ops_accounts_start(void)
{
    A.stopping = 0;
    pthread_cond_init(&A.cv, NULL);
    if (pthread_create(&A.thread, NULL, refresher, NULL))
        return -E_INTERNAL;
    A.running = 1;
    return 0;
}

void ops_accounts_stop(void)
{
    if (!A.running)
        return;
    pthread_mutex_lock(&A.mu);
    A.stopping = 1;
    pthread_cond_signal(&A.cv);
    pthread_mutex_unlock(&A.mu);
    pthread_join(A.thread, NULL);
    A.running = 0;
    drop(A.counts, A.n);
    A.counts = NULL;
    A.n = 0;
}

void ops_accounts_write(FILE *out)
{
    pthread_mutex_lock(&A.mu);
    if (A.at) {
        metrics_head(out, "userd_accounts", "gauge", "Accounts per app, as of userd_accounts_counted_timestamp_seconds.");
        for (size_t i = 0; i < A.n; i++) {
            fputs("userd_accounts{app=", out);
            metrics_label_value(out, A.counts[i].app_id);
            fprintf(out, "} %lld\n", (long long)A.counts[i].n);
        }
        metrics_head(out, "userd_accounts_counted_timestamp_seconds", "gauge",
                     "When userd_accounts was counted (every ops.accounts_refresh seconds).");
        metrics_sample(out, "userd_accounts_counted_timestamp_seconds", NULL, (double)A.at / 1000);
    }
    pthread_mutex_unlock(&A.mu);
}
