#include "core/users.h"

#include <sodium.h>
#include <string.h>

#include "core/accounts.h"
#include "core/passwords.h"
#include "core/versions.h"
#include "store/store.h"

static int not_found_as_user(int rc) { return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc; }

int users_check_mobile(const char *s)
{
    const char *d = s[0] == '+' ? s + 1 : s;
    size_t n = strlen(d);
    if (n < MOBILE_MIN || n > MOBILE_MAX)
        return -E_INVALID;
    for (; *d; d++)
        if (*d < '0' || *d > '9')
            return -E_INVALID;
    return 0;
}

/* A rename or a new mobile: one field of the account's row (the sync version moves with it). */
struct field_args {
    const char *app_id, *value;
    int64_t id;
};

static int username_tx(db_t *db, void *p, int64_t version)
{
    struct field_args *x = p;
    return store_acct_set_username(db, x->app_id, x->id, x->value, version);
}

int users_set_username(struct ctx *c, const char *app_id, int64_t id, const char *username)
{
    if (acct_check_username(username))
        return -E_INVALID;
    struct field_args x = {app_id, username, id};
    return not_found_as_user(ver_tx(c, app_id, username_tx, &x));
}

static int mobile_tx(db_t *db, void *p, int64_t version)
{
    struct field_args *x = p;
    int64_t holder;
    int rc = store_acct_mobile_holder(db, x->app_id, x->value, x->id, &holder);
    if (!rc)
        return -E_EXISTS;
    if (rc != -E_NOT_FOUND)
        return rc;
    return store_acct_set_mobile(db, x->app_id, x->id, x->value, version);
}

int users_set_mobile(struct ctx *c, const char *app_id, int64_t id, const char *mobile)
{
    if (users_check_mobile(mobile))
        return -E_INVALID;
    struct field_args x = {app_id, mobile, id};
    return not_found_as_user(ver_tx(c, app_id, mobile_tx, &x));
}

struct password_args {
    const struct account *acct;
    const char *hash, *keep_hash;
};

/* A new password ends the account's credentials on every face: its IM tokens (but keep_hash) and app sessions. */
static int password_tx(db_t *db, void *p, int64_t version)
{
    struct password_args *x = p;
    int rc = store_acct_set_password(db, x->acct->app_id, x->acct->id, x->hash, version);
    if (!rc)
        rc = x->keep_hash ? store_token_delete_others(db, x->acct->id, x->keep_hash)
                          : store_token_delete_account(db, x->acct->id);
    if (!rc)
        rc = store_session_delete_account(db, x->acct->id, NULL);
    return rc;
}

int users_change_password(struct ctx *c, const struct account *acct, const char *old, const char *fresh,
                          const char *keep_hash)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc;
    if (acct_check_password(fresh))
        return -E_INVALID;
    if (old && (rc = pw_verify(c, acct, old)))
        return rc;
    struct password_args x = {acct, hash, keep_hash};
    if ((rc = pw_hash(fresh, hash)))
        goto out;
    rc = not_found_as_user(ver_tx(c, acct->app_id, password_tx, &x));
out:
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

int users_delete(struct ctx *c, const char *app_id, int64_t id, const char *password)
{
    struct account acct;
    int rc = acct_get(c, app_id, id, &acct);
    if (!rc && password)
        rc = pw_verify(c, &acct, password);
    return rc ? rc : not_found_as_user(store_acct_delete(c->db, app_id, id));
}

struct status_args {
    const char *app_id;
    const int64_t *ids;
    size_t n;
    int status;
    int64_t *bad;
};

static int status_tx(db_t *db, void *p, int64_t version)
{
    struct status_args *x = p;
    for (size_t i = 0; i < x->n; i++) {
        int rc = store_acct_set_status(db, x->app_id, x->ids[i], x->status, version);
        if (!rc && x->status) /* disabling ends every credential, on every face: enabling revives none */
            rc = store_token_delete_account(db, x->ids[i]);
        if (!rc && x->status)
            rc = store_session_delete_account(db, x->ids[i], NULL);
        if (rc) {
            *x->bad = x->ids[i];
            return rc;
        }
    }
    return 0;
}

int users_set_status(struct ctx *c, const char *app_id, const int64_t *ids, size_t n, int status, int64_t *bad)
{
    struct status_args x = {app_id, ids, n, status ? 1 : 0, bad};
    *bad = 0;
    return not_found_as_user(ver_tx(c, app_id, status_tx, &x));
}

struct sign_out_args {
    struct arena *a;
    const char *app_id;
    int64_t id;
};

static int sign_out_tx(db_t *db, void *p)
{
    struct sign_out_args *x = p;
    struct account acct;
    int rc = store_acct_by_id(db, x->a, x->app_id, x->id, &acct); /* the account is the app's */
    if (!rc)
        rc = store_token_delete_account(db, x->id);
    if (!rc)
        rc = store_session_delete_account(db, x->id, NULL);
    return rc;
}

int users_sign_out(struct ctx *c, const char *app_id, int64_t id)
{
    struct sign_out_args x = {c->a, app_id, id};
    return not_found_as_user(store_tx(c->db, sign_out_tx, &x));
}

int users_page(struct ctx *c, const char *app_id, int64_t page_num, int page_size, struct account_brief *out,
               int *n)
{
    if (page_num < 1 || page_size < 1)
        return -E_INVALID;
    return store_acct_page(c->db, c->a, app_id, (page_num - 1) * page_size, page_size, out, n);
}
