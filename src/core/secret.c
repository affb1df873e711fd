#include "core/secret.h"

#include <ctype.h>
#include <sodium.h>
#include <string.h>

char *sec_token(struct arena *a, size_t bytes)
{
    unsigned char buf[64];
    if (bytes > sizeof(buf))
        bytes = sizeof(buf);
    randombytes_buf(buf, bytes);
    size_t cap = sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, cap);
    sodium_bin2base64(out, cap, buf, bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(buf, sizeof(buf));
    return out;
}

static char *pick(struct arena *a, size_t n, const char *alphabet)
{
    size_t k = strlen(alphabet);
    char *out = arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[randombytes_uniform((uint32_t)k)];
    return out;
}

char *sec_alnum(struct arena *a, size_t n) { return pick(a, n, "abcdefghijklmnopqrstuvwxyz0123456789"); }
char *sec_digits(struct arena *a, size_t n) { return pick(a, n, "0123456789"); }

char *sec_uuid(struct arena *a)
{
    unsigned char b[16];
    randombytes_buf(b, sizeof(b));
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char hex[33];
    sodium_bin2hex(hex, sizeof(hex), b, sizeof(b));
    return arena_printf(a, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

int sec_is_uuid(const char *s)
{
    static const int dash[] = {8, 13, 18, 23};
    if (!s || strlen(s) != 36)
        return 0;
    for (int i = 0, d = 0; i < 36; i++) {
        if (d < 4 && i == dash[d]) {
            if (s[i] != '-')
                return 0;
            d++;
        } else if (!isxdigit((unsigned char)s[i])) {
            return 0;
        }
    }
    return 1;
}

static char *hex_of(struct arena *a, const unsigned char *h, size_t n)
{
    char *out = arena_alloc(a, n * 2 + 1);
    sodium_bin2hex(out, n * 2 + 1, h, n);
    return out;
}

char *sec_hash(struct arena *a, const char *s)
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)s, strlen(s), NULL, 0);
    return hex_of(a, h, sizeof(h));
}

/* The 32 bytes of a key written as 64 hex digits and nothing else; -1 for anything else. */
static int key_bin(const char *key_hex, unsigned char key[32])
{
    size_t klen = 0;
    const char *end = NULL;
    if (!key_hex || sodium_hex2bin(key, 32, key_hex, strlen(key_hex), NULL, &klen, &end) || klen != 32 || *end) {
        sodium_memzero(key, 32);
        return -1;
    }
    return 0;
}

int sec_key_ok(const char *key_hex)
{
    unsigned char key[32];
    int ok = key_bin(key_hex, key) == 0;
    sodium_memzero(key, sizeof(key));
    return ok;
}

char *sec_mac(struct arena *a, const char *key_hex, const char *msg)
{
    unsigned char key[32], h[32];
    if (key_bin(key_hex, key))
        return NULL; /* fail closed: without its key the MAC would be a public function of msg */
    crypto_generichash(h, sizeof(h), (const unsigned char *)msg, strlen(msg), key, sizeof(key));
    sodium_memzero(key, sizeof(key));
    return hex_of(a, h, sizeof(h));
}

int sec_equal(const char *x, const char *y)
{
    size_t n = strlen(x);
    if (n != strlen(y))
        return 0;
    return sodium_memcmp(x, y, n) == 0;
}
