/* Live face: the request as received, handed to the core's signature check. */
#include <string.h>
#include <strings.h>

#include "live/live.h"

#define XQ_PREFIX "X-Qiniu-"

struct xq_list {
    struct arena *a;
    struct qiniu_header *h;
    size_t n;
};

/* Keeps the X-Qiniu-* headers, one more than the signer takes so that too many is noticed. */
static void keep_xq(void *arg, const char *key, const char *value)
{
    struct xq_list *l = arg;
    if (strncasecmp(key, XQ_PREFIX, sizeof(XQ_PREFIX) - 1) || l->n > QINIU_XQ_MAX)
        return;
    l->h[l->n++] = (struct qiniu_header){key, strlen(key), value, strlen(value)};
}

static size_t len0(const char *s) { return s ? strlen(s) : 0; }

int live_auth(struct http_req *r, struct app *out)
{
    const char *uri = r->raw_uri, *qmark = strchr(uri, '?');
    const char *host = http_header(r, "Host"), *ct = http_header(r, "Content-Type");
    struct xq_list xq = {r->a, arena_alloc(r->a, (QINIU_XQ_MAX + 1) * sizeof(struct qiniu_header)), 0};
    http_each_header(r, keep_xq, &xq);
    struct qiniu_req q = {
        .method = r->method,
        .method_len = strlen(r->method),
        .path = uri,
        .path_len = qmark ? (size_t)(qmark - uri) : strlen(uri),
        .query = qmark ? qmark + 1 : NULL,
        .query_len = qmark ? strlen(qmark + 1) : 0,
        .host = host,
        .host_len = len0(host),
        .content_type = ct,
        .content_type_len = len0(ct),
        .has_content_type = ct != NULL,
        .xq = xq.h,
        .n_xq = xq.n,
        .body = r->body,
        .body_len = r->body_len,
    };
    const char *why = NULL;
    int rc = live_authenticate(&r->ctx, &q, http_header(r, "Authorization"), out, &why);
    if (rc && why)
        r->why = why;
    return rc;
}
