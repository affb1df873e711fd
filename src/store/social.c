/* Store: blacklist, friendships, groups and favourite groups as the app face reads them. */
#include <string.h>

#include "store/store.h"

/* A growing array in the arena: room for one more element of size sz. */
static void *grow(struct arena *a, void *arr, size_t *cap, size_t n, size_t sz)
{
    if (n < *cap)
        return arr;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *fresh = arena_alloc(a, ncap * sz);
    if (n)
        memcpy(fresh, arr, n * sz);
    *cap = ncap;
    return fresh;
}

static int done(db_t *db, int rc)
{
    db_end(db);
    return rc < 0 ? rc : 0;
}

int store_bl_add(db_t *db, int64_t account_id, int64_t friend_id, int64_t now)
{
    int rc = db_exec(db, Q_BL_ADD, "iii", account_id, friend_id, now);
    return rc < 0 ? rc : 0;
}

int store_bl_remove(db_t *db, int64_t account_id, int64_t friend_id, int64_t now)
{
    int rc = db_exec(db, Q_BL_REMOVE, "iii", account_id, friend_id, now);
    return rc < 0 ? rc : 0;
}

int store_friend_set_status(db_t *db, int64_t account_id, int64_t friend_id, int from, int to, int64_t now)
{
    int rc = db_exec(db, Q_FRIEND_SET_STATUS, "iiIIi", account_id, friend_id, from, to, now);
    return rc < 0 ? rc : 0;
}

int store_bl_list(db_t *db, struct arena *a, int64_t account_id, struct account **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = db_query(db, Q_BL_LIST, "i", account_id);
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0) {
        *out = grow(a, *out, &cap, *n, sizeof(**out));
        store_acct_row(db, a, &(*out)[(*n)++]);
    }
    return done(db, rc);
}

int store_bl_since(db_t *db, struct arena *a, int64_t account_id, int64_t since, struct bl_row **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = db_query(db, Q_BL_SINCE, "ii", account_id, since);
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0) {
        *out = grow(a, *out, &cap, *n, sizeof(**out));
        struct bl_row *b = &(*out)[(*n)++];
        b->friend_id = db_int(db, 0);
        b->status = (int)db_int(db, 1);
        b->updated_at = db_int(db, 2);
    }
    return done(db, rc);
}

int store_friends_since(db_t *db, struct arena *a, int64_t account_id, int64_t since, struct friend_row **out,
                        size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = db_query(db, Q_FRIEND_SINCE, "ii", account_id, since);
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0) {
        *out = grow(a, *out, &cap, *n, sizeof(**out));
        struct friend_row *f = &(*out)[(*n)++];
        f->friend_id = db_int(db, 0);
        f->display_name = arena_strdup(a, db_text(db, 1));
        f->status = (int)db_int(db, 2);
        f->updated_at = db_int(db, 3);
    }
    return done(db, rc);
}

int store_groups_of(db_t *db, struct arena *a, int64_t account_id, struct group_row **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = db_query(db, Q_GROUPS_OF, "i", account_id);
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0) {
        *out = grow(a, *out, &cap, *n, sizeof(**out));
        struct group_row *g = memset(&(*out)[(*n)++], 0, sizeof(**out));
        g->role = (int)db_int(db, 0);
        g->id = db_int(db, 1);
        g->name = arena_strdup(a, db_text(db, 2));
        g->portrait_uri = arena_strdup(a, db_text(db, 3));
        g->creator_id = db_int(db, 4);
        g->member_count = (int)db_int(db, 5);
        g->max_member_count = (int)db_int(db, 6);
        g->is_mute = (int)db_int(db, 7);
        g->certi_status = (int)db_int(db, 8);
    }
    return done(db, rc);
}

int store_groups_since(db_t *db, struct arena *a, int64_t account_id, int64_t since, struct group_row **out,
                       size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = db_query(db, Q_GROUPS_SINCE, "ii", account_id, since);
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0) {
        *out = grow(a, *out, &cap, *n, sizeof(**out));
        struct group_row *g = memset(&(*out)[(*n)++], 0, sizeof(**out));
        g->display_name = arena_strdup(a, db_text(db, 0));
        g->role = (int)db_int(db, 1);
        g->is_deleted = db_int(db, 2) || db_int(db, 3); /* the membership or the group */
        g->id = db_int(db, 4);
        g->name = arena_strdup(a, db_text(db, 5));
        g->portrait_uri = arena_strdup(a, db_text(db, 6));
        g->updated_at = db_int(db, 7);
        g->member_updated_at = db_int(db, 8);
    }
    return done(db, rc);
}

int store_members_since(db_t *db, struct arena *a, int64_t account_id, int64_t since, struct member_row **out,
                        size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    int rc = db_query(db, Q_GMEMBERS_SINCE, "ii", account_id, since);
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0) {
        *out = grow(a, *out, &cap, *n, sizeof(**out));
        struct member_row *m = &(*out)[(*n)++];
        m->group_id = db_int(db, 0);
        m->member_id = db_int(db, 1);
        m->display_name = arena_strdup(a, db_text(db, 2));
        m->role = (int)db_int(db, 3);
        m->is_deleted = (int)db_int(db, 4);
        m->updated_at = db_int(db, 5);
        m->nick = arena_strdup(a, db_text(db, 6));
        m->avatar = arena_strdup(a, db_text(db, 7));
    }
    return done(db, rc);
}

int store_gfavs(db_t *db, struct arena *a, int64_t account_id, int64_t limit, int64_t offset,
                struct group_row **out, size_t *n, int64_t *total)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    *total = 0;
    int rc = db_query(db, Q_GFAVS_COUNT, "i", account_id);
    if (rc)
        return rc;
    if ((rc = db_row(db)) > 0)
        *total = db_int(db, 0);
    db_end(db);
    if (rc < 0)
        return rc;
    if ((rc = db_query(db, Q_GFAVS_PAGE, "iii", account_id, limit, offset)))
        return rc;
    while ((rc = db_row(db)) > 0) {
        *out = grow(a, *out, &cap, *n, sizeof(**out));
        struct group_row *g = memset(&(*out)[(*n)++], 0, sizeof(**out));
        g->id = db_int(db, 0);
        g->name = arena_strdup(a, db_text(db, 1));
        g->portrait_uri = arena_strdup(a, db_text(db, 2));
        g->creator_id = db_int(db, 3);
        g->member_count = (int)db_int(db, 4);
        g->max_member_count = (int)db_int(db, 5);
        g->member_protection = (int)db_int(db, 6);
        g->created_at = db_int(db, 7);
        g->updated_at = db_int(db, 8);
        g->is_mute = (int)db_int(db, 9);
        g->certi_status = (int)db_int(db, 10);
    }
    return done(db, rc);
}

int store_sync_next(db_t *db, const char *app_id, int64_t now, int64_t *version)
{
    return db_first_int(db, db_query(db, Q_SYNC_NEXT, "ti", app_id, now), -E_INTERNAL, version);
}
