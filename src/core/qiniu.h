#ifndef USERD_QINIU_H
#define USERD_QINIU_H

/*
 * Qiniu request signing: the "Qiniu AK:sign" (v2) and "QBox AK:sign"
 * Authorization forms the live face verifies, and the upload token the app
 * face hands out. See the spec NOTES.md, "Live face".
 *
 * Pure functions: no global state, no I/O. HMAC-SHA1 comes from OpenSSL
 * libcrypto, URL-safe base64 from libsodium; neither needs sodium_init().
 * All functions return 0 on success or a negative core error (errors.h).
 */

#include <stddef.h>

#include "base/errors.h"

/** Length of a padded sign: urlsafe_b64 of a 20-byte HMAC-SHA1. */
#define QINIU_SIGN_LEN 28
/** Longest AK accepted in an Authorization header or an upload token. */
#define QINIU_AK_MAX 128
/** Longest sign accepted in an Authorization header. */
#define QINIU_SIGN_MAX 64
/** Most distinct X-Qiniu-* headers signed in one request. */
#define QINIU_XQ_MAX 64
/** Longest upload-token scope ("bucket" or "bucket:key"). */
#define QINIU_SCOPE_MAX 1024

enum qiniu_scheme {
    QINIU_V2 = 1,   /* "Qiniu AK:sign" */
    QINIU_QBOX = 2, /* "QBox AK:sign" */
};

/** One request header as received: counted key and value, any key case. */
struct qiniu_header {
    const char *key;
    size_t key_len;
    const char *val;
    size_t val_len;
};

/**
 * One request to sign or verify, as received. Every string is counted
 * (ptr, len) and need not be NUL-terminated; a pointer may be NULL only when
 * its length is 0. Nothing is copied or kept: the caller owns all of it.
 *
 * - method, path: required (non-empty). path is the raw path, no query.
 * - query: raw query without '?'; len 0 means none (a bare "?" is none).
 * - host: the Host header value, may be empty.
 * - content_type: the Content-Type value; has_content_type says it was
 *   sent. An empty value counts as not sent, as in the reference server.
 * - xq: request headers; only keys that are X-Qiniu-<something> in any case
 *   are signed, others are skipped, so the caller may pass every header.
 *   When one key appears more than once the first value wins.
 * - body: the raw body, len 0 = none.
 */
struct qiniu_req {
    const char *method;
    size_t method_len;
    const char *path;
    size_t path_len;
    const char *query;
    size_t query_len;
    const char *host;
    size_t host_len;
    const char *content_type;
    size_t content_type_len;
    int has_content_type;
    const struct qiniu_header *xq;
    size_t n_xq;
    const char *body;
    size_t body_len;
};

/**
 * out = urlsafe_b64(hmac_sha1(sk, data)) with '=' padding, NUL-terminated,
 * always QINIU_SIGN_LEN characters.
 *
 * sk: the secret key, sk_len > 0. data may be NULL when len is 0.
 * Errors: -E_INVALID (NULL sk/out, empty sk), -E_INTERNAL (libcrypto).
 */
USERD_MUST_CHECK int qiniu_hmac_b64(const char *sk, size_t sk_len,
                                    const char *data, size_t len,
                                    char out[QINIU_SIGN_LEN + 1]);

/**
 * Builds the v2 signing string of r:
 *   METHOD " " path ["?" query] "\nHost: " host
 *   ["\nContent-Type: " ct] {"\n" Key ": " value} "\n\n" [body]
 * X-Qiniu-* keys are canonicalised (x-qiniu-aaa -> X-Qiniu-Aaa) and sorted
 * bytewise. The body is appended when there is one and the content type is
 * present and is not exactly "application/octet-stream".
 *
 * On success *out is a malloc'd buffer of *out_len bytes plus a trailing
 * NUL (the body may itself hold NULs); the caller frees it. On failure *out
 * is NULL and *out_len 0.
 * Errors: -E_INVALID (NULL arguments, empty method or path, a NULL pointer
 * with a non-zero length), -E_TOO_LARGE (more than QINIU_XQ_MAX X-Qiniu-*
 * headers, size overflow), -E_INTERNAL (out of memory).
 */
USERD_MUST_CHECK int qiniu_v2_string(const struct qiniu_req *r, char **out,
                                     size_t *out_len);

/**
 * Builds the older QBox signing string of r:
 *   path ["?" query] "\n" [body]
 * with the body only when the content type is exactly
 * "application/x-www-form-urlencoded". Method, host and headers are not
 * signed. Ownership and errors as qiniu_v2_string().
 */
USERD_MUST_CHECK int qiniu_qbox_string(const struct qiniu_req *r, char **out,
                                       size_t *out_len);

/**
 * Parses an Authorization value "Qiniu AK:sign" or "QBox AK:sign" (scheme
 * case-sensitive, one space). On success *scheme is QINIU_V2 or QINIU_QBOX
 * and ak/sign are slices into hdr (no copy; valid as long as hdr). The AK
 * runs to the first ':'; the sign must be URL-safe base64 ('=' allowed).
 * On failure the outputs are cleared.
 *
 * Errors: -E_AUTH_MISSING (hdr NULL or len 0), -E_AUTH_INVALID (no space,
 * unknown scheme, no ':', empty AK or sign, AK over QINIU_AK_MAX bytes or
 * with spaces/control bytes, sign over QINIU_SIGN_MAX bytes or outside the
 * URL-safe base64 alphabet), -E_INVALID (NULL output pointers).
 */
USERD_MUST_CHECK int qiniu_parse_auth(const char *hdr, size_t len,
                                      int *scheme, const char **ak,
                                      size_t *ak_len, const char **sign,
                                      size_t *sign_len);

/**
 * Verifies sign for r under scheme (QINIU_V2 or QINIU_QBOX) and secret sk:
 * HMACs the signing string (streamed, no copy of the body) and compares in
 * constant time, without regard to padding: the 28-character padded sign
 * and the 27-character unpadded one both match. The AK is not checked
 * here: look the SK up by AK first.
 *
 * Returns 0 when the sign matches.
 * Errors: -E_AUTH_INVALID (mismatch, NULL/empty/over-long sign),
 * -E_INVALID (NULL r or sk, empty sk, unknown scheme, malformed r as in
 * qiniu_v2_string()), -E_TOO_LARGE (too many X-Qiniu-* headers),
 * -E_INTERNAL (libcrypto).
 */
USERD_MUST_CHECK int qiniu_verify(const struct qiniu_req *r, int scheme,
                                  const char *sk, size_t sk_len,
                                  const char *sign, size_t sign_len);

/**
 * 1 when the signing string of scheme includes r's body: v2 with a
 * non-empty Content-Type other than application/octet-stream, QBox with
 * application/x-www-form-urlencoded. 0 otherwise (the body is not signed
 * and can be changed without breaking the sign). r must not be NULL.
 */
int qiniu_body_signed(const struct qiniu_req *r, int scheme);

/**
 * Makes an upload token
 *   AK ":" urlsafe_b64(hmac_sha1(SK, encodedPolicy)) ":" encodedPolicy
 * where encodedPolicy = urlsafe_b64({"scope":"<scope>","deadline":<n>}),
 * exactly that JSON, padding kept.
 *
 * ak, sk, scope: NUL-terminated, non-empty. ak at most QINIU_AK_MAX bytes
 * and without ':'; scope at most QINIU_SCOPE_MAX bytes and without '"',
 * '\\' or control bytes (so it needs no JSON escaping); deadline >= 0
 * (unix seconds). On success *out is a malloc'd NUL-terminated string the
 * caller frees; on failure *out is NULL.
 * Errors: -E_INVALID (any of the above), -E_INTERNAL (out of memory,
 * libcrypto).
 */
USERD_MUST_CHECK int qiniu_upload_token(const char *ak, const char *sk,
                                        const char *scope, long long deadline,
                                        char **out);

#endif
