/* The console's overview and audit log pages' data. */
#include <string.h>
#include <time.h>

#include "console/console.h"
#include "core/activity.h"
#include "core/admin.h"
#include "core/apps.h"
#include "core/audit.h"
#include "core/text.h"

static void add_counts(const struct app_counts *k, void *arg)
{
    json_array_append_new(arg, json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "app_id", k->app_id, "total",
                                         (json_int_t)k->total, "im", (json_int_t)k->im, "live", (json_int_t)k->live,
                                         "app", (json_int_t)k->app, "disabled", (json_int_t)k->disabled));
}

static json_t *signups_json(struct http_req *r, const int64_t days[ADM_SIGNUP_DAYS])
{
    json_t *list = json_array();
    int64_t first = r->ctx.now / 86400000 - (ADM_SIGNUP_DAYS - 1);
    for (int i = 0; i < ADM_SIGNUP_DAYS; i++) {
        char day[16];
        time_t t = (time_t)((first + i) * 86400);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(day, sizeof(day), "%Y-%m-%d", &tm);
        json_array_append_new(list, json_pack("{s:s,s:I}", "day", day, "count", (json_int_t)days[i]));
    }
    return list;
}

static json_t *sign_ins_json(struct http_req *r, const int64_t hours[ACTIVITY_HOURS])
{
    json_t *list = json_array();
    int64_t first = r->ctx.now / 3600000 - (ACTIVITY_HOURS - 1);
    for (int i = 0; i < ACTIVITY_HOURS; i++) {
        char hour[24];
        time_t t = (time_t)((first + i) * 3600);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(hour, sizeof(hour), "%Y-%m-%d %H:00", &tm);
        json_array_append_new(list, json_pack("{s:s,s:I}", "hour", hour, "count", (json_int_t)hours[i]));
    }
    return list;
}

/* GET /console/api/overview: accounts per app and face, sign-ups per day, sign-ins per hour, the store's state. */
void con_overview(struct http_req *r)
{
    const char *op = con_operator(r);
    if (!op)
        return;
    int64_t days[ADM_SIGNUP_DAYS], hours[ACTIVITY_HOURS];
    json_t *apps = json_array();
    int rc = adm_counts(&r->ctx, add_counts, apps);
    if (!rc)
        rc = adm_signups(&r->ctx, days);
    if (!rc)
        rc = activity_sign_ins(&r->ctx, hours);
    if (rc) {
        json_decref(apps);
        con_fail(r, rc);
        return;
    }
    con_reply(r, 200, json_pack("{s:o,s:o,s:o,s:s}", "accounts", apps, "signups", signups_json(r, days), "sign_ins",
                                sign_ins_json(r, hours), "store", ctx_health() ? "unreachable" : "ok"));
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
