#include "phone.h"

#include <stddef.h>
#include <string.h>

#include "core/regions.h"

/* E.164: a full number, calling code included, has at most 15 digits. */
#define E164_MAX 15
#define NATIONAL_MIN 4

/*
 * National significant number lengths of well-known regions (ITU-T national
 * numbering plans), and the digits such a number may start with. Lengths are
 * the ones a mobile that can receive the SMS code has, widened where the
 * landline plan is longer or shorter (44, 81, 49). None of these numbers
 * starts with 0: that is a trunk prefix the user must leave out.
 */
static const struct national {
    const char *region;
    unsigned char min, max;
    const char *lead;
} nationals[] = {
    {"1", 10, 10, "23456789"}, /* NANP: NPA starts 2-9 */
    {"7", 10, 10, "123456789"}, /* Russia, Kazakhstan */
    {"44", 9, 10, "123456789"}, /* United Kingdom; mobiles 7xxxxxxxxx */
    {"49", 6, 13, "123456789"}, /* Germany: open plan */
    {"81", 9, 10, "123456789"}, /* Japan; mobiles 10 */
    {"91", 10, 10, "123456789"}, /* India */
    {"852", 8, 8, "123456789"}, /* Hong Kong: closed plan, no trunk prefix */
    {"886", 9, 9, "123456789"}, /* Taiwan: mobiles 9xxxxxxxx */
};

/*
 * The length of s if it is 1..max ASCII digits, else 0. Reads at most max+1
 * bytes, so a huge or unterminated-looking input costs nothing.
 */
static size_t digits_len(const char *s, size_t max)
{
    size_t n = 0;

    while (s[n] != '\0') {
        if (n == max || s[n] < '0' || s[n] > '9')
            return 0;
        n++;
    }
    return n;
}

static int valid_cn(const char *phone, size_t len)
{
    return len == 11 && phone[0] == '1' && phone[1] >= '3' && phone[1] <= '9';
}

int phone_validate(const char *region, const char *phone)
{
    size_t rlen, plen;

    if (region == NULL || phone == NULL)
        return -E_INVALID;
    rlen = digits_len(region, 4);
    if (rlen == 0 || region[0] == '0' || !regions_known(region))
        return -E_INVALID;
    plen = digits_len(phone, E164_MAX - rlen);
    if (plen == 0)
        return -E_INVALID;

    if (strcmp(region, "86") == 0)
        return valid_cn(phone, plen) ? 0 : -E_INVALID;

    for (size_t i = 0; i < sizeof nationals / sizeof nationals[0]; i++) {
        const struct national *n = &nationals[i];

        if (strcmp(region, n->region) != 0)
            continue;
        if (plen < n->min || plen > n->max || strchr(n->lead, phone[0]) == NULL)
            return -E_INVALID;
        return 0;
    }
    return plen >= NATIONAL_MIN ? 0 : -E_INVALID;
}
