#ifndef USERD_HTTP_STATS_H
#define USERD_HTTP_STATS_H

/*
 * The HTTP layer's metrics, per face (docs/operations.md, "Metrics"):
 * requests by route pattern, method and status; their durations by route;
 * requests in flight; open connections. Labels come from the route table,
 * never from the raw path, so every label set is bounded.
 */
#include "http/http.h"

/** Registers face's metrics (once per face; again is a no-op). */
void stats_face(const struct face *f);

/** A request of face f ended with status after us microseconds (r->route NULL: none matched). */
void stats_request(const struct face *f, const struct http_req *r, int status, int64_t us);

/** Requests in flight on f: +1 when its head is in, -1 when it ends. */
void stats_in_flight(const struct face *f, int delta);

/** Open connections on f: +1, -1. */
void stats_conn(const struct face *f, int delta);

#endif
