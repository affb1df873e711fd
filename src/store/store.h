#ifndef USERD_STORE_H
#define USERD_STORE_H

/*
 * The store: the persistence operations of userd over one database
 * connection (db.h). Private to the core: only src/core and src/store
 * include it (scripts/layers.sh); nothing above the core sees SQL, a
 * connection or this header. Rows are returned in the core's plain structs
 * (core/types.h) whose strings live in the caller's arena; absent text
 * columns read as "".
 *
 * Every function returns 0 or a negative core error: -E_NOT_FOUND when the
 * row is not there, -E_EXISTS on a unique violation, -E_BUSY /
 * -E_UNAVAILABLE / -E_INTERNAL from the database (db.h).
 */
#include <stdint.h>

#include "base/arena.h"
#include "base/errors.h"
#include "core/types.h"
#include "store/db.h"

/** This thread's connection, opened (and migrated once per process) on first use. */
int store_thread(db_t **out) USERD_MUST_CHECK;

/** Opens a connection for the process (CLI), applying migrations. */
int store_open(db_t **out) USERD_MUST_CHECK;

/**
 * For readiness: 0 when db holds every migration this build has (or a
 * newer schema), -E_INVALID when some are missing, or the database's error.
 */
int store_schema_ready(db_t *db) USERD_MUST_CHECK;

struct store_backup_info {
    int64_t pages, bytes;     /* of the copy */
    int64_t apps, accounts;   /* read back from the copy */
};
/**
 * SQLite: copies the store, as of one moment and while it serves, to path:
 * written beside it, read back, then renamed over it (mode 0600).
 * -E_NOT_CONFIGURED on PostgreSQL; on failure (logged) path is as it was.
 */
int store_backup(db_t *db, const char *path, struct store_backup_info *out) USERD_MUST_CHECK;

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

/*
 * Runs fn(db, arg) in a read transaction: every statement of fn reads one
 * snapshot of the store (SQLite: one WAL snapshot; PostgreSQL: REPEATABLE
 * READ), so reads that belong together agree with each other.
 */
int store_read(db_t *db, int (*fn)(db_t *db, void *arg), void *arg) USERD_MUST_CHECK;

/*
 * A read-only request's statements in one read transaction, from
 * store_snapshot() to store_snapshot_end(): one snapshot, and on SQLite one
 * round of locking for all of them instead of one per statement (each round
 * is a few system calls: docs/performance.md). Nothing may write in between
 * (store_tx fails); store_read inside runs in it. A no-op on PostgreSQL,
 * where BEGIN and COMMIT would be two more round trips for nothing.
 */
int store_snapshot(db_t *db) USERD_MUST_CHECK;
void store_snapshot_end(db_t *db);

/* ---- meta: server-wide secrets, made once, shared by every process ---- */

/** The value of key; when absent, stores fresh (first writer wins) and returns the stored one. */
int store_meta_get_or_put(db_t *db, struct arena *a, const char *key, const char *fresh,
                          const char **out) USERD_MUST_CHECK;

/* ---- apps ---- */
int store_app_insert(db_t *db, const struct app *app) USERD_MUST_CHECK;
int store_app_by_id(db_t *db, struct arena *a, const char *id, struct app *out) USERD_MUST_CHECK;
int store_app_by_ak(db_t *db, struct arena *a, const char *ak, struct app *out) USERD_MUST_CHECK;
/** Calls fn for each app, oldest first. */
int store_app_each(db_t *db, struct arena *a, void (*fn)(const struct app *, void *), void *arg) USERD_MUST_CHECK;
int store_app_count(db_t *db, int64_t *out) USERD_MUST_CHECK;

/* ---- accounts ---- */
/**
 * Inserts an account from in's app_id, username, pw_hash, nick, avatar,
 * region, mobile, live_uid, live_extends (NULL or "" username, region,
 * mobile, live_uid store NULL) and created_at; sets *id.
 */
int store_acct_insert(db_t *db, const struct account *in, int64_t *id) USERD_MUST_CHECK;
int store_acct_by_id(db_t *db, struct arena *a, const char *app_id, int64_t id, struct account *out) USERD_MUST_CHECK;
int store_acct_by_username(db_t *db, struct arena *a, const char *app_id, const char *username,
                           struct account *out) USERD_MUST_CHECK;
/** The account with this mobile; when several regions have it, one of region prefer first, then the oldest. */
int store_acct_by_mobile(db_t *db, struct arena *a, const char *app_id, const char *mobile, const char *prefer,
                         struct account *out) USERD_MUST_CHECK;
int store_acct_by_email(db_t *db, struct arena *a, const char *app_id, const char *email,
                        struct account *out) USERD_MUST_CHECK;
/** Calls fn for every app with its number of accounts (app_id valid during the call only). A full scan. */
int store_acct_count_each(db_t *db, void (*fn)(const char *app_id, int64_t n, void *), void *arg) USERD_MUST_CHECK;
int store_acct_set_password(db_t *db, const char *app_id, int64_t id, const char *pw_hash, int64_t now) USERD_MUST_CHECK;
/** Replaces the hash only if it is still old_hash (a rehash racing a password change loses). */
int store_acct_rehash(db_t *db, const char *app_id, int64_t id, const char *old_hash, const char *new_hash) USERD_MUST_CHECK;

/* ---- tokens (stored as hashes) ---- */
struct token_info {
    const char *app_id;
    int64_t account_id; /* 0: an admin token */
    int64_t device_sn;  /* 0: none */
    int64_t expires_at;
    int64_t last_used_at; /* admin tokens: when last used (at most a minute behind), 0: never */
    int status; /* the account's status */
    const struct account *account; /* the token's account, NULL for an admin token (the caller's arena) */
};
/** account_id 0 makes an admin token; device_sn 0 binds no device. */
int store_token_insert(db_t *db, const char *hash, const char *app_id, int64_t account_id,
                       int64_t device_sn, int64_t expires_at, int64_t now) USERD_MUST_CHECK;
/** The token with this hash and, read by the same statement, its account (out->account). */
int store_token_lookup(db_t *db, struct arena *a, const char *hash, struct token_info *out) USERD_MUST_CHECK;
int store_token_delete_account(db_t *db, int64_t account_id) USERD_MUST_CHECK;
/** Deletes every token of the account except the one with keep_hash. */
int store_token_delete_others(db_t *db, int64_t account_id, const char *keep_hash) USERD_MUST_CHECK;
int store_token_delete_device(db_t *db, int64_t account_id, int64_t device_sn) USERD_MUST_CHECK;
/* Admin tokens (account_id NULL): made, listed and revoked by the operator (`userd app token(s)`). */
int store_admin_token_insert(db_t *db, const char *hash, const char *app_id, const char *prefix, int64_t expires_at,
                             int64_t now) USERD_MUST_CHECK;
/** Calls fn for each admin token of the app, oldest first. */
int store_admin_token_each(db_t *db, struct arena *a, const char *app_id,
                           void (*fn)(const struct admin_token *, void *), void *arg) USERD_MUST_CHECK;
/** How many admin tokens of the app have this prefix. */
int store_admin_token_count(db_t *db, const char *app_id, const char *prefix, int64_t *n) USERD_MUST_CHECK;
/** Deletes the app's admin tokens with this prefix (hash NULL) or this hash (prefix NULL): how many, or an error. */
int store_admin_token_delete(db_t *db, const char *app_id, const char *prefix, const char *hash) USERD_MUST_CHECK;
/** Notes the use of an admin token at now, unless already noted after now - every. */
int store_admin_token_used(db_t *db, const char *hash, int64_t now, int64_t every) USERD_MUST_CHECK;
/** Deletes the account's tokens that expire at or before now, and all but its `keep` (>= 1) newest. */
int store_token_trim(db_t *db, int64_t account_id, int64_t now, int64_t keep) USERD_MUST_CHECK;
/** Deletes the account's tokens bound to a device it no longer has. */
int store_token_delete_orphans(db_t *db, int64_t account_id) USERD_MUST_CHECK;
/** Deletes all but the account's `keep` (>= 1) most recently used devices; *deleted: how many went. */
int store_device_trim(db_t *db, int64_t account_id, int64_t keep, int64_t *deleted) USERD_MUST_CHECK;

/* ---- devices ---- */
/** Registers the device with this guid for the account, or refreshes it; sets *device_sn. */
int store_device_upsert(db_t *db, int64_t account_id, const char *guid, int platform,
                        const char *user_agent, int64_t now, int64_t *device_sn) USERD_MUST_CHECK;

/* ---- IM user settings ---- */
int store_settings_insert(db_t *db, int64_t account_id, int64_t now) USERD_MUST_CHECK;
int store_settings_get(db_t *db, struct arena *a, int64_t account_id, struct user_settings *out) USERD_MUST_CHECK;

/* ---- live users (the live face): accounts rows with live_uid set ---- */
struct live_row {
    int64_t id; /* the account id: the live user's im_userid */
    const char *live_uid, *nick, *avatar, *extends; /* extends: JSON object text */
    const char *username, *pw_hash;                 /* the IM username ("" if none), the password marker */
    int status;                                     /* the account's: 0 normal, 1 disabled */
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
/** Rewrites the extends of account id (nick and avatar: store_acct_update_profile). -E_NOT_FOUND when it is gone. */
int store_live_set_extends(db_t *db, const char *app_id, int64_t id, const char *extends, int64_t now) USERD_MUST_CHECK;

/* ---- app face (issue 5): app users, sessions, codes, counters, social ---- */

/** Reads the ACCT_COLS columns (q_accounts.def) of the current row, in order, from column 0. */
void store_acct_row(db_t *db, struct arena *a, struct account *out);
/** The same from column first on (ACCT_COLS after other columns, in a join). */
void store_acct_row_at(db_t *db, struct arena *a, int first, struct account *out);

/** The account of the app with this (region, mobile). */
int store_au_by_phone(db_t *db, struct arena *a, const char *app_id, const char *region, const char *mobile,
                      struct account *out) USERD_MUST_CHECK;
/**
 * 0 when an account of the app holds the mobile in this region (or, with
 * or_no_region, with no region), else -E_NOT_FOUND.
 */
int store_au_phone_taken(db_t *db, const char *app_id, const char *region, const char *mobile,
                         int or_no_region) USERD_MUST_CHECK;
int store_au_by_st(db_t *db, struct arena *a, const char *app_id, const char *st_account,
                   struct account *out) USERD_MUST_CHECK;
/** The account of the app whose session has this hash, and the session's expiry. */
int store_au_by_session(db_t *db, struct arena *a, const char *hash, const char *app_id, struct account *out,
                        int64_t *expires_at) USERD_MUST_CHECK;
/** Calls fn for each account of the app whose id is in ids_json (a JSON array of integers), in no order. */
int store_au_batch(db_t *db, struct arena *a, const char *app_id, const char *ids_json,
                   void (*fn)(const struct account *, void *), void *arg) USERD_MUST_CHECK;
/** Sets gender or st_account (-E_EXISTS when another account has that SealTalk number). */
int store_au_set_text(db_t *db, enum au_field f, const char *app_id, int64_t id, const char *value,
                      int64_t now) USERD_MUST_CHECK;
/** Sets the privacy flags that are >= 0 (phone_verify, st_search_verify, fri_verify, group_verify). */
int store_au_set_privacy(db_t *db, const char *app_id, int64_t id, const int flags[4], int64_t now) USERD_MUST_CHECK;
int store_au_set_poke(db_t *db, const char *app_id, int64_t id, int poke, int64_t now) USERD_MUST_CHECK;

int store_session_insert(db_t *db, const char *hash, int64_t account_id, int64_t expires_at, int64_t now) USERD_MUST_CHECK;
int store_session_delete(db_t *db, const char *hash) USERD_MUST_CHECK;
/** Deletes every session of the account except keep_hash (NULL: all of them). */
int store_session_delete_account(db_t *db, int64_t account_id, const char *keep_hash) USERD_MUST_CHECK;

struct sms_code {
    const char *code_hash;
    int64_t sent_at, expires_at;
    int tries;
};
int store_sms_code_get(db_t *db, struct arena *a, const char *app_id, const char *region, const char *phone,
                       struct sms_code *out) USERD_MUST_CHECK;
/**
 * Stores a fresh code (replacing the phone's previous one, tries back to 0),
 * unless the previous one was sent after resend_before: -E_TOO_SOON then.
 * One atomic statement: needs no transaction.
 */
int store_sms_code_put(db_t *db, const char *app_id, const char *region, const char *phone,
                       const struct sms_code *c, int64_t resend_before) USERD_MUST_CHECK;
/** Counts a wrong try of the code with this hash. */
int store_sms_code_try(db_t *db, const char *app_id, const char *region, const char *phone,
                       const char *code_hash) USERD_MUST_CHECK;
/** Deletes the phone's code if it is still the one with this hash. */
int store_sms_code_delete(db_t *db, const char *app_id, const char *region, const char *phone,
                          const char *code_hash) USERD_MUST_CHECK;
int store_verif_insert(db_t *db, const char *hash, const char *app_id, const char *region, const char *phone,
                       int64_t expires_at) USERD_MUST_CHECK;
/** The phone of an unused, unexpired verification, leaving it unused; -E_NOT_FOUND otherwise. */
int store_verif_peek(db_t *db, struct arena *a, const char *hash, const char *app_id, int64_t now,
                     const char **region, const char **phone) USERD_MUST_CHECK;
/** Marks the unused, unexpired verification used and returns its phone; -E_NOT_FOUND otherwise. */
int store_verif_take(db_t *db, struct arena *a, const char *hash, const char *app_id, int64_t now,
                     const char **region, const char **phone) USERD_MUST_CHECK;
int store_captcha_insert(db_t *db, const char *id, const char *app_id, const char *answer,
                         int64_t expires_at) USERD_MUST_CHECK;
/** The answer of an unused, unexpired picture code. */
int store_captcha_get(db_t *db, struct arena *a, const char *id, const char *app_id, int64_t now,
                      const char **answer) USERD_MUST_CHECK;
/** Marks the picture code used and returns its answer and expiry (-E_NOT_FOUND: unknown or used). */
int store_captcha_take(db_t *db, struct arena *a, const char *id, const char *app_id, const char **answer,
                       int64_t *expires_at) USERD_MUST_CHECK;

/** One hit on counter key at now; windows that started at or before stale_before are over. *count: hits in the window. */
int store_counter_hit(db_t *db, const char *key, int64_t now, int64_t stale_before, int64_t restart_at,
                      int64_t *count) USERD_MUST_CHECK;
/**
 * store_counter_hit with restart_at max, taken only while the window holds
 * fewer than max hits: *taken 1 (counted), or 0 (the window is full; nothing
 * changed). Atomic: parallel callers never take more than max.
 */
int store_counter_take(db_t *db, const char *key, int64_t now, int64_t stale_before, int64_t max,
                       int *taken) USERD_MUST_CHECK;
int store_counter_delete(db_t *db, const char *key) USERD_MUST_CHECK;
/** Takes one hit back from counter key (never below 0). */
int store_counter_unhit(db_t *db, const char *key) USERD_MUST_CHECK;

/** The tables of short-lived rows. */
enum store_purge { PURGE_SESSIONS, PURGE_SMS_CODES, PURGE_VERIFICATIONS, PURGE_CAPTCHAS, PURGE_COUNTERS };
/** Deletes the rows of one table that expire at or before `before` (counters: whose window started then or earlier). */
int store_purge(db_t *db, enum store_purge what, int64_t before) USERD_MUST_CHECK;

/* Social rows as the app face reads them (core/types.h). */
/** Puts friend_id on the account's blacklist (status 1, inserted or updated). */
int store_bl_add(db_t *db, int64_t account_id, int64_t friend_id, int64_t now) USERD_MUST_CHECK;
/** Takes friend_id off the blacklist (status 0) when it is on it (status 1); otherwise changes nothing. */
int store_bl_remove(db_t *db, int64_t account_id, int64_t friend_id, int64_t now) USERD_MUST_CHECK;
/** Sets the status of the friendship (account_id, friend_id) to to, if it is from now; otherwise changes nothing. */
int store_friend_set_status(db_t *db, int64_t account_id, int64_t friend_id, int from, int to,
                            int64_t now) USERD_MUST_CHECK;
/** The accounts the account has blacklisted (status 1), oldest first; *out in a. */
int store_bl_list(db_t *db, struct arena *a, int64_t account_id, struct account **out, size_t *n) USERD_MUST_CHECK;
int store_bl_since(db_t *db, struct arena *a, int64_t account_id, int64_t since, struct bl_row **out,
                   size_t *n) USERD_MUST_CHECK;
int store_friends_since(db_t *db, struct arena *a, int64_t account_id, int64_t since, struct friend_row **out,
                        size_t *n) USERD_MUST_CHECK;
/** The groups the account is a member of (role, group fields). */
int store_groups_of(db_t *db, struct arena *a, int64_t account_id, struct group_row **out, size_t *n) USERD_MUST_CHECK;
/** Memberships of the account whose row or group changed after since. */
int store_groups_since(db_t *db, struct arena *a, int64_t account_id, int64_t since, struct group_row **out,
                       size_t *n) USERD_MUST_CHECK;
/** Member rows changed after since, of the live groups the account is (still) in. */
int store_members_since(db_t *db, struct arena *a, int64_t account_id, int64_t since, struct member_row **out,
                        size_t *n) USERD_MUST_CHECK;
/** Favourite groups of the account: *total of them, and up to limit from offset (two statements: call in store_read). */
int store_gfavs(db_t *db, struct arena *a, int64_t account_id, int64_t limit, int64_t offset,
                struct group_row **out, size_t *n, int64_t *total) USERD_MUST_CHECK;
/**
 * The app's next sync version: one more than its last, or now when that is
 * later (the row is made on first use). Takes the app's counter row for the
 * rest of the transaction: call inside store_tx.
 */
int store_sync_next(db_t *db, const char *app_id, int64_t now, int64_t *version) USERD_MUST_CHECK;
/* ---- end of app face ---- */

/* ---- IM face: profile and administration of accounts, devices, push (issue 3) ---- */

/** Changes the non-NULL fields; -E_NOT_FOUND when the account is not in the app. */
int store_acct_update_profile(db_t *db, const char *app_id, int64_t id, const struct account_patch *p,
                              int64_t now) USERD_MUST_CHECK;
/** -E_EXISTS when another account of the app has the username. */
int store_acct_set_username(db_t *db, const char *app_id, int64_t id, const char *username, int64_t now) USERD_MUST_CHECK;
int store_acct_set_mobile(db_t *db, const char *app_id, int64_t id, const char *mobile, int64_t now) USERD_MUST_CHECK;
/** An account of the app other than except_id with this mobile (any region); -E_NOT_FOUND when none. */
int store_acct_mobile_holder(db_t *db, const char *app_id, const char *mobile, int64_t except_id,
                             int64_t *holder) USERD_MUST_CHECK;
int store_acct_set_status(db_t *db, const char *app_id, int64_t id, int status, int64_t now) USERD_MUST_CHECK;
/** Deletes the account; its settings, devices, tokens, tags... go with it (ON DELETE CASCADE). */
int store_acct_delete(db_t *db, const char *app_id, int64_t id) USERD_MUST_CHECK;
/** Up to limit accounts of the app in id order, skipping offset; out holds limit entries. */
int store_acct_page(db_t *db, struct arena *a, const char *app_id, int64_t offset, int limit,
                    struct account_brief *out, int *n) USERD_MUST_CHECK;

/** Up to limit devices of the account with device_sn > after_sn, in device_sn order. */
int store_device_page(db_t *db, struct arena *a, int64_t account_id, int64_t after_sn, int limit,
                      struct device *out, int *n) USERD_MUST_CHECK;
/** The newest updated_at among the account's devices (0 when it has none). */
int store_device_newest(db_t *db, int64_t account_id, int64_t *updated_at) USERD_MUST_CHECK;
/** 0 when the account has the device, else -E_NOT_FOUND. */
int store_device_exists(db_t *db, int64_t account_id, int64_t device_sn) USERD_MUST_CHECK;
int store_device_delete(db_t *db, int64_t account_id, int64_t device_sn) USERD_MUST_CHECK;
/** Sets (or, with "" and "", clears) the device's push token and notifier name. */
int store_device_set_push(db_t *db, int64_t account_id, int64_t device_sn, const char *device_token,
                          const char *notifier_name, int64_t now) USERD_MUST_CHECK;

/* Push tags: a set of strings per account. */
int store_tag_add(db_t *db, int64_t account_id, const char *tag) USERD_MUST_CHECK;
int store_tag_remove(db_t *db, int64_t account_id, const char *tag) USERD_MUST_CHECK;
int store_tag_clear(db_t *db, int64_t account_id) USERD_MUST_CHECK;
int store_tag_count(db_t *db, int64_t account_id, int64_t *n) USERD_MUST_CHECK;
/** Up to max tags of the account, sorted byte-wise. */
int store_tag_list(db_t *db, struct arena *a, int64_t account_id, size_t max, const char **out,
                   size_t *n) USERD_MUST_CHECK;

/** Writes the columns of v named by mask (STG_* bits, core/types.h), in one statement; -E_NOT_FOUND when the account has no row. */
int store_settings_patch(db_t *db, int64_t account_id, unsigned mask, const struct user_settings *v,
                         int64_t now) USERD_MUST_CHECK;

/* ---- the admin console (issue 15): operators, sessions, audit log, search, counts ---- */
int store_op_insert(db_t *db, const char *name, const char *pw_hash, int64_t now) USERD_MUST_CHECK;
int store_op_get(db_t *db, struct arena *a, const char *name, struct operator_row *out) USERD_MUST_CHECK;
/** Calls fn for each operator, by name. */
int store_op_each(db_t *db, struct arena *a, void (*fn)(const struct operator_row *, void *), void *arg) USERD_MUST_CHECK;
/** Deletes the operator and its sessions (-E_NOT_FOUND). */
int store_op_delete(db_t *db, const char *name) USERD_MUST_CHECK;
/** Sets the operator's password hash (-E_NOT_FOUND) and ends its sessions. */
int store_op_set_password(db_t *db, const char *name, const char *pw_hash) USERD_MUST_CHECK;
int store_op_logged_in(db_t *db, const char *name, int64_t now) USERD_MUST_CHECK;
int store_csess_insert(db_t *db, const char *hash, const char *op, const char *address, int64_t now) USERD_MUST_CHECK;
/** The operator of the session with this hash and when it was last seen (-E_NOT_FOUND). */
int store_csess_get(db_t *db, struct arena *a, const char *hash, const char **op, int64_t *seen_at) USERD_MUST_CHECK;
/** Notes a request of the session at now, unless one was noted after now - every. */
int store_csess_touch(db_t *db, const char *hash, int64_t now, int64_t every) USERD_MUST_CHECK;
int store_csess_delete(db_t *db, const char *hash) USERD_MUST_CHECK;
/** Deletes the sessions last seen at or before `before`. */
int store_csess_purge(db_t *db, int64_t before) USERD_MUST_CHECK;
int store_audit_insert(db_t *db, const struct audit_entry *e) USERD_MUST_CHECK;
/**
 * Up to limit entries, newest first, with id below before_id (0: from the
 * newest); "" in operator, action or app_id matches every one.
 */
int store_audit_page(db_t *db, struct arena *a, const char *op, const char *action, const char *app_id,
                     int64_t before_id, int limit, struct audit_entry *out, int *n) USERD_MUST_CHECK;
/** What a user search looks for. */
enum store_search { SEARCH_NICK_PREFIX, SEARCH_MOBILE, SEARCH_LIVE_UID, SEARCH_ALL };
/**
 * Up to limit accounts of the app (offset skipped): nick in [value, upto)
 * byte-wise (SEARCH_NICK_PREFIX), mobile or live_uid equal to value, or
 * every account newest first (SEARCH_ALL: value unused).
 */
int store_acct_search(db_t *db, struct arena *a, enum store_search by, const char *app_id, const char *value,
                      const char *upto, int limit, int64_t offset, struct account *out, int *n) USERD_MUST_CHECK;
/** The account's IM tokens and app-face sessions that have not expired at now. */
int store_acct_live_credentials(db_t *db, int64_t account_id, int64_t now, int64_t *tokens,
                                int64_t *sessions) USERD_MUST_CHECK;
/** Calls fn with each app's account counts (apps without accounts are not listed). */
int store_acct_counts(db_t *db, struct arena *a, void (*fn)(const struct app_counts *, void *), void *arg) USERD_MUST_CHECK;
/** Counts over time: accounts made per day (since: ms), sign-ins per hour (since: an hour). */
enum store_series { SERIES_SIGNUPS_DAILY, SERIES_SIGN_INS_HOURLY };
/** Calls fn(bucket, count) for each day or hour (since the epoch, UTC) from since on with a count. */
int store_series(db_t *db, enum store_series which, int64_t since, void (*fn)(int64_t, int64_t, void *),
                 void *arg) USERD_MUST_CHECK;
/** Counts a sign-in in hour (hours since the epoch). */
int store_sign_in_hit(db_t *db, int64_t hour) USERD_MUST_CHECK;
/** Deletes the counts of the hours before `before`. */
int store_sign_in_purge(db_t *db, int64_t before) USERD_MUST_CHECK;
/** Replaces the app's secret key (-E_NOT_FOUND). */
int store_app_set_secret(db_t *db, const char *app_id, const char *secret_key) USERD_MUST_CHECK;

#endif
