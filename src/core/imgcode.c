#include "core/imgcode.h"

#include <sodium.h>
#include <string.h>

#include "base/config.h"
#include "core/captcha.h"
#include "core/limits.h"
#include "core/secret.h"
#include "store/store.h"

#define HOUR_MS (3600LL * 1000)

/* A new code: its answer (which the caller wipes) kept under a new id. */
static int new_code(struct ctx *c, const char *app_id, char answer[CAPTCHA_LEN + 1], const char **verify_id)
{
    int64_t hits;
    int rc = limit_hit(c, arena_printf(c->a, "img_ip:%s:%s", app_id, c->ip), HOUR_MS, INT64_MAX, &hits);
    if (rc)
        return rc;
    if (hits > cfg_int(CFG_captcha_ip_hourly_limit))
        return -E_RATE_LIMITED;
    captcha_answer(answer);
    const char *id = sec_token(c->a, 16);
    rc = store_captcha_insert(c->db, id, app_id, answer, c->now + cfg_int(CFG_captcha_ttl) * 1000);
    if (!rc)
        *verify_id = id;
    limit_maybe_purge(c);
    return rc;
}

int imgcode_new(struct ctx *c, const char *app_id, const char **verify_id)
{
    char answer[CAPTCHA_LEN + 1];
    int rc = new_code(c, app_id, answer, verify_id);
    sodium_memzero(answer, sizeof(answer));
    return rc;
}

int imgcode_new_png(struct ctx *c, const char *app_id, const char **verify_id, unsigned char **png, int *png_len)
{
    char answer[CAPTCHA_LEN + 1];
    int rc = new_code(c, app_id, answer, verify_id);
    if (!rc)
        rc = captcha_render(answer, png, png_len);
    sodium_memzero(answer, sizeof(answer));
    return rc;
}

/* Ids are URL-safe base64 (imgcode_new): anything else is no code, before any lookup. */
static int id_ok(const char *id)
{
    size_t n = strlen(id);
    return n >= 1 && n <= IMGCODE_ID_MAX &&
           strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

int imgcode_png(struct ctx *c, const char *app_id, const char *verify_id, unsigned char **png, int *png_len)
{
    const char *answer;
    if (!id_ok(verify_id))
        return -E_NOT_FOUND;
    int rc = store_captcha_get(c->db, c->a, verify_id, app_id, c->now, &answer);
    if (rc)
        return rc;
    return captcha_render(answer, png, png_len);
}

int imgcode_check(struct ctx *c, const char *app_id, const char *verify_id, const char *answer)
{
    const char *want;
    int64_t expires_at;
    if (!id_ok(verify_id))
        return -E_CODE_WRONG;
    int rc = store_captcha_take(c->db, c->a, verify_id, app_id, &want, &expires_at);
    if (rc == -E_NOT_FOUND)
        return -E_CODE_WRONG;
    if (rc)
        return rc;
    if (expires_at <= c->now)
        return -E_CODE_EXPIRED;
    return captcha_check(want, answer);
}
