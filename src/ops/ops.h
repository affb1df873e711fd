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
#include "http/http.h"

extern const struct face ops_face;

/** Answers a JSON error {"error": message} with status. */
void ops_fail(struct http_req *r, int err);
/** Answers {"status": status_word} with HTTP status. */
void ops_status(struct http_req *r, int status, const char *status_word);

/* Handlers (health.c, openapi.c). */
void ops_healthz(struct http_req *r);
void ops_readyz(struct http_req *r);
void ops_openapi(struct http_req *r);

#endif
