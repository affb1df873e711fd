/* The HTTP layer's metrics per face (http/stats.h), counted in base/metrics.h's per-thread blocks. */
#include "http/stats.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "base/metrics.h"

#define MAX_FACES 8

/* Status codes with a label of their own; any other counts as "other". */
static const int statuses[] = {200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 405, 408, 409,
                               411, 413, 414, 415, 429, 431, 499, 500, 501, 502, 503, 504};
#define N_STATUS (sizeof(statuses) / sizeof(*statuses) + 1)
static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "other"};
#define N_METHODS (sizeof(methods) / sizeof(*methods))

struct face_stats {
    const struct face *face;
    char face_label[48];
    struct metric requests, duration, in_flight, conns, logins, registrations;
};

static struct face_stats faces[MAX_FACES];
static atomic_int n_faces; /* faces[0..n_faces) are complete: read by every request thread */

/* A face's routes, then /healthz (answered by the HTTP layer), then requests no route matched. */
static size_t n_routes(const struct face *f) { return f->n_routes + 2; }

static const char *route_name(const struct face *f, size_t i)
{
    return i < f->n_routes ? f->routes[i].pattern : i == f->n_routes ? "/healthz" : "unmatched";
}

static size_t route_index(const struct face *f, const struct http_req *r)
{
    if (r->route)
        return (size_t)(r->route - f->routes);
    if (r->method_bit == M_GET && r->path && !strcmp(r->path, "/healthz") && !r->head_status)
        return f->n_routes;
    return f->n_routes + 1;
}

static size_t status_index(int status)
{
    for (size_t i = 0; i < N_STATUS - 1; i++)
        if (statuses[i] == status)
            return i;
    return N_STATUS - 1;
}

static void request_labels(const struct metric *m, size_t slot, char *buf, size_t cap)
{
    const struct face *f = m->arg;
    size_t st = slot % N_STATUS, me = slot / N_STATUS % N_METHODS, ro = slot / N_STATUS / N_METHODS;
    char status[8] = "other";
    if (st < N_STATUS - 1)
        snprintf(status, sizeof(status), "%d", statuses[st]);
    snprintf(buf, cap, "route=\"%s\",method=\"%s\",status=\"%s\"", route_name(f, ro), methods[me], status);
}

static void route_labels(const struct metric *m, size_t slot, char *buf, size_t cap)
{
    snprintf(buf, cap, "route=\"%s\"", route_name(m->arg, slot));
}

/* A result: "ok", or the core error's name in lower case, "password" for E_PASSWORD. */
static void result_labels(const struct metric *m, size_t slot, char *buf, size_t cap)
{
    (void)m;
    const char *name = slot ? err_name((int)slot) + 2 : "ok";
    char lower[32];
    size_t i;
    for (i = 0; name[i] && i < sizeof(lower) - 1; i++)
        lower[i] = (char)tolower((unsigned char)name[i]);
    lower[i] = '\0';
    snprintf(buf, cap, "result=\"%s\"", lower);
}

static struct face_stats *find(const struct face *f)
{
    for (int i = 0, n = atomic_load(&n_faces); i < n; i++)
        if (faces[i].face == f)
            return &faces[i];
    return NULL;
}

void stats_face(const struct face *f)
{
    int n = atomic_load(&n_faces);
    if (find(f) || n == MAX_FACES)
        return;
    struct face_stats *s = &faces[n];
    s->face = f;
    snprintf(s->face_label, sizeof(s->face_label), "face=\"%s\"", f->name);
    s->requests = (struct metric){
        .name = "userd_http_requests_total",
        .help = "HTTP requests answered, by face, route pattern, method and status.",
        .type = METRIC_COUNTER, .n = n_routes(f) * N_METHODS * N_STATUS, .labels = s->face_label,
        .label = request_labels, .arg = f, .hide_zero = 1};
    s->duration = (struct metric){
        .name = "userd_http_request_duration_seconds",
        .help = "Time from a request's first byte to the end of its answer, by face and route pattern.",
        .type = METRIC_HISTOGRAM, .n = n_routes(f), .labels = s->face_label, .label = route_labels, .arg = f,
        .bounds = metric_latency_bounds, .n_bounds = METRIC_LATENCY_N, .hide_zero = 1};
    s->in_flight = (struct metric){
        .name = "userd_http_requests_in_flight",
        .help = "Requests whose head is in and whose answer is not yet sent, by face.",
        .type = METRIC_GAUGE, .n = 1, .labels = s->face_label};
    s->conns = (struct metric){
        .name = "userd_http_connections_open", .help = "Open TCP connections, by face.",
        .type = METRIC_GAUGE, .n = 1, .labels = s->face_label};
    s->logins = (struct metric){
        .name = "userd_logins_total", .help = "Sign-in requests, by face and result (ok, or the core error).",
        .type = METRIC_COUNTER, .n = E__COUNT, .labels = s->face_label, .label = result_labels, .hide_zero = 1};
    s->registrations = s->logins;
    s->registrations.name = "userd_registrations_total";
    s->registrations.help = "Registration requests (a batch counts once), by face and result (ok, or the core error).";
    if (metric_register(&s->requests) || metric_register(&s->duration) || metric_register(&s->in_flight) ||
        metric_register(&s->conns) || metric_register(&s->logins) || metric_register(&s->registrations))
        return;
    atomic_store(&n_faces, n + 1);
}

void stats_request(const struct face *f, const struct http_req *r, int status, int64_t us)
{
    struct face_stats *s = find(f);
    if (!s)
        return;
    size_t ro = route_index(f, r);
    unsigned mb = r->method_bit ? r->method_bit : M_OTHER;
    size_t me = (size_t)__builtin_ctz(mb);
    metric_add(&s->requests, (ro * N_METHODS + (me < N_METHODS ? me : N_METHODS - 1)) * N_STATUS + status_index(status),
               1);
    metric_observe(&s->duration, ro, us);
    if (r->route && (r->route->flags & (ROUTE_LOGIN | ROUTE_REGISTER))) {
        int e = r->err < 0 ? -r->err : r->err;
        metric_add(r->route->flags & ROUTE_LOGIN ? &s->logins : &s->registrations, e < E__COUNT ? (size_t)e : E_INTERNAL,
                   1);
    }
}

void stats_in_flight(const struct face *f, int delta)
{
    struct face_stats *s = find(f);
    if (s)
        metric_add(&s->in_flight, 0, delta);
}

void stats_conn(const struct face *f, int delta)
{
    struct face_stats *s = find(f);
    if (s)
        metric_add(&s->conns, 0, delta);
}
