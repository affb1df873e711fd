/* The console's overview and audit log pages' data. */
#include <string.h>
#include <time.h>

#include "console/console.h"
#include "core/activity.h"
#include "core/admin.h"
#include "core/apps.h"
#include "core/audit.h"
#include "core/text.h"
#include "ops/ops.h"

static void add_counts(const struct app_counts *k, void *arg)
{
    json_array_append_new(arg, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "app_id", k->app_id, "total",
                                         (json_int_t)k->total, "im", (json_int_t)k->im, "live", (json_int_t)k->live,
                                         "app", (json_int_t)k->app, "disabled", (json_int_t)k->disabled));
}

/*
 * The last n buckets of bucket_ms up to now, oldest first, as
 * [{key: the bucket's start (UTC, strftime fmt), "count": n}].
 */
static json_t *series_json(struct http_req *r, const int64_t *counts, int n, int64_t bucket_ms, const char *key,
                           const char *fmt)
{
    json_t *list = json_array();
    int64_t first = r->ctx.now / bucket_ms - (n - 1);
    for (int i = 0; i < n; i++) {
        char when[24];
        time_t t = (time_t)((first + i) * (bucket_ms / 1000));
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), fmt, &tm);
        json_array_append_new(list, json_pack("{s:s,s:I}", key, when, "count", (json_int_t)counts[i]));
    }
    return list;
}

/* GET /console/api/overview: accounts per app and face, sign-ups per day, sign-ins per hour, the store's state. */
void con_overview(struct http_req *r)
{
    const char *op = con_operator(r);
    if (!op)
        return;
    int64_t days[ACTIVITY_DAYS], hours[ACTIVITY_HOURS];
    json_t *apps = json_array();
    int rc = adm_counts(&r->ctx, add_counts, apps);
    if (!rc)
        rc = activity_signups(&r->ctx, days);
    if (!rc)
        rc = activity_sign_ins(&r->ctx, hours);
    if (rc) {
        json_decref(apps);
        con_fail(r, rc);
        return;
    }
    json_t *signups = series_json(r, days, ACTIVITY_DAYS, ACTIVITY_DAY_MS, "day", "%Y-%m-%d");
    json_t *sign_ins = series_json(r, hours, ACTIVITY_HOURS, ACTIVITY_HOUR_MS, "hour", "%Y-%m-%d %H:00");
    const char *degraded = NULL;
    const char *store = ctx_health(&degraded) ? "unreachable" : degraded ? degraded : "ok";
    con_reply(r, 200, json_pack("{s:o,s:o,s:o,s:s}", "accounts", apps, "signups", signups, "sign_ins", sign_ins,
                                "store", store));
}

/*
 * GET /console/api/metrics: the ops listener's /metrics, for a signed-in
 * operator, so that the overview's "right now" works through a proxy that
 * forwards /console/ only (and keeps /metrics private).
 */
void con_metrics(struct http_req *r)
{
    if (!con_operator(r))
        return;
    con_headers(r);
    http_add_header(r, "Cache-Control", "no-store");
    ops_metrics(r);
}

static json_t *entry_json(const struct audit_entry *e)
{
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)e->id, "at", (json_int_t)e->at,
                     "operator", e->operator_name, "action", e->action, "app_id", e->app_id, "target", e->target,
                     "address", e->address, "detail", e->detail);
}

/* GET /console/api/audit?operator=&action=&app=&before=ID: 50 entries, newest first. */
void con_audit(struct http_req *r)
{
    enum { PAGE = 50 };
    const char *op = con_operator(r), *before_s = http_query(r, "before");
    if (!op)
        return;
    int64_t before = 0;
    struct audit_entry *e = arena_alloc(r->a, sizeof(*e) * PAGE);
    int n = 0;
    const char *f[3] = {http_query(r, "operator"), http_query(r, "action"), http_query(r, "app")};
    int rc = before_s && (text_to_int(before_s, &before) || before < 0) ? http_invalid(r, "before: an entry id") : 0;
    for (int i = 0; i < 3 && !rc; i++)
        if (f[i] && text_check(f[i], strlen(f[i]), 0, AUDIT_TEXT_MAX, 0) != TEXT_OK)
            rc = http_invalid(r, "operator, action, app: up to %d characters of text", AUDIT_TEXT_MAX);
    if (!rc)
        rc = audit_page(&r->ctx, f[0], f[1], f[2], before, PAGE, e, &n);
    if (rc) {
        con_fail(r, rc);
        return;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, entry_json(&e[i]));
    con_reply(r, 200, json_pack("{s:o,s:I}", "entries", list, "next_before", (json_int_t)(n == PAGE ? e[n - 1].id : 0)));
}
