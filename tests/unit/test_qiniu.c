/*
 * Unit tests for src/core/qiniu.c: the published vectors of NOTES.md
 * ("Live face"), plus the edges of signing, verifying and parsing.
 * Extra expected signs were computed independently with
 *   printf '<string>' | openssl dgst -sha1 -hmac <sk> -binary | base64 | tr '+/' '-_'
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/qiniu.h"

#define S(lit) (lit), (sizeof(lit) - 1)
#define CT_JSON "application/json"
#define CT_FORM "application/x-www-form-urlencoded"
#define CT_OCTET "application/octet-stream"

static const char SK[] = "sk";

static struct qiniu_req req_json(const char *method)
{
    struct qiniu_req r = {
        .method = method,
        .method_len = strlen(method),
        .path = "/",
        .path_len = 1,
        .host = "rs.qbox.me",
        .host_len = 10,
        .content_type = CT_JSON,
        .content_type_len = sizeof(CT_JSON) - 1,
        .has_content_type = 1,
        .body = "{\"name\": \"test\"}",
        .body_len = 16,
    };
    return r;
}

/* The mkfile vector's headers, in mixed case and out of order. */
static const struct qiniu_header mkfile_xq[] = {
    {S("x-qiniu-bbb"), S("BBB")},
    {S("X-QINIU-aAA"), S("DDD")},
};

static struct qiniu_req req_mkfile(void)
{
    struct qiniu_req r = {
        .method = "GET",
        .method_len = 3,
        .path = "/mkfile/sdf.jpg",
        .path_len = 15,
        .query = "s=er3&df",
        .query_len = 8,
        .host = "upload.qiniup.com",
        .host_len = 17,
        .content_type = CT_FORM,
        .content_type_len = sizeof(CT_FORM) - 1,
        .has_content_type = 1,
        .xq = mkfile_xq,
        .n_xq = 2,
        .body = "name=test&language=go",
        .body_len = 21,
    };
    return r;
}

/* Builds r's string for scheme, checks it is want, and checks that
 * want_sign both is its HMAC and verifies. */
static void check_string(const struct qiniu_req *r, int scheme,
                         const char *want, size_t want_len,
                         const char *want_sign)
{
    char *s = NULL;
    size_t n = 0;
    char sign[QINIU_SIGN_LEN + 1];

    if (scheme == QINIU_V2) {
        assert_int_equal(qiniu_v2_string(r, &s, &n), 0);
    } else {
        assert_int_equal(qiniu_qbox_string(r, &s, &n), 0);
    }
    assert_non_null(s);
    assert_int_equal(n, want_len);
    assert_memory_equal(s, want, want_len);
    assert_int_equal(s[n], '\0');

    assert_int_equal(qiniu_hmac_b64(SK, 2, s, n, sign), 0);
    assert_string_equal(sign, want_sign);
    assert_int_equal(
        qiniu_verify(r, scheme, SK, 2, want_sign, strlen(want_sign)), 0);
    free(s);
}

/* ---- published vectors ---- */

static void test_vector_get(void **state)
{
    (void)state;
    struct qiniu_req r = req_json("GET");
    check_string(&r, QINIU_V2,
                 S("GET /\nHost: rs.qbox.me\nContent-Type: application/json"
                   "\n\n{\"name\": \"test\"}"),
                 "ksh7bJBnBzFO0yxJ_tLLUcg0csM=");
}

static void test_vector_post(void **state)
{
    (void)state;
    struct qiniu_req r = req_json("POST");
    check_string(&r, QINIU_V2,
                 S("POST /\nHost: rs.qbox.me\nContent-Type: application/json"
                   "\n\n{\"name\": \"test\"}"),
                 "IlW01tHjGQ0pGPXV_3jjR1AdD34=");
}

static void test_vector_mkfile(void **state)
{
    (void)state;
    struct qiniu_req r = req_mkfile();
    check_string(&r, QINIU_V2,
                 S("GET /mkfile/sdf.jpg?s=er3&df\nHost: upload.qiniup.com\n"
                   "Content-Type: application/x-www-form-urlencoded\n"
                   "X-Qiniu-Aaa: DDD\nX-Qiniu-Bbb: BBB\n\n"
                   "name=test&language=go"),
                 "PUFPWsEUIpk_dzUvvxTTmwhp3p4=");
}

static void test_vector_upload_token(void **state)
{
    (void)state;
    char *tok = (char *)1;
    assert_int_equal(
        qiniu_upload_token("ak", "sk", "my-bucket", 1700003600LL, &tok), 0);
    assert_string_equal(tok, "ak:QomfzhB6la6RE-RN5FQBy-yDkZA=:"
                             "eyJzY29wZSI6Im15LWJ1Y2tldCIsImRlYWRsaW5lIjoxNzA"
                             "wMDAzNjAwfQ==");
    free(tok);
}

static void test_hmac_b64_direct(void **state)
{
    (void)state;
    char sign[QINIU_SIGN_LEN + 1];
    assert_int_equal(
        qiniu_hmac_b64(S("sk"),
                       S("eyJzY29wZSI6Im15LWJ1Y2tldCIsImRlYWRsaW5lIjoxNzAwMD"
                         "AzNjAwfQ=="),
                       sign),
        0);
    assert_string_equal(sign, "QomfzhB6la6RE-RN5FQBy-yDkZA=");
    assert_int_equal(strlen(sign), QINIU_SIGN_LEN);

    assert_int_equal(qiniu_hmac_b64(NULL, 0, "x", 1, sign), -E_INVALID);
    assert_int_equal(qiniu_hmac_b64("", 0, "x", 1, sign), -E_INVALID);
    assert_int_equal(qiniu_hmac_b64("sk", 2, NULL, 1, sign), -E_INVALID);
    assert_int_equal(qiniu_hmac_b64("sk", 2, NULL, 0, sign), 0);
}

/* ---- signing rules ---- */

/* The reference server's own test (QNLiveKit_Server qiniumac), SK
 * "secret_key": no body, an X-Qiniu header. */
static void test_reference_server_vector(void **state)
{
    (void)state;
    const struct qiniu_header xq[] = {{S("X-Qiniu-Meta-App"), S("value")}};
    struct qiniu_req r = {
        .method = "GET", .method_len = 3,
        .path = "/path/to/api", .path_len = 12,
        .query = "param=value", .query_len = 11,
        .host = "example.com", .host_len = 11,
        .content_type = CT_JSON, .content_type_len = sizeof(CT_JSON) - 1,
        .has_content_type = 1,
        .xq = xq, .n_xq = 1,
    };
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("secret_key"),
                                  S("cLpR0UowDFBrHggb1Q8CKluS9GA=")),
                     0);
}

static void test_xq_skip_and_duplicates(void **state)
{
    (void)state;
    /* Other headers are skipped, "X-Qiniu-" alone is not signed, the first
     * of two spellings of one key wins, sorting is by canonical key. */
    const struct qiniu_header xq[] = {
        {S("Content-Length"), S("21")},
        {S("x-qiniu-bbb"), S("BBB")},
        {S("X-Qbox-Meta"), S("no")},
        {S("X-Qiniu-"), S("no")},
        {S("X-QINIU-aAA"), S("DDD")},
        {S("X-Qiniu-Aaa"), S("second")},
        {S("X-Qiniu"), S("no")},
    };
    struct qiniu_req r = req_mkfile();
    r.xq = xq;
    r.n_xq = sizeof xq / sizeof xq[0];
    check_string(&r, QINIU_V2,
                 S("GET /mkfile/sdf.jpg?s=er3&df\nHost: upload.qiniup.com\n"
                   "Content-Type: application/x-www-form-urlencoded\n"
                   "X-Qiniu-Aaa: DDD\nX-Qiniu-Bbb: BBB\n\n"
                   "name=test&language=go"),
                 "PUFPWsEUIpk_dzUvvxTTmwhp3p4=");
}

static void test_xq_canonical_form(void **state)
{
    (void)state;
    const struct qiniu_header xq[] = {
        {S("x-qiniu-e"), S("1")},
        {S("X-QINIU-META-APP"), S("2")},
        {S("x-qiniu-a_b"), S("3")},
    };
    struct qiniu_req r = {
        .method = "GET", .method_len = 3, .path = "/", .path_len = 1,
        .xq = xq, .n_xq = 3,
    };
    char *s = NULL;
    size_t n = 0;
    assert_int_equal(qiniu_v2_string(&r, &s, &n), 0);
    assert_string_equal(s, "GET /\nHost: \nX-Qiniu-A_b: 3\n"
                           "X-Qiniu-E: 1\nX-Qiniu-Meta-App: 2\n\n");
    free(s);
}

static void test_tampered_body_fails(void **state)
{
    (void)state;
    struct qiniu_req r = req_json("POST");
    const char *sign = "IlW01tHjGQ0pGPXV_3jjR1AdD34=";
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"), sign, 28), 0);

    r.body = "{\"name\": \"tesT\"}";
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"), sign, 28),
                     -E_AUTH_INVALID);

    /* and each other signed part */
    r = req_json("POST");
    r.host = "rs.qbox.mf";
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"), sign, 28),
                     -E_AUTH_INVALID);
    r = req_json("POST");
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sK"), sign, 28),
                     -E_AUTH_INVALID);
    r = req_mkfile();
    const struct qiniu_header xq[] = {{S("X-Qiniu-Aaa"), S("DDD")},
                                      {S("X-Qiniu-Bbb"), S("BBb")}};
    r.xq = xq;
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"),
                                  S("PUFPWsEUIpk_dzUvvxTTmwhp3p4=")),
                     -E_AUTH_INVALID);
    /* an added X-Qiniu header is signed too */
    const struct qiniu_header xq3[] = {{S("X-Qiniu-Aaa"), S("DDD")},
                                       {S("X-Qiniu-Bbb"), S("BBB")},
                                       {S("X-Qiniu-Date"), S("x")}};
    r.xq = xq3;
    r.n_xq = 3;
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"),
                                  S("PUFPWsEUIpk_dzUvvxTTmwhp3p4=")),
                     -E_AUTH_INVALID);
}

static void test_unpadded_sign_accepted(void **state)
{
    (void)state;
    struct qiniu_req r = req_json("GET");
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"),
                                  S("ksh7bJBnBzFO0yxJ_tLLUcg0csM")),
                     0);
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"),
                                  S("ksh7bJBnBzFO0yxJ_tLLUcg0csM=")),
                     0);
    /* wrong: over-padded, truncated, extended, empty, over-long */
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"),
                                  S("ksh7bJBnBzFO0yxJ_tLLUcg0csM==")),
                     -E_AUTH_INVALID);
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"),
                                  S("ksh7bJBnBzFO0yxJ_tLLUcg0cs")),
                     -E_AUTH_INVALID);
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"),
                                  S("ksh7bJBnBzFO0yxJ_tLLUcg0csMA")),
                     -E_AUTH_INVALID);
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"), "", 0),
                     -E_AUTH_INVALID);
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"), NULL, 0),
                     -E_AUTH_INVALID);
    char big[QINIU_SIGN_MAX + 2];
    memset(big, 'A', sizeof big);
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"), big, sizeof big),
                     -E_AUTH_INVALID);
}

static void test_octet_stream_body_not_signed(void **state)
{
    (void)state;
    struct qiniu_req r = {
        .method = "POST", .method_len = 4,
        .path = "/upload", .path_len = 7,
        .host = "up.example.com", .host_len = 14,
        .content_type = CT_OCTET, .content_type_len = sizeof(CT_OCTET) - 1,
        .has_content_type = 1,
        .body = "\x00\x01binary", .body_len = 8,
    };
    check_string(&r, QINIU_V2,
                 S("POST /upload\nHost: up.example.com\n"
                   "Content-Type: application/octet-stream\n\n"),
                 "mTns0IvlH4qa4sDzOr01WGDzxZ4=");
    r.body = "other";
    r.body_len = 5;
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"),
                                  S("mTns0IvlH4qa4sDzOr01WGDzxZ4=")),
                     0);
}

static void test_no_content_type_body_not_signed(void **state)
{
    (void)state;
    struct qiniu_req r = req_json("GET");
    char *s = NULL;
    size_t n = 0;

    r.has_content_type = 0;
    assert_int_equal(qiniu_v2_string(&r, &s, &n), 0);
    assert_string_equal(s, "GET /\nHost: rs.qbox.me\n\n");
    free(s);

    /* an empty Content-Type counts as absent */
    r.has_content_type = 1;
    r.content_type = "";
    r.content_type_len = 0;
    assert_int_equal(qiniu_v2_string(&r, &s, &n), 0);
    assert_string_equal(s, "GET /\nHost: rs.qbox.me\n\n");
    free(s);

    /* other content types do sign the body */
    r.content_type = "text/plain";
    r.content_type_len = 10;
    assert_int_equal(qiniu_v2_string(&r, &s, &n), 0);
    assert_string_equal(s, "GET /\nHost: rs.qbox.me\nContent-Type: text/plain"
                           "\n\n{\"name\": \"test\"}");
    free(s);
}

static void test_qbox_string(void **state)
{
    (void)state;
    struct qiniu_req r = {
        .method = "POST", .method_len = 4,
        .path = "/move/a/b", .path_len = 9,
        .query = "x=1", .query_len = 3,
        .host = "rs.qbox.me", .host_len = 10,
        .content_type = CT_FORM, .content_type_len = sizeof(CT_FORM) - 1,
        .has_content_type = 1,
        .xq = mkfile_xq, .n_xq = 2, /* not signed in QBox */
        .body = "name=test&language=go", .body_len = 21,
    };
    check_string(&r, QINIU_QBOX, S("/move/a/b?x=1\nname=test&language=go"),
                 "8PD567oZonD2WZTYa0BbwICka5M=");
    /* the v2 sign of the same request is a different string */
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"),
                                  S("8PD567oZonD2WZTYa0BbwICka5M=")),
                     -E_AUTH_INVALID);

    /* body only for the form type */
    r.content_type = CT_JSON;
    r.content_type_len = sizeof(CT_JSON) - 1;
    check_string(&r, QINIU_QBOX, S("/move/a/b?x=1\n"),
                 "q05i_Er5AbJI0DQ3W-VNgMufckQ=");
    r.body = "name=tamper";
    r.body_len = 11;
    assert_int_equal(qiniu_verify(&r, QINIU_QBOX, S("sk"),
                                  S("q05i_Er5AbJI0DQ3W-VNgMufckQ")),
                     0);
}

/* ---- Authorization header ---- */

static int parse(const char *hdr, size_t len, int *scheme, const char **ak,
                 size_t *ak_len, const char **sign, size_t *sign_len)
{
    return qiniu_parse_auth(hdr, len, scheme, ak, ak_len, sign, sign_len);
}

static void test_parse_auth_ok(void **state)
{
    (void)state;
    int scheme;
    const char *ak, *sign;
    size_t ak_len, sign_len;
    const char hdr[] = "Qiniu ak:ksh7bJBnBzFO0yxJ_tLLUcg0csM=";

    assert_int_equal(
        parse(S(hdr), &scheme, &ak, &ak_len, &sign, &sign_len), 0);
    assert_int_equal(scheme, QINIU_V2);
    assert_ptr_equal(ak, hdr + 6);
    assert_int_equal(ak_len, 2);
    assert_ptr_equal(sign, hdr + 9);
    assert_int_equal(sign_len, 28);

    assert_int_equal(parse(S("QBox AK_1:abc-_="), &scheme, &ak, &ak_len,
                           &sign, &sign_len),
                     0);
    assert_int_equal(scheme, QINIU_QBOX);
    assert_memory_equal(ak, "AK_1", 4);
    assert_int_equal(ak_len, 4);
    assert_memory_equal(sign, "abc-_=", 6);
    assert_int_equal(sign_len, 6);

    /* only the first ':' splits; len bounds the header, no NUL needed */
    assert_int_equal(parse("Qiniu a:bXYZ", 9, &scheme, &ak, &ak_len, &sign,
                           &sign_len),
                     0);
    assert_int_equal(sign_len, 1);
}

static void test_parse_auth_limits(void **state)
{
    (void)state;
    int scheme;
    const char *ak, *sign;
    size_t ak_len, sign_len;
    char hdr[6 + QINIU_AK_MAX + 2 + 1 + QINIU_SIGN_MAX + 2];
    size_t n;

    /* AK of exactly QINIU_AK_MAX, then one more */
    memcpy(hdr, "Qiniu ", 6);
    memset(hdr + 6, 'k', QINIU_AK_MAX);
    memcpy(hdr + 6 + QINIU_AK_MAX, ":s", 2);
    n = 6 + QINIU_AK_MAX + 2;
    assert_int_equal(parse(hdr, n, &scheme, &ak, &ak_len, &sign, &sign_len),
                     0);
    assert_int_equal(ak_len, QINIU_AK_MAX);
    memset(hdr + 6, 'k', QINIU_AK_MAX + 1);
    memcpy(hdr + 6 + QINIU_AK_MAX + 1, ":s", 2);
    assert_int_equal(
        parse(hdr, n + 1, &scheme, &ak, &ak_len, &sign, &sign_len),
        -E_AUTH_INVALID);
    assert_null(ak);
    assert_int_equal(scheme, 0);

    /* sign of exactly QINIU_SIGN_MAX, then one more */
    memcpy(hdr, "Qiniu a:", 8);
    memset(hdr + 8, 's', QINIU_SIGN_MAX + 1);
    assert_int_equal(parse(hdr, 8 + QINIU_SIGN_MAX, &scheme, &ak, &ak_len,
                           &sign, &sign_len),
                     0);
    assert_int_equal(sign_len, QINIU_SIGN_MAX);
    assert_int_equal(parse(hdr, 8 + QINIU_SIGN_MAX + 1, &scheme, &ak,
                           &ak_len, &sign, &sign_len),
                     -E_AUTH_INVALID);
}

static void test_parse_auth_errors(void **state)
{
    (void)state;
    static const struct {
        const char *hdr;
        int want;
    } cases[] = {
        {"", -E_AUTH_MISSING},
        {"Qiniu", -E_AUTH_INVALID},              /* no space */
        {"Qiniuak:sign", -E_AUTH_INVALID},       /* no space */
        {"Bearer ak:sign", -E_AUTH_INVALID},     /* unknown scheme */
        {"qiniu ak:sign", -E_AUTH_INVALID},      /* scheme is case-sensitive */
        {"QBOX ak:sign", -E_AUTH_INVALID},
        {"QiniuAdmin su:ak:sign", -E_AUTH_INVALID},
        {"Qiniu aksign", -E_AUTH_INVALID},       /* no colon */
        {"Qiniu :sign", -E_AUTH_INVALID},        /* empty AK */
        {"Qiniu ak:", -E_AUTH_INVALID},          /* empty sign */
        {"Qiniu ", -E_AUTH_INVALID},
        {"Qiniu  ak:sign", -E_AUTH_INVALID},     /* AK with a space */
        {"Qiniu a\tk:sign", -E_AUTH_INVALID},    /* AK with a control byte */
        {"Qiniu ak:si+gn/", -E_AUTH_INVALID},    /* not URL-safe base64 */
        {"Qiniu ak:sig:n", -E_AUTH_INVALID},
        {"Qiniu ak:sign ", -E_AUTH_INVALID},
    };
    int scheme = 7;
    const char *ak = "x", *sign = "x";
    size_t ak_len = 9, sign_len = 9;

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = parse(cases[i].hdr, strlen(cases[i].hdr), &scheme, &ak,
                       &ak_len, &sign, &sign_len);
        if (rc != cases[i].want) {
            fail_msg("\"%s\": got %d, want %d", cases[i].hdr, rc,
                     cases[i].want);
        }
        assert_int_equal(scheme, 0);
        assert_null(ak);
        assert_null(sign);
        assert_int_equal(ak_len + sign_len, 0);
    }
    assert_int_equal(parse(NULL, 5, &scheme, &ak, &ak_len, &sign, &sign_len),
                     -E_AUTH_MISSING);
    assert_int_equal(parse("Qiniu a:b", 9, NULL, &ak, &ak_len, &sign,
                           &sign_len),
                     -E_INVALID);
}

/* ---- argument errors ---- */

static void test_string_errors(void **state)
{
    (void)state;
    struct qiniu_req r = req_json("GET");
    char *s = (char *)1;
    size_t n = 9;

    assert_int_equal(qiniu_v2_string(NULL, &s, &n), -E_INVALID);
    assert_null(s);
    assert_int_equal(n, 0);
    assert_int_equal(qiniu_v2_string(&r, NULL, &n), -E_INVALID);

    r.method_len = 0;
    assert_int_equal(qiniu_v2_string(&r, &s, &n), -E_INVALID);
    r = req_json("GET");
    r.path = NULL;
    r.path_len = 0;
    assert_int_equal(qiniu_qbox_string(&r, &s, &n), -E_INVALID);
    r = req_json("GET");
    r.body = NULL;
    assert_int_equal(qiniu_v2_string(&r, &s, &n), -E_INVALID);
    r = req_json("GET");
    r.n_xq = 1;
    assert_int_equal(qiniu_v2_string(&r, &s, &n), -E_INVALID);

    /* too many distinct X-Qiniu headers; other headers do not count */
    static struct qiniu_header many[QINIU_XQ_MAX + 1 + 10];
    static char keys[QINIU_XQ_MAX + 1][16];
    size_t k = 0;
    for (size_t i = 0; i < 10; i++) {
        many[k++] = (struct qiniu_header){S("Accept"), S("*/*")};
    }
    for (size_t i = 0; i < QINIU_XQ_MAX + 1; i++) {
        int len = snprintf(keys[i], sizeof keys[i], "X-Qiniu-K%03zu", i);
        many[k++] = (struct qiniu_header){keys[i], (size_t)len, S("v")};
    }
    r = req_json("GET");
    r.xq = many;
    r.n_xq = k - 1;
    assert_int_equal(qiniu_v2_string(&r, &s, &n), 0);
    free(s);
    r.n_xq = k;
    assert_int_equal(qiniu_v2_string(&r, &s, &n), -E_TOO_LARGE);
    assert_int_equal(qiniu_verify(&r, QINIU_V2, S("sk"), S("x")),
                     -E_TOO_LARGE);
    /* QBox signs no headers, so they are not looked at */
    assert_int_equal(qiniu_qbox_string(&r, &s, &n), 0);
    free(s);

    r = req_json("GET");
    assert_int_equal(qiniu_verify(&r, 0, S("sk"), S("x")), -E_INVALID);
    assert_int_equal(qiniu_verify(&r, 3, S("sk"), S("x")), -E_INVALID);
    assert_int_equal(qiniu_verify(&r, QINIU_V2, "", 0, S("x")), -E_INVALID);
    assert_int_equal(qiniu_verify(NULL, QINIU_V2, S("sk"), S("x")),
                     -E_INVALID);
}

static void test_upload_token_errors(void **state)
{
    (void)state;
    static const char *bad_scopes[] = {
        "", "my\"bucket", "my\\bucket", "my\nbucket", "my\177bucket",
    };
    char *tok = (char *)1;

    for (size_t i = 0; i < sizeof bad_scopes / sizeof bad_scopes[0]; i++) {
        assert_int_equal(qiniu_upload_token("ak", "sk", bad_scopes[i], 1, &tok),
                         -E_INVALID);
        assert_null(tok);
    }
    assert_int_equal(qiniu_upload_token("a:k", "sk", "b", 1, &tok),
                     -E_INVALID);
    assert_int_equal(qiniu_upload_token("", "sk", "b", 1, &tok), -E_INVALID);
    assert_int_equal(qiniu_upload_token("ak", "", "b", 1, &tok), -E_INVALID);
    assert_int_equal(qiniu_upload_token(NULL, "sk", "b", 1, &tok),
                     -E_INVALID);
    assert_int_equal(qiniu_upload_token("ak", "sk", "b", -1, &tok),
                     -E_INVALID);
    assert_int_equal(qiniu_upload_token("ak", "sk", "b", 1, NULL),
                     -E_INVALID);

    /* scope at the limit works, one byte over does not */
    static char scope[QINIU_SCOPE_MAX + 2];
    memset(scope, 'b', QINIU_SCOPE_MAX);
    assert_int_equal(
        qiniu_upload_token("ak", "sk", scope, 9223372036854775807LL, &tok),
        0);
    assert_non_null(strstr(tok, ":"));
    free(tok);
    scope[QINIU_SCOPE_MAX] = 'b';
    assert_int_equal(qiniu_upload_token("ak", "sk", scope, 1, &tok),
                     -E_INVALID);

    /* "bucket:key" scopes are fine */
    assert_int_equal(qiniu_upload_token("ak", "sk", "b:k/x.jpg", 1, &tok), 0);
    free(tok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vector_get),
        cmocka_unit_test(test_vector_post),
        cmocka_unit_test(test_vector_mkfile),
        cmocka_unit_test(test_vector_upload_token),
        cmocka_unit_test(test_hmac_b64_direct),
        cmocka_unit_test(test_reference_server_vector),
        cmocka_unit_test(test_xq_skip_and_duplicates),
        cmocka_unit_test(test_xq_canonical_form),
        cmocka_unit_test(test_tampered_body_fails),
        cmocka_unit_test(test_unpadded_sign_accepted),
        cmocka_unit_test(test_octet_stream_body_not_signed),
        cmocka_unit_test(test_no_content_type_body_not_signed),
        cmocka_unit_test(test_qbox_string),
        cmocka_unit_test(test_parse_auth_ok),
        cmocka_unit_test(test_parse_auth_limits),
        cmocka_unit_test(test_parse_auth_errors),
        cmocka_unit_test(test_string_errors),
        cmocka_unit_test(test_upload_token_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
