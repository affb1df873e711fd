#include "core/admin.h"

#include <string.h>

#include "core/accounts.h"
#include "core/apps.h"
#include "core/text.h"
#include "store/store.h"

int adm_by_name(const char *s, enum adm_by *out)
{
    static const char *const names[] = {
        [ADM_BY_ID] = "id",         [ADM_BY_USERNAME] = "username", [ADM_BY_NICK] = "nick",
        [ADM_BY_MOBILE] = "mobile", [ADM_BY_LIVE] = "live",         [ADM_BY_APPFACE] = "appface",
        [ADM_BY_ALL] = "all",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
        if (!strcmp(s, names[i])) {
            *out = (enum adm_by)i;
            return 0;
        }
    return -E_INVALID;
}

/* The account id a value names (ADM_BY_ID, ADM_BY_APPFACE), or -E_NOT_FOUND when it names none. */
static int id_of(struct ctx *c, enum adm_by by, const char *value, int64_t *id)
{
    if (by == ADM_BY_ID)
        return text_to_int(value, id) || *id < 1 ? -E_NOT_FOUND : 0;
    unsigned char key[32];
    int rc = appid_key(c, key);
    if (!rc)
        rc = appid_decode(key, APPID_USER, value, id) ? -E_NOT_FOUND : 0;
    return rc;
}

/* One account or none: by id, app-face id or username. */
static int search_one(struct ctx *c, const char *app_id, enum adm_by by, const char *value, struct account *out,
                      int *n)
{
    int64_t id;
    int rc = by == ADM_BY_USERNAME ? store_acct_by_username(c->db, c->a, app_id, value, out)
                                   : id_of(c, by, value, &id);
    if (!rc && by != ADM_BY_USERNAME)
        rc = store_acct_by_id(c->db, c->a, app_id, id, out);
    if (rc == -E_NOT_FOUND)
        return 0;
    if (!rc)
        *n = 1;
    return rc;
}

/* The least string above every string that starts with prefix (but those that go on with U+10FFFF). */
static const char *prefix_end(struct ctx *c, const char *prefix)
{
    return arena_printf(c->a, "%s\xf4\x8f\xbf\xbf", prefix);
}

/* One more than a page: tells whether another follows. */
static int search(struct ctx *c, const char *app_id, enum adm_by by, const char *value, int64_t page, int size,
                  struct account *out, int *n)
{
    int64_t offset = (page - 1) * size;
    int limit = size + 1;
    switch (by) {
    case ADM_BY_ID:
    case ADM_BY_USERNAME:
    case ADM_BY_APPFACE:
        return page == 1 ? search_one(c, app_id, by, value, out, n) : 0;
    case ADM_BY_NICK:
        return store_acct_search(c->db, c->a, SEARCH_NICK_PREFIX, app_id, value, prefix_end(c, value), limit,
                                 offset, out, n);
    case ADM_BY_MOBILE:
        return store_acct_search(c->db, c->a, SEARCH_MOBILE, app_id, value, NULL, limit, offset, out, n);
    case ADM_BY_LIVE:
        return page == 1 ? store_acct_search(c->db, c->a, SEARCH_LIVE_UID, app_id, value, NULL, limit, 0, out, n)
                         : 0;
    case ADM_BY_ALL:
        return store_acct_search(c->db, c->a, SEARCH_ALL, app_id, NULL, NULL, limit, offset, out, n);
    }
    return -E_INVALID;
}

int adm_search(struct ctx *c, const char *app_id, enum adm_by by, const char *value, int64_t page, int size,
               struct account *out, int *n, int *more)
{
    struct app app;
    size_t len = value ? strlen(value) : 0;
    *n = *more = 0;
    if (size < 1 || size > ADM_PAGE_MAX || page < 1 || page > 1000000 || len > ADM_VALUE_MAX ||
        (by != ADM_BY_ALL && text_check(value, len, 1, ADM_VALUE_MAX, 0) != TEXT_OK))
        return -E_INVALID;
    int rc = app_get(c, app_id, &app);
    if (!rc)
        rc = search(c, app_id, by, value, page, size, out, n);
    if (!rc && *n > size) {
        *n = size;
        *more = 1;
    }
    return rc;
}

int adm_appface_id(struct ctx *c, int64_t id, char out[APPID_BUF])
{
    unsigned char key[32];
    int rc = appid_key(c, key);
    if (!rc)
        appid_encode(key, APPID_USER, id, out);
    return rc;
}

struct user_read {
    struct ctx *c;
    const char *app_id;
    int64_t id;
    struct adm_user *out;
};

static int user_read(db_t *db, void *p)
{
    struct user_read *x = p;
    int rc = store_acct_by_id(db, x->c->a, x->app_id, x->id, &x->out->acct);
    if (!rc)
        rc = store_acct_live_credentials(db, x->id, x->c->now, &x->out->tokens, &x->out->sessions);
    return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc;
}

int adm_user(struct ctx *c, const char *app_id, int64_t id, struct adm_user *out)
{
    memset(out, 0, sizeof(*out));
    struct user_read x = {c, app_id, id, out};
    int rc = store_read(c->db, user_read, &x);
    if (!rc)
        rc = adm_appface_id(c, id, out->appface_id);
    if (!rc)
        rc = dev_list(c, id, 0, ADM_DEVICES_MAX, &out->devices);
    return rc;
}

int adm_counts(struct ctx *c, void (*fn)(const struct app_counts *, void *), void *arg)
{
    return store_acct_counts(c->db, c->a, fn, arg);
}
