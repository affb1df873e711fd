#include "core/appid.h"

#include <sodium.h>
#include <string.h>

#include "core/srvkey.h"

#define ROUNDS 6
#define HALF_BITS 24
#define HALF_MASK ((1u << HALF_BITS) - 1)

static const char B62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static uint32_t round_fn(const unsigned char key[32], int kind, int round, uint32_t half)
{
    unsigned char msg[5] = {(unsigned char)kind, (unsigned char)round, (unsigned char)(half >> 16),
                            (unsigned char)(half >> 8), (unsigned char)half};
    unsigned char h[16];
    crypto_generichash(h, sizeof(h), msg, sizeof(msg), key, 32);
    return ((uint32_t)h[0] << 16 | (uint32_t)h[1] << 8 | h[2]) & HALF_MASK;
}

uint64_t appid_permute(const unsigned char key[32], int kind, uint64_t x)
{
    uint32_t l = (uint32_t)(x >> HALF_BITS) & HALF_MASK, r = (uint32_t)x & HALF_MASK;
    for (int i = 0; i < ROUNDS; i++) {
        uint32_t t = l ^ round_fn(key, kind, i, r);
        l = r;
        r = t;
    }
    return (uint64_t)l << HALF_BITS | r;
}

uint64_t appid_unpermute(const unsigned char key[32], int kind, uint64_t y)
{
    uint32_t l = (uint32_t)(y >> HALF_BITS) & HALF_MASK, r = (uint32_t)y & HALF_MASK;
    for (int i = ROUNDS - 1; i >= 0; i--) {
        uint32_t t = r ^ round_fn(key, kind, i, l);
        r = l;
        l = t;
    }
    return (uint64_t)l << HALF_BITS | r;
}

void appid_b62(uint64_t v, char out[APPID_BUF])
{
    char tmp[APPID_BUF];
    int n = 0;
    do {
        tmp[n++] = B62[v % 62];
        v /= 62;
    } while (v && n < APPID_MAX);
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

int appid_unb62(const char *s, uint64_t *v)
{
    size_t n = strnlen(s, APPID_MAX + 1);
    uint64_t x = 0;
    if (n == 0 || n > APPID_MAX || (s[0] == '0' && n > 1))
        return -E_INVALID;
    for (size_t i = 0; i < n; i++) {
        const char *p = s[i] ? strchr(B62, s[i]) : NULL;
        if (!p)
            return -E_INVALID;
        x = x * 62 + (uint64_t)(p - B62); /* 62^9 < 2^64: no overflow */
    }
    if (x >= APPID_LIMIT)
        return -E_INVALID;
    *v = x;
    return 0;
}

int appid_key(struct ctx *c, unsigned char key[32]) { return srvkey_get(c, SRVKEY_APPID, key); }

void appid_encode(const unsigned char key[32], int kind, int64_t id, char out[APPID_BUF])
{
    if (id < 1 || (uint64_t)id >= APPID_LIMIT) {
        out[0] = '\0';
        return;
    }
    appid_b62(appid_permute(key, kind, (uint64_t)id), out);
}

int appid_decode(const unsigned char key[32], int kind, const char *s, int64_t *id)
{
    uint64_t v;
    if (appid_unb62(s, &v))
        return -E_INVALID;
    uint64_t x = appid_unpermute(key, kind, v);
    if (x == 0)
        return -E_INVALID;
    *id = (int64_t)x;
    return 0;
}
