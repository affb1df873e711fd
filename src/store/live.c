/* Store: live users (rows of accounts with live_uid set). */
#include "store/store.h"

/* Reads the LIVE_COLS columns of the current row. */
static void read_row(db_t *db, struct arena *a, struct live_row *o)
{
    o->id = db_int(db, 0);
    o->live_uid = arena_strdup(a, db_text(db, 1));
    o->nick = arena_strdup(a, db_text(db, 2));
    o->avatar = arena_strdup(a, db_text(db, 3));
    o->extends = arena_strdup(a, db_text(db, 4));
    o->username = arena_strdup(a, db_text(db, 5));
    o->pw_hash = arena_strdup(a, db_text(db, 6));
    o->status = (int)db_int(db, 7);
}

int store_live_by_uid(db_t *db, struct arena *a, const char *app_id, const char *live_uid, int lock,
                      struct live_row *out)
{
    int rc = db_first(db, db_query(db, lock ? Q_LIVE_BY_UID_LOCK : Q_LIVE_BY_UID, "tt", app_id, live_uid), -E_NOT_FOUND);
    if (rc)
        return rc;
    read_row(db, a, out);
    db_end(db);
    return 0;
}

int store_live_by_uids(db_t *db, struct arena *a, const char *app_id, const char *uids_json,
                       void (*fn)(const struct live_row *, void *), void *arg)
{
    int rc = db_query(db, Q_LIVE_BY_UIDS, "tt", app_id, uids_json);
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0) {
        struct live_row row;
        read_row(db, a, &row);
        fn(&row, arg);
    }
    db_end(db);
    return rc;
}

int store_live_set_extends(db_t *db, const char *app_id, int64_t id, const char *extends, int64_t now)
{
    int rc = db_exec(db, Q_LIVE_SET_EXTENDS, "titi", app_id, id, extends, now);
    return rc < 0 ? rc : rc == 0 ? -E_NOT_FOUND : 0;
}
