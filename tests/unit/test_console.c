/*
 * The console's core (core/operators.h, core/admin.h, core/audit.h) on a
 * real SQLite store in a temporary directory: names, the nickname-prefix
 * search at its byte boundaries, paging, the audit log's filters and pages,
 * operators' passwords and sessions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "core/accounts.h"
#include "core/activity.h"
#include "core/admin.h"
#include "core/apps.h"
#include "core/audit.h"
#include "core/operators.h"

static char dir[] = "/tmp/userd-test-console-XXXXXX";
static struct ctx c;
static const char *app_id;

static int setup(void **state)
{
    (void)state;
    char err[256], url[128], *rest[2];
    int n;
    if (sodium_init() < 0 || !mkdtemp(dir))
        return -1;
    snprintf(url, sizeof(url), "--store.url=sqlite:%s/u.db", dir);
    /* The lowest Argon2id cost: these tests are about the rules, not the hash. */
    char *argv[] = {url, "--password.opslimit=1", "--password.memlimit_kib=8"};
    if (cfg_load(3, argv, rest, &n, err, sizeof(err)) || ctx_open(&c))
        return -1;
    struct app_creds cr;
    if (app_create(&c, "t", &cr))
        return -1;
    app_id = cr.app_id;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ctx_close(&c);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static void test_names(void **state)
{
    (void)state;
    static const struct { const char *s; int ok; } v[] = {
        {"alice", 1}, {"a.b_c@d-e", 1}, {"A9", 1}, {"", 0}, {"a b", 0}, {"a/b", 0}, {"é", 0}, {"a\n", 0},
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1},  /* 64 */
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 0}, /* 65 */
    };
    for (size_t i = 0; i < sizeof(v) / sizeof(*v); i++)
        assert_int_equal(op_check_name(v[i].s), v[i].ok ? 0 : -E_INVALID);
    enum adm_by by;
    assert_int_equal(adm_by_name("nick", &by), 0);
    assert_int_equal(by, ADM_BY_NICK);
    assert_int_equal(adm_by_name("appface", &by), 0);
    assert_int_equal(by, ADM_BY_APPFACE);
    assert_int_equal(adm_by_name("Nick", &by), -E_INVALID);
    assert_int_equal(adm_by_name("", &by), -E_INVALID);
}

static int64_t add(const char *nick, const char *mobile)
{
    struct account a = {.app_id = app_id, .nick = nick, .mobile = mobile, .pw_hash = "", .created_at = c.now};
    assert_int_equal(acct_create(&c, &a), 0);
    return a.id;
}

static void test_nick_prefix(void **state)
{
    (void)state;
    int64_t ab = add("ab", NULL), abc = add("abc", NULL), ab_max = add("ab\xf4\x8f\xbf\xbe", NULL);
    add("ac", NULL), add("aa", NULL), add("Ab", NULL), add("a", NULL);
    struct account out[ADM_PAGE_MAX + 1];
    int n, more;
    assert_int_equal(adm_search(&c, app_id, ADM_BY_NICK, "ab", 1, 10, out, &n, &more), 0);
    assert_int_equal(n, 3);
    assert_int_equal(more, 0);
    assert_int_equal(out[0].id, ab); /* byte order: "ab" < "abc" < "ab\xf4..." */
    assert_int_equal(out[1].id, abc);
    assert_int_equal(out[2].id, ab_max);
    /* Pages of 2: the first says more, the second has the rest. */
    assert_int_equal(adm_search(&c, app_id, ADM_BY_NICK, "ab", 1, 2, out, &n, &more), 0);
    assert_int_equal(n, 2);
    assert_int_equal(more, 1);
    assert_int_equal(adm_search(&c, app_id, ADM_BY_NICK, "ab", 2, 2, out, &n, &more), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, ab_max);
    assert_int_equal(more, 0);
    /* Multi-byte prefixes; none of another app. */
    int64_t zh = add("\xe5\xbc\xa0\xe4\xb8\x89", NULL); /* 张三 */
    assert_int_equal(adm_search(&c, app_id, ADM_BY_NICK, "\xe5\xbc\xa0", 1, 10, out, &n, &more), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, zh);
    assert_int_equal(adm_search(&c, "nosuchapp", ADM_BY_NICK, "ab", 1, 10, out, &n, &more), -E_APP_UNKNOWN);
    /* Bounds. */
    assert_int_equal(adm_search(&c, app_id, ADM_BY_NICK, "", 1, 10, out, &n, &more), -E_INVALID);
    assert_int_equal(adm_search(&c, app_id, ADM_BY_NICK, "a\x01", 1, 10, out, &n, &more), -E_INVALID);
    assert_int_equal(adm_search(&c, app_id, ADM_BY_NICK, "\xff", 1, 10, out, &n, &more), -E_INVALID);
    assert_int_equal(adm_search(&c, app_id, ADM_BY_NICK, "ab", 0, 10, out, &n, &more), -E_INVALID);
    assert_int_equal(adm_search(&c, app_id, ADM_BY_NICK, "ab", 1, ADM_PAGE_MAX + 1, out, &n, &more), -E_INVALID);
}

static void test_by_ids(void **state)
{
    (void)state;
    int64_t id = add("who", "+15550001");
    struct account out[ADM_PAGE_MAX + 1];
    char appface[APPID_BUF], idtext[24];
    int n, more;
    snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
    assert_int_equal(adm_search(&c, app_id, ADM_BY_ID, idtext, 1, 10, out, &n, &more), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, id);
    assert_int_equal(adm_search(&c, app_id, ADM_BY_MOBILE, "+15550001", 1, 10, out, &n, &more), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, id);
    assert_int_equal(adm_appface_id(&c, id, appface), 0);
    assert_int_equal(adm_search(&c, app_id, ADM_BY_APPFACE, appface, 1, 10, out, &n, &more), 0);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, id);
    /* What cannot be an id of its kind matches nothing, without an error. */
    static const char *const bad_ids[] = {"0", "-1", "x", "99999999999999999999", "1.5"};
    for (size_t i = 0; i < sizeof(bad_ids) / sizeof(*bad_ids); i++) {
        assert_int_equal(adm_search(&c, app_id, ADM_BY_ID, bad_ids[i], 1, 10, out, &n, &more), 0);
        assert_int_equal(n, 0);
    }
    assert_int_equal(adm_search(&c, app_id, ADM_BY_APPFACE, "!!", 1, 10, out, &n, &more), 0);
    assert_int_equal(n, 0);
}

static void test_audit(void **state)
{
    (void)state;
    for (int i = 0; i < 5; i++)
        assert_int_equal(audit_add(&c, i % 2 ? "bob" : "alice", "user.disable", app_id, "1", NULL), 0);
    assert_int_equal(audit_add(&c, "alice", "app.create", "other", NULL, NULL), 0);
    struct audit_entry e[AUDIT_PAGE_MAX];
    int n;
    assert_int_equal(audit_page(&c, NULL, NULL, NULL, 0, 10, e, &n), 0);
    assert_int_equal(n, 6);
    assert_string_equal(e[0].action, "app.create"); /* newest first */
    assert_string_equal(e[0].address, "cli");
    assert_int_equal(audit_page(&c, "bob", NULL, NULL, 0, 10, e, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(audit_page(&c, "alice", "user.disable", app_id, 0, 2, e, &n), 0);
    assert_int_equal(n, 2);
    int64_t before = e[1].id;
    assert_int_equal(audit_page(&c, "alice", "user.disable", app_id, before, 2, e, &n), 0);
    assert_int_equal(n, 1);
    assert_true(e[0].id < before);
    assert_int_equal(audit_page(&c, NULL, NULL, NULL, 0, AUDIT_PAGE_MAX + 1, e, &n), -E_INVALID);
    /* Long text is cut at a character boundary. */
    char long_target[600];
    memset(long_target, 'x', sizeof(long_target));
    memcpy(long_target + AUDIT_TEXT_MAX - 1, "\xe5\xbc\xa0", 3);
    long_target[sizeof(long_target) - 1] = '\0';
    assert_int_equal(audit_add(&c, "alice", "long", NULL, long_target, NULL), 0);
    assert_int_equal(audit_page(&c, NULL, "long", NULL, 0, 1, e, &n), 0);
    assert_int_equal(strlen(e[0].target), AUDIT_TEXT_MAX - 1);
}

static void test_operators(void **state)
{
    (void)state;
    const char *pw, *pw2, *session, *name, *csrf;
    assert_int_equal(op_add(&c, "op1", &pw), 0);
    assert_int_equal(strlen(pw), 24);
    assert_int_equal(op_add(&c, "op1", &pw2), -E_EXISTS);
    assert_int_equal(op_add(&c, "bad name", &pw2), -E_INVALID);
    assert_int_equal(op_login(&c, "op1", "wrong", &session), -E_PASSWORD);
    assert_int_equal(op_login(&c, "nobody", "wrong", &session), -E_PASSWORD);
    assert_int_equal(op_login(&c, "op1", pw, &session), 0);
    assert_int_equal(op_session(&c, session, &name), 0);
    assert_string_equal(name, "op1");
    assert_int_equal(op_csrf(&c, session, &csrf), 0);
    assert_int_equal(strlen(csrf), 64);
    assert_int_equal(op_csrf_check(&c, session, csrf), 0);
    assert_int_equal(op_csrf_check(&c, session, NULL), -E_FORBIDDEN);
    assert_int_equal(op_csrf_check(&c, "another", csrf), -E_FORBIDDEN);
    assert_int_equal(op_session(&c, "", &name), -E_AUTH_MISSING);
    assert_int_equal(op_session(&c, "unknown", &name), -E_AUTH_INVALID);
    /* Idle past console.idle_timeout: ended, and gone. */
    int64_t now = c.now;
    c.now += cfg_int(CFG_console_idle_timeout) * 1000;
    assert_int_equal(op_session(&c, session, &name), -E_AUTH_EXPIRED);
    c.now = now;
    assert_int_equal(op_session(&c, session, &name), -E_AUTH_INVALID);
    /* A reset ends the sessions; the old password no longer signs in. */
    assert_int_equal(op_login(&c, "op1", pw, &session), 0);
    assert_int_equal(op_reset(&c, "op1", &pw2), 0);
    assert_string_not_equal(pw, pw2);
    assert_int_equal(op_session(&c, session, &name), -E_AUTH_INVALID);
    assert_int_equal(op_login(&c, "op1", pw, &session), -E_PASSWORD);
    assert_int_equal(op_login(&c, "op1", pw2, &session), 0);
    assert_int_equal(op_remove(&c, "op1"), 0);
    assert_int_equal(op_session(&c, session, &name), -E_AUTH_INVALID);
    assert_int_equal(op_remove(&c, "op1"), -E_NOT_FOUND);
    assert_int_equal(op_reset(&c, "op1", &pw2), -E_NOT_FOUND);
}

static void test_activity(void **state)
{
    (void)state;
    int64_t days[ACTIVITY_DAYS], hours[ACTIVITY_HOURS], before_days[ACTIVITY_DAYS];
    assert_int_equal(activity_signups(&c, before_days), 0);
    add("new today", NULL);
    assert_int_equal(activity_signups(&c, days), 0);
    assert_int_equal(days[ACTIVITY_DAYS - 1], before_days[ACTIVITY_DAYS - 1] + 1);
    assert_int_equal(days[0], 0);
    for (int i = 0; i < 3; i++)
        activity_sign_in(&c);
    int64_t now = c.now;
    c.now -= 2 * ACTIVITY_HOUR_MS; /* two hours ago */
    activity_sign_in(&c);
    c.now -= ACTIVITY_HOURS * ACTIVITY_HOUR_MS; /* out of the window */
    activity_sign_in(&c);
    c.now = now;
    assert_int_equal(activity_sign_ins(&c, hours), 0);
    assert_int_equal(hours[ACTIVITY_HOURS - 1], 3);
    assert_int_equal(hours[ACTIVITY_HOURS - 3], 1);
    int64_t total = 0;
    for (int i = 0; i < ACTIVITY_HOURS; i++)
        total += hours[i];
    assert_int_equal(total, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),     cmocka_unit_test(test_nick_prefix), cmocka_unit_test(test_by_ids),
        cmocka_unit_test(test_audit),     cmocka_unit_test(test_operators),   cmocka_unit_test(test_activity),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
