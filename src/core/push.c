#include "core/push.h"

#include <sodium.h>

#include "core/accounts.h"
#include "core/passwords.h"
#include "core/tokens.h"
#include "store/store.h"

struct register_args {
    struct ctx *c;
    struct push_user *u;
};

static int register_tx(db_t *db, void *p)
{
    struct register_args *x = p;
    struct push_user *u = x->u;
    struct user_settings s = {.alias = u->alias, .push_token = u->push_token};
    unsigned mask = (u->alias ? STG_ALIAS : 0) | (u->push_token ? STG_PUSH_TOKEN : 0);
    int64_t sn;
    int rc = acct_create_tx(db, &u->acct);
    if (!rc && mask)
        rc = store_settings_patch(db, u->acct.id, mask, &s, u->acct.created_at);
    if (!rc && u->guid)
        rc = store_device_upsert(db, u->acct.id, u->guid, tok_guess_platform(x->c->user_agent),
                                 x->c->user_agent, x->c->now, &sn);
    return rc;
}

int push_register(struct ctx *c, struct push_user *u)
{
    struct register_args x = {c, u};
    char hash[crypto_pwhash_STRBYTES];
    if (!u->acct.created_at)
        u->acct.created_at = c->now;
    int rc = acct_check_password(u->password) ? -E_INVALID : pw_hash(u->password, hash);
    if (!rc) {
        u->acct.pw_hash = hash;
        rc = store_tx(c->db, register_tx, &x);
        u->acct.pw_hash = NULL;
    }
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

struct tags_args {
    int64_t account_id;
    const char *const *tags;
    size_t n;
    int add;
};

static int tags_tx(db_t *db, void *p)
{
    struct tags_args *x = p;
    int64_t count;
    int rc = 0;
    for (size_t i = 0; i < x->n && !rc; i++)
        rc = x->add ? store_tag_add(db, x->account_id, x->tags[i]) : store_tag_remove(db, x->account_id, x->tags[i]);
    if (!rc && x->add && !(rc = store_tag_count(db, x->account_id, &count)) && count > PUSH_TAGS_MAX)
        rc = -E_INVALID;
    return rc;
}

int push_tags_add(struct ctx *c, int64_t account_id, const char *const *tags, size_t n)
{
    struct tags_args x = {account_id, tags, n, 1};
    return n > PUSH_TAGS_MAX ? -E_INVALID : store_tx(c->db, tags_tx, &x);
}

int push_tags_remove(struct ctx *c, int64_t account_id, const char *const *tags, size_t n)
{
    struct tags_args x = {account_id, tags, n, 0};
    return store_tx(c->db, tags_tx, &x);
}

int push_tags_clear(struct ctx *c, int64_t account_id) { return store_tag_clear(c->db, account_id); }

int push_tags_list(struct ctx *c, int64_t account_id, const char ***out, size_t *n)
{
    *out = arena_alloc(c->a, PUSH_TAGS_MAX * sizeof(**out));
    return store_tag_list(c->db, c->a, account_id, PUSH_TAGS_MAX, *out, n);
}
