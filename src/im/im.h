#ifndef USERD_IM_H
#define USERD_IM_H

/*
 * The IM face (im-user-api.txt + NOTES.md): `access-token` + `app_id`
 * headers, replies {"code":200,"message":"","data":...}, business errors
 * with HTTP 200 and the error in `code`. Limits and choices: docs/im.md.
 */
#include "core/tokens.h"
#include "http/http.h"

extern const struct face im_face;

/* Route flags of this face (above the HTTP layer's own). */
#define IM_OPEN 0x100  /* no access-token needed (tokens, registration) */
#define IM_ADMIN 0x200 /* admin token only */

/* Limits of this face (docs/im.md). Text limits count characters. */
#define IM_BATCH_MAX 100          /* items in a batch request */
#define IM_DESCRIPTION_MAX 1024   /* description */
#define IM_INFO_MAX 4096          /* public_info, private_info */
#define IM_SIGN_MAX 512           /* register/push "sign" (bytes; not checked) */
#define IM_PAGE_SIZE_MAX 200      /* user/list, device/list */
#define IM_PAGE_SIZE_DEFAULT 50
#define IM_PAGE_NUM_MAX 1000000
#define IM_DEVICE_SN_MAX 2147483647 /* device_sn is an int32 in the document */

/* What the face knows about the caller of one request. */
struct im_req {
    const char *app_id;
    struct caller caller; /* zero for IM_OPEN routes */
    int64_t user_id;      /* the account acted on: the caller's, or the user_id header's (admin); 0: none */
};

static inline struct im_req *im(struct http_req *r) { return r->face_data; }

/** Replies {"code":200,"message":"","data":data}; takes the reference. NULL data: the internal error. */
void im_ok(struct http_req *r, json_t *data);
/** Replies data:true, or the error rc when it is not 0. */
void im_done(struct http_req *r, int rc);
/** Replies with a core error in this face's format. */
void im_fail(struct http_req *r, int err);
/** The message im_fail() would give for err (with r->why), for a batch item's reason; clears r->why. */
const char *im_reason(struct http_req *r, int err);
/** The account acted on; -E_INVALID when an admin token names none. */
int im_target(struct http_req *r, int64_t *user_id) USERD_MUST_CHECK;
/**
 * Whether a batch item may act on account id: an admin token that names no
 * user may act on any account of its app; otherwise only on the account
 * acted on (-E_FORBIDDEN).
 */
int im_may_act_on(struct http_req *r, int64_t id) USERD_MUST_CHECK;

/* ---- params.c: request readers. 0 and *out set; 1 when optional and absent; -E_INVALID with r->why ---- */

/** Checks text of n bytes: no NUL, valid UTF-8, min-max characters, no control characters (but \t \r \n when multiline). */
int im_check_text(struct http_req *r, const char *field, const char *s, size_t n, size_t min, size_t max,
                  int multiline) USERD_MUST_CHECK;
/*
 * Parameters the document puts in the query. The web SDK sends some of them
 * in a JSON body instead, so each is read from the query string and, when
 * the body is a JSON object, from its member of the same name; a value given
 * in both places (or under two of its names) must agree. `names` is the
 * parameter's name, or its names separated by spaces ("deviceSn device_sn"):
 * each must be declared in the route's `query` (ROUTE_Q), else the reader
 * answers -E_INTERNAL, so a route cannot read a query argument that the
 * table does not record (tests/unit/test_im_params.c reads the table).
 */
#define IM_ARG_VALUES 4
/**
 * Every value of one parameter: value i is text[i] (from the query) or
 * json[i] (a body member; null included, which every typed reader refuses:
 * a kick with {"device_sn": null} must not read as a kick of every device).
 */
struct im_arg {
    const char *name; /* its first name, for messages */
    int n;
    const char *text[IM_ARG_VALUES];
    json_t *json[IM_ARG_VALUES];
};
/** 1 when the route declares query argument name. */
int im_declares(const struct route *rt, const char *name);
/** Collects the values of the parameter `names` from the query and the body (0; -E_INTERNAL when undeclared). */
int im_arg(struct http_req *r, const char *names, struct im_arg *out) USERD_MUST_CHECK;
/** Text: query text or a JSON string (im_check_text rules, one line). */
int im_arg_text(struct http_req *r, const struct im_arg *a, int required, size_t min, size_t max,
                const char **out) USERD_MUST_CHECK;
/** An integer in min-max: decimal text (query, or a JSON string) or a JSON integer. */
int im_arg_int(struct http_req *r, const struct im_arg *a, int required, int64_t min, int64_t max,
               int64_t *out) USERD_MUST_CHECK;
/** A boolean: true/false (any case) or 1/0 in the query, a JSON boolean in the body. */
int im_arg_bool(struct http_req *r, const struct im_arg *a, int required, int *out) USERD_MUST_CHECK;
/** im_arg then im_arg_text / im_arg_int / im_arg_bool (required). */
int im_q_text(struct http_req *r, const char *names, int required, size_t min, size_t max,
              const char **out) USERD_MUST_CHECK;
int im_q_int(struct http_req *r, const char *names, int required, int64_t min, int64_t max,
             int64_t *out) USERD_MUST_CHECK;
int im_q_bool(struct http_req *r, const char *names, int *out) USERD_MUST_CHECK;
/** A JSON field as text (im_check_text rules). */
int im_j_text(struct http_req *r, json_t *o, const char *key, int required, size_t min, size_t max, int multiline,
              const char **out) USERD_MUST_CHECK;
/** The whole body as text (im_check_text rules, multiline; empty is ""). */
int im_body_text(struct http_req *r, const char *field, size_t max, const char **out) USERD_MUST_CHECK;
/** The body's "list": a JSON array of 1-max items. */
int im_body_list(struct http_req *r, size_t max, json_t **list) USERD_MUST_CHECK;
/**
 * The batch endpoints' one shape: replies with [fn(r, item) for each item of
 * the body's "list"] (1 to IM_BATCH_MAX items). Each item stands alone: fn
 * returns its own result object, success or failure; r->why is cleared
 * before each.
 */
void im_batch(struct http_req *r, json_t *(*fn)(struct http_req *r, json_t *item));
/** A batch's cost for the hashing pool: the items of its "list" (1 when the body is not a valid batch). */
unsigned im_batch_cost(struct http_req *r);
/** A user id (integer 1 to 2^53-1) in a JSON field. */
int im_j_user_id(struct http_req *r, json_t *o, const char *key, int required, int64_t *out) USERD_MUST_CHECK;

/* ---- handlers, one resource per file ---- */
/* tokens.c */
void im_token_user(struct http_req *r);
void im_token_id(struct http_req *r);
void im_token_login(struct http_req *r);
/* register.c */
void im_register_v2(struct http_req *r);
void im_register_batch(struct http_req *r);
void im_register_push(struct http_req *r);
/* account.c */
void im_user_delete(struct http_req *r);
void im_set_username(struct http_req *r);
void im_change_password(struct http_req *r);
void im_change_password_admin(struct http_req *r);
void im_user_disable(struct http_req *r);
void im_user_enable(struct http_req *r);
void im_user_list(struct http_req *r);
/* profile.c */
void im_profile_get(struct http_req *r);
void im_profile_update(struct http_req *r);
void im_profile_batch(struct http_req *r);
void im_set_avatar(struct http_req *r);
void im_avatar_batch(struct http_req *r);
void im_set_nickname(struct http_req *r);
void im_set_mobile(struct http_req *r);
void im_set_info(struct http_req *r); /* route data: "public_info" or "private_info" */
/* settings.c */
void im_settings_get(struct http_req *r);
void im_settings_update(struct http_req *r);
void im_set_setting(struct http_req *r); /* route data: the settings field; query: the value's name(s) */
void im_set_push_limit(struct http_req *r);
/* devices.c */
void im_device_list(struct http_req *r);
void im_device_remove(struct http_req *r);
void im_kick(struct http_req *r);
/* push.c */
void im_token_bind(struct http_req *r);
void im_token_unbind(struct http_req *r);
void im_push_alias(struct http_req *r);
void im_push_tags_get(struct http_req *r);
void im_push_tags_add(struct http_req *r);
void im_push_tags_remove(struct http_req *r);
void im_push_tags_clear(struct http_req *r);
void im_push_badge(struct http_req *r);

/** Validates {username, password}, hashes, creates the account (register endpoints). */
int im_create_user(struct http_req *r, json_t *o, struct account *out) USERD_MUST_CHECK;

/** The settings object the document shows (register, settings GET). */
json_t *im_settings_json(const struct user_settings *s, int64_t user_id);

#endif
