#include "core/devices.h"

#include <string.h>

#include "core/text.h"
#include "store/store.h"

int dev_check_notifier(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > NOTIFIER_NAME_MAX)
        return -E_INVALID;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '.' || *s == '-'))
            return -E_INVALID;
    return 0;
}

int dev_check_push_token(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n < 1 || n > max || !text_is_visible_ascii(s, n) ? -E_INVALID : 0;
}

struct list_args {
    struct ctx *c;
    int64_t account_id, after;
    int limit;
    struct device_page *out;
};

/* The page and the version in one snapshot: the version is that of the devices listed. */
static int list_read(db_t *db, void *p)
{
    struct list_args *x = p;
    int rc = store_device_page(db, x->c->a, x->account_id, x->after, x->limit, x->out->items, &x->out->n);
    return rc ? rc : store_device_newest(db, x->account_id, &x->out->version);
}

int dev_list(struct ctx *c, int64_t account_id, int64_t after, int limit, struct device_page *out)
{
    if (limit < 1 || limit > DEVICE_PAGE_MAX || after < 0)
        return -E_INVALID;
    memset(out, 0, sizeof(*out));
    /* One more than asked: tells whether there is a next page. */
    out->items = arena_alloc(c->a, (size_t)(limit + 1) * sizeof(*out->items));
    struct list_args x = {c, account_id, after, limit + 1, out};
    int rc = store_read(c->db, list_read, &x);
    if (rc)
        return rc;
    if (out->n > limit) {
        out->n = limit;
        out->next_after = out->items[limit - 1].device_sn;
    }
    return 0;
}

struct dev_args {
    int64_t account_id, device_sn;
};

static int remove_tx(db_t *db, void *p)
{
    struct dev_args *x = p;
    int rc = store_token_delete_device(db, x->account_id, x->device_sn);
    return rc ? rc : store_device_delete(db, x->account_id, x->device_sn);
}

int dev_remove(struct ctx *c, int64_t account_id, int64_t device_sn)
{
    struct dev_args x = {account_id, device_sn};
    return store_tx(c->db, remove_tx, &x);
}

static int kick_tx(db_t *db, void *p)
{
    struct dev_args *x = p;
    int rc = store_device_exists(db, x->account_id, x->device_sn);
    return rc ? rc : store_token_delete_device(db, x->account_id, x->device_sn);
}

int dev_kick(struct ctx *c, int64_t account_id, int64_t device_sn)
{
    if (!device_sn)
        return store_token_delete_account(c->db, account_id);
    struct dev_args x = {account_id, device_sn};
    return store_tx(c->db, kick_tx, &x);
}

int dev_bind_push(struct ctx *c, int64_t account_id, int64_t device_sn, const char *device_token,
                  const char *notifier_name)
{
    int unbind = !*device_token && !*notifier_name;
    if (!unbind && (dev_check_push_token(device_token, DEVICE_TOKEN_MAX) || dev_check_notifier(notifier_name)))
        return -E_INVALID;
    return store_device_set_push(c->db, account_id, device_sn, device_token, notifier_name, c->now);
}
