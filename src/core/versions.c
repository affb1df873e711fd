#include "core/versions.h"

#include "store/store.h"

int ver_next_tx(db_t *db, const char *app_id, int64_t now, int64_t *version)
{
    return store_sync_next(db, app_id, now, version);
}

struct ver_args {
    struct ctx *c;
    const char *app_id;
    int (*fn)(db_t *db, void *arg, int64_t version);
    void *arg;
};

static int ver_run(db_t *db, void *p)
{
    struct ver_args *x = p;
    int64_t v;
    int rc = ver_next_tx(db, x->app_id, x->c->now, &v);
    return rc ? rc : x->fn(db, x->arg, v);
}

int ver_tx(struct ctx *c, const char *app_id, int (*fn)(db_t *db, void *arg, int64_t version), void *arg)
{
    struct ver_args x = {c, app_id, fn, arg};
    return store_tx(c->db, ver_run, &x);
}
