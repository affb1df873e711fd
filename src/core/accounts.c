#include "core/accounts.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "core/passwords.h"
#include "core/text.h"
#include "core/versions.h"
#include "store/store.h"

/* A mobile number that several regions hold signs in to the account of this region (mainland China) first. */
#define LOGIN_REGION "86"

static int not_found_as_user(int rc) { return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc; }

int acct_check_username(const char *s)
{
    size_t n = strlen(s);
    int digits = 1;
    if (n == 0 || n > USERNAME_MAX)
        return -E_INVALID;
    for (const char *p = s; *p; p++) {
        char ch = *p;
        int digit = ch >= '0' && ch <= '9';
        if (!digit && !(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') && ch != '_')
            return -E_INVALID;
        digits &= digit;
    }
    return digits ? -E_INVALID : 0;
}

int acct_check_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n > max || text_has_control(s, n, 0) ? -E_INVALID : 0;
}

int acct_check_nick(const char *s) { return text_check(s, strlen(s), 0, NICK_MAX, 0) ? -E_INVALID : 0; }

int acct_check_url(const char *s, size_t max)
{
    size_t n = strlen(s), scheme;
    if (!strncasecmp(s, "https://", 8))
        scheme = 8;
    else if (!strncasecmp(s, "http://", 7))
        scheme = 7;
    else
        return -E_INVALID;
    if (n > max || !s[scheme] || strchr("/?#", s[scheme]))
        return -E_INVALID; /* too long, or no host */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f || strchr("\"'<>\\`", *p))
            return -E_INVALID;
    return 0;
}

int acct_check_avatar(const char *s, size_t max)
{
    return *s && acct_check_url(s, max < AVATAR_MAX ? max : AVATAR_MAX) ? -E_INVALID : 0;
}

int acct_check_password(const char *s)
{
    size_t n = strlen(s);
    return n < 6 || n > 128 ? -E_INVALID : acct_check_text(s, 128);
}

static int create_tx(db_t *db, void *p)
{
    struct account *in = p;
    int rc = store_acct_insert(db, in, &in->id);
    if (!rc && in->id > ACCT_ID_MAX)
        rc = -E_INTERNAL; /* ids stay below 2^53; never reached with ids counted from 1 */
    if (!rc)
        rc = store_settings_insert(db, in->id, in->created_at);
    return rc;
}

int acct_create_tx(db_t *db, struct account *in) { return create_tx(db, in); }

int acct_create(struct ctx *c, struct account *in)
{
    if (!in->created_at)
        in->created_at = c->now;
    return store_tx(c->db, create_tx, in);
}

int acct_create_password(struct ctx *c, struct account *in, const char *password)
{
    char hash[crypto_pwhash_STRBYTES];
    int rc = acct_check_password(password) ? -E_INVALID : pw_hash(password, hash);
    if (!rc) {
        in->pw_hash = hash;
        rc = acct_create(c, in);
        in->pw_hash = NULL;
    }
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

int acct_count_by_app(struct ctx *c, void (*fn)(const char *app_id, int64_t n, void *), void *arg)
{
    return store_acct_count_each(c->db, fn, arg);
}

int acct_get(struct ctx *c, const char *app_id, int64_t id, struct account *out)
{
    return not_found_as_user(store_acct_by_id(c->db, c->a, app_id, id, out));
}

int acct_find_username(struct ctx *c, const char *app_id, const char *username, struct account *out)
{
    return not_found_as_user(store_acct_by_username(c->db, c->a, app_id, username, out));
}

int acct_find_login(struct ctx *c, const char *app_id, const char *login_name, struct account *out)
{
    int rc = store_acct_by_username(c->db, c->a, app_id, login_name, out);
    if (rc == -E_NOT_FOUND)
        rc = store_acct_by_mobile(c->db, c->a, app_id, login_name, LOGIN_REGION, out);
    if (rc == -E_NOT_FOUND && strchr(login_name, '@'))
        rc = store_acct_by_email(c->db, c->a, app_id, login_name, out);
    return not_found_as_user(rc);
}

int acct_settings(struct ctx *c, int64_t id, struct user_settings *out)
{
    return not_found_as_user(store_settings_get(c->db, c->a, id, out));
}

static int check_patch(const struct account_patch *p)
{
    if ((p->nick && acct_check_nick(p->nick)) || (p->avatar && acct_check_avatar(p->avatar, AVATAR_MAX)))
        return -E_INVALID;
    const char *texts[] = {p->description, p->public_info, p->private_info};
    for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++)
        if (texts[i] && strlen(texts[i]) > ACCT_TEXT_MAX)
            return -E_INVALID;
    return 0;
}

int acct_update_profile_tx(db_t *db, const char *app_id, int64_t id, const struct account_patch *p, int64_t version)
{
    return check_patch(p) ? -E_INVALID : not_found_as_user(store_acct_update_profile(db, app_id, id, p, version));
}

struct profile_args {
    const char *app_id;
    int64_t id;
    const struct account_patch *p;
};

static int profile_tx(db_t *db, void *arg, int64_t version)
{
    struct profile_args *x = arg;
    return acct_update_profile_tx(db, x->app_id, x->id, x->p, version);
}

int acct_update_profile(struct ctx *c, const char *app_id, int64_t id, const struct account_patch *p)
{
    struct profile_args x = {app_id, id, p};
    return check_patch(p) ? -E_INVALID : ver_tx(c, app_id, profile_tx, &x);
}
