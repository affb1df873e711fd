#ifndef USERD_CONN_H
#define USERD_CONN_H

#include <stdint.h>

/*
 * The TCP connections of every listener, watched from one thread
 * (docs/architecture.md, "Connections"):
 *  - a peer that closes its end is noticed at once (EPOLLRDHUP); unless its
 *    request is being served or still waits in the socket to be read (a
 *    client may send a whole request, then close its side), the connection
 *    is shut 200 ms later, so that libmicrohttpd, whose edge-triggered loop
 *    can miss that end, frees it;
 *  - the request line and headers must be in within http.header_timeout of
 *    the connection's start, or of the first byte of a request that follows
 *    on a kept-alive connection;
 *  - behind a proxy (http.trust_proxy), requests in flight per forwarded
 *    client address are capped at http.max_connections_per_ip.
 * The connection also carries its request, so that a request is freed
 * however libmicrohttpd ends it.
 */

enum conn_phase {
    CONN_HEAD, /* its request line and headers are arriving: the header deadline runs */
    CONN_IDLE, /* kept alive between requests */
    CONN_BODY, /* its head is in, its body is arriving */
    CONN_BUSY  /* its request is being served */
};

struct http_req;

struct http_conn {
    struct http_req *req; /* the request on it, until that request ends; owned by the HTTP layer */
    /* the rest is the watcher's */
    _Atomic uint64_t state; /* phase | since (monotonic ms) << 8 */
    int fd;                 /* -1: a free slot */
    int cut;                /* shut by the watcher already */
    int64_t eof_ms;         /* when the peer's end was seen (0: not yet) */
    uint32_t idx, gen;
};

/** Starts the watcher thread. */
int conn_start(void);
/** Stops it. Call when no listener runs. */
void conn_stop(void);

/** A new connection on socket fd (never NULL). */
struct http_conn *conn_open(int fd);
/** The connection closes (its socket is still open): forget it. */
void conn_close(struct http_conn *hc);
/** The connection enters phase p now. */
void conn_phase(struct http_conn *hc, enum conn_phase p);

/**
 * Counts one more request in flight from client address ip (behind a
 * proxy); -1 when that client already has http.max_connections_per_ip.
 */
int conn_client_enter(const char *ip);
/** The request counted by conn_client_enter(ip) has ended. */
void conn_client_leave(const char *ip);

#endif
