#include "core/audit.h"

#include <string.h>

#include "base/log.h"
#include "store/store.h"

/* At most AUDIT_TEXT_MAX bytes, cut at a character boundary. */
static const char *bounded(struct ctx *c, const char *s)
{
    if (!s)
        return "";
    size_t n = strlen(s);
    if (n <= AUDIT_TEXT_MAX)
        return s;
    n = AUDIT_TEXT_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return arena_strndup(c->a, s, n);
}

int audit_add(struct ctx *c, const char *op, const char *action, const char *app_id, const char *target,
              const char *detail)
{
    struct audit_entry e = {
        .at = c->now,
        .operator_name = bounded(c, op),
        .action = bounded(c, action),
        .app_id = bounded(c, app_id),
        .target = bounded(c, target),
        .address = bounded(c, c->ip),
        .detail = bounded(c, detail),
    };
    int rc = store_audit_insert(c->db, &e);
    if (rc)
        log_error("audit: cannot record %s by %s on %s %s: %s", e.action, e.operator_name, e.app_id, e.target,
                  err_str(rc));
    return rc;
}

int audit_page(struct ctx *c, const char *op, const char *action, const char *app_id, int64_t before_id,
               int limit, struct audit_entry *out, int *n)
{
    if (limit < 1 || limit > AUDIT_PAGE_MAX || before_id < 0)
        return -E_INVALID;
    return store_audit_page(c->db, c->a, op ? op : "", action ? action : "", app_id ? app_id : "", before_id,
                            limit, out, n);
}
