/* Live face: POST /server/user/register and /server/user/register/batch. */
#include <string.h>

#include "core/accounts.h"
#include "live/live.h"

/* Reads and checks one user object {user_id, nick?, avatar?, extends?}. */
static int parse_user(struct http_req *r, json_t *o, struct live_new *u)
{
    int rc;
    const char *why;
    memset(u, 0, sizeof(*u));
    if (!json_is_object(o))
        return http_invalid(r, "a user must be a JSON object");
    if ((rc = jf_str(r, o, "user_id", 1, 1, LIVE_UID_MAX, &u->user_id)))
        return rc;
    if (live_check_user_id(u->user_id))
        return http_invalid(r, "user_id must be 1-64 of A-Z a-z 0-9 _ . @ -");
    if ((rc = jf_str(r, o, "nick", 0, 0, LIVE_NICK_BYTES_MAX, &u->nick)) < 0)
        return rc;
    if ((rc = jf_str(r, o, "avatar", 0, 0, AVATAR_MAX, &u->avatar)) < 0)
        return rc;
    if (u->avatar && acct_check_avatar(u->avatar, AVATAR_MAX))
        return http_invalid(r, "avatar must be an http:// or https:// URL");
    json_t *ext = json_object_get(o, "extends");
    if (ext && !json_is_null(ext)) {
        if (live_check_extends(ext, &why))
            return http_invalid(r, "%s", why);
        u->ext = ext;
    }
    return 0;
}

static int create(struct http_req *r, const struct live_new *u)
{
    const char *why = NULL;
    int rc = live_register(&r->ctx, live(r)->app.id, u, &why);
    if (rc && why)
        r->why = why;
    return rc;
}

void live_register_one(struct http_req *r)
{
    json_t *o = http_json_body(r);
    struct live_new u;
    int rc = o ? parse_user(r, o, &u) : -E_INVALID;
    if (!rc)
        rc = create(r, &u);
    if (rc)
        live_fail(r, rc);
    else
        live_ok(r, NULL);
}

/*
 * Every entry is checked before any is written: one bad entry (or a user_id
 * given twice) fails the whole request with 400. Then each user is made in
 * its own transaction; data maps each user_id that failed to its reason.
 */
void live_register_batch(struct http_req *r)
{
    json_t *arr = http_json_body(r);
    if (!arr) {
        live_fail(r, -E_INVALID);
        return;
    }
    size_t n = json_array_size(arr);
    if (!json_is_array(arr) || n < 1 || n > LIVE_IDS_MAX) {
        http_invalid(r, "the body must be a JSON array of 1-%d users", LIVE_IDS_MAX);
        live_fail(r, -E_INVALID);
        return;
    }
    struct live_new *users = arena_alloc(r->a, n * sizeof(*users));
    for (size_t i = 0; i < n; i++) {
        int rc = parse_user(r, json_array_get(arr, i), &users[i]);
        for (size_t j = 0; j < i && !rc; j++)
            if (!strcmp(users[i].user_id, users[j].user_id))
                rc = http_invalid(r, "user_id given twice");
        if (rc) {
            r->why = arena_printf(r->a, "users[%zu]: %s", i, r->why);
            live_fail(r, rc);
            return;
        }
    }
    json_t *failed = json_object();
    for (size_t i = 0; i < n; i++) {
        r->why = NULL;
        int rc = create(r, &users[i]);
        if (rc)
            json_object_set_new(failed, users[i].user_id, json_string(live_message(r, rc)));
    }
    r->why = NULL;
    live_ok(r, failed);
}
