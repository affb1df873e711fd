#ifndef USERD_METRICS_H
#define USERD_METRICS_H

/*
 * Metrics, counted where the event happens and read by the ops listener
 * (ops/metrics.c renders them as Prometheus text; docs/operations.md lists
 * them).
 *
 * A metric is a family of series: one name, and `n` label sets (slots)
 * numbered by its owner, e.g. route x method x status. Each thread counts in
 * a block of its own (made on its first count, never freed), so counting is a
 * plain load and store on memory no other thread writes: no lock, no atomic
 * read-modify-write, no cache line shared between threads. A scrape sums
 * the blocks of every thread. A gauge counted here (+1 / -1, e.g. requests
 * in flight) is also a sum, so it may go up on one thread and down on
 * another.
 *
 * Register a metric (metric_register) before anything counts in it;
 * registration is cheap and done once, at start.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

#define METRICS_MAX 64 /* metrics registered, all owners together */

struct metric;
/** Writes slot's labels, e.g. `route="/x",method="GET"`, (no braces) into buf; "" for none. */
typedef void (*metric_labels_fn)(const struct metric *m, size_t slot, char *buf, size_t cap);

struct metric {
    const char *name; /* "userd_http_requests_total": Prometheus conventions, base units */
    const char *help;
    enum metric_type type;
    size_t n;               /* slots (label sets); 1 for a metric without labels */
    const char *labels;     /* labels every slot has, e.g. `face="im"`, or NULL */
    metric_labels_fn label; /* slot labels, or NULL */
    const void *arg;        /* for label() */
    const double *bounds;   /* histograms: the buckets' upper bounds in seconds, ascending */
    size_t n_bounds;
    int hide_zero; /* leave out slots never counted (sparse label sets) */
    int id;        /* set by metric_register() */
};

/** Registers m (it must outlive the process's counting). -1 when METRICS_MAX are taken. */
int metric_register(struct metric *m);

/*
 * METRICS_REGISTER(&a, &b, ...): at file scope, registers a module's
 * metrics when the program starts (a constructor), before any thread can
 * count in them.
 */
#define METRICS_REGISTER(...)                                                                                  \
    __attribute__((constructor)) static void metrics_register_module(void)                                     \
    {                                                                                                          \
        struct metric *ms[] = {__VA_ARGS__};                                                                   \
        for (size_t i = 0; i < sizeof(ms) / sizeof(*ms); i++)                                                  \
            (void)metric_register(ms[i]);                                                                      \
    }

/** Adds v (may be negative for a gauge) to slot of m, on this thread's block. */
void metric_add(const struct metric *m, size_t slot, int64_t v);

/** Counts an observation of us microseconds in histogram m's slot. */
void metric_observe(const struct metric *m, size_t slot, int64_t us);

/** Microseconds on the monotonic clock: for timing what is observed. */
int64_t metric_now_us(void);

/** Standard histogram buckets for request and query durations (seconds), and their count. */
#define METRIC_LATENCY_N 14
extern const double metric_latency_bounds[METRIC_LATENCY_N];

/**
 * Writes every registered metric in the Prometheus text format (version
 * 0.0.4) to out: HELP and TYPE once per name, then its series, summed over
 * the threads. Metrics sharing a name (one per face) are written together.
 */
void metrics_write(FILE *out);

/**
 * Writes one sample line: name, optional labels (no braces, may be NULL or
 * ""), value. For metrics computed at scrape time by their owner.
 */
void metrics_sample(FILE *out, const char *name, const char *labels, double value);

/** Writes the HELP and TYPE lines of a metric computed at scrape time. */
void metrics_head(FILE *out, const char *name, const char *type, const char *help);

/** Writes s as a label value (quoted, with \\, \" and \n escaped). */
void metrics_label_value(FILE *out, const char *s);

#endif
