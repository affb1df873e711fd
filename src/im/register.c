/* IM face: POST /user/register/v2, /user/register/batch, /user/register/push. */
#include <string.h>

#include "core/accounts.h"
#include "core/devices.h"
#include "core/passwords.h"
#include "core/push.h"
#include "core/settings.h"
#include "im/im.h"

/* Validates username and password (the core hashes the password). */
static int parse_user(struct http_req *r, json_t *o, const char **username, const char **password)
{
    int rc;
    if ((rc = jf_str(r, o, "username", 1, 1, USERNAME_MAX, username)))
        return rc;
    if (acct_check_username(*username))
        return http_invalid(r, "username: 1-%d letters, digits or underscores, not all digits", USERNAME_MAX);
    return jf_str(r, o, "password", 1, 6, PW_MAX, password);
}

/* Validates {username, password} and creates the account. Shared by register/v2 and register/batch. */
int im_create_user(struct http_req *r, json_t *o, struct account *out)
{
    const char *password;
    memset(out, 0, sizeof(*out));
    int rc = parse_user(r, o, &out->username, &password);
    if (!rc) {
        out->app_id = im(r)->app_id;
        rc = acct_create_password(&r->ctx, out, password);
    }
    return rc;
}

/* Replies with the new account's settings object. */
static void reply_settings(struct http_req *r, int64_t id)
{
    struct user_settings s;
    int rc = acct_settings(&r->ctx, id, &s);
    if (rc)
        im_fail(r, rc);
    else
        im_ok(r, im_settings_json(&s, id));
}

void im_register_v2(struct http_req *r)
{
    json_t *o = http_json_body(r);
    struct account acct;
    int rc = o ? im_create_user(r, o, &acct) : -E_INVALID;
    if (rc)
        im_fail(r, rc);
    else
        reply_settings(r, acct.id);
}

/* Each item on its own: a bad or taken one fails alone, with its reason. */
static json_t *register_item(struct http_req *r, json_t *item)
{
    struct account acct;
    json_t *name = json_is_object(item) ? json_object_get(item, "username") : NULL;
    int rc = im_create_user(r, item, &acct);
    return json_pack("{s:I,s:s,s:b,s:s}", "user_id", (json_int_t)(rc ? 0 : acct.id), "username",
                     json_is_string(name) ? json_string_value(name) : "", "success", !rc, "reason",
                     rc ? im_reason(r, rc) : "");
}

void im_register_batch(struct http_req *r) { im_batch(r, register_item); }

/* {username, password, device_guid?, alias?, push_token?, sign?}: the account, its push settings and device. */
void im_register_push(struct http_req *r)
{
    json_t *o = http_json_body(r);
    struct push_user u;
    const char *sign;
    int rc = o ? 0 : -E_INVALID;
    memset(&u, 0, sizeof(u));
    if (!rc && (rc = jf_str(r, o, "device_guid", 0, 1, DEVICE_GUID_MAX, &u.guid)) > 0)
        rc = 0;
    if (!rc && (rc = im_j_text(r, o, "alias", 0, 0, SETTINGS_ALIAS_MAX, 0, &u.alias)) > 0)
        rc = 0;
    if (!rc && (rc = jf_str(r, o, "push_token", 0, 0, SETTINGS_PUSH_TOKEN_MAX, &u.push_token)) > 0)
        rc = 0;
    if (!rc && u.push_token && *u.push_token && dev_check_push_token(u.push_token, SETTINGS_PUSH_TOKEN_MAX))
        rc = http_invalid(r, "push_token must be printable ASCII without spaces");
    if (!rc && (rc = jf_str(r, o, "sign", 0, 0, IM_SIGN_MAX, &sign)) > 0)
        rc = 0;
    if (!rc)
        rc = parse_user(r, o, &u.acct.username, &u.password);
    if (!rc) {
        u.acct.app_id = im(r)->app_id;
        rc = push_register(&r->ctx, &u);
    }
    if (rc)
        im_fail(r, rc);
    else
        reply_settings(r, u.acct.id);
}
