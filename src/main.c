/*
 * userd: one account store, three faces.
 *
 *   userd serve [settings]           serve the IM, live and app faces
 *   userd app create NAME [--json]   create an app, print its credentials
 *   userd app list                   list the apps
 *   userd app token APP_ID [--ttl S] print a new admin token for the app
 *   userd app token APP_ID --revoke PREFIX   revoke an admin token (prefix or whole token)
 *   userd app tokens APP_ID          list the app's admin tokens
 *   userd operator add|reset NAME    add a console operator / give it a new password (printed once)
 *   userd operator list|remove NAME  list the operators / remove one
 *   userd backup FILE                copy the SQLite store, while it serves, to FILE
 */
#include <jansson.h>
#include <malloc.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app/app.h"
#include "base/config.h"
#include "base/log.h"
#include "base/notify.h"
#include "core/apps.h"
#include "core/audit.h"
#include "core/operators.h"
#include "core/backup.h"
#include "core/passwords.h"
#include "core/srvkey.h"
#include "http/http.h"
#include "im/im.h"
#include "live/live.h"
#include "ops/ops.h"

static void usage(FILE *out)
{
    fputs("usage: userd serve [--config FILE] [--section.key=value ...]\n"
          "       userd app create NAME [--json]\n"
          "       userd app list\n"
          "       userd app token APP_ID [--ttl SECONDS]\n"
          "       userd app token APP_ID --revoke TOKEN_PREFIX\n"
          "       userd app tokens APP_ID\n"
          "       userd operator add|reset|remove NAME\n"
          "       userd operator list\n"
          "       userd backup FILE\n"
          "       userd --help\n\n",
          out);
    cfg_help(out);
}

static int set_log_level(void)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (!strcasecmp(cfg_str(CFG_log_level), names[i])) {
            log_set_level((enum log_level)i);
            return 0;
        }
    fprintf(stderr, "userd: setting log.level: must be debug, info, warn or error\n");
    return -1;
}

/* The core context for a command run outside any request. */
static int cli_ctx(struct ctx *c)
{
    int rc = ctx_open(c);
    if (rc)
        fprintf(stderr, "userd: cannot open the store (%s)\n", err_str(rc));
    return rc;
}

static void cli_done(struct ctx *c) { ctx_close(c); }

static void print_app(const struct app *app, void *arg)
{
    (void)arg;
    printf("%s\t%s\t%s\n", app->id, app->name, app->access_key);
}

/* A time in ms since the epoch as UTC ISO 8601, or "never" for 0. */
static const char *iso_time(int64_t ms, char *buf, size_t cap)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!ms || !gmtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return "never";
    return buf;
}

/* One line per admin token: prefix, created, expires, last used. */
static void print_admin_token(const struct admin_token *t, void *arg)
{
    (void)arg;
    char c[32], e[32], u[32];
    printf("%s\t%s\t%s\t%s\n", t->prefix ? t->prefix : "-", iso_time(t->created_at, c, sizeof(c)),
           iso_time(t->expires_at, e, sizeof(e)), iso_time(t->last_used_at, u, sizeof(u)));
}

/* `app token APP_ID [--ttl SECONDS | --revoke PREFIX]`: 2 for a usage error. */
static int cmd_token(struct ctx *c, int argc, char **argv, int *rc)
{
    const char *app_id = argv[0], *revoke = NULL, *ttl = NULL;
    for (int i = 1; i < argc; i++) {
        const char **opt = !strcmp(argv[i], "--ttl") ? &ttl : !strcmp(argv[i], "--revoke") ? &revoke : NULL;
        if (!opt || *opt || i + 1 == argc)
            return 2;
        *opt = argv[++i];
    }
    if (revoke && ttl)
        return 2;
    if (revoke) {
        *rc = app_admin_revoke(c, app_id, revoke);
        if (*rc == -E_INVALID) {
            fprintf(stderr, "userd: give the token's first %d characters (as `app tokens` lists them) or the "
                            "whole token\n",
                    ADMIN_TOKEN_PREFIX);
            return 0;
        }
        if (*rc == -E_NOT_FOUND)
            fprintf(stderr, "userd: no admin token of app %s starts with %s\n", app_id, revoke);
        else if (*rc == -E_EXISTS)
            fprintf(stderr, "userd: several admin tokens start with %s: give the whole token\n", revoke);
        else if (*rc)
            fprintf(stderr, "userd: %s\n", err_str(*rc));
        else
            fprintf(stderr, "userd: revoked\n");
        return 0;
    }
    char *end = NULL;
    long long s = ttl ? strtoll(ttl, &end, 10) : 0;
    if (ttl && (!*ttl || *end || s < 1 || s > ADMIN_TOKEN_TTL_MAX)) {
        fprintf(stderr, "userd: --ttl must be 1 to %lld seconds\n", ADMIN_TOKEN_TTL_MAX);
        *rc = -E_INVALID;
        return 0;
    }
    const char *token;
    *rc = app_admin_token(c, app_id, s, &token);
    if (*rc)
        fprintf(stderr, "userd: %s\n", err_str(*rc));
    else
        puts(token);
    return 0;
}

static int cmd_app(int argc, char **argv)
{
    struct ctx c;
    int rc, told = 0; /* told: the command printed its own error */
    if (argc < 1) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[0], "create") && argc >= 2) {
        int json = argc >= 3 && !strcmp(argv[2], "--json");
        struct app_creds cr;
        if (cli_ctx(&c))
            return 1;
        rc = app_create(&c, argv[1], &cr);
        if (!rc) {
            if (json) {
                char *s = app_creds_json(&cr);
                if (s)
                    puts(s);
                else
                    rc = -E_INTERNAL;
                free(s);
            } else {
                printf("app_id      %s\nname        %s\naccess_key  %s\nsecret_key  %s\nadmin_token %s\n",
                       cr.app_id, cr.name, cr.access_key, cr.secret_key, cr.admin_token);
            }
        }
    } else if (!strcmp(argv[0], "list")) {
        if (cli_ctx(&c))
            return 1;
        rc = app_list(&c, print_app, NULL);
    } else if (!strcmp(argv[0], "token") && argc >= 2) {
        if (cli_ctx(&c))
            return 1;
        if (cmd_token(&c, argc - 1, argv + 1, &rc)) {
            cli_done(&c);
            usage(stderr);
            return 2;
        }
        told = 1;
    } else if (!strcmp(argv[0], "tokens") && argc == 2) {
        if (cli_ctx(&c))
            return 1;
        rc = app_admin_tokens(&c, argv[1], print_admin_token, NULL);
    } else {
        usage(stderr);
        return 2;
    }
    if (rc && !told)
        fprintf(stderr, "userd: %s\n", err_str(rc));
    cli_done(&c);
    return rc ? 1 : 0;
}

static void print_operator(const struct operator_row *o, void *arg)
{
    (void)arg;
    char c[32], l[32];
    printf("%s\t%s\t%s\n", o->name, iso_time(o->created_at, c, sizeof(c)), iso_time(o->last_login_at, l, sizeof(l)));
}

/* `operator add|reset|remove NAME`, `operator list`: the console's operators (docs/console.md). */
static int cmd_operator(int argc, char **argv)
{
    struct ctx c;
    const char *password = NULL, *verb = argc >= 1 ? argv[0] : "";
    int rc, list = !strcmp(verb, "list");
    if (list ? argc != 1 : argc != 2 || (strcmp(verb, "add") && strcmp(verb, "reset") && strcmp(verb, "remove"))) {
        usage(stderr);
        return 2;
    }
    if (cli_ctx(&c))
        return 1;
    if (list)
        rc = op_list(&c, print_operator, NULL);
    else if (!strcmp(verb, "add"))
        rc = op_add(&c, argv[1], &password);
    else if (!strcmp(verb, "reset"))
        rc = op_reset(&c, argv[1], &password);
    else
        rc = op_remove(&c, argv[1]);
    if (!rc && password)
        puts(password); /* once: only its hash is kept */
    if (!rc && !list)
        rc = audit_add(&c, "(cli)", arena_printf(c.a, "operator.%s", verb), NULL, argv[1], NULL);
    if (rc == -E_INVALID)
        fprintf(stderr, "userd: an operator name is 1-%d of A-Z a-z 0-9 . _ @ -\n", OP_NAME_MAX);
    else if (rc == -E_EXISTS)
        fprintf(stderr, "userd: operator %s exists\n", argv[1]);
    else if (rc == -E_NOT_FOUND)
        fprintf(stderr, "userd: no operator %s\n", argv[1]);
    else if (rc)
        fprintf(stderr, "userd: %s\n", err_str(rc));
    cli_done(&c);
    return rc ? 1 : 0;
}

/* `backup FILE`: a consistent copy of the SQLite store, made while it serves. */
static int cmd_backup(const char *file)
{
    struct ctx c;
    struct backup_info b;
    const char *no = backup_refusal();
    if (no) {
        fprintf(stderr, "userd: %s\n", no);
        return 1;
    }
    if (cli_ctx(&c))
        return 1;
    int rc = backup_store(&c, file, &b);
    cli_done(&c);
    if (rc) {
        fprintf(stderr, "userd: backup to %s failed (%s): %s is unchanged\n", file, err_str(rc), file);
        return 1;
    }
    printf("backed up %s to %s: %lld pages, %lld bytes; %lld apps, %lld accounts\n", cfg_str(CFG_store_url), file,
           (long long)b.pages, (long long)b.bytes, (long long)b.apps, (long long)b.accounts);
    return 0;
}

static int start_face(const struct face *f, enum cfg_id listen)
{
    const char *addr = cfg_str(listen);
    if (!strcmp(addr, "off"))
        return 0;
    return http_listen(f, addr);
}

static int cmd_serve(void)
{
    struct ctx c;
    sigset_t sigs;
    int sig, rc;

    signal(SIGPIPE, SIG_IGN);
    /*
     * Keep freed memory in the allocator instead of handing it back to the
     * kernel and asking for it again: every madvise/munmap/mmap takes the
     * process's memory-map lock, and the Argon2id threads (libsodium maps
     * and unmaps each hash's memory, tens of MiB) hold it long enough for a
     * request thread that waits on it to miss its deadline. Fixed thresholds
     * also turn off glibc's sliding ones.
     */
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 8 << 20);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL); /* every thread inherits this; main waits below */

    if (cli_ctx(&c))
        return 1;
    rc = pw_init(&c);
    if (!rc)
        rc = srvkey_init(&c);
    if (!rc)
        rc = app_ensure_default(&c, cfg_str(CFG_data_dir));
    cli_done(&c);
    if (rc) {
        fprintf(stderr, "userd: cannot prepare the store (%s)\n", err_str(rc));
        return 1;
    }
    if (*cfg_str(CFG_sms_dev_code))
        log_warn("SMS DEVELOPMENT CODE IS ON: a fixed code is accepted for every phone. Never in production.");

    if (http_pool_start((int)cfg_int(CFG_password_threads), (int)cfg_int(CFG_password_queue)) ||
        start_face(&im_face, CFG_im_listen) || start_face(&live_face, CFG_live_listen) ||
        start_face(&app_face, CFG_app_listen) || ops_start()) {
        http_shutdown(0);
        ops_stop();
        ctx_close_all();
        return 1;
    }
    log_info("userd ready");
    (void)notify_manager("READY=1\nSTATUS=serving");
    sigwait(&sigs, &sig);
    log_info("userd stopping (signal %d): finishing requests in flight", sig);
    (void)notify_manager("STOPPING=1\nSTATUS=finishing requests in flight");
    http_shutdown(10000);
    ops_stop();
    ctx_close_all();
    log_info("userd stopped");
    return 0;
}

int main(int argc, char **argv)
{
    char err[512];
    char *rest[argc > 0 ? argc : 1];
    int n_rest;

    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
        cfg_reset();
        usage(stdout);
        return 0;
    }
    if (sodium_init() < 0) {
        fputs("userd: libsodium failed to start\n", stderr);
        return 1;
    }
    /*
     * jansson's copies of what it parses (passwords in request bodies) and
     * builds (credentials in answers) are zeroed when freed, instead of
     * lingering in the heap until the memory is reused.
     */
    json_set_alloc_funcs(xmalloc, xfree_wiped);
    if (cfg_load(argc - 1, argv + 1, rest, &n_rest, err, sizeof(err))) {
        fprintf(stderr, "userd: %s\n", err);
        return 2;
    }
    if (set_log_level())
        return 2;
    if (n_rest >= 1 && !strcmp(rest[0], "serve") && n_rest == 1)
        return cmd_serve();
    if (n_rest == 2 && !strcmp(rest[0], "backup"))
        return cmd_backup(rest[1]);
    if (n_rest >= 1 && !strcmp(rest[0], "app"))
        return cmd_app(n_rest - 1, rest + 1);
    if (n_rest >= 1 && !strcmp(rest[0], "operator"))
        return cmd_operator(n_rest - 1, rest + 1);
    usage(stderr);
    return 2;
}
