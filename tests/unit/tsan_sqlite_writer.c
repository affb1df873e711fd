/*
 * The SQLite writer lock changes hands across threads, under ThreadSanitizer
 * (built with -fsanitize=thread: `make unit` builds build/tsan/tests/...).
 * At shutdown store_close_all() closes every connection from the main
 * thread, including one whose own thread is in the middle of a write
 * transaction and holds the process's writer lock: the close gives it back.
 * With a mutex that was an unlock by a thread that does not own it
 * (undefined behaviour: TSan reports it and the run fails); another writer
 * waiting for the lock must get it.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/config.h"
#include "store/db_impl.h"

static char path[64];

static db_t *open_db(void)
{
    db_t *db = NULL;
    assert_int_equal(db_sqlite_ops.open(path, &db), 0);
    return db;
}

static int begin_write(db_t *db) { return db_sqlite_ops.script(db, db_sqlite_ops.begin_write); }

/* Opens a connection, starts a write transaction (taking the writer lock), and ends without closing. */
static void *writer_thread(void *arg)
{
    db_t **out = arg;
    *out = open_db();
    assert_int_equal(begin_write(*out), 0);
    assert_int_equal(db_sqlite_ops.script(*out, "INSERT INTO t VALUES (1)"), 0);
    return NULL;
}

/* Waits for the writer lock (a second writer), then commits. */
static void *waiter_thread(void *arg)
{
    int *rc = arg;
    db_t *db = open_db();
    *rc = begin_write(db);
    if (!*rc)
        *rc = db_sqlite_ops.script(db, "INSERT INTO t VALUES (2); COMMIT");
    db_sqlite_ops.close(db);
    return NULL;
}

static void test_close_from_another_thread(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/userd-tsan-%d.db", (int)getpid());
    db_t *setup = open_db();
    assert_int_equal(db_sqlite_ops.script(setup, "CREATE TABLE t (x INTEGER)"), 0);
    db_sqlite_ops.close(setup);

    db_t *held = NULL;
    pthread_t w, q;
    int waiter_rc = -1;
    assert_int_equal(pthread_create(&w, NULL, writer_thread, &held), 0);
    assert_int_equal(pthread_join(w, NULL), 0); /* its thread is gone; its transaction is still open */
    assert_int_equal(pthread_create(&q, NULL, waiter_thread, &waiter_rc), 0);
    usleep(100 * 1000); /* the waiter is now queued on the writer lock */
    db_sqlite_ops.close(held); /* what store_close_all does at shutdown: rolls back, gives the lock back */
    assert_int_equal(pthread_join(q, NULL), 0);
    assert_int_equal(waiter_rc, 0);

    db_t *check = open_db();
    assert_int_equal(db_sqlite_ops.query(check, Q_PING, NULL, 0), 0);
    db_sqlite_ops.end(check);
    db_sqlite_ops.close(check);
    db_sqlite_stop();
    for (const char *ext = ""; ext; ext = !*ext ? "-wal" : !strcmp(ext, "-wal") ? "-shm" : NULL) {
        char p[80];
        snprintf(p, sizeof(p), "%s%s", path, ext);
        unlink(p);
    }
}

int main(void)
{
    cfg_reset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_close_from_another_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
