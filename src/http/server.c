/*
 * libmicrohttpd glue. Each listener runs an epoll daemon with its own
 * thread pool; each of those threads holds its own store connection.
 *
 * A request goes RECEIVING (body accumulates up to the cap) -> routed ->
 * either answered on the spot, or handed to the hashing pool while the
 * connection is suspended (SLOW routes) -> DONE -> response queued.
 * Answers are queued on a later call than the first one: queueing in the
 * first call made libmicrohttpd 0.9.75 drop keep-alive.
 *
 * Before that, the head is checked (check_head): its limits, and the
 * framing rules of RFC 9112 that libmicrohttpd 0.9.75 does not enforce. A
 * request refused there is answered at once, in plain text, and its
 * connection closes: nothing after a head we could misread is trusted.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/config.h"
#include "base/log.h"
#include "core/passwords.h"
#include "http/conn.h"
#include "http/http.h"
#include "http/pool.h"
#include "http/stats.h"
#include "http/web.h"

enum { ST_RECEIVING, ST_POOL, ST_DONE };

#define MAX_LISTENERS 5 /* the three faces and the ops listener */
/* Bodies over the cap but under this are read and dropped before the 413. */
#define DISCARD_MAX (16ull << 20)

struct listener {
    const struct face *face;
    struct MHD_Daemon *d;
};

static struct listener listeners[MAX_LISTENERS];
static int n_listeners;
static atomic_long in_flight;
static atomic_ullong req_counter;
static char req_prefix[9];

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- accessors ---- */

const char *http_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_query(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_cookie_find(const char *header, const char *name, const char **val, size_t *len)
{
    size_t nl = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = p + strcspn(p, ";");
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq && (size_t)(eq - p) == nl && !memcmp(p, name, nl)) { /* not secret: the cookie's name */
            const char *v = eq + 1, *ve = end;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            *val = v;
            *len = (size_t)(ve - v);
            return 1;
        }
        p = end;
    }
    return 0;
}

struct cookie_search {
    const char *name, *val;
    size_t len;
};

static enum MHD_Result cookie_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct cookie_search *c = cls;
    if (!key || strcasecmp(key, MHD_HTTP_HEADER_COOKIE) || !value)
        return MHD_YES;
    return http_cookie_find(value, c->name, &c->val, &c->len) ? MHD_NO : MHD_YES;
}

/*
 * Our own reading of the Cookie header(s), not libmicrohttpd's cookie
 * table: that one matches names in any case and strips quotes.
 */
const char *http_cookie(struct http_req *r, const char *name)
{
    struct cookie_search c = {name, NULL, 0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, cookie_header, &c);
    return c.val ? arena_strndup(r->a, c.val, c.len) : NULL;
}

struct collect {
    const char *name;
    const char **out;
    size_t n, max;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct collect *c = cls;
    if (key && !strcmp(key, c->name)) {
        if (c->n < c->max)
            c->out[c->n] = value ? value : "";
        c->n++;
    }
    return MHD_YES;
}

size_t http_query_all(struct http_req *r, const char *name, const char **out, size_t max)
{
    struct collect c = {name, out, 0, max};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &c);
    return c.n;
}

struct each {
    void (*fn)(void *, const char *, const char *);
    void *arg;
};

static enum MHD_Result each_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct each *e = cls;
    e->fn(e->arg, key, value ? value : "");
    return MHD_YES;
}

void http_each_header(struct http_req *r, void (*fn)(void *, const char *, const char *), void *arg)
{
    struct each e = {fn, arg};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, each_header, &e);
}

/*
 * Behind a reverse proxy (http.trust_proxy), the client is the last address
 * of X-Forwarded-For: the one the proxy itself added. Earlier entries come
 * from the client and prove nothing.
 */
static int forwarded_for(struct http_req *r, char *buf, size_t cap)
{
    const char *h = http_header(r, "X-Forwarded-For");
    if (!h)
        return 0;
    const char *last = strrchr(h, ',');
    last = last ? last + 1 : h;
    while (*last == ' ' || *last == '\t')
        last++;
    size_t n = strcspn(last, " \t");
    unsigned char bin[sizeof(struct in6_addr)];
    if (n == 0 || n >= cap)
        return 0;
    memcpy(buf, last, n);
    buf[n] = '\0';
    return inet_pton(AF_INET, buf, bin) == 1 || inet_pton(AF_INET6, buf, bin) == 1;
}

const char *http_client_ip(struct http_req *r)
{
    char fwd[INET6_ADDRSTRLEN];
    if (cfg_bool(CFG_http_trust_proxy) && forwarded_for(r, fwd, sizeof(fwd)))
        return arena_strdup(r->a, fwd);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char buf[INET6_ADDRSTRLEN] = "unknown";
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof(buf));
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, sizeof(buf));
    }
    return arena_strdup(r->a, buf);
}

void http_reply(struct http_req *r, int status, const char *content_type, const char *body, size_t len)
{
    free(r->resp);
    r->resp = xmalloc(len + 1);
    memcpy(r->resp, body, len);
    r->resp_len = len;
    r->status = status;
    r->content_type = content_type;
    r->state = ST_DONE;
}

void http_reply_json(struct http_req *r, int status, json_t *o)
{
    if (!o) {
        /* A face could not even build its error envelope: the one answer left. */
        static const char body[] = "internal error\n";
        log_error("http: no JSON to answer with (request %s)", r->request_id);
        http_reply(r, 500, "text/plain; charset=utf-8", body, sizeof(body) - 1);
        return;
    }
    /* Most answers fit the stack buffer: one allocation, instead of json_dumps()'s growing buffer and copy. */
    char buf[4096];
    size_t n = json_dumpb(o, buf, sizeof(buf), JSON_COMPACT | JSON_PRESERVE_ORDER);
    free(r->resp);
    if (n && n <= sizeof(buf)) {
        r->resp = xmalloc(n + 1);
        memcpy(r->resp, buf, n);
        r->resp[n] = '\0';
    } else {
        r->resp = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!r->resp)
            abort(); /* jansson fails only on OOM here */
        n = strlen(r->resp);
    }
    json_decref(o);
    r->resp_len = n;
    r->status = status;
    r->content_type = "application/json; charset=utf-8";
    r->state = ST_DONE;
}

void http_add_header(struct http_req *r, const char *name, const char *value)
{
    if (r->n_hdrs < HTTP_MAX_HEADERS) {
        r->hdr_name[r->n_hdrs] = name;
        r->hdr_value[r->n_hdrs++] = value;
    }
}

/* ---- request life ---- */

/* "<process prefix, 8 hex><counter, 10 hex>" (what "%s%010llx" gives, without printf on every request). */
static void request_id(char out[40], unsigned long long n)
{
    static const char hex[] = "0123456789abcdef";
    if (n >> 40) {
        snprintf(out, 40, "%s%010llx", req_prefix, n);
        return;
    }
    memcpy(out, req_prefix, 8);
    for (int i = 17; i >= 8; i--, n >>= 4)
        out[i] = hex[n & 15];
    out[18] = '\0';
}

/*
 * The request line is in (libmicrohttpd has not yet split the query into
 * arguments). A request line past the limits is refused once its head is
 * in; its query is cut here first, because libmicrohttpd 0.9.75, when it
 * runs out of per-connection memory while storing arguments, queues its
 * own 431 but then waits for more input, so the client would hear nothing
 * until the timeout. uri points into libmicrohttpd's read buffer, which it
 * parses in place after this call: a NUL after the '?' leaves no argument.
 */
static void check_request_line(struct http_req *r, const char *uri)
{
    size_t n = strlen(uri), args = 0;
    char *q = strchr(uri, '?');
    if (q && q[1]) {
        args = 1;
        for (const char *p = q + 1; *p; p++)
            args += *p == '&';
    }
    if (n > (size_t)cfg_int(CFG_http_max_header) || args > HTTP_MAX_ARGS)
        r->head_status = MHD_HTTP_URI_TOO_LONG;
    else if (memchr(uri, ' ', n) || memchr(uri, '\t', n))
        r->head_status = MHD_HTTP_BAD_REQUEST;
    if (r->head_status && q)
        q[1] = '\0';
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct listener *l = cls;
    struct arena *a = arena_new();
    struct http_req *r = arena_alloc(a, sizeof(*r));
    r->a = a;
    r->conn = conn;
    r->face = l->face;
    r->raw_uri = arena_strdup(a, uri ? uri : "");
    r->start_us = mono_us();
    request_id(r->request_id, atomic_fetch_add(&req_counter, 1));
    /* The connection keeps the request, so that it is freed however libmicrohttpd ends it. */
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    r->hc = ci ? ci->socket_context : NULL;
    if (r->hc)
        r->hc->req = r;
    if (uri)
        check_request_line(r, uri);
    return r;
}

static void request_free(struct http_req *r, int status)
{
    if (r->hc && r->hc->req == r)
        r->hc->req = NULL;
    int64_t us = mono_us() - r->start_us; /* one clock read for the log and the metrics */
    if (cfg_bool(CFG_log_access) && r->status)
        log_access(r->face->name, r->method ? r->method : "-", r->path ? r->path : "-", status, us,
                   r->request_id);
    if (r->client_ip)
        conn_client_leave(r->client_ip);
    if (r->counted) {
        atomic_fetch_sub(&in_flight, 1);
        stats_in_flight(r->face, -1);
        stats_request(r->face, r, status, us);
    }
    free(r->resp);
    arena_free(r->a);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn;
    struct http_req *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    if (r->hc)
        conn_phase(r->hc, CONN_IDLE);
    request_free(r, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? r->status : 499);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    const struct listener *l = cls;
    stats_conn(l->face, code == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? conn_open(ci->connect_fd) : NULL;
        return;
    }
    struct http_conn *hc = *socket_context;
    if (!hc)
        return;
    if (hc->req) /* libmicrohttpd ended the request without telling on_completed */
        request_free(hc->req, 499);
    conn_close(hc);
    *socket_context = NULL;
}

/* Fills the core context in the thread that will run the handler; the core binds its store connection. */
static int bind_ctx(struct http_req *r)
{
    r->ctx.a = r->a;
    r->ctx.now = now_ms();
    r->ctx.ip = http_client_ip(r);
    const char *ua = http_header(r, "User-Agent");
    r->ctx.user_agent = ua ? arena_strndup(r->a, ua, strnlen(ua, 512)) : "";
    return ctx_bind(&r->ctx);
}

static void run(struct http_req *r)
{
    int rc = r->route && (r->route->flags & ROUTE_NO_STORE) ? 0 : bind_ctx(r);
    if (rc)
        r->face->fail(r, rc);
    else
        r->face->serve(r);
    if (r->state != ST_DONE)
        r->face->fail(r, -E_INTERNAL); /* a handler that forgot to answer */
}

static void busy(struct http_req *r, int retry_after)
{
    r->face->fail(r, -E_BUSY);
    http_add_header(r, "Retry-After", arena_printf(r->a, "%d", retry_after));
}

#define JOB_REQ(j) ((struct http_req *)((char *)(j) - offsetof(struct http_req, job)))

static void run_on_pool(struct pool_job *j)
{
    struct http_req *r = JOB_REQ(j);
    run(r);
    MHD_resume_connection(r->conn);
}

static void refuse_on_pool(struct pool_job *j)
{
    struct http_req *r = JOB_REQ(j);
    busy(r, j->retry_after);
    MHD_resume_connection(r->conn);
}

/*
 * 200 ok; 200 degraded when reads work and writes fail (a full disk, a
 * read-only store: the process serves what it can, and restarting it or
 * taking it out of a balancer would not help); 503 when the store does not
 * answer. The reason is one of a few fixed strings (db_write_fault).
 */
static void healthz(struct http_req *r)
{
    const char *degraded = NULL;
    int ok = !ctx_health(&degraded);
    const char *body = !ok       ? "{\"status\":\"unavailable\"}"
                       : degraded ? arena_printf(r->a, "{\"status\":\"degraded\",\"reason\":\"%s\"}", degraded)
                                  : "{\"status\":\"ok\"}";
    http_reply(r, ok ? 200 : 503, "application/json; charset=utf-8", body, strlen(body));
}

/*
 * libmicrohttpd decodes the path and the query arguments into C strings, so
 * an encoded NUL would silently cut a value short ("?username=a%00b" reads
 * "a"). Such a target is refused whole instead.
 */
static int target_has_nul(const char *raw_uri)
{
    for (const char *p = strchr(raw_uri, '%'); p; p = strchr(p + 1, '%'))
        if (p[1] == '0' && p[2] == '0')
            return 1;
    return 0;
}

/*
 * Serves the request, or hands it to the hashing pool (1: from then on it is
 * the pool's, and this thread must not touch it; the pool resumes the
 * connection when it has answered, and the answer is queued on that call).
 */
static int dispatch(struct http_req *r)
{
    if (r->hc)
        conn_phase(r->hc, CONN_BUSY);
    if (r->too_large) {
        arena_wipe_all(r->a); /* the part kept may be a password route's: not worth finding out */
        r->face->fail(r, -E_TOO_LARGE);
        return 0;
    }
    if (target_has_nul(r->raw_uri)) {
        r->face->fail(r, http_invalid(r, "the request target holds an encoded NUL (%%00)"));
        return 0;
    }
    if (r->method_bit == M_OTHER && cors_preflight(r))
        return 0;
    /* A face's /healthz, unless its table routes one itself (the ops listener's: the process is alive). */
    if (r->method_bit == M_GET && !strcmp(r->path, "/healthz") &&
        !http_route_methods(r->face->routes, r->face->n_routes, r->path)) {
        healthz(r);
        return 0;
    }
    const char *params[HTTP_MAX_PARAMS];
    int rc = http_route(r->face->routes, r->face->n_routes, r->method_bit, r->path, &r->route, params,
                        &r->n_params);
    if (rc) {
        r->face->fail(r, rc);
        return 0;
    }
    for (int i = 0; i < r->n_params; i++)
        r->params[i] = arena_strdup(r->a, params[i]);
    if (r->route->flags & ROUTE_SLOW)
        arena_wipe_all(r->a); /* a password route: its body and every copy are zeroed at the end */
    if (!(r->route->flags & ROUTE_SLOW)) {
        run(r);
        return 0;
    }
    r->job = (struct pool_job){.run = run_on_pool, .refuse = refuse_on_pool, .since_us = r->start_us,
                               .cost = r->route->cost ? r->route->cost(r) : 1};
    r->state = ST_POOL;
    MHD_suspend_connection(r->conn);
    if (!pool_submit(&r->job))
        return 1;
    busy(r, r->job.retry_after);
    MHD_resume_connection(r->conn);
    return 0;
}

static enum MHD_Result queue(struct http_req *r)
{
    gzip_answer(r);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        /* The answer cannot be sent (out of memory in libmicrohttpd): close the connection. */
        log_error("http: cannot make a response (request %s)", r->request_id);
        return MHD_NO; /* r->resp is still ours: on_completed frees it */
    }
    r->resp = NULL; /* owned by the response now */
    if (r->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    web_headers(r, resp);
    int retry_after = 0;
    for (int i = 0; i < r->n_hdrs; i++) {
        MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
        retry_after |= !strcasecmp(r->hdr_name[i], MHD_HTTP_HEADER_RETRY_AFTER);
    }
    if (r->status == MHD_HTTP_SERVICE_UNAVAILABLE && !retry_after) /* busy or store down: worth a retry soon */
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
    if (r->close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Answers a request refused before any face saw it, in plain text, and closes the connection. */
static enum MHD_Result refuse(struct http_req *r, int status, const char *why)
{
    const char *reason = MHD_get_reason_phrase_for((unsigned)status);
    char *body = arena_printf(r->a, "%d %s: %s\n", status, reason, why);
    http_reply(r, status, "text/plain; charset=utf-8", body, strlen(body));
    if (status == MHD_HTTP_TOO_MANY_REQUESTS)
        http_add_header(r, "Retry-After", "1");
    r->close = 1;
    return queue(r);
}

/* ---- the head: limits and framing ---- */

struct head {
    size_t fields, cookie_bytes;
    int host, content_length, transfer_encoding;
    const char *te, *bad;
};

/* RFC 9110 5.1: a field name is a token. */
static int is_token(const char *s, size_t n)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    if (!n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c && strchr(extra, c))))
            return 0;
    }
    return 1;
}

/*
 * libmicrohttpd 0.9.75 parses header lines in place: the value follows its
 * name in the read buffer, after the NUL that replaced the colon and the
 * optional white space. A line continued on the next one (obs-fold, which
 * RFC 9112 5.2 says to refuse) is instead glued to the name in memory of
 * its own, so its value no longer follows its name.
 */
static int in_place(const char *key, size_t key_size, const char *value, size_t window)
{
    uintptr_t k = (uintptr_t)key, v = (uintptr_t)value;
    if (key[key_size] != '\0' || v < k + key_size + 1 || v > k + key_size + 1 + window)
        return 0;
    for (const char *p = key + key_size + 1; p < value; p++)
        if (*p != ' ' && *p != '\t')
            return 0;
    return 1;
}

struct head_scan {
    struct head *h;
    size_t window;
};

static enum MHD_Result head_field(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                  const char *value, size_t value_size)
{
    (void)kind;
    struct head_scan *hs = cls;
    struct head *h = hs->h;
    h->fields++;
    if (!key || !value)
        return MHD_YES;
    if (!is_token(key, key_size))
        h->bad = "a header name that is not a token (white space before the colon?)";
    else if (!in_place(key, key_size, value, hs->window))
        h->bad = "a header line folded onto the next (obs-fold)";
    else if (!strcasecmp(key, MHD_HTTP_HEADER_HOST))
        h->host++;
    else if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
        h->content_length++;
    else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING))
        h->transfer_encoding++, h->te = value;
    else if (!strcasecmp(key, MHD_HTTP_HEADER_COOKIE))
        h->cookie_bytes += value_size;
    return MHD_YES;
}

/*
 * The head's limits (http.max_header bytes, HTTP_MAX_FIELDS, _ARGS,
 * _COOKIES, _COOKIE_BYTES) and the framing rules of RFC 9112 that matter
 * behind a proxy, where a head two servers read differently smuggles a
 * request: one Host, one Content-Length, no Content-Length with
 * Transfer-Encoding, only "chunked", no Transfer-Encoding in HTTP/1.0.
 * 0, or the status to refuse with (why set).
 */
static int check_head(struct http_req *r, const char *version, const char **why)
{
    struct head h = {0};
    size_t max = (size_t)cfg_int(CFG_http_max_header);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    size_t size = ci ? ci->header_size : 0;
    struct head_scan hs = {&h, size};
    MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND, head_field, &hs);
    int http10 = !strcmp(version, MHD_HTTP_VERSION_1_0);
    *why = NULL;
    if (size > max)
        *why = arena_printf(r->a, "the request line and headers are over %zu bytes", max);
    else if (h.fields > HTTP_MAX_FIELDS)
        *why = arena_printf(r->a, "more than %d header fields", HTTP_MAX_FIELDS);
    else if (h.cookie_bytes > HTTP_MAX_COOKIE_BYTES)
        *why = arena_printf(r->a, "more than %d bytes of cookies", HTTP_MAX_COOKIE_BYTES);
    else if (MHD_get_connection_values(r->conn, MHD_COOKIE_KIND, NULL, NULL) > HTTP_MAX_COOKIES)
        *why = arena_printf(r->a, "more than %d cookies", HTTP_MAX_COOKIES);
    if (*why)
        return MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE;
    if (MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, NULL, NULL) > HTTP_MAX_ARGS) {
        *why = arena_printf(r->a, "more than %d query arguments", HTTP_MAX_ARGS);
        return MHD_HTTP_URI_TOO_LONG;
    }
    if (h.bad)
        *why = h.bad;
    else if (h.host > 1)
        *why = "more than one Host header";
    else if (!h.host && !http10)
        *why = "an HTTP/1.1 request without a Host header";
    else if (h.content_length > 1)
        *why = "more than one Content-Length header";
    else if (h.transfer_encoding && (h.content_length || h.transfer_encoding > 1 || http10))
        *why = "Transfer-Encoding with Content-Length, twice, or in HTTP/1.0";
    if (*why)
        return MHD_HTTP_BAD_REQUEST;
    if (h.transfer_encoding && strcasecmp(h.te, "chunked")) {
        *why = "the only transfer coding served is chunked";
        return MHD_HTTP_NOT_IMPLEMENTED;
    }
    return 0;
}

static int body_append(struct http_req *r, const char *data, size_t n)
{
    size_t max = (size_t)cfg_int(CFG_http_max_body);
    if (r->too_large || r->body_len + n > max) {
        r->too_large = 1;
        return -E_TOO_LARGE;
    }
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 1024;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *nb = arena_alloc(r->a, cap);
        if (r->body_len)
            memcpy(nb, r->body, r->body_len);
        r->body = nb;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return 0;
}

/* The first call: the head is in. 0 to go on, or an answer was queued (ret set). */
static int head_in(struct http_req *r, const char *url, const char *method, const char *version,
                   enum MHD_Result *ret)
{
    r->method = arena_strdup(r->a, method);
    r->path = arena_strdup(r->a, url);
    r->method_bit = http_method_bit(method);
    r->body = "";
    r->counted = 1;
    atomic_fetch_add(&in_flight, 1);
    stats_in_flight(r->face, 1);
    if (r->hc)
        conn_phase(r->hc, CONN_BODY);
    const char *why;
    int status = r->head_status;
    if (status)
        why = status == MHD_HTTP_URI_TOO_LONG
                  ? arena_printf(r->a, "a request line over %lld bytes or with more than %d query arguments",
                                 (long long)cfg_int(CFG_http_max_header), HTTP_MAX_ARGS)
                  : "white space in the request target";
    else
        status = check_head(r, version, &why);
    if (status) {
        *ret = refuse(r, status, why);
        return 1;
    }
    if (cfg_bool(CFG_http_trust_proxy)) {
        const char *ip = http_client_ip(r);
        if (conn_client_enter(ip)) {
            *ret = refuse(r, MHD_HTTP_TOO_MANY_REQUESTS, "too many requests in flight from this client");
            return 1;
        }
        r->client_ip = ip;
    }
    const char *cl = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
    if (len > (unsigned long long)cfg_int(CFG_http_max_body)) {
        r->too_large = 1;
        if (len > DISCARD_MAX) { /* not worth reading: answer now, the connection closes */
            r->face->fail(r, -E_TOO_LARGE);
            *ret = queue(r);
            return 1;
        }
    }
    return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls, (void)conn;
    struct http_req *r = *con_cls;
    enum MHD_Result ret;
    if (!r->method) /* the first call: headers only; answer on a later call */
        return head_in(r, url, method, version, &ret) ? ret : MHD_YES;
    if (r->state == ST_RECEIVING) {
        if (*upload_data_size) {
            /*
             * Past the cap the rest is read and dropped, so that the client,
             * which is still sending, gets its 413 instead of a reset.
             */
            (void)body_append(r, upload_data, *upload_data_size);
            *upload_data_size = 0;
            return MHD_YES;
        }
        if (dispatch(r))
            return MHD_YES;
    }
    return queue(r);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    log_warn("http: %s", msg);
}

static int parse_addr(const char *addr, struct sockaddr_storage *ss, socklen_t *len)
{
    const char *colon = strrchr(addr, ':');
    if (!colon || colon == addr)
        return -E_INVALID;
    char host[256];
    size_t hl = (size_t)(colon - addr);
    if (hl >= sizeof(host))
        return -E_INVALID;
    memcpy(host, addr, hl);
    host[hl] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || end == colon + 1)
        return -E_INVALID;
    memset(ss, 0, sizeof(*ss));
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &s6->sin6_addr) != 1)
            return -E_INVALID;
        *len = sizeof(*s6);
        return 0;
    }
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    if (!strcmp(host, "*") || !strcmp(host, "0.0.0.0"))
        s4->sin_addr.s_addr = htonl(INADDR_ANY);
    else if (!strcmp(host, "localhost"))
        s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
        return -E_INVALID;
    *len = sizeof(*s4);
    return 0;
}

/*
 * libmicrohttpd's memory per connection. Its read buffer starts at half of
 * it and holds the head; the other half holds a 64-byte record per header
 * field, query argument and cookie, a copy of the Cookie header to parse,
 * and the answer's headers. Sized so that any head within the limits fits
 * (docs/architecture.md); a head over them may still fail inside
 * libmicrohttpd, which then answers 431 or 414 itself.
 */
static size_t conn_memory(void)
{
    size_t head = (size_t)cfg_int(CFG_http_max_header);
    size_t rest = (size_t)(HTTP_MAX_FIELDS + HTTP_MAX_ARGS + HTTP_MAX_COOKIES) * 64 + HTTP_MAX_COOKIE_BYTES + 2048;
    return 2 * ((head > rest ? head : rest) + 1024);
}

/* Every connection takes a descriptor: take the hard limit (a login shell's soft one is often 1024). */
static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl))
            log_warn("http: cannot raise the open files limit");
    }
}

/*
 * One daemon for face with the given flags: the listening address (NULL:
 * none) and a pool of threads (0: the caller drives it) are the only
 * differences between http_listen() and http_daemon_external().
 */
static struct MHD_Daemon *start_daemon(const struct face *face, unsigned flags, const struct sockaddr *sa,
                                       unsigned threads)
{
    if (n_listeners == MAX_LISTENERS)
        return NULL;
    if (!req_prefix[0]) {
        unsigned char b[4];
        randombytes_buf(b, sizeof(b));
        sodium_bin2hex(req_prefix, sizeof(req_prefix), b, sizeof(b));
    }
    if (!n_listeners)
        raise_fd_limit();
    if (conn_start())
        return NULL;
    struct listener *l = &listeners[n_listeners];
    l->face = face;
    stats_face(face);
    /* Behind a proxy every connection comes from the proxy: the cap counts forwarded clients instead (conn.c). */
    unsigned per_ip = cfg_bool(CFG_http_trust_proxy) ? 0 : (unsigned)cfg_int(CFG_http_max_connections_per_ip);
    l->d = MHD_start_daemon(
        flags | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, l,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg_int(CFG_http_max_connections),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg_int(CFG_http_timeout),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, conn_memory(),
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, l,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
        MHD_OPTION_END); /* no LISTENING_ADDRESS_REUSE: SO_REUSEPORT let a second process share the port */
    if (l->d)
        n_listeners++;
    return l->d;
}

int http_listen(const struct face *face, const char *addr)
{
    struct sockaddr_storage ss;
    socklen_t slen;
    if (cors_check(face) || (face->check && face->check()))
        return -E_INVALID;
    if (parse_addr(addr, &ss, &slen)) {
        log_error("%s listener: bad address %s (want host:port)", face->name, addr);
        return -E_INVALID;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (!start_daemon(face, flags, (struct sockaddr *)&ss, (unsigned)cfg_int(CFG_http_threads))) {
        log_error("%s listener: cannot listen on %s", face->name, addr);
        return -E_INVALID;
    }
    log_info("%s face listening on %s", face->name, addr);
    return 0;
}

struct MHD_Daemon *http_daemon_external(const struct face *face)
{
    return start_daemon(face, MHD_USE_NO_LISTEN_SOCKET, NULL, 0);
}

/* On each pool thread at start: its store connection, so that the first jobs are not cold. */
static void pool_warm_up(void)
{
    if (ctx_health(NULL)) /* opens this thread's connection */
        log_warn("hashing pool: no store connection yet");
}

/* On each pool thread at once, timed: the pace of a busy pool on this machine now. */
static void calibration_hash(void)
{
    char hash[crypto_pwhash_STRBYTES];
    if (pw_hash("calibration", hash))
        log_warn("hashing pool: the calibration hash failed");
}

int http_pool_start(int threads, int queue)
{
    log_start();
    int rc = pool_start(threads, queue, (int)cfg_int(CFG_password_max_wait_ms));
    if (rc)
        return rc;
    /* A hash on every pool thread at once, now: a burst right after the start is admitted by what this machine does. */
    pool_on_each(pool_warm_up);
    int64_t us = pool_on_each(calibration_hash);
    pool_hash_time(us);
    log_info("hashing pool: %d ms for a hash on each thread at once", (int)(us / 1000));
    return 0;
}

static void wait_in_flight(int ms)
{
    for (int waited = 0; atomic_load(&in_flight) > 0 && waited < ms; waited += 10)
        usleep(10000);
}

/*
 * The order matters: a suspended connection must be resumed before its
 * daemon stops (stopping it frees the connection and its request). So the
 * requests waiting for the hashing pool are answered busy first, the ones
 * running on it are waited for, and only then do the daemons stop.
 */
void http_shutdown(int grace_ms)
{
    for (int i = 0; i < n_listeners; i++) {
        MHD_socket s = MHD_quiesce_daemon(listeners[i].d);
        if (s != MHD_INVALID_SOCKET)
            close(s);
    }
    pool_drain();
    wait_in_flight(grace_ms);
    pool_stop();
    wait_in_flight(1000); /* the last answers of the pool go out */
    for (int i = 0; i < n_listeners; i++)
        MHD_stop_daemon(listeners[i].d);
    n_listeners = 0;
    conn_stop();
    log_stop();
}
