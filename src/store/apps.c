/* Store: apps (tenants). */
#include "store/store.h"

static void read_app(db_t *db, struct arena *a, struct app *out)
{
    out->id = arena_strdup(a, db_text(db, 0));
    out->name = arena_strdup(a, db_text(db, 1));
    out->access_key = arena_strdup(a, db_text(db, 2));
    out->secret_key = arena_strdup(a, db_text(db, 3));
    out->created_at = db_int(db, 4);
}

int store_app_insert(db_t *db, const struct app *app)
{
    int rc = db_exec(db, Q_APP_INSERT, "tttti", app->id, app->name, app->access_key, app->secret_key,
                     app->created_at);
    return rc < 0 ? rc : 0;
}

static int one(db_t *db, struct arena *a, enum query_id q, const char *key, struct app *out)
{
    int rc = db_first(db, db_query(db, q, "t", key), -E_NOT_FOUND);
    if (rc)
        return rc;
    read_app(db, a, out);
    db_end(db);
    return 0;
}

int store_app_by_id(db_t *db, struct arena *a, const char *id, struct app *out)
{
    return one(db, a, Q_APP_BY_ID, id, out);
}

int store_app_by_ak(db_t *db, struct arena *a, const char *ak, struct app *out)
{
    return one(db, a, Q_APP_BY_AK, ak, out);
}

int store_app_each(db_t *db, struct arena *a, void (*fn)(const struct app *, void *), void *arg)
{
    int rc = db_query(db, Q_APP_LIST, "");
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0) {
        struct app app;
        read_app(db, a, &app);
        fn(&app, arg);
    }
    db_end(db);
    return rc;
}

int store_app_count(db_t *db, int64_t *out)
{
    return db_first_int(db, db_query(db, Q_APP_COUNT, ""), -E_INTERNAL, out);
}
