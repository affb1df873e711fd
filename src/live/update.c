/* Live face: PUT /server/user/{user_id}. */
#include "core/accounts.h"
#include "live/live.h"

/* Only the non-empty nick, avatar and extends change; extends merges key by key. */
void live_update_user(struct http_req *r)
{
    const char *id = r->params[0], *nick = NULL, *avatar = NULL, *why = NULL;
    json_t *o = NULL, *ext = NULL;
    int rc = live_check_user_id(id) ? http_invalid(r, "user_id must be 1-64 of A-Z a-z 0-9 _ . @ -") : 0;
    if (!rc && !(o = http_json_body(r)))
        rc = -E_INVALID;
    if (!rc && !json_is_object(o))
        rc = http_invalid(r, "the body must be a JSON object");
    if (!rc && (rc = jf_str(r, o, "nick", 0, 0, LIVE_NICK_BYTES_MAX, &nick)) > 0)
        rc = 0;
    if (!rc && (rc = jf_str(r, o, "avatar", 0, 0, AVATAR_MAX, &avatar)) > 0)
        rc = 0;
    if (!rc && avatar && acct_check_avatar(avatar, AVATAR_MAX))
        rc = http_invalid(r, "avatar must be an http:// or https:// URL");
    if (!rc && (ext = json_object_get(o, "extends")) && json_is_null(ext))
        ext = NULL;
    if (!rc && ext && live_check_extends(ext, &why))
        rc = http_invalid(r, "%s", why);
    if (!rc && (rc = live_update(&r->ctx, live(r)->app.id, id, nick, avatar, ext, &why)) == -E_INVALID)
        r->why = why;
    if (rc)
        live_fail(r, rc);
    else
        live_ok(r, NULL);
}
