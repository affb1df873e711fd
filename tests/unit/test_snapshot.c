/*
 * store_snapshot(): a read-only request's statements read one snapshot of
 * the store, writes by other connections in between stay unseen until it
 * ends, a write inside it is refused, and store_read inside it runs in it.
 * On a real SQLite file, through the store's own API.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/config.h"
#include "base/log.h"
#include "store/db_impl.h"
#include "store/store.h"

static char path[64];

/* 0 and *value when the meta key is there, -E_NOT_FOUND when not. */
static int meta(db_t *db, const char *key, char *value, size_t cap)
{
    int rc = db_first(db, db_query(db, Q_META_GET, "t", key), -E_NOT_FOUND);
    if (!rc) {
        snprintf(value, cap, "%s", db_text(db, 0));
        db_end(db);
    }
    return rc;
}

static int calls;
static int count_call(db_t *db, void *arg)
{
    (void)db, (void)arg;
    calls++;
    return 0;
}

static void test_one_snapshot(void **state)
{
    (void)state;
    db_t *a = NULL, *b = NULL;
    char v[64];
    struct arena *ar = arena_new();
    const char *out;
    assert_int_equal(store_open(&a), 0);
    assert_int_equal(store_open(&b), 0);

    assert_int_equal(store_snapshot(a), 0);
    assert_int_equal(meta(a, "snapshot-test", v, sizeof(v)), -E_NOT_FOUND);
    assert_int_equal(store_meta_get_or_put(b, ar, "snapshot-test", "v1", &out), 0); /* another connection writes */
    assert_int_equal(meta(a, "snapshot-test", v, sizeof(v)), -E_NOT_FOUND);      /* unseen: one snapshot */

    calls = 0;
    assert_int_equal(store_tx(a, count_call, NULL), -E_INTERNAL); /* no write inside */
    assert_int_equal(calls, 0);
    assert_int_equal(store_read(a, count_call, NULL), 0); /* a read runs in it */
    assert_int_equal(calls, 1);
    assert_int_equal(meta(a, "snapshot-test", v, sizeof(v)), -E_NOT_FOUND); /* still the same snapshot */

    store_snapshot_end(a);
    assert_int_equal(meta(a, "snapshot-test", v, sizeof(v)), 0);
    assert_string_equal(v, "v1");
    assert_int_equal(store_tx(a, count_call, NULL), 0); /* writes again once it ended */
    assert_int_equal(calls, 2);

    db_close(a);
    db_close(b);
    arena_free(ar);
}

int main(void)
{
    cfg_reset();
    log_set_level((enum log_level)(LOG_ERROR + 1)); /* the refused write logs an error on purpose */
    snprintf(path, sizeof(path), "sqlite:/tmp/userd-snapshot-%d.db", (int)getpid());
    char err[128];
    if (cfg_set("store.url", path, err, sizeof(err)))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_snapshot),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    for (const char *ext = ""; ext; ext = !*ext ? "-wal" : !strcmp(ext, "-wal") ? "-shm" : NULL) {
        char p[80];
        snprintf(p, sizeof(p), "%s%s", path + strlen("sqlite:"), ext);
        unlink(p);
    }
    return rc;
}
