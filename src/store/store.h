#ifndef USERD_STORE_H
#define USERD_STORE_H

/*
 * The store: the domain operations of userd over one database connection
 * (db.h). The core calls these; nothing above the store sees SQL. Rows are
 * returned in plain structs whose strings live in the caller's arena;
 * absent text columns read as "".
 *
 * Every function returns 0 or a negative core error: -E_NOT_FOUND when the
 * row is not there, -E_EXISTS on a unique violation, -E_BUSY /
 * -E_UNAVAILABLE / -E_INTERNAL from the database (db.h).
 */
#include <stdint.h>

#include "base/arena.h"
#include "base/errors.h"
#include "store/db.h"

/** This thread's connection, opened (and migrated once per process) on first use. */
int store_thread(db_t **out) USERD_MUST_CHECK;

/** Opens a connection for the process (CLI), applying migrations. */
int store_open(db_t **out) USERD_MUST_CHECK;

/** Closes this thread's connection, if any (thread exit, shutdown). */
void store_thread_close(void);

/** Closes every thread's connection (at shutdown, once the threads are stopped). */
void store_close_all(void);

/*
 * Runs fn(db, arg) in a write transaction, retrying a few times when the
 * database reports a conflict (-E_BUSY). fn returns 0 to commit, or an error
 * to roll back and return it.
 */
int store_tx(db_t *db, int (*fn)(db_t *db, void *arg), void *arg) USERD_MUST_CHECK;

/* ---- meta: server-wide secrets, made once, shared by every process ---- */

/** The value of key; when absent, stores fresh (first writer wins) and returns the stored one. */
int store_meta_get_or_put(db_t *db, struct arena *a, const char *key, const char *fresh,
                          const char **out) USERD_MUST_CHECK;

/* ---- apps ---- */
struct app {
    const char *id, *name, *access_key, *secret_key;
    int64_t created_at;
};
int store_app_insert(db_t *db, const struct app *app) USERD_MUST_CHECK;
int store_app_by_id(db_t *db, struct arena *a, const char *id, struct app *out) USERD_MUST_CHECK;
int store_app_by_ak(db_t *db, struct arena *a, const char *ak, struct app *out) USERD_MUST_CHECK;
/** Calls fn for each app, oldest first. */
int store_app_each(db_t *db, struct arena *a, void (*fn)(const struct app *, void *), void *arg) USERD_MUST_CHECK;
int store_app_count(db_t *db, int64_t *out) USERD_MUST_CHECK;

/* ---- accounts ---- */
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
/**
 * Inserts an account from in's app_id, username, pw_hash, nick, avatar,
 * region, mobile, live_uid, live_extends (NULL or "" username, region,
 * mobile, live_uid store NULL) and created_at; sets *id.
 */
int store_acct_insert(db_t *db, const struct account *in, int64_t *id) USERD_MUST_CHECK;
int store_acct_by_id(db_t *db, struct arena *a, const char *app_id, int64_t id, struct account *out) USERD_MUST_CHECK;
int store_acct_by_username(db_t *db, struct arena *a, const char *app_id, const char *username,
                           struct account *out) USERD_MUST_CHECK;
/** The account with this mobile (region 86 first when several regions have it). */
int store_acct_by_mobile(db_t *db, struct arena *a, const char *app_id, const char *mobile,
                         struct account *out) USERD_MUST_CHECK;
int store_acct_by_email(db_t *db, struct arena *a, const char *app_id, const char *email,
                        struct account *out) USERD_MUST_CHECK;
int store_acct_set_password(db_t *db, const char *app_id, int64_t id, const char *pw_hash, int64_t now) USERD_MUST_CHECK;
/** Replaces the hash only if it is still old_hash (a rehash racing a password change loses). */
int store_acct_rehash(db_t *db, const char *app_id, int64_t id, const char *old_hash, const char *new_hash) USERD_MUST_CHECK;

/* ---- tokens (stored as hashes) ---- */
struct token_info {
    const char *app_id;
    int64_t account_id; /* 0: an admin token */
    int64_t device_sn;  /* 0: none */
    int64_t expires_at;
    int status; /* the account's status */
};
/** account_id 0 makes an admin token; device_sn 0 binds no device. */
int store_token_insert(db_t *db, const char *hash, const char *app_id, int64_t account_id,
                       int64_t device_sn, int64_t expires_at, int64_t now) USERD_MUST_CHECK;
int store_token_lookup(db_t *db, struct arena *a, const char *hash, struct token_info *out) USERD_MUST_CHECK;
int store_token_delete_account(db_t *db, int64_t account_id) USERD_MUST_CHECK;
/** Deletes every token of the account except the one with keep_hash. */
int store_token_delete_others(db_t *db, int64_t account_id, const char *keep_hash) USERD_MUST_CHECK;
int store_token_delete_device(db_t *db, int64_t account_id, int64_t device_sn) USERD_MUST_CHECK;

/* ---- devices ---- */
/** Registers the device with this guid for the account, or refreshes it; sets *device_sn. */
int store_device_upsert(db_t *db, int64_t account_id, const char *guid, int platform,
                        const char *user_agent, int64_t now, int64_t *device_sn) USERD_MUST_CHECK;

/* ---- IM user settings ---- */
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
int store_settings_insert(db_t *db, int64_t account_id, int64_t now) USERD_MUST_CHECK;
int store_settings_get(db_t *db, struct arena *a, int64_t account_id, struct user_settings *out) USERD_MUST_CHECK;

/* ---- live users (the live face): accounts rows with live_uid set ---- */
struct live_row {
    int64_t id; /* the account id: the live user's im_userid */
    const char *live_uid, *nick, *avatar, *extends; /* extends: JSON object text */
    const char *username, *pw_hash;                 /* the IM username ("" if none), the password marker */
};
/** The live user live_uid of the app. lock: hold the row for an update (call inside store_tx). */
int store_live_by_uid(db_t *db, struct arena *a, const char *app_id, const char *live_uid, int lock,
                      struct live_row *out) USERD_MUST_CHECK;
/**
 * The live users of the app whose ids are in uids_json (a JSON array of
 * strings), in no particular order; fn is called once per row found.
 */
int store_live_by_uids(db_t *db, struct arena *a, const char *app_id, const char *uids_json,
                       void (*fn)(const struct live_row *, void *), void *arg) USERD_MUST_CHECK;
/** Rewrites nick, avatar and extends of account id. -E_NOT_FOUND when it is gone. */
int store_live_update(db_t *db, const char *app_id, int64_t id, const char *nick, const char *avatar,
                      const char *extends, int64_t now) USERD_MUST_CHECK;

#endif
