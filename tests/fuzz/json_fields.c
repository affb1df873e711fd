/*
 * Fuzz target "json_fields": every JSON field reader of the three faces
 * over arbitrary text: the body parser (http_json_body), the shared readers
 * (jf_str, jf_int, jf_bool: src/http/json.c), the IM face's (im_j_text,
 * im_j_user_id, im_check_text, im_body_text, im_body_list:
 * src/im/params.c), the app face's (app_body, app_text_or_int,
 * app_body_phone: src/app/face.c) and the rules for live user ids and
 * extends (src/core/live.c) and avatars (acct_check_avatar).
 *
 * Input: one byte that picks bounds (min, max, required, multiline), then
 * the body. Each reader is asked for every key of the body's object (and
 * its first array item's) and for the keys the faces really read.
 *
 * Invariants: a reader answers 0 (value set, within the bounds it was
 * given), 1 (optional and absent or null) or -E_INVALID with a reason set;
 * what it lets through obeys the documented rule (length, control
 * characters, NUL, integer range, valid phone, extends limits).
 */
#include <sodium.h>

#include "app/app.h"
#include "core/live.h"
#include "core/phone.h"
#include "fuzz.h"
#include "http/http.h"
#include "im/im.h"

static const char *const known_keys[] = {
    "username", "password", "name", "user_id", "list", "nick_name", "avatar", "description", "mobile",
    "public_info", "private_info", "value", "device_sn", "region", "phone", "code", "nickname",
    "verification_token", "portraitUri", "friendId", "nick", "extends", "old_password", "new_password",
    "oldPassword", "newPassword", "gender", "stAccount", "verifyId", "verifyCode", "alias", "tags",
    "badge", "token", "notifier_name", "device_token", "",
};

static const size_t maxes[8] = {0, 1, 8, 20, 64, 255, 1024, 65536};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    if (sodium_init() < 0)
        abort();
    fuzz_quiet();
    return 0;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

static int has_control(const char *s, size_t n, int multiline)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 || c == 0x7f) && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
            return 1;
    }
    return 0;
}

/* The answer of a reader: 0, 1 only when optional, or -E_INVALID with a reason. */
static void check_rc(struct http_req *r, int rc, int required, const char *what, const char *key)
{
    FUZZ_ASSERT(rc == 0 || (rc == 1 && !required) || rc == -E_INVALID, "%s(%s): %d", what, key, rc);
    FUZZ_ASSERT(rc != -E_INVALID || (r->why && *r->why), "%s(%s): refused without a reason", what, key);
    r->why = NULL;
}

static void readers(struct http_req *r, json_t *o, const char *key, uint8_t sel)
{
    size_t min = sel & 7, max = maxes[(sel >> 3) & 7];
    int required = (sel >> 6) & 1, multiline = sel >> 7;
    const char *s = NULL;
    int64_t n = 0;
    int b = -1, rc;

    rc = jf_str(r, o, key, required, min, max, &s);
    check_rc(r, rc, required, "jf_str", key);
    if (!rc) {
        size_t len = strlen(s);
        FUZZ_ASSERT(len == json_string_length(json_object_get(o, key)), "jf_str(%s): a NUL let through", key);
        FUZZ_ASSERT(len >= min && len <= max, "jf_str(%s): %zu bytes outside %zu-%zu", key, len, min, max);
        FUZZ_ASSERT(!has_control(s, len, 0), "jf_str(%s): a control character let through", key);
    }

    int64_t lo = sel & 1 ? 1 : -1000, hi = sel & 2 ? ACCT_ID_MAX : 1000;
    rc = jf_int(r, o, key, required, lo, hi, &n);
    check_rc(r, rc, required, "jf_int", key);
    if (!rc)
        FUZZ_ASSERT(n >= lo && n <= hi && json_is_integer(json_object_get(o, key)), "jf_int(%s): %lld", key,
                    (long long)n);

    rc = jf_bool(r, o, key, required, &b);
    check_rc(r, rc, required, "jf_bool", key);
    if (!rc)
        FUZZ_ASSERT((b == 0 || b == 1) && json_is_boolean(json_object_get(o, key)), "jf_bool(%s): %d", key, b);

    rc = im_j_text(r, o, key, required, min, max, multiline, &s);
    check_rc(r, rc, required, "im_j_text", key);
    if (!rc) {
        size_t len = strlen(s), chars = utf8_chars(s, len);
        FUZZ_ASSERT(len == json_string_length(json_object_get(o, key)), "im_j_text(%s): a NUL let through", key);
        FUZZ_ASSERT(chars >= min && chars <= max, "im_j_text(%s): %zu characters outside %zu-%zu", key, chars,
                    min, max);
        FUZZ_ASSERT(!has_control(s, len, multiline), "im_j_text(%s): a control character let through", key);
    }

    rc = im_j_user_id(r, o, key, required, &n);
    check_rc(r, rc, required, "im_j_user_id", key);
    if (!rc)
        FUZZ_ASSERT(n >= 1 && n <= ACCT_ID_MAX, "im_j_user_id(%s): %lld", key, (long long)n);

    if (json_is_object(o)) {
        rc = app_text_or_int(r, o, key, required, max, &s);
        check_rc(r, rc, required, "app_text_or_int", key);
        if (!rc) {
            size_t len = strlen(s);
            FUZZ_ASSERT(len >= 1 && len <= max && !has_control(s, len, 0), "app_text_or_int(%s): \"%s\"", key, s);
        }
    }

    /* The live face's rules, on a string value. */
    json_t *v = json_object_get(o, key);
    if (json_is_string(v)) {
        const char *t = json_string_value(v);
        if (!live_check_user_id(t)) {
            size_t len = strlen(t);
            FUZZ_ASSERT(len >= 1 && len <= LIVE_UID_MAX, "live_check_user_id: %zu bytes", len);
            const char *im = live_im_username(r->a, t);
            size_t il = strlen(im);
            FUZZ_ASSERT(!strncmp(im, LIVE_IM_PREFIX, 2) && il <= USERNAME_MAX && il > 2,
                        "live_im_username(%s) = %s", t, im);
            for (size_t i = 0; i < il; i++)
                FUZZ_ASSERT(im[i] == '_' || (im[i] >= '0' && im[i] <= '9') || (im[i] >= 'a' && im[i] <= 'z') ||
                                (im[i] >= 'A' && im[i] <= 'Z'),
                            "live_im_username(%s) = %s", t, im);
        }
        if (!acct_check_avatar(t, AVATAR_MAX))
            FUZZ_ASSERT(strlen(t) <= AVATAR_MAX && !has_control(t, strlen(t), 0) && !strchr(t, ' '),
                        "acct_check_avatar let \"%s\" through", t);
    }
    const char *why = NULL;
    if (v && !live_check_extends(v, &why)) {
        FUZZ_ASSERT(json_is_object(v) && json_object_size(v) <= LIVE_EXT_KEYS_MAX, "extends: not a small object");
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x) {
            FUZZ_ASSERT(json_is_string(x) && json_string_length(x) <= LIVE_EXT_VALUE_MAX &&
                            strlen(json_string_value(x)) == json_string_length(x),
                        "extends: value of %s", k);
            FUZZ_ASSERT(*k && strlen(k) <= LIVE_EXT_KEY_MAX && !has_control(k, strlen(k), 0), "extends: key %s",
                        k);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0];
    struct http_req req = {0}, *r = &req;
    r->a = arena_new();
    r->body_len = size - 1;
    r->body = arena_alloc(r->a, size);
    memcpy(r->body, data + 1, r->body_len); /* NULs included, as the HTTP layer keeps them */
    r->body[r->body_len] = '\0';

    const char *s;
    int rc = im_body_text(r, "body", maxes[(sel >> 3) & 7], &s);
    check_rc(r, rc, 1, "im_body_text", "-");
    if (!rc) {
        FUZZ_ASSERT(strlen(s) == r->body_len, "im_body_text: a NUL let through");
        json_t *utf8 = json_stringn(s, r->body_len);
        FUZZ_ASSERT(utf8, "im_body_text: invalid UTF-8 let through");
        json_decref(utf8);
        FUZZ_ASSERT(!has_control(s, r->body_len, 1), "im_body_text: a control character let through");
    }

    json_t *list = NULL;
    rc = im_body_list(r, IM_BATCH_MAX, &list);
    check_rc(r, rc, 1, "im_body_list", "list");
    if (!rc)
        FUZZ_ASSERT(json_is_array(list) && json_array_size(list) >= 1 && json_array_size(list) <= IM_BATCH_MAX,
                    "im_body_list: not 1-%d items", IM_BATCH_MAX);

    json_t *o = http_json_body(r);
    FUZZ_ASSERT(o || r->why, "http_json_body: NULL without a reason");
    r->why = NULL;
    json_t *ao = app_body(r);
    FUZZ_ASSERT(!ao || json_is_object(ao), "app_body: not an object");
    FUZZ_ASSERT(ao || r->why, "app_body: NULL without a reason");
    r->why = NULL;

    if (o) {
        /* The keys the faces read, then the body's own keys (and those of its first item). */
        for (size_t i = 0; i < sizeof(known_keys) / sizeof(*known_keys); i++)
            readers(r, o, known_keys[i], sel);
        json_t *items[2] = {o, json_array_get(o, 0)};
        for (int k = 0; k < 2; k++) {
            const char *key;
            json_t *v;
            size_t seen = 0;
            if (json_is_object(items[k]))
                json_object_foreach(items[k], key, v) {
                    if (seen++ == 64)
                        break;
                    readers(r, items[k], key, sel);
                }
        }
        if (ao) {
            const char *region = NULL, *phone = NULL;
            rc = app_body_phone(r, ao, &region, &phone);
            check_rc(r, rc, 1, "app_body_phone", "region, phone");
            if (!rc)
                FUZZ_ASSERT(region && phone && *region != '+' && !phone_validate(region, phone),
                            "app_body_phone let (%s, %s) through", region, phone);
        }
    }
    arena_free(r->a);
    return 0;
}
