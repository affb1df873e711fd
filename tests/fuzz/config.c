/*
 * Fuzz target "config": the settings as userd reads them at start
 * (src/base/config.c): an INI file, USERD_* environment variables and
 * flags, through cfg_load().
 *
 * Input: three parts separated by the byte 0x1e: the file's text,
 * environment lines "USERD_X_Y=value", and flags, one per line. The file is
 * written to a temporary file and passed as "--config FILE" when it is not
 * empty. Flags naming --config themselves are dropped (a fuzzer would find
 * /dev/stdin, a wait and not a defect).
 *
 * Invariants: cfg_load() answers 0 or -E_INVALID with a message; after 0,
 * every setting is within its bounds in config.def, a flag given for a
 * setting wins (the last one), else its environment variable; the
 * arguments left over are the non-setting arguments in order.
 */
#include <sodium.h>
#include <strings.h>
#include <unistd.h>

#include "fuzz.h"

enum { STR, INT, BOOL };
static const struct {
    const char *section, *key;
    int type;
    long long min, max;
} table[] = {
#define S(sec, k, t, d, mn, mx, h) {#sec, #k, t, mn, mx},
#include "base/config.def"
#undef S
};
#define N_SETTINGS (sizeof(table) / sizeof(*table))

static char dir[256], file[300];

static void remove_dir(void)
{
    unlink(file);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    fuzz_quiet();
    fuzz_tmpdir(dir, sizeof(dir));
    snprintf(file, sizeof(file), "%s/userd.ini", dir);
    atexit(remove_dir);
    for (size_t i = 0; i < N_SETTINGS; i++) { /* the caller's USERD_* must not leak in */
        char name[128];
        snprintf(name, sizeof(name), "USERD_%s_%s", table[i].section, table[i].key);
        for (char *p = name; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        unsetenv(name);
    }
    return 0;
}

/* The setting "section.key" names (any case), or -1. */
static int find(const char *name, size_t n)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        size_t sl = strlen(table[i].section), kl = strlen(table[i].key);
        if (n == sl + 1 + kl && !strncasecmp(name, table[i].section, sl) && name[sl] == '.' &&
            !strncasecmp(name + sl + 1, table[i].key, kl))
            return (int)i;
    }
    return -1;
}

/* The setting an environment variable name stands for (exact, upper case), or -1. */
static int find_env(const char *name, size_t n)
{
    for (size_t i = 0; i < N_SETTINGS; i++) {
        char want[128];
        snprintf(want, sizeof(want), "USERD_%s_%s", table[i].section, table[i].key);
        for (char *p = want; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        if (strlen(want) == n && !strncmp(want, name, n))
            return (int)i;
    }
    return -1;
}

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_in in = {data, size};
    size_t file_len;
    char *text = fuzz_next(&in, 0x1e, &file_len);
    char *env = fuzz_next(&in, 0x1e, NULL);
    char *flags = fuzz_next(&in, 0x1e, NULL);

    FILE *f = fopen(file, "w");
    if (!f || fwrite(text, 1, file_len, f) != file_len || fclose(f))
        abort();

    /* Environment: only names of settings (the sanitizers read their own variables). */
    const char *env_value[N_SETTINGS] = {0};
    char *env_names[MAX_ARGS];
    int n_env = 0;
    for (char *p = env, *next; *p && n_env < MAX_ARGS; p = next) {
        char *nl = strchr(p, '\n');
        next = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = '\0';
        char *eq = strchr(p, '=');
        int i = eq ? find_env(p, (size_t)(eq - p)) : -1;
        if (i < 0)
            continue;
        *eq = '\0';
        if (setenv(p, eq + 1, 1))
            continue;
        env_names[n_env++] = p;
        env_value[i] = eq + 1;
    }

    /* Flags: "--config FILE" first when there is a file, then the input's lines. */
    char *argv[MAX_ARGS + 2], *rest[MAX_ARGS + 2];
    int argc = 0, n_rest = -1;
    if (file_len) {
        argv[argc++] = "--config";
        argv[argc++] = file;
    }
    for (char *p = flags, *next; *p && argc < MAX_ARGS; p = next) {
        char *nl = strchr(p, '\n');
        next = nl ? nl + 1 : p + strlen(p);
        if (nl)
            *nl = '\0';
        if (!strncmp(p, "--config", 8))
            continue;
        argv[argc++] = p;
    }

    char err[512];
    memset(err, 0x55, sizeof(err));
    int rc = cfg_load(argc, argv, rest, &n_rest, err, sizeof(err));
    if (rc) {
        FUZZ_ASSERT(rc == -E_INVALID, "cfg_load: %d", rc);
        FUZZ_ASSERT(memchr(err, 0, sizeof(err)) && *err, "cfg_load failed without a message");
    } else {
        FUZZ_ASSERT(n_rest >= 0 && n_rest <= argc, "cfg_load: %d arguments left of %d", n_rest, argc);
        /* Which value should have won: the last flag, else the environment. */
        const char *want[N_SETTINGS];
        memcpy(want, env_value, sizeof(want));
        int k = 0;
        for (int a = 0; a < argc; a++) {
            const char *s = argv[a];
            if (!strcmp(s, "--config")) {
                a++;
                continue;
            }
            const char *dot = strncmp(s, "--", 2) ? NULL : strchr(s, '.');
            if (!dot) {
                FUZZ_ASSERT(k < n_rest && rest[k] == argv[a], "argument %d (%s) not left over in order", a, s);
                k++;
                continue;
            }
            const char *eq = strchr(s, '=');
            int i = find(s + 2, eq ? (size_t)(eq - s - 2) : strlen(s + 2));
            FUZZ_ASSERT(i >= 0, "cfg_load took the unknown flag %s", s);
            want[i] = eq ? eq + 1 : argv[++a];
        }
        FUZZ_ASSERT(k == n_rest, "%d arguments left over, want %d", n_rest, k);
        for (size_t i = 0; i < N_SETTINGS; i++) {
            const char *v = cfg_str((enum cfg_id)i);
            long long n = cfg_int((enum cfg_id)i);
            FUZZ_ASSERT(v, "setting %s.%s: NULL", table[i].section, table[i].key);
            if (want[i])
                FUZZ_ASSERT(!strcmp(v, want[i]), "setting %s.%s is \"%s\", want \"%s\"", table[i].section,
                            table[i].key, v, want[i]);
            if (table[i].type == STR)
                FUZZ_ASSERT((long long)strlen(v) >= table[i].min && (long long)strlen(v) <= table[i].max,
                            "setting %s.%s: %zu bytes", table[i].section, table[i].key, strlen(v));
            else if (table[i].type == INT)
                FUZZ_ASSERT(n >= table[i].min && n <= table[i].max, "setting %s.%s: %lld", table[i].section,
                            table[i].key, n);
            else
                FUZZ_ASSERT(n == 0 || n == 1, "setting %s.%s: %lld", table[i].section, table[i].key, n);
        }
    }

    for (int i = 0; i < n_env; i++)
        unsetenv(env_names[i]);
    cfg_reset();
    free(text);
    free(env);
    free(flags);
    return 0;
}
