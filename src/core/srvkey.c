#include "core/srvkey.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "store/store.h"

#define SLOTS 8

static struct {
    char name[33];
    unsigned char key[SRVKEY_BYTES];
} cache[SLOTS];
static int n_cached;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int cached(const char *name, unsigned char out[SRVKEY_BYTES])
{
    int hit = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n_cached && !hit; i++)
        if (!strcmp(cache[i].name, name)) {
            memcpy(out, cache[i].key, SRVKEY_BYTES);
            hit = 1;
        }
    pthread_mutex_unlock(&lock);
    return hit;
}

int srvkey_get(struct ctx *c, const char *name, unsigned char out[SRVKEY_BYTES])
{
    if (strlen(name) > 32)
        return -E_INTERNAL;
    if (cached(name, out))
        return 0;
    unsigned char fresh[SRVKEY_BYTES];
    char hex[SRVKEY_BYTES * 2 + 1];
    const char *stored = NULL;
    size_t len = 0;
    randombytes_buf(fresh, sizeof(fresh));
    sodium_bin2hex(hex, sizeof(hex), fresh, sizeof(fresh));
    const char *end = NULL;
    int rc = store_meta_get_or_put(c->db, c->a, arena_printf(c->a, "key:%s", name), hex, &stored);
    if (!rc && (sodium_hex2bin(out, SRVKEY_BYTES, stored, strlen(stored), NULL, &len, &end) ||
                len != SRVKEY_BYTES || *end)) {
        sodium_memzero(out, SRVKEY_BYTES);
        log_error("store: the server key \"key:%s\" (meta table) is malformed (want %d hex digits): "
                  "refusing to serve; restore it from a backup of the store",
                  name, SRVKEY_BYTES * 2);
        rc = -E_INTERNAL;
    }
    sodium_memzero(fresh, sizeof(fresh));
    sodium_memzero(hex, sizeof(hex));
    if (rc)
        return rc;
    pthread_mutex_lock(&lock);
    if (n_cached < SLOTS) {
        snprintf(cache[n_cached].name, sizeof(cache[n_cached].name), "%s", name);
        memcpy(cache[n_cached].key, out, SRVKEY_BYTES);
        n_cached++;
    }
    pthread_mutex_unlock(&lock);
    return 0;
}

int srvkey_init(struct ctx *c)
{
    static const char *const names[] = {SRVKEY_APPID, SRVKEY_SMS, SRVKEY_CONSOLE};
    unsigned char key[SRVKEY_BYTES];
    int rc = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(*names) && !rc; i++)
        rc = srvkey_get(c, names[i], key);
    sodium_memzero(key, sizeof(key));
    return rc;
}
