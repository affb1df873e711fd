/* Store: IM user settings. */
#include "store/store.h"

int store_settings_insert(db_t *db, int64_t account_id, int64_t now)
{
    int rc = db_exec(db, Q_SETTINGS_INSERT, "ii", account_id, now);
    return rc < 0 ? rc : 0;
}

int store_settings_get(db_t *db, struct arena *a, int64_t account_id, struct user_settings *o)
{
    int rc = db_first(db, db_query(db, Q_SETTINGS_GET, "i", account_id), -E_NOT_FOUND);
    if (rc)
        return rc;
    int c = 0;
    o->account_id = db_int(db, c++);
    o->auth_mode = (int)db_int(db, c++);
    o->auth_question = arena_strdup(a, db_text(db, c++));
    o->auth_answer = arena_strdup(a, db_text(db, c++));
    o->auto_download = (int)db_int(db, c++);
    o->group_confirm = (int)db_int(db, c++);
    o->no_push = (int)db_int(db, c++);
    o->no_push_detail = (int)db_int(db, c++);
    o->no_push_start_hour = (int)db_int(db, c++);
    o->no_push_end_hour = (int)db_int(db, c++);
    o->no_sounds = (int)db_int(db, c++);
    o->push_nick_name = arena_strdup(a, db_text(db, c++));
    o->push_token = arena_strdup(a, db_text(db, c++));
    o->silence_start_time = (int)db_int(db, c++);
    o->silence_end_time = (int)db_int(db, c++);
    o->vibratory = (int)db_int(db, c++);
    o->alias = arena_strdup(a, db_text(db, c++));
    o->badge = (int)db_int(db, c++);
    db_end(db);
    return 0;
}
