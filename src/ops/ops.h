#ifndef USERD_OPS_H
#define USERD_OPS_H

/*
 * The ops listener (ops.listen, docs/operations.md): what an operator's
 * tools read, apart from the three faces so that it is never exposed with
 * them. It runs on the same HTTP layer as the faces (src/http), with its
 * own route table (face.c) and plain answers: JSON for health and errors,
 * Prometheus text for /metrics, the embedded OpenAPI documents.
 *
 * A new room served here (the console) adds its routes to the table in
 * face.c and answers with the helpers below.
 */
#include <stdio.h>

#include "http/http.h"

extern const struct face ops_face;

/**
 * Starts the ops listener on ops.listen (nothing when "off") and the
 * background count of accounts per app. Call once, after the faces.
 */
int ops_start(void) USERD_MUST_CHECK;
/** Stops the background work (the listener stops with the others, http_shutdown()). */
void ops_stop(void);

/** Answers a JSON error {"error": message} with status. */
void ops_fail(struct http_req *r, int err);
/** Answers {"status": status_word} with HTTP status. */
void ops_status(struct http_req *r, int status, const char *status_word);

/* Handlers (health.c, openapi.c, metrics.c). */
void ops_healthz(struct http_req *r);
void ops_readyz(struct http_req *r);
void ops_openapi(struct http_req *r);
void ops_metrics(struct http_req *r);

/** Notes the process's start time (process_start_time_seconds). */
void ops_metrics_start(void);

/* The background count of accounts per app (accounts.c). */
int ops_accounts_start(void) USERD_MUST_CHECK;
void ops_accounts_stop(void);
/** Writes userd_accounts from the last count (nothing before the first). */
void ops_accounts_write(FILE *out);

#endif
