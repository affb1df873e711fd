/*
 * The per-thread counter blocks behind base/metrics.h, and their sum in the
 * Prometheus text format.
 *
 * A block holds, per registered metric, a pointer to that thread's slots,
 * made on the thread's first count in it. Only the owning thread writes its
 * slots; the scrape reads them. Both go through relaxed atomics, which on
 * the machines we run on are plain loads and stores: the owner's "+= v" is
 * a load and a store (one writer, so nothing is lost), and a reader sees
 * each slot whole. A scrape may see one series a few counts ahead of
 * another: Prometheus tolerates that, and nothing here needs more.
 */
#include "base/metrics.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"

struct block {
    _Atomic(_Atomic int64_t *) slots[METRICS_MAX];
    struct block *next;
};

static struct metric *metrics[METRICS_MAX];
static atomic_int n_metrics;
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(struct block *) blocks; /* every thread's, newest first */
static _Thread_local struct block *mine;

const double metric_latency_bounds[METRIC_LATENCY_N] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                        0.1,    0.25,  0.5,    1,     2.5,  5,     10};

int64_t metric_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Slots per label set: one counter or gauge; a histogram's buckets, +Inf, and the sum (us). */
static size_t width(const struct metric *m) { return m->type == METRIC_HISTOGRAM ? m->n_bounds + 2 : 1; }

int metric_register(struct metric *m)
{
    pthread_mutex_lock(&reg_lock);
    int n = atomic_load(&n_metrics), rc = -1;
    if (n < METRICS_MAX) {
        m->id = n;
        metrics[n] = m;
        atomic_store(&n_metrics, n + 1); /* publishes metrics[n] */
        rc = 0;
    }
    pthread_mutex_unlock(&reg_lock);
    return rc;
}

static _Atomic int64_t *slots_of(const struct metric *m)
{
    if (!mine) {
        mine = xcalloc(1, sizeof(*mine));
        struct block *head = atomic_load(&blocks);
        do
            mine->next = head;
        while (!atomic_compare_exchange_weak(&blocks, &head, mine));
    }
    _Atomic int64_t *s = atomic_load_explicit(&mine->slots[m->id], memory_order_relaxed);
    if (!s) {
        s = xcalloc(m->n * width(m), sizeof(*s));
        atomic_store_explicit(&mine->slots[m->id], s, memory_order_release);
    }
    return s;
}

static inline void bump(_Atomic int64_t *p, int64_t v)
{
    atomic_store_explicit(p, atomic_load_explicit(p, memory_order_relaxed) + v, memory_order_relaxed);
}

void metric_add(const struct metric *m, size_t slot, int64_t v)
{
    if (slot < m->n)
        bump(&slots_of(m)[slot], v);
}

void metric_observe(const struct metric *m, size_t slot, int64_t us)
{
    if (slot >= m->n)
        return;
    _Atomic int64_t *s = slots_of(m) + slot * width(m);
    size_t b = 0;
    while (b < m->n_bounds && (double)us > m->bounds[b] * 1e6)
        b++;
    bump(&s[b], 1);              /* the bucket it falls in (n_bounds: +Inf) */
    bump(&s[m->n_bounds + 1], us); /* the sum */
}

/* ---- the scrape ---- */

/* The sum over the threads of slot i (of width(m) slots per label set) of m, into out[0..w). */
static void sum_slot(const struct metric *m, size_t i, int64_t *out)
{
    size_t w = width(m);
    memset(out, 0, w * sizeof(*out));
    for (struct block *b = atomic_load(&blocks); b; b = b->next) {
        _Atomic int64_t *s = atomic_load_explicit(&b->slots[m->id], memory_order_acquire);
        if (s)
            for (size_t k = 0; k < w; k++)
                out[k] += atomic_load_explicit(&s[i * w + k], memory_order_relaxed);
    }
}

void metrics_label_value(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fputc('\\', out), fputc(*s, out);
        else if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

void metrics_head(FILE *out, const char *name, const char *type, const char *help)
{
    fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void metrics_sample(FILE *out, const char *name, const char *labels, double value)
{
    char v[40];
    /* Counts as integers; other values with the digits a double holds. */
    if (value == (double)(int64_t)value && value < 1e15 && value > -1e15)
        snprintf(v, sizeof(v), "%lld", (long long)value);
    else
        snprintf(v, sizeof(v), "%.15g", value);
    if (labels && *labels)
        fprintf(out, "%s{%s} %s\n", name, labels, v);
    else
        fprintf(out, "%s %s\n", name, v);
}

/* The labels of slot i: the metric's own, then the slot's; extra (e.g. le="0.5") last. */
static void labels_of(const struct metric *m, size_t i, const char *extra, char *buf, size_t cap)
{
    char slot[512] = "";
    if (m->label)
        m->label(m, i, slot, sizeof(slot));
    const char *parts[] = {m->labels, slot, extra};
    size_t n = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < 3; k++)
        if (parts[k] && *parts[k] && n < cap)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "," : "", parts[k]);
}

static void write_histogram(FILE *out, const struct metric *m, size_t i, const int64_t *v)
{
    char labels[768], le[48], name[160];
    int64_t cum = 0;
    snprintf(name, sizeof(name), "%s_bucket", m->name);
    for (size_t b = 0; b <= m->n_bounds; b++) {
        cum += v[b];
        if (b < m->n_bounds)
            snprintf(le, sizeof(le), "le=\"%g\"", m->bounds[b]);
        else
            snprintf(le, sizeof(le), "le=\"+Inf\"");
        labels_of(m, i, le, labels, sizeof(labels));
        metrics_sample(out, name, labels, (double)cum);
    }
    labels_of(m, i, NULL, labels, sizeof(labels));
    snprintf(name, sizeof(name), "%s_sum", m->name);
    metrics_sample(out, name, labels, (double)v[m->n_bounds + 1] / 1e6);
    snprintf(name, sizeof(name), "%s_count", m->name);
    metrics_sample(out, name, labels, (double)cum);
}

static void write_metric(FILE *out, const struct metric *m)
{
    size_t w = width(m);
    int64_t v[w];
    char labels[768];
    for (size_t i = 0; i < m->n; i++) {
        sum_slot(m, i, v);
        int64_t any = 0;
        for (size_t k = 0; k < w; k++)
            any |= v[k];
        if (m->hide_zero && !any)
            continue;
        if (m->type == METRIC_HISTOGRAM) {
            write_histogram(out, m, i, v);
        } else {
            labels_of(m, i, NULL, labels, sizeof(labels));
            metrics_sample(out, m->name, labels, (double)v[0]);
        }
    }
}

void metrics_write(FILE *out)
{
    static const char *const types[] = {"counter", "gauge", "histogram"};
    int n = atomic_load(&n_metrics);
    for (int i = 0; i < n; i++) {
        int first = 1;
        for (int j = 0; j < i && first; j++)
            first = strcmp(metrics[j]->name, metrics[i]->name) != 0;
        if (!first)
            continue; /* written with the first of its name */
        metrics_head(out, metrics[i]->name, types[metrics[i]->type], metrics[i]->help);
        for (int j = i; j < n; j++)
            if (!strcmp(metrics[j]->name, metrics[i]->name))
                write_metric(out, metrics[j]);
    }
}
