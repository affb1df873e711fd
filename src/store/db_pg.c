/*
 * PostgreSQL back end (libpq): one connection per thread, statements
 * prepared on first use under the query's name, parameters and results in
 * text format.
 *
 * Failure model. A connection that fails (server gone, restarted, failed
 * over to a read-only standby) is marked lost; the call that saw it answers
 * -E_UNAVAILABLE at once. The next call outside a transaction reconnects
 * (PQreset, bounded by store.connect_timeout); while the server stays away,
 * a connection tries again at most every PG_RETRY_MS, so requests fail fast
 * instead of queueing behind connection attempts. Before each statement
 * outside a transaction, an idle connection is checked without a round trip
 * (poll + PQconsumeInput): a connection the server closed while it was idle
 * is replaced before the statement is sent, so the first request after the
 * server comes back succeeds. A connection lost inside a transaction is not
 * replaced until that transaction is rolled back: its statements must not
 * run in a fresh session outside the transaction.
 *
 * Statements. Each is prepared once per connection under a name that
 * carries a hash of its SQL (two userd versions sharing a server never run
 * each other's statement under one name). Behind a transaction-mode pooler
 * (PgBouncer before 1.21), consecutive statements of one connection reach
 * different server sessions, so a named statement is missing (26000) or
 * already there (42P05) at random; and a failed PREPARE inside a transaction
 * aborts it (the next statement would fail with 25P02). The first 26000 or
 * 42P05 switches the whole process to unnamed statements (PQexecParams:
 * parse, plan and run in the same single round trip, but a plan per
 * statement); the statement is run again at once, or, inside a transaction,
 * the transaction is (-E_BUSY: store_tx runs it again). docs/scaling.md
 * gives the cost of either.
 *
 * Timeouts. store.lock_timeout_ms and store.statement_timeout_ms are set
 * for the session when it connects, and again with SET LOCAL at the start
 * of every transaction, which is what holds behind a transaction-mode
 * pooler: a lock wait (a row held FOR UPDATE) or a runaway statement ends
 * in -E_BUSY (55P03) or -E_UNAVAILABLE (57014) instead of holding a
 * listener's thread; a transaction that timed out is not run again.
 *
 * Isolation: write transactions are SERIALIZABLE, which gives the
 * same guarantee as SQLite's single writer (a transaction's reads still hold
 * when it commits); a conflict is SQLSTATE 40001 -> -E_BUSY, and store_tx
 * retries. Read transactions are REPEATABLE READ: one snapshot for all their
 * statements, as in SQLite. Single statements outside a transaction run in
 * READ COMMITTED.
 */
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/config.h"
#include "base/log.h"
#include "store/db_impl.h"

/* Least time between two connection attempts of one connection (and between
 * two failed opens of new connections in the process) while the server is away. */
#define PG_RETRY_MS 250
/* Least time between two log lines about failed reconnections. */
#define PG_LOG_EVERY_MS 5000
/* pg_advisory_xact_lock key that serialises migrations ('user' in ASCII). */
#define PG_MIGRATE_KEY "1970496882"

struct pg_db {
    struct db base;
    PGconn *c;
    PGresult *res; /* the current query's rows */
    int row, nrows, changes;
    int lost;         /* the connection failed: replace it before the next use */
    int64_t retry_at; /* monotonic ms before which no reconnection is tried */
    unsigned char prepared[Q__COUNT];
    short nparams[Q__COUNT];
};

#define P(db) ((struct pg_db *)(db))

static atomic_llong open_retry_at; /* monotonic ms: failed opens wait for this */
static atomic_llong last_fail_log; /* monotonic ms of the last reconnection failure logged */
static atomic_int unnamed;         /* 1: a transaction-mode pooler was seen; no named statements */

/* Statement names ("NAME_<8 hex of the SQL's hash>") and the timeout SQL, made once. */
#define STMT_NAME_MAX 64
static char stmt_names[Q__COUNT][STMT_NAME_MAX];
static char session_sql[128], begin_read_sql[192], begin_write_sql[192];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void make_names(void)
{
    for (int q = 0; q < Q__COUNT; q++) {
        const char *sql = query_sql(q, 1);
        unsigned char h[4];
        char hex[9];
        crypto_generichash(h, sizeof(h), (const unsigned char *)sql, strlen(sql), NULL, 0);
        sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
        snprintf(stmt_names[q], STMT_NAME_MAX, "%s_%s", query_name(q), hex);
    }
    long long lock = (long long)cfg_int(CFG_store_lock_timeout_ms);
    long long stmt = (long long)cfg_int(CFG_store_statement_timeout_ms);
    snprintf(session_sql, sizeof(session_sql), "SET lock_timeout = %lld; SET statement_timeout = %lld", lock, stmt);
    /* One snapshot for all the reads, as SQLite's deferred transaction gives. */
    snprintf(begin_read_sql, sizeof(begin_read_sql),
             "BEGIN ISOLATION LEVEL REPEATABLE READ; SET LOCAL lock_timeout = %lld; "
             "SET LOCAL statement_timeout = %lld",
             lock, stmt);
    snprintf(begin_write_sql, sizeof(begin_write_sql),
             "BEGIN ISOLATION LEVEL SERIALIZABLE; SET LOCAL lock_timeout = %lld; "
             "SET LOCAL statement_timeout = %lld",
             lock, stmt);
}

static const char *stmt_name(enum query_id q) { return stmt_names[q]; }

/* From now on, every connection of the process runs unnamed statements. */
static void use_unnamed(const char *state)
{
    if (!atomic_exchange(&unnamed, 1))
        log_warn("store: a prepared statement was %s on the server session (SQLSTATE %s): a transaction-mode "
                 "pooler is in between; using unnamed statements from now on (docs/scaling.md)",
                 !strcmp(state, "26000") ? "missing" : "already there", state);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* libpq messages end with a newline and may hold several lines: keep the first. */
static const char *first_line(const char *msg, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", msg ? msg : "?");
    buf[strcspn(buf, "\r\n")] = '\0';
    return buf;
}

/* Logs a failed (re)connection, at most every PG_LOG_EVERY_MS for the whole process. */
static void log_connect_failure(const char *what, PGconn *c)
{
    long long now = mono_ms(), last = atomic_load(&last_fail_log);
    if (now - last < PG_LOG_EVERY_MS || !atomic_compare_exchange_strong(&last_fail_log, &last, now))
        return;
    char buf[512];
    log_error("store: %s PostgreSQL failed: %s", what, first_line(PQerrorMessage(c), buf, sizeof(buf)));
}

/* Server messages that are not results (warnings, the FATAL of a shutdown) go to our log. */
static void on_notice(void *arg, const PGresult *res)
{
    (void)arg;
    const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (sev && (!strcmp(sev, "FATAL") || !strcmp(sev, "PANIC") || !strcmp(sev, "ERROR")))
        log_warn("store: PostgreSQL says: %s", msg ? msg : "?");
    else
        log_debug("store: PostgreSQL %s: %s", sev ? sev : "notice", msg ? msg : "?");
}

/*
 * Connects with the settings first and the URL last, so that parameters the
 * URL names (connect_timeout, application_name, keepalives...) win.
 */
static PGconn *pg_connect(const char *url)
{
    char timeout[16];
    snprintf(timeout, sizeof(timeout), "%d", (int)cfg_int(CFG_store_connect_timeout));
    const char *const keys[] = {"connect_timeout", "application_name", "client_encoding", "keepalives",
                                "keepalives_idle", "keepalives_interval", "keepalives_count", "dbname",
                                NULL};
    const char *const vals[] = {timeout, "userd", "UTF8", "1", "30", "10", "3", url, NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (c)
        PQsetNoticeReceiver(c, on_notice, NULL);
    return c;
}

/* The session's timeouts (on a new or reset connection). */
static int session_setup(PGconn *c)
{
    PGresult *res = PQexec(c, session_sql);
    int ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    return ok ? 0 : -E_UNAVAILABLE;
}

static void clear_result(struct pg_db *p)
{
    PQclear(p->res);
    p->res = NULL;
    p->row = p->nrows = 0;
}

static void mark_lost(struct pg_db *p)
{
    if (!p->lost) {
        char buf[512];
        log_warn("store: lost the PostgreSQL connection: %s",
                 first_line(PQerrorMessage(p->c), buf, sizeof(buf)));
    }
    p->lost = 1;
    memset(p->prepared, 0, sizeof(p->prepared));
}

/*
 * Notices, without a round trip, that the server closed an idle connection
 * (shutdown, restart, terminated backend): the socket is readable, and
 * reading finds the end of the stream.
 */
static void check_idle(struct pg_db *p)
{
    if (PQstatus(p->c) != CONNECTION_OK) {
        mark_lost(p);
        return;
    }
    for (int i = 0; i < 4; i++) {
        struct pollfd pfd = {.fd = PQsocket(p->c), .events = POLLIN};
        if (pfd.fd < 0 || poll(&pfd, 1, 0) <= 0)
            return;
        if (!PQconsumeInput(p->c) || PQstatus(p->c) != CONNECTION_OK) {
            mark_lost(p);
            return;
        }
        PGnotify *n;
        while ((n = PQnotifies(p->c)))
            PQfreemem(n);
    }
}

/* Makes the connection usable for the next statement, or says why it is not. */
static int ensure(struct pg_db *p)
{
    if (!p->base.in_tx && !p->lost)
        check_idle(p);
    if (!p->lost)
        return 0;
    if (p->base.in_tx)
        return -E_UNAVAILABLE; /* the transaction died with the connection */
    if (mono_ms() < p->retry_at)
        return -E_UNAVAILABLE;
    PQreset(p->c);
    if (PQstatus(p->c) != CONNECTION_OK || session_setup(p->c)) {
        log_connect_failure("reconnecting to", p->c);
        p->retry_at = mono_ms() + PG_RETRY_MS;
        return -E_UNAVAILABLE;
    }
    p->lost = 0;
    p->retry_at = 0;
    memset(p->prepared, 0, sizeof(p->prepared));
    log_info("store: reconnected to PostgreSQL");
    return 0;
}

static int starts_with(const char *s, const char *prefix) { return s && !strncmp(s, prefix, strlen(prefix)); }

/*
 * Maps a failed result (res may be NULL) to a core error, marking the
 * connection lost when it is gone or can no longer write.
 */
static int map_error(struct pg_db *p, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char buf[512];
    if (PQstatus(p->c) != CONNECTION_OK || starts_with(state, "08") || starts_with(state, "57P0") ||
        (state && !strcmp(state, "25006"))) {
        /* 25006: a read-only session (a standby after a failover): look for the primary again. */
        mark_lost(p);
        return -E_UNAVAILABLE;
    }
    if (!state) {
        log_error("store: %s: %s", what, first_line(PQerrorMessage(p->c), buf, sizeof(buf)));
        return -E_INTERNAL;
    }
    if (!strcmp(state, "23505"))
        return -E_EXISTS;
    if (!strcmp(state, "40001") || !strcmp(state, "40P01"))
        return -E_BUSY;
    if (!strcmp(state, "55P03")) {
        /* lock_timeout: someone holds the lock that long; running the transaction again would wait again. */
        log_warn("store: %s: gave up waiting for a lock after store.lock_timeout_ms", what);
        p->base.no_retry = 1;
        return -E_BUSY;
    }
    if (!strcmp(state, "57014")) {
        log_error("store: %s: %s (%s; store.statement_timeout_ms)", what, msg ? msg : "?", state);
        p->base.no_retry = 1;
        return -E_UNAVAILABLE;
    }
    if (starts_with(state, "53")) {
        log_error("store: %s: %s (%s)", what, msg ? msg : "?", state);
        return -E_UNAVAILABLE;
    }
    if (starts_with(state, "22")) {
        /* A value PostgreSQL refuses (bad UTF-8, out of range): the request's fault. */
        log_warn("store: %s: %s (%s)", what, msg ? msg : "?", state);
        return -E_INVALID;
    }
    if (!strcmp(state, "25P02"))
        log_error("store: %s: statement after a failed statement in the same transaction "
                  "(PostgreSQL aborts the whole transaction; SQLite does not)",
                  what);
    else
        log_error("store: %s: %s (%s)", what, msg ? msg : "?", state);
    return -E_INTERNAL;
}

static int result_ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static int pg_open(const char *url, db_t **out)
{
    *out = NULL;
    int64_t now = mono_ms();
    pthread_once(&names_once, make_names);
    if (now < atomic_load(&open_retry_at))
        return -E_UNAVAILABLE; /* a connection attempt just failed: fail fast */
    PGconn *c = pg_connect(url);
    if (!c || PQstatus(c) != CONNECTION_OK || session_setup(c)) {
        log_connect_failure("connecting to", c);
        PQfinish(c);
        atomic_store(&open_retry_at, mono_ms() + PG_RETRY_MS);
        return -E_UNAVAILABLE;
    }
    struct pg_db *p = xcalloc(1, sizeof(*p));
    p->base.ops = &db_pg_ops;
    p->base.kind = DB_PG;
    p->c = c;
    *out = &p->base;
    return 0;
}

static void pg_close(db_t *db)
{
    struct pg_db *p = P(db);
    clear_result(p);
    PQfinish(p->c);
    free(p);
}

static int pg_script(db_t *db, const char *sql)
{
    struct pg_db *p = P(db);
    int rc = ensure(p);
    if (rc)
        return rc;
    clear_result(p);
    PGresult *res = PQexec(p->c, sql);
    rc = result_ok(res) ? 0 : map_error(p, res, "script");
    PQclear(res);
    return rc;
}

/*
 * How many parameters q's SQL takes ($n outside quotes); those it skips are
 * declared text, as PostgreSQL cannot infer a type for a parameter it never
 * sees (SQLite ignores them). The others are left for PostgreSQL to infer.
 */
static int scan_params(const char *sql, Oid *types)
{
    int max = 0, quoted = 0;
    unsigned char seen[DB_MAX_ARGS + 1] = {0};
    for (const char *s = sql; *s; s++) {
        if (*s == '\'')
            quoted = !quoted;
        if (quoted || *s != '$' || s[1] < '0' || s[1] > '9')
            continue;
        int n = (int)strtol(s + 1, NULL, 10);
        if (n > 0 && n <= DB_MAX_ARGS) {
            seen[n] = 1;
            if (n > max)
                max = n;
        }
    }
    for (int i = 1; i <= max; i++)
        types[i - 1] = seen[i] ? 0 : 25; /* 25: text */
    return max;
}

/*
 * The parameter types of q for these arguments: a parameter given an
 * integer is declared bigint, as every SQLite integer is 64 bits (inferred
 * from an INTEGER column it would be a 32-bit integer, and a larger value, a
 * time in ms or a "never" sentinel, would be refused). Returns how many.
 */
static int param_types(enum query_id q, const struct db_arg *args, int n_args, Oid *types)
{
    int n = scan_params(query_sql(q, 1), types);
    for (int i = 0; i < n && i < n_args; i++)
        if (args[i].is_int && !types[i])
            types[i] = 20; /* int8 */
    return n;
}

/* A statement already prepared (42P05) or missing (26000): another session's, behind a pooler. */
#define PG_RUN_AGAIN 1

/*
 * Prepares q under its name. 0, or PG_RUN_AGAIN when the server session
 * already had it (a pooler: the process now runs unnamed statements), or an
 * error (-E_BUSY when that happened inside a transaction, which is aborted).
 */
static int prepare(struct pg_db *p, enum query_id q, const struct db_arg *args, int n_args)
{
    Oid types[DB_MAX_ARGS];
    int n = param_types(q, args, n_args, types);
    PGresult *res = PQprepare(p->c, stmt_name(q), query_sql(q, 1), n, types);
    int rc = 0;
    if (!result_ok(res)) {
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (state && !strcmp(state, "42P05")) {
            use_unnamed(state);
            rc = p->base.in_tx ? -E_BUSY : PG_RUN_AGAIN;
        } else {
            rc = map_error(p, res, query_name(q));
        }
    }
    PQclear(res);
    if (!rc) {
        p->prepared[q] = 1;
        p->nparams[q] = (short)n;
    }
    return rc;
}

static int pg_query(db_t *db, enum query_id q, const struct db_arg *args, int n)
{
    struct pg_db *p = P(db);
    int rc = ensure(p);
    if (rc)
        return rc;
    clear_result(p);
    for (int attempt = 0;; attempt++) {
        int named = !atomic_load(&unnamed), np;
        Oid types[DB_MAX_ARGS];
        if (named && !p->prepared[q] && (rc = prepare(p, q, args, n))) {
            if (rc == PG_RUN_AGAIN && !attempt)
                continue;
            return rc < 0 ? rc : -E_BUSY;
        }
        np = named ? p->nparams[q] : param_types(q, args, n, types);
        const char *values[DB_MAX_ARGS];
        char ints[DB_MAX_ARGS][24];
        for (int i = 0; i < np; i++) {
            values[i] = NULL;
            if (i >= n)
                continue; /* not given: NULL, as SQLite leaves an unbound parameter */
            if (args[i].is_int) {
                snprintf(ints[i], sizeof(ints[i]), "%lld", (long long)args[i].i);
                values[i] = ints[i];
            } else {
                values[i] = args[i].text;
            }
        }
        PGresult *res = named ? PQexecPrepared(p->c, stmt_name(q), np, values, NULL, NULL, 0)
                              : PQexecParams(p->c, query_sql(q, 1), np, types, values, NULL, NULL, 0);
        if (result_ok(res)) {
            p->res = res;
            p->row = -1;
            p->nrows = PQntuples(res);
            p->changes = (int)strtol(PQcmdTuples(res), NULL, 10);
            return 0;
        }
        const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        if (named && state && !strcmp(state, "26000")) {
            /* The statement is not on this server session: a pooler (or DISCARD ALL). */
            use_unnamed(state);
            PQclear(res);
            memset(p->prepared, 0, sizeof(p->prepared));
            if (p->base.in_tx || attempt)
                return -E_BUSY; /* the transaction is aborted: let store_tx run it again */
            continue;
        }
        rc = map_error(p, res, query_name(q));
        PQclear(res);
        return rc;
    }
}

static int pg_row(db_t *db)
{
    struct pg_db *p = P(db);
    if (!p->res)
        return -E_INTERNAL;
    return ++p->row < p->nrows ? 1 : 0;
}

static void pg_end(db_t *db) { clear_result(P(db)); }

static int pg_changes(db_t *db) { return P(db)->changes; }

static int64_t pg_int(db_t *db, int col)
{
    struct pg_db *p = P(db);
    const char *v = PQgetvalue(p->res, p->row, col);
    if (v[0] == 't' && !v[1]) /* a boolean expression */
        return 1;
    return strtoll(v, NULL, 10); /* "f" and "" read as 0 */
}

static const char *pg_text(db_t *db, int col)
{
    struct pg_db *p = P(db);
    return PQgetisnull(p->res, p->row, col) ? "" : PQgetvalue(p->res, p->row, col);
}

static int pg_null(db_t *db, int col) { return PQgetisnull(P(db)->res, P(db)->row, col); }

static int pg_ping(db_t *db)
{
    int rc = db_query(db, Q_PING, "");
    if (!rc)
        rc = db_row(db) > 0 ? 0 : -E_UNAVAILABLE;
    db_end(db);
    return rc;
}

const struct db_ops db_pg_ops = {
    .open = pg_open,
    .close = pg_close,
    .script = pg_script,
    .query = pg_query,
    .row = pg_row,
    .end = pg_end,
    .changes = pg_changes,
    .col_int = pg_int,
    .col_text = pg_text,
    .col_null = pg_null,
    .ping = pg_ping,
    /* Made once from the settings (make_names): isolation level, then the timeouts. */
    .begin_read = begin_read_sql,
    .begin_write = begin_write_sql,
    /* Migrations read what a concurrent starter committed while this one waited for the lock. */
    .migrate_lock = "SET TRANSACTION ISOLATION LEVEL READ COMMITTED;"
                    "SELECT pg_advisory_xact_lock(" PG_MIGRATE_KEY ")",
};
