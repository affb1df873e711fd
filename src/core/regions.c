#include "core/regions.h"

#include <string.h>

static const struct region regions[] = {
#include "core/regions.inc"
};

#define NREGIONS (sizeof regions / sizeof regions[0])

size_t regions_count(void)
{
    return NREGIONS;
}

const struct region *regions_get(size_t i)
{
    return i < NREGIONS ? &regions[i] : NULL;
}

int regions_known(const char *code)
{
    if (code == NULL || code[0] == '\0')
        return 0;
    /* 218 short strings: a linear scan is cheaper than keeping an index. */
    for (size_t i = 0; i < NREGIONS; i++) {
        if (strcmp(regions[i].region, code) == 0)
            return 1;
    }
    return 0;
}
