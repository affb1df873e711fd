/* The request arena: sizes that cannot exist abort (out of memory) instead of wrapping around. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/arena.h"

/*
 * Runs arena_alloc(n) in a child process: 0 when it returned (the child
 * exits 0), else the signal that ended it. stderr is closed in the child: the
 * "out of memory" line (and any sanitizer report) is not the test's output.
 */
static int alloc_in_child(size_t n)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(2);
        struct arena *a = arena_new();
        void *p = arena_alloc(a, n);
        _exit(p ? 0 : 3);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status))
        return WEXITSTATUS(status) ? -WEXITSTATUS(status) : 0;
    return WTERMSIG(status);
}

static void test_overflow_aborts(void **state)
{
    (void)state;
    /* Rounding SIZE_MAX up to the alignment wrapped to 0: a "successful" zero-byte piece. */
    assert_int_equal(alloc_in_child(SIZE_MAX), SIGABRT);
    assert_int_equal(alloc_in_child(SIZE_MAX - 1), SIGABRT);
    /* Rounds fine, but the block header on top of it wrapped to a small block written past its end. */
    assert_int_equal(alloc_in_child(SIZE_MAX - 20), SIGABRT);
}

static void test_ordinary_sizes(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    char *small = arena_alloc(a, 1);
    char *big = arena_alloc(a, 100000); /* a block of its own */
    assert_non_null(small);
    assert_non_null(big);
    assert_int_equal(((uintptr_t)small) % sizeof(max_align_t), 0);
    memset(big, 'x', 100000);
    for (int i = 0; i < 1000; i++)
        assert_non_null(arena_alloc(a, 100));
    arena_wipe_all(a);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overflow_aborts),
        cmocka_unit_test(test_ordinary_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
