/* App face: SMS codes, picture codes, the region list. */
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/regions.h"
#include "base/config.h"
#include "core/imgcode.h"
#include "core/sms.h"

/*
 * The picture code of a send: {verifyId, verifyCode} (the document) or
 * {picCodeId, picCode} (the current apps, iOS sending "" for none). *id is
 * NULL when neither names one; two ids that differ are refused.
 */
static int picture_code(struct http_req *r, json_t *o, const char **id, const char **answer)
{
    const char *vid = NULL, *vcode = NULL, *pid = NULL, *pcode = NULL;
    if (jf_str(r, o, "verifyId", 0, 1, IMGCODE_ID_MAX, &vid) < 0 || jf_str(r, o, "verifyCode", 0, 1, 16, &vcode) < 0 ||
        jf_str(r, o, "picCodeId", 0, 0, IMGCODE_ID_MAX, &pid) < 0 || jf_str(r, o, "picCode", 0, 0, 16, &pcode) < 0)
        return -E_INVALID;
    if (pid && !*pid)
        pid = NULL; /* "": no picture code */
    if (pid && vid && strcmp(pid, vid))
        return http_invalid(r, "picCodeId and verifyId name different picture codes.");
    *id = pid ? pid : vid;
    *answer = pid && pcode ? pcode : vcode;
    return 0;
}

/* POST /user/send_code and /user/send_code_yp: {region, phone[, verifyId, verifyCode | picCodeId, picCode]}. */
void app_send_code(struct http_req *r)
{
    json_t *o = app_body(r);
    const char *region, *phone, *pic_id = NULL, *pic_answer = NULL;
    int rc = o ? app_body_phone(r, o, &region, &phone) : -E_INVALID;
    if (!rc)
        rc = picture_code(r, o, &pic_id, &pic_answer);
    if (!rc)
        rc = sms_send(&r->ctx, app(r)->app_id, region, phone, pic_id, pic_answer);
    if (rc)
        app_fail(r, rc);
    else
        app_ok_empty(r);
}

/* POST /user/verify_code and /user/verify_code_yp: {region, phone, code}. */
void app_verify_code(struct http_req *r)
{
    json_t *o = app_body(r);
    const char *region, *phone, *code, *token;
    int rc = o ? app_body_phone(r, o, &region, &phone) : -E_INVALID;
    if (!rc && app_text_or_int(r, o, "code", 1, SMS_CODE_MAX, &code))
        rc = http_invalid(r, "Invalid verification code.");
    if (!rc)
        rc = sms_verify(&r->ctx, app(r)->app_id, region, phone, code, &token);
    if (rc)
        app_fail(r, rc);
    else
        app_ok(r, json_pack("{s:s}", "verification_token", token));
}

/* GET /user/regionlist: static data, rendered once. */
static char *regions_json;
static size_t regions_len;
static pthread_once_t regions_once = PTHREAD_ONCE_INIT;

static void render_regions(void)
{
    json_t *list = json_array();
    for (size_t i = 0; i < regions_count(); i++) {
        const struct region *g = regions_get(i);
        json_array_append_new(list, json_pack("{s:s,s:{s:s,s:s}}", "region", g->region, "locale", "en", g->en,
                                              "zh", g->zh));
    }
    json_t *o = json_pack("{s:i,s:o}", "code", 200, "result", list);
    regions_json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    regions_len = regions_json ? strlen(regions_json) : 0;
    json_decref(o);
}

void app_regionlist(struct http_req *r)
{
    pthread_once(&regions_once, render_regions);
    if (!regions_json) {
        app_fail(r, -E_INTERNAL);
        return;
    }
    http_reply(r, 200, "application/json; charset=utf-8", regions_json, regions_len);
}

/* GET|POST /user/get_sms_img_code: {url, verifyId}; the url serves the PNG. */
void app_get_sms_img_code(struct http_req *r)
{
    const char *id;
    int rc = imgcode_new(&r->ctx, app(r)->app_id, &id);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    const char *url = arena_printf(r->a, "%s/user/sms_img_code/%s.png", cfg_str(CFG_app_public_url), id);
    app_ok(r, json_pack("{s:s,s:s}", "url", url, "verifyId", id));
}

/* GET /user/sms_img_code/<verifyId>.png */
void app_sms_img_code_png(struct http_req *r)
{
    const char *file = r->params[0];
    size_t n = strlen(file);
    unsigned char *png = NULL;
    int len = 0, rc = -E_NOT_FOUND;
    if (n > 4 && n - 4 <= IMGCODE_ID_MAX && !strcmp(file + n - 4, ".png"))
        rc = imgcode_png(&r->ctx, app(r)->app_id, arena_strndup(r->a, file, n - 4), &png, &len);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    http_reply(r, 200, "image/png", (const char *)png, (size_t)len);
    free(png);
}

/* GET /user/pic_code: {picCode, picCodeId}, picCode the PNG in base64 (the current apps' picture code). */
void app_pic_code(struct http_req *r)
{
    const char *id;
    unsigned char *png = NULL;
    int len = 0;
    int rc = imgcode_new_png(&r->ctx, app(r)->app_id, &id, &png, &len);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    size_t cap = sodium_base64_ENCODED_LEN((size_t)len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = arena_alloc(r->a, cap);
    sodium_bin2base64(b64, cap, png, (size_t)len, sodium_base64_VARIANT_ORIGINAL);
    free(png);
    app_ok(r, json_pack("{s:s,s:s}", "picCode", b64, "picCodeId", id));
}
