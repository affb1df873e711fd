/*
 * A consistent copy of a SQLite store while it serves (`userd backup FILE`,
 * docs/operations.md "Backups"): written to a file beside FILE, checked by
 * reading it back, and renamed over FILE only when whole.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/file.h"
#include "store/store.h"

/* What the copy holds, read from the copy itself. */
static int count_copy(const char *tmp, struct store_backup_info *out)
{
    size_t n = strlen(tmp) + sizeof("sqlite:");
    char *url = xmalloc(n);
    snprintf(url, n, "sqlite:%s", tmp);
    db_t *copy;
    int rc = db_open(url, &copy);
    free(url);
    if (rc)
        return rc;
    rc = store_app_count(copy, &out->apps);
    if (!rc)
        rc = db_first_int(copy, db_query(copy, Q_ACCT_COUNT, ""), -E_INTERNAL, &out->accounts);
    db_close(copy);
    return rc;
}

int store_backup(db_t *db, const char *path, struct store_backup_info *out)
{
    memset(out, 0, sizeof(*out));
    if (db_kind(db) != DB_SQLITE)
        return -E_NOT_CONFIGURED;
    char *tmp;
    int fd = file_temp_beside(path, &tmp);
    if (fd < 0)
        return fd;
    close(fd);
    int64_t pages = 0, page_size = 0;
    int rc = db_backup(db, tmp, &pages, &page_size);
    if (!rc)
        rc = count_copy(tmp, out);
    if (rc) {
        file_abandon(tmp, -1);
        return rc;
    }
    out->pages = pages;
    out->bytes = pages * page_size;
    return file_commit(tmp, path, -1);
}
