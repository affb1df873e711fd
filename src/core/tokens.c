#include "core/tokens.h"

#include <string.h>

#include "base/config.h"
#include "core/apps.h"
#include "core/secret.h"
#include "store/store.h"

int tok_guess_platform(const char *ua)
{
    static const struct {
        const char *needle;
        int platform;
    } map[] = {
        {"iPhone", 1}, {"iPad", 1},  {"iOS", 1},       {"Android", 2}, {"Windows", 3},
        {"Mac OS", 4}, {"Darwin", 4}, {"Macintosh", 4}, {"Linux", 5},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++)
        if (strstr(ua, map[i].needle))
            return map[i].platform;
    return 6;
}

struct login_args {
    struct ctx *c;
    const struct account *acct;
    const char *guid, *hash;
    int platform;
    int64_t expire, device_sn;
};

static int login_tx(db_t *db, void *p)
{
    struct login_args *x = p;
    int rc;
    x->device_sn = 0;
    if (x->guid && *x->guid) {
        int platform = x->platform ? x->platform : tok_guess_platform(x->c->user_agent);
        rc = store_device_upsert(db, x->acct->id, x->guid, platform, x->c->user_agent, x->c->now, &x->device_sn);
        if (rc)
            return rc == -E_EXISTS ? -E_BUSY : rc; /* two first logins of one user raced: retry */
        /* Bounded per account: past the cap the least recently used device goes, and its tokens. */
        int64_t gone;
        if ((rc = store_device_trim(db, x->acct->id, cfg_int(CFG_token_max_devices), &gone)) ||
            (gone && (rc = store_token_delete_orphans(db, x->acct->id))))
            return rc;
    }
    /* Bounded per account: expired tokens go, and past the cap (at least 2) the oldest; the new one counts. */
    if ((rc = store_token_trim(db, x->acct->id, x->c->now, cfg_int(CFG_token_max_per_account) - 1)))
        return rc;
    return store_token_insert(db, x->hash, x->acct->app_id, x->acct->id, x->device_sn, x->expire, x->c->now);
}

int tok_login(struct ctx *c, const struct account *acct, const char *guid, int platform,
              const char **token, int64_t *expire, int64_t *device_sn)
{
    if (acct->status)
        return -E_DISABLED;
    char *t = sec_token(c->a, 32);
    struct login_args x = {
        .c = c,
        .acct = acct,
        .guid = guid,
        .hash = sec_hash(c->a, t),
        .platform = platform,
        .expire = c->now + cfg_int(CFG_token_ttl) * 1000,
    };
    int rc = store_tx(c->db, login_tx, &x);
    if (rc)
        return rc;
    *token = t;
    *expire = x.expire;
    if (device_sn)
        *device_sn = x.device_sn;
    return 0;
}

int tok_auth(struct ctx *c, const char *app_id, const char *token, struct caller *out)
{
    struct token_info ti;
    if (!token || !*token) {
        struct app app;
        int arc = app_get(c, app_id, &app);
        return arc ? arc : -E_AUTH_MISSING;
    }
    if (strlen(token) > 256)
        return -E_AUTH_INVALID;
    const char *hash = sec_hash(c->a, token);
    int rc = store_token_lookup(c->db, c->a, hash, &ti);
    if (rc == -E_NOT_FOUND || (!rc && strcmp(ti.app_id, app_id))) {
        /* Say "no such app" rather than "bad token" when the app is the problem. */
        struct app app;
        int arc = app_get(c, app_id, &app);
        return arc ? arc : -E_AUTH_INVALID;
    }
    if (rc)
        return rc;
    if (ti.expires_at <= c->now)
        return -E_AUTH_EXPIRED;
    if (ti.status)
        return -E_DISABLED;
    out->app_id = ti.app_id;
    out->account_id = ti.account_id;
    out->device_sn = ti.device_sn;
    out->is_admin = ti.account_id == 0;
    out->token_hash = hash;
    out->account = ti.account;
    return 0;
}

int tok_login_tx(struct db *db, struct ctx *c, const struct account *acct, const char **token, int64_t *expire)
{
    if (acct->status)
        return -E_DISABLED;
    char *t = sec_token(c->a, 32);
    struct login_args x = {
        .c = c,
        .acct = acct,
        .hash = sec_hash(c->a, t),
        .expire = c->now + cfg_int(CFG_token_ttl) * 1000,
    };
    int rc = login_tx(db, &x);
    if (rc)
        return rc;
    *token = t;
    if (expire)
        *expire = x.expire;
    return 0;
}
