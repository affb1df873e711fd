/* IM face: GET /user/device/list, POST|DELETE /user/device/remove, POST|PUT /user/kick. */

#include "core/devices.h"
#include "im/im.h"


/*
 * ?cursor=&page_size=: the list's envelope carries "version" and "cursor"
 * beside "data"; "cursor" is absent on the last page.
 */
void im_device_list(struct http_req *r)
{
    int64_t uid, after = 0, size = IM_PAGE_SIZE_DEFAULT;
    struct device_page page;
    int rc = im_target(r, &uid);
    if (!rc && (rc = im_q_int(r, "cursor", 0, 0, IM_DEVICE_SN_MAX, &after)) > 0)
        rc = 0;
    if (!rc && (rc = im_q_int(r, "page_size", 0, 1, DEVICE_PAGE_MAX, &size)) > 0)
        rc = 0;
    if (!rc)
        rc = dev_list(&r->ctx, uid, after, (int)size, &page);
    if (rc) {
        im_fail(r, rc);
        return;
    }
    json_t *data = json_array();
    for (int i = 0; i < page.n; i++)
        json_array_append_new(data, json_pack("{s:I,s:i,s:s,s:I}", "device_sn", (json_int_t)page.items[i].device_sn,
                                              "platform", page.items[i].platform, "user_agent",
                                              page.items[i].user_agent, "user_id", (json_int_t)uid));
    json_t *o = json_pack("{s:i,s:I,s:s}", "code", 200, "version", (json_int_t)page.version, "message", "");
    if (page.next_after)
        json_object_set_new(o, "cursor", json_string(arena_printf(r->a, "%lld", (long long)page.next_after)));
    json_object_set_new(o, "data", data);
    http_reply_json(r, 200, o);
}

void im_device_remove(struct http_req *r)
{
    int64_t uid, sn;
    int rc = im_target(r, &uid);
    if (!rc)
        rc = im_q_int(r, "device_sn deviceSn", 1, 1, IM_DEVICE_SN_MAX, &sn);
    if (!rc)
        rc = dev_remove(&r->ctx, uid, sn);
    if (rc == -E_NOT_FOUND)
        r->why = "the user has no such device";
    im_done(r, rc);
}

/* device_sn: that device's tokens die; without it, every token of the account. */
void im_kick(struct http_req *r)
{
    int64_t uid, sn = 0;
    int rc = im_target(r, &uid);
    if (!rc && (rc = im_q_int(r, "device_sn deviceSn", 0, 1, IM_DEVICE_SN_MAX, &sn)) > 0)
        rc = 0;
    if (!rc)
        rc = dev_kick(&r->ctx, uid, sn);
    if (rc == -E_NOT_FOUND)
        r->why = "the user has no such device";
    im_done(r, rc);
}
