#include "core/activity.h"

#include <sodium.h>
#include <string.h>

#include "base/log.h"
#include "store/store.h"

#define HOUR_MS 3600000LL

void activity_sign_in(struct ctx *c)
{
    int64_t hour = c->now / HOUR_MS;
    int rc = store_sign_in_hit(c->db, hour);
    if (!rc && randombytes_uniform(256) == 0)
        rc = store_sign_in_purge(c->db, hour - ACTIVITY_KEEP_HOURS);
    if (rc)
        log_warn("counting a sign-in failed: %s", err_str(rc));
}

static void add_hour(int64_t hour, int64_t count, void *arg)
{
    int64_t *x = arg; /* x[0]: the first hour; x + 1: the counts */
    if (hour >= x[0] && hour < x[0] + ACTIVITY_HOURS)
        x[1 + hour - x[0]] = count;
}

int activity_sign_ins(struct ctx *c, int64_t hours[ACTIVITY_HOURS])
{
    int64_t x[1 + ACTIVITY_HOURS] = {c->now / HOUR_MS - (ACTIVITY_HOURS - 1)};
    int rc = store_sign_in_hours(c->db, x[0], add_hour, x);
    memcpy(hours, x + 1, sizeof(int64_t) * ACTIVITY_HOURS);
    return rc;
}
