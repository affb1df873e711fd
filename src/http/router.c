#include <string.h>
#include <strings.h>

#include "http/http.h"

unsigned http_method_bit(const char *m)
{
    if (!strcmp(m, "GET"))
        return M_GET;
    if (!strcmp(m, "POST"))
        return M_POST;
    if (!strcmp(m, "PUT"))
        return M_PUT;
    if (!strcmp(m, "DELETE"))
        return M_DELETE;
    return M_OTHER;
}

/*
 * Matches path against pattern segment by segment; ":name" segments capture
 * (pointing into path copies is the caller's business: we record the start
 * of each capture and its length by writing NULs into scratch).
 */
static int match(const char *pattern, const char *path, char *scratch, const char **params, int *n)
{
    *n = 0;
    const char *p = pattern, *s = path;
    char *w = scratch;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return 0;
        p++, s++;
        const char *pe = strchrnul(p, '/'), *se = strchrnul(s, '/');
        if (*p == ':') {
            if (se == s || *n == HTTP_MAX_PARAMS)
                return 0;
            memcpy(w, s, (size_t)(se - s));
            w[se - s] = '\0';
            params[(*n)++] = w;
            w += se - s + 1;
        } else if (pe - p != se - s || memcmp(p, s, (size_t)(pe - p))) { /* not secret */
            return 0;
        }
        p = pe, s = se;
    }
    return !*p && !*s;
}

int http_route(const struct route *routes, size_t n, unsigned method, const char *path,
               const struct route **out, const char **params, int *n_params)
{
    size_t len = strlen(path);
    if (len > 2048)
        return -E_NO_ROUTE;
    /* Captures are copied into a static-per-thread scratch: callers copy them to their arena. */
    static _Thread_local char scratch[2048 + HTTP_MAX_PARAMS + 1];
    int path_matched = 0;
    for (size_t i = 0; i < n; i++) {
        if (!match(routes[i].pattern, path, scratch, params, n_params))
            continue;
        if (routes[i].methods & method) {
            *out = &routes[i];
            return 0;
        }
        path_matched = 1;
    }
    *n_params = 0;
    return path_matched ? -E_METHOD : -E_NO_ROUTE;
}

unsigned http_route_methods(const struct route *routes, size_t n, const char *path)
{
    static _Thread_local char scratch[2048 + HTTP_MAX_PARAMS + 1];
    const char *params[HTTP_MAX_PARAMS];
    int n_params;
    unsigned methods = 0;
    if (strlen(path) > 2048)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (match(routes[i].pattern, path, scratch, params, &n_params))
            methods |= routes[i].methods;
    return methods;
}

const char *http_method_names(struct arena *a, unsigned methods)
{
    static const char *const names[] = {"GET", "POST", "PUT", "DELETE"};
    const char *s = "";
    for (unsigned i = 0; i < sizeof(names) / sizeof(*names); i++)
        if (methods & (1u << i))
            s = arena_printf(a, "%s%s%s", s, *s ? ", " : "", names[i]);
    return s;
}
