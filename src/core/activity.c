#include "core/activity.h"

#include <sodium.h>

#include "base/log.h"
#include "store/store.h"

void activity_sign_in(struct ctx *c)
{
    int64_t hour = c->now / ACTIVITY_HOUR_MS;
    int rc = store_sign_in_hit(c->db, hour);
    if (!rc && randombytes_uniform(256) == 0)
        rc = store_sign_in_purge(c->db, hour - ACTIVITY_KEEP_HOURS);
    if (rc)
        log_warn("counting a sign-in failed: %s", err_str(rc));
}

struct series {
    int64_t first; /* the first bucket (days or hours since the epoch) */
    int n;
    int64_t *out;
};

static void add(int64_t bucket, int64_t count, void *arg)
{
    struct series *x = arg;
    if (bucket >= x->first && bucket < x->first + x->n)
        x->out[bucket - x->first] = count;
}

/* The last n buckets of bucket_ms up to now; the store's series starts at since (in its own unit). */
static int series(struct ctx *c, enum store_series which, int64_t bucket_ms, int n, int64_t *out)
{
    struct series x = {c->now / bucket_ms - (n - 1), n, out};
    for (int i = 0; i < n; i++)
        out[i] = 0;
    int64_t since = which == SERIES_SIGNUPS_DAILY ? x.first * bucket_ms : x.first;
    return store_series(c->db, which, since, add, &x);
}

int activity_signups(struct ctx *c, int64_t days[ACTIVITY_DAYS])
{
    return series(c, SERIES_SIGNUPS_DAILY, ACTIVITY_DAY_MS, ACTIVITY_DAYS, days);
}

int activity_sign_ins(struct ctx *c, int64_t hours[ACTIVITY_HOURS])
{
    return series(c, SERIES_SIGN_INS_HOURLY, ACTIVITY_HOUR_MS, ACTIVITY_HOURS, hours);
}
