/* IM face: GET /user/settings. */
#include "core/accounts.h"
#include "im/im.h"

json_t *im_settings_json(const struct user_settings *s, int64_t user_id)
{
    return json_pack("{s:I,s:I,s:i,s:s,s:s,s:b,s:b,s:b,s:b,s:i,s:i,s:b,s:s,s:s,s:i,s:i,s:b}",
                     "id", (json_int_t)s->account_id, "user_id", (json_int_t)user_id, "auth_mode",
                     s->auth_mode, "auth_question", s->auth_question, "auth_answer", s->auth_answer,
                     "auto_download", s->auto_download, "group_confirm", s->group_confirm, "no_push",
                     s->no_push, "no_push_detail", s->no_push_detail, "no_push_start_hour",
                     s->no_push_start_hour, "no_push_end_hour", s->no_push_end_hour, "no_sounds",
                     s->no_sounds, "push_nick_name", s->push_nick_name, "push_token", s->push_token,
                     "silence_start_time", s->silence_start_time, "silence_end_time", s->silence_end_time,
                     "vibratory", s->vibratory);
}

void im_settings_get(struct http_req *r)
{
    int64_t uid;
    struct user_settings s;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = acct_settings(&r->ctx, uid, &s);
    if (rc)
        im_fail(r, rc);
    else
        im_ok(r, im_settings_json(&s, uid));
}
