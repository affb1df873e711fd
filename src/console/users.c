/*
 * The console's users: the search within an app by every kind of id, a
 * user's page, and the actions (disable, enable, sign out everywhere, reset
 * the password, delete), each the faces' own core function, each written to
 * the audit log.
 */
#include <string.h>

#include "console/console.h"
#include "core/accounts.h"
#include "core/admin.h"
#include "core/apps.h"
#include "core/devices.h"
#include "core/secret.h"
#include "core/text.h"
#include "core/users.h"

#define RESET_PASSWORD_BYTES 12 /* a generated password: 16 characters */

/* An account as a list shows it. */
static json_t *brief_json(struct http_req *r, const struct account *u)
{
    char appface[APPID_BUF] = "";
    if (adm_appface_id(&r->ctx, u->id, appface))
        appface[0] = '\0';
    return json_pack("{s:I,s:s?,s:s,s:s?,s:s?,s:s?,s:s,s:b,s:I}", "id", (json_int_t)u->id, "username",
                     u->username[0] ? u->username : NULL, "nick", u->nick, "mobile", u->mobile[0] ? u->mobile : NULL,
                     "region", u->region[0] ? u->region : NULL, "live_uid", u->live_uid[0] ? u->live_uid : NULL,
                     "appface_id", appface, "disabled", u->status != 0, "created_at", (json_int_t)u->created_at);
}

/* GET /console/api/apps/:app/users?by=id|username|nick|mobile|live|appface|all&q=...&page=N */
void con_users(struct http_req *r)
{
    const char *op = con_operator(r), *by_s = http_query(r, "by"), *q = http_query(r, "q"), *page_s;
    if (!op)
        return;
    enum adm_by by;
    int64_t page = 1;
    int rc = by_s && !adm_by_name(by_s, &by) ? 0 : http_invalid(r, "by: one of id username nick mobile live appface all");
    if (!rc && (page_s = http_query(r, "page")) && (text_to_int(page_s, &page) || page < 1))
        rc = http_invalid(r, "page: a number from 1");
    struct account *found = arena_alloc(r->a, sizeof(*found) * (ADM_PAGE_MAX + 1));
    int n = 0, more = 0;
    if (!rc)
        rc = adm_search(&r->ctx, r->params[0], by, q ? q : "", page, ADM_PAGE_MAX, found, &n, &more);
    if (rc == -E_INVALID && !r->why)
        r->why = "q: 1-256 characters";
    if (rc) {
        con_fail(r, rc);
        return;
    }
    json_t *list = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(list, brief_json(r, &found[i]));
    con_reply(r, 200, json_pack("{s:o,s:I,s:b}", "users", list, "page", (json_int_t)page, "more", more));
}

static json_t *devices_json(const struct device_page *d)
{
    json_t *list = json_array();
    for (int i = 0; i < d->n; i++)
        json_array_append_new(list, json_pack("{s:I,s:i,s:s,s:b,s:I}", "device_sn", (json_int_t)d->items[i].device_sn,
                                              "platform", d->items[i].platform, "user_agent", d->items[i].user_agent,
                                              "push", d->items[i].device_token[0] != '\0', "updated_at",
                                              (json_int_t)d->items[i].updated_at));
    return list;
}

/* GET /console/api/apps/:app/users/:id */
void con_user(struct http_req *r)
{
    const char *op = con_operator(r);
    if (!op)
        return;
    struct adm_user u;
    int64_t id = con_param_id(r, 1);
    int rc = id < 0 ? -E_USER_UNKNOWN : adm_user(&r->ctx, r->params[0], id, &u);
    if (rc) {
        con_fail(r, rc);
        return;
    }
    const struct account *a = &u.acct;
    json_t *o = brief_json(r, a);
    json_t *more = json_pack("{s:s,s:s,s:s?,s:s,s:I,s:{s:b,s:b,s:b},s:I,s:I,s:o,s:b}", "app_id", a->app_id, "avatar",
                             a->avatar, "email", a->email[0] ? a->email : NULL, "gender", a->gender, "updated_at",
                             (json_int_t)a->updated_at, "faces", "im", 1, "live", a->live_uid[0] != '\0', "app",
                             a->region[0] && a->mobile[0], "tokens", (json_int_t)u.tokens, "sessions",
                             (json_int_t)u.sessions, "devices", devices_json(&u.devices), "more_devices",
                             u.devices.next_after != 0);
    if (!o || !more || json_object_update(o, more)) {
        json_decref(o);
        o = NULL;
    }
    json_decref(more);
    con_reply(r, 200, o);
}

/* The account the route names, read (so the audit names it), or an answer already sent. */
static int target(struct http_req *r, struct account *out)
{
    int64_t id = con_param_id(r, 1);
    struct app app;
    int rc = app_get(&r->ctx, r->params[0], &app);
    if (!rc)
        rc = id < 0 ? -E_USER_UNKNOWN : acct_get(&r->ctx, r->params[0], id, out);
    if (rc)
        con_fail(r, rc);
    return rc;
}

/* The audit entry of an action on account a: its id as the target, its username (or nickname) as the detail. */
static void audit_user(struct http_req *r, const char *op, const char *action, const struct account *a)
{
    con_audit_add(r, op, action, a->app_id, arena_printf(r->a, "%lld", (long long)a->id),
                  a->username[0] ? a->username : a->nick);
}

/* POST /console/api/apps/:app/users/:id/reset: a generated password, shown once (hashing pool). */
void con_user_reset(struct http_req *r)
{
    const char *op = con_operator(r);
    struct account a;
    if (!op || target(r, &a))
        return;
    const char *fresh = sec_token(r->a, RESET_PASSWORD_BYTES);
    int rc = users_change_password(&r->ctx, &a, NULL, fresh, NULL);
    if (rc) {
        con_fail(r, rc);
        return;
    }
    audit_user(r, op, "user.reset_password", &a);
    con_reply(r, 200, json_pack("{s:s}", "password", fresh));
}

/* POST /console/api/apps/:app/users/:id/{disable,enable,kick,delete} */
void con_user_action(struct http_req *r)
{
    const char *op = con_operator(r), *action = r->params[2];
    struct account a;
    int64_t bad;
    int rc;
    if (!op)
        return;
    if (strcmp(action, "disable") && strcmp(action, "enable") && strcmp(action, "kick") && strcmp(action, "delete")) {
        con_fail(r, -E_NOT_FOUND);
        return;
    }
    if (target(r, &a))
        return;
    if (!strcmp(action, "kick"))
        rc = users_sign_out(&r->ctx, a.app_id, a.id);
    else if (!strcmp(action, "delete"))
        rc = users_delete(&r->ctx, a.app_id, a.id, NULL);
    else
        rc = users_set_status(&r->ctx, a.app_id, &a.id, 1, !strcmp(action, "disable"), &bad);
    if (rc) {
        con_fail(r, rc);
        return;
    }
    audit_user(r, op, arena_printf(r->a, "user.%s", action), &a);
    con_reply(r, 200, json_pack("{s:b}", "ok", 1));
}
