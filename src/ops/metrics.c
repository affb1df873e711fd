/*
 * GET /metrics: the Prometheus text format (version 0.0.4). The counters
 * registered in base/metrics.h, summed over the threads now, and what is
 * read at scrape time: the hashing queue, whether the store answers, lines
 * the log dropped, accounts per app (from the last background count:
 * accounts.c), build info and the standard process_* metrics.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/metrics.h"
#include "http/pool.h"
#include "ops/ops.h"
#include "ops/version.h"

static double start_time; /* seconds since the epoch, at ops_metrics_start() */

void ops_metrics_start(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void gauge(FILE *out, const char *name, const char *help, double v)
{
    metrics_head(out, name, "gauge", help);
    metrics_sample(out, name, NULL, v);
}

static void counter(FILE *out, const char *name, const char *help, double v)
{
    metrics_head(out, name, "counter", help);
    metrics_sample(out, name, NULL, v);
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own descriptor */
}

/* The standard process metrics (as the Prometheus client libraries name them). */
static void process_metrics(FILE *out)
{
    struct rusage ru;
    if (!getrusage(RUSAGE_SELF, &ru))
        counter(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
    unsigned long long vsize = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%llu %llu", &vsize, &rss) == 2) {
            long page = sysconf(_SC_PAGESIZE);
            gauge(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", (double)vsize * (double)page);
            gauge(out, "process_resident_memory_bytes", "Resident memory size in bytes.", (double)rss * (double)page);
        }
        fclose(f);
    }
    int fds = open_fds();
    if (fds >= 0)
        gauge(out, "process_open_fds", "Number of open file descriptors.", fds);
    struct rlimit rl;
    if (!getrlimit(RLIMIT_NOFILE, &rl))
        gauge(out, "process_max_fds", "Maximum number of open file descriptors.", (double)rl.rlim_cur);
    gauge(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.", start_time);
}

static void build_info(FILE *out)
{
    metrics_head(out, "userd_build_info", "gauge", "Always 1: the version and commit of this build.");
    fputs("userd_build_info{version=", out);
    metrics_label_value(out, USERD_VERSION);
    fputs(",commit=", out);
    metrics_label_value(out, USERD_COMMIT);
    fputs("} 1\n", out);
}

static void pool_metrics(FILE *out)
{
    int queued, running;
    int64_t pace;
    pool_stats(&queued, &running, &pace);
    gauge(out, "userd_password_queue_depth", "Password hash requests waiting for a hashing thread.", queued);
    gauge(out, "userd_password_running", "Password hash requests running on the hashing threads.", running);
}

void ops_metrics(struct http_req *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out) {
        ops_fail(r, -E_INTERNAL);
        return;
    }
    metrics_write(out);
    pool_metrics(out);
    gauge(out, "userd_store_up", "1 when the store answered this scrape (the ops thread's connection), else 0.",
          ctx_health(NULL) ? 0 : 1);
    counter(out, "userd_log_lines_dropped_total", "Log lines dropped because stderr did not take them.",
            (double)log_dropped());
    ops_accounts_write(out);
    build_info(out);
    process_metrics(out);
    fclose(out);
    http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", buf, len);
    free(buf);
}
