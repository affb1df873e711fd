/*
 * libmicrohttpd glue. Each listener runs an epoll daemon with its own
 * thread pool; each of those threads holds its own store connection.
 *
 * A request goes RECEIVING (body accumulates up to the cap) -> routed ->
 * either answered on the spot, or handed to the hashing pool while the
 * connection is suspended (SLOW routes) -> DONE -> response queued.
 * Answers are queued on a later call than the first one: queueing in the
 * first call made libmicrohttpd 0.9.75 drop keep-alive.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/config.h"
#include "base/log.h"
#include "http/http.h"
#include "http/pool.h"

enum { ST_RECEIVING, ST_POOL, ST_DONE };

#define MAX_LISTENERS 4
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

const char *http_cookie(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
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

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct listener *l = cls;
    struct arena *a = arena_new();
    struct http_req *r = arena_alloc(a, sizeof(*r));
    r->a = a;
    r->conn = conn;
    r->face = l->face;
    r->raw_uri = arena_strdup(a, uri);
    r->start_us = mono_us();
    request_id(r->request_id, atomic_fetch_add(&req_counter, 1));
    atomic_fetch_add(&in_flight, 1);
    return r;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)conn;
    struct http_req *r = *con_cls;
    if (!r)
        return;
    if (cfg_bool(CFG_log_access) && r->status)
        log_access(r->face->name, r->method ? r->method : "-", r->path ? r->path : "-",
                   toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? r->status : 499,
                   mono_us() - r->start_us, r->request_id);
    free(r->resp);
    arena_free(r->a);
    *con_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
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
    int rc = bind_ctx(r);
    if (rc)
        r->face->fail(r, rc);
    else
        r->face->serve(r);
    if (r->state != ST_DONE)
        r->face->fail(r, -E_INTERNAL); /* a handler that forgot to answer */
}

static void run_on_pool(void *arg)
{
    struct http_req *r = arg;
    run(r);
    MHD_resume_connection(r->conn);
}

static void healthz(struct http_req *r)
{
    int ok = !ctx_health();
    const char *body = ok ? "{\"status\":\"ok\"}" : "{\"status\":\"unavailable\"}";
    http_reply(r, ok ? 200 : 503, "application/json; charset=utf-8", body, strlen(body));
}

static void dispatch(struct http_req *r)
{
    if (r->too_large) {
        r->face->fail(r, -E_TOO_LARGE);
        return;
    }
    if (r->method_bit == M_GET && !strcmp(r->path, "/healthz")) {
        healthz(r);
        return;
    }
    const char *params[HTTP_MAX_PARAMS];
    int rc = http_route(r->face->routes, r->face->n_routes, r->method_bit, r->path, &r->route, params,
                        &r->n_params);
    if (rc) {
        r->face->fail(r, rc);
        return;
    }
    for (int i = 0; i < r->n_params; i++)
        r->params[i] = arena_strdup(r->a, params[i]);
    if (!(r->route->flags & ROUTE_SLOW)) {
        run(r);
        return;
    }
    r->state = ST_POOL;
    MHD_suspend_connection(r->conn);
    if (pool_submit(run_on_pool, r)) {
        r->state = ST_RECEIVING;
        r->face->fail(r, -E_BUSY);
        MHD_resume_connection(r->conn);
    }
}

static enum MHD_Result queue(struct http_req *r)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
    r->resp = NULL; /* owned by the response now */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
    for (int i = 0; i < r->n_hdrs; i++)
        MHD_add_response_header(resp, r->hdr_name[i], r->hdr_value[i]);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)cls, (void)conn, (void)version;
    struct http_req *r = *con_cls;
    if (!r->method) { /* the first call: headers only; answer on a later call */
        r->method = arena_strdup(r->a, method);
        r->path = arena_strdup(r->a, url);
        r->method_bit = http_method_bit(method);
        const char *cl = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
        unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
        r->body = "";
        if (len > (unsigned long long)cfg_int(CFG_http_max_body)) {
            r->too_large = 1;
            if (len > DISCARD_MAX) { /* not worth reading: answer now, the connection closes */
                r->face->fail(r, -E_TOO_LARGE);
                return queue(r);
            }
        }
        return MHD_YES;
    }
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
        dispatch(r);
    }
    if (r->state == ST_POOL)
        return MHD_YES;
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
    struct listener *l = &listeners[n_listeners];
    l->face = face;
    l->d = MHD_start_daemon(
        flags | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, l,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg_int(CFG_http_max_connections),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg_int(CFG_http_timeout),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg_int(CFG_http_max_header),
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, l,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
        MHD_OPTION_END);
    if (l->d)
        n_listeners++;
    return l->d;
}

int http_listen(const struct face *face, const char *addr)
{
    struct sockaddr_storage ss;
    socklen_t slen;
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

int http_pool_start(int threads, int queue) { return pool_start(threads, queue); }

void http_shutdown(int grace_ms)
{
    for (int i = 0; i < n_listeners; i++) {
        MHD_socket s = MHD_quiesce_daemon(listeners[i].d);
        if (s != MHD_INVALID_SOCKET)
            close(s);
    }
    for (int waited = 0; atomic_load(&in_flight) > 0 && waited < grace_ms; waited += 10)
        usleep(10000);
    for (int i = 0; i < n_listeners; i++)
        MHD_stop_daemon(listeners[i].d);
    n_listeners = 0;
    pool_stop();
}
