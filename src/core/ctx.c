/* The context of core work: the time, and the store connection behind the opaque handle (core/ctx.h). */
#include "core/ctx.h"

#include <string.h>
#include <time.h>

#include "store/store.h"

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ctx_bind(struct ctx *c) { return store_thread(&c->db); }

int ctx_health(const char **degraded)
{
    db_t *db;
    int rc = store_thread(&db);
    if (!rc)
        rc = db_ping(db);
    if (degraded)
        *degraded = rc ? NULL : db_write_fault(db);
    return rc;
}

int ctx_ready(void)
{
    db_t *db;
    int rc = store_thread(&db);
    if (!rc)
        rc = db_ping(db);
    if (!rc)
        rc = store_schema_ready(db);
    return rc == -E_INVALID ? rc : rc ? -E_UNAVAILABLE : 0;
}

int ctx_reads_begin(struct ctx *c) { return store_snapshot(c->db); }

void ctx_reads_end(struct ctx *c) { store_snapshot_end(c->db); }

void ctx_thread_end(void) { store_thread_close(); }

void ctx_close_all(void) { store_close_all(); }

int ctx_open(struct ctx *c)
{
    memset(c, 0, sizeof(*c));
    c->a = arena_new();
    c->now = now_ms();
    c->ip = "cli";
    c->user_agent = "";
    int rc = store_open(&c->db);
    if (rc) {
        arena_free(c->a);
        memset(c, 0, sizeof(*c));
    }
    return rc;
}

void ctx_close(struct ctx *c)
{
    if (c->db)
        db_close(c->db);
    arena_free(c->a);
    memset(c, 0, sizeof(*c));
}
