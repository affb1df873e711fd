#include "core/social.h"

#include <string.h>

#include "core/accounts.h"
#include "core/versions.h"
#include "store/store.h"

/* Friend status values (NOTES.md): 20 agreed, 31 blacklisted. */
#define FRIEND_AGREED 20
#define FRIEND_BLACKLISTED 31

static int friend_of(struct ctx *c, const struct account *me, int64_t friend_id)
{
    struct account other;
    return acct_get(c, me->app_id, friend_id, &other);
}

struct bl_args {
    int64_t me, friend_id;
    int add;
};

/* A blacklisted friend's friendship is marked blacklisted too, and agreed again when taken off; both stamped alike. */
static int bl_tx(db_t *db, void *p, int64_t version)
{
    struct bl_args *x = p;
    int rc = x->add ? store_bl_add(db, x->me, x->friend_id, version)
                    : store_bl_remove(db, x->me, x->friend_id, version);
    if (rc)
        return rc;
    return x->add ? store_friend_set_status(db, x->me, x->friend_id, FRIEND_AGREED, FRIEND_BLACKLISTED, version)
                  : store_friend_set_status(db, x->me, x->friend_id, FRIEND_BLACKLISTED, FRIEND_AGREED, version);
}

static int bl_change(struct ctx *c, const struct account *me, int64_t friend_id, int add)
{
    int rc = friend_of(c, me, friend_id);
    if (rc)
        return rc;
    if (add && friend_id == me->id)
        return -E_INVALID;
    struct bl_args x = {me->id, friend_id, add};
    return ver_tx(c, me->app_id, bl_tx, &x);
}

int social_bl_add(struct ctx *c, const struct account *me, int64_t friend_id) { return bl_change(c, me, friend_id, 1); }

int social_bl_remove(struct ctx *c, const struct account *me, int64_t friend_id)
{
    return bl_change(c, me, friend_id, 0);
}

int social_bl_list(struct ctx *c, const struct account *me, struct account **out, size_t *n)
{
    return store_bl_list(c->db, c->a, me->id, out, n);
}

int social_groups(struct ctx *c, const struct account *me, struct group_row **out, size_t *n)
{
    return store_groups_of(c->db, c->a, me->id, out, n);
}

struct favs_args {
    struct ctx *c;
    int64_t id, limit, offset;
    struct group_row **out;
    size_t *n;
    int64_t *total;
};

static int favs_read(db_t *db, void *p)
{
    struct favs_args *x = p;
    return store_gfavs(db, x->c->a, x->id, x->limit, x->offset, x->out, x->n, x->total);
}

int social_favgroups(struct ctx *c, const struct account *me, int64_t limit, int64_t offset,
                     struct group_row **out, size_t *n, int64_t *total)
{
    if (limit < 0 || limit > SOCIAL_FAVS_MAX)
        limit = SOCIAL_FAVS_MAX;
    /* The count and the page in one snapshot: total agrees with the list. */
    struct favs_args x = {c, me->id, limit, offset, out, n, total};
    return store_read(c->db, favs_read, &x);
}

static void newest(int64_t *v, int64_t t)
{
    if (t > *v)
        *v = t;
}

struct sync_args {
    struct ctx *c;
    const struct account *me;
    int64_t since;
    struct sync_data *o;
};

/* The account itself is read again in the same snapshot: the one read with the session may be older. */
static int sync_read(db_t *db, void *p)
{
    struct sync_args *x = p;
    struct ctx *c = x->c;
    struct sync_data *o = x->o;
    int64_t id = x->me->id, since = x->since;
    int rc;
    if ((rc = store_acct_by_id(db, c->a, x->me->app_id, id, &o->user)) ||
        (rc = store_bl_since(db, c->a, id, since, &o->bl, &o->n_bl)) ||
        (rc = store_friends_since(db, c->a, id, since, &o->friends, &o->n_friends)) ||
        (rc = store_groups_since(db, c->a, id, since, &o->groups, &o->n_groups)) ||
        (rc = store_members_since(db, c->a, id, since, &o->members, &o->n_members)))
        return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc;
    return 0;
}

int social_sync(struct ctx *c, const struct account *me, int64_t since, struct sync_data *o)
{
    memset(o, 0, sizeof(*o));
    struct sync_args x = {c, me, since, o};
    int rc = store_read(c->db, sync_read, &x);
    if (rc)
        return rc;
    o->version = since;
    o->user_changed = o->user.updated_at > since;
    if (o->user_changed)
        newest(&o->version, o->user.updated_at);
    for (size_t i = 0; i < o->n_bl; i++)
        newest(&o->version, o->bl[i].updated_at);
    for (size_t i = 0; i < o->n_friends; i++)
        newest(&o->version, o->friends[i].updated_at);
    for (size_t i = 0; i < o->n_groups; i++) {
        struct group_row *g = &o->groups[i];
        newest(&g->updated_at, g->member_updated_at); /* the group's timestamp covers its membership too */
        newest(&o->version, g->updated_at);
    }
    for (size_t i = 0; i < o->n_members; i++)
        newest(&o->version, o->members[i].updated_at);
    return 0;
}
