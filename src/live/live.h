#ifndef USERD_LIVE_H
#define USERD_LIVE_H

/*
 * The live face (live-user-api.txt + NOTES.md): requests signed
 * "Qiniu AK:sign" (or "QBox AK:sign") with an app's AK/SK, replies
 * {"request_id","code","message","data"}. docs/live.md lists every choice.
 */
#include "core/live.h"
#include "http/http.h"

extern const struct face live_face;

/* What the face knows about the caller of one request. */
struct live_req {
    struct app app; /* the app whose AK signed the request */
};

static inline struct live_req *live(struct http_req *r) { return r->face_data; }

/**
 * Replies {"request_id","code":0,"message":"success","data":data}; takes the
 * reference. json_null() for an answer without data; NULL (a failed build)
 * answers the internal error.
 */
void live_ok(struct http_req *r, json_t *data);
/** Replies with a core error in this face's format (r->why, when set, details it). */
void live_fail(struct http_req *r, int err);
/** The message this face gives for err (with r->why appended when set). */
const char *live_message(struct http_req *r, int err);

/**
 * Verifies the request's signature and finds its app (auth.c).
 * -E_AUTH_MISSING, -E_AUTH_INVALID, -E_APP_UNKNOWN or a store error.
 */
int live_auth(struct http_req *r, struct app *out) USERD_MUST_CHECK;

/** A user as info (profile 0) or profile (profile 1) JSON, fields in the document's order; NULL if it cannot be built. */
json_t *live_user_json(const struct live_user *u, int profile);

/* Handlers, one resource per file. */
void live_register_one(struct http_req *r);   /* register.c */
void live_register_batch(struct http_req *r); /* register.c */
void live_update_user(struct http_req *r);    /* update.c */
void live_info(struct http_req *r);           /* info.c */
void live_infos(struct http_req *r);          /* info.c */
void live_profile(struct http_req *r);        /* info.c */
void live_profiles(struct http_req *r);       /* info.c */

#endif
