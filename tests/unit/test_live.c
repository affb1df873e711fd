/* Unit tests of the live users' field rules and IM username mapping (core/live.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "core/live.h"

struct id_vector {
    const char *id;
    int rc;
};

static const struct id_vector ids[] = {
    {"user_1", 0},
    {"user-1", 0},
    {"a.b@c.d", 0},
    {"0", 0},
    {"_", 0},
    {"...", 0},
    {".x", 0},
    {"1234567890123456789012345678901234567890123456789012345678901234", 0}, /* 64 */
    {"12345678901234567890123456789012345678901234567890123456789012345", -E_INVALID}, /* 65 */
    {"", -E_INVALID},
    {".", -E_INVALID},
    {"..", -E_INVALID},
    {"a b", -E_INVALID},
    {"a/b", -E_INVALID},
    {"a?b", -E_INVALID},
    {"a%20b", -E_INVALID},
    {"a+b", -E_INVALID},
    {"a:b", -E_INVALID},
    {"tab\t", -E_INVALID},
    {"\xc3\xbc", -E_INVALID}, /* ü */
};

static void test_user_ids(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
        if (live_check_user_id(ids[i].id) != ids[i].rc)
            fail_msg("live_check_user_id(\"%s\") != %d", ids[i].id, ids[i].rc);
    }
}

static int ext_rc(const char *json)
{
    json_t *o = json_loads(json, JSON_DECODE_ANY, NULL);
    const char *why = NULL;
    assert_non_null(o);
    int rc = live_check_extends(o, &why);
    if (rc)
        assert_non_null(why);
    json_decref(o);
    return rc;
}

static void test_extends(void **state)
{
    (void)state;
    assert_int_equal(ext_rc("{}"), 0);
    assert_int_equal(ext_rc("{\"age\":\"18\",\"k\":\"\"}"), 0);
    assert_int_equal(ext_rc("[]"), -E_INVALID);
    assert_int_equal(ext_rc("\"s\""), -E_INVALID);
    assert_int_equal(ext_rc("{\"age\":18}"), -E_INVALID);
    assert_int_equal(ext_rc("{\"age\":null}"), -E_INVALID);
    assert_int_equal(ext_rc("{\"a\":{\"b\":\"c\"}}"), -E_INVALID);
    assert_int_equal(ext_rc("{\"\":\"x\"}"), -E_INVALID);
    assert_int_equal(ext_rc("{\"a\\nb\":\"x\"}"), -E_INVALID);

    json_t *o = json_object();
    char key[LIVE_EXT_KEY_MAX + 2];
    const char *why;
    memset(key, 'k', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0'; /* 65 bytes */
    json_object_set_new(o, key, json_string("v"));
    assert_int_equal(live_check_extends(o, &why), -E_INVALID);
    json_object_clear(o);
    key[LIVE_EXT_KEY_MAX] = '\0'; /* 64 bytes */
    json_object_set_new(o, key, json_string("v"));
    assert_int_equal(live_check_extends(o, &why), 0);

    char value[LIVE_EXT_VALUE_MAX + 2];
    memset(value, 'v', sizeof(value) - 1);
    value[sizeof(value) - 1] = '\0'; /* 1025 bytes */
    json_object_set_new(o, "long", json_string(value));
    assert_int_equal(live_check_extends(o, &why), -E_INVALID);
    value[LIVE_EXT_VALUE_MAX] = '\0';
    json_object_set_new(o, "long", json_string(value));
    assert_int_equal(live_check_extends(o, &why), 0);

    json_object_clear(o);
    for (int i = 0; i < LIVE_EXT_KEYS_MAX; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%d", i);
        json_object_set_new(o, k, json_string("v"));
    }
    assert_int_equal(live_check_extends(o, &why), 0);
    json_object_set_new(o, "one_more", json_string("v"));
    assert_int_equal(live_check_extends(o, &why), -E_INVALID);

    /* Every value within its limit, the whole map over LIVE_EXT_TEXT_MAX. */
    json_object_clear(o);
    value[1000] = '\0';
    for (int i = 0; i < 9; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%d", i);
        json_object_set_new(o, k, json_string(value));
    }
    assert_int_equal(live_check_extends(o, &why), -E_INVALID);
    json_decref(o);
}

static void test_im_usernames(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(live_im_username(a, "user_1"), "qluser_1");
    assert_string_equal(live_im_username(a, "123"), "ql123");
    const char *dash = live_im_username(a, "user-1"), *dot = live_im_username(a, "user.1");
    assert_int_equal(strlen(dash), strlen("qluser_1_") + LIVE_IM_HASH_HEX);
    assert_memory_equal(dash, "qluser_1_", 9);
    assert_memory_equal(dot, "qluser_1_", 9);
    assert_string_not_equal(dash, dot);
    assert_string_equal(live_im_username(a, "user-1"), dash); /* deterministic */
    const char *at = live_im_username(a, "a@b");
    assert_memory_equal(at, "qla_b_", 6);
    /* The longest id still makes a valid IM username. */
    char id[LIVE_UID_MAX + 1];
    memset(id, '-', LIVE_UID_MAX);
    id[LIVE_UID_MAX] = '\0';
    const char *longest = live_im_username(a, id);
    assert_true(strlen(longest) <= USERNAME_MAX);
    assert_int_equal(acct_check_username(longest), 0);
    for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++)
        if (!ids[i].rc)
            assert_int_equal(acct_check_username(live_im_username(a, ids[i].id)), 0);
    arena_free(a);
}

static struct qiniu_req req_with(const char *ct)
{
    struct qiniu_req r = {.method = "POST", .method_len = 4, .path = "/p", .path_len = 2, .body = "{}", .body_len = 2};
    if (ct) {
        r.content_type = ct;
        r.content_type_len = strlen(ct);
        r.has_content_type = 1;
    }
    return r;
}

static void test_body_signed(void **state)
{
    (void)state;
    struct qiniu_req none = req_with(NULL), empty = req_with(""), json = req_with("application/json"),
                     octet = req_with("application/octet-stream"),
                     form = req_with("application/x-www-form-urlencoded");
    assert_int_equal(qiniu_body_signed(&json, QINIU_V2), 1);
    assert_int_equal(qiniu_body_signed(&form, QINIU_V2), 1);
    assert_int_equal(qiniu_body_signed(&none, QINIU_V2), 0);
    assert_int_equal(qiniu_body_signed(&empty, QINIU_V2), 0);
    assert_int_equal(qiniu_body_signed(&octet, QINIU_V2), 0);
    assert_int_equal(qiniu_body_signed(&form, QINIU_QBOX), 1);
    assert_int_equal(qiniu_body_signed(&json, QINIU_QBOX), 0);
    assert_int_equal(qiniu_body_signed(&none, QINIU_QBOX), 0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_ids),
        cmocka_unit_test(test_extends),
        cmocka_unit_test(test_im_usernames),
        cmocka_unit_test(test_body_signed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
