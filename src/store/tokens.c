/* Store: tokens, kept only as hashes of what the client holds. */
#include "store/store.h"

int store_token_insert(db_t *db, const char *hash, const char *app_id, int64_t account_id,
                       int64_t device_sn, int64_t expires_at, int64_t now)
{
    int rc;
    if (account_id && device_sn)
        rc = db_exec(db, Q_TOKEN_INSERT, "ttiiii", hash, app_id, account_id, device_sn, expires_at, now);
    else if (account_id)
        rc = db_exec(db, Q_TOKEN_INSERT, "ttinii", hash, app_id, account_id, expires_at, now);
    else
        rc = db_exec(db, Q_TOKEN_INSERT, "ttnnii", hash, app_id, expires_at, now);
    return rc < 0 ? rc : 0;
}

int store_token_lookup(db_t *db, struct arena *a, const char *hash, struct token_info *out)
{
    int rc = db_first(db, db_query(db, Q_TOKEN_LOOKUP, "t", hash), -E_NOT_FOUND);
    if (rc)
        return rc;
    out->app_id = arena_strdup(a, db_text(db, 0));
    out->account_id = db_null(db, 1) ? 0 : db_int(db, 1);
    out->device_sn = db_null(db, 2) ? 0 : db_int(db, 2);
    out->expires_at = db_int(db, 3);
    out->status = 0;
    out->account = NULL;
    if (out->account_id && !db_null(db, 4)) {
        struct account *acct = arena_alloc(a, sizeof(*acct));
        store_acct_row_at(db, a, 4, acct);
        out->status = acct->status;
        out->account = acct;
    }
    db_end(db);
    return 0;
}

int store_token_delete_account(db_t *db, int64_t account_id)
{
    int rc = db_exec(db, Q_TOKEN_DELETE_ACCOUNT, "i", account_id);
    return rc < 0 ? rc : 0;
}

int store_token_delete_others(db_t *db, int64_t account_id, const char *keep_hash)
{
    int rc = db_exec(db, Q_TOKEN_DELETE_OTHERS, "it", account_id, keep_hash);
    return rc < 0 ? rc : 0;
}

int store_token_delete_device(db_t *db, int64_t account_id, int64_t device_sn)
{
    int rc = db_exec(db, Q_TOKEN_DELETE_DEVICE, "ii", account_id, device_sn);
    return rc < 0 ? rc : 0;
}

int store_token_trim(db_t *db, int64_t account_id, int64_t now, int64_t keep)
{
    /* The keep-th newest stays (OFFSET keep-1), and those older go. */
    int rc = db_exec(db, Q_TOKEN_TRIM, "iii", account_id, now, keep > 1 ? keep - 1 : 0);
    return rc < 0 ? rc : 0;
}

int store_token_delete_orphans(db_t *db, int64_t account_id)
{
    int rc = db_exec(db, Q_TOKEN_DELETE_ORPHANS, "i", account_id);
    return rc < 0 ? rc : 0;
}
