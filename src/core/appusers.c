#include "core/appusers.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/config.h"
#include "core/accounts.h"
#include "core/apps.h"
#include "core/limits.h"
#include "core/passwords.h"
#include "core/secret.h"
#include "core/sms.h"
#include "core/text.h"
#include "core/tokens.h"
#include "store/store.h"

/* ---- the served app ---- */

static char served_app[65];
static pthread_mutex_t served_lock = PTHREAD_MUTEX_INITIALIZER;

int au_app(struct ctx *c, const char **app_id)
{
    pthread_mutex_lock(&served_lock);
    if (served_app[0]) {
        *app_id = arena_strdup(c->a, served_app);
        pthread_mutex_unlock(&served_lock);
        return 0;
    }
    pthread_mutex_unlock(&served_lock);
    const char *id = cfg_str(CFG_app_app_id);
    int rc = 0;
    if (!*id)
        rc = app_default_id(c, &id);
    struct app app;
    if (!rc)
        rc = *id ? app_get(c, id, &app) : -E_APP_UNKNOWN;
    if (rc)
        return rc;
    pthread_mutex_lock(&served_lock);
    snprintf(served_app, sizeof(served_app), "%s", id);
    pthread_mutex_unlock(&served_lock);
    *app_id = id;
    return 0;
}

/* ---- field rules ---- */

int au_check_nick(const char *nick)
{
    return text_check(nick, strlen(nick), 1, AU_NICK_MAX, 0) ? -E_INVALID : 0;
}

enum au_pw_problem au_check_password(const char *pw)
{
    if (pw && strchr(pw, ' '))
        return AU_PW_SPACE; /* said first: the real server's order */
    return !pw || strlen(pw) > AU_PW_MAX || acct_check_password(pw) ? AU_PW_LENGTH : AU_PW_OK;
}

int au_check_gender(const char *gender) { return strcmp(gender, "male") && strcmp(gender, "female") ? -E_INVALID : 0; }

int au_check_st(const char *st)
{
    size_t n = strlen(st);
    if (n < AU_ST_MIN || n > AU_ST_MAX)
        return -E_INVALID;
    for (size_t i = 0; i < n; i++) {
        char ch = st[i];
        int alpha = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
        if (!alpha && (i == 0 || !((ch >= '0' && ch <= '9') || ch == '_' || ch == '-')))
            return -E_INVALID;
    }
    return 0;
}

static int phone_visible(const struct account *a, int64_t viewer_id)
{
    return a->phone_verify || a->id == viewer_id;
}

const char *au_shown_phone(const struct account *a, int64_t viewer_id)
{
    return phone_visible(a, viewer_id) ? a->mobile : "";
}

/* ---- sign up, sign in ---- */

/*
 * A phone is taken by an account of its region, and also by one whose
 * mobile has no region (set on the IM face, which knows no regions).
 */
static int phone_taken(db_t *db, const char *app_id, const char *region, const char *phone)
{
    return store_au_phone_taken(db, app_id, region, phone, 1);
}

int au_phone_available(struct ctx *c, const char *app_id, const char *region, const char *phone, int *available)
{
    int rc = phone_taken(c->db, app_id, region, phone);
    if (rc && rc != -E_NOT_FOUND)
        return rc;
    *available = rc == -E_NOT_FOUND;
    return 0;
}

/* A fresh session token and its row's arguments. */
static const char *new_session(struct ctx *c, const char **hash)
{
    char *token = sec_token(c->a, 32);
    *hash = sec_hash(c->a, token);
    return token;
}

static int64_t session_expiry(struct ctx *c) { return c->now + cfg_int(CFG_session_ttl) * 1000; }

struct register_args {
    struct ctx *c;
    struct account *acct;
    const char *vhash, *session_hash;
};

static int register_tx(db_t *db, void *p)
{
    struct register_args *x = p;
    struct ctx *c = x->c;
    struct account *a = x->acct;
    int rc = store_verif_take(db, c->a, x->vhash, a->app_id, c->now, &a->region, &a->mobile);
    if (rc)
        return rc;
    rc = phone_taken(db, a->app_id, a->region, a->mobile);
    if (rc != -E_NOT_FOUND)
        return rc ? rc : -E_EXISTS;
    if ((rc = acct_create_tx(db, a)))
        return rc;
    return store_session_insert(db, x->session_hash, a->id, session_expiry(c), c->now);
}

int au_register(struct ctx *c, const char *app_id, const char *nick, const char *password, const char *vtoken,
                struct account *out, const char **session)
{
    const char *vhash = sec_hash(c->a, vtoken), *region, *phone;
    /* Cheap checks first, in the document's order, so a bad request costs no Argon2id. */
    int rc = store_verif_peek(c->db, c->a, vhash, app_id, c->now, &region, &phone);
    if (rc)
        return rc;
    if ((rc = phone_taken(c->db, app_id, region, phone)) != -E_NOT_FOUND)
        return rc ? rc : -E_EXISTS;
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = pw_hash(password, hash)))
        return rc;
    memset(out, 0, sizeof(*out));
    out->app_id = app_id;
    out->nick = nick;
    out->pw_hash = hash;
    out->created_at = c->now;
    struct register_args x = {.c = c, .acct = out, .vhash = vhash};
    const char *token = new_session(c, &x.session_hash);
    rc = store_tx(c->db, register_tx, &x);
    sodium_memzero(hash, sizeof(hash));
    out->pw_hash = "";
    if (!rc)
        *session = token;
    return rc;
}

static const char *login_key(struct ctx *c, const char *app_id, const char *region, const char *phone)
{
    return arena_printf(c->a, "login:%s:%s:%s", app_id, region, phone);
}

int au_login(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *password,
             struct account *out, const char **session, const char **im_token)
{
    const char *key = login_key(c, app_id, region, phone);
    int64_t window = cfg_int(CFG_login_lockout) * 1000, max = cfg_int(CFG_login_max_failures), failures;
    int rc = limit_count(c, key, window, &failures);
    if (rc)
        return rc;
    if (failures >= max)
        return -E_LOCKED;
    rc = store_au_by_phone(c->db, c->a, app_id, region, phone, out);
    if (rc)
        return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc;
    if ((rc = pw_check(c, out, password))) {
        int lrc = rc == -E_PASSWORD ? limit_hit(c, key, window, max, &failures) : 0;
        return lrc ? lrc : rc;
    }
    if (out->status)
        return -E_DISABLED;
    if (failures && (rc = limit_clear(c, key)))
        return rc;
    int64_t expire;
    if ((rc = tok_login(c, out, NULL, 0, im_token, &expire, NULL)))
        return rc;
    const char *hash, *token = new_session(c, &hash);
    if ((rc = store_session_insert(c->db, hash, out->id, session_expiry(c), c->now)))
        return rc;
    *session = token;
    limit_maybe_purge(c);
    return 0;
}

int au_session(struct ctx *c, const char *app_id, const char *token, struct account *out, const char **hash)
{
    if (!token || !*token)
        return -E_AUTH_MISSING;
    if (strlen(token) > AU_SESSION_MAX)
        return -E_AUTH_INVALID;
    int64_t expires_at;
    const char *h = sec_hash(c->a, token);
    int rc = store_au_by_session(c->db, c->a, h, app_id, out, &expires_at);
    if (rc)
        return rc == -E_NOT_FOUND ? -E_AUTH_INVALID : rc;
    if (expires_at <= c->now) {
        rc = store_session_delete(c->db, h); /* best effort: the purge gets it otherwise */
        return rc ? rc : -E_AUTH_EXPIRED;
    }
    if (out->status)
        return -E_DISABLED;
    *hash = h;
    return 0;
}

int au_logout(struct ctx *c, const char *session_hash) { return store_session_delete(c->db, session_hash); }

/* ---- passwords ---- */

struct password_args {
    const char *app_id, *vhash, *keep_session;
    struct ctx *c;
    int64_t id;
    const char *hash;
};

/* Sets the hash and ends the sessions (but keep_session) and IM tokens of x->id. */
static int set_password_rows(db_t *db, struct password_args *x)
{
    int rc = store_acct_set_password(db, x->app_id, x->id, x->hash, x->c->now);
    if (!rc)
        rc = store_session_delete_account(db, x->id, x->keep_session);
    if (!rc)
        rc = store_token_delete_account(db, x->id);
    return rc;
}

static int reset_tx(db_t *db, void *p)
{
    struct password_args *x = p;
    struct account acct;
    const char *region = NULL, *phone = NULL;
    int rc = store_verif_take(db, x->c->a, x->vhash, x->app_id, x->c->now, &region, &phone);
    if (!rc)
        rc = store_au_by_phone(db, x->c->a, x->app_id, region, phone, &acct);
    if (rc)
        return rc == -E_NOT_FOUND && region ? -E_USER_UNKNOWN : rc;
    x->id = acct.id;
    return set_password_rows(db, x);
}

int au_reset_password(struct ctx *c, const char *app_id, const char *vtoken, const char *password)
{
    const char *vhash = sec_hash(c->a, vtoken), *region, *phone;
    struct account acct;
    int rc = store_verif_peek(c->db, c->a, vhash, app_id, c->now, &region, &phone);
    if (rc)
        return rc;
    if ((rc = store_au_by_phone(c->db, c->a, app_id, region, phone, &acct)))
        return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc;
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = pw_hash(password, hash)))
        return rc;
    struct password_args x = {.c = c, .app_id = app_id, .vhash = vhash, .hash = hash};
    rc = store_tx(c->db, reset_tx, &x);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

static int change_tx(db_t *db, void *p) { return set_password_rows(db, p); }

int au_change_password(struct ctx *c, const struct account *acct, const char *old_pw, const char *new_pw,
                       const char *keep_session)
{
    int rc = pw_check(c, acct, old_pw);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = pw_hash(new_pw, hash)))
        return rc;
    struct password_args x = {.c = c, .app_id = acct->app_id, .keep_session = keep_session, .id = acct->id,
                              .hash = hash};
    rc = store_tx(c->db, change_tx, &x);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

int au_im_token(struct ctx *c, const struct account *acct, const char **token)
{
    int64_t expire;
    return tok_login(c, acct, NULL, 0, token, &expire, NULL);
}

/* ---- profile ---- */

static int user_gone(int rc) { return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc; }

int au_set_field(struct ctx *c, const struct account *acct, enum au_field f, const char *value)
{
    if (f == AU_ST_ACCOUNT && !strcmp(acct->st_account, value))
        return 0; /* the number it has: nothing changes, not even the account's sync version */
    return user_gone(store_au_set_text(c->db, f, acct->app_id, acct->id, value, c->now));
}

int au_set_privacy(struct ctx *c, const struct account *acct, const int flags[4])
{
    return user_gone(store_au_set_privacy(c->db, acct->app_id, acct->id, flags, c->now));
}

int au_set_poke(struct ctx *c, const struct account *acct, int poke)
{
    return user_gone(store_au_set_poke(c->db, acct->app_id, acct->id, poke, c->now));
}

/* ---- lookups ---- */

int au_get(struct ctx *c, const char *app_id, int64_t id, struct account *out)
{
    return acct_get(c, app_id, id, out);
}

int au_find_phone(struct ctx *c, const char *app_id, const char *region, const char *phone, int64_t by_id,
                  int honour_privacy, struct account *out)
{
    int rc = user_gone(store_au_by_phone(c->db, c->a, app_id, region, phone, out));
    if (!rc && honour_privacy && !phone_visible(out, by_id))
        rc = -E_USER_UNKNOWN;
    return rc;
}

int au_find_st(struct ctx *c, const char *app_id, const char *st, int64_t by_id, struct account *out)
{
    int rc = user_gone(store_au_by_st(c->db, c->a, app_id, st, out));
    if (!rc && !out->st_search_verify && out->id != by_id)
        rc = -E_USER_UNKNOWN;
    return rc;
}

struct batch_args {
    const int64_t *ids;
    size_t n;
    struct account *slots; /* by position in ids */
    int *found;
};

static void batch_row(const struct account *acct, void *p)
{
    struct batch_args *x = p;
    for (size_t i = 0; i < x->n; i++)
        if (x->ids[i] == acct->id) {
            x->slots[i] = *acct;
            x->found[i] = 1;
        }
}

int au_batch(struct ctx *c, const char *app_id, const int64_t *ids, size_t n, struct account **out, size_t *n_out)
{
    if (n > 100)
        return -E_INVALID;
    struct batch_args x = {.ids = ids, .n = n, .slots = arena_alloc(c->a, (n + 1) * sizeof(struct account)),
                           .found = arena_alloc(c->a, (n + 1) * sizeof(int))};
    size_t cap = n * 21 + 3, len = 1;
    char *json = arena_alloc(c->a, cap);
    json[0] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(json + len, cap - len, "%s%lld", i ? "," : "", (long long)ids[i]);
    snprintf(json + len, cap - len, "]");
    int rc = store_au_batch(c->db, c->a, app_id, json, batch_row, &x);
    if (rc)
        return rc;
    *out = arena_alloc(c->a, (n + 1) * sizeof(struct account));
    *n_out = 0;
    for (size_t i = 0; i < n; i++)
        if (x.found[i])
            (*out)[(*n_out)++] = x.slots[i];
    return 0;
}

/* ---- SMS sign-in (verify_code_register) ---- */

struct sms_sign_in_args {
    struct ctx *c;
    const char *app_id, *region, *phone, *session_hash;
    struct account *acct;
    const char *im_token;
};

/* The account of the phone, made when there is none (no password: reset_password can set one). */
static int phone_account(db_t *db, struct sms_sign_in_args *x)
{
    struct ctx *c = x->c;
    int rc = store_au_by_phone(db, c->a, x->app_id, x->region, x->phone, x->acct);
    if (rc != -E_NOT_FOUND)
        return rc;
    /* a mobile set on the IM face (no region) holds the phone too: not signed in to by a code */
    if ((rc = phone_taken(db, x->app_id, x->region, x->phone)) != -E_NOT_FOUND)
        return rc ? rc : -E_EXISTS;
    struct account a = {
        .app_id = x->app_id,
        .nick = arena_printf(c->a, "%s%s", AU_DEFAULT_NICK, sec_digits(c->a, AU_DEFAULT_NICK_DIGITS)),
        .pw_hash = "",
        .region = x->region,
        .mobile = x->phone,
        .created_at = c->now,
    };
    if ((rc = acct_create_tx(db, &a)))
        return rc;
    return store_acct_by_id(db, c->a, x->app_id, a.id, x->acct);
}

/* Runs once the code proved right, in its transaction: the account, then an IM token and a session. */
static int sms_sign_in_rows(db_t *db, void *p)
{
    struct sms_sign_in_args *x = p;
    int rc = phone_account(db, x);
    if (!rc && x->acct->status)
        rc = -E_DISABLED;
    if (!rc)
        rc = tok_login_tx(db, x->c, x->acct, &x->im_token, NULL);
    if (!rc)
        rc = store_session_insert(db, x->session_hash, x->acct->id, session_expiry(x->c), x->c->now);
    return rc;
}

int au_sms_sign_in(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *code,
                   struct account *out, const char **session, const char **im_token)
{
    struct sms_sign_in_args x = {.c = c, .app_id = app_id, .region = region, .phone = phone, .acct = out};
    const char *token = new_session(c, &x.session_hash);
    int rc = sms_verify_then(c, app_id, region, phone, code, sms_sign_in_rows, &x);
    if (rc)
        return rc;
    *session = token;
    *im_token = x.im_token;
    limit_maybe_purge(c);
    return 0;
}

/* ---- several profile fields at once (updateUser) ---- */

struct update_args {
    struct ctx *c;
    const struct account *acct;
    const struct au_update *u;
};

static int update_tx(db_t *db, void *p)
{
    struct update_args *x = p;
    const struct au_update *u = x->u;
    const char *app_id = x->acct->app_id;
    int64_t id = x->acct->id, now = x->c->now;
    int rc = 0;
    if (u->nick || u->portrait) {
        struct account_patch patch = {.nick = u->nick, .avatar = u->portrait};
        rc = store_acct_update_profile(db, app_id, id, &patch, now);
    }
    if (!rc && u->gender)
        rc = store_au_set_text(db, AU_GENDER, app_id, id, u->gender, now);
    if (!rc && (u->privacy[0] >= 0 || u->privacy[1] >= 0 || u->privacy[2] >= 0 || u->privacy[3] >= 0))
        rc = store_au_set_privacy(db, app_id, id, u->privacy, now);
    if (!rc && u->poke >= 0)
        rc = store_au_set_poke(db, app_id, id, u->poke, now);
    return rc;
}

int au_update(struct ctx *c, const struct account *acct, const struct au_update *u)
{
    if ((u->nick && au_check_nick(u->nick)) || (u->gender && au_check_gender(u->gender)) ||
        (u->portrait && (strlen(u->portrait) < AU_PORTRAIT_MIN || acct_check_avatar(u->portrait, AU_PORTRAIT_MAX))))
        return -E_INVALID;
    for (int i = 0; i < 4; i++)
        if (u->privacy[i] > 1)
            return -E_INVALID;
    if (u->poke > 1)
        return -E_INVALID;
    struct update_args x = {.c = c, .acct = acct, .u = u};
    return user_gone(store_tx(c->db, update_tx, &x));
}
