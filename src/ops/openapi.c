/*
 * GET /openapi/{im,live,app}.json: the faces' OpenAPI documents
 * (docs/openapi/), built into the binary (base/embed.h), so that a client
 * team reads the description of exactly the build that serves them.
 */
#include "base/embed.h"
#include "ops/ops.h"

EMBED_FILE(openapi_im, "docs/openapi/im.json");
EMBED_FILE(openapi_live, "docs/openapi/live.json");
EMBED_FILE(openapi_app, "docs/openapi/app.json");

static const struct embed documents[] = {
    EMBED_ENTRY(openapi_im, "im.json", "application/json"),
    EMBED_ENTRY(openapi_live, "live.json", "application/json"),
    EMBED_ENTRY(openapi_app, "app.json", "application/json"),
};

void ops_openapi(struct http_req *r)
{
    const struct embed *e = embed_find(documents, sizeof(documents) / sizeof(*documents), r->params[0]);
    if (!e) {
        r->why = "the documents are im.json, live.json and app.json";
        ops_fail(r, -E_NOT_FOUND);
        return;
    }
    http_reply(r, 200, e->type, (const char *)e->start, embed_len(e));
}
