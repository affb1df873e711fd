/* Store: devices. */
#include "store/store.h"

int store_device_upsert(db_t *db, int64_t account_id, const char *guid, int platform,
                        const char *user_agent, int64_t now, int64_t *device_sn)
{
    return db_first_int(db, db_query(db, Q_DEVICE_UPSERT, "itIti", account_id, guid, platform, user_agent, now), -E_INTERNAL, device_sn);
}

int store_device_trim(db_t *db, int64_t account_id, int64_t keep, int64_t *deleted)
{
    /* The keep-th most recent stays (OFFSET keep-1), and those used before it go. */
    int rc = db_exec(db, Q_DEVICE_TRIM, "ii", account_id, keep > 1 ? keep - 1 : 0);
    *deleted = rc > 0 ? rc : 0;
    return rc < 0 ? rc : 0;
}
