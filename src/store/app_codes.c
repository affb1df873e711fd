/* Store: SMS codes, verification tokens, picture codes and counters of the app face. */
#include "store/store.h"

int store_sms_code_get(db_t *db, struct arena *a, const char *app_id, const char *region, const char *phone,
                       struct sms_code *out)
{
    int rc = db_first(db, db_query(db, Q_SMS_CODE_GET, "ttt", app_id, region, phone), -E_NOT_FOUND);
    if (rc)
        return rc;
    out->code_hash = arena_strdup(a, db_text(db, 0));
    out->sent_at = db_int(db, 1);
    out->expires_at = db_int(db, 2);
    out->tries = (int)db_int(db, 3);
    db_end(db);
    return 0;
}

int store_sms_code_put(db_t *db, const char *app_id, const char *region, const char *phone, const struct sms_code *c,
                       int64_t resend_before)
{
    int rc = db_first(db,
                      db_query(db, Q_SMS_CODE_PUT, "ttttiii", app_id, region, phone, c->code_hash, c->sent_at,
                               c->expires_at, resend_before),
                      -E_TOO_SOON);
    if (!rc)
        db_end(db);
    return rc;
}

int store_sms_code_try(db_t *db, const char *app_id, const char *region, const char *phone, const char *code_hash)
{
    int rc = db_exec(db, Q_SMS_CODE_TRY, "tttt", app_id, region, phone, code_hash);
    return rc < 0 ? rc : 0;
}

int store_sms_code_delete(db_t *db, const char *app_id, const char *region, const char *phone, const char *code_hash)
{
    int rc = db_exec(db, Q_SMS_CODE_DELETE, "tttt", app_id, region, phone, code_hash);
    return rc < 0 ? rc : 0;
}

int store_verif_insert(db_t *db, const char *hash, const char *app_id, const char *region, const char *phone,
                       int64_t expires_at)
{
    int rc = db_exec(db, Q_VERIF_INSERT, "tttti", hash, app_id, region, phone, expires_at);
    return rc < 0 ? rc : 0;
}

/* The (region, phone) of a live verification token, by query: a look, or a look that uses it up. */
static int verif_read(db_t *db, struct arena *a, enum query_id q, const char *hash, const char *app_id,
                      int64_t now, const char **region, const char **phone)
{
    int rc = db_first(db, db_query(db, q, "tti", hash, app_id, now), -E_NOT_FOUND);
    if (rc)
        return rc;
    *region = arena_strdup(a, db_text(db, 0));
    *phone = arena_strdup(a, db_text(db, 1));
    db_end(db);
    return 0;
}

int store_verif_peek(db_t *db, struct arena *a, const char *hash, const char *app_id, int64_t now,
                     const char **region, const char **phone)
{
    return verif_read(db, a, Q_VERIF_PEEK, hash, app_id, now, region, phone);
}

int store_verif_take(db_t *db, struct arena *a, const char *hash, const char *app_id, int64_t now,
                     const char **region, const char **phone)
{
    return verif_read(db, a, Q_VERIF_TAKE, hash, app_id, now, region, phone);
}

int store_captcha_insert(db_t *db, const char *id, const char *app_id, const char *answer, int64_t expires_at)
{
    int rc = db_exec(db, Q_CAPTCHA_INSERT, "ttti", id, app_id, answer, expires_at);
    return rc < 0 ? rc : 0;
}

int store_captcha_get(db_t *db, struct arena *a, const char *id, const char *app_id, int64_t now, const char **answer)
{
    int rc = db_first(db, db_query(db, Q_CAPTCHA_GET, "tti", id, app_id, now), -E_NOT_FOUND);
    if (rc)
        return rc;
    *answer = arena_strdup(a, db_text(db, 0));
    db_end(db);
    return 0;
}

int store_captcha_take(db_t *db, struct arena *a, const char *id, const char *app_id, const char **answer,
                       int64_t *expires_at)
{
    int rc = db_first(db, db_query(db, Q_CAPTCHA_TAKE, "tt", id, app_id), -E_NOT_FOUND);
    if (rc)
        return rc;
    *answer = arena_strdup(a, db_text(db, 0));
    *expires_at = db_int(db, 1);
    db_end(db);
    return 0;
}

int store_counter_hit(db_t *db, const char *key, int64_t now, int64_t stale_before, int64_t restart_at,
                      int64_t *count)
{
    return db_first_int(db, db_query(db, Q_COUNTER_HIT, "tiii", key, now, stale_before, restart_at), -E_INTERNAL, count);
}

int store_counter_take(db_t *db, const char *key, int64_t now, int64_t stale_before, int64_t max, int *taken)
{
    int64_t count;
    int rc = db_first_int(db, db_query(db, Q_COUNTER_TAKE, "tiii", key, now, stale_before, max), -E_NOT_FOUND, &count);
    *taken = !rc;
    return rc == -E_NOT_FOUND ? 0 : rc;
}

int store_counter_delete(db_t *db, const char *key)
{
    int rc = db_exec(db, Q_COUNTER_DELETE, "t", key);
    return rc < 0 ? rc : 0;
}

int store_counter_unhit(db_t *db, const char *key)
{
    int rc = db_exec(db, Q_COUNTER_UNHIT, "t", key);
    return rc < 0 ? rc : 0;
}

int store_purge(db_t *db, enum store_purge what, int64_t before)
{
    static const enum query_id q_of[] = {
        [PURGE_SESSIONS] = Q_SESSION_PURGE, [PURGE_SMS_CODES] = Q_SMS_CODE_PURGE,
        [PURGE_VERIFICATIONS] = Q_VERIF_PURGE, [PURGE_CAPTCHAS] = Q_CAPTCHA_PURGE,
        [PURGE_COUNTERS] = Q_COUNTER_PURGE,
    };
    int rc = db_exec(db, q_of[what], "i", before);
    return rc < 0 ? rc : 0;
}
