/* Store: push tags, and partial updates of the IM user settings. */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

int store_tag_add(db_t *db, int64_t account_id, const char *tag)
{
    int rc = db_exec(db, Q_TAG_ADD, "it", account_id, tag);
    return rc < 0 ? rc : 0;
}

int store_tag_remove(db_t *db, int64_t account_id, const char *tag)
{
    int rc = db_exec(db, Q_TAG_REMOVE, "it", account_id, tag);
    return rc < 0 ? rc : 0;
}

int store_tag_clear(db_t *db, int64_t account_id)
{
    int rc = db_exec(db, Q_TAG_CLEAR, "i", account_id);
    return rc < 0 ? rc : 0;
}

int store_tag_count(db_t *db, int64_t account_id, int64_t *n)
{
    return db_first_int(db, db_query(db, Q_TAG_COUNT, "i", account_id), -E_INTERNAL, n);
}

static int by_bytes(const void *x, const void *y) { return strcmp(*(char *const *)x, *(char *const *)y); }

int store_tag_list(db_t *db, struct arena *a, int64_t account_id, size_t max, const char **out, size_t *n)
{
    *n = 0;
    int rc = db_query(db, Q_TAG_LIST, "i", account_id);
    if (rc)
        return rc;
    while ((rc = db_row(db)) > 0)
        if (*n < max)
            out[(*n)++] = arena_strdup(a, db_text(db, 0));
    db_end(db);
    /* Sorted here, byte-wise: the two back ends' collations differ. */
    qsort(out, *n, sizeof(*out), by_bytes);
    return rc < 0 ? rc : 0;
}

int store_settings_patch(db_t *db, int64_t account_id, unsigned mask, const struct user_settings *v, int64_t now)
{
    int rc = db_exec(db, Q_SETTINGS_PATCH, "iIttIIIIIIIttIIItIii", (int64_t)mask, v->auth_mode,
                     v->auth_question ? v->auth_question : "", v->auth_answer ? v->auth_answer : "",
                     v->auto_download, v->group_confirm, v->no_push, v->no_push_detail,
                     v->no_push_start_hour, v->no_push_end_hour, v->no_sounds,
                     v->push_nick_name ? v->push_nick_name : "", v->push_token ? v->push_token : "",
                     v->silence_start_time, v->silence_end_time, v->vibratory, v->alias ? v->alias : "",
                     v->badge, now, account_id);
    return rc < 0 ? rc : rc == 0 ? -E_NOT_FOUND : 0;
}
