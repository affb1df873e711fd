/* Live users: one account each, with its IM identity made at registration (core/live.h). */
#include "core/live.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/config.h"
#include "core/accounts.h"
#include "core/apps.h"
#include "core/passwords.h"
#include "core/versions.h"
#include "core/secret.h"
#include "store/store.h"

static int is_im_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
}

int live_check_user_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > LIVE_UID_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
        return -E_INVALID;
    for (const char *p = s; *p; p++)
        if (!is_im_char(*p) && *p != '-' && *p != '.' && *p != '@')
            return -E_INVALID;
    return 0;
}

int live_check_extends(const json_t *ext, const char **why)
{
    const char *key;
    json_t *v;
    if (!json_is_object(ext)) {
        *why = "extends must be an object of strings";
        return -E_INVALID;
    }
    if (json_object_size(ext) > LIVE_EXT_KEYS_MAX) {
        *why = "extends: at most 50 keys";
        return -E_INVALID;
    }
    json_object_foreach((json_t *)ext, key, v) {
        if (!*key || strlen(key) > LIVE_EXT_KEY_MAX || acct_check_text(key, LIVE_EXT_KEY_MAX)) {
            *why = "extends: keys must be 1-64 bytes without control characters";
            return -E_INVALID;
        }
        if (!json_is_string(v)) {
            *why = "extends: every value must be a string";
            return -E_INVALID;
        }
        size_t len = json_string_length(v);
        if (len > LIVE_EXT_VALUE_MAX || strlen(json_string_value(v)) != len) {
            *why = "extends: values must be at most 1024 bytes, without NUL";
            return -E_INVALID;
        }
    }
    char *text = json_dumps(ext, JSON_COMPACT);
    size_t total = text ? strlen(text) : 0;
    free(text);
    if (total > LIVE_EXT_TEXT_MAX) {
        *why = "extends: at most 8192 bytes as JSON";
        return -E_INVALID;
    }
    return 0;
}

const char *live_im_username(struct arena *a, const char *user_id)
{
    size_t n = strlen(user_id);
    int plain = 1;
    for (const char *p = user_id; *p; p++)
        plain &= is_im_char(*p);
    if (plain)
        return arena_printf(a, LIVE_IM_PREFIX "%s", user_id);
    char *name = arena_printf(a, LIVE_IM_PREFIX "%s_%.*s", user_id, LIVE_IM_HASH_HEX, sec_hash(a, user_id));
    for (size_t i = 0; i < n; i++)
        if (!is_im_char(name[sizeof(LIVE_IM_PREFIX) - 1 + i]))
            name[sizeof(LIVE_IM_PREFIX) - 1 + i] = '_';
    return name;
}

/* X-Qiniu-Date as the SDKs send it, "YYYYMMDDTHHMMSSZ" (UTC): 0 and *t, or -1. */
static int parse_qiniu_date(const char *v, size_t n, time_t *t)
{
    char buf[17];
    struct tm tm;
    if (n != 16 || v[8] != 'T' || v[15] != 'Z')
        return -1;
    memcpy(buf, v, 16);
    buf[16] = '\0';
    for (int i = 0; i < 15; i++)
        if (i != 8 && (buf[i] < '0' || buf[i] > '9'))
            return -1;
    memset(&tm, 0, sizeof(tm));
    const char *end = strptime(buf, "%Y%m%dT%H%M%SZ", &tm);
    if (!end || *end)
        return -1;
    *t = timegm(&tm);
    return *t == (time_t)-1 ? -1 : 0;
}

/*
 * The replay window: a signed X-Qiniu-Date must be within live.max_clock_skew
 * of now; with live.require_date, a request must carry one (and so be signed
 * "Qiniu", which signs it: "QBox" does not).
 */
static int date_check(struct ctx *c, const struct qiniu_req *req, int scheme, const char **why)
{
    const struct qiniu_header *date = NULL;
    for (size_t i = 0; i < req->n_xq; i++) {
        const struct qiniu_header *h = &req->xq[i];
        if (h->key_len != 12 || strncasecmp(h->key, "X-Qiniu-Date", 12))
            continue;
        if (date) {
            *why = "X-Qiniu-Date is given twice";
            return -E_AUTH_INVALID;
        }
        date = h;
    }
    if (!date || scheme != QINIU_V2) {
        if (!cfg_bool(CFG_live_require_date))
            return 0;
        *why = date ? "the QBox form does not sign X-Qiniu-Date: use Qiniu AK:sign"
                    : "X-Qiniu-Date is required (live.require_date)";
        return -E_AUTH_INVALID;
    }
    time_t t;
    if (parse_qiniu_date(date->val, date->val_len, &t)) {
        *why = "X-Qiniu-Date must be YYYYMMDDTHHMMSSZ (UTC)";
        return -E_AUTH_INVALID;
    }
    long long skew = (long long)t - (long long)(c->now / 1000);
    if (skew > cfg_int(CFG_live_max_clock_skew) || -skew > cfg_int(CFG_live_max_clock_skew)) {
        *why = "X-Qiniu-Date is too far from the server's clock (live.max_clock_skew)";
        return -E_AUTH_INVALID;
    }
    return 0;
}

int live_authenticate(struct ctx *c, const struct qiniu_req *req, const char *authorization, struct app *out,
                      const char **why)
{
    int scheme;
    const char *ak, *sign;
    size_t ak_len, sign_len;
    if (!authorization)
        return -E_AUTH_MISSING;
    int rc = qiniu_parse_auth(authorization, strlen(authorization), &scheme, &ak, &ak_len, &sign, &sign_len);
    if (rc)
        return rc;
    rc = app_by_access_key(c, arena_strndup(c->a, ak, ak_len), out);
    if (rc)
        return rc;
    rc = qiniu_verify(req, scheme, out->secret_key, strlen(out->secret_key), sign, sign_len);
    if (rc == -E_INVALID || rc == -E_TOO_LARGE) {
        *why = "too many X-Qiniu-* headers to verify";
        return -E_AUTH_INVALID;
    }
    if (!rc && req->body_len && scheme == QINIU_QBOX) {
        /*
         * QBox serves only requests without a body. It signs a form body,
         * but every body of this face is JSON: a JSON body labelled a form
         * would be signed and then read as JSON (docs/live.md).
         */
        *why = "the QBox form serves only requests without a body: use Qiniu AK:sign";
        return -E_AUTH_INVALID;
    }
    if (!rc && req->body_len && !qiniu_body_signed(req, scheme)) {
        /* A body outside the signing string could be swapped in transit. */
        *why = "the body is not signed: send it with Content-Type application/json";
        return -E_AUTH_INVALID;
    }
    return rc ? rc : date_check(c, req, scheme, why);
}

/* ---- registration ---- */

/* Checks the fields of a new or changed user; *why set on -E_INVALID. */
static int check_fields(const char *nick, const char *avatar, const json_t *ext, const char **why)
{
    if (nick && acct_check_nick(nick)) {
        *why = "nick must be at most 64 characters without control characters";
        return -E_INVALID;
    }
    if (avatar && acct_check_avatar(avatar, AVATAR_MAX)) {
        *why = "avatar must be an http:// or https:// URL of at most 1024 bytes";
        return -E_INVALID;
    }
    return ext ? live_check_extends(ext, why) : 0;
}

/* ext as stored: compact JSON text in the arena ("{}" for NULL). */
static const char *ext_text(struct arena *a, const json_t *ext)
{
    if (!ext)
        return "{}";
    char *s = json_dumps(ext, JSON_COMPACT);
    if (!s)
        abort(); /* jansson fails only on OOM here */
    char *copy = arena_strdup(a, s);
    free(s);
    return copy;
}

int live_check_new(const struct live_new *in, const char **why)
{
    if (!in->user_id || live_check_user_id(in->user_id)) {
        *why = "user_id must be 1-64 of A-Z a-z 0-9 _ . @ -";
        return -E_INVALID;
    }
    return check_fields(in->nick, in->avatar, in->ext, why);
}

int live_register(struct ctx *c, const char *app_id, const struct live_new *in, const char **why)
{
    int rc = live_check_new(in, why);
    if (rc)
        return rc;
    struct account acct = {
        .app_id = app_id,
        .username = live_im_username(c->a, in->user_id),
        .pw_hash = PW_DERIVED,
        .nick = in->nick ? in->nick : "",
        .avatar = in->avatar ? in->avatar : "",
        .live_uid = in->user_id,
        .live_extends = ext_text(c->a, in->ext),
    };
    rc = acct_create(c, &acct);
    if (rc == -E_EXISTS) {
        /* Which unique key: the live id, or the IM username another IM user holds? */
        struct live_row row;
        int found = store_live_by_uid(c->db, c->a, app_id, in->user_id, 0, &row);
        if (found && found != -E_NOT_FOUND)
            return found;
        *why = found ? "its IM username is taken by another IM user" : "user_id is taken";
    }
    return rc;
}

/* ---- reading ---- */

static void fill(struct ctx *c, const char *app_id, const struct live_row *row, int with_password,
                 struct live_user *out)
{
    out->user_id = row->live_uid;
    out->nick = row->nick;
    out->avatar = row->avatar;
    out->extends = *row->extends ? row->extends : "{}";
    out->im_userid = row->id;
    out->im_username = row->username;
    out->im_password = "";
    /* Derived while the IM face has not changed it; a changed one is a hash we cannot show. */
    if (with_password && !strcmp(row->pw_hash, PW_DERIVED) &&
        pw_derived(c, app_id, row->id, &out->im_password))
        out->im_password = "";
}

int live_get(struct ctx *c, const char *app_id, const char *user_id, int with_password, struct live_user *out)
{
    struct live_row row;
    int rc = store_live_by_uid(c->db, c->a, app_id, user_id, 0, &row);
    if (rc)
        return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc;
    if (with_password && row.status)
        return -E_DISABLED; /* a disabled account's credentials are not handed out */
    fill(c, app_id, &row, with_password, out);
    return 0;
}

struct many {
    struct live_row *rows;
    size_t n, cap;
};

static void collect(const struct live_row *row, void *arg)
{
    struct many *m = arg;
    if (m->n == m->cap)
        return; /* live_uid is unique per app: never more rows than ids asked for */
    m->rows[m->n++] = *row;
}

int live_get_many(struct ctx *c, const char *app_id, const char *const *ids, size_t n, int with_password,
                  struct live_user **out, size_t *n_out)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(ids[i]));
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!text)
        abort(); /* jansson fails only on OOM here */
    struct many m = {arena_alloc(c->a, (n ? n : 1) * sizeof(struct live_row)), 0, n};
    int rc = store_live_by_uids(c->db, c->a, app_id, text, collect, &m);
    free(text);
    if (rc)
        return rc;
    *out = arena_alloc(c->a, (m.n ? m.n : 1) * sizeof(**out));
    *n_out = 0;
    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(ids[i], ids[j]);
        for (size_t k = 0; k < m.n && !seen; k++)
            if (!strcmp(m.rows[k].live_uid, ids[i])) {
                if (with_password && m.rows[k].status)
                    break; /* left out, as an unknown id */
                fill(c, app_id, &m.rows[k], with_password, &(*out)[(*n_out)++]);
                break;
            }
    }
    return 0;
}

/* ---- update ---- */

struct update {
    struct ctx *c;
    const char *app_id, *user_id, *nick, *avatar;
    const json_t *ext;
    const char **why;
};

/* Merges u->ext into the stored map; *out is the new text in the arena. */
static int merge(struct update *u, const char *stored, const char **out)
{
    json_t *cur = json_loads(stored, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(cur)) {
        json_decref(cur);
        cur = json_object(); /* unreadable stored text: start over rather than fail forever */
    }
    int rc = json_object_update(cur, (json_t *)u->ext) ? -E_INTERNAL : live_check_extends(cur, u->why);
    if (!rc)
        *out = ext_text(u->c->a, cur);
    json_decref(cur);
    if (rc == -E_INVALID)
        *u->why = "extends: the merged map breaks the limits (50 keys, 8192 bytes)";
    return rc;
}

static const char *nonempty(const char *s) { return s && *s ? s : NULL; }

static int update_tx(db_t *db, void *arg)
{
    struct update *u = arg;
    struct live_row row;
    int64_t version;
    int rc = store_live_by_uid(db, u->c->a, u->app_id, u->user_id, 1, &row);
    if (rc)
        return rc == -E_NOT_FOUND ? -E_USER_UNKNOWN : rc;
    if ((rc = ver_next_tx(db, u->app_id, u->c->now, &version)))
        return rc;
    if (u->ext && json_object_size(u->ext)) {
        const char *ext;
        if ((rc = merge(u, row.extends, &ext)) || (rc = store_live_set_extends(db, u->app_id, row.id, ext, version)))
            return rc;
    }
    /* Nick and avatar go the one way every face sets them, in this transaction. */
    struct account_patch p = {.nick = nonempty(u->nick), .avatar = nonempty(u->avatar)};
    if (!p.nick && !p.avatar)
        return 0;
    if ((rc = acct_update_profile_tx(db, u->app_id, row.id, &p, version)) == -E_INVALID)
        *u->why = "nick or avatar breaks the account's limits";
    return rc;
}

int live_update(struct ctx *c, const char *app_id, const char *user_id, const char *nick, const char *avatar,
                const json_t *ext, const char **why)
{
    int rc = check_fields(nick, avatar, ext, why);
    if (rc)
        return rc;
    int changes = (nick && *nick) || (avatar && *avatar) || (ext && json_object_size(ext));
    if (!changes) {
        struct live_user u;
        return live_get(c, app_id, user_id, 0, &u);
    }
    struct update up = {c, app_id, user_id, nick, avatar, ext, why};
    return store_tx(c->db, update_tx, &up);
}
