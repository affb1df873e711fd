#include "core/tokens.h"

#include <string.h>

#include "base/config.h"
#include "base/log.h"
#include "core/activity.h"
#include "core/apps.h"
#include "core/passwords.h"
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

void tok_prepare(struct ctx *c, const char *guid, int platform, struct tok_issue *t)
{
    memset(t, 0, sizeof(*t));
    t->guid = guid;
    t->platform = platform;
    t->token = sec_token(c->a, 32);
    t->hash = sec_hash(c->a, t->token);
    t->expire = c->now + cfg_int(CFG_token_ttl) * 1000;
}

int tok_issue_tx(db_t *db, struct ctx *c, const struct account *acct, struct tok_issue *t)
{
    /* Read again in the transaction: a disable that committed since the caller read the account ends this sign-in too. */
    struct account now;
    int rc = store_acct_by_id(db, c->a, acct->app_id, acct->id, &now);
    if (rc)
        return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc;
    if (now.status)
        return -E_DISABLED;
    t->device_sn = 0;
    if (t->guid && *t->guid) {
        int platform = t->platform ? t->platform : tok_guess_platform(c->user_agent);
        rc = store_device_upsert(db, acct->id, t->guid, platform, c->user_agent, c->now, &t->device_sn);
        if (rc)
            return rc == -E_EXISTS ? -E_BUSY : rc; /* two first logins of one user raced: retry */
        /* Bounded per account: past the cap the least recently used device goes, and its tokens. */
        int64_t gone;
        if ((rc = store_device_trim(db, acct->id, cfg_int(CFG_token_max_devices), &gone)) ||
            (gone && (rc = store_token_delete_orphans(db, acct->id))))
            return rc;
    }
    /* Bounded per account: expired tokens go, and past the cap (at least 2) the oldest; the new one counts. */
    if ((rc = store_token_trim(db, acct->id, c->now, cfg_int(CFG_token_max_per_account) - 1)))
        return rc;
    return store_token_insert(db, t->hash, acct->app_id, acct->id, t->device_sn, t->expire, c->now);
}

struct login_args {
    struct ctx *c;
    const struct account *acct;
    struct tok_issue t;
};

static int login_tx(db_t *db, void *p)
{
    struct login_args *x = p;
    return tok_issue_tx(db, x->c, x->acct, &x->t);
}

int tok_login(struct ctx *c, const struct account *acct, const char *guid, int platform,
              const char **token, int64_t *expire, int64_t *device_sn)
{
    if (acct->status)
        return -E_DISABLED;
    struct login_args x = {.c = c, .acct = acct};
    tok_prepare(c, guid, platform, &x.t);
    int rc = store_tx(c->db, login_tx, &x);
    if (rc)
        return rc;
    activity_sign_in(c);
    *token = x.t.token;
    *expire = x.t.expire;
    if (device_sn)
        *device_sn = x.t.device_sn;
    return 0;
}

int tok_login_password(struct ctx *c, const struct account *acct, const char *password, const char *guid,
                       int platform, const char **token, int64_t *expire)
{
    int rc = pw_verify(c, acct, password);
    return rc ? rc : tok_login(c, acct, guid, platform, token, expire, NULL);
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
    /* The operator sees when an admin token was last used: one write a minute at most, never a failure. */
    if (out->is_admin && c->now - ti.last_used_at >= ADMIN_TOKEN_USED_EVERY_MS &&
        store_admin_token_used(c->db, hash, c->now, ADMIN_TOKEN_USED_EVERY_MS))
        log_warn("could not note the use of an admin token");
    return 0;
}
