/* Backups of the store (core/backup.h). */
#include "core/backup.h"

#include <string.h>

#include "base/config.h"
#include "store/store.h"

const char *backup_refusal(void)
{
    if (!strncmp(cfg_str(CFG_store_url), "sqlite:", 7))
        return NULL;
    return "`userd backup` copies a SQLite store; this store is PostgreSQL: back it up with pg_dump, e.g.\n"
           "  pg_dump --format=custom --file=userd.dump \"$USERD_STORE_URL\"\n"
           "and restore with pg_restore (docs/operations.md, \"Backups\")";
}

int backup_store(struct ctx *c, const char *path, struct backup_info *out)
{
    struct store_backup_info i;
    int rc = store_backup(c->db, path, &i);
    if (!rc)
        *out = (struct backup_info){i.pages, i.bytes, i.apps, i.accounts};
    return rc;
}
