/*
 * CORS (the Fetch standard's "CORS protocol") for the faces that web pages
 * call: the IM face (the web SDK's token headers) and the app face (the
 * session cookie). A face declares a policy (struct http_cors); this file
 * applies it to every answer of the face and answers its preflights, so no
 * handler knows about CORS. docs/im.md and docs/app.md, "Web clients", say
 * how it is configured and why these choices:
 *  - an allowed Origin is echoed (never "*" on the wire: one shape of
 *    answer, with or without credentials);
 *  - Vary: Origin on every answer of a face whose CORS is on, allowed
 *    origin or not, so that a shared cache never hands one origin's answer
 *    to another;
 *  - an origin that is not allowed gets no Access-Control-* header and is
 *    served exactly as with CORS off: its preflight is the 405 (or 404) any
 *    OPTIONS request gets, and the browser blocks the call.
 */
#include <string.h>

#include "base/log.h"
#include "http/web.h"

/* How long a browser may keep a preflight's answer: Chromium's cap (Firefox allows a day). */
#define PREFLIGHT_MAX_AGE "7200"

/* The next comma-separated entry of list, white space trimmed: 1 with *start and *len set, or 0 at the end. */
static int next_entry(const char **list, const char **start, size_t *len)
{
    const char *p = *list + strspn(*list, " \t,");
    if (!*p)
        return 0;
    size_t n = strcspn(p, ",");
    *list = p + n;
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    *start = p;
    *len = n;
    return 1;
}

static int cors_on(const struct face *f) { return f->cors && *cfg_str(f->cors->origins); }

/* The request's Origin when the face's list allows it, else NULL. */
static const char *allowed_origin(struct http_req *r)
{
    const char *origin = http_header(r, "Origin");
    if (!cors_on(r->face) || !origin || !*origin)
        return NULL;
    const char *list = cfg_str(r->face->cors->origins), *e;
    size_t n, olen = strlen(origin);
    while (next_entry(&list, &e, &n))
        if ((n == 1 && *e == '*' && r->face->cors->any) || (n == olen && !memcmp(e, origin, n))) /* not secret */
            return origin;
    return NULL;
}

/* "http://host[:port]" or "https://...": lower case, no path, query, user or white space. */
static int is_origin(const char *e, size_t n)
{
    size_t scheme = n > 8 && !strncmp(e, "https://", 8) ? 8 : n > 7 && !strncmp(e, "http://", 7) ? 7 : 0;
    if (!scheme)
        return 0;
    for (size_t i = scheme; i < n; i++)
        if (strchr("/?#@*\\ \t", e[i]) || (e[i] >= 'A' && e[i] <= 'Z'))
            return 0;
    return e[n - 1] != ':';
}

int cors_check(const struct face *f)
{
    if (!cors_on(f))
        return 0;
    const char *list = cfg_str(f->cors->origins), *e;
    size_t n;
    while (next_entry(&list, &e, &n)) {
        if (n == 1 && *e == '*' && f->cors->any)
            continue;
        if (!is_origin(e, n)) {
            log_error("%s face: setting %s.cors_origins: \"%.*s\" is not an origin (want "
                      "scheme://host[:port] in lower case, no path%s)",
                      f->name, f->name, (int)n, e, f->cors->any ? ", or *" : "; * is refused: this face sends a cookie");
            return -E_INVALID;
        }
    }
    return 0;
}

int cors_preflight(struct http_req *r)
{
    if (strcmp(r->method, "OPTIONS") || !http_header(r, "Access-Control-Request-Method") || !allowed_origin(r))
        return 0;
    const struct face *f = r->face;
    const char *methods = f->allow ? f->allow(r)
                                   : http_method_names(r->a, http_route_methods(f->routes, f->n_routes, r->path));
    if (!*methods && !strcmp(r->path, "/healthz"))
        methods = "GET";
    if (!*methods)
        return 0;
    http_reply(r, 204, NULL, "", 0);
    http_add_header(r, "Access-Control-Allow-Methods", methods);
    http_add_header(r, "Access-Control-Allow-Headers", r->face->cors->headers);
    http_add_header(r, "Access-Control-Max-Age", PREFLIGHT_MAX_AGE);
    return 1;
}

void web_headers(struct http_req *r, struct MHD_Response *resp)
{
    int origin = cors_on(r->face);
    if (origin || r->vary_coding)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
                                origin && r->vary_coding ? "Origin, Accept-Encoding"
                                : origin                 ? "Origin"
                                                         : "Accept-Encoding");
    if (r->gzipped)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    const char *allowed = allowed_origin(r);
    if (!allowed)
        return;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
    if (r->face->cors->credentials)
        MHD_add_response_header(resp, "Access-Control-Allow-Credentials", "true");
}
