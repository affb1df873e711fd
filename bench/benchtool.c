/*
 * bench/benchtool: the C helpers of `make bench` (bench/run.mjs drives it).
 *
 *   benchtool hashrate OPSLIMIT MEMLIMIT_KIB SECONDS [THREADS]
 *       Times crypto_pwhash_str (Argon2id, userd's password settings) on one
 *       thread, or on THREADS threads at once (the machine's own ceiling for
 *       logins: cores share caches and memory bandwidth, and may be
 *       hyperthreads of one core); prints {"threads","hashes","seconds","per_second"}.
 *
 *   benchtool preload STORE USERS SEED PASSWORD OPSLIMIT MEMLIMIT_KIB
 *       Bulk-inserts USERS accounts (ids 1..USERS) into a store that
 *       `userd serve` has already migrated, for the default app. STORE is
 *       the SQLite file, or a postgresql:// URL (the rows go in with COPY,
 *       in one transaction, then VACUUM (ANALYZE)):
 *         accounts      username u<id>, nick nick<id>, region 86,
 *                       mobile 13<id, 9 digits>, live_uid lu<id>, and one
 *                       Argon2id hash of PASSWORD shared by every account;
 *         user_settings one row each (the defaults);
 *         tokens        one IM token each, "bench-SEED-<id>", stored as
 *                       sec_hash() of it exactly as userd stores the tokens it
 *                       issues, so that the load generator can present the
 *                       token of any user without a login per user;
 *         sessions      one app-face session each, cookie value
 *                       "sess-SEED-<id>", stored the same way.
 *       Prints {"app_id","users","seconds"}.
 *
 *   benchtool syscalls FILE
 *       What a system call costs on this machine: a trivial one (getppid)
 *       and a 4 KiB pread of FILE from the page cache (what SQLite does for
 *       each page it does not hold), each the mean of 200,000 calls; prints
 *       {"syscall_us","pread_4k_us"}. On a virtual machine that traps every
 *       system call it is many times what it is on bare metal, and userd's
 *       reads make more of them than nginx's answers (docs/performance.md).
 *
 * This is a benchmark tool: it writes SQL against the schema directly
 * (src/store/schema.c) because going through the service would cost an
 * Argon2id hash per account. It is not part of userd.
 */
#include <libpq-fe.h>
#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "base/arena.h"
#include "core/secret.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t now_ms_wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long arg_num(const char *s, const char *what, long long min, long long max)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < min || v > max) {
        fprintf(stderr, "benchtool: %s must be an integer in %lld..%lld\n", what, min, max);
        exit(2);
    }
    return v;
}

struct hash_loop {
    unsigned long long ops;
    size_t mem;
    double start, secs;
    long hashes;
    int failed;
};

static void *hash_loop(void *arg)
{
    struct hash_loop *h = arg;
    char out[crypto_pwhash_STRBYTES];
    const char *pw = "benchmark-password";
    while (mono() - h->start < h->secs) {
        if (crypto_pwhash_str(out, pw, strlen(pw), h->ops, h->mem)) {
            h->failed = 1;
            break;
        }
        h->hashes++;
    }
    return NULL;
}

static int hashrate(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: benchtool hashrate OPSLIMIT MEMLIMIT_KIB SECONDS [THREADS]\n");
        return 2;
    }
    unsigned long long ops = (unsigned long long)arg_num(argv[0], "OPSLIMIT", 1, 100);
    size_t mem = (size_t)arg_num(argv[1], "MEMLIMIT_KIB", 8, 4194304) * 1024;
    double secs = (double)arg_num(argv[2], "SECONDS", 1, 600);
    int threads = argc == 4 ? (int)arg_num(argv[3], "THREADS", 1, 256) : 1;
    char out[crypto_pwhash_STRBYTES];
    /* One untimed hash first: the first touch of the memory costs page faults. */
    if (crypto_pwhash_str(out, "warm-up", 7, ops, mem))
        return 1;
    struct hash_loop loops[256];
    pthread_t tids[256];
    double t0 = mono();
    for (int i = 0; i < threads; i++) {
        loops[i] = (struct hash_loop){.ops = ops, .mem = mem, .start = t0, .secs = secs};
        if (pthread_create(&tids[i], NULL, hash_loop, &loops[i]))
            return 1;
    }
    long n = 0;
    int failed = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tids[i], NULL);
        n += loops[i].hashes;
        failed |= loops[i].failed;
    }
    double t = mono() - t0;
    if (failed)
        return 1;
    printf("{\"threads\":%d,\"hashes\":%ld,\"seconds\":%.3f,\"per_second\":%.2f}\n", threads, n, t,
           (double)n / t);
    return 0;
}

static int syscalls(int argc, char **argv)
{
    enum { N = 200000 };
    if (argc != 1) {
        fprintf(stderr, "usage: benchtool syscalls FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[0], "rb");
    if (!f || fseeko(f, 0, SEEK_END)) {
        fprintf(stderr, "benchtool: cannot read %s\n", argv[0]);
        return 1;
    }
    long long pages = (long long)ftello(f) / 4096;
    if (pages < 1) {
        fprintf(stderr, "benchtool: %s is under 4 KiB\n", argv[0]);
        return 1;
    }
    char page[4096];
    double t = mono();
    for (int i = 0; i < N; i++)
        (void)syscall(SYS_getppid);
    double call = (mono() - t) / N;
    t = mono();
    for (int i = 0; i < N; i++) /* pages in a scattered order, as an index lookup wants them */
        if (pread(fileno(f), page, sizeof(page), (off_t)((long long)i * 7919 % pages) * 4096) < 0)
            return 1;
    double rd = (mono() - t) / N;
    fclose(f);
    printf("{\"syscall_us\":%.3f,\"pread_4k_us\":%.3f}\n", call * 1e6, rd * 1e6);
    return 0;
}

static void die_sql(sqlite3 *db, const char *what)
{
    fprintf(stderr, "benchtool: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die_sql(db, sql);
    return st;
}

static void step_done(sqlite3 *db, sqlite3_stmt *st, const char *what)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        die_sql(db, what);
    sqlite3_reset(st);
}

static void exec(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die_sql(db, sql);
}

/* ---- PostgreSQL: COPY in text format (no value holds a tab, newline or backslash). */

static void die_pg(PGconn *c, const char *what)
{
    fprintf(stderr, "benchtool: %s: %s", what, PQerrorMessage(c));
    exit(1);
}

static void pg_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        die_pg(c, sql);
    PQclear(r);
}

struct copybuf {
    PGconn *c;
    char buf[1 << 16];
    size_t len;
};

static void copy_flush(struct copybuf *b)
{
    if (b->len && PQputCopyData(b->c, b->buf, (int)b->len) != 1)
        die_pg(b->c, "COPY data");
    b->len = 0;
}

static void copy_line(struct copybuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void copy_line(struct copybuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->buf + b->len, sizeof(b->buf) - b->len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t)n >= sizeof(b->buf)) {
            fprintf(stderr, "benchtool: COPY line too long\n");
            exit(1);
        }
        if ((size_t)n < sizeof(b->buf) - b->len) {
            b->len += (size_t)n;
            return;
        }
        copy_flush(b);
    }
}

static void copy_end(struct copybuf *b)
{
    copy_flush(b);
    if (PQputCopyEnd(b->c, NULL) != 1)
        die_pg(b->c, "COPY end");
    PGresult *r;
    while ((r = PQgetResult(b->c))) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            die_pg(b->c, "COPY");
        PQclear(r);
    }
}

static void copy_begin(struct copybuf *b, const char *sql)
{
    PGresult *r = PQexec(b->c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN)
        die_pg(b->c, sql);
    PQclear(r);
    b->len = 0;
}

static int preload_pg(const char *url, long long users, const char *seed, const char *pw_hash, double t0)
{
    PGconn *c = PQconnectdb(url);
    if (PQstatus(c) != CONNECTION_OK)
        die_pg(c, "connect");
    PGresult *r = PQexec(c, "SELECT value FROM meta WHERE key = 'default_app_id'");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        fprintf(stderr, "benchtool: no default app in the database (run userd serve on it once first)\n");
        return 1;
    }
    char app_id[128];
    snprintf(app_id, sizeof(app_id), "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    r = PQexec(c, "SELECT COUNT(*) FROM accounts");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || strcmp(PQgetvalue(r, 0, 0), "0")) {
        fprintf(stderr, "benchtool: the database already has accounts; preload wants a fresh store\n");
        return 1;
    }
    PQclear(r);

    int64_t now = now_ms_wall(), expires = now + 30LL * 24 * 3600 * 1000;
    static struct copybuf b;
    b.c = c;
    pg_exec(c, "BEGIN");
    copy_begin(&b, "COPY accounts (id, app_id, username, pw_hash, nick, region, mobile, live_uid, live_extends,"
                   " created_at, updated_at) FROM STDIN");
    for (long long id = 1; id <= users; id++)
        copy_line(&b, "%lld\t%s\tu%lld\t%s\tnick%lld\t86\t13%09lld\tlu%lld\t{}\t%lld\t%lld\n", id, app_id, id,
                  pw_hash, id, id, id, (long long)now, (long long)now);
    copy_end(&b);
    copy_begin(&b, "COPY user_settings (account_id, updated_at) FROM STDIN");
    for (long long id = 1; id <= users; id++)
        copy_line(&b, "%lld\t%lld\n", id, (long long)now);
    copy_end(&b);
    struct arena *a = arena_new();
    char secret[160];
    copy_begin(&b, "COPY tokens (hash, app_id, account_id, device_sn, expires_at, created_at) FROM STDIN");
    for (long long id = 1; id <= users; id++) {
        snprintf(secret, sizeof(secret), "bench-%s-%lld", seed, id);
        copy_line(&b, "%s\t%s\t%lld\t\\N\t%lld\t%lld\n", sec_hash(a, secret), app_id, id, (long long)expires,
                  (long long)now);
        if (id % 50000 == 0) {
            arena_free(a);
            a = arena_new();
        }
    }
    copy_end(&b);
    copy_begin(&b, "COPY sessions (hash, account_id, expires_at, created_at) FROM STDIN");
    for (long long id = 1; id <= users; id++) {
        snprintf(secret, sizeof(secret), "sess-%s-%lld", seed, id);
        copy_line(&b, "%s\t%lld\t%lld\t%lld\n", sec_hash(a, secret), id, (long long)expires, (long long)now);
        if (id % 50000 == 0) {
            arena_free(a);
            a = arena_new();
        }
    }
    copy_end(&b);
    arena_free(a);
    /* The ids were given: move the identity past them, or the next account made by userd would collide. */
    pg_exec(c, "SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT MAX(id) FROM accounts))");
    pg_exec(c, "COMMIT");
    /*
     * VACUUM (ANALYZE) now, as autovacuum would a little later: the planner sees the tables' real
     * size, the rows' hint bits and the visibility map are set, and no autovacuum of 100,000 fresh
     * rows (PostgreSQL 13 and later vacuum after inserts) runs during the measurement.
     */
    pg_exec(c, "VACUUM (ANALYZE) accounts, user_settings, tokens, sessions");
    PQfinish(c);
    printf("{\"app_id\":\"%s\",\"users\":%lld,\"seconds\":%.3f}\n", app_id, users, mono() - t0);
    return 0;
}

static int preload(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: benchtool preload STORE USERS SEED PASSWORD OPSLIMIT MEMLIMIT_KIB\n");
        return 2;
    }
    const char *path = argv[0];
    long long users = arg_num(argv[1], "USERS", 1, 100000000);
    const char *seed = argv[2], *password = argv[3];
    unsigned long long ops = (unsigned long long)arg_num(argv[4], "OPSLIMIT", 1, 100);
    size_t mem = (size_t)arg_num(argv[5], "MEMLIMIT_KIB", 8, 4194304) * 1024;
    double t0 = mono();
    char pw_hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(pw_hash, password, strlen(password), ops, mem)) {
        fprintf(stderr, "benchtool: password hash failed (out of memory)\n");
        return 1;
    }
    if (!strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11))
        return preload_pg(path, users, seed, pw_hash, t0);

    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        die_sql(db, path);
    exec(db, "PRAGMA synchronous = OFF; PRAGMA cache_size = -262144; PRAGMA foreign_keys = OFF;");

    char app_id[128] = "";
    sqlite3_stmt *st = prep(db, "SELECT value FROM meta WHERE key = 'default_app_id'");
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(app_id, sizeof(app_id), "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (!app_id[0]) {
        fprintf(stderr, "benchtool: no default app in %s (run userd serve on it once first)\n", path);
        return 1;
    }
    st = prep(db, "SELECT COUNT(*) FROM accounts");
    if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int64(st, 0) != 0) {
        fprintf(stderr, "benchtool: %s already has accounts; preload wants a fresh store\n", path);
        return 1;
    }
    sqlite3_finalize(st);

    sqlite3_stmt *ins_acct = prep(db, "INSERT INTO accounts (id, app_id, username, pw_hash, nick, region, mobile,"
                                      " live_uid, live_extends, created_at, updated_at)"
                                      " VALUES (?1, ?2, ?3, ?4, ?5, '86', ?6, ?7, '{}', ?8, ?8)");
    sqlite3_stmt *ins_set = prep(db, "INSERT INTO user_settings (account_id, updated_at) VALUES (?1, ?2)");
    sqlite3_stmt *ins_tok = prep(db, "INSERT INTO tokens (hash, app_id, account_id, device_sn, expires_at,"
                                     " created_at) VALUES (?1, ?2, ?3, NULL, ?4, ?5)");
    sqlite3_stmt *ins_sess = prep(db, "INSERT INTO sessions (hash, account_id, expires_at, created_at)"
                                      " VALUES (?1, ?2, ?3, ?4)");
    int64_t now = now_ms_wall(), expires = now + 30LL * 24 * 3600 * 1000;
    struct arena *a = arena_new();
    exec(db, "BEGIN");
    for (long long id = 1; id <= users; id++) {
        char username[32], nick[32], mobile[32], live_uid[32], token[160], session[160];
        snprintf(username, sizeof(username), "u%lld", id);
        snprintf(nick, sizeof(nick), "nick%lld", id);
        snprintf(mobile, sizeof(mobile), "13%09lld", id);
        snprintf(live_uid, sizeof(live_uid), "lu%lld", id);
        snprintf(token, sizeof(token), "bench-%s-%lld", seed, id);
        snprintf(session, sizeof(session), "sess-%s-%lld", seed, id);

        sqlite3_bind_int64(ins_acct, 1, id);
        sqlite3_bind_text(ins_acct, 2, app_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_acct, 3, username, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_acct, 4, pw_hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_acct, 5, nick, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_acct, 6, mobile, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_acct, 7, live_uid, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins_acct, 8, now);
        step_done(db, ins_acct, "insert account");

        sqlite3_bind_int64(ins_set, 1, id);
        sqlite3_bind_int64(ins_set, 2, now);
        step_done(db, ins_set, "insert settings");

        sqlite3_bind_text(ins_tok, 1, sec_hash(a, token), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins_tok, 2, app_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins_tok, 3, id);
        sqlite3_bind_int64(ins_tok, 4, expires);
        sqlite3_bind_int64(ins_tok, 5, now);
        step_done(db, ins_tok, "insert token");

        sqlite3_bind_text(ins_sess, 1, sec_hash(a, session), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins_sess, 2, id);
        sqlite3_bind_int64(ins_sess, 3, expires);
        sqlite3_bind_int64(ins_sess, 4, now);
        step_done(db, ins_sess, "insert session");

        if (id % 50000 == 0) {
            exec(db, "COMMIT; BEGIN");
            arena_free(a);
            a = arena_new();
        }
    }
    exec(db, "COMMIT");
    arena_free(a);
    sqlite3_finalize(ins_acct);
    sqlite3_finalize(ins_set);
    sqlite3_finalize(ins_tok);
    sqlite3_finalize(ins_sess);
    exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(db);
    printf("{\"app_id\":\"%s\",\"users\":%lld,\"seconds\":%.3f}\n", app_id, users, mono() - t0);
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    if (argc >= 2 && !strcmp(argv[1], "hashrate"))
        return hashrate(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "preload"))
        return preload(argc - 2, argv + 2);
    if (argc >= 2 && !strcmp(argv[1], "syscalls"))
        return syscalls(argc - 2, argv + 2);
    fprintf(stderr, "usage: benchtool hashrate|preload|syscalls ...\n");
    return 2;
}
