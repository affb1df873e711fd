/* Settings: defaults, bounds, file < environment < flags, errors naming the setting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/config.h"

static int load(int argc, char **argv, char *err)
{
    char *rest[16];
    int n;
    return cfg_load(argc, argv, rest, &n, err, 256);
}

static void test_defaults(void **state)
{
    (void)state;
    cfg_reset();
    assert_string_equal(cfg_str(CFG_store_url), "sqlite:./data/userd.db");
    assert_string_equal(cfg_str(CFG_im_listen), "127.0.0.1:8701");
    assert_int_equal(cfg_int(CFG_http_max_body), 1048576);
    assert_true(cfg_bool(CFG_log_access));
    assert_false(cfg_bool(CFG_session_secure));
}

static void test_set_bounds(void **state)
{
    (void)state;
    char err[256];
    cfg_reset();
    assert_int_equal(cfg_set("http.threads", "8", err, sizeof(err)), 0);
    assert_int_equal(cfg_int(CFG_http_threads), 8);
    assert_int_equal(cfg_set("http.threads", "0", err, sizeof(err)), -E_INVALID);
    assert_non_null(strstr(err, "http.threads"));
    assert_int_equal(cfg_set("http.threads", "3x", err, sizeof(err)), -E_INVALID);
    assert_int_equal(cfg_set("http.threads", "", err, sizeof(err)), -E_INVALID);
    assert_int_equal(cfg_int(CFG_http_threads), 8); /* a refused value changes nothing */
    assert_int_equal(cfg_set("log.access", "off", err, sizeof(err)), 0);
    assert_false(cfg_bool(CFG_log_access));
    assert_int_equal(cfg_set("log.access", "maybe", err, sizeof(err)), -E_INVALID);
    assert_non_null(strstr(err, "log.access"));
    assert_int_equal(cfg_set("sms.provider", "carrier-pigeon", err, sizeof(err)), -E_INVALID);
    assert_int_equal(cfg_set("no.such", "1", err, sizeof(err)), -E_INVALID);
    assert_non_null(strstr(err, "no.such"));
    assert_int_equal(cfg_set("nodot", "1", err, sizeof(err)), -E_INVALID);
    assert_int_equal(cfg_set("HTTP.THREADS", "4", err, sizeof(err)), 0); /* names ignore case */
}

static void test_precedence(void **state)
{
    (void)state;
    char err[256], path[] = "/tmp/userd-test-cfg-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *ini = "# comment\n[http]\nthreads = 3\nmax_body = 2048\n\n[token]\n ttl = 120 \n";
    assert_int_equal(write(fd, ini, strlen(ini)), (int)strlen(ini));
    close(fd);

    setenv("USERD_HTTP_MAX_BODY", "4096", 1);
    char *argv[] = {"serve", "--config", path, "--token.ttl=300", "--im.listen", "off", "extra"};
    char *rest[8];
    int n;
    assert_int_equal(cfg_load(7, argv, rest, &n, err, sizeof(err)), 0);
    assert_int_equal(cfg_int(CFG_http_threads), 3);     /* file */
    assert_int_equal(cfg_int(CFG_http_max_body), 4096); /* env over file */
    assert_int_equal(cfg_int(CFG_token_ttl), 300);      /* flag over file */
    assert_string_equal(cfg_str(CFG_im_listen), "off");
    assert_int_equal(n, 2);
    assert_string_equal(rest[0], "serve");
    assert_string_equal(rest[1], "extra");
    unsetenv("USERD_HTTP_MAX_BODY");
    unlink(path);
}

static void test_errors(void **state)
{
    (void)state;
    char err[256];
    setenv("USERD_TOKEN_TTL", "soon", 1);
    char *a1[] = {"serve"};
    assert_int_equal(load(1, a1, err), -E_INVALID);
    assert_non_null(strstr(err, "token.ttl"));
    assert_non_null(strstr(err, "USERD_TOKEN_TTL"));
    unsetenv("USERD_TOKEN_TTL");

    char *a2[] = {"serve", "--config", "/nonexistent/userd.ini"};
    assert_int_equal(load(3, a2, err), -E_INVALID);
    assert_non_null(strstr(err, "/nonexistent/userd.ini"));

    char *a3[] = {"serve", "--http.threads"};
    assert_int_equal(load(2, a3, err), -E_INVALID);
    assert_non_null(strstr(err, "http.threads"));

    char path[] = "/tmp/userd-test-cfg-XXXXXX";
    int fd = mkstemp(path);
    const char *ini = "[http]\nthreads\n";
    assert_int_equal(write(fd, ini, strlen(ini)), (int)strlen(ini));
    close(fd);
    char *a4[] = {"serve", "--config", path};
    assert_int_equal(load(3, a4, err), -E_INVALID);
    assert_non_null(strstr(err, ":2:"));
    unlink(path);

    /* a bad value names the file and line as well as the setting */
    snprintf(path, sizeof(path), "%s", "/tmp/userd-test-cfg-XXXXXX");
    fd = mkstemp(path);
    ini = "[http]\n\nthreads = many\n";
    assert_int_equal(write(fd, ini, strlen(ini)), (int)strlen(ini));
    close(fd);
    assert_int_equal(load(3, a4, err), -E_INVALID);
    char want[300];
    snprintf(want, sizeof(want), "config file %s:3: setting http.threads: not an integer", path);
    assert_string_equal(err, want);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_set_bounds),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
