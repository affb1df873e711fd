/*
 * base/metrics.h under ThreadSanitizer: threads count in their own blocks
 * while another scrapes. No data race may be reported, and once the threads
 * are done the scrape sums every count exactly (counters, a gauge that goes
 * up on one thread and down on another, and a histogram's buckets and sum).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/metrics.h"

#define THREADS 4
#define COUNTS 20000

static void slot_label(const struct metric *m, size_t slot, char *buf, size_t cap)
{
    (void)m;
    snprintf(buf, cap, "slot=\"%zu\"", slot);
}

static const double bounds[] = {0.001, 0.01};
static struct metric counter = {.name = "t_events_total", .help = "Events.", .type = METRIC_COUNTER, .n = 3,
                                .label = slot_label, .hide_zero = 1};
static struct metric gauge = {.name = "t_open", .help = "Open.", .type = METRIC_GAUGE, .n = 1, .labels = "face=\"x\""};
static struct metric hist = {.name = "t_seconds", .help = "Time.", .type = METRIC_HISTOGRAM, .n = 1, .bounds = bounds,
                             .n_bounds = 2};
METRICS_REGISTER(&counter, &gauge, &hist)

static volatile int done;

static void *counting(void *arg)
{
    long i = (long)arg;
    for (int k = 0; k < COUNTS; k++) {
        metric_add(&counter, (size_t)(i % 2), 1);
        metric_add(&gauge, 0, i % 2 ? -1 : 1); /* half the threads open, half close */
        metric_observe(&hist, 0, k % 3 == 0 ? 500 : k % 3 == 1 ? 5000 : 50000);
    }
    return NULL;
}

static char *scrape(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    metrics_write(f);
    fclose(f);
    return buf;
}

static void *scraping(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&done, __ATOMIC_ACQUIRE))
        free(scrape());
    return NULL;
}

static void test_threads_and_scrape(void **state)
{
    (void)state;
    pthread_t t[THREADS], s;
    assert_int_equal(pthread_create(&s, NULL, scraping, NULL), 0);
    for (long i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, counting, (void *)i), 0);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
    pthread_join(s, NULL);

    char *out = scrape();
    char want[4096];
    int first = THREADS * ((COUNTS + 2) / 3), second = THREADS * ((COUNTS + 1) / 3);
    snprintf(want, sizeof(want),
             "# HELP t_events_total Events.\n# TYPE t_events_total counter\n"
             "t_events_total{slot=\"0\"} %d\nt_events_total{slot=\"1\"} %d\n"
             "# HELP t_open Open.\n# TYPE t_open gauge\nt_open{face=\"x\"} 0\n"
             "# HELP t_seconds Time.\n# TYPE t_seconds histogram\n"
             "t_seconds_bucket{le=\"0.001\"} %d\nt_seconds_bucket{le=\"0.01\"} %d\nt_seconds_bucket{le=\"+Inf\"} %d\n"
             "t_seconds_sum %.15g\nt_seconds_count %d\n",
             THREADS / 2 * COUNTS, THREADS / 2 * COUNTS, first, first + second, THREADS * COUNTS,
             (first * 500.0 + second * 5000.0 + (THREADS * COUNTS - first - second) * 50000.0) / 1e6,
             THREADS * COUNTS);
    /* The test's metrics first (registered first); the store's, linked in, follow. */
    out[strlen(want) < strlen(out) ? strlen(want) : strlen(out)] = '\0';
    assert_string_equal(out, want);
    free(out);
}

static void test_label_values_escaped(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    metrics_label_value(f, "a\"b\\c\nd");
    fclose(f);
    assert_string_equal(buf, "\"a\\\"b\\\\c\\nd\"");
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_and_scrape),
        cmocka_unit_test(test_label_values_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
