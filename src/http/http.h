#ifndef USERD_HTTP_H
#define USERD_HTTP_H

/*
 * The HTTP layer (libmicrohttpd): one listener per face, a worker pool per
 * listener, body and header caps, a request id, one access-log line per
 * request, /healthz, and a separate bounded pool for slow (password) work.
 *
 * A face gives a route table and two functions: serve() runs the matched
 * route (auth, handler, envelope) and fail() renders a core error in the
 * face's own format. Handlers read the request through the accessors below
 * and answer with http_reply*().
 */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/config.h"
#include "core/ctx.h"
#include "http/pool.h"

enum http_method { M_GET = 1, M_POST = 2, M_PUT = 4, M_DELETE = 8, M_OTHER = 16 };

/* Route flags. */
/*
 * ROUTE_SLOW: the route hashes or checks a password. It runs on the
 * password-hashing pool, off the HTTP threads, and its request's memory
 * (body, and every copy a handler made in the arena) is zeroed when the
 * request is freed.
 */
#define ROUTE_SLOW 1
/*
 * ROUTE_NO_STORE: the handler does not use the store (r->ctx.db stays
 * NULL), so it answers also while the store is down: the ops listener's
 * health, readiness and metrics.
 */
#define ROUTE_NO_STORE 2
/*
 * ROUTE_LOGIN, ROUTE_REGISTER: the route signs in, or makes accounts; its
 * answers are counted by result (userd_logins_total,
 * userd_registrations_total): "ok", or the core error the face failed with.
 */
#define ROUTE_LOGIN 4
#define ROUTE_REGISTER 8

struct http_req;
struct MHD_Daemon;
typedef void (*handler_fn)(struct http_req *r);

struct route {
    unsigned methods;    /* M_GET | M_POST ... */
    const char *pattern; /* "/user/profile", "/server/user/info/:id" */
    handler_fn fn;
    unsigned flags;
    const void *data; /* for the face: e.g. which settings field a setter sets */
    /**
     * ROUTE_SLOW routes: how many password hashes the request will cost,
     * read from the request before it is admitted to the hashing pool (a
     * batch counts as its items). NULL: one.
     */
    unsigned (*cost)(struct http_req *r);
    /*
     * The query arguments the handler reads, space-separated ("cursor
     * page_size"), or NULL: the route table's record of them, for the face's
     * readers (the IM face reads each from a JSON body too, and refuses to
     * read one a route does not declare) and for documents made from it.
     */
    const char *query;
};
#define ROUTE(methods, pattern, fn, flags) {methods, pattern, fn, flags, NULL, NULL, NULL}
#define ROUTE_DATA(methods, pattern, fn, flags, data) {methods, pattern, fn, flags, data, NULL, NULL}
#define ROUTE_COST(methods, pattern, fn, flags, cost) {methods, pattern, fn, flags, NULL, cost, NULL}
#define ROUTE_Q(methods, pattern, fn, flags, data, query) {methods, pattern, fn, flags, data, NULL, query}

/*
 * A face's CORS policy (src/http/cors.c; docs/im.md and docs/app.md, "Web
 * clients"). The HTTP layer applies it to every answer of the face and
 * answers preflights itself; it is off while the setting is empty.
 */
struct http_cors {
    enum cfg_id origins; /* the setting: comma-separated exact origins */
    int any;             /* "*" may stand in that list (a face without cookies) */
    int credentials;     /* Access-Control-Allow-Credentials: true (the session cookie) */
    const char *headers; /* Access-Control-Allow-Headers: every request header the face reads */
};

struct face {
    const char *name;
    const struct route *routes;
    size_t n_routes;
    /** Runs r->route: authenticate, call the handler, reply. */
    void (*serve)(struct http_req *r);
    /** Replies with a core error (negative) in the face's format. */
    void (*fail)(struct http_req *r, int err);
    /**
     * The methods of r->path as an Allow value ("GET, POST"; "" for none),
     * as the face's 405 answers list them; NULL: the route table's.
     */
    const char *(*allow)(struct http_req *r);
    /** Its CORS policy, or NULL: none (a server-to-server face). */
    const struct http_cors *cors;
    /** Checks the face's settings before it listens (NULL: none); logs why and returns nonzero to refuse. */
    int (*check)(void);
};

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 8 /* response headers a handler may add */

/*
 * The request head (docs/architecture.md, "Limits of a request head"): at
 * most http.max_header bytes for the request line and the header fields,
 * and at most these many fields, query arguments and cookies, and bytes of
 * Cookie headers. libmicrohttpd's per-connection memory is sized from them.
 */
#define HTTP_MAX_FIELDS 100
#define HTTP_MAX_ARGS 256
#define HTTP_MAX_COOKIES 100
#define HTTP_MAX_COOKIE_BYTES 8192

struct http_conn;

struct http_req {
    struct MHD_Connection *conn;
    struct http_conn *hc; /* the TCP connection it came on (http/conn.c) */
    const struct face *face;
    const struct route *route;
    struct ctx ctx; /* store, arena, time, client */
    struct arena *a;
    const char *method, *path; /* path: decoded, no query */
    const char *raw_uri;       /* as received: raw path and query */
    unsigned method_bit;
    char *body; /* NUL-terminated; body_len excludes the NUL */
    size_t body_len, body_cap;
    int too_large;
    const char *params[HTTP_MAX_PARAMS]; /* ":name" captures of the route, in order */
    int n_params;
    char request_id[40];
    int64_t start_us;
    void *face_data; /* the face's per-request state (e.g. the IM caller) */
    const char *why; /* detail for an error answer (no secrets): "username: too long" */
    json_t *json;    /* the parsed body, once http_json_body() has read it */
    int head_status; /* the request line was refused before the head was read (414) */
    int err;         /* the core error the face failed with (0: none): the face's fail() sets it */
    int counted;     /* counted in flight (from its head until its end) */
    int close;       /* close the connection after the answer */
    const char *client_ip; /* behind a proxy: the client counted by conn_client_enter() */
    struct pool_job job;

    /* the answer */
    int state;
    int status;
    const char *content_type;
    char *resp; /* malloc'd */
    size_t resp_len;
    const char *hdr_name[HTTP_MAX_HEADERS], *hdr_value[HTTP_MAX_HEADERS];
    int n_hdrs;
    int gzipped;     /* resp holds the gzip encoding of the answer (http/gzip.c) */
    int vary_coding; /* the answer is large enough to be compressed: Vary: Accept-Encoding */
};

/** A request header (case-insensitive name), or NULL. */
const char *http_header(struct http_req *r, const char *name);
/** A query argument (decoded), or NULL. Repeated keys: the first. */
const char *http_query(struct http_req *r, const char *name);
/** Every value of a repeated query argument, in order; returns how many (at most max). */
size_t http_query_all(struct http_req *r, const char *name, const char **out, size_t max);
/** Calls fn for every request header, in order (name, value). */
void http_each_header(struct http_req *r, void (*fn)(void *, const char *, const char *), void *arg);
/** The client address as text. */
const char *http_client_ip(struct http_req *r);
/**
 * The value of the cookie called exactly name (case-sensitive) in the
 * request's Cookie header(s), or NULL. The first one wins; a quoted value
 * keeps its quotes (it matches no token we issue).
 */
const char *http_cookie(struct http_req *r, const char *name);
/**
 * Finds the cookie called exactly name in one Cookie header value
 * ("a=1; b=2"; also a whole Set-Cookie line sent back as is, as Android
 * clients do). 1 with *val and *len set (pointing into header), or 0.
 */
int http_cookie_find(const char *header, const char *name, const char **val, size_t *len);

/** Answers with body (copied) and content type. */
void http_reply(struct http_req *r, int status, const char *content_type, const char *body, size_t len);
/**
 * Answers with JSON; takes the reference to o. NULL o (an envelope that could
 * not be built) answers 500 with a plain-text body.
 */
void http_reply_json(struct http_req *r, int status, json_t *o);
/**
 * For a face's success reply: 1 when data is NULL (a jansson builder failed,
 * e.g. on a stored value that is not UTF-8), logged; the face then answers
 * its internal error instead of a success without data.
 */
int http_no_data(struct http_req *r, const json_t *data);
/** Adds a response header (strings must outlive the request: arena or static). */
void http_add_header(struct http_req *r, const char *name, const char *value);

/**
 * Finds the route for method and path in a table. Fills r->params.
 * -E_NO_ROUTE when no pattern matches the path, -E_METHOD when one matches
 * but not with this method.
 */
int http_route(const struct route *routes, size_t n, unsigned method, const char *path,
               const struct route **out, const char **params, int *n_params) USERD_MUST_CHECK;

unsigned http_method_bit(const char *method);
/** The methods (M_xxx bits) the table serves for path; 0 when no pattern matches it. */
unsigned http_route_methods(const struct route *routes, size_t n, const char *path);
/**
 * "GET, POST": the methods (M_xxx bits) as an Allow header value, in the
 * order GET, POST, PUT, DELETE. In arena a.
 */
const char *http_method_names(struct arena *a, unsigned methods);

/* ---- errors: each face's table of core error -> its code, HTTP status, message ---- */
struct face_error {
    int err; /* E_xxx (positive) */
    int code, status;
    const char *message;
};
/** The entry for err (negative or positive); the E_INTERNAL entry when err is not listed. */
const struct face_error *face_error_find(const struct face_error *t, size_t n, int err);

/* ---- JSON bodies and their fields ---- */

/**
 * The body parsed as JSON (duplicate keys refused), owned by the request;
 * parsed once, the same object on later calls. NULL with r->why set when
 * it is missing or malformed.
 */
json_t *http_json_body(struct http_req *r);
/**
 * Field readers: 0 and *out set, 1 when an optional field is absent or null
 * (out untouched), or -E_INVALID with r->why naming the field. Strings are
 * bounded in bytes and refused when they hold control characters.
 */
int jf_str(struct http_req *r, json_t *o, const char *key, int required, size_t min, size_t max, const char **out);
int jf_int(struct http_req *r, json_t *o, const char *key, int required, int64_t min, int64_t max, int64_t *out);
int jf_bool(struct http_req *r, json_t *o, const char *key, int required, int *out);
/** Sets r->why (printf) and returns -E_INVALID. */
int http_invalid(struct http_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- server life ---- */

/** Starts a listener for face on "host:port". */
int http_listen(const struct face *face, const char *addr) USERD_MUST_CHECK;
/**
 * For the request fuzzer (tests/fuzz/request.c): face's daemon with the
 * same callbacks and limits as http_listen(), but no listening socket and
 * no thread: the caller hands it connections (MHD_add_connection) and runs
 * it (MHD_run). Stopped by http_shutdown(). NULL on failure.
 */
struct MHD_Daemon *http_daemon_external(const struct face *face);
/**
 * Starts the hashing pool (threads 0: one per core; queue: the hard cap on
 * waiting requests; password.max_wait_ms admits them) and the access-log
 * writer.
 */
int http_pool_start(int threads, int queue) USERD_MUST_CHECK;
/**
 * Stops accepting, answers busy every request still waiting for the
 * hashing pool, waits for requests in flight (up to grace_ms), then stops
 * the listeners, the pool and the log writer.
 */
void http_shutdown(int grace_ms);

#endif
