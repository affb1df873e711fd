#ifndef USERD_LOG_H
#define USERD_LOG_H

#include <stdint.h>

/*
 * Logging on stderr, one line per event. Messages are for operators: never
 * pass a password, token, secret key or SMS code to these functions.
 */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lv);
void log_msg(enum log_level lv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

/**
 * Starts the writer thread. From then on, until log_stop(), a line is
 * copied into a bounded buffer (1 MiB) that the writer drains to stderr in
 * batches: the caller never waits on the log. When stderr stalls and the
 * buffer is full, lines are dropped and counted; the writer reports the
 * count once stderr takes lines again. Before log_start() and after
 * log_stop(), lines are written at once.
 */
void log_start(void);
/** Writes what is buffered (giving a stalled stderr one second), then stops the writer. */
void log_stop(void);
/** Lines dropped since the start because the buffer was full. */
uint64_t log_dropped(void);

/** One access-log line (JSON) for a finished request. path has no query. */
void log_access(const char *face, const char *method, const char *path, int status,
                int64_t micros, const char *request_id);

#endif
