/* Store: devices. */
#include "store/store.h"

int store_device_upsert(db_t *db, int64_t account_id, const char *guid, int platform,
                        const char *user_agent, int64_t now, int64_t *device_sn)
{
    int rc = db_query(db, Q_DEVICE_UPSERT, "itIti", account_id, guid, platform, user_agent, now);
    if (rc)
        return rc;
    rc = db_row(db);
    if (rc > 0)
        *device_sn = db_int(db, 0);
    db_end(db);
    return rc > 0 ? 0 : rc == 0 ? -E_INTERNAL : rc;
}
