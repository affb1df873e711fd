#ifndef USERD_LIMITS_H
#define USERD_LIMITS_H

#include "core/ctx.h"

/*
 * Rate limits and lockouts over the store's counters table (so every userd
 * process on one store counts together): fixed windows per key.
 */

/**
 * Counts one event for key in a window of window_ms. When the count reaches
 * restart_at the window starts again at this event (a lockout then lasts a
 * whole window from the event that caused it); pass INT64_MAX for a plain
 * window. *count: events in the current window, this one included.
 */
int limit_hit(struct ctx *c, const char *key, int64_t window_ms, int64_t restart_at, int64_t *count) USERD_MUST_CHECK;

/**
 * Counts one event for key only while its window of window_ms holds fewer
 * than max: *taken 1 (counted; reaching max starts the window again at this
 * event, as limit_hit with restart_at max), or 0 (the window is full:
 * nothing counted). One statement: however many callers race, at most max
 * take an event in a window.
 */
int limit_take(struct ctx *c, const char *key, int64_t window_ms, int64_t max, int *taken) USERD_MUST_CHECK;

/** Takes back one event that limit_hit counted for key but that did not happen after all. */
int limit_unhit(struct ctx *c, const char *key) USERD_MUST_CHECK;

/** Forgets key (e.g. failed logins after a success). */
int limit_clear(struct ctx *c, const char *key) USERD_MUST_CHECK;

/**
 * Now and then (about one call in 256) deletes expired sessions, codes,
 * verification tokens, picture codes and counters. Errors are logged only.
 */
void limit_maybe_purge(struct ctx *c);

#endif
