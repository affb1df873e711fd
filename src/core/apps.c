#include "core/apps.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/file.h"
#include "base/log.h"
#include "core/accounts.h"
#include "core/secret.h"
#include "store/store.h"

int app_admin_token(struct ctx *c, const char *app_id, int64_t ttl_s, const char **token)
{
    struct app app;
    if (ttl_s < 0 || ttl_s > ADMIN_TOKEN_TTL_MAX)
        return -E_INVALID;
    int rc = app_get(c, app_id, &app);
    if (rc)
        return rc;
    char *t = sec_token(c->a, 32);
    int64_t expires_at = c->now + (ttl_s ? ttl_s : ADMIN_TOKEN_TTL_MAX) * 1000;
    rc = store_admin_token_insert(c->db, sec_hash(c->a, t), app_id, arena_strndup(c->a, t, ADMIN_TOKEN_PREFIX),
                                  expires_at, c->now);
    if (!rc)
        *token = t;
    return rc;
}

int app_admin_tokens(struct ctx *c, const char *app_id, void (*fn)(const struct admin_token *, void *), void *arg)
{
    struct app app;
    int rc = app_get(c, app_id, &app);
    return rc ? rc : store_admin_token_each(c->db, c->a, app_id, fn, arg);
}

struct revoke_args {
    const char *app_id, *prefix;
};

static int revoke_tx(db_t *db, void *p)
{
    struct revoke_args *x = p;
    int64_t n;
    int rc = store_admin_token_count(db, x->app_id, x->prefix, &n);
    if (rc)
        return rc;
    if (n != 1)
        return n ? -E_EXISTS : -E_NOT_FOUND;
    rc = store_admin_token_delete(db, x->app_id, x->prefix, NULL);
    return rc < 0 ? rc : 0;
}

int app_admin_revoke(struct ctx *c, const char *app_id, const char *which)
{
    struct app app;
    size_t n = strlen(which);
    if (n < ADMIN_TOKEN_PREFIX || n > 256)
        return -E_INVALID;
    int rc = app_get(c, app_id, &app);
    if (rc)
        return rc;
    if (n == ADMIN_TOKEN_PREFIX) {
        struct revoke_args x = {app_id, which};
        return store_tx(c->db, revoke_tx, &x);
    }
    rc = store_admin_token_delete(c->db, app_id, NULL, sec_hash(c->a, which)); /* the whole token */
    return rc < 0 ? rc : rc == 0 ? -E_NOT_FOUND : 0;
}

struct create_args {
    struct ctx *c;
    struct app_creds *out;
    int only_if_default; /* ensure_default: create only when no default app exists yet */
    int created;
};

static int create_tx(db_t *db, void *p)
{
    struct create_args *x = p;
    struct ctx *c = x->c;
    struct app app = {
        .id = sec_alnum(c->a, 12),
        .name = x->out->name,
        .access_key = sec_token(c->a, 15),
        .secret_key = sec_token(c->a, 30),
        .created_at = c->now,
    };
    int rc;
    x->created = 0;
    if (x->only_if_default) {
        const char *winner;
        if ((rc = store_meta_get_or_put(db, c->a, "default_app_id", app.id, &winner)))
            return rc;
        if (strcmp(winner, app.id))
            return 0; /* another process made it */
    }
    if ((rc = store_app_insert(db, &app)))
        return rc;
    x->out->app_id = app.id;
    x->out->access_key = app.access_key;
    x->out->secret_key = app.secret_key;
    if ((rc = app_admin_token(c, app.id, 0, &x->out->admin_token)))
        return rc;
    x->created = 1;
    return 0;
}

int app_create(struct ctx *c, const char *name, struct app_creds *out)
{
    size_t n = strlen(name);
    json_t *probe = json_stringn(name, n); /* NULL for invalid UTF-8 */
    int bad = !probe || n == 0 || n > APP_NAME_MAX || acct_check_text(name, APP_NAME_MAX);
    json_decref(probe);
    if (bad)
        return -E_INVALID;
    memset(out, 0, sizeof(*out));
    out->name = arena_strdup(c->a, name);
    struct create_args x = {.c = c, .out = out};
    return store_tx(c->db, create_tx, &x);
}

char *app_creds_json(const struct app_creds *cr)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "app_id", cr->app_id, "name", cr->name, "access_key",
                          cr->access_key, "secret_key", cr->secret_key, "admin_token", cr->admin_token);
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

static int write_creds(const char *path, const struct app_creds *cr)
{
    char *json = app_creds_json(cr);
    if (!json)
        return -E_INTERNAL;
    size_t n = strlen(json);
    char *text = xmalloc(n + 2);
    memcpy(text, json, n);
    memcpy(text + n, "\n", 2);
    int rc = file_replace(path, text, n + 1, 0600);
    sodium_memzero(json, n);
    sodium_memzero(text, n + 1);
    free(json);
    free(text);
    return rc;
}

int app_ensure_default(struct ctx *c, const char *data_dir)
{
    struct app_creds out = {.name = "default"};
    struct create_args x = {.c = c, .out = &out, .only_if_default = 1};
    int rc = store_tx(c->db, create_tx, &x);
    if (rc || !x.created)
        return rc;
    if (mkdir(data_dir, 0700) && errno != EEXIST)
        log_warn("cannot create %s: %s", data_dir, strerror(errno));
    char *path = arena_printf(c->a, "%s/default-app.json", data_dir);
    if ((rc = write_creds(path, &out)))
        return rc;
    log_info("created the app \"default\" (%s); its credentials are in %s", out.app_id, path);
    return 0;
}

int app_get(struct ctx *c, const char *app_id, struct app *out)
{
    /*
     * Ids are printable ASCII (app_create makes letters and digits): anything
     * else names no app, on every back end (PostgreSQL would refuse bytes that
     * are no UTF-8 as a bad parameter instead).
     */
    for (const unsigned char *p = (const unsigned char *)app_id; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return -E_APP_UNKNOWN;
    int rc = store_app_by_id(c->db, c->a, app_id, out);
    return rc == -E_NOT_FOUND ? -E_APP_UNKNOWN : rc;
}

/*
 * Apps by access key, cached in the process for APP_CACHE_MS: every signed
 * live-face request needs its app, and an app's keys change only when the
 * operator rotates the secret (app_rotate_secret, which drops the app from
 * this process's cache), so the cache saves a query per request and can at
 * worst be APP_CACHE_MS behind a rotation in another process.
 * Only apps that exist are cached.
 */
#define APP_CACHE_SLOTS 16
#define APP_CACHE_MS 5000

static struct {
    pthread_mutex_t mu;
    struct cached_app {
        char *id, *name, *access_key, *secret_key;
        int64_t created_at, until;
    } slot[APP_CACHE_SLOTS];
    unsigned next;
    uint64_t rotations; /* secrets rotated: a read that began before one is not cached */
} AK = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void cached_clear(struct cached_app *e)
{
    if (e->secret_key)
        sodium_memzero(e->secret_key, strlen(e->secret_key));
    free(e->id), free(e->name), free(e->access_key), free(e->secret_key);
    memset(e, 0, sizeof(*e));
}

int app_by_access_key(struct ctx *c, const char *ak, struct app *out)
{
    pthread_mutex_lock(&AK.mu);
    for (int i = 0; i < APP_CACHE_SLOTS; i++) {
        struct cached_app *e = &AK.slot[i];
        if (e->access_key && e->until > c->now && !strcmp(e->access_key, ak)) {
            out->id = arena_strdup(c->a, e->id);
            out->name = arena_strdup(c->a, e->name);
            out->access_key = arena_strdup(c->a, e->access_key);
            out->secret_key = arena_strdup(c->a, e->secret_key);
            out->created_at = e->created_at;
            pthread_mutex_unlock(&AK.mu);
            return 0;
        }
    }
    uint64_t rotations = AK.rotations;
    pthread_mutex_unlock(&AK.mu);
    int rc = store_app_by_ak(c->db, c->a, ak, out);
    if (rc)
        return rc == -E_NOT_FOUND ? -E_APP_UNKNOWN : rc;
    pthread_mutex_lock(&AK.mu);
    if (AK.rotations != rotations) { /* it may hold a secret rotated since: use it once, do not keep it */
        pthread_mutex_unlock(&AK.mu);
        return 0;
    }
    struct cached_app *e = &AK.slot[AK.next++ % APP_CACHE_SLOTS];
    for (int i = 0; i < APP_CACHE_SLOTS; i++) /* the same app again (two threads missed at once) */
        if (AK.slot[i].access_key && !strcmp(AK.slot[i].access_key, ak))
            e = &AK.slot[i];
    cached_clear(e);
    e->id = xstrdup(out->id);
    e->name = xstrdup(out->name);
    e->access_key = xstrdup(out->access_key);
    e->secret_key = xstrdup(out->secret_key);
    e->created_at = out->created_at;
    e->until = c->now + APP_CACHE_MS;
    pthread_mutex_unlock(&AK.mu);
    return 0;
}

int app_list(struct ctx *c, void (*fn)(const struct app *, void *), void *arg)
{
    return store_app_each(c->db, c->a, fn, arg);
}

int app_default_id(struct ctx *c, const char **out)
{
    int rc = store_meta_get_or_put(c->db, c->a, "default_app_id", "", out);
    return rc;
}

int app_rotate_secret(struct ctx *c, const char *app_id, const char **secret)
{
    struct app app;
    int rc = app_get(c, app_id, &app);
    if (rc)
        return rc;
    const char *fresh = sec_token(c->a, 30);
    rc = store_app_set_secret(c->db, app_id, fresh);
    if (rc)
        return rc == -E_NOT_FOUND ? -E_APP_UNKNOWN : rc;
    pthread_mutex_lock(&AK.mu);
    AK.rotations++;
    for (int i = 0; i < APP_CACHE_SLOTS; i++)
        if (AK.slot[i].id && !strcmp(AK.slot[i].id, app_id))
            cached_clear(&AK.slot[i]);
    pthread_mutex_unlock(&AK.mu);
    *secret = fresh;
    return 0;
}
