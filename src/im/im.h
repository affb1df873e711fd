#ifndef USERD_IM_H
#define USERD_IM_H

/*
 * The IM face (im-user-api.txt + NOTES.md): `access-token` + `app_id`
 * headers, replies {"code":200,"message":"","data":...}, business errors
 * with HTTP 200 and the error in `code`.
 */
#include "core/tokens.h"
#include "http/http.h"

extern const struct face im_face;

/* Route flags of this face (above the HTTP layer's own). */
#define IM_OPEN 0x100  /* no access-token needed (tokens, registration) */
#define IM_ADMIN 0x200 /* admin token only */

/* What the face knows about the caller of one request. */
struct im_req {
    const char *app_id;
    struct caller caller; /* zero for IM_OPEN routes */
    int64_t user_id;      /* the account acted on: the caller's, or the user_id header's (admin) */
};

static inline struct im_req *im(struct http_req *r) { return r->face_data; }

/** Replies {"code":200,"message":"","data":data}; takes the reference. */
void im_ok(struct http_req *r, json_t *data);
/** Replies with a core error in this face's format. */
void im_fail(struct http_req *r, int err);
/** The account acted on; -E_INVALID when an admin token names none. */
int im_target(struct http_req *r, int64_t *user_id) USERD_MUST_CHECK;

/* Handlers, one resource per file. */
void im_token_user(struct http_req *r);
void im_token_id(struct http_req *r);
void im_token_login(struct http_req *r);
void im_register_v2(struct http_req *r);
void im_profile_get(struct http_req *r);
void im_settings_get(struct http_req *r);

/** Validates {username, password}, hashes, creates the account (register endpoints). */
int im_create_user(struct http_req *r, json_t *o, struct account *out) USERD_MUST_CHECK;

/** The settings object the document shows (register, settings GET). */
json_t *im_settings_json(const struct user_settings *s, int64_t user_id);

#endif
