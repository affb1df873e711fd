/*
 * The schema, as migrations: the list only grows, and a migration is never
 * edited once released. Each is written once with two words that differ
 * between the back ends: ID_PK (a growing integer key) and BLOB.
 * db_migrate() applies those not yet recorded in schema_migrations, all in
 * one transaction: a start that fails leaves the schema as it found it.
 */
#include "store/schema.h"

/* user_settings' columns as V1 made them; V5 makes the table again with them. */
#define USER_SETTINGS_COLS                                                                             \
    " account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,"                        \
    " auth_mode INTEGER NOT NULL DEFAULT 0, auth_question TEXT NOT NULL DEFAULT '',"                   \
    " auth_answer TEXT NOT NULL DEFAULT '', auto_download INTEGER NOT NULL DEFAULT 1,"                 \
    " group_confirm INTEGER NOT NULL DEFAULT 1, no_push INTEGER NOT NULL DEFAULT 0,"                   \
    " no_push_detail INTEGER NOT NULL DEFAULT 0, no_push_start_hour INTEGER NOT NULL DEFAULT 0,"       \
    " no_push_end_hour INTEGER NOT NULL DEFAULT 0, no_sounds INTEGER NOT NULL DEFAULT 0,"              \
    " push_nick_name TEXT NOT NULL DEFAULT '', push_token TEXT NOT NULL DEFAULT '',"                   \
    " silence_start_time INTEGER NOT NULL DEFAULT 0, silence_end_time INTEGER NOT NULL DEFAULT 0,"     \
    " vibratory INTEGER NOT NULL DEFAULT 1, alias TEXT NOT NULL DEFAULT '',"                           \
    " badge INTEGER NOT NULL DEFAULT 0, updated_at BIGINT NOT NULL"

#define V1(ID_PK)                                                                                       \
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"                                    \
    "CREATE TABLE apps (id TEXT PRIMARY KEY, name TEXT NOT NULL, access_key TEXT NOT NULL UNIQUE,"     \
    " secret_key TEXT NOT NULL, created_at BIGINT NOT NULL);"                                          \
    "CREATE TABLE accounts ("                                                                          \
    " id " ID_PK ","                                                                                   \
    " app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,"                                      \
    " username TEXT,"                   /* IM username; NULL for accounts made on other faces */      \
    " pw_hash TEXT NOT NULL DEFAULT '',"/* Argon2id string, or the derived-password marker */        \
    " nick TEXT NOT NULL DEFAULT '', avatar TEXT NOT NULL DEFAULT '',"                                 \
    " description TEXT NOT NULL DEFAULT '', public_info TEXT NOT NULL DEFAULT '',"                     \
    " private_info TEXT NOT NULL DEFAULT '', email TEXT,"                                              \
    " region TEXT, mobile TEXT,"                                                                       \
    " gender TEXT NOT NULL DEFAULT 'male', st_account TEXT,"                                           \
    " phone_verify INTEGER NOT NULL DEFAULT 1, st_search_verify INTEGER NOT NULL DEFAULT 1,"           \
    " fri_verify INTEGER NOT NULL DEFAULT 1, group_verify INTEGER NOT NULL DEFAULT 1,"                 \
    " poke_status INTEGER NOT NULL DEFAULT 1,"                                                         \
    " live_uid TEXT, live_extends TEXT NOT NULL DEFAULT '{}',"                                         \
    " status INTEGER NOT NULL DEFAULT 0,"                                                              \
    " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"                                        \
    "CREATE UNIQUE INDEX accounts_username ON accounts(app_id, username);"                             \
    "CREATE UNIQUE INDEX accounts_mobile ON accounts(app_id, region, mobile);"                         \
    "CREATE INDEX accounts_mobile_only ON accounts(app_id, mobile);"                                   \
    "CREATE UNIQUE INDEX accounts_email ON accounts(app_id, email);"                                   \
    "CREATE UNIQUE INDEX accounts_st ON accounts(app_id, st_account);"                                 \
    "CREATE UNIQUE INDEX accounts_live ON accounts(app_id, live_uid);"                                 \
    "CREATE TABLE user_settings (" USER_SETTINGS_COLS ");"                                             \
    "CREATE TABLE devices ("                                                                           \
    " account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"                           \
    " device_sn INTEGER NOT NULL, guid TEXT NOT NULL, platform INTEGER NOT NULL DEFAULT 0,"            \
    " user_agent TEXT NOT NULL DEFAULT '', device_token TEXT NOT NULL DEFAULT '',"                     \
    " notifier_name TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL," \
    " PRIMARY KEY (account_id, device_sn), UNIQUE (account_id, guid));"                                \
    "CREATE TABLE tokens ("                                                                            \
    " hash TEXT PRIMARY KEY,"           /* BLAKE2b of the token, hex */                               \
    " app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,"                                      \
    " account_id BIGINT REFERENCES accounts(id) ON DELETE CASCADE," /* NULL: an admin token */        \
    " device_sn INTEGER, expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL);"                     \
    "CREATE INDEX tokens_account ON tokens(account_id, device_sn);"                                    \
    "CREATE TABLE push_tags ("                                                                         \
    " account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE, tag TEXT NOT NULL,"        \
    " PRIMARY KEY (account_id, tag));"                                                                 \
    "CREATE TABLE sessions ("                                                                          \
    " hash TEXT PRIMARY KEY, account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"    \
    " expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL);"                                        \
    "CREATE INDEX sessions_account ON sessions(account_id);"                                           \
    "CREATE TABLE sms_codes ("                                                                         \
    " app_id TEXT NOT NULL, region TEXT NOT NULL, phone TEXT NOT NULL, code_hash TEXT NOT NULL,"      \
    " sent_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, tries INTEGER NOT NULL DEFAULT 0,"          \
    " PRIMARY KEY (app_id, region, phone));"                                                           \
    "CREATE TABLE verifications ("                                                                     \
    " hash TEXT PRIMARY KEY, app_id TEXT NOT NULL, region TEXT NOT NULL, phone TEXT NOT NULL,"         \
    " expires_at BIGINT NOT NULL, used INTEGER NOT NULL DEFAULT 0);"                                   \
    "CREATE TABLE counters (key TEXT PRIMARY KEY, window_start BIGINT NOT NULL,"                       \
    " count INTEGER NOT NULL);"                                                                        \
    "CREATE TABLE captchas (id TEXT PRIMARY KEY, app_id TEXT NOT NULL, answer TEXT NOT NULL,"          \
    " expires_at BIGINT NOT NULL, used INTEGER NOT NULL DEFAULT 0);"                                   \
    "CREATE TABLE blacklist ("                                                                         \
    " account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"                           \
    " friend_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"                            \
    " status INTEGER NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"                \
    " PRIMARY KEY (account_id, friend_id));"                                                           \
    "CREATE TABLE friendships ("                                                                       \
    " account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"                           \
    " friend_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"                            \
    " display_name TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',"                        \
    " status INTEGER NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"                \
    " PRIMARY KEY (account_id, friend_id));"                                                           \
    "CREATE TABLE chat_groups ("                                                                       \
    " id " ID_PK ", app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,"                        \
    " name TEXT NOT NULL, portrait_uri TEXT NOT NULL DEFAULT '', creator_id BIGINT NOT NULL,"          \
    " member_count INTEGER NOT NULL DEFAULT 0, max_member_count INTEGER NOT NULL DEFAULT 500,"          \
    " is_mute INTEGER NOT NULL DEFAULT 0, certi_status INTEGER NOT NULL DEFAULT 0,"                    \
    " member_protection INTEGER NOT NULL DEFAULT 0, is_deleted INTEGER NOT NULL DEFAULT 0,"            \
    " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);"                                        \
    "CREATE TABLE group_members ("                                                                     \
    " group_id BIGINT NOT NULL REFERENCES chat_groups(id) ON DELETE CASCADE,"                          \
    " member_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"                            \
    " role INTEGER NOT NULL DEFAULT 1, display_name TEXT NOT NULL DEFAULT '',"                         \
    " is_deleted INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,"  \
    " PRIMARY KEY (group_id, member_id));"                                                             \
    "CREATE INDEX group_members_member ON group_members(member_id);"                                   \
    "CREATE TABLE group_favs ("                                                                        \
    " account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"                           \
    " group_id BIGINT NOT NULL REFERENCES chat_groups(id) ON DELETE CASCADE,"                          \
    " created_at BIGINT NOT NULL, PRIMARY KEY (account_id, group_id));"

/*
 * V2: admin tokens can be listed and revoked (issue 17): a short prefix of
 * the token (not secret: 8 of its 43 characters) kept beside its hash, and
 * when it was last used (written at most once a minute per token). Tokens
 * made before have no prefix.
 */
#define V2                                                                                              \
    "ALTER TABLE tokens ADD COLUMN prefix TEXT;"                                                       \
    "ALTER TABLE tokens ADD COLUMN last_used_at BIGINT;"                                               \
    "CREATE INDEX tokens_admin ON tokens(app_id, prefix) WHERE account_id IS NULL;"

/*
 * Sync versions (core/versions.h): a counter row per app, taken by every
 * write transaction that changes a row sync reports, so versions are
 * assigned in commit order. Each app's counter starts at the newest stamp
 * its rows already carry (ms timestamps until now), so every new version is
 * above every version a client may hold. GREATEST: the multi-argument
 * maximum of the back end.
 */
#define V3_SYNC_VERSIONS(GREATEST)                                                                        \
    "CREATE TABLE sync_versions (app_id TEXT PRIMARY KEY REFERENCES apps(id) ON DELETE CASCADE,"         \
    " version BIGINT NOT NULL);"                                                                         \
    "INSERT INTO sync_versions (app_id, version) SELECT a.id, " GREATEST "("                             \
    "COALESCE((SELECT MAX(x.updated_at) FROM accounts x WHERE x.app_id = a.id), 0),"                     \
    "COALESCE((SELECT MAX(b.updated_at) FROM blacklist b JOIN accounts x ON x.id = b.account_id"          \
    " WHERE x.app_id = a.id), 0),"                                                                       \
    "COALESCE((SELECT MAX(f.updated_at) FROM friendships f JOIN accounts x ON x.id = f.account_id"        \
    " WHERE x.app_id = a.id), 0),"                                                                       \
    "COALESCE((SELECT MAX(g.updated_at) FROM chat_groups g WHERE g.app_id = a.id), 0),"                  \
    "COALESCE((SELECT MAX(m.updated_at) FROM group_members m JOIN chat_groups g ON g.id = m.group_id"     \
    " WHERE g.app_id = a.id), 0)) FROM apps a;"


/*
 * V4: the admin console (issue 15). Operators are not app users: a name and
 * an Argon2id hash. Console sessions are stored hashed, with the time of
 * their last request (idle timeout). The audit log is append-only: no
 * statement of userd updates or deletes its rows. accounts_nick serves the
 * console's nickname-prefix search (a range on the bytes: COLLATE "C" on
 * PostgreSQL, SQLite's default BINARY; id last, so that the page's order
 * comes from the index on both, without sorting every match);
 * accounts_created its sign-ups per day; accounts_app its list of an app's
 * accounts, newest first. sign_ins_hourly counts the sign-ins (tokens and
 * app sessions issued) of each hour, all apps.
 */
#define V4_CONSOLE(ID_PK, NICK_C)                                                                     \
    "CREATE TABLE operators (name TEXT PRIMARY KEY, pw_hash TEXT NOT NULL,"                          \
    " created_at BIGINT NOT NULL, last_login_at BIGINT);"                                           \
    "CREATE TABLE console_sessions (hash TEXT PRIMARY KEY,"                                          \
    " operator TEXT NOT NULL REFERENCES operators(name) ON DELETE CASCADE,"                          \
    " address TEXT NOT NULL DEFAULT '',"                                                             \
    " created_at BIGINT NOT NULL, seen_at BIGINT NOT NULL);"                                         \
    "CREATE INDEX console_sessions_operator ON console_sessions(operator);"                          \
    "CREATE TABLE audit_log (id " ID_PK ", at BIGINT NOT NULL, operator TEXT NOT NULL,"              \
    " action TEXT NOT NULL, app_id TEXT NOT NULL DEFAULT '', target TEXT NOT NULL DEFAULT '',"       \
    " address TEXT NOT NULL DEFAULT '', detail TEXT NOT NULL DEFAULT '');"                           \
    "CREATE INDEX accounts_nick ON accounts(app_id, nick" NICK_C ", id);"                            \
    "CREATE INDEX accounts_created ON accounts(created_at);"                                         \
    "CREATE INDEX accounts_app ON accounts(app_id, id);"                                             \
    "CREATE TABLE sign_ins_hourly (hour BIGINT PRIMARY KEY, count BIGINT NOT NULL);"

/*
 * V5 (SQLite only; performance issue 13): tokens, sessions and
 * user_settings as WITHOUT ROWID tables. Their keys (a hash; an account id,
 * BIGINT, which unlike INTEGER is no rowid alias) were each an index of
 * their own, so each lookup walked two B-trees (the index, then the row by
 * rowid); now the rows live in the key's B-tree. Same columns in the same
 * order (V2's prefix and last_used_at last, as ALTER TABLE put them),
 * constraints and indexes; every row copied. Nothing references these
 * tables, so the renames leave no reference behind, and with foreign keys
 * on each copied row's account and app are checked again. Running it again
 * rebuilds the same tables. PostgreSQL keeps rows apart from its indexes
 * anyway: its V5 is a statement that does nothing, so that both lists keep
 * one numbering.
 */
#define V5_WITHOUT_ROWID                                                                               \
    "CREATE TABLE tokens_new ("                                                                        \
    " hash TEXT PRIMARY KEY,"                                                                          \
    " app_id TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,"                                      \
    " account_id BIGINT REFERENCES accounts(id) ON DELETE CASCADE,"                                     \
    " device_sn INTEGER, expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL,"                      \
    " prefix TEXT, last_used_at BIGINT) WITHOUT ROWID;"                                                \
    "INSERT INTO tokens_new (hash, app_id, account_id, device_sn, expires_at, created_at, prefix,"     \
    " last_used_at) SELECT hash, app_id, account_id, device_sn, expires_at, created_at, prefix,"        \
    " last_used_at FROM tokens;"                                                                       \
    "DROP TABLE tokens;"                                                                               \
    "ALTER TABLE tokens_new RENAME TO tokens;"                                                         \
    "CREATE INDEX tokens_account ON tokens(account_id, device_sn);"                                    \
    "CREATE INDEX tokens_admin ON tokens(app_id, prefix) WHERE account_id IS NULL;"                    \
    "CREATE TABLE sessions_new ("                                                                      \
    " hash TEXT PRIMARY KEY, account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,"    \
    " expires_at BIGINT NOT NULL, created_at BIGINT NOT NULL) WITHOUT ROWID;"                          \
    "INSERT INTO sessions_new (hash, account_id, expires_at, created_at)"                              \
    " SELECT hash, account_id, expires_at, created_at FROM sessions;"                                  \
    "DROP TABLE sessions;"                                                                             \
    "ALTER TABLE sessions_new RENAME TO sessions;"                                                     \
    "CREATE INDEX sessions_account ON sessions(account_id);"                                           \
    "CREATE TABLE user_settings_new (" USER_SETTINGS_COLS ") WITHOUT ROWID;"                           \
    "INSERT INTO user_settings_new SELECT * FROM user_settings;"                                       \
    "DROP TABLE user_settings;"                                                                        \
    "ALTER TABLE user_settings_new RENAME TO user_settings;"

#define SQLITE_ID_PK "INTEGER PRIMARY KEY AUTOINCREMENT"
#define PG_ID_PK "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"

static const char *const sqlite_migrations[] = {
    V1(SQLITE_ID_PK),
    V2,
    V3_SYNC_VERSIONS("MAX"),
    V4_CONSOLE(SQLITE_ID_PK, ""),
    V5_WITHOUT_ROWID,
};

static const char *const pg_migrations[] = {
    V1(PG_ID_PK),
    V2,
    V3_SYNC_VERSIONS("GREATEST"),
    V4_CONSOLE(PG_ID_PK, " COLLATE \"C\""),
    "SELECT 1", /* V5: SQLite's WITHOUT ROWID tables; an empty script is an error on PostgreSQL */
};

int schema_count(int pg)
{
    return pg ? (int)(sizeof(pg_migrations) / sizeof(*pg_migrations))
              : (int)(sizeof(sqlite_migrations) / sizeof(*sqlite_migrations));
}

const char *schema_migration(int pg, int i)
{
    return pg ? pg_migrations[i] : sqlite_migrations[i];
}
