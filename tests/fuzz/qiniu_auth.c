/*
 * Fuzz target "qiniu_auth": the live face's request signatures
 * (src/core/qiniu.c) and the check the face makes with them
 * (live_authenticate, src/core/live.c, over a real SQLite store holding one
 * app), and the app face's upload tokens.
 *
 * Input: a flags byte, then fields separated by '\n':
 *   Authorization value, method, path, query, Host, Content-Type, X-Qiniu
 *   headers ("Key: value" separated by '\r'), body (the rest, any bytes).
 * flags: bit 0 Content-Type present, bit 1 QBox (else v2) for the round
 * trip, bit 2 put the app's AK in front of the fuzzed header's sign.
 *
 * Invariants: a parsed header's AK and sign follow the documented alphabet
 * and bounds; a signing string starts as documented and is NUL-terminated;
 * sign-then-verify succeeds (padded and unpadded) and a changed sign fails;
 * an unsigned body may change without breaking the sign, a signed one may
 * not; live_authenticate() accepts only what qiniu_verify() accepts with the
 * app's SK; an upload token is AK:sign:policy with a sign that verifies and
 * a policy that decodes to the documented JSON.
 */
#include <sodium.h>
#include <unistd.h>

#include "core/apps.h"
#include "core/live.h"
#include "core/qiniu.h"
#include "fuzz.h"

#define MAX_XQ (QINIU_XQ_MAX + 8)

static struct ctx ctx;
static struct arena *setup_arena; /* holds creds */
static struct app_creds creds;
static char dir[256];

static void remove_dir(void)
{
    char p[300];
    static const char *const files[] = {"userd.db", "userd.db-wal", "userd.db-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (sodium_init() < 0)
        abort();
    fuzz_quiet();
    fuzz_tmpdir(dir, sizeof(dir));
    atexit(remove_dir);
    char url[300];
    snprintf(url, sizeof(url), "sqlite:%s/userd.db", dir);
    fuzz_set("store.url", url);
    if (ctx_open(&ctx) || app_create(&ctx, "fuzz", &creds)) /* creds live in ctx's first arena */
        abort();
    setup_arena = ctx.a;
    return 0;
}

static int b64url(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static void check_parse(const char *hdr)
{
    int scheme = -1;
    const char *ak = hdr, *sign = hdr;
    size_t ak_len = 99, sign_len = 99;
    int rc = qiniu_parse_auth(hdr, strlen(hdr), &scheme, &ak, &ak_len, &sign, &sign_len);
    if (rc) {
        FUZZ_ASSERT(rc == -E_AUTH_MISSING || rc == -E_AUTH_INVALID, "parse_auth: unexpected error %d", rc);
        FUZZ_ASSERT(!scheme && !ak && !sign && !ak_len && !sign_len, "parse_auth: outputs not cleared");
        return;
    }
    FUZZ_ASSERT(scheme == QINIU_V2 || scheme == QINIU_QBOX, "parse_auth: scheme %d", scheme);
    FUZZ_ASSERT(ak >= hdr && sign >= hdr && sign + sign_len <= hdr + strlen(hdr), "parse_auth: slices outside");
    FUZZ_ASSERT(ak_len >= 1 && ak_len <= QINIU_AK_MAX, "parse_auth: AK of %zu bytes", ak_len);
    FUZZ_ASSERT(sign_len >= 1 && sign_len <= QINIU_SIGN_MAX, "parse_auth: sign of %zu bytes", sign_len);
    for (size_t i = 0; i < ak_len; i++)
        FUZZ_ASSERT((unsigned char)ak[i] > 0x20 && ak[i] != 0x7f && ak[i] != ':', "parse_auth: AK byte 0x%02x",
                    (unsigned char)ak[i]);
    for (size_t i = 0; i < sign_len; i++)
        FUZZ_ASSERT(b64url((unsigned char)sign[i]) || sign[i] == '=', "parse_auth: sign byte 0x%02x",
                    (unsigned char)sign[i]);
}

/* Builds the signing string of scheme and checks its documented prefix. NULL when refused. */
static char *signing_string(const struct qiniu_req *r, int scheme, size_t *n)
{
    char *s = (char *)1;
    *n = 7;
    int rc = scheme == QINIU_V2 ? qiniu_v2_string(r, &s, n) : qiniu_qbox_string(r, &s, n);
    if (rc) {
        FUZZ_ASSERT(!s && !*n, "signing string: outputs not cleared on error %d", rc);
        FUZZ_ASSERT(rc == -E_INVALID || rc == -E_TOO_LARGE, "signing string: unexpected error %d", rc);
        return NULL;
    }
    FUZZ_ASSERT(s && s[*n] == '\0', "signing string: not NUL-terminated");
    if (scheme == QINIU_V2) {
        FUZZ_ASSERT(*n > r->method_len && !memcmp(s, r->method, r->method_len) && s[r->method_len] == ' ' &&
                        !memcmp(s + r->method_len + 1, r->path, r->path_len), /* not secret */
                    "v2 string does not start with METHOD SP path");
    } else {
        FUZZ_ASSERT(*n > r->path_len && !memcmp(s, r->path, r->path_len), "QBox string does not start with path"); /* not secret */
    }
    return s;
}

/* Sign, then verify: padded and unpadded pass, a changed sign fails; the body rule holds. */
static void round_trip(struct qiniu_req *r, int scheme)
{
    size_t n;
    char *s = signing_string(r, scheme, &n);
    if (!s)
        return;
    char mac[QINIU_SIGN_LEN + 1];
    const char *sk = creds.secret_key;
    FUZZ_ASSERT(!qiniu_hmac_b64(sk, strlen(sk), s, n, mac), "hmac failed");
    free(s);
    FUZZ_ASSERT(strlen(mac) == QINIU_SIGN_LEN, "sign of %zu characters", strlen(mac));
    FUZZ_ASSERT(!qiniu_verify(r, scheme, sk, strlen(sk), mac, QINIU_SIGN_LEN), "own sign refused");
    FUZZ_ASSERT(!qiniu_verify(r, scheme, sk, strlen(sk), mac, QINIU_SIGN_LEN - 1), "own unpadded sign refused");
    char bad[QINIU_SIGN_LEN + 1];
    memcpy(bad, mac, sizeof(bad));
    bad[3] = bad[3] == 'A' ? 'B' : 'A';
    FUZZ_ASSERT(qiniu_verify(r, scheme, sk, strlen(sk), bad, QINIU_SIGN_LEN) == -E_AUTH_INVALID,
                "a changed sign verified");
    if (r->body_len) {
        const char *body = r->body;
        char *other = malloc(r->body_len);
        memcpy(other, body, r->body_len);
        other[0] ^= 1;
        r->body = other;
        int rc = qiniu_verify(r, scheme, sk, strlen(sk), mac, QINIU_SIGN_LEN);
        if (qiniu_body_signed(r, scheme))
            FUZZ_ASSERT(rc == -E_AUTH_INVALID, "a changed signed body verified");
        else
            FUZZ_ASSERT(rc == 0, "a changed unsigned body broke the sign");
        r->body = body;
        free(other);
    }
    /* Through the face's check, with the app's AK: accepted exactly when the body rule allows. */
    char *hdr = NULL;
    if (asprintf(&hdr, "%s %s:%s", scheme == QINIU_V2 ? "Qiniu" : "QBox", creds.access_key, mac) < 0)
        abort();
    struct app app;
    const char *why = NULL;
    ctx.a = arena_new();
    int rc = live_authenticate(&ctx, r, hdr, &app, &why);
    arena_free(ctx.a);
    /* QBox serves only bodiless requests; a body must be signed (docs/live.md). */
    int want = r->body_len && (scheme == QINIU_QBOX || !qiniu_body_signed(r, scheme)) ? -E_AUTH_INVALID : 0;
    /* A signed X-Qiniu-Date is also held to the replay window, which is the clock's business: either answer. */
    int dated = 0;
    for (size_t i = 0; i < r->n_xq; i++)
        dated |= r->xq[i].key_len == 12 && !strncasecmp(r->xq[i].key, "X-Qiniu-Date", 12);
    FUZZ_ASSERT(rc == want || (dated && !want && rc == -E_AUTH_INVALID),
                "live_authenticate: %d for a correct sign, want %d", rc, want);
    free(hdr);
}

/* live_authenticate with the fuzzed header: success means the app's SK verifies it. */
static void check_authenticate(const struct qiniu_req *r, const char *hdr)
{
    struct app app;
    const char *why = NULL;
    if (live_authenticate(&ctx, r, hdr, &app, &why))
        return;
    int scheme;
    const char *ak, *sign;
    size_t ak_len, sign_len;
    FUZZ_ASSERT(!qiniu_parse_auth(hdr, strlen(hdr), &scheme, &ak, &ak_len, &sign, &sign_len),
                "live_authenticate accepted a header parse_auth refuses");
    FUZZ_ASSERT(!qiniu_verify(r, scheme, creds.secret_key, strlen(creds.secret_key), sign, sign_len),
                "live_authenticate accepted a sign the app's SK does not verify");
}

static void check_upload_token(const char *ak, const char *scope, long long deadline)
{
    char *tok = (char *)1;
    const char *sk = creds.secret_key;
    int rc = qiniu_upload_token(ak, sk, scope, deadline, &tok);
    if (rc) {
        FUZZ_ASSERT(!tok && (rc == -E_INVALID), "upload token: error %d, out %p", rc, (void *)tok);
        return;
    }
    const char *c1 = strchr(tok, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    FUZZ_ASSERT(c1 && c2 && (size_t)(c1 - tok) == strlen(ak) && !strncmp(tok, ak, strlen(ak)),
                "upload token does not start with AK:");
    const char *policy = c2 + 1;
    char mac[QINIU_SIGN_LEN + 1];
    FUZZ_ASSERT(!qiniu_hmac_b64(sk, strlen(sk), policy, strlen(policy), mac), "hmac failed");
    FUZZ_ASSERT((size_t)(c2 - c1 - 1) == QINIU_SIGN_LEN && !strncmp(c1 + 1, mac, QINIU_SIGN_LEN),
                "upload token sign does not verify");
    size_t cap = strlen(policy), n;
    unsigned char *json = malloc(cap + 1);
    FUZZ_ASSERT(!sodium_base642bin(json, cap, policy, strlen(policy), NULL, &n, NULL,
                                   sodium_base64_VARIANT_URLSAFE),
                "upload token policy is not URL-safe base64");
    json[n] = '\0';
    char *want = NULL;
    if (asprintf(&want, "{\"scope\":\"%s\",\"deadline\":%lld}", scope, deadline) < 0)
        abort();
    FUZZ_ASSERT(!strcmp((char *)json, want), "policy %s, want %s", json, want);
    free(want);
    free(json);
    free(tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    uint8_t flags = fuzz_byte(&in);
    size_t method_len, path_len, query_len, host_len, ct_len, body_len;
    char *auth = fuzz_next(&in, '\n', NULL);
    char *method = fuzz_next(&in, '\n', &method_len);
    char *path = fuzz_next(&in, '\n', &path_len);
    char *query = fuzz_next(&in, '\n', &query_len);
    char *host = fuzz_next(&in, '\n', &host_len);
    char *ct = fuzz_next(&in, '\n', &ct_len);
    char *xq_text = fuzz_next(&in, '\n', NULL);
    body_len = in.n;
    char *body = malloc(body_len + 1); /* the rest, NULs and all */
    if (!body)
        abort();
    memcpy(body, in.p, body_len);
    body[body_len] = '\0';

    /* X-Qiniu headers: "Key: value" pieces separated by '\r'. */
    struct qiniu_header xq[MAX_XQ];
    size_t n_xq = 0;
    for (char *p = xq_text, *next; *p && n_xq < MAX_XQ; p = next) {
        char *e = strchr(p, '\r');
        next = e ? e + 1 : p + strlen(p);
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char *colon = memchr(p, ':', len);
        if (!colon)
            continue;
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        xq[n_xq++] = (struct qiniu_header){p, (size_t)(colon - p), v, (size_t)(p + len - v)};
    }

    struct qiniu_req r = {
        .method = method, .method_len = method_len,
        .path = path, .path_len = path_len,
        .query = query, .query_len = query_len,
        .host = host, .host_len = host_len,
        .content_type = ct, .content_type_len = ct_len, .has_content_type = flags & 1,
        .xq = xq, .n_xq = n_xq,
        .body = body, .body_len = body_len,
    };

    check_parse(auth);
    size_t n;
    free(signing_string(&r, QINIU_V2, &n));
    free(signing_string(&r, QINIU_QBOX, &n));
    round_trip(&r, flags & 2 ? QINIU_QBOX : QINIU_V2);

    /* The fuzzed header, as is and with the app's AK in front of its sign. */
    const char *sign = strchr(auth, ':');
    char *with_ak = NULL;
    if (asprintf(&with_ak, "%s %s:%s", flags & 2 ? "QBox" : "Qiniu", creds.access_key, sign ? sign + 1 : auth) < 0)
        abort();
    ctx.a = arena_new(); /* what live_authenticate allocates: freed per input */
    check_authenticate(&r, flags & 4 ? with_ak : auth);
    arena_free(ctx.a);
    free(with_ak);

    check_upload_token(method, path, (long long)(flags >> 3) * 1000003LL);

    free(auth);
    free(method);
    free(path);
    free(query);
    free(host);
    free(ct);
    free(xq_text);
    free(body);
    return 0;
}
