#ifndef USERD_REGIONS_H
#define USERD_REGIONS_H

#include <stddef.h>

/*
 * The region list: the calling codes a phone may have (core/phone.c) and
 * what GET /user/regionlist of the app face shows. The real SealTalk
 * server's 218 ITU calling codes with English and Chinese names, in its
 * order, with its duplicates (e.g. "1" for Canada and for the United States).
 *
 * The data is compiled in from src/core/regions.inc, which
 * scripts/gen_regions.py generates from the spec's data/regions.json.
 * Everything here is static and read-only, so safe from any thread.
 */
struct region {
    const char *region; /* calling code, 1-4 digits, no leading zero: "86" */
    const char *en;     /* English name, UTF-8 */
    const char *zh;     /* Chinese name, UTF-8 */
};

/** The number of entries (218 for the current list). */
size_t regions_count(void);

/**
 * Entry i, 0 <= i < regions_count(), in the list's order; NULL when i is out
 * of range. The entry and its strings are static: never free them.
 */
const struct region *regions_get(size_t i);

/**
 * 1 if code is exactly one of the listed calling codes ("86", "1"), else 0.
 * NULL, "", "+86", "086" and "86 " are all 0.
 */
int regions_known(const char *code);

#endif
