/* Store: accounts. */
#include "store/store.h"

static const char *nullable(const char *s) { return s && *s ? s : NULL; }

/* Reads the ACCT_COLS columns of the current row, from column c on. */
static void read_account(db_t *db, struct arena *a, int c, struct account *o)
{
    o->id = db_int(db, c++);
    o->app_id = arena_strdup(a, db_text(db, c++));
    o->username = arena_strdup(a, db_text(db, c++));
    o->pw_hash = arena_strdup(a, db_text(db, c++));
    o->nick = arena_strdup(a, db_text(db, c++));
    o->avatar = arena_strdup(a, db_text(db, c++));
    o->description = arena_strdup(a, db_text(db, c++));
    o->public_info = arena_strdup(a, db_text(db, c++));
    o->private_info = arena_strdup(a, db_text(db, c++));
    o->email = arena_strdup(a, db_text(db, c++));
    o->region = arena_strdup(a, db_text(db, c++));
    o->mobile = arena_strdup(a, db_text(db, c++));
    o->gender = arena_strdup(a, db_text(db, c++));
    o->st_account = arena_strdup(a, db_text(db, c++));
    o->phone_verify = (int)db_int(db, c++);
    o->st_search_verify = (int)db_int(db, c++);
    o->fri_verify = (int)db_int(db, c++);
    o->group_verify = (int)db_int(db, c++);
    o->poke_status = (int)db_int(db, c++);
    o->live_uid = arena_strdup(a, db_text(db, c++));
    o->live_extends = arena_strdup(a, db_text(db, c++));
    o->status = (int)db_int(db, c++);
    o->created_at = db_int(db, c++);
    o->updated_at = db_int(db, c++);
}

/* Runs a query whose rows are accounts and reads the first. */
static int one(db_t *db, struct arena *a, struct account *out, int rc)
{
    if ((rc = db_first(db, rc, -E_NOT_FOUND)))
        return rc;
    read_account(db, a, 0, out);
    db_end(db);
    return 0;
}

int store_acct_insert(db_t *db, const struct account *in, int64_t *id)
{
    int rc = db_query(db, Q_ACCT_INSERT, "ttttttttti", in->app_id, nullable(in->username),
                      in->pw_hash ? in->pw_hash : "", in->nick ? in->nick : "",
                      in->avatar ? in->avatar : "", nullable(in->region), nullable(in->mobile),
                      nullable(in->live_uid), in->live_extends ? in->live_extends : "{}",
                      in->created_at);
    return db_first_int(db, rc, -E_INTERNAL, id);
}

int store_acct_by_id(db_t *db, struct arena *a, const char *app_id, int64_t id, struct account *out)
{
    return one(db, a, out, db_query(db, Q_ACCT_BY_ID, "ti", app_id, id));
}

int store_acct_by_username(db_t *db, struct arena *a, const char *app_id, const char *username,
                           struct account *out)
{
    return one(db, a, out, db_query(db, Q_ACCT_BY_USERNAME, "tt", app_id, username));
}

int store_acct_by_mobile(db_t *db, struct arena *a, const char *app_id, const char *mobile, const char *prefer,
                         struct account *out)
{
    return one(db, a, out, db_query(db, Q_ACCT_BY_MOBILE, "ttt", app_id, mobile, prefer));
}

int store_acct_by_email(db_t *db, struct arena *a, const char *app_id, const char *email,
                        struct account *out)
{
    return one(db, a, out, db_query(db, Q_ACCT_BY_EMAIL, "tt", app_id, email));
}

int store_acct_count_each(db_t *db, void (*fn)(const char *app_id, int64_t n, void *), void *arg)
{
    int rc = db_query(db, Q_ACCT_COUNT_BY_APP, "");
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0)
        fn(db_text(db, 0), db_int(db, 1), arg);
    db_end(db);
    return rc;
}

int store_acct_set_password(db_t *db, const char *app_id, int64_t id, const char *pw_hash, int64_t now)
{
    int rc = db_exec(db, Q_ACCT_SET_PASSWORD, "titi", app_id, id, pw_hash, now);
    return rc < 0 ? rc : rc == 0 ? -E_NOT_FOUND : 0;
}

int store_acct_rehash(db_t *db, const char *app_id, int64_t id, const char *old_hash, const char *new_hash)
{
    int rc = db_exec(db, Q_ACCT_REHASH, "titt", app_id, id, new_hash, old_hash);
    return rc < 0 ? rc : 0;
}

void store_acct_row(db_t *db, struct arena *a, struct account *out) { read_account(db, a, 0, out); }

void store_acct_row_at(db_t *db, struct arena *a, int first, struct account *out)
{
    read_account(db, a, first, out);
}
