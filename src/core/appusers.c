#include "core/appusers.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/config.h"
#include "core/accounts.h"
#include "core/activity.h"
#include "core/apps.h"
#include "core/limits.h"
#include "core/passwords.h"
#include "core/secret.h"
#include "core/sms.h"
#include "core/text.h"
#include "core/tokens.h"
#include "core/versions.h"
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

int au_login(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *password,
             struct account *out, const char **session, const char **im_token)
{
    int rc = store_au_by_phone(c->db, c->a, app_id, region, phone, out);
    if (rc)
        return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc;
    if ((rc = pw_verify(c, out, password)))
        return rc;
    if (out->status)
        return -E_DISABLED;
    if ((rc = au_sign_in(c, out, session, im_token)))
        return rc;
    limit_maybe_purge(c);
    return 0;
}

struct sign_in_args {
    struct ctx *c;
    const struct account *acct;
    struct tok_issue t;
    const char *session_hash;
};

static int sign_in_tx(db_t *db, void *p)
{
    struct sign_in_args *x = p;
    int rc = tok_issue_tx(db, x->c, x->acct, &x->t);
    return rc ? rc : store_session_insert(db, x->session_hash, x->acct->id, session_expiry(x->c), x->c->now);
}

int au_sign_in(struct ctx *c, const struct account *acct, const char **session, const char **im_token)
{
    if (acct->status)
        return -E_DISABLED;
    struct sign_in_args x = {.c = c, .acct = acct};
    tok_prepare(c, NULL, 0, &x.t);
    const char *token = new_session(c, &x.session_hash);
    int rc = store_tx(c->db, sign_in_tx, &x);
    if (rc)
        return rc;
    activity_sign_in(c);
    *session = token;
    *im_token = x.t.token;
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
    if (expires_at <= c->now)
        return -E_AUTH_EXPIRED; /* left to the purge: a refused request writes nothing */
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
static int set_password_rows(db_t *db, struct password_args *x, int64_t version)
{
    int rc = store_acct_set_password(db, x->app_id, x->id, x->hash, version);
    if (!rc)
        rc = store_session_delete_account(db, x->id, x->keep_session);
    if (!rc)
        rc = store_token_delete_account(db, x->id);
    return rc;
}

static int reset_tx(db_t *db, void *p, int64_t version)
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
    return set_password_rows(db, x, version);
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
    rc = ver_tx(c, app_id, reset_tx, &x);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

static int change_tx(db_t *db, void *p, int64_t version) { return set_password_rows(db, p, version); }

int au_change_password(struct ctx *c, const struct account *acct, const char *old_pw, const char *new_pw,
                       const char *keep_session)
{
    int rc = pw_verify(c, acct, old_pw);
    if (rc)
        return rc;
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = pw_hash(new_pw, hash)))
        return rc;
    struct password_args x = {.c = c, .app_id = acct->app_id, .keep_session = keep_session, .id = acct->id,
                              .hash = hash};
    rc = ver_tx(c, acct->app_id, change_tx, &x);
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

/* One change of the account's own row, stamped with the app's next sync version (core/versions.h). */
struct set_args {
    const struct account *acct;
    enum au_field f;
    const char *value;
    const int *flags;
    int poke;
};

static int set_field_tx(db_t *db, void *p, int64_t version)
{
    struct set_args *x = p;
    return store_au_set_text(db, x->f, x->acct->app_id, x->acct->id, x->value, version);
}

static int set_privacy_tx(db_t *db, void *p, int64_t version)
{
    struct set_args *x = p;
    return store_au_set_privacy(db, x->acct->app_id, x->acct->id, x->flags, version);
}

static int set_poke_tx(db_t *db, void *p, int64_t version)
{
    struct set_args *x = p;
    return store_au_set_poke(db, x->acct->app_id, x->acct->id, x->poke, version);
}

int au_set_field(struct ctx *c, const struct account *acct, enum au_field f, const char *value)
{
    if (f == AU_ST_ACCOUNT && !strcmp(acct->st_account, value))
        return 0; /* the number it has: nothing changes, not even the account's sync version */
    struct set_args x = {.acct = acct, .f = f, .value = value};
    return user_gone(ver_tx(c, acct->app_id, set_field_tx, &x));
}

int au_set_privacy(struct ctx *c, const struct account *acct, const int flags[4])
{
    struct set_args x = {.acct = acct, .flags = flags};
    return user_gone(ver_tx(c, acct->app_id, set_privacy_tx, &x));
}

int au_set_poke(struct ctx *c, const struct account *acct, int poke)
{
    struct set_args x = {.acct = acct, .poke = poke};
    return user_gone(ver_tx(c, acct->app_id, set_poke_tx, &x));
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
    if (au_check_st(st))
        return -E_USER_UNKNOWN; /* no account holds it; and no lookup of bytes a store may refuse */
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
    const char *app_id, *region, *phone;
    struct account *acct;
    struct sign_in_args in; /* the IM token and the session, as a password sign-in makes them */
};

/* The account of the phone, made when there is none (no password: reset_password can set one). */
static int phone_account(db_t *db, struct sms_sign_in_args *x)
{
    struct ctx *c = x->in.c;
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
    x->in.acct = x->acct;
    return rc ? rc : sign_in_tx(db, &x->in); /* refuses a disabled account */
}

int au_sms_sign_in(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *code,
                   struct account *out, const char **session, const char **im_token)
{
    struct sms_sign_in_args x = {.app_id = app_id, .region = region, .phone = phone, .acct = out, .in = {.c = c}};
    tok_prepare(c, NULL, 0, &x.in.t);
    const char *token = new_session(c, &x.in.session_hash);
    int rc = sms_verify_then(c, app_id, region, phone, code, sms_sign_in_rows, &x);
    if (rc)
        return rc;
    *session = token;
    *im_token = x.in.t.token;
    limit_maybe_purge(c);
    return 0;
}

/* ---- several profile fields at once (updateUser) ---- */

struct update_args {
    const struct account *acct;
    const struct au_update *u;
};

static int update_tx(db_t *db, void *p, int64_t now)
{
    struct update_args *x = p;
    const struct au_update *u = x->u;
    const char *app_id = x->acct->app_id;
    int64_t id = x->acct->id;
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
    struct update_args x = {.acct = acct, .u = u};
    return user_gone(ver_tx(c, acct->app_id, update_tx, &x)); /* one sync version for the whole change */
}
