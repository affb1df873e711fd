#ifndef USERD_PHONE_H
#define USERD_PHONE_H

#include "base/errors.h"

/*
 * Phone numbers as the app face receives them: a calling code ("86") and a
 * national number ("13912345678"), both as decimal strings (the face turns
 * JSON numbers into strings before calling).
 */

/**
 * Checks a (region, phone) pair. Pure: reads its arguments only.
 *
 * region: 1-4 ASCII digits, no leading zero, one of the calling codes of the
 *         region list (regions_known(), core/regions.h). No '+'.
 * phone:  ASCII digits only, the national significant number without trunk
 *         prefix or separators, and
 *         - region 86 (mainland China): ^1[3-9][0-9]{9}$;
 *         - regions 1, 7, 44, 49, 81, 91, 852, 886: that country's national
 *           length and no leading 0 (for 1 the first digit is 2-9);
 *         - any other region, E.164: at least 4 digits and
 *           strlen(region) + strlen(phone) <= 15.
 *
 * Returns 0 if valid, -E_INVALID otherwise (including NULL or empty input).
 */
USERD_MUST_CHECK int phone_validate(const char *region, const char *phone);

#endif
