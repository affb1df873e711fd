/*
 * Qiniu request signing. One writer, emit_v2()/emit_qbox(), produces each
 * signing string into a sink; the sink either counts bytes, copies them into
 * a buffer, or feeds them to HMAC-SHA1. So the string that is returned and
 * the string that is verified cannot drift apart, and verifying a large
 * body never copies it.
 */
#include "qiniu.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sodium/utils.h>

#define HMAC_SHA1_LEN 20
#define XQ_PREFIX "X-Qiniu-"
#define XQ_PREFIX_LEN (sizeof(XQ_PREFIX) - 1)
#define CT_OCTET "application/octet-stream"
#define CT_FORM "application/x-www-form-urlencoded"

/* ---- HMAC-SHA1 over EVP_MAC (HMAC_CTX is deprecated in OpenSSL 3) ---- */

struct mac {
    EVP_MAC_CTX *ctx;
};

/*
 * The HMAC implementation, fetched once: EVP_MAC_fetch() searches
 * OpenSSL's provider tables under a lock, a large part of a signature check
 * when done for every request. It stays for the life of the process.
 */
static EVP_MAC *hmac_alg;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_fetch(void) { hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL); }

static void mac_free(struct mac *m)
{
    EVP_MAC_CTX_free(m->ctx); /* wipes the key schedule */
    m->ctx = NULL;
}

static int mac_init(struct mac *m, const char *key, size_t key_len)
{
    char digest[] = "SHA1";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };

    pthread_once(&hmac_once, hmac_fetch);
    m->ctx = hmac_alg ? EVP_MAC_CTX_new(hmac_alg) : NULL;
    if (m->ctx == NULL
        || !EVP_MAC_init(m->ctx, (const unsigned char *)key, key_len, params)) {
        mac_free(m);
        return -E_INTERNAL;
    }
    return 0;
}

static int mac_final(struct mac *m, unsigned char md[HMAC_SHA1_LEN])
{
    size_t md_len = 0;

    if (!EVP_MAC_final(m->ctx, md, &md_len, HMAC_SHA1_LEN)
        || md_len != HMAC_SHA1_LEN) {
        return -E_INTERNAL;
    }
    return 0;
}

static void b64_sign(const unsigned char md[HMAC_SHA1_LEN],
                     char out[QINIU_SIGN_LEN + 1])
{
    sodium_bin2base64(out, QINIU_SIGN_LEN + 1, md, HMAC_SHA1_LEN,
                      sodium_base64_VARIANT_URLSAFE);
}

/* ---- sinks ---- */

enum sink_kind { SINK_COUNT, SINK_COPY, SINK_MAC };

struct sink {
    enum sink_kind kind;
    size_t len;        /* bytes put so far */
    char *buf;         /* SINK_COPY: holds at least the counted length */
    struct mac *mac;   /* SINK_MAC */
    int err;           /* first error; later puts are ignored */
};

static void put(struct sink *s, const char *p, size_t n)
{
    if (s->err || n == 0) {
        return;
    }
    if (n > SIZE_MAX - 1 - s->len) { /* keep room for the copy's NUL */
        s->err = -E_TOO_LARGE;
        return;
    }
    if (s->kind == SINK_COPY) {
        memcpy(s->buf + s->len, p, n);
    } else if (s->kind == SINK_MAC
               && !EVP_MAC_update(s->mac->ctx, (const unsigned char *)p, n)) {
        s->err = -E_INTERNAL;
        return;
    }
    s->len += n;
}

static void puts_lit(struct sink *s, const char *lit)
{
    put(s, lit, strlen(lit));
}

/* ---- X-Qiniu-* headers ---- */

static int is_tchar(unsigned char c)
{
    /* RFC 9110 token: Go leaves keys holding anything else unchanged. */
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')) {
        return 1;
    }
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int key_is_token(const struct qiniu_header *h)
{
    for (size_t i = 0; i < h->key_len; i++) {
        if (!is_tchar((unsigned char)h->key[i])) {
            return 0;
        }
    }
    return h->key_len > 0;
}

/* The i-th byte of h's key in Go's CanonicalMIMEHeaderKey form. */
static char canon_at(const struct qiniu_header *h, int token, size_t i)
{
    char c = h->key[i];

    if (!token) {
        return c;
    }
    if (i == 0 || h->key[i - 1] == '-') {
        return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Bytewise order of the canonical keys, as Go's string '<'. */
static int canon_cmp(const struct qiniu_header *a, int ta,
                     const struct qiniu_header *b, int tb)
{
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;

    for (size_t i = 0; i < n; i++) {
        unsigned char ca = (unsigned char)canon_at(a, ta, i);
        unsigned char cb = (unsigned char)canon_at(b, tb, i);
        if (ca != cb) {
            return ca < cb ? -1 : 1;
        }
    }
    return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

static int is_xq(const struct qiniu_header *h, int token)
{
    if (h->key_len <= XQ_PREFIX_LEN) {
        return 0;
    }
    for (size_t i = 0; i < XQ_PREFIX_LEN; i++) {
        if (canon_at(h, token, i) != XQ_PREFIX[i]) {
            return 0;
        }
    }
    return 1;
}

/* The signed X-Qiniu-* headers of a request, sorted, duplicates dropped. */
struct xq_order {
    size_t n;
    size_t idx[QINIU_XQ_MAX];
    unsigned char tok[QINIU_XQ_MAX];
};

static int xq_prepare(const struct qiniu_req *r, struct xq_order *o)
{
    o->n = 0;
    if (r->n_xq > 0 && r->xq == NULL) {
        return -E_INVALID;
    }
    for (size_t i = 0; i < r->n_xq; i++) {
        const struct qiniu_header *h = &r->xq[i];
        if ((h->key == NULL && h->key_len > 0)
            || (h->val == NULL && h->val_len > 0)) {
            return -E_INVALID;
        }
        int token = key_is_token(h);
        if (!is_xq(h, token)) {
            continue;
        }
        /* Stable insertion: among equal keys the first received stays
         * first, and emit skips the rest, like Go's Header.Get. */
        size_t j = o->n;
        while (j > 0
               && canon_cmp(&r->xq[o->idx[j - 1]], o->tok[j - 1], h, token)
                      > 0) {
            j--;
        }
        if (j > 0
            && canon_cmp(&r->xq[o->idx[j - 1]], o->tok[j - 1], h, token)
                   == 0) {
            continue;
        }
        if (o->n == QINIU_XQ_MAX) {
            return -E_TOO_LARGE;
        }
        memmove(&o->idx[j + 1], &o->idx[j], (o->n - j) * sizeof o->idx[0]);
        memmove(&o->tok[j + 1], &o->tok[j], (o->n - j) * sizeof o->tok[0]);
        o->idx[j] = i;
        o->tok[j] = (unsigned char)token;
        o->n++;
    }
    return 0;
}

static void put_canon_key(struct sink *s, const struct qiniu_header *h,
                          int token)
{
    char chunk[64];
    size_t n = 0;

    for (size_t i = 0; i < h->key_len; i++) {
        chunk[n++] = canon_at(h, token, i);
        if (n == sizeof chunk) {
            put(s, chunk, n);
            n = 0;
        }
    }
    put(s, chunk, n);
}

/* ---- the two signing strings ---- */

static int str_eq(const char *p, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(p, lit, n) == 0; /* not secret: header names */
}

static int has_ct(const struct qiniu_req *r)
{
    return r->has_content_type && r->content_type_len > 0;
}

int qiniu_body_signed(const struct qiniu_req *r, int scheme)
{
    if (!has_ct(r)) {
        return 0;
    }
    if (scheme == QINIU_V2) {
        return !str_eq(r->content_type, r->content_type_len, CT_OCTET);
    }
    return scheme == QINIU_QBOX && str_eq(r->content_type, r->content_type_len, CT_FORM);
}

static int req_check(const struct qiniu_req *r)
{
    if (r->method == NULL || r->method_len == 0 || r->path == NULL
        || r->path_len == 0 || (r->query == NULL && r->query_len > 0)
        || (r->host == NULL && r->host_len > 0)
        || (r->has_content_type && r->content_type == NULL
            && r->content_type_len > 0)
        || (r->body == NULL && r->body_len > 0)) {
        return -E_INVALID;
    }
    return 0;
}

static void put_path_query(struct sink *s, const struct qiniu_req *r)
{
    put(s, r->path, r->path_len);
    if (r->query_len > 0) {
        puts_lit(s, "?");
        put(s, r->query, r->query_len);
    }
}

static void emit_v2(struct sink *s, const struct qiniu_req *r,
                    const struct xq_order *o)
{
    put(s, r->method, r->method_len);
    puts_lit(s, " ");
    put_path_query(s, r);
    puts_lit(s, "\nHost: ");
    put(s, r->host, r->host_len);
    if (has_ct(r)) {
        puts_lit(s, "\nContent-Type: ");
        put(s, r->content_type, r->content_type_len);
    }
    for (size_t k = 0; k < o->n; k++) {
        const struct qiniu_header *h = &r->xq[o->idx[k]];
        puts_lit(s, "\n");
        put_canon_key(s, h, o->tok[k]);
        puts_lit(s, ": ");
        put(s, h->val, h->val_len);
    }
    puts_lit(s, "\n\n");
    if (qiniu_body_signed(r, QINIU_V2)) {
        put(s, r->body, r->body_len);
    }
}

static void emit_qbox(struct sink *s, const struct qiniu_req *r)
{
    put_path_query(s, r);
    puts_lit(s, "\n");
    if (qiniu_body_signed(r, QINIU_QBOX)) {
        put(s, r->body, r->body_len);
    }
}

static void emit(struct sink *s, int scheme, const struct qiniu_req *r,
                 const struct xq_order *o)
{
    if (scheme == QINIU_V2) {
        emit_v2(s, r, o);
    } else {
        emit_qbox(s, r);
    }
}

/* Validates r and, for v2, orders its X-Qiniu-* headers. */
static int prepare(const struct qiniu_req *r, int scheme, struct xq_order *o)
{
    int rc;

    o->n = 0;
    if (scheme != QINIU_V2 && scheme != QINIU_QBOX) {
        return -E_INVALID;
    }
    if ((rc = req_check(r)) != 0) {
        return rc;
    }
    return scheme == QINIU_V2 ? xq_prepare(r, o) : 0;
}

static int build_string(const struct qiniu_req *r, int scheme, char **out,
                        size_t *out_len)
{
    struct xq_order o;
    struct sink count = {.kind = SINK_COUNT};
    struct sink copy = {.kind = SINK_COPY};
    int rc;

    if (out == NULL || out_len == NULL) {
        return -E_INVALID;
    }
    *out = NULL;
    *out_len = 0;
    if (r == NULL) {
        return -E_INVALID;
    }
    if ((rc = prepare(r, scheme, &o)) != 0) {
        return rc;
    }
    emit(&count, scheme, r, &o);
    if (count.err) {
        return count.err;
    }
    copy.buf = malloc(count.len + 1); /* put() kept count.len < SIZE_MAX */
    if (copy.buf == NULL) {
        return -E_INTERNAL;
    }
    emit(&copy, scheme, r, &o);
    if (copy.err || copy.len != count.len) { /* cannot happen: same input */
        free(copy.buf);
        return copy.err ? copy.err : -E_INTERNAL;
    }
    copy.buf[copy.len] = '\0';
    *out = copy.buf;
    *out_len = copy.len;
    return 0;
}

/* ---- exported ---- */

int qiniu_hmac_b64(const char *sk, size_t sk_len, const char *data,
                   size_t len, char out[QINIU_SIGN_LEN + 1])
{
    struct mac m;
    unsigned char md[HMAC_SHA1_LEN];
    int rc;

    if (sk == NULL || sk_len == 0 || out == NULL
        || (data == NULL && len > 0)) {
        return -E_INVALID;
    }
    if ((rc = mac_init(&m, sk, sk_len)) != 0) {
        return rc;
    }
    if (len > 0 && !EVP_MAC_update(m.ctx, (const unsigned char *)data, len)) {
        rc = -E_INTERNAL;
        goto out;
    }
    if ((rc = mac_final(&m, md)) != 0) {
        goto out;
    }
    b64_sign(md, out);
out:
    mac_free(&m);
    sodium_memzero(md, sizeof md);
    return rc;
}

int qiniu_v2_string(const struct qiniu_req *r, char **out, size_t *out_len)
{
    return build_string(r, QINIU_V2, out, out_len);
}

int qiniu_qbox_string(const struct qiniu_req *r, char **out, size_t *out_len)
{
    return build_string(r, QINIU_QBOX, out, out_len);
}

static int is_b64url(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
           || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '=';
}

int qiniu_parse_auth(const char *hdr, size_t len, int *scheme,
                     const char **ak, size_t *ak_len, const char **sign,
                     size_t *sign_len)
{
    const char *sp, *a, *colon, *end;
    size_t alen, slen;
    int sch;

    if (scheme == NULL || ak == NULL || ak_len == NULL || sign == NULL
        || sign_len == NULL) {
        return -E_INVALID;
    }
    *scheme = 0;
    *ak = NULL;
    *ak_len = 0;
    *sign = NULL;
    *sign_len = 0;
    if (hdr == NULL || len == 0) {
        return -E_AUTH_MISSING;
    }
    end = hdr + len;
    sp = memchr(hdr, ' ', len);
    if (sp == NULL) {
        return -E_AUTH_INVALID;
    }
    if (str_eq(hdr, (size_t)(sp - hdr), "Qiniu")) {
        sch = QINIU_V2;
    } else if (str_eq(hdr, (size_t)(sp - hdr), "QBox")) {
        sch = QINIU_QBOX;
    } else {
        return -E_AUTH_INVALID;
    }
    a = sp + 1;
    colon = memchr(a, ':', (size_t)(end - a));
    if (colon == NULL || colon == a || colon + 1 == end) {
        return -E_AUTH_INVALID;
    }
    alen = (size_t)(colon - a);
    slen = (size_t)(end - colon - 1);
    if (alen > QINIU_AK_MAX || slen > QINIU_SIGN_MAX) {
        return -E_AUTH_INVALID;
    }
    for (size_t i = 0; i < alen; i++) {
        unsigned char c = (unsigned char)a[i];
        if (c <= ' ' || c == 0x7f) {
            return -E_AUTH_INVALID;
        }
    }
    for (size_t i = 0; i < slen; i++) {
        if (!is_b64url((unsigned char)colon[1 + i])) {
            return -E_AUTH_INVALID;
        }
    }
    *scheme = sch;
    *ak = a;
    *ak_len = alen;
    *sign = colon + 1;
    *sign_len = slen;
    return 0;
}

/* Length of b64 without its padding. Only a padded length (a multiple of
 * 4) has padding, so "abc==" stays 5 long and fails, as it does on the
 * reference server, which pads the given sign and compares. */
static size_t unpadded(const char *b64, size_t len)
{
    if (len % 4 != 0) {
        return len;
    }
    for (int k = 0; k < 2 && len > 0 && b64[len - 1] == '='; k++) {
        len--;
    }
    return len;
}

int qiniu_verify(const struct qiniu_req *r, int scheme, const char *sk,
                 size_t sk_len, const char *sign, size_t sign_len)
{
    struct xq_order o;
    struct mac m;
    struct sink s = {.kind = SINK_MAC, .mac = &m};
    unsigned char md[HMAC_SHA1_LEN];
    char want[QINIU_SIGN_LEN + 1];
    size_t want_len, got_len;
    int rc;

    if (r == NULL || sk == NULL || sk_len == 0) {
        return -E_INVALID;
    }
    if (sign == NULL || sign_len == 0 || sign_len > QINIU_SIGN_MAX) {
        return -E_AUTH_INVALID;
    }
    if ((rc = prepare(r, scheme, &o)) != 0) {
        return rc;
    }
    if ((rc = mac_init(&m, sk, sk_len)) != 0) {
        return rc;
    }
    emit(&s, scheme, r, &o);
    if ((rc = s.err) != 0 || (rc = mac_final(&m, md)) != 0) {
        goto out;
    }
    b64_sign(md, want);

    /* Lengths are public (a sign is always 27 characters unpadded); only
     * the contents are compared in constant time. */
    want_len = unpadded(want, QINIU_SIGN_LEN);
    got_len = unpadded(sign, sign_len);
    if (got_len != want_len || sodium_memcmp(want, sign, want_len) != 0) {
        rc = -E_AUTH_INVALID;
    }
out:
    mac_free(&m);
    sodium_memzero(md, sizeof md);
    sodium_memzero(want, sizeof want);
    return rc;
}

static int scope_ok(const char *scope, size_t len)
{
    if (len == 0 || len > QINIU_SCOPE_MAX) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)scope[i];
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
            return 0;
        }
    }
    return 1;
}

int qiniu_upload_token(const char *ak, const char *sk, const char *scope,
                       long long deadline, char **out)
{
    /* scope fits: '"' and '\\' are refused, so the JSON needs no escaping */
    char policy[QINIU_SCOPE_MAX + 64];
    char sig[QINIU_SIGN_LEN + 1];
    size_t ak_len, enc_len, total;
    char *tok, *enc;
    int n, rc;

    if (out == NULL) {
        return -E_INVALID;
    }
    *out = NULL;
    if (ak == NULL || sk == NULL || scope == NULL || deadline < 0) {
        return -E_INVALID;
    }
    ak_len = strlen(ak);
    if (ak_len == 0 || ak_len > QINIU_AK_MAX || memchr(ak, ':', ak_len)
        || sk[0] == '\0' || !scope_ok(scope, strlen(scope))) {
        return -E_INVALID;
    }
    n = snprintf(policy, sizeof policy, "{\"scope\":\"%s\",\"deadline\":%lld}",
                 scope, deadline);
    if (n < 0 || (size_t)n >= sizeof policy) {
        return -E_INVALID;
    }

    /* AK ":" sign ":" encodedPolicy, encoded straight into place. */
    enc_len = sodium_base64_ENCODED_LEN((size_t)n,
                                        sodium_base64_VARIANT_URLSAFE);
    total = ak_len + 1 + QINIU_SIGN_LEN + 1 + enc_len; /* enc_len has NUL */
    tok = malloc(total);
    if (tok == NULL) {
        return -E_INTERNAL;
    }
    enc = tok + ak_len + 1 + QINIU_SIGN_LEN + 1;
    sodium_bin2base64(enc, enc_len, (const unsigned char *)policy, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE);
    rc = qiniu_hmac_b64(sk, strlen(sk), enc, strlen(enc), sig);
    if (rc != 0) {
        free(tok);
        return rc;
    }
    memcpy(tok, ak, ak_len);
    tok[ak_len] = ':';
    memcpy(tok + ak_len + 1, sig, QINIU_SIGN_LEN);
    tok[ak_len + 1 + QINIU_SIGN_LEN] = ':';
    *out = tok;
    return 0;
}
