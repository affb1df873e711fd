#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/regions.h"

static void test_count(void **state)
{
    (void)state;
    assert_int_equal(regions_count(), 218);
    assert_non_null(regions_get(217));
    assert_null(regions_get(218));
    assert_null(regions_get((size_t)-1));
}

static void test_order_and_duplicates(void **state)
{
    const struct region *r0 = regions_get(0), *r1 = regions_get(1);

    (void)state;
    assert_string_equal(r0->region, "1");
    assert_string_equal(r0->en, "Canada");
    assert_string_equal(r0->zh, "加拿大");
    assert_string_equal(r1->region, "1");
    assert_string_equal(r1->en, "United States");
    assert_string_equal(regions_get(217)->region, "1876");
    assert_string_equal(regions_get(217)->en, "Jamaica");
}

static void test_contains_china(void **state)
{
    int found = 0;

    (void)state;
    for (size_t i = 0; i < regions_count(); i++) {
        const struct region *r = regions_get(i);

        if (strcmp(r->region, "86") == 0) {
            assert_string_equal(r->en, "China");
            assert_string_equal(r->zh, "中国");
            found++;
        }
    }
    assert_int_equal(found, 1);
}

/* Every row: a 1-4 digit code without leading zero, non-empty names. */
static void test_well_formed(void **state)
{
    (void)state;
    for (size_t i = 0; i < regions_count(); i++) {
        const struct region *r = regions_get(i);
        size_t n = strlen(r->region);

        assert_true(n >= 1 && n <= 4);
        assert_true(r->region[0] != '0');
        assert_int_equal(strspn(r->region, "0123456789"), n);
        assert_true(r->en[0] != '\0');
        assert_true(r->zh[0] != '\0');
        assert_true(regions_known(r->region));
    }
}

static void test_known(void **state)
{
    static const struct {
        const char *code;
        int known;
    } v[] = {
        {"86", 1}, {"1", 1}, {"7", 1}, {"852", 1}, {"1876", 1},
        {"999", 0}, {"0", 0}, {"086", 0}, {"+86", 0}, {"86 ", 0},
        {" 86", 0}, {"8", 0}, {"", 0}, {"18760", 0},
    };

    (void)state;
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        if (regions_known(v[i].code) != v[i].known)
            fail_msg("regions_known(\"%s\") != %d", v[i].code, v[i].known);
    }
    assert_int_equal(regions_known(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_order_and_duplicates),
        cmocka_unit_test(test_contains_china),
        cmocka_unit_test(test_well_formed),
        cmocka_unit_test(test_known),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
