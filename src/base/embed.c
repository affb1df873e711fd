/* Looking up files built into the binary (base/embed.h). */
#include "base/embed.h"

#include <string.h>

const struct embed *embed_find(const struct embed *t, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].name, name))
            return &t[i];
    return NULL;
}
