#ifndef USERD_SOCIAL_H
#define USERD_SOCIAL_H

#include "core/ctx.h"
#include "core/types.h"

/*
 * The app face's social data: blacklist, friendships, groups and favourite
 * groups, and the versioned sync of them. Each row carries in updated_at
 * the sync version of its last change (core/versions.h: a per-app counter
 * taken in commit order, kept near the ms clock), and sync returns the rows
 * changed after the version the client holds.
 */
#define SOCIAL_FAVS_MAX 1000 /* a favgroups page without limit returns at most this many */

/** Blacklists friend_id. -E_USER_UNKNOWN (no such account in the app), -E_INVALID (oneself). */
int social_bl_add(struct ctx *c, const struct account *me, int64_t friend_id) USERD_MUST_CHECK;
/** Takes friend_id off the blacklist (nothing to do when not on it). -E_USER_UNKNOWN. */
int social_bl_remove(struct ctx *c, const struct account *me, int64_t friend_id) USERD_MUST_CHECK;
/** The blacklisted accounts, oldest entry first. */
int social_bl_list(struct ctx *c, const struct account *me, struct account **out, size_t *n) USERD_MUST_CHECK;

int social_groups(struct ctx *c, const struct account *me, struct group_row **out, size_t *n) USERD_MUST_CHECK;
/** limit < 0: all (up to SOCIAL_FAVS_MAX). */
int social_favgroups(struct ctx *c, const struct account *me, int64_t limit, int64_t offset,
                     struct group_row **out, size_t *n, int64_t *total) USERD_MUST_CHECK;

struct sync_data {
    int64_t version;       /* the newest timestamp returned; the asked version when nothing changed */
    struct account user;   /* the account itself, as read with the rest */
    int user_changed;      /* ... and it changed after the version */
    struct bl_row *bl;
    size_t n_bl;
    struct friend_row *friends;
    size_t n_friends;
    struct group_row *groups; /* member_updated_at: the membership's own time */
    size_t n_groups;
    struct member_row *members;
    size_t n_members;
};
/** Everything of the account changed after since, read in one transaction. */
int social_sync(struct ctx *c, const struct account *me, int64_t since, struct sync_data *out) USERD_MUST_CHECK;

#endif
