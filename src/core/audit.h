#ifndef USERD_AUDIT_H
#define USERD_AUDIT_H

#include "core/ctx.h"
#include "core/types.h"

/*
 * The audit log (issue 15): every operator action, who did it, to what,
 * when and from which address (c->ip), kept in the store. Append-only:
 * there is no function that changes or deletes an entry.
 */
#define AUDIT_PAGE_MAX 100
#define AUDIT_TEXT_MAX 256 /* bytes of each text field; longer text is cut */

/**
 * Appends an entry at c->now from c->ip. app_id, target and detail may be
 * NULL (""). A failure is logged as well as returned: the action it
 * records has already happened.
 */
int audit_add(struct ctx *c, const char *op, const char *action, const char *app_id, const char *target,
              const char *detail) USERD_MUST_CHECK;

/**
 * Up to limit (1-AUDIT_PAGE_MAX) entries, newest first, with ids below
 * before_id (0: from the newest); NULL or "" in op, action, app_id matches
 * every one.
 */
int audit_page(struct ctx *c, const char *op, const char *action, const char *app_id, int64_t before_id,
               int limit, struct audit_entry *out, int *n) USERD_MUST_CHECK;

#endif
