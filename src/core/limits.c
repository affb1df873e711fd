#include "core/limits.h"

#include <sodium.h>

#include "base/log.h"
#include "store/store.h"

/* Counters older than this are dead whatever window they had (settings cap windows at a day). */
#define COUNTER_MAX_AGE_MS (2LL * 86400 * 1000)

int limit_hit(struct ctx *c, const char *key, int64_t window_ms, int64_t restart_at, int64_t *count)
{
    return store_counter_hit(c->db, key, c->now, c->now - window_ms, restart_at, count);
}

int limit_take(struct ctx *c, const char *key, int64_t window_ms, int64_t max, int *taken)
{
    return store_counter_take(c->db, key, c->now, c->now - window_ms, max, taken);
}

int limit_clear(struct ctx *c, const char *key) { return store_counter_delete(c->db, key); }

int limit_unhit(struct ctx *c, const char *key) { return store_counter_unhit(c->db, key); }

void limit_maybe_purge(struct ctx *c)
{
    static const struct {
        enum store_purge what;
        int64_t age_ms; /* rows that expired this long ago go */
    } purges[] = {
        {PURGE_SESSIONS, 0},  {PURGE_SMS_CODES, 0},
        {PURGE_VERIFICATIONS, 0}, {PURGE_CAPTCHAS, 0},
        {PURGE_COUNTERS, COUNTER_MAX_AGE_MS},
    };
    if (randombytes_uniform(256) != 0)
        return;
    int rc = 0;
    for (size_t i = 0; i < sizeof(purges) / sizeof(*purges) && !rc; i++)
        rc = store_purge(c->db, purges[i].what, c->now - purges[i].age_ms);
    if (rc)
        log_warn("purge of expired app-face rows failed: %s", err_str(rc));
}
