/* Store: the app face's account lookups and fields, and its sessions. */
#include "store/store.h"

/* Reads the first account row of a started query. */
static int one(db_t *db, struct arena *a, struct account *out, int rc)
{
    if ((rc = db_first(db, rc, -E_NOT_FOUND)))
        return rc;
    store_acct_row(db, a, out);
    db_end(db);
    return 0;
}

/* db_exec's row count as 0 / -E_NOT_FOUND. */
static int changed(int rc) { return rc < 0 ? rc : rc == 0 ? -E_NOT_FOUND : 0; }

int store_au_by_phone(db_t *db, struct arena *a, const char *app_id, const char *region, const char *mobile,
                      struct account *out)
{
    return one(db, a, out, db_query(db, Q_AU_BY_PHONE, "ttt", app_id, region, mobile));
}

int store_au_phone_taken(db_t *db, const char *app_id, const char *region, const char *mobile, int or_no_region)
{
    int rc = db_first(db, db_query(db, Q_AU_PHONE_TAKEN, "tttI", app_id, mobile, region, or_no_region ? 1 : 0),
                      -E_NOT_FOUND);
    if (!rc)
        db_end(db);
    return rc;
}

int store_au_by_st(db_t *db, struct arena *a, const char *app_id, const char *st_account, struct account *out)
{
    return one(db, a, out, db_query(db, Q_AU_BY_ST, "tt", app_id, st_account));
}

/* How many columns ACCT_COLS names (its commas + 1). */
static int acct_cols(void)
{
    int n = 1;
    for (const char *p = ACCT_COLS; *p; p++)
        n += *p == ',';
    return n;
}

int store_au_by_session(db_t *db, struct arena *a, const char *hash, const char *app_id, struct account *out,
                        int64_t *expires_at)
{
    int rc = db_first(db, db_query(db, Q_AU_BY_SESSION, "tt", hash, app_id), -E_NOT_FOUND);
    if (rc)
        return rc;
    store_acct_row(db, a, out);
    *expires_at = db_int(db, acct_cols()); /* right after the account columns */
    db_end(db);
    return 0;
}

int store_au_batch(db_t *db, struct arena *a, const char *app_id, const char *ids_json,
                   void (*fn)(const struct account *, void *), void *arg)
{
    int rc = db_query(db, Q_AU_BATCH, "tt", app_id, ids_json);
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0) {
        struct account acct;
        store_acct_row(db, a, &acct);
        fn(&acct, arg);
    }
    db_end(db);
    return rc;
}

int store_au_set_text(db_t *db, enum au_field f, const char *app_id, int64_t id, const char *value, int64_t now)
{
    static const enum query_id q_of[] = {[AU_GENDER] = Q_AU_SET_GENDER, [AU_ST_ACCOUNT] = Q_AU_SET_ST};
    enum query_id q = q_of[f];
    return changed(db_exec(db, q, "titi", app_id, id, value, now));
}

int store_au_set_privacy(db_t *db, const char *app_id, int64_t id, const int flags[4], int64_t now)
{
    return changed(db_exec(db, Q_AU_SET_PRIVACY, "tiIIIIi", app_id, id, flags[0], flags[1], flags[2], flags[3], now));
}

int store_au_set_poke(db_t *db, const char *app_id, int64_t id, int poke, int64_t now)
{
    return changed(db_exec(db, Q_AU_SET_POKE, "tiIi", app_id, id, poke, now));
}

int store_session_insert(db_t *db, const char *hash, int64_t account_id, int64_t expires_at, int64_t now)
{
    int rc = db_exec(db, Q_SESSION_INSERT, "tiii", hash, account_id, expires_at, now);
    return rc < 0 ? rc : 0;
}

int store_session_delete(db_t *db, const char *hash)
{
    int rc = db_exec(db, Q_SESSION_DELETE, "t", hash);
    return rc < 0 ? rc : 0;
}

int store_session_delete_account(db_t *db, int64_t account_id, const char *keep_hash)
{
    int rc = keep_hash ? db_exec(db, Q_SESSION_DELETE_OTHERS, "it", account_id, keep_hash)
                       : db_exec(db, Q_SESSION_DELETE_ACCOUNT, "i", account_id);
    return rc < 0 ? rc : 0;
}
