#include "log.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/*
 * Each line goes out in one write(2) so lines from threads never interleave
 * (stderr's FILE lock is not needed, and not taken).
 */
static void write_line(const char *line, size_t n)
{
    while (n) {
        ssize_t w = write(STDERR_FILENO, line, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* nowhere to report it */
        line += w;
        n -= (size_t)w;
    }
}

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
 * The access line's object is made once per thread and its values are
 * replaced in place for each request: one line per request is on the hot
 * path, and building a fresh object costs a dozen allocations.
 */
struct access_line {
    json_t *o, *time, *face, *method, *path, *status, *us, *request_id;
};
static pthread_key_t access_key;
static pthread_once_t access_once = PTHREAD_ONCE_INIT;

static void access_line_free(void *p)
{
    struct access_line *l = p;
    json_decref(l->o);
    free(l);
}

static void access_key_make(void)
{
    if (pthread_key_create(&access_key, access_line_free))
        abort();
}

static json_t *add(json_t *o, const char *key, json_t *v)
{
    if (!v || json_object_set_new(o, key, v))
        abort(); /* jansson fails only on OOM here */
    return v;
}

static struct access_line *access_line(void)
{
    pthread_once(&access_once, access_key_make);
    struct access_line *l = pthread_getspecific(access_key);
    if (l)
        return l;
    l = xcalloc(1, sizeof(*l));
    l->o = json_object();
    if (!l->o)
        abort();
    l->time = add(l->o, "time", json_string(""));
    l->face = add(l->o, "face", json_string(""));
    l->method = add(l->o, "method", json_string(""));
    l->path = add(l->o, "path", json_string(""));
    l->status = add(l->o, "status", json_integer(0));
    l->us = add(l->o, "us", json_integer(0));
    l->request_id = add(l->o, "request_id", json_string(""));
    pthread_setspecific(access_key, l);
    return l;
}

void log_access(const char *face, const char *method, const char *path, int status,
                int64_t micros, const char *request_id)
{
    char ts[40];
    timestamp(ts, sizeof(ts));
    struct access_line *l = access_line();
    json_string_set(l->time, ts);
    json_string_set(l->face, face);
    if (json_string_set(l->method, method))
        json_string_set(l->method, "(invalid utf-8)");
    if (json_string_set(l->path, path))
        json_string_set(l->path, "(invalid utf-8)");
    json_integer_set(l->status, status);
    json_integer_set(l->us, micros);
    json_string_set(l->request_id, request_id);
    char line[2048];
    size_t n = json_dumpb(l->o, line, sizeof(line) - 1, JSON_COMPACT);
    if (n == 0 || n > sizeof(line) - 1) {
        json_string_set(l->path, "(path too long)");
        n = json_dumpb(l->o, line, sizeof(line) - 1, JSON_COMPACT);
        if (n == 0 || n > sizeof(line) - 1)
            return;
    }
    line[n++] = '\n';
    write_line(line, n);
}
