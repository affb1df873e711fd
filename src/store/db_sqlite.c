/*
 * SQLite back end: one connection per thread (opened NOMUTEX), WAL with
 * synchronous=NORMAL (an acknowledged commit survives a process crash),
 * a busy timeout for writers, statements prepared on first use and kept.
 */
#include <errno.h>
#include <libgen.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "store/db_impl.h"

struct sqlite_db {
    struct db base;
    sqlite3 *h;
    sqlite3_stmt *stmts[Q__COUNT];
    sqlite3_stmt *cur;
};

#define S(db) ((struct sqlite_db *)(db))

static int map_error(struct sqlite_db *s, int rc, const char *what)
{
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return -E_EXISTS;
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -E_BUSY;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
        log_error("sqlite %s: %s", what, sqlite3_errmsg(s->h));
        return -E_UNAVAILABLE;
    }
    log_error("sqlite %s: %s (%d)", what, sqlite3_errmsg(s->h), rc);
    return -E_INTERNAL;
}

static void make_parent_dir(const char *path)
{
    char *copy = xstrdup(path);
    const char *dir = dirname(copy);
    if (strcmp(dir, ".") && mkdir(dir, 0700) && errno != EEXIST)
        log_warn("store: cannot create %s: %s", dir, strerror(errno));
    free(copy);
}

static int sq_open(const char *path, db_t **out)
{
    struct sqlite_db *s = xcalloc(1, sizeof(*s));
    s->base.ops = &db_sqlite_ops;
    s->base.kind = DB_SQLITE;
    make_parent_dir(path);
    int rc = sqlite3_open_v2(path, &s->h,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        log_error("store: cannot open %s: %s", path, s->h ? sqlite3_errmsg(s->h) : "out of memory");
        sqlite3_close(s->h);
        free(s);
        return -E_UNAVAILABLE;
    }
    sqlite3_extended_result_codes(s->h, 1);
    sqlite3_busy_timeout(s->h, (int)cfg_int(CFG_store_busy_timeout_ms));
    char *msg = NULL;
    rc = sqlite3_exec(s->h,
                      "PRAGMA journal_mode = WAL;"
                      "PRAGMA synchronous = NORMAL;"
                      "PRAGMA foreign_keys = ON;"
                      "PRAGMA temp_store = MEMORY;"
                      "PRAGMA mmap_size = 268435456;"
                      "PRAGMA cache_size = -16384;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("store: cannot set up %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(s->h);
        free(s);
        return -E_UNAVAILABLE;
    }
    *out = &s->base;
    return 0;
}

static void sq_close(db_t *db)
{
    struct sqlite_db *s = S(db);
    for (int i = 0; i < Q__COUNT; i++)
        sqlite3_finalize(s->stmts[i]);
    sqlite3_close(s->h);
    free(s);
}

static int sq_script(db_t *db, const char *sql)
{
    struct sqlite_db *s = S(db);
    int rc = sqlite3_exec(s->h, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : map_error(s, rc, "script");
}

static int sq_query(db_t *db, enum query_id q, const struct db_arg *args, int n)
{
    struct sqlite_db *s = S(db);
    int rc;
    if (!s->stmts[q]) {
        rc = sqlite3_prepare_v3(s->h, query_sql(q, 0), -1, SQLITE_PREPARE_PERSISTENT, &s->stmts[q], NULL);
        if (rc != SQLITE_OK)
            return map_error(s, rc, query_name(q));
    }
    sqlite3_stmt *st = s->stmts[q];
    for (int i = 0; i < n; i++) {
        char name[16];
        snprintf(name, sizeof(name), "$%d", i + 1);
        int idx = sqlite3_bind_parameter_index(st, name);
        if (!idx)
            continue; /* an argument the SQL does not use */
        if (args[i].is_int)
            rc = sqlite3_bind_int64(st, idx, args[i].i);
        else if (args[i].text)
            rc = sqlite3_bind_text(st, idx, args[i].text, -1, SQLITE_STATIC);
        else
            rc = sqlite3_bind_null(st, idx);
        if (rc != SQLITE_OK) {
            sqlite3_clear_bindings(st);
            return map_error(s, rc, query_name(q));
        }
    }
    s->cur = st;
    return 0;
}

static int sq_row(db_t *db)
{
    struct sqlite_db *s = S(db);
    if (!s->cur)
        return -E_INTERNAL;
    int rc = sqlite3_step(s->cur);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return map_error(s, sqlite3_extended_errcode(s->h), sqlite3_sql(s->cur));
}

static void sq_end(db_t *db)
{
    struct sqlite_db *s = S(db);
    if (s->cur) {
        sqlite3_reset(s->cur);
        sqlite3_clear_bindings(s->cur);
        s->cur = NULL;
    }
}

static int sq_changes(db_t *db) { return sqlite3_changes(S(db)->h); }
static int64_t sq_int(db_t *db, int col) { return sqlite3_column_int64(S(db)->cur, col); }

static const char *sq_text(db_t *db, int col)
{
    const unsigned char *t = sqlite3_column_text(S(db)->cur, col);
    return t ? (const char *)t : "";
}

static int sq_null(db_t *db, int col) { return sqlite3_column_type(S(db)->cur, col) == SQLITE_NULL; }

static int sq_ping(db_t *db)
{
    int rc = db_query(db, Q_PING, "");
    if (!rc)
        rc = db_row(db) > 0 ? 0 : -E_UNAVAILABLE;
    db_end(db);
    return rc;
}

const struct db_ops db_sqlite_ops = {
    .open = sq_open,
    .close = sq_close,
    .script = sq_script,
    .query = sq_query,
    .row = sq_row,
    .end = sq_end,
    .changes = sq_changes,
    .col_int = sq_int,
    .col_text = sq_text,
    .col_null = sq_null,
    .ping = sq_ping,
    .begin_read = "BEGIN",
    .begin_write = "BEGIN IMMEDIATE",
    .migrate_lock = NULL,
};
