/* IM face: GET /user/profile. */
#include "core/accounts.h"
#include "im/im.h"

void im_profile_get(struct http_req *r)
{
    int64_t uid;
    struct account a;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = acct_get(&r->ctx, im(r)->app_id, uid, &a);
    if (rc) {
        im_fail(r, rc);
        return;
    }
    im_ok(r, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "user_id", (json_int_t)a.id, "username",
                       a.username, "avatar", a.avatar, "description", a.description, "mobile", a.mobile,
                       "email", a.email, "nick_name", a.nick, "public_info", a.public_info, "private_info",
                       a.private_info));
}
