/* Store: listing devices, removing them, binding their push tokens. */
#include "store/store.h"

int store_device_page(db_t *db, struct arena *a, int64_t account_id, int64_t after_sn, int limit,
                      struct device *out, int *n)
{
    *n = 0;
    int rc = db_query(db, Q_DEVICE_PAGE, "iiI", account_id, after_sn, limit);
    if (rc)
        return rc;
    while (*n < limit && (rc = db_row(db)) > 0) {
        struct device *d = &out[(*n)++];
        d->device_sn = db_int(db, 0);
        d->platform = (int)db_int(db, 1);
        d->user_agent = arena_strdup(a, db_text(db, 2));
        d->device_token = arena_strdup(a, db_text(db, 3));
        d->notifier_name = arena_strdup(a, db_text(db, 4));
        d->updated_at = db_int(db, 5);
    }
    db_end(db);
    return rc < 0 ? rc : 0;
}

int store_device_newest(db_t *db, int64_t account_id, int64_t *updated_at)
{
    return db_first_int(db, db_query(db, Q_DEVICE_NEWEST, "i", account_id), -E_INTERNAL, updated_at);
}

int store_device_exists(db_t *db, int64_t account_id, int64_t device_sn)
{
    int rc = db_first(db, db_query(db, Q_DEVICE_EXISTS, "ii", account_id, device_sn), -E_NOT_FOUND);
    if (!rc)
        db_end(db);
    return rc;
}

int store_device_delete(db_t *db, int64_t account_id, int64_t device_sn)
{
    int rc = db_exec(db, Q_DEVICE_DELETE, "ii", account_id, device_sn);
    return rc < 0 ? rc : rc == 0 ? -E_NOT_FOUND : 0;
}

int store_device_set_push(db_t *db, int64_t account_id, int64_t device_sn, const char *device_token,
                          const char *notifier_name, int64_t now)
{
    int rc = db_exec(db, Q_DEVICE_SET_PUSH, "ttiii", device_token, notifier_name, now, account_id, device_sn);
    return rc < 0 ? rc : rc == 0 ? -E_NOT_FOUND : 0;
}
