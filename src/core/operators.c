#include "core/operators.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "base/config.h"
#include "core/limits.h"
#include "core/passwords.h"
#include "core/secret.h"
#include "core/srvkey.h"
#include "store/store.h"

#define SESSION_BYTES 32
#define TOUCH_EVERY_MS 10000 /* a session's last request is written at most this often */

int op_check_name(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > OP_NAME_MAX)
        return -E_INVALID;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              strchr("._@-", *s)))
            return -E_INVALID;
    return 0;
}

/* A generated password and its hash; the caller wipes hash. */
static int fresh_password(struct ctx *c, const char **password, char hash[crypto_pwhash_STRBYTES])
{
    *password = sec_token(c->a, OP_PASSWORD_BYTES);
    return pw_hash(*password, hash);
}

int op_add(struct ctx *c, const char *name, const char **password)
{
    char hash[crypto_pwhash_STRBYTES];
    if (op_check_name(name))
        return -E_INVALID;
    int rc = fresh_password(c, password, hash);
    if (!rc)
        rc = store_op_insert(c->db, name, hash, c->now);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

static int reset_tx(db_t *db, void *p)
{
    const char **x = p; /* name, hash */
    return store_op_set_password(db, x[0], x[1]);
}

int op_reset(struct ctx *c, const char *name, const char **password)
{
    char hash[crypto_pwhash_STRBYTES];
    if (op_check_name(name))
        return -E_NOT_FOUND;
    int rc = fresh_password(c, password, hash);
    const char *x[2] = {name, hash};
    if (!rc)
        rc = store_tx(c->db, reset_tx, x);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

static int remove_tx(db_t *db, void *p) { return store_op_delete(db, p); }

int op_remove(struct ctx *c, const char *name)
{
    return op_check_name(name) ? -E_NOT_FOUND : store_tx(c->db, remove_tx, (void *)name);
}

int op_list(struct ctx *c, void (*fn)(const struct operator_row *, void *), void *arg)
{
    return store_op_each(c->db, c->a, fn, arg);
}

/*
 * An unknown operator costs the same Argon2id check as a known one (against
 * a hash of a random password, made once), so the answer's time does not
 * tell which names exist.
 */
static const char *dummy_hash(struct ctx *c)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static char hash[crypto_pwhash_STRBYTES];
    pthread_mutex_lock(&mu);
    if (!hash[0] && pw_hash(sec_token(c->a, 16), hash))
        hash[0] = '\0';
    pthread_mutex_unlock(&mu);
    return hash;
}

static int new_session(struct ctx *c, const char *name, const char **session)
{
    const char *t = sec_token(c->a, SESSION_BYTES);
    int rc = store_csess_insert(c->db, sec_hash(c->a, t), name, c->ip, c->now);
    if (!rc)
        rc = store_op_logged_in(c->db, name, c->now);
    if (!rc)
        *session = t;
    return rc;
}

int op_login(struct ctx *c, const char *name, const char *password, const char **session)
{
    int64_t window = cfg_int(CFG_console_lockout) * 1000;
    int valid = !op_check_name(name);
    const char *op_key = arena_printf(c->a, "console:op:%s", valid ? name : "?");
    const char *ip_key = arena_printf(c->a, "console:ip:%s", c->ip);
    int taken_op = 0, taken_ip = 0;
    int rc = limit_take(c, ip_key, window, cfg_int(CFG_console_ip_max_failures), &taken_ip);
    if (!rc && taken_ip)
        rc = limit_take(c, op_key, window, cfg_int(CFG_console_max_failures), &taken_op);
    if (rc)
        return rc;
    if (!taken_ip || !taken_op)
        return -E_LOCKED;
    struct operator_row op;
    rc = valid ? store_op_get(c->db, c->a, name, &op) : -E_NOT_FOUND;
    if (rc && rc != -E_NOT_FOUND)
        return rc;
    int known = !rc;
    rc = pw_check_hash(known ? op.pw_hash : dummy_hash(c), password);
    if (rc || !known)
        return -E_PASSWORD; /* both counts stay */
    if ((rc = limit_clear(c, op_key)) || (rc = limit_unhit(c, ip_key)))
        return rc;
    return new_session(c, name, session);
}

int op_session(struct ctx *c, const char *session, const char **name)
{
    if (!session || !*session)
        return -E_AUTH_MISSING;
    if (strlen(session) > 64)
        return -E_AUTH_INVALID;
    const char *hash = sec_hash(c->a, session);
    int64_t seen_at;
    int rc = store_csess_get(c->db, c->a, hash, name, &seen_at);
    if (rc)
        return rc == -E_NOT_FOUND ? -E_AUTH_INVALID : rc;
    if (c->now - seen_at >= cfg_int(CFG_console_idle_timeout) * 1000) {
        rc = store_csess_delete(c->db, hash);
        return rc ? rc : -E_AUTH_EXPIRED;
    }
    if ((rc = store_csess_touch(c->db, hash, c->now, TOUCH_EVERY_MS)))
        return rc;
    if (randombytes_uniform(256) == 0) /* now and then, the sessions idle too long go */
        rc = store_csess_purge(c->db, c->now - cfg_int(CFG_console_idle_timeout) * 1000);
    return rc;
}

int op_logout(struct ctx *c, const char *session)
{
    return session && *session ? store_csess_delete(c->db, sec_hash(c->a, session)) : 0;
}

int op_csrf(struct ctx *c, const char *session, const char **csrf)
{
    unsigned char key[SRVKEY_BYTES];
    char hex[SRVKEY_BYTES * 2 + 1];
    int rc = srvkey_get(c, SRVKEY_CONSOLE, key);
    if (rc)
        return rc;
    sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
    *csrf = sec_mac(c->a, hex, arena_printf(c->a, "console-csrf:%s", session));
    sodium_memzero(key, sizeof(key));
    sodium_memzero(hex, sizeof(hex));
    return *csrf ? 0 : -E_INTERNAL;
}

int op_csrf_check(struct ctx *c, const char *session, const char *given)
{
    const char *want;
    int rc = op_csrf(c, session, &want);
    if (rc)
        return rc;
    return given && sec_equal(want, given) ? 0 : -E_FORBIDDEN;
}
