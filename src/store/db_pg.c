/* PostgreSQL back end: not built yet (issue 6); opening reports it. */
#include "base/log.h"
#include "store/db_impl.h"

static int pg_open(const char *url, db_t **out)
{
    (void)url;
    *out = NULL;
    log_error("store: the PostgreSQL back end is not available in this build");
    return -E_INVALID;
}

const struct db_ops db_pg_ops = {.open = pg_open};
