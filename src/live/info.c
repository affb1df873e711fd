/* Live face: GET /server/user/info/{id}, /infos, /profile/{id}, /profiles. */
#include "live/live.h"

static void one(struct http_req *r, int profile)
{
    struct live_user u;
    const char *id = r->params[0];
    int rc = live_check_user_id(id) ? http_invalid(r, "user_id must be 1-64 of A-Z a-z 0-9 _ . @ -") : 0;
    if (!rc)
        rc = live_get(&r->ctx, live(r)->app.id, id, profile, &u);
    if (rc)
        live_fail(r, rc);
    else
        live_ok(r, live_user_json(&u, profile));
}

/*
 * The ids asked for: the repeated query parameter user_ids, or (body_ok,
 * when the query has none) a JSON array body. 1-200 valid ids.
 */
static int ids_of(struct http_req *r, int body_ok, const char ***ids, size_t *n)
{
    *ids = arena_alloc(r->a, (LIVE_IDS_MAX + 1) * sizeof(**ids));
    *n = http_query_all(r, "user_ids", *ids, LIVE_IDS_MAX + 1);
    if (!*n && body_ok && r->body_len) {
        json_t *arr = http_json_body(r);
        if (!arr)
            return -E_INVALID;
        if (!json_is_array(arr))
            return http_invalid(r, "the body must be a JSON array of user ids");
        *n = json_array_size(arr);
        for (size_t i = 0; i < *n && i <= LIVE_IDS_MAX; i++) {
            if (!json_is_string(json_array_get(arr, i)))
                return http_invalid(r, "user_ids[%zu] must be a string", i);
            (*ids)[i] = json_string_value(json_array_get(arr, i));
        }
    }
    if (*n < 1 || *n > LIVE_IDS_MAX)
        return http_invalid(r, "user_ids: give 1-%d ids", LIVE_IDS_MAX);
    for (size_t i = 0; i < *n; i++)
        if (live_check_user_id((*ids)[i]))
            return http_invalid(r, "user_ids[%zu] must be 1-64 of A-Z a-z 0-9 _ . @ -", i);
    return 0;
}

static void many(struct http_req *r, int profile)
{
    const char **ids;
    size_t n, found;
    struct live_user *users;
    int rc = ids_of(r, profile, &ids, &n);
    if (!rc)
        rc = live_get_many(&r->ctx, live(r)->app.id, ids, n, profile, &users, &found);
    if (rc) {
        live_fail(r, rc);
        return;
    }
    json_t *data = json_array();
    for (size_t i = 0; i < found && data; i++)
        if (json_array_append_new(data, live_user_json(&users[i], profile))) {
            json_decref(data);
            data = NULL; /* a user that cannot be shown fails the answer (live_ok), not silently */
        }
    live_ok(r, data);
}

void live_info(struct http_req *r) { one(r, 0); }
void live_profile(struct http_req *r) { one(r, 1); }
void live_infos(struct http_req *r) { many(r, 0); }
void live_profiles(struct http_req *r) { many(r, 1); }
