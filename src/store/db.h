#ifndef USERD_DB_H
#define USERD_DB_H

#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "store/queries.h"

/*
 * The database driver under the store: one connection, one back end
 * (db_sqlite.c or db_pg.c). Queries are named (queries.def) and written with
 * $1, $2... placeholders, which both SQLite and PostgreSQL understand; each
 * is prepared once per connection, on first use.
 *
 * Arguments are given by a format string, one letter each:
 *   'i' int64_t   'I' int (promoted)   't' const char * (NULL binds NULL)
 *   'n' (no argument) NULL
 * Results are read row by row with db_row(), then db_end().
 *
 * Errors are core errors: -E_EXISTS (unique violation), -E_BUSY (lock or
 * serialization conflict: retry the transaction), -E_UNAVAILABLE (the
 * database cannot be reached), -E_INTERNAL (anything else, logged here).
 */
typedef struct db db_t;

enum db_kind { DB_SQLITE, DB_PG };

/** Opens a connection for url ("sqlite:PATH" or "postgresql://..."). */
int db_open(const char *url, db_t **out) USERD_MUST_CHECK;
void db_close(db_t *db);
enum db_kind db_kind(const db_t *db);

/** Applies the schema migrations not yet applied (under a lock on PostgreSQL). */
int db_migrate(db_t *db) USERD_MUST_CHECK;

/**
 * SQLite: copies the whole database into the existing empty file at path,
 * consistent as of one moment while other connections and processes go on
 * writing (the online backup API, in one step: one read transaction);
 * *pages of *page_size bytes. -E_NOT_CONFIGURED on PostgreSQL (pg_dump).
 */
int db_backup(db_t *db, const char *path, int64_t *pages, int64_t *page_size) USERD_MUST_CHECK;

/** Cheap liveness check; tries to reconnect a lost connection. */
int db_ping(db_t *db) USERD_MUST_CHECK;

/**
 * NULL, or why writes fail while reads work (a full disk, read-only files:
 * SQLite), until a write goes through again; may try one small write to
 * find out (docs/robustness.md "Store faults").
 */
const char *db_write_fault(db_t *db);

/** Transactions. db_begin(write=1) takes the write lock at once on SQLite. */
int db_begin(db_t *db, int write) USERD_MUST_CHECK;
int db_commit(db_t *db) USERD_MUST_CHECK;
void db_rollback(db_t *db);

/** Starts query q with its arguments. Then db_row() until it returns 0, then db_end(). */
int db_query(db_t *db, enum query_id q, const char *fmt, ...) USERD_MUST_CHECK;
/** 1 when a row is ready, 0 at the end, negative on error. */
int db_row(db_t *db) USERD_MUST_CHECK;
/** Finishes the current query (always call it, also after an error). */
void db_end(db_t *db);

/**
 * Steps a query just started (rc: what db_query returned) to its first row.
 * 0: the row is ready; read it, then db_end(). Otherwise the query is over
 * and the answer is rc's error, or `none` (e.g. -E_NOT_FOUND) when there is
 * no row.
 */
int db_first(db_t *db, int rc, int none) USERD_MUST_CHECK;

/** Runs a started query's first row into *out (column 0, an integer); no row gives none. */
int db_first_int(db_t *db, int rc, int none, int64_t *out) USERD_MUST_CHECK;

/** Runs a query that returns no rows; returns the number of rows changed (>= 0) or an error. */
int db_exec(db_t *db, enum query_id q, const char *fmt, ...) USERD_MUST_CHECK;

/* Column accessors for the current row. Text is valid until the next db_row/db_end. */
int64_t db_int(db_t *db, int col);
const char *db_text(db_t *db, int col); /* "" for NULL */
int db_null(db_t *db, int col);

#endif
