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
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "store/db_impl.h"

struct sqlite_db {
    struct db base;
    sqlite3 *h;
    char *path;
    int opened_read_only; /* SQLite fell back to read-only at open: reopen once the file is writable */
    int64_t reopen_after_ms;
    int writing; /* holds the process's writer mutex */
    sqlite3_stmt *stmts[Q__COUNT];
    /* Where argument i of query q binds ($i+1), 0 when the SQL does not use it: found once at prepare. */
    unsigned char param_idx[Q__COUNT][DB_MAX_ARGS];
    sqlite3_stmt *cur;
};

#define S(db) ((struct sqlite_db *)(db))

/*
 * Write faults (docs/robustness.md "Store faults"): a full disk, store files
 * that cannot be written, an I/O error. SQLite rolls the write back and the
 * request is answered as the store being unavailable (503, Retry-After);
 * reads go on. The kind of the last fault is kept process-wide for /healthz
 * until a commit goes through again (the WAL hook, on_commit), and
 * sq_write_fault() tries a small write now and then to find out by itself.
 */
enum fault { FAULT_NONE, FAULT_FULL, FAULT_READ_ONLY, FAULT_IO };
static const char *const fault_reason[] = {NULL, "store full", "store read-only", "store write error"};
static atomic_int write_fault;
static atomic_llong fault_probed_ms; /* monotonic ms of the last probe */
#define FAULT_PROBE_EVERY_MS 1000

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether the store file or its log may not be written (immutable, a read-only mount, permissions). */
static int files_read_only(struct sqlite_db *s)
{
    const char *wal = sqlite3_filename_wal(sqlite3_db_filename(s->h, "main"));
    return (access(s->path, W_OK) && errno != ENOENT) || (wal && access(wal, W_OK) && errno != ENOENT);
}

static enum fault fault_of(struct sqlite_db *s, int rc)
{
    if ((rc & 0xff) == SQLITE_FULL)
        return FAULT_FULL;
    if ((rc & 0xff) == SQLITE_READONLY)
        return FAULT_READ_ONLY;
    switch (sqlite3_system_errno(s->h)) { /* an I/O error: what the system said, when SQLite kept it */
    case ENOSPC:
    case EDQUOT:
        return FAULT_FULL;
    case EPERM:
    case EACCES:
    case EROFS:
        return FAULT_READ_ONLY;
    default:
        return files_read_only(s) ? FAULT_READ_ONLY : FAULT_IO;
    }
}

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
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_READONLY:
        atomic_store(&write_fault, fault_of(s, rc));
        log_error("sqlite %s: %s (%d%s%s): %s", what, sqlite3_errmsg(s->h), rc, sqlite3_system_errno(s->h) ? ", " : "",
                  sqlite3_system_errno(s->h) ? strerror(sqlite3_system_errno(s->h)) : "",
                  fault_reason[atomic_load(&write_fault)]);
        return -E_UNAVAILABLE;
    case SQLITE_CANTOPEN:
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
    if (atomic_load_explicit(&write_fault, memory_order_relaxed))
        atomic_store(&write_fault, FAULT_NONE); /* a commit went through: writes work again */
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

/* Opens and sets up one SQLite handle on path; NULL on failure (logged). */
static sqlite3 *open_handle(const char *path)
{
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        log_error("store: cannot open %s: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_extended_result_codes(h, 1);
    sqlite3_busy_timeout(h, (int)cfg_int(CFG_store_busy_timeout_ms));
    char *msg = NULL;
    rc = sqlite3_exec(h,
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
        sqlite3_close(h);
        return NULL;
    }
    sqlite3_wal_hook(h, on_commit, NULL); /* replaces SQLite's own checkpoint after commits */
    return h;
}

/*
 * SQLite opens a file it may not write read-only, silently, and such a
 * handle stays read-only after the file is writable again. So a handle
 * opened so is noted as a write fault, and replaced (reopen) by the first
 * use outside a transaction once a fresh open gives a writable one.
 */
static void note_read_only(struct sqlite_db *s)
{
    s->opened_read_only = sqlite3_db_readonly(s->h, "main") == 1;
    if (s->opened_read_only) {
        atomic_store(&write_fault, FAULT_READ_ONLY);
        log_warn("store: %s is read-only: writes fail until it is writable", s->path);
    }
}

/*
 * At most once a second while writes fail; at once when a commit (on any
 * connection) has shown that they work again, so that no thread keeps
 * failing writes for up to a second after the fault ends.
 */
static void reopen(struct sqlite_db *s)
{
    int64_t now = mono_ms();
    if ((now < s->reopen_after_ms && atomic_load(&write_fault)) || !sqlite3_get_autocommit(s->h))
        return;
    s->reopen_after_ms = now + FAULT_PROBE_EVERY_MS;
    sqlite3 *h = open_handle(s->path);
    if (!h)
        return;
    if (sqlite3_db_readonly(h, "main") == 1) {
        sqlite3_close(h);
        atomic_store(&write_fault, FAULT_READ_ONLY); /* still so: back to once a second */
        return;
    }
    for (int i = 0; i < Q__COUNT; i++) {
        sqlite3_finalize(s->stmts[i]);
        s->stmts[i] = NULL;
    }
    s->cur = NULL;
    sqlite3_close(s->h);
    s->h = h;
    s->opened_read_only = 0;
    log_info("store: %s is writable again", s->path);
}

static int sq_open(const char *path, db_t **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, configure_once);
    make_parent_dir(path);
    sqlite3 *h = open_handle(path);
    if (!h)
        return -E_UNAVAILABLE;
    struct sqlite_db *s = xcalloc(1, sizeof(*s));
    s->base.ops = &db_sqlite_ops;
    s->base.kind = DB_SQLITE;
    s->h = h;
    s->path = xstrdup(path);
    note_read_only(s);
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
    free(s->path);
    free(s);
}

static int sq_script(db_t *db, const char *sql)
{
    struct sqlite_db *s = S(db);
    if (!strcmp(sql, "ROLLBACK") && sqlite3_get_autocommit(s->h))
        return 0; /* SQLite rolled back already (an I/O error, a full disk): nothing to do */
    if (s->opened_read_only)
        reopen(s);
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
    if (s->opened_read_only)
        reopen(s);
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

/*
 * /healthz: the kind of the last write fault, if writes have not worked
 * since. At most once a second, a write that changes one row of meta tries
 * whether they work again (its commit clears the fault in on_commit).
 */
static const char *sq_write_fault(db_t *db)
{
    if (!atomic_load(&write_fault))
        return NULL;
    long long last = atomic_load(&fault_probed_ms), now = mono_ms();
    if (now - last >= FAULT_PROBE_EVERY_MS && atomic_compare_exchange_strong(&fault_probed_ms, &last, now)) {
        int rc = db_begin(db, 1);
        if (!rc) {
            if ((rc = sq_script(db, "INSERT INTO meta (key, value) VALUES ('write_probe', hex(randomblob(8)))"
                                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value")))
                db_rollback(db);
            else
                rc = db_commit(db);
        }
        if (rc)
            log_debug("store: the write probe failed (%s)", err_str(rc));
    }
    return fault_reason[atomic_load(&write_fault)];
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
    .write_fault = sq_write_fault,
    .begin_read = "BEGIN",
    .begin_write = "BEGIN IMMEDIATE",
    .migrate_lock = NULL,
};
