/* file_replace: all or nothing, mode set, a symlink replaced rather than followed, nothing left on failure. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/file.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/userd-file-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd);
}

static char *path_of(const char *name)
{
    static char p[128];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    return p;
}

static void read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

static int entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_writes_with_mode(void **state)
{
    (void)state;
    char buf[64];
    struct stat st;
    const char *p = path_of("a.json");
    assert_int_equal(file_replace(p, "secret\n", 7, 0600), 0);
    read_file(p, buf, sizeof(buf));
    assert_string_equal(buf, "secret\n");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* An existing file with a wider mode is replaced, and gets the narrow one. */
    assert_int_equal(chmod(p, 0644), 0);
    assert_int_equal(file_replace(p, "two", 3, 0600), 0);
    read_file(p, buf, sizeof(buf));
    assert_string_equal(buf, "two");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(entries(), 1); /* no temporary file left */
}

static void test_symlink_replaced_not_followed(void **state)
{
    (void)state;
    char target[128], buf[64];
    struct stat st;
    snprintf(target, sizeof(target), "%s", path_of("target"));
    FILE *f = fopen(target, "w");
    fputs("untouched", f);
    fclose(f);
    const char *p = path_of("link.json");
    assert_int_equal(symlink(target, p), 0);
    assert_int_equal(file_replace(p, "secret", 6, 0600), 0);
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    read_file(target, buf, sizeof(buf));
    assert_string_equal(buf, "untouched");
    read_file(p, buf, sizeof(buf));
    assert_string_equal(buf, "secret");
}

static void test_failure_leaves_nothing(void **state)
{
    (void)state;
    int before = entries();
    /* The target is a directory: the rename fails after the data was written. */
    assert_int_equal(mkdir(path_of("adir"), 0700), 0);
    assert_int_equal(file_replace(path_of("adir"), "x", 1, 0600), -E_INTERNAL);
    assert_int_equal(entries(), before + 1);
    /* No such directory: nothing can be created. */
    assert_int_equal(file_replace(path_of("missing/x.json"), "x", 1, 0600), -E_INTERNAL);
    assert_int_equal(entries(), before + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writes_with_mode),
        cmocka_unit_test(test_symlink_replaced_not_followed),
        cmocka_unit_test(test_failure_leaves_nothing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
