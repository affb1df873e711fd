#include "core/sms.h"

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/log.h"
#include "base/metrics.h"
#include "core/imgcode.h"
#include "core/limits.h"
#include "core/secret.h"
#include "core/srvkey.h"
#include "store/store.h"

/* The stored form of a code: keyed BLAKE2b, so a leaked table does not give codes away. */
static int code_hash(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *code,
                     const char **out)
{
    unsigned char key[SRVKEY_BYTES], h[32];
    int rc = srvkey_get(c, SRVKEY_SMS, key);
    if (rc)
        return rc;
    char *msg = arena_printf(c->a, "%s\n%s\n%s\n%s", app_id, region, phone, code);
    crypto_generichash(h, sizeof(h), (const unsigned char *)msg, strlen(msg), key, sizeof(key));
    sodium_memzero(key, sizeof(key));
    sodium_memzero(msg, strlen(msg));
    char *hex = arena_alloc(c->a, sizeof(h) * 2 + 1);
    sodium_bin2hex(hex, sizeof(h) * 2 + 1, h, sizeof(h));
    *out = hex;
    return 0;
}

/* ---- delivery ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_start(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p, (void)arg;
    return size * n;
}

static int deliver_http(const char *region, const char *phone, const char *code)
{
    const char *url = cfg_str(CFG_sms_url);
    if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
        log_error("sms: provider http needs sms.url (an http:// or https:// URL)");
        return -E_NOT_CONFIGURED;
    }
    pthread_once(&curl_once, curl_start);
    json_t *o = json_pack("{s:s,s:s,s:s}", "region", region, "phone", phone, "code", code);
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    CURL *h = curl_easy_init();
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    int rc = -E_UPSTREAM;
    if (!body || !h || !hdrs) {
        rc = -E_INTERNAL;
        goto out;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)cfg_int(CFG_sms_timeout));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    CURLcode cc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK)
        log_warn("sms: delivery to the gateway failed: %s", curl_easy_strerror(cc));
    else if (status < 200 || status > 299)
        log_warn("sms: the gateway answered HTTP %ld", status);
    else
        rc = 0;
out:
    if (body) {
        sodium_memzero(body, strlen(body));
        free(body);
    }
    curl_slist_free_all(hdrs);
    if (h)
        curl_easy_cleanup(h);
    return rc;
}

/* Sends by provider (log, http) and result (ok, error). */
static void send_label(const struct metric *m, size_t slot, char *buf, size_t cap)
{
    (void)m;
    snprintf(buf, cap, "provider=\"%s\",result=\"%s\"", slot / 2 ? "http" : "log", slot % 2 ? "error" : "ok");
}

static struct metric sends = {
    .name = "userd_sms_sends_total",
    .help = "SMS codes handed to the provider, by provider (log, http) and result (ok, error).",
    .type = METRIC_COUNTER, .n = 4, .label = send_label};
METRICS_REGISTER(&sends)

static int deliver(const char *region, const char *phone, const char *code)
{
    const char *provider = cfg_str(CFG_sms_provider);
    int rc;
    if (!strcmp(provider, "log")) {
        /* The one place a code is logged: the development provider, by design. */
        log_warn("sms (log provider, development only): code %s for +%s %s", code, region, phone);
        metric_add(&sends, 0, 1);
        return 0;
    }
    if (!strcmp(provider, "http")) {
        rc = deliver_http(region, phone, code);
        metric_add(&sends, rc ? 3 : 2, 1);
        return rc;
    }
    log_error("sms: unknown provider \"%s\" (log or http)", provider);
    return -E_NOT_CONFIGURED;
}

/* ---- send ---- */

/* -E_TOO_SOON while the last code sent to this phone is younger than sms.resend_interval. */
static int resend_check(struct ctx *c, const char *app_id, const char *region, const char *phone)
{
    struct sms_code old;
    int rc = store_sms_code_get(c->db, c->a, app_id, region, phone, &old);
    if (rc == -E_NOT_FOUND)
        return 0;
    if (rc)
        return rc;
    return old.sent_at + cfg_int(CFG_sms_resend_interval) * 1000 > c->now ? -E_TOO_SOON : 0;
}

int sms_send(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *verify_id,
             const char *verify_answer)
{
    int rc;
    if (verify_id && *verify_id) {
        if ((rc = imgcode_check(c, app_id, verify_id, verify_answer ? verify_answer : "")))
            return rc;
    } else if (cfg_bool(CFG_sms_captcha_required)) {
        return -E_CODE_WRONG;
    }
    char *code = sec_digits(c->a, SMS_CODE_LEN);
    arena_wipe_on_free(c->a, code, SMS_CODE_LEN);
    struct sms_code fresh = {.sent_at = c->now, .expires_at = c->now + cfg_int(CFG_sms_code_ttl) * 1000};
    if ((rc = code_hash(c, app_id, region, phone, code, &fresh.code_hash)))
        return rc;
    /*
     * No SERIALIZABLE transaction: in one, every send from one address (many
     * clients behind one NAT) conflicted on the per-address counter's row,
     * and sends to different phones on the index pages of sms_codes (with
     * PostgreSQL's predicate locks), and each conflict ran the transaction
     * again. Instead three statements, each atomic: a look at the phone's
     * last code, so that a resend refused as too soon does not count against
     * the address; the per-address count; and a write of the new code that
     * checks the resend interval again in the same statement. A send that
     * loses that last check to a concurrent one takes its count back: the
     * address is charged for codes sent.
     */
    if ((rc = resend_check(c, app_id, region, phone)))
        return rc;
    int64_t hits;
    const char *ip_key = arena_printf(c->a, "sms_ip:%s:%s", app_id, c->ip);
    if ((rc = limit_hit(c, ip_key, cfg_int(CFG_sms_ip_window) * 1000, INT64_MAX, &hits)))
        return rc;
    if (hits > cfg_int(CFG_sms_ip_hourly_limit))
        return -E_RATE_LIMITED;
    if ((rc = store_sms_code_put(c->db, app_id, region, phone, &fresh,
                                 c->now - cfg_int(CFG_sms_resend_interval) * 1000))) {
        if (rc == -E_TOO_SOON && limit_unhit(c, ip_key))
            log_warn("sms: could not take back a per-address count");
        return rc;
    }
    if ((rc = deliver(region, phone, code))) {
        /* Withdraw the code nobody received, so the user may ask again at once. */
        if (store_sms_code_delete(c->db, app_id, region, phone, fresh.code_hash))
            log_warn("sms: could not withdraw an undelivered code");
        return rc == -E_NOT_CONFIGURED ? rc : -E_UPSTREAM;
    }
    limit_maybe_purge(c);
    return 0;
}

/* ---- verify ---- */

struct verify_args {
    struct ctx *c;
    const char *app_id, *region, *phone, *given_hash, *code;
    int (*then)(struct db *db, void *arg);
    void *arg;
    int result; /* what to answer once the transaction commits */
};

static int verify_tx(db_t *db, void *p)
{
    struct verify_args *x = p;
    struct ctx *c = x->c;
    struct sms_code sc;
    int rc = store_sms_code_get(db, c->a, x->app_id, x->region, x->phone, &sc);
    if (rc)
        return rc;
    if (sc.expires_at <= c->now || sc.tries >= cfg_int(CFG_sms_max_tries)) {
        x->result = -E_CODE_EXPIRED;
        return 0;
    }
    const char *dev = cfg_str(CFG_sms_dev_code);
    int right = sec_equal(sc.code_hash, x->given_hash) | (*dev && sec_equal(dev, x->code));
    if (!right) {
        x->result = -E_CODE_WRONG; /* the try is counted: this transaction commits */
        return store_sms_code_try(db, x->app_id, x->region, x->phone, sc.code_hash);
    }
    if ((rc = store_sms_code_delete(db, x->app_id, x->region, x->phone, sc.code_hash)) ||
        (rc = x->then(db, x->arg)))
        return rc;
    x->result = 0;
    return 0;
}

int sms_verify_then(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *code,
                    int (*then)(struct db *db, void *arg), void *arg)
{
    struct verify_args x = {.c = c, .app_id = app_id, .region = region, .phone = phone, .code = code,
                            .then = then, .arg = arg};
    int rc = code_hash(c, app_id, region, phone, code, &x.given_hash);
    if (!rc)
        rc = store_tx(c->db, verify_tx, &x);
    return rc ? rc : x.result;
}

struct token_args {
    struct ctx *c;
    const char *app_id, *region, *phone, *token;
};

/* A right code's reward on verify_code: a verification token for register and reset_password. */
static int issue_token(db_t *db, void *p)
{
    struct token_args *x = p;
    char *token = sec_uuid(x->c->a);
    int rc = store_verif_insert(db, sec_hash(x->c->a, token), x->app_id, x->region, x->phone,
                                x->c->now + cfg_int(CFG_verify_token_ttl) * 1000);
    if (!rc)
        x->token = token;
    return rc;
}

int sms_verify(struct ctx *c, const char *app_id, const char *region, const char *phone, const char *code,
               const char **token)
{
    struct token_args x = {.c = c, .app_id = app_id, .region = region, .phone = phone};
    int rc = sms_verify_then(c, app_id, region, phone, code, issue_token, &x);
    if (!rc)
        *token = x.token;
    return rc;
}
