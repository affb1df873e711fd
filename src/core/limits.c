#include "core/limits.h"

#include <sodium.h>

#include "base/log.h"

/* Counters older than this are dead whatever window they had (settings cap windows at a day). */
#define COUNTER_MAX_AGE_MS (2LL * 86400 * 1000)

int limit_hit(struct ctx *c, const char *key, int64_t window_ms, int64_t restart_at, int64_t *count)
{
    return store_counter_hit(c->db, key, c->now, c->now - window_ms, restart_at, count);
}

int limit_count(struct ctx *c, const char *key, int64_t window_ms, int64_t *count)
{
    return store_counter_get(c->db, key, c->now - window_ms, count);
}

int limit_clear(struct ctx *c, const char *key) { return store_counter_delete(c->db, key); }

int limit_unhit(struct ctx *c, const char *key) { return store_counter_unhit(c->db, key); }

void limit_maybe_purge(struct ctx *c)
{
    if (randombytes_uniform(256) != 0)
        return;
    int rc = store_app_purge(c->db, c->now, c->now - COUNTER_MAX_AGE_MS);
    if (rc)
        log_warn("purge of expired app-face rows failed: %s", err_str(rc));
}
