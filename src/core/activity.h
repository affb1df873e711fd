#ifndef USERD_ACTIVITY_H
#define USERD_ACTIVITY_H

#include "core/ctx.h"

/*
 * Sign-ins per hour, all apps and faces together, kept in the store for the
 * console's overview (every process on a store counts into the same rows,
 * unlike the metrics, which are per process and since its start). A
 * sign-in is a token or an app-face session issued (tok_login, au_sign_in).
 */
#define ACTIVITY_HOURS 48
#define ACTIVITY_KEEP_HOURS (7 * 24) /* older hours are deleted now and then */

/**
 * Counts a sign-in at c->now, after the sign-in committed, in a statement
 * of its own: its failure is logged, never the sign-in's.
 */
void activity_sign_in(struct ctx *c);

/** Sign-ins per hour: hours[ACTIVITY_HOURS - 1] is this hour, hours[0] 47 hours before. */
int activity_sign_ins(struct ctx *c, int64_t hours[ACTIVITY_HOURS]) USERD_MUST_CHECK;

#endif
