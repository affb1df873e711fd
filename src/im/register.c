/* IM face: POST /user/register/v2. */
#include <sodium.h>
#include <string.h>

#include "core/accounts.h"
#include "core/passwords.h"
#include "im/im.h"

/*
 * Validates {username, password}, hashes the password and creates the
 * account. Shared by register/v2, register/batch and register/push.
 */
int im_create_user(struct http_req *r, json_t *o, struct account *out)
{
    const char *username, *password;
    char hash[crypto_pwhash_STRBYTES];
    int rc;
    if ((rc = jf_str(r, o, "username", 1, 1, USERNAME_MAX, &username)))
        return rc;
    if (acct_check_username(username))
        return http_invalid(r, "username: 1-%d letters, digits or underscores, not all digits", USERNAME_MAX);
    if ((rc = jf_str(r, o, "password", 1, 6, PW_MAX, &password)))
        return rc;
    if ((rc = pw_hash(password, hash)))
        return rc;
    memset(out, 0, sizeof(*out));
    out->app_id = im(r)->app_id;
    out->username = username;
    out->pw_hash = hash;
    rc = acct_create(&r->ctx, out);
    sodium_memzero(hash, sizeof(hash));
    return rc;
}

void im_register_v2(struct http_req *r)
{
    json_t *o = http_json_body(r);
    struct account acct;
    struct user_settings s;
    int rc = o ? im_create_user(r, o, &acct) : -E_INVALID;
    if (!rc)
        rc = acct_settings(&r->ctx, acct.id, &s);
    if (rc)
        im_fail(r, rc);
    else
        im_ok(r, im_settings_json(&s, acct.id));
}
