#include "log.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level lv) { min_level = lv; }

/*
 * "2026-01-31T12:34:56.789Z". The part up to the seconds is formatted once a
 * second per thread: gmtime_r takes glibc's time zone lock, which every
 * request's access line would otherwise contend for.
 */
static void timestamp(char *buf, size_t cap)
{
    static _Thread_local time_t cached_sec = -1;
    static _Thread_local char cached[32];
    static _Thread_local size_t cached_len;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        cached_len = strftime(cached, sizeof(cached), "%Y-%m-%dT%H:%M:%S", &tm);
        cached_sec = ts.tv_sec;
    }
    if (cap < cached_len + 6) {
        snprintf(buf, cap, "%s", cached);
        return;
    }
    int ms = (int)(ts.tv_nsec / 1000000);
    char *p = memcpy(buf, cached, cached_len);
    p += cached_len;
    *p++ = '.';
    *p++ = (char)('0' + ms / 100);
    *p++ = (char)('0' + ms / 10 % 10);
    *p++ = (char)('0' + ms % 10);
    *p++ = 'Z';
    *p = '\0';
}

/* ---- the sink: stderr, written by one thread while serving ---- */

#define RING_SIZE (1u << 20)
#define BATCH_NS 2000000 /* the writer lets lines gather this long before a write */
#define STALL_POLL_MS 100

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char *ring;
    size_t head, len; /* the lines waiting: ring[head .. head+len), wrapping */
    int sleeping, stopping;
    _Atomic int running;
    _Atomic uint64_t dropped;
    uint64_t reported;
    int64_t give_up_ms; /* while stopping: when a stalled sink is abandoned */
    pthread_t thread;
} Q = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Writes to stderr without ever blocking for long: a pipe or socket is
 * polled first and written a page at a time (a page fits once it polls
 * writable), so a reader that stalls stalls only this loop, which gives up
 * when give_up() says so. 0, or -1 when it gave up or stderr failed.
 */
static int sink_write(const char *p, size_t n, int (*give_up)(void))
{
    static int regular = -1;
    if (regular < 0) {
        struct stat st;
        regular = !fstat(STDERR_FILENO, &st) && S_ISREG(st.st_mode);
    }
    while (n) {
        if (!regular) {
            struct pollfd pf = {.fd = STDERR_FILENO, .events = POLLOUT};
            int rc = poll(&pf, 1, STALL_POLL_MS);
            if (rc < 0 && errno != EINTR)
                return -1;
            if (rc <= 0 || !(pf.revents & POLLOUT)) {
                if (pf.revents & (POLLERR | POLLHUP | POLLNVAL))
                    return -1;
                if (give_up())
                    return -1;
                continue;
            }
        }
        ssize_t w = write(STDERR_FILENO, p, regular || n < 4096 ? n : 4096);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1; /* nowhere to report it */
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int never(void) { return 0; }

static int stop_passed(void)
{
    pthread_mutex_lock(&Q.mu);
    int over = Q.stopping && mono_ms() > Q.give_up_ms;
    pthread_mutex_unlock(&Q.mu);
    return over;
}

/* Outside the writer's time: straight to stderr, but never waiting on it for more than a moment. */
static int at_once_gave_up;
static int once(void) { return at_once_gave_up = 1; }

static void write_line(const char *line, size_t n)
{
    if (!atomic_load(&Q.running)) {
        at_once_gave_up = 0;
        if (sink_write(line, n, once) && at_once_gave_up)
            atomic_fetch_add(&Q.dropped, 1);
        return;
    }
    pthread_mutex_lock(&Q.mu);
    if (Q.len + n > RING_SIZE || Q.stopping) {
        pthread_mutex_unlock(&Q.mu);
        atomic_fetch_add(&Q.dropped, 1);
        return;
    }
    size_t at = (Q.head + Q.len) % RING_SIZE, first = RING_SIZE - at < n ? RING_SIZE - at : n;
    memcpy(Q.ring + at, line, first);
    memcpy(Q.ring, line + first, n - first);
    Q.len += n;
    int wake = Q.sleeping;
    Q.sleeping = 0;
    pthread_mutex_unlock(&Q.mu);
    if (wake)
        pthread_cond_signal(&Q.cv);
}

static uint64_t count_lines(size_t head, size_t n)
{
    uint64_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += Q.ring[(head + i) % RING_SIZE] == '\n';
    return lines;
}

static void *writer(void *unused)
{
    (void)unused;
    pthread_setname_np(pthread_self(), "userd-log");
    for (;;) {
        pthread_mutex_lock(&Q.mu);
        while (!Q.len && !Q.stopping) {
            Q.sleeping = 1;
            pthread_cond_wait(&Q.cv, &Q.mu);
        }
        Q.sleeping = 0;
        int stopping = Q.stopping;
        pthread_mutex_unlock(&Q.mu);
        if (!stopping)
            nanosleep(&(struct timespec){0, BATCH_NS}, NULL);

        /* Producers only append after head+len: the part being written is the writer's alone. */
        pthread_mutex_lock(&Q.mu);
        size_t head = Q.head, n = Q.len < RING_SIZE - Q.head ? Q.len : RING_SIZE - Q.head;
        pthread_mutex_unlock(&Q.mu);
        int failed = n && sink_write(Q.ring + head, n, stopping ? stop_passed : never);

        pthread_mutex_lock(&Q.mu);
        if (failed) { /* stderr is gone, or stopping and stalled: what is left is lost */
            n = Q.len;
            atomic_fetch_add(&Q.dropped, count_lines(Q.head, n));
        }
        Q.head = (Q.head + n) % RING_SIZE;
        Q.len -= n;
        uint64_t lost = 0;
        if (!Q.len && atomic_load(&Q.dropped) > Q.reported) {
            lost = atomic_load(&Q.dropped) - Q.reported;
            Q.reported += lost;
        }
        int done = Q.stopping && (!Q.len || failed);
        pthread_mutex_unlock(&Q.mu);
        if (lost && !done)
            log_warn("log: %llu lines dropped while stderr did not take them", (unsigned long long)lost);
        if (done)
            break;
    }
    return NULL;
}

void log_start(void)
{
    if (atomic_load(&Q.running))
        return;
    Q.ring = xmalloc(RING_SIZE);
    Q.head = Q.len = 0;
    Q.stopping = 0;
    if (pthread_create(&Q.thread, NULL, writer, NULL)) {
        free(Q.ring);
        Q.ring = NULL;
        return; /* lines keep going out at once */
    }
    atomic_store(&Q.running, 1);
}

void log_stop(void)
{
    if (!atomic_load(&Q.running))
        return;
    pthread_mutex_lock(&Q.mu);
    Q.stopping = 1;
    Q.give_up_ms = mono_ms() + 1000;
    pthread_cond_signal(&Q.cv);
    pthread_mutex_unlock(&Q.mu);
    pthread_join(Q.thread, NULL);
    atomic_store(&Q.running, 0);
    free(Q.ring);
    Q.ring = NULL;
}

uint64_t log_dropped(void) { return atomic_load(&Q.dropped); }

static void emit(json_t *o)
{
    char line[2048];
    size_t n = json_dumpb(o, line, sizeof(line) - 1, JSON_COMPACT);
    if (n == 0 || n > sizeof(line) - 1) {
        json_object_set_new(o, "msg", json_string("(log line too long)"));
        n = json_dumpb(o, line, sizeof(line) - 1, JSON_COMPACT);
        if (n == 0 || n > sizeof(line) - 1)
            return;
    }
    line[n++] = '\n';
    write_line(line, n);
}

void log_msg(enum log_level lv, const char *fmt, ...)
{
    if (lv < min_level)
        return;
    char ts[40], msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    timestamp(ts, sizeof(ts));
    json_t *o = json_pack("{s:s,s:s,s:s}", "time", ts, "level", level_names[lv], "msg", msg);
    if (!o) /* invalid UTF-8 in msg */
        o = json_pack("{s:s,s:s,s:s}", "time", ts, "level", level_names[lv], "msg", "(unprintable)");
    if (o) {
        emit(o);
        json_decref(o);
    }
}

/*
 * The access line: a fixed shape, written straight into a stack buffer.
 * Building it through a jansson object cost 2-3 us a line, most of a
 * cheap request's budget for its log; now only a string that needs
 * escaping (rare in a path, never in a face name or a request id we made)
 * goes through jansson.
 */

/* s as a JSON string at out: as is when it needs no escaping, else jansson's encoding. 0 when it does not fit. */
static size_t json_text(char *out, size_t cap, const char *s)
{
    size_t n = strlen(s), i = 0;
    while (i < n && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f && s[i] != '"' && s[i] != '\\')
        i++;
    if (i == n) {
        if (n + 2 > cap)
            return 0;
        out[0] = '"';
        memcpy(out + 1, s, n);
        out[n + 1] = '"';
        return n + 2;
    }
    json_t *j = json_string(s);
    if (!j) /* not UTF-8 */
        j = json_string("(invalid utf-8)");
    size_t k = j ? json_dumpb(j, out, cap, JSON_ENCODE_ANY) : 0;
    json_decref(j);
    return k <= cap ? k : 0;
}

struct line {
    char *p;
    size_t left;
    int full;
};

static void put(struct line *l, const char *s, size_t n)
{
    if (l->full || n > l->left) {
        l->full = 1;
        return;
    }
    memcpy(l->p, s, n);
    l->p += n;
    l->left -= n;
}

static void put_text(struct line *l, const char *s)
{
    size_t n = l->full ? 0 : json_text(l->p, l->left, s);
    if (!n)
        l->full = 1;
    l->p += n;
    l->left -= n;
}

static void put_int(struct line *l, int64_t v)
{
    char buf[24], *e = buf + sizeof(buf), *b = e;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--b = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--b = '-';
    put(l, b, (size_t)(e - b));
}

#define PUT(l, lit) put(l, lit, sizeof(lit) - 1)

static size_t access_line(char *buf, size_t cap, const char *face, const char *method, const char *path,
                          int status, int64_t micros, const char *request_id)
{
    char ts[40];
    timestamp(ts, sizeof(ts));
    struct line l = {buf, cap, 0};
    PUT(&l, "{\"time\":\"");
    put(&l, ts, strlen(ts));
    PUT(&l, "\",\"face\":");
    put_text(&l, face);
    PUT(&l, ",\"method\":");
    put_text(&l, method);
    PUT(&l, ",\"path\":");
    put_text(&l, path);
    PUT(&l, ",\"status\":");
    put_int(&l, status);
    PUT(&l, ",\"us\":");
    put_int(&l, micros);
    PUT(&l, ",\"request_id\":");
    put_text(&l, request_id);
    PUT(&l, "}\n");
    return l.full ? 0 : cap - l.left;
}

void log_access(const char *face, const char *method, const char *path, int status,
                int64_t micros, const char *request_id)
{
    char line[2048];
    size_t n = access_line(line, sizeof(line), face, method, path, status, micros, request_id);
    if (!n)
        n = access_line(line, sizeof(line), face, method, "(path too long)", status, micros, request_id);
    if (n)
        write_line(line, n);
}
