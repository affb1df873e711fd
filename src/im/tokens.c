/* IM face: POST /token/user, /token/id, /token/login (NOTES.md, "Tokens"). */
#include <string.h>

#include "core/accounts.h"
#include "core/passwords.h"
#include "im/im.h"

/* The body's password, device_guid and platform; the account is found by the caller. */
struct login_body {
    const char *password, *guid;
    int64_t platform;
};

static int parse_login(struct http_req *r, json_t *o, struct login_body *b)
{
    int rc;
    b->guid = NULL;
    b->platform = 0;
    if ((rc = jf_str(r, o, "password", 1, 1, PW_MAX, &b->password)) < 0)
        return rc;
    if ((rc = jf_str(r, o, "device_guid", 0, 1, DEVICE_GUID_MAX, &b->guid)) < 0)
        return rc;
    if ((rc = jf_int(r, o, "platform", 0, 1, 6, &b->platform)) < 0)
        return rc;
    return 0;
}

/* Signs in with the password (the core checks it, under the account's lockout); replies {token, user_id, expire}. */
static void finish(struct http_req *r, const struct login_body *b, const struct account *acct)
{
    const char *token;
    int64_t expire;
    int rc = tok_login_password(&r->ctx, acct, b->password, b->guid, (int)b->platform, &token, &expire);
    if (rc) {
        im_fail(r, rc);
        return;
    }
    im_ok(r, json_pack("{s:s,s:I,s:I}", "token", token, "user_id", (json_int_t)acct->id, "expire",
                       (json_int_t)expire));
}

/* Parses the body, finds the account by the key field (find), then finish(). */
static void token_by(struct http_req *r, const char *key, int numeric)
{
    json_t *o = http_json_body(r);
    struct login_body b;
    struct account acct;
    const char *name = NULL;
    int64_t id = 0;
    int rc = o ? 0 : -E_INVALID;
    if (!rc)
        rc = numeric ? im_j_user_id(r, o, key, 1, &id) : jf_str(r, o, key, 1, 1, 256, &name);
    if (!rc)
        rc = parse_login(r, o, &b);
    if (!rc) {
        if (numeric)
            rc = acct_get(&r->ctx, im(r)->app_id, id, &acct);
        else if (!strcmp(key, "name"))
            rc = acct_find_username(&r->ctx, im(r)->app_id, name, &acct);
        else
            rc = acct_find_login(&r->ctx, im(r)->app_id, name, &acct);
    }
    if (rc)
        im_fail(r, rc);
    else
        finish(r, &b, &acct);
}

void im_token_user(struct http_req *r) { token_by(r, "name", 0); }
void im_token_id(struct http_req *r) { token_by(r, "user_id", 1); }
void im_token_login(struct http_req *r) { token_by(r, "login_name", 0); }
