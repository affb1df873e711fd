#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/phone.h"

struct vector {
    const char *region, *phone;
    int rc;
};

static const struct vector vectors[] = {
    /* 86, mainland China: ^1[3-9][0-9]{9}$ */
    {"86", "13912345678", 0},
    {"86", "13000000000", 0},
    {"86", "19999999999", 0},
    {"86", "15012345678", 0},
    {"86", "12912345678", -E_INVALID}, /* second digit 2 */
    {"86", "11912345678", -E_INVALID},
    {"86", "10912345678", -E_INVALID},
    {"86", "23912345678", -E_INVALID}, /* not a mobile */
    {"86", "03912345678", -E_INVALID},
    {"86", "1391234567", -E_INVALID},   /* 10 digits */
    {"86", "139123456789", -E_INVALID}, /* 12 digits */
    {"86", "1391234567a", -E_INVALID},
    {"86", "139 1234 5678", -E_INVALID},
    {"86", "139-1234-5678", -E_INVALID},
    {"86", "+8613912345678", -E_INVALID},
    {"86", "8613912345678", -E_INVALID},
    {"86", " 13912345678", -E_INVALID},
    {"86", "13912345678 ", -E_INVALID},
    {"86", "", -E_INVALID},
    {"86", "1", -E_INVALID},
    {"86", "\xef\xbc\x91""3912345678", -E_INVALID}, /* fullwidth 1 */

    /* 1, NANP: 10 digits, NPA 2-9 */
    {"1", "4155552671", 0},
    {"1", "2125550123", 0},
    {"1", "415555267", -E_INVALID},
    {"1", "14155552671", -E_INVALID}, /* trunk 1 kept */
    {"1", "0155552671", -E_INVALID},
    {"1", "1155552671", -E_INVALID},
    /* 1876 (Jamaica) is its own entry: the general rule applies */
    {"1876", "5551234", 0},
    {"1876", "123", -E_INVALID},

    /* 7, Russia / Kazakhstan: 10 digits */
    {"7", "9123456789", 0},
    {"7", "7012345678", 0},
    {"7", "912345678", -E_INVALID},
    {"7", "89123456789", -E_INVALID}, /* trunk 8 kept: 11 digits */

    /* 44, United Kingdom: 9-10 digits, no trunk 0 */
    {"44", "7700900123", 0},
    {"44", "201234567", 0},
    {"44", "07700900123", -E_INVALID},
    {"44", "0770090012", -E_INVALID},
    {"44", "77009001", -E_INVALID},
    {"44", "77009001234", -E_INVALID},

    /* 81, Japan: 9-10 digits */
    {"81", "9012345678", 0},
    {"81", "312345678", 0},
    {"81", "09012345678", -E_INVALID},
    {"81", "90123456789", -E_INVALID},

    /* 852, Hong Kong: 8 digits */
    {"852", "51234567", 0},
    {"852", "5123456", -E_INVALID},
    {"852", "512345678", -E_INVALID},
    {"852", "01234567", -E_INVALID},

    /* 886, Taiwan: 9 digits */
    {"886", "912345678", 0},
    {"886", "0912345678", -E_INVALID},
    {"886", "91234567", -E_INVALID},

    /* 91, India: 10 digits */
    {"91", "9876543210", 0},
    {"91", "987654321", -E_INVALID},
    {"91", "09876543210", -E_INVALID},

    /* 49, Germany: 6-13 digits */
    {"49", "15123456789", 0},
    {"49", "301234", 0},
    {"49", "1512345678901", 0},
    {"49", "30123", -E_INVALID},
    {"49", "15123456789012", -E_INVALID},
    {"49", "015123456789", -E_INVALID},

    /* Others, E.164: >= 4 digits, region + phone <= 15 digits */
    {"33", "612345678", 0},
    {"33", "1234", 0},
    {"33", "123", -E_INVALID},
    {"33", "1234567890123", 0},   /* 2 + 13 = 15 */
    {"33", "12345678901234", -E_INVALID}, /* 16 */
    {"971", "501234567", 0},
    {"971", "123456789012", 0},   /* 3 + 12 = 15 */
    {"971", "1234567890123", -E_INVALID},
    {"39", "0612345678", 0},      /* Italy keeps its leading 0 */
    {"33", "61234567x", -E_INVALID},
    {"33", "", -E_INVALID},
    {"33", "1234567890123456789012345678901234567890", -E_INVALID},

    /* Region */
    {"", "13912345678", -E_INVALID},
    {"086", "13912345678", -E_INVALID},  /* leading zero */
    {"0", "13912345678", -E_INVALID},
    {"+86", "13912345678", -E_INVALID},
    {"86 ", "13912345678", -E_INVALID},
    {"8a", "13912345678", -E_INVALID},
    {"999", "123456789", -E_INVALID},    /* unassigned */
    {"8", "123456789", -E_INVALID},      /* not in the list */
    {"12345", "123456789", -E_INVALID},  /* too long */
    {"18760", "5551234", -E_INVALID},
};

static void test_vectors(void **state)
{
    int failed = 0;

    (void)state;
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const struct vector *v = &vectors[i];
        int rc = phone_validate(v->region, v->phone);

        if (rc != v->rc) {
            print_error("phone_validate(\"%s\", \"%s\") = %d, want %d\n", v->region,
                        v->phone, rc, v->rc);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

static void test_null(void **state)
{
    (void)state;
    assert_int_equal(phone_validate(NULL, "13912345678"), -E_INVALID);
    assert_int_equal(phone_validate("86", NULL), -E_INVALID);
    assert_int_equal(phone_validate(NULL, NULL), -E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_null),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
