/* Store: IM profile changes and account administration. */
#include "store/store.h"

/* An UPDATE or DELETE of one account: -E_NOT_FOUND when no row matched. */
static int one_row(int rc) { return rc < 0 ? rc : rc == 0 ? -E_NOT_FOUND : 0; }

int store_acct_update_profile(db_t *db, const char *app_id, int64_t id, const struct account_patch *p,
                              int64_t now)
{
    return one_row(db_exec(db, Q_ACCT_UPDATE_PROFILE, "tttttiti", p->nick, p->avatar, p->description,
                           p->public_info, p->private_info, now, app_id, id));
}

int store_acct_set_username(db_t *db, const char *app_id, int64_t id, const char *username, int64_t now)
{
    return one_row(db_exec(db, Q_ACCT_SET_USERNAME, "titi", username, now, app_id, id));
}

int store_acct_set_mobile(db_t *db, const char *app_id, int64_t id, const char *mobile, int64_t now)
{
    return one_row(db_exec(db, Q_ACCT_SET_MOBILE, "titi", mobile, now, app_id, id));
}

int store_acct_mobile_holder(db_t *db, const char *app_id, const char *mobile, int64_t except_id, int64_t *holder)
{
    return db_first_int(db, db_query(db, Q_ACCT_MOBILE_HOLDER, "tti", app_id, mobile, except_id), -E_NOT_FOUND, holder);
}

int store_acct_set_status(db_t *db, const char *app_id, int64_t id, int status, int64_t now)
{
    return one_row(db_exec(db, Q_ACCT_SET_STATUS, "Iiti", status, now, app_id, id));
}

int store_acct_delete(db_t *db, const char *app_id, int64_t id)
{
    return one_row(db_exec(db, Q_ACCT_DELETE, "ti", app_id, id));
}

int store_acct_page(db_t *db, struct arena *a, const char *app_id, int64_t offset, int limit,
                    struct account_brief *out, int *n)
{
    *n = 0;
    int rc = db_query(db, Q_ACCT_PAGE, "tIi", app_id, limit, offset);
    if (rc)
        return rc;
    while (*n < limit && (rc = db_row(db)) > 0) {
        struct account_brief *b = &out[(*n)++];
        b->id = db_int(db, 0);
        b->username = arena_strdup(a, db_text(db, 1));
        b->status = (int)db_int(db, 2);
    }
    db_end(db);
    return rc < 0 ? rc : 0;
}
