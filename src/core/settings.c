#include "core/settings.h"

#include "store/store.h"

static int in(int v, int max) { return v >= 0 && v <= max; }

static int check(unsigned mask, const struct user_settings *v)
{
    const struct {
        unsigned bit;
        int value, max;
    } ranges[] = {
        {STG_AUTH_MODE, v->auth_mode, SETTINGS_AUTH_MODE_MAX},
        {STG_NO_PUSH_START_HOUR, v->no_push_start_hour, SETTINGS_HOUR_MAX},
        {STG_NO_PUSH_END_HOUR, v->no_push_end_hour, SETTINGS_HOUR_MAX},
        {STG_SILENCE_START_TIME, v->silence_start_time, SETTINGS_HOUR_MAX},
        {STG_SILENCE_END_TIME, v->silence_end_time, SETTINGS_HOUR_MAX},
        {STG_BADGE, v->badge, SETTINGS_BADGE_MAX},
    };
    for (size_t i = 0; i < sizeof(ranges) / sizeof(*ranges); i++)
        if ((mask & ranges[i].bit) && !in(ranges[i].value, ranges[i].max))
            return -E_INVALID;
    return 0;
}

int settings_update(struct ctx *c, int64_t account_id, unsigned mask, const struct user_settings *v)
{
    int rc = check(mask, v);
    if (rc || !mask)
        return rc;
    rc = store_settings_patch(c->db, account_id, mask, v, c->now);
    return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc;
}
