#ifndef USERD_ACTIVITY_H
#define USERD_ACTIVITY_H

#include "core/ctx.h"

/*
 * Activity over time, all apps and faces together, for the console's
 * overview: accounts made per day, and sign-ins per hour. Sign-ins are
 * counted in the store (every process on a store counts into the same
 * rows, unlike the metrics, which are per process and since its start). A
 * sign-in is a token or an app-face session issued (tok_login, au_sign_in).
 */
#define ACTIVITY_DAYS 30
#define ACTIVITY_HOURS 48
#define ACTIVITY_KEEP_HOURS (7 * 24) /* older hours are deleted now and then */
#define ACTIVITY_DAY_MS 86400000LL
#define ACTIVITY_HOUR_MS 3600000LL

/**
 * Counts a sign-in at c->now, after the sign-in committed, in a statement
 * of its own: its failure is logged, never the sign-in's.
 */
void activity_sign_in(struct ctx *c);

/** Accounts made per UTC day: days[ACTIVITY_DAYS - 1] is today, days[0] 29 days before. */
int activity_signups(struct ctx *c, int64_t days[ACTIVITY_DAYS]) USERD_MUST_CHECK;

/** Sign-ins per hour: hours[ACTIVITY_HOURS - 1] is this hour, hours[0] 47 hours before. */
int activity_sign_ins(struct ctx *c, int64_t hours[ACTIVITY_HOURS]) USERD_MUST_CHECK;

#endif
