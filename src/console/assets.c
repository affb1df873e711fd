/*
 * The console's page and assets (src/console/assets/), built into the
 * binary (base/embed.h): the page needs nothing from the network and
 * nothing on disk at run time.
 */
#include "base/embed.h"
#include "console/console.h"

EMBED_FILE(con_index_html, "src/console/assets/index.html");
EMBED_FILE(con_css, "src/console/assets/console.css");
EMBED_FILE(con_js, "src/console/assets/console.js");
EMBED_FILE(con_icon, "src/console/assets/icon.svg");

static const struct embed assets[] = {
    EMBED_ENTRY(con_css, "console.css", "text/css; charset=utf-8"),
    EMBED_ENTRY(con_js, "console.js", "text/javascript; charset=utf-8"),
    EMBED_ENTRY(con_icon, "icon.svg", "image/svg+xml"),
};

static void send(struct http_req *r, const struct embed *e)
{
    con_headers(r);
    http_add_header(r, "Cache-Control", "no-cache");
    http_reply(r, 200, e->type, (const char *)e->start, embed_len(e));
}

/* GET /console: the page is /console/ (its assets are relative to it). */
void con_redirect(struct http_req *r)
{
    con_headers(r);
    http_add_header(r, "Location", "/console/");
    http_reply(r, 308, "text/plain; charset=utf-8", "/console/\n", 10);
}

/* GET /console/: the one page; its script shows the sign-in form or the console. */
void con_index(struct http_req *r)
{
    static const struct embed page = EMBED_ENTRY(con_index_html, "index.html", "text/html; charset=utf-8");
    send(r, &page);
}

/* GET /console/assets/:file */
void con_asset(struct http_req *r)
{
    const struct embed *e = embed_find(assets, sizeof(assets) / sizeof(*assets), r->params[0]);
    if (!e) {
        con_fail(r, -E_NOT_FOUND);
        return;
    }
    send(r, e);
}
