#ifndef USERD_BACKUP_H
#define USERD_BACKUP_H

/*
 * `userd backup FILE` (docs/operations.md, "Backups"): a consistent copy of
 * a SQLite store while userd serves it. PostgreSQL has its own tools
 * (pg_dump), which know its roles, extensions and versions better.
 */
#include <stdint.h>

#include "core/ctx.h"

struct backup_info {
    int64_t pages, bytes;   /* the copy's size */
    int64_t apps, accounts; /* what it holds, read back from it */
};

/** NULL for a SQLite store; else the message refusing to back it up, saying what to use instead. */
const char *backup_refusal(void);

/**
 * Copies the store to path (atomically: written beside it, renamed at the
 * end; mode 0600, it holds password hashes). -E_NOT_CONFIGURED for
 * PostgreSQL; otherwise a store error, and path is as it was.
 */
int backup_store(struct ctx *c, const char *path, struct backup_info *out) USERD_MUST_CHECK;

#endif
