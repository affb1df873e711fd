/* App face: sign-up, sign-in, sessions, passwords, IM and upload tokens. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "base/config.h"
#include "core/passwords.h"
#include "core/qiniu.h"
#include "core/secret.h"
#include "core/sms.h"
#include "core/users.h"

/* A string field, or NULL when absent or not a string (holding a NUL counts as not a string). */
static const char *str_field(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return json_string_value(v);
}

/* A password to check against the stored hash: any 1-PW_MAX bytes. */
static int bad_given_password(const char *pw) { return !pw || !*pw || strlen(pw) > PW_MAX; }

/* POST /user/check_phone_available {region, phone} -> result true|false */
void app_check_phone_available(struct http_req *r)
{
    json_t *o = app_body(r);
    const char *region, *phone;
    int available = 0;
    int rc = o ? app_body_phone(r, o, &region, &phone) : -E_INVALID;
    if (!rc)
        rc = au_phone_available(&r->ctx, app(r)->app_id, region, phone, &available);
    if (rc)
        app_fail(r, rc);
    else
        app_ok(r, json_boolean(available));
}

/* POST /user/register {nickname, password, verification_token}; checks in the real server's order. */
void app_register(struct http_req *r)
{
    json_t *o = app_body(r);
    if (!o) {
        app_fail(r, -E_INVALID);
        return;
    }
    const char *nick = str_field(o, "nickname"), *pw = str_field(o, "password");
    const char *vtoken = str_field(o, "verification_token"), *session;
    struct account acct;
    enum au_pw_problem bad_pw = au_check_password(pw);
    int rc = 0;
    if (bad_pw == AU_PW_SPACE)
        rc = http_invalid(r, "Password must have no space.");
    else if (!nick || au_check_nick(nick))
        rc = http_invalid(r, "Length of nickname invalid.");
    else if (bad_pw)
        rc = http_invalid(r, "Length of password invalid.");
    else if (!vtoken || !sec_is_uuid(vtoken))
        rc = http_invalid(r, "Invalid verification_token.");
    else
        rc = au_register(&r->ctx, app(r)->app_id, nick, pw, vtoken, &acct, &session);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    app_set_session(r, session);
    app_ok(r, json_pack("{s:s}", "id", app_uid(r, acct.id)));
}

/* POST /user/login {region, phone, password} -> {id, token}; sets the session cookie. */
void app_login(struct http_req *r)
{
    json_t *o = app_body(r);
    const char *region, *phone, *pw = NULL, *session, *im_token;
    struct account acct;
    int rc = o ? app_body_phone(r, o, &region, &phone) : -E_INVALID;
    if (!rc && bad_given_password(pw = str_field(o, "password")))
        rc = http_invalid(r, "Invalid password.");
    if (!rc)
        rc = au_login(&r->ctx, app(r)->app_id, region, phone, pw, &acct, &session, &im_token);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    app_set_session(r, session);
    app_ok(r, json_pack("{s:s,s:s}", "id", app_uid(r, acct.id), "token", im_token));
}

/* POST /user/logout: ends this session and clears the cookie. */
void app_logout(struct http_req *r)
{
    int rc = au_logout(&r->ctx, app(r)->session_hash);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    app_clear_session(r);
    app_ok_empty(r);
}

/* POST /user/reset_password {password, verification_token} */
void app_reset_password(struct http_req *r)
{
    json_t *o = app_body(r);
    if (!o) {
        app_fail(r, -E_INVALID);
        return;
    }
    const char *pw = str_field(o, "password"), *vtoken = str_field(o, "verification_token");
    enum au_pw_problem bad_pw = au_check_password(pw);
    int rc;
    if (bad_pw == AU_PW_SPACE)
        rc = http_invalid(r, "Password must have no space.");
    else if (bad_pw)
        rc = http_invalid(r, "Length of password invalid.");
    else if (!vtoken || !sec_is_uuid(vtoken))
        rc = http_invalid(r, "Invalid verification_token.");
    else
        rc = au_reset_password(&r->ctx, app(r)->app_id, vtoken, pw);
    if (rc)
        app_fail(r, rc);
    else
        app_ok_empty(r);
}

/* POST /user/change_password {oldPassword, newPassword} */
void app_change_password(struct http_req *r)
{
    json_t *o = app_body(r);
    if (!o) {
        app_fail(r, -E_INVALID);
        return;
    }
    const char *old_pw = str_field(o, "oldPassword"), *new_pw = str_field(o, "newPassword");
    enum au_pw_problem bad_pw = au_check_password(new_pw);
    int rc;
    if (bad_pw == AU_PW_SPACE)
        rc = http_invalid(r, "New password must have no space.");
    else if (bad_pw)
        rc = http_invalid(r, "Invalid new password length.");
    else if (bad_given_password(old_pw))
        rc = http_invalid(r, "Invalid old password.");
    else
        rc = au_change_password(&r->ctx, &app(r)->me, old_pw, new_pw, app(r)->session_hash);
    if (rc)
        app_fail(r, rc);
    else
        app_ok_empty(r);
}

/*
 * GET|POST /user/get_token -> {id, userId, token}: a new IM token. The
 * document and the 2019 server say userId, the later server id; both
 * generations of both apps read id.
 */
void app_get_token(struct http_req *r)
{
    const char *token, *id = app_uid(r, app(r)->me.id);
    int rc = au_im_token(&r->ctx, &app(r)->me, &token);
    if (rc)
        app_fail(r, rc);
    else
        app_ok(r, json_pack("{s:s,s:s,s:s}", "id", id, "userId", id, "token", token));
}

/* An optional string field of 0-max bytes that is stored nowhere (the apps' channel, os, version). */
static int idle_field(struct http_req *r, json_t *o, const char *key, size_t max)
{
    const char *ignored;
    if (jf_str(r, o, key, 0, 0, max, &ignored) < 0)
        return http_invalid(r, "Invalid %s.", key);
    return 0;
}

/*
 * POST /user/verify_code_register {region, phone, code, channel?, os?,
 * version?} -> {id, token, nickName}: the current apps' sign-in by SMS code
 * alone, creating the account of a new phone; sets the session cookie.
 */
void app_verify_code_register(struct http_req *r)
{
    json_t *o = app_body(r);
    const char *region, *phone, *code, *session, *im_token;
    struct account acct;
    int rc = o ? app_body_phone(r, o, &region, &phone) : -E_INVALID;
    if (!rc && app_text_or_int(r, o, "code", 1, SMS_CODE_MAX, &code))
        rc = http_invalid(r, "Invalid verification code.");
    if (!rc)
        rc = idle_field(r, o, "channel", 64);
    if (!rc)
        rc = idle_field(r, o, "os", 64);
    if (!rc)
        rc = idle_field(r, o, "version", 64);
    if (!rc)
        rc = au_sms_sign_in(&r->ctx, app(r)->app_id, region, phone, code, &acct, &session, &im_token);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    app_set_session(r, session);
    app_ok(r, json_pack("{s:s,s:s,s:s}", "id", app_uid(r, acct.id), "token", im_token, "nickName",
                        app_nick(r, acct.nick)));
}

/*
 * POST /user/del (iOS) and GET /user/del (Android): deletes the signed-in
 * account and everything of it (users_delete, as the IM face's delete: its
 * sessions and IM tokens end with it) and clears the cookie. A GET that a
 * browser marks as coming from another site (Sec-Fetch-Site) is refused:
 * SameSite=Lax cookies ride along on a cross-site link, so a page could
 * otherwise delete its visitor's account.
 */
void app_del(struct http_req *r)
{
    const char *site = http_header(r, "Sec-Fetch-Site");
    int rc = 0;
    if (r->method_bit == M_GET && site && strcmp(site, "same-origin") && strcmp(site, "none"))
        rc = http_invalid(r, "A browser deletes an account with POST.");
    if (!rc)
        rc = users_delete(&r->ctx, app(r)->app_id, app(r)->me.id, NULL); /* the session is the proof */
    if (rc) {
        app_fail(r, rc == -E_INVALID ? -E_FORBIDDEN : rc);
        return;
    }
    app_clear_session(r);
    app_ok_empty(r);
}

/* GET|POST /user/get_image_token -> {target:"qiniu", domain, token}: a Qiniu upload token. */
void app_get_image_token(struct http_req *r)
{
    const char *ak = cfg_str(CFG_qiniu_access_key), *sk = cfg_str(CFG_qiniu_secret_key);
    const char *bucket = cfg_str(CFG_qiniu_bucket), *domain = cfg_str(CFG_qiniu_domain);
    if (!*ak || !*sk || !*bucket || !*domain) {
        app_fail(r, -E_NOT_CONFIGURED);
        return;
    }
    char *token = NULL;
    long long deadline = (long long)(r->ctx.now / 1000 + cfg_int(CFG_qiniu_upload_ttl));
    int rc = qiniu_upload_token(ak, sk, bucket, deadline, &token);
    if (rc) {
        app_fail(r, rc == -E_INVALID ? -E_NOT_CONFIGURED : rc);
        return;
    }
    app_ok(r, json_pack("{s:s,s:s,s:s}", "target", "qiniu", "domain", domain, "token", token));
    free(token);
}
