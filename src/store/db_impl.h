#ifndef USERD_DB_IMPL_H
#define USERD_DB_IMPL_H

/* What a back end provides to db.c. Not for use outside src/store/. */
#include "store/db.h"

#define DB_MAX_ARGS 24

struct db_arg {
    const char *text; /* NULL: SQL NULL, unless is_int */
    int64_t i;
    int is_int;
};

struct db_ops {
    int (*open)(const char *url, db_t **out);
    void (*close)(db_t *db);
    /* Runs a script of one or more statements, no arguments, no rows. */
    int (*script)(db_t *db, const char *sql);
    int (*query)(db_t *db, enum query_id q, const struct db_arg *args, int n);
    int (*row)(db_t *db);
    void (*end)(db_t *db);
    int (*changes)(db_t *db);
    int64_t (*col_int)(db_t *db, int col);
    const char *(*col_text)(db_t *db, int col);
    int (*col_null)(db_t *db, int col);
    int (*ping)(db_t *db);
    /* Copies the database, as of one moment, into the empty file at path; *pages copied. NULL: not this back end. */
    int (*backup)(db_t *db, const char *path, int64_t *pages, int64_t *page_size);
    const char *(*write_fault)(db_t *db); /* NULL: the back end does not track write faults */
    const char *begin_read, *begin_write;
    const char *migrate_lock; /* run first in the migration transaction; NULL: none */
};

struct db {
    const struct db_ops *ops;
    enum db_kind kind;
    int in_tx;
    int no_retry; /* the last error was a timeout: running the transaction again would wait again */
    enum query_id q;  /* the query running, for its duration */
    int64_t q_start;  /* when it started (metric_now_us()), 0: none */
};

extern const struct db_ops db_sqlite_ops;
/** Stops the SQLite back end's checkpointer thread, if it runs (at shutdown). */
void db_sqlite_stop(void);
extern const struct db_ops db_pg_ops;

#endif
