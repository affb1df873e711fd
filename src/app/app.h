#ifndef USERD_APP_H
#define USERD_APP_H

/*
 * The app face (app-user-api.txt + NOTES.md): end users' phones and
 * browsers, cookie sessions, replies {"code":200,"result":...}; request
 * errors are HTTP 4xx with a short plain-text body.
 */
#include "core/appid.h"
#include "core/appusers.h"
#include "core/text.h"
#include "http/http.h"

extern const struct face app_face;

/* Route flags of this face (above the HTTP layer's own). */
#define APP_OPEN 0x100  /* no session needed */
#define APP_READS 0x200 /* only reads: the session check and the handler read one snapshot (ctx_reads_begin) */

/* What the face knows about one request. */
struct app_req {
    const char *app_id;          /* the served app */
    unsigned char idkey[32];     /* the key of the opaque ids (appid.h) */
    struct account me;           /* the signed-in account (not for APP_OPEN routes) */
    const char *session_hash;    /* its session */
};

static inline struct app_req *app(struct http_req *r) { return r->face_data; }

/** Replies {"code":200,"result":result}; takes the reference. NULL (a failed build): the internal error. */
void app_ok(struct http_req *r, json_t *result);
/** Replies {"code":200}. */
void app_ok_empty(struct http_req *r);
/** Replies with a core error: a business code ({"code":N}) or an HTTP error with plain text. */
void app_fail(struct http_req *r, int err);

/** The JSON object body, or NULL with r->why set. */
json_t *app_body(struct http_req *r);
/**
 * A field that is a string or a non-negative integer, as text (1-max bytes).
 * 0, 1 when optional and absent, or -E_INVALID with r->why.
 */
int app_text_or_int(struct http_req *r, json_t *o, const char *key, int required, size_t max, const char **out) USERD_MUST_CHECK;
/** Checks a (region, phone) pair ("+86" accepted for "86"); -E_INVALID with the real server's text. */
int app_check_phone(struct http_req *r, const char **region, const char *phone) USERD_MUST_CHECK;
/** The body's region and phone, checked. */
int app_body_phone(struct http_req *r, json_t *o, const char **region, const char **phone) USERD_MUST_CHECK;

/** Opaque ids (arena strings) and their decoding (-E_USER_UNKNOWN when s is no user id). */
const char *app_uid(struct http_req *r, int64_t id);
const char *app_gid(struct http_req *r, int64_t id);
int app_decode_uid(struct http_req *r, const char *s, int64_t *id) USERD_MUST_CHECK;
/** "2019-01-04T10:41:52.000Z" for a time in ms. */
const char *app_iso_time(struct http_req *r, int64_t ms);
/**
 * A nickname as this face shows it: HTML-escaped (& < > " '), as the real
 * server stored them. A rendering choice of this face: the account keeps
 * the nick as given, and the other faces show it so.
 */
const char *app_nick(struct http_req *r, const char *nick);

/** Set-Cookie for a new session, and one that clears it. */
void app_set_session(struct http_req *r, const char *token);
void app_clear_session(struct http_req *r);

/* Handlers, one resource per file: codes.c, auth.c, profile.c, social.c. */
void app_send_code(struct http_req *r);
void app_verify_code(struct http_req *r);
void app_regionlist(struct http_req *r);
void app_get_sms_img_code(struct http_req *r);
void app_sms_img_code_png(struct http_req *r);
void app_check_phone_available(struct http_req *r);
void app_register(struct http_req *r);
void app_login(struct http_req *r);
void app_logout(struct http_req *r);
void app_reset_password(struct http_req *r);
void app_change_password(struct http_req *r);
void app_get_token(struct http_req *r);
void app_get_image_token(struct http_req *r);
void app_set_nickname(struct http_req *r);
void app_set_portrait_uri(struct http_req *r);
void app_set_gender(struct http_req *r);
void app_set_st_account(struct http_req *r);
void app_set_privacy(struct http_req *r);
void app_get_privacy(struct http_req *r);
void app_set_poke(struct http_req *r);
void app_get_poke(struct http_req *r);
void app_user(struct http_req *r);
void app_batch(struct http_req *r);
void app_find(struct http_req *r);
void app_find_user(struct http_req *r);
void app_blacklist(struct http_req *r);
void app_add_to_blacklist(struct http_req *r);
void app_remove_from_blacklist(struct http_req *r);
void app_groups(struct http_req *r);
void app_favgroups(struct http_req *r);
void app_sync(struct http_req *r);
/* the current SealTalk server's routes (issue 18: the apps since 2021) */
void app_pic_code(struct http_req *r);
void app_verify_code_register(struct http_req *r);
void app_update_user(struct http_req *r);
void app_del(struct http_req *r);
void app_get_user_info(struct http_req *r);

#endif
