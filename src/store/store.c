#include "store/store.h"

#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/config.h"
#include "base/log.h"
#include "base/metrics.h"
#include "store/db_impl.h"
#include "store/schema.h"

static _Thread_local db_t *thread_db;

/* Every thread connection, so that shutdown can close those of threads that are gone. */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static db_t **reg;
static size_t reg_len, reg_cap;

static void reg_add(db_t *db)
{
    pthread_mutex_lock(&reg_lock);
    if (reg_len == reg_cap) {
        reg_cap = reg_cap ? reg_cap * 2 : 16;
        reg = xrealloc(reg, reg_cap * sizeof(*reg));
    }
    reg[reg_len++] = db;
    pthread_mutex_unlock(&reg_lock);
}

static void reg_remove(db_t *db)
{
    pthread_mutex_lock(&reg_lock);
    for (size_t i = 0; i < reg_len; i++)
        if (reg[i] == db) {
            reg[i] = reg[--reg_len];
            break;
        }
    pthread_mutex_unlock(&reg_lock);
}

void store_close_all(void)
{
    pthread_mutex_lock(&reg_lock);
    for (size_t i = 0; i < reg_len; i++)
        db_close(reg[i]);
    free(reg);
    reg = NULL;
    reg_len = reg_cap = 0;
    pthread_mutex_unlock(&reg_lock);
    thread_db = NULL;
    db_sqlite_stop();
}
static atomic_int migrated;
static pthread_mutex_t migrate_lock = PTHREAD_MUTEX_INITIALIZER;

static int migrate_once(db_t *db)
{
    if (atomic_load(&migrated))
        return 0;
    pthread_mutex_lock(&migrate_lock);
    int rc = 0;
    /* -E_BUSY: a conflict, or the first sight of a transaction-mode pooler (db_pg.c); run it again. */
    for (int attempt = 0; attempt < 5 && !atomic_load(&migrated); attempt++)
        if ((rc = db_migrate(db)) != -E_BUSY)
            break;
    if (!rc)
        atomic_store(&migrated, 1);
    pthread_mutex_unlock(&migrate_lock);
    return rc;
}

int store_open(db_t **out)
{
    int rc = db_open(cfg_str(CFG_store_url), out);
    if (!rc && (rc = migrate_once(*out))) {
        db_close(*out);
        *out = NULL;
    }
    return rc;
}

int store_thread(db_t **out)
{
    if (!thread_db) {
        int rc = store_open(&thread_db);
        if (rc) {
            thread_db = NULL;
            return rc == -E_INVALID ? -E_UNAVAILABLE : rc;
        }
        reg_add(thread_db);
    }
    *out = thread_db;
    return 0;
}

int store_schema_ready(db_t *db)
{
    int64_t version = 0;
    int rc = db_first_int(db, db_query(db, Q_MIGRATION_VERSION, ""), 0, &version);
    if (rc)
        return rc;
    return version >= schema_count(db_kind(db) == DB_PG) ? 0 : -E_INVALID;
}

void store_thread_close(void)
{
    if (thread_db)
        reg_remove(thread_db);
    db_close(thread_db);
    thread_db = NULL;
}

/*
 * SQLite reports -E_BUSY only after waiting store.busy_timeout_ms for the
 * lock, so it retries at once, a few times. PostgreSQL reports a
 * serialization conflict at once: it retries more often, after a short
 * random pause that grows, so that the transactions that collided do not
 * collide again.
 */
static void tx_backoff(db_t *db, int attempt)
{
    if (db_kind(db) != DB_PG || !attempt)
        return;
    uint32_t cap_us = 1000u << (attempt < 6 ? attempt : 6); /* 2 ms .. 64 ms */
    struct timespec ts = {0, (long)(randombytes_uniform(cap_us) + 500) * 1000};
    nanosleep(&ts, NULL);
}

/* Write transactions by how they ended, and the attempts run again after a conflict. */
enum { TX_COMMIT, TX_ROLLBACK, TX_BUSY, TX_UNAVAILABLE, TX__N };
static const char *const tx_results[] = {"commit", "rollback", "busy", "unavailable"};

static void tx_label(const struct metric *m, size_t slot, char *buf, size_t cap)
{
    (void)m;
    snprintf(buf, cap, "result=\"%s\"", tx_results[slot]);
}

static struct metric tx_total = {
    .name = "userd_store_transactions_total",
    .help = "Write transactions, by result: commit; rollback (the work failed, e.g. a duplicate); busy (still "
            "conflicting after the retries); unavailable (the store could not be reached).",
    .type = METRIC_COUNTER, .n = TX__N, .label = tx_label};
static struct metric tx_retries = {
    .name = "userd_store_transaction_retries_total",
    .help = "Write transaction attempts run again after a lock or serialization conflict.",
    .type = METRIC_COUNTER, .n = 1};
METRICS_REGISTER(&tx_total, &tx_retries)

static void count_tx(int rc, int attempts)
{
    size_t r = !rc ? TX_COMMIT : rc == -E_BUSY ? TX_BUSY : rc == -E_UNAVAILABLE ? TX_UNAVAILABLE : TX_ROLLBACK;
    metric_add(&tx_total, r, 1);
    if (attempts > 1)
        metric_add(&tx_retries, 0, attempts - 1);
}

int store_tx(db_t *db, int (*fn)(db_t *db, void *arg), void *arg)
{
    if (db->in_tx) {
        log_error("store: a write inside a read snapshot (store_snapshot): a route marked read-only writes");
        return -E_INTERNAL;
    }
    int rc = -E_BUSY;
    int attempts = db_kind(db) == DB_PG ? 12 : 5;
    db->no_retry = 0;
    int attempt;
    for (attempt = 0; attempt < attempts && rc == -E_BUSY && !db->no_retry; attempt++) {
        tx_backoff(db, attempt);
        if ((rc = db_begin(db, 1)))
            continue;
        rc = fn(db, arg);
        if (rc) {
            db_rollback(db);
            continue;
        }
        rc = db_commit(db);
    }
    count_tx(rc, attempt);
    return rc;
}

int store_read(db_t *db, int (*fn)(db_t *db, void *arg), void *arg)
{
    if (db->in_tx) /* inside store_snapshot(): already one snapshot */
        return fn(db, arg);
    int rc = db_begin(db, 0);
    if (rc)
        return rc;
    if ((rc = fn(db, arg))) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db);
}

int store_snapshot(db_t *db) { return db_kind(db) == DB_PG ? 0 : db_begin(db, 0); }

void store_snapshot_end(db_t *db)
{
    if (db->in_tx && db_commit(db))
        log_debug("store: ending a read snapshot failed"); /* nothing was written: nothing lost */
}

/* The value of key, -E_NOT_FOUND when absent. */
static int meta_get(db_t *db, struct arena *a, const char *key, const char **out)
{
    int rc = db_first(db, db_query(db, Q_META_GET, "t", key), -E_NOT_FOUND);
    if (rc)
        return rc;
    *out = arena_strdup(a, db_text(db, 0));
    db_end(db);
    return 0;
}

/*
 * Read first, write only when absent: a process that starts while the
 * store cannot be written (a full disk, read-only files) still finds the
 * keys made before, and serves reads (docs/robustness.md "Store faults").
 */
int store_meta_get_or_put(db_t *db, struct arena *a, const char *key, const char *fresh, const char **out)
{
    int rc = meta_get(db, a, key, out);
    if (rc != -E_NOT_FOUND)
        return rc;
    if ((rc = db_exec(db, Q_META_PUT_NEW, "tt", key, fresh)) < 0)
        return rc;
    rc = meta_get(db, a, key, out);
    return rc == -E_NOT_FOUND ? -E_INTERNAL : rc;
}
