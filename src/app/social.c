/* App face: blacklist, groups, favourite groups and the versioned sync. */
#include <string.h>

#include "app/app.h"
#include "core/social.h"

/* The body's friendId, decoded (-E_USER_UNKNOWN when it is no user id). */
static int friend_id(struct http_req *r, int64_t *id)
{
    json_t *o = app_body(r);
    const char *s;
    if (!o)
        return -E_INVALID;
    if (jf_str(r, o, "friendId", 1, 1, 64, &s))
        return http_invalid(r, "Empty friendId.");
    return app_decode_uid(r, s, id);
}

/* POST /user/add_to_blacklist {friendId} */
void app_add_to_blacklist(struct http_req *r)
{
    int64_t id;
    int rc = friend_id(r, &id);
    if (!rc && (rc = social_bl_add(&r->ctx, &app(r)->me, id)) == -E_INVALID)
        r->why = "You cannot blacklist yourself.";
    if (rc)
        app_fail(r, rc);
    else
        app_ok_empty(r);
}

/* POST /user/remove_from_blacklist {friendId} */
void app_remove_from_blacklist(struct http_req *r)
{
    int64_t id;
    int rc = friend_id(r, &id);
    if (!rc)
        rc = social_bl_remove(&r->ctx, &app(r)->me, id);
    if (rc)
        app_fail(r, rc);
    else
        app_ok_empty(r);
}

/* GET /user/blacklist -> [{user:{id,nickname,portraitUri,gender,stAccount,phone,updatedAt,updatedTime}}] */
void app_blacklist(struct http_req *r)
{
    struct account *list;
    size_t n;
    int rc = social_bl_list(&r->ctx, &app(r)->me, &list, &n);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct account *a = &list[i];
        json_array_append_new(
            out, json_pack("{s:{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}}", "user", "id", app_uid(r, a->id), "nickname",
                           app_nick(r, a->nick), "portraitUri", a->avatar, "gender", a->gender, "stAccount",
                           a->st_account, "phone", au_shown_phone(a, app(r)->me.id), "updatedAt",
                           app_iso_time(r, a->updated_at), "updatedTime", (json_int_t)a->updated_at));
    }
    app_ok(r, out);
}

/* GET|POST /user/groups -> [{role, group:{id,name,portraitUri,creatorId,memberCount,maxMemberCount,isMute,certiStatus}}] */
void app_groups(struct http_req *r)
{
    struct group_row *g;
    size_t n;
    int rc = social_groups(&r->ctx, &app(r)->me, &g, &n);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            out, json_pack("{s:i,s:{s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:i}}", "role", g[i].role, "group", "id",
                           app_gid(r, g[i].id), "name", g[i].name, "portraitUri", g[i].portrait_uri, "creatorId",
                           app_uid(r, g[i].creator_id), "memberCount", g[i].member_count, "maxMemberCount",
                           g[i].max_member_count, "isMute", g[i].is_mute, "certiStatus", g[i].certi_status));
    app_ok(r, out);
}

/* A query argument that is a decimal integer in [min, max]; 1 when absent. */
static int query_int(struct http_req *r, const char *key, int64_t min, int64_t max, int64_t *out)
{
    const char *s = http_query(r, key);
    int64_t v;
    if (!s)
        return 1;
    if (text_to_int(s, &v) || v < min || v > max)
        return http_invalid(r, "Invalid %s.", key);
    *out = v;
    return 0;
}

/*
 * GET /user/favgroups[?limit=&offset=] -> {list, total, limit, offset}
 * (limit/offset echoed as strings when given); each item also carries
 * isMute and certiStatus (the current server's; the apps read them).
 */
void app_favgroups(struct http_req *r)
{
    int64_t limit = -1, offset = 0;
    int has_limit = query_int(r, "limit", 1, SOCIAL_FAVS_MAX, &limit);
    int has_offset = has_limit < 0 ? 1 : query_int(r, "offset", 0, 1000000000, &offset);
    struct group_row *g;
    size_t n;
    int64_t total;
    int rc = has_limit < 0 || has_offset < 0 ? -E_INVALID : 0;
    if (!rc && has_limit == 1 && has_offset == 0)
        rc = http_invalid(r, "offset needs limit.");
    if (!rc)
        rc = social_favgroups(&r->ctx, &app(r)->me, limit, offset, &g, &n, &total);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            list, json_pack("{s:s,s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:s,s:s,s:I,s:I}", "id", app_gid(r, g[i].id), "name",
                            g[i].name, "portraitUri", g[i].portrait_uri, "creatorId", app_uid(r, g[i].creator_id),
                            "memberCount", g[i].member_count, "maxMemberCount", g[i].max_member_count,
                            "memberProtection", g[i].member_protection, "isMute", g[i].is_mute, "certiStatus",
                            g[i].certi_status, "createdAt",
                            app_iso_time(r, g[i].created_at), "updatedAt", app_iso_time(r, g[i].updated_at),
                            "updatedTime", (json_int_t)g[i].updated_at, "createdTime", (json_int_t)g[i].created_at));
    json_t *out = json_pack("{s:o,s:I}", "list", list, "total", (json_int_t)total);
    if (has_limit == 0)
        json_object_set_new(out, "limit", json_string(arena_printf(r->a, "%lld", (long long)limit)));
    if (has_offset == 0)
        json_object_set_new(out, "offset", json_string(arena_printf(r->a, "%lld", (long long)offset)));
    app_ok(r, out);
}

#define VERSION_MAX 9007199254740991LL /* 2^53 - 1: JavaScript clients read it exactly */

/* GET|POST /user/sync/:version -> what changed after version (ms), and the new version. */
void app_sync(struct http_req *r)
{
    int64_t version;
    struct sync_data d;
    int rc = 0;
    if (text_to_int(r->params[0], &version) || version < -VERSION_MAX || version > VERSION_MAX)
        rc = http_invalid(r, "Version parameter is not integer.");
    if (!rc)
        rc = social_sync(&r->ctx, &app(r)->me, version, &d);
    if (rc) {
        app_fail(r, rc);
        return;
    }
    const struct account *me = &d.user;
    json_t *user = d.user_changed ? json_pack("{s:s,s:s,s:s,s:I}", "id", app_uid(r, me->id), "nickname",
                                              app_nick(r, me->nick), "portraitUri", me->avatar, "timestamp",
                                              (json_int_t)me->updated_at)
                                  : json_null();
    json_t *bl = json_array(), *friends = json_array(), *groups = json_array(), *members = json_array();
    for (size_t i = 0; i < d.n_bl; i++)
        json_array_append_new(bl, json_pack("{s:s,s:b,s:I}", "friendId", app_uid(r, d.bl[i].friend_id), "status",
                                            d.bl[i].status, "timestamp", (json_int_t)d.bl[i].updated_at));
    for (size_t i = 0; i < d.n_friends; i++)
        json_array_append_new(friends, json_pack("{s:s,s:s,s:i,s:I}", "friendId", app_uid(r, d.friends[i].friend_id),
                                                 "displayName", d.friends[i].display_name, "status",
                                                 d.friends[i].status, "timestamp",
                                                 (json_int_t)d.friends[i].updated_at));
    for (size_t i = 0; i < d.n_groups; i++) {
        const struct group_row *g = &d.groups[i];
        json_array_append_new(groups, json_pack("{s:s,s:i,s:b,s:{s:s,s:s,s:s,s:I}}", "displayName", g->display_name,
                                                "role", g->role, "isDeleted", g->is_deleted, "group", "id",
                                                app_gid(r, g->id), "name", g->name, "portraitUri", g->portrait_uri,
                                                "timestamp", (json_int_t)g->updated_at));
    }
    for (size_t i = 0; i < d.n_members; i++) {
        const struct member_row *m = &d.members[i];
        json_array_append_new(members, json_pack("{s:s,s:s,s:s,s:i,s:b,s:I,s:{s:s,s:s}}", "groupId",
                                                 app_gid(r, m->group_id), "memberId", app_uid(r, m->member_id),
                                                 "displayName", m->display_name, "role", m->role, "isDeleted",
                                                 m->is_deleted, "timestamp", (json_int_t)m->updated_at, "user",
                                                 "nickname", app_nick(r, m->nick), "portraitUri", m->avatar));
    }
    app_ok(r, json_pack("{s:I,s:o,s:o,s:o,s:o,s:o}", "version", (json_int_t)d.version, "user", user, "blacklist", bl,
                        "friends", friends, "groups", groups, "group_members", members));
}
