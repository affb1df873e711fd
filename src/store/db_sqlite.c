/*
 * SQLite back end: one connection per thread (opened NOMUTEX), WAL with
 * synchronous=NORMAL (an acknowledged commit survives a process crash),
 * a busy timeout for writers, statements prepared on first use and kept.
 *
 * Sizes chosen by measurement (docs/performance.md): no memory map, and a
 * small page cache (2 MiB) per connection. A commit on one connection makes
 * every other connection drop its whole cache before its next read, and
 * SQLite's drop walks a hash table as large as the cache ever was (16 MiB:
 * 4096+ buckets, a third of a write request's CPU), while it unmaps and
 * remaps the whole file when the file is mapped. Pages missed come from the
 * kernel's page cache (pread).
 */
#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <semaphore.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "store/db_impl.h"

struct sqlite_db {
    struct db base;
    sqlite3 *h;
    int writing; /* holds the process's writer mutex */
    sqlite3_stmt *stmts[Q__COUNT];
    /* Where argument i of query q binds ($i+1), 0 when the SQL does not use it: found once at prepare. */
    unsigned char param_idx[Q__COUNT][DB_MAX_ARGS];
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

/*
 * One writer at a time in the process, queued on a mutex. SQLite makes a
 * second writer wait by sleeping and trying again (the busy handler: 1 ms,
 * then more), which under concurrent writes costs far more than the writes
 * themselves. A connection takes the mutex before a write transaction or a
 * writing statement and gives it back once it is in autocommit mode again.
 * Other processes on the file (the CLI) still meet the busy handler.
 *
 * It is a semaphore, not a mutex: at shutdown a connection is closed by
 * another thread than the one that opened its transaction (store_close_all),
 * and that thread gives the writer back. Unlocking a mutex from a thread
 * that does not own it is undefined behaviour; posting a semaphore is not.
 */
static sem_t writer; /* 1: free; sem_init in configure_once, before any connection */

static void writer_lock(void)
{
    while (sem_wait(&writer) && errno == EINTR)
        ;
}

static void writer_unlock(void) { sem_post(&writer); }

static void writer_take(struct sqlite_db *s)
{
    if (!s->writing) {
        writer_lock();
        s->writing = 1;
    }
}

static void writer_give_back(struct sqlite_db *s)
{
    if (s->writing && sqlite3_get_autocommit(s->h)) {
        s->writing = 0;
        writer_unlock();
    }
}

/*
 * Checkpoints run on a thread of their own. SQLite's automatic checkpoint
 * runs in the thread whose commit crossed the threshold, fsyncs included
 * (tens of milliseconds on some disks), and that thread is an HTTP worker
 * with other connections waiting behind it. Instead, each commit reports
 * the size of the write-ahead log (wal hook); past CKPT_FRAMES the
 * checkpointer is woken and copies the log into the database (PASSIVE:
 * readers and writers go on meanwhile).
 */
#define CKPT_FRAMES 4000 /* 16 MiB of log at 4 KiB pages */
#define CKPT_RESTART_FRAMES CKPT_FRAMES

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    int started, wanted, stopping;
    char *path; /* the database it checkpoints: the first one to need it */
} C = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Readers hold the log for microseconds: wait for them in short steps, 20 ms at most. */
static int ckpt_busy(void *arg, int tries)
{
    (void)arg;
    if (tries >= 200)
        return 0;
    struct timespec ts = {0, 100000};
    nanosleep(&ts, NULL);
    return 1;
}

static void *checkpointer(void *unused)
{
    (void)unused;
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(C.path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        log_error("store: the checkpointer cannot open %s: %s", C.path, h ? sqlite3_errmsg(h) : "out of memory");
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_busy_handler(h, ckpt_busy, NULL);
    /* A connection knows the file is in WAL mode only once it has read it. */
    if (sqlite3_exec(h, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK)
        log_warn("store: the checkpointer: %s", sqlite3_errmsg(h));
    pthread_mutex_lock(&C.mu);
    for (;;) {
        while (!C.wanted && !C.stopping)
            pthread_cond_wait(&C.cv, &C.mu);
        if (C.stopping)
            break;
        C.wanted = 0;
        pthread_mutex_unlock(&C.mu);
        int log_frames = 0;
        int rc = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_frames, NULL);
        if (rc == SQLITE_OK && log_frames >= CKPT_RESTART_FRAMES) {
            /*
             * The log starts again from its beginning only once all of it
             * is in the database and no reader still uses it; under steady
             * writes that moment never comes by itself and the log grows
             * without end. So past CKPT_RESTART_FRAMES, copy the rest with
             * the process's writers held back (a short pass: the bulk was
             * copied above) and wait for the readers (microseconds each)
             * so that the next writer restarts the log (RESTART).
             */
            writer_lock();
            rc = sqlite3_wal_checkpoint_v2(h, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
            writer_unlock();
        }
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_warn("store: checkpoint: %s", sqlite3_errmsg(h));
        pthread_mutex_lock(&C.mu);
    }
    pthread_mutex_unlock(&C.mu);
    sqlite3_close(h);
    return NULL;
}

static int on_commit(void *arg, sqlite3 *h, const char *schema, int frames)
{
    (void)arg;
    if (frames < CKPT_FRAMES)
        return SQLITE_OK;
    const char *path = sqlite3_db_filename(h, schema);
    pthread_mutex_lock(&C.mu);
    if (!C.path && !C.stopping && path && *path) {
        C.path = xstrdup(path);
        if (pthread_create(&C.thread, NULL, checkpointer, NULL))
            log_error("store: cannot start the checkpointer thread");
        else
            C.started = 1;
    }
    int ours = C.started && path && !strcmp(path, C.path);
    if (ours) {
        C.wanted = 1;
        pthread_cond_signal(&C.cv);
    }
    pthread_mutex_unlock(&C.mu);
    if (!ours) /* another file (tests), or no thread: checkpoint here, as SQLite would */
        sqlite3_wal_checkpoint_v2(h, schema, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    return SQLITE_OK;
}

void db_sqlite_stop(void)
{
    pthread_mutex_lock(&C.mu);
    C.stopping = 1;
    pthread_cond_signal(&C.cv);
    int started = C.started;
    C.started = 0;
    pthread_mutex_unlock(&C.mu);
    if (started)
        pthread_join(C.thread, NULL);
    pthread_mutex_lock(&C.mu);
    free(C.path);
    C.path = NULL;
    C.stopping = 0; /* a later open (tests) may start it again */
    pthread_mutex_unlock(&C.mu);
}

/*
 * Process-wide set-up, before the first connection: the writer semaphore;
 * and, before SQLite initialises, no memory statistics
 * (they take a global mutex on every allocation, which the threads'
 * connections would otherwise contend for on each query).
 */
static void configure_once(void)
{
    if (sem_init(&writer, 0, 1)) {
        log_error("store: sem_init: %s", strerror(errno));
        abort();
    }
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
        log_debug("sqlite: already initialised; memory statistics stay on");
}

static int sq_open(const char *path, db_t **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_once);
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
                      "PRAGMA mmap_size = 0;"
                      "PRAGMA journal_size_limit = 67108864;"
                      "PRAGMA cache_size = -2048;",
                      NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        log_error("store: cannot set up %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(s->h);
        free(s);
        return -E_UNAVAILABLE;
    }
    sqlite3_wal_hook(s->h, on_commit, NULL); /* replaces SQLite's own checkpoint after commits */
    *out = &s->base;
    return 0;
}

static void sq_close(db_t *db)
{
    struct sqlite_db *s = S(db);
    for (int i = 0; i < Q__COUNT; i++)
        sqlite3_finalize(s->stmts[i]);
    sqlite3_close(s->h); /* rolls back a transaction still open */
    if (s->writing)
        writer_unlock(); /* from whichever thread closes it */
    free(s);
}

static int sq_script(db_t *db, const char *sql)
{
    struct sqlite_db *s = S(db);
    if (sql == db_sqlite_ops.begin_write)
        writer_take(s);
    int rc = sqlite3_exec(s->h, sql, NULL, NULL, NULL);
    writer_give_back(s); /* after COMMIT or ROLLBACK, or a BEGIN that failed */
    return rc == SQLITE_OK ? 0 : map_error(s, rc, "script");
}

static void sq_end(db_t *db);

static int sq_query(db_t *db, enum query_id q, const struct db_arg *args, int n)
{
    struct sqlite_db *s = S(db);
    int rc;
    if (s->cur)
        sq_end(db); /* a statement its caller did not end: reset it (and give the writer mutex back) */
    if (!s->stmts[q]) {
        rc = sqlite3_prepare_v3(s->h, query_sql(q, 0), -1, SQLITE_PREPARE_PERSISTENT, &s->stmts[q], NULL);
        if (rc != SQLITE_OK)
            return map_error(s, rc, query_name(q));
        for (int i = 0; i < DB_MAX_ARGS; i++) {
            char name[16];
            snprintf(name, sizeof(name), "$%d", i + 1);
            s->param_idx[q][i] = (unsigned char)sqlite3_bind_parameter_index(s->stmts[q], name);
        }
    }
    sqlite3_stmt *st = s->stmts[q];
    for (int i = 0; i < n; i++) {
        int idx = s->param_idx[q][i];
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
    if (!sqlite3_stmt_readonly(st))
        writer_take(s); /* given back by sq_end() once no transaction is open */
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
    writer_give_back(s);
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

/*
 * The online backup API in one step: the copy reads the source under one
 * read transaction, so it is the database as of that moment; in WAL mode
 * writers (here or in the serving process) go on meanwhile. Step by step it
 * would start over after each write by another connection, and never end
 * under a steady write load.
 */
static int sq_backup(db_t *db, const char *path, int64_t *pages, int64_t *page_size)
{
    struct sqlite_db *s = S(db);
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(dst, "main", s->h, "main") : NULL;
    if (!b) {
        log_error("store: cannot back up to %s: %s", path, dst ? sqlite3_errmsg(dst) : "out of memory");
        sqlite3_close(dst);
        return -E_INTERNAL;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        rc = sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            break;
        sqlite3_sleep(50);
    }
    *pages = sqlite3_backup_pagecount(b);
    int fin = sqlite3_backup_finish(b);
    if (rc == SQLITE_DONE && fin == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        *page_size = 0;
        if (sqlite3_prepare_v2(dst, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            *page_size = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    } else {
        log_error("store: backup to %s failed: %s", path, sqlite3_errmsg(dst));
    }
    if (sqlite3_close(dst) != SQLITE_OK || rc != SQLITE_DONE || fin != SQLITE_OK)
        return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? -E_BUSY : -E_INTERNAL;
    return 0;
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
    .backup = sq_backup,
    .begin_read = "BEGIN",
    .begin_write = "BEGIN IMMEDIATE",
    .migrate_lock = NULL,
};
