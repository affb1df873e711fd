/* Store: the admin console's operators, sessions, audit log, user search and counts (issue 15). */
#include "store/store.h"

/* An UPDATE or DELETE of one row: -E_NOT_FOUND when no row matched. */
static int one_row(int rc) { return rc < 0 ? rc : rc == 0 ? -E_NOT_FOUND : 0; }

static void read_op(db_t *db, struct arena *a, struct operator_row *out)
{
    out->name = arena_strdup(a, db_text(db, 0));
    out->pw_hash = arena_strdup(a, db_text(db, 1));
    out->created_at = db_int(db, 2);
    out->last_login_at = db_int(db, 3);
}

int store_op_insert(db_t *db, const char *name, const char *pw_hash, int64_t now)
{
    int rc = db_exec(db, Q_OP_INSERT, "tti", name, pw_hash, now);
    return rc < 0 ? rc : 0;
}

int store_op_get(db_t *db, struct arena *a, const char *name, struct operator_row *out)
{
    int rc = db_first(db, db_query(db, Q_OP_GET, "t", name), -E_NOT_FOUND);
    if (rc)
        return rc;
    read_op(db, a, out);
    db_end(db);
    return 0;
}

int store_op_each(db_t *db, struct arena *a, void (*fn)(const struct operator_row *, void *), void *arg)
{
    int rc = db_query(db, Q_OP_LIST, "");
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0) {
        struct operator_row o;
        read_op(db, a, &o);
        fn(&o, arg);
    }
    db_end(db);
    return rc;
}

int store_op_delete(db_t *db, const char *name)
{
    int rc = db_exec(db, Q_CSESS_DELETE_OPERATOR, "t", name);
    return rc < 0 ? rc : one_row(db_exec(db, Q_OP_DELETE, "t", name));
}

int store_op_set_password(db_t *db, const char *name, const char *pw_hash)
{
    int rc = one_row(db_exec(db, Q_OP_SET_PASSWORD, "tt", name, pw_hash));
    if (!rc)
        rc = db_exec(db, Q_CSESS_DELETE_OPERATOR, "t", name);
    return rc < 0 ? rc : 0;
}

int store_op_logged_in(db_t *db, const char *name, int64_t now)
{
    return one_row(db_exec(db, Q_OP_LOGGED_IN, "ti", name, now));
}

int store_csess_insert(db_t *db, const char *hash, const char *op, const char *address, int64_t now)
{
    int rc = db_exec(db, Q_CSESS_INSERT, "ttti", hash, op, address, now);
    return rc < 0 ? rc : 0;
}

int store_csess_get(db_t *db, struct arena *a, const char *hash, const char **op, int64_t *seen_at)
{
    int rc = db_first(db, db_query(db, Q_CSESS_GET, "t", hash), -E_NOT_FOUND);
    if (rc)
        return rc;
    *op = arena_strdup(a, db_text(db, 0));
    *seen_at = db_int(db, 1);
    db_end(db);
    return 0;
}

int store_csess_touch(db_t *db, const char *hash, int64_t now, int64_t every)
{
    int rc = db_exec(db, Q_CSESS_TOUCH, "tii", hash, now, now - every);
    return rc < 0 ? rc : 0;
}

int store_csess_delete(db_t *db, const char *hash)
{
    int rc = db_exec(db, Q_CSESS_DELETE, "t", hash);
    return rc < 0 ? rc : 0;
}

int store_csess_purge(db_t *db, int64_t before)
{
    int rc = db_exec(db, Q_CSESS_PURGE, "i", before);
    return rc < 0 ? rc : 0;
}

int store_audit_insert(db_t *db, const struct audit_entry *e)
{
    int rc = db_exec(db, Q_AUDIT_INSERT, "itttttt", e->at, e->operator_name, e->action, e->app_id, e->target,
                     e->address, e->detail);
    return rc < 0 ? rc : 0;
}

int store_audit_page(db_t *db, struct arena *a, const char *op, const char *action, const char *app_id,
                     int64_t before_id, int limit, struct audit_entry *out, int *n)
{
    *n = 0;
    int rc = db_query(db, Q_AUDIT_PAGE, "tttiI", op, action, app_id, before_id, limit);
    if (rc)
        return rc;
    while (*n < limit && (rc = db_row(db)) > 0) {
        struct audit_entry *e = &out[(*n)++];
        e->id = db_int(db, 0);
        e->at = db_int(db, 1);
        e->operator_name = arena_strdup(a, db_text(db, 2));
        e->action = arena_strdup(a, db_text(db, 3));
        e->app_id = arena_strdup(a, db_text(db, 4));
        e->target = arena_strdup(a, db_text(db, 5));
        e->address = arena_strdup(a, db_text(db, 6));
        e->detail = arena_strdup(a, db_text(db, 7));
    }
    db_end(db);
    return rc < 0 ? rc : 0;
}

static int search_start(db_t *db, enum store_search by, const char *app_id, const char *value, const char *upto,
                        int limit, int64_t offset)
{
    switch (by) {
    case SEARCH_NICK_PREFIX:
        return db_query(db, Q_CSEARCH_NICK, "tttIi", app_id, value, upto, limit, offset);
    case SEARCH_MOBILE:
        return db_query(db, Q_CSEARCH_MOBILE, "ttIi", app_id, value, limit, offset);
    case SEARCH_LIVE_UID:
        return db_query(db, Q_CSEARCH_LIVE, "tt", app_id, value);
    case SEARCH_ALL:
        return db_query(db, Q_CSEARCH_ALL, "tIi", app_id, limit, offset);
    }
    return -E_INVALID;
}

int store_acct_search(db_t *db, struct arena *a, enum store_search by, const char *app_id, const char *value,
                      const char *upto, int limit, int64_t offset, struct account *out, int *n)
{
    *n = 0;
    int rc = search_start(db, by, app_id, value, upto, limit, offset);
    if (rc)
        return rc;
    while (*n < limit && (rc = db_row(db)) > 0)
        store_acct_row(db, a, &out[(*n)++]);
    db_end(db);
    return rc < 0 ? rc : 0;
}

int store_acct_live_credentials(db_t *db, int64_t account_id, int64_t now, int64_t *tokens, int64_t *sessions)
{
    int rc = db_first_int(db, db_query(db, Q_ACCT_LIVE_TOKENS, "ii", account_id, now), -E_INTERNAL, tokens);
    return rc ? rc : db_first_int(db, db_query(db, Q_ACCT_LIVE_SESSIONS, "ii", account_id, now), -E_INTERNAL, sessions);
}

int store_acct_counts(db_t *db, struct arena *a, void (*fn)(const struct app_counts *, void *), void *arg)
{
    int rc = db_query(db, Q_ACCT_COUNTS, "");
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0) {
        struct app_counts k = {
            .app_id = arena_strdup(a, db_text(db, 0)),
            .total = db_int(db, 1),
            .live = db_int(db, 2),
            .app = db_int(db, 3),
            .disabled = db_int(db, 4),
        };
        k.im = k.total - k.live - k.app;
        fn(&k, arg);
    }
    db_end(db);
    return rc;
}

int store_series(db_t *db, enum store_series which, int64_t since, void (*fn)(int64_t, int64_t, void *), void *arg)
{
    int rc = db_query(db, which == SERIES_SIGNUPS_DAILY ? Q_ACCT_SIGNUPS_DAILY : Q_SIGN_IN_HOURS, "i", since);
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0)
        fn(db_int(db, 0), db_int(db, 1), arg);
    db_end(db);
    return rc;
}

int store_sign_in_hit(db_t *db, int64_t hour)
{
    int rc = db_exec(db, Q_SIGN_IN_HIT, "i", hour);
    return rc < 0 ? rc : 0;
}

int store_sign_in_purge(db_t *db, int64_t before)
{
    int rc = db_exec(db, Q_SIGN_IN_PURGE, "i", before);
    return rc < 0 ? rc : 0;
}

int store_app_set_secret(db_t *db, const char *app_id, const char *secret_key)
{
    return one_row(db_exec(db, Q_APP_SET_SECRET, "tt", app_id, secret_key));
}
