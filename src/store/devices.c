/* Store: devices. */
#include "store/store.h"

int store_device_upsert(db_t *db, int64_t account_id, const char *guid, int platform,
                        const char *user_agent, int64_t now, int64_t *device_sn)
{
    return db_first_int(db, db_query(db, Q_DEVICE_UPSERT, "itIti", account_id, guid, platform, user_agent, now), -E_INTERNAL, device_sn);
}
