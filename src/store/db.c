#include "store/db.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/metrics.h"
#include "store/db_impl.h"
#include "store/schema.h"

static void query_label(const struct metric *m, size_t slot, char *buf, size_t cap)
{
    (void)m;
    snprintf(buf, cap, "query=\"%s\"", query_name((int)slot));
}

/*
 * From the start of a query to its db_end(): its statement's run and the
 * reading of its rows. One query in QUERY_SAMPLE per thread is timed: a
 * clock read costs 70-80 ns on this kind of virtual machine (kvm-clock),
 * and a point read makes two or three queries in some 40 us of CPU; timing
 * every one would cost about 1% of read throughput (docs/performance.md).
 */
#define QUERY_SAMPLE 8
static struct metric query_seconds = {
    .name = "userd_store_query_duration_seconds",
    .help = "Time of one store query, from its start to the end of reading its rows, by query name (queries.def). "
            "One query in 8 is timed: _count is an eighth of the queries.",
    .type = METRIC_HISTOGRAM, .n = Q__COUNT, .label = query_label, .bounds = metric_latency_bounds,
    .n_bounds = METRIC_LATENCY_N, .hide_zero = 1};
METRICS_REGISTER(&query_seconds)

int db_open(const char *url, db_t **out)
{
    *out = NULL;
    if (!strncmp(url, "sqlite:", 7))
        return db_sqlite_ops.open(url + 7, out);
    if (!strncmp(url, "postgresql://", 13) || !strncmp(url, "postgres://", 11))
        return db_pg_ops.open(url, out);
    log_error("store url must start with sqlite: or postgresql://");
    return -E_INVALID;
}

void db_close(db_t *db)
{
    if (db)
        db->ops->close(db);
}

enum db_kind db_kind(const db_t *db) { return db->kind; }

int db_ping(db_t *db) { return db->ops->ping(db); }

const char *db_write_fault(db_t *db) { return db->ops->write_fault ? db->ops->write_fault(db) : NULL; }

int db_begin(db_t *db, int write)
{
    int rc = db->ops->script(db, write ? db->ops->begin_write : db->ops->begin_read);
    if (!rc)
        db->in_tx = 1;
    return rc;
}

int db_commit(db_t *db)
{
    int rc = db->ops->script(db, "COMMIT");
    if (rc)
        db_rollback(db);
    db->in_tx = 0;
    return rc;
}

void db_rollback(db_t *db)
{
    if (db->ops->script(db, "ROLLBACK"))
        log_debug("rollback failed (no transaction open)");
    db->in_tx = 0;
}

static int collect(const char *fmt, va_list ap, struct db_arg *args)
{
    int n = 0;
    for (const char *f = fmt; *f; f++, n++) {
        if (n == DB_MAX_ARGS)
            return -E_INTERNAL;
        memset(&args[n], 0, sizeof(args[n]));
        switch (*f) {
        case 'i': args[n].i = va_arg(ap, int64_t), args[n].is_int = 1; break;
        case 'I': args[n].i = va_arg(ap, int), args[n].is_int = 1; break;
        case 't': args[n].text = va_arg(ap, const char *); break;
        case 'n': break;
        default: return -E_INTERNAL;
        }
    }
    return n;
}

static int vquery(db_t *db, enum query_id q, const char *fmt, va_list ap)
{
    struct db_arg args[DB_MAX_ARGS];
    int n = collect(fmt, ap, args);
    if (n < 0) {
        log_error("query %s: bad argument format", query_name(q));
        return n;
    }
    static _Thread_local unsigned tick;
    db->q = q;
    db->q_start = tick++ % QUERY_SAMPLE ? 0 : metric_now_us();
    return db->ops->query(db, q, args, n);
}

int db_query(db_t *db, enum query_id q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vquery(db, q, fmt, ap);
    va_end(ap);
    return rc;
}

int db_row(db_t *db) { return db->ops->row(db); }

int db_first(db_t *db, int rc, int none)
{
    if (rc)
        return rc;
    rc = db_row(db);
    if (rc > 0)
        return 0;
    db_end(db);
    return rc == 0 ? none : rc;
}

int db_first_int(db_t *db, int rc, int none, int64_t *out)
{
    rc = db_first(db, rc, none);
    if (!rc) {
        *out = db_int(db, 0);
        db_end(db);
    }
    return rc;
}
int db_backup(db_t *db, const char *path, int64_t *pages, int64_t *page_size)
{
    return db->ops->backup ? db->ops->backup(db, path, pages, page_size) : -E_NOT_CONFIGURED;
}

void db_end(db_t *db)
{
    db->ops->end(db);
    if (db->q_start) {
        metric_observe(&query_seconds, (size_t)db->q, metric_now_us() - db->q_start);
        db->q_start = 0;
    }
}

int db_exec(db_t *db, enum query_id q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vquery(db, q, fmt, ap);
    va_end(ap);
    while (!rc && (rc = db_row(db)) > 0)
        ;
    if (!rc)
        rc = db->ops->changes(db);
    db_end(db);
    return rc;
}

int64_t db_int(db_t *db, int col) { return db->ops->col_int(db, col); }
const char *db_text(db_t *db, int col) { return db->ops->col_text(db, col); }
int db_null(db_t *db, int col) { return db->ops->col_null(db, col); }

int db_migrate(db_t *db)
{
    int pg = db->kind == DB_PG, rc, version = 0;
    if ((rc = db_begin(db, 1)))
        return rc;
    if (db->ops->migrate_lock && (rc = db->ops->script(db, db->ops->migrate_lock)))
        goto fail;
    if ((rc = db->ops->script(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                  "version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)")))
        goto fail;
    if ((rc = db_query(db, Q_MIGRATION_VERSION, "")))
        goto fail;
    if ((rc = db_row(db)) > 0)
        version = (int)db_int(db, 0);
    db_end(db);
    if (rc < 0)
        goto fail;
    int target = schema_count(pg);
    if (version > target) {
        log_error("store schema version %d is newer than this userd (%d)", version, target);
        rc = -E_INVALID;
        goto fail;
    }
    for (int v = version; v < target; v++) {
        if ((rc = db->ops->script(db, schema_migration(pg, v))))
            goto fail;
        if ((rc = db_exec(db, Q_MIGRATION_RECORD, "Ii", v + 1, (int64_t)time(NULL))) < 0)
            goto fail;
        log_info("store: applied migration %d", v + 1);
    }
    return db_commit(db);
fail:
    db_rollback(db);
    return rc < 0 ? rc : -E_INTERNAL;
}
