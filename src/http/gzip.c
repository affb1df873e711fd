/*
 * gzip compression of large answers (zlib), for every face: a 200-user
 * batch or a full sync shrinks several times (docs/performance.md,
 * "Compression"). Small answers are left alone: below GZIP_MIN_BYTES the
 * gzip header and the CPU cost more than the bytes saved.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "http/web.h"

/*
 * Level 1, as nginx's default: on a 100-user answer it takes about half the
 * CPU of zlib's default 6 for 5% more bytes (docs/performance.md, "Compression").
 */
#define GZIP_LEVEL 1

/*
 * The smallest window (2^9 to 2^15 bytes) that holds the whole answer:
 * zlib allocates and clears its buffers by the window's size on every
 * deflateInit2(), and a window past the input's length finds nothing more.
 */
static int window_bits(size_t len)
{
    int bits = 9;
    while (bits < 15 && ((size_t)1 << bits) < len)
        bits++;
    return bits;
}

/*
 * A q-value (RFC 9110 12.4.2: "0" ["." up to 3 digits] or "1" ["." up to 3
 * zeros]) at s, up to end: 1 above zero, 0 for zero, -1 when malformed.
 */
static int q_positive(const char *s, const char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    size_t n = (size_t)(end - s);
    if (!n || n > 5 || (*s != '0' && *s != '1') || (n > 1 && s[1] != '.'))
        return -1;
    int fraction = 0;
    for (size_t i = 2; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        fraction |= s[i] != '0';
    }
    if (*s == '1')
        return fraction ? -1 : 1;
    return fraction;
}

/* One element of Accept-Encoding ("gzip;q=0.5"): its q-value's sign as q_positive(), 1 without one. */
static int element_q(const char *params, const char *end)
{
    while (params < end) {
        params += strspn(params, " \t;");
        const char *next = memchr(params, ';', (size_t)(end - params));
        if (!next)
            next = end;
        if (next - params >= 2 && (params[0] == 'q' || params[0] == 'Q') && params[1] == '=')
            return q_positive(params + 2, next);
        params = next;
    }
    return 1;
}

int gzip_accepted(const char *value)
{
    int gzip = -1, any = -1;
    const char *p = value;
    while (p && *p) {
        p += strspn(p, " \t,");
        const char *end = p + strcspn(p, ",");
        size_t name = strcspn(p, " \t;,");
        int q = element_q(p + name, end);
        if (q >= 0 && ((name == 4 && !strncasecmp(p, "gzip", 4)) || (name == 6 && !strncasecmp(p, "x-gzip", 6))))
            gzip = gzip > q ? gzip : q;
        else if (q >= 0 && name == 1 && *p == '*')
            any = q;
        p = end;
    }
    return gzip >= 0 ? gzip : any > 0;
}

void gzip_answer(struct http_req *r)
{
    if (r->resp_len <= GZIP_MIN_BYTES)
        return;
    r->vary_coding = 1;
    if (!gzip_accepted(http_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING)))
        return;
    z_stream zs = {0};
    /* windowBits + 16: a gzip wrapper, not zlib's */
    if (deflateInit2(&zs, GZIP_LEVEL, Z_DEFLATED, window_bits(r->resp_len) + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return; /* out of memory in zlib: the answer goes uncompressed */
    uLong cap = deflateBound(&zs, (uLong)r->resp_len);
    unsigned char *out = xmalloc(cap);
    zs.next_in = (unsigned char *)r->resp;
    zs.avail_in = (uInt)r->resp_len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    int rc = deflate(&zs, Z_FINISH);
    size_t n = zs.total_out;
    deflateEnd(&zs);
    if (rc != Z_STREAM_END || n >= r->resp_len) {
        free(out);
        return;
    }
    free(r->resp);
    r->resp = (char *)out;
    r->resp_len = n;
    r->gzipped = 1;
}
