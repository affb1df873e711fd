/*
 * Connections: a table of every open connection, a watcher thread, and the
 * per-client request caps behind a proxy (conn.h says what and why).
 *
 * The table is what makes it safe to act on a socket from the watcher: a
 * connection leaves it (conn_close, under the lock) before libmicrohttpd
 * closes the socket, and the watcher shuts a socket only under that lock,
 * so it never touches a descriptor number that was closed and reused. The
 * phases are set without the lock (an atomic word per connection); a stale
 * read only moves a decision by one step.
 */
#include "http/conn.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/errors.h"
#include "base/log.h"

#define TICK_MS 1000
/* A peer's end is acted on this long after it was seen: a client may send a whole request and close its side. */
#define EOF_GRACE_MS 200
/* Data that came this close to the end of the previous answer may belong to that request (clock granularity). */
#define IDLE_MARGIN_MS 100

static struct {
    pthread_mutex_t mu;
    struct http_conn **tab;
    uint32_t *free_idx;
    uint32_t cap, used, n_free;
    int ep, wake;
    pthread_t thread;
    int running;
} W = {.mu = PTHREAD_MUTEX_INITIALIZER, .ep = -1, .wake = -1};

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t pack(int64_t since, enum conn_phase p) { return (uint64_t)since << 8 | (uint64_t)p; }

void conn_phase(struct http_conn *hc, enum conn_phase p) { atomic_store(&hc->state, pack(mono_ms(), p)); }

struct http_conn *conn_open(int fd)
{
    pthread_mutex_lock(&W.mu);
    uint32_t idx;
    if (W.n_free) {
        idx = W.free_idx[--W.n_free];
    } else {
        if (W.used == W.cap) {
            W.cap = W.cap ? W.cap * 2 : 1024;
            W.tab = xrealloc(W.tab, W.cap * sizeof(*W.tab));
            W.free_idx = xrealloc(W.free_idx, W.cap * sizeof(*W.free_idx));
        }
        idx = W.used++;
        W.tab[idx] = xcalloc(1, sizeof(struct http_conn));
    }
    struct http_conn *hc = W.tab[idx];
    hc->idx = idx;
    hc->gen++;
    hc->fd = fd;
    hc->cut = 0;
    hc->eof_ms = 0;
    hc->req = NULL;
    atomic_store(&hc->state, pack(mono_ms(), CONN_HEAD));
    /* One report of the peer's end, then the socket leaves our set: shutting it makes more. */
    struct epoll_event ev = {.events = EPOLLRDHUP | EPOLLONESHOT, .data.u64 = (uint64_t)idx << 32 | hc->gen};
    int ep = W.ep;
    pthread_mutex_unlock(&W.mu);
    if (ep >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev))
        log_warn("http: cannot watch a connection: %s", strerror(errno));
    return hc;
}

void conn_close(struct http_conn *hc)
{
    pthread_mutex_lock(&W.mu);
    hc->fd = -1;
    hc->gen++;
    W.free_idx[W.n_free++] = hc->idx;
    pthread_mutex_unlock(&W.mu);
}

/* Ends a connection from outside libmicrohttpd's thread: it sees the shut socket and closes it (W.mu held). */
static void cut(struct http_conn *hc)
{
    if (!hc->cut)
        shutdown(hc->fd, SHUT_RDWR);
    hc->cut = 1;
}

/* The peer closed its end (W.mu held): see to it in EOF_GRACE_MS. */
static void peer_closed(uint64_t key, int64_t now)
{
    uint32_t idx = (uint32_t)(key >> 32), gen = (uint32_t)key;
    if (idx >= W.used)
        return;
    struct http_conn *hc = W.tab[idx];
    if (hc->fd >= 0 && hc->gen == gen && !hc->eof_ms)
        hc->eof_ms = now;
}

/*
 * A connection whose peer closed its end a while ago (W.mu held). Its
 * request, if any, can no longer grow: unless it is being served, or bytes
 * wait in the socket for libmicrohttpd to read (a whole request sent before
 * the close), there is nothing left to do on it.
 */
static void after_eof(struct http_conn *hc, uint64_t st)
{
    int unread = 0;
    if ((st & 0xff) == CONN_BUSY || (!ioctl(hc->fd, FIONREAD, &unread) && unread > 0))
        return; /* look again later */
    cut(hc);
}

/*
 * A kept-alive connection idle for longer than the header deadline: has a
 * request begun on it since (W.mu held)? The kernel knows when data last
 * came in; if that is after the previous answer, the head has been arriving
 * since then at least, and the deadline runs from there.
 */
static void idle_check(struct http_conn *hc, uint64_t st, int64_t now)
{
    int64_t since = (int64_t)(st >> 8);
    struct tcp_info ti;
    socklen_t len = sizeof(ti);
    if (getsockopt(hc->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) || len < sizeof(ti))
        return;
    int64_t last_data = now - (int64_t)ti.tcpi_last_data_recv;
    if (last_data > since + IDLE_MARGIN_MS)
        atomic_compare_exchange_strong(&hc->state, &st, pack(last_data, CONN_HEAD));
}

/* Every EOF_GRACE_MS: the peers that closed; with deadlines (once a TICK_MS), the heads late (W.mu held). */
static void scan(int64_t now, int deadlines)
{
    int64_t head_ms = cfg_int(CFG_http_header_timeout) * 1000;
    for (uint32_t i = 0; i < W.used; i++) {
        struct http_conn *hc = W.tab[i];
        if (hc->fd < 0 || hc->cut)
            continue;
        uint64_t st = atomic_load(&hc->state);
        if (hc->eof_ms && now - hc->eof_ms >= EOF_GRACE_MS)
            after_eof(hc, st);
        int64_t since = (int64_t)(st >> 8);
        if (!deadlines || hc->cut || now - since <= head_ms)
            continue;
        if ((st & 0xff) == CONN_HEAD)
            cut(hc);
        else if ((st & 0xff) == CONN_IDLE)
            idle_check(hc, st, now);
    }
}

static void *watch(void *unused)
{
    (void)unused;
    pthread_setname_np(pthread_self(), "userd-conns");
    struct epoll_event evs[64];
    int64_t next_tick = mono_ms() + EOF_GRACE_MS, next_deadlines = mono_ms() + TICK_MS;
    for (;;) {
        int64_t now = mono_ms();
        int n = epoll_wait(W.ep, evs, 64, next_tick > now ? (int)(next_tick - now) : 0);
        if (n < 0 && errno != EINTR)
            break;
        int stop = 0;
        pthread_mutex_lock(&W.mu);
        now = mono_ms();
        for (int i = 0; i < n; i++) {
            if (evs[i].data.u64 == UINT64_MAX)
                stop = 1;
            else
                peer_closed(evs[i].data.u64, now);
        }
        if (now >= next_tick) {
            int deadlines = now >= next_deadlines;
            scan(now, deadlines);
            if (deadlines)
                next_deadlines = now + TICK_MS;
            next_tick = now + EOF_GRACE_MS;
        }
        pthread_mutex_unlock(&W.mu);
        if (stop)
            break;
    }
    return NULL;
}

int conn_start(void)
{
    if (W.running)
        return 0;
    W.ep = epoll_create1(EPOLL_CLOEXEC);
    W.wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = UINT64_MAX};
    if (W.ep < 0 || W.wake < 0 || epoll_ctl(W.ep, EPOLL_CTL_ADD, W.wake, &ev) ||
        pthread_create(&W.thread, NULL, watch, NULL)) {
        log_error("http: cannot start the connection watcher: %s", strerror(errno));
        return -E_INTERNAL;
    }
    W.running = 1;
    return 0;
}

void conn_stop(void)
{
    if (W.running) {
        uint64_t one = 1;
        if (write(W.wake, &one, sizeof(one)) != sizeof(one))
            log_warn("http: cannot wake the connection watcher");
        pthread_join(W.thread, NULL);
        W.running = 0;
    }
    if (W.ep >= 0)
        close(W.ep);
    if (W.wake >= 0)
        close(W.wake);
    W.ep = W.wake = -1;
    for (uint32_t i = 0; i < W.used; i++)
        free(W.tab[i]);
    free(W.tab);
    free(W.free_idx);
    W.tab = NULL;
    W.free_idx = NULL;
    W.cap = W.used = W.n_free = 0;
}

/* ---- requests in flight per client, behind a proxy ---- */

struct client {
    struct client *next;
    int n;
    char ip[];
};

#define CLIENT_BUCKETS 1024

static struct {
    pthread_mutex_t mu;
    struct client *b[CLIENT_BUCKETS];
} CL = {.mu = PTHREAD_MUTEX_INITIALIZER};

static struct client **client_slot(const char *ip)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = ip; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    struct client **c = &CL.b[h % CLIENT_BUCKETS];
    while (*c && strcmp((*c)->ip, ip))
        c = &(*c)->next;
    return c;
}

int conn_client_enter(const char *ip)
{
    int64_t cap = cfg_int(CFG_http_max_connections_per_ip);
    if (!cap)
        return 0;
    pthread_mutex_lock(&CL.mu);
    struct client **c = client_slot(ip);
    int rc = 0;
    if (!*c) {
        size_t n = strlen(ip) + 1;
        *c = xcalloc(1, sizeof(**c) + n);
        memcpy((*c)->ip, ip, n);
    }
    if ((*c)->n >= cap)
        rc = -1;
    else
        (*c)->n++;
    pthread_mutex_unlock(&CL.mu);
    return rc;
}

void conn_client_leave(const char *ip)
{
    pthread_mutex_lock(&CL.mu);
    struct client **c = client_slot(ip);
    if (*c && --(*c)->n <= 0) {
        struct client *dead = *c;
        *c = dead->next;
        free(dead);
    }
    pthread_mutex_unlock(&CL.mu);
}
