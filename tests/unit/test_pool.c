/*
 * The hashing pool's admission by time, with jobs of known length on one
 * thread: who is admitted, who is refused at the door, who is refused after
 * waiting past the budget, batches counted as their cost, and a drain.
 * Margins are a few hundred ms either side of every decision.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/config.h"
#include "http/pool.h"

struct job {
    struct pool_job j; /* first: the pool hands back &j */
    int run_ms;
    int ran, refused;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int finished;

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void done(void)
{
    pthread_mutex_lock(&mu);
    finished++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mu);
}

static void run(struct pool_job *pj)
{
    struct job *j = (struct job *)pj;
    usleep((useconds_t)j->run_ms * 1000);
    j->ran = 1;
    done();
}

static void refuse(struct pool_job *pj)
{
    ((struct job *)pj)->refused = 1;
    done();
}

static void wait_finished(int n)
{
    pthread_mutex_lock(&mu);
    while (finished < n)
        pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
}

/* Submits n jobs of the given length and cost; returns how many were admitted. */
static int submit(struct job *jobs, int n, int run_ms, unsigned cost)
{
    int admitted = 0;
    for (int i = 0; i < n; i++) {
        jobs[i] = (struct job){.j = {.run = run, .refuse = refuse, .cost = cost, .since_us = now_us()}, .run_ms = run_ms};
        if (pool_submit(&jobs[i].j) == 0)
            admitted++;
        else
            assert_true(jobs[i].j.retry_after >= 1);
    }
    return admitted;
}

static int setup(void **state)
{
    (void)state;
    cfg_reset();
    finished = 0;
    return pool_start(1, 1000, 1000);
}

static int teardown(void **state)
{
    (void)state;
    pool_stop();
    return 0;
}

/*
 * Pace 240 ms a hash, taken a quarter longer (300 ms), budget 1 s: the one
 * that runs at once, and three expected to start by 0.9 s.
 */
static void test_admitted_by_time(void **state)
{
    (void)state;
    struct job jobs[10];
    pool_hash_time(240000);
    int admitted = submit(jobs, 10, 200, 1);
    assert_int_equal(admitted, 4);
    wait_finished(4);
    for (int i = 0; i < 10; i++)
        assert_int_equal(jobs[i].ran, i < 4);
}

/* The pace says 10 ms, the jobs take 400 ms: starts at 0, 0.4, 0.8 s run; at 1.2 and 1.6 s, past the budget, refused. */
static void test_refused_after_waiting(void **state)
{
    (void)state;
    struct job jobs[5];
    pool_hash_time(10000);
    assert_int_equal(submit(jobs, 5, 400, 1), 5);
    wait_finished(5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(jobs[i].ran, i < 3);
        assert_int_equal(jobs[i].refused, i >= 3);
    }
}

/* A job of cost 4 counts as 4 hashes: after it, a single job would start 1.25 s later (1.56 with the margin). */
static void test_cost(void **state)
{
    (void)state;
    struct job first[1], batch[1], single[2];
    pool_hash_time(250000);
    assert_int_equal(submit(first, 1, 100, 1), 1);  /* runs at once */
    assert_int_equal(submit(batch, 1, 100, 4), 1);  /* starts after one more: 250 ms */
    assert_int_equal(submit(single, 1, 100, 1), 0); /* (4 + 1) x 250 ms x 5/4: refused */
    pool_hash_time(100000);
    assert_int_equal(submit(single + 1, 1, 100, 1), 1); /* (4 + 1) x 100 ms x 5/4: admitted */
    wait_finished(3);
}

/* A drain refuses what waits and every new job; what runs finishes. */
static void test_drain(void **state)
{
    (void)state;
    struct job jobs[4], late[1];
    pool_hash_time(100000);
    assert_int_equal(submit(jobs, 4, 300, 1), 4);
    usleep(100000); /* the first one runs */
    pool_drain();
    assert_int_equal(submit(late, 1, 10, 1), 0);
    wait_finished(4);
    assert_int_equal(jobs[0].ran, 1);
    for (int i = 1; i < 4; i++)
        assert_int_equal(jobs[i].refused, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_admitted_by_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_after_waiting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drain, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
