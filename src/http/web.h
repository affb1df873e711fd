#ifndef USERD_HTTP_WEB_H
#define USERD_HTTP_WEB_H

/*
 * What the HTTP layer does for web clients, once for every face: CORS
 * (cors.c) and gzip compression (gzip.c). server.c calls these around
 * routing and when it queues an answer; the faces only declare a policy.
 */
#include <microhttpd.h>

#include "http/http.h"

/** Answers over this many bytes are compressed for a client that accepts gzip. */
#define GZIP_MIN_BYTES 1024

/**
 * Checks a face's CORS setting at start: every entry an origin
 * ("https://host[:port]", lower case, no path) or "*" where the policy
 * allows it. 0, or -E_INVALID with the reason logged.
 */
int cors_check(const struct face *f) USERD_MUST_CHECK;
/**
 * A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method)
 * from an allowed origin on a path the face serves: answers it (204) and
 * returns 1. Otherwise 0, and the request is served as without CORS.
 */
int cors_preflight(struct http_req *r);
/**
 * Adds the answer's Vary (Origin when the face's CORS is on, Accept-Encoding
 * when r->vary_coding), Content-Encoding, and the CORS headers for an
 * allowed Origin.
 */
void web_headers(struct http_req *r, struct MHD_Response *resp);

/**
 * RFC 9110 12.5.3: 1 when the Accept-Encoding value accepts gzip with a
 * q-value above 0 (named as gzip or x-gzip, or through "*" when neither is
 * named); 0 otherwise, and when value is NULL.
 */
int gzip_accepted(const char *value);
/**
 * Compresses r->resp in place when it is over GZIP_MIN_BYTES and the client
 * accepts gzip (sets r->gzipped), and sets r->vary_coding for every answer
 * over GZIP_MIN_BYTES. An answer that would not shrink is left as it is.
 */
void gzip_answer(struct http_req *r);

#endif
