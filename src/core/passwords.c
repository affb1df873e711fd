#include "core/passwords.h"

#include <stdio.h>
#include <string.h>

#include "base/config.h"
#include "base/log.h"
#include "base/lowprio.h"
#include "base/metrics.h"
#include "core/limits.h"
#include "core/secret.h"
#include "store/store.h"

/* Made once per store (meta table), shared by every userd process on it. */
static char derive_key[65];

int pw_init(struct ctx *c)
{
    unsigned char k[32];
    char fresh[65];
    const char *stored = NULL;
    randombytes_buf(k, sizeof(k));
    sodium_bin2hex(fresh, sizeof(fresh), k, sizeof(k));
    int rc = store_meta_get_or_put(c->db, c->a, "im_password_key", fresh, &stored);
    if (!rc && !sec_key_ok(stored)) {
        /* Never serve with it: derived IM passwords would not be secret. */
        log_error("store: the server key \"im_password_key\" (meta table) is malformed (want 64 hex digits): "
                  "refusing to serve; restore it from a backup of the store (live users' IM passwords derive "
                  "from it)");
        rc = -E_INVALID;
    }
    if (!rc)
        snprintf(derive_key, sizeof(derive_key), "%s", stored);
    sodium_memzero(k, sizeof(k));
    sodium_memzero(fresh, sizeof(fresh));
    return rc;
}

static unsigned long long opslimit(void) { return (unsigned long long)cfg_int(CFG_password_opslimit); }
static size_t memlimit(void) { return (size_t)cfg_int(CFG_password_memlimit_kib) * 1024; }

/*
 * The Argon2id computations run on the low-priority workers (base/lowprio.h)
 * while this thread waits: a login flood then takes the CPU that other
 * requests leave, instead of delaying them.
 */
struct argon2_job {
    const char *password, *stored;
    char *out;
    int rc;
};

static void hash_job(void *p)
{
    struct argon2_job *j = p;
    j->rc = crypto_pwhash_str(j->out, j->password, strlen(j->password), opslimit(), memlimit());
}

static void verify_job(void *p)
{
    struct argon2_job *j = p;
    j->rc = crypto_pwhash_str_verify(j->stored, j->password, strlen(j->password));
}

static const double hash_bounds[] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

static void op_label(const struct metric *m, size_t slot, char *buf, size_t cap)
{
    (void)m;
    snprintf(buf, cap, "op=\"%s\"", slot ? "verify" : "hash");
}

/* slot 0: hashing a new password, 1: verifying one */
static struct metric hash_seconds = {
    .name = "userd_password_hash_duration_seconds",
    .help = "Time of one Argon2id computation (op: hash a new password, or verify one).",
    .type = METRIC_HISTOGRAM, .n = 2, .label = op_label, .bounds = hash_bounds,
    .n_bounds = sizeof(hash_bounds) / sizeof(*hash_bounds)};
METRICS_REGISTER(&hash_seconds)

/* Runs job on a low-priority worker and times it. */
static void timed_run(void (*job)(void *), struct argon2_job *j, size_t op)
{
    int64_t t0 = metric_now_us();
    lowprio_run(job, j);
    metric_observe(&hash_seconds, op, metric_now_us() - t0);
}

int pw_hash(const char *password, char out[crypto_pwhash_STRBYTES])
{
    struct argon2_job j = {.password = password, .out = out};
    timed_run(hash_job, &j, 0);
    if (j.rc) {
        log_error("password hash failed: out of memory");
        return -E_INTERNAL;
    }
    return 0;
}

int pw_check_hash(const char *stored, const char *password)
{
    struct argon2_job j = {.password = password, .stored = stored};
    if (!stored[0])
        return -E_PASSWORD;
    timed_run(verify_job, &j, 1);
    return j.rc ? -E_PASSWORD : 0;
}

int pw_derived(struct ctx *c, const char *app_id, int64_t account_id, const char **out)
{
    if (!derive_key[0])
        return -E_INTERNAL;
    char *msg = arena_printf(c->a, "im-password:%s:%lld", app_id, (long long)account_id);
    char *mac = sec_mac(c->a, derive_key, msg);
    if (!mac)
        return -E_INTERNAL;
    mac[16] = '\0';
    *out = mac;
    return 0;
}

/* The comparison itself: 0 or -E_PASSWORD; a match with stale parameters is rehashed. */
static int pw_match(struct ctx *c, const struct account *acct, const char *password)
{
    if (!strcmp(acct->pw_hash, PW_DERIVED)) {
        const char *want;
        int rc = pw_derived(c, acct->app_id, acct->id, &want);
        if (rc)
            return rc;
        return sec_equal(want, password) ? 0 : -E_PASSWORD;
    }
    int rc = pw_check_hash(acct->pw_hash, password);
    if (rc)
        return rc;
    if (crypto_pwhash_str_needs_rehash(acct->pw_hash, opslimit(), memlimit()) != 0) {
        char fresh[crypto_pwhash_STRBYTES];
        if (!pw_hash(password, fresh) &&
            store_acct_rehash(c->db, acct->app_id, acct->id, acct->pw_hash, fresh))
            log_warn("password rehash of account %lld failed", (long long)acct->id);
    }
    return 0;
}

int pw_verify(struct ctx *c, const struct account *acct, const char *password)
{
    const char *key = arena_printf(c->a, "pwfail:%lld", (long long)acct->id);
    int taken;
    int rc = limit_take(c, key, cfg_int(CFG_login_lockout) * 1000, cfg_int(CFG_login_max_failures), &taken);
    if (rc)
        return rc;
    if (!taken)
        return -E_LOCKED;
    if ((rc = pw_match(c, acct, password)))
        return rc; /* the check stays counted */
    return limit_clear(c, key);
}
