#include "log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level lv) { min_level = lv; }

static void timestamp(char *buf, size_t cap)
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Each line goes out in one write so lines from threads never interleave. */
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
    fwrite(line, 1, n, stderr);
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

void log_access(const char *face, const char *method, const char *path, int status,
                int64_t micros, const char *request_id)
{
    char ts[40];
    timestamp(ts, sizeof(ts));
    json_t *o = json_object();
    json_object_set_new(o, "time", json_string(ts));
    json_object_set_new(o, "face", json_string(face));
    json_object_set_new(o, "method", json_string(method));
    json_t *p = json_string(path);
    json_object_set_new(o, "path", p ? p : json_string("(invalid utf-8)"));
    json_object_set_new(o, "status", json_integer(status));
    json_object_set_new(o, "us", json_integer(micros));
    json_object_set_new(o, "request_id", json_string(request_id));
    emit(o);
    json_decref(o);
}
