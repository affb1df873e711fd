#ifndef USERD_TYPES_H
#define USERD_TYPES_H

/*
 * The domain's plain data: what an app, an account, its settings, devices
 * and social rows hold. The core owns these types; the faces read them from
 * core answers and the store fills them from rows. Strings live in the
 * caller's arena; absent text reads as "".
 *
 * Plain data only: no functions, no limits, no rules (those are in the core
 * module of each resource: accounts.h, appusers.h, settings.h...). This is
 * the one core header the store includes (scripts/layers.sh checks it).
 */
#include <stdint.h>

/* ---- apps (tenants) ---- */
struct app {
    const char *id, *name, *access_key, *secret_key;
    int64_t created_at;
};

/* ---- accounts: one per person, whichever face made it ---- */
/* An admin token as the operator sees it (never the token itself). */
struct admin_token {
    const char *prefix; /* NULL for a token made before prefixes were kept */
    int64_t created_at, expires_at, last_used_at; /* ms; last_used_at 0: never */
};

struct account {
    int64_t id;
    const char *app_id, *username, *pw_hash;
    const char *nick, *avatar, *description, *public_info, *private_info, *email;
    const char *region, *mobile, *gender, *st_account;
    int phone_verify, st_search_verify, fri_verify, group_verify, poke_status;
    const char *live_uid, *live_extends;
    int status; /* 0 normal, 1 disabled */
    int64_t created_at, updated_at;
};

/** Profile fields to change; NULL leaves a field as it is. */
struct account_patch {
    const char *nick, *avatar, *description, *public_info, *private_info;
};

/** An account as a list of accounts shows it. */
struct account_brief {
    int64_t id;
    const char *username; /* "" when the account has none */
    int status;
};

/** The app face's own text fields of an account. */
enum au_field { AU_GENDER, AU_ST_ACCOUNT };

/* ---- IM per-user settings ---- */
struct user_settings {
    int64_t account_id;
    int auth_mode;
    const char *auth_question, *auth_answer;
    int auto_download, group_confirm, no_push, no_push_detail;
    int no_push_start_hour, no_push_end_hour, no_sounds;
    const char *push_nick_name, *push_token;
    int silence_start_time, silence_end_time, vibratory;
    const char *alias;
    int badge;
};

/* Which user_settings fields a partial update writes (bits of its mask). */
enum {
    STG_AUTH_MODE = 1 << 0,
    STG_AUTH_QUESTION = 1 << 1,
    STG_AUTH_ANSWER = 1 << 2,
    STG_AUTO_DOWNLOAD = 1 << 3,
    STG_GROUP_CONFIRM = 1 << 4,
    STG_NO_PUSH = 1 << 5,
    STG_NO_PUSH_DETAIL = 1 << 6,
    STG_NO_PUSH_START_HOUR = 1 << 7,
    STG_NO_PUSH_END_HOUR = 1 << 8,
    STG_NO_SOUNDS = 1 << 9,
    STG_PUSH_NICK_NAME = 1 << 10,
    STG_PUSH_TOKEN = 1 << 11,
    STG_SILENCE_START_TIME = 1 << 12,
    STG_SILENCE_END_TIME = 1 << 13,
    STG_VIBRATORY = 1 << 14,
    STG_ALIAS = 1 << 15,
    STG_BADGE = 1 << 16,
};

/* ---- devices an account signed in from ---- */
struct device {
    int64_t device_sn;
    int platform;
    const char *user_agent, *device_token, *notifier_name;
    int64_t updated_at;
};

/* ---- social rows of the app face. Ids are account / group ids ---- */
struct bl_row {
    int64_t friend_id, updated_at;
    int status;
};
struct friend_row {
    int64_t friend_id, updated_at;
    const char *display_name;
    int status;
};
struct group_row {
    int64_t id, creator_id, created_at, updated_at, member_updated_at;
    const char *name, *portrait_uri, *display_name;
    int role, member_count, max_member_count, is_mute, certi_status, member_protection, is_deleted;
};
struct member_row {
    int64_t group_id, member_id, updated_at;
    const char *display_name, *nick, *avatar;
    int role, is_deleted;
};

/* ---- the admin console (issue 15) ---- */
/* An operator: a person who runs the console, not an app user. */
struct operator_row {
    const char *name, *pw_hash;
    int64_t created_at, last_login_at; /* ms; last_login_at 0: never */
};

/* One line of the audit log: who did what to which target, when, from where. */
struct audit_entry {
    int64_t id, at;
    const char *operator_name, *action, *app_id, *target, *address, *detail;
};

/* Accounts of one app, per face that made them. */
struct app_counts {
    const char *app_id;
    int64_t total, live, app, im, disabled;
};

#endif
