/*
 * IM face: the account as a whole. POST|DELETE /user/delete,
 * POST|PUT /user/username, POST /user/change_password(_admin),
 * PUT /user/disable, PUT /user/enable, GET /user/list.
 */
#include <string.h>

#include "core/accounts.h"
#include "core/passwords.h"
#include "core/users.h"
#include "im/im.h"

/* Body {"password"}: needed with a user token, not with an admin token (which names the user). */
void im_user_delete(struct http_req *r)
{
    int64_t uid;
    const char *password = NULL;
    int rc = im_target(r, &uid);
    if (!rc && !im(r)->caller.is_admin) {
        json_t *o = r->body_len ? http_json_body(r) : NULL;
        rc = r->body_len && !o ? -E_INVALID : jf_str(r, o, "password", 1, 1, PW_MAX, &password);
    }
    if (!rc)
        rc = users_delete(&r->ctx, im(r)->app_id, uid, password);
    im_done(r, rc);
}

void im_set_username(struct http_req *r)
{
    int64_t uid;
    const char *username;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = im_q_text(r, "username", 1, 1, USERNAME_MAX, &username);
    if (!rc && acct_check_username(username))
        rc = http_invalid(r, "username: 1-%d letters, digits or underscores, not all digits", USERNAME_MAX);
    if (!rc)
        rc = users_set_username(&r->ctx, im(r)->app_id, uid, username);
    if (rc == -E_EXISTS)
        r->why = "the username is taken";
    im_done(r, rc);
}

/* Sets the password of the account acted on; old is NULL for the admin form. */
static void change_password(struct http_req *r, int need_old)
{
    json_t *o = http_json_body(r);
    int64_t uid;
    struct account acct;
    const char *old = NULL, *fresh;
    int rc = o ? im_target(r, &uid) : -E_INVALID;
    if (!rc && need_old)
        rc = jf_str(r, o, "old_password", 1, 1, PW_MAX, &old);
    if (!rc)
        rc = jf_str(r, o, need_old ? "new_password" : "password", 1, 6, PW_MAX, &fresh);
    if (!rc)
        rc = acct_get(&r->ctx, im(r)->app_id, uid, &acct);
    if (!rc) {
        /* A user keeps the token they called with; every other token of the account dies. */
        const char *keep = im(r)->caller.is_admin ? NULL : im(r)->caller.token_hash;
        rc = users_change_password(&r->ctx, &acct, old, fresh, keep);
    }
    im_done(r, rc);
}

void im_change_password(struct http_req *r) { change_password(r, 1); }
void im_change_password_admin(struct http_req *r) { change_password(r, 0); }

/* PUT {"list":[user ids]}: all or none. */
static void set_status(struct http_req *r, int status)
{
    json_t *list, *item;
    size_t i;
    int rc = im_body_list(r, IM_BATCH_MAX, &list);
    if (rc) {
        im_fail(r, rc);
        return;
    }
    int64_t *ids = arena_alloc(r->a, json_array_size(list) * sizeof(*ids)), bad;
    json_array_foreach(list, i, item) {
        if (!json_is_integer(item) || json_integer_value(item) < 1 || json_integer_value(item) > ACCT_ID_MAX) {
            im_fail(r, http_invalid(r, "list[%zu] must be a user id (integer 1 to 2^53-1)", i));
            return;
        }
        ids[i] = json_integer_value(item);
    }
    rc = users_set_status(&r->ctx, im(r)->app_id, ids, json_array_size(list), status, &bad);
    if (rc == -E_USER_UNKNOWN)
        r->why = arena_printf(r->a, "user %lld is not in this app; nothing changed", (long long)bad);
    im_done(r, rc);
}

void im_user_disable(struct http_req *r) { set_status(r, 1); }
void im_user_enable(struct http_req *r) { set_status(r, 0); }

/* ?page_num=1..&page_size=1..200: [{user_id, username, status}] in id order. */
void im_user_list(struct http_req *r)
{
    int64_t num = 1, size = IM_PAGE_SIZE_DEFAULT;
    int n = 0;
    int rc = im_q_int(r, "page_num", 0, 1, IM_PAGE_NUM_MAX, &num);
    if (rc >= 0)
        rc = im_q_int(r, "page_size", 0, 1, IM_PAGE_SIZE_MAX, &size);
    struct account_brief *page = arena_alloc(r->a, (size_t)size * sizeof(*page));
    if (rc >= 0)
        rc = users_page(&r->ctx, im(r)->app_id, num, (int)size, page, &n);
    if (rc) {
        im_fail(r, rc);
        return;
    }
    json_t *out = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(out, json_pack("{s:I,s:s,s:i}", "user_id", (json_int_t)page[i].id, "username",
                                             page[i].username, "status", page[i].status));
    im_ok(r, out);
}
